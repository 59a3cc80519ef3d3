/*
 * dec.h - exact decimals for aggregation: a value as it was written
 * (mantissa and scale, "12.50" is 1250 at scale 2), and sums of them in
 * 128 bits, so money adds up to the cent however many rows there are, as
 * a SQL DECIMAL sum does, never accumulating binary floating point.
 */
#ifndef SLUICE_DEC_H
#define SLUICE_DEC_H

#include <stddef.h>
#include <stdint.h>

#include "val.h"

__extension__ typedef __int128 dec_wide;

/*
 * A decimal holds at most 18 digits (a 64-bit mantissa always can; so
 * does Parquet's DECIMAL in an INT64, precision 18), at most 18 of them
 * decimals.
 */
enum { DEC_MAX_SCALE = 18, DEC_DIGITS = 18 };

/* mant / 10^scale, scale 0 to DEC_MAX_SCALE, |mant| below 10^18. */
struct dec {
	int64_t mant;
	int scale;
};

/* A sum (or a min, a max) at the largest scale added so far. */
struct dsum {
	dec_wide v;
	int scale;
};

/*
 * The one number parser behind every decimal sluice reads: p[0..n) is
 * a sign, digits with an optional point, an optional exponent ("1.5e3");
 * nothing else (no spaces).
 *
 * scale >= 0 (a field declared decimal with that scale): the value
 * rounded to scale decimals, half away from zero (0.005 -> 0.01, -0.005
 * -> -0.01), as PostgreSQL rounds into a NUMERIC column; out->scale is
 * scale.  scale < 0: exactly as written, with the decimals written
 * ("12.50" is 1250 at scale 2).
 *
 * Returns 0, or -1 when it is not a number, or the mantissa needs more
 * than 18 digits (after rounding), or, exactly, more than 18 decimals.
 */
int dec_parse(const char *p, size_t n, int scale, struct dec *out);

/*
 * Round d to scale decimals half away from zero, or give it more (zeros);
 * scale < 0 leaves it.  0, or -1 when the result needs more than 18
 * digits.  dec_parse rounds text the same way.
 */
int dec_round(struct dec *d, int scale);

/*
 * A value as a decimal, as dec_parse reads it (scale as there): text
 * without the spaces and tabs around it, integers, decimals, and doubles
 * through their shortest spelling (0.1 is 0.1).  -1 when null, not a
 * number, or beyond 18 digits.
 */
int val_to_dec(const struct val *v, int scale, struct dec *out);

/* s += d (rescaling s when d has more decimals). */
void dsum_add(struct dsum *s, struct dec d);

/* s += t. */
void dsum_merge(struct dsum *s, const struct dsum *t);

/* <0, 0, >0 as a is below, equal to or above b. */
int dsum_cmp(const struct dsum *a, const struct dsum *b);

/* The value of d as a dsum. */
struct dsum dsum_of(struct dec d);

/*
 * Print s with places decimals (-1: its own scale), rounding half away
 * from zero.  Returns the length; buf needs DSUM_BUFSZ.
 */
enum { DSUM_BUFSZ = 64 };
size_t dsum_fmt(char buf[DSUM_BUFSZ], const struct dsum *s, int places);

/* Parse what dsum_fmt printed (any scale up to 18).  0, or -1. */
int dsum_parse(const char *p, size_t n, struct dsum *out);

/* The nearest double (for averages). */
double dsum_to_double(const struct dsum *s);

#endif
