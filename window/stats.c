/*
 * stats.c - latency from an event's arrival to the writing of the first
 * window that holds it, in bounded memory: each slice of the windows (or
 * session) keeps a sample of its events' arrival times (reservoir
 * sampling, 16 a slice), and writing a window adds its slices' samples'
 * latencies, each weighted by the events it stands for, to a log-linear
 * histogram (8 buckets a power of two: about 9% wide) that gives the p50
 * and p99 the metrics report; a sample empties as it is written.
 */
#include <math.h>
#include <string.h>

#include "window.h"

void
arrivals_add(struct arrivals *a, int64_t t)
{
	uint64_t j;

	if (a->seen < ARRIVALS) {
		a->t[a->seen++] = t;
		return;
	}
	/* Keep each of the seen+1 with the same chance. */
	j = hash_mix(a->seen ^ (uint64_t)t) % (a->seen + 1);
	a->seen++;
	if (j < ARRIVALS)
		a->t[j] = t;
}

static size_t
bucket(int64_t us)
{
	uint64_t x = us > 0 ? (uint64_t)us : 0;
	int e;

	if (x < 8)
		return (size_t)x;
	e = 63 - __builtin_clzll(x);		/* x in [2^e, 2^(e+1)) */
	return (size_t)(e - 2) * 8 + ((x >> (e - 3)) & 7);
}

/* The middle of bucket b, in microseconds. */
static double
bucket_mid(size_t b)
{
	int e;

	if (b < 8)
		return (double)b;
	e = (int)(b / 8) + 2;
	return ldexp(1.0 + ((double)(b % 8) + 0.5) / 8.0, e);
}

void
latency_add(struct latency *l, struct arrivals *a, int64_t now)
{
	size_t n = a->seen < ARRIVALS ? (size_t)a->seen : ARRIVALS;
	double each;

	if (n == 0)
		return;
	each = (double)a->seen / (double)n;
	for (size_t i = 0; i < n; i++) {
		size_t b = bucket(now - a->t[i]);

		if (b >= sizeof l->w / sizeof l->w[0])
			b = sizeof l->w / sizeof l->w[0] - 1;
		l->w[b] += each;
		l->total += each;
	}
	memset(a, 0, sizeof *a);
}

double
latency_ms(const struct latency *l, double q)
{
	double want = q * l->total, sum = 0;

	if (l->total <= 0)
		return 0;
	for (size_t b = 0; b < sizeof l->w / sizeof l->w[0]; b++) {
		sum += l->w[b];
		if (sum >= want && l->w[b] > 0)
			return bucket_mid(b) / 1000.0;
	}
	return 0;
}
