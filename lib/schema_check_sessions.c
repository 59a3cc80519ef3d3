/*
 * schema_check_sessions.c - the sessions section: the event field, a
 * Markov chain of weighted transitions that can begin and end, the
 * sessions' length and gaps, whose sessions they are, and the anonymous
 * ones (the fields they set, the events they may do).
 */
#include "schema_impl.h"

#include <string.h>

#include "ts.h"

void
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
