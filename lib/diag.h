/*
 * diag.h - how sluice programs talk to people, and allocation that exits.
 *
 * Every message goes to stderr as "program: message" or, for a position
 * in an input, "program: file:line: message", so that in a pipeline one
 * can always tell which tool complained and about what.
 */
#ifndef SLUICE_DIAG_H
#define SLUICE_DIAG_H

#include <stdarg.h>
#include <stddef.h>

/* The program's name as it prefixes messages; set by diag_init(). */
extern const char *progname;

/* Take the program name from argv[0] (its last path component). */
void diag_init(const char *argv0);

/* Print "progname: message" to stderr. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same with a va_list, for other printf-like reporters. */
void vdiag(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Print "progname: file:line: message"; line 0 leaves out the line. */
void diag_at(const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print "progname: message" and exit with status. */
_Noreturn void fatal(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Allocation helpers: never return NULL; on failure they exit 1. */
void *emalloc(size_t n);
void *ecalloc(size_t count, size_t size);
void *erealloc(void *p, size_t n);

/*
 * Map p[0..n) now, in one call, for an array about to be filled: first
 * touches one page at a time are a page fault each, and in a VM a fault
 * costs more than filling the page (a million groups: a quarter of
 * batch-agg's time).  Whole pages inside the range only; ranges under
 * MEM_PREFAULT_MIN, and kernels before 5.14, are left as they are.
 */
enum { MEM_PREFAULT_MIN = 256 * 1024 };
void mem_prefault(void *p, size_t n);
char *estrdup(const char *s);
char *estrndup(const char *s, size_t n);

#endif
