/*
 * pg_row.c - records as COPY rows and back (pg_row.h).  The text format
 * escapes a value's backslashes, tabs and line ends and spells a null
 * \N; the binary format (pg_binary.c) is each field's length and bytes.
 * A JSON column's string value goes quoted, as JSON.
 */
#include <string.h>

#include "pg_row.h"

/* The COPY text of one value (its bytes escaped as COPY's text format
   wants: backslash, tab, newline, carriage return). */
static void
copy_escape(struct buf *b, const char *s, size_t n)
{
	size_t i = 0, from = 0;

	buf_grow(b, n);
	for (; i < n; i++) {
		char e;

		switch (s[i]) {
		case '\\': e = '\\'; break;
		case '\t': e = 't'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		default: continue;
		}
		buf_add(b, s + from, i - from);
		buf_addc(b, '\\');
		buf_addc(b, e);
		from = i + 1;
	}
	buf_add(b, s + from, n - from);
}

/* A string column's value v (pv converted) as the server takes it: in
   a JSON column a string value is quoted (js holds it); text (a CSV
   cell), numbers and JSON values go as they are. */
static const char *
string_value(const struct tcol *c, const struct val *v,
    const struct col_val *pv, struct buf *js, size_t *n)
{
	if (!c->json || v->type != VAL_STR) {
		*n = pv->n;
		return pv->s;
	}
	js->n = 0;
	jw_string_buf(js, pv->s, pv->n);
	*n = js->n;
	return js->p;
}

/* Row r's line in COPY's text format onto b: pgrow_put's answer. */
static int
text_row(struct sink *t, const struct pgrow_shape *sh, const struct rec *r,
    size_t ord, struct buf *b)
{
	struct col_val pv = { 0 };
	struct buf js = { 0 };
	char d[64];	/* TS_BUFSZ, NUM_BUFSZ */
	size_t start = b->n, k = 0;

	if (sh->staged)
		buf_printf(b, "%zu", ord);
	for (size_t i = 0; i < t->nslot; i++) {
		const struct tcol *c;
		const struct val *v = &r->f[i].v;
		const char *txt;
		size_t n = 0;

		if (t->slot[i] < 0)
			continue;
		c = &t->cols[t->slot[i]];
		if (k++ > 0 || sh->staged)
			buf_addc(b, '\t');
		if (col_value(c->name, c->kind, c->scale, v, &pv, t->msg,
		    sizeof t->msg) < 0) {
			buf_free(&pv.scratch);
			buf_free(&js);
			b->n = start;
			table_reject(t, r, "type");
			return 1;
		}
		if (pv.null) {
			buf_adds(b, "\\N");
			continue;
		}
		switch (c->kind) {
		case K_BOOL:
			buf_addc(b, pv.i ? 't' : 'f');
			break;
		case K_INT:
			buf_add(b, d, num_fmt_int(d, pv.i));
			break;
		case K_DOUBLE:
			if ((n = num_fmt_double(d, pv.d)) > 0)
				buf_add(b, d, n);
			else
				buf_adds(b, pv.d != pv.d ? "NaN" : pv.d > 0 ?
				    "Infinity" : "-Infinity");
			break;
		case K_DECIMAL:
			buf_add(b, d, num_fmt_decimal(d, pv.i, c->scale));
			break;
		case K_DATE:
			buf_add(b, d, ts_format_date(d, pv.i * TS_US_PER_DAY));
			break;
		case K_TIMESTAMP:
			buf_add(b, d, ts_format(d, pv.i));
			break;
		case K_STRING:
			txt = string_value(c, v, &pv, &js, &n);
			copy_escape(b, txt, n);
			break;
		}
	}
	buf_addc(b, '\n');
	buf_free(&pv.scratch);
	buf_free(&js);
	return 0;
}

/* Row r in COPY's binary format onto b: pgrow_put's answer. */
static int
binary_row(struct sink *t, const struct pgrow_shape *sh,
    const struct rec *r, size_t ord, struct buf *b)
{
	struct col_val pv = { 0 };
	struct buf js = { 0 };
	size_t start = b->n;
	int bad = 0;

	pgb_put_be(b, sh->ncols + (sh->staged != 0), 2);
	if (sh->staged) {
		pgb_put_be(b, 8, 4);
		pgb_put_be(b, ord, 8);
	}
	for (size_t i = 0; i < t->nslot && !bad; i++) {
		const struct tcol *c;
		const struct val *v = &r->f[i].v;
		const char *txt = NULL;
		size_t n = 0;

		if (t->slot[i] < 0)
			continue;
		c = &t->cols[t->slot[i]];
		if (col_value(c->name, c->kind, c->scale, v, &pv, t->msg,
		    sizeof t->msg) < 0) {
			bad = 1;
			break;
		}
		if (c->kind == K_STRING && !pv.null)
			txt = string_value(c, v, &pv, &js, &n);
		if (pgb_put_value(b, sh->wire[t->slot[i]], &pv, c->scale, txt,
		    n, c->name, t->msg, sizeof t->msg) < 0)
			bad = 1;
	}
	buf_free(&pv.scratch);
	buf_free(&js);
	if (!bad)
		return 0;
	b->n = start;
	table_reject(t, r, "type");
	return 1;
}

int
pgrow_put(struct sink *t, const struct pgrow_shape *sh, const struct rec *r,
    size_t ord, struct buf *b)
{
	return sh->binary ? binary_row(t, sh, r, ord, b) :
	    text_row(t, sh, r, ord, b);
}

/* A binary row's fields onto r, as text. */
static void
binary_fields(const struct sink *t, const struct pgrow_shape *sh,
    const unsigned char *q, size_t n, struct rec *r)
{
	size_t at = 2;

	if (sh->staged)
		at += 4 + 8;
	for (size_t c = 0; c < sh->ncols && at + 4 <= n; c++) {
		uint32_t len = (uint32_t)pgb_get_be(q + at, 4);
		const char *name = t->cols[sh->cols[c]].name;
		struct buf v = { 0 };

		at += 4;
		if (len == UINT32_MAX || at + len > n) {
			rec_add(r, name, val_null());
			continue;
		}
		pgb_text(&v, sh->wire[sh->cols[c]], q + at, len);
		rec_add(r, name, val_str(rec_strdup(r, v.p ? v.p : "", v.n),
		    v.n));
		buf_free(&v);
		at += len;
	}
}

/* A text line's fields onto r, unescaped. */
static void
text_fields(const struct sink *t, const struct pgrow_shape *sh,
    const char *q, size_t n, struct rec *r)
{
	const char *e = q + n - 1;	/* its newline */

	if (sh->staged)		/* the row's place in the batch */
		while (q < e && *q++ != '\t')
			;
	for (size_t c = 0; c < sh->ncols; c++) {
		const char *f = q;
		struct buf v = { 0 };

		while (q < e && *q != '\t')
			q++;
		if (q - f == 2 && f[0] == '\\' && f[1] == 'N') {
			rec_add(r, t->cols[sh->cols[c]].name, val_null());
		} else {
			for (const char *x = f; x < q; x++) {
				if (*x == '\\' && x + 1 < q) {
					x++;
					buf_addc(&v, *x == 't' ? '\t' : *x ==
					    'n' ? '\n' : *x == 'r' ? '\r' : *x);
				} else {
					buf_addc(&v, *x);
				}
			}
			rec_add(r, t->cols[sh->cols[c]].name, val_str(
			    rec_strdup(r, v.p ? v.p : "", v.n), v.n));
		}
		buf_free(&v);
		q++;
	}
}

void
pgrow_get(const struct sink *t, const struct pgrow_shape *sh,
    const char *q, size_t n, struct rec *r)
{
	if (sh->binary)
		binary_fields(t, sh, (const unsigned char *)q, n, r);
	else
		text_fields(t, sh, q, n, r);
}
