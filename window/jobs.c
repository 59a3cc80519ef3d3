/*
 * jobs.c - stream-window -j N over files and stdin: threads read the
 * records (parse, --where, the event time, the key, the metrics'
 * inputs, their where tests) and hand what they read, packed, to this
 * thread, which puts it into the windows in input order (filter_later):
 * the watermark, what is late and what is written are one thread's.
 * The record itself is handed on only when there is a --late file to
 * write it to, should it be late; else its place, for the message
 * (f->later_place_only).
 */
#include <stdlib.h>
#include <string.h>

#include "window.h"

/* Another thread's run: the windows asked for, its own buffers, where
   tests and places to read into; none of the windows. */
void *
window_worker_new(void *ctx)
{
	const struct run *rn = ctx;
	struct run *w = ecalloc(1, sizeof *w);

	w->time_field = rn->time_field;
	w->size = rn->size;
	w->gap = rn->gap;
	w->dims = rn->dims;
	w->ndims = rn->ndims;
	w->m = metrics_own_tests(rn->m, rn->nm);
	w->nm = rn->nm;
	w->in = rn->in;
	w->nin = rn->nin;
	w->parsed = ecalloc(rn->nin + 1, sizeof *w->parsed);
	if (rn->on != NULL)
		w->on = ecalloc(rn->nm + 1, 1);
	return w;
}

void
window_worker_free(void *wctx, void *ctx)
{
	struct run *w = wctx;

	(void)ctx;
	metrics_free_own_tests(w->m, w->nm);
	free(w->parsed);
	free(w->on);
	finder_free(&w->find);
	free(w->names);
	buf_free(&w->key);
	buf_free(&w->scratch);
	buf_free(&w->packed);
	free(w);
}

/* Is input i a text read (not a null, whose t is the last one's)? */
static int
is_text(const struct run *rn, size_t i)
{
	return rn->in[i].need == N_TEXT && !rn->parsed[i].null;
}

/*
 * What a record was read as, packed: its time, its key, the metrics'
 * inputs (struct parsed each, a text's bytes after them) and which
 * metrics count it.
 */
static void
pack(const struct run *rn, int64_t ts, struct buf *b)
{
	uint32_t kn = (uint32_t)rn->key.n;

	b->n = 0;
	buf_add(b, &ts, sizeof ts);
	buf_add(b, &kn, sizeof kn);
	buf_add(b, rn->key.p, kn);
	buf_add(b, rn->parsed, rn->nin * sizeof *rn->parsed);
	for (size_t i = 0; i < rn->nin; i++)
		if (is_text(rn, i))
			buf_add(b, rn->parsed[i].t, rn->parsed[i].tn);
	if (rn->on != NULL)
		buf_add(b, rn->on, rn->nm);
}

/* Read back what pack() wrote into rn; the texts point into p. */
static int64_t
unpack(struct run *rn, const char *p)
{
	int64_t ts;
	uint32_t kn;

	memcpy(&ts, p, sizeof ts);
	p += sizeof ts;
	memcpy(&kn, p, sizeof kn);
	p += sizeof kn;
	rn->key.n = 0;
	buf_add(&rn->key, p, kn);
	p += kn;
	memcpy(rn->parsed, p, rn->nin * sizeof *rn->parsed);
	p += rn->nin * sizeof *rn->parsed;
	for (size_t i = 0; i < rn->nin; i++)
		if (is_text(rn, i)) {
			rn->parsed[i].t = p;
			p += rn->parsed[i].tn;
		}
	if (rn->on != NULL)
		memcpy(rn->on, p, rn->nm);
	return ts;
}

void
window_each(struct filter *f, struct rec *r, void *ctx)
{
	struct run *rn = ctx;
	int64_t ts;

	if (f->pw == NULL) {	/* one thread: all of it here */
		window_event(rn, rn->parts[0], r);
		return;
	}
	rn->f = f;		/* the thread's: its rejects kept in order */
	if (window_read(rn, r, &ts) < 0)
		return;
	pack(rn, ts, &rn->packed);
	filter_later(f, r, NULL, rn->packed.p, rn->packed.n);
}

void
window_later(struct filter *f, struct rec *r, struct rec *o,
    const void *key, size_t keyn, void *ctx)
{
	struct run *rn = ctx;

	(void)f;
	(void)o;
	(void)keyn;
	window_apply(rn, rn->parts[0], r, unpack(rn, key));
}
