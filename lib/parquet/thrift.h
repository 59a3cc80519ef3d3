/*
 * thrift.h - a writer of Thrift's compact protocol, the encoding of
 * Parquet's footer and page headers (thrift-compact-protocol.md in
 * apache/thrift).  Fields carry the delta from the previous field id of
 * their struct; structs nest on a small stack and end with a 0 byte;
 * list elements carry no field headers.
 *
 *	struct tw w;
 *	tw_init(&w, &buf);
 *	tw_i32(&w, 1, 0);		// PageHeader.type = DATA_PAGE
 *	tw_struct(&w, 5);		// .data_page_header
 *	tw_i32(&w, 1, 33);
 *	tw_end(&w);
 *	tw_end(&w);			// the PageHeader itself
 */
#ifndef SLUICE_THRIFT_H
#define SLUICE_THRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Wire types. */
enum {
	TT_TRUE = 1, TT_FALSE = 2, TT_I8 = 3, TT_I16 = 4, TT_I32 = 5,
	TT_I64 = 6, TT_DOUBLE = 7, TT_BINARY = 8, TT_LIST = 9, TT_STRUCT = 12
};

enum { TW_DEPTH = 16 };

struct tw {
	struct buf *b;
	int last[TW_DEPTH];	/* the previous field id, per open struct */
	int depth;
};

/* Start writing a struct (the outermost) into b. */
void tw_init(struct tw *w, struct buf *b);

/* Fields of the open struct, by id (ascending). */
void tw_bool(struct tw *w, int id, int v);
void tw_i16(struct tw *w, int id, int16_t v);
void tw_i32(struct tw *w, int id, int32_t v);
void tw_i64(struct tw *w, int id, int64_t v);
void tw_binary(struct tw *w, int id, const void *p, size_t n);
void tw_string(struct tw *w, int id, const char *s);

/* A struct field: its fields follow, then tw_end(). */
void tw_struct(struct tw *w, int id);

/* End the open struct (the outermost too). */
void tw_end(struct tw *w);

/* A list field of n elements of wire type t; then the elements. */
void tw_list(struct tw *w, int id, int t, size_t n);

/* List elements. */
void tw_elem_i32(struct tw *w, int32_t v);
void tw_elem_binary(struct tw *w, const void *p, size_t n);
void tw_elem_struct(struct tw *w);	/* then its fields, tw_end() */

#endif
