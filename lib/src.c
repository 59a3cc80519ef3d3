#include "src.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

enum { SRC_CHUNK = 256 * 1024 };

size_t src_max_line = (size_t)64 << 20;

int
src_open(struct src *s, const char *path)
{
	int fd;

	memset(s, 0, sizeof *s);
	if (strcmp(path, "-") == 0) {
		/* dup so that closing the gzFile leaves fd 0 alone. */
		fd = dup(STDIN_FILENO);
		s->name = "stdin";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		s->name = path;
	}
	if (fd < 0)
		return -1;
	s->gz = gzdopen(fd, "rb");
	if (s->gz == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	gzbuffer(s->gz, 128 * 1024);
	s->cap = SRC_CHUNK;
	s->buf = emalloc(s->cap);
	/* Enough bytes to see and drop a byte order mark. */
	while (s->len < 3 && !s->eof)
		if (src_fill(s) < 0)
			break;
	if (s->len >= 3 && memcmp(s->buf, "\xef\xbb\xbf", 3) == 0)
		s->pos = 3;
	return 0;
}

long
src_fill(struct src *s)
{
	int n;

	if (s->eof)
		return 0;
	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->cap - s->len < SRC_CHUNK / 2) {
		s->cap *= 2;
		s->buf = erealloc(s->buf, s->cap);
	}
	n = gzread(s->gz, s->buf + s->len, (unsigned)(s->cap - s->len));
	if (n < 0) {
		int zerr;
		const char *msg = gzerror(s->gz, &zerr);

		diag("%s: %s", s->name,
		    zerr == Z_ERRNO ? strerror(errno) : msg);
		s->eof = 1;
		s->failed = 1;
		return -1;
	}
	if (n == 0)
		s->eof = 1;
	s->len += (size_t)n;
	return n;
}

int
src_span(struct src *s, const char **p, size_t *n)
{
	const char *start, *nl;

	if (s->pos == s->len) {
		long r;

		s->pos = s->len = 0;
		r = src_fill(s);
		if (r <= 0)
			return (int)r;
	}
	start = s->buf + s->pos;
	nl = memchr(start, '\n', s->len - s->pos);
	/* Do not split a CRLF at the buffer's end: read on first. */
	if (nl == NULL && s->buf[s->len - 1] == '\r' && !s->eof) {
		if (src_fill(s) < 0)
			return -1;
		start = s->buf + s->pos;
		nl = memchr(start, '\n', s->len - s->pos);
	}
	*p = start;
	*n = nl ? (size_t)(nl - start) + 1 : s->len - s->pos;
	s->pos += *n;
	return 1;
}

int
src_line(struct src *s, const char **p, size_t *n)
{
	size_t scanned = 0;
	int skipping = 0;

	for (;;) {
		char *start = s->buf + s->pos;
		char *nl = memchr(start + scanned, '\n',
		    s->len - s->pos - scanned);
		long r;

		if (nl != NULL) {
			s->pos += (size_t)(nl - start) + 1;
			if (skipping || (size_t)(nl - start) > src_max_line)
				return -2;
			*p = start;
			*n = (size_t)(nl - start);
			return 1;
		}
		scanned = s->len - s->pos;
		if (scanned > src_max_line) {
			/* Drop what we have of the line; find its end. */
			skipping = 1;
			s->pos = s->len;
			scanned = 0;
		}
		r = src_fill(s);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (skipping)
				return -2;
			if (s->len == s->pos)
				return 0;
			/* A last line with no newline. */
			*p = s->buf + s->pos;
			*n = s->len - s->pos;
			s->pos = s->len;
			return 1;
		}
	}
}

int
src_close(struct src *s)
{
	int rc = 0;

	if (s->gz != NULL && gzclose_r(s->gz) != Z_OK) {
		diag("%s: error closing input", s->name);
		rc = -1;
	}
	free(s->buf);
	memset(s, 0, sizeof *s);
	return rc;
}
