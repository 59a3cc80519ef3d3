/*
 * par.c - -j N: an input cut into chunks at record boundaries, read and
 * handled by N threads, replayed in order through the filter (par.h).
 */
#define _GNU_SOURCE	/* memrchr */
#include "par.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "live.h"
#include "opts.h"
#include "reader_impl.h"
#include "strset.h"

enum { CHUNK_DEFAULT = 1 << 20 };

/* What a thread's filter was asked, kept for the replay. */
enum ev_kind {
	EV_NONE,	/* a record that asked nothing */
	EV_PUT,		/* out[a..b) is the record written */
	EV_REFUSED,	/* the writer refused r: msg says why */
	EV_REJECT,	/* filter_reject(r, why[0..nwhy)) */
	EV_DUP,		/* filter_duplicate(r, msg) */
	EV_FILTERED,	/* --where dropped it */
	EV_KEPT,	/* filter_kept(): the first records in a row */
	EV_UNIQUE,	/* key: the next nsub events are r's, unless the key
			   was seen (then r is a duplicate: msg) */
	EV_LATER,	/* f->later(r, o, key) */
	EV_LATERS	/* f->later(place, NULL, key) for each of the
			   chunk's laters[a..b): records one after another
			   that asked only that, with only their place */
};

struct ev {
	enum ev_kind kind;
	size_t first;		/* the records it is the first event of: 0,
				   1, or a run of EV_PUT's written whole */
	size_t a, b;		/* EV_PUT, EV_LATERS */
	size_t nsub;		/* EV_UNIQUE */
	struct rec *r, *o;	/* copies (EV_LATER's own ones are
				   rec_free'd) */
	int owned;		/* r and o are records of their own */
	int place;		/* r kept as its place only (src, line), for
				   messages: emit() lends it a record */
	const char *src;
	unsigned long line;
	const char *msg;
	const void *key;
	size_t keyn;
	struct rej_reason *why;
	size_t nwhy;
	unsigned long span_last;	/* a bad record's last line, and */
	const char *span_why;		/* why (reader_impl.h's span_) */
};

/* One record's f->later() in a run of them (EV_LATERS): its line and
   its key, in the chunk's later_keys. */
struct later {
	unsigned long line;
	size_t off, n;
};

/*
 * A chunk and a thread's state each start a cache line of their own
 * (LINE, and allocated so): the threads write theirs at every record,
 * and two sharing a line would make each core wait for the other's
 * writes to every one.
 */
enum { LINE = 64 };

struct chunk {
	/* The input: */
	_Alignas(LINE) struct buf in;	/* whole records */
	const char *name;	/* the input's, for messages */
	enum fmt fmt;
	const char *const *cols;	/* a CSV input's header */
	size_t ncols;
	/* What the thread made of it: */
	unsigned long lines;	/* the lines its bytes hold */
	struct buf out;		/* the clean records as written */
	size_t hdr;		/* CSV output: out starts with the header of
				   ocols, this long (0: no record written) */
	char **ocols;		/* the columns its records were written under */
	size_t nocols;
	struct ev *ev;
	size_t nev, capev;
	struct arena mem;	/* the copies and keys */
	struct buf keep;	/* the program's (par_chunk_buf) */
	struct later *laters;	/* EV_LATERS' records */
	size_t nlaters, caplaters;
	struct buf later_keys;
	json_t **json;		/* JSON values copied, to release */
	size_t njson, capjson;
	uint64_t names_layout;	/* the layout whose names are copied: */
	const char **names;	/* their copies, in the arena */
	size_t nnames;
	int done;		/* the thread is done with it */
};

struct par;

struct par_worker {
	_Alignas(LINE) struct par *p;
	pthread_t th;
	struct filter wf;	/* the thread's filter */
	void *ctx;		/* its context (f->worker_new) */
	struct chunk *c;	/* the chunk being read */
	struct out *o;		/* onto c->out */
	struct writer *w;
	int first;		/* the next event starts a record */
	int wrote;		/* a record of c is written */
};

struct par {
	struct filter *f;
	filter_fn each;
	void *ctx;
	int jobs;
	struct par_worker *wk;	/* [jobs] */
	enum fmt ofmt;		/* the output's */
	size_t chunk_bytes;
	/* The ring: chunk seq is ring[seq % nring]. */
	struct chunk *ring;
	size_t nring;
	uint64_t emitted, submitted, taken;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	int quit;
	/* CSV output: the columns fixed (set once; the threads read them). */
	char **cols;
	size_t ncols;
	/* The input being read: */
	struct reader *rd;	/* its reader: the bytes, the fallback */
	struct reader *hdr;	/* a CSV input's header, read */
	struct buf stage;	/* bytes read and not yet in a chunk */
	size_t cut;		/* stage[0..cut) are whole records */
	size_t scanned;		/* stage[0..scanned) looked at */
	enum csv_cut_state st;	/* and where that left the CSV */
	unsigned long line;	/* lines before the next chunk to emit */
	int too_long;		/* a record past SLUICE_MAX_LINE_BYTES */
	double held_since;	/* a pipe's: when a wait first found records
				   held (0: none since the last drain) */
};

/* n zeroed elements of size bytes (a multiple of LINE), the first at
   the start of a cache line. */
static void *
lines_alloc(size_t n, size_t size)
{
	void *v = aligned_alloc(LINE, n * size);

	if (v == NULL)
		fatal(1, "out of memory");
	return memset(v, 0, n * size);
}

/* The chunks' size: SLUICE_CHUNK_BYTES, for tests, else a MiB. */
static size_t
chunk_bytes(void)
{
	const char *env = getenv("SLUICE_CHUNK_BYTES");
	long long v = env != NULL ? atoll(env) : 0;

	return v > 0 ? (size_t)v : CHUNK_DEFAULT;
}

/* ---- copies of what a thread's filter was given ---- */

static const char *
copy_bytes(struct arena *a, const char *p, size_t n)
{
	char *s = arena_bytes(a, n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static const char *
copy_str(struct arena *a, const char *s)
{
	return s != NULL ? copy_bytes(a, s, strlen(s)) : NULL;
}

/* A JSON value of its own, released with the chunk. */
static json_t *
copy_json(struct chunk *c, json_t *j)
{
	json_t *d = json_deep_copy(j);

	if (d == NULL)
		fatal(1, "out of memory");
	if (c->njson == c->capjson) {
		c->capjson = c->capjson ? c->capjson * 2 : 16;
		c->json = erealloc(c->json, c->capjson * sizeof *c->json);
	}
	c->json[c->njson++] = d;
	return d;
}

/*
 * A copy of r in the chunk's arena, to be read (not grown, not indexed:
 * its fields are the arena's) when the chunk is replayed.
 */
static struct rec *
copy_rec(struct chunk *c, const struct rec *r)
{
	struct arena *a = &c->mem;
	struct rec *d = arena_alloc(a, sizeof *d);
	size_t bytes = 0;
	char *at;

	rec_init(d);
	d->f = arena_alloc(a, (r->n ? r->n : 1) * sizeof *d->f);
	d->n = d->cap = r->n;
	d->src = r->src;
	d->line = r->line;
	d->layout = r->layout;
	d->err = copy_str(a, r->err);
	if (r->raw != NULL) {
		d->raw = copy_bytes(a, r->raw, r->rawn);
		d->rawn = r->rawn;
	}
	/* A layout's names are the same in each of its records: copied
	   once (with --dedup every record is copied). */
	if (r->layout == 0 || r->layout != c->names_layout ||
	    c->nnames != r->n) {
		c->names = arena_alloc(a, (r->n ? r->n : 1) *
		    sizeof *c->names);
		for (size_t i = 0; i < r->n; i++)
			c->names[i] = copy_str(a, r->f[i].name);
		c->nnames = r->n;
		c->names_layout = r->layout;
	}
	/* The strings in one piece of the arena. */
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].v.type == VAL_STR || r->f[i].v.type == VAL_TEXT)
			bytes += r->f[i].v.u.s.n + 1;
	at = bytes > 0 ? arena_bytes(a, bytes) : NULL;
	for (size_t i = 0; i < r->n; i++) {
		struct val v = r->f[i].v;

		if (v.type == VAL_STR || v.type == VAL_TEXT) {
			memcpy(at, v.u.s.p, v.u.s.n);
			at[v.u.s.n] = '\0';
			v.u.s.p = at;
			at += v.u.s.n + 1;
		} else if (v.type == VAL_JSON) {
			v.u.j = copy_json(c, v.u.j);
		}
		d->f[i].name = c->names[i];
		d->f[i].v = v;
	}
	return d;
}

/* Keep only r's place in e (see struct ev's place). */
static void
keep_place(struct ev *e, const struct rec *r)
{
	e->place = 1;
	e->src = r->src;
	e->line = r->line;
}

/*
 * What the replay needs of a record diverted: its place, for messages,
 * and, when there is a dead-letter file to write it to, all of it.
 */
static void
keep_rec(struct par_worker *w, struct ev *e, const struct rec *r)
{
	if (w->p->f->co->reject != NULL)
		e->r = copy_rec(w->c, r);
	else
		keep_place(e, r);
}

/* A copy of r that owns its memory (rec_free it): for filter_later,
   whose step may change and index it. */
static struct rec *
own_rec(const struct rec *r)
{
	struct rec *d = emalloc(sizeof *d);

	rec_init(d);
	d->src = r->src;
	d->line = r->line;
	if (r->raw != NULL) {
		d->raw = rec_strdup(d, r->raw, r->rawn);
		d->rawn = r->rawn;
	}
	d->err = r->err != NULL ? rec_strdup(d, r->err, strlen(r->err)) :
	    NULL;
	for (size_t i = 0; i < r->n; i++) {
		struct val v = r->f[i].v;
		const char *name = r->f[i].name;

		if (v.type == VAL_STR || v.type == VAL_TEXT)
			v.u.s.p = rec_strdup(d, v.u.s.p, v.u.s.n);
		else if (v.type == VAL_JSON) {
			v.u.j = json_deep_copy(v.u.j);
			rec_hold(d, v.u.j);
		}
		rec_add(d, name ? rec_strdup(d, name, strlen(name)) : NULL, v);
	}
	d->layout = r->layout;
	return d;
}

static void
free_owned(struct rec *r)
{
	if (r != NULL) {
		rec_free(r);
		free(r);
	}
}

/* ---- a thread's filter: its calls kept as events ---- */

static struct ev *
add_ev(struct par_worker *w, enum ev_kind kind)
{
	struct chunk *c = w->c;
	struct ev *e;

	if (c->nev == c->capev) {
		c->capev = c->capev ? c->capev * 2 : 1024;
		c->ev = erealloc(c->ev, c->capev * sizeof *c->ev);
	}
	e = &c->ev[c->nev++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->first = w->first;
	w->first = 0;
	return e;
}

/* Bytes written onto the chunk so far. */
static size_t
written(const struct par_worker *w)
{
	return w->c->out.n + w->o->n;
}

/* The header a CSV writer writes for these columns, and its length. */
static size_t
header_len(const char *const *cols, size_t n)
{
	struct buf b = { 0 };
	struct out *o = out_mem(&b);
	struct writer *w = wr_open(o, FMT_CSV);
	size_t len;

	wr_columns(w, cols, n);
	wr_close(w);	/* the header alone */
	out_close(o);
	len = b.n;
	buf_free(&b);
	return len;
}

void
par_put(struct par_worker *w, const struct rec *o)
{
	struct chunk *c = w->c;
	size_t before = written(w);
	struct ev *e;

	switch (wr_put(w->w, o)) {
	case WR_OK:
		if (!w->wrote && w->p->ofmt == FMT_CSV) {
			/* The first: the header went out before it. */
			size_t n;
			int done;
			const char *const *cols = wr_header(w->w, &n, &done);

			c->hdr = header_len(cols, n);
			c->nocols = n;
			c->ocols = ecalloc(n ? n : 1, sizeof *c->ocols);
			for (size_t i = 0; i < n; i++)
				c->ocols[i] = estrdup(cols[i]);
			before += c->hdr;
		}
		w->wrote = 1;
		/* Records written one after another are one event. */
		e = c->nev > 0 ? &c->ev[c->nev - 1] : NULL;
		if (w->first && e != NULL && e->kind == EV_PUT &&
		    e->first > 0 && e->b == before) {
			e->first++;
			w->first = 0;
		} else {
			e = add_ev(w, EV_PUT);
			e->a = before;
		}
		e->b = written(w);
		break;
	case WR_SKIP:
		e = add_ev(w, EV_REFUSED);
		keep_rec(w, e, o);
		e->msg = copy_str(&c->mem, wr_error(w->w));
		break;
	case WR_ERR:
		break;	/* memory does not fail */
	}
}

void
par_reject(struct par_worker *w, const struct rec *r,
    const struct rej_reason *why, size_t n)
{
	struct ev *e = add_ev(w, EV_REJECT);
	struct arena *a = &w->c->mem;

	keep_rec(w, e, r);
	e->why = arena_alloc(a, n * sizeof *e->why);
	e->nwhy = n;
	for (size_t i = 0; i < n; i++) {
		e->why[i].rule = copy_str(a, why[i].rule);
		e->why[i].message = copy_str(a, why[i].message);
		e->why[i].field = copy_str(a, why[i].field);
	}
}

void
par_duplicate(struct par_worker *w, const struct rec *r, const char *message)
{
	struct ev *e = add_ev(w, EV_DUP);

	keep_rec(w, e, r);
	e->msg = copy_str(&w->c->mem, message);
}

void
par_filtered(struct par_worker *w)
{
	add_ev(w, EV_FILTERED);
}

void
par_kept(struct par_worker *w)
{
	struct chunk *c = w->c;
	struct ev *e = c->nev > 0 ? &c->ev[c->nev - 1] : NULL;

	/* Records kept one after another are one event. */
	if (w->first && e != NULL && e->kind == EV_KEPT && e->first > 0) {
		e->first++;
		w->first = 0;
	} else {
		add_ev(w, EV_KEPT);
	}
}

void
par_unique(struct par_worker *w, struct filter *wf, const struct rec *r,
    const struct rec *o, const void *key, size_t n, const char *message)
{
	struct ev *e = add_ev(w, EV_UNIQUE);
	size_t at = (size_t)(e - w->c->ev);

	keep_rec(w, e, r);
	e->msg = copy_str(&w->c->mem, message);
	e->key = copy_bytes(&w->c->mem, key, n);
	e->keyn = n;
	/* What follows if the key is new, as filter_unique() does. */
	if (filter_keep(wf, o))
		filter_put(wf, o);
	w->c->ev[at].nsub = w->c->nev - at - 1;
}

/*
 * A record that asks only f->later(), with only its place and a key
 * (stream-window's, each record): one event for a run of them, the
 * records' lines and keys in arrays of the chunk, not an event and a
 * copy in the arena each.
 */
static int
later_run(struct par_worker *w, const struct rec *r, const void *key,
    size_t n)
{
	struct chunk *c = w->c;
	struct ev *e = c->nev > 0 ? &c->ev[c->nev - 1] : NULL;
	struct later *l;

	if (!w->first || key == NULL || !w->p->f->later_place_only)
		return 0;
	if (e != NULL && e->kind == EV_LATERS && e->src == r->src) {
		e->first++;
		e->b++;
		w->first = 0;
	} else {
		e = add_ev(w, EV_LATERS);
		e->src = r->src;
		e->a = c->nlaters;
		e->b = c->nlaters + 1;
	}
	if (c->nlaters == c->caplaters) {
		c->caplaters = c->caplaters ? c->caplaters * 2 : 1024;
		c->laters = erealloc(c->laters, c->caplaters *
		    sizeof *c->laters);
	}
	l = &c->laters[c->nlaters++];
	l->line = r->line;
	l->off = c->later_keys.n;
	l->n = n;
	buf_add(&c->later_keys, key, n);
	return 1;
}

void
par_later(struct par_worker *w, struct rec *r, struct rec *o,
    const void *key, size_t n)
{
	struct ev *e;
	int reads_only = w->p->f->later_reads_only;

	if (r != NULL && o == NULL && later_run(w, r, key, n))
		return;
	e = add_ev(w, EV_LATER);

	if (r != NULL && w->p->f->later_place_only)
		keep_place(e, r);
	else if (r != NULL)
		e->r = reads_only ? copy_rec(w->c, r) : own_rec(r);
	if (o != NULL)
		e->o = reads_only ? copy_rec(w->c, o) : own_rec(o);
	e->owned = !reads_only;
	if (key != NULL) {
		const char *k = key, *kept = w->c->keep.p;

		/* Bytes kept with the chunk already are not copied. */
		e->key = kept != NULL && k >= kept &&
		    k + n <= kept + w->c->keep.n ? key :
		    copy_bytes(&w->c->mem, key, n);
		e->keyn = n;
	}
}

struct buf *
par_chunk_buf(struct par_worker *w)
{
	return &w->c->keep;
}

/* ---- a thread reads a chunk ---- */

/* Forget what was made of c (its bytes stay). */
static void
chunk_clear(struct chunk *c)
{
	for (size_t i = 0; i < c->nev; i++)
		if (c->ev[i].kind == EV_LATER && c->ev[i].owned) {
			free_owned(c->ev[i].r);
			free_owned(c->ev[i].o);
		}
	c->nev = 0;
	for (size_t i = 0; i < c->njson; i++)
		json_decref(c->json[i]);
	c->njson = 0;
	arena_reset(&c->mem);
	c->names_layout = 0;
	c->names = NULL;
	c->nnames = 0;
	for (size_t i = 0; i < c->nocols; i++)
		free(c->ocols[i]);
	free(c->ocols);
	c->ocols = NULL;
	c->nocols = 0;
	c->hdr = 0;
	c->out.n = 0;
	c->lines = 0;
	c->keep.n = 0;
	c->nlaters = 0;
	c->later_keys.n = 0;
}

static void
chunk_free(struct chunk *c)
{
	chunk_clear(c);
	free(c->ev);
	free(c->json);
	arena_free(&c->mem);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->keep);
	free(c->laters);
	buf_free(&c->later_keys);
}

/*
 * Read c's records and hand each to the program with w's filter and
 * context; cols: the output's columns when they are fixed (CSV), NULL.
 */
static void
read_chunk(struct par_worker *w, struct chunk *c, char **cols, size_t ncols)
{
	struct par *p = w->p;
	struct reader *rd = rd_span(c->name, c->fmt, c->in.p, c->in.n);
	struct rec *r;
	enum rd_status st;
	size_t end;

	chunk_clear(c);
	if (c->fmt == FMT_CSV) {
		csv_reader_columns(rd, c->cols, c->ncols);
		if (p->f->plain_cells)
			csv_reader_plain(rd);
	}
	w->c = c;
	w->wrote = 0;
	w->o = out_mem(&c->out);
	w->w = wr_open(w->o, p->ofmt);
	if (cols != NULL)
		wr_columns(w->w, (const char *const *)cols, ncols);
	while ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD) {
		w->first = 1;
		if (st == RD_BAD) {
			struct rej_reason why = { "parse", r->err, NULL };

			filter_reject(&w->wf, r, &why, 1);
			if (rd->span_last > 0) {
				/* Its lines are said again, the input's. */
				c->ev[c->nev - 1].span_last = rd->span_last;
				c->ev[c->nev - 1].span_why = copy_str(&c->mem,
				    rd->span_why);
			}
		} else {
			p->each(&w->wf, r, w->ctx);
		}
		if (w->first)	/* it asked nothing */
			add_ev(w, EV_NONE);
	}
	if (p->f->chunk_end != NULL) {
		w->first = 0;	/* what it asks is no record's */
		p->f->chunk_end(&w->wf, w->ctx);
	}
	c->lines = rd->line;
	rd_close(rd);
	/* What the writer would add at its close (a header alone) is not
	   the chunk's. */
	out_flush(w->o);
	end = c->out.n;
	wr_close(w->w);
	out_close(w->o);
	c->out.n = end;
	w->w = NULL;
	w->o = NULL;
	w->c = NULL;
}

/*
 * CSV output whose columns are not fixed yet: the first record written
 * fixes them (the writer takes its names), and a thread cannot know
 * which that is while the chunks before the next are not replayed.  So
 * until then a chunk waits for those before it; after, the threads
 * write under the columns fixed.  A program that writes only at the end
 * (f->only_finish) never waits.  (Called with the lock held.)
 */
static int
held(const struct par *p)
{
	return p->ofmt == FMT_CSV && p->cols == NULL && !p->f->only_finish &&
	    p->taken > p->emitted;
}

static void *
worker_main(void *arg)
{
	struct par_worker *w = arg;
	struct par *p = w->p;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct chunk *c;
		char **cols;
		size_t ncols;

		while (!p->quit && (p->taken == p->submitted || held(p)))
			pthread_cond_wait(&p->work, &p->mu);
		if (p->taken == p->submitted)
			break;
		c = &p->ring[p->taken++ % p->nring];
		cols = p->cols;
		ncols = p->ncols;
		pthread_mutex_unlock(&p->mu);
		read_chunk(w, c, cols, ncols);
		pthread_mutex_lock(&p->mu);
		c->done = 1;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- the replay, in input order, on this thread ---- */

static int
same_cols(const char *const *a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/* The output's columns are fixed: the threads write under them. */
static void
publish_cols(struct par *p, const char *const *cols, size_t n)
{
	char **copy;

	if (p->cols != NULL)
		return;
	copy = ecalloc(n ? n : 1, sizeof *copy);
	for (size_t i = 0; i < n; i++)
		copy[i] = estrdup(cols[i]);
	pthread_mutex_lock(&p->mu);
	p->cols = copy;
	p->ncols = n;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

static void
worker_init(struct par *p, struct par_worker *w)
{
	w->p = p;
	w->wf.co = p->f->co;
	w->wf.pw = w;
	w->wf.where = where_copy(p->f->where);
	w->ctx = p->f->worker_new(p->ctx);
}

static void
worker_done(struct par *p, struct par_worker *w)
{
	p->f->worker_free(w->ctx, p->ctx);
	where_free(w->wf.where);
}

/* The first record written: the header first, unless it is out. */
static void
put_header(struct par *p, struct chunk *c)
{
	size_t n;
	int done;
	const char *const *cols = wr_header(p->f->w, &n, &done);

	if (done) {
		/* Only a record filter_later() wrote in the same chunk,
		   first, could have fixed other columns. */
		if (!same_cols(cols, n, c->ocols, c->nocols))
			fatal(1, "internal error: records written under "
			    "other columns");
		return;
	}
	out_write(p->f->out, c->out.p, c->hdr);
	wr_columns_written(p->f->w, (const char *const *)c->ocols,
	    c->nocols);
	publish_cols(p, (const char *const *)c->ocols, c->nocols);
}

/* Replay c through the filter. */
static void
emit(struct par *p, struct chunk *c)
{
	struct filter *f = p->f;
	struct rec place;	/* lent to an event that kept a place */
	char span[256];		/* a bad record's message, its lines the
				   input's */
	size_t skip = 0;
	int headed = 0;

	rec_init(&place);
	for (size_t i = 0; i < c->nev; i++) {
		struct ev *e = &c->ev[i];
		struct rec *r = e->r;

		if (e->first > 0) {
			if (f->stop || stop_requested)
				break;
			f->t.in += e->first;
			progress_tick(&f->pg, f->t.in);
		}
		if (e->place) {
			place.src = e->src;
			place.line = e->line + p->line;
			r = &place;
		} else if (r != NULL) {
			r->line += p->line;
		}
		if (e->o != NULL)
			e->o->line += p->line;
		if (skip > 0) {
			skip--;
			continue;
		}
		switch (e->kind) {
		case EV_NONE:
			break;
		case EV_PUT:
			if (!headed && c->hdr > 0)
				put_header(p, c);
			headed = 1;
			out_write(f->out, c->out.p + e->a, e->b - e->a);
			if (out_failed(f->out))
				f->stop = 1;
			else
				f->t.out += e->first > 0 ? e->first : 1;
			break;
		case EV_REFUSED:
			rej_one(f->rj, r, "output", e->msg);
			f->t.rejected++;
			if (f->reasons != NULL)
				counts_add(f->reasons, "output", 1);
			break;
		case EV_REJECT:
			if (e->span_last > 0) {
				rd_span_message(span, sizeof span, e->span_why,
				    r->line, e->span_last + p->line);
				e->why[0].message = span;
			}
			filter_reject(f, r, e->why, e->nwhy);
			break;
		case EV_DUP:
			filter_duplicate(f, r, e->msg);
			break;
		case EV_FILTERED:
			f->t.filtered++;
			break;
		case EV_KEPT:
			f->t.out += e->first > 0 ? e->first : 1;
			break;
		case EV_UNIQUE:
			if (!strset_add(f->seen, e->key, e->keyn)) {
				filter_duplicate(f, r, e->msg);
				skip = e->nsub;
			}
			break;
		case EV_LATER:
			f->later(f, r, e->o, e->key, e->keyn, f->ctx);
			break;
		case EV_LATERS:
			place.src = e->src;
			for (size_t k = e->a; k < e->b; k++) {
				const struct later *l = &c->laters[k];

				if (f->stop || stop_requested) {
					/* As at any record: those not
					   reached are not in. */
					f->t.in -= e->b - k;
					break;
				}
				place.line = l->line + p->line;
				f->later(f, &place, NULL, c->later_keys.p +
				    l->off, l->n, f->ctx);
			}
			break;
		}
	}
	p->line += c->lines;
}

/* One more chunk submitted or replayed: the threads may take one. */
static void
step(struct par *p, uint64_t *count)
{
	pthread_mutex_lock(&p->mu);
	(*count)++;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* Wait for the oldest chunk, replay it, free its place. */
static void
emit_oldest(struct par *p)
{
	struct chunk *c = &p->ring[p->emitted % p->nring];

	pthread_mutex_lock(&p->mu);
	while (!c->done)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	emit(p, c);
	chunk_clear(c);
	c->in.n = 0;
	c->done = 0;	/* free for the next (the threads see it after
			   step(), under the lock) */
	if (p->ofmt == FMT_CSV && p->cols == NULL) {
		/* A record written (filter_later's) fixed the columns? */
		size_t n;
		int done;
		const char *const *cols = wr_header(p->f->w, &n, &done);

		if (cols != NULL)
			publish_cols(p, cols, n);
	}
	step(p, &p->emitted);
}

static void
drain(struct par *p)
{
	while (p->emitted < p->submitted)
		emit_oldest(p);
}

/* ---- cutting the input ---- */

/* Hand stage[0..n), whole records, to the threads. */
static void
submit(struct par *p, size_t n)
{
	struct chunk *c;
	struct buf t;

	if (n == 0)
		return;
	if (p->submitted - p->emitted == p->nring)
		emit_oldest(p);
	c = &p->ring[p->submitted % p->nring];
	/* The stage becomes the chunk; what follows moves on. */
	t = c->in;
	c->in = p->stage;
	p->stage = t;
	p->stage.n = 0;
	buf_add(&p->stage, c->in.p + n, c->in.n - n);
	c->in.n = n;
	c->name = rd_name(p->rd);
	c->fmt = rd_format(p->rd);
	c->cols = NULL;
	c->ncols = 0;
	if (p->hdr != NULL)
		c->cols = rd_columns(p->hdr, &c->ncols);
	p->scanned -= n;
	p->cut = 0;
	step(p, &p->submitted);
}

/* Find the records' end in what came since the last look. */
static void
scan(struct par *p)
{
	struct buf *s = &p->stage;
	size_t end = 0;

	if (s->n == p->scanned)
		return;
	if (rd_format(p->rd) == FMT_CSV) {
		end = csv_cut(s->p, p->scanned, s->n, &p->st);
	} else {
		const char *nl = memrchr(s->p + p->scanned, '\n',
		    s->n - p->scanned);

		end = nl != NULL ? (size_t)(nl - s->p) + 1 : 0;
	}
	if (end > 0)
		p->cut = end;
	p->scanned = s->n;
	/* The reader cuts a record this long short as it goes: the rest
	   of the input is for it alone. */
	if (s->n - p->cut > src_max_line)
		p->too_long = 1;
}

/* Does more of a pipe's input come within ms milliseconds (or its end)? */
static int
input_within(const struct par *p, int ms)
{
	struct pollfd pfd = { .fd = p->rd->src.fd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

/*
 * Before a read waits (a pipe): what came goes on, handled (live.h).
 * But a writer about as fast as the threads leaves the pipe empty for a
 * moment at a time: replaying every chunk at each such moment would
 * leave the threads one small chunk at a time, waiting for each other.
 * So when more comes within GRACE_MS, the wait was no wait: read on;
 * what is held goes on as the ring fills, at a real wait, or once it
 * has been held HOLD_SECONDS (a steady trickle faster than the grace).
 */
enum { GRACE_MS = 5 };
#define HOLD_SECONDS 0.05

static void
on_wait(void *arg)
{
	struct par *p = arg;
	double now;

	if (p->cut == 0 && p->emitted == p->submitted)
		return;		/* nothing held */
	now = now_seconds();
	if (p->held_since == 0)
		p->held_since = now;
	if (now - p->held_since < HOLD_SECONDS && input_within(p, GRACE_MS))
		return;
	submit(p, p->cut);
	drain(p);
	p->held_since = 0;
}

/* More bytes onto the stage; 0 at the end of input (or a failure). */
static int
take(struct par *p)
{
	return src_take(&p->rd->src, &p->stage) > 0;
}

/*
 * A CSV input's header: its first record, read by a reader of its own
 * (which reports it renamed or malformed as the input's would).  0, or
 * -1 when the input has no header it can read (it ends there).
 */
static int
read_header(struct par *p)
{
	enum csv_cut_state st = CUT_BETWEEN;
	size_t from = 0, end = 0;
	int content = 0, more = 1;
	struct rec *r;

	while (end == 0) {
		while (end == 0 && from < p->stage.n) {
			const char *b = p->stage.p;
			const char *nl = memchr(b + from, '\n',
			    p->stage.n - from);
			size_t k = nl != NULL ? (size_t)(nl - b) + 1 : 0;

			if (k == 0)
				break;
			for (size_t i = from; i < k && !content; i++)
				content = b[i] != '\n' && b[i] != '\r';
			if (csv_cut(b, from, k, &st) == k && content)
				end = k;
			from = k;
		}
		if (end > 0)
			break;
		if (p->stage.n > src_max_line) {
			p->too_long = 1;	/* the reader's to cut short */
			return 0;
		}
		if (!more) {
			end = p->stage.n;	/* the input ends in it */
			break;
		}
		more = take(p);
	}
	p->hdr = rd_span(rd_name(p->rd), FMT_CSV, p->stage.p, end);
	if (rd_next(p->hdr, &r) == RD_ERR)
		return -1;
	p->line = p->hdr->line;
	/* The header's bytes are read: the stage goes on after them. */
	if (end > 0) {
		memmove(p->stage.p, p->stage.p + end, p->stage.n - end);
		p->stage.n -= end;
	}
	scan(p);
	return 0;
}

/*
 * The rest of the input on this thread, from the last cut: the bytes
 * staged put back before the reader's, its lines counted on, its
 * header the one read.
 */
static void
read_rest(struct par *p, int *have_cols)
{
	struct reader *rd = p->rd;
	struct src *s = &rd->src;
	size_t n = p->stage.n, left = s->len - s->pos;

	if (s->cap < n + left) {
		s->cap = n + left;
		s->buf = erealloc(s->buf, s->cap);
	}
	memmove(s->buf + n, s->buf + s->pos, left);
	memcpy(s->buf, p->stage.p, n);
	s->pos = 0;
	s->len = n + left;
	p->stage.n = 0;
	rd->line = p->line;
	if (p->hdr != NULL) {
		size_t ncols;
		const char *const *cols = rd_columns(p->hdr, &ncols);

		if (cols != NULL)
			csv_reader_columns(rd, cols, ncols);
	}
	filter_read(p->f, rd, p->each, p->ctx, have_cols);
}

/* One input, its records cut into chunks for the threads. */
static void
read_input(struct par *p, struct reader *rd, int *have_cols)
{
	struct filter *f = p->f;
	/* A pipe's records go on as they come (on_wait). */
	int live = !rd->src.regular, more = 1;

	p->rd = rd;
	p->hdr = NULL;
	p->stage.n = p->cut = p->scanned = 0;
	p->st = CUT_BETWEEN;
	p->line = 0;
	p->too_long = 0;
	p->held_since = 0;
	if (live)
		live_hold(on_wait, p);
	if (rd_format(rd) == FMT_CSV && read_header(p) < 0) {
		/* As one thread: the input ends at a header it cannot read. */
		rd->failed = 1;
		more = 0;
	}
	if (more && p->hdr != NULL && f->keep_columns && !*have_cols) {
		size_t n;
		const char *const *cols = rd_columns(p->hdr, &n);

		if (cols != NULL) {
			wr_columns(f->w, cols, n);
			*have_cols = 1;
			if (p->ofmt == FMT_CSV)
				publish_cols(p, cols, n);
		}
	}
	while (more && !p->too_long && !f->stop && !stop_requested) {
		more = take(p);
		scan(p);
		if (p->cut >= p->chunk_bytes)
			submit(p, p->cut);
	}
	/* The end of input: the last records (the last may have no line
	   end). */
	if (!more && !p->too_long && !f->stop && !stop_requested)
		submit(p, p->stage.n);
	drain(p);
	if (live)
		live_release(on_wait, p);
	if (p->too_long && !f->stop && !stop_requested) {
		read_rest(p, have_cols);
	} else {
		/* The header is the input's for want_header. */
		if (p->hdr != NULL) {
			size_t n;
			const char *const *cols = rd_columns(p->hdr, &n);

			if (cols != NULL)
				csv_reader_columns(rd, cols, n);
		}
		filter_input_done(f, rd, have_cols);
	}
	if (p->hdr != NULL)
		rd_close(p->hdr);
	p->hdr = NULL;
}

void
par_read(struct filter *f, char **inputs, int n, filter_fn each, void *ctx,
    int jobs, int *have_cols)
{
	struct par p = { .f = f, .each = each, .ctx = ctx, .jobs = jobs };

	p.chunk_bytes = chunk_bytes();
	p.nring = (size_t)jobs * 2;
	p.ring = lines_alloc(p.nring, sizeof *p.ring);
	p.wk = lines_alloc((size_t)jobs, sizeof *p.wk);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	for (int i = 0; i < n && !f->stop; i++) {
		struct reader *rd = filter_open_input(f, inputs[i]);

		if (rd == NULL)
			continue;
		if (p.wk[0].p == NULL) {
			/* The output is open: its format is known. */
			p.ofmt = f->co->out_fmt ? f->co->out_fmt :
			    rd_format(rd);
			for (int k = 0; k < jobs; k++) {
				worker_init(&p, &p.wk[k]);
				if (thread_start(&p.wk[k].th, worker_main,
				    &p.wk[k]) != 0)
					fatal(1, "cannot start a thread");
			}
		}
		read_input(&p, rd, have_cols);
	}
	pthread_mutex_lock(&p.mu);
	p.quit = 1;
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.mu);
	for (int k = 0; k < jobs && p.wk[0].p != NULL; k++) {
		pthread_join(p.wk[k].th, NULL);
		worker_done(&p, &p.wk[k]);
	}
	for (size_t i = 0; i < p.nring; i++)
		chunk_free(&p.ring[i]);
	for (size_t i = 0; i < p.ncols; i++)
		free(p.cols[i]);
	free(p.cols);
	free(p.ring);
	free(p.wk);
	buf_free(&p.stage);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.work);
	pthread_cond_destroy(&p.done);
}
