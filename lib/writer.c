#include "writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonw.h"
#include "num.h"

struct writer {
	struct out *o;
	enum fmt fmt;
	char **cols;		/* CSV header, once known */
	size_t ncols;
	int header_done;	/* header written */
	size_t *map;		/* header column -> field index, or SIZE_MAX */
	int mapped;		/* map holds the last record's matching */
	uint64_t layout;	/* and that record's layout, if it had one */
	struct buf scratch;
	char err[256];
};

struct writer *
wr_open(struct out *o, enum fmt fmt)
{
	struct writer *w = ecalloc(1, sizeof *w);

	w->o = o;
	w->fmt = fmt == FMT_AUTO ? FMT_CSV : fmt;
	return w;
}

void
wr_columns(struct writer *w, const char *const *names, size_t n)
{
	for (size_t i = 0; i < w->ncols; i++)
		free(w->cols[i]);
	free(w->cols);
	free(w->map);
	w->ncols = n;
	w->cols = ecalloc(n ? n : 1, sizeof *w->cols);
	w->map = ecalloc(n ? n : 1, sizeof *w->map);
	for (size_t i = 0; i < n; i++)
		w->cols[i] = estrdup(names[i]);
	w->mapped = 0;
	w->layout = 0;
}

void
wr_columns_written(struct writer *w, const char *const *names, size_t n)
{
	wr_columns(w, names, n);
	w->header_done = 1;
}

const char *const *
wr_header(const struct writer *w, size_t *n, int *written)
{
	*n = w->ncols;
	*written = w->header_done;
	return (const char *const *)w->cols;
}

const char *
wr_error(const struct writer *w)
{
	return w->err;
}

/* Bytes that force a CSV cell into quotes. */
static const unsigned char csv_special[256] = {
	[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1,
};

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Does any byte of w equal c?  (The classic zero-byte test on w ^ c.) */
static inline uint64_t
has_byte(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return (x - ONES) & ~x & HIGHS;
}

static void
csv_cell(struct out *o, const char *p, size_t n)
{
	size_t i = 0;

	/* Eight bytes at a time while none can need quoting. */
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (has_byte(w, ',') | has_byte(w, '"') | has_byte(w, '\r') |
		    has_byte(w, '\n'))
			break;
	}
	for (; i < n && !csv_special[(unsigned char)p[i]]; i++)
		;
	if (i == n && n > 0) {
		out_write(o, p, n);
		return;
	}
	out_putc(o, '"');
	for (const char *e = p + n, *q; p < e; p = q + 1) {
		q = memchr(p, '"', (size_t)(e - p));
		if (q == NULL) {
			out_write(o, p, (size_t)(e - p));
			break;
		}
		out_write(o, p, (size_t)(q - p) + 1);
		out_putc(o, '"');	/* a quote is doubled */
	}
	out_putc(o, '"');
}

static void
csv_val(struct writer *w, const struct val *v)
{
	char tmp[NUM_BUFSZ];
	const char *p;
	size_t n;

	switch (v->type) {
	case VAL_NULL:
		return;
	case VAL_INT:
		out_commit(w->o, num_fmt_int(out_room(w->o, NUM_BUFSZ), v->u.i));
		return;
	case VAL_DEC:
		out_commit(w->o, num_fmt_decimal(out_room(w->o, NUM_BUFSZ),
		    v->u.i, v->scale));
		return;
	case VAL_DOUBLE:
		out_write(w->o, tmp, num_fmt_double(tmp, v->u.d));
		return;
	case VAL_STR:
	case VAL_TEXT:
		if (v->scale == VAL_PLAIN)
			out_write(w->o, v->u.s.p, v->u.s.n);
		else
			csv_cell(w->o, v->u.s.p, v->u.s.n);
		return;
	default:
		p = val_to_text(v, &w->scratch, &n);
		csv_cell(w->o, p, n);
		return;
	}
}

/* A field's name; an unnamed one is called by its position. */
static const char *
name_of(const struct rec *r, size_t j, char tmp[32])
{
	if (r->f[j].name != NULL)
		return r->f[j].name;
	snprintf(tmp, 32, "column%zu", j + 1);
	return tmp;
}

/*
 * Does the last matching fit r too?  Checked by content: a JSON reader's
 * key strings may reuse the addresses of other keys from earlier lines.
 */
static int
map_fits(const struct writer *w, const struct rec *r)
{
	size_t matched = 0;

	if (!w->mapped)
		return 0;
	if (r->layout != 0 && r->layout == w->layout)
		return 1;
	for (size_t i = 0; i < w->ncols; i++) {
		size_t j = w->map[i];

		if (j == SIZE_MAX)
			continue;
		char tmp[32];

		if (j >= r->n || strcmp(name_of(r, j, tmp), w->cols[i]) != 0)
			return 0;
		matched++;
	}
	return matched == r->n;
}

/*
 * Match r's fields to the header; 0, or -1 with w->err set.  A name is
 * looked up by rec_index() (hashed on a wide record), so a wide record
 * costs time linear in its width; a scan remains only for what the index
 * cannot say: a name the header repeats, a field with no name.
 */
static int
csv_match(struct writer *w, const struct rec *r)
{
	size_t i, j, found = 0;
	char tmp[32];
	unsigned char *used;	/* fields already matched to a column */
	int named = 1;

	if (map_fits(w, r))
		return 0;
	used = ecalloc(r->n ? r->n : 1, 1);
	for (j = 0; j < r->n && named; j++)
		named = r->f[j].name != NULL;
	for (i = 0; i < w->ncols; i++) {
		int at = named ? rec_index(r, w->cols[i]) : -1;

		w->map[i] = SIZE_MAX;
		if (at >= 0 && !used[at]) {
			j = (size_t)at;
		} else if (!named || at >= 0) {
			/* A repeated name takes the next field of that name. */
			for (j = 0; j < r->n; j++)
				if (!used[j] && strcmp(name_of(r, j, tmp),
				    w->cols[i]) == 0)
					break;
			if (j == r->n)
				continue;
		} else {
			continue;
		}
		used[j] = 1;
		w->map[i] = j;
		found++;
	}
	w->mapped = found == r->n;
	w->layout = r->layout;
	for (j = 0; j < r->n && used[j]; j++)
		;
	free(used);
	if (w->mapped)
		return 0;
	snprintf(w->err, sizeof w->err, "field \"%s\" is not one of the CSV "
	    "output's columns (fixed by its header)",
	    j < r->n ? name_of(r, j, tmp) : "?");
	return -1;
}

static void
csv_header(struct writer *w)
{
	for (size_t i = 0; i < w->ncols; i++) {
		if (i > 0)
			out_putc(w->o, ',');
		csv_cell(w->o, w->cols[i], strlen(w->cols[i]));
	}
	out_putc(w->o, '\n');
	w->header_done = 1;
}

static enum wr_status
csv_put(struct writer *w, const struct rec *r)
{
	if (w->cols == NULL) {
		const char **names = ecalloc(r->n ? r->n : 1, sizeof *names);
		struct buf tmp = { 0 };

		for (size_t i = 0; i < r->n; i++) {
			if (r->f[i].name == NULL) {
				tmp.n = 0;
				buf_printf(&tmp, "column%zu", i + 1);
				names[i] = estrdup(buf_cstr(&tmp));
			} else {
				names[i] = r->f[i].name;
			}
		}
		wr_columns(w, names, r->n);
		for (size_t i = 0; i < r->n; i++)
			if (r->f[i].name == NULL)
				free((char *)names[i]);
		free(names);
		buf_free(&tmp);
	}
	if (csv_match(w, r) < 0)
		return WR_SKIP;
	if (!w->header_done)
		csv_header(w);
	for (size_t i = 0; i < w->ncols; i++) {
		size_t j = w->map[i];

		if (i > 0)
			out_putc(w->o, ',');
		if (j != SIZE_MAX)
			csv_val(w, &r->f[j].v);
	}
	out_putc(w->o, '\n');
	return out_failed(w->o) ? WR_ERR : WR_OK;
}

enum wr_status
wr_put(struct writer *w, const struct rec *r)
{
	if (w->fmt == FMT_CSV)
		return csv_put(w, r);
	jw_rec(w->o, r);
	out_putc(w->o, '\n');
	return out_failed(w->o) ? WR_ERR : WR_OK;
}

int
wr_close(struct writer *w)
{
	int rc;

	if (w->fmt == FMT_CSV && w->cols != NULL && !w->header_done)
		csv_header(w);
	rc = out_failed(w->o) ? -1 : 0;
	for (size_t i = 0; i < w->ncols; i++)
		free(w->cols[i]);
	free(w->cols);
	free(w->map);
	buf_free(&w->scratch);
	free(w);
	return rc;
}
