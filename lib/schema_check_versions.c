/*
 * schema_check_versions.c - the versions section, the schema's history:
 * the first version's fields, then the fields each later one added with
 * the default older records get, every field coming in once; and the
 * version_field that says which version a record is.
 */
#include "schema_impl.h"

#include "diag.h"

/*
 * The history per field: the version it came in (0: not in the history,
 * so in every version) and the default an older record gets.  A field
 * comes in once.
 */
static void
version_table(struct ctx *c, const json_t *versions)
{
	struct schema *s = c->s;
	size_t i, j;
	json_t *v, *x;
	const char *k;
	char path[64], at[256];

	s->nversions = json_array_size(versions);
	s->version_numbers = ecalloc(s->nversions, sizeof *s->version_numbers);
	s->since = ecalloc(s->nfields ? s->nfields : 1, sizeof *s->since);
	s->defaults = ecalloc(s->nfields ? s->nfields : 1,
	    sizeof *s->defaults);
	json_array_foreach(versions, i, v) {
		long long num = json_integer_value(json_object_get(v,
		    "version"));

		s->version_numbers[i] = num;
		jc_index(path, sizeof path, "versions", i);
		if (i == 0) {
			json_array_foreach(json_object_get(v, "fields"), j, x) {
				int f = schema_field_index(s,
				    json_string_value(x));

				if (s->since[f] != 0) {
					jc_fail(&c->jc, jc_index(at, sizeof at,
					    path, j), "\"%s\" is listed twice",
					    s->fields[f].name);
					return;
				}
				s->since[f] = num;
			}
			continue;
		}
		jc_path(path, sizeof path, jc_index(at, sizeof at, "versions",
		    i), "added");
		json_object_foreach(json_object_get(v, "added"), k, x) {
			int f = schema_field_index(s, k);

			if (s->since[f] != 0) {
				jc_fail(&c->jc, jc_path(at, sizeof at, path, k),
				    "\"%s\" came in version %lld already", k,
				    s->since[f]);
				return;
			}
			s->since[f] = num;
			s->defaults[f] = x;
		}
	}
}

void
check_versions(struct ctx *c, const json_t *versions)
{
	static const char *const keys[] = { "version", "fields", "added",
	    NULL };
	size_t i;
	json_t *v;
	long long last = 0;
	char path[64], at[256];

	json_array_foreach(versions, i, v) {
		long long num;
		const char *k;
		json_t *x;
		size_t j;

		jc_index(path, sizeof path, "versions", i);
		if (check_object(c, path, v, "a version is an object",
		    keys) < 0)
			return;
		num = jc_int(&c->jc, path, v, "version", 1, 0);
		if (!c->jc.failed && num <= last)
			jc_fail(&c->jc, path, "versions go up: %lld after %lld",
			    num, last);
		last = num;
		if (i == 0) {
			const json_t *f = jc_array(&c->jc, path, v, "fields",
			    1, 1);

			if (f != NULL)
				json_array_foreach(f, j, x)
					if (!json_is_string(x) ||
					    need_field(c, jc_index(at, sizeof at,
					    path, j), json_string_value(x), "",
					    NULL, 0) < 0)
						return;
		} else {
			const json_t *add = jc_object(&c->jc, path, v, "added",
			    1);

			if (add != NULL)
				json_object_foreach((json_t *)add, k, x)
					need_field(c, jc_path(at, sizeof at,
					    path, k), k, "", NULL, 0);
		}
		if (c->jc.failed)
			return;
	}
	version_table(c, versions);
}

void
check_version_field(struct ctx *c)
{
	struct schema *s = c->s;

	s->version_field = jc_string(&c->jc, "", s->root, "version_field", 0,
	    NULL);
	if (s->version_field != NULL && s->versions == NULL)
		jc_fail(&c->jc, "version_field", "needs \"versions\"");
	if (s->version_field != NULL && !c->jc.failed) {
		int vf = need_field(c, "version_field", s->version_field, "",
		    NULL, 0);

		if (vf >= 0 && s->fields[vf].type != FT_INT)
			jc_fail(&c->jc, "version_field", "\"%s\" must be an "
			    "int field", s->version_field);
		else if (vf >= 0 && s->since[vf] != 0)
			jc_fail(&c->jc, "version_field", "\"%s\" is in every "
			    "version: keep it out of the history",
			    s->version_field);
	}
}
