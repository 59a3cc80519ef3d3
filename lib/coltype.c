/*
 * coltype.c - a column's type (coltype.h): values converted to a kind,
 * the kind of a schema's type, and a column's kind from the values of
 * its first rows, widened within them: bool, int -> float -> string; a
 * date, a timestamp; anything mixed otherwise is a string.  A column
 * with no values is a string.
 */
#include <string.h>
#include <strings.h>

#include "coltype.h"
#include "num.h"
#include "ts.h"

const char *
col_kind_name(enum col_kind k)
{
	static const char *const names[] = { "bool", "int", "float",
	    "decimal", "date", "timestamp", "string" };

	return names[k];
}

/* 1 for "true", 0 for "false" (any case), -1 for any other text. */
static int
true_false(const char *p, size_t n)
{
	if (n == 4 && strncasecmp(p, "true", 4) == 0)
		return 1;
	return n == 5 && strncasecmp(p, "false", 5) == 0 ? 0 : -1;
}

/* v as kind into out; 0, or -1 when it is not one (out as the
   conversion left it). */
static int
convert(enum col_kind kind, int scale, const struct val *v,
    struct col_val *out)
{
	int64_t us;
	size_t n;
	int b;

	switch (kind) {
	case K_BOOL:
		if (val_to_bool(v, &b) < 0)
			return -1;
		out->i = b;
		return 0;
	case K_INT:
		if (val_to_int(v, &out->i) == 0)
			return 0;
		/* A boolean in an integer column (SQLite's, which has no
		   booleans: a table made from booleans has INTEGER): 1 or 0,
		   as it stores true and false. */
		if (v->type == VAL_BOOL) {
			out->i = v->u.b;
			return 0;
		}
		if ((v->type == VAL_STR || v->type == VAL_TEXT) &&
		    (out->i = true_false(v->u.s.p, v->u.s.n)) >= 0)
			return 0;
		return -1;
	case K_DOUBLE:
		return val_to_double(v, &out->d);
	case K_DECIMAL:
		return val_to_decimal(v, scale, &out->i);
	case K_DATE:
		if (val_to_time(v, &us) < 0)
			return -1;
		out->i = ts_floor(us, TS_US_PER_DAY) / TS_US_PER_DAY;
		return out->i >= INT32_MIN && out->i <= INT32_MAX ? 0 : -1;
	case K_TIMESTAMP:
		return val_to_time(v, &out->i);
	case K_STRING:
		out->scratch.n = 0;
		out->s = val_to_text(v, &out->scratch, &n);
		out->n = n;
		return 0;
	}
	return -1;
}

/* Why v is no kind: "NAME: "VALUE" is not a KIND" into msg.  Out of
   line: it seldom runs, and inlined it costs col_value, which runs for
   every value, registers on every call. */
static __attribute__((noinline)) void
say_not(char *msg, size_t msize, const char *name, enum col_kind kind,
    const struct val *v)
{
	struct buf t = { 0 };
	size_t n;
	const char *s = val_to_text(v, &t, &n);

	snprintf(msg, msize, "%s: \"%.*s\" is not %s %s", name,
	    (int)(n > 40 ? 40 : n), s, kind == K_INT ? "an" : "a",
	    col_kind_name(kind));
	buf_free(&t);
}

int
col_value(const char *name, enum col_kind kind, int scale,
    const struct val *v, struct col_val *out, char *msg, size_t msize)
{
	out->null = 0;
	out->i = 0;
	out->d = 0;
	out->s = NULL;
	out->n = 0;
	if (val_is_null(v) || (kind != K_STRING && val_is_empty_text(v))) {
		out->null = 1;
		return 0;
	}
	if (convert(kind, scale, v, out) < 0) {
		if (msg != NULL)
			say_not(msg, msize, name, kind, v);
		return -1;
	}
	return 0;
}

enum col_kind
col_kind_of(enum ftype t)
{
	static const enum col_kind of[] = {
		[FT_STRING] = K_STRING, [FT_INT] = K_INT, [FT_FLOAT] = K_DOUBLE,
		[FT_DECIMAL] = K_DECIMAL, [FT_BOOL] = K_BOOL,
		[FT_DATE] = K_DATE, [FT_TIMESTAMP] = K_TIMESTAMP,
		[FT_JSON] = K_STRING,
	};

	return of[t];
}

int
col_schema_kind(const struct schema *sc, const char *name, int *scale,
    int *json)
{
	int i = sc != NULL ? schema_field_index(sc, name) : -1;

	if (i < 0)
		return -1;
	*scale = sc->fields[i].scale;
	if (json != NULL)
		*json = sc->fields[i].type == FT_JSON;
	return (int)col_kind_of(sc->fields[i].type);
}

static int
is_timestamp(const char *p, size_t n)
{
	int64_t us;

	/* ISO 8601 date and time; not bare numbers (epochs are ints). */
	return n > 10 && p[4] == '-' && (p[10] == 'T' || p[10] == ' ') &&
	    ts_parse(p, n, &us) == 0;
}

/* The narrowest kind one value could be, or COL_GUESS_NONE. */
static int
guess_of(const struct val *v)
{
	const char *p;
	size_t n;
	int64_t i;
	double d;

	switch (v->type) {
	case VAL_NULL:
		return COL_GUESS_NONE;
	case VAL_BOOL:
		return K_BOOL;
	case VAL_INT:
		return K_INT;
	case VAL_DOUBLE:
	case VAL_DEC:
		return K_DOUBLE;
	case VAL_JSON:
		return K_STRING;
	default:
		break;
	}
	p = v->u.s.p;
	n = v->u.s.n;
	if (n == 0)
		return v->type == VAL_TEXT ? COL_GUESS_NONE : K_STRING;
	/* A JSON integer beyond 64 bits keeps its digits: no column type
	   here holds it exactly, and a double would round it. */
	if (v->type == VAL_TEXT && v->scale == VAL_NUMERAL)
		return K_STRING;
	if (v->type == VAL_TEXT && num_parse_int(p, n, &i) == 0)
		return K_INT;
	if (v->type == VAL_TEXT && num_parse_double(p, n, &d) == 0)
		return K_DOUBLE;
	if (v->type == VAL_TEXT && true_false(p, n) >= 0)
		return K_BOOL;
	if (ts_is_date(p, n))
		return K_DATE;
	if (is_timestamp(p, n))
		return K_TIMESTAMP;
	return K_STRING;
}

int
col_widen(int guess, const struct val *v)
{
	int g;

	if (guess == K_STRING)
		return K_STRING;
	g = guess_of(v);
	/* The narrowest guess that holds both. */
	if (guess == COL_GUESS_NONE || guess == g)
		return g;
	if (g == COL_GUESS_NONE)
		return guess;
	if ((guess == K_INT && g == K_DOUBLE) ||
	    (guess == K_DOUBLE && g == K_INT))
		return K_DOUBLE;
	return K_STRING;
}

enum col_kind
col_guess_kind(int guess)
{
	return guess == COL_GUESS_NONE ? K_STRING : (enum col_kind)guess;
}

enum col_kind
col_infer(const struct val *const *vals, size_t n)
{
	int g = COL_GUESS_NONE;

	for (size_t i = 0; i < n && g != K_STRING; i++)
		g = col_widen(g, vals[i]);
	return col_guess_kind(g);
}
