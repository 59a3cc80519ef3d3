/*
 * partial.c - mergeable states as JSON Lines, so an aggregation can be
 * cut across machines and put back together exactly (DESIGN.md, "Scaling
 * past one machine").  A partial file is a header line saying what was
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
		json_array_append_new(a, json_pack("{s:s,s:s,s:s?,s:i}",
		    "name", m[i].name, "agg", agg_name(m[i].kind), "field",
		    m[i].field, "places", m[i].places));
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

static json_t *
state_json(const struct metric *m, const struct mstate *st)
{
	char b[DSUM_BUFSZ];
	json_t *a;
	size_t n, pos = 0;
	const char *p;

	switch (m->kind) {
	case A_COUNT:
		return json_null();
	case A_SUM:
	case A_AVG:
	case A_MIN:
	case A_MAX:
		if (st->n == 0)
			return json_null();
		dsum_fmt(b, &st->v, -1);
		return json_pack("[s,I]", b, (json_int_t)st->n);
	case A_COUNT_TRUE:
	case A_RATE_TRUE:
		return json_integer((json_int_t)st->n);
	case A_DISTINCT:
		a = json_array();
		while (st->set != NULL &&
		    (p = strset_next(st->set, &pos, &n)) != NULL)
			json_array_append_new(a, json_stringn(p, n));
		return a;
	case A_APPROX:
		a = json_array();
		for (uint32_t i = 0; st->set != NULL && i < HLL_M; i++) {
			unsigned r = hll_get(st->set, i);

			if (r != 0)
				json_array_append_new(a, json_pack("[i,i]",
				    (int)i, (int)r));
		}
		return a;
	}
	return json_null();
}

static json_t *
states_json(const struct metric *m, size_t nm, const struct mstate *st)
{
	json_t *a = json_array();

	for (size_t i = 0; i < nm; i++)
		json_array_append_new(a, state_json(&m[i], &st[i]));
	return a;
}

void
partial_group(struct out *o, const struct spec *sp, const struct group *g,
    const struct mstate *st)
{
	json_t *k = json_array();
	const char *p;
	uint32_t n;

	for (size_t i = 0; (p = key_part(g->key, g->keylen, i, &n)); i++)
		json_array_append_new(k, json_stringn(p, n));
	put_line(o, json_pack("{s:o,s:I,s:o}", "k", k, "n",
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

/* A state from JSON into st (zeroed); 0, or -1 when it is malformed. */
static int
state_read(const struct metric *m, const json_t *j, struct mstate *st)
{
	const char *s;
	size_t i;
	json_t *x;

	switch (m->kind) {
	case A_COUNT:
		return json_is_null(j) ? 0 : -1;
	case A_SUM:
	case A_AVG:
	case A_MIN:
	case A_MAX:
		if (json_is_null(j))
			return 0;
		if (!json_is_array(j) || json_array_size(j) != 2 ||
		    (s = json_string_value(json_array_get(j, 0))) == NULL ||
		    !json_is_integer(json_array_get(j, 1)) ||
		    dsum_parse(s, strlen(s), &st->v) < 0)
			return -1;
		st->n = (uint64_t)json_integer_value(json_array_get(j, 1));
		return st->n > 0 ? 0 : -1;
	case A_COUNT_TRUE:
	case A_RATE_TRUE:
		if (!json_is_integer(j) || json_integer_value(j) < 0)
			return -1;
		st->n = (uint64_t)json_integer_value(j);
		return 0;
	case A_DISTINCT:
		if (!json_is_array(j))
			return -1;
		st->set = ecalloc(1, sizeof(struct strset));
		json_array_foreach(j, i, x) {
			if (!json_is_string(x))
				return -1;
			strset_add(st->set, json_string_value(x),
			    json_string_length(x));
		}
		return 0;
	case A_APPROX:
		if (!json_is_array(j))
			return -1;
		st->set = ecalloc(1, sizeof(struct hll));
		json_array_foreach(j, i, x) {
			json_int_t idx = json_integer_value(json_array_get(x, 0));
			json_int_t r = json_integer_value(json_array_get(x, 1));

			if (json_array_size(x) != 2 || idx < 0 || idx >= HLL_M ||
			    r < 1 || r > 64 - HLL_P + 1)
				return -1;
			hll_set(st->set, (uint32_t)idx, (unsigned)r);
		}
		return 0;
	}
	return -1;
}

/* n states from the array j into st; -1 when malformed. */
static int
states_read(const struct metric *m, size_t nm, const json_t *j,
    struct mstate *st)
{
	int rc = 0;

	memset(st, 0, nm * sizeof *st);
	if (!json_is_array(j) || json_array_size(j) != nm)
		return -1;
	for (size_t i = 0; i < nm && rc == 0; i++)
		rc = state_read(&m[i], json_array_get(j, i), &st[i]);
	return rc;
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
		(*m)[i].places = (int)json_integer_value(json_object_get(x,
		    "places"));
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
		tmp = erealloc(tmp, (sp->nm + sp->nkpi + 1) * sizeof *tmp);
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
			size_t i, gi;
			json_t *part;

			key.n = 0;
			json_array_foreach(k->u.j, i, part)
				key_add(&key, json_string_value(part) ?
				    json_string_value(part) : "",
				    json_string_length(part));
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
