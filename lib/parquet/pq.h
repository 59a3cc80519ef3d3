/*
 * pq.h - the Parquet writer (libsluice-parquet.a, parquet-sink's):
 * columns buffered for a row group, their encodings, compression, and
 * the file they go into.
 * docs/parquet.md has the facts of the format this follows: flat
 * schemas, data page v1, PLAIN or dictionary, statistics on every chunk.
 */
#ifndef SLUICE_PQ_H
#define SLUICE_PQ_H

#include "coltype.h"
#include "sluice.h"
#include "thrift.h"

/* Physical types (parquet.thrift's Type). */
enum pq_phys {
	PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_DOUBLE = 5,
	PQ_BYTE_ARRAY = 6
};

/* Codecs (parquet.thrift's CompressionCodec). */
enum pq_codec { C_NONE = 0, C_SNAPPY = 1, C_GZIP = 2, C_ZSTD = 6 };

/* A column's values for the row group being built. */
struct pq_col {
	char *name;
	enum col_kind kind;
	int scale;		/* K_DECIMAL */
	struct buf plain;	/* non-null values, PLAIN (booleans: a byte each) */
	uint8_t *def;		/* per row: 1 present, 0 null */
	size_t rows, cap, nulls;
	/* Statistics: */
	int has_minmax;
	int64_t imin, imax;	/* INT32/INT64/BOOLEAN */
	double dmin, dmax;
	struct buf smin, smax;	/* BYTE_ARRAY, unsigned byte order */
	/* Dictionary (all but booleans): */
	int dict_off;		/* gave up for this chunk: too many values */
	int dict_later;		/* made when the row group is encoded
				   (pq_col_dict), not value by value */
	struct buf dict;	/* distinct values, PLAIN */
	uint32_t *idx;		/* per non-null value: its entry */
	size_t nidx, capidx, ndict;
	struct pq_dslot { uint64_t hash; uint32_t entry; uint32_t off; } *dslot;
	size_t dslots;
};

enum pq_phys pq_phys_of(enum col_kind k);

/* The bytes a value of kind k takes in PLAIN, or 0 when they vary (a
   string's: a 4-byte length, then its bytes). */
static inline size_t
pq_plain_width(enum col_kind k)
{
	switch (k) {
	case K_STRING:
		return 0;
	case K_BOOL:
		return 1;
	case K_DATE:
		return 4;
	default:
		return 8;
	}
}

void pq_col_init(struct pq_col *c, const char *name, enum col_kind kind,
    int scale);

/* Add a value converted by col_value() as the column's next row. */
void pq_col_put(struct pq_col *c, const struct col_val *v);

/* Its statistics made whole (a string column's are its dictionary's
   entries' while it keeps one): before they are read. */
void pq_col_stats(struct pq_col *c);

/*
 * The dictionary of a dict_later column's values, made as pq_col_put
 * would have made it value by value (the same entries, in the same
 * order, given up at the same value): -j's threads put and append
 * values without it, and the thread that encodes the row group makes
 * it, beside the others.
 */
void pq_col_dict(struct pq_col *c);

/*
 * Rows gathered by another thread (parquet-sink -j): a column's rows
 * packed into bytes (pq_col_pack), read back (pq_rows_read) and appended
 * a run at a time to the column being built (pq_col_append), a
 * dict_later one, which ends as it would had each value been put into
 * it: the same bytes, the same statistics, and once pq_col_dict has
 * made it, the same dictionary, given up where it would be.  (The rows'
 * own dictionary, when they were gathered with one, is not looked at.)
 */
struct pq_rows {
	size_t rows, nulls, nidx, ndict;
	int has_minmax, dict_off;
	int64_t imin, imax;
	double dmin, dmax;
	const char *smin, *smax, *dict, *idx, *plain;
	size_t sminn, smaxn, dictn, plainn;
	const uint8_t *def;
	/* Where the next run begins: its row, its value and its bytes. */
	size_t at, val, plain_at;
};

/* c's rows onto b, to be read back by pq_rows_read. */
void pq_col_pack(struct pq_col *c, struct buf *b);

/* The rows packed at p into v; returns the end of them. */
const char *pq_rows_read(struct pq_rows *v, const char *p);

/* Append v's next n rows to c (of the same kind, dict_later). */
void pq_col_append(struct pq_col *c, struct pq_rows *v, size_t n);

/* Empty it for the next row group (keeps the memory). */
void pq_col_reset(struct pq_col *c);
void pq_col_free(struct pq_col *c);

/* The RLE / bit-packed hybrid (encoding.c). */
void pq_rle(struct buf *b, const uint32_t *v, size_t n, int bit_width);
void pq_levels(struct buf *b, const uint8_t *v, size_t n);
int pq_bit_width(uint32_t max);

/* Compression (compress.c): out = codec(in).  0, or -1. */
int pq_compress(enum pq_codec codec, int level, const struct buf *in,
    struct buf *out);
int pq_codec_parse(const char *s, enum pq_codec *c);

/* "zstd 1.5.4, snappy 1.1.9": the codecs' libraries (--version). */
const char *pq_codec_versions(void);

/* A Parquet file being written (file.c). */
struct pq_file;

/*
 * Open path (atomically: a dot-temporary name until pq_close).  The
 * columns are the file's schema; each row group takes their contents.
 */
struct pq_file *pq_open(const char *path, struct pq_col *cols, size_t ncols,
    enum pq_codec codec, int level);

/*
 * Write the columns' buffered rows as a row group, then reset them.
 * With encoders (pq_encoders), a thread may do it while the caller goes
 * on filling the columns; a failure is then said by the next call, or
 * pq_close.
 */
int pq_row_group(struct pq_file *f);

/* Let n threads in all encode row groups beside their callers, up to
   n of a file's at once (n <= 1: none, the default).  Once, before the
   first file. */
void pq_encoders(int n);

/* At most n of f's row groups in flight (fewer than pq_encoders' n:
   each holds its columns' memory); before its first row group. */
void pq_in_flight(struct pq_file *f, size_t n);

/* Footer, fsync, rename.  Returns 0, or -1 (reported; no file left). */
int pq_close(struct pq_file *f);

/* Give up: remove the temporary file. */
void pq_discard(struct pq_file *f);

/* The rows of the row groups written (with encoders: not the one in
   flight). */
uint64_t pq_rows(const struct pq_file *f);

#endif
