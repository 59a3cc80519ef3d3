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
#include "generators.h"
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

/* A field's own keys; the others are its generator's parameters. */
static const char *const own_keys[] = { "name", "type", "scale", "gen",
	"description", "null_rate", NULL };
_Static_assert(sizeof own_keys / sizeof *own_keys <= SCHEMA_OWN_KEYS,
    "struct ctx's field_keys has room for the own keys");

/* Placeholders exactly: {seq}, {seq:N} (N 1-18), {day}. */
static void
check_pattern(struct ctx *c, const char *path, const json_t *f)
{
	const char *p = jc_string(&c->jc, path, f, "pattern", 1, "");
	char at[256];

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
}

/* Values of the field's type, and a weight for each. */
static void
check_choice(struct ctx *c, const char *path, const json_t *f,
    const struct schema_field *sf)
{
	const json_t *vals = jc_array(&c->jc, path, f, "values", 1, 1);
	size_t i;
	json_t *x;
	char at[256], p2[256];

	if (vals == NULL)
		return;
	check_weights(c, jc_path(at, sizeof at, path, "weights"),
	    json_object_get(f, "weights"), json_array_size(vals));
	json_array_foreach(vals, i, x)
		if (!c->jc.failed && !fits_type(x, sf->type))
			jc_fail(&c->jc, jc_index(p2, sizeof p2,
			    jc_path(at, sizeof at, path, "values"), i),
			    "not %s %s value", ftype_article(sf->type),
			    ftype_name(sf->type));
}

/* Weights by hour and weekday, and a ramp from the schema's start. */
static void
check_time(struct ctx *c, const char *path, const json_t *f)
{
	char at[256];

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
}

/* An attribute of an entity pool, from a record's field only. */
static void
check_ref(struct ctx *c, const char *path, const json_t *f, int in_entity)
{
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
}

/* Items made like an entity's rows, a bounded number of them. */
static void
check_list(struct ctx *c, const char *path, const json_t *f,
    const struct schema_field *sf)
{
	const json_t *items = jc_array(&c->jc, path, f, "items", 1, 1);
	long long lo = jc_int(&c->jc, path, f, "min_items", 0, 1);
	long long hi = jc_int(&c->jc, path, f, "max_items", 0, lo);
	struct schema_field *sf2;
	size_t n;
	char at[256];

	if (!gkind_fills(G_LIST, sf->type))
		jc_fail(&c->jc, jc_path(at, sizeof at, path, "type"),
		    "a list is of type json");
	if (!c->jc.failed && (lo < 0 || hi < lo || hi > 1000))
		jc_fail(&c->jc, path, "0 <= min_items <= max_items "
		    "<= 1000");
	if (items != NULL && !c->jc.failed) {
		sf2 = check_fields(c, jc_path(at, sizeof at, path,
		    "items"), items, &n, 1);
		free(sf2);
	}
}

/* The generator's parameters: known, of the right kind, sensible. */
static void
check_gen(struct ctx *c, const char *path, const json_t *f,
    struct schema_field *sf, int in_entity)
{
	enum gkind k = gkind_of(sf->gen);
	const char *g = sf->gen, *key;
	json_t *v;
	char at[256];

	/* A parameter of another generator is a mistake here. */
	json_object_foreach((json_t *)f, key, v) {
		int own = 0;

		for (const char *const *p = own_keys; *p != NULL; p++)
			own |= strcmp(*p, key) == 0;
		if (!own && !gkind_takes(k, key)) {
			jc_fail(&c->jc, jc_path(at, sizeof at, path, key),
			    "not a parameter of the %s generator", g);
			return;
		}
	}
	if (k == G_UNIFORM) {
		check_numeric(c, path, f, "min", 1);
		check_numeric(c, path, f, "max", 1);
	} else if (k == G_NORMAL) {
		check_numeric(c, path, f, "mean", 1);
		check_numeric(c, path, f, "stddev", 1);
	} else if (k == G_LOGNORMAL) {
		check_numeric(c, path, f, "median", 1);
		check_numeric(c, path, f, "sigma", 1);
	}
	if (k == G_NORMAL || k == G_LOGNORMAL) {
		check_numeric(c, path, f, "min", 0);
		check_numeric(c, path, f, "max", 0);
	}
	if (json_object_get(f, "round") != NULL) {
		long long r = jc_int(&c->jc, path, f, "round", 0, 0);

		if (r < 0 || r > 9)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "round"),
			    "0 to 9 decimals");
	}
	if (gkind_def(k)->makes != NULL && !gkind_fills(k, sf->type))
		jc_fail(&c->jc, jc_path(at, sizeof at, path, "gen"),
		    "%s makes %s, but the type is %s", g, gkind_def(k)->makes,
		    ftype_name(sf->type));
	check_bounds(c, path, f, "min", "max");
	switch (k) {
	case G_SEQUENCE:
		jc_int(&c->jc, path, f, "start", 0, 1);
		jc_int(&c->jc, path, f, "step", 0, 1);
		break;
	case G_PATTERN:
		check_pattern(c, path, f);
		break;
	case G_CHOICE:
		check_choice(c, path, f, sf);
		break;
	case G_TIME:
		check_time(c, path, f);
		break;
	case G_BOOL: {
		double p = jc_number(&c->jc, path, f, "p", 0, 0.5);

		if (p < 0 || p > 1)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "p"),
			    "a probability is 0 to 1");
		break;
	}
	case G_GEO: {
		const json_t *box = jc_array(&c->jc, path, f, "box", 1, 1);

		if (box != NULL && json_array_size(box) != 4)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "box"),
			    "[lat_min, lat_max, lon_min, lon_max]");
		jc_choice(&c->jc, jc_path(at, sizeof at, path, "axis"), "axis",
		    jc_string(&c->jc, path, f, "axis", 1, "lat"),
		    (const char *const[]){ "lat", "lon", NULL });
		break;
	}
	case G_DERIVED: {
		const char *e = jc_string(&c->jc, path, f, "expr", 1, NULL);

		if (e != NULL)
			check_expr(c, jc_path(at, sizeof at, path, "expr"), e);
		break;
	}
	case G_REF:
		check_ref(c, path, f, in_entity);
		break;
	case G_LIST:
		check_list(c, path, f, sf);
		break;
	case G_CONST: {
		const json_t *x = json_object_get(f, "value");

		if (x == NULL)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "value"),
			    "missing");
		else if (!json_is_null(x) && !fits_type(x, sf->type))
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "value"),
			    "not %s %s value", ftype_article(sf->type),
			    ftype_name(sf->type));
		break;
	}
	default:
		break;
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

	if (check_object(c, path, f, "a field is an object",
	    c->field_keys) < 0)
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
	if (sf->gen != NULL && !c->jc.failed) {
		const char *gens[G_COUNT];

		gkind_names(gens);
		if (jc_choice(&c->jc, jc_path(at, sizeof at, path, "gen"),
		    "generator", sf->gen, gens) >= 0)
			check_gen(c, path, f, sf, in_entity);
	}
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

	if (c->nfield_keys == 0) {
		/* A field's keys: its own, then every generator's. */
		while (own_keys[c->nfield_keys] != NULL) {
			c->field_keys[c->nfield_keys] =
			    own_keys[c->nfield_keys];
			c->nfield_keys++;
		}
		gkind_params(c->field_keys, &c->nfield_keys);
	}
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
