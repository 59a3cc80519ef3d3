/* Unit tests: sink/pg_binary.c: values in PostgreSQL's binary COPY
   format, byte for byte as the server's recv functions read them
   (numeric's base-10000 digits worked by hand), and back to the text
   the server prints. */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "../../sink/pg_binary.h"
#include "num.h"

/* A value put as a field and read back. */
static const struct {
	const char *what;
	enum pgb_wire w;
	struct col_val pv;
	int scale;
	const char *txt;	/* a text or JSON value's bytes */
	const char *bytes;	/* the field, length first (NULL: unchecked) */
	size_t nbytes;
	const char *text;	/* read back (NULL: num_fmt_decimal's) */
} cases[] = {
	/* 12.50: two digits (12, 5000), weight 0, scale 2. */
	{ "numeric 12.50", PGB_NUMERIC, { .i = 1250 }, 2, NULL,
	    "\0\0\0\14" "\0\2" "\0\0" "\0\0" "\0\2" "\0\14" "\x13\x88", 16,
	    NULL },
	/* -0.05: one digit (500) a group after the point, the sign. */
	{ "numeric -0.05: weight -1, negative", PGB_NUMERIC, { .i = -5 }, 2,
	    NULL, "\0\0\0\12" "\0\1" "\377\377" "\x40\0" "\0\2" "\x01\xf4",
	    14, NULL },
	{ "numeric 0.00: no digits", PGB_NUMERIC, { .i = 0 }, 2, NULL,
	    "\0\0\0\10" "\0\0" "\0\0" "\0\0" "\0\2", 12, NULL },
	{ "numeric, 18 digits", PGB_NUMERIC, { .i = INT64_C(123456789012345678) },
	    6, NULL, NULL, 0, NULL },
	{ "numeric, all fraction", PGB_NUMERIC,
	    { .i = INT64_C(-999999999999999999) }, 18, NULL, NULL, 0, NULL },
	{ "numeric, trailing zero groups", PGB_NUMERIC, { .i = 100000000 }, 0,
	    NULL, NULL, 0, NULL },
	{ "numeric 7", PGB_NUMERIC, { .i = 7 }, 0, NULL, NULL, 0, NULL },
	{ "a null: length -1", PGB_INT4, { .null = 1 }, 0, NULL,
	    "\377\377\377\377", 4, "" },
	{ "int4 -2^31", PGB_INT4, { .i = INT32_MIN }, 0, NULL,
	    "\0\0\0\4\x80\0\0\0", 8, "-2147483648" },
	{ "int2 -1", PGB_INT2, { .i = -1 }, 0, NULL, "\0\0\0\2\377\377", 6,
	    "-1" },
	{ "int8", PGB_INT8, { .i = INT64_MIN }, 0, NULL, NULL, 0,
	    "-9223372036854775808" },
	{ "true: one byte", PGB_BOOL, { .i = 1 }, 0, NULL, "\0\0\0\1\1", 5,
	    "t" },
	{ "float8 0.1, every bit", PGB_FLOAT8, { .d = 0.1 }, 0, NULL,
	    "\0\0\0\10\x3f\xb9\x99\x99\x99\x99\x99\x9a", 12, "0.1" },
	{ "float4 -1.5", PGB_FLOAT4, { .d = -1.5 }, 0, NULL,
	    "\0\0\0\4\xbf\xc0\0\0", 8, "-1.5" },
	/* Dates and times from PostgreSQL's epoch, 2000-01-01. */
	{ "2000-01-01 is day 0", PGB_DATE, { .i = 10957 }, 0, NULL,
	    "\0\0\0\4\0\0\0\0", 8, "2000-01-01" },
	{ "1970-01-01, before it", PGB_DATE, { .i = 0 }, 0, NULL,
	    "\0\0\0\4\377\377\325\063", 8, "1970-01-01" },
	{ "a timestamp 1 us after it", PGB_TIMESTAMP,
	    { .i = INT64_C(946684800000001) }, 0, NULL,
	    "\0\0\0\10\0\0\0\0\0\0\0\1", 12, "2000-01-01T00:00:00.000001Z" },
	{ "text: its bytes", PGB_TEXT, { .s = "x" }, 0, "caf\xc3\xa9",
	    "\0\0\0\5caf\xc3\xa9", 9, "caf\xc3\xa9" },
	{ "jsonb: version 1, then the text", PGB_JSONB, { .s = "x" }, 0,
	    "{\"a\":1}", "\0\0\0\10\1{\"a\":1}", 12, "{\"a\":1}" },
};

int
main(void)
{
	struct buf b = { 0 }, v = { 0 };
	char msg[128] = "", dec[NUM_BUFSZ];

	is_int(pgb_wire_of("int4"), PGB_INT4, "int4 goes in binary");
	is_int(pgb_wire_of("timestamptz"), PGB_TIMESTAMP, "timestamptz too");
	is_int(pgb_wire_of("json"), PGB_TEXT, "json as its text");
	is_int(pgb_wire_of("jsonb"), PGB_JSONB, "jsonb with its version");
	is_int(pgb_wire_of("uuid"), PGB_NONE, "uuid has no binary form here");
	ok(pgb_takes(K_INT, PGB_INT2) && pgb_takes(K_STRING, PGB_JSONB) &&
	    pgb_takes(K_DECIMAL, PGB_NUMERIC), "a kind goes to its types");
	ok(!pgb_takes(K_INT, PGB_FLOAT8) && !pgb_takes(K_DOUBLE, PGB_NUMERIC) &&
	    !pgb_takes(K_STRING, PGB_NONE), "  and to no other");

	pgb_put_be(&b, 0x0102, 2);
	pgb_put_be(&b, UINT64_C(0x0102030405060708), 8);
	is_mem(b.p, b.n, "\1\2\1\2\3\4\5\6\7\10", 10, "big-endian bytes");
	is_int((int64_t)pgb_get_be((const unsigned char *)b.p + 2, 8),
	    0x0102030405060708, "  read back");

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *txt = cases[i].txt, *want = cases[i].text;
		size_t len;

		b.n = 0;
		v.n = 0;
		ok(pgb_put_value(&b, cases[i].w, &cases[i].pv, cases[i].scale,
		    txt, txt ? strlen(txt) : 0, "c", msg, sizeof msg) == 0,
		    "%s: put", cases[i].what);
		if (cases[i].bytes != NULL)
			is_mem(b.p, b.n, cases[i].bytes, cases[i].nbytes,
			    "  as the server reads it");
		len = (size_t)pgb_get_be((const unsigned char *)b.p, 4);
		ok(cases[i].pv.null ? len == UINT32_MAX : len == b.n - 4,
		    "  its length says its bytes");
		if (!cases[i].pv.null)
			pgb_text(&v, cases[i].w, (const unsigned char *)b.p + 4,
			    b.n - 4);
		if (want == NULL) {
			dec[num_fmt_decimal(dec, cases[i].pv.i,
			    cases[i].scale)] = '\0';
			want = dec;
		}
		is_str(buf_cstr(&v), want, "  back as text");
	}

	/* Beyond an integer column's range: said as the server says it. */
	b.n = 0;
	is_int(pgb_put_value(&b, PGB_INT2, &(struct col_val){ .i = 40000 }, 0,
	    NULL, 0, "c", msg, sizeof msg), -1, "40000 is beyond an int2");
	is_str(msg, "value \"40000\" is out of range for type smallint "
	    "(column c)", "  said as the server says it");
	is_int((int64_t)b.n, 0, "  nothing put");
	is_int(pgb_put_value(&b, PGB_INT4, &(struct col_val){ .i = INT64_C(1) <<
	    31 }, 0, NULL, 0, "c", msg, sizeof msg), -1,
	    "2^31 is beyond an int4");

	buf_free(&b);
	buf_free(&v);
	return done_testing();
}
