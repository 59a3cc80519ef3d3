/*
 * jsonl_read.c - JSON Lines: one object per line.
 *
 * A flat object (values that are strings, numbers, true, false or null)
 * is read here, in one pass over a copy of the line, its strings
 * unescaped in place: no tree, no allocation a field.  Anything else --
 * nesting, \u escapes, a duplicate key, anything malformed -- goes to
 * jansson, which parses it into a tree that lives until the next line
 * (the record's fields point into it) or says what is wrong.  The fast
 * path accepts exactly what jansson accepts, to the same values (a test
 * checks the two agree).  Keys keep their order.  A repeated
 * key, a line that is not an object, or JSON that does not parse makes a
 * bad record carrying the line's text.  An integer too large for 64 bits
 * is kept digit for digit as a numeral (val.h), which JSON writers write
 * back unquoted (jq would round it to a double, and jansson would fail the
 * line); inside a nested array or object it can only be a string.  A
 * string may hold \u0000 (values carry their length); a key may not
 * (field names are C strings), which jansson reports.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "jcheck.h"
#include "num.h"
#include "reader_impl.h"
#include "utf8.h"

struct jsonl_engine {
	json_t *root;		/* the current line's object */
	struct buf fixed;	/* a line with its big integers quoted */
	size_t *big;		/* which of its members (0, 1, ...) were */
	size_t nbig, capbig;
	struct buf line;	/* the line, its strings unescaped in place */
};

/* How jansson reads a line: a repeated key is an error; a string may
   hold NUL (a key may not, jansson says so). */
#define JSONL_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* Tests turn the flat path off, to compare it with jansson's. */
int jsonl_read_fast = 1;

static char *
skip_ws(char *p, char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The bytes of x that are not printable ASCII, or are '"' or '\\': each
 * such byte's high bit is set (a byte's below it may be too, from a
 * borrow; the first flagged byte is exact). */
static inline uint64_t
unplain8(uint64_t x)
{
	const uint64_t lo = 0x0101010101010101ULL, hi = lo << 7;
	uint64_t q = x ^ (lo * '"'), b = x ^ (lo * '\\');

	return (((q - lo) & ~q) | ((b - lo) & ~b) | ((x - lo * 0x20) & ~x) |
	    x) & hi;
}

/*
 * p moved to its first byte that is not plain printable ASCII, eight
 * bytes at a time.  The line is followed by a NUL and eight bytes of
 * padding: a scan never passes e (its NUL stops it) and may read past it.
 */
static char *
skip_plain(char *p, char *e)
{
	uint64_t x, m;

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	(void)e;
	for (;; p += 8) {
		memcpy(&x, p, 8);
		if ((m = unplain8(x)) != 0)
			return p + (__builtin_ctzll(m) >> 3);
	}
#else
	for (; e - p >= 8; p += 8) {
		memcpy(&x, p, 8);
		if ((m = unplain8(x)) != 0)
			break;
	}
	while (p < e && (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x80 &&
	    *p != '"' && *p != '\\')
		p++;
	return p;
#endif
}

/*
 * The string whose opening quote is at *pp, unescaped in place and
 * NUL-terminated where its closing quote was; *pp moves past it.  NULL
 * for what the flat path leaves to jansson: \u escapes, control
 * characters, bytes that are not UTF-8, no closing quote.
 */
static char *
flat_string(char **pp, char *e, size_t *n)
{
	char *p = *pp + 1, *start = p, *w;

	/* Most strings are plain ASCII with no escape: nothing to move. */
	p = skip_plain(p, e);
	w = p;
	while (p < e) {
		unsigned char c = (unsigned char)*p;

		if (c == '"') {
			*w = '\0';
			*n = (size_t)(w - start);
			*pp = p + 1;
			return start;
		}
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			const char *esc = "\"\"\\\\//b\bf\fn\nr\rt\t", *m;

			if (p + 1 >= e)
				return NULL;
			for (m = esc; *m && *m != p[1]; m += 2)
				;
			if (*m == '\0')
				return NULL;	/* \u, or not an escape */
			*w++ = m[1];
			p += 2;
			continue;
		}
		if (c >= 0x80) {
			size_t k = utf8_seq((const unsigned char *)p,
			    (size_t)(e - p));

			if (k == 0)
				return NULL;
			memmove(w, p, k);
			w += k;
			p += k;
			continue;
		}
		*w++ = *p++;
	}
	return NULL;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The end of the JSON number at p, or NULL when none starts there;
 * *integral says it has neither a fraction nor an exponent.  What
 * follows the number is the caller's to check.
 */
static char *
json_number(char *p, char *e, int *integral)
{
	*integral = 1;
	if (p < e && *p == '-')
		p++;
	if (p == e || !is_digit(*p))
		return NULL;
	if (*p++ != '0')
		while (p < e && is_digit(*p))
			p++;
	if (p < e && *p == '.') {
		*integral = 0;
		if (++p == e || !is_digit(*p))
			return NULL;
		while (p < e && is_digit(*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		*integral = 0;
		if (++p < e && (*p == '-' || *p == '+'))
			p++;
		if (p == e || !is_digit(*p))
			return NULL;
		while (p < e && is_digit(*p))
			p++;
	}
	return p;
}

/*
 * A number, true, false or null at *pp, into v; an integer beyond 64
 * bits is copied into r's memory as a numeral.  -1: not flat.
 */
static int
flat_scalar(char **pp, char *e, struct val *v, struct rec *r)
{
	char *p = *pp, *t;
	int integral;
	int64_t i;
	double d;

	switch (*p) {
	case 't':
		if (e - p < 4 || memcmp(p, "true", 4) != 0)
			return -1;
		*v = val_bool(1);
		*pp = p + 4;
		return 0;
	case 'f':
		if (e - p < 5 || memcmp(p, "false", 5) != 0)
			return -1;
		*v = val_bool(0);
		*pp = p + 5;
		return 0;
	case 'n':
		if (e - p < 4 || memcmp(p, "null", 4) != 0)
			return -1;
		*v = val_null();
		*pp = p + 4;
		return 0;
	}
	if ((t = json_number(p, e, &integral)) == NULL)
		return -1;
	/* Set field by field: a struct built aside and copied in costs a
	   stalled store-to-load forward a value. */
	v->scale = 0;
	if (!integral) {
		if (num_parse_double(p, (size_t)(t - p), &d) < 0)
			return -1;	/* out of range: jansson says so */
		v->type = VAL_DOUBLE;
		v->u.d = d;
	} else if (num_parse_int(p, (size_t)(t - p), &i) == 0) {
		v->type = VAL_INT;
		v->u.i = i;
	} else {
		/* Beyond 64 bits (rare): its digits, NUL-terminated. */
		*v = val_numeral(rec_strdup(r, p, (size_t)(t - p)),
		    (size_t)(t - p));
	}
	*pp = t;
	return 0;
}

/*
 * Read line p[0..n) as a flat object into r; 0, or -1 to leave it to
 * jansson (r is then cleared).
 */
enum { FLAT_KEYS = 256 };	/* more keys than this: jansson's line */

/*
 * A key's first eight bytes as a number, zeros past its end.  The line
 * has eight bytes of padding, so eight can always be read; the mask is
 * laid out in memory like the bytes, whatever the machine's byte order.
 */
static uint64_t
key_sig(const char *key, size_t n)
{
	static const unsigned char ones[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	uint64_t x, mask;

	memcpy(&x, key, 8);
	memcpy(&mask, ones + 8 - (n < 8 ? n : 8), 8);
	return x & mask;
}

static int
flat_object(struct jsonl_engine *e, const char *line, size_t len,
    struct rec *r)
{
	char *p, *end;
	size_t klen[FLAT_KEYS];
	uint64_t ksig[FLAT_KEYS], sig;

	e->line.n = 0;
	buf_add(&e->line, line, len);
	buf_add(&e->line, "\0\0\0\0\0\0\0\0", 9);	/* key_sig's padding */
	p = e->line.p;
	end = p + len;
	rec_reserve(r, FLAT_KEYS);
	p = skip_ws(p, end);
	if (p == end || *p != '{')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
		return skip_ws(p, end) == end ? 0 : -1;
	}
	for (;;) {
		char *key;
		size_t kn, vn;
		struct val *v;

		if (r->n >= FLAT_KEYS)
			goto slow;	/* jansson checks many keys in a hash */
		v = &r->f[r->n].v;
		if (p == end || *p != '"' || (key = flat_string(&p, end,
		    &kn)) == NULL)
			goto slow;
		p = skip_ws(p, end);
		if (p == end || *p != ':')
			goto slow;
		p = skip_ws(p + 1, end);
		if (p == end)
			goto slow;
		if (*p == '"') {
			char *s = flat_string(&p, end, &vn);

			if (s == NULL)
				goto slow;
			v->type = VAL_STR;	/* in place, as below */
			v->scale = 0;
			v->u.s.p = s;
			v->u.s.n = vn;
		} else if (flat_scalar(&p, end, v, r) < 0) {
			goto slow;
		}
		/* A repeated key: jansson names it.  Length and first
		   eight bytes first, so keys are seldom compared whole. */
		sig = key_sig(key, kn);
		for (size_t k = 0; k < r->n; k++)
			if (klen[k] == kn && ksig[k] == sig &&
			    strcmp(r->f[k].name, key) == 0)
				goto slow;
		klen[r->n] = kn;
		ksig[r->n] = sig;
		r->f[r->n++].name = key;	/* its value is in place */
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}' && skip_ws(p + 1, end) == end) {
			r->layout = 0;	/* as rec_add would */
			return 0;
		}
		goto slow;
	}
slow:
	r->n = 0;
	return -1;
}

/*
 * Copy the line with every integer too large for 64 bits put in quotes,
 * so it reads as a string with its exact digits instead of failing (or
 * turning every number of the line into a double).  The members of the
 * object whose values were such integers are noted in e->big, by their
 * place, to be made numerals again.
 */
static void
quote_big_integers(struct jsonl_engine *en, const char *p, size_t n)
{
	const char *e = p + n;
	struct buf *out = &en->fixed;
	int in_string = 0;
	size_t depth = 0, member = 0;

	out->n = 0;
	en->nbig = 0;
	while (p < e) {
		const char *t = p;
		int64_t v;

		if (in_string) {
			if (*p == '\\' && p + 1 < e)
				buf_addc(out, *p++);
			else if (*p == '"')
				in_string = 0;
			buf_addc(out, *p++);
			continue;
		}
		if (*p == '"') {
			in_string = 1;
			buf_addc(out, *p++);
			continue;
		}
		if (*p != '-' && (*p < '0' || *p > '9')) {
			if (*p == '{' || *p == '[')
				depth++;
			else if ((*p == '}' || *p == ']') && depth > 0)
				depth--;
			else if (*p == ',' && depth == 1)
				member++;
			buf_addc(out, *p++);
			continue;
		}
		while (t < e && (*t == '-' || *t == '+' || *t == '.' ||
		    *t == 'e' || *t == 'E' || (*t >= '0' && *t <= '9')))
			t++;
		if (memchr(p, '.', (size_t)(t - p)) == NULL &&
		    memchr(p, 'e', (size_t)(t - p)) == NULL &&
		    memchr(p, 'E', (size_t)(t - p)) == NULL &&
		    num_parse_int(p, (size_t)(t - p), &v) < 0) {
			buf_addc(out, '"');
			buf_add(out, p, (size_t)(t - p));
			buf_addc(out, '"');
			if (depth == 1) {
				if (en->nbig == en->capbig) {
					en->capbig = en->capbig ?
					    en->capbig * 2 : 8;
					en->big = erealloc(en->big, en->capbig *
					    sizeof *en->big);
				}
				en->big[en->nbig++] = member;
			}
		} else {
			buf_add(out, p, (size_t)(t - p));
		}
		p = t;
	}
}

static int
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static enum rd_status jsonl_parse(struct reader *rd, const char *p,
    size_t n);

static enum rd_status
jsonl_next(struct reader *rd)
{
	struct jsonl_engine *e = rd->engine;
	struct rec *r = &rd->rec;
	const char *p;
	size_t n;
	int st;

	json_decref(e->root);
	e->root = NULL;
	for (;;) {
		st = src_line(&rd->src, &p, &n);
		if (st == 0)
			return RD_EOF;
		if (st == -1)
			return RD_ERR;
		rd->line++;
		rec_clear(r);
		r->line = rd->line;
		if (st == -2) {
			rd_bad(rd, "line longer than SLUICE_MAX_LINE_BYTES "
			    "(%zu bytes)", src_max_line);
			return RD_BAD;
		}
		if (!blank(p, n))
			break;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return jsonl_parse(rd, p, n);
}

/* The JSON object in p[0..n) into rd->rec (cleared, placed). */
static enum rd_status
jsonl_parse(struct reader *rd, const char *p, size_t n)
{
	struct jsonl_engine *e = rd->engine;
	struct rec *r = &rd->rec;
	const char *key;
	json_error_t err;
	json_t *v;
	size_t member = 0, k = 0;
	long bad;

	r->raw = p;
	r->rawn = n;
	if (jsonl_read_fast && flat_object(e, p, n, r) == 0)
		goto placed;
	/* (The flat path never takes such a byte: it stops on it.) */
	if ((bad = jc_stray_control(p, n)) >= 0) {
		rd_bad(rd, "column %ld: control character 0x%02x outside a "
		    "string", bad + 1, (unsigned char)p[bad]);
		return RD_BAD;
	}
	e->nbig = 0;
	e->root = json_loadb(p, n, JSONL_FLAGS, &err);
	if (e->root == NULL && strstr(err.text, "too big") != NULL) {
		/* jansson has no type for it: its digits as a string, made
		   a numeral again below. */
		quote_big_integers(e, p, n);
		e->root = json_loadb(e->fixed.p, e->fixed.n, JSONL_FLAGS,
		    &err);
	}
	if (e->root == NULL) {
		rd_bad(rd, "column %d: %s", err.column, err.text);
		return RD_BAD;
	}
	if (!json_is_object(e->root)) {
		rd_bad(rd, "expected a JSON object, found %s",
		    json_is_array(e->root) ? "an array" : "a scalar");
		return RD_BAD;
	}
	/* jansson keeps members in the order they came. */
	json_object_foreach(e->root, key, v) {
		struct val x = val_from_json(v);

		if (k < e->nbig && e->big[k] == member && json_is_string(v)) {
			x = val_numeral(x.u.s.p, x.u.s.n);
			k++;
		}
		rec_add(r, key, x);
		member++;
	}
placed:
	if (r->n > src_max_fields) {
		rd_bad(rd, "%zu fields, more than SLUICE_MAX_COLUMNS (%zu)",
		    r->n, src_max_fields);
		return RD_BAD;
	}
	return RD_OK;
}

static void
jsonl_free_engine(struct reader *rd)
{
	struct jsonl_engine *e = rd->engine;

	json_decref(e->root);
	buf_free(&e->fixed);
	free(e->big);
	buf_free(&e->line);
	free(e);
}

void
jsonl_reader_init(struct reader *rd)
{
	rd->engine = ecalloc(1, sizeof(struct jsonl_engine));
	rd->next = jsonl_next;
	rd->free = jsonl_free_engine;
}

struct reader *
rd_open_messages(const char *name)
{
	struct reader *rd = ecalloc(1, sizeof *rd);

	rd->src.fd = -1;
	rd->src.name = name;
	rd->src.eof = 1;
	rd->fmt = FMT_JSONL;
	jsonl_reader_init(rd);
	src_limits();
	return rd;
}

enum rd_status
rd_message(struct reader *rd, const char *p, size_t n, const char *where,
    unsigned long pos, struct rec **out)
{
	struct jsonl_engine *e = rd->engine;

	json_decref(e->root);
	e->root = NULL;
	rec_clear(&rd->rec);
	rd->rec.src = where;
	rd->rec.line = pos;
	*out = &rd->rec;
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (blank(p, n)) {
		rd->rec.raw = p;
		rd->rec.rawn = n;
		rd_bad(rd, "an empty message");
		return RD_BAD;
	}
	return jsonl_parse(rd, p, n);
}
