/*
 * entities.c - entity pools: rows given in the schema, or made by the
 * pool's own fields keyed by (entity, row) so a pool is the same whatever
 * is generated after, bounded in memory (SCHEMA_MAX_POOL_BYTES); and the
 * alias table that picks a row per record by its weight.
 */
#include "gen_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int
entities_new(struct generator *g, char *err, size_t errlen)
{
	const char *name;
	json_t *e;
	size_t k = 0, var = g->s->nfields;
	size_t bytes = 0;	/* the pools take: values, then strings */
	int over = 0;		/* more than SCHEMA_MAX_POOL_BYTES */

	/* Rows do not depend on a day, but time and {day} need one. */
	set_day(g, g->schema_start);

	g->nent = json_object_size(g->s->entities);
	g->ent = ecalloc(g->nent ? g->nent : 1, sizeof *g->ent);
	json_object_foreach((json_t *)g->s->entities, name, e) {
		struct entity *en = &g->ent[k++];
		const json_t *rows = json_object_get(e, "rows");
		const char *wattr = json_string_value(json_object_get(e,
		    "weight"));

		en->name = name;
		en->key = hash_str(name);
		en->var0 = var;
		if (rows != NULL) {
			const json_t *first = json_array_get(rows, 0), *x;
			const char *key;
			size_t a = 0;

			en->nrows = json_array_size(rows);
			en->nattrs = json_object_size(first);
			en->attrs = ecalloc(en->nattrs, sizeof *en->attrs);
			json_object_foreach((json_t *)first, key, x)
				en->attrs[a++] = key;
			en->cells = ecalloc(en->nrows * en->nattrs,
			    sizeof *en->cells);
			bytes += en->nrows * en->nattrs * sizeof *en->cells;
			for (size_t r = 0; r < en->nrows; r++)
				for (a = 0; a < en->nattrs; a++)
					en->cells[r * en->nattrs + a] =
					    json_val(json_object_get(
					    json_array_get(rows, r),
					    en->attrs[a]));
		} else {
			/* Rows made like records, keyed by (entity, row). */
			const json_t *fields = json_object_get(e, "fields");
			struct schema_field *sfs;
			struct gfield *gf;
			struct rec tmp;
			int64_t day = g->day;
			uint64_t i = g->i;

			en->nrows = (size_t)json_integer_value(
			    json_object_get(e, "count"));
			en->nattrs = json_array_size(fields);
			en->attrs = ecalloc(en->nattrs, sizeof *en->attrs);
			en->cells = ecalloc(en->nrows * en->nattrs,
			    sizeof *en->cells);
			bytes += en->nrows * en->nattrs * sizeof *en->cells;
			compile_fields(g, fields, &sfs, &gf);
			for (size_t a = 0; a < en->nattrs; a++)
				en->attrs[a] = sfs[a].name;
			rec_init(&tmp);
			for (size_t r = 0; r < en->nrows && !over; r++) {
				g->base = hash_combine(hash_combine(g->seed,
				    en->key), r);
				g->i = r;
				rec_clear(&tmp);
				for (size_t a = 0; a < en->nattrs; a++) {
					struct val v = gen_value(g, &gf[a], &tmp,
					    -1);

					if (gf[a].null_rate > 0 && unit(draw(g,
					    gf[a].key, 99)) < gf[a].null_rate)
						v = val_null();

					/* Keep strings beyond the scratch. */
					if (v.type == VAL_STR) {
						v.u.s.p = arena_strndup(&en->mem,
						    v.u.s.p, v.u.s.n);
						bytes += v.u.s.n + 1;
					}
					en->cells[r * en->nattrs + a] = v;
				}
				over = bytes > SCHEMA_MAX_POOL_BYTES;
			}
			rec_free(&tmp);
			for (size_t a = 0; a < en->nattrs; a++) {
				/* The names must outlive sfs. */
				en->attrs[a] = json_string_value(
				    json_object_get(json_array_get(fields, a),
				    "name"));
				free_field(&gf[a]);
			}
			free(gf);
			free(sfs);
			g->day = day;
			g->i = i;
			if (over) {
				/* Checked at load for the values; strings are
				   known only as they are made. */
				snprintf(err, errlen, "%s: entities.%s: the "
				    "entity pools take more than %zu MiB (the "
				    "values and their strings)", g->s->name,
				    name, SCHEMA_MAX_POOL_BYTES >> 20);
				return -1;
			}
		}
		if (wattr != NULL) {
			size_t a;
			double *w = emalloc(en->nrows * sizeof *w);

			for (a = 0; strcmp(en->attrs[a], wattr) != 0; a++)
				;
			for (size_t r = 0; r < en->nrows; r++) {
				double d = 0;

				val_to_double(&en->cells[r * en->nattrs + a], &d);
				w[r] = d > 0 ? d : 0;
			}
			{
				double sum = 0;

				for (size_t r = 0; r < en->nrows; r++)
					sum += w[r];
				if (!(sum > 0)) {
					snprintf(err, errlen, "%s: entities.%s."
					    "weight: every row's \"%s\" is 0 "
					    "(or not a number)", g->s->name,
					    name, wattr);
					free(w);
					return -1;
				}
			}
			alias_build(&en->pick, NULL, w, en->nrows);
			free(w);
		} else {
			alias_build(&en->pick, json_object_get(e, "weights"),
			    NULL, en->nrows);
		}
		var += en->nattrs;
	}
	return 0;
}

void
entities_free(struct generator *g)
{
	for (size_t e = 0; e < g->nent; e++) {
		free(g->ent[e].attrs);
		free(g->ent[e].cells);
		alias_free(&g->ent[e].pick);
		arena_free(&g->ent[e].mem);
	}
	free(g->ent);
}
