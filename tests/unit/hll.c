/* Unit tests: lib/agg/hll.c (HyperLogLog): the estimate within its error
   bound on known cardinalities, duplicates not counted, the sparse form
   the same sketch as the dense one across its growth, merges. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tap.h"
#include "agg/hll.h"
#include "hash.h"

/* The hash of the kth distinct value of a run: its text, as the
   programs hash values. */
static uint64_t
value(uint64_t run, uint64_t k)
{
	char s[64];
	int n = snprintf(s, sizeof s, "user-%llu-%llu",
	    (unsigned long long)run, (unsigned long long)k);

	return hash_bytes(s, (size_t)n, 0);
}

/* |estimate - n| / n of a sketch of n distinct values. */
static double
rel_error(uint64_t n, uint64_t run)
{
	struct hll h = { 0 };
	double e;

	for (uint64_t i = 0; i < n; i++)
		hll_add(&h, value(run, i));
	e = hll_estimate(&h);
	hll_free(&h);
	return fabs(e - (double)n) / (double)n;
}

/* An empty sketch in the dense form. */
static struct hll
dense(void)
{
	struct hll h = { 0 };

	h.reg = calloc(HLL_M, 1);
	return h;
}

/* Do a and b hold the same registers? */
static int
same_registers(const struct hll *a, const struct hll *b)
{
	for (uint32_t i = 0; i < HLL_M; i++)
		if (hll_get(a, i) != hll_get(b, i))
			return 0;
	return 1;
}

int
main(void)
{
	static const uint64_t sizes[] = { 1, 10, 100, 1000, 10000, 40000,
	    100000, 1000000 };
	struct hll a = { 0 }, b = { 0 }, c = { 0 }, d;

	is_int((int64_t)hll_estimate(&a), 0, "an empty sketch estimates 0");

	/* 2^14 registers: standard error 1.04 / 128 = 0.81%.  Each size
	   within 2.5 of them (2%). */
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		double err = rel_error(sizes[k], k);

		ok(err < 0.02,
		    "%llu distinct: error %.3f%%",
		    (unsigned long long)sizes[k], err * 100);
	}
	{
		/* Over many runs the mean error is the standard error's
		   (0.8 of it for |error|): no bias hides in one lucky run. */
		double sum = 0, worst = 0;

		for (uint64_t run = 100; run < 132; run++) {
			double err = rel_error(20000, run);

			sum += err;
			worst = err > worst ? err : worst;
		}
		ok(sum / 32 < 0.0081, "32 runs of 20000: mean |error| %.3f%% "
		    "(< 0.81%%), the worst %.3f%%", sum / 32 * 100, worst * 100);
	}

	/* The same values again change nothing. */
	for (uint64_t i = 0; i < 5000; i++)
		hll_add(&a, value(7, i));
	for (int again = 0; again < 3; again++)
		for (uint64_t i = 0; i < 5000; i++)
			hll_add(&b, value(7, i));
	ok(hll_estimate(&a) == hll_estimate(&b) && same_registers(&a, &b),
	    "values added three times: the sketch of them added once");
	hll_free(&a);
	hll_free(&b);

	/* Sparse while small, dense past 3072 registers; either way the
	   same registers and the same estimate as the dense form of the
	   same values (the sparse set grows many times on the way). */
	{
		static const uint64_t at[] = { 1, 7, 100, 1000, 2500, 3200,
		    4000, 20000 };
		uint64_t i = 0;
		int sparse_seen = 0, dense_seen = 0, good = 1;

		d = dense();
		for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
			for (; i < at[k]; i++) {
				hll_add(&a, value(8, i));
				hll_add(&d, value(8, i));
			}
			sparse_seen |= a.reg == NULL;
			dense_seen |= a.reg != NULL;
			if (!same_registers(&a, &d) ||
			    hll_estimate(&a) != hll_estimate(&d)) {
				good = 0;
				printf("# differs at %llu values\n",
				    (unsigned long long)at[k]);
			}
		}
		ok(good, "sparse and dense hold the same registers and "
		    "estimate at 1 to 20000 values");
		ok(sparse_seen && dense_seen, "and it went from sparse to "
		    "dense on the way");
		hll_free(&a);
		hll_free(&d);
	}

	/* Merges: the sketch of the union, whatever forms meet. */
	{
		static const uint64_t na[] = { 300, 300, 30000, 30000 },
		    nb[] = { 200, 30000, 200, 30000 };
		static const char *const what[] = { "sparse + sparse",
		    "sparse + dense", "dense + sparse", "dense + dense" };

		for (int k = 0; k < 4; k++) {
			for (uint64_t i = 0; i < na[k]; i++) {
				hll_add(&a, value(9, i));
				hll_add(&c, value(9, i));
			}
			/* Half of b's values are a's too. */
			for (uint64_t i = 0; i < nb[k]; i++) {
				hll_add(&b, value(9, na[k] / 2 + i));
				hll_add(&c, value(9, na[k] / 2 + i));
			}
			hll_merge(&a, &b);
			ok(same_registers(&a, &c) &&
			    hll_estimate(&a) == hll_estimate(&c),
			    "%s: the merge is the sketch of the union", what[k]);
			hll_free(&a);
			hll_free(&b);
			hll_free(&c);
		}
	}

	/* A register is the largest rank it was given. */
	hll_set(&a, 5, 7);
	hll_set(&a, 5, 3);
	hll_set(&a, 0, 2);
	ok(hll_get(&a, 5) == 7 && hll_get(&a, 0) == 2 && hll_get(&a, 6) == 0,
	    "hll_set keeps the largest rank; register 0 is a register");
	/* Register 0 kept through the sparse set's growth (its slot is not
	   an empty one), to the dense form. */
	for (uint32_t i = 1; i <= 3000; i++)
		hll_set(&a, i * 5, 1);
	ok(a.reg == NULL && hll_get(&a, 0) == 2 && hll_get(&a, 5) == 7 &&
	    hll_get(&a, 15000) == 1 && hll_get(&a, 15001) == 0,
	    "through 3000 more registers, still sparse");
	for (uint32_t i = 1; i <= 100; i++)
		hll_set(&a, i * 7 + 1, 1);
	ok(a.reg != NULL && hll_get(&a, 0) == 2 && hll_get(&a, 5) == 7,
	    "and dense past 3072");
	hll_free(&a);
	return done_testing();
}
