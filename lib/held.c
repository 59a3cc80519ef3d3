/*
 * held.c - records kept past their input (held.h).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "held.h"
#include "opts.h"

void
held_add(struct held *h, const struct rec *r)
{
	struct held_row *w;
	/* The names of the row before when the layout is the same. */
	int same = r->layout != 0 && r->layout == h->names_layout && h->n > 0 &&
	    h->row[h->n - 1].n == r->n;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->row = erealloc(h->row, h->cap * sizeof *h->row);
	}
	if (h->nf + r->n > h->capf) {
		while (h->nf + r->n > h->capf)
			h->capf = h->capf ? h->capf * 2 : 4096;
		h->f = erealloc(h->f, h->capf * sizeof *h->f);
	}
	if (r->src != h->src_seen) {
		h->src_seen = r->src;
		h->src_copy = r->src ? arena_strndup(&h->mem, r->src,
		    strlen(r->src)) : NULL;
	}
	w = &h->row[h->n];
	*w = (struct held_row){ h->nf, r->n, h->src_copy, r->line, r->layout };
	for (size_t i = 0; i < r->n; i++) {
		struct field *f = &h->f[h->nf + i];
		const char *name = r->f[i].name;

		f->name = same ? h->f[h->names_at + i].name : name == NULL ?
		    NULL : arena_strndup(&h->mem, name, strlen(name));
		f->v = r->f[i].v;
		if (f->v.type == VAL_STR || f->v.type == VAL_TEXT) {
			f->v.u.s.p = arena_strndup(&h->mem, f->v.u.s.p,
			    f->v.u.s.n);
		} else if (f->v.type == VAL_JSON) {
			if (h->njson == h->capjson) {
				h->capjson = h->capjson ? h->capjson * 2 : 64;
				h->json = erealloc(h->json, h->capjson *
				    sizeof *h->json);
			}
			h->json[h->njson++] = json_incref(f->v.u.j);
		}
	}
	if (!same) {
		h->names_layout = r->layout;
		h->names_at = h->nf;
	}
	h->nf += r->n;
	if (h->n++ == 0)
		h->first = now_seconds();
}

void
held_get(const struct held *h, size_t i, struct rec *r)
{
	const struct held_row *w = &h->row[i];

	rec_clear(r);
	for (size_t k = 0; k < w->n; k++)
		rec_add(r, h->f[w->at + k].name, h->f[w->at + k].v);
	r->src = w->src;
	r->line = w->line;
	r->layout = w->layout;
}

int
held_due(const struct held *h, size_t rows, double secs)
{
	return h->n > 0 && (h->n >= rows ||
	    (secs > 0 && now_seconds() - h->first >= secs));
}

void
held_free(struct held *h)
{
	for (size_t i = 0; i < h->njson; i++)
		json_decref(h->json[i]);
	free(h->json);
	free(h->row);
	free(h->f);
	arena_free(&h->mem);
	memset(h, 0, sizeof *h);
}
