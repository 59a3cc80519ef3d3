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

/*
 * Start a day: day is days since 1970-01-01; n the records it will have,
 * scaled by the schema's weekday weights and ramp when by_weekday is set.
 * Must be called before gen_next() for that day.
 */
void gen_day(struct generator *g, int64_t day, uint64_t n, int by_weekday);

/*
 * The next record of the day into r (cleared first; strings live in r).
 * now_us >= 0 puts time fields at that instant (live mode).  Returns 1
 * with a record, 0 when the day's records are done.  *dup is set when the
 * record is an injected duplicate of the one before; *anom when an anomaly
 * was injected (else its kind is NULL).
 */
int gen_next(struct generator *g, struct rec *r, int64_t now_us, int *dup,
    struct anomaly *anom);

/* The record number (1-based, within the day) of the last record. */
uint64_t gen_record_number(const struct generator *g);

#endif
