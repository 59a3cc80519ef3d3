/* Unit tests: JSON Lines through lib/reader (jsonl_read.c). */
#include <math.h>

#include "../tap.h"
#include "readhelp.h"
#include "reader_impl.h"
#include "src.h"

int
main(void)
{
	struct reader *rd;
	struct rec *r;

	READS_AS("plain", ".jsonl", "{\"a\":1,\"b\":\"x\"}\n{\"b\":\"y\",\"a\":2}\n",
	    "1:a=1,b=x|2:b=y,a=2|");
	READS_AS("sniffed", ".txt", "  {\"a\":1}\n", "1:a=1|");
	READS_AS("key order kept", ".jsonl",
	    "{\"z\":1,\"a\":2,\"m\":3}\n", "1:z=1,a=2,m=3|");
	READS_AS("types", ".jsonl",
	    "{\"i\":-7,\"d\":2.5,\"t\":true,\"f\":false,\"n\":null,"
	    "\"s\":\"str\"}\n",
	    "1:i=-7,d=2.5,t=true,f=false,n=<null>,s=str|");
	READS_AS("escapes and unicode", ".jsonl",
	    "{\"s\":\"q\\\"b\\\\n\\n\\t\\u00e9\\ud83d\\ude00/\\/\"}\n",
	    "1:s=q\"b\\n\n\t\xc3\xa9\xf0\x9f\x98\x80//|");
	READS_AS("raw UTF-8", ".jsonl", "{\"s\":\"caf\xc3\xa9\"}\n",
	    "1:s=caf\xc3\xa9|");
	READS_AS("nesting kept as JSON", ".jsonl",
	    "{\"p\":[{\"sku\":\"A\",\"q\":2},[]],\"o\":{\"k\":null}}\n",
	    "1:p=[{\"sku\":\"A\",\"q\":2},[]],o={\"k\":null}|");
	READS_AS("CRLF and blank lines", ".jsonl",
	    "{\"a\":1}\r\n\r\n   \n{\"a\":2}\r\n", "1:a=1|4:a=2|");
	READS_AS("no final newline", ".jsonl", "{\"a\":1}", "1:a=1|");
	READS_AS("BOM", ".jsonl", "\xef\xbb\xbf{\"a\":1}\n", "1:a=1|");
	READS_AS("not JSON", ".jsonl", "{\"a\":1}\nnope\n{\"a\":3}\n",
	    "1:a=1|2:BAD(column 4: '[' or '{' expected near 'nope')|3:a=3|");
	READS_AS("truncated object", ".jsonl", "{\"a\":1\n",
	    "1:BAD(column 6: '}' expected near end of file)|");
	READS_AS("not an object", ".jsonl", "[1,2]\n",
	    "1:BAD(expected a JSON object, found an array)|");
	READS_AS("duplicate key", ".jsonl", "{\"a\":1,\"a\":2}\n",
	    "1:BAD(column 10: duplicate object key near '\"a\"')|");
	READS_AS("invalid UTF-8", ".jsonl", "{\"s\":\"caf\xe9\"}\n",
	    "1:BAD(column 9: unable to decode byte 0xe9 near '\"caf')|");
	READS_AS("two objects on a line", ".jsonl", "{\"a\":1}{\"a\":2}\n",
	    "1:BAD(column 8: end of file expected near '{')|");
	READS_AS("NUL escape in a key: a bad record", ".jsonl",
	    "{\"a\\u0000b\":1}\n",
	    "1:BAD(column 11: NUL byte in object key not supported near "
	    "'\"a\\u0000b\"')|");
	/* jansson takes a raw NUL after a number or literal for the end of
	   the token: {"v": 123<NUL>} would read as {"v":123}. */
	READS_AS("raw NUL after a number", ".jsonl", "{\"v\": 123\0}\n",
	    "1:BAD(column 10: control character 0x00 outside a string)|");
	READS_AS("raw NUL after true", ".jsonl", "{\"v\":true\0 }\n{\"v\":1}\n",
	    "1:BAD(column 10: control character 0x00 outside a string)|"
	    "2:v=1|");
	READS_AS("raw control byte between tokens", ".jsonl",
	    "{\"v\":1,\x01\"w\":2}\n",
	    "1:BAD(column 8: control character 0x01 outside a string)|");
	READS_AS("raw NUL in a string stays jansson's error", ".jsonl",
	    "{\"v\":\"a\0b\"}\n",
	    "1:BAD(column 7: control character 0x0 near '\"a')|");
	READS_AS("escaped quote before a raw NUL", ".jsonl",
	    "{\"v\":\"a\\\"\",\"w\":2\0}\n",
	    "1:BAD(column 17: control character 0x00 outside a string)|");

	/* \u0000 in a value is kept: values carry their length. */
	{
		static const char nul[] = "{\"s\":\"a\\u0000b\",\"t\":\"\\u0000\"}\n";

		rd = rd_open(temp_file(".jsonl", nul, sizeof nul - 1, 0),
		    FMT_AUTO);
		ok(rd_next(rd, &r) == RD_OK && r->n == 2 &&
		    r->f[0].v.type == VAL_STR && r->f[0].v.u.s.n == 3 &&
		    memcmp(r->f[0].v.u.s.p, "a\0b", 4) == 0 &&
		    r->f[1].v.u.s.n == 1 && r->f[1].v.u.s.p[0] == '\0',
		    "\\u0000 in a string value is kept, with its length");
		rd_close(rd);
	}

	/* Huge numbers: 64-bit integers exact, larger ones as doubles. */
	{
		static const char huge[] =
		    "{\"max\":9223372036854775807,\"min\":-9223372036854775808}\n"
		    "{\"big\":123456789012345678901234567890,\"i\":3}\n"
		    "{\"r\":1e308,\"tiny\":5e-324}\n"
		    "{\"r\":1e400}\n";

		rd = rd_open(temp_file(".jsonl", huge, sizeof huge - 1, 0),
		    FMT_AUTO);
	}
	ok(rd_next(rd, &r) == RD_OK && r->f[0].v.type == VAL_INT &&
	    r->f[0].v.u.i == INT64_MAX && r->f[1].v.u.i == INT64_MIN,
	    "int64 limits exact");
	ok(rd_next(rd, &r) == RD_OK && r->f[0].v.type == VAL_TEXT &&
	    r->f[0].v.scale == VAL_NUMERAL &&
	    strcmp(r->f[0].v.u.s.p, "123456789012345678901234567890") == 0,
	    "too big for int64: a numeral of its exact digits, not a failure");
	ok(r->f[1].v.type == VAL_INT && r->f[1].v.u.i == 3,
	    "(the rest of that line keeps its types)");
	ok(rd_next(rd, &r) == RD_OK && r->f[0].v.u.d == 1e308 &&
	    r->f[1].v.u.d == 5e-324, "extreme doubles");
	ok(rd_next(rd, &r) == RD_BAD && strstr(r->err, "overflow") != NULL,
	    "1e400 is a bad record: %s", r->err);
	ok(r->raw != NULL && r->rawn == 11 &&
	    memcmp(r->raw, "{\"r\":1e400}", 11) == 0,
	    "a bad record carries its text");
	is_int(rd_next(rd, &r), RD_EOF, "then the end");
	rd_close(rd);

	/* Big integers are numerals whichever path reads them (a \\u
	   escape or nesting sends a line to jansson), and only at the top. */
	{
		static const char big[] =
		    "{\"b\":-123456789012345678901234567890,\"i\":1}\n"
		    "{\"s\":\"\\u0041\",\"b\":123456789012345678901234567890}\n"
		    "{\"n\":[1,{\"x\":99999999999999999999}],\"s\":\"9,\",\"b\":"
		    "99999999999999999999,\"c\":99999999999999999999}\n";

		rd = rd_open(temp_file(".jsonl", big, sizeof big - 1, 0),
		    FMT_AUTO);
		ok(rd_next(rd, &r) == RD_OK && r->f[0].v.type == VAL_TEXT &&
		    r->f[0].v.scale == VAL_NUMERAL && r->f[0].v.u.s.n == 31 &&
		    strcmp(r->f[0].v.u.s.p,
		    "-123456789012345678901234567890") == 0 &&
		    r->f[1].v.type == VAL_INT, "flat path: a numeral");
		ok(rd_next(rd, &r) == RD_OK && r->f[0].v.type == VAL_STR &&
		    r->f[1].v.type == VAL_TEXT &&
		    r->f[1].v.scale == VAL_NUMERAL &&
		    strcmp(r->f[1].v.u.s.p,
		    "123456789012345678901234567890") == 0,
		    "jansson's path: a numeral");
		ok(rd_next(rd, &r) == RD_OK && r->n == 4 &&
		    r->f[0].v.type == VAL_JSON && r->f[1].v.type == VAL_STR &&
		    r->f[1].v.scale == 0 && r->f[2].v.scale == VAL_NUMERAL &&
		    r->f[3].v.scale == VAL_NUMERAL,
		    "members counted past nesting and strings");
		rd_close(rd);
	}

	/* A line longer than the read buffer. */
	{
		struct buf in = { 0 };

		buf_adds(&in, "{\"s\":\"");
		for (int i = 0; i < 2000000; i++)
			buf_addc(&in, 'x');
		buf_adds(&in, "\"}\n{\"a\":1}\n");
		rd = rd_open(temp_file(".jsonl", in.p, in.n, 0), FMT_AUTO);
		ok(rd_next(rd, &r) == RD_OK && r->f[0].v.u.s.n == 2000000,
		    "a 2 MB line");
		ok(rd_next(rd, &r) == RD_OK && r->line == 2, "and the next");
		rd_close(rd);
		buf_free(&in);
	}

	/* The line limit holds with or without a newline after the line. */
	src_max_line = 100;
	{
		struct buf in = { 0 };

		buf_adds(&in, "{\"a\":1}\n{\"s\":\"");
		for (int i = 0; i < 200; i++)
			buf_addc(&in, 'x');
		buf_adds(&in, "\"}\n{\"a\":3}\n");
		rd = rd_open(temp_file(".jsonl", in.p, in.n, 0), FMT_AUTO);
		ok(rd_next(rd, &r) == RD_OK, "a short line");
		ok(rd_next(rd, &r) == RD_BAD && r->line == 2 &&
		    strcmp(r->err, "line longer than SLUICE_MAX_LINE_BYTES "
		    "(100 bytes)") == 0,
		    "a long line followed by a newline is refused");
		ok(rd_next(rd, &r) == RD_OK && r->line == 3, "then the next");
		rd_close(rd);
		in.n = 8;	/* now the long line last, with no newline */
		buf_adds(&in, "{\"s\":\"");
		for (int i = 0; i < 200; i++)
			buf_addc(&in, 'x');
		buf_adds(&in, "\"}");
		rd = rd_open(temp_file(".jsonl", in.p, in.n, 0), FMT_AUTO);
		rd_next(rd, &r);
		ok(rd_next(rd, &r) == RD_BAD, "and so is one at the end");
		rd_close(rd);
		buf_free(&in);
	}
	src_max_line = SRC_MAX_LINE_DEFAULT;

	/* Forced format: a JSON file read as CSV is one odd column. */
	{
		char *got = describe(temp_file(".jsonl", "{\"a\":1}\n", 8, 0),
		    FMT_CSV);

		/* {"a":1} is a CSV header with a stray quote. */
		is_str(got, "ERR|", "--input-format csv is obeyed");
		free(got);
	}
	/* The flat path and jansson's agree on random lines, good and bad. */
	{
		static const char *const keys[] = { "\"a\"", "\"b\"",
			"\"caf\xc3\xa9\"", "\"k\\n\"", "\"\"", "\"a\"",
			"\"\\u0041\"", "a", "\"x", "\"eightkey\"", "\"eightkez\"",
			"\"a_key_of_sixteen\"" };
		static const char *const vals[] = { "1", "-0", "0.5", "-2.5e3",
			"1E400", "01", "1.", "-", "12345678901234567890",
			"9223372036854775807", "-9223372036854775808", "true",
			"false", "null", "nul", "\"s\"", "\"\"",
			"\"q\\\"b\\\\/\\/\\b\\f\\n\\r\\t\"",
			"\"\\u00e9\"", "\"\\x\"", "\"a\tb\"", "\"\xe9\"",
			"\"\xf0\x9f\x98\x80\"", "[1,2]", "{\"n\":1}",
			"\"unterminated", "3.14159265358979323846",
			"1e-400", "0.1e1", "+1",
			"\"a long plain string, past eight bytes\"",
			"\"abcdefghij\\nklmnop\\\"qrstuvwxyz\"",
			"\"abcdefghijk\xc3\xa9lmnopqrs\"",
			"\"abcdefghijklm\tnopqrstu\"",
			"\"abcdefghijklmno\xffpq\"", "\"1234567\"", "\"12345678\"",
			"\"123456789\"", "\"123456789abcdef\"",
			"\"123456789abcdefg\"", "1.5.3", "2E+3", "0e0", "-01",
			"truex", "nullnull", "-0.0e-0" };
		static const char *const seps[] = { ",", " , ", ",", ",", "",
			",,", ":" };
		int differ = 0, lines = 6000;
		struct buf doc = { 0 };

		srand(11);
		for (int i = 0; i < lines; i++) {
			int nf = rand() % 5;

			buf_adds(&doc, rand() % 9 ? "{" : " { ");
			for (int k = 0; k < nf; k++) {
				if (k > 0)
					buf_adds(&doc, seps[rand() % 7]);
				buf_adds(&doc, keys[rand() % (int)(sizeof keys /
				    sizeof *keys)]);
				buf_adds(&doc, rand() % 8 ? ":" : " : ");
				buf_adds(&doc, vals[rand() % (int)(sizeof vals /
				    sizeof *vals)]);
			}
			buf_adds(&doc, rand() % 20 ? "}" : "} x");
			buf_adds(&doc, rand() % 10 ? "\n" : " \r\n");
		}
		{
			const char *path = temp_file(".jsonl", doc.p, doc.n, 0);
			char *fast, *slow;

			jsonl_read_fast = 1;
			fast = describe_as(path, FMT_JSONL, 1);
			jsonl_read_fast = 0;
			slow = describe_as(path, FMT_JSONL, 1);
			jsonl_read_fast = 1;
			for (char *a = fast, *b = slow; *a || *b; a++, b++)
				if (*a != *b) {
					differ = 1;
					printf("# differ at: %.120s\n# jansson: "
					    "%.120s\n", a, b);
					break;
				}
			ok(!differ, "flat path and jansson agree on %d random "
			    "lines", lines);
			ok(strstr(fast, "a=int:1") != NULL &&
			    strstr(fast, "BAD(") != NULL,
			    "  (which include good and bad ones)");
			free(fast);
			free(slow);
		}
		buf_free(&doc);
	}
	/* Many keys: past the flat path's limit, read by jansson, which
	   still finds a repeated one. */
	{
		struct buf line = { 0 };

		buf_addc(&line, '{');
		for (int i = 0; i < 300; i++)
			buf_printf(&line, "%s\"k%d\":%d", i ? "," : "", i, i);
		buf_adds(&line, "}\n{\"k1\":1,");
		for (int i = 0; i < 299; i++)
			buf_printf(&line, "\"j%d\":0,", i);
		buf_adds(&line, "\"k1\":2}\n");
		rd = rd_open(temp_file(".jsonl", line.p, line.n, 0), FMT_AUTO);
		ok(rd_next(rd, &r) == RD_OK && r->n == 300 &&
		    r->f[299].v.u.i == 299, "300 keys read");
		ok(rd_next(rd, &r) == RD_BAD && strstr(r->err, "duplicate"),
		    "  and a key repeated after 300 found");
		rd_close(rd);
		buf_free(&line);
	}
	return done_testing();
}
