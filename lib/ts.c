#include "ts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

/*
 * Day arithmetic after Howard Hinnant's "chrono-compatible low-level date
 * algorithms": eras of 400 years, March-based years so leap days fall last.
 */
int64_t
ts_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
ts_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int64_t
ts_floor(int64_t us, int64_t step)
{
	int64_t q = us / step;

	return (us % step != 0 && us < 0 ? q - 1 : q) * step;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Read exactly k digits at *p into *v, advancing *p. */
static int
digits(const char **p, const char *e, int k, unsigned *v)
{
	unsigned x = 0;

	if (e - *p < k)
		return -1;
	for (int i = 0; i < k; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (unsigned)(c - '0');
	}
	*p += k;
	*v = x;
	return 0;
}

static int
valid_date(unsigned y, unsigned m, unsigned d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int
ts_is_date(const char *p, size_t n)
{
	const char *s = p, *e = p + n;
	unsigned y, m, d;

	return n == 10 && digits(&s, e, 4, &y) == 0 && *s++ == '-' &&
	    digits(&s, e, 2, &m) == 0 && *s++ == '-' &&
	    digits(&s, e, 2, &d) == 0 && valid_date(y, m, d);
}

int
ts_in_range(int64_t us)
{
	return us >= TS_MIN_US && us <= TS_MAX_US;
}

/* An 8-digit whole number is a compact date (20250115), as in text;
   with a fraction it is neither a date nor a time. */
static int
eight_digits(double a)
{
	return a >= 1e7 && a < 1e8;
}

int
ts_from_epoch(double x, int64_t *us)
{
	double a = fabs(x), v;

	if (!isfinite(x))
		return -1;
	if (x > 0 && eight_digits(a))
		return x == floor(x) ? ts_from_epoch_int((int64_t)x, us) : -1;
	if (a < 1e11)
		v = x * 1e6;
	else if (a < 1e14)
		v = x * 1e3;
	else if (a < 1e17)
		v = x;
	else
		return -1;
	*us = (int64_t)llround(v);
	return ts_in_range(*us) ? 0 : -1;
}

int
ts_from_epoch_int(int64_t i, int64_t *us)
{
	int64_t a;

	if (i >= 10000000 && i <= 99999999) {
		char text[9];

		snprintf(text, sizeof text, "%08lld", (long long)i);
		return ts_parse(text, 8, us);
	}
	if (i == INT64_MIN)
		return -1;	/* no magnitude to take */
	a = i < 0 ? -i : i;
	if (a < INT64_C(100000000000))
		*us = i * TS_US_PER_SEC;
	else if (a < INT64_C(100000000000000))
		*us = i * 1000;
	else if (a < INT64_C(100000000000000000))
		*us = i;
	else
		return -1;
	return ts_in_range(*us) ? 0 : -1;
}

/* Epoch numbers: integers exactly, decimals through ts_from_epoch. */
static int
parse_epoch(const char *p, size_t n, int64_t *us)
{
	int64_t i;
	double d;

	if (num_parse_int(p, n, &i) == 0)
		return ts_from_epoch_int(i, us);
	/* Only plain decimals: "1e9" is no way to write a time. */
	for (size_t k = 0; k < n; k++)
		if (p[k] == 'e' || p[k] == 'E')
			return -1;
	if (num_parse_double(p, n, &d) < 0)
		return -1;
	return ts_from_epoch(d, us);
}

/*
 * The commonest spelling, YYYY-MM-DDTHH:MM:SSZ (an event's time), read at
 * its fixed places: 1, or 0 to leave p to the general reading (any other
 * spelling, and a bad one, which that says is bad).
 */
static int
parse_utc_seconds(const char *p, int64_t *us)
{
	/* Each place's digit, minus '0' (unsigned: a byte below '0' is
	   large too), then one test of them all. */
#define DIGIT(i) ((unsigned)(unsigned char)p[i] - '0')
	unsigned y1 = DIGIT(0), y2 = DIGIT(1), y3 = DIGIT(2), y4 = DIGIT(3),
	    mo1 = DIGIT(5), mo2 = DIGIT(6), d1 = DIGIT(8), d2 = DIGIT(9),
	    h1 = DIGIT(11), h2 = DIGIT(12), mi1 = DIGIT(14), mi2 = DIGIT(15),
	    s1 = DIGIT(17), s2 = DIGIT(18);
#undef DIGIT
	unsigned y, mo, d, h, mi, sec;

	if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' ||
	    p[16] != ':' || p[19] != 'Z')
		return 0;
	if ((y1 > 9) | (y2 > 9) | (y3 > 9) | (y4 > 9) | (mo1 > 9) |
	    (mo2 > 9) | (d1 > 9) | (d2 > 9) | (h1 > 9) | (h2 > 9) |
	    (mi1 > 9) | (mi2 > 9) | (s1 > 9) | (s2 > 9))
		return 0;
	y = y1 * 1000 + y2 * 100 + y3 * 10 + y4;
	mo = mo1 * 10 + mo2;
	d = d1 * 10 + d2;
	h = h1 * 10 + h2;
	mi = mi1 * 10 + mi2;
	sec = s1 * 10 + s2;
	if (!valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 59)
		return 0;
	*us = (ts_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec) * TS_US_PER_SEC;
	return ts_in_range(*us);
}

int
ts_parse(const char *p, size_t n, int64_t *us)
{
	const char *s = p, *e = p + n;
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac = 0, offset = 0, days;

	if (n == 20 && parse_utc_seconds(p, us))
		return 0;
	if (n == 0)
		return -1;
	/* Compact date or epoch number: all digits (maybe sign or point). */
	if (n == 8 && digits(&s, e, 8, &y) == 0) {
		unsigned yy = y / 10000, mm = y / 100 % 100, dd = y % 100;

		if (valid_date(yy, mm, dd)) {
			*us = ts_days_from_civil(yy, mm, dd) * TS_US_PER_DAY;
			return 0;
		}
		/* 20250230 is a bad date, not a time in 1970. */
		return -1;
	}
	if (n < 10 || p[4] != '-')
		return parse_epoch(p, n, us);

	if (digits(&s, e, 4, &y) < 0 || *s++ != '-' ||
	    digits(&s, e, 2, &mo) < 0 || s == e || *s++ != '-' ||
	    digits(&s, e, 2, &d) < 0 || !valid_date(y, mo, d))
		return -1;
	if (s < e) {
		if (*s != 'T' && *s != 't' && *s != ' ')
			return -1;
		s++;
		if (digits(&s, e, 2, &h) < 0 || s == e || *s++ != ':' ||
		    digits(&s, e, 2, &mi) < 0)
			return -1;
		if (s < e && *s == ':') {
			s++;
			if (digits(&s, e, 2, &sec) < 0)
				return -1;
			if (s < e && (*s == '.' || *s == ',')) {
				int64_t scale = 100000;
				int nd = 0;

				for (s++; s < e && *s >= '0' && *s <= '9'; s++) {
					if (scale > 0)
						frac += (*s - '0') * scale;
					scale /= 10;
					nd++;
				}
				if (nd == 0)
					return -1;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return -1;
		if (s < e) {
			unsigned oh = 0, om = 0;
			int sign;

			if (*s == 'Z' || *s == 'z') {
				s++;
			} else if (*s == '+' || *s == '-') {
				sign = *s++ == '-' ? -1 : 1;
				if (digits(&s, e, 2, &oh) < 0)
					return -1;
				if (s < e && *s == ':' && ++s == e)
					return -1;	/* "+05:" */
				if (s < e && digits(&s, e, 2, &om) < 0)
					return -1;
				offset = sign * (int64_t)(oh * 60 + om) * 60;
				/* Real zones lie within -12:00..+14:00. */
				if (om > 59 || offset < -12 * 3600 ||
				    offset > 14 * 3600)
					return -1;
			} else {
				return -1;
			}
		}
		if (s != e)
			return -1;
	}
	days = ts_days_from_civil(y, mo, d);
	*us = ((days * 86400 + h * 3600 + mi * 60 + sec) - offset) *
	    TS_US_PER_SEC + frac;
	/* 9999-12-31T23:30-01:00 is past the last instant a four-digit
	   year can write. */
	return ts_in_range(*us) ? 0 : -1;
}

/* v as exactly width decimal digits, leading zeros. */
static void
put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

size_t
ts_format_date(char buf[TS_BUFSZ], int64_t us)
{
	int64_t y;
	unsigned m, d;

	ts_civil_from_days(ts_floor(us, TS_US_PER_DAY) / TS_US_PER_DAY,
	    &y, &m, &d);
	/* By hand: this runs once a record or more, and snprintf costs. */
	/* Out of range (only arithmetic makes such times): ISO 8601's
	   expanded years, signed, so no one mistakes them for 0000-9999. */
	if (y < 0 || y > 9999)
		return (size_t)snprintf(buf, TS_BUFSZ, "%c%04lld-%02u-%02u",
		    y < 0 ? '-' : '+', (long long)(y < 0 ? -y : y), m, d);
	put_digits(buf, (unsigned)y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = '\0';
	return 10;
}

size_t
ts_format(char buf[TS_BUFSZ], int64_t us)
{
	int64_t day = ts_floor(us, TS_US_PER_DAY);
	int64_t in_day = us - day, secs = in_day / TS_US_PER_SEC;
	int64_t frac = in_day % TS_US_PER_SEC;
	size_t n = ts_format_date(buf, us);

	buf[n] = 'T';
	put_digits(buf + n + 1, (unsigned)(secs / 3600), 2);
	buf[n + 3] = ':';
	put_digits(buf + n + 4, (unsigned)(secs / 60 % 60), 2);
	buf[n + 6] = ':';
	put_digits(buf + n + 7, (unsigned)(secs % 60), 2);
	n += 9;
	if (frac % 1000 == 0 && frac != 0) {
		buf[n] = '.';
		put_digits(buf + n + 1, (unsigned)(frac / 1000), 3);
		n += 4;
	} else if (frac != 0) {
		buf[n] = '.';
		put_digits(buf + n + 1, (unsigned)frac, 6);
		n += 7;
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
	return n;
}

int
ts_parse_duration(const char *s, int64_t *us)
{
	static const struct { const char *name; int64_t us; } units[] = {
		{ "us", 1 }, { "ms", 1000 },
		{ "s", TS_US_PER_SEC }, { "sec", TS_US_PER_SEC },
		{ "secs", TS_US_PER_SEC }, { "second", TS_US_PER_SEC },
		{ "seconds", TS_US_PER_SEC },
		{ "m", 60 * TS_US_PER_SEC }, { "min", 60 * TS_US_PER_SEC },
		{ "mins", 60 * TS_US_PER_SEC },
		{ "minute", 60 * TS_US_PER_SEC },
		{ "minutes", 60 * TS_US_PER_SEC },
		{ "h", 3600 * TS_US_PER_SEC }, { "hour", 3600 * TS_US_PER_SEC },
		{ "hours", 3600 * TS_US_PER_SEC },
		{ "d", TS_US_PER_DAY }, { "day", TS_US_PER_DAY },
		{ "days", TS_US_PER_DAY },
		{ "w", 7 * TS_US_PER_DAY }, { "week", 7 * TS_US_PER_DAY },
		{ "weeks", 7 * TS_US_PER_DAY },
	};
	int64_t total = 0;

	if (strcmp(s, "0") == 0) {
		*us = 0;
		return 0;
	}
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		const char *num = s, *unit;
		size_t nlen, ulen, k;
		double v;

		while ((*s >= '0' && *s <= '9') || *s == '.')
			s++;
		nlen = (size_t)(s - num);
		while (*s == ' ')
			s++;
		unit = s;
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			s++;
		ulen = (size_t)(s - unit);
		while (*s == ' ')
			s++;
		if (nlen == 0 || ulen == 0 ||
		    num_parse_double(num, nlen, &v) < 0)
			return -1;
		for (k = 0; k < sizeof units / sizeof units[0]; k++)
			if (strlen(units[k].name) == ulen &&
			    strncmp(units[k].name, unit, ulen) == 0)
				break;
		if (k == sizeof units / sizeof units[0])
			return -1;
		v *= (double)units[k].us;
		if (v > 9e18 || total > INT64_MAX - (int64_t)v)
			return -1;
		total += (int64_t)llround(v);
	}
	*us = total;
	return 0;
}
