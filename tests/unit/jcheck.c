/* Unit tests: lib/jcheck.c (what JSON text is refused before jansson). */
#include "../tap.h"
#include "jcheck.h"
#include "readhelp.h"

#define STRAY(text) jc_stray_control(text, sizeof text - 1)

int
main(void)
{
	json_error_t err;
	json_t *j;

	is_int(STRAY("{\"v\": 1}"), -1, "clean text");
	is_int(STRAY("{\"v\":\t1,\r\n\"w\": 2}"), -1, "tab, CR, LF are space");
	is_int(STRAY("{\"v\": 123\0}"), 9, "a NUL after a number");
	is_int(STRAY("{\"v\": true\0 }"), 10, "a NUL after true");
	is_int(STRAY("\x01{}"), 0, "a control byte first");
	is_int(STRAY("{\"v\": \"a\0b\"}"), -1,
	    "one inside a string is left to jansson (its error)");
	is_int(STRAY("{\"v\": \"a\\\"\0\"}"), -1, "  after an escaped quote too");
	is_int(STRAY("{\"v\": \"a\\\\\"\x1f}"), 11,
	    "an escaped backslash ends no string early");

	j = jc_load_file(temp_file(".dat", "{\"n\": 1}\n", 9, 0), 0, &err);
	ok(j != NULL && json_integer_value(json_object_get(j, "n")) == 1,
	    "jc_load_file reads a file");
	json_decref(j);
	j = jc_load_file(temp_file(".dat", "{\n \"n\": 1\0}\n", 12, 0), 0, &err);
	ok(j == NULL && err.line == 2 && err.column == 8 &&
	    strcmp(err.text, "control character 0x00 outside a string") == 0,
	    "  and refuses a NUL after a number, with its place: %d:%d %s",
	    err.line, err.column, err.text);
	j = jc_load_file("/nonexistent/x.json", 0, &err);
	ok(j == NULL && strncmp(err.text, "unable to open", 14) == 0,
	    "  says why it cannot open a file: %s", err.text);
	return done_testing();
}
