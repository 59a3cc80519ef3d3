/* Unit tests: lib/parquet's rows gathered elsewhere (parquet-sink -j).
   A column built from other columns' rows -- packed (pq_col_pack), read
   back (pq_rows_read) and appended in runs of every length
   (pq_col_append), its dictionary made when the row group is complete
   (pq_col_dict), as the thread that encodes it does -- must be, row
   group by row group, the column built by putting each value into it
   (pq_col_put): the same values, levels, statistics and dictionary,
   given up at the same value, whether for mostly distinct values, for a
   dictionary full of entries or of bytes, or for distinct values in a
   burst.  Each row group of both is compared as pq_col_pack writes it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tap.h"
#include "parquet/pq.h"

/* The values of a test: n of them, made by make(i). */
struct values {
	enum col_kind kind;
	size_t n;
	void (*make)(size_t i, struct col_val *v, char *text);
};

static uint64_t seed, run_seed;

static uint64_t
next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* The values' draws, and the runs' lengths (apart: the same values
   whatever the runs). */
static uint64_t
rnd(void)
{
	return next(&seed);
}

/* A few distinct strings, a null in eleven. */
static void
few(size_t i, struct col_val *v, char *text)
{
	static const char *city[] = { "Pune", "Oslo", "", "Zürich", "Bergen",
	    "a much longer city name than the others" };

	v->null = i % 11 == 3;
	v->s = city[(i * 7 + i / 5) % 6];
	v->n = strlen(v->s);
	(void)text;
}

/* Mostly distinct strings: the dictionary is given up past 4096. */
static void
ids(size_t i, struct col_val *v, char *text)
{
	v->null = i % 97 == 0;
	v->n = (size_t)sprintf(text, "id-%zu", i % 3 == 0 ? i / 3 : i * 7919);
	v->s = text;
}

/* Each value twice: a dictionary that pays, until it holds 65536
   entries (or, long, a MiB of them). */
static void
pairs(size_t i, struct col_val *v, char *text)
{
	v->null = 0;
	v->n = (size_t)sprintf(text, "p%zu", i / 2);
	v->s = text;
}

static void
long_pairs(size_t i, struct col_val *v, char *text)
{
	v->null = 0;
	v->n = (size_t)sprintf(text, "%060zu", i / 2);
	v->s = text;
}

/* Ten distinct values, then a stretch of distinct ones (that a small
   chunk's dictionary would give up, the row group's not), then ten
   again. */
static void
burst(size_t i, struct col_val *v, char *text)
{
	v->null = 0;
	if (i >= 20000 && i < 30000)
		v->n = (size_t)sprintf(text, "burst %zu", i);
	else
		v->n = (size_t)sprintf(text, "v%zu", i % 10);
	v->s = text;
}

/* Doubles, with NaN, both zeros, nulls. */
static void
doubles(size_t i, struct col_val *v, char *text)
{
	uint64_t r = rnd();

	(void)text;
	v->null = r % 13 == 0;
	switch (r % 7) {
	case 0:
		v->d = NAN;
		break;
	case 1:
		v->d = -0.0;
		break;
	case 2:
		v->d = 0.0;
		break;
	default:
		v->d = ((double)(r % 100000) - 50000) / 7.0 + (double)(i % 3);
	}
}

/* A few doubles: a dictionary of them, NaN and both zeros its entries. */
static void
few_doubles(size_t i, struct col_val *v, char *text)
{
	static const double d[] = { 1.5, -0.0, 0.0, 2.25, -7.0, 1e300 };

	(void)text;
	v->null = i % 10 == 4;
	v->d = i % 13 == 0 ? NAN : d[rnd() % 6];
}

/* Integers of a few values: a dictionary kept. */
static void
small_ints(size_t i, struct col_val *v, char *text)
{
	(void)text;
	v->null = i % 8 == 0;
	v->i = (int64_t)(rnd() % 10) - 3;
}

static void
ints(size_t i, struct col_val *v, char *text)
{
	uint64_t r = rnd();

	(void)text;
	(void)i;
	v->null = r % 5 == 0;
	v->i = (int64_t)(r % 2000001) - 1000000;
}

static void
dates(size_t i, struct col_val *v, char *text)
{
	(void)text;
	v->null = i % 17 == 0;
	v->i = 20000 + (int64_t)(rnd() % 400) - (i % 2 ? 30000 : 0);
}

static void
bools(size_t i, struct col_val *v, char *text)
{
	(void)text;
	v->null = i % 9 == 0;
	v->i = (int64_t)(rnd() % 2);
}

/*
 * The values put one by one into a column, row groups of rg rows, and
 * gathered in chunks of `chunk` rows appended in runs of at most `run`
 * (1: every length from 1 up to it, at random) into another.  How many
 * row groups differed (0 is right).
 */
static int
differs(const struct values *t, size_t rg, size_t chunk, size_t run)
{
	struct pq_col one, many, gather;
	struct buf b1 = { 0 }, b2 = { 0 }, frag = { 0 };
	char text[128];
	int bad = 0;
	size_t i = 0;

	pq_col_init(&one, "c", t->kind, 2);
	pq_col_init(&many, "c", t->kind, 2);
	pq_col_init(&gather, "c", t->kind, 2);
	many.dict_later = gather.dict_later = 1;
	seed = 42;
	/* The one-by-one column, row groups packed in turn. */
	for (size_t k = 0; k < t->n; k++) {
		struct col_val v = { 0 };

		t->make(k, &v, text);
		pq_col_put(&one, &v);
		if (one.rows == rg || k + 1 == t->n) {
			pq_col_pack(&one, &b1);
			pq_col_reset(&one);
		}
	}
	seed = 42;
	run_seed = 7;
	while (i < t->n) {
		struct pq_rows rows;
		size_t end = i + chunk < t->n ? i + chunk : t->n;

		for (; i < end; i++) {
			struct col_val v = { 0 };

			t->make(i, &v, text);
			pq_col_put(&gather, &v);
		}
		frag.n = 0;
		pq_col_pack(&gather, &frag);
		pq_col_reset(&gather);
		if (pq_rows_read(&rows, frag.p) != frag.p + frag.n)
			bad++;
		while (rows.at < rows.rows) {
			size_t n = rows.rows - rows.at;
			size_t room = rg - many.rows;
			size_t most = run > 0 ? run : 1 + next(&run_seed) % 3000;

			n = n > room ? room : n;
			n = n > most ? most : n;
			pq_col_append(&many, &rows, n);
			if (many.rows == rg || (i == t->n &&
			    rows.at == rows.rows)) {
				/* Its dictionary made, packed as one put
				   value by value is. */
				pq_col_dict(&many);
				many.dict_later = 0;
				pq_col_pack(&many, &b2);
				pq_col_reset(&many);
				many.dict_later = 1;
			}
		}
	}
	if (b1.n != b2.n || memcmp(b1.p, b2.p, b1.n) != 0)
		bad++;
	pq_col_free(&one);
	pq_col_free(&many);
	pq_col_free(&gather);
	buf_free(&b1);
	buf_free(&b2);
	buf_free(&frag);
	return bad;
}

int
main(void)
{
	static const struct {
		const char *what;
		struct values t;
		size_t rg;
	} cases[] = {
		{ "a few strings, nulls", { K_STRING, 30000, few }, 7000 },
		{ "mostly distinct strings", { K_STRING, 30000, ids }, 10000 },
		{ "a dictionary full of entries", { K_STRING, 140000, pairs },
		    140000 },
		{ "a dictionary full of bytes", { K_STRING, 60000, long_pairs },
		    60000 },
		{ "distinct values in a burst, the row group's dictionary kept",
		    { K_STRING, 40000, burst }, 40000 },
		{ "doubles: NaN, -0.0, 0.0, nulls", { K_DOUBLE, 20000, doubles },
		    3000 },
		{ "a few doubles: NaN, -0.0, 0.0", { K_DOUBLE, 20000,
		    few_doubles }, 7000 },
		{ "integers", { K_INT, 20000, ints }, 4096 },
		{ "integers of ten values", { K_INT, 20000, small_ints }, 9000 },
		{ "decimals", { K_DECIMAL, 9000, ints }, 1000 },
		{ "dates", { K_DATE, 20000, dates }, 5000 },
		{ "booleans", { K_BOOL, 20000, bools }, 3001 },
	};
	/* Chunks against runs: a row each, a few, the sizes of -j's, one
	   chunk of everything; runs of one, of every length, of all. */
	static const size_t chunk[] = { 1, 7, 1000, 6000, 1000000 };
	static const size_t run[] = { 1, 0, 1000000 };

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
		for (size_t k = 0; k < sizeof chunk / sizeof chunk[0]; k++)
			for (size_t r = 0; r < sizeof run / sizeof run[0]; r++) {
				/* A row at a time is slow and says little
				   more past the first few thousand. */
				struct values t = cases[c].t;

				if (chunk[k] == 1 && t.n > 20000)
					continue;
				is_int(differs(&t, cases[c].rg, chunk[k], run[r]),
				    0, "%s: chunks of %zu, runs of %s: as put "
				    "one by one", cases[c].what, chunk[k],
				    run[r] == 1 ? "one" : run[r] == 0 ?
				    "every length" : "all");
			}
	return done_testing();
}
