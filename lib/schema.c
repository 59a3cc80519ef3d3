/*
 * schema.c - loading a schema: the file found and read, then every
 * section checked in the order one may use another (lookups and entities,
 * the fields, then what names the fields), and the questions programs ask
 * of a loaded schema.  The checks themselves are schema_check*.c.
 */
#include "schema_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "src.h"
#include "ts.h"

const char *const schema_type_names[] = {
	[FT_STRING] = "string", [FT_INT] = "int", [FT_FLOAT] = "float",
	[FT_DECIMAL] = "decimal", [FT_BOOL] = "bool", [FT_DATE] = "date",
	[FT_TIMESTAMP] = "timestamp", [FT_JSON] = "json", NULL
};

const char *
ftype_name(enum ftype t)
{
	return schema_type_names[t];
}

const char *
ftype_article(enum ftype t)
{
	return strchr("aeiou", schema_type_names[t][0]) != NULL ? "an" : "a";
}

static int load_status;		/* schema_load_status() */

int
schema_load_status(void)
{
	return load_status;
}

/* The dataset's name: it names files, so letters, digits, _ . - only,
   not first a dot. */
static void
check_name(struct ctx *c, const char *name)
{
	const char *p = name;

	if (*p == '\0' || *p == '.')
		jc_fail(&c->jc, "name", "a dataset name is letters, "
		    "digits, _ . and -, not starting with a dot");
	for (; *p && !c->jc.failed; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
		    *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '.' || *p == '-'))
			jc_fail(&c->jc, "name", "a dataset name is "
			    "letters, digits, _ . and -, not \"%c\"", *p);
}

/* The top of the document: its keys, the name, schema-gen's defaults. */
static void
check_top(struct ctx *c)
{
	static const char *const top_keys[] = { "name", "description",
	    "seed", "records", "days", "start", "id", "fields", "entities",
	    "lookups", "sessions", "anomalies", "rules", "versions",
	    "version_field", "enrich", "analysis", NULL };
	struct schema *s = c->s;
	int64_t us;

	if (!json_is_object(s->root)) {
		jc_fail(&c->jc, "", "a schema is a JSON object");
		return;
	}
	if (jc_keys(&c->jc, "", s->root, top_keys) < 0)
		return;
	s->name = jc_string(&c->jc, "", s->root, "name", 0, NULL);
	if (s->name != NULL)
		check_name(c, s->name);
	s->seed = jc_int(&c->jc, "", s->root, "seed", 0, 1);
	s->records = jc_int(&c->jc, "", s->root, "records", 0, 1000);
	s->days = jc_int(&c->jc, "", s->root, "days", 0, 1);
	s->start = jc_string(&c->jc, "", s->root, "start", 0, NULL);
	if (s->records < 0)
		jc_fail(&c->jc, "records", "0 or more");
	if (s->days < 1)
		jc_fail(&c->jc, "days", "1 or more");
	if (s->start != NULL && (strlen(s->start) != 10 ||
	    ts_parse(s->start, 10, &us) < 0))
		jc_fail(&c->jc, "start", "a date, YYYY-MM-DD");
}

/*
 * Every section, in the order one may use another: lookups and entities
 * (fields draw from them), the fields, then what names fields.  Stops at
 * the first problem.
 */
static void
check_sections(struct ctx *c, const char *base)
{
	struct schema *s = c->s;
	const json_t *fields;

	s->lookups = jc_object(&c->jc, "", s->root, "lookups", 0);
	if (s->lookups != NULL)
		check_lookups(c, s->lookups);
	s->entities = jc_object(&c->jc, "", s->root, "entities", 0);
	if (s->entities != NULL && !c->jc.failed)
		check_entities(c, s->entities);
	fields = jc_array(&c->jc, "", s->root, "fields", 1, 1);
	if (c->jc.failed)
		return;
	s->fields = check_fields(c, "fields", fields, &s->nfields, 0);
	if (c->jc.failed)
		return;
	if (s->name == NULL) {
		/* The file's name, without .json, names the dataset. */
		const char *dot = strrchr(base, '.');

		json_object_set_new(s->root, "name", json_stringn(base,
		    dot ? (size_t)(dot - base) : strlen(base)));
		s->name = json_string_value(json_object_get(s->root, "name"));
	}
	s->id = jc_string(&c->jc, "", s->root, "id", 0, NULL);
	if (s->id != NULL)
		need_field(c, "id", s->id, "", NULL, 0);
	s->sessions = jc_object(&c->jc, "", s->root, "sessions", 0);
	if (s->sessions != NULL && !c->jc.failed)
		check_sessions(c, s->sessions);
	s->anomalies = jc_object(&c->jc, "", s->root, "anomalies", 0);
	if (s->anomalies != NULL && !c->jc.failed)
		check_anomalies(c, s->anomalies);
	s->rules = jc_array(&c->jc, "", s->root, "rules", 0, 0);
	if (s->rules != NULL && !c->jc.failed)
		check_rules(c, s->rules);
	s->versions = jc_array(&c->jc, "", s->root, "versions", 0, 1);
	if (s->versions != NULL && !c->jc.failed)
		check_versions(c, s->versions);
	check_version_field(c);
	s->enrich = jc_array(&c->jc, "", s->root, "enrich", 0, 0);
	if (s->enrich != NULL && !c->jc.failed)
		check_enrich(c, s->enrich);
	if (!c->jc.failed) {
		const json_t *a = jc_object(&c->jc, "", s->root, "analysis", 0);

		if (a != NULL)
			check_analysis(c, a);
	}
	if (s->analysis.title == NULL)
		s->analysis.title = s->name;
}

struct schema *
schema_load(const char *name, char *err, size_t errlen)
{
	struct schema *s;
	struct ctx c = { 0 };
	const char *base;

	src_limits();	/* SLUICE_MAX_COLUMNS bounds the fields */
	load_status = 2;
	s = ecalloc(1, sizeof *s);
	s->path = schema_find(name);
	if (s->path == NULL) {
		int e = schema_why_unreadable(name);

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
	if ((s->root = schema_read_json(s->path, base, err, errlen,
	    &load_status)) == NULL) {
		schema_free(s);
		return NULL;
	}
	c.jc = (struct jcheck){ .file = base, .err = err, .errlen = errlen };
	c.s = s;
	check_top(&c);
	if (!c.jc.failed)
		check_sections(&c, base);
	for (size_t i = 0; i < c.nattrs; i++)
		free(c.attrs[i]);
	free(c.attrs);
	if (c.jc.failed) {
		schema_free(s);
		return NULL;
	}
	return s;
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

int
schema_has_name(const struct schema *s, const char *name)
{
	return schema_field_index(s, name) >= 0 || (s->enrich != NULL &&
	    named_before(s->enrich, json_array_size(s->enrich), name));
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
