/*
 * metric_json.c - metric states and group keys as JSON, exactly: sums as
 * decimal text with every digit and the count of values, min and max
 * likewise, true counts, the distinct values themselves, HyperLogLog
 * registers as [index, rank] pairs; a finished distinct count as its
 * number.  batch-agg's partial files and stream-window's checkpoints are
 * made of them.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "sluice.h"

/*
 * A HyperLogLog as JSON: its set registers as [index, rank] pairs while
 * few are set, else every register as one character of the base64
 * alphabet (a rank is at most 51): 16 kB, where pairs would be ~160 kB.
 */
static const char reg_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static json_t *
hll_json(const struct hll *h)
{
	json_t *a;
	uint32_t set = 0;

	for (uint32_t i = 0; h != NULL && i < HLL_M; i++)
		set += hll_get(h, i) != 0;
	if (set > HLL_M / 10) {
		char *regs = emalloc(HLL_M);

		for (uint32_t i = 0; i < HLL_M; i++)
			regs[i] = reg_chars[hll_get(h, i)];
		a = json_stringn(regs, HLL_M);
		free(regs);
		return a;
	}
	a = json_array();
	for (uint32_t i = 0; h != NULL && i < HLL_M; i++) {
		unsigned r = hll_get(h, i);

		if (r != 0)
			json_array_append_new(a, json_pack("[i,i]", (int)i,
			    (int)r));
	}
	return a;
}

/* A HyperLogLog from hll_json's JSON into h; -1 when malformed. */
static int
hll_read(const json_t *j, struct hll *h)
{
	const json_t *x;
	size_t i;

	if (json_is_string(j)) {
		const char *regs = json_string_value(j);

		if (json_string_length(j) != HLL_M)
			return -1;
		for (uint32_t k = 0; k < HLL_M; k++) {
			const char *c = regs[k] ? strchr(reg_chars, regs[k]) :
			    NULL;
			unsigned r;

			if (c == NULL || (r = (unsigned)(c - reg_chars)) >
			    64 - HLL_P + 1)
				return -1;
			if (r != 0)
				hll_set(h, k, r);
		}
		return 0;
	}
	if (!json_is_array(j))
		return -1;
	json_array_foreach(j, i, x) {
		json_int_t idx = json_integer_value(json_array_get(x, 0));
		json_int_t r = json_integer_value(json_array_get(x, 1));

		if (json_array_size(x) != 2 || idx < 0 || idx >= HLL_M ||
		    r < 1 || r > 64 - HLL_P + 1)
			return -1;
		hll_set(h, (uint32_t)idx, (unsigned)r);
	}
	return 0;
}

static json_t *
state_json(const struct metric *m, const struct mstate *st)
{
	char b[DSUM_BUFSZ];
	json_t *a;
	size_t n, pos = 0;
	const char *p;

	switch (m->kind) {
	case A_COUNT:
		/* Only a filtered count has a state: the group's records
		   are the count otherwise. */
		return m->where != NULL ? json_integer((json_int_t)st->n) :
		    json_null();
	case A_SUM:
	case A_AVG:
	case A_MIN:
	case A_MAX:
		if (st->n == 0)
			return json_null();
		dsum_fmt(b, &st->v, -1);
		return json_pack("[s,I]", b, (json_int_t)st->n);
	case A_COUNT_TRUE:
	case A_RATE_TRUE:
		return json_integer((json_int_t)st->n);
	case A_DISTINCT:
		if (st->set == NULL && st->n > 0)
			return json_integer((json_int_t)st->n);
		a = json_array();
		while (st->set != NULL &&
		    (p = strset_next(st->set, &pos, &n)) != NULL)
			json_array_append_new(a, json_stringn(p, n));
		return a;
	case A_APPROX:
		if (st->set == NULL && st->n > 0)
			return json_integer((json_int_t)st->n);
		return hll_json(st->set);
	}
	return json_null();
}

json_t *
states_json(const struct metric *m, size_t nm, const struct mstate *st)
{
	json_t *a = json_array();

	for (size_t i = 0; i < nm; i++)
		json_array_append_new(a, state_json(&m[i], &st[i]));
	return a;
}

/* A state from JSON into st (zeroed); 0, or -1 when it is malformed.
   With counts, a distinct or approx_distinct state may be its final
   count. */
static int
state_read(const struct metric *m, const json_t *j, struct mstate *st,
    int counts)
{
	const char *s;
	size_t i;
	json_t *x;

	if (counts && (m->kind == A_DISTINCT || m->kind == A_APPROX) &&
	    json_is_integer(j)) {
		if (json_integer_value(j) < 0)
			return -1;
		st->n = (uint64_t)json_integer_value(j);
		return 0;
	}
	switch (m->kind) {
	case A_COUNT:
		if (m->where == NULL)
			return json_is_null(j) ? 0 : -1;
		if (!json_is_integer(j) || json_integer_value(j) < 0)
			return -1;
		st->n = (uint64_t)json_integer_value(j);
		return 0;
	case A_SUM:
	case A_AVG:
	case A_MIN:
	case A_MAX:
		if (json_is_null(j))
			return 0;
		if (!json_is_array(j) || json_array_size(j) != 2 ||
		    (s = json_string_value(json_array_get(j, 0))) == NULL ||
		    !json_is_integer(json_array_get(j, 1)) ||
		    dsum_parse(s, strlen(s), &st->v) < 0)
			return -1;
		st->n = (uint64_t)json_integer_value(json_array_get(j, 1));
		return st->n > 0 ? 0 : -1;
	case A_COUNT_TRUE:
	case A_RATE_TRUE:
		if (!json_is_integer(j) || json_integer_value(j) < 0)
			return -1;
		st->n = (uint64_t)json_integer_value(j);
		return 0;
	case A_DISTINCT:
		if (!json_is_array(j))
			return -1;
		st->set = ecalloc(1, sizeof(struct strset));
		json_array_foreach(j, i, x) {
			if (!json_is_string(x))
				return -1;
			strset_add(st->set, json_string_value(x),
			    json_string_length(x));
		}
		return 0;
	case A_APPROX:
		st->set = ecalloc(1, sizeof(struct hll));
		return hll_read(j, st->set);
	}
	return -1;
}

/* n states from the array j into st; -1 when malformed. */
static int
read_all(const struct metric *m, size_t nm, const json_t *j,
    struct mstate *st, int counts)
{
	int rc = 0;

	memset(st, 0, nm * sizeof *st);
	if (!json_is_array(j) || json_array_size(j) != nm)
		return -1;
	for (size_t i = 0; i < nm && rc == 0; i++)
		rc = state_read(&m[i], json_array_get(j, i), &st[i], counts);
	return rc;
}

int
states_read(const struct metric *m, size_t nm, const json_t *j,
    struct mstate *st)
{
	return read_all(m, nm, j, st, 0);
}

int
states_read_final(const struct metric *m, size_t nm, const json_t *j,
    struct mstate *st)
{
	return read_all(m, nm, j, st, 1);
}

json_t *
key_json(const char *key, uint32_t keylen)
{
	json_t *k = json_array();
	const char *p;
	uint32_t n;

	for (size_t i = 0; (p = key_part(key, keylen, i, &n)); i++)
		json_array_append_new(k, json_stringn(p, n));
	return k;
}

int
key_from_json(const json_t *j, struct buf *key)
{
	size_t i;
	json_t *part;

	key->n = 0;
	if (!json_is_array(j))
		return -1;
	json_array_foreach(j, i, part) {
		if (!json_is_string(part))
			return -1;
		key_add(key, json_string_value(part), json_string_length(part));
	}
	return 0;
}
