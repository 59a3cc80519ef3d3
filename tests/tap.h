/*
 * tap.h - a tiny TAP producer for C unit tests, run by prove.
 *
 *	ok(x == 1, "x is one");
 *	is_int(got, want, "count");
 *	is_str(got, want, "name");
 *	return done_testing();
 *
 * A failed check prints what was got and what was wanted as TAP comments.
 */
#ifndef SLUICE_TAP_H
#define SLUICE_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((unused)) static int
tap_result(int pass, const char *fmt, va_list ap)
{
	printf("%s %d - ", pass ? "ok" : "not ok", ++tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		tap_failed++;
	fflush(stdout);
	return pass;
}

__attribute__((format(printf, 2, 3), unused)) static int
ok(int pass, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_result(pass, fmt, ap);
	va_end(ap);
	return r;
}

__attribute__((format(printf, 3, 4), unused)) static int
is_int(int64_t got, int64_t want, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_result(got == want, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got:  %" PRId64 "\n#   want: %" PRId64 "\n", got,
		    want);
	return r;
}

/* Strings compared whole; NULL matches only NULL. */
__attribute__((format(printf, 3, 4), unused)) static int
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int r, same = (got == NULL || want == NULL) ? got == want :
	    strcmp(got, want) == 0;

	va_start(ap, fmt);
	r = tap_result(same, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n",
		    got ? got : "(null)", want ? want : "(null)");
	return r;
}

/* Byte strings of known length. */
__attribute__((format(printf, 5, 6), unused)) static int
is_mem(const char *got, size_t gotn, const char *want, size_t wantn,
    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_result(gotn == wantn && memcmp(got, want, gotn) == 0, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got:  \"%.*s\" (%zu bytes)\n#   want: \"%.*s\" "
		    "(%zu bytes)\n", (int)gotn, got, gotn, (int)wantn, want,
		    wantn);
	return r;
}

__attribute__((unused)) static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
