/*
 * key_states.c - distinct counts of fields batch-agg groups by, taken
 * from the groups' keys once the records are in, not record by record.
 */
#include "agg.h"

/* Add part i of key g to state st of metric m. */
static void
add_key_part(const struct metric *m, struct mstate *st, const struct group *g)
{
	struct parsed p = { 0 };
	uint32_t n = 0;

	p.t = key_part(g->key, g->keylen, (size_t)m->key_part, &n);
	p.tn = n;
	state_add(m, st, &p);
}

void
key_states(const struct spec *sp, struct table *t, struct mstate *kpi)
{
	for (size_t gi = 0; gi < t->n; gi++) {
		struct mstate *st = table_states(t, gi);

		for (size_t i = 0; i < sp->nm; i++)
			if (sp->m[i].key_part >= 0)
				add_key_part(&sp->m[i], &st[i], &t->g[gi]);
		for (size_t i = 0; i < sp->nkpi; i++)
			if (sp->kpi[i].key_part >= 0)
				add_key_part(&sp->kpi[i], &kpi[i], &t->g[gi]);
	}
}

