/*
 * schema.c - the schema file (lib/schema.c): any bytes loaded and
 * checked as --schema FILE is, then asked what programs ask of a
 * loaded schema.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "agg/metrics.h"
#include "schema.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], rev[512];
	struct schema *sc = schema_load(fuzz_file(data, size), err, sizeof err);

	if (sc == NULL)
		return 0;
	for (size_t i = 0; i < sc->nfields; i++) {
		(void)schema_field_index(sc, sc->fields[i].name);
		(void)ftype_name(sc->fields[i].type);
	}
	(void)schema_has_name(sc, "id");
	/* The revenue metric, as stream-window and batch-agg parse it. */
	if (schema_revenue_metric(sc, rev, sizeof rev) != NULL) {
		struct metric *m = calloc(1, sizeof *m);

		(void)metric_parse(rev, sc, m, err, sizeof err);
		metrics_free(m, 1);
	}
	schema_free(sc);
	return 0;
}
