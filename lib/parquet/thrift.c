#include "thrift.h"

#include <string.h>

#include "diag.h"

static void
varint(struct tw *w, uint64_t v)
{
	while (v >= 0x80) {
		buf_addc(w->b, (char)(v | 0x80));
		v >>= 7;
	}
	buf_addc(w->b, (char)v);
}

static void
zigzag(struct tw *w, int64_t v)
{
	varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* The field header: the id as a delta in the high nibble when it fits. */
static void
header(struct tw *w, int id, int type)
{
	int delta = id - w->last[w->depth];

	if (delta > 0 && delta <= 15) {
		buf_addc(w->b, (char)(delta << 4 | type));
	} else {
		buf_addc(w->b, (char)type);
		zigzag(w, id);
	}
	w->last[w->depth] = id;
}

void
tw_init(struct tw *w, struct buf *b)
{
	memset(w, 0, sizeof *w);
	w->b = b;
}

void
tw_bool(struct tw *w, int id, int v)
{
	header(w, id, v ? TT_TRUE : TT_FALSE);
}

void
tw_i16(struct tw *w, int id, int16_t v)
{
	header(w, id, TT_I16);
	zigzag(w, v);
}

void
tw_i32(struct tw *w, int id, int32_t v)
{
	header(w, id, TT_I32);
	zigzag(w, v);
}

void
tw_i64(struct tw *w, int id, int64_t v)
{
	header(w, id, TT_I64);
	zigzag(w, v);
}

void
tw_binary(struct tw *w, int id, const void *p, size_t n)
{
	header(w, id, TT_BINARY);
	varint(w, n);
	buf_add(w->b, p, n);
}

void
tw_string(struct tw *w, int id, const char *s)
{
	tw_binary(w, id, s, strlen(s));
}

static void
push(struct tw *w)
{
	if (++w->depth >= TW_DEPTH)
		fatal(1, "thrift: structs nested too deep");
	w->last[w->depth] = 0;
}

void
tw_struct(struct tw *w, int id)
{
	header(w, id, TT_STRUCT);
	push(w);
}

void
tw_end(struct tw *w)
{
	buf_addc(w->b, 0);
	if (w->depth > 0)
		w->depth--;
}

void
tw_list(struct tw *w, int id, int t, size_t n)
{
	header(w, id, TT_LIST);
	if (n <= 14) {
		buf_addc(w->b, (char)(n << 4 | (size_t)t));
	} else {
		buf_addc(w->b, (char)(0xf0 | t));
		varint(w, n);
	}
}

void
tw_elem_i32(struct tw *w, int32_t v)
{
	zigzag(w, v);
}

void
tw_elem_binary(struct tw *w, const void *p, size_t n)
{
	varint(w, n);
	buf_add(w->b, p, n);
}

void
tw_elem_struct(struct tw *w)
{
	push(w);
}
