/*
 * readhelp.h - for the reader tests: write bytes to a temporary file, read
 * them back with lib/reader, and describe every record in one string:
 *
 *   "2:a=x,b=<null>|3:BAD(expected 2 fields ...)|"
 *
 * (line, then name=value pairs; <null>, and text shown as is).
 */
#ifndef READHELP_H
#define READHELP_H

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "reader.h"

static char tmpl_dir[] = "/tmp/sluice-test-XXXXXX";
static int tmp_seq;

/* Remove the temporary files and their folder at exit. */
static void
remove_temps(void)
{
	char path[256];

	if (tmp_seq == 0)
		return;
	for (int i = 1; i <= tmp_seq; i++)
		for (const char *const *sfx = (const char *const[]){ ".csv",
		    ".jsonl", ".txt", ".dat", ".csv.gz", ".out", ".gz", NULL };
		    *sfx != NULL; sfx++) {
			snprintf(path, sizeof path, "%s/t%d%s", tmpl_dir, i,
			    *sfx);
			unlink(path);
		}
	rmdir(tmpl_dir);
}

__attribute__((unused)) static const char *
temp_file(const char *suffix, const char *bytes, size_t n, int gzip)
{
	static char path[256];
	FILE *f;

	if (tmp_seq == 0) {
		if (mkdtemp(tmpl_dir) == NULL)
			abort();
		atexit(remove_temps);
	}
	snprintf(path, sizeof path, "%s/t%d%s", tmpl_dir, ++tmp_seq, suffix);
	if (gzip) {
		gzFile g = gzopen(path, "wb");

		gzwrite(g, bytes, (unsigned)n);
		gzclose(g);
	} else {
		f = fopen(path, "wb");
		fwrite(bytes, 1, n, f);
		fclose(f);
	}
	return path;
}

/* A whole file as a string (caller frees). */
__attribute__((unused)) static char *
file_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t k;

	if (f == NULL)
		return strdup("(none)");
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, k);
	fclose(f);
	return (char *)buf_cstr(&b);
}

/*
 * Read path as fmt; return the description (caller frees).  typed: each
 * value's type too ("a=int:1"), doubles to 17 digits, so two readers
 * must agree on types, not only on text.
 */
__attribute__((unused)) static char *
describe_as(const char *path, enum fmt fmt, int typed)
{
	struct reader *rd = rd_open(path, fmt);
	struct buf b = { 0 }, scratch = { 0 };
	struct rec *r;
	enum rd_status st;

	if (rd == NULL)
		return strdup("OPEN FAILED");
	while ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD) {
		buf_printf(&b, "%lu:", r->line);
		if (st == RD_BAD) {
			buf_printf(&b, "BAD(%s)|", r->err);
			continue;
		}
		for (size_t i = 0; i < r->n; i++) {
			size_t n;
			const char *s;

			if (i > 0)
				buf_addc(&b, ',');
			buf_printf(&b, "%s=", r->f[i].name);
			if (typed)
				buf_printf(&b, "%s:", val_type_name(r->f[i].v.type));
			if (r->f[i].v.type == VAL_NULL) {
				buf_adds(&b, "<null>");
				continue;
			}
			if (typed && r->f[i].v.type == VAL_DOUBLE) {
				buf_printf(&b, "%.17g", r->f[i].v.u.d);
				continue;
			}
			s = val_to_text(&r->f[i].v, &scratch, &n);
			buf_add(&b, s, n);
		}
		buf_addc(&b, '|');
	}
	if (st == RD_ERR)
		buf_adds(&b, "ERR|");
	rd_close(rd);
	buf_free(&scratch);
	return (char *)buf_cstr(&b);
}

__attribute__((unused)) static char *
describe(const char *path, enum fmt fmt)
{
	return describe_as(path, fmt, 0);
}

/* Write bytes to a file with suffix, read it, compare the description. */
__attribute__((unused)) static void
reads_as(const char *label, const char *suffix, const char *bytes,
    size_t n, const char *want)
{
	char *got = describe(temp_file(suffix, bytes, n, 0), FMT_AUTO);

	is_str(got, want, "%s", label);
	free(got);
}

#define READS_AS(label, suffix, lit, want) \
	reads_as(label, suffix, lit, sizeof(lit) - 1, want)

#endif
