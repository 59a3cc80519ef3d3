/*
 * jsonl_read.c - JSON Lines through jansson: one object per line.
 *
 * Each line is parsed into a jansson tree that lives until the next line;
 * the record's fields point into it.  Keys keep their order.  A repeated
 * key, a line that is not an object, or JSON that does not parse makes a
 * bad record carrying the line's text.  An integer too large for 64 bits
 * is kept as a string of its exact digits (jq would round it to a double,
 * and jansson would fail the line).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "num.h"
#include "reader_impl.h"

struct jsonl_engine {
	json_t *root;		/* the current line's object */
	struct buf fixed;	/* a line with its big integers quoted */
};

/*
 * Copy the line with every integer too large for 64 bits put in quotes,
 * so it reads as a string with its exact digits instead of failing (or
 * turning every number of the line into a double).
 */
static void
quote_big_integers(const char *p, size_t n, struct buf *out)
{
	const char *e = p + n;
	int in_string = 0;

	out->n = 0;
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

static enum rd_status
jsonl_next(struct reader *rd)
{
	struct jsonl_engine *e = rd->engine;
	struct rec *r = &rd->rec;
	const char *p, *key;
	size_t n;
	json_error_t err;
	json_t *v;
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
			rd_bad(rd, "line longer than %zu bytes", src_max_line);
			return RD_BAD;
		}
		if (!blank(p, n))
			break;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	r->raw = p;
	r->rawn = n;
	e->root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
	if (e->root == NULL && strstr(err.text, "too big") != NULL) {
		/* jansson has no type for it: keep its digits as text. */
		quote_big_integers(p, n, &e->fixed);
		e->root = json_loadb(e->fixed.p, e->fixed.n,
		    JSON_REJECT_DUPLICATES, &err);
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
	json_object_foreach(e->root, key, v)
		rec_add(r, key, val_from_json(v));
	return RD_OK;
}

static void
jsonl_free_engine(struct reader *rd)
{
	struct jsonl_engine *e = rd->engine;

	json_decref(e->root);
	buf_free(&e->fixed);
	free(e);
}

void
jsonl_reader_init(struct reader *rd)
{
	rd->engine = ecalloc(1, sizeof(struct jsonl_engine));
	rd->next = jsonl_next;
	rd->free = jsonl_free_engine;
}
