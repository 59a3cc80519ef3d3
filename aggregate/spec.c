/*
 * spec.c - the aggregation asked for: -m METRIC parsed, and the input
 * fields the metrics read.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

static const char *const names[] = {
	[A_COUNT] = "count", [A_SUM] = "sum", [A_AVG] = "avg",
	[A_MIN] = "min", [A_MAX] = "max", [A_DISTINCT] = "distinct",
	[A_APPROX] = "approx_distinct", [A_COUNT_TRUE] = "count_true",
	[A_RATE_TRUE] = "rate_true",
};

/* Default column prefixes: count_true:f is count_f, as seed 001 names. */
static const char *const prefixes[] = {
	[A_COUNT] = "record_count", [A_SUM] = "sum_", [A_AVG] = "avg_",
	[A_MIN] = "min_", [A_MAX] = "max_", [A_DISTINCT] = "distinct_",
	[A_APPROX] = "approx_distinct_", [A_COUNT_TRUE] = "count_",
	[A_RATE_TRUE] = "rate_",
};

const char *
agg_name(enum agg_kind k)
{
	return names[k];
}

int
agg_parse(const char *s, enum agg_kind *k)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			*k = (enum agg_kind)i;
			return 0;
		}
	return -1;
}

/* The decimals a sum, min or max of field f prints: its declared scale,
   0 for an int, else the most the data has (-1). */
static int
places_of(const struct schema *sc, const char *f)
{
	int i = sc && f ? schema_field_index(sc, f) : -1;

	if (i < 0)
		return -1;
	switch (sc->fields[i].type) {
	case FT_DECIMAL:
		return sc->fields[i].scale;
	case FT_INT:
		return 0;
	default:
		return -1;
	}
}

int
metric_parse(const char *s, const struct schema *sc, struct metric *m,
    char *err, size_t errlen)
{
	const char *eq = strchr(s, '='), *agg = eq ? eq + 1 : s;
	const char *colon = strchr(agg, ':');
	char kind[32];
	size_t kn = colon ? (size_t)(colon - agg) : strlen(agg);

	memset(m, 0, sizeof *m);
	if (kn >= sizeof kind || (memcpy(kind, agg, kn), kind[kn] = '\0',
	    agg_parse(kind, &m->kind) < 0)) {
		snprintf(err, errlen, "-m %s: expected [NAME=]AGG[:FIELD], AGG "
		    "one of count, sum, avg, min, max, distinct, "
		    "approx_distinct, count_true, rate_true", s);
		return -1;
	}
	if ((m->kind == A_COUNT) != (colon == NULL) ||
	    (colon && colon[1] == '\0')) {
		snprintf(err, errlen, m->kind == A_COUNT ? "-m %s: count takes "
		    "no field" : "-m %s: %s needs a field (%s:FIELD)", s, kind,
		    kind);
		return -1;
	}
	if (eq == s) {
		snprintf(err, errlen, "-m %s: an empty name", s);
		return -1;
	}
	if (colon)
		m->field = estrdup(colon + 1);
	if (eq) {
		m->name = estrndup(s, (size_t)(eq - s));
	} else {
		struct buf b = { 0 };

		buf_printf(&b, "%s%s", prefixes[m->kind], m->field ? m->field :
		    "");
		m->name = (char *)buf_cstr(&b);
	}
	if (sc != NULL && m->field != NULL &&
	    schema_field_index(sc, m->field) < 0) {
		snprintf(err, errlen, "-m %s: no field \"%s\" in the schema", s,
		    m->field);
		free(m->name);
		free(m->field);
		return -1;
	}
	m->places = places_of(sc, m->field);
	return 0;
}

static enum need
need_of(enum agg_kind k)
{
	switch (k) {
	case A_COUNT:
		return N_NONE;
	case A_SUM:
	case A_AVG:
	case A_MIN:
	case A_MAX:
		return N_NUMBER;
	case A_COUNT_TRUE:
	case A_RATE_TRUE:
		return N_BOOL;
	default:
		return N_TEXT;
	}
}

/* The input slot for field f read as need (one per field and need). */
static int
input_of(struct spec *sp, const char *f, enum need need)
{
	for (size_t i = 0; i < sp->nin; i++)
		if (sp->in[i].need == need && strcmp(sp->in[i].name, f) == 0)
			return (int)i;
	sp->in = erealloc(sp->in, (sp->nin + 1) * sizeof *sp->in);
	sp->in[sp->nin].name = estrdup(f);
	sp->in[sp->nin].need = need;
	return (int)sp->nin++;
}

void
spec_inputs(struct spec *sp)
{
	for (size_t i = 0; i < sp->nm + sp->nkpi; i++) {
		struct metric *m = i < sp->nm ? &sp->m[i] : &sp->kpi[i - sp->nm];

		m->key_part = -1;
		if (m->kind == A_DISTINCT || m->kind == A_APPROX)
			for (size_t d = 0; d < sp->ndims; d++)
				if (strcmp(sp->dims[d], m->field) == 0)
					m->key_part = (int)d + (sp->date != NULL);
		m->in = m->field && m->key_part < 0 ? input_of(sp, m->field,
		    need_of(m->kind)) : -1;
	}
}

static void
metrics_free(struct metric *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].field);
	}
	free(m);
}

void
spec_free(struct spec *sp)
{
	free(sp->date);
	free(sp->date_col);
	for (size_t i = 0; i < sp->ndims; i++)
		free(sp->dims[i]);
	free(sp->dims);
	metrics_free(sp->m, sp->nm);
	metrics_free(sp->kpi, sp->nkpi);
	for (size_t i = 0; i < sp->nin; i++)
		free(sp->in[i].name);
	free(sp->in);
	memset(sp, 0, sizeof *sp);
}
