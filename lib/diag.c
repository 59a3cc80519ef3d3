#include "diag.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

const char *progname = "sluice";

/* jansson's allocator: running out of memory ends the program, as in
   every other allocation here.  jansson's own handling of a failed
   malloc is not to be trusted: json_dumps() then leaves keys out and
   still returns text, and a failed json_pack() makes a NULL that
   json_array_append_new() drops without a word. */
static void *
json_emalloc(size_t n)
{
	return emalloc(n);
}

void
diag_init(const char *argv0)
{
	const char *slash;

	json_set_alloc_funcs(json_emalloc, free);
	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

void
vdiag(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
}

void
diag_at(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(stderr, "%s: %s:%lu: ", progname, file, line);
	else
		fprintf(stderr, "%s: %s: ", progname, file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
fatal(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
	exit(status);
}

static _Noreturn void
out_of_memory(size_t n)
{
	fatal(1, "out of memory (asked for %zu bytes)", n);
}

void *
emalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *
ecalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(count * size);
	return p;
}

void *
erealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		out_of_memory(n);
	return q;
}

void
mem_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t m = page > 0 ? (uintptr_t)page - 1 : 4095;
	uintptr_t a = ((uintptr_t)p + m) & ~m, e = ((uintptr_t)p + n) & ~m;

	if (n >= MEM_PREFAULT_MIN && e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

char *
estrndup(const char *s, size_t n)
{
	char *p = emalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
estrdup(const char *s)
{
	return estrndup(s, strlen(s));
}
