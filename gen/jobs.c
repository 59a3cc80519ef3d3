/*
 * jobs.c - schema-gen -j N: a day's records made by N threads, a block
 * of record numbers each, and written in order, so the output is one
 * thread's byte for byte: every record is a pure function of the day
 * and its number (gen.h), and only where the day ends (a GEN_EXACT
 * day's last record, whose copy would be one too many) is said here,
 * as gen_next() says it.  Sessions make records depend on those before
 * them: such a schema is made on one thread (gen_sequential()).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "sluice.h"

enum { BLOCK = 8192 };	/* record numbers a block: enough that handing
				   blocks over costs little, few enough that
				   the ring's memory stays a few MiB */

/* What a thread made of one record number. */
struct made {
	size_t end;		/* its bytes end here */
	size_t copy_end;	/* and its injected copy's (= end: none) */
	int anomaly;		/* an anomaly was injected */
	int carries;		/* it has a copy after it */
};

struct block {
	uint64_t from, to;	/* record numbers */
	struct buf out;		/* the records as written */
	struct made *m;
	size_t nm, capm;
	int done;
};

struct gen_jobs {
	const struct schema *s;
	enum fmt fmt;
	int jobs;
	pthread_t *th;
	struct maker *mk;	/* [jobs] */
	struct block *ring;
	size_t nring;
	uint64_t submitted, taken, emitted;
	int64_t day;		/* the day being made */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	int quit;
	const char **names;	/* the records' fields */
	struct buf hdr;		/* CSV: their header, as the writer writes it;
				   the threads' writers write none */
};

/* A thread's: kept from block to block, so a run allocates no more
   for more records. */
struct maker {
	struct gen_jobs *gj;
	struct generator *g;
	struct buf none;	/* where o writes between blocks */
	struct out *o;		/* onto the block's bytes */
	struct writer *w;
	struct rec r;		/* written every record: */
	char apart[64];		/* not on a cache line of the next maker's */
};

/* Bytes made so far: those on the block and those the output holds. */
static size_t
made_bytes(const struct maker *mk, const struct block *b)
{
	return b->out.n + mk->o->n;
}

/*
 * Make block b's records.  What changes a record (the count, the ends)
 * is kept in locals and stored at the end: the blocks lie side by side
 * in the ring, and two threads writing next to each other would make
 * their cores pass one cache line to and fro.
 */
static void
make_block(struct maker *mk, struct block *b)
{
	struct anomaly a;
	struct made *m = b->m;
	size_t nm = 0, capm = b->capm;
	int dup;

	b->out.n = 0;
	mk->o->mem = &b->out;
	gen_block(mk->g, mk->gj->day, b->from, b->to);
	while (gen_next(mk->g, &mk->r, -1, &dup, &a)) {
		wr_put(mk->w, &mk->r);
		if (dup) {
			m[nm - 1].carries = 1;
			m[nm - 1].copy_end = made_bytes(mk, b);
			continue;
		}
		if (nm == capm) {
			capm = capm ? capm * 2 : 2 * BLOCK;
			m = erealloc(m, capm * sizeof *m);
		}
		m[nm].end = m[nm].copy_end = made_bytes(mk, b);
		m[nm].anomaly = a.kind != NULL;
		m[nm].carries = 0;
		nm++;
	}
	out_flush(mk->o);
	mk->o->mem = &mk->none;
	b->m = m;
	b->nm = nm;
	b->capm = capm;
}

static void *
thread_main(void *arg)
{
	struct maker *mk = arg;
	struct gen_jobs *gj = mk->gj;

	pthread_mutex_lock(&gj->mu);
	for (;;) {
		struct block *b;

		while (!gj->quit && gj->taken == gj->submitted)
			pthread_cond_wait(&gj->work, &gj->mu);
		if (gj->taken == gj->submitted)
			break;
		b = &gj->ring[gj->taken++ % gj->nring];
		pthread_mutex_unlock(&gj->mu);
		make_block(mk, b);
		pthread_mutex_lock(&gj->mu);
		b->done = 1;
		pthread_cond_broadcast(&gj->done);
	}
	pthread_mutex_unlock(&gj->mu);
	return NULL;
}

struct gen_jobs *
gen_jobs_new(const struct schema *s, uint64_t seed, int jobs, enum fmt fmt)
{
	struct gen_jobs *gj = ecalloc(1, sizeof *gj);
	char err[256];

	gj->s = s;
	gj->fmt = fmt;
	gj->jobs = jobs;
	gj->nring = (size_t)jobs * 2;
	gj->ring = ecalloc(gj->nring, sizeof *gj->ring);
	gj->th = ecalloc((size_t)jobs, sizeof *gj->th);
	gj->mk = ecalloc((size_t)jobs, sizeof *gj->mk);
	gj->names = ecalloc(s->nfields + 1, sizeof *gj->names);
	for (size_t i = 0; i < s->nfields; i++)
		gj->names[i] = s->fields[i].name;
	pthread_mutex_init(&gj->mu, NULL);
	pthread_cond_init(&gj->work, NULL);
	pthread_cond_init(&gj->done, NULL);
	if (fmt == FMT_CSV) {
		struct out *o = out_mem(&gj->hdr);
		struct writer *w = wr_open(o, FMT_CSV);

		wr_columns(w, gj->names, s->nfields);
		wr_close(w);	/* the header alone */
		out_close(o);
	}
	for (int k = 0; k < jobs; k++) {
		struct maker *mk = &gj->mk[k];

		mk->gj = gj;
		/* The schema compiled before: it compiles again. */
		if ((mk->g = gen_new(s, seed, err, sizeof err)) == NULL)
			fatal(2, "%s", err);
		mk->o = out_mem(&mk->none);
		mk->w = wr_open(mk->o, fmt);
		if (fmt == FMT_CSV)
			wr_columns_written(mk->w, gj->names, s->nfields);
		rec_init(&mk->r);
		if (thread_start(&gj->th[k], thread_main, mk) != 0)
			fatal(1, "cannot start a thread");
	}
	return gj;
}

/* Write what b's first records say, as one thread would have; *made
   counts the day's records, n its share (exact: GEN_EXACT's). */
static int
emit(struct gen_jobs *gj, struct block *b, struct writer *w, struct out *o,
    int exact, uint64_t n, uint64_t *made, struct gen_tally *t)
{
	size_t from = 0, ncols;	/* bytes from here on are not written yet */
	size_t upto = 0;	/* those written are up to here */
	int written;

	if (b->nm == 0)
		return 0;
	if (gj->fmt == FMT_CSV && (wr_header(w, &ncols, &written), !written)) {
		out_write(o, gj->hdr.p, gj->hdr.n);
		wr_columns_written(w, gj->names, gj->s->nfields);
	}
	for (size_t i = 0; i < b->nm; i++) {
		const struct made *m = &b->m[i];

		if (exact && *made >= n)
			break;
		upto = m->end;
		t->records++;
		if (m->carries && !(exact && n - *made < 2)) {
			/* Its copy: there is room for it. */
			upto = m->copy_end;
			t->anomalies++;
			t->duplicates++;
			t->records++;
			(*made)++;
		} else if (m->anomaly && !m->carries) {
			t->anomalies++;
		}
		(*made)++;
		if (upto < m->copy_end) {	/* its copy left out */
			out_write(o, b->out.p + from, upto - from);
			from = m->copy_end;
		}
	}
	/* The records in a row, in one write. */
	if (upto > from)
		out_write(o, b->out.p + from, upto - from);
	return out_failed(o) ? -1 : 0;
}

int
gen_jobs_day(struct gen_jobs *gj, struct generator *g, struct writer *w,
    struct out *o, int64_t day, uint64_t n, enum gen_count how,
    struct gen_tally *t)
{
	int exact = how == GEN_EXACT, rc = 0;
	/* Record numbers: a GEN_A_DAY day's are its records (copies on
	   top); a GEN_EXACT day's are at most n (copies among them). */
	uint64_t numbers = exact ? n :
	    (uint64_t)llround((double)n * gen_day_weight(g, day));
	uint64_t next = 0, made = 0;

	gj->day = day;
	while (rc == 0 && (gj->emitted < gj->submitted || next < numbers)) {
		struct block *b;

		if (next < numbers && gj->submitted - gj->emitted <
		    gj->nring && !(exact && made >= n)) {
			b = &gj->ring[gj->submitted % gj->nring];
			b->from = next;
			b->to = next + BLOCK < numbers ? next + BLOCK : numbers;
			next = b->to;
			b->done = 0;
			pthread_mutex_lock(&gj->mu);
			gj->submitted++;
			pthread_cond_signal(&gj->work);
			pthread_mutex_unlock(&gj->mu);
			continue;
		}
		b = &gj->ring[gj->emitted % gj->nring];
		pthread_mutex_lock(&gj->mu);
		while (!b->done)
			pthread_cond_wait(&gj->done, &gj->mu);
		pthread_mutex_unlock(&gj->mu);
		gj->emitted++;
		if (!(exact && made >= n))
			rc = emit(gj, b, w, o, exact, n, &made, t);
		if (exact && made >= n)
			next = numbers;	/* the day is made */
	}
	/* Blocks still made (an output failure): waited for, dropped. */
	while (gj->emitted < gj->submitted) {
		struct block *b = &gj->ring[gj->emitted % gj->nring];

		pthread_mutex_lock(&gj->mu);
		while (!b->done)
			pthread_cond_wait(&gj->done, &gj->mu);
		pthread_mutex_unlock(&gj->mu);
		gj->emitted++;
	}
	return rc;
}

void
gen_jobs_free(struct gen_jobs *gj)
{
	pthread_mutex_lock(&gj->mu);
	gj->quit = 1;
	pthread_cond_broadcast(&gj->work);
	pthread_mutex_unlock(&gj->mu);
	for (int k = 0; k < gj->jobs; k++) {
		struct maker *mk = &gj->mk[k];

		pthread_join(gj->th[k], NULL);
		gen_free(mk->g);
		wr_close(mk->w);
		out_close(mk->o);
		buf_free(&mk->none);
		rec_free(&mk->r);
	}
	for (size_t i = 0; i < gj->nring; i++) {
		buf_free(&gj->ring[i].out);
		free(gj->ring[i].m);
	}
	pthread_mutex_destroy(&gj->mu);
	pthread_cond_destroy(&gj->work);
	pthread_cond_destroy(&gj->done);
	free(gj->ring);
	free(gj->th);
	free(gj->mk);
	free(gj->names);
	buf_free(&gj->hdr);
	free(gj);
}
