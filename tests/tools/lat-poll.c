/*
 * lat-poll - watch a SQLite table for each key's latest value, for the
 * latency benchmark (bench/stream-latency.bench).  Not installed.
 *
 * One connection stays open.  Every interval (default 1 ms, an absolute
 * schedule on the monotonic clock) it runs
 *	SELECT key, max(value), sum(count) FROM table GROUP BY key
 * and logs "key value seen_us" for each key whose max(value) grew,
 * seen_us being the wall clock when that read began (a row committed
 * before then is in its snapshot: WAL readers do not wait for the
 * writer).  It waits for the database and the table to appear, and
 * with -n N stops once the counts add up to N (exit 0; more than N is
 * an error), else on SIGTERM or SIGINT.  The log is buffered and
 * written at the end.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

static const char usage_text[] =
    "usage: lat-poll -d DB -t TABLE -k COLUMN -v COLUMN -c COLUMN [-n N]\n"
    "                [-i MICROSECONDS] -l LOG\n"
    "\n"
    "Poll TABLE for the max of a value column by key; log each growth as\n"
    "\"key value seen_us\".\n"
    "\n"
    "Options:\n"
    "  -d, --db FILE        the database\n"
    "  -t, --table NAME     the table\n"
    "  -k, --key COLUMN     the key column\n"
    "  -v, --value COLUMN   the value column (its max by key is watched)\n"
    "  -c, --count COLUMN   a count column, summed over the table\n"
    "  -n, --expect N       stop once the counts add up to N\n"
    "  -i, --interval US    poll every US microseconds (default 1000)\n"
    "  -l, --log FILE       the log\n"
    "      --help           this help\n";

struct opts {
	const char *db, *table, *key, *value, *count, *log;
	long long expect;	/* -n: the total to stop at; 0: none */
	long long interval;	/* -i: microseconds between polls */
};

/* A key seen, and the largest value seen for it. */
struct seen {
	char *key;
	int64_t value;
};

/* Add us microseconds to a timespec. */
static void
ts_add_us(struct timespec *t, long long us)
{
	t->tv_sec += (time_t)(us / 1000000);
	t->tv_nsec += (long)(us % 1000000) * 1000;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The statement, or NULL while the table is not there yet. */
static sqlite3_stmt *
prepare(sqlite3 *db, const struct opts *o)
{
	struct buf sql = { 0 };
	sqlite3_stmt *st = NULL;

	buf_adds(&sql, "SELECT ");
	buf_sql_ident(&sql, o->key);
	buf_adds(&sql, ", max(");
	buf_sql_ident(&sql, o->value);
	buf_adds(&sql, "), sum(");
	buf_sql_ident(&sql, o->count);
	buf_adds(&sql, ") FROM ");
	buf_sql_ident(&sql, o->table);
	buf_adds(&sql, " GROUP BY 1");
	if (sqlite3_prepare_v2(db, buf_cstr(&sql), -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	buf_free(&sql);
	return st;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "table", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "value", required_argument, NULL, 'v' },
		{ "count", required_argument, NULL, 'c' },
		{ "expect", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .interval = 1000 };
	struct seen *keys = NULL;
	size_t nkeys = 0;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct timespec next, now;
	long long total = 0, polls = 0, busy = 0;
	double spent = 0;
	FILE *log;
	int c, status = 0;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "d:t:k:v:c:n:i:l:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd':
			o.db = optarg;
			break;
		case 't':
			o.table = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'v':
			o.value = optarg;
			break;
		case 'c':
			o.count = optarg;
			break;
		case 'n':
			o.expect = opt_number("--expect", optarg, 0);
			break;
		case 'i':
			o.interval = opt_number("--interval", optarg, 1);
			break;
		case 'l':
			o.log = optarg;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return fclose(stdout) == 0 ? 0 : 1;
		default:
			usage_error("unknown option");
		}
	}
	if (!o.db || !o.table || !o.key || !o.value || !o.count || !o.log ||
	    optind != argc)
		usage_error("-d, -t, -k, -v, -c and -l, please");
	if ((log = fopen(o.log, "w")) == NULL)
		fatal(1, "%s: %s", o.log, strerror(errno));
	stop_on_signals();
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop_requested) {
		if (db == NULL && access(o.db, F_OK) == 0) {
			if (sqlite3_open_v2(o.db, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
				fatal(1, "%s: %s", o.db, db ?
				    sqlite3_errmsg(db) : "cannot open");
			sqlite3_busy_timeout(db, 100);
		}
		if (db != NULL && st == NULL)
			st = prepare(db, &o);
		if (st != NULL) {
			int64_t us = wall_us();
			long long sum = 0;
			int rc;

			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				const char *k =
				    (const char *)sqlite3_column_text(st, 0);
				int64_t v = sqlite3_column_int64(st, 1);
				size_t i;

				sum += sqlite3_column_int64(st, 2);
				if (k == NULL)
					k = "";
				for (i = 0; i < nkeys; i++)
					if (strcmp(keys[i].key, k) == 0)
						break;
				if (i == nkeys) {
					keys = erealloc(keys,
					    (nkeys + 1) * sizeof *keys);
					keys[nkeys].key = estrdup(k);
					keys[nkeys].value = INT64_MIN;
					nkeys++;
				}
				if (v > keys[i].value) {
					keys[i].value = v;
					fprintf(log, "%s %lld %lld\n", k,
					    (long long)v, (long long)us);
				}
			}
			sqlite3_reset(st);
			if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
				busy++;
			else if (rc != SQLITE_DONE)
				fatal(1, "%s: %s", o.db, sqlite3_errmsg(db));
			else {
				total = sum;
				polls++;
				spent += (double)(wall_us() - us);
			}
			if (o.expect > 0 && total >= o.expect)
				break;
		}
		/* The next poll on the schedule; after a stall, from now. */
		ts_add_us(&next, o.interval);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ts_before(&next, &now))
			next = now;
		else
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
			    NULL);
	}
	if (o.expect > 0 && total != o.expect) {
		diag("%s: the counts add up to %lld, not %lld", o.table, total,
		    o.expect);
		status = 1;
	}
	fprintf(stderr, "%s: %lld counted, %lld polls (%.0f us each), "
	    "%lld busy, %zu keys\n", progname, total, polls,
	    polls ? spent / (double)polls : 0.0, busy, nkeys);
	sqlite3_finalize(st);
	if (db != NULL && sqlite3_close(db) != SQLITE_OK)
		status = 1;
	if (fclose(log) != 0)
		fatal(1, "%s: %s", o.log, strerror(errno));
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i].key);
	free(keys);
	return status;
}
