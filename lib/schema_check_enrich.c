/*
 * schema_check_enrich.c - the enrich section: fields cleanse computes,
 * each a new name and an expression over every field.
 */
#include "schema_impl.h"

void
check_enrich(struct ctx *c, const json_t *enrich)
{
	static const char *const keys[] = { "name", "expr", "description",
	    NULL };
	size_t i;
	json_t *e;
	char path[64], at[256];

	c->all_fields = 1;
	json_array_foreach(enrich, i, e) {
		const char *name, *x;

		jc_index(path, sizeof path, "enrich", i);
		if (check_object(c, path, e, "an enrichment is an object: "
		    "{\"name\": ..., \"expr\": ...}", keys) < 0)
			break;
		name = jc_string(&c->jc, path, e, "name", 1, "");
		x = jc_string(&c->jc, path, e, "expr", 1, NULL);
		jc_string(&c->jc, path, e, "description", 0, NULL);
		if (c->jc.failed)
			break;
		if (schema_field_index(c->s, name) >= 0)
			jc_fail(&c->jc, jc_path(at, sizeof at, path, "name"),
			    "\"%s\" is already a field", name);
		if (!c->jc.failed && named_before(enrich, i, name))
			jc_fail(&c->jc, path, "\"%s\" appears twice", name);
		if (!c->jc.failed)
			check_expr(c, jc_path(at, sizeof at, path, "expr"), x);
		if (c->jc.failed)
			break;
	}
	c->all_fields = 0;
}
