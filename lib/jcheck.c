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

#define WRONG(want) do { \
	char at_[256]; \
	jc_fail(jc, jc_path(at_, sizeof at_, path, key), \
	    "expected %s, found %s", want, type_name(v)); \
} while (0)

const char *
jc_string(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, const char *dflt)
{
	const json_t *v = member(jc, path, obj, key, required);

	if (v == NULL)
		return dflt;
	if (!json_is_string(v)) {
		WRONG("a string");
		return dflt;
	}
	return json_string_value(v);
}

double
jc_number(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, double dflt)
{
	const json_t *v = member(jc, path, obj, key, required);

	if (v == NULL)
		return dflt;
	if (!json_is_number(v)) {
		WRONG("a number");
		return dflt;
	}
	return json_number_value(v);
}

long long
jc_int(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, long long dflt)
{
	const json_t *v = member(jc, path, obj, key, required);

	if (v == NULL)
		return dflt;
	if (!json_is_integer(v)) {
		WRONG("an integer");
		return dflt;
	}
	return json_integer_value(v);
}

int
jc_bool(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int dflt)
{
	const json_t *v = member(jc, path, obj, key, 0);

	if (v == NULL)
		return dflt;
	if (!json_is_boolean(v)) {
		WRONG("true or false");
		return dflt;
	}
	return json_is_true(v);
}

const json_t *
jc_array(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, int nonempty)
{
	const json_t *v = member(jc, path, obj, key, required);
	char at[256];

	if (v == NULL)
		return NULL;
	if (!json_is_array(v)) {
		WRONG("an array");
		return NULL;
	}
	if (nonempty && json_array_size(v) == 0) {
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
	const json_t *v = member(jc, path, obj, key, required);

	if (v == NULL)
		return NULL;
	if (!json_is_object(v)) {
		WRONG("an object");
		return NULL;
	}
	return v;
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
