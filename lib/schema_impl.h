/*
 * schema_impl.h - the schema loader's insides, shared by schema.c (loading
 * and the public API), schema_read.c (the file into JSON) and the section
 * checks, schema_check*.c.  Not for programs: they use schema.h.
 *
 * A check takes the loader's context, fails through c->jc (the first
 * problem is kept, later calls do nothing) and fills the schema as it
 * goes: the fields before a check are usable by its expressions.
 */
#ifndef SLUICE_SCHEMA_IMPL_H
#define SLUICE_SCHEMA_IMPL_H

#include "generators.h"
#include "jcheck.h"
#include "schema.h"

/* A field's own keys at most (name, type...), and the NULL after them. */
#define SCHEMA_OWN_KEYS 8

/* The loader's state while it checks one file. */
struct ctx {
	struct jcheck jc;
	struct schema *s;
	size_t defined;		/* fields usable by an expression */
	int all_fields;		/* rules: every field is usable */
	char **attrs;		/* "entity.attr" names expressions may use */
	size_t nattrs;
	size_t pool_bytes;	/* the generated pools' values take */
	/* The keys a field may have: its own, then every generator's
	   parameters (made once, by check_fields()). */
	const char *field_keys[SCHEMA_OWN_KEYS + GKIND_ALL_PARAMS];
	size_t nfield_keys;
};

/* The types' names as a schema spells them, by enum ftype; NULL last. */
extern const char *const schema_type_names[];

/*
 * The file at path as JSON, or NULL with err set ("base: ..." for what is
 * wrong with the text, "path: ..." for what the system said) and *status
 * 1 when it could not be read or memory ran out, 2 when it is not JSON or
 * larger than a schema may be (schema_read.c).
 */
json_t *schema_read_json(const char *path, const char *base, char *err,
    size_t errlen, int *status);

/* Why name cannot be read as a file: an errno, ENOENT if it is not there. */
int schema_why_unreadable(const char *name);

/* --- What every check shares (schema_check.c) ------------------------ */

/* The variable an expression's name stands for here, or -1. */
int check_resolve(void *vctx, const char *name);

/* An expression must compile over the names usable here. */
void check_expr(struct ctx *c, const char *path, const char *text);

/* A parameter that is a number or an expression giving one. */
void check_numeric(struct ctx *c, const char *path, const json_t *obj,
    const char *key, int required);

/* Non-negative weights, count entries, not all zero (w NULL: none). */
void check_weights(struct ctx *c, const char *path, const json_t *w,
    size_t count);

/* Can the JSON value v stand in a field of type t? */
int fits_type(const json_t *v, enum ftype t);

/*
 * x, at path, must be an object (else the message is what) of only the
 * keys allowed.  Returns 0 or -1.
 */
int check_object(struct ctx *c, const char *path, const json_t *x,
    const char *what, const char *const *allowed);

/* Has an element of arr before the i-th the same "name"? */
int named_before(const json_t *arr, size_t i, const char *name);

/*
 * The field called name must exist (and be of one of types, if ntypes;
 * what says what it is for in the message).  Its index, or -1.
 */
int need_field(struct ctx *c, const char *path, const char *name,
    const char *what, const enum ftype *types, int ntypes);

/* --- The sections, in the order schema_load() checks them ------------ */

/* lookups: tables of key: value (schema_check_entities.c). */
void check_lookups(struct ctx *c, const json_t *lk);

/* entities: pools given as rows or made by their own fields; their
   attributes become names expressions may use (schema_check_entities.c). */
void check_entities(struct ctx *c, const json_t *ents);

/*
 * The fields array of the schema (in_entity 0: fills c->s->fields as it
 * goes), or of an entity or a list's items (in_entity 1: they see no
 * record field).  Returns the fields, *nout of them, to free
 * (schema_check_fields.c).
 */
struct schema_field *check_fields(struct ctx *c, const char *path,
    const json_t *arr, size_t *nout, int in_entity);

/* sessions (schema_check_sessions.c). */
void check_sessions(struct ctx *c, const json_t *se);

/* anomalies (schema_check_anomalies.c). */
void check_anomalies(struct ctx *c, const json_t *an);

/* rules: cleanse's checks over a record's fields (schema_check_rules.c). */
void check_rules(struct ctx *c, const json_t *rules);

/* versions, and the history per field they make (schema_check_versions.c). */
void check_versions(struct ctx *c, const json_t *versions);

/* version_field: an int field outside the history (schema_check_versions.c). */
void check_version_field(struct ctx *c);

/* enrich: the fields cleanse computes (schema_check_enrich.c). */
void check_enrich(struct ctx *c, const json_t *enrich);

/* analysis (schema_check_analysis.c). */
void check_analysis(struct ctx *c, const json_t *a);

#endif
