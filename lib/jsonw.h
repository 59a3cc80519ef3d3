/*
 * jsonw.h - JSON text written straight to an out stream, without building
 * a jansson tree per record (jansson is used for nested values only).
 * Strings keep their UTF-8; control characters, quotes and backslashes are
 * escaped; a byte that is not valid UTF-8 becomes U+FFFD, so the output is
 * always valid JSON.
 */
#ifndef SLUICE_JSONW_H
#define SLUICE_JSONW_H

#include "out.h"
#include "rec.h"

/* A JSON string for p[0..n), quotes included. */
void jw_string(struct out *o, const char *p, size_t n);

/*
 * The same JSON string appended to b, for text built in memory (a JSON
 * column's value in a database sink).  Takes a writer of its own for
 * the call: for values now and then, not a stream of them.
 */
void jw_string_buf(struct buf *b, const char *p, size_t n);

/*
 * Untyped text as JSON: "true"/"false" as booleans, a JSON number that a
 * reader gets back exactly (a 64-bit integer, or at most 15 significant
 * digits within a double's normal range) as that number token as written
 * ("12.50" stays 12.50), anything else as a string ("007",
 * "12345678901234567890123", "1e400", "1e-400"), which reads back as the
 * same text.
 */
void jw_text(struct out *o, const char *p, size_t n);

/*
 * A jansson value, compact, with reals in their shortest spelling (where
 * jansson's own dump would print 17 digits: 9.8399999999999999).
 */
void jw_json(struct out *o, const json_t *j);

/* Any value: numbers that are not finite become null. */
void jw_val(struct out *o, const struct val *v);

/* The record as one object, fields in order (a field with no name is
   written as "columnN", N its position). */
void jw_rec(struct out *o, const struct rec *r);

#endif
