/* Unit tests: lib/held.c: records kept past their input read back as
   they were (names, values, src, line, layout), strings copied, JSON
   kept by reference and let go, names once a layout. */
#include <stdio.h>
#include <stdlib.h>

#include "../tap.h"
#include "held.h"

int
main(void)
{
	struct held h = { 0 };
	struct rec r, back;
	char name[16], text[32], src[32] = "in-1.csv", src2[32] = "in-2.csv";
	uint64_t lay = rec_layout_new();
	json_t *j = json_pack("[i, i]", 1, 2);
	int same = 1, names_once = 1;

	rec_init(&r);
	rec_init(&back);
	ok(!held_due(&h, 1, 0.001), "nothing held is never due");
	for (int i = 0; i < 5000; i++) {
		rec_clear(&r);
		snprintf(name, sizeof name, "id");
		snprintf(text, sizeof text, "v%d", i);
		rec_add(&r, name, val_text(text, strlen(text)));
		rec_add(&r, "n", val_int(i));
		rec_add(&r, "items", i == 7 ? (struct val){ .type = VAL_JSON,
		    .u.j = j } : val_null());
		r.layout = i < 4000 ? lay : 0;
		/* An input's name: the same pointer for all its records. */
		r.src = i < 2500 ? src : src2;
		r.line = (unsigned long)i + 2;
		held_add(&h, &r);
		/* The caller's buffers change: the copies must not. */
		memset(text, 'x', sizeof text - 1);
		strcpy(name, "zz");
	}
	is_int((int64_t)h.n, 5000, "5000 held");
	ok(held_due(&h, 5000, 0) && !held_due(&h, 5001, 0),
	    "due at its count of rows");
	is_int(j->refcount, 2, "the JSON value kept by a reference");
	snprintf(src, sizeof src, "gone");
	snprintf(src2, sizeof src2, "gone");
	for (size_t i = 0; i < h.n; i++) {
		int64_t n = -1;

		held_get(&h, i, &back);
		snprintf(text, sizeof text, "v%zu", i);
		same &= back.n == 3 && strcmp(back.f[0].name, "id") == 0 &&
		    strcmp(back.f[1].name, "n") == 0 &&
		    back.f[0].v.type == VAL_TEXT &&
		    back.f[0].v.u.s.n == strlen(text) &&
		    strcmp(back.f[0].v.u.s.p, text) == 0 &&
		    val_to_int(&back.f[1].v, &n) == 0 && n == (int64_t)i &&
		    (i == 7 ? back.f[2].v.type == VAL_JSON &&
		    back.f[2].v.u.j == j : val_is_null(&back.f[2].v)) &&
		    back.line == i + 2 &&
		    strcmp(back.src, i < 2500 ? "in-1.csv" : "in-2.csv") == 0 &&
		    back.layout == (i < 4000 ? lay : 0);
		if (i > 0 && i < 4000)
			names_once &= back.f[0].name == h.f[0].name;
	}
	ok(same, "each reads back as it was: names, values, JSON, src, "
	    "line, layout");
	ok(names_once, "one copy of the names for a layout's records");
	ok(h.f[4000 * 3].name != h.f[3999 * 3].name,
	    "records of no layout have their own");
	held_free(&h);
	is_int(j->refcount, 1, "let go: the JSON value's reference too");
	ok(h.n == 0 && h.row == NULL, "and empty again");
	held_add(&h, &r);
	ok(h.n == 1 && held_due(&h, 1, 0), "it holds again");
	held_free(&h);
	rec_free(&r);
	rec_free(&back);
	json_decref(j);
	return done_testing();
}
