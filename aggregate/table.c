/*
 * table.c - the groups (a hash table of keys to group numbers, keys in
 * an arena, states in one array) and the metric states: how a record
 * adds to one, how two merge.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

/* --- States ----------------------------------------------------------- */

/* Add one value p to metric m's state st. */
static void
add_one(const struct metric *m, struct mstate *st, const struct parsed *p)
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

		if (st->n++ == 0 || (m->kind == A_MIN ? c < 0 : c > 0))
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

void
states_add(const struct metric *m, size_t nm, struct mstate *st,
    const struct parsed *in)
{
	for (size_t i = 0; i < nm; i++)
		if (m[i].in >= 0 && !in[m[i].in].null)
			add_one(&m[i], &st[i], &in[m[i].in]);
}

void
states_merge(const struct metric *m, size_t nm, struct mstate *st,
    const struct mstate *from)
{
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
			    (m[i].kind == A_MIN ? c < 0 : c > 0)))
				st->v = from->v;
			st->n += from->n;
			break;
		}
		case A_COUNT_TRUE:
		case A_RATE_TRUE:
			st->n += from->n;
			break;
		case A_DISTINCT: {
			size_t n;
			const char *p;

			if (from->set == NULL)
				break;
			if (st->set == NULL)
				st->set = ecalloc(1, sizeof(struct strset));
			for (size_t pos = 0; (p = strset_next(from->set, &pos,
			    &n)) != NULL;)
				strset_add(st->set, p, n);
			break;
		}
		case A_APPROX:
			if (from->set == NULL)
				break;
			if (st->set == NULL)
				st->set = ecalloc(1, sizeof(struct hll));
			hll_merge(st->set, from->set);
			break;
		default:
			break;
		}
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

/* Add part i of key g to state st of metric m. */
static void
add_key_part(const struct metric *m, struct mstate *st, const struct group *g)
{
	struct parsed p = { 0 };
	uint32_t n = 0;

	p.t = key_part(g->key, g->keylen, (size_t)m->key_part, &n);
	p.tn = n;
	add_one(m, st, &p);
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

/* --- Keys ------------------------------------------------------------- */

void
key_add(struct buf *b, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	buf_add(b, (const char *)&len, sizeof len);
	buf_add(b, p, n);
}

const char *
key_part(const char *key, uint32_t keylen, size_t i, uint32_t *n)
{
	const char *p = key, *e = key + keylen;

	for (;;) {
		uint32_t len;

		if (p >= e)
			return NULL;
		memcpy(&len, p, sizeof len);
		p += sizeof len;
		if (i-- == 0) {
			*n = len;
			return p;
		}
		p += len;
	}
}

/* --- The table -------------------------------------------------------- */

void
table_init(struct table *t, size_t nm)
{
	memset(t, 0, sizeof *t);
	t->nm = nm;
}

static void
grow_slots(struct table *t)
{
	size_t slots = t->slots ? t->slots * 2 : 1024;
	struct slot *s = ecalloc(slots, sizeof *s);

	for (size_t i = 0; i < t->slots; i++) {
		size_t j;

		if (t->slot[i].hash == 0)
			continue;
		for (j = t->slot[i].hash & (slots - 1); s[j].hash;
		    j = (j + 1) & (slots - 1))
			;
		s[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = s;
	t->slots = slots;
}

size_t
table_get(struct table *t, const char *key, uint32_t keylen, uint64_t hash)
{
	size_t j;
	struct group *g;

	if (hash == 0)
		hash = 1;
	if ((t->n + 1) * 2 > t->slots)
		grow_slots(t);
	for (j = hash & (t->slots - 1); t->slot[j].hash;
	    j = (j + 1) & (t->slots - 1)) {
		if (t->slot[j].hash == hash) {
			g = &t->g[t->slot[j].group];
			if (g->keylen == keylen &&
			    memcmp(g->key, key, keylen) == 0)
				return t->slot[j].group;
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->g = erealloc(t->g, t->cap * sizeof *t->g);
		t->states = erealloc(t->states, t->cap * (t->nm ? t->nm : 1) *
		    sizeof *t->states);
	}
	g = &t->g[t->n];
	g->key = memcpy(arena_alloc(&t->keys, keylen ? keylen : 1), key,
	    keylen);
	g->keylen = keylen;
	g->records = 0;
	memset(table_states(t, t->n), 0, t->nm * sizeof *t->states);
	t->slot[j].hash = hash;
	t->slot[j].group = t->n;
	return t->n++;
}

static const struct table *sorting;

static int
by_key(const void *a, const void *b)
{
	const struct group *x = &sorting->g[*(const size_t *)a];
	const struct group *y = &sorting->g[*(const size_t *)b];

	for (size_t i = 0;; i++) {
		uint32_t xn, yn;
		const char *xp = key_part(x->key, x->keylen, i, &xn);
		const char *yp = key_part(y->key, y->keylen, i, &yn);
		int c;

		if (xp == NULL || yp == NULL)
			return (xp != NULL) - (yp != NULL);
		c = memcmp(xp, yp, xn < yn ? xn : yn);
		if (c != 0)
			return c;
		if (xn != yn)
			return xn < yn ? -1 : 1;
	}
}

size_t *
table_sorted(const struct table *t)
{
	size_t *order = ecalloc(t->n ? t->n : 1, sizeof *order);

	for (size_t i = 0; i < t->n; i++)
		order[i] = i;
	sorting = t;
	qsort(order, t->n, sizeof *order, by_key);
	sorting = NULL;
	return order;
}

void
table_free(struct table *t, const struct metric *m)
{
	for (size_t i = 0; i < t->n; i++)
		states_free(m, t->nm, table_states(t, i));
	free(t->g);
	free(t->states);
	free(t->slot);
	arena_free(&t->keys);
	memset(t, 0, sizeof *t);
}
