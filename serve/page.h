/*
 * page.h - what dashboard.cgi's parts share: the request, the output
 * (HTML escaping, a page's frame, tiles, tables, JSON), charts drawn as
 * inline SVG, the warehouse's data, and the views.
 */
#ifndef SLUICE_PAGE_H
#define SLUICE_PAGE_H

#include "db.h"
#include "schema.h"
#include "sluice.h"

/* --- The request (request.c) ------------------------------------------- */

struct req {
	const char *view;	/* "batch", "stream" or "quality" */
	int json;
	int refresh;		/* seconds; 0: none */
	char table[65];		/* stream view: the windows' table, or "" */
};

/*
 * Parse QUERY_STRING (NULL: empty) against the whitelist into rq, which
 * holds the defaults.  0, or -1 (a 404): an unknown name or value, a
 * refresh that is not 0-9999, a table name not [A-Za-z0-9_] (1-64).
 */
int parse_query(const char *qs, struct req *rq);

/* One answer's state, as the views make it. */
struct ctx {
	struct db *db;
	struct out *o;
	struct req rq;
	const char *title, *currency;
	struct schema *schema;	/* the dataset's, or NULL */
	struct buf sql;		/* scratch for queries */
	json_t *tiles;		/* the tiles shown, for the JSON's "tiles" */
	int failed;		/* a query or the page failed: do not cache */
};

/*
 * Every answer's header, HTML, JSON or error: what it is, and what a
 * browser may do with it (CSP: only the page's own style and script; not
 * sniffed as anything else; never in a frame; no referrer sent on).
 */
void header(struct out *o, const char *status, int json);

/* --- Output (html.c) ---------------------------------------------------- */

/* Text as HTML: & < > " ' escaped, so data never becomes markup. */
void html_text(struct out *o, const char *s);
void html_textn(struct out *o, const char *s, size_t n);

/*
 * The Content-Security-Policy every answer carries: nothing may load or
 * run but the page's own style and script (by their hashes) and fetches
 * of its own JSON; no frame may hold it.
 */
extern const char page_csp[];

/* The page's start: title, the refresh (script, or a reload without
   one), style, the views' links; json is the URL the script fetches. */
void page_begin(struct out *o, const char *title, int refresh,
    const char *active, const char *json);
void page_end(struct out *o);

/* A number for people: 1234567.8 -> "1,234,567.80" (places decimals). */
void fmt_amount(char *buf, size_t size, double v, int places);

/* --- Charts (svg.c) ---------------------------------------------------- */

struct series {
	const char *name;
	const char **x;		/* labels, one a point */
	double *y;
	const unsigned char *have;	/* per point: 0 = none (a gap); NULL:
					   all there */
	size_t n;
};

/*
 * A line chart of ns series over the same x labels (of the first series):
 * axes, gridlines with values, the first, middle and last x labels, a
 * legend above the plot, and each point's value on hover (<title>).
 * Points from open on (open < n) are of windows still open: drawn
 * dashed, hollow.  places: the values' decimals; lo: the axis's bottom
 * (rounded down to a gridline; 0 for amounts).
 */
void svg_lines(struct out *o, const char *title, const struct series *s,
    size_t ns, size_t open, int places, double lo);

/* Horizontal bars, largest first: a label and its value on each (prefix
   before it, places decimals). */
void svg_bars(struct out *o, const char *title, const char **names,
    const double *values, size_t n, const char *prefix, int places);

/* --- Data (data.c) ------------------------------------------------------ */

/* Queries that failed so far (a busy database, say): a page made with
   any is not cached. */
extern int query_errors;

/* Run sql with text parameters (db_query, failures counted); rows, or
   -1. */
int query(struct db *db, const char *sql, const char *const *params,
    size_t nparams, struct rows *out);
const char *cell(const struct rows *r, size_t row, size_t col);
/* The cell as a number (0 for null or text). */
double cell_num(const struct rows *r, size_t row, size_t col);
/* Is the cell a number (an INTEGER or REAL value)? */
int cell_is_num(const struct rows *r, size_t row, size_t col);
/* The column called name, or -1. */
int col_index(const struct rows *r, const char *name);
/* The cell as JSON: a number for numbers, else a string or null. */
json_t *cell_json(const struct rows *r, size_t row, size_t col);

/* Does the table exist?  Its columns, declared types (as SQLite's:
   INTEGER, REAL, TEXT, ...) and the database's own types, into cols. */
int table_columns(struct db *db, const char *table, struct rows *cols);

/* Append column name of cols (table_columns' rows) to q as a number:
   quoted, a boolean made 0 or 1 (PostgreSQL sums no booleans). */
void sql_number(struct buf *q, const struct rows *cols, const char *name);

/* The column prefix + name among cols (table_columns' rows), as cols
   spells it, or NULL (name NULL: NULL). */
const char *column_named(const struct rows *cols, const char *prefix,
    const char *name);

/* Does s start, or end, with this? */
int str_starts(const char *s, const char *prefix);
int str_ends(const char *s, const char *suffix);

/* An identifier, quoted for SQL (lib's). */
#define sql_ident buf_sql_ident

/* --- What the views share (view.c) ------------------------------------- */

/* A column's name in words: total_revenue -> "revenue", sum_price ->
   "total price", avg_x -> "average x", validity_pct -> "validity". */
void words(char *buf, size_t size, const char *name);

/* A value for people, as its column's name says: a rate or percentage
   as "12.34%", an integer grouped, an amount to the cent. */
void fmt_value(char *buf, size_t size, const char *name, double v, int isint);

/* Start the page (the header, the frame, the tiles' row); HTML only. */
void view_begin(struct ctx *c);

/*
 * A tile: shown (HTML) and kept for the JSON's "tiles" as {key, label,
 * value, text, status}.  value is taken (a number, a string or null);
 * cls: a status class, or NULL.
 */
void tile(struct ctx *c, const char *key, const char *label, json_t *value,
    const char *text, const char *cls);

/* End the tiles' row; HTML only. */
void tiles_end(struct ctx *c);

/* A card holding a table of rows: headers in words, numbers formatted
   and aligned right, scrolling inside its card; id for updates. */
void rows_table(struct ctx *c, const char *id, const char *title,
    const struct rows *r);

/* Rows as a JSON array of objects, numbers as numbers. */
json_t *rows_json(const struct rows *r);

/* A JSON answer (j is taken), with the tiles shown. */
void send_json(struct ctx *c, json_t *j);

/* "No data yet": the view exists, its table does not, or is empty. */
void no_data(struct ctx *c, const char *what);

/* The views. */
void view_batch(struct ctx *c);
void view_stream(struct ctx *c);
/* The window table the stream view shows: asked ("" for the default),
   else the first (allocated; NULL when there is none). */
char *stream_table(struct db *db, const char *asked);
void view_quality(struct ctx *c);

/* --- The batch view's summaries (rollup.c) ---------------------------- */

/* The columns of batch_daily the batch view reads (count and dim1 may
   be NULL). */
struct batch_cols {
	const char *date, *rev, *count, *dim0, *dim1;
};

/* The columns of batch_daily the view reads, the schema's analysis
   first (s may be NULL): 1, 0 (no table) or -1 (lacking one).  Names
   point into cols. */
int batch_columns(struct db *db, const struct schema *s, struct rows *cols,
    struct batch_cols *bc);

/* Run the warehouse's script for the summaries (batch_daily_rollup_sql:
   see rollup.c), as the batch job does: 0, or -1 said. */
int rollup_make(struct db *db);

/* Are the summaries there, kept, and made for these columns? */
int rollup_ready(struct db *db, const struct batch_cols *bc);

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
