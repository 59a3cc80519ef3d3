/*
 * partial.c - batch-agg's partial files (aggregate/partial.c): any bytes
 * as a partial file, merged as `batch-agg --merge` merges it -- twice,
 * as two machines' partials of the same aggregation -- then every group
 * and the KPIs given their final values, and the result written as a
 * partial again.
 */
#include <stdlib.h>

#include "../aggregate/agg.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct spec sp = { 0 };
	struct table t = { 0 };
	struct mstate *kpi = NULL;
	uint64_t kpi_records = 0;
	int have_spec = 0;

	if (partial_read(path, &sp, &t, &kpi, &kpi_records, &have_spec) == 0 &&
	    partial_read(path, &sp, &t, &kpi, &kpi_records, &have_spec) == 0) {
		struct buf text = { 0 };
		struct out *o = out_mem(&text);
		struct rec r = { 0 };

		for (size_t g = 0; g < t.n; g++) {
			const struct mstate *st = table_states(&t, g);

			rec_clear(&r);
			for (size_t i = 0; i < sp.nm; i++)
				rec_add(&r, sp.m[i].name, metric_value(&sp.m[i],
				    &st[i], t.g[g].records, st[i].v.scale, &r));
			fuzz_use_values(&r);
			partial_group(o, &sp, &t.g[g], st);
		}
		rec_clear(&r);
		for (size_t i = 0; i < sp.nkpi; i++)
			rec_add(&r, sp.kpi[i].name, metric_value(&sp.kpi[i],
			    &kpi[i], kpi_records, kpi[i].v.scale, &r));
		fuzz_use_values(&r);
		partial_header(o, &sp);
		partial_kpi(o, &sp, kpi_records, kpi);
		out_close(o);
		buf_free(&text);
		rec_free(&r);
	}
	if (kpi != NULL)
		states_free(sp.kpi, sp.nkpi, kpi);
	free(kpi);
	table_free(&t, sp.m);
	spec_free(&sp);
	return 0;
}
