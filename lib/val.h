/*
 * val.h - a typed value: what one field of a record holds.
 *
 * A CSV cell is VAL_TEXT: text whose type nobody has decided yet.  It is
 * converted only when a program asks (val_to_int, val_to_time...), so a
 * cell that is never used is never parsed.  JSON values arrive typed.
 * Strings are borrowed, not owned: they live as long as the record that
 * holds the value (see rec.h), and are always NUL-terminated at s.n.
 */
#ifndef SLUICE_VAL_H
#define SLUICE_VAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum val_type {
	VAL_NULL,	/* missing: an empty CSV cell, JSON null */
	VAL_BOOL,	/* u.b is 0 or 1 */
	VAL_INT,	/* u.i */
	VAL_DOUBLE,	/* u.d */
	VAL_DEC,	/* exact decimal: u.i / 10^scale (money) */
	VAL_STR,	/* a string known to be one: u.s (a JSON string) */
	VAL_TEXT,	/* untyped text, u.s (a CSV cell) */
	VAL_JSON	/* a JSON array or object: u.j, borrowed */
};

struct val {
	enum val_type type;
	int scale;			/* VAL_DEC: digits after the point;
					   VAL_STR/TEXT: VAL_PLAIN,
					   VAL_NUMERAL or 0 */
	union {
		int b;
		int64_t i;
		double d;
		struct {
			const char *p;	/* NUL-terminated at p[n] */
			size_t n;
		} s;
		json_t *j;
	} u;
};

/*
 * A string marked plain is non-empty printable ASCII with no comma, quote
 * or backslash: writers copy it without looking (no CSV quoting, no JSON
 * escaping).  Producers that know this (a UUID, a date) say so with
 * val_plain(); anything else is looked at byte by byte.
 */
#define VAL_PLAIN 1

/*
 * VAL_TEXT marked numeral is a JSON integer too long for 64 bits, kept
 * digit for digit: it reads as text that spells a number (val_to_double
 * takes it), and JSON writers write it back unquoted, the same digits.
 */
#define VAL_NUMERAL 2

/* Narrow p[0..n) to leave out the spaces and tabs around it. */
void text_trim(const char **p, size_t *n);

/* Is p[0..n) plain (see VAL_PLAIN)? */
int val_is_plain_text(const char *p, size_t n);

static inline struct val
val_null(void)
{
	struct val v = { .type = VAL_NULL };
	return v;
}

static inline struct val
val_bool(int b)
{
	struct val v = { .type = VAL_BOOL, .u.b = b != 0 };
	return v;
}

static inline struct val
val_int(int64_t i)
{
	struct val v = { .type = VAL_INT, .u.i = i };
	return v;
}

static inline struct val
val_double(double d)
{
	struct val v = { .type = VAL_DOUBLE, .u.d = d };
	return v;
}

static inline struct val
val_dec(int64_t scaled, int scale)
{
	struct val v = { .type = VAL_DEC, .scale = scale, .u.i = scaled };
	return v;
}

/*
 * A string value, p[0..n): p must stay valid, and be NUL-terminated at
 * p[n], while the value is used.  The four kinds differ only in type
 * and mark, so one constructor makes them all:
 *   val_str      a string known to be one (a JSON string)
 *   val_plain    a string the caller knows to be plain (VAL_PLAIN)
 *   val_text     untyped text (a CSV cell)
 *   val_numeral  a JSON integer beyond 64 bits, its digits (VAL_NUMERAL)
 */
static inline struct val
val_string(enum val_type type, int mark, const char *p, size_t n)
{
	struct val v = { .type = type, .scale = mark, .u.s = { p, n } };
	return v;
}

#define val_str(p, n)		val_string(VAL_STR, 0, p, n)
#define val_plain(p, n)		val_string(VAL_STR, VAL_PLAIN, p, n)
#define val_text(p, n)		val_string(VAL_TEXT, 0, p, n)
#define val_numeral(p, n)	val_string(VAL_TEXT, VAL_NUMERAL, p, n)

/* Is v text of no characters (a CSV "" or an empty JSON string)?  Typed
   fields read it as null; strings keep it. */
static inline int
val_is_empty_text(const struct val *v)
{
	return (v->type == VAL_TEXT || v->type == VAL_STR) && v->u.s.n == 0;
}

static inline int
val_is_null(const struct val *v)
{
	return v == NULL || v->type == VAL_NULL;
}

/*
 * A jansson value as a val: null, booleans, integers, reals, strings (as
 * VAL_STR), arrays and objects (as VAL_JSON).  Borrowed: valid while j is.
 */
struct val val_from_json(const json_t *j);

/*
 * Conversions.  Each returns 0 and sets *out, or -1 when the value is null
 * or cannot be read as that type.  Text is taken without surrounding
 * spaces and tabs.
 */

/* Integers; a double only when it is whole and in range; a decimal too. */
int val_to_int(const struct val *v, int64_t *out);

/* Any number, or text that spells one. */
int val_to_double(const struct val *v, double *out);

/*
 * Exact decimal with the given scale (see num_parse_decimal): integers,
 * decimals, text, and doubles through their shortest spelling, so 0.1
 * stays 0.1 and sums of money add up to the cent.
 */
int val_to_decimal(const struct val *v, int scale, int64_t *out);

/* true/false, yes/no, y/n, t/f, 1/0 in any case; integers 0 and 1. */
int val_to_bool(const struct val *v, int *out);

/* A time (see ts_parse); numbers as epoch time by their magnitude. */
int val_to_time(const struct val *v, int64_t *us);

/*
 * The value as text: strings as they are, numbers as num.h prints them,
 * booleans as true/false, JSON compact, null as "".  The result is valid
 * until scratch or the value's record changes; *n gets its length.
 */
const char *val_to_text(const struct val *v, struct buf *scratch,
    size_t *n);

/* A name for a type, for messages: "null", "int", ... */
const char *val_type_name(enum val_type t);

#endif
