/*
 * pqjobs.c - parquet-sink -j N (pqsink.h): the threads read their chunks'
 * records, and once the columns and their kinds are fixed, convert them
 * and gather each chunk's rows into columns of their own: values and
 * statistics.  This thread appends those rows to the file's row groups
 * in input order; the row groups, cut where one thread cuts them, go on
 * to be given their dictionaries (pq_col_dict: the values in order, as
 * one thread would have made them), encoded and compressed by threads
 * of their own (pq_encoders), several at once.  Until the kinds
 * are fixed (the first row group's values decide them), the threads
 * hand the records themselves back, held or put here as one thread
 * does.  Not with -p: which partition's file a row group goes into is
 * one thread's to decide, row by row.
 */
#include <stdlib.h>
#include <string.h>

#include "pqsink.h"
#include "sink.h"

enum chunk_mode { M_UNKNOWN, M_RECORDS, M_ROWS };

struct pqs_worker {
	struct pqsink *s;	/* the sink: its columns, once ready */
	enum chunk_mode mode;	/* this chunk's, decided at its first
				   record */
	int have_cols;		/* view and cols made */
	struct pq_view v;
	struct pq_col *cols;	/* the chunk's rows */
};

void *
pqs_worker_new(void *ctx)
{
	struct pqs_worker *w = ecalloc(1, sizeof *w);

	w->s = ctx;
	return w;
}

void
pqs_worker_free(void *wctx, void *ctx)
{
	struct pqs_worker *w = wctx;

	(void)ctx;
	if (w->have_cols) {
		for (size_t c = 0; c < w->s->ncols; c++)
			pq_col_free(&w->cols[c]);
		free(w->cols);
		pqs_view_free(w->s, &w->v);
	}
	free(w);
}

/* The sink's columns are fixed: the thread's own, of the same kinds. */
static void
make_cols(struct pqs_worker *w)
{
	const struct pqsink *s = w->s;

	pqs_view_init(s, &w->v);
	w->cols = ecalloc(s->ncols + 1, sizeof *w->cols);
	for (size_t c = 0; c < s->ncols; c++) {
		pq_col_init(&w->cols[c], s->names[c], s->kinds[c],
		    s->scales[c]);
		w->cols[c].dict_later = 1;	/* the row group's, made
						   once (pq_col_dict) */
	}
	w->have_cols = 1;
}

void
pqs_worker_each(struct filter *f, struct rec *r, void *wctx)
{
	struct pqs_worker *w = wctx;

	/* A chunk is one or the other, from its first record on. */
	if (w->mode == M_UNKNOWN)
		w->mode = __atomic_load_n(&w->s->ready, __ATOMIC_ACQUIRE) ?
		    M_ROWS : M_RECORDS;
	if (!filter_keep(f, r))
		return;
	if (w->mode == M_RECORDS) {
		filter_later(f, r, NULL, NULL, 0);
		return;
	}
	if (!w->have_cols)
		make_cols(w);
	if (pqs_convert(f, w->s, &w->v, r) < 0)
		return;
	for (size_t c = 0; c < w->s->ncols; c++)
		pq_col_put(&w->cols[c], &w->v.conv[c]);
	filter_kept(f);
}

/* The chunk's rows, packed, handed on to be appended in input order. */
void
pqs_chunk_end(struct filter *wf, void *wctx)
{
	struct pqs_worker *w = wctx;

	if (w->mode == M_ROWS && w->have_cols && w->cols[0].rows > 0) {
		struct buf *b = filter_chunk_buf(wf);

		for (size_t c = 0; c < w->s->ncols; c++) {
			pq_col_pack(&w->cols[c], b);
			pq_col_reset(&w->cols[c]);
		}
		filter_later(wf, NULL, NULL, b->p, b->n);
	}
	w->mode = M_UNKNOWN;
}

/* In input order, on this thread: a record handed back, or a chunk's
   rows. */
void
pqs_later(struct filter *f, struct rec *r, struct rec *o, const void *key,
    size_t keyn, void *ctx)
{
	struct pqsink *s = ctx;
	const char *p = key;

	(void)o;
	(void)keyn;
	if (r != NULL) {
		pqs_take(f, r, s);
		return;
	}
	if (s->failed) {
		f->stop = 1;
		return;
	}
	if (s->runs == NULL)
		s->runs = ecalloc(s->ncols + 1, sizeof *s->runs);
	for (size_t c = 0; c < s->ncols; c++)
		p = pq_rows_read(&s->runs[c], p);
	if (pqs_put_runs(s, s->runs) < 0)
		f->stop = 1;
}
