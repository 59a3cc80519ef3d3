/*
 * coltype.h - a column's type, whatever keeps the column (a Parquet
 * file, a SQLite or PostgreSQL table): the kinds, a value converted to
 * one, the kind a schema's field type asks for, and the kind a column's
 * values fit when no schema says.
 *
 * Three type systems meet here, each for its own question:
 *   enum val_type (val.h)  how one value is held at run time (typed
 *                          JSON, untyped CSV text, an exact decimal);
 *   enum ftype (schema.h)  what a schema declares a field to be (json:
 *                          a string that holds a JSON array or object);
 *   enum col_kind (here)   what a column stores, every value of it
 *                          converted to that one kind.
 * col_kind_of() is the one map from the second to the third; col_widen()
 * reads the first to guess the third.
 */
#ifndef SLUICE_COLTYPE_H
#define SLUICE_COLTYPE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "schema.h"
#include "val.h"

/* What a column holds, as a user sees it. */
enum col_kind {
	K_BOOL, K_INT, K_DOUBLE, K_DECIMAL, K_DATE, K_TIMESTAMP, K_STRING
};

/* "bool", "int", "float", "decimal", "date", "timestamp", "string". */
const char *col_kind_name(enum col_kind k);

/* A value converted to a column's kind. */
struct col_val {
	int null;
	int64_t i;		/* bool, int, decimal (scaled), date (days),
				   timestamp (us) */
	double d;
	const char *s;		/* string */
	size_t n;
	struct buf scratch;	/* the string's text when it was made */
};

/*
 * Convert v for a column (name, kind, scale).  Returns 0, or -1 (with a
 * message when msg is not NULL) when v is not of the column's kind.
 * Null, and empty text but in a string column, is out->null.  Free
 * out->scratch.
 */
int col_value(const char *name, enum col_kind kind, int scale,
    const struct val *v, struct col_val *out, char *msg, size_t msize);

/* The kind a field of type t is stored as (json: K_STRING). */
enum col_kind col_kind_of(enum ftype t);

/*
 * The kind sc gives field name (sc may be NULL), or -1 when it has no
 * such field; *scale its decimal digits, *json (when json is not NULL)
 * whether it holds JSON.
 */
int col_schema_kind(const struct schema *sc, const char *name, int *scale,
    int *json);

/* The kind values[0..n) of one column fit: bool, int -> float ->
   string, date, timestamp; mixed, or no values at all, a string. */
enum col_kind col_infer(const struct val *const *vals, size_t n);

/*
 * The same one value at a time, for values that come in no column's
 * order: a guess starts at COL_GUESS_NONE, col_widen() takes each value
 * in, and col_guess_kind() gives the kind they fit.  A guess is a kind
 * (the narrowest that holds the values so far) or COL_GUESS_NONE.
 */
enum { COL_GUESS_NONE = -1 };
int col_widen(int guess, const struct val *v);
enum col_kind col_guess_kind(int guess);

#endif
