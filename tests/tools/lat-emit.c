/*
 * lat-emit - timestamped events at a steady rate, for the latency
 * benchmark (bench/stream-latency.bench).  Not installed.
 *
 * Event i is the JSON line
 *	{"k":"g<i % keys>","seq":i,"sent_us":US,"event_time":"ISO"}
 * where US is the wall clock, in microseconds, read just before the
 * line is written, and ISO the same instant (UTC, six decimals).  Each
 * line is one write(2), made when it is due: event i is due at
 * start + i / rate on the monotonic clock, an absolute schedule, so a
 * late wake-up or a slow write does not push the events after it back.
 * With --jitter, at start + (i + u) / rate, u uniform in [0, 1): the
 * same rate and order, but events no longer keep step with a periodic
 * timer downstream (a 100 ms trigger would otherwise meet every event
 * of 1 or 10 a second at the same phase, and one phase is one latency).
 * Nothing else goes to stdout; with --log, "k sent_us" for each event
 * is written to a file at the end (not while pacing).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lat.h"
#include "sluice.h"

static const char usage_text[] =
    "usage: lat-emit -r RATE -n COUNT [-k KEYS] [-j] [-s SEED] [-l LOG] [-w]\n"
    "\n"
    "Write COUNT JSON events to stdout, RATE a second, each stamped with\n"
    "the wall clock as it is written.\n"
    "\n"
    "Options:\n"
    "  -r, --rate N      events a second\n"
    "  -n, --count N     events in all\n"
    "  -k, --keys N      keys g0 .. g<N-1>, in turn (default 32)\n"
    "  -j, --jitter      each event at a random moment of its 1/RATE slot\n"
    "  -s, --seed N      the jitter's seed (default 1)\n"
    "  -l, --log FILE    write \"k sent_us\" per event here at the end\n"
    "  -w, --wait        start only on SIGUSR1 (SIGTERM ends the wait)\n"
    "      --help        this help\n";

struct opts {
	long long rate;		/* -r: events a second */
	long long count;	/* -n: events in all */
	long long keys;		/* -k: how many distinct keys */
	int jitter;		/* -j: a random moment in each slot */
	uint64_t seed;		/* -s: the jitter's seed */
	const char *log;	/* -l: the sent log, or NULL */
	int wait;		/* -w: hold until SIGUSR1 */
};

/* The next of a splitmix64 sequence: uniform 64-bit values. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Format one event into buf; returns its length. */
static size_t
format_event(char *buf, size_t cap, long long seq, long long keys,
    int64_t us)
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;
	int n;

	gmtime_r(&secs, &tm);
	n = snprintf(buf, cap, "{\"k\":\"g%lld\",\"seq\":%lld,"
	    "\"sent_us\":%lld,\"event_time\":"
	    "\"%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ\"}\n",
	    seq % keys, seq, (long long)us, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (long long)(us % 1000000));
	if (n < 0 || (size_t)n >= cap)
		fatal(1, "event %lld does not fit its buffer", seq);
	return (size_t)n;
}

/* Block until SIGUSR1; SIGTERM or SIGINT instead exits 1. */
static void
wait_for_go(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigwait(&set, &sig) != 0 || sig != SIGUSR1)
		exit(1);
}

/* The events' sent times to path as "k sent_us" lines; exits 1 on error. */
static void
write_log(const char *path, const int64_t *sent, long long count,
    long long keys)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		fatal(1, "%s: %s", path, strerror(errno));
	for (long long i = 0; i < count; i++)
		fprintf(f, "g%lld %lld\n", i % keys, (long long)sent[i]);
	if (fclose(f) != 0)
		fatal(1, "%s: %s", path, strerror(errno));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "keys", required_argument, NULL, 'k' },
		{ "jitter", no_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .keys = 32, .seed = 1 };
	struct timespec due, start;
	int64_t *sent;
	char line[256];
	int c;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "r:n:k:js:l:w", longopts, NULL))
	    != -1) {
		switch (c) {
		case 'r':
			o.rate = opt_number("--rate", optarg, 1);
			break;
		case 'n':
			o.count = opt_number("--count", optarg, 0);
			break;
		case 'k':
			o.keys = opt_number("--keys", optarg, 1);
			break;
		case 'j':
			o.jitter = 1;
			break;
		case 's':
			o.seed = (uint64_t)opt_number("--seed", optarg, 0);
			break;
		case 'l':
			o.log = optarg;
			break;
		case 'w':
			o.wait = 1;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return fclose(stdout) == 0 ? 0 : 1;
		default:
			usage_error("unknown option");
		}
	}
	if (o.rate == 0 || optind != argc)
		usage_error("-r RATE and -n COUNT, and no operands, please");
	sent = ecalloc(o.count > 0 ? (size_t)o.count : 1, sizeof *sent);
	if (o.wait) {
		sigset_t set;

		/* Blocked before anyone can send it, so none is lost. */
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		wait_for_go();
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long long i = 0; i < o.count; i++) {
		/* Due at start + i / rate, computed afresh: no drift. */
		long long off = i * 1000000000LL / o.rate;
		size_t n;

		if (o.jitter) {
			/* u in [0, 1) from 53 random bits: exact in a double. */
			double u = (double)(next_random(&o.seed) >> 11) /
			    9007199254740992.0;

			off += (long long)(u * 1e9 / (double)o.rate);
		}

		due.tv_sec = start.tv_sec + (time_t)(off / 1000000000LL);
		due.tv_nsec = start.tv_nsec + (long)(off % 1000000000LL);
		if (due.tv_nsec >= 1000000000L) {
			due.tv_sec++;
			due.tv_nsec -= 1000000000L;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due,
		    NULL) == EINTR)
			;
		sent[i] = wall_us();
		n = format_event(line, sizeof line, i, o.keys, sent[i]);
		lat_write(STDOUT_FILENO, line, n);
	}
	if (close(STDOUT_FILENO) != 0)
		fatal(1, "stdout: %s", strerror(errno));
	if (o.log != NULL)
		write_log(o.log, sent, o.count, o.keys);
	free(sent);
	return 0;
}
