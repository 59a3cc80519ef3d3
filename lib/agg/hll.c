#include "hll.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"

enum { Q = 64 - HLL_P, SPARSE_MAX = 3072 };

static void
to_dense(struct hll *h)
{
	h->reg = ecalloc(HLL_M, 1);
	for (uint32_t i = 0; i < h->cap; i++)
		if (h->sparse[i] != 0)
			h->reg[h->sparse[i] >> 8] = (uint8_t)(h->sparse[i] &
			    0xff);
	free(h->sparse);
	h->sparse = NULL;
	h->n = h->cap = 0;
}

/* Slots by a mix of the index: indexes of one group cluster.  (The top
   bit only makes it not 0: an entry of index 0 is not an empty slot.) */
static uint32_t
sparse_home(uint32_t i)
{
	return i * 0x9e3779b1u;
}

static uint64_t
sparse_pos(const void *slot)
{
	uint32_t v = *(const uint32_t *)slot;

	return v != 0 ? UINT64_C(1) << 63 | sparse_home(v >> 8) : 0;
}

/* A sketch counts in 32 bits (a million of them, one a group, stay
   small). */
static void
sparse_grow(struct hll *h)
{
	size_t cap = h->cap;

	h->sparse = hash_grow(h->sparse, &cap, 8, sizeof *h->sparse,
	    sparse_pos);
	h->cap = (uint32_t)cap;
}

static void
sparse_put(struct hll *h, uint32_t i, unsigned rank)
{
	uint32_t k;

	if ((h->n + 1) * 4 > h->cap * 3)
		sparse_grow(h);
	for (k = sparse_home(i) & (h->cap - 1);; k = (k + 1) & (h->cap - 1)) {
		if (h->sparse[k] == 0) {
			h->sparse[k] = i << 8 | rank;
			h->n++;
			return;
		}
		if (h->sparse[k] >> 8 == i) {
			if ((h->sparse[k] & 0xff) < rank)
				h->sparse[k] = i << 8 | rank;
			return;
		}
	}
}

void
hll_set(struct hll *h, uint32_t i, unsigned rank)
{
	if (rank == 0)
		return;
	if (h->reg != NULL) {
		if (h->reg[i] < rank)
			h->reg[i] = (uint8_t)rank;
		return;
	}
	sparse_put(h, i, rank);
	if (h->n > SPARSE_MAX)
		to_dense(h);
}

void
hll_add(struct hll *h, uint64_t hash)
{
	uint32_t i = (uint32_t)(hash >> Q);
	uint64_t rest = hash << HLL_P;
	/* Leading zeros of the other 50 bits, plus one; 51 when all zero. */
	unsigned rank = rest ? (unsigned)__builtin_clzll(rest) + 1 : Q + 1;

	hll_set(h, i, rank);
}

unsigned
hll_get(const struct hll *h, uint32_t i)
{
	if (h->reg != NULL)
		return h->reg[i];
	if (h->cap == 0)
		return 0;
	for (uint32_t k = sparse_home(i) & (h->cap - 1); h->sparse[k];
	    k = (k + 1) & (h->cap - 1))
		if (h->sparse[k] >> 8 == i)
			return h->sparse[k] & 0xff;
	return 0;
}

void
hll_merge(struct hll *h, const struct hll *t)
{
	if (t->reg != NULL) {
		if (h->reg == NULL)
			to_dense(h);
		for (uint32_t i = 0; i < HLL_M; i++)
			if (h->reg[i] < t->reg[i])
				h->reg[i] = t->reg[i];
		return;
	}
	for (uint32_t k = 0; k < t->cap; k++)
		if (t->sparse[k] != 0)
			hll_set(h, t->sparse[k] >> 8, t->sparse[k] & 0xff);
}

/* Ertl's sigma and tau (section 4 of "New cardinality estimation
   algorithms for HyperLogLog sketches"). */
static double
sigma(double x)
{
	double y = 1, z = x, old;

	if (x == 1)
		return INFINITY;
	do {
		x *= x;
		old = z;
		z += x * y;
		y += y;
	} while (z != old);
	return z;
}

static double
tau(double x)
{
	double y = 1, z = 1 - x, old;

	if (x == 0 || x == 1)
		return 0;
	do {
		x = sqrt(x);
		old = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != old);
	return z / 3;
}

double
hll_estimate(const struct hll *h)
{
	double c[Q + 2] = { 0 }, m = HLL_M, z;

	/* How many registers hold each value. */
	if (h->reg != NULL) {
		for (uint32_t i = 0; i < HLL_M; i++)
			c[h->reg[i]]++;
	} else {
		c[0] = m - h->n;
		for (uint32_t k = 0; k < h->cap; k++)
			if (h->sparse[k] != 0)
				c[h->sparse[k] & 0xff]++;
	}
	if (c[0] == m)
		return 0;
	z = m * tau(1 - c[Q + 1] / m);
	for (int k = Q; k >= 1; k--)
		z = 0.5 * (z + c[k]);
	z += m * sigma(c[0] / m);
	return m * m / (2 * log(2)) / z;
}

void
hll_free(struct hll *h)
{
	free(h->reg);
	free(h->sparse);
	memset(h, 0, sizeof *h);
}
