/*
 * page.h - what dashboard.cgi's parts share: the output (HTML escaping,
 * a page's frame), charts drawn as inline SVG, and the views' data.
 */
#ifndef SLUICE_PAGE_H
#define SLUICE_PAGE_H

#include <sqlite3.h>

#include "sluice.h"

/* --- Output (html.c) ---------------------------------------------------- */

/* Text as HTML: & < > " ' escaped, so data never becomes markup. */
void html_text(struct out *o, const char *s);
void html_textn(struct out *o, const char *s, size_t n);

/*
 * The Content-Security-Policy every answer carries: nothing may load or
 * run but the page's own style (by its hash); no frame may hold it.
 */
extern const char page_csp[];

/* The CGI header and the page's start: title, refresh, style. */
void page_begin(struct out *o, const char *title, int refresh,
    const char *active);
void page_end(struct out *o);

/* A number for people: 1234567.8 -> "1,234,567.80" (places decimals). */
void fmt_amount(char *buf, size_t size, double v, int places);

/* --- Charts (svg.c) ---------------------------------------------------- */

struct series {
	const char *name;
	const char **x;		/* labels, one a point */
	double *y;
	size_t n;
};

/*
 * A line chart of ns series over the same x labels (of the first series):
 * axes, gridlines with values, the first, middle and last x labels, a
 * legend.
 */
void svg_lines(struct out *o, const char *title, const struct series *s,
    size_t ns);

/* Horizontal bars, largest first: a label and its value on each. */
void svg_bars(struct out *o, const char *title, const char **names,
    const double *values, size_t n, const char *currency);

/* --- Data (data.c) ------------------------------------------------------ */

/* A query's rows as strings (NULL for null), all kept. */
struct rows {
	size_t ncols, nrows;
	char **names;		/* column names */
	char **cell;		/* nrows * ncols */
};

/* Queries that failed so far (a busy database, say): a page made with
   any is not cached. */
extern int query_errors;

/* Run sql with text parameters; rows, or -1. */
int query(sqlite3 *db, const char *sql, const char *const *params,
    size_t nparams, struct rows *out);
void rows_free(struct rows *r);
const char *cell(const struct rows *r, size_t row, size_t col);

/* Does the table exist?  Its columns and declared types, into cols. */
int table_columns(sqlite3 *db, const char *table, struct rows *cols);

/* An identifier, quoted for SQL (lib's). */
#define sql_ident buf_sql_ident

/* --- The batch view's rollups (rollup.c) ------------------------------ */

/* The columns of batch_daily the batch view reads (count and dim1 may
   be NULL). */
struct batch_cols {
	const char *date, *rev, *count, *dim0, *dim1;
};

/* Make the summaries by day and by dimension, the triggers that keep
   them and the latest rows' index, from the rows there now, in one
   transaction; 0, or -1 said. */
int rollup_prepare(sqlite3 *db, const struct batch_cols *bc);

/* Are the summaries there, kept, and made for these columns? */
int rollup_ready(sqlite3 *db, const struct batch_cols *bc);

/* --- The page cache (cache.c) ----------------------------------------- */

/* The cache file and key for this request of db, the key with the
   warehouse's state as it is now (call again after reading it: opening
   a WAL database can make its -wal file); -1: no cache. */
int cache_path(struct buf *path, struct buf *key, const char *db,
    const char *request);

/* Write the cached page to stdout if it is there for key; 0, or -1. */
int cache_serve(const char *path, const struct buf *key);

/* Keep page for key. */
void cache_store(const char *path, const struct buf *key,
    const struct buf *page);

#endif
