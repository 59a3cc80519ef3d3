/*
 * strset.h - a set of byte strings: the keys cleanse --dedup has seen,
 * the values batch-agg's distinct counts.  Open addressing over 64-bit
 * hashes, a slot holding hash and key together (one cache line a probe),
 * the strings kept exact in an arena.  Memory grows with the members.
 */
#ifndef SLUICE_STRSET_H
#define SLUICE_STRSET_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct strset_slot {
	uint64_t hash;		/* 0: empty */
	char *key;		/* its length (a size_t), its bytes, a NUL */
};

struct strset {
	struct strset_slot *slot;
	size_t cap, n;
	struct arena mem;
};

/* Add p[0..n).  Returns 1 when it is new, 0 when it was there. */
int strset_add(struct strset *s, const char *p, size_t n);

/* Walk the members (any order): pos starts at 0; NULL at the end. */
const char *strset_next(const struct strset *s, size_t *pos, size_t *n);

void strset_free(struct strset *s);

#endif
