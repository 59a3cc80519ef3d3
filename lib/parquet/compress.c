/*
 * compress.c - a page body through its codec: Snappy (raw, not framed),
 * gzip (one RFC 1952 member), zstd (one frame), or none.
 */
#include <pthread.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "pq.h"

#ifndef SNAPPY_PC_VERSION
#define SNAPPY_PC_VERSION "?"
#endif

const char *
pq_codec_versions(void)
{
	static char v[96];

	/* snappy has no run-time version: the one built against. */
	snprintf(v, sizeof v, "zstd %s, snappy %s", ZSTD_versionString(),
	    SNAPPY_PC_VERSION);
	return v;
}

int
pq_codec_parse(const char *s, enum pq_codec *c)
{
	if (strcmp(s, "snappy") == 0)
		*c = C_SNAPPY;
	else if (strcmp(s, "zstd") == 0)
		*c = C_ZSTD;
	else if (strcmp(s, "gzip") == 0)
		*c = C_GZIP;
	else if (strcmp(s, "none") == 0 || strcmp(s, "uncompressed") == 0)
		*c = C_NONE;
	else
		return -1;
	return 0;
}

/*
 * zstd's contexts, kept for the next page: a context made for each one
 * costs its tables' allocation and clearing (a megabyte), a tenth of
 * what compressing a page does.  Threads take one and give it back.
 */
enum { CCTX_KEPT = 8 };
static ZSTD_CCtx *kept_cctx[CCTX_KEPT];
static int nkept;
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

static ZSTD_CCtx *
cctx_take(void)
{
	ZSTD_CCtx *c = NULL;

	pthread_mutex_lock(&kept_mu);
	if (nkept > 0)
		c = kept_cctx[--nkept];
	pthread_mutex_unlock(&kept_mu);
	return c != NULL ? c : ZSTD_createCCtx();
}

static void
cctx_give(ZSTD_CCtx *c)
{
	pthread_mutex_lock(&kept_mu);
	if (nkept < CCTX_KEPT) {
		kept_cctx[nkept++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&kept_mu);
	ZSTD_freeCCtx(c);
}

static int
zstd(const struct buf *in, struct buf *out, int level)
{
	ZSTD_CCtx *c = cctx_take();
	size_t n = ZSTD_compressBound(in->n);

	if (c == NULL)
		return -1;
	buf_grow(out, n);
	n = ZSTD_compressCCtx(c, out->p, n, in->p, in->n, level > 0 ? level : 3);
	cctx_give(c);
	if (ZSTD_isError(n))
		return -1;
	out->n = n;
	return 0;
}

static int
gzip(const struct buf *in, struct buf *out, int level)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level > 0 ? level : 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	buf_grow(out, deflateBound(&z, in->n) + 32);
	z.next_in = (unsigned char *)in->p;
	z.avail_in = (uInt)in->n;
	z.next_out = (unsigned char *)out->p;
	z.avail_out = (uInt)out->cap;
	rc = deflate(&z, Z_FINISH);
	out->n = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

int
pq_compress(enum pq_codec codec, int level, const struct buf *in,
    struct buf *out)
{
	size_t n;

	out->n = 0;
	switch (codec) {
	case C_NONE:
		buf_add(out, in->p, in->n);
		return 0;
	case C_SNAPPY:
		n = snappy_max_compressed_length(in->n);
		buf_grow(out, n);
		if (snappy_compress(in->p, in->n, out->p, &n) != SNAPPY_OK)
			return -1;
		out->n = n;
		return 0;
	case C_ZSTD:
		return zstd(in, out, level);
	case C_GZIP:
		return gzip(in, out, level);
	}
	return -1;
}
