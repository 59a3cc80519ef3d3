/*
 * out.h - an output as bytes: stdout or a file, plain or gzip, buffered,
 * with every write checked.  A file can be written atomically: it appears
 * under its name, complete, only when out_close() succeeds.  Any other
 * output is flushed whenever the program is about to wait (live.h), so
 * a reader downstream sees each record as it is made.
 *
 * A file whose name ends in ".gz" is written as gzip, as reading picks
 * gzip by the same name: -o x.csv.gz, --reject x.jsonl.gz, any output.
 * A gzip output flushed while the program waits (Z_SYNC_FLUSH) can be
 * read up to its last record as it grows (zcat shows each record as it
 * comes, then says the file ends early until the run closes it).  One
 * appended to (OUT_APPEND) gets a gzip member of its own each run: gzip
 * reads concatenated members as one stream.
 */
#ifndef SLUICE_OUT_H
#define SLUICE_OUT_H

#include <stddef.h>
#include <string.h>
#include <zlib.h>

enum {
	/*
	 * Write "DIR/.NAME.tmp-PID" beside the file the path's symbolic
	 * links lead to, rename it over that file at close (the links stay
	 * links).  A device, FIFO, socket or /dev/stdout is written in place.
	 */
	OUT_ATOMIC = 1,
	OUT_APPEND = 2	/* add to the end of an existing file */
};

struct out {
	int fd;			/* where the bytes go */
	gzFile gz;		/* gzip stream over fd, or NULL */
	const char *name;	/* "stdout" or the path, for messages */
	char *given;		/* the path as given, which name shows */
	char *path;		/* final name of an atomic file (links followed) */
	char *tmp;		/* its temporary name while being written */
	struct buf *mem;	/* out_mem(): bytes are appended here */
	char *buf;		/* bytes not yet written: buf[0..n) */
	size_t n, cap;
	int err;		/* errno of the first failure, then sticky */
	int gz_pending;		/* gzip holds bytes not yet flushed */
	int live;		/* flushed before the program waits (live.h) */
	struct out *next_pending;	/* atomic files not yet closed */
};

/* out_open()'s gzip_level for an output named *.gz: gzip(1)'s default. */
#define OUT_GZIP_LEVEL 6

/*
 * Open path for writing ("-" or NULL: stdout).  gzip_level 1..9 compresses
 * at that level; 0 goes by the name: a path ending in ".gz" is compressed
 * (at OUT_GZIP_LEVEL), any other (stdout too) is plain; less than 0 is
 * plain whatever the name.  Appending gzip to a file whose last member
 * was cut short (a run killed mid-write) first ends that member after
 * its last whole line, and says so; appending gzip to a file that is not
 * gzip fails.  Returns NULL with the failure reported.
 */
struct out *out_open(const char *path, int flags, int gzip_level);

/* Is path a name out_open() writes gzip to (it ends in ".gz")? */
int out_gzip_name(const char *path);

/*
 * An output that appends to b (not owned), for building text with the
 * same writers as files.  out_close() frees it and leaves b.
 */
struct buf;
struct out *out_mem(struct buf *b);

/*
 * Make the folder and any parents missing (mkdir -p).  Returns 0, or -1
 * with the failure reported.
 */
int mkdir_p(const char *dir);

/*
 * Have rm(path) called when the program exits (exit(), fatal()), unless
 * keep_at_exit(path) comes first: for what a run makes and must not
 * leave behind however it ends (a staging folder), as atomic files'
 * temporaries are.  path is copied.  (A signal's death or SIGKILL runs
 * nothing: the next run cleans up after those.)
 */
void remove_at_exit(const char *path, int (*rm)(const char *));
void keep_at_exit(const char *path);

/* Write everything buffered.  Returns 0, or -1 (reported once). */
int out_flush(struct out *o);

/*
 * Flush, and for a regular file fsync it: the bytes written so far are
 * on disk.  Returns the file's length (-1 for a pipe or a terminal, where
 * there is none to keep), or -2 (reported).  A gzip output's member is
 * ended here (what follows goes into a new one), so the file cut back to
 * that length is whole gzip.
 */
long long out_sync(struct out *o);

/*
 * Flush, close, and for an atomic file fsync and rename it into place.
 * Frees o.  Returns 0, or -1 when anything failed (reported; an atomic
 * file's temporary is removed, so no partial file is left).
 */
int out_close(struct out *o);

/* Close without keeping anything: an atomic file's temporary is removed. */
void out_discard(struct out *o);

/*
 * Did the output fail?  A reader that went away (EPIPE) counts, but is not
 * reported: a broken pipe is a normal end.
 */
static inline int
out_failed(const struct out *o)
{
	return o->err != 0;
}

/* The buffer is full: write it out, then take p (for out_write). */
void out_write_slow(struct out *o, const void *p, size_t n);

/* Append bytes; they reach the file at the latest at out_flush(). */
static inline void
out_write(struct out *o, const void *p, size_t n)
{
	char *d = o->buf + o->n;
	const char *s = p;

	if (o->cap - o->n < n + 16) {
		out_write_slow(o, p, n);
		return;
	}
	/*
	 * Most pieces are short (a cell, a comma): two overlapping fixed-size
	 * moves beat a call to memcpy.  (The buffer has 16 bytes to spare.)
	 */
	if (n >= 8 && n <= 16) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(d, s, n);
	}
	o->n += n;
}

static inline void
out_putc(struct out *o, char c)
{
	if (o->n == o->cap)
		out_write_slow(o, &c, 1);
	else
		o->buf[o->n++] = c;
}

/*
 * Room for n more bytes (n small) right in the buffer, to format into;
 * then out_commit() says how many were used.  Saves a copy on hot paths.
 */
static inline char *
out_room(struct out *o, size_t n)
{
	if (o->cap - o->n < n)
		out_write_slow(o, "", 0);	/* flushes */
	return o->buf + o->n;
}

static inline void
out_commit(struct out *o, size_t n)
{
	o->n += n;
}

static inline void
out_puts(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

#endif
