/*
 * held.h - records kept past their input, for a sink that holds its
 * first records until their columns' kinds are known (parquet-sink,
 * sqlite-sink, pg-sink): every record's fields in one array, their
 * strings in one arena (the names once a layout), JSON values by
 * reference.  A held record reads back as a record of its own layout,
 * src and line.
 */
#ifndef SLUICE_HELD_H
#define SLUICE_HELD_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "rec.h"

struct held_row {
	size_t at, n;		/* its fields: f[at..at+n) */
	const char *src;
	unsigned long line;
	uint64_t layout;
};

struct held {
	struct held_row *row;
	size_t n, cap;		/* records held */
	double first;		/* when the first came (now_seconds) */
	/* Kept by held.c: */
	struct field *f;
	size_t nf, capf;
	struct arena mem;
	json_t **json;
	size_t njson, capjson;
	const char *src_seen, *src_copy;
	uint64_t names_layout;	/* the last row's layout, its names at: */
	size_t names_at;
};

/* Keep a copy of r (its fields, src, line and layout); src is copied
   once while it is the same pointer (a reader's name for its input). */
void held_add(struct held *h, const struct rec *r);

/* Held record i into r (cleared first; its values are h's, valid until
   held_free). */
void held_get(const struct held *h, size_t i, struct rec *r);

/* Has h held rows records, or secs seconds (0: never by time)? */
int held_due(const struct held *h, size_t rows, double secs);

/* Let everything go: h is empty again. */
void held_free(struct held *h);

#endif
