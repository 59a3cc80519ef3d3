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

/*
 * Atomic files being written.  A program that exits before closing one
 * (fatal(): out of memory, a failure deep in a library) would leave its
 * temporary behind: at exit, they are removed.
 */
static struct out *pending;

/* Other things half-made, removed at exit the same way (remove_at_exit). */
struct doomed {
	char *path;
	int (*rm)(const char *);
	struct doomed *next;
};
static struct doomed *doomed;

static void
remove_pending(void)
{
	for (struct out *o = pending; o != NULL; o = o->next_pending)
		unlink(o->tmp);
	for (struct doomed *d = doomed; d != NULL; d = d->next)
		d->rm(d->path);
}

static void
remove_pending_at_exit(void)
{
	static int registered;

	if (!registered)
		registered = atexit(remove_pending) == 0;
}

static void
add_pending(struct out *o)
{
	remove_pending_at_exit();
	o->next_pending = pending;
	pending = o;
}

void
remove_at_exit(const char *path, int (*rm)(const char *))
{
	struct doomed *d = emalloc(sizeof *d);

	remove_pending_at_exit();
	d->path = estrdup(path);
	d->rm = rm;
	d->next = doomed;
	doomed = d;
}

void
keep_at_exit(const char *path)
{
	for (struct doomed **p = &doomed; *p != NULL; p = &(*p)->next)
		if (strcmp((*p)->path, path) == 0) {
			struct doomed *d = *p;

			*p = d->next;
			free(d->path);
			free(d);
			return;
		}
}

static void
drop_pending(struct out *o)
{
	for (struct out **p = &pending; *p != NULL; p = &(*p)->next_pending)
		if (*p == o) {
			*p = o->next_pending;
			return;
		}
}

static void
fail(struct out *o, int e)
{
	if (o->err != 0)
		return;
	o->err = e;
	if (e != EPIPE)
		diag("%s: %s", o->name, strerror(e));
}

/* A gzip call failed: the system's reason when there is one, zlib's else. */
static void
gz_fail(struct out *o)
{
	int zerr;
	const char *msg = gzerror(o->gz, &zerr);

	if (zerr == Z_ERRNO && errno != 0) {
		fail(o, errno);
	} else if (o->err == 0) {
		diag("%s: %s", o->name, msg);
		o->err = EIO;
	}
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
			int w;

			errno = 0;
			if ((w = gzwrite(o->gz, p, chunk)) <= 0) {
				gz_fail(o);
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
		errno = 0;
		if (gzflush(o->gz, Z_SYNC_FLUSH) != Z_OK)
			gz_fail(o);
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
	/* The member ends here: a file cut back to this length is whole
	   gzip, and a member appended after it is read on from there. */
	if (o->gz != NULL) {
		/* (Nothing written since the last: zlib starts no member.) */
		errno = 0;
		if (gzflush(o->gz, Z_FINISH) != Z_OK) {
			gz_fail(o);
			return -2;
		}
	}
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

/*
 * Is the symbolic link at path one of the kernel's (/proc/self/fd/N, what
 * /dev/stdout and /dev/fd/N lead to)?  Such a link names an open file, not
 * a path: what it reads as ("pipe:[123]", a file since renamed) is no
 * place to put a new file.
 */
static int
on_proc(const char *path)
{
	static dev_t proc_dev;
	static int known;	/* 1: proc_dev is /proc's; -1: no /proc */
	struct stat st;

	if (known == 0) {
		known = stat("/proc/self", &st) == 0 ? 1 : -1;
		if (known == 1)
			proc_dev = st.st_dev;
	}
	return known == 1 && lstat(path, &st) == 0 && st.st_dev == proc_dev;
}

enum where { W_FILE, W_DIRECT, W_PROC };

/*
 * Follow path's chain of symbolic links to the name a new file must take
 * so that the links go on naming it (a dangling link: the name it points
 * to).  W_DIRECT when the chain ends at anything but a regular file or
 * nothing (a device, a FIFO, a socket, a folder), W_PROC when it goes
 * through /proc: those are opened and written in place, never renamed
 * over.  *final gets the name (malloc'ed); -1 with errno set for a loop.
 */
static int
resolve(const char *path, char **final)
{
	char *cur = estrdup(path);
	struct stat st;

	for (int hops = 0;; hops++) {
		char link[PATH_MAX];
		ssize_t n;

		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			break;
		if (hops == 40) {
			free(cur);
			errno = ELOOP;
			return -1;
		}
		if (on_proc(cur)) {
			*final = cur;
			return W_PROC;
		}
		if ((n = readlink(cur, link, sizeof link - 1)) < 0)
			break;
		link[n] = '\0';
		if (link[0] != '/' && strrchr(cur, '/') != NULL) {
			/* Relative to the folder the link is in. */
			struct buf b = { 0 };

			buf_add(&b, cur, (size_t)(strrchr(cur, '/') - cur) + 1);
			buf_add(&b, link, (size_t)n);
			free(cur);
			cur = estrdup(buf_cstr(&b));
			buf_free(&b);
		} else {
			free(cur);
			cur = estrdup(link);
		}
	}
	*final = cur;
	if (lstat(cur, &st) == 0 && !S_ISREG(st.st_mode))
		return W_DIRECT;
	return W_FILE;
}

/*
 * path, through /proc, is our stdout or stderr (/dev/stdout, /dev/fd/2):
 * a dup of that descriptor, sharing its offset as the shell's >&1 does
 * (opening it again would write over what is there, or empty a file).
 * Else -1 with errno 0; on failure -1 with errno set.
 */
static int
std_dup(const char *path)
{
	struct stat st, fd_st;

	if (stat(path, &st) < 0)
		return -1;
	for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++)
		if (fstat(fd, &fd_st) == 0 && st.st_dev == fd_st.st_dev &&
		    st.st_ino == fd_st.st_ino)
			return fcntl(fd, F_DUPFD_CLOEXEC, 0);
	errno = 0;
	return -1;
}

/*
 * Open the file o->path for writing, as out_open()'s flags say: an
 * atomic file is a temporary beside the file the path leads to, renamed
 * over it at close.  What is not a regular file is written in place
 * (there is no atomicity to give there), our stdout or stderr through
 * /dev/stdout and the like on that descriptor itself.  Returns the fd,
 * or -1 with errno set.
 */
static int
open_path(struct out *o, int flags)
{
	char *final;
	int how = resolve(o->path, &final), fd, oflags = O_WRONLY | O_CLOEXEC;
	struct stat st;

	if (how < 0)
		return -1;
	if (how == W_FILE && (flags & OUT_ATOMIC)) {
		free(o->path);
		o->path = final;
		o->tmp = temp_name(final);
		return open(o->tmp, oflags | O_CREAT | O_TRUNC, 0666);
	}
	free(final);
	if (how == W_PROC && ((fd = std_dup(o->path)) >= 0 || errno != 0))
		return fd;
	if (!(flags & OUT_ATOMIC))
		return open(o->path, oflags | O_CREAT | ((flags & OUT_APPEND) ?
		    O_APPEND : O_TRUNC), 0666);
	/* A regular file only through /proc: emptied as ">" would. */
	if (stat(o->path, &st) == 0 && S_ISREG(st.st_mode))
		oflags |= O_TRUNC;
	return open(o->path, oflags);
}

/*
 * A file appended to must not go on from half a line: a program killed
 * mid-write (SIGKILL, a crash, a full disk) can leave its last line cut
 * short, and the next line would be glued to it.  Cut such a tail back
 * to the end of the last whole line, and say so.  Returns 0, or -1 with
 * errno set.
 */
static int
drop_partial_line(int fd, const char *name)
{
	char b[4096];
	struct stat st;
	off_t end, at;
	ssize_t n = 0, i;
	int rfd;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	if ((rfd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;	/* write-only: nothing to look at */
	for (end = st.st_size; end > 0; end = at) {
		at = end > (off_t)sizeof b ? end - (off_t)sizeof b : 0;
		if ((n = pread(rfd, b, (size_t)(end - at), at)) <= 0)
			break;
		for (i = n; i > 0 && b[i - 1] != '\n'; i--)
			;
		if (i > 0) {
			end = at + i;
			break;
		}
	}
	close(rfd);
	if (n < 0 || end == st.st_size)
		return n < 0 ? -1 : 0;
	if (ftruncate(fd, end) < 0)
		return -1;
	diag("%s: its last line was cut short (a run stopped mid-write?): "
	    "%lld bytes dropped", name, (long long)(st.st_size - end));
	return 0;
}

/*
 * The same for gzip: a member cut short (a run killed mid-write, between
 * its flushes) would swallow the next member's bytes as its own, and the
 * file would read as damaged from there.  Find where the last whole
 * member ends; a cut one after it is replaced by a whole member holding
 * its text up to its last whole line (kept aside in a temporary file
 * meanwhile), and that is said.  Returns 0, or -1 with errno set, or 0
 * when it reported the failure itself (not gzip at all: nothing is
 * appended to it).
 */
static int
end_cut_member(int fd, const char *name)
{
	enum { CHUNK = 64 * 1024 };
	unsigned char *in, *text, magic[2];
	z_stream z = { 0 };
	struct stat st;
	off_t at = 0, whole = 0;
	unsigned long long kept = 0, total = 0, lines = 0;
	FILE *tmp = NULL;
	int rfd, rc = -1, r, eof = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	if ((rfd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;	/* write-only: nothing to look at */
	if (pread(rfd, magic, 2, 0) != 2 || magic[0] != 0x1f ||
	    magic[1] != 0x8b) {
		close(rfd);
		diag("%s: not gzip data: a gzip output is not appended to it",
		    name);
		errno = 0;
		return -1;
	}
	in = emalloc(CHUNK);
	text = emalloc(CHUNK);
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		errno = ENOMEM;
		goto done;
	}
	/* Each member in turn, to where the last whole one ends; then the
	   cut one from there, its text aside. */
	for (int salvage = 0;; ) {
		if (z.avail_in == 0 && !eof) {
			ssize_t n = pread(rfd, in, CHUNK, at);

			if (n < 0)
				goto done;
			eof = n == 0;
			z.next_in = in;
			z.avail_in = (uInt)n;
			at += n;
		}
		z.next_out = text;
		z.avail_out = CHUNK;
		r = inflate(&z, Z_NO_FLUSH);
		if (salvage) {
			size_t got = CHUNK - z.avail_out;

			if (got > 0 && fwrite(text, 1, got, tmp) != got)
				goto done;
			for (size_t i = 0; i < got; i++)
				if (text[i] == '\n') {
					kept = total + i + 1;
					lines++;
				}
			total += got;
		}
		if (r == Z_STREAM_END && !salvage) {
			whole = at - z.avail_in;
			inflateReset(&z);
			continue;
		}
		if ((r == Z_OK || r == Z_BUF_ERROR) && !(eof && z.avail_in == 0 &&
		    z.avail_out > 0))
			continue;
		/* The end of the file, or bytes that are not gzip. */
		if (whole == st.st_size) {
			rc = 0;
			goto done;
		}
		if (salvage)
			break;
		salvage = 1;
		if ((tmp = tmpfile()) == NULL)
			goto done;
		inflateReset(&z);
		z.avail_in = 0;
		eof = 0;
		at = whole;
	}
	if (ftruncate(fd, whole) < 0 || fflush(tmp) != 0)
		goto done;
	if (kept > 0) {
		/* The kept text as one whole member, appended where the
		   cut one began. */
		int zfd = dup(fd);
		gzFile gz = zfd < 0 ? NULL : gzdopen(zfd, "ab6");
		off_t from = 0;

		if (gz == NULL) {
			if (zfd >= 0)
				close(zfd);
			goto done;
		}
		while ((unsigned long long)from < kept) {
			size_t want = kept - (unsigned long long)from < CHUNK ?
			    (size_t)(kept - (unsigned long long)from) : CHUNK;
			ssize_t got = pread(fileno(tmp), text, want, from);

			if (got <= 0 || gzwrite(gz, text, (unsigned)got) !=
			    (int)got) {
				gzclose_w(gz);
				if (got == 0)
					errno = EIO;
				goto done;
			}
			from += got;
		}
		if (gzclose_w(gz) != Z_OK) {
			if (errno == 0)
				errno = EIO;
			goto done;
		}
	}
	diag("%s: its last gzip member was cut short (a run stopped "
	    "mid-write?): its %llu whole lines kept, %llu bytes of text after "
	    "them dropped", name, lines, total - kept);
	rc = 0;
done:
	{
		int e = errno;

		inflateEnd(&z);
		if (tmp != NULL)
			fclose(tmp);
		close(rfd);
		free(in);
		free(text);
		errno = e;
	}
	return rc;
}

/* out_open() could not go on: what it made is undone (errno e said,
   unless 0: said already).  Returns NULL. */
static struct out *
open_failed(struct out *o, int e)
{
	if (e != 0)
		diag("%s: %s", o->name, strerror(e));
	if (o->fd >= 0 && o->fd != STDOUT_FILENO)
		close(o->fd);
	if (o->tmp != NULL && o->fd >= 0) {
		unlink(o->tmp);
		drop_pending(o);
	}
	free(o->tmp);
	free(o->path);
	free(o->given);
	free(o);
	return NULL;
}

int
out_gzip_name(const char *path)
{
	size_t n = path != NULL ? strlen(path) : 0;

	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

struct out *
out_open(const char *path, int flags, int gzip_level)
{
	struct out *o = ecalloc(1, sizeof *o);

	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->name = "stdout";
	} else {
		o->path = estrdup(path);
		o->given = estrdup(path);
		o->name = o->given;
		o->fd = open_path(o, flags);
		if (o->fd < 0)
			return open_failed(o, errno);
		if (o->tmp != NULL)
			add_pending(o);
		if (gzip_level == 0 && out_gzip_name(path))
			gzip_level = OUT_GZIP_LEVEL;
		if ((flags & OUT_APPEND) && (gzip_level > 0 ?
		    end_cut_member(o->fd, o->path) :
		    drop_partial_line(o->fd, o->path)) < 0)
			return open_failed(o, errno);
	}
	if (gzip_level > 0) {
		char mode[8];
		/* A dup of our own: gzclose closes it, we keep o->fd. */
		int fd = dup(o->fd);

		if (fd < 0)
			return open_failed(o, errno);
		snprintf(mode, sizeof mode, "wb%d", gzip_level > 9 ? 9 :
		    gzip_level);
		if ((o->gz = gzdopen(fd, mode)) == NULL) {
			close(fd);
			return open_failed(o, ENOMEM);
		}
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
	if (o->tmp != NULL)
		drop_pending(o);
	if (o->live)
		live_release(flush_held, o);
	free(o->buf);
	free(o->tmp);
	free(o->path);
	free(o->given);
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
