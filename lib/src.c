#define _GNU_SOURCE	/* ppoll */
#include "src.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "live.h"
#include "opts.h"

enum { SRC_CHUNK = 256 * 1024 };

size_t src_max_line = SRC_MAX_LINE_DEFAULT;
size_t src_max_fields = SRC_MAX_FIELDS_DEFAULT;

/*
 * A limit from the environment: a whole number, with K, M or G for
 * powers of 1024.  Unset or empty leaves *to as it is.
 */
static void
limit_from_env(const char *var, size_t *to)
{
	const char *env = getenv(var);
	char *end;
	unsigned long long v;
	int shift = 0;

	if (env == NULL || *env == '\0')
		return;
	errno = 0;
	v = strtoull(env, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift != 0)
		end++;
	if (errno != 0 || end == env || *end != '\0' || *env == '-' ||
	    v == 0 || v > (SIZE_MAX >> 1) >> shift)
		fatal(2, "%s: \"%s\" is not a limit (a whole number above 0, "
		    "with K, M or G for 1024, 1024^2 or 1024^3)", var, env);
	*to = (size_t)v << shift;
}

void
src_limits(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	limit_from_env("SLUICE_MAX_LINE_BYTES", &src_max_line);
	limit_from_env("SLUICE_MAX_COLUMNS", &src_max_fields);
}

static int (*clock_fn)(void *);	/* src_on_clock() */
static void *clock_ctx;
static double clock_due;	/* monotonic seconds it is next due */

void
src_on_clock(int (*fn)(void *ctx), void *ctx)
{
	clock_fn = fn;
	clock_ctx = ctx;
	clock_due = 0;
}

/* The clock's function, if it is due; the milliseconds until it is due
   again (-1: no function). */
static int
tick(void)
{
	double now;
	int left;

	if (clock_fn == NULL)
		return -1;
	now = now_seconds();
	if (now >= clock_due) {
		int ms = clock_fn(clock_ctx);

		now = now_seconds();
		clock_due = now + (ms < 1 ? 1 : ms) / 1e3;
	}
	left = (int)((clock_due - now) * 1e3 + 0.999);
	return left < 1 ? 1 : left;
}

/*
 * Wait until fd has bytes to read (or its end): first, if it has none
 * now, what the program holds goes on (live.h); the tick runs on time
 * meanwhile.  0, or -1 when a signal asked the program to stop.  The
 * stop signals are let in only inside ppoll(), so one that comes just
 * before the wait still ends it (not the next input).
 */
static int
wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	sigset_t stops, old;
	int sent = 0;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	for (;;) {
		int ms = tick(), k, e;
		struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

		if (!sent)
			ts.tv_sec = ts.tv_nsec = 0;
		sigprocmask(SIG_BLOCK, &stops, &old);
		if (stop_requested) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			return -1;
		}
		k = ppoll(&pfd, 1, sent && ms < 0 ? NULL : &ts, &old);
		e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (k > 0)
			return 0;
		if (k < 0) {
			if (e != EINTR)
				return 0;	/* the read says why */
			continue;
		}
		if (!sent) {
			live_flush();
			sent = 1;
		} else {
			/* The tick may have made more to send. */
			sent = 0;
		}
	}
}

/*
 * read(2) what is there, up to n bytes: a pipe gives what has come, so a
 * slow stream's records are handled as they arrive, not when a buffer
 * fills.  A signal that asks the program to stop ends the input (0);
 * other interruptions retry.
 */
static ssize_t
read_some(struct src *s, void *p, size_t n)
{
	for (;;) {
		ssize_t r;

		if (s->regular)
			tick();
		else if (wait_readable(s->fd) < 0)
			return 0;
		r = read(s->fd, p, n);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -1;
		if (stop_requested)
			return 0;
	}
}

static void start_gzip(struct src *s);

int
src_open(struct src *s, const char *path)
{
	struct stat st;

	src_limits();
	memset(s, 0, sizeof *s);
	if (strcmp(path, "-") == 0) {
		/* dup so that closing it leaves fd 0 alone. */
		s->fd = dup(STDIN_FILENO);
		s->name = "stdin";
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		s->name = path;
	}
	if (s->fd < 0)
		return -1;
	if (fstat(s->fd, &st) != 0)
		st.st_mode = 0;
	s->regular = S_ISREG(st.st_mode);
#ifdef F_SETPIPE_SZ
	/* A pipe of a MiB (Linux's most for anyone, unless raised): a fast
	   writer blocks, and this reader wakes, a sixteenth as often as
	   with the 64 KiB it starts with.  Only a try. */
	if (S_ISFIFO(st.st_mode))
		(void)fcntl(s->fd, F_SETPIPE_SZ, 1 << 20);
#endif
	s->cap = SRC_CHUNK;
	s->buf = emalloc(s->cap);
	/* Enough bytes to tell gzip by its magic, and to drop a BOM. */
	while (s->len < 3 && !s->eof)
		if (src_fill(s) < 0)
			break;
	if (s->len >= 2 && (unsigned char)s->buf[0] == 0x1f &&
	    (unsigned char)s->buf[1] == 0x8b) {
		start_gzip(s);
		s->eof = 0;
		while (s->len < 3 && !s->eof)
			if (src_fill(s) < 0)
				break;
	}
	if (s->len >= 3 && memcmp(s->buf, "\xef\xbb\xbf", 3) == 0)
		s->pos = 3;
	return 0;
}

/* The first bytes were gzip's magic: inflate from here on, starting
   with the bytes already read. */
static void
start_gzip(struct src *s)
{
	s->z = ecalloc(1, sizeof *s->z);
	if (inflateInit2(s->z, 15 + 16) != Z_OK)
		fatal(1, "%s: zlib would not start", s->name);
	s->zin = emalloc(SRC_CHUNK);
	memcpy(s->zin, s->buf, s->len);
	s->zn = s->len;
	s->len = s->pos = 0;
}

/* Inflate into buf[len..cap); the bytes made, 0 at the end, -1. */
static long
inflate_some(struct src *s)
{
	for (;;) {
		int rc;
		size_t made;

		if (s->zn == 0) {
			ssize_t r = read_some(s, s->zin, SRC_CHUNK);

			if (r < 0) {
				diag("%s: %s", s->name, strerror(errno));
				return -1;
			}
			if (r == 0) {
				if (!s->zend) {
					diag("%s: the gzip data ends early",
					    s->name);
					s->failed = 1;
					return -1;
				}
				return 0;
			}
			s->zn = (size_t)r;
		}
		if (s->zend) {
			/* Another member follows (cat a.gz b.gz). */
			inflateReset(s->z);
			s->zend = 0;
		}
		s->z->next_in = s->zin;
		s->z->avail_in = (uInt)s->zn;
		s->z->next_out = (unsigned char *)s->buf + s->len;
		s->z->avail_out = (uInt)(s->cap - s->len);
		rc = inflate(s->z, Z_NO_FLUSH);
		made = s->cap - s->len - s->z->avail_out;
		memmove(s->zin, s->z->next_in, s->z->avail_in);
		s->zn = s->z->avail_in;
		if (rc == Z_STREAM_END)
			s->zend = 1;
		else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			diag("%s: not valid gzip data (%s)", s->name,
			    s->z->msg ? s->z->msg : "inflate failed");
			s->failed = 1;
			return -1;
		}
		if (made > 0)
			return (long)made;
	}
}

/* What a read made (n bytes, 0 at the end, -1 failed): counted, and
   the input's end or failure noted. */
static long
counted(struct src *s, long n)
{
	if (n < 0) {
		s->eof = 1;
		s->failed = 1;
		return -1;
	}
	if (n == 0)
		s->eof = 1;
	s->total += (size_t)n;
	return n;
}

long
src_fill(struct src *s)
{
	ssize_t n;

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
	if (s->z != NULL) {
		n = inflate_some(s);
	} else {
		n = read_some(s, s->buf + s->len, s->cap - s->len);
		if (n < 0)
			diag("%s: %s", s->name, strerror(errno));
	}
	if ((n = counted(s, n)) > 0)
		s->len += (size_t)n;
	return n;
}

long
src_take(struct src *s, struct buf *b)
{
	long n;

	/* A regular file's read never waits: straight into b.  (A pipe's
	   wait lets the program send on what it holds, b among it.)  The
	   clock first: its function may use b too. */
	if (s->regular && s->pos == s->len && s->z == NULL && !s->eof) {
		tick();
		if (b->cap - b->n < SRC_CHUNK)
			buf_grow(b, SRC_CHUNK);
		/* As much as src_fill() reads: the chunks stay the size
		   they are cut to. */
		n = read_some(s, b->p + b->n, SRC_CHUNK);
		if (n < 0)
			diag("%s: %s", s->name, strerror(errno));
		if ((n = counted(s, n)) > 0)
			b->n += (size_t)n;
		return n;
	}
	if (s->pos == s->len && (n = src_fill(s)) <= 0)
		return n;
	n = (long)(s->len - s->pos);
	buf_add(b, s->buf + s->pos, s->len - s->pos);
	s->pos = s->len;
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

	if (s->z != NULL) {
		inflateEnd(s->z);
		free(s->z);
	}
	if (s->fd >= 0 && close(s->fd) < 0)
		rc = -1;
	free(s->zin);
	free(s->buf);
	memset(s, 0, sizeof *s);
	return rc;
}
