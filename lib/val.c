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

/* A string value's text without the spaces and tabs around it. */
static void
trimmed(const struct val *v, const char **p, size_t *n)
{
	*p = v->u.s.p;
	*n = v->u.s.n;
	text_trim(p, n);
}

static int
is_text(const struct val *v)
{
	return v->type == VAL_STR || v->type == VAL_TEXT;
}

int
val_to_int(const struct val *v, int64_t *out)
{
	const char *p;
	size_t n;

	switch (v->type) {
	case VAL_INT:
		*out = v->u.i;
		return 0;
	case VAL_DOUBLE:
		if (v->u.d != floor(v->u.d) || !(fabs(v->u.d) < 9.2e18))
			return -1;
		*out = (int64_t)v->u.d;
		return 0;
	case VAL_DEC: {
		int64_t p10 = 1;

		for (int k = 0; k < v->scale; k++)
			p10 *= 10;
		if (v->u.i % p10 != 0)
			return -1;
		*out = v->u.i / p10;
		return 0;
	}
	case VAL_STR:
	case VAL_TEXT:
		trimmed(v, &p, &n);
		return num_parse_int(p, n, out);
	default:
		return -1;
	}
}

int
val_to_double(const struct val *v, double *out)
{
	const char *p;
	size_t n;

	switch (v->type) {
	case VAL_INT:
		*out = (double)v->u.i;
		return 0;
	case VAL_DOUBLE:
		*out = v->u.d;
		return 0;
	case VAL_DEC:
		*out = (double)v->u.i / pow(10, v->scale);
		return 0;
	case VAL_STR:
	case VAL_TEXT:
		trimmed(v, &p, &n);
		return num_parse_double(p, n, out);
	default:
		return -1;
	}
}

int
val_to_decimal(const struct val *v, int scale, int64_t *out)
{
	char tmp[NUM_BUFSZ];
	const char *p;
	size_t n;

	switch (v->type) {
	case VAL_INT:
		n = num_fmt_int(tmp, v->u.i);
		return num_parse_decimal(tmp, n, scale, out);
	case VAL_DOUBLE:
		n = num_fmt_double(tmp, v->u.d);
		return n ? num_parse_decimal(tmp, n, scale, out) : -1;
	case VAL_DEC:
		n = num_fmt_decimal(tmp, v->u.i, v->scale);
		return num_parse_decimal(tmp, n, scale, out);
	case VAL_STR:
	case VAL_TEXT:
		trimmed(v, &p, &n);
		return num_parse_decimal(p, n, scale, out);
	default:
		return -1;
	}
}

int
val_to_bool(const struct val *v, int *out)
{
	static const char *const yes[] = { "true", "yes", "y", "t", "1" };
	static const char *const no[] = { "false", "no", "n", "f", "0" };
	const char *p;
	size_t n;

	if (v->type == VAL_BOOL) {
		*out = v->u.b;
		return 0;
	}
	if (v->type == VAL_INT && (v->u.i == 0 || v->u.i == 1)) {
		*out = (int)v->u.i;
		return 0;
	}
	if (!is_text(v))
		return -1;
	trimmed(v, &p, &n);
	for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++) {
		if (strlen(yes[k]) == n && strncasecmp(p, yes[k], n) == 0) {
			*out = 1;
			return 0;
		}
		if (strlen(no[k]) == n && strncasecmp(p, no[k], n) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
val_to_time(const struct val *v, int64_t *us)
{
	const char *p;
	size_t n;

	switch (v->type) {
	case VAL_INT:
		return ts_from_epoch_int(v->u.i, us);
	case VAL_DOUBLE:
		return ts_from_epoch(v->u.d, us);
	case VAL_STR:
	case VAL_TEXT:
		trimmed(v, &p, &n);
		return ts_parse(p, n, us);
	default:
		return -1;
	}
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
		buf_add(scratch, tmp, num_fmt_int(tmp, v->u.i));
		break;
	case VAL_DOUBLE:
		buf_add(scratch, tmp, num_fmt_double(tmp, v->u.d));
		break;
	case VAL_DEC:
		buf_add(scratch, tmp, num_fmt_decimal(tmp, v->u.i, v->scale));
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
