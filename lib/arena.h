/*
 * arena.h - memory handed out in pieces and given back all at once.
 * Pointers stay valid until arena_reset() or arena_free(): blocks never
 * move, which is why records keep their strings here.
 */
#ifndef SLUICE_ARENA_H
#define SLUICE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;	/* newest block first */
	char *cur;			/* free space in the head block */
	size_t left;			/* bytes free at cur */
};

/* n bytes aligned for any type; exits 1 when out of memory. */
void *arena_alloc(struct arena *a, size_t n);

/* n bytes with no alignment, packed: strings and keys. */
void *arena_bytes(struct arena *a, size_t n);

/* A NUL-terminated copy of p[0..n). */
char *arena_strndup(struct arena *a, const char *p, size_t n);

/* Forget every allocation but keep the first block for reuse. */
void arena_reset(struct arena *a);

/* Release everything. */
void arena_free(struct arena *a);

#endif
