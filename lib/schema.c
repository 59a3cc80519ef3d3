#include "schema.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "expr.h"
#include "jcheck.h"
#include "src.h"
#include "val.h"
#include "ts.h"
#include "where.h"

#ifndef SLUICE_DATADIR
#define SLUICE_DATADIR "/usr/local/share/sluice"
#endif

static const char *const type_names[] = {
	[FT_STRING] = "string", [FT_INT] = "int", [FT_FLOAT] = "float",
	[FT_DECIMAL] = "decimal", [FT_BOOL] = "bool", [FT_DATE] = "date",
	[FT_TIMESTAMP] = "timestamp", [FT_JSON] = "json", NULL
};

const char *
ftype_name(enum ftype t)
{
	return type_names[t];
}

const char *
ftype_article(enum ftype t)
{
	return strchr("aeiou", type_names[t][0]) != NULL ? "an" : "a";
}

/* --- Finding schemas -------------------------------------------------- */

/* The folders bundled schemas may live in, in order. */
static int
schema_dirs(char dirs[][PATH_MAX], int max)
{
	const char *env = getenv("SLUICE_SCHEMAS");
	char exe[PATH_MAX];
	ssize_t n;
	int k = 0;

	if (env != NULL && *env && k < max)
		snprintf(dirs[k++], PATH_MAX, "%s", env);
	/*
	 * Beside the program: PREFIX/bin/prog -> PREFIX/share/sluice/schemas
	 * for an install wherever it was put (DESTDIR too), and bin/prog ->
	 * gen/schemas for a build tree.
	 */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0 && k + 1 < max) {
		char *slash;

		exe[n] = '\0';
		for (int up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
			*slash = '\0';
		snprintf(dirs[k++], PATH_MAX, "%.*s/share/sluice/schemas",
		    PATH_MAX - 32, exe);
		snprintf(dirs[k++], PATH_MAX, "%.*s/gen/schemas",
		    PATH_MAX - 32, exe);
	}
	if (k < max)
		snprintf(dirs[k++], PATH_MAX, "%s/schemas", SLUICE_DATADIR);
	return k;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
schema_find(const char *name)
{
	char dirs[4][PATH_MAX];
	int k = schema_dirs(dirs, 4);
	struct buf b = { 0 };

	if (access(name, R_OK) == 0 && !is_dir(name))
		return estrdup(name);
	if (strchr(name, '/') != NULL)
		return NULL;
	for (int i = 0; i < k; i++) {
		b.n = 0;
		buf_printf(&b, "%s/%s.json", dirs[i], name);
		if (access(buf_cstr(&b), R_OK) == 0)
			return (char *)b.p;
	}
	buf_free(&b);
	return NULL;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
schema_list(void)
{
	char dirs[4][PATH_MAX];
	int k = schema_dirs(dirs, 4), count = 0;

	for (int i = 0; i < k && count == 0; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		char *names[256];
		int n = 0;

		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL && n < 256) {
			size_t len = strlen(e->d_name);

			if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
				names[n++] = estrndup(e->d_name, len - 5);
		}
		closedir(d);
		qsort(names, (size_t)n, sizeof *names, by_name);
		for (int j = 0; j < n; j++) {
			printf("%s\n", names[j]);
			free(names[j]);
		}
		count = n;
	}
	return count;
}

/* --- Checking -------------------------------------------------------- */

struct ctx {
	struct jcheck jc;
	struct schema *s;
	size_t defined;		/* fields usable by an expression */
	int all_fields;		/* rules: every field is usable */
	char **attrs;		/* "entity.attr" names expressions may use */
	size_t nattrs;
	size_t pool_bytes;	/* the generated pools' values take */
};

static int
resolve(void *vctx, const char *name)
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

/* An expression must compile over the names usable here. */
static void
check_expr(struct ctx *c, const char *path, const char *text)
{
	struct expr_env env = { resolve, table, c };
	char err[256];
	struct expr *e = expr_compile(text, &env, err, sizeof err);

	if (e == NULL)
		jc_fail(&c->jc, path, "%s", err);
	expr_free(e);
}

/* A parameter that is a number or an expression giving one. */
static void
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

/* Non-negative weights, count entries, not all zero. */
static void
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

/* Can the JSON value v stand in a field of type t? */
static int
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

static struct schema_field *check_fields(struct ctx *c, const char *path,
    const json_t *arr, size_t *nout, int in_entity);

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
		if (!c->jc.failed && resolve(c, full) < (int)c->s->nfields)
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

	if (!json_is_object(f)) {
		jc_fail(&c->jc, path, "a field is an object");
		return;
	}
	if (jc_keys(&c->jc, path, f, field_keys) < 0)
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
		    type_names);
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

/* The fields array (of the schema, or of a generated entity). */
static struct schema_field *
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

static void
add_attr(struct ctx *c, const char *entity, const char *attr)
{
	struct buf b = { 0 };

	buf_printf(&b, "%s.%s", entity, attr);
	c->attrs = erealloc(c->attrs, (c->nattrs + 1) * sizeof *c->attrs);
	c->attrs[c->nattrs++] = (char *)buf_cstr(&b);
}

static void
check_entities(struct ctx *c, const json_t *ents)
{
	const char *name;
	json_t *e;
	char path[256], at[256];
	static const char *const keys[] = { "rows", "count", "fields",
	    "weights", "weight", "description", NULL };

	json_object_foreach((json_t *)ents, name, e) {
		const json_t *rows, *fields;
		size_t n = 0;

		jc_path(path, sizeof path, "entities", name);
		if (!json_is_object(e)) {
			jc_fail(&c->jc, path, "an entity pool is an object");
			return;
		}
		if (jc_keys(&c->jc, path, e, keys) < 0)
			return;
		rows = jc_array(&c->jc, path, e, "rows", 0, 1);
		fields = jc_array(&c->jc, path, e, "fields", 0, 1);
		if (!c->jc.failed && (rows != NULL) == (fields != NULL)) {
			jc_fail(&c->jc, path, "give either \"rows\" or "
			    "\"count\" and \"fields\"");
			return;
		}
		if (rows != NULL) {
			size_t i;
			json_t *row, *first = json_array_get(rows, 0);
			const char *key;
			json_t *v;

			json_array_foreach(rows, i, row) {
				jc_index(at, sizeof at, jc_path(path, sizeof path,
				    "entities", name), i);
				if (!json_is_object(row)) {
					jc_fail(&c->jc, at, "a row is an object");
					return;
				}
				if (json_object_size(row) != json_object_size(first))
					jc_fail(&c->jc, at, "every row has the "
					    "same attributes as the first");
				json_object_foreach(row, key, v)
					if (json_object_get(first, key) == NULL)
						jc_fail(&c->jc, at, "attribute "
						    "\"%s\" is not in the first "
						    "row", key);
			}
			json_object_foreach(first, key, v)
				add_attr(c, name, key);
			n = json_array_size(rows);
		} else if (fields != NULL) {
			size_t nf;
			struct schema_field *sf;
			long long count = jc_int(&c->jc, path, e, "count", 1, 0);
			size_t nattrs = c->nattrs;

			if (!c->jc.failed && (count < 1 ||
			    count > SCHEMA_MAX_POOL_ROWS))
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "count"), "1 to %lld rows",
				    SCHEMA_MAX_POOL_ROWS);
			/* An entity's fields see no other entity. */
			c->nattrs = 0;
			sf = check_fields(c, jc_path(at, sizeof at, path,
			    "fields"), fields, &nf, 1);
			c->nattrs = nattrs;
			for (size_t i = 0; i < nf && !c->jc.failed; i++)
				add_attr(c, name, sf[i].name);
			free(sf);
			n = (size_t)count;
			/* Its values, before any string: bounded here. */
			c->pool_bytes += n * nf * sizeof(struct val);
			if (!c->jc.failed && c->pool_bytes >
			    SCHEMA_MAX_POOL_BYTES)
				jc_fail(&c->jc, path, "the entity pools would "
				    "take more than %zu MiB (%lld rows of %zu "
				    "attributes here)", SCHEMA_MAX_POOL_BYTES >>
				    20, count, nf);
		}
		if (!c->jc.failed && json_object_get(e, "weights") != NULL) {
			if (rows == NULL)
				jc_fail(&c->jc, path, "\"weights\" needs "
				    "\"rows\" (use \"weight\" for an "
				    "attribute)");
			else
				check_weights(c, jc_path(at, sizeof at, path,
				    "weights"), json_object_get(e, "weights"),
				    n);
		}
		if (!c->jc.failed && json_object_get(e, "weight") != NULL) {
			const char *w = jc_string(&c->jc, path, e, "weight", 0,
			    "");
			char full[256];

			snprintf(full, sizeof full, "%s.%s", name, w);
			if (!c->jc.failed && resolve(c, full) < 0)
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "weight"), "no attribute \"%s\"", w);
			/* Given rows: their weights must be numbers, some > 0. */
			if (!c->jc.failed && rows != NULL) {
				double sum = 0;
				size_t i;
				json_t *row;

				json_array_foreach(rows, i, row) {
					json_t *x = json_object_get(row, w);

					if (!json_is_number(x) ||
					    json_number_value(x) < 0) {
						jc_fail(&c->jc, jc_path(at, sizeof at,
						    path, "weight"), "attribute "
						    "\"%s\" is not a weight (a "
						    "number, 0 or more) in row %zu",
						    w, i);
						break;
					}
					sum += json_number_value(x);
				}
				if (!c->jc.failed && sum <= 0)
					jc_fail(&c->jc, jc_path(at, sizeof at,
					    path, "weight"), "the weights add "
					    "up to 0");
			}
		}
		if (c->jc.failed)
			return;
	}
}

static void
check_lookups(struct ctx *c, const json_t *lk)
{
	const char *name;
	json_t *t;
	char at[256];

	json_object_foreach((json_t *)lk, name, t)
		if (!json_is_object(t))
			jc_fail(&c->jc, jc_path(at, sizeof at, "lookups", name),
			    "a lookup table is an object of key: value");
}

/* The field called name must exist (and be of one of types, if given). */
static int
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

static const char **
field_list(struct ctx *c, const json_t *obj, const char *key, size_t *n,
    const char *what, const enum ftype *types, int ntypes)
{
	const json_t *arr = jc_array(&c->jc, "analysis", obj, key, 0, 0);
	const char **out;
	size_t i;
	json_t *v;
	char at[256];

	*n = 0;
	if (arr == NULL)
		return NULL;
	out = ecalloc(json_array_size(arr) + 1, sizeof *out);
	json_array_foreach(arr, i, v) {
		jc_index(at, sizeof at, "analysis", 0);
		snprintf(at, sizeof at, "analysis.%s[%zu]", key, i);
		if (!json_is_string(v)) {
			jc_fail(&c->jc, at, "expected a field name");
			break;
		}
		if (need_field(c, at, json_string_value(v), what, types,
		    ntypes) < 0)
			break;
		out[(*n)++] = json_string_value(v);
	}
	return out;
}

static void
check_analysis(struct ctx *c, const json_t *a)
{
	static const char *const keys[] = { "timestamp", "dimensions",
	    "metrics", "flags", "title", "currency", "revenue", NULL };
	static const char *const rkeys[] = { "field", "where", "description",
	    NULL };
	static const enum ftype times[] = { FT_DATE, FT_TIMESTAMP };
	static const enum ftype numbers[] = { FT_INT, FT_FLOAT, FT_DECIMAL };
	static const enum ftype bools[] = { FT_BOOL };
	struct schema_analysis *an = &c->s->analysis;
	const json_t *rev;
	struct where *w = NULL;
	char err[256];

	if (jc_keys(&c->jc, "analysis", a, keys) < 0)
		return;
	an->timestamp = jc_string(&c->jc, "analysis", a, "timestamp", 0, NULL);
	if (an->timestamp != NULL)
		need_field(c, "analysis.timestamp", an->timestamp,
		    "the timestamp", times, 2);
	an->dimensions = field_list(c, a, "dimensions", &an->ndimensions,
	    "dimension", NULL, 0);
	an->metrics = field_list(c, a, "metrics", &an->nmetrics, "metric",
	    numbers, 3);
	an->flags = field_list(c, a, "flags", &an->nflags, "flag", bools, 1);
	an->title = jc_string(&c->jc, "analysis", a, "title", 0, NULL);
	an->currency = jc_string(&c->jc, "analysis", a, "currency", 0, NULL);
	rev = jc_object(&c->jc, "analysis", a, "revenue", 0);
	if (rev != NULL && !c->jc.failed &&
	    jc_keys(&c->jc, "analysis.revenue", rev, rkeys) == 0) {
		an->revenue_field = jc_string(&c->jc, "analysis.revenue", rev,
		    "field", 1, NULL);
		an->revenue_where = jc_string(&c->jc, "analysis.revenue", rev,
		    "where", 0, NULL);
		/* A numeric field, or an enrichment (cleanse adds it). */
		if (an->revenue_field != NULL &&
		    (schema_field_index(c->s, an->revenue_field) >= 0 ||
		    !schema_has_name(c->s, an->revenue_field)) &&
		    need_field(c, "analysis.revenue.field", an->revenue_field,
		    "the revenue", numbers, 3) < 0)
			return;
		if (an->revenue_where != NULL &&
		    (w = where_compile(an->revenue_where, c->s, err,
		    sizeof err)) == NULL)
			jc_fail(&c->jc, "analysis.revenue.where", "%s", err);
		where_free(w);
	}
}

int
schema_has_name(const struct schema *s, const char *name)
{
	size_t i;
	json_t *e;

	if (schema_field_index(s, name) >= 0)
		return 1;
	if (s->enrich != NULL)
		json_array_foreach(s->enrich, i, e)
			if (strcmp(json_string_value(json_object_get(e, "name")),
			    name) == 0)
				return 1;
	return 0;
}

const char *
schema_revenue_metric(const struct schema *s, char *buf, size_t n)
{
	const struct schema_analysis *a = &s->analysis;

	if (a->revenue_field == NULL)
		return NULL;
	snprintf(buf, n, "revenue=sum:%s%s%s", a->revenue_field,
	    a->revenue_where ? " where " : "", a->revenue_where ?
	    a->revenue_where : "");
	return buf;
}

static void
check_sessions(struct ctx *c, const json_t *se)
{
	static const char *const keys[] = { "field", "start", "transitions",
	    "max_events", "gap", "entity", "anonymous", "description", NULL };
	static const enum ftype strings[] = { FT_STRING };
	const json_t *start, *tr, *gap, *anon;
	const char *ev, *from;
	json_t *v;
	char at[256];
	int64_t us;

	if (jc_keys(&c->jc, "sessions", se, keys) < 0)
		return;
	ev = jc_string(&c->jc, "sessions", se, "field", 1, "");
	if (c->jc.failed || need_field(c, "sessions.field", ev, "the event "
	    "field", strings, 1) < 0)
		return;
	start = jc_object(&c->jc, "sessions", se, "start", 1);
	tr = jc_object(&c->jc, "sessions", se, "transitions", 1);
	if (c->jc.failed)
		return;
	/* Weights are objects of event: weight; "end" ends a session. */
	{
		double sum = 0;

		json_object_foreach((json_t *)start, from, v) {
			if (!json_is_number(v) || json_number_value(v) < 0)
				jc_fail(&c->jc, jc_path(at, sizeof at,
				    "sessions.start", from), "a weight is a "
				    "number, 0 or more");
			else
				sum += json_number_value(v);
		}
		if (!c->jc.failed && sum <= 0)
			jc_fail(&c->jc, "sessions.start", "the weights add up "
			    "to 0: a session could not begin");
	}
	{
		const char *ent = jc_string(&c->jc, "sessions", se, "entity",
		    0, NULL);

		if (ent != NULL && (c->s->entities == NULL ||
		    json_object_get(c->s->entities, ent) == NULL))
			jc_fail(&c->jc, "sessions.entity", "no entity \"%s\"",
			    ent);
	}
	json_object_foreach((json_t *)tr, from, v) {
		const char *to;
		json_t *w;
		char p2[256];

		jc_path(at, sizeof at, "sessions.transitions", from);
		if (!json_is_object(v)) {
			jc_fail(&c->jc, at, "an object of event: weight");
			return;
		}
		json_object_foreach(v, to, w) {
			if (!json_is_number(w) || json_number_value(w) < 0)
				jc_fail(&c->jc, jc_path(p2, sizeof p2, at, to),
				    "a weight is a number, 0 or more");
			if (strcmp(to, "end") != 0 &&
			    json_object_get(tr, to) == NULL)
				jc_fail(&c->jc, jc_path(p2, sizeof p2, at, to),
				    "no transitions from \"%s\"", to);
		}
	}
	json_object_foreach((json_t *)start, from, v)
		if (json_object_get(tr, from) == NULL)
			jc_fail(&c->jc, jc_path(at, sizeof at, "sessions.start",
			    from), "no transitions from \"%s\"", from);
	if (jc_int(&c->jc, "sessions", se, "max_events", 0, 50) < 1)
		jc_fail(&c->jc, "sessions.max_events", "1 or more");
	gap = jc_array(&c->jc, "sessions", se, "gap", 0, 0);
	if (gap != NULL && (json_array_size(gap) != 2 ||
	    !json_is_string(json_array_get(gap, 0)) ||
	    !json_is_string(json_array_get(gap, 1)) ||
	    ts_parse_duration(json_string_value(json_array_get(gap, 0)), &us) ||
	    ts_parse_duration(json_string_value(json_array_get(gap, 1)), &us)))
		jc_fail(&c->jc, "sessions.gap", "[\"min\", \"max\"] durations, "
		    "like [\"5s\", \"10m\"]");
	anon = jc_object(&c->jc, "sessions", se, "anonymous", 0);
	if (anon != NULL) {
		static const char *const akeys[] = { "p", "set", "events",
		    NULL };
		const json_t *set, *evs;
		const char *k;
		double p;

		if (jc_keys(&c->jc, "sessions.anonymous", anon, akeys) < 0)
			return;
		p = jc_number(&c->jc, "sessions.anonymous", anon, "p", 1, 0);
		if (p < 0 || p > 1)
			jc_fail(&c->jc, "sessions.anonymous.p", "a probability "
			    "is 0 to 1");
		set = jc_object(&c->jc, "sessions.anonymous", anon, "set", 1);
		evs = jc_array(&c->jc, "sessions.anonymous", anon, "events",
		    1, 1);
		if (set != NULL)
			json_object_foreach((json_t *)set, k, v) {
				int fi = need_field(c, jc_path(at, sizeof at,
				    "sessions.anonymous.set", k), k, "", NULL, 0);

				if (fi >= 0 && !json_is_null(v) &&
				    !fits_type(v, c->s->fields[fi].type))
					jc_fail(&c->jc, at, "not %s %s value",
					    ftype_article(c->s->fields[fi].type),
					    ftype_name(c->s->fields[fi].type));
			}
		if (evs != NULL) {
			size_t i;

			json_array_foreach(evs, i, v)
				if (!json_is_string(v) || json_object_get(tr,
				    json_string_value(v)) == NULL)
					jc_fail(&c->jc, jc_index(at, sizeof at,
					    "sessions.anonymous.events", i),
					    "not an event of the transitions");
		}
	}
}

static const char *const anomaly_kinds[] = { "null", "negative",
	"bad_timestamp", "unknown_category", "duplicate", NULL };

static void
check_anomalies(struct ctx *c, const json_t *an)
{
	static const char *const keys[] = { "rate", "kinds", NULL };
	static const enum ftype numbers[] = { FT_INT, FT_FLOAT, FT_DECIMAL };
	static const enum ftype times[] = { FT_DATE, FT_TIMESTAMP };
	static const enum ftype strings[] = { FT_STRING };
	const json_t *kinds;
	const char *kind;
	json_t *v;
	double rate;
	char at[256], p2[256];

	if (jc_keys(&c->jc, "anomalies", an, keys) < 0)
		return;
	rate = jc_number(&c->jc, "anomalies", an, "rate", 1, 0);
	if (rate < 0 || rate > 1)
		jc_fail(&c->jc, "anomalies.rate", "a probability is 0 to 1");
	kinds = jc_object(&c->jc, "anomalies", an, "kinds", 1);
	if (kinds == NULL)
		return;
	if (json_object_size(kinds) == 0)
		jc_fail(&c->jc, "anomalies.kinds", "must not be empty");
	json_object_foreach((json_t *)kinds, kind, v) {
		size_t i;
		json_t *f;
		int k;

		jc_path(at, sizeof at, "anomalies.kinds", kind);
		k = jc_choice(&c->jc, at, "anomaly kind", kind, anomaly_kinds);
		if (k < 0)
			return;
		if (strcmp(kind, "duplicate") == 0) {
			if (!json_is_true(v))
				jc_fail(&c->jc, at, "\"duplicate\": true");
			continue;
		}
		if (!json_is_array(v) || json_array_size(v) == 0) {
			jc_fail(&c->jc, at, "an array of the fields it may hit");
			return;
		}
		json_array_foreach(v, i, f) {
			jc_index(p2, sizeof p2, at, i);
			if (!json_is_string(f)) {
				jc_fail(&c->jc, p2, "expected a field name");
				return;
			}
			if (strcmp(kind, "negative") == 0)
				need_field(c, p2, json_string_value(f),
				    "a negative", numbers, 3);
			else if (strcmp(kind, "bad_timestamp") == 0)
				need_field(c, p2, json_string_value(f),
				    "a bad timestamp", times, 2);
			else if (strcmp(kind, "unknown_category") == 0)
				need_field(c, p2, json_string_value(f),
				    "an unknown category", strings, 1);
			else
				need_field(c, p2, json_string_value(f), "",
				    NULL, 0);
		}
	}
}

static void check_rules_in(struct ctx *c, const json_t *rules);

/* Rules see a record's fields, never entity attributes. */
static void
check_rules(struct ctx *c, const json_t *rules)
{
	size_t nattrs = c->nattrs;

	c->all_fields = 1;
	c->nattrs = 0;
	check_rules_in(c, rules);
	c->all_fields = 0;
	c->nattrs = nattrs;
}

static void
check_rules_in(struct ctx *c, const json_t *rules)
{
	static const char *const keys[] = { "name", "field", "required",
	    "enum", "min", "max", "pattern", "max_future", "when", "check",
	    "message", NULL };
	size_t i;
	json_t *r;
	char path[64], at[256];

	json_array_foreach(rules, i, r) {
		const char *name, *field, *s;
		int has = 0;

		jc_index(path, sizeof path, "rules", i);
		if (!json_is_object(r)) {
			jc_fail(&c->jc, path, "a rule is an object");
			return;
		}
		if (jc_keys(&c->jc, path, r, keys) < 0)
			return;
		name = jc_string(&c->jc, path, r, "name", 1, "");
		for (size_t j = 0; j < i && !c->jc.failed; j++)
			if (strcmp(json_string_value(json_object_get(
			    json_array_get(rules, j), "name")), name) == 0)
				jc_fail(&c->jc, path, "rule \"%s\" appears "
				    "twice", name);
		field = jc_string(&c->jc, path, r, "field", 0, NULL);
		if (field != NULL)
			need_field(c, jc_path(at, sizeof at, path, "field"),
			    field, "", NULL, 0);
		has += jc_bool(&c->jc, path, r, "required", 0);
		if (json_object_get(r, "enum") != NULL) {
			jc_array(&c->jc, path, r, "enum", 0, 1);
			has++;
		}
		if (json_object_get(r, "min") != NULL) {
			jc_number(&c->jc, path, r, "min", 0, 0);
			has++;
		}
		if (json_object_get(r, "max") != NULL) {
			jc_number(&c->jc, path, r, "max", 0, 0);
			has++;
		}
		if ((s = jc_string(&c->jc, path, r, "pattern", 0, NULL))) {
			regex_t re;

			if (regcomp(&re, s, REG_EXTENDED | REG_NOSUB) != 0)
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "pattern"), "not a valid POSIX extended "
				    "regular expression");
			else
				regfree(&re);
			has++;
		}
		if ((s = jc_string(&c->jc, path, r, "max_future", 0, NULL))) {
			int64_t us;

			if (ts_parse_duration(s, &us) < 0)
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "max_future"), "not a duration (\"5m\")");
			has++;
		}
		if ((s = jc_string(&c->jc, path, r, "check", 0, NULL))) {
			check_expr(c, jc_path(at, sizeof at, path, "check"), s);
			has++;
		}
		if ((s = jc_string(&c->jc, path, r, "when", 0, NULL)))
			check_expr(c, jc_path(at, sizeof at, path, "when"), s);
		jc_string(&c->jc, path, r, "message", 0, NULL);
		if (c->jc.failed)
			return;
		if (has == 0)
			jc_fail(&c->jc, path, "a rule needs a check: required, "
			    "enum, min, max, pattern, max_future or check");
		else if (field == NULL && json_object_get(r, "check") == NULL)
			jc_fail(&c->jc, path, "this rule needs a \"field\"");
	}
}

/*
 * The history per field: the version it came in (0: not in the history,
 * so in every version) and the default an older record gets.  A field
 * comes in once.
 */
static void
version_table(struct ctx *c, const json_t *versions)
{
	struct schema *s = c->s;
	size_t i, j;
	json_t *v, *x;
	const char *k;
	char path[64], at[256];

	s->nversions = json_array_size(versions);
	s->version_numbers = ecalloc(s->nversions, sizeof *s->version_numbers);
	s->since = ecalloc(s->nfields ? s->nfields : 1, sizeof *s->since);
	s->defaults = ecalloc(s->nfields ? s->nfields : 1,
	    sizeof *s->defaults);
	json_array_foreach(versions, i, v) {
		long long num = json_integer_value(json_object_get(v,
		    "version"));

		s->version_numbers[i] = num;
		jc_index(path, sizeof path, "versions", i);
		if (i == 0) {
			json_array_foreach(json_object_get(v, "fields"), j, x) {
				int f = schema_field_index(s,
				    json_string_value(x));

				if (s->since[f] != 0) {
					jc_fail(&c->jc, jc_index(at, sizeof at,
					    path, j), "\"%s\" is listed twice",
					    s->fields[f].name);
					return;
				}
				s->since[f] = num;
			}
			continue;
		}
		jc_path(path, sizeof path, jc_index(at, sizeof at, "versions",
		    i), "added");
		json_object_foreach(json_object_get(v, "added"), k, x) {
			int f = schema_field_index(s, k);

			if (s->since[f] != 0) {
				jc_fail(&c->jc, jc_path(at, sizeof at, path, k),
				    "\"%s\" came in version %lld already", k,
				    s->since[f]);
				return;
			}
			s->since[f] = num;
			s->defaults[f] = x;
		}
	}
}

static void
check_versions(struct ctx *c, const json_t *versions)
{
	static const char *const keys[] = { "version", "fields", "added",
	    NULL };
	size_t i;
	json_t *v;
	long long last = 0;
	char path[64], at[256];

	json_array_foreach(versions, i, v) {
		long long num;
		const char *k;
		json_t *x;
		size_t j;

		jc_index(path, sizeof path, "versions", i);
		if (!json_is_object(v)) {
			jc_fail(&c->jc, path, "a version is an object");
			return;
		}
		if (jc_keys(&c->jc, path, v, keys) < 0)
			return;
		num = jc_int(&c->jc, path, v, "version", 1, 0);
		if (!c->jc.failed && num <= last)
			jc_fail(&c->jc, path, "versions go up: %lld after %lld",
			    num, last);
		last = num;
		if (i == 0) {
			const json_t *f = jc_array(&c->jc, path, v, "fields",
			    1, 1);

			if (f != NULL)
				json_array_foreach(f, j, x)
					if (!json_is_string(x) ||
					    need_field(c, jc_index(at, sizeof at,
					    path, j), json_string_value(x), "",
					    NULL, 0) < 0)
						return;
		} else {
			const json_t *add = jc_object(&c->jc, path, v, "added",
			    1);

			if (add != NULL)
				json_object_foreach((json_t *)add, k, x)
					need_field(c, jc_path(at, sizeof at,
					    path, k), k, "", NULL, 0);
		}
		if (c->jc.failed)
			return;
	}
	version_table(c, versions);
}

/* Enrichment: computed fields cleanse adds, new names over the fields. */
static void
check_enrich(struct ctx *c, const json_t *enrich)
{
	static const char *const keys[] = { "name", "expr", "description",
	    NULL };
	size_t i;
	json_t *e;
	char path[64], at[256];

	c->all_fields = 1;
	json_array_foreach(enrich, i, e) {
		const char *name, *x;

		jc_index(path, sizeof path, "enrich", i);
		if (!json_is_object(e)) {
			jc_fail(&c->jc, path, "an enrichment is an object: "
			    "{\"name\": ..., \"expr\": ...}");
			break;
		}
		if (jc_keys(&c->jc, path, e, keys) < 0)
			break;
		name = jc_string(&c->jc, path, e, "name", 1, "");
		x = jc_string(&c->jc, path, e, "expr", 1, NULL);
		jc_string(&c->jc, path, e, "description", 0, NULL);
		if (c->jc.failed)
			break;
		if (schema_field_index(c->s, name) >= 0)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "name"),
			    "\"%s\" is already a field", name);
		for (size_t j = 0; j < i && !c->jc.failed; j++)
			if (strcmp(json_string_value(json_object_get(
			    json_array_get(enrich, j), "name")), name) == 0)
				jc_fail(&c->jc, path, "\"%s\" appears twice",
				    name);
		if (!c->jc.failed)
			check_expr(c, jc_path(at, sizeof at, path, "expr"), x);
		if (c->jc.failed)
			break;
	}
	c->all_fields = 0;
}

static int load_status;		/* schema_load_status() */

int
schema_load_status(void)
{
	return load_status;
}

/* Why name cannot be read as a file: an errno, ENOENT if it is not there. */
static int
why_unreadable(const char *name)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC), e;
	struct stat st;

	if (fd < 0)
		return errno;
	e = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : ENOENT;
	close(fd);
	return e;
}

/* Reading the file for jansson, SCHEMA_MAX_BYTES at most. */
struct capped {
	int fd;
	long long total;
	int err;		/* errno of a failed read, or EFBIG */
};

static size_t
capped_read(void *buf, size_t n, void *data)
{
	struct capped *cp = data;
	ssize_t r;

	do
		r = read(cp->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		cp->err = errno;
		return (size_t)-1;
	}
	if ((cp->total += r) > SCHEMA_MAX_BYTES) {
		cp->err = EFBIG;
		return (size_t)-1;
	}
	/* A NUL byte is never JSON, but jansson's lexer takes one after a
	   number or a literal for the end of the text and reads on. */
	if (memchr(buf, 0, (size_t)r) != NULL) {
		cp->err = EILSEQ;
		return (size_t)-1;
	}
	return (size_t)r;
}

/*
 * Did an allocation of jansson's fail while it parsed?  Its lexer does not
 * always say so (a string it could not copy is "invalid syntax", a failure
 * at the start leaves the error empty), and a schema that is fine must
 * not be called bad for want of memory: while read_json() parses, this
 * allocator notes every failure.
 */
static int parse_oom;

static void *
noting_malloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		parse_oom = 1;
	return p;
}

/*
 * The JSON document at path, or NULL with err set and load_status 1 when
 * it could not be read (the system's reason) or memory ran out, 2 when it
 * is not JSON or larger than a schema may be.
 */
static json_t *
read_json(const char *path, const char *base, char *err, size_t errlen)
{
	struct capped cp = { .fd = open(path, O_RDONLY | O_CLOEXEC) };
	struct stat st;
	json_error_t jerr;
	json_t *root;
	json_malloc_t jmalloc;
	json_free_t jfree;

	if (cp.fd >= 0 && fstat(cp.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(cp.fd);
		cp.fd = -1;
		errno = EISDIR;
	}
	if (cp.fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		load_status = 1;
		return NULL;
	}
	json_get_alloc_funcs(&jmalloc, &jfree);
	json_set_alloc_funcs(noting_malloc, jfree);
	parse_oom = 0;
	root = json_load_callback(capped_read, &cp, JSON_REJECT_DUPLICATES,
	    &jerr);
	json_set_alloc_funcs(jmalloc, jfree);
	close(cp.fd);
	if (root != NULL)
		return root;
	if (parse_oom || json_error_code(&jerr) == json_error_out_of_memory) {
		snprintf(err, errlen, "%s: out of memory", path);
		load_status = 1;
	} else if (cp.err == EFBIG) {
		snprintf(err, errlen, "%s: larger than a schema may be (%lld "
		    "MiB)", base, SCHEMA_MAX_BYTES >> 20);
	} else if (cp.err == EILSEQ) {
		snprintf(err, errlen, "%s: holds a NUL byte (not JSON text)",
		    base);
	} else if (cp.err != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(cp.err));
		load_status = 1;
	} else {
		snprintf(err, errlen, "%s:%d:%d: %s", base, jerr.line,
		    jerr.column, jerr.text);
	}
	return NULL;
}

struct schema *
schema_load(const char *name, char *err, size_t errlen)
{
	static const char *const top_keys[] = { "name", "description",
	    "seed", "records", "days", "start", "id", "fields", "entities",
	    "lookups", "sessions", "anomalies", "rules", "versions",
	    "version_field", "enrich", "analysis", NULL };
	struct schema *s;
	struct ctx c = { 0 };
	const json_t *fields;
	const char *base;
	int64_t us;

	src_limits();	/* SLUICE_MAX_COLUMNS bounds the fields */
	load_status = 2;
	s = ecalloc(1, sizeof *s);
	s->path = schema_find(name);
	if (s->path == NULL) {
		int e = why_unreadable(name);

		if (e != ENOENT) {
			snprintf(err, errlen, "%s: %s", name, strerror(e));
			load_status = 1;
		} else {
			snprintf(err, errlen, "%s: no such schema file or "
			    "bundled schema (schema-gen --list lists them)",
			    name);
		}
		free(s);
		return NULL;
	}
	base = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
	c.jc = (struct jcheck){ .file = base, .err = err, .errlen = errlen };
	c.s = s;
	if ((s->root = read_json(s->path, base, err, errlen)) == NULL)
		goto fail;
	if (!json_is_object(s->root)) {
		jc_fail(&c.jc, "", "a schema is a JSON object");
		goto fail;
	}
	if (jc_keys(&c.jc, "", s->root, top_keys) < 0)
		goto fail;
	s->name = jc_string(&c.jc, "", s->root, "name", 0, NULL);
	/* It names files: letters, digits, _ . - only, not first a dot. */
	if (s->name != NULL) {
		const char *p = s->name;

		if (*p == '\0' || *p == '.')
			jc_fail(&c.jc, "name", "a dataset name is letters, "
			    "digits, _ . and -, not starting with a dot");
		for (; *p && !c.jc.failed; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
			    *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    *p == '_' || *p == '.' || *p == '-'))
				jc_fail(&c.jc, "name", "a dataset name is "
				    "letters, digits, _ . and -, not \"%c\"", *p);
	}
	s->seed = jc_int(&c.jc, "", s->root, "seed", 0, 1);
	s->records = jc_int(&c.jc, "", s->root, "records", 0, 1000);
	s->days = jc_int(&c.jc, "", s->root, "days", 0, 1);
	s->start = jc_string(&c.jc, "", s->root, "start", 0, NULL);
	if (s->records < 0)
		jc_fail(&c.jc, "records", "0 or more");
	if (s->days < 1)
		jc_fail(&c.jc, "days", "1 or more");
	if (s->start != NULL && (strlen(s->start) != 10 ||
	    ts_parse(s->start, 10, &us) < 0))
		jc_fail(&c.jc, "start", "a date, YYYY-MM-DD");
	/* Sections fields may use come first: lookups and entities. */
	s->lookups = jc_object(&c.jc, "", s->root, "lookups", 0);
	if (s->lookups != NULL)
		check_lookups(&c, s->lookups);
	s->entities = jc_object(&c.jc, "", s->root, "entities", 0);
	if (s->entities != NULL && !c.jc.failed)
		check_entities(&c, s->entities);
	fields = jc_array(&c.jc, "", s->root, "fields", 1, 1);
	if (c.jc.failed)
		goto fail;
	s->fields = check_fields(&c, "fields", fields, &s->nfields, 0);
	if (c.jc.failed)
		goto fail;
	if (s->name == NULL) {
		/* The file's name, without .json, names the dataset. */
		const char *dot = strrchr(base, '.');

		json_object_set_new(s->root, "name", json_stringn(base,
		    dot ? (size_t)(dot - base) : strlen(base)));
		s->name = json_string_value(json_object_get(s->root, "name"));
	}
	s->id = jc_string(&c.jc, "", s->root, "id", 0, NULL);
	if (s->id != NULL)
		need_field(&c, "id", s->id, "", NULL, 0);
	s->sessions = jc_object(&c.jc, "", s->root, "sessions", 0);
	if (s->sessions != NULL && !c.jc.failed)
		check_sessions(&c, s->sessions);
	s->anomalies = jc_object(&c.jc, "", s->root, "anomalies", 0);
	if (s->anomalies != NULL && !c.jc.failed)
		check_anomalies(&c, s->anomalies);
	s->rules = jc_array(&c.jc, "", s->root, "rules", 0, 0);
	if (s->rules != NULL && !c.jc.failed)
		check_rules(&c, s->rules);
	s->versions = jc_array(&c.jc, "", s->root, "versions", 0, 1);
	if (s->versions != NULL && !c.jc.failed)
		check_versions(&c, s->versions);
	s->version_field = jc_string(&c.jc, "", s->root, "version_field", 0,
	    NULL);
	if (s->version_field != NULL && s->versions == NULL)
		jc_fail(&c.jc, "version_field", "needs \"versions\"");
	if (s->version_field != NULL && !c.jc.failed) {
		int vf = need_field(&c, "version_field", s->version_field, "",
		    NULL, 0);

		if (vf >= 0 && s->fields[vf].type != FT_INT)
			jc_fail(&c.jc, "version_field", "\"%s\" must be an "
			    "int field", s->version_field);
		else if (vf >= 0 && s->since[vf] != 0)
			jc_fail(&c.jc, "version_field", "\"%s\" is in every "
			    "version: keep it out of the history",
			    s->version_field);
	}
	s->enrich = jc_array(&c.jc, "", s->root, "enrich", 0, 0);
	if (s->enrich != NULL && !c.jc.failed)
		check_enrich(&c, s->enrich);
	if (!c.jc.failed) {
		const json_t *a = jc_object(&c.jc, "", s->root, "analysis", 0);

		if (a != NULL)
			check_analysis(&c, a);
	}
	if (s->analysis.title == NULL)
		s->analysis.title = s->name;
	if (c.jc.failed)
		goto fail;
	for (size_t i = 0; i < c.nattrs; i++)
		free(c.attrs[i]);
	free(c.attrs);
	return s;
fail:
	for (size_t i = 0; i < c.nattrs; i++)
		free(c.attrs[i]);
	free(c.attrs);
	schema_free(s);
	return NULL;
}

void
schema_free(struct schema *s)
{
	if (s == NULL)
		return;
	free(s->fields);
	nameidx_free(&s->names);
	free(s->since);
	free(s->defaults);
	free(s->version_numbers);
	free(s->analysis.dimensions);
	free(s->analysis.metrics);
	free(s->analysis.flags);
	json_decref(s->root);
	free(s->path);
	free(s);
}

int
schema_field_index(const struct schema *s, const char *name)
{
	return (int)nameidx_get(&s->names, name);
}
