/*
 * csv.c - CSV through the reader (lib/csv_read.c, lib/src.c): any bytes,
 * read as programs read a file, each record's values converted as they
 * would be.  The same bytes are read twice, with the fast paths (lines
 * without quotes, lines whose quoted cells close on them) on and off:
 * libcsv must find the same records, fields, errors and line numbers
 * (csv_read.c says the fast paths find what libcsv would).  A cell the
 * fast path marks plain (csv_reader_plain) must be plain.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "reader_impl.h"
#include "src.h"

int
fuzz_setup(void)
{
	/* Small, so short inputs reach the unclosed-quote guard
	   (SLUICE_MAX_LINE_BYTES). */
	src_max_line = 1024;
	return 0;
}

/* Every record of the file as text: line, fields or error, raw text. */
static void
describe(const char *path, int fast, struct buf *out)
{
	struct reader *rd;
	struct rec *r;
	enum rd_status st;
	const char *const *cols;
	size_t ncols;

	csv_read_fast = fast;
	out->n = 0;
	if ((rd = rd_open(path, FMT_CSV)) == NULL)
		abort();	/* a memory file always opens */
	if (fast)
		csv_reader_plain(rd);	/* what it marks plain must be */
	while ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD) {
		buf_printf(out, "%lu:", r->line);
		if (st == RD_BAD) {
			buf_printf(out, "BAD(%s)[", r->err);
			buf_add(out, r->raw, r->rawn);
			buf_adds(out, "]");
		}
		for (size_t i = 0; i < r->n; i++) {
			const struct val *v = &r->f[i].v;

			buf_printf(out, "%s%s=", i ? "," : "",
			    r->f[i].name ? r->f[i].name : "<none>");
			if (v->type == VAL_NULL)
				buf_adds(out, "<null>");
			else
				buf_add(out, v->u.s.p, v->u.s.n);
			if (v->type == VAL_TEXT && v->scale == VAL_PLAIN &&
			    !val_is_plain_text(v->u.s.p, v->u.s.n))
				fuzz_fail("a cell marked plain is not",
				    v->u.s.p, v->u.s.n, "", 0);
		}
		buf_addc(out, '\n');
		if (fast && st == RD_OK)
			fuzz_use_values(r);
	}
	buf_printf(out, "%s\ncolumns:", st == RD_ERR ? "ERR" : "EOF");
	cols = rd_columns(rd, &ncols);
	for (size_t i = 0; i < ncols; i++)
		buf_printf(out, " %s", cols[i]);
	rd_close(rd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct buf fast = { 0 }, slow = { 0 };

	describe(path, 1, &fast);
	describe(path, 0, &slow);
	if (fast.n != slow.n || memcmp(fast.p, slow.p, fast.n) != 0)
		fuzz_fail("the fast path and libcsv read different records",
		    fast.p, fast.n, slow.p, slow.n);
	buf_free(&fast);
	buf_free(&slow);
	return 0;
}
