/*
 * panes.c - the open windows, kept as slices of time.  A tumbling or
 * sliding window [s, s + size) is the union of the slices it covers:
 * [a, a + width), width the greatest common divisor of the size and the
 * slide (the slide itself when the size is a multiple of it).  An event
 * is added to its one slice, not to each of the size/slide windows
 * holding it; a window's groups are its slices' merged when it is
 * written (exact: sums are decimal, a min's or max's ties broken by the
 * value, distinct sets united), as Flink's sliced windows do.
 *
 * The slices are an array in start order.  Events mostly land in the
 * newest, so a slice is looked for from the end; a new one goes where
 * its start says (a late-but-not-too-late event can open an older one).
 *
 * Slices far narrower than the slide (1h windows every 59m59s: slices of
 * a second) would hold each key thousands of times and merge thousands
 * of tables a window: past SLICES_A_SLIDE slices a slide, each pane is a
 * whole window instead, and an event goes into each window holding it.
 */
#include <stdlib.h>
#include <string.h>

#include "window.h"

enum { SLICES_A_SLIDE = 4 };	/* past it, whole windows (above) */

int64_t
floor_to(int64_t a, int64_t b)
{
	int64_t r = a % b;

	return r < 0 ? a - r - b : a - r;
}

void *
insert_zeroed(void *v, size_t n, size_t *cap, size_t first, size_t i,
    size_t size)
{
	char *p = v;

	if (n == *cap) {
		*cap = *cap ? *cap * 2 : first;
		p = erealloc(p, *cap * size);
	}
	memmove(p + (i + 1) * size, p + i * size, (n - i) * size);
	memset(p + i * size, 0, size);
	return p;
}

void
panes_init(struct panes *ps, int64_t size, int64_t slide, size_t nm)
{
	int64_t a = size, b = slide;

	memset(ps, 0, sizeof *ps);
	ps->size = size;
	ps->slide = slide;
	ps->nm = nm;
	while (b > 0) {		/* Euclid */
		int64_t r = a % b;

		a = b;
		b = r;
	}
	ps->width = a;
	ps->whole = a > 0 && slide / a > SLICES_A_SLIDE;
	if (ps->whole)
		ps->width = slide;	/* a pane's start: a window's */
}

struct pane *
panes_get(struct panes *ps, int64_t start)
{
	size_t i = ps->n;

	while (i > 0 && ps->v[i - 1].start > start)
		i--;
	if (i > 0 && ps->v[i - 1].start == start)
		return &ps->v[i - 1];
	ps->v = insert_zeroed(ps->v, ps->n, &ps->cap, 16, i, sizeof *ps->v);
	ps->n++;
	ps->v[i].start = start;
	table_init(&ps->v[i].t, ps->nm);
	return &ps->v[i];
}

/* The earliest window holding time t: the least start past t - size. */
static int64_t
first_window(const struct panes *ps, int64_t t)
{
	return floor_to(t - ps->size, ps->slide) + ps->slide;
}

int64_t
panes_open_from(const struct panes *ps, int64_t w)
{
	/* Open: end > w, so start > w - size. */
	return w == W_NONE ? INT64_MIN : first_window(ps, w);
}

size_t
panes_windows(struct panes *ps, int64_t lo, int64_t hi, window_fn fn,
    void *ctx)
{
	size_t i = 0, j, n = 0;
	int64_t s;

	if (ps->n == 0)
		return 0;
	if (ps->whole) {	/* a pane a window */
		for (i = 0; i < ps->n && ps->v[i].start <= hi; i++)
			if (ps->v[i].start >= lo) {
				if (fn != NULL)
					fn(ps, ps->v[i].start, i, i + 1, ctx);
				n++;
			}
		return n;
	}
	s = first_window(ps, ps->v[0].start);
	if (s < lo)
		s = lo;		/* lo is a start (or INT64_MIN) */
	while (s <= hi) {
		while (i < ps->n && ps->v[i].start < s)
			i++;
		if (i == ps->n)
			break;
		if (ps->v[i].start - ps->size >= s) {
			/* No slice in [s, s + size): on to the next window
			   that has one. */
			s = first_window(ps, ps->v[i].start);
			continue;
		}
		for (j = i; j < ps->n && ps->v[j].start - ps->size < s; j++)
			;
		if (fn != NULL)
			fn(ps, s, i, j, ctx);
		n++;
		if (s > INT64_MAX - ps->slide)
			break;
		s += ps->slide;
	}
	return n;
}

size_t
panes_close(struct panes *ps, int64_t from, int64_t w,
    const struct metric *m, window_fn emit, void *ctx)
{
	/* Final now: end <= w, so start <= w - size (written so, it cannot
	   overflow); final before: start < from. */
	int64_t hi = w == W_END ? INT64_MAX : w - ps->size;
	size_t n = panes_windows(ps, from, hi, emit, ctx), k = 0;

	/* A slice's last window starts at floor_to(start, slide) (a whole
	   window's pane, at its start): once that is final, no open window
	   holds the slice. */
	while (k < ps->n && (w == W_END ||
	    floor_to(ps->v[k].start, ps->slide) <= hi)) {
		table_free(&ps->v[k].t, m);
		k++;
	}
	if (k > 0) {
		memmove(ps->v, ps->v + k, (ps->n - k) * sizeof *ps->v);
		ps->n -= k;
	}
	return n;
}

void
panes_free(struct panes *ps, const struct metric *m)
{
	for (size_t i = 0; i < ps->n; i++)
		table_free(&ps->v[i].t, m);
	free(ps->v);
	ps->v = NULL;
	ps->n = ps->cap = 0;
}
