/*
 * num.h - numbers as text: strict parsing, and printing that reads back
 * to the same value.
 */
#ifndef SLUICE_NUM_H
#define SLUICE_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Longest text any num_fmt_* function writes, with its NUL. */
enum { NUM_BUFSZ = 40 };

/*
 * Parse p[0..n) as a decimal integer: an optional sign and digits, nothing
 * else (no spaces, no "1.0").  Returns 0 and sets *out, or -1 when the text
 * is not an integer or does not fit in 64 bits.
 */
int num_parse_int(const char *p, size_t n, int64_t *out);

/*
 * Parse p[0..n) as a decimal number: sign, digits with an optional point
 * (".5" and "5." allowed), optional exponent.  No spaces, hex, inf or nan.
 * Returns 0 and sets *out, or -1 when not a number or out of range: too
 * large (1e400), or too small to be anything but zero (1e-400; a
 * subnormal such as 5e-324 is a value).
 */
int num_parse_double(const char *p, size_t n, double *out);

/*
 * Parse p[0..n) as an exact decimal with scale digits after the point,
 * returning the value times 10^scale in *out ("12.5", 2 -> 1250).  More
 * fractional digits than scale are rounded half away from zero, as money
 * is.  Exponents are allowed ("1.5e2").  Returns 0, or -1 when the text is
 * not a number or the scaled value needs more than 18 digits.  This is
 * dec_parse (dec.h) with a scale: the one rule for every decimal.
 */
int num_parse_decimal(const char *p, size_t n, int scale, int64_t *out);

/* Is p[0..n) a number as JSON spells one (RFC 8259, section 6)? */
int num_is_json(const char *p, size_t n);

/*
 * Print d in the fewest significant digits that read back (strtod) to
 * exactly d (always exactly; the fewest but for rare values such as 2^-24,
 * where the shortest spelling is not a correctly rounded one); negative
 * zero as "-0.0", which reads back as a double, where "-0" would be the
 * integer 0.  Returns the length, or 0 when d is not finite (the caller
 * decides what NaN and infinity become: JSON has no spelling for them).
 */
size_t num_fmt_double(char buf[NUM_BUFSZ], double d);

/* Print v in decimal; returns the length. */
size_t num_fmt_int(char buf[NUM_BUFSZ], int64_t v);

/*
 * Print scaled / 10^scale with exactly scale decimals ("1250", 2 ->
 * "12.50"); scale is 0 to 18 (beyond, the value is printed as a double).
 */
size_t num_fmt_decimal(char buf[NUM_BUFSZ], int64_t scaled, int scale);

/*
 * Print d rounded to places decimals, rounding the decimal value the user
 * sees (its shortest spelling) half away from zero, so 2.675 -> "2.68"
 * although the double nearest 2.675 lies below it.  Returns 0 when d is
 * not finite, or d * 10^places needs more than 18 digits (|d| above 9e15,
 * less with more places).
 */
size_t num_fmt_fixed(char buf[NUM_BUFSZ], double d, int places);

#endif
