/*
 * spec.c - the aggregation asked for: the input fields its metrics
 * read (each parsed once a record), and freeing it.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

/* The input slot for field f read as need (one per field and need). */
static int
input_of(struct spec *sp, const char *f, enum need need)
{
	for (size_t i = 0; i < sp->nin; i++)
		if (sp->in[i].need == need && strcmp(sp->in[i].name, f) == 0)
			return (int)i;
	sp->in = erealloc(sp->in, (sp->nin + 1) * sizeof *sp->in);
	sp->in[sp->nin].name = estrdup(f);
	sp->in[sp->nin].need = need;
	return (int)sp->nin++;
}

void
spec_inputs(struct spec *sp)
{
	for (size_t i = 0; i < sp->nm + sp->nkpi; i++) {
		struct metric *m = i < sp->nm ? &sp->m[i] : &sp->kpi[i - sp->nm];

		m->key_part = -1;
		if (m->kind == A_DISTINCT || m->kind == A_APPROX)
			for (size_t d = 0; d < sp->ndims; d++)
				if (strcmp(sp->dims[d], m->field) == 0)
					m->key_part = (int)d + (sp->date != NULL);
		m->in = m->field && m->key_part < 0 ? input_of(sp, m->field,
		    metric_need(m->kind)) : -1;
	}
}

void
spec_free(struct spec *sp)
{
	free(sp->date);
	free(sp->date_col);
	for (size_t i = 0; i < sp->ndims; i++)
		free(sp->dims[i]);
	free(sp->dims);
	metrics_free(sp->m, sp->nm);
	metrics_free(sp->kpi, sp->nkpi);
	for (size_t i = 0; i < sp->nin; i++)
		free(sp->in[i].name);
	free(sp->in);
	memset(sp, 0, sizeof *sp);
}
