/*
 * hll.h - HyperLogLog distinct counts (Flajolet et al. 2007) with 2^14
 * registers (standard error 0.81%), estimated by Ertl's improved raw
 * estimator (2017), which needs no empirical bias tables and is unbiased
 * from a handful of values to billions.  Small sketches stay sparse (a
 * few bytes per value seen) and become 16 KiB registers only past 3072
 * distinct registers, so a million groups with few values each stay small.
 * Sketches merge exactly: the merge of two is the sketch of the union.
 */
#ifndef SLUICE_HLL_H
#define SLUICE_HLL_H

#include <stddef.h>
#include <stdint.h>

enum { HLL_P = 14, HLL_M = 1 << HLL_P };

struct hll {
	uint8_t *reg;		/* HLL_M registers, or NULL while sparse */
	uint32_t *sparse;	/* open addressing: idx << 8 | rank, 0 empty */
	uint32_t n, cap;	/* sparse entries, slots */
};

/* Add a value by its 64-bit hash (hash_bytes of its text, say). */
void hll_add(struct hll *h, uint64_t hash);

/* h += t (the union). */
void hll_merge(struct hll *h, const struct hll *t);

/* The estimated number of distinct values added. */
double hll_estimate(const struct hll *h);

/* The register (0 to 51) at index i. */
unsigned hll_get(const struct hll *h, uint32_t i);

/* Set register i to at least rank (for reading a saved sketch). */
void hll_set(struct hll *h, uint32_t i, unsigned rank);

void hll_free(struct hll *h);

#endif
