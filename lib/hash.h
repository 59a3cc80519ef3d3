/*
 * hash.h - 64-bit hashing: a mixer for counter-based random numbers (a
 * value as a pure function of its key, so output never depends on order or
 * chunking), a byte hash for group-by and dedup keys, and the grow step of
 * the open-addressing tables.
 */
#ifndef SLUICE_HASH_H
#define SLUICE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* A bijective mix of x (SplitMix64's finaliser): nearby inputs, far outputs. */
static inline uint64_t
hash_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* Combine a running hash with another 64-bit key. */
static inline uint64_t
hash_combine(uint64_t h, uint64_t k)
{
	return hash_mix(h ^ (k + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) +
	    (h >> 2)));
}

/* Hash n bytes with a seed. */
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);

/*
 * A faster hash of n bytes for in-memory hash tables (group keys, sets):
 * one 64x64->128 multiply per 16 bytes.  Not for anything written down
 * (schema-gen's draws, sketches saved in files): it may change.
 */
uint64_t hash_table_key(const void *p, size_t n);

/* Hash a C string. */
uint64_t hash_str(const char *s);

/*
 * The grow step of the open-addressing tables (strset, the group table,
 * Parquet's dictionary, HyperLogLog's sparse set), each with slots of
 * its own: linear probing over a power-of-two number of slots, an empty
 * slot all zero bytes.  A new array of twice *n slots (first when *n is
 * 0; mapped at once when large, mem_prefault) with the occupied ones of
 * old[0..*n) (each size bytes) moved in, each to the first free slot from
 * pos(slot) & (slots - 1); pos() is 0 for an empty slot and for no other.
 * old is freed, *n is the new count.  Inline, so pos() is too.
 */
static inline void *
hash_grow(void *old, size_t *n, size_t first, size_t size,
    uint64_t (*pos)(const void *slot))
{
	size_t slots = *n ? *n * 2 : first;
	unsigned char *to = ecalloc(slots, size);
	const unsigned char *f = old;

	mem_prefault(to, slots * size);		/* filled at once, below */
	for (size_t i = 0; i < *n; i++, f += size) {
		uint64_t h = pos(f);
		size_t j;

		if (h == 0)
			continue;
		for (j = h & (slots - 1); pos(to + j * size) != 0;
		    j = (j + 1) & (slots - 1))
			;
		memcpy(to + j * size, f, size);
	}
	free(old);
	*n = slots;
	return to;
}

#endif
