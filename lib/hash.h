/*
 * hash.h - 64-bit hashing: a mixer for counter-based random numbers (a
 * value as a pure function of its key, so output never depends on order or
 * chunking) and a byte hash for group-by and dedup keys.
 */
#ifndef SLUICE_HASH_H
#define SLUICE_HASH_H

#include <stddef.h>
#include <stdint.h>

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

#endif
