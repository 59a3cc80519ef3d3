/*
 * partial.c - mergeable states as lines a shuffle can route, so an
 * aggregation can be cut across machines and put back together exactly
 * (batch-agg(1), "Scaling past one machine").  Every line is a key, a
 * tab, then JSON: Hadoop Streaming's key<TAB>value.  A group's key is
 * its date and dimension values as a JSON array of strings, escaped one
 * way only (jw_string), so every mapper writes one group's key alike and
 * no key holds a tab or a line break:
 *
 *   #<TAB>{"sluice_partial":2,"id":"5c1f0e9a2b7d4c31","date":"order_date",
 *     "date_col":"order_date","dims":["product"],"metrics":[{"name":
 *     "total_amount","agg":"sum","field":"amount","places":2,"where":null}],
 *     "kpis":[...],"n":5000000,"kpi":[...]}
 *   ["2025-01-15","Chai"]<TAB>{"id":"5c1f0e9a2b7d4c31","a":"s","n":12,
 *     "s":[["1530.25",12]]}
 *
 * The header, under the key "#", says what was aggregated and holds the
 * KPI states over the records (n); every --partial writes one, so a
 * shuffle sends them all to one reducer.  A group line carries the
 * aggregation's id (a hash of the header's spec) and its metrics' kinds
 * (a letter each, partial_spec.c), enough to merge it anywhere without
 * the header; n is its records, s its states: sums as decimal text with
 * every digit and the count of values, min and max likewise, true
 * counts, the distinct values themselves, HyperLogLog registers; after
 * --reduce, a distinct count as its number.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"

/* The JSON after the key and its tab, and the line's end; j's
   reference is taken. */
static void
put_json(struct out *o, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s == NULL)
		fatal(1, "out of memory");
	out_putc(o, '\t');
	out_write(o, s, strlen(s));
	out_putc(o, '\n');
	free(s);
	json_decref(j);
}

static void
partial_key(struct out *o, const char *key, uint32_t keylen)
{
	const char *p;
	uint32_t n;

	out_putc(o, '[');
	for (size_t i = 0; (p = key_part(key, keylen, i, &n)) != NULL; i++) {
		if (i > 0)
			out_putc(o, ',');
		jw_string(o, p, n);
	}
	out_putc(o, ']');
}

static void
partial_head(struct out *o, const struct spec *sp, uint64_t records,
    const struct mstate *kpi)
{
	json_t *j = json_pack("{s:i,s:s}", "sluice_partial", PARTIAL_VERSION,
	    "id", sp->id), *spec = spec_json(sp);

	json_object_update(j, spec);
	json_decref(spec);
	json_object_set_new(j, "n", json_integer((json_int_t)records));
	json_object_set_new(j, "kpi", states_json(sp->kpi, sp->nkpi, kpi));
	out_write(o, PARTIAL_HEAD_KEY, strlen(PARTIAL_HEAD_KEY));
	put_json(o, j);
}

/* A group's line.  All but the states written here, as json_dumps()
   would (the id is hex digits, the kinds letters): a million groups
   make a million lines. */
static void
partial_group(struct out *o, const struct spec *sp, const struct group *g,
    const struct mstate *st)
{
	char n[32];
	json_t *states = states_json(sp->m, sp->nm, st);
	char *s = json_dumps(states, JSON_COMPACT);

	if (s == NULL)
		fatal(1, "out of memory");
	partial_key(o, g->key, g->keylen);
	out_write(o, "\t{\"id\":\"", 8);
	out_write(o, sp->id, SPEC_ID_LEN);
	out_write(o, "\",\"a\":\"", 7);
	out_write(o, sp->kinds, strlen(sp->kinds));
	out_write(o, "\",\"n\":", 6);
	out_write(o, n, (size_t)snprintf(n, sizeof n, "%" PRIu64,
	    g->records));
	out_write(o, ",\"s\":", 5);
	out_write(o, s, strlen(s));
	out_write(o, "}\n", 2);
	free(s);
	json_decref(states);
}

void
partial_write(struct out *o, const struct spec *sp, int have_spec,
    const struct table *t, uint64_t records, const struct mstate *kpi)
{
	size_t *order = table_sorted(t);

	if (have_spec)
		partial_head(o, sp, records, kpi);
	for (size_t k = 0; k < t->n; k++)
		partial_group(o, sp, &t->g[order[k]], table_states(t,
		    order[k]));
	free(order);
}

void
partial_finish(const struct spec *sp, struct table *t, struct mstate *kpi)
{
	for (size_t k = 0; k < t->n; k++)
		states_finish(sp->m, sp->nm, table_states(t, k));
	if (kpi != NULL)
		states_finish(sp->kpi, sp->nkpi, kpi);
}
