/*
 * sessions.c - an entity's events in order: a Markov chain over event
 * types ("view" -> "add_to_cart" -> "purchase" or "end"), times that move
 * forward by a gap, one user and one session id throughout, and anonymous
 * sessions that may only do some events (ingest events: user_id 0 only views
 * or searches).  Sessions live within a day and are numbered in it, so a
 * day is still a function of (seed, day).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gen_impl.h"
#include "num.h"
#include "ts.h"

struct session_state {
	int event_field;	/* field the event type goes to */
	int time_field;		/* timestamp field, or -1 */
	int id_field;		/* session id field, or -1 */
	int entity;		/* whose sessions: index in g->ent, or -1 */
	size_t nev;
	const char **events;	/* event names */
	double *start;		/* weights to begin with each event */
	double *tr;		/* tr[a * (nev + 1) + b]: a to b; b = nev ends */
	unsigned char *anon_ok;	/* events an anonymous session may do */
	unsigned char *allowed;	/* scratch: anon_ok, and "end" */
	struct rec store;	/* holds strings of the typed anon values */
	int max_events;
	int64_t gap_min, gap_max;
	double anon_p;
	int *anon_fields;	/* fields an anonymous session sets */
	struct val *anon_vals;
	size_t nanon;
	uint64_t key;
	/* The session in progress: */
	uint64_t no;		/* sessions begun today */
	int active;
	int step, event, anon;
	int64_t t;		/* time of the last event */
	size_t row;		/* the entity's row */
	uint64_t sbase;		/* the session's own key */
	char id[40];
};

static int
event_index(const struct session_state *ss, const char *name)
{
	for (size_t i = 0; i < ss->nev; i++)
		if (strcmp(ss->events[i], name) == 0)
			return (int)i;
	return -1;
}

int
sessions_new(struct generator *g, char *err, size_t errlen)
{
	const json_t *se = g->s->sessions, *tr, *anon, *gap;
	json_t *v;
	const char *from, *ent;
	struct session_state *ss = ecalloc(1, sizeof *ss);
	size_t a = 0;

	g->sess = ss;
	rec_init(&ss->store);
	ss->key = hash_str("sessions");
	ss->event_field = schema_field_index(g->s,
	    json_string_value(json_object_get(se, "field")));
	ss->time_field = ss->id_field = ss->entity = -1;
	for (size_t i = 0; i < g->nf; i++) {
		if (g->f[i].kind == G_TIME && ss->time_field < 0 &&
		    g->s->fields[i].type == FT_TIMESTAMP)
			ss->time_field = (int)i;
		if (g->f[i].kind == G_SESSION && ss->id_field < 0)
			ss->id_field = (int)i;
	}
	/* The analysis timestamp, if a time generator makes it. */
	if (g->s->analysis.timestamp != NULL) {
		int t = schema_field_index(g->s, g->s->analysis.timestamp);

		if (g->f[t].kind == G_TIME && g->s->fields[t].type ==
		    FT_TIMESTAMP)
			ss->time_field = t;
	}
	ent = json_string_value(json_object_get(se, "entity"));
	if (ent != NULL) {
		for (size_t e = 0; e < g->nent; e++)
			if (strcmp(g->ent[e].name, ent) == 0)
				ss->entity = (int)e;
		if (ss->entity < 0) {
			snprintf(err, errlen, "%s: sessions.entity: no entity "
			    "\"%s\"", g->s->name, ent);
			return -1;
		}
	}
	tr = json_object_get(se, "transitions");
	ss->nev = json_object_size(tr);
	ss->events = ecalloc(ss->nev, sizeof *ss->events);
	json_object_foreach((json_t *)tr, from, v)
		ss->events[a++] = from;
	ss->start = ecalloc(ss->nev, sizeof *ss->start);
	json_object_foreach(json_object_get(se, "start"), from, v)
		ss->start[event_index(ss, from)] = json_number_value(v);
	ss->tr = ecalloc(ss->nev * (ss->nev + 1), sizeof *ss->tr);
	json_object_foreach((json_t *)tr, from, v) {
		const char *to;
		json_t *w;
		int fi = event_index(ss, from);

		json_object_foreach(v, to, w) {
			int ti = strcmp(to, "end") == 0 ? (int)ss->nev :
			    event_index(ss, to);

			ss->tr[(size_t)fi * (ss->nev + 1) + (size_t)ti] =
			    json_number_value(w);
		}
	}
	v = json_object_get(se, "max_events");
	ss->max_events = v ? (int)json_integer_value(v) : 50;
	ss->gap_min = 5 * TS_US_PER_SEC;
	ss->gap_max = 300 * TS_US_PER_SEC;
	gap = json_object_get(se, "gap");
	if (gap != NULL) {
		ts_parse_duration(json_string_value(json_array_get(gap, 0)),
		    &ss->gap_min);
		ts_parse_duration(json_string_value(json_array_get(gap, 1)),
		    &ss->gap_max);
	}
	ss->anon_ok = ecalloc(ss->nev, 1);
	ss->allowed = ecalloc(ss->nev + 1, 1);
	anon = json_object_get(se, "anonymous");
	if (anon != NULL) {
		const json_t *set = json_object_get(anon, "set");
		const char *k;
		size_t i;

		ss->anon_p = json_number_value(json_object_get(anon, "p"));
		json_array_foreach(json_object_get(anon, "events"), i, v)
			ss->anon_ok[event_index(ss, json_string_value(v))] = 1;
		memcpy(ss->allowed, ss->anon_ok, ss->nev);
		ss->allowed[ss->nev] = 1;	/* may always end */
		ss->nanon = json_object_size(set);
		ss->anon_fields = ecalloc(ss->nanon, sizeof *ss->anon_fields);
		ss->anon_vals = ecalloc(ss->nanon, sizeof *ss->anon_vals);
		i = 0;
		json_object_foreach((json_t *)set, k, v) {
			int fi = schema_field_index(g->s, k);

			ss->anon_fields[i] = fi;
			/* In the field's type: 0 in a decimal is 0.00. */
			ss->anon_vals[i++] = to_type(&g->s->fields[fi],
			    val_from_json(v), &ss->store);
		}
	}
	return 0;
}

void
sessions_free(struct generator *g)
{
	struct session_state *ss = g->sess;

	if (ss == NULL)
		return;
	free(ss->events);
	free(ss->start);
	free(ss->tr);
	free(ss->anon_ok);
	free(ss->allowed);
	rec_free(&ss->store);
	free(ss->anon_fields);
	free(ss->anon_vals);
	free(ss);
	g->sess = NULL;
}

void
sessions_day(struct generator *g)
{
	g->sess->no = 0;
	g->sess->active = 0;
}

/* Draw k of the current session. */
static double
sdraw(const struct session_state *ss, uint64_t k)
{
	return unit(hash_combine(ss->sbase, k));
}

/* Choose among weights w[0..n) (those not allowed count as 0); -1 if
   nothing is allowed. */
static int
choose(const double *w, size_t n, const unsigned char *allowed, double u)
{
	double sum = 0, acc = 0;

	for (size_t i = 0; i < n; i++)
		if (allowed == NULL || allowed[i])
			sum += w[i];
	if (sum <= 0)
		return -1;
	u *= sum;
	for (size_t i = 0; i < n; i++) {
		if (allowed != NULL && !allowed[i])
			continue;
		acc += w[i];
		if (u < acc)
			return (int)i;
	}
	for (size_t i = n; i-- > 0;)
		if ((allowed == NULL || allowed[i]) && w[i] > 0)
			return (int)i;
	return -1;
}

static void
begin(struct generator *g, struct session_state *ss)
{
	const struct gfield *tf = ss->time_field >= 0 ?
	    &g->f[ss->time_field] : NULL;
	int h;

	ss->sbase = hash_combine(hash_combine(hash_combine(g->seed,
	    ss->key), (uint64_t)g->day), ss->no);
	ss->no++;
	ss->active = 1;
	ss->step = 0;
	ss->anon = sdraw(ss, 1) < ss->anon_p;
	ss->event = choose(ss->start, ss->nev, ss->anon ? ss->anon_ok : NULL,
	    sdraw(ss, 2));
	if (ss->event < 0)	/* an anonymous session with nothing to do */
		ss->event = choose(ss->start, ss->nev, NULL, sdraw(ss, 2));
	if (ss->entity >= 0) {
		const struct entity *en = &g->ent[ss->entity];

		ss->row = alias_pick(&en->pick, sdraw(ss, 3));
	}
	h = tf ? (int)alias_pick(&tf->hours, sdraw(ss, 4)) : 0;
	ss->t = g->day * TS_US_PER_DAY + h * 3600 * TS_US_PER_SEC +
	    (int64_t)(sdraw(ss, 5) * 3600) * TS_US_PER_SEC;
	snprintf(ss->id, sizeof ss->id, "S%s-%06llu", g->compact,
	    (unsigned long long)ss->no);
}

/* Move the session on one event, or end it: 0 when it ended. */
static int
advance(struct generator *g, struct session_state *ss)
{
	double *w = ss->tr + (size_t)ss->event * (ss->nev + 1);
	int next;

	if (ss->step + 1 >= ss->max_events)
		return 0;
	next = choose(w, ss->nev + 1, ss->anon ? ss->allowed : NULL,
	    sdraw(ss, 100 + (uint64_t)ss->step));
	if (next < 0 || next == (int)ss->nev)
		return 0;
	ss->event = next;
	ss->step++;
	/* Whole seconds, as event times usually are. */
	ss->t += ts_floor(ss->gap_min + (int64_t)(sdraw(ss, 1000 +
	    (uint64_t)ss->step) * (double)(ss->gap_max - ss->gap_min)),
	    TS_US_PER_SEC);
	/* A session stays in its day. */
	if (ss->t >= (g->day + 1) * TS_US_PER_DAY)
		ss->t = (g->day + 1) * TS_US_PER_DAY - TS_US_PER_SEC;
	return 1;
}

void
sessions_record(struct generator *g, struct rec *r, int64_t now_us)
{
	struct session_state *ss = g->sess;
	char tmp[TS_BUFSZ];
	size_t n;

	if (!ss->active || !advance(g, ss))
		begin(g, ss);
	g->vars[ss->event_field] = val_str(ss->events[ss->event],
	    strlen(ss->events[ss->event]));
	g->fixed[ss->event_field] = 1;
	if (ss->time_field >= 0) {
		n = ts_format(tmp, now_us >= 0 ? now_us : ss->t);
		g->vars[ss->time_field] = val_str(rec_strdup(r, tmp, n), n);
		g->fixed[ss->time_field] = 1;
	}
	if (ss->id_field >= 0) {
		n = strlen(ss->id);
		g->vars[ss->id_field] = val_str(rec_strdup(r, ss->id, n), n);
		g->fixed[ss->id_field] = 1;
	}
	if (ss->entity >= 0) {
		const struct entity *en = &g->ent[ss->entity];

		memcpy(g->vars + en->var0, en->cells + ss->row * en->nattrs,
		    en->nattrs * sizeof *g->vars);
	}
	if (ss->anon)
		for (size_t i = 0; i < ss->nanon; i++) {
			g->vars[ss->anon_fields[i]] = ss->anon_vals[i];
			g->fixed[ss->anon_fields[i]] = 1;
		}
}
