/*
 * generators.c - the table of generators (generators.h): the one list a
 * new generator is added to.
 */
#include "generators.h"

#include <string.h>

/* The field types a generator fills. */
#define NUMBERS (1u << FT_INT | 1u << FT_FLOAT | 1u << FT_DECIMAL)
#define TEXT (1u << FT_STRING)

static const struct gkind_def defs[G_COUNT] = {
	[G_UUID] = { "uuid", { NULL }, TEXT, "text" },
	[G_SEQUENCE] = { "sequence", { "start", "step", NULL }, NUMBERS,
	    "numbers" },
	[G_PATTERN] = { "pattern", { "pattern", NULL }, TEXT, "text" },
	[G_UNIFORM] = { "uniform", { "min", "max", "round", NULL }, NUMBERS,
	    "numbers" },
	[G_NORMAL] = { "normal", { "mean", "stddev", "min", "max", "round",
	    NULL }, NUMBERS, "numbers" },
	[G_LOGNORMAL] = { "lognormal", { "median", "sigma", "min", "max",
	    "round", NULL }, NUMBERS, "numbers" },
	[G_CHOICE] = { "choice", { "values", "weights", NULL }, 0, NULL },
	[G_TIME] = { "time", { "hours", "weekdays", "ramp", NULL },
	    1u << FT_DATE | 1u << FT_TIMESTAMP, "dates or timestamps" },
	/* "true" and "false" make a string too. */
	[G_BOOL] = { "bool", { "p", NULL }, 1u << FT_BOOL | TEXT,
	    "booleans" },
	[G_GEO] = { "geo", { "box", "axis", "point", "round", NULL }, NUMBERS,
	    "numbers" },
	[G_DERIVED] = { "derived", { "expr", NULL }, 0, NULL },
	[G_REF] = { "ref", { "entity", "attr", NULL }, 0, NULL },
	[G_CONST] = { "const", { "value", NULL }, 0, NULL },
	[G_SESSION] = { "session", { NULL }, TEXT, "text" },
	[G_LIST] = { "list", { "items", "min_items", "max_items", NULL },
	    1u << FT_JSON, NULL },
};

const struct gkind_def *
gkind_def(enum gkind k)
{
	return &defs[k];
}

enum gkind
gkind_of(const char *name)
{
	for (int k = G_NONE + 1; name != NULL && k < G_COUNT; k++)
		if (strcmp(defs[k].name, name) == 0)
			return (enum gkind)k;
	return G_NONE;
}

int
gkind_fills(enum gkind k, enum ftype t)
{
	return defs[k].types == 0 || (defs[k].types & 1u << t) != 0;
}

int
gkind_takes(enum gkind k, const char *key)
{
	for (const char *const *p = defs[k].params; *p != NULL; p++)
		if (strcmp(*p, key) == 0)
			return 1;
	return 0;
}

void
gkind_names(const char **out)
{
	for (int k = G_NONE + 1; k < G_COUNT; k++)
		*out++ = defs[k].name;
	*out = NULL;
}

void
gkind_params(const char **out, size_t *len)
{
	for (int k = G_NONE + 1; k < G_COUNT; k++)
		for (const char *const *p = defs[k].params; *p != NULL; p++) {
			size_t i;

			for (i = 0; i < *len && strcmp(out[i], *p) != 0; i++)
				;
			if (i == *len)
				out[(*len)++] = *p;
		}
	out[*len] = NULL;
}
