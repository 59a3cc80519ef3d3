/*
 * metric_spec.c - metrics as -m spells them, "[NAME=]AGG[:FIELD][ where
 * EXPR]", what each needs of its field, and a group's final value of
 * each.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "metrics.h"
#include "where.h"

static const char *const names[] = {
	[A_COUNT] = "count", [A_SUM] = "sum", [A_AVG] = "avg",
	[A_MIN] = "min", [A_MAX] = "max", [A_DISTINCT] = "distinct",
	[A_APPROX] = "approx_distinct", [A_COUNT_TRUE] = "count_true",
	[A_RATE_TRUE] = "rate_true",
};

/* Default column prefixes: count_true:f is count_f, the name the
   schema-driven analysis gives it. */
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

/* Where " where " starts in s (a word apart), or NULL. */
static const char *
where_of(const char *s)
{
	for (const char *p = s; (p = strstr(p, "where")) != NULL; p++)
		if (p > s && (p[-1] == ' ' || p[-1] == '\t') &&
		    (p[5] == ' ' || p[5] == '\t'))
			return p;
	return NULL;
}

int
metric_parse(const char *spec, const struct schema *sc, struct metric *m,
    char *err, size_t errlen)
{
	const char *w = where_of(spec);
	char *s = w ? estrndup(spec, (size_t)(w - spec)) : estrdup(spec);
	const char *eq, *agg, *colon;
	char kind[32];
	size_t kn;
	int rc = -1;

	memset(m, 0, sizeof *m);
	/* The spec before the where, its blanks at the end dropped. */
	for (kn = strlen(s); kn > 0 && (s[kn - 1] == ' ' || s[kn - 1] == '\t');)
		s[--kn] = '\0';
	eq = strchr(s, '=');
	agg = eq ? eq + 1 : s;
	colon = strchr(agg, ':');
	kn = colon ? (size_t)(colon - agg) : strlen(agg);
	if (kn >= sizeof kind || (memcpy(kind, agg, kn), kind[kn] = '\0',
	    agg_parse(kind, &m->kind) < 0)) {
		snprintf(err, errlen, "-m %s: expected [NAME=]AGG[:FIELD][ where "
		    "EXPR], AGG one of count, sum, avg, min, max, distinct, "
		    "approx_distinct, count_true, rate_true", spec);
		goto done;
	}
	if ((m->kind == A_COUNT) != (colon == NULL) ||
	    (colon && colon[1] == '\0')) {
		snprintf(err, errlen, m->kind == A_COUNT ? "-m %s: count takes "
		    "no field" : "-m %s: %s needs a field (%s:FIELD)", spec,
		    kind, kind);
		goto done;
	}
	if (eq == s) {
		snprintf(err, errlen, "-m %s: an empty name", spec);
		goto done;
	}
	if (w != NULL && m->kind == A_RATE_TRUE) {
		snprintf(err, errlen, "-m %s: rate_true with a where: take "
		    "count_true and a count, each with the where", spec);
		goto done;
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
	if (sc != NULL && m->field != NULL && !schema_has_name(sc, m->field)) {
		snprintf(err, errlen, "-m %s: no field \"%s\" in the schema",
		    spec, m->field);
		goto done;
	}
	if (w != NULL) {
		char e[256];

		m->where = estrdup(w + 6);
		if ((m->test = where_compile(m->where, sc, e, sizeof e)) ==
		    NULL) {
			snprintf(err, errlen, "-m %s: where: %s", spec, e);
			goto done;
		}
	}
	m->places = places_of(sc, m->field);
	rc = 0;
done:
	if (rc < 0) {
		free(m->name);
		free(m->field);
		free(m->where);
		memset(m, 0, sizeof *m);
	}
	free(s);
	return rc;
}

int
metrics_check_names(const struct metric *m, size_t n,
    const char *const *others, size_t nothers, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < i; k++)
			if (strcmp(m[i].name, m[k].name) == 0) {
				snprintf(err, errlen, "two metrics make the column "
				    "\"%s\": name one (-m NAME=...)", m[i].name);
				return -1;
			}
		for (size_t k = 0; k < nothers; k++)
			if (others[k] != NULL && strcmp(m[i].name, others[k]) == 0) {
				snprintf(err, errlen, "the metric \"%s\" has the "
				    "name of a field grouped by: name it (-m "
				    "NAME=...)", m[i].name);
				return -1;
			}
	}
	return 0;
}

enum need
metric_need(enum agg_kind k)
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

int
infield_of(struct infield **in, size_t *n, const char *name,
    enum need need)
{
	for (size_t i = 0; i < *n; i++)
		if ((*in)[i].need == need && strcmp((*in)[i].name, name) == 0)
			return (int)i;
	*in = erealloc(*in, (*n + 1) * sizeof **in);
	(*in)[*n].name = estrdup(name);
	(*in)[*n].need = need;
	(*in)[*n].scale = -1;
	return (int)(*n)++;
}

void
infields_declare(struct infield *in, size_t n, const struct schema *sc)
{
	for (size_t i = 0; sc != NULL && i < n; i++) {
		int k = in[i].need == N_NUMBER ?
		    schema_field_index(sc, in[i].name) : -1;

		if (k >= 0 && sc->fields[k].type == FT_DECIMAL)
			in[i].scale = sc->fields[k].scale;
	}
}

void
infields_free(struct infield *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(in[i].name);
	free(in);
}

void
metrics_free(struct metric *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].field);
		free(m[i].where);
		where_free(m[i].test);
	}
	free(m);
}

struct metric *
metrics_own_tests(const struct metric *m, size_t n)
{
	struct metric *c = ecalloc(n + 1, sizeof *c);

	for (size_t i = 0; i < n; i++) {
		c[i] = m[i];
		c[i].test = where_copy(m[i].test);
	}
	return c;
}

void
metrics_free_own_tests(struct metric *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		where_free(m[i].test);
	free(m);
}

struct val
metric_value(const struct metric *m, const struct mstate *st,
    uint64_t records, int places_seen, struct rec *r)
{
	char b[DSUM_BUFSZ];
	size_t n;

	switch (m->kind) {
	case A_COUNT:
		return val_int((int64_t)(m->where != NULL ? st->n : records));
	case A_SUM:
	case A_MIN:
	case A_MAX:
		if (st->n == 0)
			return val_null();	/* SQL: no values, no sum */
		n = dsum_fmt(b, &st->v, m->places >= 0 ? m->places :
		    places_seen);
		/* Text, so JSON writes it as the number it spells, exactly. */
		return val_text(rec_strdup(r, b, n), n);
	case A_AVG:
		if (st->n == 0)
			return val_null();
		return val_double(dsum_to_double(&st->v) / (double)st->n);
	case A_COUNT_TRUE:
		return val_int((int64_t)st->n);
	case A_RATE_TRUE:
		return records ? val_double((double)st->n / (double)records) :
		    val_null();
	/* Without a set: a final count (states_finish), or none. */
	case A_DISTINCT:
		return val_int(st->set ? (int64_t)((struct strset *)
		    st->set)->n : (int64_t)st->n);
	case A_APPROX:
		return val_int(st->set ? llround(hll_estimate(st->set)) :
		    (int64_t)st->n);
	}
	return val_null();
}
