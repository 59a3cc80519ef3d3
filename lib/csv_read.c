/*
 * csv_read.c - CSV (RFC 4180) through libcsv, with a header row.
 *
 * libcsv is push-style: it is fed bytes and calls back per cell and per
 * record end.  We feed it one piece at a time: a span of the input up to a
 * line break (LF, CRLF or a lone CR) or to the end of what is buffered.
 * That costs nothing measurable, gives every record the line it starts
 * on, and makes every record end at a piece's end.  Cells collect in one
 * buffer; finished records queue up until rd_next() takes them.  An empty
 * unquoted cell is null, a quoted "" the empty string; in a file of one
 * column a blank line is a null (there is no other way to write one).
 * Most lines never reach libcsv: a whole line with no quote, or whose
 * quoted cells close on it, is split here, a word or a memchr at a time
 * (split_plain_line, split_quoted_line); libcsv reads the rest, and says
 * what is malformed.
 */
#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "reader_impl.h"
#include "utf8.h"

/* How much of a malformed record's text a dead letter keeps. */
#define RAW_KEEP 4096

#define NULL_CELL SIZE_MAX

/*
 * After a malformed record, the rest of it is skipped the way a lenient
 * reader (Python's csv module) would read it: a quote that opens a cell
 * holds line breaks until it closes, and any other quote is text.  So
 * recovery resumes where that record truly ends, never inside a quoted
 * cell: the next record is not made of a cell's text.  A quote that is
 * still open after SLUICE_MAX_LINE_BYTES, or at the end of the input,
 * makes one more bad record of the lines it took (the loss is bounded and
 * counted); then reading resumes at the next line.
 */
enum skip {
	SKIP_NONE,	/* not skipping */
	SKIP_START,	/* at a cell's start */
	SKIP_TEXT,	/* in an unquoted cell (quotes are text) */
	SKIP_QUOTED,	/* in a quoted cell */
	SKIP_QUOTE,	/* just after a quote in a quoted cell */
	SKIP_LINE	/* to the line's end, quotes and all */
};

struct cell {
	size_t o;		/* offset in cells, or NULL_CELL */
	size_t n;		/* length (a cell may hold NUL bytes) */
};

struct pending {
	size_t first;		/* index of its first cell */
	size_t n;		/* cells */
	unsigned long line;	/* where it starts */
	const char *err;	/* a parse error instead of cells */
	unsigned long last;	/* lines line..last skipped for it, or 0 */
	size_t raw, rawn;	/* the error's line: rawtext[raw..+rawn) */
	int utf8_ok;		/* its text is known to be valid UTF-8 */
	int plain;		/* its every cell is plain (VAL_PLAIN) */
};

struct csv_engine {
	struct csv_parser p;
	struct buf cells;	/* cell bytes, each followed by a NUL */
	struct cell *off;	/* the cells read */
	size_t noff, capoff;
	size_t rec_bytes;	/* bytes fed to the record being read */
	size_t rec_cells;	/* cells.n where that record's bytes begin */
	struct buf recraw;	/* its text, when libcsv reads it */
	enum skip skip;		/* after an error: where in the bad record */
	size_t skip_bytes;	/* bytes skipped since */
	unsigned long quote_line; /* where its last quoted cell opened */
	size_t width;		/* cells of the first record (the header);
				   0 until one is read */
	size_t rec_first;	/* first cell of the record being read */
	unsigned long rec_line;	/* and its line */
	unsigned long span_line; /* line of the span being fed */
	int piece_cr;		/* the piece being fed may hold a CR */
	struct buf rawtext;	/* text of the lines that failed to parse */
	struct pending *q;	/* finished records, q[qhead..qn) */
	size_t qhead, qn, qcap;
	char **names;		/* header; NULL until read */
	size_t ncols;
	uint64_t layout;	/* for records with every column */
	int at_eof;
	size_t too_wide;	/* cells past SLUICE_MAX_COLUMNS not kept */
	char wide_msg[64];	/* the reason for such a record */
	int mark_plain;		/* mark plain lines' cells (csv_reader_plain) */
};

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;	/* RFC 4180: spaces belong to the cell */
}

static void
parser_start(struct csv_engine *e)
{
	csv_init(&e->p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL);
	csv_set_space_func(&e->p, no_space);
	/* libcsv grows its cell buffer by this much at a time (default 128). */
	csv_set_blk_size(&e->p, 64 * 1024);
}

/* The next cell's slot, or NULL past SLUICE_MAX_COLUMNS. */
static inline struct cell *
next_cell(struct csv_engine *e)
{
	if (e->noff == e->capoff) {
		/* Checked only as the array grows, so memory stays bounded
		   by the limit, not the line; on_record() checks exactly. */
		if (e->noff - e->rec_first >= src_max_fields) {
			e->too_wide++;
			return NULL;
		}
		e->capoff = e->capoff ? e->capoff * 2 : 64;
		e->off = erealloc(e->off, e->capoff * sizeof *e->off);
	}
	return &e->off[e->noff++];
}

static void
on_cell(void *s, size_t n, void *data)
{
	struct csv_engine *e = data;
	struct cell *c = next_cell(e);

	if (c == NULL)
		return;
	if (s == NULL) {
		c->o = NULL_CELL;
		c->n = 0;
		return;
	}
	c->o = e->cells.n;
	c->n = n;
	buf_add(&e->cells, s, n);
	buf_addc(&e->cells, '\0');
}

static void
push(struct csv_engine *e, size_t first, size_t n, unsigned long line,
    const char *err)
{
	struct pending *pd;

	if (e->qn == e->qcap) {
		e->qcap = e->qcap ? e->qcap * 2 : 8;
		e->q = erealloc(e->q, e->qcap * sizeof *e->q);
	}
	pd = &e->q[e->qn++];
	pd->first = first;
	pd->n = n;
	pd->line = line;
	pd->err = err;
	pd->last = 0;
	pd->raw = pd->rawn = 0;
	pd->utf8_ok = 0;
	pd->plain = 0;
}

/* A parse error at line, with the text in recraw. */
static void
push_error(struct csv_engine *e, unsigned long line, const char *why)
{
	struct pending *pd;
	size_t n = e->recraw.n;

	push(e, 0, 0, line, why);
	pd = &e->q[e->qn - 1];
	while (n > 0 && (e->recraw.p[n - 1] == '\n' ||
	    e->recraw.p[n - 1] == '\r'))
		n--;
	if (n > RAW_KEEP)
		n = RAW_KEEP;
	pd->raw = e->rawtext.n;
	pd->rawn = n;
	if (n > 0)
		buf_add(&e->rawtext, e->recraw.p, n);
}

static void
on_record(int c, void *data)
{
	struct csv_engine *e = data;

	(void)c;
	if (e->too_wide > 0 || e->noff - e->rec_first > src_max_fields) {
		e->too_wide = 0;
		e->noff = e->rec_first;
		e->cells.n = e->rec_cells;
		push(e, 0, 0, e->rec_line, e->wide_msg);
	} else {
		if (e->width == 0)
			e->width = e->noff - e->rec_first;
		push(e, e->rec_first, e->noff - e->rec_first, e->rec_line,
		    NULL);
	}
	e->rec_first = e->noff;
	e->rec_cells = e->cells.n;
	e->rec_bytes = 0;
	e->rec_line = e->span_line;
}

/*
 * Drop the cells of the record being read; put the parser back between
 * records.  Its state is in struct csv_parser (csv.h) and a reset is five
 * fields, cheaper than csv_free + csv_init and keeping its buffer.
 */
static void
discard_partial(struct csv_engine *e)
{
	e->p.pstate = 0;	/* ROW_NOT_BEGUN */
	e->p.quoted = 0;
	e->p.spaces = 0;
	e->p.entry_pos = 0;
	e->p.status = 0;
	e->noff = e->rec_first;
	e->cells.n = e->rec_cells;	/* give the bytes back too */
	e->rec_bytes = 0;
	e->too_wide = 0;
}

/* Once every queued record is taken, reuse the buffers from the start. */
static void
compact(struct csv_engine *e)
{
	size_t keep = e->noff - e->rec_first, base = e->cells.n;

	e->qhead = e->qn = 0;
	e->rawtext.n = 0;
	if (e->rec_first == 0)
		return;
	/* Cells of a partly read record move to the front. */
	for (size_t i = 0; i < keep; i++)
		if (e->off[e->rec_first + i].o != NULL_CELL) {
			base = e->off[e->rec_first + i].o;
			break;
		}
	for (size_t i = 0; i < keep; i++) {
		struct cell c = e->off[e->rec_first + i];

		if (c.o != NULL_CELL)
			c.o -= base;
		e->off[i] = c;
	}
	if (e->cells.n > base)	/* (cells.p is NULL when all were null) */
		memmove(e->cells.p, e->cells.p + base, e->cells.n - base);
	e->cells.n -= base;
	e->noff = keep;
	e->rec_first = 0;
	e->rec_cells = 0;
}

int csv_read_fast = 1;

/* A cell of a plain line, its text cell[0..end) in the line's copy
   in cells: an empty one is null. */
static inline void
plain_cell(struct csv_engine *e, const char *cell, const char *end)
{
	struct cell *c = next_cell(e);

	if (c == NULL)
		return;
	c->o = end == cell ? NULL_CELL : (size_t)(cell - e->cells.p);
	c->n = (size_t)(end - cell);
}

/* Is the piece p[0..n) one whole line, with no CR but a final CRLF's?
   Its text, without the line break, is p[0..*len). */
static int
whole_line(const struct csv_engine *e, const char *p, size_t n, size_t *len)
{
	const char *end = p + n - 1;

	if (*end != '\n')
		return 0;
	if (end > p && end[-1] == '\r')
		end--;
	*len = (size_t)(end - p);
	return !e->piece_cr || memchr(p, '\r', *len) == NULL;
}

/*
 * What the line's text p[0..n) holds, in one pass, sixteen bytes a step
 * where SSE2 is (every x86-64), the last step overlapping the one
 * before: LINE_ASCII when no quote and no byte past ASCII (then it needs
 * neither a look for quotes nor a UTF-8 check of its own), and
 * LINE_PLAIN too when no control byte, backslash or DEL either (then its
 * cells, split at commas, are plain: the writers copy them without a
 * look).  Most lines are both.
 */
enum { LINE_ASCII = 1, LINE_PLAIN = 2 };

static int
line_kind(const char *p, size_t n, int want_plain)
{
	size_t i = 0;
	int kind = LINE_ASCII | LINE_PLAIN;

#ifdef __SSE2__
	if (n >= 16) {
		const __m128i quote = _mm_set1_epi8('"');
		const __m128i space = _mm_set1_epi8(' ');
		const __m128i bslash = _mm_set1_epi8('\\');
		const __m128i del = _mm_set1_epi8(0x7f);
		__m128i v, odd = _mm_setzero_si128();

		/* The high bits: a byte past ASCII, or a quote; then below
		   a space (signed: past ASCII too), a backslash, a DEL. */
#define LINE_STEP(at)							\
		v = _mm_loadu_si128((const __m128i *)(const void *)(at));	\
		if (_mm_movemask_epi8(_mm_or_si128(v,			\
		    _mm_cmpeq_epi8(v, quote))) != 0)			\
			return 0
#define ODD_STEP							\
		odd = _mm_or_si128(odd, _mm_or_si128(_mm_cmplt_epi8(v,	\
		    space), _mm_or_si128(_mm_cmpeq_epi8(v, bslash),	\
		    _mm_cmpeq_epi8(v, del))))
		if (!want_plain) {
			for (; i + 16 <= n; i += 16) {
				LINE_STEP(p + i);
			}
			LINE_STEP(p + n - 16);
			return LINE_ASCII;
		}
		for (; i + 16 <= n; i += 16) {
			LINE_STEP(p + i);
			ODD_STEP;
		}
		LINE_STEP(p + n - 16);
		ODD_STEP;
#undef LINE_STEP
#undef ODD_STEP
		return _mm_movemask_epi8(odd) != 0 ? LINE_ASCII : kind;
	}
#endif
	for (; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c >= 0x80)
			return 0;
		if (c < 0x20 || c == '\\' || c == 0x7f)
			kind = LINE_ASCII;
	}
	return kind;
}

/*
 * Cut the line's copy q[0..len) into its cells: each comma made the NUL
 * that ends one.  Sixteen bytes a step with SSE2 (a mask of the commas,
 * then its set bits in order), else eight (the same, by arithmetic on a
 * word).  Cells are short: a memchr call each cost more than the scan.
 */
static void
split_commas(struct csv_engine *e, char *q, size_t len)
{
	char *c = q, *cell = q, *qend = q + len;

#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(',');

	for (; c + 16 <= qend; c += 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_loadu_si128((const __m128i *)(void *)c), comma));

		for (; m != 0; m &= m - 1) {
			char *at = c + __builtin_ctz(m);

			*at = '\0';
			plain_cell(e, cell, at);
			cell = at + 1;
		}
	}
	if (c < qend && len >= 16) {
		/* The rest: the last sixteen bytes, those before c left out
		   (its commas are NULs now, and no longer match anyway). */
		char *last = qend - 16;
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_loadu_si128((const __m128i *)(void *)last), comma));

		m &= ~0u << (c - last);
		for (; m != 0; m &= m - 1) {
			char *at = last + __builtin_ctz(m);

			*at = '\0';
			plain_cell(e, cell, at);
			cell = at + 1;
		}
		c = qend;
	}
#endif
	for (; c + 8 <= qend; c += 8) {
		const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full;
		uint64_t w, x, m;

		memcpy(&w, c, 8);
		x = w ^ 0x2c2c2c2c2c2c2c2cull;	/* a comma is now 0 */
		/* The high bit of each byte that is a comma (exact per
		   byte, not just "some byte"). */
		m = ~(((x & lo7) + lo7) | x | lo7);
		for (; m != 0; m &= m - 1) {
			char *at = c + (__builtin_ctzll(m) >> 3);

			*at = '\0';
			plain_cell(e, cell, at);
			cell = at + 1;
		}
	}
	for (; c < qend; c++)
		if (*c == ',') {
			*c = '\0';
			plain_cell(e, cell, c);
			cell = c + 1;
		}
	plain_cell(e, cell, qend);
}

/*
 * The fast path: a whole line outside any record, with no quote (and no CR
 * but a final CRLF's), holds only unquoted cells, which RFC 4180 splits at
 * commas; libcsv would find the same cells, a byte at a time.  Returns 1
 * when the line was taken, 0 to leave it to libcsv.
 */
static int
split_plain_line(struct csv_engine *e, const char *p, size_t n)
{
	char *q;
	size_t len;
	int kind, utf8_ok;

	if (!whole_line(e, p, n, &len))
		return 0;
	kind = line_kind(p, len, e->mark_plain);
	if (!(kind & LINE_ASCII) && memchr(p, '"', len) != NULL)
		return 0;
	/* The whole line at once rather than cell by cell; the cells are
	   looked at only when it fails. */
	utf8_ok = (kind & LINE_ASCII) || utf8_check(p, len) == len;
	/* The line's text copied whole, each comma then made the NUL
	   that ends its cell, rather than copied cell by cell. */
	if (e->cells.cap - e->cells.n < len + 1)
		buf_grow(&e->cells, len + 1);
	q = e->cells.p + e->cells.n;
	memcpy(q, p, len);
	q[len] = '\0';
	e->cells.n += len + 1;
	split_commas(e, q, len);
	on_record('\n', e);
	e->q[e->qn - 1].utf8_ok = utf8_ok;
	e->q[e->qn - 1].plain = e->mark_plain && (kind & LINE_PLAIN);
	return 1;
}

/*
 * The fast path for a line with quotes: a whole line outside any record
 * whose quoted cells open at a cell's start and close on the line, just
 * before a comma or the line's end, a doubled quote in them one quote,
 * and whose other cells have no quote.  Anything else (a quoted cell that
 * goes on past the line, a quote inside an unquoted cell, text after a
 * closing quote) gives its cells back and is libcsv's, to read or to
 * report.  Returns 1 when the line was taken.
 */
static int
split_quoted_line(struct csv_engine *e, const char *p, size_t n)
{
	const char *end, *nx;
	size_t len;
	int utf8_ok;

	/* Between records, so that what to give back is known. */
	if (e->noff != e->rec_first || e->cells.n != e->rec_cells ||
	    !whole_line(e, p, n, &len))
		return 0;
	end = p + len;
	/* The cells are the line but for quotes: valid if it is. */
	utf8_ok = utf8_check(p, len) == len;
	for (;;) {
		struct cell *c = next_cell(e);
		size_t o = e->cells.n;

		if (p < end && *p == '"') {
			for (p++;; p = nx + 2) {
				nx = memchr(p, '"', (size_t)(end - p));
				if (nx == NULL)
					goto to_libcsv;	/* on past the line */
				buf_add(&e->cells, p, (size_t)(nx - p));
				if (nx + 1 == end || nx[1] != '"')
					break;
				buf_addc(&e->cells, '"');
			}
			p = nx + 1;
			if (p < end && *p != ',')
				goto to_libcsv;	/* text after the quote */
		} else {
			nx = memchr(p, ',', (size_t)(end - p));
			if (nx == NULL)
				nx = end;
			if (memchr(p, '"', (size_t)(nx - p)) != NULL)
				goto to_libcsv;	/* a quote in the cell */
			if (nx == p)
				o = NULL_CELL;	/* empty and unquoted: null */
			buf_add(&e->cells, p, (size_t)(nx - p));
			p = nx;
		}
		if (c != NULL) {
			c->o = o;
			c->n = o == NULL_CELL ? 0 : e->cells.n - o;
		}
		if (o != NULL_CELL)
			buf_addc(&e->cells, '\0');
		if (p == end)
			break;
		p++;	/* the comma */
	}
	on_record('\n', e);
	e->q[e->qn - 1].utf8_ok = utf8_ok;
	return 1;
to_libcsv:
	e->noff = e->rec_first;
	e->cells.n = e->rec_cells;
	e->too_wide = 0;
	return 0;
}

/* Is the piece only a line break? */
static int
blank(const char *p, size_t n)
{
	return (n == 1 && (*p == '\n' || *p == '\r')) ||
	    (n == 2 && p[0] == '\r' && p[1] == '\n');
}

/*
 * Skip p[0..n) of a malformed record (see enum skip).  Returns 1 when the
 * record ends in it: at a line break outside quotes, the piece's end.
 */
static int
skip_piece(struct csv_engine *e, const char *p, size_t n)
{
	for (const char *end = p + n; p < end; p++) {
		char c = *p;

		switch (e->skip) {
		case SKIP_QUOTED:
			if (c == '"')
				e->skip = SKIP_QUOTE;
			continue;
		case SKIP_QUOTE:
			if (c == '"') {
				e->skip = SKIP_QUOTED;	/* a doubled quote */
				continue;
			}
			break;
		case SKIP_START:
			if (c == '"') {
				e->skip = SKIP_QUOTED;
				/* A piece is at most one line.  Its text
				   is kept from here (skip_rest()). */
				e->quote_line = e->span_line;
				e->recraw.n = 0;
				continue;
			}
			break;
		default:
			break;
		}
		if (c == '\n' || c == '\r') {
			e->skip = SKIP_NONE;
			return 1;
		}
		if (e->skip != SKIP_LINE)
			e->skip = c == ',' ? SKIP_START : SKIP_TEXT;
	}
	return 0;
}

/*
 * The lines a quote opened while skipping took, to the current one, as a
 * bad record of their own: a quote that never closes loses them, but says
 * which and counts them (one record, at the quote's line, with the text
 * skipped from the piece where it opened).
 */
static void
lost_quote(struct csv_engine *e, const char *why)
{
	push_error(e, e->quote_line, why);
	e->q[e->qn - 1].last = e->span_line;
}

/*
 * Skip p[0..n), the next piece of a bad record.  A quote still open past
 * SLUICE_MAX_LINE_BYTES is given up on: its lines are lost_quote()'s and
 * reading resumes at the next line, so a quote that never closes cannot
 * take the rest of a big file.
 */
static void
skip_rest(struct csv_engine *e, const char *p, size_t n)
{
	e->skip_bytes += n;
	if (skip_piece(e, p, n) || (e->skip != SKIP_QUOTED &&
	    e->skip != SKIP_QUOTE))
		return;
	if (e->recraw.n < RAW_KEEP)	/* for lost_quote() */
		buf_add(&e->recraw, p, n < RAW_KEEP - e->recraw.n ? n :
		    RAW_KEEP - e->recraw.n);
	if (e->skip_bytes <= src_max_line)
		return;
	/* SLUICE_MAX_LINE_BYTES, src.h: the message is a constant. */
	lost_quote(e, "after bad quoting, a quote opened here is still open "
	    "after SLUICE_MAX_LINE_BYTES");
	e->skip = p[n - 1] == '\n' || p[n - 1] == '\r' ? SKIP_NONE :
	    SKIP_LINE;
}

/*
 * Feed one piece: bytes ending with one line break, or the rest of what is
 * buffered.  Counts the line, takes the fast path where it can, turns
 * libcsv's complaints into bad records and skips the rest of them.
 */
static void
feed_piece(struct reader *rd, struct csv_engine *e, const char *p, size_t n)
{
	int ends_line = p[n - 1] == '\n' || p[n - 1] == '\r';
	size_t used;

	e->span_line = rd->line + 1;
	if (ends_line)
		rd->line++;
	if (e->skip != SKIP_NONE) {
		skip_rest(e, p, n);
		return;
	}
	if (e->p.pstate == 0) {		/* between records */
		e->rec_line = e->span_line;
		e->rec_bytes = 0;
		e->recraw.n = 0;
		if (blank(p, n)) {
			/* One column: a blank line is its null.  (By the
			   header's width: it may not be taken yet.) */
			if (e->width == 1) {
				on_cell(NULL, 0, e);
				on_record('\n', e);
			}
			return;
		}
		if (csv_read_fast && (split_plain_line(e, p, n) ||
		    split_quoted_line(e, p, n)))
			return;
	}
	buf_add(&e->recraw, p, n);
	used = csv_parse(&e->p, p, n, on_cell, on_record, e);
	if (used < n) {
		push_error(e, e->rec_line, "malformed quoting: a quote inside an unquoted "
		    "cell, or text after a closing quote");
		discard_partial(e);
		/* The offending byte is text (a lenient reader keeps it in
		   its cell); the record goes on after it. */
		e->skip = SKIP_TEXT;
		e->skip_bytes = 0;
		if (used + 1 < n)
			skip_rest(e, p + used + 1, n - used - 1);
	} else if (e->p.pstate != 0 && (e->rec_bytes += n) > src_max_line) {
		/* SLUICE_MAX_LINE_BYTES, src.h: the message is a constant. */
		push_error(e, e->rec_line, "record longer than SLUICE_MAX_LINE_BYTES (an "
		    "unclosed quote?)");
		e->q[e->qn - 1].last = e->span_line;
		discard_partial(e);
		/* As for any over-long line, the next line is read as usual
		   (man/sluice.7, Limits), even inside the quote. */
		e->skip = ends_line ? SKIP_NONE : SKIP_LINE;
	}
}

/* Feed one more span of input, piece by piece (lone CRs end pieces). */
static enum rd_status
feed(struct reader *rd, struct csv_engine *e)
{
	const char *p, *end;
	size_t n;
	int r;

	r = src_span(&rd->src, &p, &n);
	if (r < 0)
		return RD_ERR;
	if (r == 0) {
		e->at_eof = 1;
		/* The bad record is out already; a quote it left open
		   took the lines after it. */
		if (e->skip == SKIP_QUOTED)
			lost_quote(e, "after bad quoting, a quote opened here "
			    "never closes");
		if (e->skip != SKIP_NONE)
			return RD_OK;
		if (csv_fini(&e->p, on_cell, on_record, e) != 0) {
			push_error(e, e->rec_line, "unterminated quoted field (a quote opened "
			    "here never closes)");
			discard_partial(e);
		}
		return RD_OK;
	}
	for (end = p + n; p < end;) {
		const char *cr = memchr(p, '\r', (size_t)(end - p));

		e->piece_cr = cr != NULL;
		/* A CR before an LF is half of a CRLF, not a break. */
		while (cr != NULL && cr + 1 < end && cr[1] == '\n')
			cr = memchr(cr + 2, '\r', (size_t)(end - cr - 2));
		n = cr != NULL ? (size_t)(cr - p) + 1 : (size_t)(end - p);
		feed_piece(rd, e, p, n);
		p += n;
	}
	return RD_OK;
}

/* Check the cells for invalid UTF-8; set the error message if any. */
static int
check_utf8(struct reader *rd, struct csv_engine *e, const struct pending *pd)
{
	for (size_t i = 0; i < pd->n; i++) {
		struct cell c = e->off[pd->first + i];
		size_t bad;

		if (c.o == NULL_CELL)
			continue;
		bad = utf8_check(e->cells.p + c.o, c.n);
		if (bad < c.n) {
			rd_bad(rd, "invalid UTF-8 in column %zu at byte %zu",
			    i + 1, bad + 1);
			return -1;
		}
	}
	return 0;
}

/* Make the header from the first record. */
static void
take_header(struct reader *rd, struct csv_engine *e, const struct pending *pd)
{
	struct rec taken;	/* the names given, each with the suffix a
				   repeat of it tries next: looked up by
				   hash, so a wide header is not quadratic */

	rec_init(&taken);
	e->ncols = pd->n;
	e->layout = rec_layout_new();
	e->names = ecalloc(pd->n ? pd->n : 1, sizeof *e->names);
	for (size_t i = 0; i < pd->n; i++) {
		struct cell c = e->off[pd->first + i];
		const char *name = c.o == NULL_CELL ? "" : e->cells.p + c.o;
		struct buf b = { 0 };
		int at;

		/* Unnamed and repeated columns get names of their own. */
		if (*name == '\0')
			buf_printf(&b, "column%zu", i + 1);
		else
			buf_adds(&b, name);
		if ((at = rec_index(&taken, buf_cstr(&b))) >= 0) {
			int64_t k = taken.f[at].v.u.i;

			do {
				b.n = 0;
				buf_printf(&b, "%s_%lld", *name ? name :
				    "column", (long long)k++);
			} while (rec_index(&taken, buf_cstr(&b)) >= 0);
			taken.f[at].v.u.i = k;
		}
		if (strcmp(buf_cstr(&b), name) != 0)
			diag_at(rd->src.name, pd->line, "column %zu renamed "
			    "\"%s\" (%s)", i + 1, buf_cstr(&b),
			    *name ? "repeated name" : "no name");
		e->names[i] = (char *)buf_cstr(&b);
		rec_add(&taken, e->names[i], val_int(2));
	}
	rec_free(&taken);
}

void
csv_reader_plain(struct reader *rd)
{
	struct csv_engine *e = rd->engine;

	e->mark_plain = 1;
}

void
csv_reader_columns(struct reader *rd, const char *const *names, size_t n)
{
	struct csv_engine *e = rd->engine;

	e->ncols = n;
	e->width = n;	/* a blank line of a one-column file is its null */
	e->layout = rec_layout_new();
	e->names = ecalloc(n ? n : 1, sizeof *e->names);
	for (size_t i = 0; i < n; i++)
		e->names[i] = estrdup(names[i]);
}

static enum rd_status
csv_next(struct reader *rd)
{
	struct csv_engine *e = rd->engine;
	struct rec *r = &rd->rec;

	for (;;) {
		struct pending *pd;
		int mark;

		if (e->qhead == e->qn) {
			enum rd_status st;

			if (e->at_eof)
				return RD_EOF;
			compact(e);
			st = feed(rd, e);
			if (st != RD_OK)
				return st;
			continue;
		}
		pd = &e->q[e->qhead++];
		rec_clear(r);
		r->line = pd->line;
		if (pd->err != NULL && e->names == NULL) {
			diag_at(rd->src.name, pd->line, "header: %s", pd->err);
			return RD_ERR;
		}
		if (pd->err != NULL) {
			rd_bad(rd, "%s", pd->err);
			if (pd->last > pd->line) {
				rd->span_last = pd->last;
				rd->span_why = pd->err;
				rd_span_message(rd->msg, sizeof rd->msg, pd->err,
				    pd->line, pd->last);
			}
			if (pd->rawn > 0) {
				r->raw = e->rawtext.p + pd->raw;
				r->rawn = pd->rawn;
			}
			return RD_BAD;
		}
		if (e->names == NULL && check_utf8(rd, e, pd) < 0) {
			/* A header we cannot read is no header at all. */
			diag_at(rd->src.name, pd->line, "header: %s", r->err);
			return RD_ERR;
		}
		if (e->names == NULL) {
			take_header(rd, e, pd);
			continue;
		}
		/* The fields written in place: this runs for every cell.  A
		   plain line's are marked so (its empty ones are nulls). */
		rec_reserve(r, pd->n);
		mark = pd->plain ? VAL_PLAIN : 0;
		for (size_t i = 0; i < pd->n; i++) {
			const struct cell *c = &e->off[pd->first + i];
			struct field *f = &r->f[i];

			f->name = i < e->ncols ? e->names[i] : NULL;
			f->v = c->o == NULL_CELL ? val_null() :
			    val_string(VAL_TEXT, mark, e->cells.p + c->o, c->n);
		}
		r->n = pd->n;
		if (!pd->utf8_ok && check_utf8(rd, e, pd) < 0)
			return RD_BAD;
		if (pd->n != e->ncols) {
			rd_bad(rd, "expected %zu fields (the header's), "
			    "found %zu", e->ncols, pd->n);
			return RD_BAD;
		}
		r->layout = e->layout;
		return RD_OK;
	}
}

static const char *const *
csv_columns(const struct reader *rd, size_t *n)
{
	const struct csv_engine *e = rd->engine;

	*n = e->ncols;
	return (const char *const *)e->names;
}

static void
csv_free_engine(struct reader *rd)
{
	struct csv_engine *e = rd->engine;

	csv_free(&e->p);
	buf_free(&e->cells);
	buf_free(&e->rawtext);
	buf_free(&e->recraw);
	for (size_t i = 0; i < e->ncols; i++)
		free(e->names[i]);
	free(e->names);
	free(e->off);
	free(e->q);
	free(e);
}

void
csv_reader_init(struct reader *rd)
{
	struct csv_engine *e = ecalloc(1, sizeof *e);

	parser_start(e);
	snprintf(e->wide_msg, sizeof e->wide_msg, "more fields than "
	    "SLUICE_MAX_COLUMNS (%zu)", src_max_fields);
	rd->engine = e;
	rd->next = csv_next;
	rd->free = csv_free_engine;
	rd->columns = csv_columns;
}
