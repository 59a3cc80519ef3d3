/*
 * partial_spec.c - what a partial line says of its aggregation: the
 * header's spec as JSON and back, the aggregation's id (a hash of that
 * spec, which every line carries, so lines of two aggregations are told
 * apart wherever they meet), and the metrics' kinds as one letter each
 * (which every group line carries, so a reducer that never sees the
 * header still merges its groups' states).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"

/* A letter a kind, in enum agg_kind's order; upper case for a metric
   with a where (a filtered count has a state of its own). */
static const char kind_letters[] = "csanxdhtr";

static json_t *
metrics_json(const struct metric *m, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s?,s:i,s:s?}",
		    "name", m[i].name, "agg", agg_name(m[i].kind), "field",
		    m[i].field, "places", m[i].places, "where", m[i].where));
	return a;
}

json_t *
spec_json(const struct spec *sp)
{
	json_t *dims = json_array();

	for (size_t i = 0; i < sp->ndims; i++)
		json_array_append_new(dims, json_string(sp->dims[i]));
	return json_pack("{s:i,s:s?,s:s?,s:o,s:o,s:o}", "sluice_partial",
	    PARTIAL_VERSION, "date", sp->date, "date_col", sp->date_col,
	    "dims", dims, "metrics", metrics_json(sp->m, sp->nm), "kpis",
	    metrics_json(sp->kpi, sp->nkpi));
}

/* The id of a spec's JSON: 16 hex digits, the same on every machine. */
static void
spec_id_of(const json_t *spec, char id[SPEC_ID_LEN + 1])
{
	/* Keys sorted: the same spec, the same text, on any machine. */
	char *text = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);

	if (text == NULL)
		fatal(1, "out of memory");
	snprintf(id, SPEC_ID_LEN + 1, "%016" PRIx64, hash_bytes(text,
	    strlen(text), 0));
	free(text);
}

static char *
kinds_of(const struct metric *m, size_t n)
{
	char *k = emalloc(n + 1);

	for (size_t i = 0; i < n; i++)
		k[i] = m[i].where != NULL ?
		    (char)toupper((unsigned char)kind_letters[m[i].kind]) :
		    kind_letters[m[i].kind];
	k[n] = '\0';
	return k;
}

void
spec_ident(struct spec *sp)
{
	json_t *j = spec_json(sp);

	spec_id_of(j, sp->id);
	json_decref(j);
	free(sp->kinds);
	sp->kinds = kinds_of(sp->m, sp->nm);
}

int
spec_from_kinds(struct spec *sp, const char *kinds)
{
	size_t n = strlen(kinds);

	metrics_free(sp->m, sp->nm);
	sp->m = ecalloc(n + 1, sizeof *sp->m);
	sp->nm = n;
	for (size_t i = 0; i < n; i++) {
		const char *c = kinds[i] ? strchr(kind_letters,
		    tolower((unsigned char)kinds[i])) : NULL;

		if (c == NULL)
			return -1;
		sp->m[i].kind = (enum agg_kind)(c - kind_letters);
		/* Only that there is one: the states are made. */
		sp->m[i].where = isupper((unsigned char)kinds[i]) ?
		    estrdup("") : NULL;
		sp->m[i].places = -1;
		sp->m[i].in = sp->m[i].key_part = -1;
	}
	free(sp->kinds);
	sp->kinds = estrdup(kinds);
	return 0;
}

static int
metrics_from(const json_t *a, struct metric **m, size_t *n)
{
	size_t i;
	json_t *x;

	if (!json_is_array(a))
		return -1;
	*n = json_array_size(a);
	*m = ecalloc(*n ? *n : 1, sizeof **m);
	json_array_foreach(a, i, x) {
		const char *name = json_string_value(json_object_get(x, "name"));
		const char *agg = json_string_value(json_object_get(x, "agg"));
		const char *field = json_string_value(json_object_get(x,
		    "field"));

		if (name == NULL || agg == NULL ||
		    agg_parse(agg, &(*m)[i].kind) < 0 ||
		    ((*m)[i].kind != A_COUNT && field == NULL))
			return -1;
		(*m)[i].name = estrdup(name);
		(*m)[i].field = field ? estrdup(field) : NULL;
		/* Kept to say what the states are (a filtered count has
		   its own); nothing is tested again. */
		(*m)[i].where = json_string_value(json_object_get(x, "where")) ?
		    estrdup(json_string_value(json_object_get(x, "where"))) :
		    NULL;
		/* -1 (exact) to DEC_MAX_SCALE: more would overflow the
		   printing of a sum. */
		json_int_t places = json_integer_value(json_object_get(x,
		    "places"));

		if (places < -1 || places > DEC_MAX_SCALE)
			return -1;
		(*m)[i].places = (int)places;
	}
	return 0;
}

int
spec_from_json(const json_t *h, struct spec *sp)
{
	const json_t *dims = json_object_get(h, "dims"), *d;
	size_t i;

	memset(sp, 0, sizeof *sp);
	if (json_string_value(json_object_get(h, "date")) != NULL) {
		sp->date = estrdup(json_string_value(json_object_get(h,
		    "date")));
		sp->date_col = estrdup(json_string_value(json_object_get(h,
		    "date_col")) ? json_string_value(json_object_get(h,
		    "date_col")) : sp->date);
	}
	if (!json_is_array(dims))
		return -1;
	sp->dims = ecalloc(json_array_size(dims) + 1, sizeof *sp->dims);
	json_array_foreach(dims, i, d) {
		if (!json_is_string(d))
			return -1;
		sp->dims[sp->ndims++] = estrdup(json_string_value(d));
	}
	if (metrics_from(json_object_get(h, "metrics"), &sp->m, &sp->nm) < 0 ||
	    metrics_from(json_object_get(h, "kpis"), &sp->kpi, &sp->nkpi) < 0)
		return -1;
	spec_inputs(sp);
	spec_ident(sp);
	return 0;
}
