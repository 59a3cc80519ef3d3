/* Unit tests: lib/agg/group_table.c: keys of parts to groups, found
   again across the table's growth, their states; keys in order. */
#include <stdio.h>
#include <stdlib.h>

#include "../tap.h"
#include "agg/metrics.h"
#include "hash.h"

/* The key of group i: two parts, "store-<i % 97>" and "<i>". */
static void
make_key(struct buf *b, int i)
{
	char p[32];
	int n = snprintf(p, sizeof p, "store-%d", i % 97);

	b->n = 0;
	key_add(b, p, (size_t)n);
	n = snprintf(p, sizeof p, "%d", i);
	key_add(b, p, (size_t)n);
}

static size_t
get(struct table *t, const struct buf *b)
{
	return table_get(t, b->p, (uint32_t)b->n, hash_table_key(b->p, b->n));
}

int
main(void)
{
	struct table t;
	struct buf b = { 0 };
	const char *part;
	uint32_t n;
	int wrong = 0, moved = 0;
	size_t *order;

	/* Key parts: length-prefixed, read back in order. */
	key_add(&b, "2025-01-15", 10);
	key_add(&b, "", 0);
	key_add(&b, "Pav Bhaji", 9);
	part = key_part(b.p, (uint32_t)b.n, 0, &n);
	ok(part != NULL && n == 10 && memcmp(part, "2025-01-15", 10) == 0,
	    "part 0");
	part = key_part(b.p, (uint32_t)b.n, 1, &n);
	ok(part != NULL && n == 0, "part 1, empty");
	part = key_part(b.p, (uint32_t)b.n, 2, &n);
	ok(part != NULL && n == 9 && memcmp(part, "Pav Bhaji", 9) == 0,
	    "part 2");
	ok(key_part(b.p, (uint32_t)b.n, 3, &n) == NULL, "no part 3");
	{
		struct buf x = { 0 }, y = { 0 };

		/* Part by part: "a","bc" before "ab","c" though "abc" ties. */
		key_add(&x, "a", 1);
		key_add(&x, "bc", 2);
		key_add(&y, "ab", 2);
		key_add(&y, "c", 1);
		ok(key_cmp(x.p, (uint32_t)x.n, y.p, (uint32_t)y.n) < 0 &&
		    key_cmp(y.p, (uint32_t)y.n, x.p, (uint32_t)x.n) > 0 &&
		    key_cmp(x.p, (uint32_t)x.n, x.p, (uint32_t)x.n) == 0,
		    "keys compare part by part");
		buf_free(&x);
		buf_free(&y);
	}

	/* 200000 groups: made in order, 0 to 199999, found again after the
	   slots grew from 1024 past 262144 (and the groups' array moved). */
	table_init(&t, 2);
	for (int i = 0; i < 200000; i++) {
		make_key(&b, i);
		wrong += get(&t, &b) != (size_t)i;
		table_states(&t, (size_t)i)[1].n = (uint64_t)i * 3;
		t.g[i].records = (uint64_t)i + 1;
	}
	is_int(wrong, 0, "each new key makes the next group");
	is_int((int64_t)t.n, 200000, "200000 groups");
	for (int i = 0; i < 200000; i++) {
		make_key(&b, i);
		wrong += get(&t, &b) != (size_t)i;
		moved += table_states(&t, (size_t)i)[1].n != (uint64_t)i * 3 ||
		    t.g[i].records != (uint64_t)i + 1;
	}
	is_int(wrong, 0, "every key finds its group after the growth");
	is_int((int64_t)t.n, 200000, "and makes none");
	is_int(moved, 0, "each group's states and count kept");
	ok(table_states(&t, 0)[0].n == 0, "a new group's states are zero");

	/* In key order: store-0's groups (0, 97, 194, ...) first, their
	   second parts in byte order, then store-1's. */
	order = table_sorted(&t);
	{
		int sorted = 1;

		for (size_t i = 1; i < t.n; i++) {
			const struct group *x = &t.g[order[i - 1]],
			    *y = &t.g[order[i]];

			sorted &= key_cmp(x->key, x->keylen, y->key,
			    y->keylen) < 0;
		}
		ok(sorted, "table_sorted: in strictly increasing key order");
		part = key_part(t.g[order[0]].key, t.g[order[0]].keylen, 1, &n);
		ok(order[0] == 0 && n == 1 && *part == '0',
		    "the first is store-0's \"0\"");
		part = key_part(t.g[order[1]].key, t.g[order[1]].keylen, 1, &n);
		ok(order[1] == 100007 && n == 6 &&
		    memcmp(part, "100007", 6) == 0,
		    "then store-0's \"100007\" (97 * 1031: bytes, not numbers)");
	}
	free(order);

	/* An empty key (no groups by): one group. */
	{
		struct table e;

		table_init(&e, 0);
		ok(table_get(&e, NULL, 0, 0) == 0 && table_get(&e, NULL, 0, 0)
		    == 0 && e.n == 1, "the empty key is one group");
		table_free(&e, NULL);
	}
	/* table_merge: groups 0..1999 of one table and 1000..2999 of
	   another make 3000, the shared ones' counts and states added up;
	   the table merged from is as it was. */
	{
		struct metric m[2] = { { .kind = A_COUNT }, { .kind = A_SUM } };
		struct table x, y;
		struct dec one = { 150, 2 };	/* 1.50 */
		int bad = 0;

		table_init(&x, 2);
		table_init(&y, 2);
		for (int i = 0; i < 3000; i++) {
			struct table *in = i < 1000 ? &x : &y;
			size_t gi;

			make_key(&b, i);
			for (int k = 0; k < (i >= 1000 && i < 2000 ? 2 : 1); k++) {
				gi = get(k == 0 ? in : &x, &b);
				(k == 0 ? in : &x)->g[gi].records++;
				table_states(k == 0 ? in : &x, gi)[0].n++;
				dsum_add(&table_states(k == 0 ? in : &x, gi)[1].v,
				    one);
				table_states(k == 0 ? in : &x, gi)[1].n++;
			}
		}
		is_int((int64_t)x.n, 2000, "one table: groups 0 to 1999");
		is_int((int64_t)y.n, 2000, "the other: groups 1000 to 2999");
		is_int(table_merge(&x, &y, m), 0, "table_merge: 0");
		is_int((int64_t)x.n, 3000, "3000 groups after");
		for (int i = 0; i < 3000; i++) {
			size_t gi, yi;
			uint64_t want = i >= 1000 && i < 2000 ? 2 : 1;
			char s[DSUM_BUFSZ];

			make_key(&b, i);
			gi = get(&x, &b);
			dsum_fmt(s, &table_states(&x, gi)[1].v, -1);
			bad += x.g[gi].records != want ||
			    table_states(&x, gi)[0].n != want ||
			    strcmp(s, want == 2 ? "3.00" : "1.50") != 0;
			if (i >= 1000) {
				yi = get(&y, &b);
				bad += y.g[yi].records != 1;
			}
		}
		is_int(bad, 0, "each group's records, counts and sums added up");
		is_int((int64_t)y.n, 2000, "the table merged from is as it was");
		table_free(&x, m);
		table_free(&y, m);
	}
	{
		struct metric m[2] = { 0 };	/* no sets to free */

		table_free(&t, m);
	}
	buf_free(&b);
	return done_testing();
}
