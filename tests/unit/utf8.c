/* Unit tests: lib/utf8.c */
#include "../tap.h"
#include "utf8.h"

static void
check(const char *label, const char *s, size_t n, size_t want)
{
	is_int((int64_t)utf8_check(s, n), (int64_t)want, "%s", label);
}

int
main(void)
{
	char big[1000];

	check("ASCII", "hello, world", 12, 12);
	check("empty", "", 0, 0);
	check("2-byte é", "caf\xc3\xa9", 5, 5);
	check("3-byte €", "\xe2\x82\xac", 3, 3);
	check("4-byte emoji", "\xf0\x9f\x98\x80", 4, 4);
	check("U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 4);
	check("NUL is valid", "a\0b", 3, 3);
	check("lone continuation", "ab\x80", 3, 2);
	check("overlong 2-byte", "\xc0\x80", 2, 0);
	check("overlong 2-byte C1", "\xc1\xbf", 2, 0);
	check("overlong 3-byte", "\xe0\x80\x80", 3, 0);
	check("overlong 4-byte", "\xf0\x80\x80\x80", 4, 0);
	check("surrogate", "x\xed\xa0\x80", 4, 1);
	check("above U+10FFFF", "\xf4\x90\x80\x80", 4, 0);
	check("F5 never", "\xf5\x80\x80\x80", 4, 0);
	check("truncated 3-byte", "ab\xe2\x82", 4, 2);
	check("Latin-1 é", "caf\xe9", 4, 3);
	memset(big, 'a', sizeof big);
	big[777] = '\xff';
	check("bad byte deep in ASCII", big, sizeof big, 777);
	big[777] = 'a';
	check("long ASCII", big, sizeof big, sizeof big);
	/* At every place of the word-at-a-time steps (8 and 32 bytes):
	   a bad byte found there, a sequence across a step's end valid. */
	for (size_t at = 0; at < 100; at++) {
		int bad_ok, seq_ok;

		big[at] = '\xff';
		bad_ok = utf8_check(big, 100) == at;
		big[at] = 'a';
		big[at] = '\xc3';
		big[at + 1] = '\xa9';
		seq_ok = utf8_check(big, 101) == 101 &&
		    utf8_check(big, at + 1) == at;
		big[at] = big[at + 1] = 'a';
		ok(bad_ok && seq_ok, "a bad byte and a 2-byte sequence at %zu",
		    at);
	}
	return done_testing();
}
