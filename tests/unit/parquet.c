/* Unit tests: lib/parquet, the Parquet writer on its own: the RLE /
   bit-packed hybrid against a decoder written here from the format's
   definition, a column's statistics and dictionary, and a file's
   frame ("PAR1", the footer, its length). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../tap.h"
#include "parquet/pq.h"

/* Decode the hybrid b[0..n) of values of width bw into out (at most
   max); how many, or -1 when malformed. */
static long
unrle(const unsigned char *b, size_t n, int bw, uint32_t *out, size_t max)
{
	size_t p = 0, got = 0;

	while (p < n) {
		uint64_t h = 0;
		int shift = 0;

		do {
			if (p >= n || shift > 63)
				return -1;
			h |= (uint64_t)(b[p] & 0x7f) << shift;
			shift += 7;
		} while (b[p++] & 0x80);
		if (h & 1) {		/* bit-packed: h >> 1 groups of 8 */
			size_t count = (size_t)(h >> 1) * 8, bit = 0;

			for (size_t k = 0; k < count; k++) {
				uint32_t v = 0;

				for (int i = 0; i < bw; i++, bit++) {
					if (p + bit / 8 >= n)
						return -1;
					v |= (uint32_t)(b[p + bit / 8] >> bit % 8 &
					    1) << i;
				}
				if (got < max)
					out[got] = v;
				got++;
			}
			p += (count * (size_t)bw + 7) / 8;
		} else {		/* RLE: h >> 1 copies */
			uint32_t v = 0;

			for (int i = 0; i < (bw + 7) / 8; i++) {
				if (p >= n)
					return -1;
				v |= (uint32_t)b[p++] << 8 * i;
			}
			for (uint64_t k = 0; k < h >> 1; k++) {
				if (got < max)
					out[got] = v;
				got++;
			}
		}
	}
	return (long)got;
}

/* The columns of the file write_file() makes: each kind, nulls, and
   strings that keep their dictionary, give it up for having too many
   entries, and give it up for its bytes. */
enum { NCOLS = 7, ROWS = 17000, GROUP = 5000 };

static void
put_row(struct pq_col *cols, int i)
{
	char s[700];
	struct col_val cv = { 0 };

	cv.n = (size_t)snprintf(s, sizeof s, "k%d", i % 7);
	cv.s = s;
	cv.null = i % 11 == 0;
	pq_col_put(&cols[0], &cv);
	cv.null = 0;
	cv.n = (size_t)snprintf(s, sizeof s, "id-%d", i);
	pq_col_put(&cols[1], &cv);
	/* Each twice: not too many entries, but 600 bytes each. */
	memset(s, 'a' + i % 26, 600);
	cv.n = 600 + (size_t)snprintf(s + 600, 100, "%d", i / 2);
	pq_col_put(&cols[2], &cv);
	cv.d = (i % 1000) * 0.25;
	cv.null = i % 13 == 0;
	pq_col_put(&cols[3], &cv);
	cv.null = 0;
	cv.i = i / 1000;
	pq_col_put(&cols[4], &cv);
	cv.i = (int64_t)i * i % 5000;
	pq_col_put(&cols[5], &cv);
	cv.i = i % 3 == 0;
	pq_col_put(&cols[6], &cv);
}

/* A file of ROWS rows in row groups of GROUP; its bytes (to free), or
   NULL.  dict_later: the dictionaries made when a row group is
   encoded. */
static char *
write_file(int dict_later, size_t *n)
{
	static const char *const names[NCOLS] = { "k", "id", "big", "x",
	    "day", "n", "b" };
	static const enum col_kind kinds[NCOLS] = { K_STRING, K_STRING,
	    K_STRING, K_DOUBLE, K_DATE, K_INT, K_BOOL };
	char path[] = "/tmp/sluice-pq-XXXXXX";
	int fd = mkstemp(path), rc = 0;
	struct pq_col cols[NCOLS];
	struct pq_file *f;
	char *all = NULL;
	long size;
	FILE *in;

	close(fd);
	for (int c = 0; c < NCOLS; c++) {
		pq_col_init(&cols[c], names[c], kinds[c], 0);
		cols[c].dict_later = dict_later;
	}
	f = pq_open(path, cols, NCOLS, C_ZSTD, 0);
	for (int i = 0; i < ROWS && rc == 0; i++) {
		put_row(cols, i);
		if ((i + 1) % GROUP == 0)
			rc = pq_row_group(f);
	}
	if (rc == 0 && pq_close(f) == 0 && (in = fopen(path, "rb")) != NULL) {
		fseek(in, 0, SEEK_END);
		size = ftell(in);
		rewind(in);
		all = malloc((size_t)size);
		*n = fread(all, 1, (size_t)size, in);
		fclose(in);
	}
	unlink(path);
	for (int c = 0; c < NCOLS; c++)
		pq_col_free(&cols[c]);
	return all;
}

int
main(void)
{
	struct buf b = { 0 };
	uint32_t v[4096], back[4200];
	int good = 1;

	is_int(pq_bit_width(0), 0, "width of 0");
	is_int(pq_bit_width(1), 1, "width of 1");
	is_int(pq_bit_width(7), 3, "width of 7");
	is_int(pq_bit_width(8), 4, "width of 8");

	/* The format's example: 0..7 at width 3 packed is 88 c6 fa. */
	for (uint32_t i = 0; i < 8; i++)
		v[i] = i;
	pq_rle(&b, v, 8, 3);
	is_mem(b.p, b.n, "\x03\x88\xc6\xfa", 4,
	    "0..7, width 3: one group, bit-packed (the format's example)");
	b.n = 0;
	for (int i = 0; i < 100; i++)
		v[i] = 5;
	pq_rle(&b, v, 100, 3);
	is_mem(b.p, b.n, "\xc8\x01\x05", 3, "100 fives: one RLE run");

	/* Runs and literals mixed, every width: decoded, the values. */
	srand(7);
	for (int bw = 1; bw <= 20 && good; bw++)
		for (int t = 0; t < 20 && good; t++) {
			size_t n = (size_t)(rand() % 4096) + 1;
			long got;

			for (size_t i = 0; i < n; i++)
				v[i] = i > 0 && rand() % 3 ? v[i - 1] :
				    (uint32_t)rand() & ((1u << bw) - 1);
			b.n = 0;
			pq_rle(&b, v, n, bw);
			got = unrle((const unsigned char *)b.p, b.n, bw, back,
			    sizeof back / sizeof *back);
			/* Packed groups pad the end with zeros. */
			good = got >= (long)n && got < (long)n + 8 &&
			    memcmp(v, back, n * sizeof *v) == 0;
			if (!good)
				printf("# width %d, %zu values: got %ld\n", bw,
				    n, got);
		}
	ok(good, "400 vectors of widths 1-20 decode to their values");

	/* A string column: statistics in byte order, a dictionary. */
	{
		struct pq_col c;
		static const char *const s[] = { "pear", "apple", "", "pear",
		    "zucchini", "apple" };
		struct col_val cv = { 0 };

		pq_col_init(&c, "fruit", K_STRING, 0);
		for (size_t i = 0; i < 6; i++) {
			cv.s = s[i];
			cv.n = strlen(s[i]);
			pq_col_put(&c, &cv);
		}
		cv.null = 1;
		pq_col_put(&c, &cv);
		ok(c.rows == 7 && c.nulls == 1, "7 rows, 1 null");
		/* (While the dictionary is kept, the statistics are its
		   entries', taken in when wanted.) */
		pq_col_stats(&c);
		ok(c.has_minmax && c.smin.n == 0 && c.smax.n == 8 &&
		    memcmp(c.smax.p, "zucchini", 8) == 0,
		    "min \"\", max \"zucchini\"");
		ok(!c.dict_off && c.ndict == 4 && c.nidx == 6 && c.idx[0] ==
		    c.idx[3] && c.idx[1] == c.idx[5], "a dictionary of 4, "
		    "the same entry for the same string");
		pq_col_free(&c);
	}
	{
		struct pq_col c;
		struct col_val cv = { 0 };
		char k[32];

		/* Mostly distinct values give the dictionary up. */
		pq_col_init(&c, "id", K_STRING, 0);
		for (int i = 0; i < 10000; i++) {
			cv.n = (size_t)snprintf(k, sizeof k, "id-%d", i);
			cv.s = k;
			pq_col_put(&c, &cv);
		}
		ok(c.dict_off, "10000 distinct ids: no dictionary");
		pq_col_free(&c);
	}

	/* A file: "PAR1", the row group, the footer, its length, "PAR1". */
	{
		char path[] = "/tmp/sluice-pq-XXXXXX";
		int fd = mkstemp(path);
		struct pq_col cols[2];
		struct pq_file *f;
		struct col_val cv = { 0 };
		unsigned char *all;
		long size;
		uint32_t flen;
		FILE *in;

		close(fd);
		pq_col_init(&cols[0], "n", K_INT, 0);
		pq_col_init(&cols[1], "d", K_DOUBLE, 0);
		f = pq_open(path, cols, 2, C_NONE, 0);
		ok(f != NULL, "a file opens");
		for (int i = 0; i < 1000; i++) {
			cv.i = i;
			cv.d = i / 4.0;
			pq_col_put(&cols[0], &cv);
			pq_col_put(&cols[1], &cv);
		}
		ok(cols[0].imin == 0 && cols[0].imax == 999 &&
		    cols[1].dmax == 999 / 4.0, "statistics: 0 to 999");
		ok(pq_row_group(f) == 0, "a row group written");
		is_int((int64_t)pq_rows(f), 1000, "1000 rows");
		ok(pq_close(f) == 0, "and closed");
		in = fopen(path, "rb");
		fseek(in, 0, SEEK_END);
		size = ftell(in);
		rewind(in);
		all = malloc((size_t)size);
		ok(fread(all, 1, (size_t)size, in) == (size_t)size, "read back");
		fclose(in);
		memcpy(&flen, all + size - 8, 4);
		ok(size > 12 && memcmp(all, "PAR1", 4) == 0 &&
		    memcmp(all + size - 4, "PAR1", 4) == 0,
		    "\"PAR1\" at both ends");
		/* Little-endian length; the footer is a Thrift struct that
		   ends with its stop field. */
		ok(flen > 0 && flen < (uint32_t)size - 12 &&
		    all[size - 9] == 0, "the footer's length (%u) fits, and "
		    "the footer ends with a stop field", flen);
		/* 1000 PLAIN int64 values: 8000 bytes of data are there. */
		ok(size > 16000, "both columns' values are in it (%ld bytes)",
		    size);
		free(all);
		unlink(path);
		pq_col_free(&cols[0]);
		pq_col_free(&cols[1]);
	}
	/* -j's ways give the same bytes: dictionaries made when a row
	   group is encoded, and row groups encoded by threads, several in
	   flight, written in order. */
	{
		size_t n1 = 0, n2 = 0, n3 = 0;
		char *one = write_file(0, &n1), *later = write_file(1, &n2),
		    *threads;

		pq_encoders(3);
		threads = write_file(1, &n3);
		ok(one != NULL && n1 > 0, "a file of %d rows in row groups of "
		    "%d (%zu bytes)", ROWS, GROUP, n1);
		is_mem(later, n2, one, n1, "  the same bytes with each "
		    "dictionary made when its row group is encoded");
		is_mem(threads, n3, one, n1, "  and with the row groups "
		    "encoded by threads");
		free(one);
		free(later);
		free(threads);
	}
	buf_free(&b);
	return done_testing();
}
