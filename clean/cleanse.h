/*
 * cleanse.h - what cleanse's parts share.
 */
#ifndef SLUICE_CLEANSE_H
#define SLUICE_CLEANSE_H

#include "sluice.h"

/*
 * A record's field names as cleanse sees them: lower-cased, trimmed, each
 * run of inner spaces one '_' ("Order Date " -> "order_date").  Cached per
 * layout, so a CSV file's header is normalised once.
 */
struct names {
	uint64_t layout;	/* the layout cached, 0: none */
	const char **name;	/* normalised names, in field order */
	size_t n, cap;
	struct arena mem;
};

/* The normalised names of r's fields (valid until the next call). */
const char *const *names_of(struct names *nm, const struct rec *r);

/* Normalise one name into buf; returns buf. */
char *normalize_name(const char *name, char *buf, size_t size);

void names_free(struct names *nm);

/* The retail rules, used without a schema (retail.c). */
struct retail;
struct retail *retail_new(void);
void retail_each(struct filter *f, struct rec *r, void *ctx);
void retail_free(struct retail *rt);

/* What the options ask of the cleansing. */
struct cleanse_opts {
	const char *dedup;	/* key fields, "a,b", or NULL */
	struct strset *seen;	/* --seen: keys of earlier runs, in the
				   form the dedup keeps (each field's text
				   and a NUL), or NULL; smode_new takes the
				   members over and leaves it empty */
	int64_t late_after;	/* us; -1: no late_arrival column */
};

/* What a run saw, for --metrics. */
struct cleanse_stats {
	size_t nversions;
	const long long *version_numbers;
	const uint64_t *per_version;	/* [nversions]: not a version */
	uint64_t late;
};

/* With a schema (schema_mode.c): versions, types, rules, dedup, enrich. */
struct smode;
struct smode *smode_new(const struct schema *s,
    const struct cleanse_opts *opt);
void smode_each(struct filter *f, struct rec *r, void *ctx);

/* What needs the records before (dedup with --late-after, late_arrival):
   the filter's later step, in input order on the first context. */
void smode_later(struct filter *f, struct rec *r, struct rec *o,
    const void *key, size_t keyn, void *ctx);

/* -j: a context for another thread, like m; its counts folded into m
   when it is done (and freed). */
struct smode *smode_worker(const struct smode *m);
void smode_worker_done(struct smode *w, struct smode *m);

/* The keys --dedup has seen (the filter's f->seen). */
struct strset *smode_seen(struct smode *m);
void smode_stats(const struct smode *m, struct cleanse_stats *st);
void smode_free(struct smode *m);

/* A run's report (metrics.c). */
struct cleanse_report {
	const struct filter *f;		/* counts and reasons */
	struct out *out;		/* --metrics FILE opened, or NULL */
	const char *schema;		/* its name, or NULL */
	char **inputs;
	int ninputs;
	const char *const *rules;	/* the declared rules, listed if 0 */
	size_t nrules;
	const struct cleanse_stats *st;	/* or NULL (no schema) */
	int64_t late_after;
	double min_valid;	/* below this % valid: DEGRADED */
	double warn_rule;	/* a rule failing on more than this %: warn */
};

/* "HEALTHY", "DEGRADED" or "NO_DATA". */
const char *cleanse_status(const struct cleanse_report *rp);

/*
 * Warn about rules that failed too often, and append the metrics line
 * when asked.  Returns 0, or -1 when the file could not be written.
 */
int cleanse_report(const struct cleanse_report *rp);

#endif
