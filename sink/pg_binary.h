/*
 * pg_binary.h - PostgreSQL's binary COPY format, value by value, for
 * pg-sink: which of the server's types have a binary form written here,
 * a converted value (coltype.h) as a field in that form, and a field
 * read back as the server would print it (a refused row's reject).
 * Binary spares the server parsing each value, the most of its work in
 * a COPY.  Nothing here speaks to the server.
 */
#ifndef SLUICE_PG_BINARY_H
#define SLUICE_PG_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "coltype.h"

/* A binary COPY's signature, flags and header extension; its trailer (a
   row of -1 fields). */
#define PGB_HEADER "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0"
#define PGB_HEADER_LEN 19
#define PGB_TRAILER "\377\377"
#define PGB_TRAILER_LEN 2

/* How a column's values go over the wire: the server's type, for those
   whose binary form is written here; PGB_NONE, as text. */
enum pgb_wire { PGB_NONE, PGB_BOOL, PGB_INT2, PGB_INT4, PGB_INT8,
	PGB_FLOAT4, PGB_FLOAT8, PGB_NUMERIC, PGB_DATE, PGB_TIMESTAMP,
	PGB_TEXT, PGB_JSONB };

/* The wire of the server's type typname (pg_type.typname: "int4"). */
enum pgb_wire pgb_wire_of(const char *typname);

/* Can a value of this kind go in binary to a column of this wire? */
int pgb_takes(enum col_kind kind, enum pgb_wire w);

/* v's low bytes (1 to 8) big-endian onto b; read back from p. */
void pgb_put_be(struct buf *b, uint64_t v, int bytes);
uint64_t pgb_get_be(const unsigned char *p, int bytes);

/*
 * Value pv (converted to its column's kind, pgb_takes w) as one field of
 * a binary row onto b: its length, then its bytes; a null as length -1.
 * scale: a numeric's digits after the point; txt[0..n): the bytes of a
 * text or JSON value (pv's string, or a JSON column's quoted string).
 * 0, or -1 when the value is beyond an int2's or int4's range: why,
 * naming column col, in msg (nothing put on b).
 */
int pgb_put_value(struct buf *b, enum pgb_wire w, const struct col_val *pv,
    int scale, const char *txt, size_t n, const char *col, char *msg,
    size_t msize);

/* A field's bytes p[0..n) of wire w as text onto v, as the server
   would print the value. */
void pgb_text(struct buf *v, enum pgb_wire w, const unsigned char *p,
    size_t n);

#endif
