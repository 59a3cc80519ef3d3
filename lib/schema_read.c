/*
 * schema_read.c - a schema file into JSON, safely: bounded in size
 * (SCHEMA_MAX_BYTES), a NUL byte refused (jansson would stop at it), a
 * failed allocation told from bad text, and why a file cannot be read
 * told from its not being there -- each with the exit status it calls for.
 */
#include "schema_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
schema_why_unreadable(const char *name)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC), e;
	struct stat st;

	if (fd < 0)
		return errno;
	e = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : ENOENT;
	close(fd);
	return e;
}

/* Reading the file for jansson, SCHEMA_MAX_BYTES at most. */
struct capped {
	int fd;
	long long total;
	int err;		/* errno of a failed read, or EFBIG */
};

static size_t
capped_read(void *buf, size_t n, void *data)
{
	struct capped *cp = data;
	ssize_t r;

	do
		r = read(cp->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		cp->err = errno;
		return (size_t)-1;
	}
	if ((cp->total += r) > SCHEMA_MAX_BYTES) {
		cp->err = EFBIG;
		return (size_t)-1;
	}
	/* A NUL byte is never JSON, but jansson's lexer takes one after a
	   number or a literal for the end of the text and reads on. */
	if (memchr(buf, 0, (size_t)r) != NULL) {
		cp->err = EILSEQ;
		return (size_t)-1;
	}
	return (size_t)r;
}

/*
 * Did an allocation of jansson's fail while it parsed?  Its lexer does not
 * always say so (a string it could not copy is "invalid syntax", a failure
 * at the start leaves the error empty), and a schema that is fine must
 * not be called bad for want of memory: while schema_read_json() parses, this
 * allocator notes every failure.
 */
static int parse_oom;

static void *
noting_malloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		parse_oom = 1;
	return p;
}

json_t *
schema_read_json(const char *path, const char *base, char *err,
    size_t errlen, int *status)
{
	struct capped cp = { .fd = open(path, O_RDONLY | O_CLOEXEC) };
	struct stat st;
	json_error_t jerr;
	json_t *root;
	json_malloc_t jmalloc;
	json_free_t jfree;

	if (cp.fd >= 0 && fstat(cp.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(cp.fd);
		cp.fd = -1;
		errno = EISDIR;
	}
	if (cp.fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		*status = 1;
		return NULL;
	}
	json_get_alloc_funcs(&jmalloc, &jfree);
	json_set_alloc_funcs(noting_malloc, jfree);
	parse_oom = 0;
	root = json_load_callback(capped_read, &cp, JSON_REJECT_DUPLICATES,
	    &jerr);
	json_set_alloc_funcs(jmalloc, jfree);
	close(cp.fd);
	if (root != NULL)
		return root;
	*status = 2;
	if (parse_oom || json_error_code(&jerr) == json_error_out_of_memory) {
		snprintf(err, errlen, "%s: out of memory", path);
		*status = 1;
	} else if (cp.err == EFBIG) {
		snprintf(err, errlen, "%s: larger than a schema may be (%lld "
		    "MiB)", base, SCHEMA_MAX_BYTES >> 20);
	} else if (cp.err == EILSEQ) {
		snprintf(err, errlen, "%s: holds a NUL byte (not JSON text)",
		    base);
	} else if (cp.err != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(cp.err));
		*status = 1;
	} else {
		snprintf(err, errlen, "%s:%d:%d: %s", base, jerr.line,
		    jerr.column, jerr.text);
	}
	return NULL;
}
