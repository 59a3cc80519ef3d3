/*
 * file.c - a Parquet file: "PAR1", each row group's column chunks (an
 * optional dictionary page, one v1 data page), the footer in Thrift's
 * compact protocol, its length, "PAR1".  Written under a dot-temporary
 * name and renamed when complete, so a reader never sees part of one.
 *
 * A row group is encoded and compressed into bytes of its own (its
 * pages' offsets counted from its start), then written.  With
 * pq_encoders(n > 1), a full row group is encoded and compressed by a
 * thread of its own while the caller fills the next: the file's columns
 * are swapped with a spare set, which the thread empties.  Up to n row
 * groups a file are in flight, and at most n threads in all (past that,
 * the caller's thread encodes it); they are written in the order they
 * were cut, so the bytes are the same, in the same order, as one thread
 * writes them.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "pq.h"

/* What the footer says of one column chunk. */
struct chunk {
	enum pq_phys phys;
	int dict;
	int64_t values, nulls, unc, comp, data_off, dict_off;
	int has_minmax;
	struct buf min, max;	/* PLAIN, no length prefix */
};

struct rgroup {
	int64_t rows, offset, unc, comp;
	struct chunk *c;
};

/* A row group being encoded: its columns, and the bytes they make. */
struct job {
	const struct pq_file *f;	/* its codec, its columns' number */
	struct pq_col *cols;	/* a spare set, swapped with the file's */
	struct buf out;		/* the row group's pages */
	struct buf body, zbody, hdr, levels;	/* a page's, on the way */
	struct rgroup g;	/* offsets from the start of out */
	pthread_t th;
	int result;
};

struct pq_file {
	struct out *o;
	int64_t off;		/* bytes written */
	struct pq_col *cols;
	size_t ncols;
	enum pq_codec codec;
	int level;
	struct rgroup *rg;
	size_t nrg;
	uint64_t rows;
	struct job here;	/* a row group encoded on this thread */
	/* pq_encoders(): row groups in flight, the oldest at head */
	struct job *jobs;
	size_t maxjobs, head, njobs;
};

/* Threads that may encode row groups beside their callers'. */
static sem_t slots;
static int have_slots;
static size_t in_flight;	/* row groups a file may have in flight */

void
pq_encoders(int n)
{
	if (n > 1 && !have_slots && sem_init(&slots, 0, (unsigned)n) == 0) {
		have_slots = 1;
		in_flight = (size_t)n;
	}
}

static void
emit(struct pq_file *f, const void *p, size_t n)
{
	out_write(f->o, p, n);
	f->off += (int64_t)n;
}

struct pq_file *
pq_open(const char *path, struct pq_col *cols, size_t ncols,
    enum pq_codec codec, int level)
{
	struct pq_file *f;
	struct out *o = out_open(path, OUT_ATOMIC, 0);

	if (o == NULL)
		return NULL;
	f = ecalloc(1, sizeof *f);
	f->o = o;
	f->cols = cols;
	f->ncols = ncols;
	f->codec = codec;
	f->level = level;
	f->maxjobs = in_flight;
	f->jobs = ecalloc(in_flight + 1, sizeof *f->jobs);
	emit(f, "PAR1", 4);
	return f;
}

void
pq_in_flight(struct pq_file *f, size_t n)
{
	if (n < f->maxjobs && f->nrg == 0 && f->njobs == 0) {
		f->maxjobs = n;
		f->head = 0;
	}
}

uint64_t
pq_rows(const struct pq_file *f)
{
	return f->rows;
}

/* A page: its header, then the compressed body.  Adds to the sizes. */
static int
page(struct job *j, struct chunk *ch, int dict_page, int64_t values,
    int encoding)
{
	const struct pq_file *f = j->f;
	struct tw w;

	if (j->body.n > INT32_MAX || pq_compress(f->codec, f->level, &j->body,
	    &j->zbody) < 0 || j->zbody.n > INT32_MAX) {
		diag("%s: a page could not be compressed or is too large",
		    f->o->name);
		return -1;
	}
	j->hdr.n = 0;
	tw_init(&w, &j->hdr);
	tw_i32(&w, 1, dict_page ? 2 : 0);
	tw_i32(&w, 2, (int32_t)j->body.n);
	tw_i32(&w, 3, (int32_t)j->zbody.n);
	if (dict_page) {
		tw_struct(&w, 7);		/* DictionaryPageHeader */
		tw_i32(&w, 1, (int32_t)values);
		tw_i32(&w, 2, 0);		/* PLAIN */
		tw_end(&w);
	} else {
		tw_struct(&w, 5);		/* DataPageHeader */
		tw_i32(&w, 1, (int32_t)values);
		tw_i32(&w, 2, encoding);
		tw_i32(&w, 3, 3);		/* levels: RLE */
		tw_i32(&w, 4, 3);
		tw_end(&w);
	}
	tw_end(&w);
	if (dict_page)
		ch->dict_off = (int64_t)j->out.n;
	else if (ch->data_off < 0)
		ch->data_off = (int64_t)j->out.n;	/* the first data page */
	buf_add(&j->out, j->hdr.p, j->hdr.n);
	buf_add(&j->out, j->zbody.p, j->zbody.n);
	ch->unc += (int64_t)(j->hdr.n + j->body.n);
	ch->comp += (int64_t)(j->hdr.n + j->zbody.n);
	return 0;
}

static void
le(struct buf *b, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		buf_addc(b, (char)(v >> (8 * i)));
}

/* The chunk's statistics, PLAIN-encoded. */
static void
stats(const struct pq_col *c, struct chunk *ch)
{
	ch->has_minmax = c->has_minmax;
	if (!c->has_minmax)
		return;
	switch (c->kind) {
	case K_STRING:
		/* Long values would swell the footer; leave them out. */
		if (c->smin.n > 64 || c->smax.n > 64) {
			ch->has_minmax = 0;
			return;
		}
		buf_add(&ch->min, c->smin.p, c->smin.n);
		buf_add(&ch->max, c->smax.p, c->smax.n);
		return;
	case K_DOUBLE: {
		uint64_t a, b;

		memcpy(&a, &c->dmin, 8);
		memcpy(&b, &c->dmax, 8);
		le(&ch->min, a, 8);
		le(&ch->max, b, 8);
		return;
	}
	case K_BOOL:
		le(&ch->min, (uint64_t)c->imin, 1);
		le(&ch->max, (uint64_t)c->imax, 1);
		return;
	case K_DATE:
		le(&ch->min, (uint64_t)c->imin, 4);
		le(&ch->max, (uint64_t)c->imax, 4);
		return;
	default:
		le(&ch->min, (uint64_t)c->imin, 8);
		le(&ch->max, (uint64_t)c->imax, 8);
	}
}

/* Booleans bit-packed, least significant bit first. */
static void
pack_bools(struct buf *b, const struct buf *bytes)
{
	for (size_t i = 0; i < bytes->n; i += 8) {
		uint8_t x = 0;

		for (size_t k = 0; k < 8 && i + k < bytes->n; k++)
			x |= (uint8_t)((bytes->p[i + k] & 1) << k);
		buf_addc(b, (char)x);
	}
}

/* The PLAIN size of the value at plain[off]. */
static size_t
value_size(const struct pq_col *c, size_t off)
{
	size_t w = pq_plain_width(c->kind);
	uint32_t n;

	if (w > 0)
		return w;
	memcpy(&n, c->plain.p + off, 4);	/* little-endian */
	return 4 + (size_t)n;
}

/*
 * The chunk: a dictionary page when it pays, then data pages of about
 * PAGE_BYTES of values each (readers keep a page in memory, and a page's
 * sizes are 32-bit), each with its rows' definition levels.
 */
enum { PAGE_BYTES = 1 << 20 };

static int
column_chunk(struct job *j, struct pq_col *c, struct chunk *ch)
{
	size_t present = c->rows - c->nulls;
	int dict, bw;
	size_t row = 0, val = 0, off = 0;

	pq_col_dict(c);
	/* Dictionary where it pays: the entries and one index a value
	   (at most 2 bytes) against every value spelled out. */
	dict = !c->dict_off && c->ndict > 0 &&
	    c->dict.n + present * ((size_t)pq_bit_width((uint32_t)c->ndict) + 7)
	    / 8 < c->plain.n;
	bw = dict ? pq_bit_width((uint32_t)(c->ndict - 1)) : 0;
	memset(ch, 0, sizeof *ch);
	ch->data_off = -1;
	ch->phys = pq_phys_of(c->kind);
	ch->values = (int64_t)c->rows;
	ch->nulls = (int64_t)c->nulls;
	ch->dict = dict;
	if (bw == 0)
		bw = 1;
	if (dict) {
		j->body.n = 0;
		buf_add(&j->body, c->dict.p, c->dict.n);
		if (page(j, ch, 1, (int64_t)c->ndict, 0) < 0)
			return -1;
	}
	while (row < c->rows) {
		size_t r = row, v = val, o = off;
		struct buf part;

		while (r < c->rows) {
			if (c->def[r]) {
				size_t len = value_size(c, o);

				if (o - off + len > PAGE_BYTES && r > row)
					break;
				o += len;
				v++;
			}
			r++;
		}
		/* Definition levels: a u32 length, then the hybrid runs. */
		j->levels.n = 0;
		pq_levels(&j->levels, c->def + row, r - row);
		j->body.n = 0;
		le(&j->body, (uint32_t)j->levels.n, 4);
		buf_add(&j->body, j->levels.p, j->levels.n);
		if (dict) {
			buf_addc(&j->body, (char)bw);
			pq_rle(&j->body, c->idx + val, v - val, bw);
		} else if (c->kind == K_BOOL) {
			part = (struct buf){ c->plain.p + off, o - off, o - off };
			pack_bools(&j->body, &part);
		} else {
			buf_add(&j->body, c->plain.p + off, o - off);
		}
		if (page(j, ch, 0, (int64_t)(r - row), dict ? 8 : 0) < 0)
			return -1;
		row = r;
		val = v;
		off = o;
	}
	pq_col_stats(c);
	stats(c, ch);
	return 0;
}

static void
rgroup_free(struct rgroup *g, size_t ncols)
{
	for (size_t i = 0; g->c != NULL && i < ncols; i++) {
		buf_free(&g->c[i].min);
		buf_free(&g->c[i].max);
	}
	free(g->c);
	g->c = NULL;
}

/* Encode cols' rows as a row group into j (and empty them): 0, or -1
   (said, and the row group freed). */
static int
encode(struct job *j, struct pq_col *cols)
{
	const struct pq_file *f = j->f;
	struct rgroup *g = &j->g;

	j->out.n = 0;
	memset(g, 0, sizeof *g);
	g->rows = (int64_t)cols[0].rows;
	g->c = ecalloc(f->ncols, sizeof *g->c);
	for (size_t i = 0; i < f->ncols; i++) {
		if (column_chunk(j, &cols[i], &g->c[i]) < 0) {
			rgroup_free(g, f->ncols);
			return -1;
		}
		g->unc += g->c[i].unc;
		g->comp += g->c[i].comp;
		pq_col_reset(&cols[i]);
	}
	return 0;
}

/* j's row group, encoded, written as the file's next. */
static int
commit(struct pq_file *f, struct job *j)
{
	struct rgroup *g;

	f->rg = erealloc(f->rg, (f->nrg + 1) * sizeof *f->rg);
	g = &f->rg[f->nrg++];
	*g = j->g;
	j->g.c = NULL;
	g->offset = f->off;
	for (size_t i = 0; i < f->ncols; i++) {
		g->c[i].data_off += f->off;
		if (g->c[i].dict)
			g->c[i].dict_off += f->off;
	}
	emit(f, j->out.p, j->out.n);
	/* Not kept: a row group's bytes for each of many files open. */
	buf_free(&j->out);
	f->rows += (uint64_t)g->rows;
	return out_failed(f->o) ? -1 : 0;
}

/* The file's columns' rows as its next row group, on this thread. */
static int
row_group_here(struct pq_file *f)
{
	if (f->ncols == 0 || f->cols[0].rows == 0)
		return out_failed(f->o) ? -1 : 0;
	f->here.f = f;
	if (encode(&f->here, f->cols) < 0)
		return -1;
	return commit(f, &f->here);
}

static void *
encoder(void *arg)
{
	struct job *j = arg;

	j->result = encode(j, j->cols);
	sem_post(&slots);
	return NULL;
}

/* The oldest row group in flight, once encoded, written (or, when
   keep is 0, let go). */
static int
write_oldest(struct pq_file *f, int keep)
{
	struct job *j = &f->jobs[f->head];

	pthread_join(j->th, NULL);
	f->head = (f->head + 1) % f->maxjobs;
	f->njobs--;
	if (j->result < 0)
		return -1;
	if (!keep) {
		rgroup_free(&j->g, f->ncols);
		return 0;
	}
	return commit(f, j);
}

/* Every row group in flight written, in order. */
static int
write_all(struct pq_file *f)
{
	while (f->njobs > 0)
		if (write_oldest(f, 1) < 0)
			return -1;
	return 0;
}

/* Swap the file's columns with j's (made like them the first time). */
static void
swap_cols(struct pq_file *f, struct job *j)
{
	if (j->cols == NULL) {
		j->cols = ecalloc(f->ncols + 1, sizeof *j->cols);
		for (size_t i = 0; i < f->ncols; i++) {
			pq_col_init(&j->cols[i], f->cols[i].name,
			    f->cols[i].kind, f->cols[i].scale);
			j->cols[i].dict_later = f->cols[i].dict_later;
		}
	}
	for (size_t i = 0; i < f->ncols; i++) {
		struct pq_col t = f->cols[i];

		f->cols[i] = j->cols[i];
		j->cols[i] = t;
	}
}

int
pq_row_group(struct pq_file *f)
{
	struct job *j;

	if (f->ncols == 0 || f->cols[0].rows == 0)
		return out_failed(f->o) ? -1 : 0;
	if (f->maxjobs > 0 && f->njobs == f->maxjobs && write_oldest(f, 1) < 0)
		return -1;
	if (f->maxjobs == 0 || sem_trywait(&slots) < 0)
		return write_all(f) < 0 ? -1 : row_group_here(f);
	j = &f->jobs[(f->head + f->njobs) % f->maxjobs];
	j->f = f;
	swap_cols(f, j);
	if (thread_start(&j->th, encoder, j) != 0) {
		sem_post(&slots);
		swap_cols(f, j);
		return write_all(f) < 0 ? -1 : row_group_here(f);
	}
	f->njobs++;
	return 0;
}

/*
 * A leaf's converted type (field 6) and its logical type (field 10, a
 * union) for a logical type without parameters: the union's member
 * that names it, empty.
 */
static void
annotate(struct tw *w, int32_t converted, int logical)
{
	tw_i32(w, 6, converted);
	tw_struct(w, 10);
	tw_struct(w, logical);
	tw_end(w);
	tw_end(w);
}

/* A leaf of the schema: type, OPTIONAL, name, converted and logical type. */
static void
schema_leaf(struct tw *w, const struct pq_col *c)
{
	tw_elem_struct(w);
	tw_i32(w, 1, pq_phys_of(c->kind));
	tw_i32(w, 3, 1);			/* OPTIONAL */
	tw_string(w, 4, c->name);
	switch (c->kind) {
	case K_STRING:
		annotate(w, 0, 1);	/* converted UTF8, logical STRING */
		break;
	case K_DATE:
		annotate(w, 6, 6);	/* converted DATE, logical DATE */
		break;
	case K_TIMESTAMP:
		tw_i32(w, 6, 10);		/* TIMESTAMP_MICROS */
		tw_struct(w, 10);
		tw_struct(w, 8);		/* TIMESTAMP */
		tw_bool(w, 1, 1);		/* adjusted to UTC */
		tw_struct(w, 2);		/* unit */
		tw_struct(w, 2);		/* MICROS */
		tw_end(w);
		tw_end(w);
		tw_end(w);
		tw_end(w);
		break;
	case K_DECIMAL:
		tw_i32(w, 6, 5);		/* DECIMAL */
		tw_i32(w, 7, c->scale);
		tw_i32(w, 8, 18);
		tw_struct(w, 10);
		tw_struct(w, 5);
		tw_i32(w, 1, c->scale);
		tw_i32(w, 2, 18);
		tw_end(w);
		tw_end(w);
		break;
	default:
		break;
	}
	tw_end(w);
}

static void
column_meta(struct tw *w, const struct pq_file *f, const struct pq_col *c,
    const struct chunk *ch)
{
	tw_elem_struct(w);			/* ColumnChunk */
	tw_i64(w, 2, 0);			/* file_offset */
	tw_struct(w, 3);			/* ColumnMetaData */
	tw_i32(w, 1, ch->phys);
	tw_list(w, 2, TT_I32, ch->dict ? 3 : 2);
	tw_elem_i32(w, 0);			/* PLAIN */
	tw_elem_i32(w, 3);			/* RLE */
	if (ch->dict)
		tw_elem_i32(w, 8);		/* RLE_DICTIONARY */
	tw_list(w, 3, TT_BINARY, 1);
	tw_elem_binary(w, c->name, strlen(c->name));
	tw_i32(w, 4, f->codec);
	tw_i64(w, 5, ch->values);
	tw_i64(w, 6, ch->unc);
	tw_i64(w, 7, ch->comp);
	tw_i64(w, 9, ch->data_off);
	if (ch->dict)
		tw_i64(w, 11, ch->dict_off);
	tw_struct(w, 12);			/* Statistics */
	tw_i64(w, 3, ch->nulls);
	if (ch->has_minmax) {
		tw_binary(w, 5, ch->max.p, ch->max.n);
		tw_binary(w, 6, ch->min.p, ch->min.n);
	}
	tw_end(w);
	tw_end(w);
	tw_end(w);
}

static void
footer(struct pq_file *f, struct buf *b)
{
	struct tw w;
	char created[64];

	tw_init(&w, b);
	tw_i32(&w, 1, 1);
	tw_list(&w, 2, TT_STRUCT, f->ncols + 1);
	tw_elem_struct(&w);			/* the root */
	tw_string(&w, 4, "schema");
	tw_i32(&w, 5, (int32_t)f->ncols);
	tw_end(&w);
	for (size_t i = 0; i < f->ncols; i++)
		schema_leaf(&w, &f->cols[i]);
	tw_i64(&w, 3, (int64_t)f->rows);
	tw_list(&w, 4, TT_STRUCT, f->nrg);
	for (size_t g = 0; g < f->nrg; g++) {
		const struct rgroup *rg = &f->rg[g];

		tw_elem_struct(&w);
		tw_list(&w, 1, TT_STRUCT, f->ncols);
		for (size_t i = 0; i < f->ncols; i++)
			column_meta(&w, f, &f->cols[i], &rg->c[i]);
		tw_i64(&w, 2, rg->unc);
		tw_i64(&w, 3, rg->rows);
		tw_i64(&w, 5, rg->offset);
		tw_i64(&w, 6, rg->comp);
		if (g <= INT16_MAX)	/* an i16: left out past it */
			tw_i16(&w, 7, (int16_t)g);
		tw_end(&w);
	}
	snprintf(created, sizeof created, "parquet-sink version %s (build "
	    "sluice)", sluice_version());
	tw_string(&w, 6, created);
	tw_list(&w, 7, TT_STRUCT, f->ncols);
	for (size_t i = 0; i < f->ncols; i++) {
		tw_elem_struct(&w);		/* ColumnOrder */
		tw_struct(&w, 1);		/* TypeDefinedOrder */
		tw_end(&w);
		tw_end(&w);
	}
	tw_end(&w);
}

static void
release(struct pq_file *f)
{
	for (size_t g = 0; g < f->nrg; g++)
		rgroup_free(&f->rg[g], f->ncols);
	free(f->rg);
	for (size_t k = 0; k <= f->maxjobs; k++) {
		struct job *j = k < f->maxjobs ? &f->jobs[k] : &f->here;

		for (size_t i = 0; j->cols != NULL && i < f->ncols; i++)
			pq_col_free(&j->cols[i]);
		free(j->cols);
		rgroup_free(&j->g, f->ncols);
		buf_free(&j->out);
		buf_free(&j->body);
		buf_free(&j->zbody);
		buf_free(&j->hdr);
		buf_free(&j->levels);
	}
	free(f->jobs);
	free(f);
}

int
pq_close(struct pq_file *f)
{
	struct buf b = { 0 };
	uint32_t n;
	int rc;

	if (write_all(f) < 0 || row_group_here(f) < 0) {
		pq_discard(f);
		return -1;
	}
	footer(f, &b);
	emit(f, b.p, b.n);
	n = (uint32_t)b.n;
	b.n = 0;
	le(&b, n, 4);
	buf_add(&b, "PAR1", 4);
	emit(f, b.p, b.n);
	buf_free(&b);
	rc = out_close(f->o);
	release(f);
	return rc;
}

void
pq_discard(struct pq_file *f)
{
	while (f->njobs > 0)
		write_oldest(f, 0);
	out_discard(f->o);
	release(f);
}
