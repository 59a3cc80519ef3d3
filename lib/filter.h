/*
 * filter.h - the loop every record filter runs: each input in turn (stdin
 * when none), records handed to the program, malformed ones diverted,
 * output opened in the first input's format (or -f), the CSV header kept
 * when the program keeps columns, counts kept, the summary line printed
 * (and --stats written), the exit status decided.
 *
 *	struct filter f = { .co = &o.common };
 *	return filter_run(&f, argv, argc, each, &state);
 *
 * where each() calls filter_put(), filter_reject() or filter_duplicate()
 * for the record it is given, exactly once.
 *
 * With -j N (co->jobs, TAKES_JOBS) and worker_new set, N threads read and
 * handle the records (lib/par.h), each with a context of its own and a
 * filter of its own whose calls are kept and replayed here in input
 * order: the output, the rejects, the counts and messages are those of
 * one thread.  What needs the records before it -- a key seen before,
 * the newest time so far -- goes through filter_unique() or
 * filter_later(), which run in input order.
 */
#ifndef SLUICE_FILTER_H
#define SLUICE_FILTER_H

#include "counts.h"
#include "opts.h"
#include "out.h"
#include "progress.h"
#include "reject.h"
#include "where.h"
#include "writer.h"

struct filter {
	/* Set by the program: */
	const struct common_opts *co;
	const char *output;	/* NULL: stdout */
	int gzip;		/* compress the output */
	int atomic;		/* the output file appears whole at the end
				   (OUT_ATOMIC), or stays as it was when the
				   run fails or a stop signal (SIGINT,
				   SIGTERM) ends it before the end of input:
				   then the exit status is 1 */
	int keep_columns;	/* CSV header of the input fixes the output's */
	struct counts *reasons;	/* or NULL: the records each rule rejected
				   (a record once per rule) */
	int by_kind;		/* rejects summed up by rule at the end (the
				   first of each with its place), not shown
				   one by one; needs reasons */
	int own_summary;	/* the program prints its summary line */
	struct where *where;	/* --where, or NULL: see filter_keep() */
	int want_header;	/* keep the first input's CSV header: */
	char **header;		/* its names (free with filter_free_header) */
	size_t nheader;
	/* Called when the inputs are read, before the output is closed
	   (an aggregator writes its results here), or NULL: */
	void (*finish)(struct filter *f, void *ctx);
	int only_finish;	/* each() writes no record: finish or the
				   later step does (-j's threads need not wait
				   for the output's columns to be fixed) */
	/* -j: a thread's context, made like ctx (NULL: one thread). */
	void *(*worker_new)(void *ctx);
	/* Fold a thread's context into ctx (its counts) and free it. */
	void (*worker_free)(void *wctx, void *ctx);
	/* In a thread, after a chunk's last record, or NULL: what it
	   gathered of the chunk may go on (filter_later) to be taken in
	   input order. */
	void (*chunk_end)(struct filter *wf, void *wctx);
	/* filter_later()'s step, run on ctx in input order, or NULL. */
	void (*later)(struct filter *f, struct rec *r, struct rec *o,
	    const void *key, size_t keyn, void *ctx);
	int later_place_only;	/* it needs only r's place (for messages):
				   -j's threads copy no more */
	int later_reads_only;	/* it reads r and o, and changes neither:
				   -j's threads copy them into the chunk's
				   memory, not into records of their own */
	int plain_cells;	/* it writes the cells it reads again: a
				   CSV reader marks plain ones so
				   (csv_reader_plain) */
	struct strset *seen;	/* filter_unique()'s keys, or NULL */
	/* Kept by the loop: */
	struct tally t;
	struct rejects *rj;
	struct out *out;
	struct writer *w;
	struct progress pg;
	int status;		/* the exit status so far */
	int stop;		/* the output failed: stop reading */
	void *ctx;		/* filter_run()'s */
	struct par_worker *pw;	/* in a thread's filter: where its calls
				   are kept (lib/par.h); NULL otherwise */
};

struct par_worker;

/* Handles one good record: calls filter_put/reject/duplicate once. */
typedef void (*filter_fn)(struct filter *f, struct rec *r, void *ctx);

/*
 * Run the loop over inputs[0..n) (none: stdin).  Returns the exit status:
 * 0, or 1 when an input could not be read or the output failed (or, with
 * atomic, a stop signal came before the end of input).
 */
int filter_run(struct filter *f, char **inputs, int n, filter_fn each,
    void *ctx);

/*
 * Does r pass --where?  1 when it does (or there is none); 0 when it
 * does not: then it is counted filtered, or, when the expression cannot
 * be worked out for it, diverted with the reason (counted rejected).
 * (Without --where, a test and no call: it is on every record's path.)
 */
int filter_where(struct filter *f, const struct rec *r);

static inline int
filter_keep(struct filter *f, const struct rec *r)
{
	return f->where == NULL || filter_where(f, r);
}

/* Write r as a clean record (counted out; refused by the writer: diverted). */
void filter_put(struct filter *f, const struct rec *r);

/* A record the program took into its state instead of writing it (an
   aggregate's): counted out. */
void filter_kept(struct filter *f);

/* Divert r for these reasons (counted rejected). */
void filter_reject(struct filter *f, const struct rec *r,
    const struct rej_reason *why, size_t n);

/* Count r as a duplicate, and divert it with reason "duplicate". */
void filter_duplicate(struct filter *f, const struct rec *r,
    const char *message);

/*
 * o is r made clean, unless key[0..n) was seen before (f->seen): then r
 * is a duplicate (filter_duplicate() with message).  A new key is kept
 * and o goes on through --where (filter_keep) to filter_put().
 */
void filter_unique(struct filter *f, const struct rec *r, const struct rec *o,
    const void *key, size_t n, const char *message);

/* In a -j thread's filter, a buffer kept with the chunk being read until
   it is replayed, empty at first (NULL in any other filter): bytes in it
   go to filter_later() as its key without a copy. */
struct buf *filter_chunk_buf(struct filter *f);

/*
 * Hand r, the record o made of it and a key (or NULL) to f->later,
 * which finishes them in input order (with -j, after the records
 * before; r and o are then copies, or NULL when given NULL, and r only
 * its place with f->later_place_only).
 */
void filter_later(struct filter *f, struct rec *r, struct rec *o,
    const void *key, size_t n);

/*
 * For lib/par.c: open an input (and with the first, the output); NULL
 * when it cannot be (reported; f->status set, f->stop too when the
 * output could not be opened).  Then read its records on this thread,
 * from where the reader is, and close it.
 */
struct reader *filter_open_input(struct filter *f, const char *path);
void filter_read(struct filter *f, struct reader *rd, filter_fn each,
    void *ctx, int *have_cols);

/* The end of an input: its header kept (want_header, keep_columns),
   the reader closed. */
void filter_input_done(struct filter *f, struct reader *rd, int *have_cols);

/* Free what want_header kept. */
void filter_free_header(struct filter *f);

#endif
