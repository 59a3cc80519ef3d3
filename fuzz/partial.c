/*
 * partial.c - batch-agg's partial lines (aggregate/partial_read.c): any
 * bytes as partial lines, merged as `batch-agg --merge` merges them --
 * twice, as two machines' lines of the same aggregation -- then every
 * group and the KPIs given their final values, and the result written
 * as partial lines again, as they are and made final (--reduce).
 */
#include <stdlib.h>

#include "../aggregate/agg.h"
#include "fuzz.h"

/* Each group's and the KPIs' final values (they need the names). */
static void
use_values(struct partials *pm)
{
	struct rec r = { 0 };

	for (size_t g = 0; g < pm->t.n; g++) {
		const struct mstate *st = table_states(&pm->t, g);

		rec_clear(&r);
		for (size_t i = 0; i < pm->sp.nm; i++)
			rec_add(&r, pm->sp.m[i].name, metric_value(&pm->sp.m[i],
			    &st[i], pm->t.g[g].records, st[i].v.scale, &r));
		fuzz_use_values(&r);
	}
	rec_clear(&r);
	for (size_t i = 0; i < pm->sp.nkpi; i++)
		rec_add(&r, pm->sp.kpi[i].name, metric_value(&pm->sp.kpi[i],
		    &pm->kpi[i], pm->kpi_records, pm->kpi[i].v.scale, &r));
	fuzz_use_values(&r);
	rec_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct partials pm = { 0 };

	if (partial_read(&pm, path) == 0 && partial_read(&pm, path) == 0) {
		struct buf text = { 0 };
		struct out *o = out_mem(&text);

		if (pm.have_spec)
			use_values(&pm);
		partial_write(o, &pm.sp, pm.have_spec, &pm.t, pm.kpi_records,
		    pm.kpi);
		partial_finish(&pm.sp, &pm.t, pm.kpi);
		if (pm.have_spec)
			use_values(&pm);
		partial_write(o, &pm.sp, pm.have_spec, &pm.t, pm.kpi_records,
		    pm.kpi);
		out_close(o);
		buf_free(&text);
	}
	if (pm.kpi != NULL)
		states_free(pm.sp.kpi, pm.sp.nkpi, pm.kpi);
	free(pm.kpi);
	table_free(&pm.t, pm.sp.m);
	spec_free(&pm.sp);
	partials_done(&pm);
	return 0;
}
