/*
 * pg_row.h - pg-sink's rows as COPY takes them: a record as a line of
 * COPY's text format or a row of its binary format (pg_binary.h), its
 * fields in the table's columns (table.h's slots); and a row the server
 * refused read back into a record of its values as they were sent, for
 * the reject.  Nothing here speaks to the server.
 */
#ifndef SLUICE_PG_ROW_H
#define SLUICE_PG_ROW_H

#include "pg_binary.h"
#include "table.h"

/* How a run of rows is laid out. */
struct pgrow_shape {
	const int *cols;	/* its columns: indexes into the table's */
	size_t ncols;
	int binary;		/* COPY's binary format, else its text */
	int staged;		/* a row's place in the batch comes first */
	const enum pgb_wire *wire;	/* binary: per column of the table */
};

/*
 * Record r (its fields in t->slot's columns, which are sh's) as one row
 * onto b, ord its place in the batch: 0, or 1 when a value does not fit
 * its column (r rejected with the reason, nothing put on b).
 */
int pgrow_put(struct sink *t, const struct pgrow_shape *sh,
    const struct rec *r, size_t ord, struct buf *b);

/* Row q[0..n), as pgrow_put made it, into r: each of sh's columns with
   its value as text as it was sent, a null as null. */
void pgrow_get(const struct sink *t, const struct pgrow_shape *sh,
    const char *q, size_t n, struct rec *r);

#endif
