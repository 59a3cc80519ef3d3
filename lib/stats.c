#include "stats.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonw.h"
#include "out.h"

json_t *
stats_pack(const char *fmt, ...)
{
	json_error_t jerr;
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	j = json_vpack_ex(&jerr, 0, fmt, ap);
	va_end(ap);
	if (j != NULL)
		return j;
	if (json_error_code(&jerr) == json_error_out_of_memory)
		fatal(1, "--stats: out of memory");
	/* A NULL for "o": a value its caller could not make, for want of
	   memory (anything else is a bug, and jansson says which). */
	if (json_error_code(&jerr) == json_error_null_value)
		fatal(1, "--stats: out of memory (%s)", jerr.text);
	fatal(1, "--stats: %s", jerr.text);
}

int
stats_write(const char *path, const struct tally *t, json_t *extra)
{
	json_t *j;
	struct out *o;

	if (path == NULL) {
		json_decref(extra);
		return 0;
	}
	j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "program", progname,
	    "in", (json_int_t)t->in, "out", (json_int_t)t->out, "rejected",
	    (json_int_t)t->rejected, "duplicates", (json_int_t)t->duplicates,
	    "filtered", (json_int_t)t->filtered);
	/* Any piece jansson could not make is memory it did not get: the
	   counts are published whole or not at all. */
	if (j != NULL && extra != NULL && json_object_update(j, extra) < 0) {
		json_decref(j);
		j = NULL;
	}
	json_decref(extra);
	/* Hundredths of a second: enough, and no float noise. */
	if (j != NULL && json_object_set_new(j, "seconds", json_real((double)
	    (long long)((now_seconds() - t->start) * 100 + 0.5) / 100)) < 0) {
		json_decref(j);
		j = NULL;
	}
	if (j == NULL) {
		diag("%s: out of memory", path);
		return -1;
	}
	if ((o = out_open(path, OUT_ATOMIC, 0)) == NULL) {
		json_decref(j);
		return -1;
	}
	/* Not json_dumps(): out of memory, it can leave a key out and
	   still return the text.  jw_json() allocates nothing. */
	jw_json(o, j);
	out_putc(o, '\n');
	json_decref(j);
	return out_close(o);
}
