/*
 * schema_check_analysis.c - the analysis section: which field is the
 * time, which are dimensions, metrics and flags (each of a type that can
 * be one), the title and currency, and what revenue is (a numeric field
 * summed where a condition holds), for batch-agg and the dashboard.
 */
#include "schema_impl.h"

#include <stdio.h>

#include "diag.h"
#include "where.h"

/* analysis.KEY: a list of fields, each of one of types if ntypes. */
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

void
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
