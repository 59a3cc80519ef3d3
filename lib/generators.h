/*
 * generators.h - the generators a schema's field may name ("gen":
 * "uniform"), in one table: each one's name, the parameters it takes and
 * the types of field it can fill.  The schema's checks read it (an unknown
 * generator, a parameter of another one, a field of the wrong type) and so
 * does schema-gen's compiler (a name to its kind).  A new generator is a
 * kind and a row here, then its parameters' check (schema_check_fields.c)
 * and its values (gen/).
 */
#ifndef SLUICE_GENERATORS_H
#define SLUICE_GENERATORS_H

#include <stddef.h>

#include "schema.h"

/* The generators, in the table's order: "did you mean" takes the first
   of two as near. */
enum gkind {
	G_NONE,		/* no generator: the field is left null */
	G_UUID, G_SEQUENCE, G_PATTERN, G_UNIFORM, G_NORMAL, G_LOGNORMAL,
	G_CHOICE, G_TIME, G_BOOL, G_GEO, G_DERIVED, G_REF, G_CONST,
	G_SESSION, G_LIST,
	G_COUNT		/* how many kinds, G_NONE too */
};

/* A generator's parameters at most, and the NULL after them. */
#define GKIND_MAX_PARAMS 8

/* Parameters of all the generators together at most. */
#define GKIND_ALL_PARAMS (G_COUNT * (GKIND_MAX_PARAMS - 1))

struct gkind_def {
	const char *name;	/* as "gen" spells it; NULL for G_NONE */
	/* The keys it takes beyond a field's own (name, type...), NULL
	   after the last; their order is the one errors suggest from. */
	const char *params[GKIND_MAX_PARAMS];
	unsigned types;		/* the field types it fills: 1 << FT_x each;
				   0 for any */
	/* What it makes, for "uniform makes numbers, but the type is
	   string"; NULL where its own check says so in its words (a list:
	   "a list is of type json"). */
	const char *makes;
};

/* The row of kind k (G_NONE's is empty). */
const struct gkind_def *gkind_def(enum gkind k);

/* The kind a schema names ("uniform"), or G_NONE (NULL, or no such). */
enum gkind gkind_of(const char *name);

/* Can kind k fill a field of type t? */
int gkind_fills(enum gkind k, enum ftype t);

/* Does kind k take key as a parameter of its own? */
int gkind_takes(enum gkind k, const char *key);

/*
 * The generators' names in the table's order into out, NULL after the
 * last (G_COUNT places: the list jc_choice() takes).
 */
void gkind_names(const char **out);

/*
 * Every generator's parameters, each once, in the table's order, added to
 * out after its first *len entries (unless among them), NULL after the
 * last; *len is their count then.  out has room for *len +
 * GKIND_ALL_PARAMS + 1.  A schema field's keys are its own and these.
 */
void gkind_params(const char **out, size_t *len);

#endif
