/* Unit tests: CSV through lib/reader (csv_read.c, src.c). */
#include "../tap.h"
#include "diag.h"
#include "readhelp.h"
#include "reader_impl.h"

/* Read doc with the fast path on and off; a difference counted in
   *differ, the first shown. */
static void
fast_and_slow(const struct buf *doc, int *differ)
{
	const char *path = temp_file(".csv", doc->p, doc->n, 0);
	char *fast, *slow;

	csv_read_fast = 1;
	fast = describe(path, FMT_CSV);
	csv_read_fast = 0;
	slow = describe(path, FMT_CSV);
	csv_read_fast = 1;
	if (strcmp(fast, slow) != 0 && (*differ)++ == 0)
		printf("# fast: %s\n# slow: %s\n", fast, slow);
	free(fast);
	free(slow);
}

int
main(void)
{
	char *got;

	READS_AS("plain", ".csv", "a,b\n1,2\n3,4\n", "2:a=1,b=2|3:a=3,b=4|");
	READS_AS("no final newline", ".csv", "a,b\n1,2", "2:a=1,b=2|");
	READS_AS("CRLF", ".csv", "a,b\r\n1,2\r\n3,4\r\n",
	    "2:a=1,b=2|3:a=3,b=4|");
	READS_AS("BOM", ".csv", "\xef\xbb\xbf" "a,b\n1,2\n", "2:a=1,b=2|");
	READS_AS("BOM alone", ".csv", "\xef\xbb\xbf", "");
	READS_AS("empty file", ".csv", "", "");
	READS_AS("header only", ".csv", "a,b\n", "");
	READS_AS("blank lines skipped, counted", ".csv",
	    "a,b\n\n1,2\r\n\r\n\n3,4\n", "3:a=1,b=2|6:a=3,b=4|");
	READS_AS("quoted comma", ".csv", "a,b\n\"x,y\",2\n", "2:a=x,y,b=2|");
	READS_AS("doubled quote", ".csv", "a,b\n\"say \"\"hi\"\"\",2\n",
	    "2:a=say \"hi\",b=2|");
	READS_AS("quoted newline keeps line numbers", ".csv",
	    "a,b\n\"multi\nline\",2\n3,4\n", "2:a=multi\nline,b=2|4:a=3,b=4|");
	READS_AS("quoted CRLF kept inside", ".csv",
	    "a,b\r\n\"x\r\ny\",2\r\n", "2:a=x\r\ny,b=2|");
	READS_AS("empty is null, quoted empty is empty", ".csv",
	    "a,b,c\n,\"\",x\n", "2:a=<null>,b=,c=x|");
	READS_AS("trailing empty cell", ".csv", "a,b\n1,\n", "2:a=1,b=<null>|");
	READS_AS("spaces kept", ".csv", "a,b\n x , y \n", "2:a= x ,b= y |");
	READS_AS("lone CR ends records, and lines", ".csv", "a,b\r1,2\r3,4\r",
	    "2:a=1,b=2|3:a=3,b=4|");
	READS_AS("CR-only file: a bad quote loses nothing else", ".csv",
	    "a,b\r1,2\r3,x\"y\r5,6\r7,8\r",
	    "2:a=1,b=2|3:BAD(malformed quoting: a quote inside an unquoted "
	    "cell, or text after a closing quote)|4:a=5,b=6|5:a=7,b=8|");
	READS_AS("mixed line ends", ".csv", "a\r\n1\r2\n3\r\n",
	    "2:a=1|3:a=2|4:a=3|");
	READS_AS("one column: a blank line is a null", ".csv",
	    "a\n\nx\n\n\"\"\n", "2:a=<null>|3:a=x|4:a=<null>|5:a=|");
	READS_AS("one column, lone CRs: a blank line is still a null", ".csv",
	    "a\r\r1\r\r2\r\r", "2:a=<null>|3:a=1|4:a=<null>|5:a=2|"
	    "6:a=<null>|");
	READS_AS("one column, blank line before the header: skipped", ".csv",
	    "\r\na\r\n\r\n1\r\n", "3:a=<null>|4:a=1|");
	READS_AS("a header of null names, no rows", ".csv", ",\n", "");
	READS_AS("a header of null names", ".csv", ",\n1,2\n,\n",
	    "2:column1=1,column2=2|3:column1=<null>,column2=<null>|");
	/* After bad quoting the record goes on as a lenient reader (Python's
	   csv) reads it: a quoted cell's lines are not records. */
	READS_AS("bad quote, then a quoted cell over lines", ".csv",
	    "a,b\nx\"y,\"first\n1,2\n\"\nok,3\n",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|5:a=ok,b=3|");
	READS_AS("text after a closing quote, then a quoted cell", ".csv",
	    "a,b\n\"ab\"c,\"x\r\n1,2\r\n\"\r\n3,4\r\n",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|5:a=3,b=4|");
	READS_AS("doubled quotes in the skipped cell", ".csv",
	    "a,b\rx\"y,\"p\"\"\r1,2\r\"\"\"\r3,4\r",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|5:a=3,b=4|");
	READS_AS("a quote mid-cell in the skipped part is text", ".csv",
	    "a,b\nx\"y,p\"q\n1,2\n",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|3:a=1,b=2|");
	/* Its quote never closes: the lines it took are said and counted,
	   not dropped. */
	READS_AS("the bad record's quote never closes", ".csv",
	    "a,b\nx\"y,\"open\n1,2\n",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|2:BAD(after bad quoting, a quote "
	    "opened here never closes: lines 2..3 skipped, counted as this "
	    "one bad record)|");
	READS_AS("a later cell's quote never closes", ".csv",
	    "a,b\nx\"y,\"c\nd\",\"open\n2,3",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|3:BAD(after bad quoting, a quote "
	    "opened here never closes: lines 3..4 skipped, counted as this "
	    "one bad record)|");
	READS_AS("two columns: blank lines are skipped", ".csv",
	    "a,b\n\n1,2\n", "3:a=1,b=2|");
	READS_AS("unicode", ".csv", "name\ncaf\xc3\xa9 \xe2\x82\xac\n",
	    "2:name=caf\xc3\xa9 \xe2\x82\xac|");
	READS_AS("ragged: too few", ".csv", "a,b,c\n1,2\n4,5,6\n",
	    "2:BAD(expected 3 fields (the header's), found 2)|3:a=4,b=5,c=6|");
	READS_AS("ragged: too many", ".csv", "a,b\n1,2,3\n4,5\n",
	    "2:BAD(expected 2 fields (the header's), found 3)|3:a=4,b=5|");
	READS_AS("quote inside unquoted cell", ".csv",
	    "a,b\nab\"c,d\n1,2\n",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|3:a=1,b=2|");
	READS_AS("text after closing quote", ".csv",
	    "a,b\n\"ab\"c,d\n1,2\n",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|3:a=1,b=2|");
	READS_AS("bad quoting in a multi-line record", ".csv",
	    "a,b\n1,\"x\ny\"z\n5,6\n",
	    "2:BAD(malformed quoting: a quote inside an unquoted cell, or "
	    "text after a closing quote)|4:a=5,b=6|");
	READS_AS("unterminated quote at end", ".csv", "a,b\n1,2\n3,\"open\n",
	    "2:a=1,b=2|3:BAD(unterminated quoted field (a quote opened here "
	    "never closes))|");
	READS_AS("invalid UTF-8", ".csv", "a,b\n1,caf\xe9\n2,ok\n",
	    "2:BAD(invalid UTF-8 in column 2 at byte 4)|3:a=2,b=ok|");
	READS_AS("NUL byte kept in a cell", ".csv", "a,b\nx\0y,2\n",
	    "2:a=x\0y,b=2|");
	READS_AS("empty and repeated header names", ".csv",
	    "a,,a,a\n1,2,3,4\n", "2:a=1,column2=2,a_2=3,a_3=4|");
	READS_AS("malformed header fails the input", ".csv",
	    "a\"b,c\n1,2\n", "ERR|");
	READS_AS("gzip by magic, whatever the name", ".dat",
	    "a\n1\n", "2:a=1|");

	/* Gzip: by its magic bytes, CSV by the name. */
	got = describe(temp_file(".csv.gz", "a,b\n1,\"x\ny\"\n", 12, 1),
	    FMT_AUTO);
	is_str(got, "2:a=1,b=x\ny|", "gzip input");
	free(got);
	got = describe(temp_file(".txt", "a,b\n1,2\n", 8, 1), FMT_AUTO);
	is_str(got, "2:a=1,b=2|", "gzip found by magic, CSV by sniffing");
	free(got);

	/* A file longer than the read buffer: records cross buffer ends. */
	{
		struct buf in = { 0 };
		struct reader *rd;
		struct rec *r;
		enum rd_status st;
		long rows = 0, bad = 0;

		buf_adds(&in, "id,text,n\n");
		for (int i = 0; i < 50000; i++)
			buf_printf(&in, "%d,\"line %d, with \"\"quotes\"\"\n"
			    "and a newline\",%d\n", i, i, i * 7);
		rd = rd_open(temp_file(".csv", in.p, in.n, 0), FMT_AUTO);
		while ((st = rd_next(rd, &r)) == RD_OK) {
			int64_t id, n;
			char want[64];

			snprintf(want, sizeof want, "line %ld, with \"quotes\""
			    "\nand a newline", rows);
			if (val_to_int(&r->f[0].v, &id) < 0 || id != rows ||
			    val_to_int(&r->f[2].v, &n) < 0 || n != rows * 7 ||
			    strcmp(r->f[1].v.u.s.p, want) != 0 ||
			    r->line != (unsigned long)(2 + 2 * rows))
				bad++;
			rows++;
		}
		is_int(st, RD_EOF, "big file ends cleanly");
		is_int(rows, 50000, "big file: every record");
		is_int(bad, 0, "big file: every value and line number");
		rd_close(rd);
		buf_free(&in);
	}

	/* A cell larger than the read buffer. */
	{
		struct buf in = { 0 };
		struct reader *rd;
		struct rec *r;

		buf_adds(&in, "a,b\n\"");
		for (int i = 0; i < 1000000; i++)
			buf_addc(&in, (char)('a' + i % 26));
		buf_adds(&in, "\",2\n");
		rd = rd_open(temp_file(".csv", in.p, in.n, 0), FMT_AUTO);
		ok(rd_next(rd, &r) == RD_OK && r->f[0].v.u.s.n == 1000000 &&
		    r->f[0].v.u.s.p[999999] == 'a' + 999999 % 26,
		    "a 1 MB cell");
		rd_close(rd);
		buf_free(&in);
	}

	/* Dead letters keep the text of the record that failed. */
	{
		struct reader *rd;
		struct rec *r;
		static const char multi[] = "a,b\n1,\"x\ny\"z,\n5,6\n";
		static const char unterm[] = "a,b\n1,\"open\n2,3\n";

		rd = rd_open(temp_file(".csv", multi, sizeof multi - 1, 0),
		    FMT_AUTO);
		ok(rd_next(rd, &r) == RD_BAD && r->raw != NULL &&
		    r->rawn == 9 && memcmp(r->raw, "1,\"x\ny\"z,", 9) == 0,
		    "a malformed record spanning lines keeps all of them");
		ok(rd_next(rd, &r) == RD_OK && r->line == 4, "then the next");
		rd_close(rd);
		rd = rd_open(temp_file(".csv", unterm, sizeof unterm - 1, 0),
		    FMT_AUTO);
		ok(rd_next(rd, &r) == RD_BAD && r->line == 2 && r->rawn == 11 &&
		    memcmp(r->raw, "1,\"open\n2,3", 11) == 0,
		    "an unterminated quote keeps what it swallowed");
		rd_close(rd);
		/* One the bad record left open keeps what it skipped. */
		rd = rd_open(temp_file(".csv", "a,b\nx\"y,\"open\n1,2\n3,4",
		    21, 0), FMT_AUTO);
		ok(rd_next(rd, &r) == RD_BAD && rd_next(rd, &r) == RD_BAD &&
		    r->line == 2 && r->rawn == 15 &&
		    memcmp(r->raw, "y,\"open\n1,2\n3,4", 15) == 0,
		    "a quote left open after bad quoting keeps what it took");
		rd_close(rd);
	}

	/* The record-size guard: a long unclosed quote trips it; many short
	   records (CR-only, one span) never do. */
	{
		struct buf in = { 0 };
		src_max_line = 1024;
		buf_adds(&in, "a,b\n1,\"");
		for (int i = 0; i < 300; i++)
			buf_adds(&in, "open quote\n");
		buf_adds(&in, "\n");
		got = describe(temp_file(".csv", in.p, in.n, 0), FMT_CSV);
		/* 11 bytes a line: 1028 bytes at line 94.  Then, as after
		   any over-long line, the next line is read as usual. */
		ok(strncmp(got, "2:BAD(record longer than SLUICE_MAX_LINE_BYTES "
		    "(an unclosed quote?): lines 2..94 skipped, counted as this "
		    "one bad record)|95:BAD(expected 2 fields (the header's), "
		    "found 1)|", 166) == 0,
		    "an unclosed quote trips the guard: %.200s", got);
		free(got);
		/* A bad record's quote that does not close within the limit
		   loses those lines only, counted; then lines are records
		   again. */
		in.n = 0;
		buf_adds(&in, "a,b\nx\"y,\"open\n");
		for (int i = 0; i < 300; i++)
			buf_printf(&in, "%03d,quote\n", i);
		got = describe(temp_file(".csv", in.p, in.n, 0), FMT_CSV);
		{
			/* 8 bytes skipped at line 2, 10 a line after it. */
			const char *want = "2:BAD(malformed quoting: a quote "
			    "inside an unquoted cell, or text after a closing "
			    "quote)|2:BAD(after bad quoting, a quote opened "
			    "here is still open after SLUICE_MAX_LINE_BYTES: "
			    "lines 2..104 skipped, counted as this one bad "
			    "record)|105:a=102,b=quote|106:a=103,b=quote|";
			const char *last = "|302:a=299,b=quote|";

			ok(strncmp(got, want, strlen(want)) == 0,
			    "a bad record's quote open past the limit: %.300s",
			    got);
			ok(strlen(got) > strlen(last) && strcmp(got +
			    strlen(got) - strlen(last), last) == 0,
			    "  then every line after it");
		}
		free(got);
		/* Its part of the line that crosses the limit goes too. */
		in.n = 0;
		buf_adds(&in, "a,b\nx\"y,\"");
		/* Longer than a read: the limit is crossed mid-line, and
		   the rest of the line is skipped (its ,\" opens no cell). */
		for (int i = 0; i < 300000; i++)
			buf_adds(&in, i % 7 == 0 ? "\"\"" : "q");
		buf_adds(&in, "\"x,\"");
		buf_adds(&in, "\n1,2\n");
		got = describe(temp_file(".csv", in.p, in.n, 0), FMT_CSV);
		ok(strstr(got, "|2:BAD(after bad quoting, a quote opened here "
		    "is still open after SLUICE_MAX_LINE_BYTES)|3:a=1,b=2|") !=
		    NULL, "a quote open past the limit within one line: %.300s",
		    got);
		free(got);
		in.n = 0;
		buf_adds(&in, "a,b\r");
		for (int i = 0; i < 5000; i++)
			buf_printf(&in, "%09d,abcde\r", i);
		{
			struct reader *rd = rd_open(temp_file(".csv", in.p, in.n,
			    0), FMT_AUTO);
			struct rec *r;
			long good = 0, bad = 0;
			enum rd_status st;

			while ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD)
				st == RD_OK ? good++ : bad++;
			is_int(good, 5000, "many short CR-only records: all read");
			is_int(bad, 0, "and none taken for too long");
			rd_close(rd);
		}
		buf_free(&in);
		src_max_line = SRC_MAX_LINE_DEFAULT;
	}

	/* Columns. */
	{
		struct reader *rd = rd_open(temp_file(".csv", "x,y\n", 4, 0),
		    FMT_AUTO);
		struct rec *r;
		size_t n;
		const char *const *cols;

		is_int(rd_next(rd, &r), RD_EOF, "header-only file has no rows");
		cols = rd_columns(rd, &n);
		ok(cols != NULL && n == 2 && strcmp(cols[0], "x") == 0 &&
		    strcmp(cols[1], "y") == 0, "but has its columns");
		is_str(fmt_name(rd_format(rd)), "csv", "format known");
		rd_close(rd);
	}
	/*
	 * The fast path for quote-free lines and libcsv must agree: random
	 * documents mixing plain lines, quoted cells (which go to libcsv and
	 * may span lines), blank lines, CRLF and lone CRs read the same with
	 * the fast path on and off.
	 */
	{
		static const char *cells[] = { "", "a", "b c", "caf\xc3\xa9",
		    " ", "\"q,\"\"x\"", "\"two\nlines\"", "\"\"", "9.5" };
		static const char *ends[] = { "\n", "\r\n", "\n", "\r",
		    "\n\n" };
		int differ = 0, docs = 300;

		srand(3);
		for (int d = 0; d < docs; d++) {
			struct buf doc = { 0 };
			int ncols = 1 + rand() % 4;

			for (int line = 0; line < 40; line++) {
				int k = line == 0 ? ncols :
				    ncols - 1 + rand() % 3;

				for (int c = 0; c < k; c++) {
					if (c > 0)
						buf_addc(&doc, ',');
					buf_adds(&doc, line == 0 ? "h" :
					    cells[rand() % 9]);
					if (line == 0)
						buf_printf(&doc, "%d", c);
				}
				buf_adds(&doc, ends[rand() % 5]);
			}
			fast_and_slow(&doc, &differ);
			buf_free(&doc);
		}
		is_int(differ, 0, "fast path and libcsv agree on %d random "
		    "documents", docs);
	}

	/*
	 * The fast path reads a line sixteen or eight bytes a step, the
	 * last step overlapping: for lines of 1 to 48 bytes, a comma, a
	 * quote, a byte past ASCII or a CR at each place in turn (where the
	 * steps meet, and in the overlap), read as libcsv reads them.
	 */
	{
		static const char mark[] = { ',', '"', '\xe9', '\r' };
		int differ = 0, lines = 0;

		for (size_t m = 0; m < sizeof mark; m++)
			for (int len = 1; len <= 48; len++) {
				struct buf doc = { 0 };

				buf_adds(&doc, "a,b\n");
				for (int at = 0; at < len; at++, lines++) {
					for (int i = 0; i < len; i++)
						buf_addc(&doc, i == at ? mark[m] :
						    i % 7 == 3 ? ',' :
						    (char)('a' + i % 26));
					buf_addc(&doc, '\n');
				}
				fast_and_slow(&doc, &differ);
				buf_free(&doc);
			}
		is_int(differ, 0, "fast path and libcsv agree on %d lines of "
		    "1 to 48 bytes, a comma, quote, byte past ASCII or CR at "
		    "each place", lines);
	}

	/* csv_reader_plain: a cell marked plain is plain (printable ASCII,
	   no comma, quote or backslash), and the cells of a line with only
	   such bytes are marked.  Lines of 1 to 40 bytes with a tab,
	   backslash, DEL, control byte, quote, byte past ASCII or CR at
	   each place, or none. */
	{
		const char odd[] = "\t\\\x7f\x01\"\xe9\r";
		int wrong = 0, marked = 0, lines = 0;

		for (size_t m = 0; m <= sizeof odd - 1; m++)
			for (int len = 1; len <= 40; len++) {
				struct buf doc = { 0 };
				struct reader *rd;
				struct rec *r;
				enum rd_status st;

				buf_adds(&doc, "a,b\n");
				for (int at = 0; at < len; at++, lines++) {
					for (int i = 0; i < len; i++)
						buf_addc(&doc, m < sizeof odd - 1 &&
						    i == at ? odd[m] : i % 7 == 3 ?
						    ',' : (char)('a' + i % 26));
					buf_adds(&doc, (m + (size_t)len) % 2 ?
					    "\r\n" : "\n");
				}
				rd = rd_open(temp_file(".csv", doc.p, doc.n, 0),
				    FMT_CSV);
				csv_reader_plain(rd);
				while ((st = rd_next(rd, &r)) == RD_OK ||
				    st == RD_BAD)
					for (size_t i = 0; i < r->n; i++) {
						const struct val *v = &r->f[i].v;
						int plain = v->type == VAL_TEXT &&
						    v->scale == VAL_PLAIN;

						marked += plain;
						/* Unmarked: only where an odd
						   byte is, or a null. */
						if (plain ? !val_is_plain_text(
						    v->u.s.p, v->u.s.n) :
						    m == sizeof odd - 1 &&
						    v->type != VAL_NULL)
							wrong++;
					}
				rd_close(rd);
				buf_free(&doc);
			}
		is_int(wrong, 0, "csv_reader_plain: of %d lines, those with "
		    "only plain bytes have their cells marked (%d), the rest "
		    "none that is not plain", lines, marked);
	}

	/* A file that is not there, in the test's own temporary folder. */
	{
		char missing[300];

		temp_file(".csv", "", 0, 0);
		snprintf(missing, sizeof missing, "%s/missing.csv", tmpl_dir);
		ok(rd_open(missing, FMT_AUTO) == NULL,
		    "a missing file does not open");
	}
	return done_testing();
}
