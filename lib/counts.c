#include "counts.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

static struct count *
find(const struct counts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

void
counts_add(struct counts *c, const char *name, uint64_t k)
{
	struct count *e = find(c, name);

	if (e == NULL) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->v = erealloc(c->v, c->cap * sizeof *c->v);
		}
		e = &c->v[c->n++];
		e->name = estrdup(name);
		e->n = 0;
		e->first = NULL;
	}
	e->n += k;
}

void
counts_first(struct counts *c, const char *name, const char *text)
{
	struct count *e = find(c, name);

	if (e == NULL) {
		counts_add(c, name, 0);
		e = find(c, name);
	}
	if (e->first == NULL)
		e->first = estrdup(text);
}

uint64_t
counts_get(const struct counts *c, const char *name)
{
	const struct count *e = find(c, name);

	return e ? e->n : 0;
}

void
counts_free(struct counts *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].first);
	}
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}
