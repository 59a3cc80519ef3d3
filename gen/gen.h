/*
 * gen.h - the generator behind schema-gen: a schema compiled into field
 * generators, entity pools, sessions and anomalies, producing records.
 *
 * Determinism: every random draw is a pure function of (seed, what is
 * drawn, day, record number within the day, draw number) through
 * hash_mix, never of a sequential stream, so a day generated alone is the
 * same as that day in a longer run, and output does not depend on how the
 * work is cut.  Sessions are the one sequential thing, and they live
 * within a day.
 */
#ifndef SLUICE_GEN_H
#define SLUICE_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "expr.h"
#include "out.h"
#include "reader.h"
#include "rec.h"
#include "schema.h"

struct generator;

/* What an injected anomaly was, for --truth. */
struct anomaly {
	const char *kind;	/* "null", "negative", ... */
	const char *field;	/* NULL for "duplicate" */
};

/* Compile s for seed; NULL with a message in err when it cannot run. */
struct generator *gen_new(const struct schema *s, uint64_t seed, char *err,
    size_t errlen);

void gen_free(struct generator *g);

/* How gen_day() counts a day's records. */
enum gen_count {
	GEN_A_DAY,	/* n scaled by the day's weight, duplicates on top */
	GEN_EXACT	/* n out of gen_next(), duplicates among them */
};

/*
 * Start a day: day is days since 1970-01-01.  GEN_A_DAY makes
 * n * gen_day_weight() records, rounded, and an injected duplicate's copy
 * on top of them (what --per-day asks); GEN_EXACT makes n records in all,
 * copies counted, and a record whose copy would be the n+1st is not made a
 * duplicate.  Either way the day's records are the first of the same
 * sequence.  n = UINT64_MAX: no end.  Must be called before gen_next() for
 * that day.
 */
void gen_day(struct generator *g, int64_t day, uint64_t n,
    enum gen_count how);

/*
 * How busy day is beside the others: the weekday weight of the schema's
 * time field times its ramp that day; 1 when it has neither.
 */
double gen_day_weight(const struct generator *g, int64_t day);

/*
 * Share n records among the days first .. first + days - 1 in proportion
 * to their gen_day_weight(): each day the whole part of its share, then
 * what is left one each to the days with the largest fractions, the
 * earlier day first on a tie -- so with equal weights as evenly as can be,
 * the earlier days taking the remainder.  (All weights 0 count as equal.)
 * quota[k] is day first + k's; they sum to n.
 */
void gen_spread(const struct generator *g, int64_t first, size_t days,
    uint64_t n, uint64_t *quota);

/*
 * The next record of the day into r (cleared first; strings live in r).
 * now_us >= 0 puts time fields at that instant (live mode).  Returns 1
 * with a record, 0 when the day's records are done.  *dup is set when the
 * record is an injected duplicate of the one before; *anom when an anomaly
 * was injected (else its kind is NULL).
 */
int gen_next(struct generator *g, struct rec *r, int64_t now_us, int *dup,
    struct anomaly *anom);

/*
 * -j: make day's records number from to to - 1 (0-based), each with its
 * injected duplicate after it (none held back: whether the last of a
 * GEN_EXACT day keeps its copy is the caller's to say).  The same records
 * as that stretch of gen_day()'s, unless gen_sequential().
 */
void gen_block(struct generator *g, int64_t day, uint64_t from, uint64_t to);

/* Do a day's records depend on those before them (sessions)? */
int gen_sequential(const struct generator *g);

/* What a day made (gen_jobs_day). */
struct gen_tally {
	uint64_t records, anomalies, duplicates;
};

/*
 * schema-gen -j (jobs.c): jobs threads, each with a generator of s for
 * seed, making records as fmt (csv, jsonl).  gen_jobs_day() writes what
 * gen_day(day, n, how) and gen_next() would make (g: the caller's
 * generator, for the day's weight) to w over o, and adds its counts to
 * t: 0, or -1 when the output failed.
 */
struct gen_jobs;
struct writer;
struct gen_jobs *gen_jobs_new(const struct schema *s, uint64_t seed, int jobs,
    enum fmt fmt);
int gen_jobs_day(struct gen_jobs *gj, struct generator *g, struct writer *w,
    struct out *o, int64_t day, uint64_t n, enum gen_count how,
    struct gen_tally *t);
void gen_jobs_free(struct gen_jobs *gj);

/* The record number (1-based, within the day) of the last record. */
uint64_t gen_record_number(const struct generator *g);

#endif
