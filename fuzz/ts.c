/*
 * ts.c - times and durations (lib/ts.c): any bytes as a time, as a
 * duration, and (eight of them) as an epoch number, integer and double.
 *
 * A time ts_parse() accepts must lie in the years 0000 to 9999 UTC (the
 * only ones sluice writes and reads back), and ts_format() of it must
 * parse back to the same instant: a value sluice writes is one it reads.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ts.h"

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z. */
#define TS_FIRST	(INT64_C(-62167219200) * TS_US_PER_SEC)
#define TS_LAST		(INT64_C(253402300800) * TS_US_PER_SEC - 1)

/* us, just accepted from text, must be in range and read back. */
static void
reads_back(const char *text, size_t n, int64_t us)
{
	char out[TS_BUFSZ];
	size_t k;
	int64_t again;

	k = ts_format(out, us);
	if (us < TS_FIRST || us > TS_LAST)
		fuzz_fail("a time outside the years 0000-9999 accepted (the "
		    "text, then as written)", text, n, out, k);
	if (ts_parse(out, k, &again) < 0 || again != us)
		fuzz_fail("a time as written does not read back (the text, "
		    "then as written)", text, n, out, k);
	(void)ts_format_date(out, us);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	int64_t us, dur, x;
	double d;
	char *s;

	if (ts_parse(p, size, &us) == 0)
		reads_back(p, size, us);
	/* A duration is a C string: up to the first NUL. */
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (ts_parse_duration(s, &dur) == 0 && dur > 0 &&
	    ts_parse(p, size, &us) == 0)
		(void)ts_floor(us, dur);
	free(s);
	if (size >= 8) {
		memcpy(&x, data, 8);
		(void)ts_from_epoch_int(x, &us);
		memcpy(&d, data, 8);
		(void)ts_from_epoch(d, &us);
	}
	return 0;
}
