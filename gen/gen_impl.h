/*
 * gen_impl.h - the generator's insides, shared by its files: gen.c (its
 * life), compile.c (the schema compiled), entities.c (the pools), days.c,
 * record.c (making a record), typed.c (values in a field's type),
 * alias.c, sessions.c and anomalies.c.  Not for the program: it uses
 * gen.h.
 */
#ifndef SLUICE_GEN_IMPL_H
#define SLUICE_GEN_IMPL_H

#include <math.h>

#include "gen.h"
#include "generators.h"
#include "hash.h"

/*
 * Weighted choice in constant time (Walker's alias method): column
 * floor(u * n) keeps itself with probability prob[i], else gives alias[i].
 * No branch depends on the data, which matters at millions of picks.
 */
struct alias {
	double *prob;
	uint32_t *alias;
	size_t n;
};

/* Build from a JSON array of weights (NULL: all equal) or from w[]. */
void alias_build(struct alias *a, const json_t *weights, const double *w,
    size_t n);
void alias_free(struct alias *a);

static inline size_t
alias_pick(const struct alias *a, double u)
{
	double x = u * (double)a->n;
	size_t i = (size_t)x;

	if (i >= a->n)
		i = a->n - 1;
	return x - (double)i < a->prob[i] ? i : a->alias[i];
}

/* A numeric parameter: a constant or an expression over the record. */
struct param {
	int set;
	double v;
	struct expr *e;
	int var;		/* when e is only a name: its variable */
};

/* A pattern, compiled: literal runs and placeholders. */
enum ptok { P_LIT, P_DIGIT, P_LETTER, P_ALNUM, P_SEQ, P_DAY };

struct pattern_tok {
	enum ptok kind;
	const char *lit;	/* P_LIT: bytes to copy */
	size_t n;		/* P_LIT: their count; P_SEQ: width */
};

struct gfield {
	const struct schema_field *sf;
	enum gkind kind;
	uint64_t key;		/* the field's stream of draws */
	double null_rate;
	int round;		/* decimals, or -1 */
	struct param a, b;	/* min/max, mean/stddev, median/sigma */
	struct param lo, hi;	/* bounds of normal and lognormal */
	struct val *values;	/* choice */
	struct alias pick;	/* choice: by weight */
	size_t nvalues;
	struct pattern_tok *ptoks;	/* pattern */
	size_t nptoks;
	int plain;		/* pattern: its output is always plain */
	char *text;		/* pattern, uuid, time: the value made last,
				   valid until the next record (as records'
				   strings are) */
	int64_t start, step;	/* sequence */
	struct alias hours;	/* time: the hour by weight */
	double weekday[7];	/* time: day weights (mean 1) */
	double ramp;
	double p;		/* bool */
	double box[4];		/* geo */
	int lon;
	uint64_t point;
	struct expr *expr;	/* derived */
	int var;		/* ref: the variable it reads */
	struct val k;		/* const */
	struct schema_field *item_sf;	/* list: the items' fields */
	struct gfield *item_gf;
	size_t nitems;
	int min_items, max_items;
};

struct entity {
	const char *name;
	uint64_t key;
	size_t nrows, nattrs;
	const char **attrs;
	struct val *cells;	/* row r, attribute a: cells[r * nattrs + a] */
	struct alias pick;	/* selection by weight (or uniform) */
	size_t var0;		/* its attributes' first variable */
	struct arena mem;	/* its strings */
};

struct session_state;
struct anomaly_state;

struct generator {
	const struct schema *s;
	uint64_t seed;
	struct gfield *f;
	size_t nf;
	struct entity *ent;
	size_t nent;
	struct val *vars;	/* fields, then entity attributes */
	unsigned char *fixed;	/* fields set by sessions this record */
	size_t nvars;
	int64_t day;		/* the day being made */
	uint64_t n, i;		/* its records, and how many are made */
	uint64_t made;		/* records out, copies too (GEN_EXACT) */
	int exact;		/* n counts the copies (GEN_EXACT) */
	uint64_t base;		/* the current record's key */
	uint64_t day_base;	/* the day's key, mixed from (seed, day) */
	char date[16];		/* the day as YYYY-MM-DD */
	char compact[16];	/* and as YYYYMMDD */
	int64_t schema_start;	/* day the ramp starts from */
	int64_t schema_days;
	struct session_state *sess;
	struct anomaly_state *anom;
	struct rec last;	/* the record before, for duplicates */
	struct rec store;	/* strings of typed constants (choices...) */
	uint64_t layout;	/* its records' field names never change */
	int pending_dup;
};

/*
 * The k-th 64 random bits of stream key for the current record.  The
 * record's base is already a full mix of (seed, day, record), so one more
 * round over base ^ (key + k * phi) -- distinct for every (stream, k) --
 * gives independent bits; a round per draw is what makes this cheap.
 */
static inline uint64_t
draw(const struct generator *g, uint64_t key, uint64_t k)
{
	return hash_mix(g->base ^ (key + k * UINT64_C(0x9e3779b97f4a7c15)));
}

/* ... as a double in [0, 1). */
static inline double
unit(uint64_t bits)
{
	return (double)(bits >> 11) * 0x1.0p-53;
}

/* The value a field gets in the current record (vars hold those before;
   record.c). */
struct val gen_value(struct generator *g, struct gfield *f, struct rec *r,
    int64_t now_us);

/* 10^k, exactly for k 0 to 18. */
static inline double
pow10d(int k)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18 };

	return k >= 0 && k <= 18 ? p10[k] : pow(10, k);
}

/* A string made in the record's arena. */
static inline struct val
made(struct rec *r, const char *p, size_t n)
{
	return val_str(rec_strdup(r, p, n), n);
}

/* A value from the schema file, strings marked plain where they are
   (looked at once here, never again per record; typed.c). */
struct val json_val(const json_t *j);

/* to_type() for a value not already of the field's type (typed.c). */
struct val to_type_slow(const struct schema_field *sf, struct val v,
    struct rec *r);

/* Make v the field's type (a decimal with its scale, a date...); a value
   that has no such form is null.  Strings made live in r. */
static inline struct val
to_type(const struct schema_field *sf, struct val v, struct rec *r)
{
	/* Most values are already what the field wants. */
	if (v.type == VAL_NULL ||
	    (sf->type == FT_STRING && (v.type == VAL_STR ||
	    v.type == VAL_TEXT)) ||
	    (sf->type == FT_INT && v.type == VAL_INT) ||
	    (sf->type == FT_DECIMAL && v.type == VAL_DEC &&
	    v.scale == sf->scale) ||
	    (sf->type == FT_FLOAT && v.type == VAL_DOUBLE) ||
	    (sf->type == FT_BOOL && v.type == VAL_BOOL))
		return v;
	return to_type_slow(sf, v, r);
}

/* The compiler (compile.c), of a schema checked already: field f from sf,
   its expressions seeing the first defined fields. */
void compile_field(struct generator *g, struct gfield *f,
    const struct schema_field *sf, size_t defined);
/* Fields that see no record (an entity's, a list's items) from their
   JSON: *sfs and *gfs, as many as fields has, to free. */
void compile_fields(struct generator *g, const json_t *fields,
    struct schema_field **sfs, struct gfield **gfs);
/* What compile_field() holds (not f itself). */
void free_field(struct gfield *f);

/* The day's key and its date, as text (days.c). */
void set_day(struct generator *g, int64_t day);

/* Entity pools (entities.c): build them all, or fail with a message. */
int entities_new(struct generator *g, char *err, size_t errlen);
void entities_free(struct generator *g);

/* Sessions (sessions.c): set up, start a day, fill a record's fields. */
int sessions_new(struct generator *g, char *err, size_t errlen);
void sessions_day(struct generator *g);
void sessions_record(struct generator *g, struct rec *r, int64_t now_us);
void sessions_free(struct generator *g);

/* Anomalies (anomalies.c). */
int anomalies_new(struct generator *g, char *err, size_t errlen);
/* Maybe damage the current record's vars; returns 1 for "duplicate". */
int anomalies_apply(struct generator *g, struct rec *r, struct anomaly *a);
void anomalies_free(struct generator *g);

#endif
