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

/* One open window: its start and its groups. */
struct pane {
	int64_t start;
	struct table t;
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

/* floor(a / b) * b for b > 0, right for negative a too. */
int64_t floor_to(int64_t a, int64_t b);

#endif
