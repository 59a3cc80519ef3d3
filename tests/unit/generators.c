/* Unit tests: lib/generators.c, the one table of generators: every kind a
   row with a name that finds it again, parameters that fit their room,
   the keys a schema field may have in the order errors suggest from, and
   the field types each fills. */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "generators.h"

int
main(void)
{
	/* A field's own keys, then every generator's parameters: the order
	   "did you mean" takes the first near one from. */
	static const char *const want_keys[] = { "name", "type", "scale",
	    "gen", "description", "null_rate", "start", "step", "pattern",
	    "min", "max", "round", "mean", "stddev", "median", "sigma",
	    "values", "weights", "hours", "weekdays", "ramp", "p", "box",
	    "axis", "point", "expr", "entity", "attr", "value", "items",
	    "min_items", "max_items", NULL };
	const char *names[G_COUNT], *keys[6 + GKIND_ALL_PARAMS + 1];
	size_t n = 6, bad = 0;

	is_int(gkind_of("uniform"), G_UNIFORM, "uniform is G_UNIFORM");
	is_int(gkind_of("list"), G_LIST, "list is G_LIST");
	is_int(gkind_of("unifrom"), G_NONE, "no such generator: G_NONE");
	is_int(gkind_of(NULL), G_NONE, "no generator: G_NONE");
	ok(gkind_def(G_NONE)->name == NULL, "G_NONE has no name");
	for (int k = G_NONE + 1; k < G_COUNT; k++) {
		const struct gkind_def *d = gkind_def((enum gkind)k);

		if (d->name == NULL || (int)gkind_of(d->name) != k ||
		    d->params[GKIND_MAX_PARAMS - 1] != NULL ||
		    (d->makes != NULL && d->types == 0))
			bad++;
	}
	is_int((int64_t)bad, 0, "every kind a row: a name that finds it, "
	    "its parameters in their room, what it makes with its types");

	gkind_names(names);
	is_str(names[0], "uuid", "the names in the table's order");
	is_str(names[G_LIST - 1], "list", "the last is list");
	ok(names[G_COUNT - 1] == NULL, "then NULL");

	ok(gkind_takes(G_NORMAL, "min") && gkind_takes(G_NORMAL, "mean"),
	    "normal takes min and mean");
	ok(!gkind_takes(G_UNIFORM, "mean"), "uniform does not take mean");
	ok(!gkind_takes(G_UUID, "min"), "uuid takes nothing");

	memcpy(keys, want_keys, 6 * sizeof *keys);
	gkind_params(keys, &n);
	is_int((int64_t)n, 32, "32 keys a field may have");
	for (size_t i = 0; i < n && want_keys[i] != NULL; i++)
		if (strcmp(keys[i], want_keys[i]) != 0)
			bad++;
	is_int((int64_t)bad, 0, "the own keys, then every parameter once, "
	    "in the table's order");
	ok(keys[n] == NULL, "then NULL");

	ok(gkind_fills(G_UNIFORM, FT_DECIMAL) &&
	    !gkind_fills(G_UNIFORM, FT_STRING), "uniform fills numbers");
	ok(gkind_fills(G_BOOL, FT_BOOL) && gkind_fills(G_BOOL, FT_STRING) &&
	    !gkind_fills(G_BOOL, FT_INT), "bool fills booleans and text");
	ok(gkind_fills(G_TIME, FT_DATE) && !gkind_fills(G_TIME, FT_INT),
	    "time fills dates");
	ok(gkind_fills(G_LIST, FT_JSON) && !gkind_fills(G_LIST, FT_STRING),
	    "a list fills json only");
	ok(gkind_fills(G_CHOICE, FT_JSON) && gkind_fills(G_DERIVED, FT_BOOL),
	    "choice and derived fill any type");
	is_str(gkind_def(G_GEO)->makes, "numbers", "geo makes numbers");
	return done_testing();
}
