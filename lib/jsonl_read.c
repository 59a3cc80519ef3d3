/*
 * jsonl_read.c - JSON Lines through jansson: one object per line.
 *
 * Each line is parsed into a jansson tree that lives until the next line;
 * the record's fields point into it.  Keys keep their order.  A repeated
 * key, a line that is not an object, or JSON that does not parse makes a
 * bad record carrying the line's text.  Integers too large for 64 bits are
 * read as doubles (as jq does) instead of failing the line.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "reader_impl.h"

struct jsonl_engine {
	json_t *root;		/* the current line's object */
};

static int
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static struct val
to_val(json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_NULL:
		return val_null();
	case JSON_TRUE:
		return val_bool(1);
	case JSON_FALSE:
		return val_bool(0);
	case JSON_INTEGER:
		return val_int(json_integer_value(j));
	case JSON_REAL:
		return val_double(json_real_value(j));
	case JSON_STRING:
		return val_str(json_string_value(j), json_string_length(j));
	default: {
		struct val v = { .type = VAL_JSON, .u.j = j };
		return v;
	}
	}
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
			rd_bad(rd, "line longer than %zu MiB",
			    SRC_MAX_LINE >> 20);
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
	if (e->root == NULL && strstr(err.text, "too big") != NULL)
		e->root = json_loadb(p, n, JSON_REJECT_DUPLICATES |
		    JSON_DECODE_INT_AS_REAL, &err);
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
		rec_add(r, key, to_val(v));
	return RD_OK;
}

static void
jsonl_free_engine(struct reader *rd)
{
	struct jsonl_engine *e = rd->engine;

	json_decref(e->root);
	free(e);
}

void
jsonl_reader_init(struct reader *rd)
{
	rd->engine = ecalloc(1, sizeof(struct jsonl_engine));
	rd->next = jsonl_next;
	rd->free = jsonl_free_engine;
}
