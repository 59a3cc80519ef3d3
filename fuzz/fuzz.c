/*
 * fuzz.c - what the targets share: quiet diagnostics, the input as a
 * file, values used as programs use them.
 */
#define _GNU_SOURCE	/* memfd_create */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "val.h"

/* The process's stderr before fuzz_quiet(), for fuzz_fail(). */
static FILE *real_stderr;

int LLVMFuzzerInitialize(int *argc, char ***argv);

__attribute__((weak)) int
fuzz_setup(void)
{
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null = fopen("/dev/null", "w");

	(void)argc;
	(void)argv;
	real_stderr = stderr;
	if (null != NULL)
		stderr = null;
	return fuzz_setup();
}

const char *
fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char name[64];

	if (fd < 0) {
		if ((fd = memfd_create("fuzz-input", MFD_CLOEXEC)) < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz input file");
		abort();
	}
	return name;
}

void
fuzz_each_record(const uint8_t *data, size_t size, enum fmt fmt,
    void (*fn)(const struct rec *r))
{
	struct reader *rd = rd_open(fuzz_file(data, size), fmt);
	struct rec *r;
	enum rd_status st;

	if (rd == NULL)
		abort();	/* a memory file always opens */
	while ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD)
		if (st == RD_OK)
			fn(r);
	rd_close(rd);
}

void
fuzz_use_values(const struct rec *r)
{
	struct buf scratch = { 0 };

	for (size_t i = 0; i < r->n; i++) {
		const struct val *v = &r->f[i].v;
		int64_t x;
		double d;
		int b;
		size_t n;

		(void)val_to_int(v, &x);
		(void)val_to_double(v, &d);
		(void)val_to_decimal(v, 2, &x);
		(void)val_to_decimal(v, 18, &x);
		(void)val_to_bool(v, &b);
		(void)val_to_time(v, &x);
		(void)val_to_text(v, &scratch, &n);
	}
	buf_free(&scratch);
}

/* p[0..n) to f, bytes that are not printable ASCII as \xHH. */
static void
show(FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	fputc('\n', f);
}

_Noreturn void
fuzz_fail(const char *what, const char *a, size_t an, const char *b,
    size_t bn)
{
	FILE *f = real_stderr != NULL ? real_stderr : stderr;

	fprintf(f, "fuzz: %s\n--- one:\n", what);
	show(f, a, an);
	fputs("--- other:\n", f);
	show(f, b, bn);
	fflush(f);
	abort();
}
