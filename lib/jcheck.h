/*
 * jcheck.h - checking a JSON document against what a program expects, with
 * one clear message naming the place: "retail.json: fields[3].gen: unknown
 * generator "unifrom" (did you mean "uniform"?)".  The first problem found
 * is kept; later calls do nothing once one failed.
 */
#ifndef SLUICE_JCHECK_H
#define SLUICE_JCHECK_H

#include <jansson.h>
#include <stddef.h>

struct jcheck {
	const char *file;	/* named first in the message */
	char *err;		/* where the message goes */
	size_t errlen;
	int failed;
};

/* Record a problem at path ("fields[3].gen"). */
void jc_fail(struct jcheck *jc, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Every key of obj must be in allowed (NULL-terminated); an unknown one
 * fails with the nearest allowed key suggested.  Returns 0 or -1.
 */
int jc_keys(struct jcheck *jc, const char *path, const json_t *obj,
    const char *const *allowed);

/*
 * Is word one of choices (NULL-terminated)?  If not, fail with
 * "unknown WHAT "word"" and the nearest choice.  Returns its index or -1.
 */
int jc_choice(struct jcheck *jc, const char *path, const char *what,
    const char *word, const char *const *choices);

/* The nearest of choices to word by edit distance, or NULL if none is
   close (at most 2 edits, and less than half the word). */
const char *jc_nearest(const char *word, const char *const *choices);

/*
 * Typed members: each returns the value (or dflt when the key is absent
 * and not required) and fails on a wrong type.  A number may be written as
 * an integer or a real.
 */
const char *jc_string(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, const char *dflt);
double jc_number(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, double dflt);
long long jc_int(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, long long dflt);
int jc_bool(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int dflt);
/* An array (maybe required, maybe non-empty), or NULL. */
const json_t *jc_array(struct jcheck *jc, const char *path, const json_t *obj,
    const char *key, int required, int nonempty);
/* An object, or NULL. */
const json_t *jc_object(struct jcheck *jc, const char *path,
    const json_t *obj, const char *key, int required);

/*
 * The offset of the first control character (below 0x20: not space, tab,
 * LF or CR) outside the strings of the JSON text p[0..n), or -1 when there
 * is none.  JSON allows none there, but jansson's lexer takes a NUL after
 * a number or a literal for the end of it: {"v": 123<NUL>} would read as
 * {"v":123}.  Check text with this before jansson reads it.
 */
long jc_stray_control(const char *p, size_t n);

/*
 * json_load_file(), refusing a stray control character as above
 * (err->text says where).  NULL on failure, as json_load_file().
 */
json_t *jc_load_file(const char *path, size_t flags, json_error_t *err);

/* "path.key" or "path[i]" into buf (size n). */
const char *jc_path(char *buf, size_t n, const char *path, const char *key);
const char *jc_index(char *buf, size_t n, const char *path, size_t i);

#endif
