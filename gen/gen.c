/*
 * gen.c - the generator's life: a schema compiled into field generators
 * with its entity pools, sessions and anomalies (each its own file), and
 * all of it freed.  Making records is record.c's, their days days.c's.
 */
#include "gen_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ts.h"

struct generator *
gen_new(const struct schema *s, uint64_t seed, char *err, size_t errlen)
{
	struct generator *g = ecalloc(1, sizeof *g);

	rec_init(&g->store);
	rec_init(&g->last);
	g->s = s;
	g->seed = hash_mix(seed);
	if (s->start != NULL) {
		int64_t us;

		ts_parse(s->start, strlen(s->start), &us);
		g->schema_start = us / TS_US_PER_DAY;
	}
	g->schema_days = s->days;
	if (s->entities != NULL && entities_new(g, err, errlen) < 0)
		goto fail;
	g->nvars = s->nfields;
	for (size_t e = 0; e < g->nent; e++)
		g->nvars += g->ent[e].nattrs;
	g->vars = ecalloc(g->nvars ? g->nvars : 1, sizeof *g->vars);
	g->fixed = ecalloc(s->nfields, 1);
	g->nf = s->nfields;
	g->f = ecalloc(g->nf, sizeof *g->f);
	for (size_t i = 0; i < g->nf; i++) {
		compile_field(g, &g->f[i], &s->fields[i], i);
		if (g->f[i].ramp != 0 && s->start == NULL) {
			snprintf(err, errlen, "%s: fields[%zu].ramp: a ramp "
			    "needs the schema's \"start\" date", s->name, i);
			goto fail;
		}
	}
	g->layout = rec_layout_new();
	if (s->sessions != NULL && sessions_new(g, err, errlen) < 0)
		goto fail;
	if (s->anomalies != NULL && anomalies_new(g, err, errlen) < 0)
		goto fail;
	return g;
fail:
	gen_free(g);
	return NULL;
}

void
gen_free(struct generator *g)
{
	if (g == NULL)
		return;
	sessions_free(g);
	anomalies_free(g);
	for (size_t i = 0; i < g->nf; i++)
		free_field(&g->f[i]);
	free(g->f);
	entities_free(g);
	free(g->vars);
	free(g->fixed);
	rec_free(&g->last);
	rec_free(&g->store);
	free(g);
}
