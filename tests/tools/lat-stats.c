/*
 * lat-stats - each event's latency from a sent log and a sightings log,
 * and their percentiles, for the latency benchmark
 * (bench/stream-latency.bench).  Not installed.
 *
 * SENT has "key sent_us" per event (lat-emit --log); SEEN has "key value
 * seen_us" per sighting of a row (lat-tap, lat-poll), value being the
 * largest sent_us the row's window holds.  A key's events are counted in
 * the order they were sent, so a sighting of key k with value >= s says
 * that k's event sent at s has been counted: the event's latency is the
 * earliest such sighting's seen_us less s.  Prints one line,
 *	events seen p50 p99 max
 * with the latencies in milliseconds (nearest rank: the value at rank
 * ceil(p * events)), and exits 1 when any event was never seen: a missing
 * event is a failure, said on stderr, not a latency left out.  With
 * -o FILE, each event's "key sent_us latency_us" goes there too.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

enum { KEY_MAX = 32 };

/* An event sent, or a sighting of a row. */
struct mark {
	char key[KEY_MAX];	/* the key, NUL-terminated */
	int64_t value;		/* a sighting's max sent_us; unused for events */
	int64_t us;		/* sent_us, or seen_us */
};

static int
by_key_time(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	if (x->us != y->us)
		return x->us < y->us ? -1 : 1;
	return (x->value > y->value) - (x->value < y->value);
}

static int
by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Read path's lines of "key [value] us" (fields = 2 or 3) into a new
 * array; *n gets its length.  Exits 1 on a line that does not parse.
 */
static struct mark *
read_marks(const char *path, int fields, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct mark *m = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	char line[256], key[256];

	if (f == NULL)
		fatal(1, "%s: %s", path, strerror(errno));
	*n = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		long long v = 0, us;
		int got;

		lineno++;
		if (fields == 2)
			got = sscanf(line, "%255s %lld", key, &us) + 1;
		else
			got = sscanf(line, "%255s %lld %lld", key, &v, &us);
		if (got != 3)
			fatal(1, "%s:%lu: expected %s", path, lineno, fields == 2 ?
			    "\"key sent_us\"" : "\"key value seen_us\"");
		if (strlen(key) >= KEY_MAX)
			fatal(1, "%s:%lu: key longer than %d bytes", path,
			    lineno, KEY_MAX - 1);
		if (*n == cap) {
			cap = cap ? cap * 2 : 4096;
			m = erealloc(m, cap * sizeof *m);
		}
		memcpy(m[*n].key, key, strlen(key) + 1);
		m[*n].value = v;
		m[*n].us = us;
		(*n)++;
	}
	if (ferror(f))
		fatal(1, "%s: %s", path, strerror(errno));
	fclose(f);
	return m;
}

/* The value at nearest rank ceil(p * n) of sorted v[0..n), n > 0. */
static int64_t
rank(const int64_t *v, size_t n, double p)
{
	size_t r = (size_t)ceil(p * (double)n);

	return v[r > 0 ? r - 1 : 0];
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct mark *ev, *seen;
	size_t nev, nseen, nlat = 0, missing = 0, i = 0, j = 0;
	int64_t *lat;
	const char *each = NULL;
	FILE *out = NULL;
	int c;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			each = optarg;
			break;
		case OPT_HELP:
			puts("usage: lat-stats [-o FILE] SENT SEEN\n\n"
			    "Each event's latency, then \"events seen p50 p99 "
			    "max\" (ms).\n\n"
			    "  -o, --output FILE  each event's \"key sent_us "
			    "latency_us\" here");
			return fclose(stdout) == 0 ? 0 : 1;
		default:
			usage_error("unknown option");
		}
	}
	if (argc - optind != 2)
		usage_error("usage: lat-stats [-o FILE] SENT SEEN");
	ev = read_marks(argv[optind], 2, &nev);
	seen = read_marks(argv[optind + 1], 3, &nseen);
	if (each != NULL && (out = fopen(each, "w")) == NULL)
		fatal(1, "%s: %s", each, strerror(errno));
	qsort(ev, nev, sizeof *ev, by_key_time);
	qsort(seen, nseen, sizeof *seen, by_key_time);
	lat = emalloc((nev ? nev : 1) * sizeof *lat);
	/* Key by key: the sightings in time order, the events in sent order. */
	while (i < nev) {
		const char *k = ev[i].key;
		int64_t most = INT64_MIN;

		while (j < nseen && strcmp(seen[j].key, k) < 0)
			j++;
		for (; j < nseen && strcmp(seen[j].key, k) == 0; j++) {
			if (seen[j].value > most)
				most = seen[j].value;
			for (; i < nev && strcmp(ev[i].key, k) == 0 &&
			    ev[i].us <= most; i++) {
				lat[nlat++] = seen[j].us - ev[i].us;
				if (out != NULL)
					fprintf(out, "%s %lld %lld\n", k,
					    (long long)ev[i].us,
					    (long long)lat[nlat - 1]);
			}
		}
		for (; i < nev && strcmp(ev[i].key, k) == 0; i++) {
			if (missing < 5)
				diag("%s: never seen: key %s sent at %lld us",
				    argv[optind + 1], ev[i].key,
				    (long long)ev[i].us);
			missing++;
		}
	}
	if (missing > 0)
		diag("%s: %zu of %zu events never seen", argv[optind + 1],
		    missing, nev);
	if (out != NULL && fclose(out) != 0)
		fatal(1, "%s: %s", each, strerror(errno));
	qsort(lat, nlat, sizeof *lat, by_value);
	if (nlat > 0)
		printf("%zu %zu %.1f %.1f %.1f\n", nev, nlat,
		    (double)rank(lat, nlat, 0.50) / 1000,
		    (double)rank(lat, nlat, 0.99) / 1000,
		    (double)lat[nlat - 1] / 1000);
	else
		printf("%zu 0 - - -\n", nev);
	free(ev);
	free(seen);
	free(lat);
	if (fclose(stdout) != 0)
		return 1;
	return missing > 0 || nev == 0 ? 1 : 0;
}
