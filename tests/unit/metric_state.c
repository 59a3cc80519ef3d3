/* Unit tests: lib/agg/metric_state.c (with metric_json.c and
   metric_spec.c's final values): states merged, distinct counts made
   final and what they merge with, written and read back as JSON. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "agg/metrics.h"
#include "hash.h"

enum { SUM, DIST, APPROX, NM };

static const struct metric m[NM] = {
	[SUM] = { .kind = A_SUM, .places = -1, .in = 0, .key_part = -1 },
	[DIST] = { .kind = A_DISTINCT, .places = -1, .in = 1,
	    .key_part = -1 },
	[APPROX] = { .kind = A_APPROX, .places = -1, .in = 1,
	    .key_part = -1 },
};

/* A record: a number for the sum, a text for the distinct counts. */
static void
add(struct mstate *st, const char *num, const char *text)
{
	struct parsed in[2] = { { 0 } };

	dec_parse(num, strlen(num), -1, &in[0].d);
	in[1].t = text;
	in[1].tn = strlen(text);
	states_add(m, NM, st, in, NULL);
}

static int64_t
value(const struct mstate *st, size_t i)
{
	struct rec r = { 0 };
	struct val v = metric_value(&m[i], &st[i], 0, 0, &r);
	int64_t n = v.type == VAL_INT ? v.u.i : -1;

	rec_free(&r);
	return n;
}

/* st written as JSON, compact, and read back by states_read_final into
   back; the text in *text (to free). */
static int
round_trip(const struct mstate *st, struct mstate *back, char **text)
{
	json_t *j = states_json(m, NM, st);
	int rc;

	*text = json_dumps(j, JSON_COMPACT);
	rc = states_read_final(m, NM, j, back);
	json_decref(j);
	return rc;
}

int
main(void)
{
	struct mstate a[NM] = { { 0 } }, b[NM] = { { 0 } }, e[NM] = { { 0 } };
	struct mstate back[NM];
	char *text;
	json_t *j;

	add(a, "1.5", "x");
	add(a, "2", "y");
	add(b, "0.25", "y");
	add(b, "3", "z");
	is_int(states_merge(m, NM, a, b), 0, "two states with values merge");
	is_int(value(a, DIST), 3, "  the distinct values: their union");
	is_int(value(a, APPROX), 3, "  the sketch: the union's estimate");
	is_int((int64_t)a[SUM].n, 4, "  the sum: of every value");

	states_finish(m, NM, a);
	ok(a[DIST].set == NULL && a[APPROX].set == NULL,
	    "finished: the sets are freed");
	is_int(value(a, DIST), 3, "  the distinct count kept");
	is_int(value(a, APPROX), 3, "  the estimate kept, rounded");
	is_int((int64_t)a[SUM].n, 4, "  a sum as it was");

	is_int(round_trip(a, back, &text), 0, "a finished state reads back");
	is_str(text, "[[\"6.75\",4],3,3]", "  written as its counts");
	is_int(value(back, DIST) * 10 + value(back, APPROX), 33,
	    "  the same counts");
	free(text);
	states_free(m, NM, back);
	j = json_loads("[null,3,3]", 0, NULL);
	is_int(states_read(m, NM, j, back), -1,
	    "states_read (a checkpoint's) takes no count");
	states_free(m, NM, back);
	json_decref(j);
	j = json_loads("[null,-1,3]", 0, NULL);
	is_int(states_read_final(m, NM, j, back), -1, "a negative count: no");
	states_free(m, NM, back);
	json_decref(j);

	/* A count merges only with an empty state, either way round. */
	is_int(states_merge(m, NM, e, a), 0, "an empty state takes a count");
	is_int(value(e, DIST) * 10 + value(e, APPROX), 33, "  which it keeps");
	states_free(m, NM, b);
	memset(b, 0, sizeof b);
	b[DIST].set = calloc(1, sizeof(struct strset));
	is_int(states_merge(m, NM, e, b), 0,
	    "a count and an allocated empty set merge");
	is_int(value(e, DIST), 3, "  the count stays");
	states_free(m, NM, b);
	memset(b, 0, sizeof b);
	add(b, "1", "w");
	is_int(states_merge(m, NM, e, b), -1,
	    "a count and values: refused (the union is not known)");
	is_int(value(e, DIST), 3, "  the count left as it was");
	is_int(states_merge(m, NM, b, a), -1, "values and a count: refused");
	is_int(states_merge(m, NM, a, e), -1, "two counts: refused");
	memset(back, 0, sizeof back);
	is_int(states_merge(m, NM, a, back), 0,
	    "a count and an empty state: merged");

	states_free(m, NM, a);
	states_free(m, NM, b);
	states_free(m, NM, e);
	return done_testing();
}
