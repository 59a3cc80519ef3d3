#include "val.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonw.h"
#include "num.h"
#include "out.h"
#include "ts.h"

void
text_trim(const char **p, size_t *n)
{
	const char *s = *p, *e = s + *n;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*p = s;
	*n = (size_t)(e - s);
}

/* A string's text, as the conversions read it. */
struct text {
	const char *p;
	size_t n;
};

/*
 * Is v a string?  Then t is its text without the spaces and tabs around
 * it: what every conversion parses, first, as most values it sees are
 * CSV cells.
 */
static inline int
text_of(const struct val *v, struct text *t)
{
	if (v->type != VAL_STR && v->type != VAL_TEXT)
		return 0;
	t->p = v->u.s.p;
	t->n = v->u.s.n;
	text_trim(&t->p, &t->n);
	return 1;
}

/*
 * A number (VAL_INT, VAL_DOUBLE, VAL_DEC) spelt into tmp as num.h prints
 * it; returns the length, 0 when v is no number or a double that is not
 * finite.
 */
static size_t
number_text(const struct val *v, char tmp[NUM_BUFSZ])
{
	switch (v->type) {
	case VAL_INT:
		return num_fmt_int(tmp, v->u.i);
	case VAL_DOUBLE:
		return num_fmt_double(tmp, v->u.d);
	case VAL_DEC:
		return num_fmt_decimal(tmp, v->u.i, v->scale);
	default:
		return 0;
	}
}

int
val_to_int(const struct val *v, int64_t *out)
{
	struct text t;
	int64_t unit = 1;

	if (text_of(v, &t))
		return num_parse_int(t.p, t.n, out);
	switch (v->type) {
	case VAL_INT:
		*out = v->u.i;
		return 0;
	case VAL_DOUBLE:
		if (v->u.d != floor(v->u.d) || !(fabs(v->u.d) < 9.2e18))
			return -1;
		*out = (int64_t)v->u.d;
		return 0;
	case VAL_DEC:
		for (int k = 0; k < v->scale; k++)
			unit *= 10;
		if (v->u.i % unit != 0)
			return -1;
		*out = v->u.i / unit;
		return 0;
	default:
		return -1;
	}
}

int
val_to_double(const struct val *v, double *out)
{
	struct text t;

	if (text_of(v, &t))
		return num_parse_double(t.p, t.n, out);
	if (v->type == VAL_INT)
		*out = (double)v->u.i;
	else if (v->type == VAL_DOUBLE)
		*out = v->u.d;
	else if (v->type == VAL_DEC)
		*out = (double)v->u.i / pow(10, v->scale);
	else
		return -1;
	return 0;
}

int
val_to_decimal(const struct val *v, int scale, int64_t *out)
{
	char tmp[NUM_BUFSZ];
	struct text t;
	size_t n;

	if (text_of(v, &t))
		return num_parse_decimal(t.p, t.n, scale, out);
	n = number_text(v, tmp);
	return n > 0 ? num_parse_decimal(tmp, n, scale, out) : -1;
}

int
val_to_bool(const struct val *v, int *out)
{
	static const char *const yes[] = { "true", "yes", "y", "t", "1" };
	static const char *const no[] = { "false", "no", "n", "f", "0" };
	struct text t;

	if (v->type == VAL_BOOL) {
		*out = v->u.b;
		return 0;
	}
	if (v->type == VAL_INT && (v->u.i == 0 || v->u.i == 1)) {
		*out = (int)v->u.i;
		return 0;
	}
	if (!text_of(v, &t))
		return -1;
	for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++) {
		if (strlen(yes[k]) == t.n && strncasecmp(t.p, yes[k], t.n) == 0) {
			*out = 1;
			return 0;
		}
		if (strlen(no[k]) == t.n && strncasecmp(t.p, no[k], t.n) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
val_to_time(const struct val *v, int64_t *us)
{
	struct text t;

	if (v->type == VAL_INT)
		return ts_from_epoch_int(v->u.i, us);
	if (v->type == VAL_DOUBLE)
		return ts_from_epoch(v->u.d, us);
	return text_of(v, &t) ? ts_parse(t.p, t.n, us) : -1;
}

const char *
val_to_text(const struct val *v, struct buf *scratch, size_t *n)
{
	char tmp[NUM_BUFSZ];

	scratch->n = 0;
	switch (v->type) {
	case VAL_NULL:
		*n = 0;
		return "";
	case VAL_BOOL:
		*n = v->u.b ? 4 : 5;
		return v->u.b ? "true" : "false";
	case VAL_INT:
	case VAL_DOUBLE:
	case VAL_DEC:
		buf_add(scratch, tmp, number_text(v, tmp));
		break;
	case VAL_STR:
	case VAL_TEXT:
		*n = v->u.s.n;
		return v->u.s.p;
	case VAL_JSON: {
		/* Our own writer: shortest reals, as everywhere else. */
		struct out *o = out_mem(scratch);

		jw_json(o, v->u.j);
		out_close(o);
		break;
	}
	}
	*n = scratch->n;
	return buf_cstr(scratch);
}

struct val
val_from_json(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_NULL:
		return val_null();
	case JSON_TRUE:
		return val_bool(1);
	case JSON_FALSE:
		return val_bool(0);
	case JSON_INTEGER:
		return val_int(json_integer_value(j));
	case JSON_REAL:
		return val_double(json_real_value(j));
	case JSON_STRING:
		return val_str(json_string_value(j), json_string_length(j));
	default: {
		struct val v = { .type = VAL_JSON, .u.j = (json_t *)j };
		return v;
	}
	}
}

int
val_is_plain_text(const char *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c >= 0x7f || c == ',' || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

const char *
val_type_name(enum val_type t)
{
	switch (t) {
	case VAL_NULL: return "null";
	case VAL_BOOL: return "bool";
	case VAL_INT: return "int";
	case VAL_DOUBLE: return "float";
	case VAL_DEC: return "decimal";
	case VAL_STR: return "string";
	case VAL_TEXT: return "text";
	case VAL_JSON: return "json";
	}
	return "?";
}
