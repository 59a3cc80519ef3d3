/*
 * opts.h - what every sluice program's command line shares: the common
 * options (same words, same meaning everywhere), --help and --version,
 * usage errors, the counts a run keeps (stats.h prints them), and stop
 * signals.
 *
 *	static const struct option longopts[] = {
 *		COMMON_LONGOPTS,
 *		{ "dedup", required_argument, NULL, 'd' },
 *		{ 0 }
 *	};
 *	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "d:",
 *	    longopts, NULL)) != -1)
 *		switch (c) {
 *		case 'd': ...; break;
 *		default: common_opt(&prog, &o.common, c, optarg);
 *		}
 */
#ifndef SLUICE_OPTS_H
#define SLUICE_OPTS_H

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "reader.h"

/* sluice's version: the VERSION file's, which the Makefile passes in. */
const char *sluice_version(void);

/* Long-only options get codes above any character. */
enum {
	OPT_HELP = 0x100,
	OPT_VERSION,
	OPT_INPUT_FORMAT,
	OPT_SCHEMA,
	OPT_REJECT,
	OPT_STATS,		/* --stats FILE, where a program has it (stats.h) */
	OPT_PROGRAM = 0x200	/* a program's own long-only options start here */
};

/* -q, -f FMT and -j N: quiet, the output format, the threads. */
#define COMMON_SHORTOPTS "qf:j:"

#define COMMON_LONGOPTS \
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "version", no_argument, NULL, OPT_VERSION }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "format", required_argument, NULL, 'f' }, \
	{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT }, \
	{ "schema", required_argument, NULL, OPT_SCHEMA }, \
	{ "reject", required_argument, NULL, OPT_REJECT }, \
	{ "jobs", required_argument, NULL, 'j' }

struct common_opts {
	int quiet;		/* -q: no summary line */
	enum fmt out_fmt;	/* -f: FMT_AUTO means the input's */
	enum fmt in_fmt;	/* --input-format: FMT_AUTO means sniff */
	const char *schema;	/* --schema FILE */
	const char *reject;	/* --reject FILE */
	const char *stats;	/* --stats FILE (stats.h) */
	int jobs;		/* -j N: threads; 0: not given (opt_jobs) */
};

/* The common options a program can take (struct program's takes). */
enum {
	TAKES_FORMAT = 1 << 0,		/* -f, --format FMT */
	TAKES_INPUT_FORMAT = 1 << 1,	/* --input-format FMT */
	TAKES_SCHEMA = 1 << 2,		/* --schema FILE */
	TAKES_REJECT = 1 << 3,		/* --reject FILE */
	TAKES_QUIET = 1 << 4,		/* -q, --quiet */
	TAKES_JOBS = 1 << 5,		/* -j, --jobs N */
	/* A filter of records: reads them, writes them, diverts some. */
	TAKES_FILTER = TAKES_FORMAT | TAKES_INPUT_FORMAT | TAKES_SCHEMA |
	    TAKES_REJECT | TAKES_QUIET
};

struct program {
	const char *synopsis;	/* "cleanse [options] [FILE...]" lines */
	const char *help;	/* what follows the synopsis in --help */
	/* The common options it takes (TAKES_*): --help lists only these,
	   and any other is an unknown option (a usage error).  --help,
	   --version and --stats (where STATS_LONGOPT is given) always. */
	unsigned takes;
	/* The versions of the libraries the program links beyond the
	   record layer's ("sqlite 3.40.1"), as loaded at run time; NULL:
	   none. */
	const char *(*versions)(void);
};

/*
 * The --version text: "PROGRAM (sluice) VERSION", the licence, and the
 * libraries' versions (the record layer's, then extra, or NULL).
 */
void print_versions(const char *extra);

/*
 * Handle option c (as getopt_long returned it) if it is a common one:
 * --help prints and exits 0, --version prints and exits 0, a bad value,
 * an unknown option ('?') or a common option p does not take (p->takes)
 * is a usage error (exit 2).  Any other c is a program bug and exits 2
 * too, so "default: common_opt(...)" is complete.
 */
void common_opt(const struct program *p, struct common_opts *o, int c,
    const char *arg);

/*
 * The threads -j asked for: its N, else the cores online (at least 1).
 */
int opt_jobs(const struct common_opts *o);

/*
 * An option's whole-number value, at least min; anything else ("lots",
 * "5x", below min) is a usage error naming the option.
 */
long long opt_number(const char *opt, const char *arg, long long min);

/*
 * An old spelling a user's scripts may still have: warn on stderr
 * "progname: OLD is now NEW; the old spelling goes in the next release"
 * (old and now as the user would type them: "--batch-ms MS",
 * "--batch-time DUR").  The run goes on; its exit status is unchanged.
 */
void opt_old(const char *old, const char *now);

/*
 * An option's duration, in microseconds: a number and a unit (500ms,
 * 30s, 15m, 2h, 1d; ts_parse_duration()), or "0".  A bare number is in
 * bare_unit ("s", "ms"), the unit the option had before it took units;
 * with bare_unit NULL a bare number is a usage error that asks for the
 * unit.  Below min_us (0: zero allowed, 1: more than zero) is a usage
 * error naming the option.
 */
int64_t opt_duration(const char *opt, const char *arg, const char *bare_unit,
    int64_t min_us);

/*
 * An option's list of names, "a,b,c", as an array of *n strings (empty
 * items dropped).  Free with opt_list_free().
 */
char **opt_list(const char *arg, size_t *n);
void opt_list_free(char **v, size_t n);

/*
 * A usage error: "progname: message", a pointer to --help, exit 2.
 */
_Noreturn void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Counts every program reports: in = out + rejected + duplicates +
   filtered (dropped by --where). */
struct tally {
	uint64_t in, out, rejected, duplicates, filtered;
	double start;		/* monotonic seconds when the work began */
};

/* Monotonic seconds. */
double now_seconds(void);

/* The wall clock: microseconds since 1970-01-01T00:00:00Z. */
int64_t wall_us(void);

/* Start the clock. */
void tally_start(struct tally *t);

/* Set by SIGINT and SIGTERM once stop_on_signals() installed handlers:
   how many came. */
extern volatile sig_atomic_t stop_requested;

/*
 * Catch SIGINT and SIGTERM into stop_requested, so a long-running program
 * finishes what is complete and exits.  (SIGPIPE keeps its default: a
 * closed pipe ends a filter quietly.)
 */
void stop_on_signals(void);

/*
 * Signals are the main thread's to take: its loop is the one that looks
 * at stop_requested, and its waits are the ones a signal should cut
 * short.  The kernel gives a process's signal to its main thread when
 * it can, valgrind to whichever thread is waiting in a system call, and
 * a library thread that sees its poll() interrupted may give up
 * (librdkafka's mock cluster stops serving).  So every thread is
 * started with all signals blocked: thread_start(), or, for threads a
 * library starts, signals_hold() before the call and signals_release()
 * after it.
 */
void signals_hold(sigset_t *saved);
void signals_release(const sigset_t *saved);
/* pthread_create(t, NULL, fn, arg) with all signals blocked in the new
   thread: 0, or the error. */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
