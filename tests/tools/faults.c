/*
 * faults.so - make one call of the C library fail, to test error paths
 * (LD_PRELOAD=faults.so PROGRAM ...):
 *
 *   SLUICE_FAULT=CLASS:N:ERRNO   the Nth call of CLASS fails with ERRNO
 *                                (N+ : that call and every later one)
 *   SLUICE_FAULT_LOG=FILE        a line is added to FILE when it fires
 *   SLUICE_FAULT_COUNT=FILE      at exit, the calls of each class made
 *
 * CLASS is write (write, writev, pwrite), fsync (fsync, fdatasync),
 * rename (rename, renameat, renameat2), open (open, openat, creat) or
 * malloc (malloc, calloc, realloc); ERRNO is ENOSPC, EIO, EMFILE or
 * ENOMEM.  Calls are counted from the shim's constructor, so the C
 * library's start-up is left alone.  Only the main thread's calls
 * count (a library's threads, librdkafka's, keep working: the program's
 * own handling is what is tested, and the count stays the same from run
 * to run), and of writes and fsyncs only those to regular files (not
 * standard error, which must say what failed, nor a socket).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum cls { C_WRITE, C_FSYNC, C_RENAME, C_OPEN, C_MALLOC, C_N };

static const char *const cls_names[C_N] = {
	"write", "fsync", "rename", "open", "malloc"
};

static int armed;		/* counting (after the constructor) */
static pthread_t main_thread;
static int target = -1;		/* the class to fail, or -1 */
static long nth;		/* which call */
static int sticky;		/* and every later one */
static int fail_errno;
static long calls[C_N];
static const char *log_path, *count_path;

/* glibc's own allocator: no dlsym (which allocates) to find it. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

/* A line to a file by system calls alone: nothing of ours is counted. */
static void
note(const char *path, const char *text)
{
	int fd;

	if (path == NULL)
		return;
	fd = (int)syscall(SYS_openat, AT_FDCWD, path,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	syscall(SYS_write, fd, text, strlen(text));
	syscall(SYS_close, fd);
}

static void
say(const char *text)
{
	syscall(SYS_write, STDERR_FILENO, text, strlen(text));
}

/* Should this call of class c fail?  Sets errno when it does. */
static int
fire(enum cls c)
{
	long k;
	char line[96];

	if (!armed || !pthread_equal(pthread_self(), main_thread))
		return 0;
	k = ++calls[c];
	if ((int)c != target || k < nth || (k > nth && !sticky))
		return 0;
	if (k == nth) {
		snprintf(line, sizeof line, "%s %ld %s\n", cls_names[c], k,
		    strerror(fail_errno));
		note(log_path, line);
	}
	errno = fail_errno;
	return 1;
}

static int
errno_of(const char *s)
{
	static const struct { const char *name; int e; } names[] = {
		{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EMFILE", EMFILE },
		{ "ENOMEM", ENOMEM }, { "EDQUOT", EDQUOT }
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].e;
	return 0;
}

static void
counts_at_exit(void)
{
	char line[256];
	int n = 0;

	armed = 0;
	for (int c = 0; c < C_N; c++)
		n += snprintf(line + n, sizeof line - (size_t)n, "%s%s=%ld",
		    c ? " " : "", cls_names[c], calls[c]);
	snprintf(line + n, sizeof line - (size_t)n, "\n");
	note(count_path, line);
}

__attribute__((constructor)) static void
faults_init(void)
{
	const char *spec = getenv("SLUICE_FAULT");

	log_path = getenv("SLUICE_FAULT_LOG");
	count_path = getenv("SLUICE_FAULT_COUNT");
	if (count_path != NULL)
		atexit(counts_at_exit);
	if (spec != NULL && *spec != '\0') {
		char cls[16], num[24], err[16];

		if (sscanf(spec, "%15[^:]:%23[^:]:%15s", cls, num, err) != 3 ||
		    (fail_errno = errno_of(err)) == 0) {
			say("faults.so: SLUICE_FAULT is CLASS:N[+]:ERRNO\n");
			_exit(99);
		}
		for (int c = 0; c < C_N; c++)
			if (strcmp(cls, cls_names[c]) == 0)
				target = c;
		nth = strtol(num, NULL, 10);
		sticky = strchr(num, '+') != NULL;
		if (target < 0 || nth < 1) {
			say("faults.so: no such class, or N below 1\n");
			_exit(99);
		}
	}
	main_thread = pthread_self();
	armed = 1;
}

/* A write or fsync on fd counts: a regular file's. */
static int
on_file(int fd)
{
	struct stat st;

	return armed && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* next_: the next definition of name (the C library's), found once. */
#define NEXT(name) \
	static __typeof__(name) *next_; \
	if (next_ == NULL) \
		next_ = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/*
 * name(params), failing with -1 when when_ holds and the call of class
 * cls is the one; else the C library's name(args).
 */
#define WRAP(type, name, params, args, when_, cls) \
type \
name params \
{ \
	NEXT(name); \
	if ((when_) && fire(cls)) \
		return -1; \
	return next_ args; \
}

WRAP(ssize_t, write, (int fd, const void *p, size_t n), (fd, p, n),
    on_file(fd), C_WRITE)
WRAP(ssize_t, writev, (int fd, const struct iovec *iov, int n), (fd, iov, n),
    on_file(fd), C_WRITE)
WRAP(ssize_t, pwrite, (int fd, const void *p, size_t n, off_t off),
    (fd, p, n, off), on_file(fd), C_WRITE)
WRAP(ssize_t, pwrite64, (int fd, const void *p, size_t n, off_t off),
    (fd, p, n, off), on_file(fd), C_WRITE)
WRAP(int, fsync, (int fd), (fd), on_file(fd), C_FSYNC)
WRAP(int, fdatasync, (int fd), (fd), on_file(fd), C_FSYNC)
WRAP(int, rename, (const char *from, const char *to), (from, to), 1,
    C_RENAME)
WRAP(int, renameat, (int fd1, const char *from, int fd2, const char *to),
    (fd1, from, fd2, to), 1, C_RENAME)
WRAP(int, renameat2, (int fd1, const char *from, int fd2, const char *to,
    unsigned fl), (fd1, from, fd2, to, fl), 1, C_RENAME)

/* open's mode is there only with O_CREAT or O_TMPFILE. */
#define MODE_OF(flags, mode) do { \
	va_list ap_; \
	va_start(ap_, flags); \
	mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap_, mode_t) : 0; \
	va_end(ap_); \
} while (0)

/* An open: its mode read as above, then as WRAP. */
#define WRAP_OPEN(name, params, args) \
int \
name params \
{ \
	mode_t mode; \
	NEXT(name); \
	MODE_OF(flags, mode); \
	if (fire(C_OPEN)) \
		return -1; \
	return next_ args; \
}

WRAP_OPEN(open, (const char *path, int flags, ...), (path, flags, mode))
WRAP_OPEN(open64, (const char *path, int flags, ...), (path, flags, mode))
WRAP_OPEN(openat, (int dirfd, const char *path, int flags, ...),
    (dirfd, path, flags, mode))
WRAP_OPEN(openat64, (int dirfd, const char *path, int flags, ...),
    (dirfd, path, flags, mode))

int
creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

void *
malloc(size_t n)
{
	if (fire(C_MALLOC))
		return NULL;
	return __libc_malloc(n);
}

void *
calloc(size_t k, size_t n)
{
	if (fire(C_MALLOC))
		return NULL;
	return __libc_calloc(k, n);
}

void *
realloc(void *p, size_t n)
{
	if (n > 0 && fire(C_MALLOC))
		return NULL;
	return __libc_realloc(p, n);
}
