/*
 * schema_check_fields.c - the fields: a name, a type (and a decimal's
 * scale), a null rate, and a generator with the parameters it takes, each
 * of the right kind and sensible, its values fitting the field's type.
 * The same check serves an entity's fields and a list's items, which see
 * no record field.
 */
#include "schema_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "src.h"

/* A constant bound may not exceed the other. */
static void
check_bounds(struct ctx *c, const char *path, const json_t *f,
    const char *lo, const char *hi)
{
	const json_t *a = json_object_get(f, lo), *b = json_object_get(f, hi);

	if (a && b && json_is_number(a) && json_is_number(b) &&
	    json_number_value(a) > json_number_value(b))
		jc_fail(&c->jc, path, "%s %g is above %s %g", lo,
		    json_number_value(a), hi, json_number_value(b));
}

static const char *const generators[] = {
	"uuid", "sequence", "pattern", "uniform", "normal", "lognormal",
	"choice", "time", "bool", "geo", "derived", "ref", "const",
	"session", "list", NULL
};

/* Keys a field may have: common ones, then every generator parameter. */
static const char *const field_keys[] = {
	"name", "type", "scale", "gen", "description", "null_rate",
	"start", "step", "pattern", "min", "max", "round", "mean", "stddev",
	"median", "sigma", "values", "weights", "hours", "weekdays", "ramp",
	"p", "box", "axis", "point", "expr", "entity", "attr",
	"value", "items", "min_items", "max_items", NULL
};

/* Which parameters each generator takes (beyond the common keys). */
static const struct {
	const char *gen;
	const char *const params[8];
} gen_params[] = {
	{ "uuid", { NULL } },
	{ "sequence", { "start", "step", NULL } },
	{ "pattern", { "pattern", NULL } },
	{ "uniform", { "min", "max", "round", NULL } },
	{ "normal", { "mean", "stddev", "min", "max", "round", NULL } },
	{ "lognormal", { "median", "sigma", "min", "max", "round", NULL } },
	{ "choice", { "values", "weights", NULL } },
	{ "time", { "hours", "weekdays", "ramp", NULL } },
	{ "bool", { "p", NULL } },
	{ "geo", { "box", "axis", "point", "round", NULL } },
	{ "derived", { "expr", NULL } },
	{ "ref", { "entity", "attr", NULL } },
	{ "const", { "value", NULL } },
	{ "session", { NULL } },
	{ "list", { "items", "min_items", "max_items", NULL } },
};

static int
is_number_type(enum ftype t)
{
	return t == FT_INT || t == FT_FLOAT || t == FT_DECIMAL;
}

/* The generator's parameters: known, of the right kind, sensible. */
static void
check_gen(struct ctx *c, const char *path, const json_t *f,
    struct schema_field *sf, int in_entity)
{
	const char *g = sf->gen, *key;
	size_t gi;
	json_t *v;
	char at[256];

	for (gi = 0; strcmp(gen_params[gi].gen, g) != 0; gi++)
		;
	/* A parameter of another generator is a mistake here. */
	json_object_foreach((json_t *)f, key, v) {
		int common = 0, mine = 0;

		for (int k = 0; k < 6; k++)
			common |= strcmp(field_keys[k], key) == 0;
		for (int k = 0; gen_params[gi].params[k]; k++)
			mine |= strcmp(gen_params[gi].params[k], key) == 0;
		if (!common && !mine) {
			jc_fail(&c->jc, jc_path(at, sizeof at, path, key),
			    "not a parameter of the %s generator", g);
			return;
		}
	}
	if (strcmp(g, "uniform") == 0) {
		check_numeric(c, path, f, "min", 1);
		check_numeric(c, path, f, "max", 1);
	} else if (strcmp(g, "normal") == 0) {
		check_numeric(c, path, f, "mean", 1);
		check_numeric(c, path, f, "stddev", 1);
	} else if (strcmp(g, "lognormal") == 0) {
		check_numeric(c, path, f, "median", 1);
		check_numeric(c, path, f, "sigma", 1);
	}
	if (strcmp(g, "normal") == 0 || strcmp(g, "lognormal") == 0) {
		check_numeric(c, path, f, "min", 0);
		check_numeric(c, path, f, "max", 0);
	}
	if (json_object_get(f, "round") != NULL) {
		long long r = jc_int(&c->jc, path, f, "round", 0, 0);

		if (r < 0 || r > 9)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "round"),
			    "0 to 9 decimals");
	}
	if ((strcmp(g, "uniform") == 0 || strcmp(g, "normal") == 0 ||
	    strcmp(g, "lognormal") == 0 || strcmp(g, "sequence") == 0 ||
	    strcmp(g, "geo") == 0) && !is_number_type(sf->type))
		jc_fail(&c->jc, jc_path(at, sizeof at, path, "gen"),
		    "%s makes numbers, but the type is %s", g,
		    ftype_name(sf->type));
	if ((strcmp(g, "uuid") == 0 || strcmp(g, "pattern") == 0 ||
	    strcmp(g, "session") == 0) && sf->type != FT_STRING)
		jc_fail(&c->jc, jc_path(at, sizeof at, path, "gen"),
		    "%s makes text, but the type is %s", g,
		    ftype_name(sf->type));
	if (strcmp(g, "bool") == 0 && sf->type != FT_BOOL &&
	    sf->type != FT_STRING)
		jc_fail(&c->jc, jc_path(at, sizeof at, path, "gen"),
		    "bool makes booleans, but the type is %s",
		    ftype_name(sf->type));
	check_bounds(c, path, f, "min", "max");
	if (strcmp(g, "sequence") == 0) {
		jc_int(&c->jc, path, f, "start", 0, 1);
		jc_int(&c->jc, path, f, "step", 0, 1);
	} else if (strcmp(g, "pattern") == 0) {
		const char *p = jc_string(&c->jc, path, f, "pattern", 1, "");

		/* Placeholders exactly: {seq}, {seq:N} (N 1-18), {day}. */
		for (; *p; p++) {
			if (*p == '\\' && p[1]) {
				p++;
				continue;
			}
			if (*p != '{')
				continue;
			if (strncmp(p, "{day}", 5) == 0) {
				p += 4;
			} else if (strncmp(p, "{seq}", 5) == 0) {
				p += 4;
			} else if (strncmp(p, "{seq:", 5) == 0 &&
			    p[5] >= '1' && p[5] <= '9' && (p[6] == '}' ||
			    (p[6] >= '0' && p[6] <= '8' && p[5] == '1' &&
			    p[7] == '}'))) {
				p = strchr(p, '}');
			} else {
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "pattern"), "bad placeholder at \"%.12s\" "
				    "({seq}, {seq:N} with N 1 to 18, or {day}; "
				    "\\{ for a brace)", p);
				break;
			}
		}
	} else if (strcmp(g, "choice") == 0) {
		const json_t *vals = jc_array(&c->jc, path, f, "values", 1, 1);

		if (vals != NULL) {
			size_t i;
			json_t *x;

			check_weights(c, jc_path(at, sizeof at, path, "weights"),
			    json_object_get(f, "weights"), json_array_size(vals));
			json_array_foreach(vals, i, x)
				if (!c->jc.failed && !fits_type(x, sf->type)) {
					char p2[256];

					jc_fail(&c->jc, jc_index(p2, sizeof p2,
					    jc_path(at, sizeof at, path,
					    "values"), i), "not %s %s value",
					    ftype_article(sf->type),
					    ftype_name(sf->type));
				}
		}
	} else if (strcmp(g, "time") == 0) {
		if (sf->type != FT_DATE && sf->type != FT_TIMESTAMP)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "gen"),
			    "time makes dates or timestamps, but the type "
			    "is %s", ftype_name(sf->type));
		check_weights(c, jc_path(at, sizeof at, path, "hours"),
		    json_object_get(f, "hours"), 24);
		check_weights(c, jc_path(at, sizeof at, path, "weekdays"),
		    json_object_get(f, "weekdays"), 7);
		if (jc_number(&c->jc, path, f, "ramp", 0, 0) < -1)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "ramp"),
			    "a ramp is -1 or more");
		if (json_object_get(f, "ramp") != NULL && c->s->start == NULL)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "ramp"),
			    "a ramp grows from the schema's \"start\": give one");
	} else if (strcmp(g, "bool") == 0) {
		double p = jc_number(&c->jc, path, f, "p", 0, 0.5);

		if (p < 0 || p > 1)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "p"),
			    "a probability is 0 to 1");
	} else if (strcmp(g, "geo") == 0) {
		const json_t *box = jc_array(&c->jc, path, f, "box", 1, 1);

		if (box != NULL && json_array_size(box) != 4)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "box"),
			    "[lat_min, lat_max, lon_min, lon_max]");
		jc_choice(&c->jc, jc_path(at, sizeof at, path, "axis"), "axis",
		    jc_string(&c->jc, path, f, "axis", 1, "lat"),
		    (const char *const[]){ "lat", "lon", NULL });
	} else if (strcmp(g, "derived") == 0) {
		const char *e = jc_string(&c->jc, path, f, "expr", 1, NULL);

		if (e != NULL)
			check_expr(c, jc_path(at, sizeof at, path, "expr"), e);
	} else if (strcmp(g, "ref") == 0) {
		const char *ent = jc_string(&c->jc, path, f, "entity", 1, "");
		const char *attr = jc_string(&c->jc, path, f, "attr", 1, "");
		char full[256];

		if (in_entity)
			jc_fail(&c->jc, path, "an entity's fields cannot refer "
			    "to entities");
		snprintf(full, sizeof full, "%s.%s", ent, attr);
		if (!c->jc.failed &&
		    check_resolve(c, full) < (int)c->s->nfields)
			jc_fail(&c->jc, path, "no entity attribute \"%s\"",
			    full);
	} else if (strcmp(g, "list") == 0) {
		const json_t *items = jc_array(&c->jc, path, f, "items", 1, 1);
		long long lo = jc_int(&c->jc, path, f, "min_items", 0, 1);
		long long hi = jc_int(&c->jc, path, f, "max_items", 0, lo);
		struct schema_field *sf2;
		size_t n;

		if (sf->type != FT_JSON)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "type"),
			    "a list is of type json");
		if (!c->jc.failed && (lo < 0 || hi < lo || hi > 1000))
			jc_fail(&c->jc, path, "0 <= min_items <= max_items "
			    "<= 1000");
		if (items != NULL && !c->jc.failed) {
			/* Items are made like an entity's rows. */
			sf2 = check_fields(c, jc_path(at, sizeof at, path,
			    "items"), items, &n, 1);
			free(sf2);
		}
	} else if (strcmp(g, "const") == 0) {
		const json_t *x = json_object_get(f, "value");

		if (x == NULL)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "value"),
			    "missing");
		else if (!json_is_null(x) && !fits_type(x, sf->type))
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "value"),
			    "not %s %s value", ftype_article(sf->type),
			    ftype_name(sf->type));
	}
}

/* One field: name, type, scale, generator. */
static void
check_field(struct ctx *c, const char *path, const json_t *f,
    struct schema_field *sf, int in_entity)
{
	const char *type;
	char at[256];
	double nr;

	if (check_object(c, path, f, "a field is an object", field_keys) < 0)
		return;
	sf->spec = f;
	sf->name = jc_string(&c->jc, path, f, "name", 1, "");
	if (!c->jc.failed && *sf->name == '\0')
		jc_fail(&c->jc, jc_path(at, sizeof at, path, "name"),
		    "must not be empty");
	type = jc_string(&c->jc, path, f, "type", 0, "string");
	if (!c->jc.failed)
		sf->type = (enum ftype)jc_choice(&c->jc,
		    jc_path(at, sizeof at, path, "type"), "type", type,
		    schema_type_names);
	sf->scale = (int)jc_int(&c->jc, path, f, "scale", 0,
	    sf->type == FT_DECIMAL ? 2 : 0);
	if (sf->scale < 0 || sf->scale > 9)
		jc_fail(&c->jc, jc_path(at, sizeof at, path, "scale"),
		    "0 to 9 digits");
	nr = jc_number(&c->jc, path, f, "null_rate", 0, 0);
	if (nr < 0 || nr > 1)
		jc_fail(&c->jc, jc_path(at, sizeof at, path, "null_rate"),
		    "a probability is 0 to 1");
	sf->gen = jc_string(&c->jc, path, f, "gen", 0, NULL);
	if (sf->gen != NULL && !c->jc.failed &&
	    jc_choice(&c->jc, jc_path(at, sizeof at, path, "gen"),
	    "generator", sf->gen, generators) >= 0)
		check_gen(c, path, f, sf, in_entity);
}

struct schema_field *
check_fields(struct ctx *c, const char *path, const json_t *arr,
    size_t *nout, int in_entity)
{
	struct schema_field *out;
	size_t i, n = json_array_size(arr);
	json_t *f;
	char at[256];
	struct nameidx local = { 0 }, *names = in_entity ? &local :
	    &c->s->names;	/* the names so far, for repeats */

	size_t saved = c->defined;

	if (n > src_max_fields) {
		jc_fail(&c->jc, path, "%zu fields, more than a record may "
		    "have (SLUICE_MAX_COLUMNS, %zu)", n, src_max_fields);
		*nout = 0;
		return ecalloc(1, sizeof *out);
	}
	out = ecalloc(n ? n : 1, sizeof *out);
	nameidx_reset(names, n);
	*nout = n;
	/* An entity's or a list's fields see no record fields. */
	if (in_entity)
		c->defined = 0;
	/* Expressions may use the fields before them: say how many. */
	if (!in_entity)
		c->s->fields = out;
	json_array_foreach(arr, i, f) {
		jc_index(at, sizeof at, path, i);
		if (!in_entity) {
			c->s->nfields = i;
			c->defined = i;
		}
		check_field(c, at, f, &out[i], in_entity);
		if (!c->jc.failed && nameidx_put(names, out[i].name,
		    (uint32_t)i) >= 0)
			jc_fail(&c->jc, at, "field \"%s\" appears twice",
			    out[i].name);
		if (c->jc.failed)
			break;
	}
	if (!in_entity)
		c->s->nfields = n;
	else
		c->defined = saved;
	nameidx_free(&local);
	return out;
}
