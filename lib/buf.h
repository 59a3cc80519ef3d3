/*
 * buf.h - a growable byte buffer.  The bytes are not NUL-terminated unless
 * buf_cstr() is asked for; memory is only released by buf_free().
 */
#ifndef SLUICE_BUF_H
#define SLUICE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *p;	/* the bytes; NULL until the first append */
	size_t n;	/* bytes in use */
	size_t cap;	/* bytes allocated */
};

/* Make room for at least extra more bytes; exits 1 when out of memory. */
void buf_grow(struct buf *b, size_t extra);

/* Append printf-formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Return the contents as a C string (a NUL is kept after the bytes). */
const char *buf_cstr(struct buf *b);

/* Append name as a quoted SQL identifier ("a""b"), for names that come
   from data (column names), never from requests. */
void buf_sql_ident(struct buf *b, const char *name);

/* Release the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->n < n)
		buf_grow(b, n);
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static inline void
buf_addc(struct buf *b, char c)
{
	if (b->cap == b->n)
		buf_grow(b, 1);
	b->p[b->n++] = c;
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

#endif
