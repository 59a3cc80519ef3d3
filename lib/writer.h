/*
 * writer.h - records to an out stream as CSV or JSON Lines.
 *
 * CSV: the header is the first record's field names (or wr_columns());
 * later records are matched to it by name, so field order may differ, and
 * a missing field is written empty (null).  A field the header does not
 * have cannot be written: wr_put() returns WR_SKIP with the reason in
 * wr_error(), and the caller diverts the record.  Cells are quoted only
 * where needed: a delimiter, quote, CR or LF inside, or the empty string
 * (an empty unquoted cell is null).
 *
 * JSON Lines: one object per record, fields in order.  Untyped CSV text
 * becomes a JSON boolean or number when it is spelled as one (jw_text).
 */
#ifndef SLUICE_WRITER_H
#define SLUICE_WRITER_H

#include "out.h"
#include "reader.h"
#include "rec.h"

enum wr_status {
	WR_OK = 0,
	WR_SKIP = 1,	/* record not written: see wr_error() */
	WR_ERR = -1	/* the output failed (reported) */
};

struct writer;

/* A writer over o (not owned: the caller closes o after wr_close()). */
struct writer *wr_open(struct out *o, enum fmt fmt);

/* CSV: fix the header to these columns (copied) before the first record. */
void wr_columns(struct writer *w, const char *const *names, size_t n);

/*
 * CSV: the header of these columns is out already (another writer's
 * bytes, copied in: -j's threads write their rows apart); the records
 * that follow go under it, and none writes it again.
 */
void wr_columns_written(struct writer *w, const char *const *names,
    size_t n);

/*
 * CSV: the columns fixed so far (NULL: none yet; *n gets their number),
 * and in *written whether their header is out.
 */
const char *const *wr_header(const struct writer *w, size_t *n,
    int *written);

/* Write one record. */
enum wr_status wr_put(struct writer *w, const struct rec *r);

/* Why the last wr_put() returned WR_SKIP. */
const char *wr_error(const struct writer *w);

/*
 * Finish: a CSV writer whose columns are known but wrote no record writes
 * the header alone.  Frees w.  Returns 0, or -1 when the output failed.
 */
int wr_close(struct writer *w);

#endif
