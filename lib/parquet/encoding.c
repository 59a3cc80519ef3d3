/*
 * encoding.c - the RLE / bit-packed hybrid Parquet uses for definition
 * levels and dictionary indices: runs of a repeated value as RLE, the
 * rest bit-packed eight values a group, least significant bit first.
 */
#include <stdlib.h>

#include "pq.h"

int
pq_bit_width(uint32_t max)
{
	int w = 0;

	while (max != 0) {
		w++;
		max >>= 1;
	}
	return w;
}

static void
varint(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		buf_addc(b, (char)(v | 0x80));
		v >>= 7;
	}
	buf_addc(b, (char)v);
}

/* An RLE run: count copies of value. */
static void
rle_run(struct buf *b, uint32_t value, size_t count, int bw)
{
	varint(b, (uint64_t)count << 1);
	for (int i = 0; i < (bw + 7) / 8; i++)
		buf_addc(b, (char)(value >> (8 * i)));
}

/* Bit-pack v[0..n) (n a multiple of 8, or the end, padded with 0). */
static void
packed_run(struct buf *b, const uint32_t *v, size_t n, int bw)
{
	size_t groups = (n + 7) / 8;
	uint64_t acc = 0;
	int bits = 0;

	varint(b, (uint64_t)groups << 1 | 1);
	for (size_t i = 0; i < groups * 8; i++) {
		acc |= (uint64_t)(i < n ? v[i] : 0) << bits;
		bits += bw;
		while (bits >= 8) {
			buf_addc(b, (char)acc);
			acc >>= 8;
			bits -= 8;
		}
	}
	if (bits > 0)
		buf_addc(b, (char)acc);
}

void
pq_rle(struct buf *b, const uint32_t *v, size_t n, int bw)
{
	size_t i = 0, lit = 0;	/* v[lit..i) waits to be bit-packed */

	if (bw == 0) {
		if (n > 0)
			rle_run(b, 0, n, 0);
		return;
	}
	while (i < n) {
		size_t j = i + 1;

		while (j < n && v[j] == v[i])
			j++;
		/* A run of 8 or more, starting on a group boundary of the
		   literals, goes as RLE; shorter ones stay literal. */
		if (j - i >= 8 && (i - lit) % 8 == 0) {
			if (i > lit)
				packed_run(b, v + lit, i - lit, bw);
			rle_run(b, v[i], j - i, bw);
			lit = i = j;
		} else if (j - i >= 8) {
			/* Fill the literal group up to a boundary first. */
			i += 8 - (i - lit) % 8;
		} else {
			i = j;
		}
	}
	if (n > lit)
		packed_run(b, v + lit, n - lit, bw);
}

void
pq_levels(struct buf *b, const uint8_t *v, size_t n)
{
	uint32_t *w = ecalloc(n ? n : 1, sizeof *w);

	for (size_t i = 0; i < n; i++)
		w[i] = v[i];
	pq_rle(b, w, n, 1);
	free(w);
}
