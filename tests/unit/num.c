/* Unit tests: lib/num.c */
#include <math.h>
#include <stdlib.h>

#include "../tap.h"
#include "num.h"

static void
int_case(const char *s, int want_ok, int64_t want)
{
	int64_t v = -12345;
	int rc = num_parse_int(s, strlen(s), &v);

	if (want_ok)
		ok(rc == 0 && v == want, "int \"%s\" -> %lld", s,
		    (long long)want);
	else
		ok(rc < 0, "int \"%s\" rejected", s);
}

static void
double_case(const char *s, int want_ok, double want)
{
	double v = -1;
	int rc = num_parse_double(s, strlen(s), &v);

	if (want_ok)
		ok(rc == 0 && v == want, "double \"%s\" -> %.17g", s, want);
	else
		ok(rc < 0, "double \"%s\" rejected", s);
}

static void
dec_case(const char *s, int scale, int want_ok, int64_t want)
{
	int64_t v = -12345;
	int rc = num_parse_decimal(s, strlen(s), scale, &v);

	if (want_ok)
		ok(rc == 0 && v == want, "decimal \"%s\" scale %d -> %lld "
		    "(got %lld)", s, scale, (long long)want, (long long)v);
	else
		ok(rc < 0, "decimal \"%s\" rejected", s);
}

static void
fmt_double_case(double d, const char *want)
{
	char buf[NUM_BUFSZ];
	size_t n = num_fmt_double(buf, d);

	is_str(n ? buf : "", want, "fmt_double %.17g", d);
}

static void
fixed_case(double d, int places, const char *want)
{
	char buf[NUM_BUFSZ];
	size_t n = num_fmt_fixed(buf, d, places);

	is_str(n ? buf : "(none)", want, "fmt_fixed %.17g, %d", d, places);
}

int
main(void)
{
	char buf[NUM_BUFSZ];

	int_case("0", 1, 0);
	int_case("42", 1, 42);
	int_case("-42", 1, -42);
	int_case("+7", 1, 7);
	int_case("007", 1, 7);
	int_case("9223372036854775807", 1, INT64_MAX);
	int_case("-9223372036854775808", 1, INT64_MIN);
	int_case("9223372036854775808", 0, 0);
	int_case("-9223372036854775809", 0, 0);
	int_case("99999999999999999999", 0, 0);
	int_case("", 0, 0);
	int_case("-", 0, 0);
	int_case(" 1", 0, 0);
	int_case("1 ", 0, 0);
	int_case("1.0", 0, 0);
	int_case("1e3", 0, 0);
	int_case("0x10", 0, 0);

	double_case("1.5", 1, 1.5);
	double_case("-0.25", 1, -0.25);
	double_case(".5", 1, 0.5);
	double_case("5.", 1, 5.0);
	double_case("1e3", 1, 1000.0);
	double_case("1E-2", 1, 0.01);
	double_case("+2.5e+1", 1, 25.0);
	double_case("12.50", 1, 12.5);
	/* Beyond a double, either way: refused, never read as 0 or inf. */
	double_case("1e-400", 0, 0);
	double_case("-1e-400", 0, 0);
	double_case("0.0e-400", 1, 0.0);	/* zero is zero */
	double_case("5e-324", 1, 5e-324);	/* a subnormal is a value */
	double_case("1e400", 0, 0);
	double_case("inf", 0, 0);
	double_case("nan", 0, 0);
	double_case("0x1p3", 0, 0);
	double_case(" 1", 0, 0);
	double_case("1,5", 0, 0);
	double_case(".", 0, 0);
	double_case("e5", 0, 0);
	double_case("1e", 0, 0);
	double_case("", 0, 0);
	/* The fast path reads these whole or hands them on: the same
	   answers as the decimal's shape gives. */
	double_case("-", 0, 0);
	double_case("+", 0, 0);
	double_case("-.", 0, 0);
	double_case("1.2.3", 0, 0);
	double_case("--1", 0, 0);
	double_case("1-", 0, 0);
	double_case("-.5", 1, -0.5);
	double_case("+5", 1, 5.0);
	double_case("123456789012345", 1, 123456789012345.0);
	double_case("1234567890123456", 1, 1234567890123456.0);
	/* Longer than the function's stack copy: "0." and 84 zeros and 1. */
	{
		char longnum[100] = "0.";

		memset(longnum + 2, '0', 84);
		strcpy(longnum + 86, "1");
		double_case(longnum, 1, strtod(longnum, NULL));
		ok(strtod(longnum, NULL) == 1e-85, "that number is 1e-85");
	}

	dec_case("12.5", 2, 1, 1250);
	dec_case("12.50", 2, 1, 1250);
	dec_case("12", 2, 1, 1200);
	dec_case("-0.01", 2, 1, -1);
	dec_case("0.005", 2, 1, 1);		/* half away from zero */
	dec_case("-0.005", 2, 1, -1);
	dec_case("0.00499", 2, 1, 0);
	dec_case("2.675", 2, 1, 268);
	dec_case("1.5e2", 2, 1, 15000);
	dec_case("15e-1", 0, 1, 2);
	dec_case("123456.789", 0, 1, 123457);
	dec_case("1e-7", 2, 1, 0);
	/* 18 digits at most, after rounding (Parquet's precision 18). */
	dec_case("9999999999999999.99", 2, 1, INT64_C(999999999999999999));
	dec_case("-9999999999999999.994", 2, 1, -INT64_C(999999999999999999));
	dec_case("9999999999999999.995", 2, 0, 0);
	dec_case("92233720368547758.07", 2, 0, 0);
	dec_case("123456789012345678901234e-10", 0, 1, INT64_C(12345678901235));
	dec_case("0.000000000000000000000000000000000125e33", 2, 1, 13);
	dec_case("1e-1000", 2, 1, 0);
	dec_case("99999999999999999999", 0, 0, 0);
	dec_case("-0.005", 2, 1, -1);
	dec_case("abc", 2, 0, 0);
	dec_case("1.2.3", 2, 0, 0);

	ok(num_is_json("0", 1), "json: 0");
	ok(num_is_json("-1.5e+10", 8), "json: -1.5e+10");
	ok(num_is_json("12.50", 5), "json: 12.50");
	ok(!num_is_json("007", 3), "json: no leading zeros");
	ok(!num_is_json("+1", 2), "json: no plus sign");
	ok(!num_is_json(".5", 2), "json: no bare point");
	ok(!num_is_json("5.", 2), "json: no trailing point");
	ok(!num_is_json("-", 1), "json: no lone minus");
	ok(!num_is_json("", 0), "json: not empty");
	ok(!num_is_json("1e", 2), "json: no empty exponent");
	ok(!num_is_json("NaN", 3), "json: no NaN");

	fmt_double_case(0.1, "0.1");
	fmt_double_case(1.0 / 3, "0.3333333333333333");
	fmt_double_case(0.1 + 0.2, "0.30000000000000004");
	fmt_double_case(100, "100");
	fmt_double_case(-2.5, "-2.5");
	fmt_double_case(1e21, "1e+21");
	fmt_double_case(5e-324, "5e-324");
	fmt_double_case(2.5e-320, "2.5e-320");
	fmt_double_case(0x1p-24, "5.9604644775390625e-08");	/* see num.h */
	fmt_double_case(1.7976931348623157e308, "1.7976931348623157e+308");
	fmt_double_case(-0.0, "-0.0");	/* "-0" would read as the integer 0 */
	fmt_double_case(0.0, "0");
	fmt_double_case(NAN, "");
	fmt_double_case(INFINITY, "");

	/* Every printed double reads back to itself. */
	{
		int bad = 0;

		srand(7);
		for (int i = 0; i < 100000; i++) {
			uint64_t bits = ((uint64_t)rand() << 42) ^
			    ((uint64_t)rand() << 21) ^ (uint64_t)rand();
			double d;

			memcpy(&d, &bits, sizeof d);
			if (!isfinite(d))
				continue;
			num_fmt_double(buf, d);
			if (strtod(buf, NULL) != d)
				bad++;
		}
		is_int(bad, 0, "100000 random doubles round-trip");
	}

	/* And no spelling with fewer digits would: they are the shortest. */
	{
		int longer = 0, tried = 0;

		srand(11);
		for (int i = 0; i < 20000; i++) {
			uint64_t bits = ((uint64_t)rand() << 42) ^
			    ((uint64_t)rand() << 21) ^ (uint64_t)rand();
			double d;
			char shorter[400];
			int digits = 0;

			memcpy(&d, &bits, sizeof d);
			if (!isfinite(d) || d == 0)
				continue;
			num_fmt_double(buf, d);
			for (const char *c = buf; *c && *c != 'e'; c++)
				if (*c >= '0' && *c <= '9')
					digits++;
			/* Leading zeros of 0.00123 are not significant. */
			for (const char *c = buf; *c == '-' || *c == '0' ||
			    *c == '.'; c++)
				if (*c == '0')
					digits--;
			tried++;
			if (digits > 1) {
				snprintf(shorter, sizeof shorter, "%.*g",
				    digits - 1, d);
				if (strtod(shorter, NULL) == d)
					longer++;
			}
		}
		is_int(longer, 0, "%d random doubles printed in the fewest "
		    "digits", tried);
	}

	fixed_case(2.675, 2, "2.68");
	fixed_case(1.005, 2, "1.01");
	fixed_case(-2.5, 2, "-2.50");
	fixed_case(0.125, 2, "0.13");
	fixed_case(1234567.891, 2, "1234567.89");
	fixed_case(0, 2, "0.00");
	fixed_case(3, 0, "3");
	fixed_case(NAN, 2, "(none)");

	num_fmt_int(buf, INT64_MIN);
	is_str(buf, "-9223372036854775808", "fmt_int INT64_MIN");
	num_fmt_int(buf, 0);
	is_str(buf, "0", "fmt_int 0");
	num_fmt_decimal(buf, 1250, 2);
	is_str(buf, "12.50", "fmt_decimal 1250,2");
	num_fmt_decimal(buf, -5, 2);
	is_str(buf, "-0.05", "fmt_decimal -5,2");
	num_fmt_decimal(buf, 7, 0);
	is_str(buf, "7", "fmt_decimal 7,0");
	num_fmt_decimal(buf, 5, 40);
	is_str(buf, "5e-40", "fmt_decimal beyond scale 18 does not overflow");
	num_fmt_decimal(buf, INT64_MIN, 2);
	is_str(buf, "-92233720368547758.08", "fmt_decimal INT64_MIN,2");
	return done_testing();
}
