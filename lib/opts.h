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

/* -q and -f, FMT: quiet, and the output format. */
#define COMMON_SHORTOPTS "qf:"

#define COMMON_LONGOPTS \
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "version", no_argument, NULL, OPT_VERSION }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "format", required_argument, NULL, 'f' }, \
	{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT }, \
	{ "schema", required_argument, NULL, OPT_SCHEMA }, \
	{ "reject", required_argument, NULL, OPT_REJECT }

struct common_opts {
	int quiet;		/* -q: no summary line */
	enum fmt out_fmt;	/* -f: FMT_AUTO means the input's */
	enum fmt in_fmt;	/* --input-format: FMT_AUTO means sniff */
	const char *schema;	/* --schema FILE */
	const char *reject;	/* --reject FILE */
	const char *stats;	/* --stats FILE (stats.h) */
};

struct program {
	const char *synopsis;	/* "cleanse [options] [FILE...]" lines */
	const char *help;	/* what follows the synopsis in --help */
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
 * --help prints and exits 0, --version prints and exits 0, a bad value or
 * an unknown option ('?') is a usage error (exit 2).  Any other c is a
 * program bug and exits 2 too, so "default: common_opt(...)" is complete.
 */
void common_opt(const struct program *p, struct common_opts *o, int c,
    const char *arg);

/*
 * An option's whole-number value, at least min; anything else ("lots",
 * "5x", below min) is a usage error naming the option.
 */
long long opt_number(const char *opt, const char *arg, long long min);

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

#endif
