/*
 * csv-json.c - CSV read, written as JSON Lines, read back (lib/writer.c,
 * lib/jsonw.c, lib/jsonl_read.c): what sluice writes, sluice reads.
 * Each record the CSV reader takes is written as one JSON line and read
 * back as a message; the line must be taken, with the same names in the
 * same order, and each cell the same: null as null, text as the same
 * string, or -- where the writer wrote a cell as a JSON number or
 * boolean -- a number of the same value (a double's sign of zero too)
 * or the boolean the cell spells.
 *
 * Left out: records with a NUL byte in a cell or a name.  The writer
 * writes it as \u0000, which the reader may refuse as a documented limit
 * (issue 17 leaves the choice: accept it, or say so).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "num.h"
#include "out.h"
#include "reader.h"
#include "writer.h"

static struct reader *back;

int
fuzz_setup(void)
{
	back = rd_open_messages("back");
	return back == NULL ? -1 : 0;
}

/* Is JSON value v what CSV cell c was? */
static int
same_cell(const struct val *c, const struct val *v)
{
	const char *t = c->u.s.p;
	size_t n = c->u.s.n;
	int64_t i;
	double d;

	if (c->type == VAL_NULL)
		return v->type == VAL_NULL;
	switch (v->type) {
	case VAL_STR:
		return v->u.s.n == n && memcmp(v->u.s.p, t, n) == 0;
	case VAL_BOOL:
		return n == (v->u.b ? 4u : 5u) &&
		    memcmp(t, v->u.b ? "true" : "false", n) == 0;
	case VAL_INT:	/* an integer has no -0 */
		return num_parse_int(t, n, &i) == 0 && i == v->u.i;
	case VAL_DOUBLE:
		return num_parse_double(t, n, &d) == 0 && d == v->u.d &&
		    signbit(d) == signbit(v->u.d);
	default:
		return 0;
	}
}

static int
has_nul(const struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].v.type == VAL_TEXT &&
		    memchr(r->f[i].v.u.s.p, '\0', r->f[i].v.u.s.n) != NULL)
			return 1;
	return 0;
}

static void
round_trip(const struct rec *r)
{
	struct buf line = { 0 }, scratch = { 0 };
	struct out *o;
	struct writer *w;
	struct rec *b;
	enum rd_status st;
	enum wr_status ws;

	if (has_nul(r))
		return;
	o = out_mem(&line);
	w = wr_open(o, FMT_JSONL);
	ws = wr_put(w, r);
	wr_close(w);
	out_close(o);
	if (ws != WR_OK) {
		buf_free(&line);
		return;
	}
	st = rd_message(back, line.p, line.n, "back", 1, &b);
	if (st != RD_OK)
		fuzz_fail("a record written as JSON does not read back (the "
		    "line, the reason)", line.p, line.n, b->err,
		    strlen(b->err));
	if (b->n != r->n)
		fuzz_fail("a record read back has other fields (the line)",
		    line.p, line.n, line.p, line.n);
	for (size_t i = 0; i < r->n; i++) {
		size_t tn;
		const char *t;

		if (strcmp(b->f[i].name, r->f[i].name) != 0 ||
		    !same_cell(&r->f[i].v, &b->f[i].v)) {
			t = val_to_text(&b->f[i].v, &scratch, &tn);
			fuzz_fail("a cell read back is not the cell written (the "
			    "line, the value read back)", line.p, line.n, t,
			    tn);
		}
	}
	buf_free(&line);
	buf_free(&scratch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_each_record(data, size, FMT_CSV, round_trip);
	return 0;
}
