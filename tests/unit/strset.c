/* Unit tests: lib/strset.c: membership exact across growth, byte strings
   (NULs, the empty string) as members, the walk over them. */
#include <stdio.h>
#include <stdlib.h>

#include "../tap.h"
#include "strset.h"

int
main(void)
{
	struct strset s = { 0 };
	char k[32];
	size_t pos = 0, n, seen = 0, sum = 0;
	int added = 0, again = 0, absent = 0;
	const char *p;

	is_int(strset_add(&s, "", 0), 1, "the empty string is new");
	is_int(strset_add(&s, "", 0), 0, "and then a member");
	is_int(strset_add(&s, "a\0b", 3), 1, "a string with a NUL is new");
	is_int(strset_add(&s, "a\0c", 3), 1, "one differing after the NUL too");
	is_int(strset_add(&s, "a", 1), 1, "its prefix is another string");
	is_int(strset_add(&s, "a\0b", 3), 0, "a\\0b is a member");
	strset_free(&s);

	/* 100000 keys: the table grows from 8 slots past 131072; every key
	   new once, then a member; keys never added stay out. */
	for (int i = 0; i < 100000; i++) {
		int len = snprintf(k, sizeof k, "key-%d", i);

		added += strset_add(&s, k, (size_t)len);
	}
	is_int(added, 100000, "100000 distinct keys are each new");
	is_int((int64_t)s.n, 100000, "the set has 100000 members");
	ok(s.cap >= 2 * s.n && (s.cap & (s.cap - 1)) == 0,
	    "in a power of two slots, at most half full (%zu)", s.cap);
	for (int i = 0; i < 100000; i++) {
		int len = snprintf(k, sizeof k, "key-%d", i);

		again += strset_add(&s, k, (size_t)len);
	}
	is_int(again, 0, "added again, each is a member after the growth");
	for (int i = 100000; i < 110000; i++) {
		int len = snprintf(k, sizeof k, "key-%d", i);

		absent += strset_add(&s, k, (size_t)len);
	}
	is_int(absent, 10000, "10000 keys not added were not members");

	/* The walk: every member once, with its length. */
	while ((p = strset_next(&s, &pos, &n)) != NULL) {
		int i;

		seen++;
		if (n > 4 && sscanf(p, "key-%d", &i) == 1 && p[n] == '\0')
			sum += (size_t)i;
	}
	is_int((int64_t)seen, 110000, "the walk gives 110000 members");
	is_int((int64_t)sum, (int64_t)109999 * 110000 / 2,
	    "each once: their numbers add up to 0 + 1 + ... + 109999");
	strset_free(&s);
	ok(s.slot == NULL && s.n == 0 && s.cap == 0, "freed: empty again");
	return done_testing();
}
