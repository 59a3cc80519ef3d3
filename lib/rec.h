/*
 * rec.h - a record: an ordered list of named values, and where it came from.
 *
 * A reader hands out one record at a time and reuses it: the record, its
 * names and its strings stay valid until the next call on that reader.  A
 * program that builds records (a generator, an aggregator) owns them: its
 * strings go into the record's arena through rec_strdup() and live until
 * rec_clear().
 *
 * A producer that writes r->f[] and r->n directly (a reader, a generator)
 * starts each record from rec_clear(), and only appends: the index that
 * makes rec_index() fast on a wide record covers the fields it has seen
 * and is forgotten only by rec_clear().
 */
#ifndef SLUICE_REC_H
#define SLUICE_REC_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "val.h"

struct rec_idx;

struct field {
	const char *name;	/* NULL for a cell past a CSV header's end */
	struct val v;
};

struct rec {
	struct field *f;	/* the fields, in order */
	size_t n;		/* fields in use */
	size_t cap;		/* fields allocated */
	const char *src;	/* input it came from, for messages */
	unsigned long line;	/* line where it starts in src (1-based) */
	const char *err;	/* why it is malformed; NULL when it is not */
	const char *raw;	/* its text when it could not be split */
	size_t rawn;		/* length of raw */
	uint64_t layout;	/* 0, or an id from rec_layout_new(): every
				   record with this id has the same field
				   names in the same order */
	struct arena mem;	/* strings owned by the record */
	json_t **held;		/* JSON values it keeps a reference to */
	size_t nheld, capheld;
	struct rec_idx *idx;	/* its names hashed, made by the first
				   rec_index() on a wide record; NULL */
};

/*
 * A new layout id.  A producer whose records always have the same field
 * names in the same order (a CSV file's rows) stamps them with one, so a
 * consumer may match names once per layout instead of once per record.
 */
uint64_t rec_layout_new(void);

/* A zeroed struct rec is an empty record; rec_init() makes one. */
void rec_init(struct rec *r);

/* Remove every field and forget src, line, err and raw. */
void rec_clear(struct rec *r);

/* Release the record's memory. */
void rec_free(struct rec *r);

/* Make room for n fields in all (a reader fills r->f[0..n) directly). */
void rec_reserve(struct rec *r, size_t n);

/*
 * Append a field.  name and any string in v are borrowed, not copied.
 * Clears r->layout: a producer stamps its layout after building.
 */
struct field *rec_add(struct rec *r, const char *name, struct val v);

/* Replace the value of the field called name, or append it. */
struct field *rec_set(struct rec *r, const char *name, struct val v);

/* Records up to this many fields are scanned by name; wider ones hashed. */
enum { REC_SCAN_MAX = 32 };

/*
 * The index of the first field called name, or -1.  A narrow record is
 * scanned; a wide one, once its scans have compared about twice as many
 * names as it has, gets a hash index of them, so finding every field of a
 * record costs time linear in its width, not quadratic.
 */
int rec_index(const struct rec *r, const char *name);

/* Whether rec_index() has hashed r's names: for tests of when it does. */
int rec_indexed(const struct rec *r);

/* The value of the first field called name, or NULL. */
struct val *rec_get(const struct rec *r, const char *name);

/*
 * Where named fields sit in records, looked up by name again only when a
 * record's layout is not the last one's (records without a layout, as
 * JSON's, are looked up each time).  For the fields a program reads from
 * every record.
 */
struct rec_finder {
	const char *const *names;	/* borrowed */
	size_t n;
	int *at;			/* names[i]'s field, or -1 */
	uint64_t layout;		/* of the record last located */
	size_t nfields;
};

void finder_init(struct rec_finder *fd, const char *const *names, size_t n);

/* Where each name is in r: at[i] is its field's index, or -1. */
const int *finder_locate(struct rec_finder *fd, const struct rec *r);

void finder_free(struct rec_finder *fd);

/* The value of the field at index at (from finder_locate), or NULL. */
static inline struct val *
rec_at(const struct rec *r, int at)
{
	return at < 0 ? NULL : &r->f[at].v;
}

/*
 * Copy every string the record borrows into its own arena, so it outlives
 * whoever made it (a reader's buffer, a generator's).
 */
void rec_own(struct rec *r);

/* Keep a reference to j (taken from the caller) until rec_clear(). */
void rec_hold(struct rec *r, json_t *j);

/* A copy of p[0..n), NUL-terminated, owned by r until rec_clear(). */
const char *rec_strdup(struct rec *r, const char *p, size_t n);

#endif
