/*
 * infer.c - a column's kind from the values of the first row group,
 * widened within it: bool, int -> float -> string; a date, a timestamp;
 * anything mixed otherwise is a string.  A column with no values is a
 * string.
 */
#include <string.h>
#include <strings.h>

#include "parquet/pq.h"

/* What one value could be, the narrowest first. */
enum guess { G_NONE, G_BOOL, G_INT, G_DOUBLE, G_DATE, G_TIMESTAMP,
	G_STRING };

static int
is_date(const char *p, size_t n)
{
	int64_t us;

	return n == 10 && p[4] == '-' && p[7] == '-' &&
	    ts_parse(p, n, &us) == 0;
}

static int
is_timestamp(const char *p, size_t n)
{
	int64_t us;

	/* ISO 8601 date and time; not bare numbers (epochs are ints). */
	return n > 10 && p[4] == '-' && (p[10] == 'T' || p[10] == ' ') &&
	    ts_parse(p, n, &us) == 0;
}

static enum guess
guess_of(const struct val *v)
{
	const char *p;
	size_t n;
	int64_t i;
	double d;

	switch (v->type) {
	case VAL_NULL:
		return G_NONE;
	case VAL_BOOL:
		return G_BOOL;
	case VAL_INT:
		return G_INT;
	case VAL_DOUBLE:
	case VAL_DEC:
		return G_DOUBLE;
	case VAL_JSON:
		return G_STRING;
	default:
		break;
	}
	p = v->u.s.p;
	n = v->u.s.n;
	if (n == 0)
		return v->type == VAL_TEXT ? G_NONE : G_STRING;
	/* A JSON integer beyond 64 bits keeps its digits: no column type
	   here holds it exactly, and a double would round it. */
	if (v->type == VAL_TEXT && v->scale == VAL_NUMERAL)
		return G_STRING;
	if (v->type == VAL_TEXT && num_parse_int(p, n, &i) == 0)
		return G_INT;
	if (v->type == VAL_TEXT && num_parse_double(p, n, &d) == 0)
		return G_DOUBLE;
	if (v->type == VAL_TEXT && ((n == 4 && strncasecmp(p, "true", 4) ==
	    0) || (n == 5 && strncasecmp(p, "false", 5) == 0)))
		return G_BOOL;
	if (is_date(p, n))
		return G_DATE;
	if (is_timestamp(p, n))
		return G_TIMESTAMP;
	return G_STRING;
}

/* The narrowest guess that holds both. */
static enum guess
widen(enum guess a, enum guess b)
{
	if (a == G_NONE || a == b)
		return b;
	if (b == G_NONE)
		return a;
	if ((a == G_INT && b == G_DOUBLE) || (a == G_DOUBLE && b == G_INT))
		return G_DOUBLE;
	return G_STRING;
}


int
pq_widen(int guess, const struct val *v)
{
	return guess == G_STRING ? G_STRING :
	    (int)widen((enum guess)guess, guess_of(v));
}

enum pq_kind
pq_guess_kind(int guess)
{
	switch ((enum guess)guess) {
	case G_BOOL:
		return K_BOOL;
	case G_INT:
		return K_INT;
	case G_DOUBLE:
		return K_DOUBLE;
	case G_DATE:
		return K_DATE;
	case G_TIMESTAMP:
		return K_TIMESTAMP;
	default:
		return K_STRING;
	}
}

enum pq_kind
pq_infer(const struct val *const *vals, size_t n)
{
	int g = 0;

	for (size_t i = 0; i < n && g != G_STRING; i++)
		g = pq_widen(g, vals[i]);
	return pq_guess_kind(g);
}
