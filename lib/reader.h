/*
 * reader.h - records from an input: CSV with a header row, or JSON Lines,
 * plain or gzip, chosen by the file's name, by sniffing its first byte, or
 * by the caller.  One record at a time, in constant memory.
 *
 *	struct reader *rd = rd_open(path, FMT_AUTO);
 *	struct rec *r;
 *	enum rd_status st;
 *	while ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD)
 *		st == RD_OK ? use(r) : divert(r);	// r->err says why
 *	rd_close(rd);
 */
#ifndef SLUICE_READER_H
#define SLUICE_READER_H

#include "rec.h"

enum fmt {
	FMT_AUTO,	/* by file name, else by the first byte */
	FMT_CSV,
	FMT_JSONL
};

enum rd_status {
	RD_OK,		/* *out is a record */
	RD_BAD,		/* *out is malformed: (*out)->err says why, with
			   its fields or its raw text; divert it */
	RD_EOF,		/* no more records */
	RD_ERR		/* the input failed (reported); no more records */
};

struct reader;

/* "csv" or "jsonl" (also "json", "ndjson") to *out; -1 if neither. */
int fmt_parse(const char *s, enum fmt *out);

/* "csv", "jsonl", or "auto". */
const char *fmt_name(enum fmt f);

/*
 * The format a file name implies: .csv, .jsonl, .ndjson, .json, each maybe
 * with .gz; FMT_AUTO for anything else.
 */
enum fmt fmt_from_path(const char *path);

/*
 * Open path ("-" is stdin) as fmt.  Returns NULL when it cannot be opened
 * (reported as "progname: path: reason").
 */
struct reader *rd_open(const char *path, enum fmt fmt);

/*
 * The next record.  It stays valid until the next call on rd; its fields
 * carry names from the CSV header or the JSON object, its src and line say
 * where it began.  Blank lines are skipped (and counted in line numbers).
 */
enum rd_status rd_next(struct reader *rd, struct rec **out);

/* The format being read (known once the reader is open). */
enum fmt rd_format(const struct reader *rd);

/* The input's name for messages: the path, or "stdin". */
const char *rd_name(const struct reader *rd);

/*
 * The CSV header's column names (NULL for JSON Lines, or before any line
 * of a CSV input was read); *n gets their number.
 */
const char *const *rd_columns(const struct reader *rd, size_t *n);

/*
 * Messages (from Kafka, say) rather than a file: each one JSON object,
 * parsed by rd_message() into a record whose src and line are where and
 * pos (a message's place: "topic[partition]" and its offset).  The
 * record stays valid until the next call; p must too.
 */
struct reader *rd_open_messages(const char *name);
enum rd_status rd_message(struct reader *rd, const char *p, size_t n,
    const char *where, unsigned long pos, struct rec **out);

/* Close and free.  Returns 0, or -1 if reading failed at any point. */
int rd_close(struct reader *rd);

#endif
