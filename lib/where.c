#include "where.h"

#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "diag.h"
#include "expr.h"
#include "opts.h"

struct where {
	char *text;
	struct expr *e;
	const struct schema *sc;	/* its lookup tables, or NULL */
	struct expr_names names;	/* the fields it reads: variable i */
	struct rec_finder find;		/* where they are in a record */
	struct val *vars;
	struct arena mem;		/* strings made while evaluating */
};

/* Every name is a field: the expression's variables as they come. */
static int
resolve(void *ctx, const char *name)
{
	struct where *w = ctx;

	return expr_names_add(&w->names, name);
}

static const json_t *
table(void *ctx, const char *name)
{
	const struct where *w = ctx;

	return w->sc && w->sc->lookups ? json_object_get(w->sc->lookups,
	    name) : NULL;
}

struct where *
where_compile(const char *text, const struct schema *sc, char *err,
    size_t errlen)
{
	struct where *w = ecalloc(1, sizeof *w);
	struct expr_env env = { resolve, table, w };

	w->sc = sc;
	w->text = estrdup(text);
	if ((w->e = expr_compile(text, &env, err, errlen)) == NULL) {
		where_free(w);
		return NULL;
	}
	w->vars = ecalloc(w->names.n + 1, sizeof *w->vars);
	finder_init(&w->find, (const char *const *)w->names.name, w->names.n);
	return w;
}

struct where *
ewhere(const char *text, const struct schema *sc)
{
	char err[512];
	struct where *w = where_compile(text, sc, err, sizeof err);

	if (w == NULL)
		usage_error("--where \"%s\": %s", text, err);
	return w;
}

struct where *
where_copy(const struct where *w)
{
	return w != NULL ? ewhere(w->text, w->sc) : NULL;
}

int
where_test(struct where *w, const struct rec *r, const char **why)
{
	const int *at = finder_locate(&w->find, r);
	struct val v, *f;

	for (size_t i = 0; i < w->names.n; i++)
		w->vars[i] = (f = rec_at(r, at[i])) != NULL ? *f : val_null();
	arena_reset(&w->mem);
	if (expr_eval(w->e, w->vars, &w->mem, &v, why) < 0)
		return -1;
	switch (v.type) {
	case VAL_NULL:
		return 0;
	case VAL_BOOL:
		return v.u.b;
	default: {
		int b;

		/* A value that spells a boolean counts as one ("true",
		   as a CSV cell says it); anything else is not a
		   condition. */
		if (val_to_bool(&v, &b) == 0)
			return b;
		*why = "the where expression gives a value, not true or false";
		return -1;
	}
	}
}

const char *
where_text(const struct where *w)
{
	return w->text;
}

void
where_free(struct where *w)
{
	if (w == NULL)
		return;
	expr_free(w->e);
	finder_free(&w->find);
	expr_names_free(&w->names);
	free(w->vars);
	arena_free(&w->mem);
	free(w->text);
	free(w);
}
