/*
 * column.c - a column's values for one row group, each converted to its
 * kind by col_value() (a value that does not convert is the caller's to
 * reject): PLAIN bytes, definition levels, statistics, and a dictionary
 * for strings while it stays small.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pq.h"

enum { DICT_MAX_ENTRIES = 1 << 16, DICT_MAX_BYTES = 1 << 20 };

enum pq_phys
pq_phys_of(enum col_kind k)
{
	switch (k) {
	case K_BOOL:
		return PQ_BOOLEAN;
	case K_INT:
	case K_DECIMAL:
	case K_TIMESTAMP:
		return PQ_INT64;
	case K_DOUBLE:
		return PQ_DOUBLE;
	case K_DATE:
		return PQ_INT32;
	case K_STRING:
		break;
	}
	return PQ_BYTE_ARRAY;
}

void
pq_col_init(struct pq_col *c, const char *name, enum col_kind kind, int scale)
{
	memset(c, 0, sizeof *c);
	c->name = estrdup(name);
	c->kind = kind;
	c->scale = scale;
}

/* v's low bytes, little-endian (on a little-endian machine, as they
   are in memory: one fixed-size copy, not a loop and a call). */
static inline void
put_le(struct buf *b, uint64_t v, int bytes)
{
	if (b->cap - b->n < 8)
		buf_grow(b, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(b->p + b->n, &v, 8);
#else
	for (int i = 0; i < 8; i++)
		((unsigned char *)b->p)[b->n + i] = (unsigned char)(v >> (8 * i));
#endif
	b->n += (size_t)bytes;
}

static uint64_t
dslot_pos(const void *slot)
{
	return ((const struct pq_dslot *)slot)->hash;
}

/* The string's dictionary entry, made if new; -1 when the dictionary is
   full (then it is given up for this chunk). */
static void
dict_add(struct pq_col *c, const char *s, size_t n)
{
	uint64_t h = hash_table_key(s, n);
	size_t j;

	/* Mostly distinct values (ids) will not pay: stop looking early. */
	if (c->nidx >= 4096 && c->ndict * 2 > c->nidx) {
		c->dict_off = 1;
		return;
	}
	if (h == 0)
		h = 1;
	if ((c->ndict + 1) * 2 > c->dslots)
		c->dslot = hash_grow(c->dslot, &c->dslots, 16, sizeof *c->dslot,
		    dslot_pos);
	for (j = h & (c->dslots - 1); c->dslot[j].hash;
	    j = (j + 1) & (c->dslots - 1)) {
		uint32_t len;

		if (c->dslot[j].hash != h)
			continue;
		memcpy(&len, c->dict.p + c->dslot[j].off, 4);
		if (len == n && memcmp(c->dict.p + c->dslot[j].off + 4, s, n) ==
		    0)
			break;
	}
	if (c->dslot[j].hash == 0) {
		if (c->ndict >= DICT_MAX_ENTRIES ||
		    c->dict.n + n + 4 > DICT_MAX_BYTES) {
			c->dict_off = 1;
			return;
		}
		c->dslot[j].hash = h;
		c->dslot[j].entry = (uint32_t)c->ndict++;
		c->dslot[j].off = (uint32_t)c->dict.n;
		put_le(&c->dict, n, 4);
		buf_add(&c->dict, s, n);
	}
	if (c->nidx == c->capidx) {
		c->capidx = c->capidx ? c->capidx * 2 : 16;
		c->idx = erealloc(c->idx, c->capidx * sizeof *c->idx);
	}
	c->idx[c->nidx++] = c->dslot[j].entry;
}

/* Byte order, unsigned, the shorter first on a tie (Parquet's order).
   Most strings differ in their first byte: that is looked at first. */
static inline int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c;

	if (an > 0 && bn > 0 && a[0] != b[0])
		return (unsigned char)a[0] < (unsigned char)b[0] ? -1 : 1;
	c = memcmp(a, b, an < bn ? an : bn);
	return c != 0 ? c : (an > bn) - (an < bn);
}

static void
minmax_str(struct pq_col *c, const char *s, size_t n)
{
	int first = !c->has_minmax, below;

	/* Below the least, it is not above the greatest. */
	if ((below = first || bytes_cmp(s, n, c->smin.p, c->smin.n) < 0)) {
		c->smin.n = 0;
		buf_add(&c->smin, s, n);
	}
	if (first || (!below && bytes_cmp(s, n, c->smax.p, c->smax.n) > 0)) {
		c->smax.n = 0;
		buf_add(&c->smax, s, n);
	}
	c->has_minmax = 1;
}

void
pq_col_put(struct pq_col *c, const struct col_val *v)
{
	if (c->rows == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->def = erealloc(c->def, c->cap);
	}
	c->def[c->rows++] = !v->null;
	if (v->null) {
		c->nulls++;
		return;
	}
	switch (c->kind) {
	case K_STRING:
		put_le(&c->plain, v->n, 4);
		buf_add(&c->plain, v->s, v->n);
		minmax_str(c, v->s, v->n);
		if (!c->dict_off)
			dict_add(c, v->s, v->n);
		return;
	case K_DOUBLE: {
		uint64_t bits;
		double d = v->d;

		memcpy(&bits, &d, 8);
		put_le(&c->plain, bits, 8);
		if (isnan(d))
			return;		/* NaN orders nowhere: not in stats */
		if (!c->has_minmax || d < c->dmin ||
		    (d == 0 && c->dmin == 0 && signbit(d)))
			c->dmin = d == 0 ? -0.0 : d;
		if (!c->has_minmax || d > c->dmax ||
		    (d == 0 && c->dmax == 0 && !signbit(d)))
			c->dmax = d == 0 ? 0.0 : d;
		c->has_minmax = 1;
		return;
	}
	case K_BOOL:
		buf_addc(&c->plain, (char)v->i);
		break;
	case K_DATE:
		put_le(&c->plain, (uint64_t)v->i, 4);
		break;
	default:
		put_le(&c->plain, (uint64_t)v->i, 8);
	}
	if (!c->has_minmax || v->i < c->imin)
		c->imin = v->i;
	if (!c->has_minmax || v->i > c->imax)
		c->imax = v->i;
	c->has_minmax = 1;
}

void
pq_col_reset(struct pq_col *c)
{
	c->plain.n = 0;
	c->rows = c->nulls = 0;
	c->has_minmax = 0;
	c->smin.n = c->smax.n = 0;
	c->dict_off = 0;
	c->dict.n = 0;
	c->nidx = c->ndict = 0;
	if (c->dslot != NULL)
		memset(c->dslot, 0, c->dslots * sizeof *c->dslot);
}

void
pq_col_free(struct pq_col *c)
{
	free(c->name);
	buf_free(&c->plain);
	free(c->def);
	buf_free(&c->smin);
	buf_free(&c->smax);
	buf_free(&c->dict);
	free(c->idx);
	free(c->dslot);
	memset(c, 0, sizeof *c);
}
