/*
 * schema_check_rules.c - the rules section: cleanse's checks of a record,
 * each named once, on a field or over the record (an expression), with a
 * check it can make: required, enum, min, max, a regular expression, how
 * far in the future a time may be.
 */
#include "schema_impl.h"

#include <regex.h>

#include "ts.h"

static void
check_rules_in(struct ctx *c, const json_t *rules)
{
	static const char *const keys[] = { "name", "field", "required",
	    "enum", "min", "max", "pattern", "max_future", "when", "check",
	    "message", NULL };
	size_t i;
	json_t *r;
	char path[64], at[256];

	json_array_foreach(rules, i, r) {
		const char *name, *field, *s;
		int has = 0;

		jc_index(path, sizeof path, "rules", i);
		if (check_object(c, path, r, "a rule is an object", keys) < 0)
			return;
		name = jc_string(&c->jc, path, r, "name", 1, "");
		if (!c->jc.failed && named_before(rules, i, name))
			jc_fail(&c->jc, path, "rule \"%s\" appears twice",
			    name);
		field = jc_string(&c->jc, path, r, "field", 0, NULL);
		if (field != NULL)
			need_field(c, jc_path(at, sizeof at, path, "field"),
			    field, "", NULL, 0);
		has += jc_bool(&c->jc, path, r, "required", 0);
		if (json_object_get(r, "enum") != NULL) {
			jc_array(&c->jc, path, r, "enum", 0, 1);
			has++;
		}
		if (json_object_get(r, "min") != NULL) {
			jc_number(&c->jc, path, r, "min", 0, 0);
			has++;
		}
		if (json_object_get(r, "max") != NULL) {
			jc_number(&c->jc, path, r, "max", 0, 0);
			has++;
		}
		if ((s = jc_string(&c->jc, path, r, "pattern", 0, NULL))) {
			regex_t re;

			if (regcomp(&re, s, REG_EXTENDED | REG_NOSUB) != 0)
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "pattern"), "not a valid POSIX extended "
				    "regular expression");
			else
				regfree(&re);
			has++;
		}
		if ((s = jc_string(&c->jc, path, r, "max_future", 0, NULL))) {
			int64_t us;

			if (ts_parse_duration(s, &us) < 0)
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "max_future"), "not a duration (\"5m\")");
			has++;
		}
		if ((s = jc_string(&c->jc, path, r, "check", 0, NULL))) {
			check_expr(c, jc_path(at, sizeof at, path, "check"), s);
			has++;
		}
		if ((s = jc_string(&c->jc, path, r, "when", 0, NULL)))
			check_expr(c, jc_path(at, sizeof at, path, "when"), s);
		jc_string(&c->jc, path, r, "message", 0, NULL);
		if (c->jc.failed)
			return;
		if (has == 0)
			jc_fail(&c->jc, path, "a rule needs a check: required, "
			    "enum, min, max, pattern, max_future or check");
		else if (field == NULL && json_object_get(r, "check") == NULL)
			jc_fail(&c->jc, path, "this rule needs a \"field\"");
	}
}

/* Rules see a record's fields, never entity attributes. */
void
check_rules(struct ctx *c, const json_t *rules)
{
	size_t nattrs = c->nattrs;

	c->all_fields = 1;
	c->nattrs = 0;
	check_rules_in(c, rules);
	c->all_fields = 0;
	c->nattrs = nattrs;
}
