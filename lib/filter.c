#include "filter.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "par.h"
#include "reader_impl.h"
#include "stats.h"
#include "strset.h"

int
filter_where(struct filter *f, const struct rec *r)
{
	const char *why;
	int k;

	if ((k = where_test(f->where, r, &why)) > 0)
		return 1;
	if (k == 0 && f->pw != NULL) {
		par_filtered(f->pw);
	} else if (k == 0) {
		f->t.filtered++;
	} else {
		struct rej_reason rr = { "where", why, NULL };

		filter_reject(f, r, &rr, 1);
	}
	return 0;
}

void
filter_kept(struct filter *f)
{
	if (f->pw != NULL)
		par_kept(f->pw);
	else
		f->t.out++;
}

void
filter_put(struct filter *f, const struct rec *r)
{
	if (f->pw != NULL) {
		par_put(f->pw, r);
		return;
	}
	switch (wr_put(f->w, r)) {
	case WR_OK:
		f->t.out++;
		break;
	case WR_SKIP:
		rej_one(f->rj, r, "output", wr_error(f->w));
		f->t.rejected++;
		if (f->reasons != NULL)
			counts_add(f->reasons, "output", 1);
		break;
	case WR_ERR:
		f->stop = 1;
		break;
	}
}

/* Keep "file:line: message" as the first of its kind. */
static void
first_of_kind(struct filter *f, const struct rec *r,
    const struct rej_reason *why)
{
	struct buf b = { 0 };

	if (counts_get(f->reasons, why->rule) != 1)
		return;
	buf_printf(&b, "%s:%lu: %s", r->src ? r->src : "-", r->line,
	    why->message);
	counts_first(f->reasons, why->rule, buf_cstr(&b));
	buf_free(&b);
}

/* The rejects by kind: how many, and the first. */
static void
report_kinds(const struct filter *f)
{
	for (size_t i = 0; i < f->reasons->n; i++) {
		const struct count *c = &f->reasons->v[i];

		diag("%llu rejected for %s; the first: %s",
		    (unsigned long long)c->n, c->name,
		    c->first ? c->first : "?");
	}
}

/*
 * Is why[i]'s rule one of why[0..i)'s?  The reasons count records: a rule
 * that fails on two fields of one record (two "type" errors) counts it
 * once.
 */
static int
named_before(const struct rej_reason *why, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(why[j].rule, why[i].rule) == 0)
			return 1;
	return 0;
}

void
filter_reject(struct filter *f, const struct rec *r,
    const struct rej_reason *why, size_t n)
{
	if (f->pw != NULL) {
		par_reject(f->pw, r, why, n);
		return;
	}
	if (f->by_kind)
		rej_quiet(f->rj, r, why, n);
	else
		rej_put(f->rj, r, why, n);
	f->t.rejected++;
	if (f->reasons != NULL)
		for (size_t i = 0; i < n; i++) {
			if (named_before(why, i))
				continue;
			counts_add(f->reasons, why[i].rule, 1);
			if (f->by_kind)
				first_of_kind(f, r, &why[i]);
		}
}

void
filter_duplicate(struct filter *f, const struct rec *r, const char *message)
{
	struct rej_reason why = { "duplicate", message, NULL };

	if (f->pw != NULL) {
		par_duplicate(f->pw, r, message);
		return;
	}
	rej_quiet(f->rj, r, &why, 1);
	f->t.duplicates++;
}

void
filter_unique(struct filter *f, const struct rec *r, const struct rec *o,
    const void *key, size_t n, const char *message)
{
	if (f->pw != NULL) {
		par_unique(f->pw, f, r, o, key, n, message);
		return;
	}
	if (!strset_add(f->seen, key, n)) {
		filter_duplicate(f, r, message);
		return;
	}
	if (filter_keep(f, o))
		filter_put(f, o);
}

struct buf *
filter_chunk_buf(struct filter *f)
{
	return f->pw != NULL ? par_chunk_buf(f->pw) : NULL;
}

void
filter_later(struct filter *f, struct rec *r, struct rec *o, const void *key,
    size_t n)
{
	if (f->pw != NULL)
		par_later(f->pw, r, o, key, n);
	else
		f->later(f, r, o, key, n, f->ctx);
}

struct reader *
filter_open_input(struct filter *f, const char *path)
{
	struct reader *rd = rd_open(path, f->co->in_fmt);

	if (rd == NULL) {
		f->status = 1;
		return NULL;
	}
	if (f->plain_cells && rd_format(rd) == FMT_CSV)
		csv_reader_plain(rd);
	if (f->w == NULL) {
		enum fmt fmt = f->co->out_fmt ? f->co->out_fmt :
		    rd_format(rd);

		f->out = out_open(f->output, f->atomic ? OUT_ATOMIC : 0,
		    f->gzip ? 6 : 0);
		if (f->out == NULL) {
			rd_close(rd);
			f->status = 1;
			f->stop = 1;
			return NULL;
		}
		f->w = wr_open(f->out, fmt);
	}
	return rd;
}

void
filter_read(struct filter *f, struct reader *rd, filter_fn each, void *ctx,
    int *have_cols)
{
	struct rec *r;
	enum rd_status st;

	while (!f->stop && !stop_requested &&
	    ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD)) {
		size_t ncols;
		const char *const *cols;

		progress_tick(&f->pg, ++f->t.in);
		/* A CSV header fixes the output's columns and order. */
		if (f->keep_columns && !*have_cols &&
		    (cols = rd_columns(rd, &ncols)) != NULL) {
			wr_columns(f->w, cols, ncols);
			*have_cols = 1;
		}
		if (st == RD_BAD) {
			struct rej_reason why = { "parse", r->err, NULL };

			filter_reject(f, r, &why, 1);
			continue;
		}
		each(f, r, ctx);
	}
	filter_input_done(f, rd, have_cols);
}

void
filter_input_done(struct filter *f, struct reader *rd, int *have_cols)
{
	if (f->want_header && f->header == NULL) {
		size_t ncols;
		const char *const *cols = rd_columns(rd, &ncols);

		if (cols != NULL) {
			f->header = ecalloc(ncols + 1, sizeof *f->header);
			for (size_t k = 0; k < ncols; k++)
				f->header[k] = estrdup(cols[k]);
			f->nheader = ncols;
		}
	}
	if (f->keep_columns && !*have_cols) {
		size_t ncols;
		const char *const *cols = rd_columns(rd, &ncols);

		if (cols != NULL) {
			wr_columns(f->w, cols, ncols);
			*have_cols = 1;
		}
	}
	if (rd_close(rd) < 0)
		f->status = 1;
}

int
filter_run(struct filter *f, char **inputs, int n, filter_fn each,
    void *ctx)
{
	static char *stdin_only[] = { "-" };
	int have_cols = 0, cut, jobs;

	if (n == 0) {
		inputs = stdin_only;
		n = 1;
	}
	tally_start(&f->t);
	progress_init(&f->pg, "records");
	f->ctx = ctx;
	if ((f->rj = rej_open(f->co->reject)) == NULL)
		return 1;
	jobs = opt_jobs(f->co);
	if (jobs > 1 && f->worker_new != NULL)
		par_read(f, inputs, n, each, ctx, jobs, &have_cols);
	else
		for (int i = 0; i < n && !f->stop; i++) {
			struct reader *rd = filter_open_input(f, inputs[i]);

			if (rd != NULL)
				filter_read(f, rd, each, ctx, &have_cols);
		}
	progress_done(&f->pg);
	cut = f->atomic && stop_requested;
	/* A stop cut the input short (the reader took it for the end):
	   what was read is not all there was. */
	if (cut) {
		diag("stopped before the end of input%s%s", f->output ?
		    "; left as it was: " : "", f->output ? f->output : "");
		f->status = 1;
	}
	if (f->finish != NULL && f->w != NULL && !f->stop && !cut)
		f->finish(f, ctx);
	if (f->w != NULL && wr_close(f->w) < 0)
		f->status = 1;
	/* Only a whole run is published: a file missing an input's
	   records, or the end of a cut one, is not the program's answer.
	   Written in place (stdout, a FIFO), the records passed on stay
	   passed on: what is buffered goes out too. */
	if (f->out != NULL && f->atomic && f->status != 0 &&
	    f->out->tmp != NULL)
		out_discard(f->out);
	else if (f->out != NULL && out_close(f->out) < 0)
		f->status = 1;
	if (rej_close(f->rj) < 0)
		f->status = 1;
	if (!f->own_summary && stats_summary(f->co->stats, &f->t, NULL,
	    f->co->quiet) < 0)
		f->status = 1;
	if (f->by_kind && f->reasons != NULL)
		report_kinds(f);
	return f->status;
}

void
filter_free_header(struct filter *f)
{
	for (size_t i = 0; i < f->nheader; i++)
		free(f->header[i]);
	free(f->header);
	f->header = NULL;
	f->nheader = 0;
}
