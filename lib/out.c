#include "out.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "live.h"

enum { OUT_BUFSZ = 128 * 1024 };

static void
fail(struct out *o, int e)
{
	if (o->err != 0)
		return;
	o->err = e;
	if (e != EPIPE)
		diag("%s: %s", o->name, strerror(e));
}

/* Write n bytes to the fd (or gzip stream), retrying short writes. */
static void
emit(struct out *o, const char *p, size_t n)
{
	if (o->err != 0)
		return;
	if (o->mem != NULL) {
		buf_add(o->mem, p, n);
		return;
	}
	if (o->gz != NULL) {
		while (n > 0) {
			unsigned chunk = n > UINT_MAX / 2 ? UINT_MAX / 2 :
			    (unsigned)n;
			int w = gzwrite(o->gz, p, chunk);

			if (w <= 0) {
				int zerr;
				const char *msg = gzerror(o->gz, &zerr);

				if (zerr == Z_ERRNO) {
					fail(o, errno);
				} else {
					diag("%s: %s", o->name, msg);
					o->err = EIO;
				}
				return;
			}
			p += w;
			n -= (size_t)w;
			o->gz_pending = 1;
		}
		return;
	}
	while (n > 0) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail(o, errno);
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

void
out_write_slow(struct out *o, const void *p, size_t n)
{
	if (o->n > 0) {
		emit(o, o->buf, o->n);
		o->n = 0;
	}
	if (n == 0)
		return;
	if (n + 16 >= o->cap)
		emit(o, p, n);
	else {
		memcpy(o->buf, p, n);
		o->n = n;
	}
}

int
out_flush(struct out *o)
{
	if (o->n > 0) {
		emit(o, o->buf, o->n);
		o->n = 0;
	}
	if (o->gz != NULL && o->gz_pending && o->err == 0) {
		if (gzflush(o->gz, Z_SYNC_FLUSH) != Z_OK)
			fail(o, EIO);
		o->gz_pending = 0;
	}
	return o->err ? -1 : 0;
}

/* About to wait: what is buffered goes out (a failure is kept in o->err
   for the program's next check). */
static void
flush_held(void *ctx)
{
	struct out *o = ctx;

	if (o->n > 0 || o->gz_pending)
		out_flush(o);
}

long long
out_sync(struct out *o)
{
	struct stat st;

	if (out_flush(o) < 0)
		return -2;
	if (fstat(o->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	if (fsync(o->fd) < 0) {
		diag("%s: %s", o->name, strerror(errno));
		return -2;
	}
	return (long long)st.st_size;
}

/* "dir/name" -> "dir/.name.tmp-PID" */
static char *
temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	struct buf b = { 0 };

	buf_add(&b, path, dirlen);
	buf_printf(&b, ".%s.tmp-%ld", path + dirlen, (long)getpid());
	return (char *)buf_cstr(&b);
}

struct out *
out_open(const char *path, int flags, int gzip_level)
{
	struct out *o = ecalloc(1, sizeof *o);

	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->name = "stdout";
	} else {
		int oflags = O_WRONLY | O_CREAT | O_CLOEXEC;
		const char *target = path;

		o->path = estrdup(path);
		o->name = o->path;
		if (flags & OUT_ATOMIC) {
			o->tmp = temp_name(path);
			target = o->tmp;
			oflags |= O_TRUNC;
		} else {
			oflags |= (flags & OUT_APPEND) ? O_APPEND : O_TRUNC;
		}
		o->fd = open(target, oflags, 0666);
		if (o->fd < 0) {
			diag("%s: %s", path, strerror(errno));
			free(o->tmp);
			free(o->path);
			free(o);
			return NULL;
		}
	}
	if (gzip_level > 0) {
		char mode[8];
		/* A dup of our own: gzclose closes it, we keep o->fd. */
		int fd = dup(o->fd);

		snprintf(mode, sizeof mode, "wb%d", gzip_level > 9 ? 9 :
		    gzip_level);
		o->gz = fd < 0 ? NULL : gzdopen(fd, mode);
		if (o->gz == NULL)
			fatal(1, "%s: cannot start gzip", o->name);
		gzbuffer(o->gz, 128 * 1024);
	}
	o->cap = OUT_BUFSZ;
	o->buf = emalloc(o->cap);
	if (o->tmp == NULL) {
		o->live = 1;
		live_hold_output(flush_held, o);
	}
	return o;
}

int
mkdir_p(const char *dir)
{
	char *path = estrdup(dir);

	for (char *s = path + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(path, 0777) < 0 && errno != EEXIST) {
			diag("%s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(path);
	return 0;
}

struct out *
out_mem(struct buf *b)
{
	struct out *o = ecalloc(1, sizeof *o);

	o->fd = -1;
	o->mem = b;
	o->name = "memory";
	o->cap = 4096;
	o->buf = emalloc(o->cap);
	return o;
}

static void
release(struct out *o)
{
	if (o->live)
		live_release(flush_held, o);
	free(o->buf);
	free(o->tmp);
	free(o->path);
	free(o);
}

/* Make a rename in path's folder durable. */
static void
fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? estrndup(path, (size_t)(slash - path) + 1) :
	    estrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int
out_close(struct out *o)
{
	int rc;

	if (o->n > 0) {
		emit(o, o->buf, o->n);
		o->n = 0;
	}
	/* gzclose writes the trailer and closes its own (dup'ed) fd. */
	if (o->gz != NULL) {
		int zrc = gzclose_w(o->gz);

		o->gz = NULL;
		if (zrc != Z_OK)
			fail(o, zrc == Z_ERRNO ? errno : EIO);
	}
	if (o->tmp != NULL && o->err == 0 && fsync(o->fd) < 0)
		fail(o, errno);
	/* stdout stays open: write() already reported any failure. */
	if (o->fd >= 0 && o->fd != STDOUT_FILENO && close(o->fd) < 0)
		fail(o, errno);
	if (o->tmp != NULL) {
		if (o->err == 0 && rename(o->tmp, o->path) < 0)
			fail(o, errno);
		if (o->err != 0)
			unlink(o->tmp);
		else
			fsync_dir_of(o->path);
	}
	rc = o->err != 0 ? -1 : 0;
	release(o);
	return rc;
}

void
out_discard(struct out *o)
{
	o->n = 0;
	if (o->gz != NULL)
		gzclose_w(o->gz);
	if (o->fd != STDOUT_FILENO)
		close(o->fd);
	if (o->tmp != NULL)
		unlink(o->tmp);
	release(o);
}
