/*
 * expr.c - expressions (lib/expr.c, lib/where.c), as schema files and
 * --where write them.  The input's first line is the expression; a
 * second line, if any, is a JSON object giving its names values (names
 * it does not give are null).  The expression is compiled (with two
 * lookup tables) and evaluated over those values typed as JSON gives
 * them, and again over the same values as text, as a CSV cell gives
 * them; then compiled and tested as --where is over the record.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "expr.h"
#include "fuzz.h"
#include "reader.h"
#include "where.h"

enum { MAX_VARS = 64 };

static json_t *tables;
static struct reader *msgs;

int
fuzz_setup(void)
{
	tables = json_loads("{\"city\": {\"ber\": \"Berlin\", \"par\": "
	    "\"Paris\", \"\": null}, \"price\": {\"a\": 1.5, \"b\": 20, "
	    "\"c\": \"12.50\", \"d\": true, \"e\": [1, 2]}}", 0, NULL);
	msgs = rd_open_messages("values");
	return tables == NULL || msgs == NULL ? -1 : 0;
}

/* Every name a variable, as --where's; the values are on the stack, so
   at most MAX_VARS of them. */
static int
resolve(void *ctx, const char *name)
{
	int i = expr_names_add(ctx, name);

	return i < MAX_VARS ? i : -1;
}

static const json_t *
table(void *ctx, const char *name)
{
	(void)ctx;
	return json_object_get(tables, name);
}

static void
evaluate(const struct expr *e, const struct val *vars)
{
	struct arena mem = { 0 };
	struct val out;
	const char *why;

	if (expr_eval(e, vars, &mem, &out, &why) == 0)
		fuzz_use_values(&(struct rec){ .f = &(struct field){ "out",
		    out }, .n = 1 });
	arena_free(&mem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size), *why;
	size_t tn = nl ? (size_t)(nl - (const char *)data) : size;
	char *text = malloc(tn + 1), err[256];
	struct expr_names nm = { 0 };
	struct expr_env env = { resolve, table, &nm };
	struct val vars[MAX_VARS], texts[MAX_VARS];
	struct buf scratch[MAX_VARS];
	struct rec *r = NULL;
	struct expr *e;
	struct where *w;

	memcpy(text, data, tn);
	text[tn] = '\0';
	if (nl != NULL && rd_message(msgs, nl + 1, size - tn - 1, "values", 2,
	    &r) != RD_OK)
		r = NULL;
	if ((e = expr_compile(text, &env, err, sizeof err)) != NULL) {
		memset(scratch, 0, sizeof scratch);
		for (size_t i = 0; i < nm.n; i++) {
			const struct val *v = r ? rec_get(r, nm.name[i]) : NULL;
			const char *s;
			size_t n;

			vars[i] = v ? *v : val_null();
			s = val_to_text(&vars[i], &scratch[i], &n);
			texts[i] = vars[i].type == VAL_NULL ? val_null() :
			    val_text(s, n);
			(void)expr_uses(e, (int)i);
		}
		(void)expr_var(e);
		evaluate(e, vars);
		evaluate(e, texts);
		for (size_t i = 0; i < nm.n; i++)
			buf_free(&scratch[i]);
		expr_free(e);
	}
	expr_names_free(&nm);
	if ((w = where_compile(text, NULL, err, sizeof err)) != NULL) {
		struct rec empty = { 0 };

		(void)where_test(w, r ? r : &empty, &why);
		where_free(w);
	}
	free(text);
	return 0;
}
