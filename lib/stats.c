#include "stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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

/*
 * t's counts, extra's members (taken) and the seconds as one object, or
 * NULL when memory ran out: the counts are published whole or not at
 * all.
 */
static json_t *
counts_json(const struct tally *t, json_t *extra)
{
	json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "program", progname,
	    "in", (json_int_t)t->in, "out", (json_int_t)t->out, "rejected",
	    (json_int_t)t->rejected, "duplicates", (json_int_t)t->duplicates,
	    "filtered", (json_int_t)t->filtered);

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
	return j;
}

/* "progname: 10 in, 8 out, ..., 0.01s" from j (NULL: t's counts alone). */
static void
print_line(const struct tally *t, json_t *j)
{
	struct buf b = { 0 };
	const char *k;
	json_t *v;

	buf_printf(&b, "%s: ", progname);
	if (j == NULL) {
		buf_printf(&b, "%llu in, %llu out, %llu rejected, %llu "
		    "duplicates, %llu filtered, %.2fs\n",
		    (unsigned long long)t->in, (unsigned long long)t->out,
		    (unsigned long long)t->rejected,
		    (unsigned long long)t->duplicates,
		    (unsigned long long)t->filtered,
		    now_seconds() - t->start);
	} else {
		json_object_foreach(j, k, v) {
			if (!json_is_integer(v))
				continue;
			buf_printf(&b, "%lld ", (long long)json_integer_value(v));
			for (const char *c = k; *c != '\0'; c++)
				buf_addc(&b, *c == '_' ? ' ' : *c);
			buf_adds(&b, ", ");
		}
		buf_printf(&b, "%.2fs\n", json_real_value(json_object_get(j,
		    "seconds")));
	}
	/* One write: a pipeline's programs share one stderr. */
	fputs(buf_cstr(&b), stderr);
	buf_free(&b);
}

static int
write_json(const char *path, json_t *j)
{
	struct out *o;

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

int
stats_summary(const char *path, const struct tally *t, json_t *extra,
    int quiet)
{
	json_t *j;

	if (path == NULL && quiet) {
		json_decref(extra);
		return 0;
	}
	j = counts_json(t, extra);
	if (!quiet)
		print_line(t, j);
	if (path == NULL) {
		json_decref(j);
		return 0;
	}
	return write_json(path, j);
}

int
stats_write(const char *path, const struct tally *t, json_t *extra)
{
	return stats_summary(path, t, extra, 1);
}
