/*
 * ts.h - time: instants as microseconds since 1970-01-01T00:00:00Z (UTC),
 * calendar days, and durations.  Pure arithmetic: no time zone database,
 * no locale, no libc time functions, so results never depend on TZ.
 */
#ifndef SLUICE_TS_H
#define SLUICE_TS_H

#include <stddef.h>
#include <stdint.h>

#define TS_US_PER_SEC	INT64_C(1000000)
#define TS_US_PER_DAY	(INT64_C(86400) * TS_US_PER_SEC)

/*
 * The instants sluice reads and writes: 0000-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999Z, what four-digit years can spell.  A time
 * outside is a bad value, whatever form it came in.
 */
#define TS_MIN_US	(INT64_C(-62167219200) * TS_US_PER_SEC)
#define TS_MAX_US	(INT64_C(253402300800) * TS_US_PER_SEC - 1)

/* Longest text ts_format() writes, with its NUL. */
enum { TS_BUFSZ = 40 };

/*
 * Parse p[0..n) into *us.  Accepted, all taken as UTC unless an offset says
 * otherwise:
 *   2025-01-15                        a date (its midnight)
 *   20250115                          a compact date (8 digits)
 *   2025-01-15T10:30, ...T10:30:00    'T', 't' or one space between
 *   ...10:30:00.123456789             fractional seconds ('.' or ','),
 *                                     kept to the microsecond
 *   ...Z  ...+05:30  ...-0800  ...+05 a UTC offset, -12:00 to +14:00
 *   1736937000, 1736937000.25         epoch seconds (below 1e11)
 *   1736937000123                     epoch milliseconds (1e11 to 1e14)
 * An 8-digit number is a compact date, or not a time at all (20250230,
 * 20250115.5): epoch seconds of 8 digits would fall in 1970-1973, where
 * no data is.  The instant must lie in TS_MIN_US..TS_MAX_US once its
 * offset is applied.
 * Returns 0, or -1 when the text is not a valid time (month 13, Feb 30,
 * hour 24, trailing bytes, out of range...).
 */
int ts_parse(const char *p, size_t n, int64_t *us);

/* Is p[0..n) a valid date spelt YYYY-MM-DD, exactly (no time, no
   compact 20250115)?  The one date check every program makes. */
int ts_is_date(const char *p, size_t n);

/*
 * Take a number as epoch time by its magnitude: below 1e11 seconds, below
 * 1e14 milliseconds, below 1e17 microseconds; a positive one of 8 digits
 * is a compact date when whole, and nothing otherwise.  Returns 0, or -1
 * beyond, or when the instant is out of range.
 */
int ts_from_epoch(double x, int64_t *us);

/* The same for an integer, exactly. */
int ts_from_epoch_int(int64_t x, int64_t *us);

/* Is us within TS_MIN_US..TS_MAX_US? */
int ts_in_range(int64_t us);

/*
 * Print us as ISO 8601 in UTC: "2025-01-15T10:30:00Z", with ".123" or
 * ".123456" when there is a fraction.  A year outside 0000-9999 (only
 * arithmetic makes one) is signed, ISO 8601's expanded form: "-0044",
 * "+10000".  Returns the length.
 */
size_t ts_format(char buf[TS_BUFSZ], int64_t us);

/* Print the UTC date of us: "2025-01-15".  Returns the length. */
size_t ts_format_date(char buf[TS_BUFSZ], int64_t us);

/*
 * Parse a duration: a number and a unit (us, ms, s, m, h, d, w; also sec,
 * min, hour(s), day(s), week(s)), repeated ("1h30m"), or "0".  Returns 0
 * and sets *us, or -1 when the text is not a duration.
 */
int ts_parse_duration(const char *s, int64_t *us);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t ts_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The date of a day number (inverse of ts_days_from_civil). */
void ts_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Floor division of us by step (correct for times before 1970). */
int64_t ts_floor(int64_t us, int64_t step);

#endif
