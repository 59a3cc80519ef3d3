/*
 * agg.h - what batch-agg's parts share: the aggregation asked for (the
 * spec), the groups and their states, partial states as JSON.
 */
#ifndef SLUICE_AGG_H
#define SLUICE_AGG_H

#include "agg/metrics.h"
#include "sluice.h"

struct spec {
	char *date;		/* the field grouped by its date, or NULL */
	char *date_col;		/* its output column */
	char **dims;		/* fields grouped by, as text */
	size_t ndims;
	struct metric *m;	/* per group */
	size_t nm;
	struct metric *kpi;	/* over everything (--kpis) */
	size_t nkpi;
	int kpi_copied;		/* kpi[i] is m[i] (a where tested once) */
	struct infield *in;
	size_t nin;
};

/* Fill in the input fields the metrics read (spec.in), and which
   distinct counts come from the group keys. */
void spec_inputs(struct spec *sp);

void spec_free(struct spec *sp);

/* The distinct counts of grouped fields, from the groups' keys: into
   each group's states and the KPI states.  Once, after the records. */
struct table;
void key_states(const struct spec *sp, struct table *t, struct mstate *kpi);

/* Partial states (partial.c). */
void partial_header(struct out *o, const struct spec *sp);
void partial_group(struct out *o, const struct spec *sp,
    const struct group *g, const struct mstate *st);
void partial_kpi(struct out *o, const struct spec *sp, uint64_t records,
    const struct mstate *st);

/*
 * Read one partial file into the table and the KPI states; the first
 * header read fixes the spec (sp empty), later ones must agree.
 * Returns 0, or -1 (reported).
 */
int partial_read(const char *path, struct spec *sp, struct table *t,
    struct mstate **kpi, uint64_t *kpi_records, int *have_spec);

#endif
