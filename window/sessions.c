/*
 * sessions.c - session windows: per key, a run of events each less than
 * the gap after the one before.  An event opens [ts, ts + gap), and
 * that window merges with every open session of its key it overlaps
 * (Flink's merging windows, Spark's session_window): an event at or
 * past the gap after a session's last event starts another.  A session
 * is final once its end (last event + gap) <= W.
 */
#include <stdlib.h>
#include <string.h>

#include "window.h"

static struct session_list *
list_of(struct sessions *ss, size_t gi)
{
	if (gi >= ss->ncap) {
		size_t cap = ss->ncap ? ss->ncap * 2 : 64;

		while (cap <= gi)
			cap *= 2;
		ss->of = erealloc(ss->of, cap * sizeof *ss->of);
		memset(ss->of + ss->ncap, 0, (cap - ss->ncap) * sizeof *ss->of);
		ss->ncap = cap;
	}
	return &ss->of[gi];
}

/* Room for a session at index i of l, in start order. */
static struct session *
insert_at(struct session_list *l, size_t i)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 2;
		l->v = erealloc(l->v, l->cap * sizeof *l->v);
	}
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof *l->v);
	l->n++;
	memset(&l->v[i], 0, sizeof l->v[i]);
	return &l->v[i];
}

static void
remove_at(struct session_list *l, size_t i)
{
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
	l->n--;
}

struct session *
sessions_add(struct sessions *ss, const char *key, uint32_t keylen,
    uint64_t hash, int64_t ts, int64_t gap, int64_t w,
    const struct metric *m)
{
	size_t gi = table_get(&ss->keys, key, keylen, hash), i, j;
	struct session_list *l = list_of(ss, gi);
	int64_t end = ts > INT64_MAX - gap ? INT64_MAX : ts + gap;
	struct session *s;

	/* The sessions [v[i], v[j]) overlap [ts, end): start < end and
	   ts < their end.  In start order, with no two overlapping, they
	   are a run. */
	for (i = 0; i < l->n && l->v[i].end <= ts; i++)
		;
	for (j = i; j < l->n && l->v[j].start < end; j++)
		;
	if (i == j) {
		if (w != W_NONE && end <= w)
			return NULL;
		s = insert_at(l, i);
		s->start = ts;
		s->end = end;
		s->st = ecalloc(ss->nm ? ss->nm : 1, sizeof *s->st);
		ss->open++;
		if (end < ss->first_end || ss->open == 1)
			ss->first_end = end;
		return s;
	}
	s = &l->v[i];
	/* The first takes in the others, which go. */
	for (size_t k = i + 1; k < j; k++) {
		struct session *o = &l->v[k];

		states_merge(m, ss->nm, s->st, o->st);
		states_free(m, ss->nm, o->st);
		free(o->st);
		s->records += o->records;
		if (o->end > s->end)
			s->end = o->end;
		for (uint64_t a = 0; a < o->arr.seen && a < ARRIVALS; a++)
			arrivals_add(&s->arr, o->arr.t[a]);
		ss->open--;
	}
	for (size_t k = i + 1; k < j; k++)
		remove_at(l, i + 1);
	if (ts < s->start)
		s->start = ts;
	if (end > s->end)
		s->end = end;
	return s;
}

void
sessions_put(struct sessions *ss, const char *key, uint32_t keylen,
    const struct session *from)
{
	size_t gi = table_get(&ss->keys, key, keylen, hash_table_key(key,
	    keylen)), i;
	struct session_list *l = list_of(ss, gi);

	for (i = l->n; i > 0 && l->v[i - 1].start > from->start; i--)
		;
	*insert_at(l, i) = *from;
	ss->open++;
	if (from->end < ss->first_end || ss->open == 1)
		ss->first_end = from->end;
}

void
sessions_each(struct sessions *ss, session_fn fn, void *ctx)
{
	size_t *order = table_sorted(&ss->keys);

	for (size_t k = 0; k < ss->keys.n; k++) {
		const struct group *g = &ss->keys.g[order[k]];
		struct session_list *l = list_of(ss, order[k]);

		for (size_t i = 0; i < l->n; i++)
			fn(g->key, g->keylen, &l->v[i], ctx);
	}
	free(order);
}

/* A session to write: which key, which of its sessions. */
struct closing {
	const struct group *g;
	struct session s;
};

static int
by_start_key(const void *a, const void *b)
{
	const struct closing *x = a, *y = b;

	if (x->s.start != y->s.start)
		return x->s.start < y->s.start ? -1 : 1;
	return key_cmp(x->g->key, x->g->keylen, y->g->key, y->g->keylen);
}

size_t
sessions_close(struct sessions *ss, int64_t w, const struct metric *m,
    session_fn emit, void *ctx)
{
	struct closing *c = NULL;
	size_t n = 0, cap = 0;
	int64_t first = INT64_MAX;

	if (ss->open == 0 || (w != W_END && ss->first_end > w))
		return 0;
	for (size_t gi = 0; gi < ss->keys.n; gi++) {
		struct session_list *l = list_of(ss, gi);
		size_t keep = 0;

		for (size_t i = 0; i < l->n; i++) {
			if (w == W_END || l->v[i].end <= w) {
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					c = erealloc(c, cap * sizeof *c);
				}
				c[n].g = &ss->keys.g[gi];
				c[n++].s = l->v[i];
				continue;
			}
			if (l->v[i].end < first)
				first = l->v[i].end;
			l->v[keep++] = l->v[i];
		}
		l->n = keep;
	}
	qsort(c, n, sizeof *c, by_start_key);
	for (size_t i = 0; i < n; i++) {
		emit(c[i].g->key, c[i].g->keylen, &c[i].s, ctx);
		states_free(m, ss->nm, c[i].s.st);
		free(c[i].s.st);
	}
	free(c);
	ss->open -= n;
	ss->first_end = first;
	return n;
}

void
sessions_free(struct sessions *ss, const struct metric *m)
{
	for (size_t gi = 0; gi < ss->keys.n && gi < ss->ncap; gi++) {
		struct session_list *l = &ss->of[gi];

		for (size_t i = 0; i < l->n; i++) {
			states_free(m, ss->nm, l->v[i].st);
			free(l->v[i].st);
		}
		free(l->v);
	}
	free(ss->of);
	table_free(&ss->keys, m);
	memset(ss, 0, sizeof *ss);
}
