/*
 * anomalies.c - damage at a known rate, with ground truth: a record is hit
 * with probability "rate", by one kind (null, negative, bad_timestamp,
 * unknown_category, duplicate) on one of the fields the kind lists, and
 * the caller records what was done (--truth), so validation can be scored.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gen_impl.h"

struct kind {
	const char *name;
	int *fields;
	size_t nfields;
};

struct anomaly_state {
	double rate;
	struct kind *kinds;
	size_t nkinds;
	uint64_t key;
};

int
anomalies_new(struct generator *g, char *err, size_t errlen)
{
	const json_t *an = g->s->anomalies, *list;
	struct anomaly_state *as = ecalloc(1, sizeof *as);
	const char *name;
	size_t k = 0;

	(void)err;
	(void)errlen;
	g->anom = as;
	as->key = hash_str("anomalies");
	as->rate = json_number_value(json_object_get(an, "rate"));
	as->nkinds = json_object_size(json_object_get(an, "kinds"));
	as->kinds = ecalloc(as->nkinds, sizeof *as->kinds);
	json_object_foreach(json_object_get(an, "kinds"), name, list) {
		struct kind *kd = &as->kinds[k++];
		size_t i;
		json_t *f;

		kd->name = name;
		if (!json_is_array(list))
			continue;
		kd->nfields = json_array_size(list);
		kd->fields = ecalloc(kd->nfields, sizeof *kd->fields);
		json_array_foreach(list, i, f)
			kd->fields[i] = schema_field_index(g->s,
			    json_string_value(f));
	}
	return 0;
}

void
anomalies_free(struct generator *g)
{
	struct anomaly_state *as = g->anom;

	if (as == NULL)
		return;
	for (size_t k = 0; k < as->nkinds; k++)
		free(as->kinds[k].fields);
	free(as->kinds);
	free(as);
	g->anom = NULL;
}

static struct val
negative(struct val v)
{
	switch (v.type) {
	case VAL_INT:
	case VAL_DEC:
		/* Zero has no negative: make it -1 (in its scale). */
		if (v.u.i == 0) {
			v.u.i = -1;
			for (int s = 0; v.type == VAL_DEC && s < v.scale; s++)
				v.u.i *= 10;
		} else if (v.u.i > 0) {
			v.u.i = -v.u.i;
		}
		return v;
	case VAL_DOUBLE:
		v.u.d = v.u.d == 0 ? -1 : -fabs(v.u.d);
		return v;
	default:
		return val_int(-1);
	}
}

int
anomalies_apply(struct generator *g, struct rec *r, struct anomaly *a)
{
	static const char *const bad_times[] = { "not-a-time",
	    "2025-13-45T25:61:00Z", "31/02/2025 10:00", "" };
	struct anomaly_state *as = g->anom;
	struct kind *kd;
	int f;

	(void)r;
	if (unit(draw(g, as->key, 0)) >= as->rate)
		return 0;
	kd = &as->kinds[draw(g, as->key, 1) % as->nkinds];
	a->kind = kd->name;
	if (strcmp(kd->name, "duplicate") == 0)
		return 1;
	f = kd->fields[draw(g, as->key, 2) % kd->nfields];
	a->field = g->s->fields[f].name;
	if (strcmp(kd->name, "null") == 0) {
		g->vars[f] = val_null();
	} else if (strcmp(kd->name, "negative") == 0) {
		g->vars[f] = negative(g->vars[f]);
	} else if (strcmp(kd->name, "bad_timestamp") == 0) {
		const char *t = bad_times[draw(g, as->key, 3) % 3];

		g->vars[f] = val_str(t, strlen(t));
	} else {
		g->vars[f] = val_str("__unknown_category__", 20);
	}
	return 0;
}
