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

/* Seed 000's cleansing, used without a schema (retail.c). */
struct retail;
struct retail *retail_new(void);
void retail_each(struct filter *f, struct rec *r, void *ctx);
void retail_free(struct retail *rt);

/* With a schema (schema_mode.c): types, rules, dedup by key fields. */
struct smode;
struct smode *smode_new(const struct schema *s, const char *dedup);
void smode_each(struct filter *f, struct rec *r, void *ctx);
void smode_free(struct smode *m);

#endif
