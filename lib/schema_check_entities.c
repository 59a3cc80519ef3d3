/*
 * schema_check_entities.c - the tables fields draw from: lookups (key:
 * value, for an expression's lookup) and entity pools, given as rows or
 * made by their own fields, picked by weight.  A pool's attributes become
 * the names ("stores.store_id") the fields after may use.
 */
#include "schema_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "val.h"

void
check_lookups(struct ctx *c, const json_t *lk)
{
	const char *name;
	json_t *t;
	char at[256];

	json_object_foreach((json_t *)lk, name, t)
		if (!json_is_object(t))
			jc_fail(&c->jc, jc_path(at, sizeof at, "lookups", name),
			    "a lookup table is an object of key: value");
}

/* entity.attr becomes a name expressions may use. */
static void
add_attr(struct ctx *c, const char *entity, const char *attr)
{
	struct buf b = { 0 };

	buf_printf(&b, "%s.%s", entity, attr);
	c->attrs = erealloc(c->attrs, (c->nattrs + 1) * sizeof *c->attrs);
	c->attrs[c->nattrs++] = (char *)buf_cstr(&b);
}

void
check_entities(struct ctx *c, const json_t *ents)
{
	const char *name;
	json_t *e;
	char path[256], at[256];
	static const char *const keys[] = { "rows", "count", "fields",
	    "weights", "weight", "description", NULL };

	json_object_foreach((json_t *)ents, name, e) {
		const json_t *rows, *fields;
		size_t n = 0;

		jc_path(path, sizeof path, "entities", name);
		if (check_object(c, path, e, "an entity pool is an object",
		    keys) < 0)
			return;
		rows = jc_array(&c->jc, path, e, "rows", 0, 1);
		fields = jc_array(&c->jc, path, e, "fields", 0, 1);
		if (!c->jc.failed && (rows != NULL) == (fields != NULL)) {
			jc_fail(&c->jc, path, "give either \"rows\" or "
			    "\"count\" and \"fields\"");
			return;
		}
		if (rows != NULL) {
			size_t i;
			json_t *row, *first = json_array_get(rows, 0);
			const char *key;
			json_t *v;

			json_array_foreach(rows, i, row) {
				jc_index(at, sizeof at, jc_path(path, sizeof path,
				    "entities", name), i);
				if (!json_is_object(row)) {
					jc_fail(&c->jc, at, "a row is an object");
					return;
				}
				if (json_object_size(row) != json_object_size(first))
					jc_fail(&c->jc, at, "every row has the "
					    "same attributes as the first");
				json_object_foreach(row, key, v)
					if (json_object_get(first, key) == NULL)
						jc_fail(&c->jc, at, "attribute "
						    "\"%s\" is not in the first "
						    "row", key);
			}
			json_object_foreach(first, key, v)
				add_attr(c, name, key);
			n = json_array_size(rows);
		} else if (fields != NULL) {
			size_t nf;
			struct schema_field *sf;
			long long count = jc_int(&c->jc, path, e, "count", 1, 0);
			size_t nattrs = c->nattrs;

			if (!c->jc.failed && (count < 1 ||
			    count > SCHEMA_MAX_POOL_ROWS))
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "count"), "1 to %lld rows",
				    SCHEMA_MAX_POOL_ROWS);
			/* An entity's fields see no other entity. */
			c->nattrs = 0;
			sf = check_fields(c, jc_path(at, sizeof at, path,
			    "fields"), fields, &nf, 1);
			c->nattrs = nattrs;
			for (size_t i = 0; i < nf && !c->jc.failed; i++)
				add_attr(c, name, sf[i].name);
			free(sf);
			n = (size_t)count;
			/* Its values, before any string: bounded here. */
			c->pool_bytes += n * nf * sizeof(struct val);
			if (!c->jc.failed && c->pool_bytes >
			    SCHEMA_MAX_POOL_BYTES)
				jc_fail(&c->jc, path, "the entity pools would "
				    "take more than %zu MiB (%lld rows of %zu "
				    "attributes here)", SCHEMA_MAX_POOL_BYTES >>
				    20, count, nf);
		}
		if (!c->jc.failed && json_object_get(e, "weights") != NULL) {
			if (rows == NULL)
				jc_fail(&c->jc, path, "\"weights\" needs "
				    "\"rows\" (use \"weight\" for an "
				    "attribute)");
			else
				check_weights(c, jc_path(at, sizeof at, path,
				    "weights"), json_object_get(e, "weights"),
				    n);
		}
		if (!c->jc.failed && json_object_get(e, "weight") != NULL) {
			const char *w = jc_string(&c->jc, path, e, "weight", 0,
			    "");
			char full[256];

			snprintf(full, sizeof full, "%s.%s", name, w);
			if (!c->jc.failed && check_resolve(c, full) < 0)
				jc_fail(&c->jc, jc_path(at, sizeof at, path,
				    "weight"), "no attribute \"%s\"", w);
			/* Given rows: their weights must be numbers, some > 0. */
			if (!c->jc.failed && rows != NULL) {
				double sum = 0;
				size_t i;
				json_t *row;

				json_array_foreach(rows, i, row) {
					json_t *x = json_object_get(row, w);

					if (!json_is_number(x) ||
					    json_number_value(x) < 0) {
						jc_fail(&c->jc, jc_path(at, sizeof at,
						    path, "weight"), "attribute "
						    "\"%s\" is not a weight (a "
						    "number, 0 or more) in row %zu",
						    w, i);
						break;
					}
					sum += json_number_value(x);
				}
				if (!c->jc.failed && sum <= 0)
					jc_fail(&c->jc, jc_path(at, sizeof at,
					    path, "weight"), "the weights add "
					    "up to 0");
			}
		}
		if (c->jc.failed)
			return;
	}
}
