#include "nameidx.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"

/* The slot name is in, or the empty one where it would go. */
static struct nameidx_slot *
find(const struct nameidx *x, const char *name, uint64_t h)
{
	uint32_t tag = (uint32_t)(h >> 32);

	for (size_t j = h & x->mask;; j = (j + 1) & x->mask) {
		struct nameidx_slot *sl = &x->slot[j];

		if (sl->name == NULL || (sl->tag == tag &&
		    strcmp(sl->name, name) == 0))
			return sl;
	}
}

void
nameidx_reset(struct nameidx *x, size_t want)
{
	size_t cap = 16;

	while (cap / 2 < want)
		cap *= 2;
	if (cap > x->cap) {
		free(x->slot);
		x->slot = emalloc(cap * sizeof *x->slot);
		x->cap = cap;
	}
	memset(x->slot, 0, cap * sizeof *x->slot);
	x->mask = cap - 1;
	x->n = 0;
}

/* Twice the slots, the names moved over. */
static void
grow(struct nameidx *x)
{
	struct nameidx old = *x;

	x->slot = NULL;
	x->cap = 0;
	nameidx_reset(x, (old.mask + 1));
	for (size_t j = 0; j <= old.mask; j++)
		if (old.slot[j].name != NULL) {
			const char *nm = old.slot[j].name;

			*find(x, nm, hash_table_key(nm, strlen(nm))) =
			    old.slot[j];
			x->n++;
		}
	free(old.slot);
}

long
nameidx_put(struct nameidx *x, const char *name, uint32_t at)
{
	uint64_t h = hash_table_key(name, strlen(name));
	struct nameidx_slot *sl;

	if (x->slot == NULL)
		nameidx_reset(x, 1);
	else if ((x->n + 1) * 2 > x->mask + 1)
		grow(x);
	sl = find(x, name, h);
	if (sl->name != NULL)
		return (long)sl->at;
	sl->name = name;
	sl->at = at;
	sl->tag = (uint32_t)(h >> 32);
	x->n++;
	return -1;
}

long
nameidx_get(const struct nameidx *x, const char *name)
{
	const struct nameidx_slot *sl;

	if (x->slot == NULL)
		return -1;
	sl = find(x, name, hash_table_key(name, strlen(name)));
	return sl->name != NULL ? (long)sl->at : -1;
}

void
nameidx_free(struct nameidx *x)
{
	free(x->slot);
	memset(x, 0, sizeof *x);
}
