/*
 * sink.h - parquet-sink's folder handling (parts.c).
 */
#ifndef SLUICE_SINK_H
#define SLUICE_SINK_H

#include "parquet/pq.h"

/* A Hive partition value, percent-encoded, onto b. */
void hive_escape(struct buf *b, const char *p, size_t n);

/* Remove path and all in it.  0, or -1. */
int remove_tree(const char *path);

/* Remove temporary files of dead runs in dir and below. */
void clean_stale(const char *dir);

/* Remove staging folders ".BASE.stage-*" of dead runs in parent. */
void clean_stale_stages(const char *parent, const char *base);

/* Put staged folder from in place of to (atomically when to exists). */
int swap_in(const char *from, const char *to, const char *parent);

#endif
