/* Unit tests: lib/val.c */
#include "../tap.h"
#include "val.h"

int
main(void)
{
	struct buf scratch = { 0 };
	struct val v;
	int64_t i;
	double d;
	int b;
	size_t n;
	const char *s;

	v = val_text(" 42 ", 4);
	ok(val_to_int(&v, &i) == 0 && i == 42, "text int, spaces trimmed");
	v = val_text("4 2", 3);
	ok(val_to_int(&v, &i) < 0, "text \"4 2\" is no int");
	v = val_text("12.50", 5);
	ok(val_to_double(&v, &d) == 0 && d == 12.5, "text double");
	ok(val_to_int(&v, &i) < 0, "12.50 is no int");
	ok(val_to_decimal(&v, 2, &i) == 0 && i == 1250, "text decimal");
	v = val_double(3.0);
	ok(val_to_int(&v, &i) == 0 && i == 3, "whole double as int");
	v = val_double(3.5);
	ok(val_to_int(&v, &i) < 0, "3.5 is no int");
	v = val_double(0.1);
	ok(val_to_decimal(&v, 2, &i) == 0 && i == 10, "0.1 as cents is 10");
	v = val_double(2.675);
	ok(val_to_decimal(&v, 2, &i) == 0 && i == 268,
	    "2.675 as cents is 268 (the decimal the user sees)");
	v = val_dec(1250, 2);
	ok(val_to_double(&v, &d) == 0 && d == 12.5, "decimal as double");
	ok(val_to_int(&v, &i) < 0, "12.50 decimal is no int");
	v = val_dec(1200, 2);
	ok(val_to_int(&v, &i) == 0 && i == 12, "12.00 decimal is 12");
	v = val_null();
	ok(val_to_int(&v, &i) < 0 && val_to_double(&v, &d) < 0 &&
	    val_to_bool(&v, &b) < 0, "null converts to nothing");
	ok(val_is_null(&v) && val_is_null(NULL), "null is null");

	{
		const char *yes[] = { "true", "TRUE", "Yes", "y", "T", "1" };
		const char *no[] = { "false", "No", "N", "f", "0", "FALSE" };
		int good = 1;

		for (size_t k = 0; k < 6; k++) {
			v = val_text(yes[k], strlen(yes[k]));
			good &= val_to_bool(&v, &b) == 0 && b == 1;
			v = val_text(no[k], strlen(no[k]));
			good &= val_to_bool(&v, &b) == 0 && b == 0;
		}
		ok(good, "booleans in every spelling");
	}
	v = val_text("maybe", 5);
	ok(val_to_bool(&v, &b) < 0, "\"maybe\" is no boolean");
	v = val_int(2);
	ok(val_to_bool(&v, &b) < 0, "2 is no boolean");

	v = val_str("2025-01-15T10:30:00Z", 20);
	ok(val_to_time(&v, &i) == 0 && i == INT64_C(1736937000000000),
	    "string time");
	v = val_int(1736937000);
	ok(val_to_time(&v, &i) == 0 && i == INT64_C(1736937000000000),
	    "int epoch seconds");
	v = val_double(1736937000.5);
	ok(val_to_time(&v, &i) == 0 && i == INT64_C(1736937000500000),
	    "double epoch seconds");
	v = val_bool(1);
	ok(val_to_time(&v, &i) < 0, "a boolean is no time");
	v = val_double(20250115.5);
	ok(val_to_time(&v, &i) < 0, "20250115.5 is no time (8 digits: a date)");
	v = val_int(INT64_MIN);
	ok(val_to_time(&v, &i) < 0, "INT64_MIN is no time");
	v = val_str("9999-12-31T23:30:00-01:00", 25);
	ok(val_to_time(&v, &i) < 0, "a time past 9999 is none");

	/* A JSON integer beyond 64 bits: text that spells a number. */
	v = val_numeral("123456789012345678901234567890", 30);
	ok(v.type == VAL_TEXT && v.scale == VAL_NUMERAL, "a numeral is text");
	ok(val_to_int(&v, &i) < 0, "  no int");
	ok(val_to_double(&v, &d) == 0 && d == 1.2345678901234568e29,
	    "  a double when asked");
	s = val_to_text(&v, &scratch, &n);
	ok(n == 30 && strcmp(s, "123456789012345678901234567890") == 0,
	    "  its digits as text");

	/* Strings carry their length: a NUL inside is kept. */
	v = val_str("a\0b", 3);
	s = val_to_text(&v, &scratch, &n);
	ok(n == 3 && memcmp(s, "a\0b", 3) == 0, "a NUL inside a string is kept");

	v = val_double(0.1);
	s = val_to_text(&v, &scratch, &n);
	is_str(s, "0.1", "double as text");
	v = val_int(-7);
	s = val_to_text(&v, &scratch, &n);
	is_str(s, "-7", "int as text");
	v = val_dec(-5, 2);
	s = val_to_text(&v, &scratch, &n);
	is_str(s, "-0.05", "decimal as text");
	v = val_bool(0);
	s = val_to_text(&v, &scratch, &n);
	is_str(s, "false", "bool as text");
	v.type = VAL_JSON;
	v.u.j = json_pack("{s:[i,i]}", "a", 1, 2);
	s = val_to_text(&v, &scratch, &n);
	is_str(s, "{\"a\":[1,2]}", "json as compact text");
	json_decref(v.u.j);
	is_str(val_type_name(VAL_DEC), "decimal", "type names");
	buf_free(&scratch);
	return done_testing();
}
