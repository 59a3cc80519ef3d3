/* Exact decimals: parsing with the scale written, 128-bit sums, printing
   with rounding half away from zero. */
#include <stdio.h>
#include <string.h>

#include "dec.h"
#include "../tap.h"

static void
parse_case(const char *s, int64_t mant, int scale)
{
	struct dec d;

	if (dec_parse(s, strlen(s), -1, &d) < 0) {
		ok(0, "\"%s\" parses", s);
		return;
	}
	ok(d.mant == mant && d.scale == scale, "\"%s\" is %lld at scale %d "
	    "(got %lld, %d)", s, (long long)mant, scale, (long long)d.mant,
	    d.scale);
}

static void
bad_case(const char *s)
{
	struct dec d;

	ok(dec_parse(s, strlen(s), -1, &d) < 0, "\"%s\" is refused", s);
}

/* s read as a field declared decimal(scale): rounded on input. */
static void
at_case(const char *s, int scale, int64_t mant)
{
	struct dec d = { -12345, -1 };
	int rc = dec_parse(s, strlen(s), scale, &d);

	ok(rc == 0 && d.mant == mant && d.scale == scale, "\"%s\" at scale "
	    "%d is %lld (got %d: %lld, %d)", s, scale, (long long)mant, rc,
	    (long long)d.mant, d.scale);
}

static void
val_case(struct val v, int scale, int want_ok, int64_t mant, int dscale)
{
	struct dec d = { -12345, -1 };
	int rc = val_to_dec(&v, scale, &d);

	if (want_ok)
		ok(rc == 0 && d.mant == mant && d.scale == dscale, "a %s value "
		    "at scale %d is %lld at scale %d (got %d: %lld, %d)",
		    val_type_name(v.type), scale, (long long)mant, dscale, rc,
		    (long long)d.mant, d.scale);
	else
		ok(rc < 0, "a %s value at scale %d is refused",
		    val_type_name(v.type), scale);
}

static const char *
fmt(const struct dsum *s, int places)
{
	static char b[DSUM_BUFSZ];

	dsum_fmt(b, s, places);
	return b;
}

int
main(void)
{
	struct dsum s = { 0 }, t = { 0 }, u;
	struct dec d;

	parse_case("12.50", 1250, 2);
	parse_case("-0.05", -5, 2);
	parse_case("7", 7, 0);
	parse_case("+7.", 7, 0);
	parse_case(".5", 5, 1);
	parse_case("0", 0, 0);
	parse_case("1.5e3", 1500, 0);
	parse_case("1.5e-3", 15, 4);
	parse_case("123456789012345678", INT64_C(123456789012345678), 0);
	parse_case("0.000000000000000001", 1, 18);
	bad_case("");
	bad_case("-");
	bad_case(".");
	bad_case(" 1");
	bad_case("1 ");
	bad_case("1,5");
	bad_case("1e");
	bad_case("0x10");
	bad_case("nan");
	bad_case("1234567890123456789");	/* 19 digits */
	bad_case("0.0000000000000000001");	/* 19 decimals */
	parse_case("0.00", 0, 2);		/* the decimals written */
	parse_case("1.50000000000000000", INT64_C(150000000000000000), 17);
	bad_case("1e-400");
	bad_case("1e400");
	parse_case("0e-400", 0, 0);
	/* Past the plain path's 18 digits (leading zeros counted), the
	   general one: the same answers. */
	parse_case("0000000000000000000012.5", 125, 1);
	parse_case("-00000000000000000000.000000000000000001", -1, 18);

	/*
	 * Declared scale: each value rounded on input, half away from zero,
	 * by the first digit dropped, however many follow.
	 */
	at_case("0.005", 2, 1);
	at_case("-0.005", 2, -1);
	at_case("0.00499999999999999999999", 2, 0);
	at_case("2.675", 2, 268);
	at_case("1.0049", 2, 100);
	at_case("12.5", 2, 1250);
	at_case("7", 2, 700);
	at_case("-0.001", 2, 0);		/* no negative zero */
	at_case("1.5e-3", 2, 0);
	at_case("5e-3", 2, 1);
	at_case("1e-400", 2, 0);
	at_case("1.23456789012345678901234", 2, 123);
	at_case("9999999999999999.99", 2, INT64_C(999999999999999999));
	at_case("2.5", 0, 3);
	at_case("0.5", 18, INT64_C(500000000000000000));
	at_case("00.5", 18, INT64_C(500000000000000000));
	at_case("-2.5", 0, -3);
	{
		struct dec x;

		ok(dec_parse("9999999999999999.995", 20, 2, &x) < 0,
		    "rounding up into a 19th digit is refused");
		ok(dec_parse("12345678901234567", 17, 2, &x) < 0,
		    "17 integer digits and 2 decimals are 19 digits: refused");
		ok(dec_parse("1", 1, 19, &x) < 0, "scale 19 is refused");
		x = (struct dec){ 12345, 3 };
		ok(dec_round(&x, 2) == 0 && x.mant == 1235 && x.scale == 2,
		    "dec_round 12.345 to 12.35");
		x = (struct dec){ -12345, 3 };
		ok(dec_round(&x, 1) == 0 && x.mant == -123 && x.scale == 1,
		    "dec_round -12.345 to -12.3");
		x = (struct dec){ 15, 1 };
		ok(dec_round(&x, 3) == 0 && x.mant == 1500 && x.scale == 3,
		    "dec_round 1.5 to 1.500");
		x = (struct dec){ INT64_C(99999999999999999), 0 };
		ok(dec_round(&x, 2) < 0, "dec_round past 18 digits refused");
	}

	/* Values of every type, padded text too, the same way. */
	val_case(val_text(" 12.50", 6), -1, 1, 1250, 2);
	val_case(val_text("12.505\t ", 8), 2, 1, 1251, 2);
	val_case(val_str(" -0.005 ", 8), 2, 1, -1, 2);
	val_case(val_text("1 2", 3), 2, 0, 0, 0);
	val_case(val_text("", 0), 2, 0, 0, 0);
	val_case(val_int(5), 2, 1, 500, 2);
	val_case(val_int(5), -1, 1, 5, 0);
	val_case(val_int(INT64_C(999999999999999999)), -1, 1,
	    INT64_C(999999999999999999), 0);
	val_case(val_int(INT64_C(1000000000000000000)), -1, 0, 0, 0);
	val_case(val_double(0.125), 2, 1, 13, 2);
	val_case(val_double(1.005), 2, 1, 101, 2);	/* as the user wrote it */
	val_case(val_dec(12345, 3), 2, 1, 1235, 2);
	val_case(val_dec(-5, 3), 2, 1, -1, 2);
	val_case(val_null(), 2, 0, 0, 0);

	/* Sums rescale to the most decimals seen, and stay exact. */
	dsum_add(&s, (struct dec){ 1999, 2 });
	dsum_add(&s, (struct dec){ 1, 0 });
	dsum_add(&s, (struct dec){ 5, 3 });
	is_str(fmt(&s, -1), "20.995", "19.99 + 1 + 0.005 = 20.995, exactly");
	is_str(fmt(&s, 2), "21.00", "to two places, half away from zero");
	u = s;
	u.v = -u.v;
	is_str(fmt(&u, 2), "-21.00", "negative, half away from zero");
	is_str(fmt(&u, 5), "-20.99500", "more places: zeros");
	for (int i = 0; i < 10; i++)
		dsum_add(&t, (struct dec){ 1, 1 });
	is_str(fmt(&t, -1), "1.0", "0.1 ten times is 1.0 (in doubles it is not)");
	dsum_merge(&t, &s);
	is_str(fmt(&t, -1), "21.995", "merge");
	ok(dsum_cmp(&t, &s) > 0 && dsum_cmp(&s, &t) < 0 &&
	    dsum_cmp(&s, &s) == 0, "compare across scales");
	/* 10M rows of 92233720368547758.07 overflow 64 bits, not 128. */
	memset(&u, 0, sizeof u);
	for (int i = 0; i < 1000; i++)
		dsum_add(&u, (struct dec){ INT64_MAX, 2 });
	is_str(fmt(&u, -1), "92233720368547758070.00",
	    "1000 times the largest 64-bit decimal: 128 bits hold it");
	ok(dsum_parse("92233720368547758070.00", 23, &t) == 0 &&
	    dsum_cmp(&t, &u) == 0 && t.scale == 2, "printed sums read back");
	ok(dsum_parse("1.2.3", 5, &t) < 0 && dsum_parse("", 0, &t) < 0,
	    "and nothing else does");
	ok(dsum_to_double(&s) == 20.995, "to double, correctly rounded");
	{
		struct val v = val_double(0.1);

		ok(val_to_dec(&v, -1, &d) == 0 && d.mant == 1 && d.scale == 1,
		    "the double 0.1 is the decimal 0.1");
	}

	return done_testing();
}
