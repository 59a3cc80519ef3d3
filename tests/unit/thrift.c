/* The Thrift compact writer against bytes readers accepted
   (docs/parquet.md, "Thrift compact protocol") and the protocol's edge
   cases. */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "parquet/thrift.h"

/* b as hex pairs, "15 00 ..." */
static const char *
hex(const struct buf *b)
{
	static char s[4096];
	size_t k = 0;

	s[0] = '\0';
	for (size_t i = 0; i < b->n && k + 4 < sizeof s; i++)
		k += (size_t)snprintf(s + k, sizeof s - k, "%s%02x", i ? " " : "",
		    (unsigned char)b->p[i]);
	return s;
}

int
main(void)
{
	struct buf b = { 0 };
	struct tw w;

	/* PageHeader: v1 data page, 200 bytes, 150 compressed, 33 values. */
	tw_init(&w, &b);
	tw_i32(&w, 1, 0);
	tw_i32(&w, 2, 200);
	tw_i32(&w, 3, 150);
	tw_struct(&w, 5);
	tw_i32(&w, 1, 33);
	tw_i32(&w, 2, 0);
	tw_i32(&w, 3, 3);
	tw_i32(&w, 4, 3);
	tw_end(&w);
	tw_end(&w);
	is_str(hex(&b), "15 00 15 90 03 15 ac 02 2c 15 42 15 00 15 06 15 06 00 00",
	    "a data page header, byte for byte");

	/* SchemaElement ts: INT64, OPTIONAL, TIMESTAMP_MICROS, and the
	   logical type TIMESTAMP(UTC, MICROS), a union in a union. */
	b.n = 0;
	tw_init(&w, &b);
	tw_i32(&w, 1, 2);
	tw_i32(&w, 3, 1);
	tw_string(&w, 4, "ts");
	tw_i32(&w, 6, 10);
	tw_struct(&w, 10);
	tw_struct(&w, 8);
	tw_bool(&w, 1, 1);
	tw_struct(&w, 2);
	tw_struct(&w, 2);
	tw_end(&w);
	tw_end(&w);
	tw_end(&w);
	tw_end(&w);
	tw_end(&w);
	is_str(hex(&b), "15 04 25 02 18 02 74 73 25 14 4c 8c 11 1c 2c 00 00 00 00 00",
	    "a timestamp schema element, nested unions, byte for byte");

	/* A jump of more than 15 ids: type byte, then the zigzag id. */
	b.n = 0;
	tw_init(&w, &b);
	tw_i64(&w, 1, -1);
	tw_i16(&w, 20, 300);
	tw_bool(&w, 21, 0);
	tw_end(&w);
	is_str(hex(&b), "16 01 04 28 d8 04 12 00",
	    "long id deltas, negative zigzag, i16, a false bool");

	/* Lists: short header under 15 elements, long one from 15. */
	b.n = 0;
	tw_init(&w, &b);
	tw_list(&w, 2, TT_I32, 3);
	tw_elem_i32(&w, 0);
	tw_elem_i32(&w, 3);
	tw_elem_i32(&w, 8);
	tw_list(&w, 3, TT_BINARY, 1);
	tw_elem_binary(&w, "ab", 2);
	tw_list(&w, 4, TT_STRUCT, 15);
	for (int i = 0; i < 15; i++) {
		tw_elem_struct(&w);
		tw_end(&w);
	}
	tw_end(&w);
	is_str(hex(&b), "29 35 00 06 10 19 18 02 61 62 19 fc 0f "
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    "lists: short and long headers, elements without field headers");
	buf_free(&b);
	return done_testing();
}
