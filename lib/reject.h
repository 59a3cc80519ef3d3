/*
 * reject.h - the dead-letter output: records a program diverts, one JSON
 * object per line, with where they came from and every reason:
 *
 *   {"source":"in.csv:12","errors":[{"rule":"type","field":"qty",
 *    "message":"..."}],"record":{...}}
 *
 * An error has "field" when its fault is in one field of the record.
 *
 * A record that could not be split into named fields carries "raw" (its
 * text) or "fields" (its cells, in order) instead of "record".  Each
 * diverted record is also reported on stderr as "prog: file:line: reason",
 * the first REJ_SHOWN of them; the rest are only counted.
 */
#ifndef SLUICE_REJECT_H
#define SLUICE_REJECT_H

#include <stdint.h>

#include "rec.h"

enum { REJ_SHOWN = 10 };

struct rej_reason {
	const char *rule;	/* a short name: "parse", "required", ... */
	const char *message;	/* what was wrong, for people */
	const char *field;	/* the one field at fault, or NULL */
};

struct rejects;

/*
 * Dead letters to path (appended to, so several runs can share one file),
 * or with path NULL only counted and reported.  Returns NULL when the file
 * cannot be opened (reported).
 */
struct rejects *rej_open(const char *path);

/* Divert r for the given reasons (n >= 1). */
void rej_put(struct rejects *rj, const struct rec *r,
    const struct rej_reason *why, size_t n);

/* The same without the stderr line (duplicates are not errors). */
void rej_quiet(struct rejects *rj, const struct rec *r,
    const struct rej_reason *why, size_t n);

/* The common case of one reason. */
void rej_one(struct rejects *rj, const struct rec *r, const char *rule,
    const char *message);

/* Records diverted so far. */
uint64_t rej_count(const struct rejects *rj);

/*
 * Everything diverted so far on disk (flushed, and synced when the file
 * is a regular file): its length in bytes, -1 when there is no file, -2
 * when it failed (reported).  A checkpoint records it, to cut the file
 * back to it on a restart.
 */
long long rej_sync(struct rejects *rj);

/* Close and free; -1 if writing the file failed (reported). */
int rej_close(struct rejects *rj);

#endif
