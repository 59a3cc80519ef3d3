/*
 * metric_state.c - a metric's state in a group: how a value adds to it,
 * how two merge (partials, panes), a distinct count made final (a
 * reducer's), what it holds to free.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"
#include "metrics.h"
#include "where.h"

/*
 * Does value d, which compares c against min or max state v, take its
 * place?  Of equal values, the one with more decimals: the state (and
 * the places the result is printed with) does not hang on the order the
 * values came in, by one thread, by several (-j) or merged from partials.
 */
static inline int
replaces(enum agg_kind k, int c, const struct dsum *d, const struct dsum *v)
{
	if (c == 0)
		return d->scale > v->scale;
	return k == A_MIN ? c < 0 : c > 0;
}

/* Add one value p to metric m's state st. */
void
state_add(const struct metric *m, struct mstate *st, const struct parsed *p)
{
	switch (m->kind) {
	case A_SUM:
	case A_AVG:
		dsum_add(&st->v, p->d);
		st->n++;
		break;
	case A_MIN:
	case A_MAX: {
		struct dsum d = dsum_of(p->d);
		int c = st->n ? dsum_cmp(&d, &st->v) : 0;

		if (st->n++ == 0 || replaces(m->kind, c, &d, &st->v))
			st->v = d;
		break;
	}
	case A_COUNT_TRUE:
	case A_RATE_TRUE:
		st->n += p->b != 0;
		break;
	case A_DISTINCT:
		if (st->set == NULL)
			st->set = ecalloc(1, sizeof(struct strset));
		strset_add(st->set, p->t, p->tn);
		break;
	case A_APPROX:
		if (st->set == NULL)
			st->set = ecalloc(1, sizeof(struct hll));
		hll_add(st->set, hash_bytes(p->t, p->tn, 0));
		break;
	default:
		break;
	}
}

/* Metrics with a where: only those on[] says, and a filtered count
   keeps its own. */
static void
states_add_some(const struct metric *m, size_t nm, struct mstate *st,
    const struct parsed *in, const unsigned char *on)
{
	for (size_t i = 0; i < nm; i++) {
		if (!on[i])
			continue;
		if (m[i].in >= 0 && !in[m[i].in].null)
			state_add(&m[i], &st[i], &in[m[i].in]);
		else if (m[i].kind == A_COUNT && m[i].where != NULL)
			st[i].n++;
	}
}

void
states_add(const struct metric *m, size_t nm, struct mstate *st,
    const struct parsed *in, const unsigned char *on)
{
	if (on != NULL) {
		states_add_some(m, nm, st, in, on);
		return;
	}
	for (size_t i = 0; i < nm; i++)
		if (m[i].in >= 0 && !in[m[i].in].null)
			state_add(&m[i], &st[i], &in[m[i].in]);
}

int
metrics_filtered(const struct metric *m, size_t nm)
{
	for (size_t i = 0; i < nm; i++)
		if (m[i].test != NULL)
			return 1;
	return 0;
}

int
metrics_test(const struct metric *m, size_t nm, const struct rec *r,
    unsigned char *on, const char **why)
{
	for (size_t i = 0; i < nm; i++) {
		int k = m[i].test != NULL ? where_test(m[i].test, r, why) : 1;

		if (k < 0)
			return -1;
		on[i] = (unsigned char)k;
	}
	return 0;
}

/* A distinct or approx_distinct state that holds its count, not its
   values: a finished group's (states_finish). */
static int
is_count(const struct mstate *st)
{
	return st->set == NULL && st->n > 0;
}

/* Does a distinct or approx_distinct state hold no value at all? */
static int
is_empty(enum agg_kind k, const struct mstate *st)
{
	if (st->set == NULL)
		return st->n == 0;
	if (k == A_DISTINCT)
		return ((const struct strset *)st->set)->n == 0;
	return ((const struct hll *)st->set)->reg == NULL &&
	    ((const struct hll *)st->set)->n == 0;
}

/*
 * A count merges only with an empty state: the union of two sets is
 * not known from their sizes.  Taken, it replaces the empty one.
 * Returns 0, or -1 when neither side is empty.
 */
static int
merge_count(enum agg_kind k, struct mstate *st, const struct mstate *from)
{
	if (is_empty(k, from))
		return 0;
	if (!is_empty(k, st))
		return -1;
	if (st->set != NULL) {
		if (k == A_DISTINCT)
			strset_free(st->set);
		else
			hll_free(st->set);
		free(st->set);
		st->set = NULL;
	}
	st->n = from->n;
	return 0;
}

/* The values of from's set (distinct's or approx_distinct's) into st's. */
static void
sets_merge(enum agg_kind k, struct mstate *st, const struct mstate *from)
{
	size_t n;
	const char *p;

	if (k == A_APPROX) {
		if (st->set == NULL)
			st->set = ecalloc(1, sizeof(struct hll));
		hll_merge(st->set, from->set);
		return;
	}
	if (st->set == NULL)
		st->set = ecalloc(1, sizeof(struct strset));
	for (size_t pos = 0; (p = strset_next(from->set, &pos, &n)) != NULL;)
		strset_add(st->set, p, n);
}

int
states_merge(const struct metric *m, size_t nm, struct mstate *st,
    const struct mstate *from)
{
	int rc = 0;

	for (size_t i = 0; i < nm; i++, st++, from++) {
		switch (m[i].kind) {
		case A_SUM:
		case A_AVG:
			dsum_merge(&st->v, &from->v);
			st->n += from->n;
			break;
		case A_MIN:
		case A_MAX: {
			int c = from->n && st->n ? dsum_cmp(&from->v, &st->v) : 0;

			if (from->n && (st->n == 0 ||
			    replaces(m[i].kind, c, &from->v, &st->v)))
				st->v = from->v;
			st->n += from->n;
			break;
		}
		case A_COUNT:
		case A_COUNT_TRUE:
		case A_RATE_TRUE:
			st->n += from->n;
			break;
		case A_DISTINCT:
		case A_APPROX:
			if (is_count(st) || is_count(from)) {
				if (merge_count(m[i].kind, st, from) < 0)
					rc = -1;
			} else if (from->set != NULL) {
				sets_merge(m[i].kind, st, from);
			}
			break;
		default:
			break;
		}
	}
	return rc;
}

void
states_finish(const struct metric *m, size_t nm, struct mstate *st)
{
	for (size_t i = 0; i < nm; i++) {
		if (st[i].set == NULL)
			continue;
		if (m[i].kind == A_DISTINCT)
			st[i].n = ((struct strset *)st[i].set)->n;
		else if (m[i].kind == A_APPROX)
			st[i].n = (uint64_t)llround(hll_estimate(st[i].set));
		else
			continue;
		states_free(&m[i], 1, &st[i]);
	}
}

void
states_free(const struct metric *m, size_t nm, struct mstate *st)
{
	for (size_t i = 0; i < nm; i++) {
		if (m[i].kind == A_DISTINCT && st[i].set != NULL)
			strset_free(st[i].set);
		else if (m[i].kind == A_APPROX && st[i].set != NULL)
			hll_free(st[i].set);
		free(st[i].set);
		st[i].set = NULL;
	}
}


int
parsed_in(const struct val *v, const struct infield *f, struct parsed *p,
    struct buf *scratch, struct rec *r)
{
	p->null = v == NULL || val_is_null(v) || val_is_empty_text(v);
	if (p->null)
		return 0;
	switch (f->need) {
	case N_NUMBER:
		return val_to_dec(v, f->scale, &p->d);
	case N_BOOL:
		return val_to_bool(v, &p->b);
	case N_TEXT:
		/* Its own copy: scratch is shared. */
		p->t = val_to_text(v, scratch, &p->tn);
		if (p->t == scratch->p)
			p->t = rec_strdup(r, p->t, p->tn);
		return 0;
	case N_NONE:
		break;
	}
	return 0;
}
