/* Unit tests: lib/ts.c */
#include <stdlib.h>

#include "../tap.h"
#include "ts.h"

static void
parse_case(const char *s, const char *want_iso)
{
	int64_t us;
	char buf[TS_BUFSZ];

	if (want_iso == NULL) {
		ok(ts_parse(s, strlen(s), &us) < 0, "bad time \"%s\"", s);
		return;
	}
	if (ts_parse(s, strlen(s), &us) < 0) {
		ok(0, "time \"%s\" parses", s);
		return;
	}
	ts_format(buf, us);
	is_str(buf, want_iso, "time \"%s\"", s);
}

static void
dur_case(const char *s, int64_t want)
{
	int64_t us = -7;
	int rc = ts_parse_duration(s, &us);

	if (want < 0)
		ok(rc < 0, "bad duration \"%s\"", s);
	else
		ok(rc == 0 && us == want, "duration \"%s\" = %lld us", s,
		    (long long)want);
}

int
main(void)
{
	char buf[TS_BUFSZ];
	int64_t us;

	/* YYYY-MM-DDTHH:MM:SSZ is read at its fixed places: the same as
	   the general reading of the same time with +00:00, good or bad,
	   for edge years, months, days, hours, minutes, seconds, and a
	   byte not a digit at each place. */
	{
		static const char *const years[] = { "0000", "0001", "1969",
		    "1970", "2024", "2025", "9999", "2O25", "20 5" };
		static const char *const twos[] = { "00", "01", "02", "09", "12",
		    "13", "23", "24", "28", "29", "30", "31", "32", "59",
		    "60", "99", "a1", "1:", "/1" };
		int differ = 0, n = 0;

		for (size_t a = 0; a < sizeof years / sizeof *years; a++)
			for (size_t b = 0; b < sizeof twos / sizeof *twos; b++)
				for (size_t c = 0; c < sizeof twos / sizeof *twos;
				    c++)
					for (size_t t = 0; t < 4; t++) {
						char z[32], o[32];
						int64_t uz = -1, uo = -1;
						int rz, ro;
						const char *tm = t == 0 ? "00:00:00" :
						    t == 1 ? "23:59:59" : t == 2 ?
						    "24:00:00" : "12:60:61";

						snprintf(z, sizeof z, "%s-%s-%sT%sZ",
						    years[a], twos[b], twos[c], tm);
						snprintf(o, sizeof o, "%s-%s-%sT%s+00:00",
						    years[a], twos[b], twos[c], tm);
						rz = ts_parse(z, strlen(z), &uz);
						ro = ts_parse(o, strlen(o), &uo);
						if ((rz < 0) != (ro < 0) ||
						    (rz == 0 && uz != uo)) {
							if (differ++ == 0)
								printf("# %s: %d %lld, %s: %d "
								    "%lld\n", z, rz,
								    (long long)uz, o, ro,
								    (long long)uo);
						}
						n++;
					}
		is_int(differ, 0, "YYYY-MM-DDTHH:MM:SSZ read at its places "
		    "as with +00:00, %d times good or bad", n);
	}
	parse_case("2025-01-15", "2025-01-15T00:00:00Z");
	parse_case("20250115", "2025-01-15T00:00:00Z");
	parse_case("2025-01-15T10:30:00", "2025-01-15T10:30:00Z");
	parse_case("2025-01-15 10:30:00", "2025-01-15T10:30:00Z");
	parse_case("2025-01-15t10:30:00z", "2025-01-15T10:30:00Z");
	parse_case("2025-01-15T10:30", "2025-01-15T10:30:00Z");
	parse_case("2025-01-15T10:30:00Z", "2025-01-15T10:30:00Z");
	parse_case("2025-01-15T10:30:00.5Z", "2025-01-15T10:30:00.500Z");
	parse_case("2025-01-15T10:30:00,25", "2025-01-15T10:30:00.250Z");
	parse_case("2025-01-15T10:30:00.123456Z",
	    "2025-01-15T10:30:00.123456Z");
	parse_case("2025-01-15T10:30:00.123456789Z",
	    "2025-01-15T10:30:00.123456Z");
	parse_case("2025-01-15T10:30:00+05:30", "2025-01-15T05:00:00Z");
	parse_case("2025-01-15T10:30:00-0800", "2025-01-15T18:30:00Z");
	parse_case("2025-01-15T01:00:00+02", "2025-01-14T23:00:00Z");
	parse_case("2024-02-29", "2024-02-29T00:00:00Z");
	parse_case("2000-02-29", "2000-02-29T00:00:00Z");
	parse_case("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z");
	parse_case("1900-01-01", "1900-01-01T00:00:00Z");
	parse_case("1736937000", "2025-01-15T10:30:00Z");
	parse_case("1736937000123", "2025-01-15T10:30:00.123Z");
	parse_case("1736937000.25", "2025-01-15T10:30:00.250Z");
	parse_case("0", "1970-01-01T00:00:00Z");
	parse_case("-86400", "1969-12-31T00:00:00Z");
	/* 8 digits are a date or nothing. */
	parse_case("99999999", NULL);
	parse_case("12345678", NULL);
	parse_case("123456789", "1973-11-29T21:33:09Z");

	parse_case("2025-13-01", NULL);
	parse_case("2025-02-30", NULL);
	parse_case("2023-02-29", NULL);
	parse_case("1900-02-29", NULL);
	parse_case("2025-01-15T24:00:00", NULL);
	parse_case("2025-01-15T10:60:00", NULL);
	parse_case("2025-01-15T10:30:61", NULL);
	parse_case("2025-01-15T10:30:00+25:00", NULL);
	parse_case("2025-01-15T10:30:00 UTC", NULL);
	parse_case("2025-01-15T10:30+05:", NULL);
	parse_case("20250230", NULL);
	parse_case("20251301", NULL);
	parse_case("2025-01-15T10:30:00.Z", NULL);
	parse_case("2025-1-15", NULL);
	parse_case("2025/01/15", NULL);
	parse_case("15/01/2025", NULL);
	parse_case("2025-01-15T", NULL);
	parse_case("2025-01-15X10:30", NULL);
	parse_case("yesterday", NULL);
	parse_case("", NULL);
	parse_case("1e9", NULL);
	parse_case("123456789012345678", NULL);

	ok(ts_from_epoch(1736937000.0, &us) == 0 &&
	    us == INT64_C(1736937000000000), "epoch seconds as a number");
	ok(ts_from_epoch(1736937000123.0, &us) == 0 &&
	    us == INT64_C(1736937000123000), "epoch ms as a number");
	ok(ts_from_epoch_int(INT64_C(1736937000123456), &us) == 0 &&
	    us == INT64_C(1736937000123456), "epoch us as an integer");
	ok(ts_from_epoch(1e300, &us) < 0, "epoch out of range");
	ok(ts_from_epoch_int(20250115, &us) == 0 &&
	    us == INT64_C(1736899200000000), "an 8-digit integer is a date");

	ts_format_date(buf, -1);
	is_str(buf, "1969-12-31", "date of 1 us before the epoch");
	ts_format(buf, INT64_C(1736937000000001));
	is_str(buf, "2025-01-15T10:30:00.000001Z", "format with microseconds");
	ts_format(buf, ts_days_from_civil(99, 3, 4) * TS_US_PER_DAY +
	    INT64_C(3723000000));
	is_str(buf, "0099-03-04T01:02:03Z", "a year below 1000 keeps its zeros");
	ts_format(buf, ts_days_from_civil(12345, 12, 31) * TS_US_PER_DAY);
	is_str(buf, "+12345-12-31T00:00:00Z", "a year past 9999, signed");
	ts_format_date(buf, ts_days_from_civil(-44, 3, 15) * TS_US_PER_DAY);
	is_str(buf, "-0044-03-15", "a year before 0, signed, four digits");
	ts_format_date(buf, ts_days_from_civil(-143, 1, 1) * TS_US_PER_DAY);
	is_str(buf, "-0143-01-01", "  (not -143-01-01)");

	/* Only 0000-01-01T00:00:00Z..9999-12-31T23:59:59.999999Z. */
	parse_case("0000-01-01", "0000-01-01T00:00:00Z");
	parse_case("0000-01-01T00:00:00-01:00", "0000-01-01T01:00:00Z");
	parse_case("0000-01-01T00:30:00+01:00", NULL);
	parse_case("9999-12-31T23:59:59.999999Z",
	    "9999-12-31T23:59:59.999999Z");
	parse_case("9999-12-31T23:30:00+01:00", "9999-12-31T22:30:00Z");
	parse_case("9999-12-31T23:30:00-01:00", NULL);
	parse_case("-62167219200", "0000-01-01T00:00:00Z");
	parse_case("-62167219201", NULL);
	parse_case("-62167219200001", NULL);
	parse_case("-99999999999999999", NULL);
	ok(ts_from_epoch(-62167219201.0, &us) < 0,
	    "an epoch number before year 0 is refused");
	ok(ts_from_epoch_int(INT64_MIN, &us) < 0 &&
	    ts_from_epoch_int(INT64_MIN + 1, &us) < 0 &&
	    ts_from_epoch_int(INT64_MAX, &us) < 0, "int64 extremes refused");
	ok(ts_in_range(TS_MIN_US) && ts_in_range(TS_MAX_US) &&
	    !ts_in_range(TS_MIN_US - 1) && !ts_in_range(TS_MAX_US + 1),
	    "the range's ends");
	ts_format(buf, TS_MIN_US);
	is_str(buf, "0000-01-01T00:00:00Z", "first instant");
	ts_format(buf, TS_MAX_US);
	is_str(buf, "9999-12-31T23:59:59.999999Z", "last instant");

	/* Real zone offsets only: -12:00 to +14:00. */
	parse_case("2025-01-15T10:30:00+14:00", "2025-01-14T20:30:00Z");
	parse_case("2025-01-15T10:30:00-12:00", "2025-01-15T22:30:00Z");
	parse_case("2025-01-15T10:30:00+14:01", NULL);
	parse_case("2025-01-15T10:30:00-12:01", NULL);
	parse_case("2025-01-15T10:30:00+23:59", NULL);
	parse_case("2025-01-15T10:30:00-2359", NULL);
	parse_case("2025-01-15T10:30:00-13", NULL);
	parse_case("2025-01-15T10:30:00+05:60", NULL);

	/* 8 digits before a point are still a date, or nothing. */
	parse_case("20250115.5", NULL);
	parse_case("20250115.0", "2025-01-15T00:00:00Z");
	parse_case("2025011.5", "1970-01-24T10:30:11.500Z");
	ok(ts_from_epoch(20250115.5, &us) < 0, "20250115.5 as a number too");
	ok(ts_from_epoch(20250115.0, &us) == 0 &&
	    us == INT64_C(1736899200000000), "a whole 8-digit double is a date");

	is_int(ts_floor(-1, 1000), -1000, "floor of a negative time");
	is_int(ts_floor(1999, 1000), 1000, "floor of a positive time");
	is_int(ts_floor(-1000, 1000), -1000, "floor on a boundary");

	/* Day numbers and dates agree both ways over 800 years. */
	{
		int bad = 0;

		for (int64_t z = -200000; z < 100000; z += 7) {
			int64_t y;
			unsigned m, d;

			ts_civil_from_days(z, &y, &m, &d);
			if (ts_days_from_civil(y, m, d) != z)
				bad++;
		}
		is_int(bad, 0, "civil <-> days round trip");
	}
	is_int(ts_days_from_civil(1970, 1, 1), 0, "epoch is day 0");
	is_int(ts_days_from_civil(2025, 1, 15), 20103, "2025-01-15 is day 20103");

	{
		/* ts_is_date against the day-number round trip: a date is
		   valid when its day number gives it back. */
		int bad = 0, n = 0;
		char s[32];

		for (int64_t y = 1896; y <= 2104; y++)
			for (unsigned m = 0; m <= 13; m++)
				for (unsigned d = 0; d <= 32; d++) {
					int64_t yy;
					unsigned mm, dd;
					int want;

					ts_civil_from_days(ts_days_from_civil(y,
					    m ? m : 1, d), &yy, &mm, &dd);
					want = m >= 1 && m <= 12 && d >= 1 &&
					    yy == y && mm == m && dd == d;
					snprintf(s, sizeof s, "%04d-%02u-%02u",
					    (int)y, m, d);
					bad += ts_is_date(s, 10) != want;
					n += want;
				}
		is_int(bad, 0, "ts_is_date on every day of 1896-2104 and "
		    "months 0-13, days 0-32");
		is_int(n, 76336, "which are 76336 dates");
		ok(!ts_is_date("2025-1-15", 9) && !ts_is_date("2025/01/15", 10) &&
		    !ts_is_date("20250115", 8) && !ts_is_date("2025-01-15T00", 13) &&
		    !ts_is_date("2025-01-1x", 10) && !ts_is_date("", 0),
		    "ts_is_date: only YYYY-MM-DD");
	}

	dur_case("15m", 15 * 60 * TS_US_PER_SEC);
	dur_case("1h", 3600 * TS_US_PER_SEC);
	dur_case("30s", 30 * TS_US_PER_SEC);
	dur_case("500ms", 500000);
	dur_case("250us", 250);
	dur_case("1d", TS_US_PER_DAY);
	dur_case("1w", 7 * TS_US_PER_DAY);
	dur_case("1h30m", 5400 * TS_US_PER_SEC);
	dur_case("1.5h", 5400 * TS_US_PER_SEC);
	dur_case("10 minutes", 600 * TS_US_PER_SEC);
	dur_case("0", 0);
	dur_case("15", -1);
	dur_case("m", -1);
	dur_case("15x", -1);
	dur_case("", -1);
	dur_case("-5m", -1);
	return done_testing();
}
