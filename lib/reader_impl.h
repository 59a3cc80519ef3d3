/*
 * reader_impl.h - what reader.c shares with the format engines
 * (csv_read.c, jsonl_read.c).  Not for programs: they use reader.h.
 */
#ifndef SLUICE_READER_IMPL_H
#define SLUICE_READER_IMPL_H

#include "reader.h"
#include "src.h"

struct reader {
	struct src src;		/* the bytes */
	enum fmt fmt;
	struct rec rec;		/* the record handed out, reused */
	unsigned long line;	/* lines taken from src so far */
	int failed;		/* a read error happened */
	int done;		/* no more records */
	int borrowed;		/* src.buf is the caller's (rd_span) */
	/* The engine: */
	enum rd_status (*next)(struct reader *);
	void (*free)(struct reader *);
	void *engine;
	const char *const *(*columns)(const struct reader *, size_t *);
	char msg[256];		/* room for rec.err */
	/* A bad record that took lines rec.line..span_last (0: its own
	   only): why, before the lines are said (-j says them again, its
	   chunk's lines made the input's). */
	unsigned long span_last;
	const char *span_why;
};

/* The message of a bad record that took lines first..last. */
void rd_span_message(char *buf, size_t n, const char *why,
    unsigned long first, unsigned long last);

/* Set up rd for CSV / JSON Lines (rd->src is open). */
void csv_reader_init(struct reader *rd);
void jsonl_reader_init(struct reader *rd);

/*
 * CSV lines without quotes are split without libcsv (csv_read.c); tests
 * turn this off to check both paths give the same records.
 */
extern int csv_read_fast;

/* Flat JSON objects are read without jansson (jsonl_read.c); tests turn
   this off to check both paths give the same records. */
extern int jsonl_read_fast;

/*
 * A reader over p[0..n), bytes the caller keeps until rd_close(): a
 * piece of an input cut at record boundaries (lib/par.c), named name,
 * read as fmt (FMT_CSV or FMT_JSONL), its lines counted after rd->line
 * (0: from the first).  A CSV span starts with its header, unless
 * csv_reader_columns() says what the header was.
 */
struct reader *rd_span(const char *name, enum fmt fmt, const char *p,
    size_t n);

/*
 * CSV: the records to come have these columns (copied), from a header
 * read elsewhere: the next record is data, not a header.
 */
void csv_reader_columns(struct reader *rd, const char *const *names,
    size_t n);

/*
 * CSV: mark the cells of a line that is plain throughout (printable
 * ASCII, no quote, no backslash) VAL_PLAIN, so that writing them again
 * copies them without a look; for a program that writes the cells it
 * reads (the look costs the others a little at every line).
 */
void csv_reader_plain(struct reader *rd);

/* Make rd->rec a bad record with a printf-style reason. */
void rd_bad(struct reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
