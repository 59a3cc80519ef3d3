/* Unit tests: lib/rec.c, finding fields by name in narrow and wide records. */
#include <stdio.h>
#include <stdlib.h>

#include "../tap.h"
#include "rec.h"
#include "val.h"

/* Field i's name in a record of n: "f<i>", or "g<i>" for the second pass. */
static void
fill(struct rec *r, char (*names)[16], size_t n, char prefix)
{
	rec_clear(r);
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "%c%zu", prefix, i);
		rec_add(r, names[i], val_int((int64_t)i));
	}
}

/* Every name found where it is, and a name not there not found. */
static int
all_found(const struct rec *r, char (*names)[16], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rec_index(r, names[i]) != (int)i)
			return 0;
	return rec_index(r, "nope") == -1;
}

int
main(void)
{
	enum { WIDE = 5000 };
	char (*names)[16] = calloc(WIDE + 1, sizeof *names);
	char (*other)[16] = calloc(WIDE, sizeof *other);
	struct rec r;

	rec_init(&r);
	fill(&r, names, 3, 'f');
	ok(all_found(&r, names, 3), "narrow record: every field found");

	fill(&r, names, WIDE, 'f');
	ok(all_found(&r, names, WIDE), "wide record: every field found");
	ok(rec_get(&r, "f4321") != NULL && rec_get(&r, "f4321")->u.i == 4321,
	    "wide record: rec_get gives the field's value");

	/* Appended after the index was made: found too. */
	snprintf(names[WIDE], sizeof names[WIDE], "late");
	rec_add(&r, names[WIDE], val_int(-1));
	ok(rec_index(&r, "late") == WIDE, "a field appended later is found");

	/* A repeated name: the first one, as a scan finds it. */
	rec_add(&r, "f7", val_int(-7));
	ok(rec_index(&r, "f7") == 7, "a repeated name finds the first");
	rec_set(&r, "late", val_int(99));
	ok(r.n == WIDE + 2 && r.f[WIDE].v.u.i == 99,
	    "rec_set replaces in place on a wide record");

	/* Reused: a new record's names, none of the old ones. */
	fill(&r, other, WIDE, 'g');
	ok(all_found(&r, other, WIDE) && rec_index(&r, "f10") == -1,
	    "after rec_clear: the new names, not the old ones");

	/* Narrow again, then wide with fewer fields than before. */
	fill(&r, names, 10, 'f');
	ok(all_found(&r, names, 10) && rec_index(&r, "g5") == -1,
	    "a narrow record after a wide one");
	fill(&r, names, 100, 'f');
	ok(all_found(&r, names, 100) && rec_index(&r, "f100") == -1,
	    "a smaller wide record after a bigger one");

	/* A reader writes fields directly after rec_clear(). */
	rec_clear(&r);
	rec_reserve(&r, 40);
	for (size_t i = 0; i < 40; i++) {
		r.f[i].name = i == 3 ? NULL : other[i];
		r.f[i].v = val_null();
	}
	r.n = 40;
	ok(rec_index(&r, "g39") == 39 && rec_index(&r, "g3") == -1 &&
	    rec_index(&r, "f1") == -1, "fields written in place, a NULL name");

	/* The first lookups scan, later ones hash: the same answers. */
	fill(&r, names, 100, 'f');
	ok(rec_index(&r, "f99") == 99 && rec_index(&r, "f0") == 0 &&
	    !rec_indexed(&r), "a wide record's first lookups (scanned)");
	rec_add(&r, "extra", val_null());
	ok(rec_index(&r, "extra") == 100 && rec_index(&r, "nope") == -1 &&
	    rec_index(&r, "f50") == 50 && rec_index(&r, "extra") == 100 &&
	    rec_indexed(&r) && rec_index(&r, "f98") == 98,
	    "and the ones after (hashed)");

	/*
	 * A record of 43 fields whose seven wanted fields sit near its start
	 * (batch-agg's group and sums over JSON) is scanned however often it
	 * is looked up: hashing all 43 names would cost more than the scans.
	 */
	static const int wanted[] = { 2, 3, 4, 5, 7, 8, 10 };
	int found = 0;

	fill(&r, names, 43, 'f');
	for (size_t k = 0; k < sizeof wanted / sizeof wanted[0]; k++)
		found += rec_index(&r, names[wanted[k]]) == wanted[k];
	ok(found == 7 && !rec_indexed(&r),
	    "seven lookups near a 43-field record's start: not hashed");

	/* Scans that cost twice its width: hashed before the third. */
	fill(&r, names, 1000, 'f');
	ok(rec_index(&r, "f999") == 999 && rec_index(&r, "nope") == -1 &&
	    !rec_indexed(&r), "two full scans of a wide record: not hashed");
	ok(rec_index(&r, "f998") == 998 && rec_indexed(&r),
	    "the third lookup hashes its names");
	fill(&r, names, 1000, 'f');
	ok(!rec_indexed(&r) && all_found(&r, names, 1000) && rec_indexed(&r),
	    "after rec_clear: scanned anew, then hashed");

	rec_free(&r);
	free(names);
	free(other);
	return done_testing();
}
