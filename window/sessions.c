/*
 * sessions.c - session windows: per key, a run of events each at most
 * the gap after the one before.  An event opens [ts, ts + gap), and
 * that window merges with every open session of its key it overlaps or
 * touches (Flink's merging windows intersect when they touch; Spark's
 * session_window takes an event whose start <= the session's end): an
 * event more than the gap after a session's last event starts another.
 * A session is final once its end (last event + gap) <= W.
 *
 * The cost is the state's, not the stream's: a heap of session ends
 * finds the sessions W closes; a ref whose session grew goes back with
 * its new end, one whose session merged away or closed is dropped.  Keys
 * whose sessions all closed are dropped when they outnumber the live
 * ones (the key table is rebuilt), so a stream of ever new keys keeps
 * only the open ones.
 */
#include <stdlib.h>
#include <string.h>

#include "window.h"

/* --- The heap of ends --------------------------------------------------- */

static int
before(const struct session_ref *a, const struct session_ref *b)
{
	return a->end < b->end;
}

static void
sift_up(struct session_ref *h, size_t i)
{
	while (i > 0 && before(&h[i], &h[(i - 1) / 2])) {
		struct session_ref t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void
sift_down(struct session_ref *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct session_ref t;

		if (l < n && before(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && before(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void
push(struct sessions *ss, int64_t end, int64_t start, size_t key)
{
	if (ss->nheap == ss->heapcap) {
		ss->heapcap = ss->heapcap ? ss->heapcap * 2 : 64;
		ss->heap = erealloc(ss->heap, ss->heapcap * sizeof *ss->heap);
	}
	ss->heap[ss->nheap] = (struct session_ref){ end, start, key };
	sift_up(ss->heap, ss->nheap++);
}

static struct session_ref
pop(struct sessions *ss)
{
	struct session_ref top = ss->heap[0];

	ss->heap[0] = ss->heap[--ss->nheap];
	sift_down(ss->heap, ss->nheap, 0);
	return top;
}

/* --- Keys and their lists ----------------------------------------------- */

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
insert_at(struct sessions *ss, struct session_list *l, size_t i)
{
	if (l->n == 0)
		ss->live++;
	l->v = insert_zeroed(l->v, l->n, &l->cap, 2, i, sizeof *l->v);
	l->n++;
	return &l->v[i];
}

static void
remove_at(struct sessions *ss, struct session_list *l, size_t i)
{
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
	if (--l->n == 0) {
		free(l->v);	/* most keys of a busy stream come back rarely */
		memset(l, 0, sizeof *l);
		ss->live--;
	}
}

/* The key table again with only the keys that have sessions open; the
   refs renumbered, those of dropped keys dropped. */
static void
rebuild(struct sessions *ss, const struct metric *m)
{
	struct table nt;
	struct session_list *nof = ecalloc(ss->live + 1, sizeof *nof);
	size_t *to = ecalloc(ss->keys.n + 1, sizeof *to), k = 0;

	table_init(&nt, 0);
	for (size_t gi = 0; gi < ss->keys.n; gi++) {
		const struct group *g = &ss->keys.g[gi];

		to[gi] = SIZE_MAX;
		if (gi >= ss->ncap || ss->of[gi].n == 0)
			continue;
		to[gi] = table_get(&nt, g->key, g->keylen,
		    hash_table_key(g->key, g->keylen));
		nof[to[gi]] = ss->of[gi];
	}
	for (size_t i = 0; i < ss->nheap; i++)
		if (to[ss->heap[i].key] != SIZE_MAX) {
			ss->heap[k] = ss->heap[i];
			ss->heap[k++].key = to[ss->heap[i].key];
		}
	ss->nheap = k;
	for (size_t i = k / 2; i-- > 0;)
		sift_down(ss->heap, ss->nheap, i);
	table_free(&ss->keys, m);
	free(ss->of);
	free(to);
	ss->keys = nt;
	ss->of = nof;
	ss->ncap = ss->live + 1;
}

/* --- Sessions ----------------------------------------------------------- */

struct session *
sessions_add(struct sessions *ss, const char *key, uint32_t keylen,
    uint64_t hash, int64_t ts, int64_t gap, int64_t w,
    const struct metric *m)
{
	size_t gi = table_get(&ss->keys, key, keylen, hash), i, j;
	struct session_list *l = list_of(ss, gi);
	int64_t end = ts > INT64_MAX - gap ? INT64_MAX : ts + gap;
	struct session *s;

	/* The sessions [v[i], v[j]) overlap or touch [ts, end): start <=
	   end and ts <= their end.  In start order, with no two touching,
	   they are a run. */
	for (i = 0; i < l->n && l->v[i].end < ts; i++)
		;
	for (j = i; j < l->n && l->v[j].start <= end; j++)
		;
	if (i == j) {
		if (w != W_NONE && end <= w)
			return NULL;
		s = insert_at(ss, l, i);
		s->start = ts;
		s->end = end;
		s->st = ecalloc(ss->nm ? ss->nm : 1, sizeof *s->st);
		ss->open++;
		push(ss, end, ts, gi);
		return s;
	}
	s = &l->v[i];
	/* The first takes in the others, which go (their refs go stale). */
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
		remove_at(ss, l, i + 1);
	if (end > s->end)
		s->end = end;	/* its ref finds the new end when it comes up */
	if (ts < s->start) {
		s->start = ts;	/* a new ref: refs find sessions by start */
		push(ss, s->end, s->start, gi);
	}
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
	*insert_at(ss, l, i) = *from;
	ss->open++;
	push(ss, from->end, from->start, gi);
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
	size_t key;
	struct session s;
};

static const struct sessions *sorting;

static int
by_start_key(const void *a, const void *b)
{
	const struct closing *x = a, *y = b;
	const struct group *gx = &sorting->keys.g[x->key];
	const struct group *gy = &sorting->keys.g[y->key];

	if (x->s.start != y->s.start)
		return x->s.start < y->s.start ? -1 : 1;
	return key_cmp(gx->key, gx->keylen, gy->key, gy->keylen);
}

/* Take key gi's session starting at start out of its list into c. */
static int
take(struct sessions *ss, size_t gi, int64_t start, struct closing *c)
{
	struct session_list *l = gi < ss->ncap ? &ss->of[gi] : NULL;

	for (size_t i = 0; l != NULL && i < l->n; i++)
		if (l->v[i].start == start) {
			c->key = gi;
			c->s = l->v[i];
			remove_at(ss, l, i);
			return 1;
		}
	return 0;
}

size_t
sessions_close(struct sessions *ss, int64_t w, const struct metric *m,
    session_fn emit, void *ctx)
{
	struct closing *c = NULL;
	size_t n = 0, cap = 0;

	while (ss->nheap > 0 && (w == W_END || ss->heap[0].end <= w)) {
		struct session_ref r = pop(ss);
		struct session_list *l = r.key < ss->ncap ? &ss->of[r.key] : NULL;
		struct session *s = NULL;

		for (size_t i = 0; l != NULL && i < l->n && s == NULL; i++)
			if (l->v[i].start == r.start)
				s = &l->v[i];
		if (s == NULL)
			continue;	/* merged away, or closed already */
		if (w != W_END && s->end > w) {
			push(ss, s->end, s->start, r.key);	/* it grew */
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			c = erealloc(c, cap * sizeof *c);
		}
		n += take(ss, r.key, r.start, &c[n]);
	}
	sorting = ss;
	if (n > 1)
		qsort(c, n, sizeof *c, by_start_key);
	sorting = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct group *g = &ss->keys.g[c[i].key];

		emit(g->key, g->keylen, &c[i].s, ctx);
		states_free(m, ss->nm, c[i].s.st);
		free(c[i].s.st);
	}
	free(c);
	ss->open -= n;
	if (ss->keys.n > 4096 && ss->keys.n > 2 * ss->live)
		rebuild(ss, m);
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
	free(ss->heap);
	table_free(&ss->keys, m);
	memset(ss, 0, sizeof *ss);
}
