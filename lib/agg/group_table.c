/*
 * group_table.c - the groups: a hash table of keys (their parts
 * length-prefixed) to group numbers, keys in an arena, each group's
 * metric states in one array; and the groups in key order.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"
#include "metrics.h"

/* --- Keys ------------------------------------------------------------- */

void
key_add(struct buf *b, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	buf_add(b, (const char *)&len, sizeof len);
	buf_add(b, p, n);
}

void
key_add_dim(struct buf *b, const struct val *v, struct buf *scratch)
{
	const char *p = "UNKNOWN";
	size_t n = 7;

	if (v != NULL && !val_is_null(v)) {
		const char *t = val_to_text(v, scratch, &n);

		text_trim(&t, &n);
		if (n > 0)
			p = t;
		else
			n = 7;
	}
	key_add(b, p, n);
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

/* Groups whose room is mapped ahead at a time (see table_get). */
enum { PREFAULT_GROUPS = 16384 };

void
table_init(struct table *t, size_t nm)
{
	memset(t, 0, sizeof *t);
	t->nm = nm;
}

static uint64_t
slot_pos(const void *slot)
{
	return ((const struct slot *)slot)->tag;
}

size_t
table_get(struct table *t, const char *key, uint32_t keylen, uint64_t hash)
{
	uint32_t tag = (uint32_t)hash ? (uint32_t)hash : 1;
	size_t j;
	struct group *g;

	if ((t->n + 1) * 2 > t->slots)
		t->slot = hash_grow(t->slot, &t->slots, 1024, sizeof *t->slot,
		    slot_pos);
	for (j = tag & (t->slots - 1); t->slot[j].tag;
	    j = (j + 1) & (t->slots - 1)) {
		if (t->slot[j].tag == tag) {
			g = &t->g[t->slot[j].group];
			if (g->keylen == keylen && (keylen == 0 ||
			    memcmp(g->key, key, keylen) == 0))
				return t->slot[j].group;
		}
	}
	if (t->n == UINT32_MAX)
		fatal(1, "more than %lu groups", (unsigned long)UINT32_MAX);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->g = erealloc(t->g, t->cap * sizeof *t->g);
		t->states = erealloc(t->states, t->cap * (t->nm ? t->nm : 1) *
		    sizeof *t->states);
	}
	if (t->n % PREFAULT_GROUPS == 0 && t->n > 0) {
		/* The next groups' room, mapped in one call rather than a
		   fault a page; no further ahead, so a doubling's unused
		   half never becomes resident. */
		size_t k = t->cap - t->n < PREFAULT_GROUPS ? t->cap - t->n :
		    PREFAULT_GROUPS, nm = t->nm ? t->nm : 1;

		mem_prefault(t->g + t->n, k * sizeof *t->g);
		mem_prefault(t->states + t->n * nm, k * nm * sizeof *t->states);
	}
	g = &t->g[t->n];
	g->key = arena_bytes(&t->keys, keylen ? keylen : 1);
	if (keylen > 0)		/* an empty key (no groups by) may be NULL */
		memcpy((char *)g->key, key, keylen);
	g->keylen = keylen;
	g->changed = 0;
	g->records = 0;
	memset(table_states(t, t->n), 0, t->nm * sizeof *t->states);
	t->slot[j].tag = tag;
	t->slot[j].group = (uint32_t)t->n;
	return t->n++;
}

int
key_cmp(const char *a, uint32_t an, const char *b, uint32_t bn)
{
	for (size_t i = 0;; i++) {
		uint32_t xn, yn;
		const char *xp = key_part(a, an, i, &xn);
		const char *yp = key_part(b, bn, i, &yn);
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

static const struct table *sorting;

static int
by_key(const void *a, const void *b)
{
	const struct group *x = &sorting->g[*(const size_t *)a];
	const struct group *y = &sorting->g[*(const size_t *)b];

	return key_cmp(x->key, x->keylen, y->key, y->keylen);
}

size_t *
table_sorted(const struct table *t)
{
	size_t *order = ecalloc(t->n ? t->n : 1, sizeof *order);

	for (size_t i = 0; i < t->n; i++)
		order[i] = i;
	table_sort(t, order, t->n);
	return order;
}

void
table_sort(const struct table *t, size_t *groups, size_t n)
{
	sorting = t;
	qsort(groups, n, sizeof *groups, by_key);
	sorting = NULL;
}

int
table_merge(struct table *t, const struct table *from, const struct metric *m)
{
	int rc = 0;

	for (size_t i = 0; i < from->n; i++) {
		const struct group *g = &from->g[i];
		size_t gi = table_get(t, g->key, g->keylen,
		    hash_table_key(g->key, g->keylen));

		t->g[gi].records += g->records;
		t->g[gi].changed |= g->changed;
		if (states_merge(m, t->nm, table_states(t, gi),
		    table_states(from, i)) < 0)
			rc = -1;
	}
	return rc;
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
