/*
 * dashboard.cgi - the warehouse as a web page: a batch view (KPI tiles,
 * the daily revenue trend, a leaderboard, sample rows) and a stream view
 * (revenue per window, the latest window's leaderboard, stream health),
 * charts drawn as inline SVG, or the same data as JSON with
 * ?format=json.  A CGI program: any CGI-capable server runs it.  See
 * dashboard.cgi(1).
 *
 * It reads $SLUICE_DB, opened read-only.  Query parameters are
 * whitelisted (anything else is a 404 page); data is HTML-escaped; no
 * request text reaches SQL.
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"

struct req {
	const char *view;	/* "batch" or "stream" */
	int json;
	int refresh;		/* seconds; 0: none */
};

struct ctx {
	sqlite3 *db;
	struct out *o;
	struct req rq;
	const char *title, *currency;
	struct buf sql;
	int failed;		/* a query or the page failed: do not cache */
};

/* --- Requests ------------------------------------------------------------ */

/* Parse QUERY_STRING against the whitelist.  0, or -1 (a 404). */
static int
parse_query(const char *qs, struct req *rq)
{
	char *copy = estrdup(qs ? qs : ""), *tok, *save = NULL;
	int rc = 0;

	for (tok = strtok_r(copy, "&", &save); tok && rc == 0;
	    tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		const char *v = eq ? eq + 1 : "";

		if (eq)
			*eq = '\0';
		if (strcmp(tok, "view") == 0 && (strcmp(v, "batch") == 0 ||
		    strcmp(v, "stream") == 0))
			rq->view = strcmp(v, "batch") == 0 ? "batch" : "stream";
		else if (strcmp(tok, "format") == 0 && strcmp(v, "json") == 0)
			rq->json = 1;
		else if (strcmp(tok, "format") == 0 && strcmp(v, "html") == 0)
			rq->json = 0;
		else if (strcmp(tok, "refresh") == 0 && *v &&
		    strspn(v, "0123456789") == strlen(v) && strlen(v) <= 4)
			rq->refresh = atoi(v);
		else
			rc = -1;
	}
	free(copy);
	return rc;
}

/*
 * Every answer's header, HTML, JSON or error: what it is, and what a
 * browser may do with it (CSP: only the page's own style; not sniffed as
 * anything else; never in a frame; no referrer sent on).
 */
static void
header(struct out *o, const char *status, int json)
{
	out_puts(o, "Status: ");
	out_puts(o, status);
	out_puts(o, json ? "\r\nContent-Type: application/json\r\n" :
	    "\r\nContent-Type: text/html; charset=utf-8\r\n");
	out_puts(o, "Content-Security-Policy: ");
	out_puts(o, page_csp);
	out_puts(o, "\r\nX-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n");
	if (strncmp(status, "405", 3) == 0)
		out_puts(o, "Allow: GET, HEAD\r\n");
	out_puts(o, "Cache-Control: no-store\r\n\r\n");
}

/* A method other than GET and HEAD: the dashboard only reads. */
static void
not_allowed(struct ctx *c, const char *method)
{
	header(c->o, "405 Method Not Allowed", 0);
	page_begin(c->o, c->title, 0, "");
	out_puts(c->o, "<div class=\"card\"><h2>Method not allowed</h2><p>");
	html_text(c->o, method);
	out_puts(c->o, " is not answered here: the dashboard only reads "
	    "(GET, HEAD).</p></div>");
	page_end(c->o);
}

static void
not_found(struct ctx *c)
{
	header(c->o, "404 Not Found", 0);
	page_begin(c->o, c->title, 0, "");
	out_puts(c->o, "<div class=\"card\"><h2>Not found</h2><p>The dashboard "
	    "has two views: <a href=\"?view=batch\">batch</a> and "
	    "<a href=\"?view=stream\">stream</a>, each also as "
	    "<code>&amp;format=json</code>.</p></div>");
	page_end(c->o);
}

/* --- Helpers ----------------------------------------------------------------- */

static double
num(const char *s)
{
	return s ? strtod(s, NULL) : 0;
}

/* The first column of cols (pragma rows: name, type) passing test. */
static const char *
find_col(const struct rows *cols, int (*test)(const char *name,
    const char *type))
{
	for (size_t i = 0; i < cols->nrows; i++)
		if (test(cell(cols, i, 0), cell(cols, i, 1) ?
		    cell(cols, i, 1) : ""))
			return cell(cols, i, 0);
	return NULL;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
is_date_col(const char *name, const char *type)
{
	(void)type;
	return strcmp(name, "order_date") == 0 || ends_with(name, "_date");
}

/* "revenue" first: a schema's revenue is what it counts as sales (the
   e-commerce schema's: purchases only), where a total may be of every
   event. */
static int
is_revenue(const char *name, const char *type)
{
	(void)type;
	return strcmp(name, "revenue") == 0;
}

static int
is_total(const char *name, const char *type)
{
	(void)type;
	return strcmp(name, "total_amount") == 0 || strcmp(name, "sum_amount") ==
	    0;
}

/* Whether the rows of a pragma (name, type) have this column. */
static int
has_column(const struct rows *cols, const char *name)
{
	for (size_t i = 0; i < cols->nrows; i++)
		if (cell(cols, i, 0) && strcmp(cell(cols, i, 0), name) == 0)
			return 1;
	return 0;
}

static int
is_sum(const char *name, const char *type)
{
	(void)type;
	return strncmp(name, "sum_", 4) == 0;
}

static int
is_text(const char *name, const char *type)
{
	(void)name;
	return strcmp(type, "TEXT") == 0;
}

static void
tile(struct out *o, const char *label, const char *value, const char *cls)
{
	out_puts(o, "<div class=\"tile\"><span>");
	html_text(o, label);
	out_puts(o, "</span><b");
	if (cls != NULL) {
		out_puts(o, " class=\"");
		html_text(o, cls);
		out_puts(o, "\"");
	}
	out_puts(o, ">");
	html_text(o, value);
	out_puts(o, "</b></div>");
}

static void
rows_table(struct out *o, const char *title, const struct rows *r)
{
	out_puts(o, "<div class=\"card\"><h3>");
	html_text(o, title);
	out_puts(o, "</h3><table><tr>");
	for (size_t c = 0; c < r->ncols; c++) {
		out_puts(o, "<th>");
		html_text(o, r->names[c]);
		out_puts(o, "</th>");
	}
	out_puts(o, "</tr>");
	for (size_t i = 0; i < r->nrows; i++) {
		out_puts(o, "<tr>");
		for (size_t c = 0; c < r->ncols; c++) {
			out_puts(o, "<td>");
			html_text(o, cell(r, i, c) ? cell(r, i, c) : "");
			out_puts(o, "</td>");
		}
		out_puts(o, "</tr>");
	}
	out_puts(o, "</table></div>\n");
}

static json_t *
rows_json(const struct rows *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nrows; i++) {
		json_t *row = json_object();

		for (size_t c = 0; c < r->ncols; c++)
			json_object_set_new(row, r->names[c], cell(r, i, c) ?
			    json_string(cell(r, i, c)) : json_null());
		json_array_append_new(a, row);
	}
	return a;
}

/* A leaderboard chart from rows of (name, value). */
static void
bars_of(struct ctx *c, const char *title, const struct rows *r)
{
	const char **names = ecalloc(r->nrows + 1, sizeof *names);
	double *vals = ecalloc(r->nrows + 1, sizeof *vals);

	for (size_t i = 0; i < r->nrows; i++) {
		names[i] = cell(r, i, 0) ? cell(r, i, 0) : "";
		vals[i] = num(cell(r, i, 1));
	}
	svg_bars(c->o, title, names, vals, r->nrows, c->currency);
	free(names);
	free(vals);
}

/* A JSON answer (j is taken). */
static void
send_json(struct ctx *c, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) :
	    NULL;

	if (s == NULL) {
		/* jansson refuses text that is not UTF-8 (in the data, or
		   SLUICE_CURRENCY): say so, do not crash. */
		header(c->o, "500 Internal Server Error", 1);
		out_puts(c->o, "{\"status\":\"ERROR\",\"message\":\"the data "
		    "is not valid UTF-8\"}\n");
		c->failed = 1;
		json_decref(j);
		return;
	}
	header(c->o, "200 OK", 1);
	out_puts(c->o, s);
	out_putc(c->o, '\n');
	free(s);
	json_decref(j);
}

/* "No data yet": the view exists, its table does not, or is empty. */
static void
no_data(struct ctx *c, const char *what)
{
	if (c->rq.json) {
		send_json(c, json_pack("{s:s,s:s,s:s}", "view", c->rq.view,
		    "status", "NO_DATA", "message", what));
		return;
	}
	header(c->o, "200 OK", 0);
	page_begin(c->o, c->title, c->rq.refresh, c->rq.view);
	out_puts(c->o, "<div class=\"tiles\">");
	tile(c->o, "status", "NO_DATA", "NO_DATA");
	out_puts(c->o, "</div><div class=\"card\"><h2>No data yet</h2><p>");
	html_text(c->o, what);
	out_puts(c->o, "</p></div>");
	page_end(c->o);
}

/* --- The batch view ------------------------------------------------------------ */

/*
 * The columns of batch_daily the view reads: 1, 0 (no table) or -1
 * (lacking one).  Names point into cols.
 */
static int
batch_columns(sqlite3 *db, struct rows *cols, struct batch_cols *bc)
{
	memset(bc, 0, sizeof *bc);
	if (!table_columns(db, "batch_daily", cols))
		return 0;
	bc->date = find_col(cols, is_date_col);
	if ((bc->rev = find_col(cols, is_revenue)) == NULL)
		bc->rev = find_col(cols, is_total);
	if (bc->rev == NULL)
		bc->rev = find_col(cols, is_sum);
	for (size_t i = 0; i < cols->nrows; i++) {
		const char *n = cell(cols, i, 0);

		if (strcmp(n, "record_count") == 0)
			bc->count = n;
		else if (is_text(n, cell(cols, i, 1) ? cell(cols, i, 1) : "") &&
		    (bc->date == NULL || strcmp(n, bc->date) != 0)) {
			if (bc->dim0 == NULL)
				bc->dim0 = n;
			else if (bc->dim1 == NULL)
				bc->dim1 = n;
		}
	}
	return bc->date && bc->rev && bc->dim0 ? 1 : -1;
}

/* The leaderboard's name: the first dimension, or the first two as a
   segment (city·channel); a and b are their SQL. */
static void
segment_name(struct buf *q, const char *a, const char *b)
{
	buf_adds(q, a);
	if (b != NULL) {
		buf_adds(q, " || ' · ' || ");
		buf_adds(q, b);
	}
	buf_adds(q, " AS name");
}

/*
 * The batch view's four queries, from the rollups (a row a day, a row
 * a dimension: see rollup.c) when they are kept, else over the table.
 */
static void
batch_queries(struct ctx *c, const struct batch_cols *bc, struct rows *kpi,
    struct rows *trend, struct rows *lead, struct rows *sample)
{
	struct buf *q = &c->sql, d0 = { 0 }, d1 = { 0 };

	if (rollup_ready(c->db, bc)) {
		query(c->db, "SELECT round(sum(revenue), 2), sum(records), "
		    "(SELECT count(DISTINCT nullif(d0, '')) FROM "
		    "batch_daily_by_dim) FROM batch_daily_by_date", NULL, 0, kpi);
		query(c->db, "SELECT nullif(d, ''), round(revenue, 2) FROM "
		    "batch_daily_by_date ORDER BY d", NULL, 0, trend);
		q->n = 0;
		buf_adds(q, "SELECT ");
		segment_name(q, "nullif(d0, '')", bc->dim1 ? "nullif(d1, '')" :
		    NULL);
		buf_adds(q, ", round(sum(revenue), 2) AS revenue FROM "
		    "batch_daily_by_dim GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10");
		query(c->db, buf_cstr(q), NULL, 0, lead);
	} else {
		q->n = 0;
		buf_adds(q, "SELECT round(sum(");
		sql_ident(q, bc->rev);
		buf_adds(q, "), 2), ");
		if (bc->count != NULL) {
			buf_adds(q, "sum(");
			sql_ident(q, bc->count);
			buf_adds(q, ")");
		} else {
			buf_adds(q, "count(*)");
		}
		buf_adds(q, ", count(DISTINCT ");
		sql_ident(q, bc->dim0);
		buf_adds(q, ") FROM batch_daily");
		query(c->db, buf_cstr(q), NULL, 0, kpi);
		q->n = 0;
		buf_adds(q, "SELECT ");
		sql_ident(q, bc->date);
		buf_adds(q, ", round(sum(");
		sql_ident(q, bc->rev);
		buf_adds(q, "), 2) FROM batch_daily GROUP BY 1 ORDER BY 1");
		query(c->db, buf_cstr(q), NULL, 0, trend);
		sql_ident(&d0, bc->dim0);
		if (bc->dim1 != NULL)
			sql_ident(&d1, bc->dim1);
		q->n = 0;
		buf_adds(q, "SELECT ");
		segment_name(q, buf_cstr(&d0), bc->dim1 ? buf_cstr(&d1) : NULL);
		buf_adds(q, ", round(sum(");
		sql_ident(q, bc->rev);
		buf_adds(q, "), 2) AS revenue FROM batch_daily GROUP BY 1 "
		    "ORDER BY 2 DESC, 1 LIMIT 10");
		query(c->db, buf_cstr(q), NULL, 0, lead);
	}
	q->n = 0;
	buf_adds(q, "SELECT * FROM batch_daily ORDER BY ");
	sql_ident(q, bc->date);
	buf_adds(q, " DESC, ");
	sql_ident(q, bc->rev);
	buf_adds(q, " DESC LIMIT 10");
	query(c->db, buf_cstr(q), NULL, 0, sample);
	buf_free(&d0);
	buf_free(&d1);
}

static void
batch(struct ctx *c)
{
	struct rows cols, kpi = { 0 }, trend = { 0 }, lead = { 0 }, sample = { 0 };
	struct batch_cols bc;
	const char *dim0, *dim1;
	char revenue[64], records[64], distinct[64], label[96];
	int places = 2, have;
	double nrecords;

	have = batch_columns(c->db, &cols, &bc);
	if (have <= 0) {
		rows_free(&cols);
		no_data(c, have == 0 ? "The warehouse has no batch results "
		    "(table batch_daily) yet: run the batch pipeline." :
		    "batch_daily lacks a date, a revenue or a dimension column.");
		return;
	}
	dim0 = bc.dim0;
	dim1 = bc.dim1;
	batch_queries(c, &bc, &kpi, &trend, &lead, &sample);
	if (kpi.nrows == 0 || cell(&kpi, 0, 0) == NULL) {
		rows_free(&cols);
		rows_free(&kpi);
		rows_free(&trend);
		rows_free(&lead);
		rows_free(&sample);
		no_data(c, "batch_daily is empty.");
		return;
	}
	/* Records: the counts, else the KPI table, else the rows. */
	nrecords = num(cell(&kpi, 0, 1));
	if (bc.count == NULL) {
		struct rows k = { 0 }, kc = { 0 };

		if (table_columns(c->db, "batch_kpis", &kc) &&
		    query(c->db, "SELECT records FROM batch_kpis LIMIT 1", NULL,
		    0, &k) == 0 && k.nrows > 0 && cell(&k, 0, 0))
			nrecords = num(cell(&k, 0, 0));
		rows_free(&k);
		rows_free(&kc);
	}
	fmt_amount(revenue, sizeof revenue, num(cell(&kpi, 0, 0)), places);
	fmt_amount(records, sizeof records, nrecords, 0);
	fmt_amount(distinct, sizeof distinct, num(cell(&kpi, 0, 2)), 0);
	snprintf(label, sizeof label, "%s%s%s", dim0, dim1 ? " · " : "",
	    dim1 ? dim1 : "");
	if (c->rq.json) {
		json_t *t = json_array(), *l = json_array(), *j;

		for (size_t i = 0; i < trend.nrows; i++)
			json_array_append_new(t, json_pack("{s:s?,s:f}", "date",
			    cell(&trend, i, 0), "revenue", num(cell(&trend, i,
			    1))));
		for (size_t i = 0; i < lead.nrows; i++)
			json_array_append_new(l, json_pack("{s:s?,s:f}", "name",
			    cell(&lead, i, 0), "revenue", num(cell(&lead, i, 1))));
		j = json_pack("{s:s,s:s,s:s?,s:{s:f,s:I,s:I,s:s},s:s,s:o,s:o,s:o}",
		    "view", "batch", "status", "HEALTHY", "currency",
		    c->currency, "kpis", "revenue", num(cell(&kpi, 0, 0)),
		    "records", (json_int_t)nrecords, "distinct",
		    (json_int_t)num(cell(&kpi, 0, 2)), "distinct_of", dim0,
		    "leaderboard_of", label, "trend", t, "leaderboard", l,
		    "rows", rows_json(&sample));
		send_json(c, j);
	} else {
		struct series se = { "revenue", NULL, NULL, trend.nrows };
		char tl[128], dl[128];

		se.x = ecalloc(trend.nrows + 1, sizeof *se.x);
		se.y = ecalloc(trend.nrows + 1, sizeof *se.y);
		for (size_t i = 0; i < trend.nrows; i++) {
			se.x[i] = cell(&trend, i, 0);
			se.y[i] = num(cell(&trend, i, 1));
		}
		header(c->o, "200 OK", 0);
		page_begin(c->o, c->title, c->rq.refresh, "batch");
		out_puts(c->o, "<div class=\"tiles\">");
		snprintf(tl, sizeof tl, "%s%s%s", c->currency ? c->currency :
		    "", c->currency ? " " : "", revenue);
		tile(c->o, "revenue", tl, NULL);
		tile(c->o, "records", records, NULL);
		snprintf(dl, sizeof dl, "distinct %s", dim0);
		tile(c->o, dl, distinct, NULL);
		tile(c->o, "status", "HEALTHY", "HEALTHY");
		out_puts(c->o, "</div><div class=\"card\">");
		svg_lines(c->o, "Daily revenue", &se, 1);
		out_puts(c->o, "</div><div class=\"card\">");
		snprintf(tl, sizeof tl, "Top %s by revenue", label);
		bars_of(c, tl, &lead);
		out_puts(c->o, "</div>");
		rows_table(c->o, "Latest aggregated rows", &sample);
		page_end(c->o);
		free(se.x);
		free(se.y);
	}
	rows_free(&cols);
	rows_free(&kpi);
	rows_free(&trend);
	rows_free(&lead);
	rows_free(&sample);
}

/* --- The stream view ----------------------------------------------------------- */

static int
is_window_col(const char *name, const char *type)
{
	(void)type;
	return strcmp(name, "window_start") == 0;
}

/*
 * One key's revenue in each of the windows (0 where it has none): p[0]
 * the key's value, p[1] the first window.  One indexed range scan, then
 * aligned here.
 */
static double *
series_points(struct ctx *c, const char *key, const char *rev,
    const char *const *p, const struct rows *windows)
{
	struct buf *q = &c->sql;
	struct rows r = { 0 };
	double *y = ecalloc(windows->nrows + 1, sizeof *y);
	size_t k = 0;

	q->n = 0;
	buf_adds(q, "SELECT window_start, sum(");
	sql_ident(q, rev);
	buf_adds(q, ") FROM stream_windows WHERE window_start >= ?2 AND ");
	sql_ident(q, key);
	buf_adds(q, " = ?1 GROUP BY 1 ORDER BY 1");
	query(c->db, buf_cstr(q), p, 2, &r);
	for (size_t i = 0; i < windows->nrows && k < r.nrows; i++)
		if (strcmp(cell(windows, i, 0), cell(&r, k, 0)) == 0)
			y[i] = num(cell(&r, k++, 1));
	rows_free(&r);
	return y;
}

static void
stream(struct ctx *c)
{
	struct rows cols, windows = { 0 }, keys = { 0 }, latest = { 0 },
	    health = { 0 }, metric = { 0 }, dead = { 0 }, quality = { 0 },
	    chain = { 0 };
	const char *key = NULL, *rev;
	struct buf *q = &c->sql;
	const char *status = "HEALTHY";
	double validity = -1;

	if (!table_columns(c->db, "stream_windows", &cols) ||
	    find_col(&cols, is_window_col) == NULL) {
		rows_free(&cols);
		no_data(c, "The warehouse has no stream windows (table "
		    "stream_windows) yet: start the streaming pipeline.");
		return;
	}
	if ((rev = find_col(&cols, is_revenue)) == NULL)
		rev = find_col(&cols, is_total);
	if (rev == NULL)
		rev = find_col(&cols, is_sum);
	for (size_t i = 0; i < cols.nrows && key == NULL; i++) {
		const char *n = cell(&cols, i, 0);

		if (strncmp(n, "window_", 7) != 0 && is_text(n, cell(&cols, i,
		    1) ? cell(&cols, i, 1) : ""))
			key = n;
	}
	if (rev == NULL || key == NULL) {
		rows_free(&cols);
		no_data(c, "stream_windows lacks a key or a revenue column.");
		return;
	}
	/* The last 48 windows, and the 5 keys with the most revenue there. */
	query(c->db, "SELECT window_start FROM (SELECT DISTINCT window_start "
	    "FROM stream_windows ORDER BY 1 DESC LIMIT 48) ORDER BY 1", NULL, 0,
	    &windows);
	if (windows.nrows == 0) {
		rows_free(&cols);
		rows_free(&windows);
		no_data(c, "stream_windows is empty.");
		return;
	}
	q->n = 0;
	buf_adds(q, "SELECT ");
	sql_ident(q, key);
	buf_adds(q, ", sum(");
	sql_ident(q, rev);
	buf_adds(q, ") FROM stream_windows WHERE window_start >= ? GROUP BY 1 "
	    "ORDER BY 2 DESC, 1 LIMIT 5");
	{
		const char *p[] = { cell(&windows, 0, 0) };

		query(c->db, buf_cstr(q), p, 1, &keys);
	}
	q->n = 0;
	buf_adds(q, "SELECT ");
	sql_ident(q, key);
	buf_adds(q, " AS name, round(");
	sql_ident(q, rev);
	buf_adds(q, ", 2) AS revenue, window_start, window_end FROM "
	    "stream_windows WHERE window_start = (SELECT max(window_start) "
	    "FROM stream_windows) ORDER BY 2 DESC, 1 LIMIT 10");
	query(c->db, buf_cstr(q), NULL, 0, &latest);
	{
		/* The newest windows end last: an indexed range, not a scan. */
		const char *p[] = { cell(&windows, 0, 0) };

		query(c->db, "SELECT max(window_end) AS last_update FROM "
		    "stream_windows WHERE window_start >= ?", p, 1, &health);
	}
	if (table_columns(c->db, "stream_metrics", &metric)) {
		/* A pipeline's chain, once one stopped: its own columns. */
		int pipelines = has_column(&metric, "chain_closes");

		rows_free(&metric);
		/* The stream's health: stream-window's latest line.  The
		   pipeline's chain of counts, when it stopped, is a row of
		   its own. */
		query(c->db, pipelines ? "SELECT * FROM stream_metrics WHERE "
		    "program IS NOT 'stream-pipeline' ORDER BY rowid DESC "
		    "LIMIT 1" : "SELECT * FROM stream_metrics ORDER BY rowid "
		    "DESC LIMIT 1", NULL, 0, &metric);
		if (pipelines)
			query(c->db, "SELECT time AS stopped, generated, "
			    "dead_letters, delivered, events_in AS read, "
			    "left_in_topic, gone_unread, aggregated, late_events "
			    "AS late, rejected, filtered, rows, rows_in_sqlite, "
			    "final_rows_in_parquet, CASE WHEN chain_closes THEN "
			    "'yes' ELSE 'NO' END AS closes FROM stream_metrics "
			    "WHERE program = 'stream-pipeline' ORDER BY rowid "
			    "DESC LIMIT 1", NULL, 0, &chain);
	}
	if (table_columns(c->db, "dead_letter_events", &dead)) {
		rows_free(&dead);
		query(c->db, "SELECT count(*) FROM dead_letter_events", NULL, 0,
		    &dead);
	}
	if (table_columns(c->db, "data_quality_metrics", &quality)) {
		rows_free(&quality);
		query(c->db, "SELECT validity_pct, status FROM "
		    "data_quality_metrics ORDER BY rowid DESC LIMIT 1", NULL, 0,
		    &quality);
		if (quality.nrows > 0 && cell(&quality, 0, 0)) {
			validity = num(cell(&quality, 0, 0));
			if (cell(&quality, 0, 1) &&
			    strcmp(cell(&quality, 0, 1), "DEGRADED") == 0)
				status = "DEGRADED";
		}
	}
	if (c->rq.json) {
		json_t *w = json_array(), *s = json_array(), *h, *j;

		for (size_t i = 0; i < windows.nrows; i++)
			json_array_append_new(w, json_string(cell(&windows, i,
			    0)));
		for (size_t k = 0; k < keys.nrows; k++) {
			const char *p[] = { cell(&keys, k, 0),
			    cell(&windows, 0, 0) };
			json_t *ys = json_array();
			double *y = series_points(c, key, rev, p, &windows);

			for (size_t i = 0; i < windows.nrows; i++)
				json_array_append_new(ys, json_real(y[i]));
			json_array_append_new(s, json_pack("{s:s?,s:o}", "name",
			    cell(&keys, k, 0), "revenue", ys));
			free(y);
		}
		h = json_pack("{s:s?,s:I,s:o}", "last_update", cell(&health, 0,
		    0), "dead_letters", (json_int_t)(dead.nrows ?
		    num(cell(&dead, 0, 0)) : 0), "quality_pct", validity >= 0 ?
		    json_real(validity) : json_null());
		if (metric.nrows > 0)
			for (size_t col = 0; col < metric.ncols; col++)
				json_object_set_new(h, metric.names[col],
				    cell(&metric, 0, col) ? json_string(cell(&metric,
				    0, col)) : json_null());
		j = json_pack("{s:s,s:s,s:s,s:s?,s:o,s:o,s:o,s:o,s:o}", "view",
		    "stream", "status", status, "key", key, "currency",
		    c->currency, "windows", w, "series", s, "latest",
		    rows_json(&latest), "health", h, "counts",
		    rows_json(&chain));
		send_json(c, j);
	} else {
		struct series *se = ecalloc(keys.nrows + 1, sizeof *se);
		const char **xs = ecalloc(windows.nrows + 1, sizeof *xs);
		char v[64], t[128];

		for (size_t i = 0; i < windows.nrows; i++)
			xs[i] = cell(&windows, i, 0);

		for (size_t k = 0; k < keys.nrows; k++) {
			const char *p[] = { cell(&keys, k, 0),
			    cell(&windows, 0, 0) };

			se[k].name = cell(&keys, k, 0) ? cell(&keys, k, 0) : "";
			se[k].n = windows.nrows;
			se[k].x = xs;
			se[k].y = series_points(c, key, rev, p, &windows);
		}
		header(c->o, "200 OK", 0);
		page_begin(c->o, c->title, c->rq.refresh, "stream");
		out_puts(c->o, "<div class=\"tiles\">");
		tile(c->o, "status", status, status);
		tile(c->o, "last update", cell(&health, 0, 0) ?
		    cell(&health, 0, 0) : "-", NULL);
		for (size_t col = 0; col < metric.ncols && metric.nrows; col++)
			if (strcmp(metric.names[col], "events_per_sec") == 0 ||
			    strcmp(metric.names[col], "latency_ms") == 0 ||
			    strcmp(metric.names[col], "late_events") == 0)
				tile(c->o, metric.names[col], cell(&metric, 0, col) ?
				    cell(&metric, 0, col) : "-", NULL);
		fmt_amount(v, sizeof v, dead.nrows ? num(cell(&dead, 0, 0)) : 0,
		    0);
		tile(c->o, "dead letters", v, NULL);
		if (validity >= 0) {
			snprintf(v, sizeof v, "%.2f%%", validity);
			tile(c->o, "data quality", v, NULL);
		}
		out_puts(c->o, "</div><div class=\"card\">");
		snprintf(t, sizeof t, "Revenue per window, by %s", key);
		svg_lines(c->o, t, se, keys.nrows);
		out_puts(c->o, "</div><div class=\"card\">");
		snprintf(t, sizeof t, "Latest window: top %s", key);
		bars_of(c, t, &latest);
		out_puts(c->o, "</div>");
		rows_table(c->o, "Latest window", &latest);
		if (chain.nrows > 0)
			rows_table(c->o, "The last run's counts, from the "
			    "source to the warehouse", &chain);
		page_end(c->o);
		for (size_t k = 0; k < keys.nrows; k++)
			free(se[k].y);
		free(se);
		free(xs);
	}
	rows_free(&cols);
	rows_free(&windows);
	rows_free(&keys);
	rows_free(&latest);
	rows_free(&health);
	rows_free(&metric);
	rows_free(&dead);
	rows_free(&quality);
	rows_free(&chain);
}

/* dashboard.cgi --prepare: the batch view's rollups, made in db. */
static int
prepare(const char *path)
{
	struct rows cols;
	struct batch_cols bc;
	sqlite3 *db = NULL;
	int rc = 1, have;

	if (path == NULL || *path == '\0') {
		diag("--prepare: which warehouse? (DB, or SLUICE_DB)");
		return 1;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		diag("%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_busy_timeout(db, 5000);
	have = batch_columns(db, &cols, &bc);
	if (have == 0)
		diag("%s: no table batch_daily to summarise (load the batch "
		    "results first)", path);
	else if (have < 0)
		diag("%s: batch_daily lacks a date, a revenue or a dimension "
		    "column", path);
	else if (rollup_prepare(db, &bc) == 0)
		rc = 0;
	rows_free(&cols);
	sqlite3_close(db);
	return rc;
}

int
main(int argc, char **argv)
{
	struct ctx c = { 0 };
	const char *path = getenv("SLUICE_DB"), *r = getenv("SLUICE_REFRESH");
	const char *method = getenv("REQUEST_METHOD");
	struct out *real = NULL;	/* HEAD: stdout, while c.o is all */
	struct buf all = { 0 };
	int rc = 0, head;

	diag_init(argv[0]);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "--version") == 0)) {
		if (strcmp(argv[1], "--version") == 0)
			printf("dashboard.cgi (sluice) %s\n", SLUICE_VERSION);
		else
			printf("usage: dashboard.cgi (run by a web server, CGI)\n"
			    "       dashboard.cgi --prepare [DB]\n"
			    "  --prepare       keep the batch view's summaries in "
			    "the warehouse (DB, else\n"
			    "                  SLUICE_DB): fast pages over big "
			    "tables\n"
			    "  SLUICE_DB       the warehouse (SQLite), read-only\n"
			    "  SLUICE_REFRESH  seconds between refreshes (10)\n"
			    "  SLUICE_CURRENCY shown with revenue\n"
			    "  SLUICE_TITLE    the page's title (sluice)\n"
			    "  QUERY_STRING    view=batch|stream, format=html|json,"
			    " refresh=N\n");
		return 0;
	}
	/* Not from the web: a server may pass a query's words as
	   arguments. */
	if (argc > 1 && strcmp(argv[1], "--prepare") == 0 &&
	    getenv("GATEWAY_INTERFACE") == NULL)
		return prepare(argc > 2 ? argv[2] : path);
	c.o = out_open(NULL, 0, 0);
	c.title = getenv("SLUICE_TITLE") ? getenv("SLUICE_TITLE") : "sluice";
	c.currency = getenv("SLUICE_CURRENCY");
	if (c.currency != NULL && *c.currency == '\0')
		c.currency = NULL;
	c.rq.view = "batch";
	c.rq.refresh = r && *r ? atoi(r) : 10;
	/* No method: run by hand, as a GET. */
	if (method == NULL || *method == '\0')
		method = "GET";
	head = strcmp(method, "HEAD") == 0;
	if (head) {
		/* Made whole, then its header only is sent. */
		real = c.o;
		c.o = out_mem(&all);
	}
	if (!head && strcmp(method, "GET") != 0) {
		not_allowed(&c, method);
	} else if (parse_query(getenv("QUERY_STRING"), &c.rq) < 0) {
		not_found(&c);
	} else if (path == NULL || sqlite3_open_v2(path, &c.db,
	    SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		no_data(&c, "No warehouse yet (SLUICE_DB names none, or it "
		    "cannot be opened).");
	} else {
		struct buf cpath = { 0 }, key = { 0 }, page = { 0 }, req = { 0 };
		int cached;

		/* "h2": pages kept before every answer had its security
		   headers are not served again. */
		buf_printf(&req, "h2 %s %d %d %s %s", c.rq.view, c.rq.json,
		    c.rq.refresh, c.title, c.currency ? c.currency : "");
		cached = !head && cache_path(&cpath, &key, path,
		    buf_cstr(&req)) == 0;
		if (cached && cache_serve(buf_cstr(&cpath), &key) == 0) {
			out_discard(c.o);
			c.o = NULL;
		} else {
			/* Made in memory, then sent and kept. */
			struct out *o = c.o;

			c.o = out_mem(&page);
			sqlite3_busy_timeout(c.db, 2000);
			if (strcmp(c.rq.view, "stream") == 0)
				stream(&c);
			else
				batch(&c);
			out_close(c.o);
			c.o = o;
			out_write(c.o, page.p, page.n);
			if (cached && !c.failed && query_errors == 0 &&
			    cache_path(&cpath, &key, path, buf_cstr(&req)) == 0)
				cache_store(buf_cstr(&cpath), &key, &page);
		}
		buf_free(&cpath);
		buf_free(&key);
		buf_free(&page);
		buf_free(&req);
	}
	if (head) {
		const char *p, *end;

		out_close(c.o);
		c.o = real;
		p = buf_cstr(&all);
		end = strstr(p, "\r\n\r\n");
		out_write(c.o, p, end ? (size_t)(end - p) + 4 : all.n);
		buf_free(&all);
	}
	sqlite3_close(c.db);
	buf_free(&c.sql);
	if (c.o != NULL && out_close(c.o) < 0)
		rc = 1;
	return rc;
}
