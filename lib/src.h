/*
 * src.h - an input as bytes: a file or stdin, plain or gzip (detected by
 * its magic bytes, whatever its name), with a UTF-8 byte order mark at its
 * start removed.  Readers take spans or whole lines from its buffer.
 */
#ifndef SLUICE_SRC_H
#define SLUICE_SRC_H

#include <stddef.h>
#include <zlib.h>

/*
 * What one record may ask of a reader, so hostile input costs bounded
 * time and memory (sluice(7), LIMITS).  A longer line (JSON Lines) or
 * record (CSV, across its quoted line breaks), or a record with more
 * fields, is a bad record; a CSV header with more columns ends its input.
 * Set from the environment (SLUICE_MAX_LINE_BYTES, SLUICE_MAX_COLUMNS)
 * by the first src_open(), so every program takes the same settings;
 * tests lower them directly.
 */
extern size_t src_max_line;
extern size_t src_max_fields;

#define SRC_MAX_LINE_DEFAULT ((size_t)16 << 20)
#define SRC_MAX_FIELDS_DEFAULT ((size_t)16384)

/* Read the limits from the environment (once); exits 2 on a bad value. */
void src_limits(void);

struct src {
	int fd;			/* the open input */
	z_stream *z;		/* gzip input: its inflater, else NULL */
	unsigned char *zin;	/* compressed bytes read, zin[0..zn) */
	size_t zn;
	int zend;		/* the last gzip member ended */
	const char *name;	/* "stdin" or the path, for messages */
	char *buf;		/* bytes read and not yet taken: buf[pos..len) */
	size_t pos, len, cap;
	size_t total;		/* bytes made so far */
	int eof;		/* no more bytes will come */
	int regular;		/* a regular file: a read never waits */
	int failed;		/* a read failed (reported) */
};

/*
 * Open path ("-" for stdin) and read its first bytes.  Returns 0, or -1
 * with errno set (the caller reports it, naming the file).
 */
int src_open(struct src *s, const char *path);

/*
 * While reading, call fn(ctx) on the clock, whether input comes or not
 * (a window's trigger, a file that rolls on time): first right away,
 * then again once the milliseconds it returns have passed (at least 1).
 * It is called between reads while the input flows, and on time while
 * the input is quiet.  fn NULL: none.  One for the process.
 *
 * Before a read that would wait (a pipe or a terminal with nothing in
 * it), what the program holds is sent on first (live_flush(), live.h).
 */
void src_on_clock(int (*fn)(void *ctx), void *ctx);

/*
 * Read more bytes after buf[len), first moving buf[pos..len) to the front
 * and growing the buffer when it is full.  Returns the bytes read, 0 at
 * end of input, or -1 on a read error (reported here).
 */
long src_fill(struct src *s);

/*
 * The next bytes appended to b: those buffered, or else, from a regular
 * file, a read straight into b (-j's stage: the bytes are copied once,
 * not twice; a gzip input is inflated here first, a pipe read here
 * first).  Returns the bytes added, 0 at end of input, or -1 on a read
 * error (reported here).
 */
struct buf;
long src_take(struct src *s, struct buf *b);

/*
 * The next bytes up to and including a newline, or up to the end of what
 * is buffered (never between the CR and LF of a CRLF): *p and *n point
 * into the buffer and are taken.  Returns 1, 0 at end of input, -1 on a
 * read error.
 */
int src_span(struct src *s, const char **p, size_t *n);

/*
 * The next whole line, without its newline, in *p and *n.  Returns 1, 0 at
 * end of input, -1 on a read error, or -2 when the line is longer than
 * src_max_line: then the line is skipped and the next call goes on after it.
 */
int src_line(struct src *s, const char **p, size_t *n);

/* Close the input.  Returns 0, or -1 when closing failed (reported). */
int src_close(struct src *s);

#endif
