/*
 * panes.c - the open windows: an array in start order, each with its
 * groups.  Events mostly land in the newest few windows, so a pane is
 * looked for from the end; one that is new goes where its start says
 * (a late-but-not-too-late event can open an older window).
 */
#include <stdlib.h>
#include <string.h>

#include "window.h"

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

size_t
panes_close(struct panes *ps, int64_t size, int64_t w,
    const struct metric *m, void (*emit)(struct pane *p, void *ctx),
    void *ctx)
{
	size_t k = 0;

	/* end <= w, written start <= w - size so it cannot overflow */
	while (k < ps->n && (w == W_END || ps->v[k].start <= w - size)) {
		emit(&ps->v[k], ctx);
		table_free(&ps->v[k].t, m);
		k++;
	}
	memmove(ps->v, ps->v + k, (ps->n - k) * sizeof *ps->v);
	ps->n -= k;
	return k;
}

void
panes_free(struct panes *ps, const struct metric *m)
{
	for (size_t i = 0; i < ps->n; i++)
		table_free(&ps->v[i].t, m);
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}
