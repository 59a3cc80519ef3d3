/*
 * names.c - the sinks' name -> index map (names.h).
 */
#include <stdlib.h>
#include <string.h>

#include "sluice.h"
#include "names.h"

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static uint64_t
hash_of(const struct names *t, const char *key, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	if (!t->fold)
		return hash_table_key(key, n);
	/* FNV-1a over the folded bytes, then mixed for the low bits. */
	for (size_t i = 0; i < n; i++)
		h = (h ^ lower((unsigned char)key[i])) *
		    UINT64_C(0x100000001b3);
	return hash_mix(h);
}

static int
same(const struct names *t, const struct names_slot *s, const char *key,
    size_t n)
{
	if (s->n != n)
		return 0;
	if (!t->fold)
		return memcmp(s->key, key, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s->key[i]) != lower((unsigned char)key[i]))
			return 0;
	return 1;
}

/* The slot of key, or the empty one where it would go. */
static struct names_slot *
probe(const struct names *t, const char *key, size_t n, uint64_t h)
{
	size_t mask = t->cap - 1, i = (size_t)h & mask;

	while (t->slot[i].key != NULL && (t->slot[i].hash != h ||
	    !same(t, &t->slot[i], key, n)))
		i = (i + 1) & mask;
	return &t->slot[i];
}

long
names_find(const struct names *t, const char *key, size_t n)
{
	const struct names_slot *s;

	if (t->n == 0)
		return -1;
	s = probe(t, key, n, hash_of(t, key, n));
	return s->key != NULL ? (long)s->idx : -1;
}

/* Twice the room, every entry placed again. */
static void
grow(struct names *t)
{
	struct names_slot *old = t->slot;
	size_t oldcap = t->cap;

	t->cap = t->cap ? t->cap * 2 : 64;
	t->slot = ecalloc(t->cap, sizeof *t->slot);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key != NULL)
			*probe(t, old[i].key, old[i].n, old[i].hash) = old[i];
	free(old);
}

void
names_add(struct names *t, const char *key, size_t n, size_t idx)
{
	uint64_t h = hash_of(t, key, n);
	struct names_slot *s;

	/* At most half full: probes stay short. */
	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	s = probe(t, key, n, h);
	if (s->key == NULL)
		t->n++;
	*s = (struct names_slot){ key, n, h, idx };
}

void
names_free(struct names *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = t->n = 0;
}
