#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"

void
buf_grow(struct buf *b, size_t extra)
{
	size_t want = b->n + extra, cap = b->cap ? b->cap : 64;

	if (want < b->n)
		fatal(1, "buffer size overflow");
	while (cap < want)
		cap = cap * 2 > cap ? cap * 2 : want;
	if (cap != b->cap) {
		b->p = erealloc(b->p, cap);
		b->cap = cap;
	}
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0) {
		buf_grow(b, (size_t)n + 1);
		vsnprintf(b->p + b->n, (size_t)n + 1, fmt, again);
		b->n += (size_t)n;
	}
	va_end(again);
}

const char *
buf_cstr(struct buf *b)
{
	buf_grow(b, 1);
	b->p[b->n] = '\0';
	return b->p;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

void
buf_sql_ident(struct buf *b, const char *name)
{
	buf_addc(b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_addc(b, '"');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}
