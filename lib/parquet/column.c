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
	c->dict_off = kind == K_BOOL;	/* booleans are a bit each as it is */
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

static void minmax_str(struct pq_col *c, const char *s, size_t n);

/*
 * A string column's statistics are taken value by value only once its
 * dictionary is given up: before, each distinct value is an entry, and
 * the entries are compared once, when the statistics are wanted
 * (pq_col_stats) or the dictionary is given up.  (Taking them in again
 * does no harm.)
 */
static void
entries_minmax(struct pq_col *c)
{
	size_t at = 0;

	if (c->kind != K_STRING)
		return;		/* (the others' are taken value by value) */
	for (size_t e = 0; e < c->ndict; e++) {
		uint32_t len;

		memcpy(&len, c->dict.p + at, 4);
		minmax_str(c, c->dict.p + at + 4, len);
		at += 4 + (size_t)len;
	}
}

static void
give_up_dict(struct pq_col *c)
{
	entries_minmax(c);
	c->dict_off = 1;
}

/* Past 4096 values, mostly distinct ones (ids) will not pay: the
   dictionary is given up early. */
static int
dict_hopeless(struct pq_col *c)
{
	if (c->nidx >= 4096 && c->ndict * 2 > c->nidx)
		give_up_dict(c);
	return c->dict_off;
}

/* a[0..n) == b[0..n)?  Most entries are a number's 4 or 8 bytes or a
   short string: compared as words, not through memcmp. */
static inline int
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y, x2, y2;

	if (n == 4) {
		uint32_t u, v;

		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		return u == v;
	}
	if (n < 8 || n > 16)
		return memcmp(a, b, n) == 0;
	/* 8 to 16 bytes: the first 8 and the last 8 (overlapping). */
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	memcpy(&x2, a + n - 8, 8);
	memcpy(&y2, b + n - 8, 8);
	return x == y && x2 == y2;
}

/* The entry of s[0..n) (hash h), made if new; -1 when the dictionary is
   full (then it is given up for this chunk).  A string's entry is its
   length (4 bytes) and its bytes, any other value's its PLAIN bytes. */
static long
dict_entry(struct pq_col *c, const char *s, size_t n, uint64_t h)
{
	size_t j, prefix = pq_plain_width(c->kind) > 0 ? 0 : 4;

	if (h == 0)
		h = 1;
	if ((c->ndict + 1) * 2 > c->dslots)
		c->dslot = hash_grow(c->dslot, &c->dslots, 16, sizeof *c->dslot,
		    dslot_pos);
	for (j = h & (c->dslots - 1); c->dslot[j].hash;
	    j = (j + 1) & (c->dslots - 1)) {
		const char *e = c->dict.p + c->dslot[j].off;
		uint32_t len = (uint32_t)n;

		if (c->dslot[j].hash != h)
			continue;
		if (prefix > 0)
			memcpy(&len, e, 4);
		if (len == n && same_bytes(e + prefix, s, n))
			return c->dslot[j].entry;
	}
	if (c->ndict >= DICT_MAX_ENTRIES ||
	    c->dict.n + n + prefix > DICT_MAX_BYTES) {
		give_up_dict(c);
		return -1;
	}
	c->dslot[j].hash = h;
	c->dslot[j].entry = (uint32_t)c->ndict++;
	c->dslot[j].off = (uint32_t)c->dict.n;
	if (prefix > 0)
		put_le(&c->dict, n, 4);
	buf_add(&c->dict, s, n);
	return c->dslot[j].entry;
}

static inline void
idx_add(struct pq_col *c, uint32_t entry)
{
	if (c->nidx == c->capidx) {
		c->capidx = c->capidx ? c->capidx * 2 : 16;
		c->idx = erealloc(c->idx, c->capidx * sizeof *c->idx);
	}
	c->idx[c->nidx++] = entry;
}

/* A word, mixed: a multiply and shifts. */
static inline uint64_t
word_hash(uint64_t x)
{
	x = (x ^ (x >> 31)) * UINT64_C(0x9e3779b97f4a7c15);
	return x ^ (x >> 29);
}

/* An entry's hash: a number's bytes as one word, mixed (cheaper than
   hash_table_key on every number's path), a string's hash_table_key.
   (Only the table sees it: a word in either byte order will do.) */
static inline uint64_t
entry_hash(const struct pq_col *c, const char *s, size_t n)
{
	uint64_t x = 0;
	uint32_t y;

	if (pq_plain_width(c->kind) == 0)
		return hash_table_key(s, n);
	if (n == 8) {
		memcpy(&x, s, 8);
	} else {
		memcpy(&y, s, 4);
		x = y;
	}
	return word_hash(x);
}

/* The next value's entry in the dictionary, unless it is given up. */
static void
dict_add(struct pq_col *c, const char *s, size_t n)
{
	long e;

	if (!dict_hopeless(c) &&
	    (e = dict_entry(c, s, n, entry_hash(c, s, n))) >= 0)
		idx_add(c, (uint32_t)e);
}

/* Values, one by one, from the dictionary's view: now, or (dict_later)
   when the row group is encoded. */
static inline int
dict_now(const struct pq_col *c)
{
	return !c->dict_off && !c->dict_later;
}

/* A dict_later string column's statistics are pq_col_dict's to take:
   its dictionary's entries', and each value's past where it is given
   up, as pq_col_put takes them. */
static inline int
str_stats_later(const struct pq_col *c)
{
	return c->dict_later && c->kind == K_STRING;
}

void
pq_col_dict(struct pq_col *c)
{
	size_t w = pq_plain_width(c->kind), n = c->rows - c->nulls;
	const char *p = c->plain.p;

	if (!c->dict_later)
		return;
	for (size_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)w;

		if (w == 0) {
			memcpy(&len, p, 4);
			p += 4;
		}
		if (!c->dict_off)
			dict_add(c, p, len);
		if (c->dict_off) {
			if (c->kind != K_STRING)
				return;	/* (their statistics are taken) */
			minmax_str(c, p, len);
		}
		p += len;
	}
}

/* Byte order, unsigned, the shorter first on a tie (Parquet's order).
   Most strings differ in their first byte: that is looked at first. */
static inline int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c;

	if (an == 0 || bn == 0)		/* ("" may have no bytes at all) */
		return (an > bn) - (an < bn);
	if (a[0] != b[0])
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

/* A double's place in the statistics: NaN orders nowhere and is left
   out; a zero is -0.0 as the least, 0.0 as the greatest. */
static void
minmax_double(struct pq_col *c, double d)
{
	if (isnan(d))
		return;
	if (!c->has_minmax || d < c->dmin ||
	    (d == 0 && c->dmin == 0 && signbit(d)))
		c->dmin = d == 0 ? -0.0 : d;
	if (!c->has_minmax || d > c->dmax ||
	    (d == 0 && c->dmax == 0 && !signbit(d)))
		c->dmax = d == 0 ? 0.0 : d;
	c->has_minmax = 1;
}

static void
minmax_int(struct pq_col *c, int64_t i)
{
	if (!c->has_minmax || i < c->imin)
		c->imin = i;
	if (!c->has_minmax || i > c->imax)
		c->imax = i;
	c->has_minmax = 1;
}

static void
add_row(struct pq_col *c, int present)
{
	if (c->rows == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->def = erealloc(c->def, c->cap);
	}
	c->def[c->rows++] = (uint8_t)present;
	c->nulls += !present;
}

void
pq_col_put(struct pq_col *c, const struct col_val *v)
{
	add_row(c, !v->null);
	if (v->null)
		return;
	switch (c->kind) {
	case K_STRING:
		put_le(&c->plain, v->n, 4);
		buf_add(&c->plain, v->s, v->n);
		if (dict_now(c)) {
			dict_add(c, v->s, v->n);
			/* In the dictionary, a value's statistics are its
			   entry's (entries_minmax). */
			if (!c->dict_off)
				return;
		}
		if (!str_stats_later(c))
			minmax_str(c, v->s, v->n);
		return;
	case K_DOUBLE: {
		uint64_t bits;
		double d = v->d;

		memcpy(&bits, &d, 8);
		put_le(&c->plain, bits, 8);
		minmax_double(c, d);
		if (dict_now(c))
			dict_add(c, c->plain.p + c->plain.n - 8, 8);
		return;
	}
	case K_BOOL:
		buf_addc(&c->plain, (char)v->i);
		minmax_int(c, v->i);
		return;		/* (no dictionary: a bit a value as it is) */
	case K_DATE:
		put_le(&c->plain, (uint64_t)v->i, 4);
		minmax_int(c, v->i);
		if (dict_now(c))
			dict_add(c, c->plain.p + c->plain.n - 4, 4);
		return;
	default:
		put_le(&c->plain, (uint64_t)v->i, 8);
	}
	minmax_int(c, v->i);
	if (dict_now(c))
		dict_add(c, c->plain.p + c->plain.n - 8, 8);
}

void
pq_col_stats(struct pq_col *c)
{
	if (c->kind == K_STRING && !c->dict_off)
		entries_minmax(c);
}

/* ---- rows gathered elsewhere ---- */

/* What pq_col_pack writes first: the counts and statistics. */
enum { H_ROWS, H_NULLS, H_NIDX, H_NDICT, H_MINMAX, H_DICT_OFF, H_IMIN,
	H_IMAX, H_DMIN, H_DMAX, H_SMIN, H_SMAX, H_DICT, H_PLAIN, H_N };

static void
add_bytes(struct buf *b, const void *p, size_t n)
{
	if (n > 0)
		buf_add(b, p, n);
}

void
pq_col_pack(struct pq_col *c, struct buf *b)
{
	/* The dictionary only while it is kept: then every value has its
	   entry. */
	int dict = dict_now(c);
	uint64_t h[H_N] = { 0 };

	pq_col_stats(c);
	h[H_ROWS] = c->rows;
	h[H_NULLS] = c->nulls;
	h[H_NIDX] = dict ? c->nidx : 0;
	h[H_NDICT] = dict ? c->ndict : 0;
	h[H_MINMAX] = (uint64_t)c->has_minmax;
	h[H_DICT_OFF] = !dict;
	h[H_IMIN] = (uint64_t)c->imin;
	h[H_IMAX] = (uint64_t)c->imax;
	memcpy(&h[H_DMIN], &c->dmin, 8);
	memcpy(&h[H_DMAX], &c->dmax, 8);
	h[H_SMIN] = c->smin.n;
	h[H_SMAX] = c->smax.n;
	h[H_DICT] = dict ? c->dict.n : 0;
	h[H_PLAIN] = c->plain.n;
	buf_add(b, h, sizeof h);
	add_bytes(b, c->smin.p, c->smin.n);
	add_bytes(b, c->smax.p, c->smax.n);
	if (dict) {
		add_bytes(b, c->dict.p, c->dict.n);
		add_bytes(b, c->idx, c->nidx * sizeof *c->idx);
	}
	add_bytes(b, c->plain.p, c->plain.n);
	add_bytes(b, c->def, c->rows);
}

const char *
pq_rows_read(struct pq_rows *v, const char *p)
{
	uint64_t h[H_N];

	memcpy(h, p, sizeof h);
	p += sizeof h;
	memset(v, 0, sizeof *v);
	v->rows = h[H_ROWS];
	v->nulls = h[H_NULLS];
	v->nidx = h[H_NIDX];
	v->ndict = h[H_NDICT];
	v->has_minmax = (int)h[H_MINMAX];
	v->dict_off = (int)h[H_DICT_OFF];
	v->imin = (int64_t)h[H_IMIN];
	v->imax = (int64_t)h[H_IMAX];
	memcpy(&v->dmin, &h[H_DMIN], 8);
	memcpy(&v->dmax, &h[H_DMAX], 8);
	v->sminn = h[H_SMIN];
	v->smaxn = h[H_SMAX];
	v->dictn = h[H_DICT];
	v->plainn = h[H_PLAIN];
	v->smin = p;
	p += v->sminn;
	v->smax = p;
	p += v->smaxn;
	v->dict = p;
	p += v->dictn;
	v->idx = p;
	p += v->nidx * 4;
	v->plain = p;
	p += v->plainn;
	v->def = (const uint8_t *)p;
	return p + v->rows;
}

/* The statistics of the values plain[0..n), one by one. */
static void
minmax_values(struct pq_col *c, const char *p, size_t n, size_t vals)
{
	const char *end = p + n;

	for (size_t i = 0; i < vals && p < end; i++) {
		uint32_t len;
		int32_t i32;
		int64_t i64;
		double d;

		switch (c->kind) {
		case K_STRING:
			memcpy(&len, p, 4);
			minmax_str(c, p + 4, len);
			p += 4 + len;
			break;
		case K_DOUBLE:
			memcpy(&d, p, 8);
			minmax_double(c, d);
			p += 8;
			break;
		case K_BOOL:
			minmax_int(c, (unsigned char)*p++);
			break;
		case K_DATE:
			memcpy(&i32, p, 4);
			minmax_int(c, i32);
			p += 4;
			break;
		default:
			memcpy(&i64, p, 8);
			minmax_int(c, i64);
			p += 8;
		}
	}
}

/* The statistics of all of v's values: its own, taken in. */
static void
minmax_rows(struct pq_col *c, const struct pq_rows *v)
{
	if (!v->has_minmax)
		return;
	switch (c->kind) {
	case K_STRING:
		minmax_str(c, v->smin, v->sminn);
		minmax_str(c, v->smax, v->smaxn);
		break;
	case K_DOUBLE:
		minmax_double(c, v->dmin);
		minmax_double(c, v->dmax);
		break;
	default:
		minmax_int(c, v->imin);
		minmax_int(c, v->imax);
	}
}

/* The end of the strings plain[from..) n of them take. */
static size_t
strings_end(const char *plain, size_t from, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t len;

		memcpy(&len, plain + from, 4);
		from += 4 + (size_t)len;
	}
	return from;
}

void
pq_col_append(struct pq_col *c, struct pq_rows *v, size_t n)
{
	size_t w = pq_plain_width(c->kind), vals = 0, end;

	if (c->rows + n > c->cap) {
		c->cap = c->rows + n > 2 * c->cap ? c->rows + n : 2 * c->cap;
		c->def = erealloc(c->def, c->cap);
	}
	memcpy(c->def + c->rows, v->def + v->at, n);
	if (v->at == 0 && n == v->rows)
		vals = v->rows - v->nulls;	/* all of them: counted */
	else
		for (size_t i = 0; i < n; i++)
			vals += v->def[v->at + i];
	c->rows += n;
	c->nulls += n - vals;
	if (v->at + n == v->rows)
		end = v->plainn;
	else
		end = w > 0 ? v->plain_at + vals * w :
		    strings_end(v->plain, v->plain_at, vals);
	add_bytes(&c->plain, v->plain + v->plain_at, end - v->plain_at);
	/* (A string column's statistics: pq_col_dict's.) */
	if (!str_stats_later(c) && v->at == 0 && n == v->rows)
		minmax_rows(c, v);
	else if (!str_stats_later(c))
		minmax_values(c, v->plain + v->plain_at, end - v->plain_at,
		    vals);
	/* Its dictionary: made by pq_col_dict, not here (pq.h). */
	v->at += n;
	v->val += vals;
	v->plain_at = end;
}

void
pq_col_reset(struct pq_col *c)
{
	c->plain.n = 0;
	c->rows = c->nulls = 0;
	c->has_minmax = 0;
	c->smin.n = c->smax.n = 0;
	c->dict_off = c->kind == K_BOOL;
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
