/* Unit tests: lib/writer.c, lib/jsonw.c, lib/out.c, lib/reject.c */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>

#include "../tap.h"
#include "jsonw.h"
#include "readhelp.h"
#include "reject.h"
#include "writer.h"

/* Read a whole file into a string (caller frees); gzip is undone. */
static char *
slurp(const char *path, size_t *n)
{
	gzFile g = gzopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	int k;

	if (g == NULL)
		return NULL;
	while ((k = gzread(g, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)k);
	gzclose(g);
	*n = b.n;
	return (char *)buf_cstr(&b);
}

/* Write records with a writer to a file; return what the file holds. */
static char *
write_all(enum fmt fmt, struct rec *recs, size_t nrec, int *skipped,
    char *why, size_t whylen)
{
	const char *path = temp_file(".out", "", 0, 0);
	struct out *o = out_open(path, 0, 0);
	struct writer *w = wr_open(o, fmt);
	size_t n;

	*skipped = 0;
	for (size_t i = 0; i < nrec; i++)
		if (wr_put(w, &recs[i]) == WR_SKIP) {
			(*skipped)++;
			snprintf(why, whylen, "%s", wr_error(w));
		}
	wr_close(w);
	out_close(o);
	return slurp(path, &n);
}

int
main(void)
{
	struct rec r[4];
	char why[256] = "", *got;
	int skipped;
	size_t n;

	for (int i = 0; i < 4; i++)
		rec_init(&r[i]);

	/* CSV quoting: only where needed; "" for the empty string. */
	rec_add(&r[0], "plain", val_text("abc", 3));
	rec_add(&r[0], "comma", val_str("a,b", 3));
	rec_add(&r[0], "quote", val_str("say \"hi\"", 8));
	rec_add(&r[0], "nl", val_str("x\ny", 3));
	rec_add(&r[0], "cr", val_str("x\ry", 3));
	rec_add(&r[0], "empty", val_str("", 0));
	rec_add(&r[0], "null", val_null());
	rec_add(&r[0], "space", val_str(" s ", 3));
	got = write_all(FMT_CSV, r, 1, &skipped, why, sizeof why);
	is_str(got, "plain,comma,quote,nl,cr,empty,null,space\n"
	    "abc,\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\"x\ry\",\"\",, s \n",
	    "CSV quoting");
	free(got);

	/* Typed values in CSV. */
	rec_clear(&r[0]);
	rec_add(&r[0], "i", val_int(-42));
	rec_add(&r[0], "d", val_double(0.1));
	rec_add(&r[0], "m", val_dec(1250, 2));
	rec_add(&r[0], "b", val_bool(1));
	rec_add(&r[0], "nan", val_double(NAN));
	got = write_all(FMT_CSV, r, 1, &skipped, why, sizeof why);
	is_str(got, "i,d,m,b,nan\n-42,0.1,12.50,true,\n", "CSV typed values");
	free(got);

	/* Later records matched to the header by name. */
	rec_clear(&r[0]);
	rec_add(&r[0], "a", val_int(1));
	rec_add(&r[0], "b", val_int(2));
	rec_clear(&r[1]);
	rec_add(&r[1], "b", val_int(4));
	rec_add(&r[1], "a", val_int(3));
	rec_clear(&r[2]);
	rec_add(&r[2], "a", val_int(5));
	rec_clear(&r[3]);
	rec_add(&r[3], "a", val_int(6));
	rec_add(&r[3], "zzz", val_int(7));
	got = write_all(FMT_CSV, r, 4, &skipped, why, sizeof why);
	is_str(got, "a,b\n1,2\n3,4\n5,\n", "CSV: reordered and missing fields");
	is_int(skipped, 1, "CSV: a field not in the header is refused");
	is_str(why, "field \"zzz\" is not one of the CSV output's columns "
	    "(fixed by its header)", "CSV: and says why");
	free(got);

	/* A repeated name takes the next field of that name. */
	rec_clear(&r[0]);
	rec_add(&r[0], "a", val_int(1));
	rec_add(&r[0], "a", val_int(2));
	got = write_all(FMT_CSV, r, 1, &skipped, why, sizeof why);
	is_str(got, "a,a\n1,2\n", "CSV: repeated names keep both values");
	free(got);
	/* An unnamed field is its column: written, not refused. */
	rec_clear(&r[0]);
	rec_add(&r[0], "a", val_int(1));
	rec_add(&r[0], NULL, val_int(2));
	got = write_all(FMT_CSV, r, 1, &skipped, why, sizeof why);
	is_str(got, "a,column2\n1,2\n", "CSV: an unnamed field is written");
	is_int(skipped, 0, "CSV: and not refused");
	free(got);

	/* JSON: escapes, invalid UTF-8, numbers. */
	rec_clear(&r[0]);
	rec_add(&r[0], "s", val_str("q\"b\\\n\t\x01\x7f caf\xc3\xa9", 14));
	rec_add(&r[0], "bad", val_str("a\xff" "b\xc0\x80", 5));
	rec_add(&r[0], "i", val_int(INT64_MIN));
	rec_add(&r[0], "d", val_double(1e21));
	rec_add(&r[0], "inf", val_double(INFINITY));
	rec_add(&r[0], "m", val_dec(-5, 2));
	rec_add(&r[0], "n", val_null());
	rec_add(&r[0], "f", val_bool(0));
	got = write_all(FMT_JSONL, r, 1, &skipped, why, sizeof why);
	is_str(got, "{\"s\":\"q\\\"b\\\\\\n\\t\\u0001\x7f caf\xc3\xa9\","
	    "\"bad\":\"a\\ufffdb\\ufffd\\ufffd\",\"i\":-9223372036854775808,"
	    "\"d\":1e+21,\"inf\":null,\"m\":-0.05,\"n\":null,\"f\":false}\n",
	    "JSON escapes, invalid UTF-8, numbers");
	free(got);

	/* A JSON string appended to text in memory: what jw_string writes,
	   after what the buffer held, however long. */
	{
		struct buf b = { 0 };
		const char want[] = "x\"q\\\"b\\\\\\n\\t\\u0001\x7f caf\xc3\xa9 "
		    "a\\ufffd\"";
		size_t big = 10000;
		char *s = malloc(big);

		buf_adds(&b, "x");
		jw_string_buf(&b, "q\"b\\\n\t\x01\x7f caf\xc3\xa9 a\xff", 17);
		is_mem(b.p, b.n, want, sizeof want - 1,
		    "jw_string_buf: escapes and invalid UTF-8 as jw_string");
		memset(s, 'a', big);
		s[big - 1] = '\n';
		b.n = 0;
		jw_string_buf(&b, s, big);
		ok(b.n == big + 3 && b.p[0] == '"' && b.p[big - 1] == 'a' &&
		    memcmp(b.p + big, "\\n\"", 3) == 0,
		    "jw_string_buf: a string longer than its writer's buffer");
		free(s);
		buf_free(&b);
	}

	/* Untyped text becomes a JSON number or boolean only as spelled. */
	rec_clear(&r[0]);
	rec_add(&r[0], "n", val_text("12.50", 5));
	rec_add(&r[0], "z", val_text("007", 3));
	rec_add(&r[0], "t", val_text("true", 4));
	rec_add(&r[0], "T", val_text("TRUE", 4));
	rec_add(&r[0], "e", val_text("1e5", 3));
	rec_add(&r[0], "neg", val_text("-0", 2));
	rec_add(&r[0], "sp", val_text(" 1", 2));
	rec_add(&r[0], "nan", val_text("NaN", 3));
	got = write_all(FMT_JSONL, r, 1, &skipped, why, sizeof why);
	is_str(got, "{\"n\":12.50,\"z\":\"007\",\"t\":true,\"T\":\"TRUE\","
	    "\"e\":1e5,\"neg\":-0,\"sp\":\" 1\",\"nan\":\"NaN\"}\n",
	    "JSON: text typed only where it is spelled as JSON");
	free(got);

	/* Numbers no double holds stay text (a reader would refuse 1e400
	   and read 1e-400 as 0); -0.0 keeps its sign. */
	rec_clear(&r[0]);
	rec_add(&r[0], "big", val_text("1e400", 5));
	rec_add(&r[0], "tiny", val_text("-1e-400", 7));
	rec_add(&r[0], "sub", val_text("1.5e-320", 8));
	rec_add(&r[0], "max", val_text("1.79769313486231e308", 20));
	rec_add(&r[0], "over", val_text("1.79769313486232e308", 20));
	rec_add(&r[0], "min", val_text("2.2250738585073e-308", 20));
	rec_add(&r[0], "z", val_text("0e-999", 6));
	rec_add(&r[0], "nz", val_text("-0.0", 4));
	rec_add(&r[0], "dz", val_double(-0.0));
	got = write_all(FMT_JSONL, r, 1, &skipped, why, sizeof why);
	is_str(got, "{\"big\":\"1e400\",\"tiny\":\"-1e-400\","
	    "\"sub\":\"1.5e-320\",\"max\":1.79769313486231e308,"
	    "\"over\":\"1.79769313486232e308\",\"min\":2.2250738585073e-308,"
	    "\"z\":0e-999,\"nz\":-0.0,\"dz\":-0.0}\n",
	    "JSON: numbers past a double's range stay text; -0.0 stays -0.0");
	free(got);
	got = write_all(FMT_CSV, r, 1, &skipped, why, sizeof why);
	is_str(got, "big,tiny,sub,max,over,min,z,nz,dz\n1e400,-1e-400,1.5e-320,"
	    "1.79769313486231e308,1.79769313486232e308,2.2250738585073e-308,"
	    "0e-999,-0.0,-0.0\n", "CSV: a double -0.0 is written -0.0");
	free(got);

	/* What we write, jansson reads back to the same strings. */
	{
		struct buf all = { 0 };
		int bad = 0;

		rec_clear(&r[0]);
		for (int c = 1; c < 256; c++)
			buf_addc(&all, (char)c);
		rec_add(&r[0], "all", val_str(all.p, all.n));
		got = write_all(FMT_JSONL, r, 1, &skipped, why, sizeof why);
		json_t *j = json_loads(got, 0, NULL);
		const char *s = json_string_value(json_object_get(j, "all"));

		/* Bytes 1..127 survive; each of 128..255 becomes U+FFFD. */
		for (int c = 1; c < 128; c++)
			if (s == NULL || (unsigned char)s[c - 1] != c)
				bad++;
		is_int(bad, 0, "every ASCII byte round-trips through jansson");
		ok(s != NULL && strlen(s) == 127 + 128 * 3,
		    "each invalid byte is one U+FFFD");
		json_decref(j);
		free(got);
		buf_free(&all);
	}

	/*
	 * Quotes where a byte needs them, at any place in a cell of any
	 * length (the writer looks eight bytes a step, the last step
	 * overlapping): cells of 1 to 40 bytes with a comma, a quote, a CR
	 * or a LF at each place in turn, and none, against RFC 4180 done
	 * by hand here.
	 */
	{
		static const char special[] = { ',', '"', '\r', '\n', 'x' };
		int wrong = 0, cells = 0;

		for (size_t k = 0; k < sizeof special; k++)
			for (size_t len = 1; len <= 40; len++)
				for (size_t at = 0; at < len; at++, cells++) {
					struct buf cell = { 0 }, want = { 0 };
					struct rec one;
					int skip;
					char *out;

					for (size_t i = 0; i < len; i++)
						buf_addc(&cell, i == at ? special[k] :
						    (char)('a' + i % 26));
					/* By hand: quoted when it must be, a
					   quote doubled; after the header. */
					buf_adds(&want, "c\n");
					if (special[k] == 'x') {
						buf_add(&want, cell.p, cell.n);
					} else {
						buf_addc(&want, '"');
						for (size_t i = 0; i < len; i++) {
							buf_addc(&want, cell.p[i]);
							if (cell.p[i] == '"')
								buf_addc(&want, '"');
						}
						buf_addc(&want, '"');
					}
					buf_addc(&want, '\n');
					rec_init(&one);
					rec_add(&one, "c", val_text(cell.p, cell.n));
					out = write_all(FMT_CSV, &one, 1, &skip, why,
					    sizeof why);	/* (never skipped) */
					if (strcmp(out, buf_cstr(&want)) != 0 &&
					    wrong++ == 0)
						printf("# got %s# want %s", out,
						    buf_cstr(&want));
					free(out);
					rec_free(&one);
					buf_free(&cell);
					buf_free(&want);
				}
		is_int(wrong, 0, "%d cells of 1 to 40 bytes, a comma, quote, "
		    "CR or LF at each place, or none: quoted as RFC 4180 says",
		    cells);
	}

	/* Columns fixed ahead: a header with no rows. */
	{
		const char *path = temp_file(".out", "", 0, 0);
		struct out *o = out_open(path, 0, 0);
		struct writer *w = wr_open(o, FMT_CSV);
		const char *cols[] = { "x", "y,z" };

		wr_columns(w, cols, 2);
		wr_close(w);
		out_close(o);
		got = slurp(path, &n);
		is_str(got, "x,\"y,z\"\n", "header alone for no rows");
		free(got);
	}

	/* gzip output. */
	{
		const char *path = temp_file(".gz", "", 0, 0);
		struct out *o = out_open(path, 0, 6);
		struct writer *w = wr_open(o, FMT_JSONL);
		unsigned char magic[2] = { 0 };
		FILE *f;

		rec_clear(&r[0]);
		rec_add(&r[0], "a", val_int(1));
		for (int i = 0; i < 1000; i++)
			wr_put(w, &r[0]);
		wr_close(w);
		is_int(out_close(o), 0, "gzip output closes");
		f = fopen(path, "rb");
		fread(magic, 1, 2, f);
		fclose(f);
		ok(magic[0] == 0x1f && magic[1] == 0x8b, "it is gzip");
		got = slurp(path, &n);
		is_int((int64_t)n, 8000, "and holds every record");
		free(got);
	}

	/* Atomic output: nothing under the name until close. */
	{
		char path[300], tmp[300];
		struct stat st;
		struct out *o;

		snprintf(path, sizeof path, "%s", temp_file(".out", "old", 3, 0));
		o = out_open(path, OUT_ATOMIC, 0);
		out_puts(o, "new contents\n");
		out_flush(o);
		got = slurp(path, &n);
		is_str(got, "old", "atomic: the old file stays until close");
		free(got);
		snprintf(tmp, sizeof tmp, "%s", o->tmp);
		ok(strstr(tmp, "/.t") != NULL && stat(tmp, &st) == 0,
		    "atomic: a dot-named temporary beside it");
		is_int(out_close(o), 0, "atomic: close");
		got = slurp(path, &n);
		is_str(got, "new contents\n", "atomic: then the new one");
		free(got);
		ok(stat(tmp, &st) < 0 && errno == ENOENT,
		    "atomic: temporary gone");

		o = out_open(path, OUT_ATOMIC, 0);
		out_puts(o, "discarded\n");
		out_discard(o);
		got = slurp(path, &n);
		is_str(got, "new contents\n", "discard keeps the old file");
		free(got);
	}

	/* A full disk fails the output, reported once. */
	{
		struct out *o = out_open("/dev/full", 0, 0);

		for (int i = 0; i < 100000; i++)
			out_puts(o, "some bytes to fill the buffer\n");
		ok(out_failed(o), "/dev/full: failure seen while writing");
		is_int(out_close(o), -1, "/dev/full: close reports it");
	}
	/* A folder that is not there, in the test's own temporary one. */
	{
		char missing[300];

		temp_file(".out", "", 0, 0);
		snprintf(missing, sizeof missing, "%s/missing/x", tmpl_dir);
		ok(out_open(missing, 0, 0) == NULL,
		    "an unwritable path does not open");
	}

	/* Dead letters: one JSON object each, with source and reasons. */
	{
		const char *path = temp_file(".out", "", 0, 0);
		struct rejects *rj = rej_open(path);
		struct rej_reason two[] = {
			{ "enum", "product \"X\" is not in the list",
			    "product" },
			{ "check", "a discount needs a coupon", NULL },
		};
		json_t *j;
		char *line, *save;

		rec_clear(&r[0]);
		r[0].src = "in.csv";
		r[0].line = 12;
		rec_add(&r[0], "product", val_text("X", 1));
		rec_add(&r[0], "quantity", val_text("-1", 2));
		rej_put(rj, &r[0], two, 2);
		rec_clear(&r[1]);
		r[1].src = "in.jsonl";
		r[1].line = 3;
		r[1].raw = "{nope";
		r[1].rawn = 5;
		rej_one(rj, &r[1], "parse", "not JSON");
		rec_clear(&r[2]);
		r[2].src = "in.csv";
		r[2].line = 5;
		rec_add(&r[2], "a", val_text("1", 1));
		rec_add(&r[2], NULL, val_text("2", 1));
		rej_one(rj, &r[2], "parse", "expected 1 field");
		is_int((int64_t)rej_count(rj), 3, "rejects counted");
		is_int(rej_close(rj), 0, "reject file closes");

		got = slurp(path, &n);
		line = strtok_r(got, "\n", &save);
		j = json_loads(line, 0, NULL);
		ok(j != NULL, "reject line 1 is JSON");
		is_str(json_string_value(json_object_get(j, "source")),
		    "in.csv:12", "its source");
		is_int((int64_t)json_array_size(json_object_get(j, "errors")), 2,
		    "both reasons");
		is_str(json_string_value(json_object_get(json_array_get(
		    json_object_get(j, "errors"), 1), "rule")), "check",
		    "the second rule");
		is_str(json_string_value(json_object_get(json_array_get(
		    json_object_get(j, "errors"), 0), "field")), "product",
		    "the field at fault, when there is one");
		ok(json_object_get(json_array_get(json_object_get(j, "errors"),
		    1), "field") == NULL, "no field when there is none");
		is_str(json_string_value(json_object_get(json_object_get(j,
		    "record"), "product")), "X", "the record's fields");
		ok(json_is_integer(json_object_get(json_object_get(j,
		    "record"), "quantity")), "CSV text typed as JSON spells it");
		json_decref(j);
		line = strtok_r(NULL, "\n", &save);
		j = json_loads(line, 0, NULL);
		is_str(json_string_value(json_object_get(j, "raw")), "{nope",
		    "an unparsable line keeps its text");
		json_decref(j);
		line = strtok_r(NULL, "\n", &save);
		j = json_loads(line, 0, NULL);
		ok(json_array_size(json_object_get(j, "fields")) == 2,
		    "a ragged row keeps its cells");
		json_decref(j);
		ok(strtok_r(NULL, "\n", &save) == NULL, "three lines in all");
		free(got);
	}

	for (int i = 0; i < 4; i++)
		rec_free(&r[i]);
	return done_testing();
}
