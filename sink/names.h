/*
 * names.h - a name -> index map for the sinks: their columns, and
 * parquet-sink's partitions.  Open addressing over 64-bit hashes, so a
 * record of a million fields finds each field's column in constant time
 * instead of scanning the columns for every field.
 */
#ifndef SLUICE_NAMES_H
#define SLUICE_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct names_slot {
	const char *key;	/* NULL: empty; not owned */
	size_t n;		/* its length */
	uint64_t hash;
	size_t idx;		/* what it maps to */
};

struct names {
	struct names_slot *slot;
	size_t cap, n;
	int fold;		/* set before use: ASCII case is ignored, as
				   SQLite ignores it in identifiers */
};

/* The index stored under key[0..n), or -1. */
long names_find(const struct names *t, const char *key, size_t n);

/*
 * Store idx under key[0..n), replacing what was there.  The key is not
 * copied: it must stay valid while t is used.
 */
void names_add(struct names *t, const char *key, size_t n, size_t idx);

/* Release the table (not the keys); it is empty again. */
void names_free(struct names *t);

#endif
