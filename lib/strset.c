#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"

static uint64_t
slot_pos(const void *slot)
{
	return ((const struct strset_slot *)slot)->hash;
}

int
strset_add(struct strset *s, const char *p, size_t n)
{
	/* 0 marks an empty slot.  (Not "| 1": the slot comes from the low
	   bits, and forcing one would leave half the table unused.) */
	uint64_t h = hash_table_key(p, n);
	struct strset_slot *sl;
	size_t j;

	if (h == 0)
		h = 1;
	if ((s->n + 1) * 2 > s->cap)
		s->slot = hash_grow(s->slot, &s->cap, 8, sizeof *s->slot,
		    slot_pos);
	for (j = h & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
		size_t kn;

		sl = &s->slot[j];
		if (sl->hash == 0)
			break;
		if (sl->hash != h)
			continue;
		memcpy(&kn, sl->key, sizeof kn);
		if (kn == n && memcmp(sl->key + sizeof kn, p, n) == 0)
			return 0;
	}
	sl->hash = h;
	sl->key = arena_bytes(&s->mem, sizeof n + n + 1);
	memcpy(sl->key, &n, sizeof n);
	memcpy(sl->key + sizeof n, p, n);
	sl->key[sizeof n + n] = '\0';
	s->n++;
	return 1;
}

const char *
strset_next(const struct strset *s, size_t *pos, size_t *n)
{
	for (; *pos < s->cap; (*pos)++)
		if (s->slot[*pos].hash != 0) {
			const char *k = s->slot[(*pos)++].key;

			memcpy(n, k, sizeof *n);
			return k + sizeof *n;
		}
	return NULL;
}

void
strset_free(struct strset *s)
{
	free(s->slot);
	arena_free(&s->mem);
	memset(s, 0, sizeof *s);
}
