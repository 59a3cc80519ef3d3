/* Unit tests: lib/coltype.c */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../tap.h"
#include "coltype.h"

/* The kind col_infer() gives the texts (CSV cells; NULL a null). */
static enum col_kind
infer_texts(const char *const *texts, size_t n)
{
	struct val v[8];
	const struct val *p[8];

	for (size_t i = 0; i < n; i++) {
		v[i] = texts[i] ? val_text(texts[i], strlen(texts[i])) :
		    val_null();
		p[i] = &v[i];
	}
	return col_infer(p, n);
}

#define INFER(want, ...) do {						\
	const char *t_[] = { __VA_ARGS__ };				\
	is_str(col_kind_name(infer_texts(t_, sizeof t_ / sizeof *t_)),	\
	    col_kind_name(want), "infer %s: %s", #__VA_ARGS__,		\
	    col_kind_name(want));					\
} while (0)

/* The value of text converted for a column of kind (and scale). */
static int
conv(enum col_kind kind, int scale, const char *text, struct col_val *out,
    char *msg)
{
	struct val v = val_text(text, strlen(text));

	return col_value("x", kind, scale, &v, out, msg, 128);
}

int
main(void)
{
	struct col_val cv = { 0 };
	char msg[128];

	/* The one map from a schema's types to the kinds. */
	is_int(col_kind_of(FT_STRING), K_STRING, "string is a string");
	is_int(col_kind_of(FT_INT), K_INT, "int is an int");
	is_int(col_kind_of(FT_FLOAT), K_DOUBLE, "float is a double");
	is_int(col_kind_of(FT_DECIMAL), K_DECIMAL, "decimal is a decimal");
	is_int(col_kind_of(FT_BOOL), K_BOOL, "bool is a bool");
	is_int(col_kind_of(FT_DATE), K_DATE, "date is a date");
	is_int(col_kind_of(FT_TIMESTAMP), K_TIMESTAMP, "timestamp");
	is_int(col_kind_of(FT_JSON), K_STRING, "json is held as a string");

	/* Inference over a column's values. */
	INFER(K_INT, "1", "-2", "30");
	INFER(K_DOUBLE, "1", "2.5");
	INFER(K_DOUBLE, "2.5", "1");
	INFER(K_STRING, "1", "x");
	INFER(K_BOOL, "true", "FALSE");
	INFER(K_STRING, "true", "1");
	INFER(K_DATE, "2025-01-02", "1999-12-31");
	INFER(K_TIMESTAMP, "2025-01-02T10:00:00Z", "2025-01-02 10:00:00");
	INFER(K_STRING, "2025-01-02", "2025-01-02T10:00:00Z");
	INFER(K_INT, NULL, "", "3");
	INFER(K_STRING, NULL, "");
	INFER(K_STRING, "2025-13-45");
	is_int(col_infer(NULL, 0), K_STRING, "no values: a string");
	{
		struct val v[3] = { val_int(1), val_double(2.5), val_null() };
		const struct val *p[3] = { &v[0], &v[1], &v[2] };

		is_int(col_infer(p, 3), K_DOUBLE, "typed int and double");
		v[1] = val_dec(250, 2);
		is_int(col_infer(p, 3), K_DOUBLE, "a decimal widens to double");
		v[1] = val_str("", 0);
		is_int(col_infer(p, 3), K_STRING,
		    "a JSON \"\" is a string, not a null");
		v[0] = val_bool(1);
		v[1] = val_bool(0);
		is_int(col_infer(p, 3), K_BOOL, "typed booleans");
	}
	{
		/* One at a time, in any order: the same kind as all at once. */
		const char *t[] = { "4", NULL, "2.5", "7" };
		int g = COL_GUESS_NONE, h = COL_GUESS_NONE;

		for (size_t i = 0; i < 4; i++) {
			struct val v = t[i] ? val_text(t[i], strlen(t[i])) :
			    val_null();
			struct val w = t[3 - i] ? val_text(t[3 - i],
			    strlen(t[3 - i])) : val_null();

			g = col_widen(g, &v);
			h = col_widen(h, &w);
		}
		is_int(col_guess_kind(g), K_DOUBLE, "widened one by one");
		is_int(g, h, "in either order");
		is_int(col_guess_kind(COL_GUESS_NONE), K_STRING,
		    "no guess: a string");
	}

	/* Converting values to a column's kind. */
	ok(conv(K_DATE, 0, "2025-01-02", &cv, NULL) == 0 && cv.i == 20090,
	    "a date is days since 1970 (20090)");
	ok(conv(K_DATE, 0, "1969-12-31", &cv, NULL) == 0 && cv.i == -1,
	    "the day before 1970 is -1");
	ok(conv(K_TIMESTAMP, 0, "1970-01-01T00:00:01.5Z", &cv, NULL) == 0 &&
	    cv.i == 1500000, "a timestamp is microseconds");
	ok(conv(K_DECIMAL, 2, "12.34", &cv, NULL) == 0 && cv.i == 1234,
	    "a decimal is scaled");
	ok(conv(K_INT, 0, "TRUE", &cv, NULL) == 0 && cv.i == 1,
	    "true in an int column is 1");
	ok(conv(K_INT, 0, "", &cv, NULL) == 0 && cv.null,
	    "empty text in an int column is null");
	ok(conv(K_STRING, 0, "", &cv, NULL) == 0 && !cv.null && cv.n == 0,
	    "empty text in a string column is \"\"");
	ok(conv(K_DOUBLE, 0, "2.5", &cv, NULL) == 0 && cv.d == 2.5,
	    "a double");
	ok(conv(K_BOOL, 0, "no", &cv, NULL) == 0 && cv.i == 0, "a bool");
	ok(conv(K_INT, 0, "abc", &cv, msg) < 0, "abc is no int");
	is_str(msg, "x: \"abc\" is not an int", "and the message says so");
	ok(conv(K_DATE, 0, "soon", &cv, msg) < 0, "soon is no date");
	is_str(msg, "x: \"soon\" is not a date", "a date's message");
	buf_free(&cv.scratch);

	/* The schema's kind of a field. */
	{
		char path[] = "/tmp/sluice-coltype-XXXXXX", err[256];
		int fd = mkstemp(path), scale = -1, json = -1;
		const char *text = "{\"fields\": [{\"name\": \"a\", \"type\": "
		    "\"int\"}, {\"name\": \"p\", \"type\": \"decimal\", "
		    "\"scale\": 2}, {\"name\": \"j\", \"type\": \"json\"}, "
		    "{\"name\": \"s\"}]}";
		struct schema *sc;

		ok(fd >= 0 && write(fd, text, strlen(text)) ==
		    (ssize_t)strlen(text) && close(fd) == 0, "a schema file");
		sc = schema_load(path, err, sizeof err);
		unlink(path);
		ok(sc != NULL, "loaded");
		is_int(col_schema_kind(sc, "p", &scale, &json), K_DECIMAL,
		    "p is a decimal");
		ok(scale == 2 && json == 0, "of scale 2, not JSON");
		is_int(col_schema_kind(sc, "j", &scale, &json), K_STRING,
		    "j is a string");
		ok(json == 1, "holding JSON");
		is_int(col_schema_kind(sc, "s", &scale, NULL), K_STRING,
		    "a field of no type is a string");
		is_int(col_schema_kind(sc, "nope", &scale, &json), -1,
		    "a field the schema lacks: -1");
		is_int(col_schema_kind(NULL, "a", &scale, &json), -1,
		    "no schema: -1");
		schema_free(sc);
	}
	return done_testing();
}
