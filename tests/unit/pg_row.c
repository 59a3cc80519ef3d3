/* Unit tests: sink/pg_row.c: records as COPY rows, text and binary,
   staged or not (escapes, nulls, a JSON column's string quoted, the
   fields in the table's columns), read back as they were sent; a value
   that does not fit its column rejects the record and puts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "../../sink/pg_row.h"

/* The record as "name=value|...", a null as <null>. */
static const char *
describe(const struct rec *r, struct buf *b)
{
	b->n = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct val *v = &r->f[i].v;

		buf_printf(b, "%s=", r->f[i].name);
		if (val_is_null(v))
			buf_adds(b, "<null>");
		else
			buf_add(b, v->u.s.p, v->u.s.n);
		buf_addc(b, '|');
	}
	return buf_cstr(b);
}

/* A row in each format, staged or not: how it starts (a text row: all
   of it). */
static const struct {
	const char *what;
	int binary, staged;
	const char *row;
	size_t n;
	const char *says;
} fmts[] = {
	{ "text", 0, 0, "a\\tb\\\\c\\nd\t7\t\"x\\\\ny\"\t12.50\n", 27,
	    "escaped, a JSON string quoted, in the columns' order" },
	{ "text, staged", 0, 1,
	    "5\ta\\tb\\\\c\\nd\t7\t\"x\\\\ny\"\t12.50\n", 29,
	    "its place in the batch first" },
	{ "binary, staged", 1, 1, "\0\5\0\0\0\10\0\0\0\0\0\0\0\5", 14,
	    "five fields, the first its place" },
	{ "binary", 1, 0, "\0\4\0\0\0\7a\tb\\c\nd", 13,
	    "four fields, the first its text" },
};

int
main(void)
{
	/* The record's fields: name, a field the table leaves out, id, j, m. */
	int slot[] = { 1, -1, 0, 2, 3 }, cols[] = { 1, 0, 2, 3 };
	enum pgb_wire wire[] = { PGB_INT8, PGB_TEXT, PGB_JSONB, PGB_NUMERIC };
	struct pgrow_shape sh = { .cols = cols, .ncols = 4, .wire = wire };
	struct sink t = { 0 };
	struct filter f = { 0 };
	struct rec r, back;
	struct buf b = { 0 }, d = { 0 };
	const char *sent = "name=a\tb\\c\nd|id=7|j=\"x\\ny\"|m=12.50|";

	f.rj = rej_open(NULL);
	t.f = &f;
	t.slot = slot;
	t.nslot = 5;
	table_add_col(&t, "id", K_INT, 0, 0, NULL);
	table_add_col(&t, "name", K_STRING, 0, 0, NULL);
	table_add_col(&t, "j", K_STRING, 0, 1, NULL);
	table_add_col(&t, "m", K_DECIMAL, 2, 0, NULL);
	rec_init(&r);
	rec_init(&back);
	rec_add(&r, "name", val_str("a\tb\\c\nd", 7));
	rec_add(&r, "skip", val_int(1));
	rec_add(&r, "id", val_int(7));
	rec_add(&r, "j", val_str("x\ny", 3));
	rec_add(&r, "m", val_text("12.5", 4));

	for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
		sh.binary = fmts[k].binary;
		sh.staged = fmts[k].staged;
		b.n = 0;
		is_int(pgrow_put(&t, &sh, &r, 5, &b), 0, "%s: put",
		    fmts[k].what);
		ok(fmts[k].binary ? b.n > fmts[k].n : b.n == fmts[k].n,
		    "  its length");
		is_mem(b.p, fmts[k].n, fmts[k].row, fmts[k].n, "  %s",
		    fmts[k].says);
		rec_clear(&back);
		pgrow_get(&t, &sh, b.p, b.n, &back);
		is_str(describe(&back, &d), sent, "  read back as it was sent");
	}

	/* Nulls both ways. */
	r.f[0].v = val_null();
	r.f[4].v = val_null();
	for (int bin = 0; bin < 2; bin++) {
		sh.binary = bin;
		b.n = 0;
		pgrow_put(&t, &sh, &r, 0, &b);
		rec_clear(&back);
		pgrow_get(&t, &sh, b.p, b.n, &back);
		is_str(describe(&back, &d), "name=<null>|id=7|j=\"x\\ny\"|"
		    "m=<null>|", "%s: nulls back as nulls", bin ? "binary" :
		    "text");
	}

	/* A value that does not fit: rejected, nothing put. */
	r.f[2].v = val_text("x", 1);
	for (int bin = 0; bin < 2; bin++) {
		sh.binary = bin;
		b.n = 0;
		buf_adds(&b, "before");
		is_int(pgrow_put(&t, &sh, &r, 0, &b), 1,
		    "%s: an id that is not an int is refused", bin ? "binary" :
		    "text");
		is_str(buf_cstr(&b), "before", "  nothing put");
	}
	wire[0] = PGB_INT4;
	r.f[2].v = val_int(INT64_C(1) << 40);
	b.n = 0;
	is_int(pgrow_put(&t, &sh, &r, 0, &b), 1,
	    "binary: an id beyond an int4 column is refused");
	is_str(t.msg, "value \"1099511627776\" is out of range for type "
	    "integer (column id)", "  said as the server says it");
	is_int((int64_t)b.n, 0, "  nothing put");
	is_int((int64_t)f.t.rejected, 3, "each refusal rejects its record");

	rec_free(&r);
	rec_free(&back);
	buf_free(&b);
	buf_free(&d);
	for (size_t i = 0; i < t.ncols; i++)
		free(t.cols[i].name);
	free(t.cols);
	names_free(&t.colix);
	rej_close(f.rj);
	return done_testing();
}
