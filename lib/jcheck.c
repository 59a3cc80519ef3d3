#include "jcheck.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void
jc_fail(struct jcheck *jc, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (jc->failed)
		return;
	jc->failed = 1;
	n = snprintf(jc->err, jc->errlen, "%s: %s%s", jc->file, path,
	    *path ? ": " : "");
	if (n < 0 || (size_t)n >= jc->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(jc->err + n, jc->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

const char *
jc_path(char *buf, size_t n, const char *path, const char *key)
{
	snprintf(buf, n, "%s%s%s", path, *path ? "." : "", key);
	return buf;
}

const char *
jc_index(char *buf, size_t n, const char *path, size_t i)
{
	snprintf(buf, n, "%s[%zu]", path, i);
	return buf;
}

/* Levenshtein distance, capped: only small distances matter here. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
jc_nearest(const char *word, const char *const *choices)
{
	const char *best = NULL;
	size_t bestd = 3, len = strlen(word);

	for (; *choices != NULL; choices++) {
		size_t d = distance(word, *choices);

		if (d < bestd && d * 2 < len + 1) {
			bestd = d;
			best = *choices;
		}
	}
	return best;
}

int
jc_choice(struct jcheck *jc, const char *path, const char *what,
    const char *word, const char *const *choices)
{
	const char *near;

	for (int i = 0; choices[i] != NULL; i++)
		if (strcmp(word, choices[i]) == 0)
			return i;
	near = jc_nearest(word, choices);
	if (near != NULL)
		jc_fail(jc, path, "unknown %s \"%s\" (did you mean \"%s\"?)",
		    what, word, near);
	else
		jc_fail(jc, path, "unknown %s \"%s\"", what, word);
	return -1;
}

int
jc_keys(struct jcheck *jc, const char *path, const json_t *obj,
    const char *const *allowed)
{
	const char *key;
	json_t *v;
	char at[256];

	json_object_foreach((json_t *)obj, key, v) {
		if (jc_choice(jc, jc_path(at, sizeof at, path, key), "key",
		    key, allowed) < 0)
			return -1;
	}
	return 0;
}

static const json_t *
member(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required)
{
	const json_t *v = json_object_get(obj, key);
	char at[256];

	if (v == NULL && required)
		jc_fail(jc, jc_path(at, sizeof at, path, key), "missing");
	return v;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* A set of JSON types, for typed() to accept. */
#define JTYPE(type)	(1u << (type))

/*
 * obj's member key when it is of one of types (a set of JTYPE()), or NULL:
 * when it is absent (failing if it is required), or of another type
 * (failing with "expected WANT, found ...").
 */
static const json_t *
typed(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, unsigned types, const char *want)
{
	const json_t *v = member(jc, path, obj, key, required);
	char at[256];

	if (v == NULL || (types & JTYPE(json_typeof(v))) != 0)
		return v;
	jc_fail(jc, jc_path(at, sizeof at, path, key), "expected %s, found %s",
	    want, type_name(v));
	return NULL;
}

const char *
jc_string(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, const char *dflt)
{
	const json_t *v = typed(jc, path, obj, key, required,
	    JTYPE(JSON_STRING), "a string");

	return v != NULL ? json_string_value(v) : dflt;
}

double
jc_number(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, double dflt)
{
	const json_t *v = typed(jc, path, obj, key, required,
	    JTYPE(JSON_INTEGER) | JTYPE(JSON_REAL), "a number");

	return v != NULL ? json_number_value(v) : dflt;
}

long long
jc_int(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, long long dflt)
{
	const json_t *v = typed(jc, path, obj, key, required,
	    JTYPE(JSON_INTEGER), "an integer");

	return v != NULL ? json_integer_value(v) : dflt;
}

int
jc_bool(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int dflt)
{
	const json_t *v = typed(jc, path, obj, key, 0,
	    JTYPE(JSON_TRUE) | JTYPE(JSON_FALSE), "true or false");

	return v != NULL ? json_is_true(v) : dflt;
}

const json_t *
jc_array(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, int nonempty)
{
	const json_t *v = typed(jc, path, obj, key, required,
	    JTYPE(JSON_ARRAY), "an array");
	char at[256];

	if (v != NULL && nonempty && json_array_size(v) == 0) {
		jc_fail(jc, jc_path(at, sizeof at, path, key),
		    "must not be empty");
		return NULL;
	}
	return v;
}

const json_t *
jc_object(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required)
{
	return typed(jc, path, obj, key, required, JTYPE(JSON_OBJECT),
	    "an object");
}

long
jc_stray_control(const char *p, size_t n)
{
	int in_string = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (in_string) {
			if (c == '\\')
				i++;	/* the escaped byte is the string's */
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			return (long)i;
		}
	}
	return -1;
}

json_t *
jc_load_file(const char *path, size_t flags, json_error_t *err)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t n = 0, cap = 0, k;
	long bad;
	int saved;
	json_t *j;

	if (f == NULL) {
		saved = errno;
		snprintf(err->text, sizeof err->text, "unable to open %s: %s",
		    path, strerror(saved));
		err->line = err->column = -1;
		errno = saved;
		return NULL;
	}
	do {
		if (n == cap)
			text = erealloc(text, cap = cap ? cap * 2 : 65536);
		n += k = fread(text + n, 1, cap - n, f);
	} while (k > 0);
	if (ferror(f)) {
		saved = errno;
		snprintf(err->text, sizeof err->text, "unable to read %s: %s",
		    path, strerror(saved));
		err->line = err->column = -1;
		fclose(f);
		free(text);
		errno = saved;
		return NULL;
	}
	fclose(f);
	if ((bad = jc_stray_control(text, n)) >= 0) {
		int line = 1, column = 1;

		for (long i = 0; i < bad; i++) {
			column = text[i] == '\n' ? 1 : column + 1;
			line += text[i] == '\n';
		}
		snprintf(err->text, sizeof err->text, "control character "
		    "0x%02x outside a string", (unsigned char)text[bad]);
		err->line = line;
		err->column = column;
		err->position = (int)bad;
		free(text);
		return NULL;
	}
	j = json_loadb(text, n, flags, err);
	free(text);
	return j;
}
