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
