#include "jsonw.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "utf8.h"

/* Bytes that cannot be copied as they are: controls, '"', '\\', >= 0x80. */
static inline int
special(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
}

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Does any byte of w need attention (see special)?  Bit tricks on 8 bytes. */
static inline int
word_special(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');

	return ((w & HIGHS) |			/* >= 0x80 */
	    ((w - ONES * 0x20) & ~w & HIGHS) |	/* < 0x20 */
	    ((quote - ONES) & ~quote & HIGHS) |	/* '"' */
	    ((bslash - ONES) & ~bslash & HIGHS)) != 0;
}

void
jw_string(struct out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	const unsigned char *run = p;

	out_putc(o, '"');
	while (p < e) {
		unsigned char c;
		char esc[8];
		size_t len;
		uint64_t w;

		/* Most text needs no escaping: skip it a word at a time. */
		if (e - p >= 8) {
			memcpy(&w, p, 8);
			if (!word_special(w)) {
				p += 8;
				continue;
			}
		}
		c = *p;
		if (!special(c)) {
			p++;
			continue;
		}
		if (c >= 0x80 && (len = utf8_seq(p, (size_t)(e - p))) > 0) {
			p += len;
			continue;
		}
		out_write(o, run, (size_t)(p - run));
		switch (c) {
		case '"': out_write(o, "\\\"", 2); break;
		case '\\': out_write(o, "\\\\", 2); break;
		case '\n': out_write(o, "\\n", 2); break;
		case '\r': out_write(o, "\\r", 2); break;
		case '\t': out_write(o, "\\t", 2); break;
		case '\b': out_write(o, "\\b", 2); break;
		case '\f': out_write(o, "\\f", 2); break;
		default:
			if (c < 0x20) {
				snprintf(esc, sizeof esc, "\\u%04x", c);
				out_write(o, esc, 6);
			} else {
				out_write(o, "\\ufffd", 6);
			}
		}
		run = ++p;
	}
	out_write(o, run, (size_t)(p - run));
	out_putc(o, '"');
}

void
jw_string_buf(struct buf *b, const char *p, size_t n)
{
	struct out *o = out_mem(b);

	jw_string(o, p, n);
	out_close(o);
}

/*
 * Would a reader get back exactly this number?  An integer must fit in 64
 * bits; any other number must have at most 15 significant digits, which a
 * double keeps, and lie in a double's normal range: 1e400 would not read
 * back at all (no double is that large), 1e-400 would read as 0, and
 * 1.5e-320 (a subnormal) with fewer digits.  Any other number stays text,
 * so nothing is rounded away and what sluice writes it reads.
 */
static int
exact_number(const char *p, size_t n)
{
	int64_t i;
	int digits = 0, leading = 1, exp = 0;
	double d;

	if (!num_is_json(p, n))
		return 0;
	if (memchr(p, '.', n) == NULL && memchr(p, 'e', n) == NULL &&
	    memchr(p, 'E', n) == NULL)
		return num_parse_int(p, n, &i) == 0;
	for (size_t k = 0; k < n; k++) {
		if (p[k] == 'e' || p[k] == 'E') {
			exp = 1;
			break;
		}
		if (p[k] < '0' || p[k] > '9')
			continue;
		if (p[k] != '0')
			leading = 0;
		if (!leading)
			digits++;
	}
	if (digits > 15)
		return 0;
	/* Without an exponent, 15 digits reach past the range only in a
	   text hundreds of bytes long (0.000...1): else no need to look. */
	if (!exp && n < 300)
		return 1;
	if (num_parse_double(p, n, &d) < 0)
		return 0;	/* beyond a double either way */
	return d == 0 ? digits == 0 : fabs(d) >= DBL_MIN;
}

void
jw_text(struct out *o, const char *p, size_t n)
{
	if ((n == 4 && memcmp(p, "true", 4) == 0) ||
	    (n == 5 && memcmp(p, "false", 5) == 0) || exact_number(p, n))
		out_write(o, p, n);
	else
		jw_string(o, p, n);
}

/* A double in its shortest spelling, or null: JSON has no NaN or
   infinity. */
static inline void
put_double(struct out *o, double d)
{
	char tmp[NUM_BUFSZ];
	size_t n = num_fmt_double(tmp, d);

	if (n > 0)
		out_write(o, tmp, n);
	else
		out_write(o, "null", 4);
}

void
jw_json(struct out *o, const json_t *j)
{
	char tmp[NUM_BUFSZ];
	const char *key;
	json_t *v;
	size_t i;
	int first = 1;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		out_putc(o, '{');
		json_object_foreach((json_t *)j, key, v) {
			if (!first)
				out_putc(o, ',');
			first = 0;
			jw_string(o, key, strlen(key));
			out_putc(o, ':');
			jw_json(o, v);
		}
		out_putc(o, '}');
		break;
	case JSON_ARRAY:
		out_putc(o, '[');
		json_array_foreach(j, i, v) {
			if (i > 0)
				out_putc(o, ',');
			jw_json(o, v);
		}
		out_putc(o, ']');
		break;
	case JSON_STRING:
		jw_string(o, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		out_write(o, tmp, num_fmt_int(tmp, json_integer_value(j)));
		break;
	case JSON_REAL:
		put_double(o, json_real_value(j));
		break;
	case JSON_TRUE:
		out_write(o, "true", 4);
		break;
	case JSON_FALSE:
		out_write(o, "false", 5);
		break;
	default:
		out_write(o, "null", 4);
	}
}

void
jw_val(struct out *o, const struct val *v)
{
	char tmp[NUM_BUFSZ];

	switch (v->type) {
	case VAL_NULL:
		out_write(o, "null", 4);
		break;
	case VAL_BOOL:
		out_puts(o, v->u.b ? "true" : "false");
		break;
	case VAL_INT:
		out_write(o, tmp, num_fmt_int(tmp, v->u.i));
		break;
	case VAL_DOUBLE:
		put_double(o, v->u.d);
		break;
	case VAL_DEC:
		out_write(o, tmp, num_fmt_decimal(tmp, v->u.i, v->scale));
		break;
	case VAL_STR:
		if (v->scale == VAL_PLAIN) {
			out_putc(o, '"');
			out_write(o, v->u.s.p, v->u.s.n);
			out_putc(o, '"');
		} else {
			jw_string(o, v->u.s.p, v->u.s.n);
		}
		break;
	case VAL_TEXT:
		if (v->scale == VAL_NUMERAL)	/* a JSON number, digit for digit */
			out_write(o, v->u.s.p, v->u.s.n);
		else
			jw_text(o, v->u.s.p, v->u.s.n);
		break;
	case VAL_JSON:
		jw_json(o, v->u.j);
		break;
	}
}

void
jw_rec(struct out *o, const struct rec *r)
{
	out_putc(o, '{');
	for (size_t i = 0; i < r->n; i++) {
		const struct field *f = &r->f[i];

		if (i > 0)
			out_putc(o, ',');
		if (f->name != NULL) {
			jw_string(o, f->name, strlen(f->name));
		} else {
			char name[32];
			int k = snprintf(name, sizeof name, "column%zu", i + 1);

			jw_string(o, name, (size_t)k);
		}
		out_putc(o, ':');
		jw_val(o, &f->v);
	}
	out_putc(o, '}');
}
