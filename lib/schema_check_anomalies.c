/*
 * schema_check_anomalies.c - the anomalies section: a rate, and the kinds
 * of damage schema-gen may do with the fields each may hit, of a type the
 * damage makes sense for (a negative number, a bad timestamp).
 */
#include "schema_impl.h"

#include <string.h>

static const char *const anomaly_kinds[] = { "null", "negative",
	"bad_timestamp", "unknown_category", "duplicate", NULL };

void
check_anomalies(struct ctx *c, const json_t *an)
{
	static const char *const keys[] = { "rate", "kinds", NULL };
	static const enum ftype numbers[] = { FT_INT, FT_FLOAT, FT_DECIMAL };
	static const enum ftype times[] = { FT_DATE, FT_TIMESTAMP };
	static const enum ftype strings[] = { FT_STRING };
	const json_t *kinds;
	const char *kind;
	json_t *v;
	double rate;
	char at[256], p2[256];

	if (jc_keys(&c->jc, "anomalies", an, keys) < 0)
		return;
	rate = jc_number(&c->jc, "anomalies", an, "rate", 1, 0);
	if (rate < 0 || rate > 1)
		jc_fail(&c->jc, "anomalies.rate", "a probability is 0 to 1");
	kinds = jc_object(&c->jc, "anomalies", an, "kinds", 1);
	if (kinds == NULL)
		return;
	if (json_object_size(kinds) == 0)
		jc_fail(&c->jc, "anomalies.kinds", "must not be empty");
	json_object_foreach((json_t *)kinds, kind, v) {
		size_t i;
		json_t *f;
		int k;

		jc_path(at, sizeof at, "anomalies.kinds", kind);
		k = jc_choice(&c->jc, at, "anomaly kind", kind, anomaly_kinds);
		if (k < 0)
			return;
		if (strcmp(kind, "duplicate") == 0) {
			if (!json_is_true(v))
				jc_fail(&c->jc, at, "\"duplicate\": true");
			continue;
		}
		if (!json_is_array(v) || json_array_size(v) == 0) {
			jc_fail(&c->jc, at, "an array of the fields it may hit");
			return;
		}
		json_array_foreach(v, i, f) {
			jc_index(p2, sizeof p2, at, i);
			if (!json_is_string(f)) {
				jc_fail(&c->jc, p2, "expected a field name");
				return;
			}
			if (strcmp(kind, "negative") == 0)
				need_field(c, p2, json_string_value(f),
				    "a negative", numbers, 3);
			else if (strcmp(kind, "bad_timestamp") == 0)
				need_field(c, p2, json_string_value(f),
				    "a bad timestamp", times, 2);
			else if (strcmp(kind, "unknown_category") == 0)
				need_field(c, p2, json_string_value(f),
				    "an unknown category", strings, 1);
			else
				need_field(c, p2, json_string_value(f), "",
				    NULL, 0);
		}
	}
}
