#include "num.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"

/* "00" "01" ... "99": two digits per division. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
num_parse_int(const char *p, size_t n, int64_t *out)
{
	const char *e = p + n;
	uint64_t v = 0, limit;
	int neg = 0;

	if (p < e && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	if (p == e)
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < e; p++) {
		unsigned d;

		if (!is_digit(*p))
			return -1;
		d = (unsigned)(*p - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/*
 * Check the shape of a decimal number and return its length pieces: the
 * text must be all number, which strtod alone does not ensure (it takes
 * leading spaces, hex, "inf", and stops at the first bad byte).
 */
static int
decimal_shape(const char *p, size_t n)
{
	const char *e = p + n;
	int digits = 0;

	if (p < e && (*p == '-' || *p == '+'))
		p++;
	for (; p < e && is_digit(*p); p++)
		digits++;
	if (p < e && *p == '.')
		for (p++; p < e && is_digit(*p); p++)
			digits++;
	if (digits == 0)
		return -1;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '-' || *p == '+'))
			p++;
		if (p == e || !is_digit(*p))
			return -1;
		while (p < e && is_digit(*p))
			p++;
	}
	return p == e ? 0 : -1;
}

/* Has the mantissa of number p[0..n) a digit other than 0? */
static int
has_nonzero_digit(const char *p, size_t n)
{
	for (const char *e = p + n; p < e && *p != 'e' && *p != 'E'; p++)
		if (*p >= '1' && *p <= '9')
			return 1;
	return 0;
}

int
num_parse_double(const char *p, size_t n, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	char small[64], *tmp = small, *end;
	double d;

	if (n == 0)
		return -1;
	/*
	 * Clinger's fast path: at most 15 digits, no exponent.  The digits
	 * and the power of ten are exact doubles, and one IEEE division
	 * rounds correctly, so this is strtod's answer without strtod.
	 * What it reads whole (a sign, digits, a point, a digit at least)
	 * is a decimal's shape: only the rest is checked for it.
	 */
	if (n <= 16) {
		const char *q = p, *e = p + n;
		uint64_t m = 0;
		int digits = 0, frac = 0, point = 0, neg = 0;

		if (*q == '-' || *q == '+')
			neg = *q++ == '-';
		for (; q < e; q++) {
			if (*q == '.' && !point) {
				point = 1;
			} else if (*q >= '0' && *q <= '9') {
				m = m * 10 + (uint64_t)(*q - '0');
				digits++;
				frac += point;
			} else {
				break;
			}
		}
		if (q == e && digits > 0 && digits <= 15) {
			d = (double)m / pow10[frac];
			*out = neg ? -d : d;
			return 0;
		}
	}
	if (decimal_shape(p, n) < 0)
		return -1;
	/* strtod wants a terminated string; the caller's may not be. */
	if (n >= sizeof small)
		tmp = malloc(n + 1);
	if (tmp == NULL)
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	d = strtod(tmp, &end);
	if (tmp != small)
		free(tmp);
	if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
		return -1;
	/* Nor too small: a number with a digit not 0 that no double holds
	   but as zero (1e-400) is refused, not read as 0, as PostgreSQL's
	   float8 refuses it.  (Subnormals, 5e-324, are values.) */
	if (d == 0 && errno == ERANGE && has_nonzero_digit(p, n))
		return -1;
	*out = d;
	return 0;
}

int
num_parse_decimal(const char *p, size_t n, int scale, int64_t *out)
{
	struct dec d;

	/* One parser and one rounding for every decimal: dec.c's. */
	if (scale < 0 || dec_parse(p, n, scale, &d) < 0)
		return -1;
	*out = d.mant;
	return 0;
}

int
num_is_json(const char *p, size_t n)
{
	const char *e = p + n;

	if (p < e && *p == '-')
		p++;
	if (p == e)
		return 0;
	if (*p == '0')
		p++;
	else if (is_digit(*p))
		while (p < e && is_digit(*p))
			p++;
	else
		return 0;
	if (p < e && *p == '.') {
		p++;
		if (p == e || !is_digit(*p))
			return 0;
		while (p < e && is_digit(*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '-' || *p == '+'))
			p++;
		if (p == e || !is_digit(*p))
			return 0;
		while (p < e && is_digit(*p))
			p++;
	}
	return p == e;
}

size_t
num_fmt_double(char buf[NUM_BUFSZ], double d)
{
	int n = 0;

	if (!isfinite(d))
		return 0;
	/* Negative zero keeps its sign and its point: "-0" reads back as
	   the integer 0 (JSON readers, ours included), "-0.0" as -0.0. */
	if (d == 0 && signbit(d)) {
		memcpy(buf, "-0.0", 5);
		return 4;
	}
	/*
	 * For a normal double, %.15g finds the shortest spelling whenever it
	 * has 15 digits or fewer (%g drops trailing zeros; 15-digit decimals
	 * are spaced wider than doubles), so only the rest need 16 or 17.
	 * Subnormals carry fewer digits: search those from 1.  (Rarely, a
	 * spelling one digit shorter exists that is not the correctly
	 * rounded one, e.g. 2^-24 as 5.960464477539063e-08; printf cannot
	 * find it, and we print 17 digits, which read back as well.)
	 */
	for (int prec = fabs(d) < DBL_MIN && d != 0 ? 1 : 15; prec <= 17;
	    prec++) {
		n = snprintf(buf, NUM_BUFSZ, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return (size_t)n;
}

/*
 * u's digits, written right to left ending just before end, two at a
 * time; returns where they start.
 */
static inline char *
digits_before(char *end, uint64_t u)
{
	while (u >= 100) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * u, 2);
	} else {
		*--end = (char)('0' + u);
	}
	return end;
}

/* The text from t to end (built right to left in a scratch buffer) into
   buf with its NUL; returns its length. */
static inline size_t
copy_out(char buf[NUM_BUFSZ], const char *t, const char *end)
{
	size_t n = (size_t)(end - t);

	for (size_t k = 0; k < n; k++)
		buf[k] = t[k];
	buf[n] = '\0';
	return n;
}

size_t
num_fmt_int(char buf[NUM_BUFSZ], int64_t v)
{
	char tmp[NUM_BUFSZ], *end = tmp + sizeof tmp;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char *t = digits_before(end, u);

	if (v < 0)
		*--t = '-';
	return copy_out(buf, t, end);
}

size_t
num_fmt_decimal(char buf[NUM_BUFSZ], int64_t scaled, int scale)
{
	char tmp[NUM_BUFSZ], *end = tmp + sizeof tmp, *d = end;
	uint64_t u = scaled < 0 ? 0 - (uint64_t)scaled : (uint64_t)scaled;

	if (scale <= 0 || scale > 18)
		return scale <= 0 ? num_fmt_int(buf, scaled) :
		    num_fmt_double(buf, (double)scaled / pow(10, scale));
	/* Right to left: the decimals, the point, then at least one digit. */
	for (int k = 0; k < scale; k++) {
		*--d = (char)('0' + u % 10);
		u /= 10;
	}
	*--d = '.';
	d = digits_before(d, u);
	if (scaled < 0)
		*--d = '-';
	return copy_out(buf, d, end);
}

size_t
num_fmt_fixed(char buf[NUM_BUFSZ], double d, int places)
{
	char text[NUM_BUFSZ];
	int64_t scaled;
	size_t n;

	if (!isfinite(d) || fabs(d) > 9e15 || places < 0 || places > 9)
		return 0;
	n = num_fmt_double(text, d);
	if (num_parse_decimal(text, n, places, &scaled) < 0)
		return 0;
	return num_fmt_decimal(buf, scaled, places);
}
