#include "hash.h"

#include <string.h>

uint64_t
hash_bytes(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = hash_mix(seed ^ (n * UINT64_C(0x9e3779b97f4a7c15)));

	/* Eight bytes at a time, the tail zero-padded; the length is in h. */
	while (n >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = hash_mix(h ^ w) * UINT64_C(0xff51afd7ed558ccd);
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t w = 0;

		memcpy(&w, p, n);
		h = hash_mix(h ^ w) * UINT64_C(0xff51afd7ed558ccd);
	}
	return hash_mix(h);
}

uint64_t
hash_str(const char *s)
{
	return hash_bytes(s, strlen(s), 0);
}

/* The 128-bit product of a and b, its halves folded. */
static inline uint64_t
fold_mul(uint64_t a, uint64_t b)
{
	__extension__ unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t
hash_table_key(const void *data, size_t n)
{
	static const uint64_t k0 = UINT64_C(0xa0761d6478bd642f),
	    k1 = UINT64_C(0xe7037ed1a0b428db), k2 = UINT64_C(0x8ebc6af09c88c6e3);
	const unsigned char *p = data;
	uint64_t h = k0 ^ n, a = 0, b = 0;

	while (n > 16) {
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		h = fold_mul(a ^ k1, b ^ h);
		p += 16;
		n -= 16;
	}
	/* The last 1 to 16 bytes, as two words that may overlap. */
	a = b = 0;
	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
	} else if (n > 0) {
		memcpy(&a, p, n);
	}
	return fold_mul(fold_mul(a ^ k1, b ^ h) ^ k2, k1 ^ n);
}
