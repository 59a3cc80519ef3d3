/*
 * schema_check.c - what every section's check shares: the names an
 * expression may use at this point of the file (the fields before it,
 * entity attributes, lookup tables), numeric parameters, weights, values
 * that must fit a field's type, and fields a section names.
 */
#include "schema_impl.h"

#include <string.h>

#include "expr.h"
#include "ts.h"

int
check_resolve(void *vctx, const char *name)
{
	struct ctx *c = vctx;
	size_t limit = c->all_fields ? c->s->nfields : c->defined;
	int at = schema_field_index(c->s, name);

	if (at >= 0 && (size_t)at < limit)
		return at;
	for (size_t i = 0; i < c->nattrs; i++)
		if (strcmp(c->attrs[i], name) == 0)
			return (int)(c->s->nfields + i);
	return -1;
}

static const json_t *
table(void *vctx, const char *name)
{
	struct ctx *c = vctx;

	return c->s->lookups ? json_object_get(c->s->lookups, name) : NULL;
}

void
check_expr(struct ctx *c, const char *path, const char *text)
{
	struct expr_env env = { check_resolve, table, c };
	char err[256];
	struct expr *e = expr_compile(text, &env, err, sizeof err);

	if (e == NULL)
		jc_fail(&c->jc, path, "%s", err);
	expr_free(e);
}

void
check_numeric(struct ctx *c, const char *path, const json_t *obj,
    const char *key, int required)
{
	const json_t *v = json_object_get(obj, key);
	char at[256];

	jc_path(at, sizeof at, path, key);
	if (v == NULL) {
		if (required)
			jc_fail(&c->jc, at, "missing");
	} else if (json_is_string(v)) {
		check_expr(c, at, json_string_value(v));
	} else if (!json_is_number(v)) {
		jc_fail(&c->jc, at, "expected a number or an expression");
	}
}

void
check_weights(struct ctx *c, const char *path, const json_t *w, size_t count)
{
	size_t i;
	json_t *x;
	double sum = 0;
	char at[256];

	if (w == NULL)
		return;
	if (!json_is_array(w) || json_array_size(w) != count) {
		jc_fail(&c->jc, path, "expected an array of %zu weights", count);
		return;
	}
	json_array_foreach(w, i, x) {
		if (!json_is_number(x) || json_number_value(x) < 0) {
			jc_fail(&c->jc, jc_index(at, sizeof at, path, i),
			    "a weight is a number, 0 or more");
			return;
		}
		sum += json_number_value(x);
	}
	if (sum <= 0)
		jc_fail(&c->jc, path, "the weights add up to 0");
}

int
fits_type(const json_t *v, enum ftype t)
{
	switch (t) {
	case FT_STRING:
		return json_is_string(v) || json_is_number(v) ||
		    json_is_boolean(v);
	case FT_INT:
		return json_is_integer(v);
	case FT_FLOAT:
	case FT_DECIMAL:
		return json_is_number(v);
	case FT_BOOL:
		return json_is_boolean(v);
	case FT_DATE:
	case FT_TIMESTAMP: {
		int64_t us;

		return json_is_string(v) && ts_parse(json_string_value(v),
		    json_string_length(v), &us) == 0;
	}
	case FT_JSON:
		return json_is_array(v) || json_is_object(v);
	}
	return 0;
}

int
check_object(struct ctx *c, const char *path, const json_t *x,
    const char *what, const char *const *allowed)
{
	if (!json_is_object(x)) {
		jc_fail(&c->jc, path, "%s", what);
		return -1;
	}
	return jc_keys(&c->jc, path, x, allowed);
}

int
named_before(const json_t *arr, size_t i, const char *name)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(json_string_value(json_object_get(
		    json_array_get(arr, j), "name")), name) == 0)
			return 1;
	return 0;
}

int
need_field(struct ctx *c, const char *path, const char *name,
    const char *what, const enum ftype *types, int ntypes)
{
	int i = schema_field_index(c->s, name);

	if (i < 0) {
		const char *names[512];
		size_t k;

		for (k = 0; k < c->s->nfields && k < 511; k++)
			names[k] = c->s->fields[k].name;
		names[k] = NULL;
		const char *near = jc_nearest(name, names);

		jc_fail(&c->jc, path, "no field \"%s\"%s%s%s", name,
		    near ? " (did you mean \"" : "", near ? near : "",
		    near ? "\"?)" : "");
		return -1;
	}
	if (ntypes == 0)
		return i;
	for (int k = 0; k < ntypes; k++)
		if (c->s->fields[i].type == types[k])
			return i;
	jc_fail(&c->jc, path, "%s \"%s\" is a %s field", what, name,
	    ftype_name(c->s->fields[i].type));
	return -1;
}
