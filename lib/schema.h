/*
 * schema.h - the schema file: one JSON file that describes a dataset from
 * generation to analysis (see sluice-schema(5)).  schema_load() checks the
 * whole file, every section, so every program gives the same one clear
 * error for the same mistake; it returns the fields with their types and
 * the analysis section parsed, and the other sections as checked JSON for
 * the programs that use them (schema-gen, cleanse).
 */
#ifndef SLUICE_SCHEMA_H
#define SLUICE_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#include "nameidx.h"

/*
 * What a schema may ask (sluice-schema(5), LIMITS), so a hostile file
 * costs bounded time and memory: the file's bytes, rows a generated
 * entity pool may have, and the memory every pool together may take (its
 * values counted at load, its strings as schema-gen makes them).  Fields
 * are bounded by the records' limit, SLUICE_MAX_COLUMNS (src.h).
 */
#define SCHEMA_MAX_BYTES ((long long)16 << 20)
#define SCHEMA_MAX_POOL_ROWS 1000000LL
#define SCHEMA_MAX_POOL_BYTES ((size_t)256 << 20)

enum ftype {
	FT_STRING, FT_INT, FT_FLOAT, FT_DECIMAL, FT_BOOL, FT_DATE, FT_TIMESTAMP,
	FT_JSON		/* a JSON array or object (a list of items) */
};

struct schema_field {
	const char *name;
	enum ftype type;
	int scale;		/* FT_DECIMAL: digits after the point */
	const char *gen;	/* generator name, or NULL */
	const json_t *spec;	/* the field's object in the file */
};

struct schema_analysis {
	const char *timestamp;		/* field, or NULL */
	const char **dimensions;	/* fields */
	size_t ndimensions;
	const char **metrics;		/* numeric fields */
	size_t nmetrics;
	const char **flags;		/* boolean fields */
	size_t nflags;
	const char *title;		/* for people; never NULL */
	const char *currency;		/* or NULL */
	/* What the dataset's revenue is: revenue_field summed over the
	   records revenue_where holds for (all when NULL); field NULL:
	   not said. */
	const char *revenue_field;
	const char *revenue_where;
};

struct schema {
	char *path;		/* the file read */
	const char *name;	/* dataset name: "name", else the file's */
	json_t *root;		/* the whole document */
	struct schema_field *fields;
	size_t nfields;
	struct nameidx names;	/* the fields' names, to their index */
	const char *id;		/* the id field, or NULL */
	long long seed;		/* defaults for schema-gen */
	long long records;
	long long days;
	const char *start;	/* "YYYY-MM-DD" or NULL */
	struct schema_analysis analysis;
	/* Checked sections, NULL when absent: */
	const json_t *entities, *lookups, *sessions, *anomalies, *rules,
	    *versions, *enrich;
	const char *version_field;
	/* The history, when there are versions: */
	long long *version_numbers;	/* ascending */
	size_t nversions;
	long long *since;	/* per field: the version it came in; 0: in all */
	const json_t **defaults;	/* per field: what older records get */
};

/*
 * Find a schema by file name, or by the name of a bundled one ("retail"):
 * a path that exists, else NAME.json in $SLUICE_SCHEMAS, in
 * share/sluice/schemas beside the program's bin/ (an install, wherever it
 * was put), in gen/schemas beside it (a build tree), and in the data
 * folder it was built for.
 * Returns a path to free, or NULL.
 */
char *schema_find(const char *name);

/*
 * List the bundled schemas' names, one a line, on stdout.  Returns how
 * many there were.
 */
int schema_list(void);

/*
 * Load and check a schema (a name or path, as schema_find takes).  Returns
 * NULL with one message in err ("retail.json: fields[3].gen: unknown
 * generator "unifrom" (did you mean "uniform"?)").
 */
struct schema *schema_load(const char *name, char *err, size_t errlen);

/*
 * After schema_load() failed, the exit status it calls for: 1 when the
 * file is there but could not be read (the message says the system's
 * reason, as for any input), 2 when it is not there or not a valid schema
 * (a usage error).
 */
int schema_load_status(void);

void schema_free(struct schema *s);

/* The index of the field called name, or -1 (a hash lookup). */
int schema_field_index(const struct schema *s, const char *name);

/* Is name a field, or a field cleanse adds (an enrichment)? */
int schema_has_name(const struct schema *s, const char *name);

/*
 * The revenue metric as -m spells it ("revenue=sum:total_amount where
 * event_type == 'purchase'"), in buf (size n), or NULL when the schema
 * says no revenue.
 */
const char *schema_revenue_metric(const struct schema *s, char *buf,
    size_t n);

/* "string", "int", ... */
const char *ftype_name(enum ftype t);

/* The article of its name: "an" (int), else "a". */
const char *ftype_article(enum ftype t);

#endif
