/*
 * dashboard.cgi - the warehouse as a web page: a batch view (KPI tiles,
 * the daily revenue trend, a leaderboard, sample rows), a stream view
 * (stream.c: a window table's tiles, a per-key chart, stream health) and
 * a quality view (quality.c: validity per batch, dead letters, alerts),
 * charts drawn as inline SVG, or the same data as JSON with
 * ?format=json.  What each view shows is chosen from the warehouse's
 * tables and the schema's analysis section.  A CGI program: any
 * CGI-capable server runs it.  See dashboard.cgi(1).
 *
 * It reads $SLUICE_DB, opened read-only: a SQLite file, or a PostgreSQL
 * database (db.h).  Query parameters are
 * whitelisted (anything else is a 404 page); data is HTML-escaped; no
 * request text reaches SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page.h"

/* A method other than GET and HEAD: the dashboard only reads. */
static void
not_allowed(struct ctx *c, const char *method)
{
	header(c->o, "405 Method Not Allowed", 0);
	page_begin(c->o, c->title, 0, "", NULL);
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
	page_begin(c->o, c->title, 0, "", NULL);
	out_puts(c->o, "<div class=\"card\"><h2>Not found</h2><p>The dashboard "
	    "has three views: <a href=\"?view=batch\">batch</a>, "
	    "<a href=\"?view=stream\">stream</a> and "
	    "<a href=\"?view=quality\">quality</a>, each also as "
	    "<code>&amp;format=json</code>.</p></div>");
	page_end(c->o);
}

/* The warehouse's server cannot be reached: said, with a status that
   tells a monitor so (the details are on standard error, the web
   server's log: a page does not tell the world where the server is). */
static void
unreachable(struct ctx *c)
{
	static const char what[] = "The warehouse's database server cannot be "
	    "reached (it is down, restarting, or refuses the dashboard); the "
	    "web server's error log says why. Try again in a moment.";

	header(c->o, "503 Service Unavailable", c->rq.json);
	if (c->rq.json) {
		json_t *j = json_pack("{s:s,s:s,s:s}", "view", c->rq.view ?
		    c->rq.view : "batch", "status", "ERROR", "message", what);
		char *s = json_dumps(j, JSON_COMPACT);

		out_puts(c->o, s ? s : "{}");
		out_putc(c->o, '\n');
		free(s);
		json_decref(j);
		return;
	}
	page_begin(c->o, c->title, c->rq.refresh, c->rq.view ? c->rq.view :
	    "", NULL);
	out_puts(c->o, "<div class=\"tiles\"><div class=\"tile\"><span>status"
	    "</span><b id=\"tile-status\" class=\"ERROR\">ERROR</b></div>"
	    "</div>\n<div class=\"card\" id=\"unreachable\"><h2>Warehouse "
	    "unreachable</h2><p>");
	html_text(c->o, what);
	out_puts(c->o, "</p></div>");
	page_end(c->o);
}

/* --- The batch view ------------------------------------------------------------ */

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

/* The column called name (as cols spells it), or NULL. */
static const char *
named(const struct rows *cols, const char *name)
{
	return column_named(cols, "", name);
}

static int
is_date_col(const char *name, const char *type)
{
	(void)type;
	return strcmp(name, "order_date") == 0 || str_ends(name, "_date");
}

static int
is_total(const char *name, const char *type)
{
	(void)type;
	return strcmp(name, "total_amount") == 0 || strcmp(name, "sum_amount") ==
	    0;
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

int
batch_columns(struct db *db, const struct schema *sc, struct rows *cols,
    struct batch_cols *bc)
{
	const struct schema_analysis *an = sc ? &sc->analysis : NULL;

	memset(bc, 0, sizeof *bc);
	if (!table_columns(db, "batch_daily", cols))
		return 0;
	/* The day: the schema's timestamp (or batch-agg's day of it). */
	if (an != NULL && an->timestamp != NULL &&
	    (bc->date = column_named(cols, an->timestamp, "_date")) == NULL)
		bc->date = named(cols, an->timestamp);
	if (bc->date == NULL)
		bc->date = find_col(cols, is_date_col);
	/* Revenue: "revenue" first: a schema's revenue is what it counts
	   as sales (the e-commerce schema's: purchases only), where a
	   total may be of every event. */
	if ((bc->rev = named(cols, "revenue")) == NULL)
		bc->rev = find_col(cols, is_total);
	if (bc->rev == NULL && an != NULL)
		bc->rev = column_named(cols, "sum_", an->revenue_field);
	if (bc->rev == NULL && an != NULL && an->nmetrics > 0)
		bc->rev = column_named(cols, "sum_", an->metrics[0]);
	if (bc->rev == NULL)
		bc->rev = find_col(cols, is_sum);
	bc->count = named(cols, "record_count");
	/* Dimensions: the schema's, in its order; else the text columns. */
	for (size_t i = 0; an != NULL && i < an->ndimensions; i++) {
		const char *d = named(cols, an->dimensions[i]);

		if (d == NULL || (bc->date && strcmp(d, bc->date) == 0))
			continue;
		if (bc->dim0 == NULL)
			bc->dim0 = d;
		else if (bc->dim1 == NULL)
			bc->dim1 = d;
	}
	for (size_t i = 0; i < cols->nrows && bc->dim0 == NULL; i++) {
		const char *n = cell(cols, i, 0);

		if (is_text(n, cell(cols, i, 1) ? cell(cols, i, 1) : "") &&
		    (bc->date == NULL || strcmp(n, bc->date) != 0)) {
			bc->dim0 = n;
			for (size_t k = i + 1; k < cols->nrows; k++) {
				const char *m = cell(cols, k, 0);

				if (is_text(m, cell(cols, k, 1) ? cell(cols, k,
				    1) : "") && (bc->date == NULL ||
				    strcmp(m, bc->date) != 0)) {
					bc->dim1 = m;
					break;
				}
			}
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

/* What the batch view reads: batch_daily's columns, then its queries'
   rows. */
struct batch_rows {
	struct rows cols, kpi, trend, lead, sample;
};

static void
batch_rows_free(struct batch_rows *r)
{
	rows_free(&r->cols);
	rows_free(&r->kpi);
	rows_free(&r->trend);
	rows_free(&r->lead);
	rows_free(&r->sample);
}

/*
 * The batch view's four queries, from the summaries (a row a day, a row
 * a dimension: see rollup.c) when they are kept, else over the table.
 */
static void
batch_queries(struct ctx *c, const struct batch_cols *bc,
    struct batch_rows *r)
{
	const struct rows *cols = &r->cols;
	struct buf *q = &c->sql, d0 = { 0 }, d1 = { 0 };
	const char *num = db_sql(c->db)->to_round;

	/* NULLs placed as SQLite places them (first going up, last going
	   down), said so for PostgreSQL, which places them the other way. */
	if (rollup_ready(c->db, bc)) {
		q->n = 0;
		buf_printf(q, "SELECT round(sum(revenue)%s, 2), sum(records), "
		    "(SELECT count(DISTINCT nullif(d0, '')) FROM "
		    "batch_daily_by_dim) FROM batch_daily_by_date", num);
		query(c->db, buf_cstr(q), NULL, 0, &r->kpi);
		q->n = 0;
		buf_printf(q, "SELECT nullif(d, ''), round(revenue%s, 2) FROM "
		    "batch_daily_by_date ORDER BY d", num);
		query(c->db, buf_cstr(q), NULL, 0, &r->trend);
		q->n = 0;
		buf_adds(q, "SELECT ");
		segment_name(q, "nullif(d0, '')", bc->dim1 ? "nullif(d1, '')" :
		    NULL);
		buf_printf(q, ", round(sum(revenue)%s, 2) AS revenue FROM "
		    "batch_daily_by_dim GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1 "
		    "NULLS FIRST LIMIT 10", num);
		query(c->db, buf_cstr(q), NULL, 0, &r->lead);
	} else {
		q->n = 0;
		buf_adds(q, "SELECT round(sum(");
		sql_number(q, cols, bc->rev);
		buf_printf(q, ")%s, 2), ", num);
		if (bc->count != NULL) {
			buf_adds(q, "sum(");
			sql_number(q, cols, bc->count);
			buf_adds(q, ")");
		} else {
			buf_adds(q, "count(*)");
		}
		buf_adds(q, ", count(DISTINCT ");
		sql_ident(q, bc->dim0);
		buf_adds(q, ") FROM batch_daily");
		query(c->db, buf_cstr(q), NULL, 0, &r->kpi);
		q->n = 0;
		buf_adds(q, "SELECT ");
		sql_ident(q, bc->date);
		buf_adds(q, ", round(sum(");
		sql_number(q, cols, bc->rev);
		buf_printf(q, ")%s, 2) FROM batch_daily GROUP BY 1 ORDER BY 1 "
		    "NULLS FIRST", num);
		query(c->db, buf_cstr(q), NULL, 0, &r->trend);
		sql_ident(&d0, bc->dim0);
		if (bc->dim1 != NULL)
			sql_ident(&d1, bc->dim1);
		q->n = 0;
		buf_adds(q, "SELECT ");
		segment_name(q, buf_cstr(&d0), bc->dim1 ? buf_cstr(&d1) : NULL);
		buf_adds(q, ", round(sum(");
		sql_number(q, cols, bc->rev);
		buf_printf(q, ")%s, 2) AS revenue FROM batch_daily GROUP BY 1 "
		    "ORDER BY 2 DESC NULLS LAST, 1 NULLS FIRST LIMIT 10", num);
		query(c->db, buf_cstr(q), NULL, 0, &r->lead);
	}
	q->n = 0;
	buf_adds(q, "SELECT * FROM batch_daily ORDER BY ");
	sql_ident(q, bc->date);
	buf_adds(q, " DESC NULLS LAST, ");
	sql_ident(q, bc->rev);
	buf_adds(q, " DESC NULLS LAST LIMIT 10");
	query(c->db, buf_cstr(q), NULL, 0, &r->sample);
	buf_free(&d0);
	buf_free(&d1);
}

/* The latest batch's status in data_quality_metrics, or HEALTHY. */
static const char *
batch_status(struct ctx *c)
{
	struct rows r = { 0 };
	const char *st = "HEALTHY";

	if (table_columns(c->db, "data_quality_metrics", &r)) {
		rows_free(&r);
		c->sql.n = 0;
		buf_adds(&c->sql, "SELECT status FROM data_quality_metrics ORDER "
		    "BY ");
		db_sql(c->db)->rowid(&c->sql, "");
		buf_adds(&c->sql, " DESC LIMIT 1");
		if (query(c->db, buf_cstr(&c->sql), NULL, 0, &r) == 0 && r.nrows &&
		    cell(&r, 0, 0) && strcmp(cell(&r, 0, 0), "DEGRADED") == 0)
			st = "DEGRADED";
	}
	rows_free(&r);
	return st;
}

void
view_batch(struct ctx *c)
{
	struct batch_rows r = { 0 };
	struct batch_cols bc;
	const char *dim0, *dim1, *status;
	char revenue[64], records[64], distinct[64], label[160], tl[512],
	    w0[128], w1[128];
	int have;
	double nrecords;

	have = batch_columns(c->db, c->schema, &r.cols, &bc);
	if (have <= 0) {
		batch_rows_free(&r);
		no_data(c, have == 0 ? "The warehouse has no batch results "
		    "(table batch_daily) yet: run the batch pipeline." :
		    "batch_daily lacks a date, a revenue or a dimension column.");
		return;
	}
	dim0 = bc.dim0;
	dim1 = bc.dim1;
	batch_queries(c, &bc, &r);
	if (r.kpi.nrows == 0 || cell(&r.kpi, 0, 0) == NULL) {
		batch_rows_free(&r);
		no_data(c, "batch_daily is empty.");
		return;
	}
	/* Records: the counts, else the KPI table, else the rows. */
	nrecords = cell_num(&r.kpi, 0, 1);
	if (bc.count == NULL) {
		struct rows k = { 0 }, kc = { 0 };

		if (table_columns(c->db, "batch_kpis", &kc) &&
		    query(c->db, "SELECT records FROM batch_kpis LIMIT 1", NULL,
		    0, &k) == 0 && k.nrows > 0 && cell_is_num(&k, 0, 0))
			nrecords = cell_num(&k, 0, 0);
		rows_free(&k);
		rows_free(&kc);
	}
	status = batch_status(c);
	fmt_amount(revenue, sizeof revenue, cell_num(&r.kpi, 0, 0), 2);
	fmt_amount(records, sizeof records, nrecords, 0);
	fmt_amount(distinct, sizeof distinct, cell_num(&r.kpi, 0, 2), 0);
	words(w0, sizeof w0, dim0);
	words(w1, sizeof w1, dim1 ? dim1 : "");
	snprintf(label, sizeof label, "%s%s%s", dim0, dim1 ? " · " : "",
	    dim1 ? dim1 : "");
	view_begin(c);
	snprintf(tl, sizeof tl, "%s%s%s", c->currency ? c->currency : "",
	    c->currency ? " " : "", revenue);
	tile(c, "revenue", "revenue", json_real(cell_num(&r.kpi, 0, 0)), tl,
	    NULL);
	tile(c, "records", "records", json_integer((json_int_t)nrecords),
	    records, NULL);
	snprintf(tl, sizeof tl, "distinct %s", w0);
	tile(c, "distinct", tl, json_integer((json_int_t)cell_num(&r.kpi, 0,
	    2)), distinct, NULL);
	tile(c, "status", "status", json_string(status), status, status);
	tiles_end(c);
	if (c->rq.json) {
		json_t *t = json_array(), *l = json_array(), *j;

		for (size_t i = 0; i < r.trend.nrows; i++)
			json_array_append_new(t, json_pack("{s:s?,s:f}", "date",
			    cell(&r.trend, i, 0), "revenue",
			    cell_num(&r.trend, i, 1)));
		for (size_t i = 0; i < r.lead.nrows; i++)
			json_array_append_new(l, json_pack("{s:s?,s:f}", "name",
			    cell(&r.lead, i, 0), "revenue",
			    cell_num(&r.lead, i, 1)));
		j = json_pack("{s:s,s:s,s:s?,s:{s:f,s:I,s:I,s:s},s:s,s:o,s:o,s:o}",
		    "view", "batch", "status", status, "currency",
		    c->currency, "kpis", "revenue", cell_num(&r.kpi, 0, 0),
		    "records", (json_int_t)nrecords, "distinct",
		    (json_int_t)cell_num(&r.kpi, 0, 2), "distinct_of", dim0,
		    "leaderboard_of", label, "trend", t, "leaderboard", l,
		    "rows", rows_json(&r.sample));
		send_json(c, j);
	} else {
		struct series se = { "revenue", NULL, NULL, NULL,
			r.trend.nrows };
		const char **names = ecalloc(r.lead.nrows + 1, sizeof *names);
		double *vals = ecalloc(r.lead.nrows + 1, sizeof *vals);

		se.x = ecalloc(r.trend.nrows + 1, sizeof *se.x);
		se.y = ecalloc(r.trend.nrows + 1, sizeof *se.y);
		for (size_t i = 0; i < r.trend.nrows; i++) {
			se.x[i] = cell(&r.trend, i, 0) ? cell(&r.trend, i,
			    0) : "";
			se.y[i] = cell_num(&r.trend, i, 1);
		}
		for (size_t i = 0; i < r.lead.nrows; i++) {
			names[i] = cell(&r.lead, i, 0) ? cell(&r.lead, i,
			    0) : "";
			vals[i] = cell_num(&r.lead, i, 1);
		}
		out_puts(c->o, "<div class=\"card\" data-live id=\"trend\">");
		svg_lines(c->o, "Daily revenue", &se, 1, r.trend.nrows, 2, 0);
		out_puts(c->o, "</div><div class=\"card\" data-live "
		    "id=\"leaders\">");
		snprintf(tl, sizeof tl, "Top %s%s%s by revenue", w0, dim1 ?
		    " · " : "", dim1 ? w1 : "");
		svg_bars(c->o, tl, names, vals, r.lead.nrows, c->currency, 2);
		out_puts(c->o, "</div>");
		rows_table(c, "rows", "Latest aggregated rows", &r.sample);
		page_end(c->o);
		free(se.x);
		free(se.y);
		free(names);
		free(vals);
	}
	batch_rows_free(&r);
}

/*
 * The view for a request that names none: the batch results when there
 * are some, else the windows, else the quality metrics, else batch (its
 * "no data yet").
 */
static const char *
chosen_view(struct db *db)
{
	struct rows r = { 0 };
	const char *v = "batch";

	if (query(db, db_sql(db)->tables, NULL, 0, &r) == 0 && r.nrows == 1) {
		if (cell_num(&r, 0, 0) == 0 && cell_num(&r, 0, 1) > 0)
			v = "stream";
		else if (cell_num(&r, 0, 0) == 0 && cell_num(&r, 0, 2) > 0)
			v = "quality";
	}
	rows_free(&r);
	return v;
}

/* The schema a query's one value names, if a bundled one: never a
   path from the data. */
static struct schema *
named_schema(struct db *db, const char *sql, const char *const *p, size_t np)
{
	struct rows r = { 0 };
	struct schema *s = NULL;
	char err[512];
	const char *name;

	if (query(db, sql, p, np, &r) == 0 && r.nrows > 0 &&
	    (name = cell(&r, 0, 0)) != NULL && *name && strspn(name,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") == strlen(name))
		s = schema_load(name, err, sizeof err);
	rows_free(&r);
	return s;
}

/* Whether table has a column of that name. */
static int
has_column(struct db *db, const char *table, const char *column)
{
	struct rows r = { 0 };
	int has = table_columns(db, table, &r) && named(&r, column) != NULL;

	rows_free(&r);
	return has;
}

/* q made sql, its latest row: by the order of writing, the last. */
static void
latest_sql(struct db *db, struct buf *q, const char *sql)
{
	q->n = 0;
	buf_adds(q, sql);
	buf_adds(q, " ORDER BY ");
	db_sql(db)->rowid(q, "");
	buf_adds(q, " DESC LIMIT 1");
}

/*
 * The dataset's schema, for a view: SLUICE_SCHEMA (a bundled name or a
 * file), else the one the view's own data names, as one warehouse holds
 * several jobs' (the retail batch job's, the e-commerce ingest job's):
 * the batch view, the batch job's latest data_quality_metrics row (one
 * without a batch_id); the quality view, the latest row naming one; the
 * stream view, the latest stream_metrics line about its table
 * (stream-window --name, --schema).  NULL when none names one that
 * loads: the views then go by column names.
 */
static struct schema *
dataset_schema(struct db *db, const char *view, const char *table)
{
	const char *name = getenv("SLUICE_SCHEMA");
	struct schema *s = NULL;
	struct buf q = { 0 };
	char err[512];

	if (name != NULL && *name) {
		if ((s = schema_load(name, err, sizeof err)) == NULL)
			diag("SLUICE_SCHEMA: %s", err);
		return s;
	}
	if (strcmp(view, "stream") == 0) {
		const char *p[1] = { table };

		if (table != NULL && has_column(db, "stream_metrics", "name") &&
		    has_column(db, "stream_metrics", "schema")) {
			latest_sql(db, &q, "SELECT schema FROM stream_metrics "
			    "WHERE name = ?1 AND schema IS NOT NULL");
			s = named_schema(db, buf_cstr(&q), p, 1);
		}
	} else if (has_column(db, "data_quality_metrics", "schema")) {
		latest_sql(db, &q, strcmp(view, "batch") != 0 ? "SELECT schema "
		    "FROM data_quality_metrics WHERE schema IS NOT NULL" :
		    has_column(db, "data_quality_metrics", "batch_id") ? "SELECT "
		    "schema FROM data_quality_metrics WHERE batch_id IS NULL" :
		    "SELECT schema FROM data_quality_metrics");
		s = named_schema(db, buf_cstr(&q), NULL, 0);
	}
	buf_free(&q);
	return s;
}

/*
 * dashboard.cgi --prepare, until the next release: the summaries are the
 * warehouse's own now (rollup.c), so it runs their script as the batch
 * job does.
 */
static int
prepare(const char *path)
{
	struct db *db;
	char err[1024];
	int rc;

	if (path == NULL || *path == '\0') {
		diag("--prepare: which warehouse? (DB, or SLUICE_DB)");
		return 1;
	}
	if ((db = db_open(path, 1, err, sizeof err)) == NULL) {
		diag("%s", err);
		return 1;
	}
	rc = rollup_make(db) == 0 ? 0 : 1;
	db_close(db);
	return rc;
}

static const struct program prog = {
	.synopsis = "dashboard.cgi (run by a web server, CGI)\n"
	    "       dashboard.cgi --prepare [DB|CONNINFO]",
	.help =
	    "The warehouse as a web page: batch, stream and quality views,\n"
	    "charts in SVG, or the same data as JSON.  Run by a web server\n"
	    "for each request (its arguments then are the query's words, and\n"
	    "not read); by hand, a GET of QUERY_STRING.\n"
	    "\n"
	    "Options:\n"
	    "      --prepare           no longer needed (it goes in the next\n"
	    "                          release): the warehouse keeps the\n"
	    "                          batch view's summaries; it makes them\n"
	    "                          in DB (else SLUICE_DB) as the batch job\n"
	    "                          does\n"
	    "\n"
	    "Environment:\n"
	    "  SLUICE_DB               the warehouse, read-only: a SQLite file,\n"
	    "                          or PostgreSQL's postgresql://USER@HOST/DB\n"
	    "                          or 'host=H dbname=D ...' (the password\n"
	    "                          from PGPASSFILE or ~/.pgpass)\n"
	    "  SLUICE_SCHEMA           the dataset's schema (default: the one\n"
	    "                          the view's data names: quality rows,\n"
	    "                          health lines)\n"
	    "  SLUICE_REFRESH          seconds between updates (5)\n"
	    "  SLUICE_CURRENCY         shown with revenue (default: the\n"
	    "                          schema's)\n"
	    "  SLUICE_TITLE            the page's title (default: the\n"
	    "                          schema's, else sluice)\n"
	    "  SLUICE_NO_DATA_AFTER    seconds without a batch before NO_DATA\n"
	    "                          (300)\n"
	    "  QUERY_STRING            view=batch|stream|quality,\n"
	    "                          format=html|json, refresh=N, table=NAME\n"
	    "                          (stream)\n",
	.versions = db_versions,
};

enum { OPT_PREPARE = OPT_PROGRAM };

/*
 * The command line, run by hand: --help, --version, or --prepare and
 * its warehouse (*db, when given).  Returns 1 for --prepare (said to be
 * no longer needed), 0 for a page.  A usage error exits 2.
 */
static int
by_hand(int argc, char **argv, const char **db)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "prepare", no_argument, NULL, OPT_PREPARE },
		{ NULL, 0, NULL, 0 }
	};
	struct common_opts co = { 0 };
	int c, prep = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (c == OPT_PREPARE)
			prep = 1;
		else
			common_opt(&prog, &co, c, optarg);
	if (!prep && optind < argc)
		usage_error("\"%s\": a page takes no arguments (its request "
		    "is QUERY_STRING)", argv[optind]);
	if (argc - optind > 1)
		usage_error("--prepare: one warehouse, DB or CONNINFO, not %d",
		    argc - optind);
	if (optind < argc)
		*db = argv[optind];
	if (prep)
		diag("--prepare is no longer needed: the warehouse keeps the "
		    "batch view's summaries (its DDL makes them, and the batch "
		    "job after each load); it goes in the next release");
	return prep;
}

int
main(int argc, char **argv)
{
	struct ctx c = { 0 };
	const char *path = getenv("SLUICE_DB"), *r = getenv("SLUICE_REFRESH");
	const char *method = getenv("REQUEST_METHOD");
	struct out *real = NULL;	/* HEAD: stdout, while c.o is all */
	struct buf all = { 0 };
	char err[1024];
	int rc = 0, head;

	diag_init(argv[0]);
	/* From a web server, the arguments are a query's words (an
	   ISINDEX query): never options. */
	if (getenv("GATEWAY_INTERFACE") == NULL && by_hand(argc, argv, &path))
		return prepare(path);
	c.o = out_open(NULL, 0, 0);
	c.title = getenv("SLUICE_TITLE");
	c.currency = getenv("SLUICE_CURRENCY");
	if (c.currency != NULL && *c.currency == '\0')
		c.currency = NULL;
	c.rq.view = NULL;	/* none asked: chosen from the warehouse */
	c.rq.refresh = r && *r ? atoi(r) : 5;
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
		if (c.title == NULL)
			c.title = "sluice";
		not_found(&c);
	} else if (path != NULL && *path && db_is_conninfo(path) &&
	    (c.db = db_open(path, 0, err, sizeof err)) == NULL) {
		/* A server that does not answer is not "no data yet". */
		diag("%s", err);
		if (c.title == NULL)
			c.title = "sluice";
		unreachable(&c);
		rc = 1;
	} else if (path == NULL || (c.db == NULL && (c.db = db_open(path, 0,
	    err, sizeof err)) == NULL)) {
		if (c.title == NULL)
			c.title = "sluice";
		if (c.rq.view == NULL)
			c.rq.view = "batch";
		no_data(&c, "No warehouse yet (SLUICE_DB names none, or it "
		    "cannot be opened).");
	} else {
		struct buf cpath = { 0 }, key = { 0 }, page = { 0 }, req = { 0 };
		int cached;

		/* "h3": pages kept by earlier versions are not served
		   again.  The quality view's status depends on the clock
		   (NO_DATA when no batch came lately): its pages are kept
		   for 5 seconds at most. */
		buf_printf(&req, "h3 %s %s %d %d %s %s %s %s %lld", c.rq.view ?
		    c.rq.view : "-", c.rq.table, c.rq.json, c.rq.refresh,
		    c.title ? c.title : "", c.currency ? c.currency : "",
		    getenv("SLUICE_SCHEMA") ? getenv("SLUICE_SCHEMA") : "",
		    getenv("SLUICE_NO_DATA_AFTER") ? getenv("SLUICE_NO_DATA_AFTER")
		    : "", c.rq.view == NULL || strcmp(c.rq.view, "quality") == 0 ?
		    (long long)time(NULL) / 5 : 0LL);
		/* A server's tables have no file whose change the cache
		   could see: its pages are made each time. */
		cached = !head && !db_is_pg(c.db) && cache_path(&cpath, &key,
		    path, buf_cstr(&req)) == 0;
		if (cached && cache_serve(buf_cstr(&cpath), &key) == 0) {
			out_discard(c.o);
			c.o = NULL;
		} else {
			/* Made in memory, then sent and kept. */
			struct out *o = c.o;
			char *table;

			c.o = out_mem(&page);
			if (c.rq.view == NULL)
				c.rq.view = chosen_view(c.db);
			table = strcmp(c.rq.view, "stream") == 0 ?
			    stream_table(c.db, c.rq.table) : NULL;
			c.schema = dataset_schema(c.db, c.rq.view, table);
			free(table);
			if (c.title == NULL)
				c.title = c.schema ? c.schema->analysis.title :
				    "sluice";
			if (c.currency == NULL && c.schema != NULL)
				c.currency = c.schema->analysis.currency;
			if (strcmp(c.rq.view, "stream") == 0)
				view_stream(&c);
			else if (strcmp(c.rq.view, "quality") == 0)
				view_quality(&c);
			else
				view_batch(&c);
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
	db_close(c.db);
	schema_free(c.schema);
	json_decref(c.tiles);
	buf_free(&c.sql);
	if (c.o != NULL && out_close(c.o) < 0)
		rc = 1;
	return rc;
}
