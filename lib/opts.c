#include "opts.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <csv.h>

#include "diag.h"
#include "ts.h"

volatile sig_atomic_t stop_requested;

void
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	exit(2);
}

long long
opt_number(const char *opt, const char *arg, long long min)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || *end != '\0' || end == arg || v < min)
		usage_error("%s: expected a whole number of %lld or more, "
		    "not \"%s\"", opt, min, arg);
	return v;
}

/* The common options' --help lines, each with what a program declares
   to take it by. */
static const struct {
	unsigned takes;
	const char *help;
} common_help[] = {
	{ TAKES_FORMAT, "  -f, --format FMT        output csv or jsonl "
	    "(default: the input's)\n" },
	{ TAKES_INPUT_FORMAT, "      --input-format FMT  read csv or jsonl "
	    "(default: by name, else sniffed)\n" },
	{ TAKES_SCHEMA, "      --schema FILE       the dataset's schema "
	    "file\n" },
	{ TAKES_REJECT, "      --reject FILE       append diverted records "
	    "to FILE (JSON Lines)\n" },
	{ TAKES_QUIET, "  -q, --quiet             no summary line on "
	    "stderr\n" },
	{ TAKES_JOBS, "  -j, --jobs N            N threads (default: one a "
	    "core; 1: one thread)\n" },
};

static _Noreturn void
print_help(const struct program *p)
{
	printf("usage: %s\n%s", p->synopsis, p->help);
	printf("\nCommon options:\n");
	for (size_t i = 0; i < sizeof common_help / sizeof *common_help; i++)
		if (p->takes & common_help[i].takes)
			fputs(common_help[i].help, stdout);
	printf("      --help              this help\n"
	    "      --version           version and library versions\n");
	if (fflush(stdout) != 0 || ferror(stdout))
		exit(1);
	exit(0);
}

void
opt_old(const char *old, const char *now)
{
	diag("%s is now %s; the old spelling goes in the next release", old,
	    now);
}

int64_t
opt_duration(const char *opt, const char *arg, const char *bare_unit,
    int64_t min_us)
{
	const char *p = arg;
	char with_unit[64];
	int64_t us;

	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	if (*p == '\0' && p != arg && strcmp(arg, "0") != 0) {
		/* A bare number: the option's old unit, if it had one. */
		if (bare_unit == NULL)
			usage_error("%s: expected a duration with its unit "
			    "(500ms, 30s, 15m, 2h), not \"%s\"", opt, arg);
		if (snprintf(with_unit, sizeof with_unit, "%s%s", arg,
		    bare_unit) >= (int)sizeof with_unit)
			usage_error("%s: not a duration: \"%s\"", opt, arg);
		arg = with_unit;
	}
	if (ts_parse_duration(arg, &us) < 0)
		usage_error("%s: expected a duration (500ms, 30s, 15m, 2h), "
		    "not \"%s\"", opt, arg);
	if (us < min_us)
		usage_error("%s: expected a duration %s, not \"%s\"", opt,
		    min_us > 0 ? "more than 0" : "of 0 or more", arg);
	return us;
}

#ifndef SLUICE_VERSION
#error "the Makefile passes SLUICE_VERSION, from the VERSION file"
#endif

const char *
sluice_version(void)
{
	return SLUICE_VERSION;
}

void
print_versions(const char *extra)
{
	/* libcsv has no run-time version: the one built against. */
	printf("%s (sluice) %s, ISC licence\n", progname, SLUICE_VERSION);
	printf("jansson %s, zlib %s, libcsv %d.%d.%d%s%s\n",
	    jansson_version_str(), zlibVersion(), CSV_MAJOR, CSV_MINOR,
	    CSV_RELEASE, extra ? ", " : "", extra ? extra : "");
}

static _Noreturn void
print_version(const struct program *p)
{
	print_versions(p->versions ? p->versions() : NULL);
	if (fflush(stdout) != 0 || ferror(stdout))
		exit(1);
	exit(0);
}

/* Which of the common options c is (TAKES_*), or 0: none of them. */
static unsigned
common_bit(int c, const char **name)
{
	switch (c) {
	case 'f':
		*name = "-f (--format)";
		return TAKES_FORMAT;
	case OPT_INPUT_FORMAT:
		*name = "--input-format";
		return TAKES_INPUT_FORMAT;
	case OPT_SCHEMA:
		*name = "--schema";
		return TAKES_SCHEMA;
	case OPT_REJECT:
		*name = "--reject";
		return TAKES_REJECT;
	case 'q':
		*name = "-q (--quiet)";
		return TAKES_QUIET;
	case 'j':
		*name = "-j (--jobs)";
		return TAKES_JOBS;
	default:
		return 0;
	}
}

void
common_opt(const struct program *p, struct common_opts *o, int c,
    const char *arg)
{
	const char *name = NULL;
	unsigned bit = common_bit(c, &name);

	/* Listed in every program's option table (COMMON_LONGOPTS), taken
	   only where it means something: elsewhere as unknown as any. */
	if (bit != 0 && !(p->takes & bit))
		usage_error("unknown option %s", name);
	switch (c) {
	case 'q':
		o->quiet = 1;
		return;
	case 'f':
		if (fmt_parse(arg, &o->out_fmt) < 0)
			usage_error("-f: unknown format \"%s\" (csv or jsonl)",
			    arg);
		return;
	case OPT_INPUT_FORMAT:
		if (fmt_parse(arg, &o->in_fmt) < 0)
			usage_error("--input-format: unknown format \"%s\" "
			    "(csv or jsonl)", arg);
		return;
	case 'j':
		/* A bound keeps a typo (-j 1000000) from asking for a
		   million threads. */
		if (opt_number("-j", arg, 1) > 1024)
			usage_error("-j: at most 1024 threads, not %s", arg);
		o->jobs = (int)opt_number("-j", arg, 1);
		return;
	case OPT_SCHEMA:
		o->schema = arg;
		return;
	case OPT_REJECT:
		o->reject = arg;
		return;
	case OPT_STATS:
		o->stats = arg;
		return;
	case OPT_HELP:
		print_help(p);
	case OPT_VERSION:
		print_version(p);
	default:
		/* getopt_long has said what was wrong. */
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    progname);
		exit(2);
	}
}

int
opt_jobs(const struct common_opts *o)
{
	long n;

	if (o->jobs > 0)
		return o->jobs;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

int64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
tally_start(struct tally *t)
{
	memset(t, 0, sizeof *t);
	t->start = now_seconds();
}

static void
on_stop(int sig)
{
	(void)sig;
	/* Counted: a second signal can mean "now" (stream-window's drain). */
	if (stop_requested < 100)
		stop_requested = stop_requested + 1;
}

void
stop_on_signals(void)
{
	struct sigaction sa;

	struct sigaction old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* A shell starts background commands with SIGINT ignored, so that
	   Ctrl-C reaches the script, which then stops its pipeline in order
	   (scripts/stream-pipeline): kept so. */
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void
signals_hold(sigset_t *saved)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, saved);
}

void
signals_release(const sigset_t *saved)
{
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

int
thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t saved;
	int err;

	signals_hold(&saved);
	err = pthread_create(t, NULL, fn, arg);
	signals_release(&saved);
	return err;
}

char **
opt_list(const char *arg, size_t *n)
{
	char *copy = estrdup(arg), *tok, *save = NULL;
	char **v = ecalloc(strlen(arg) + 2, sizeof *v);

	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save))
		v[(*n)++] = estrdup(tok);
	free(copy);
	return v;
}

void
opt_list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
