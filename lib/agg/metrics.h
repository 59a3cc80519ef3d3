/*
 * metrics.h - aggregations by group, shared by batch-agg (a table for
 * the whole input) and stream-window (a table a window): metrics as -m
 * spells them ("[NAME=]AGG[:FIELD]"), their states and how a value adds
 * to one or two merge, the final values, and a hash table of groups
 * keyed by their parts.
 */
#ifndef SLUICE_METRICS_H
#define SLUICE_METRICS_H

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "dec.h"
#include "hll.h"
#include "rec.h"
#include "schema.h"
#include "strset.h"

enum agg_kind {
	A_COUNT, A_SUM, A_AVG, A_MIN, A_MAX, A_DISTINCT, A_APPROX,
	A_COUNT_TRUE, A_RATE_TRUE
};

/* What a metric needs of its field's value. */
enum need { N_NONE, N_NUMBER, N_BOOL, N_TEXT };

struct metric {
	char *name;		/* the output column */
	enum agg_kind kind;
	char *field;		/* the input field; NULL for count */
	char *where;		/* "... where EXPR": only the records EXPR
				   holds for count (SQL's FILTER); or NULL */
	struct where *test;	/* where compiled (NULL when read from a
				   partial file: the states are made) */
	int places;		/* sum/min/max: decimals; -1: the most seen */
	int in;			/* which of the parsed inputs it reads (the
				   program numbers them), or -1 */
	int key_part;		/* distinct of a field grouped by: that part
				   of the group's key, counted from the
				   groups, not per record; else -1 */
};

/* Names of aggregations, as -m and partial files spell them. */
const char *agg_name(enum agg_kind k);
int agg_parse(const char *s, enum agg_kind *k);

/* Parse "[NAME=]AGG[:FIELD][ where EXPR]" into m (places from the
   schema, if any; EXPR as --where takes it, where.h).  Returns 0, or -1
   with a message in err. */
int metric_parse(const char *s, const struct schema *sc, struct metric *m,
    char *err, size_t errlen);

/* Each metric's name (the output column) once, and none a name of
   others (the group's fields); else -1 with a message in err. */
int metrics_check_names(const struct metric *m, size_t n,
    const char *const *others, size_t nothers, char *err, size_t errlen);

/* What metric kind k needs of its field's value. */
enum need metric_need(enum agg_kind k);

/* The input fields metrics read, each parsed once a record. */
struct infield {
	char *name;
	enum need need;
	int scale;		/* N_NUMBER: the decimals each value is
				   rounded to as it is read (a field declared
				   decimal), or -1: exactly as written */
};

/* The slot of field name read as need in (*in)[0..*n), added if new
   (scale -1): a metric's `in`. */
int infield_of(struct infield **in, size_t *n, const char *name,
    enum need need);

/*
 * Give the number fields sc declares decimal their scale, so each value
 * is rounded to it as it is read (dec_parse), as cleanse and the sinks
 * round it: a sum is the sum of the values a NUMERIC column would hold.
 */
void infields_declare(struct infield *in, size_t n, const struct schema *sc);

void infields_free(struct infield *in, size_t n);

/* Free n metrics and the array. */
void metrics_free(struct metric *m, size_t n);

/* -j: m[0..n) again for another thread, each where test its own (a test
   keeps its state as it runs); the rest is m's.  Freed by
   metrics_free_own_tests(). */
struct metric *metrics_own_tests(const struct metric *m, size_t n);
void metrics_free_own_tests(struct metric *m, size_t n);

/* One metric's state in one group. */
struct mstate {
	uint64_t n;		/* values seen (count_true: trues); distinct
				   and approx with set NULL: the final count */
	void *set;		/* distinct: struct strset *; approx: struct hll * */
	struct dsum v;		/* sum, or the min or max so far (after n and
				   set: no padding before its 16-byte alignment) */
};

/* A record's parsed input fields. */
struct parsed {
	int null;
	struct dec d;		/* N_NUMBER */
	int b;			/* N_BOOL */
	const char *t;		/* N_TEXT */
	size_t tn;
};

/*
 * Read value v (NULL: missing) as field f asks into p: a number rounded
 * to f's scale (val_to_dec); a string it makes lives in r.  0, or -1
 * when it is not what is needed (a number: not one, or more than 18
 * digits; a boolean: not one).
 */
int parsed_in(const struct val *v, const struct infield *f,
    struct parsed *p, struct buf *scratch, struct rec *r);


/* Add one value p to metric m's state st. */
void state_add(const struct metric *m, struct mstate *st,
    const struct parsed *p);

/* Add one record (its parsed inputs) to states st[0..nm): every
   metric, or with on those on[i] says (metrics_test). */
void states_add(const struct metric *m, size_t nm, struct mstate *st,
    const struct parsed *in, const unsigned char *on);

/* Does any metric have a where? */
int metrics_filtered(const struct metric *m, size_t nm);

/*
 * Which metrics record r counts in: on[i] 1, or 0 when metric i's where
 * does not hold for it.  0, or -1 with *why when a where cannot be
 * worked out for r (the caller diverts it).
 */
int metrics_test(const struct metric *m, size_t nm, const struct rec *r,
    unsigned char *on, const char **why);

/*
 * st[i] += from[i].  A distinct or approx_distinct state may be a final
 * count (states_finish), which merges only with an empty state: -1 when
 * one meets another with values (that metric left as it was), else 0.
 */
int states_merge(const struct metric *m, size_t nm, struct mstate *st,
    const struct mstate *from);

/*
 * Make each distinct and approx_distinct state of st[0..nm) its final
 * count: n the count (an estimate rounded), its set freed and NULL.  For
 * a group whose every state has been merged in (a reducer's).
 */
void states_finish(const struct metric *m, size_t nm, struct mstate *st);

void states_free(const struct metric *m, size_t nm, struct mstate *st);

/* The groups: keys (their parts length-prefixed), record counts and
   states, by hash. */
struct group {
	const char *key;	/* parts: a uint32_t length, then the bytes */
	uint32_t keylen;
	uint32_t changed;	/* for the caller (stream-window: since the
				   group was last written); 0 when made */
	uint64_t records;
};

/* Eight bytes a slot, so more of them share a cache line: the hash's
   low 32 bits (1 for 0) place and tag a group. */
struct slot {
	uint32_t tag;		/* 0: empty */
	uint32_t group;
};

struct table {
	size_t nm;
	struct group *g;
	struct mstate *states;	/* nm a group, group i's at i * nm */
	size_t n, cap;
	struct slot *slot;
	size_t slots;
	struct arena keys;
};

void table_init(struct table *t, size_t nm);

/* The index of the group with this key, made if new. */
size_t table_get(struct table *t, const char *key, uint32_t keylen,
    uint64_t hash);

static inline struct mstate *
table_states(const struct table *t, size_t group)
{
	return t->states + group * t->nm;
}

/* The group indexes in key order (an array to free). */
size_t *table_sorted(const struct table *t);

/* Put groups[0..n) (indexes of some of t's groups) in key order. */
void table_sort(const struct table *t, size_t *groups, size_t n);

/* Every group of from into t: its records added, its states merged
   (states_merge; -1 as it says), changed if it was.  from is left as it
   was. */
int table_merge(struct table *t, const struct table *from,
    const struct metric *m);

void table_free(struct table *t, const struct metric *m);

/* Part i of a key: its bytes and length, or NULL past the last. */
const char *key_part(const char *key, uint32_t keylen, size_t i,
    uint32_t *n);

/* Keys in order: part by part, bytewise, a shorter part first. */
int key_cmp(const char *a, uint32_t an, const char *b, uint32_t bn);

/* Add a part to a key being built. */
void key_add(struct buf *b, const char *p, size_t n);

/* Add a dimension's value as a part: its text trimmed, UNKNOWN when it
   is missing or blank (v NULL: missing). */
void key_add_dim(struct buf *b, const struct val *v, struct buf *scratch);

/* A metric's final value; places_seen for places -1. */
struct val metric_value(const struct metric *m, const struct mstate *st,
    uint64_t records, int places_seen, struct rec *r);

/* --- As JSON (metric_json.c) --------------------------------------------- */

/* States st[0..nm) as a JSON array, exactly (a new reference). */
json_t *states_json(const struct metric *m, size_t nm,
    const struct mstate *st);

/* States from such an array into st[0..nm) (zeroed first); 0, or -1
   when it is malformed (free st all the same). */
int states_read(const struct metric *m, size_t nm, const json_t *j,
    struct mstate *st);

/* The same, where a distinct or approx_distinct state may also be a
   final count (an integer, as states_json writes one): a partial's. */
int states_read_final(const struct metric *m, size_t nm, const json_t *j,
    struct mstate *st);

/* A key's parts as a JSON array of strings; and back into key. */
json_t *key_json(const char *key, uint32_t keylen);
int key_from_json(const json_t *j, struct buf *key);

#endif
