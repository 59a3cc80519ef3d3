/*
 * agg.h - what batch-agg's parts share: the aggregation asked for (the
 * spec), the groups and their states, partial lines (written, read).
 */
#ifndef SLUICE_AGG_H
#define SLUICE_AGG_H

#include "agg/metrics.h"
#include "sluice.h"

/* The partial lines' format (partial.c), and the key of its header. */
#define PARTIAL_VERSION 2
#define PARTIAL_HEAD_KEY "#"
enum { SPEC_ID_LEN = 16 };

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
	char id[SPEC_ID_LEN + 1]; /* the aggregation's id, a hash of its
				   header's spec, which every partial line
				   carries ("" until known): spec_ident() */
	char *kinds;		/* m's kinds, a letter each, which every
				   group line carries */
};

/* Fill in the input fields the metrics read (spec.in), and which
   distinct counts come from the group keys. */
void spec_inputs(struct spec *sp);

void spec_free(struct spec *sp);

/* The distinct counts of grouped fields, from the groups' keys: into
   each group's states and the KPI states.  Once, after the records. */
struct table;
void key_states(const struct spec *sp, struct table *t, struct mstate *kpi);

/* --- Partial lines ---------------------------------------------------- */

/* The header's spec as JSON (partial_spec.c): what was aggregated. */
json_t *spec_json(const struct spec *sp);

/* Fill in sp->id and sp->kinds, once sp is whole. */
void spec_ident(struct spec *sp);

/* A header's spec into sp (zeroed first; spec_free it either way), its
   id and kinds filled in.  0, or -1 when it is malformed. */
int spec_from_json(const json_t *h, struct spec *sp);

/* sp->m as a group line's kinds say (only what merging needs: no
   names, no fields), and sp->kinds.  0, or -1 for an unknown letter. */
int spec_from_kinds(struct spec *sp, const char *kinds);

/*
 * The partial lines of t's groups (partial.c): the header first, with
 * the KPI states kpi over records, when have_spec (sp whole), then a
 * line a group, in key order.
 */
void partial_write(struct out *o, const struct spec *sp, int have_spec,
    const struct table *t, uint64_t records, const struct mstate *kpi);

/* Every group's distinct counts, and the KPIs' (kpi may be NULL), made
   final (states_finish): for a reducer, which has all of its groups'
   lines. */
void partial_finish(const struct spec *sp, struct table *t,
    struct mstate *kpi);

/* Partial lines read and merged, from any number of inputs. */
struct partials {
	struct spec sp;		/* what they aggregate: whole once a header
				   was read; before, a group line's id and
				   kinds only (spec_from_kinds) */
	int have_spec;		/* a header was read: sp is whole */
	int have_kinds;		/* a header or a group line was read */
	size_t nparts;		/* the parts of a group's key */
	struct table t;		/* the groups, their states merged */
	struct mstate *kpi;	/* sp.nkpi states, once a header was read */
	uint64_t kpi_records;	/* the records they are over */
	struct buf key;		/* scratch: a line's key */
	struct mstate *tmp;	/* scratch: a line's states */
	size_t ntmp;
};

/*
 * Read partial lines from path ("-": standard input) into pm (zeroed
 * before the first).  Returns 0, or -1 (reported with the line) when
 * one is malformed or of another aggregation than the first.  The
 * caller frees pm->sp, pm->t and pm->kpi (or takes them), and the rest
 * with partials_done().
 */
int partial_read(struct partials *pm, const char *path);
void partials_done(struct partials *pm);

#endif
