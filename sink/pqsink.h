/*
 * pqsink.h - parquet-sink's engine, all of it but main(): records routed
 * to their partitions (or the one file), each partition's rows buffered
 * into row groups and its files rolled, at most so many open at once;
 * the first rows held until the columns' types are known; and the end,
 * where the files are finished and, in overwrite mode, each partition
 * swapped in whole.  Where the files go is parts.c's (sink.h).
 */
#ifndef SLUICE_PQSINK_H
#define SLUICE_PQSINK_H

#include "names.h"
#include "parquet/pq.h"

/*
 * One partition (or the whole output): its columns, the rows of the row
 * group being built, and its file.  The file is opened when its first
 * row group is full, or at its end, so partitions of less than a row
 * group hold no file open until they are written one after another.
 */
struct part {
	char *value;		/* the partition's folder name, "col=v" */
	char *dir;		/* where its files go now */
	char *final_dir;	/* overwrite: where they go at the end */
	struct pq_col *cols;
	struct pq_file *f;	/* the file being written, or NULL */
	uint64_t file_rows;	/* rows of that file, written and buffered */
	double opened;		/* when its first row came */
	uint64_t used;		/* the sink's tick at its last row */
	uint64_t rows_done;	/* rows in its finished files */
	unsigned long files_done;
};

/* Where the fields of a layout of records go, and a record's values
   converted: the sink's own, and each -j thread's. */
struct pq_view {
	int *from;		/* column -> input field */
	int stray;		/* a field with no column, or -1 */
	int pidx;		/* the partition column in the input, or -1 */
	uint64_t layout;	/* the layout they are for */
	struct col_val *conv;	/* the values converted */
	char msg[256];		/* why one would not convert */
};

/* The sink: its options, set before pqs_start() (and max_open, filter,
   broken: by the program), then what the engine keeps. */
struct pqsink {
	const char *output, *dir, *pcol;
	int append;
	long long roll_rows;
	double roll_seconds;
	long long rg_rows;
	enum pq_codec codec;
	int dict_later;		/* -j: dictionaries made by the thread that
				   encodes a row group (pq_col_dict) */
	const struct schema *sc;
	/* The columns: names and kinds, fixed from the first row group. */
	char **names;
	enum col_kind *kinds;
	int *scales;
	int *fixed;		/* kind known from the schema */
	size_t ncols;
	int typed;		/* all kinds known */
	int ready;		/* -j: and the columns fixed (atomic: the
				   threads convert records from then on) */
	struct pq_rows *runs;	/* -j: a chunk's rows, read back */
	struct held pending;	/* the first rows, before their types are
				   known */
	struct part **parts;
	size_t nparts;
	struct names colix;	/* column name -> index in names */
	struct names partix;	/* folder name -> index in parts */
	size_t nopen;		/* files open */
	size_t max_open;	/* at most: then the least recently used
				   one is finished, and its partition's
				   next rows go into a new part file */
	uint64_t tick;		/* rows put so far */
	char *stage;		/* overwrite: the staging folder */
	char run_id[32];
	unsigned long files;	/* part files begun (their numbers) */
	/* What readers can see: rows and files put in place. */
	uint64_t pub_rows;
	unsigned long pub_files;
	size_t swapped;		/* overwrite: partitions replaced */
	int stopped;		/* SIGINT/SIGTERM before the end */
	int broken;		/* an input was not read whole */
	struct pq_view v;
	char msg[256];
	int failed;
	struct part *last;	/* the partition of the record before */
	struct filter *filter;	/* the record loop (for the idle hook) */
	struct buf esc, scratch;
};

/*
 * Before the first record (s's options set): the run's id, what killed
 * runs left in the output's folder removed, and in overwrite mode the
 * staging folder made beside -d's.  0, or -1 (reported).
 */
int pqs_start(struct pqsink *s);

/* The record loop's steps (filter_run's each and finish, ctx s): one
   record; the rows still held after the last. */
void pqs_each(struct filter *f, struct rec *r, void *ctx);
void pqs_last_rows(struct filter *f, void *ctx);

/* A record that passed --where, taken as pqs_each takes it. */
void pqs_take(struct filter *f, struct rec *r, struct pqsink *s);

/* v for s's columns (fixed), and let go of it. */
void pqs_view_init(const struct pqsink *s, struct pq_view *v);
void pqs_view_free(const struct pqsink *s, struct pq_view *v);

/* r's values, converted into v's, a value for each of s's columns: 0,
   or -1 when r is rejected (through f) for a field the file has no
   column for or a value its column's kind cannot take. */
int pqs_convert(struct filter *f, const struct pqsink *s, struct pq_view *v,
    struct rec *r);

/* Rows gathered by another thread, a run for each column (ncols of
   them, none of -p), appended to the file's row groups as pqs_each would
   put them one by one.  0, or -1 when a file failed. */
int pqs_put_runs(struct pqsink *s, struct pq_rows *runs);

/*
 * -j N (pqjobs.c; not with -p): the threads convert their chunks'
 * records once the columns and their kinds are fixed, gathering each
 * chunk's rows into columns of their own, which this thread appends in
 * input order (pqs_later); before then, the records themselves come
 * back to this thread, to be held or put as one thread does.
 */
void *pqs_worker_new(void *ctx);
void pqs_worker_free(void *wctx, void *ctx);
void pqs_worker_each(struct filter *f, struct rec *r, void *wctx);
void pqs_chunk_end(struct filter *wf, void *wctx);
void pqs_later(struct filter *f, struct rec *r, struct rec *o,
    const void *key, size_t keyn, void *ctx);

/* On the clock (src_on_clock, ctx s) with --roll-time: files open that
   long closed.  The milliseconds to the next look. */
int pqs_roll_clock(void *ctx);

/*
 * The end: the last row groups written, every file finished, partitions
 * swapped in -- or, after a stop or an input not read whole in overwrite
 * mode and with -o, nothing published.
 */
void pqs_finish(struct pqsink *s, struct filter *f);

/* After a stop or a failure: say what readers see now. */
void pqs_tell_kept(const struct pqsink *s, const struct filter *f);

/* Let go of everything s holds. */
void pqs_free(struct pqsink *s);

#endif
