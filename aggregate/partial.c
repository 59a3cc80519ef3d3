/*
 * partial.c - mergeable states as JSON Lines, so an aggregation can be
 * cut across machines and put back together exactly (batch-agg(1),
 * "Scaling past one machine").  A partial file is a header line saying what was
 * aggregated, then one line a group, then the KPI states:
 *
 *   {"sluice_partial":1,"date":"order_date","date_col":"order_date",
 *    "dims":["product"],"metrics":[{"name":"total_amount","agg":"sum",
 *    "field":"amount","places":2}],"kpis":[...]}
 *   {"k":["2025-01-15","Chai"],"n":12,"s":[["1530.25",12]]}
 *   {"kpi":[...],"n":5000000}
 *
 * A state is exact: sums as decimal text with every digit and the count
 * of values, min and max likewise, true counts, the distinct values
 * themselves, and HyperLogLog registers as [index, rank] pairs.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

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

static json_t *
header_json(const struct spec *sp)
{
	json_t *dims = json_array();

	for (size_t i = 0; i < sp->ndims; i++)
		json_array_append_new(dims, json_string(sp->dims[i]));
	return json_pack("{s:i,s:s?,s:s?,s:o,s:o,s:o}", "sluice_partial", 1,
	    "date", sp->date, "date_col", sp->date_col, "dims", dims,
	    "metrics", metrics_json(sp->m, sp->nm), "kpis",
	    metrics_json(sp->kpi, sp->nkpi));
}

static void
put_line(struct out *o, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	out_write(o, s, strlen(s));
	out_putc(o, '\n');
	free(s);
	json_decref(j);
}

void
partial_header(struct out *o, const struct spec *sp)
{
	put_line(o, header_json(sp));
}

void
partial_group(struct out *o, const struct spec *sp, const struct group *g,
    const struct mstate *st)
{
	put_line(o, json_pack("{s:o,s:I,s:o}", "k", key_json(g->key,
	    g->keylen), "n",
	    (json_int_t)g->records, "s", states_json(sp->m, sp->nm, st)));
}

void
partial_kpi(struct out *o, const struct spec *sp, uint64_t records,
    const struct mstate *st)
{
	put_line(o, json_pack("{s:o,s:I}", "kpi", states_json(sp->kpi,
	    sp->nkpi, st), "n", (json_int_t)records));
}

/* --- Reading ------------------------------------------------------------ */

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

/* The spec a header describes. */
static int
spec_from(const json_t *h, struct spec *sp)
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
	return 0;
}

int
partial_read(const char *path, struct spec *sp, struct table *t,
    struct mstate **kpi, uint64_t *kpi_records, int *have_spec)
{
	struct reader *rd = rd_open(path, FMT_JSONL);
	struct rec *r;
	enum rd_status st;
	int rc = 0, header = 0;
	struct mstate *tmp = NULL;
	struct buf key = { 0 };

	if (rd == NULL)
		return -1;
	while (rc == 0 && (st = rd_next(rd, &r)) != RD_EOF && st != RD_ERR) {
		struct val *h = rec_get(r, "sluice_partial"), *k, *n, *s;
		json_t *j;

		if (st == RD_BAD) {
			diag_at(r->src, r->line, "%s", r->err);
			rc = -1;
			break;
		}
		if (h != NULL) {
			json_t *want = *have_spec ? header_json(sp) : NULL;

			j = json_object();
			for (size_t i = 0; i < r->n; i++)
				json_object_set_new(j, r->f[i].name, r->f[i].v.type ==
				    VAL_JSON ? json_incref(r->f[i].v.u.j) :
				    r->f[i].v.type == VAL_INT ?
				    json_integer(r->f[i].v.u.i) :
				    r->f[i].v.type == VAL_STR ?
				    json_stringn(r->f[i].v.u.s.p, r->f[i].v.u.s.n) :
				    json_null());
			if (h->type != VAL_INT || h->u.i != 1) {
				diag_at(r->src, r->line, "a partial of a version "
				    "this batch-agg does not read");
				rc = -1;
			} else if (want != NULL && !json_equal(want, j)) {
				diag_at(r->src, r->line, "this partial aggregated "
				    "something else than the first (its groups or "
				    "metrics differ)");
				rc = -1;
			} else if (!*have_spec) {
				if (spec_from(j, sp) < 0) {
					diag_at(r->src, r->line, "a malformed "
					    "partial header");
					rc = -1;
				} else {
					*have_spec = 1;
					t->nm = sp->nm;
					*kpi = ecalloc(sp->nkpi + 1, sizeof **kpi);
				}
			}
			json_decref(want);
			json_decref(j);
			header = 1;
			continue;
		}
		if (!header) {
			diag_at(r->src, r->line, "not a batch-agg --partial file "
			    "(no header line)");
			rc = -1;
			break;
		}
		/* Zeroed: a line that fails before states_read() has
		   filled them frees states that are all empty. */
		tmp = erealloc(tmp, (sp->nm + sp->nkpi + 1) * sizeof *tmp);
		memset(tmp, 0, (sp->nm + sp->nkpi + 1) * sizeof *tmp);
		n = rec_get(r, "n");
		if (n == NULL || n->type != VAL_INT || n->u.i < 0) {
			diag_at(r->src, r->line, "a partial line without its "
			    "record count");
			rc = -1;
		} else if ((s = rec_get(r, "kpi")) != NULL) {
			if (s->type != VAL_JSON || states_read(sp->kpi, sp->nkpi,
			    s->u.j, tmp) < 0) {
				diag_at(r->src, r->line, "malformed KPI states");
				states_free(sp->kpi, sp->nkpi, tmp);
				rc = -1;
			} else {
				states_merge(sp->kpi, sp->nkpi, *kpi, tmp);
				states_free(sp->kpi, sp->nkpi, tmp);
				*kpi_records += (uint64_t)n->u.i;
			}
		} else if ((k = rec_get(r, "k")) == NULL || k->type != VAL_JSON ||
		    json_array_size(k->u.j) != sp->ndims + (sp->date != NULL) ||
		    (s = rec_get(r, "s")) == NULL || s->type != VAL_JSON ||
		    states_read(sp->m, sp->nm, s->u.j, tmp) < 0) {
			diag_at(r->src, r->line, "a malformed partial group");
			states_free(sp->m, sp->nm, tmp);
			rc = -1;
		} else {
			size_t gi;

			key_from_json(k->u.j, &key);
			gi = table_get(t, key.p, (uint32_t)key.n,
			    hash_table_key(key.p, key.n));
			t->g[gi].records += (uint64_t)n->u.i;
			states_merge(sp->m, sp->nm, table_states(t, gi), tmp);
			states_free(sp->m, sp->nm, tmp);
		}
	}
	if (rc == 0 && !header) {
		diag("%s: empty: not a batch-agg --partial file", path);
		rc = -1;
	}
	free(tmp);
	buf_free(&key);
	if (rd_close(rd) < 0)
		rc = -1;
	return rc;
}
