#include "reader_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int
fmt_parse(const char *s, enum fmt *out)
{
	if (strcmp(s, "csv") == 0)
		*out = FMT_CSV;
	else if (strcmp(s, "jsonl") == 0 || strcmp(s, "json") == 0 ||
	    strcmp(s, "ndjson") == 0)
		*out = FMT_JSONL;
	else
		return -1;
	return 0;
}

const char *
fmt_name(enum fmt f)
{
	return f == FMT_CSV ? "csv" : f == FMT_JSONL ? "jsonl" : "auto";
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

enum fmt
fmt_from_path(const char *path)
{
	size_t n = strlen(path);

	if (ends_with(path, n, ".gz"))
		n -= 3;
	if (ends_with(path, n, ".csv") || ends_with(path, n, ".CSV"))
		return FMT_CSV;
	if (ends_with(path, n, ".jsonl") || ends_with(path, n, ".ndjson") ||
	    ends_with(path, n, ".json"))
		return FMT_JSONL;
	return FMT_AUTO;
}

/* JSON Lines starts with '{' (after blank space); anything else is CSV. */
static enum fmt
sniff(struct src *s)
{
	size_t off = 0;		/* from s->pos, which a fill may move */

	for (;;) {
		for (; s->pos + off < s->len; off++) {
			char c = s->buf[s->pos + off];

			if (c == '{')
				return FMT_JSONL;
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
				return FMT_CSV;
		}
		if (s->eof || off > 4096 || src_fill(s) <= 0)
			return FMT_CSV;
	}
}

/* rd reads fmt (CSV or JSON Lines) from here on. */
static void
engine_init(struct reader *rd, enum fmt fmt)
{
	rd->fmt = fmt;
	if (fmt == FMT_CSV)
		csv_reader_init(rd);
	else
		jsonl_reader_init(rd);
}

struct reader *
rd_open(const char *path, enum fmt fmt)
{
	struct reader *rd = ecalloc(1, sizeof *rd);

	if (src_open(&rd->src, path) < 0) {
		diag("%s: %s", path, strerror(errno));
		free(rd);
		return NULL;
	}
	if (fmt == FMT_AUTO)
		fmt = fmt_from_path(path);
	if (fmt == FMT_AUTO)
		fmt = sniff(&rd->src);
	engine_init(rd, fmt);
	return rd;
}

struct reader *
rd_span(const char *name, enum fmt fmt, const char *p, size_t n)
{
	struct reader *rd = ecalloc(1, sizeof *rd);

	rd->src.fd = -1;
	rd->src.name = name;
	rd->src.buf = (char *)p;
	rd->src.len = rd->src.cap = rd->src.total = n;
	rd->src.eof = 1;
	rd->src.regular = 1;
	rd->borrowed = 1;
	engine_init(rd, fmt);
	return rd;
}

void
rd_bad(struct reader *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rd->msg, sizeof rd->msg, fmt, ap);
	va_end(ap);
	rd->rec.err = rd->msg;
}

void
rd_span_message(char *buf, size_t n, const char *why, unsigned long first,
    unsigned long last)
{
	snprintf(buf, n, "%s: lines %lu..%lu skipped, counted as this one bad "
	    "record", why, first, last);
}

enum rd_status
rd_next(struct reader *rd, struct rec **out)
{
	enum rd_status st;

	*out = &rd->rec;
	/* A read that failed while opening or sniffing ends the input. */
	if (rd->src.failed && !rd->done) {
		rd->failed = rd->done = 1;
		return RD_ERR;
	}
	if (rd->done)
		return rd->failed ? RD_ERR : RD_EOF;
	rd->span_last = 0;
	st = rd->next(rd);
	if (st == RD_ERR)
		rd->failed = 1;
	if (st == RD_EOF || st == RD_ERR)
		rd->done = 1;
	rd->rec.src = rd->src.name;
	return st;
}

enum fmt
rd_format(const struct reader *rd)
{
	return rd->fmt;
}

const char *
rd_name(const struct reader *rd)
{
	return rd->src.name;
}

const char *const *
rd_columns(const struct reader *rd, size_t *n)
{
	*n = 0;
	return rd->columns ? rd->columns(rd, n) : NULL;
}

int
rd_close(struct reader *rd)
{
	int rc = rd->failed || rd->src.failed ? -1 : 0;

	if (rd->free)
		rd->free(rd);
	if (rd->borrowed)
		rd->src.buf = NULL;
	if (src_close(&rd->src) < 0)
		rc = -1;
	rec_free(&rd->rec);
	free(rd);
	return rc;
}
