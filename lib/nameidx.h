/*
 * nameidx.h - names to positions, by hash: a record's field names, a
 * schema's.  Names are borrowed (they must outlive their entry); the
 * first entry of a name wins, as a scan from the start would find it.
 * Open addressing, at most half full, a slot holding the name's pointer
 * and hash so a probe seldom compares strings.
 */
#ifndef SLUICE_NAMEIDX_H
#define SLUICE_NAMEIDX_H

#include <stddef.h>
#include <stdint.h>

struct nameidx_slot {
	const char *name;	/* NULL: empty */
	uint32_t at;		/* the position given with it */
	uint32_t tag;		/* the hash's high half */
};

struct nameidx {
	struct nameidx_slot *slot;	/* slot[0..mask] in use */
	size_t cap;			/* slots allocated */
	size_t mask;
	size_t n;			/* names in it */
};

/* Empty x, keeping room for about want names (memory is reused). */
void nameidx_reset(struct nameidx *x, size_t want);

/*
 * Put name at position at, unless it is there: returns -1 when added, or
 * the position it already has.
 */
long nameidx_put(struct nameidx *x, const char *name, uint32_t at);

/* The position of name, or -1. */
long nameidx_get(const struct nameidx *x, const char *name);

void nameidx_free(struct nameidx *x);

#endif
