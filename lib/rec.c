#include "rec.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "nameidx.h"

/* The name index of a wide record (rec_index()). */
struct rec_idx {
	struct nameidx names;
	size_t n;		/* fields r->f[0..n) are in it; 0: not made */
	size_t cmps;		/* names the scans compared meanwhile */
};

/*
 * The names a wide record's scans may compare, per field it has, before
 * its names are hashed.  Hashing a name costs several comparisons, so a
 * record whose lookups find their fields near the start, or are few (a
 * JSON record of 40 fields, seven of them wanted), is never hashed; one
 * looked up field by field is hashed once the scans have cost about two
 * passes over it, which keeps finding every field linear in its width.
 */
enum { REC_SCAN_BUDGET = 2 };

void
rec_init(struct rec *r)
{
	memset(r, 0, sizeof *r);
}

uint64_t
rec_layout_new(void)
{
	static uint64_t last;

	/* Atomic: with -j, the threads' readers make layouts too. */
	return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

static void
release_held(struct rec *r)
{
	for (size_t i = 0; i < r->nheld; i++)
		json_decref(r->held[i]);
	r->nheld = 0;
}

void
rec_hold(struct rec *r, json_t *j)
{
	if (r->nheld == r->capheld) {
		r->capheld = r->capheld ? r->capheld * 2 : 4;
		r->held = erealloc(r->held, r->capheld * sizeof *r->held);
	}
	r->held[r->nheld++] = j;
}

void
rec_clear(struct rec *r)
{
	release_held(r);
	r->n = 0;
	if (r->idx != NULL)
		r->idx->n = r->idx->cmps = 0;
	r->layout = 0;
	r->src = NULL;
	r->line = 0;
	r->err = NULL;
	r->raw = NULL;
	r->rawn = 0;
	arena_reset(&r->mem);
}

void
rec_free(struct rec *r)
{
	release_held(r);
	free(r->held);
	free(r->f);
	if (r->idx != NULL)
		nameidx_free(&r->idx->names);
	free(r->idx);
	arena_free(&r->mem);
	rec_init(r);
}

void
rec_reserve(struct rec *r, size_t n)
{
	if (n > r->cap) {
		r->cap = n > 16 ? n : 16;
		r->f = erealloc(r->f, r->cap * sizeof *r->f);
	}
}

struct field *
rec_add(struct rec *r, const char *name, struct val v)
{
	struct field *f;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->f = erealloc(r->f, r->cap * sizeof *r->f);
	}
	f = &r->f[r->n++];
	r->layout = 0;		/* the names changed: no promise holds */
	f->name = name;
	f->v = v;
	return f;
}

struct field *
rec_set(struct rec *r, const char *name, struct val v)
{
	int i = rec_index(r, name);

	if (i < 0)
		return rec_add(r, name, v);
	r->f[i].v = v;
	return &r->f[i];
}

/*
 * rec_index() on a wide record whose scans have spent their budget.
 * The index is a cache: it changes, the record does not.  It grows with the
 * fields appended since it was made and starts over after rec_clear().
 */
static int
idx_find(const struct rec *r, const char *name)
{
	struct rec_idx *x = r->idx;

	if (x->n == 0 || x->n > r->n) {
		nameidx_reset(&x->names, r->n);
		x->n = 0;
	}
	for (; x->n < r->n; x->n++)
		if (r->f[x->n].name != NULL)
			nameidx_put(&x->names, r->f[x->n].name, (uint32_t)x->n);
	return (int)nameidx_get(&x->names, name);
}

int
rec_index(const struct rec *r, const char *name)
{
	struct rec_idx *x = NULL;
	size_t i;

	if (r->n > REC_SCAN_MAX) {
		x = r->idx;
		if (x == NULL)
			x = ((struct rec *)r)->idx = ecalloc(1, sizeof *x);
		if (x->n > 0 || x->cmps >= REC_SCAN_BUDGET * r->n)
			return idx_find(r, name);
	}
	for (i = 0; i < r->n; i++)
		if (r->f[i].name != NULL && strcmp(r->f[i].name, name) == 0)
			break;
	if (x != NULL)
		x->cmps += i < r->n ? i + 1 : i;
	return i < r->n ? (int)i : -1;
}

int
rec_indexed(const struct rec *r)
{
	return r->idx != NULL && r->idx->n > 0;
}

struct val *
rec_get(const struct rec *r, const char *name)
{
	int i = rec_index(r, name);

	return i < 0 ? NULL : &r->f[i].v;
}

void
finder_init(struct rec_finder *fd, const char *const *names, size_t n)
{
	memset(fd, 0, sizeof *fd);
	fd->names = names;
	fd->n = n;
	fd->at = ecalloc(n ? n : 1, sizeof *fd->at);
}

const int *
finder_locate(struct rec_finder *fd, const struct rec *r)
{
	if (r->layout != 0 && r->layout == fd->layout && r->n == fd->nfields)
		return fd->at;
	for (size_t i = 0; i < fd->n; i++)
		fd->at[i] = fd->names[i] != NULL ? rec_index(r, fd->names[i]) :
		    -1;
	fd->layout = r->layout;
	fd->nfields = r->n;
	return fd->at;
}

void
finder_free(struct rec_finder *fd)
{
	free(fd->at);
	memset(fd, 0, sizeof *fd);
}

void
rec_own(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct val *v = &r->f[i].v;

		if (v->type == VAL_STR || v->type == VAL_TEXT)
			v->u.s.p = arena_strndup(&r->mem, v->u.s.p, v->u.s.n);
		else if (v->type == VAL_JSON)
			rec_hold(r, json_incref(v->u.j));
	}
}

const char *
rec_strdup(struct rec *r, const char *p, size_t n)
{
	return arena_strndup(&r->mem, p, n);
}
