/*
 * par.h - -j N: one input read by N threads, its output as one thread's.
 *
 * This thread reads the input (gzip inflated here) and cuts it into
 * chunks of about a MiB at record boundaries: JSON Lines at a newline,
 * CSV at a line break outside quotes, found as the CSV reader would
 * find it (csv_cut.c).  Each chunk carries its input's name and header;
 * a thread reads it with a reader of its own and hands each record to
 * the program's each() with a filter of its own, whose calls are kept
 * with the chunk: clean records as the output writes them, diverted ones
 * as copies.  Then, strictly in chunk order, this thread replays them
 * through the real filter: the output's bytes, the rejects (their line
 * numbers made the input's), the counts, the messages, and what needs
 * the records before (filter_unique's keys, filter_later's step).
 * At most two chunks a thread are in flight: memory stays bounded.
 *
 * A record longer than SLUICE_MAX_LINE_BYTES, which the reader cuts
 * short as it goes, makes the rest of its input read on this thread.
 * A pipe that pauses has what came so far handled and sent on before
 * the read waits (live.h), as one thread does.  SLUICE_CHUNK_BYTES
 * sets the chunks' size (for tests: a small input cut into many).
 */
#ifndef SLUICE_PAR_H
#define SLUICE_PAR_H

#include "filter.h"

/* filter_run()'s loop over inputs[0..n) with jobs threads. */
void par_read(struct filter *f, char **inputs, int n, filter_fn each,
    void *ctx, int jobs, int *have_cols);

/* A thread's filter's calls (filter.c sends them here): kept with its
   chunk, replayed in order. */
void par_put(struct par_worker *w, const struct rec *o);
void par_reject(struct par_worker *w, const struct rec *r,
    const struct rej_reason *why, size_t n);
void par_duplicate(struct par_worker *w, const struct rec *r,
    const char *message);
void par_filtered(struct par_worker *w);
void par_kept(struct par_worker *w);
void par_unique(struct par_worker *w, struct filter *wf, const struct rec *r,
    const struct rec *o, const void *key, size_t n, const char *message);
void par_later(struct par_worker *w, struct rec *r, struct rec *o,
    const void *key, size_t n);
struct buf *par_chunk_buf(struct par_worker *w);

/*
 * Where a CSV reader would be, byte by byte, for cutting at record
 * boundaries (csv_cut.c): between records, or in a cell as RFC 4180
 * reads it, a malformed record read on as a lenient reader would
 * (csv_read.c's recovery), which ends records where the strict reader
 * and its recovery do.
 */
enum csv_cut_state { CUT_BETWEEN, CUT_START, CUT_TEXT, CUT_QUOTED,
	CUT_QUOTE };

/*
 * Scan b[from..n) on from *st.  Returns the offset just past the last
 * record boundary in it (a line feed that ends a record, or a blank
 * line's), or 0 when there is none; *st is where the scan ended.  To go
 * on when more bytes come, scan again from the boundary returned (the
 * state there is CUT_BETWEEN), or, with 0, from where this one began.
 */
size_t csv_cut(const char *b, size_t from, size_t n, enum csv_cut_state *st);

#endif
