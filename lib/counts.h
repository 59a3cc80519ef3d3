/*
 * counts.h - how often each of a few names happened (the rules a run's
 * rejected records failed, say), in the order they first came.  A linear
 * list: meant for tens of names, counted on the slow path.
 */
#ifndef SLUICE_COUNTS_H
#define SLUICE_COUNTS_H

#include <stddef.h>
#include <stdint.h>

struct count {
	char *name;
	uint64_t n;
	char *first;	/* the first one, for people (counts_first), or NULL */
};

struct counts {
	struct count *v;
	size_t n, cap;
};

/* Add k to name's count (a new name starts at 0). */
void counts_add(struct counts *c, const char *name, uint64_t k);

/* Keep text as name's first example, unless it has one. */
void counts_first(struct counts *c, const char *name, const char *text);

/* name's count, 0 if never added. */
uint64_t counts_get(const struct counts *c, const char *name);

void counts_free(struct counts *c);

#endif
