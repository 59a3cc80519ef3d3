/*
 * spec.c - the aggregation asked for: the input fields its metrics
 * read (each parsed once a record), and freeing it.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

void
spec_inputs(struct spec *sp)
{
	for (size_t i = 0; i < sp->nm + sp->nkpi; i++) {
		struct metric *m = i < sp->nm ? &sp->m[i] : &sp->kpi[i - sp->nm];

		m->key_part = -1;
		/* A filtered one counts from its records, not the keys. */
		if ((m->kind == A_DISTINCT || m->kind == A_APPROX) &&
		    m->where == NULL)
			for (size_t d = 0; d < sp->ndims; d++)
				if (strcmp(sp->dims[d], m->field) == 0)
					m->key_part = (int)d + (sp->date != NULL);
		m->in = m->field && m->key_part < 0 ? infield_of(&sp->in,
		    &sp->nin, m->field, metric_need(m->kind)) : -1;
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
	infields_free(sp->in, sp->nin);
	free(sp->kinds);
	memset(sp, 0, sizeof *sp);
}
