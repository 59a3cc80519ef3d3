/*
 * window.h - what stream-window's parts share: the windows asked for,
 * the open windows (panes) with their groups, and the watermark.
 *
 * Times are microseconds since the epoch.  A window is [start, end),
 * end = start + size; starts are multiples of the slide (epoch-aligned).
 * The watermark W is the largest event time seen less the allowed delay,
 * and never moves back; a window is final once end <= W (STREAMING.md,
 * section 2).
 */
#ifndef SLUICE_WINDOW_H
#define SLUICE_WINDOW_H

#include <stdint.h>

#include "sluice.h"

/* W before any event, and at the end of input. */
#define W_NONE INT64_MIN
#define W_END INT64_MAX

/* Arrival times (monotonic microseconds) of a window's events since it
   was last written: a sample of at most ARRIVALS, for latency. */
enum { ARRIVALS = 16 };
struct arrivals {
	int64_t t[ARRIVALS];
	uint64_t seen;
};

/* One open window: its start and its groups. */
struct pane {
	int64_t start;
	struct table t;
	int dirty;		/* changed since it was last written */
	struct arrivals arr;
};

/* The open windows, in start order. */
struct panes {
	struct pane *v;
	size_t n, cap;
	size_t nm;		/* metrics a group */
};

/* The pane starting at start, made if new. */
struct pane *panes_get(struct panes *ps, int64_t start);

/*
 * Take the panes that end at or before w (final), oldest first: call
 * emit for each, then free it.  Returns how many were taken.
 */
size_t panes_close(struct panes *ps, int64_t size, int64_t w,
    const struct metric *m, void (*emit)(struct pane *p, void *ctx),
    void *ctx);

void panes_free(struct panes *ps, const struct metric *m);

/* --- Latency (stats.c) ------------------------------------------------ */

/* Note an event's arrival in a window's sample. */
void arrivals_add(struct arrivals *a, int64_t t);

/* Latencies: how long after arriving events were written, weighted. */
struct latency {
	double w[64 * 8];	/* log-linear buckets of microseconds */
	double total;
};

/* The window's events since it was last written were written at now:
   their sampled latencies, each standing for its share of them; the
   sample empties. */
void latency_add(struct latency *l, struct arrivals *a, int64_t now);

/* The q-quantile in milliseconds (0 when there is nothing). */
double latency_ms(const struct latency *l, double q);

/* floor(a / b) * b for b > 0, right for negative a too. */
int64_t floor_to(int64_t a, int64_t b);

#endif
