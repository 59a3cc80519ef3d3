/*
 * stream.c - the stream view: a table of windows (the realtime job's
 * transactions_summary, stream-window's stream_windows, or any table
 * with window_start and window_end), its columns' roles found from their
 * names and the schema's analysis (the key, the count, the revenue, the
 * distinct customers), the last window's tiles, a per-key
 * chart with the windows still open drawn as open, and the stream's
 * health from stream_metrics: the latest metrics line's time, latency,
 * late events, and data quality from the stream's own counts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"

enum { MAX_WINDOWS = 48, MAX_KEYS = 8 };

/* A window table's columns, by role (NULL: none). */
struct wcols {
	const char *table;
	const char *key;	/* what the windows are by (a store) */
	const char *count;	/* events in a window */
	const char *rev;	/* revenue */
	const char *distinct;	/* distinct customers */
	const char *chart;	/* what the chart draws: rev, else count */
	int final;		/* has a "final" column */
	const char **num;	/* the numeric columns, for the table */
	size_t nnum;
};

static int
numeric_type(const char *t)
{
	return t != NULL && (strstr(t, "INT") || strstr(t, "REAL") ||
	    strstr(t, "FLOA") || strstr(t, "DOUB") || strstr(t, "NUM") ||
	    strstr(t, "DEC"));
}

/* Columns that are not measures of a window. */
static int
bookkeeping(const char *n)
{
	return strcmp(n, "id") == 0 || strcmp(n, "created_at") == 0 ||
	    strcmp(n, "updated_at") == 0 || strcmp(n, "final") == 0 ||
	    str_starts(n, "window_");
}

static const char *
col(const struct rows *cols, const char *name)
{
	return column_named(cols, "", name);
}

/* The first of these n names that is a column of cols, or NULL. */
static const char *
first_of(const struct rows *cols, const char *const *names, size_t n)
{
	const char *c;

	for (size_t i = 0; i < n; i++)
		if (*names[i] && (c = col(cols, names[i])) != NULL)
			return c;
	return NULL;
}

/* The first numeric column whose name starts with prefix. */
static const char *
first_with(const struct wcols *w, const char *prefix)
{
	for (size_t i = 0; i < w->nnum; i++)
		if (str_starts(w->num[i], prefix))
			return w->num[i];
	return NULL;
}

/* The roles of cols (pragma rows) in w; names point into cols. */
static void
roles(const struct schema *sc, const struct rows *cols, struct wcols *w)
{
	const struct schema_analysis *an = sc ? &sc->analysis : NULL;

	for (size_t i = 0; an != NULL && i < an->ndimensions && !w->key; i++)
		w->key = col(cols, an->dimensions[i]);
	for (size_t i = 0; i < cols->nrows && !w->key; i++) {
		const char *n = cell(cols, i, 0), *t = cell(cols, i, 1);

		if (!bookkeeping(n) && t != NULL && strcmp(t, "TEXT") == 0)
			w->key = n;
	}
	for (size_t i = 0; i < cols->nrows && !w->key; i++) {
		const char *n = cell(cols, i, 0);
		size_t len = strlen(n);

		if (!bookkeeping(n) && len > 3 && strcmp(n + len - 3, "_id") == 0)
			w->key = n;
	}
	w->num = ecalloc(cols->nrows + 1, sizeof *w->num);
	for (size_t i = 0; i < cols->nrows; i++) {
		const char *n = cell(cols, i, 0);

		if (strcmp(n, "final") == 0)
			w->final = 1;
		if (!bookkeeping(n) && (w->key == NULL || strcmp(n, w->key)) &&
		    numeric_type(cell(cols, i, 1)))
			w->num[w->nnum++] = n;
	}
	{
		static const char *const counts[] = { "total_transactions",
			"record_count", "count", "events", "updates" };
		char rf[256] = "", mf[256] = "";
		const char *revs[] = { "revenue", "total_revenue", rf,
			"total_amount", "sum_amount", mf };
		static const char *const distincts[] = { "unique_customers",
			"active_customers" };

		if (an != NULL && an->revenue_field != NULL)
			snprintf(rf, sizeof rf, "sum_%s", an->revenue_field);
		if (an != NULL && an->nmetrics > 0)
			snprintf(mf, sizeof mf, "sum_%s", an->metrics[0]);
		w->count = first_of(cols, counts, 5);
		if ((w->rev = first_of(cols, revs, 6)) == NULL)
			w->rev = first_with(w, "sum_");
		if ((w->distinct = first_of(cols, distincts, 2)) == NULL &&
		    (w->distinct = first_with(w, "approx_distinct_")) == NULL &&
		    (w->distinct = first_with(w, "distinct_")) == NULL)
			w->distinct = first_with(w, "unique_");
	}
	w->chart = w->rev ? w->rev : w->count ? w->count : w->nnum ?
	    w->num[0] : NULL;
}

/* The tables of windows, the realtime job's first, then stream-window's,
   then the others by name. */
static int
window_tables(struct db *db, struct rows *t)
{
	return query(db, db_sql(db)->window_tables, NULL, 0, t);
}

/* The one value of a one-row query, as text (NULL: none). */
static char *
scalar(struct db *db, const char *sql, const char *const *p, size_t np)
{
	struct rows r = { 0 };
	char *s = NULL;

	if (query(db, sql, p, np, &r) == 0 && r.nrows && cell(&r, 0, 0))
		s = estrdup(cell(&r, 0, 0));
	rows_free(&r);
	return s;
}

/* The table the view shows among tables: the one asked for, else the
   first; NULL when there is none. */
static const char *
window_table_of(const struct rows *tables, const char *asked)
{
	for (size_t i = 0; i < tables->nrows; i++)
		if (!asked[0] || strcmp(asked, cell(tables, i, 0)) == 0)
			return cell(tables, i, 0);
	return NULL;
}

char *
stream_table(struct db *db, const char *asked)
{
	struct rows tables = { 0 };
	const char *t;
	char *name;

	window_tables(db, &tables);
	t = window_table_of(&tables, asked);
	name = t ? estrdup(t) : NULL;
	rows_free(&tables);
	return name;
}

/* stream_metrics: what the view reads of it. */
struct health {
	int have;		/* the table is there */
	char *clock;		/* the latest line's time */
	char *watermark;	/* the latest watermark */
	struct rows sw;		/* stream-window's latest line */
	struct rows lat;	/* the latest latencies: p50, p99 */
	struct rows chain;	/* a pipeline's counts, when it stopped */
	double seen, bad, late;	/* the stream's own counts */
	int counted;
};

static double
field(const struct rows *r, const char *name)
{
	int k = col_index(r, name);

	return k >= 0 && cell(r, 0, (size_t)k) ? strtod(cell(r, 0, (size_t)k),
	    NULL) : 0;
}

/* q made anew from fmt: a query's text. */
static const char *
__attribute__((format(printf, 2, 3)))
sqlf(struct buf *q, const char *fmt, ...)
{
	va_list ap;

	q->n = 0;
	va_start(ap, fmt);
	buf_vprintf(q, fmt, ap);
	va_end(ap);
	return buf_cstr(q);
}

static void
health_read(struct db *db, const char *table, struct health *h)
{
	struct rows cols = { 0 };
	struct buf q = { 0 }, rowid = { 0 };
	const char *p[1] = { table };
	size_t np = 0;
	const char *and = "";
	int program, sw_id = -1, chain_id = -1;
	char *named;

	memset(h, 0, sizeof *h);
	if (!table_columns(db, "stream_metrics", &cols)) {
		rows_free(&cols);
		return;
	}
	h->have = 1;
	program = col(&cols, "program") != NULL;
	/* Several streams in one warehouse: their lines carry the name of
	   what they feed (stream-window --name); this table's, when any
	   line names it, else all (lines from before names were kept). */
	if (col(&cols, "name") && (named = scalar(db, "SELECT 1 FROM "
	    "stream_metrics WHERE name = ?1 LIMIT 1", p, 1)) != NULL) {
		free(named);
		and = "name = ?1 AND ";
		np = 1;
	}
	/* The lines in the order they were written. */
	db_sql(db)->rowid(&rowid, "");
	if (col(&cols, "time"))
		h->clock = scalar(db, sqlf(&q, "SELECT time FROM stream_metrics "
		    "WHERE %stime IS NOT NULL ORDER BY %s DESC LIMIT 1", and,
		    buf_cstr(&rowid)), p, np);
	if (col(&cols, "watermark"))
		h->watermark = scalar(db, sqlf(&q, "SELECT watermark FROM "
		    "stream_metrics WHERE %swatermark IS NOT NULL ORDER BY "
		    "%s DESC LIMIT 1", and, buf_cstr(&rowid)), p, np);
	if (col(&cols, "latency_p99_ms") && col(&cols, "latency_p50_ms"))
		/* As numbers: a column sqlite-sink made from a first line
		   where they were null is TEXT. */
		query(db, sqlf(&q, "SELECT CAST(latency_p50_ms AS DOUBLE "
		    "PRECISION), CAST(latency_p99_ms AS DOUBLE PRECISION) FROM "
		    "stream_metrics WHERE %slatency_p99_ms IS NOT NULL ORDER BY "
		    "%s DESC LIMIT 1", and, buf_cstr(&rowid)), p, np, &h->lat);
	query(db, sqlf(&q, "SELECT %s AS line, * FROM stream_metrics "
	    "WHERE %s%s ORDER BY 1 DESC LIMIT 1", buf_cstr(&rowid), and,
	    program ? "program = 'stream-window'" : "TRUE"), p, np, &h->sw);
	if (program)
		query(db, sqlf(&q, "SELECT %s AS line, * FROM "
		    "stream_metrics WHERE %sprogram LIKE '%%-pipeline' ORDER "
		    "BY 1 DESC LIMIT 1", buf_cstr(&rowid), and), p, np,
		    &h->chain);
	buf_free(&rowid);
	buf_free(&q);
	if (h->sw.nrows)
		sw_id = (int)cell_num(&h->sw, 0, 0);
	if (h->chain.nrows)
		chain_id = (int)cell_num(&h->chain, 0, 0);
	if (chain_id > sw_id && col_index(&h->chain, "events_in") >= 0) {
		/* Stopped: the whole chain's counts, the dead letters
		   cleanse set aside before Kafka among them. */
		h->seen = field(&h->chain, "events_in") + field(&h->chain,
		    "dead_letters");
		h->bad = field(&h->chain, "dead_letters") + field(&h->chain,
		    "rejected");
		h->late = field(&h->chain, "late_events");
		h->counted = 1;
	} else if (h->sw.nrows && col_index(&h->sw, "events_in") >= 0) {
		h->seen = field(&h->sw, "events_in");
		h->bad = field(&h->sw, "rejected");
		h->late = field(&h->sw, "late_events");
		h->counted = 1;
	}
	rows_free(&cols);
}

static void
health_free(struct health *h)
{
	free(h->clock);
	free(h->watermark);
	rows_free(&h->sw);
	rows_free(&h->lat);
	rows_free(&h->chain);
}

/* "2025-01-15T10:31:00Z" -> "10:31:00" (a time of day, for tiles). */
static void
clock_of(char *b, size_t n, const char *ts)
{
	const char *t = ts ? strchr(ts, 'T') : NULL;

	snprintf(b, n, "%.8s", t ? t + 1 : ts ? ts : "-");
}

/* The chain row without its empty cells, bookkeeping and nested JSON,
   for a table. */
static void
chain_rows(const struct rows *in, struct rows *out)
{
	memset(out, 0, sizeof *out);
	if (in->nrows == 0)
		return;
	out->names = ecalloc(in->ncols + 1, sizeof *out->names);
	out->cell = ecalloc(in->ncols + 1, sizeof *out->cell);
	out->type = ecalloc(in->ncols + 1, 1);
	out->nrows = 1;
	for (size_t k = 0; k < in->ncols; k++) {
		/* Nor a nested object (a job's counts by topic): the
		   figures are in the row's own columns. */
		if (cell(in, 0, k) == NULL || strcmp(in->names[k], "line") == 0 ||
		    *cell(in, 0, k) == '{' || *cell(in, 0, k) == '[')
			continue;
		out->names[out->ncols] = estrdup(in->names[k]);
		out->cell[out->ncols] = estrdup(cell(in, 0, k));
		out->type[out->ncols] = in->type[k];
		out->ncols++;
	}
}

/* Append " FROM table" and the rest of the query to q. */
static void
from(struct buf *q, const char *table, const char *rest)
{
	buf_adds(q, " FROM ");
	sql_ident(q, table);
	buf_adds(q, rest);
}

/* Append ", sum(col)" (or ", NULL") to q; cols: the table's. */
static void
sum_of(struct buf *q, const struct rows *cols, const char *c)
{
	if (c == NULL) {
		buf_adds(q, ", NULL");
		return;
	}
	buf_adds(q, ", sum(");
	sql_number(q, cols, c);
	buf_adds(q, ")");
}

/* Append the key column k as text, '' for null, to q. */
static void
key_text(struct buf *q, const char *k)
{
	buf_adds(q, "coalesce(CAST(");
	sql_ident(q, k);
	buf_adds(q, " AS TEXT), '')");
}

/* The whole seconds of the time us (rounded down). */
static int64_t
whole_sec(int64_t us)
{
	return us >= 0 ? us / TS_US_PER_SEC : -((-us + TS_US_PER_SEC - 1) /
	    TS_US_PER_SEC);
}

/* The minutes from start to end (whole seconds, as SQLite's
   strftime('%s') counts them); 0 when either is not a time. */
static double
window_minutes(const char *start, const char *end)
{
	int64_t a, b;

	if (start == NULL || end == NULL || ts_parse(start, strlen(start),
	    &a) < 0 || ts_parse(end, strlen(end), &b) < 0)
		return 0;
	return (double)(whole_sec(b) - whole_sec(a)) / 60.0;
}

void
view_stream(struct ctx *c)
{
	struct rows tables = { 0 }, cols = { 0 }, windows = { 0 }, pts = { 0 },
	    last = { 0 }, lastrows = { 0 }, chain = { 0 };
	struct wcols w = { 0 };
	struct health h;
	struct buf *q = &c->sql;
	const char *status = "HEALTHY", *lw[2] = { NULL, NULL };
	char t[512], v[96], kw[128], cw[128];
	const char **keys = NULL;
	double quality = -1, minutes = 0;
	size_t nkeys = 0, open, nw;
	unsigned char *isopen = NULL;
	struct series *se = NULL;
	const char **xs = NULL;

	window_tables(c->db, &tables);
	w.table = window_table_of(&tables, c->rq.table);
	if (w.table == NULL) {
		rows_free(&tables);
		no_data(c, c->rq.table[0] ? "The warehouse has no window table "
		    "of that name." : "The warehouse has no stream windows "
		    "(a table with window_start and window_end, such as "
		    "transactions_summary or stream_windows) yet: start the "
		    "streaming or the realtime pipeline.");
		return;
	}
	table_columns(c->db, w.table, &cols);
	roles(c->schema, &cols, &w);
	if (w.chart == NULL) {
		snprintf(t, sizeof t, "%s has no numeric column to show.",
		    w.table);
		no_data(c, t);
		goto out;
	}
	/* The last 48 windows. */
	q->n = 0;
	buf_adds(q, "SELECT window_start, window_end FROM (SELECT DISTINCT "
	    "window_start, window_end FROM ");
	sql_ident(q, w.table);
	buf_adds(q, " ORDER BY 1 DESC, 2 DESC LIMIT 48) AS w ORDER BY 1, 2");
	query(c->db, buf_cstr(q), NULL, 0, &windows);
	if (windows.nrows == 0) {
		snprintf(t, sizeof t, "%s is empty.", w.table);
		no_data(c, t);
		goto out;
	}
	nw = windows.nrows;
	health_read(c->db, w.table, &h);
	/* Open: its end past the watermark (else, not final; else past
	   the latest metrics line's time). */
	isopen = ecalloc(nw + 1, 1);
	open = nw;
	for (size_t i = 0; i < nw; i++) {
		const char *end = cell(&windows, i, 1) ? cell(&windows, i, 1) : "";

		isopen[i] = h.watermark ? strcmp(end, h.watermark) > 0 :
		    h.clock ? strcmp(end, h.clock) > 0 : 0;
	}
	/* The last window: the newest that has ended by the latest
	   metrics line's clock (complete), else the newest. */
	for (size_t i = nw; i-- > 0;)
		if (h.clock == NULL || (cell(&windows, i, 1) &&
		    strcmp(cell(&windows, i, 1), h.clock) <= 0)) {
			lw[0] = cell(&windows, i, 0);
			lw[1] = cell(&windows, i, 1);
			break;
		}
	if (lw[0] == NULL) {
		lw[0] = cell(&windows, nw - 1, 0);
		lw[1] = cell(&windows, nw - 1, 1);
	}
	q->n = 0;
	buf_adds(q, "SELECT count(*)");
	sum_of(q, &cols, w.count);
	sum_of(q, &cols, w.rev);
	sum_of(q, &cols, w.distinct);
	from(q, w.table, " WHERE window_start = ?1 AND window_end = ?2");
	query(c->db, buf_cstr(q), lw, 2, &last);
	minutes = window_minutes(lw[0], lw[1]);
	q->n = 0;
	buf_adds(q, "SELECT ");
	if (w.key) {
		sql_ident(q, w.key);
		buf_adds(q, ", ");
	}
	for (size_t i = 0; i < w.nnum; i++) {
		sql_ident(q, w.num[i]);
		buf_adds(q, i + 1 < w.nnum ? ", " : "");
	}
	from(q, w.table, " WHERE window_start = ?1 AND window_end = ?2 ORDER BY ");
	sql_ident(q, w.chart);
	buf_adds(q, " DESC NULLS LAST");
	if (w.key) {
		buf_adds(q, ", ");
		sql_ident(q, w.key);
		buf_adds(q, " NULLS FIRST");
	}
	buf_adds(q, " LIMIT 20");
	query(c->db, buf_cstr(q), lw, 2, &lastrows);
	/* The keys with the most in the last window, the first 8 (then
	   by name): its rows' order. */
	nkeys = lastrows.nrows < MAX_KEYS ? lastrows.nrows : MAX_KEYS;
	keys = ecalloc(nkeys + 2, sizeof *keys);
	keys[0] = cell(&windows, 0, 0);
	for (size_t i = 0; i < nkeys; i++)
		keys[i + 1] = w.key && cell(&lastrows, i, 0) ? cell(&lastrows, i,
		    0) : w.key ? "" : "all";
	/* Their points, each window's value (the key compared as text:
	   a store_id of 101 is '101' here, a null one ''). */
	q->n = 0;
	buf_adds(q, "SELECT window_start, window_end, ");
	if (w.key) {
		key_text(q, w.key);
	} else {
		buf_adds(q, "'all'");
	}
	buf_adds(q, ", ");
	sql_number(q, &cols, w.chart);
	from(q, w.table, " WHERE window_start >= ?1");
	if (w.key) {
		buf_adds(q, " AND ");
		key_text(q, w.key);
		buf_adds(q, " IN (NULL");
		for (size_t i = 0; i < nkeys; i++)
			buf_printf(q, ", ?%zu", i + 2);
		buf_adds(q, ")");
	}
	/* In window order: rows come in the order they were written, and a
	   partition behind the others writes older windows later. */
	buf_adds(q, " ORDER BY window_start, window_end");
	query(c->db, buf_cstr(q), keys, w.key ? nkeys + 1 : 1, &pts);
	keys++;		/* the keys alone from here */
	if (w.final && !h.watermark) {
		/* A row not final marks its window open. */
		struct rows nf = { 0 };

		q->n = 0;
		buf_adds(q, "SELECT DISTINCT window_start FROM ");
		sql_ident(q, w.table);
		buf_adds(q, " WHERE window_start >= ? AND CAST(final AS "
		    "INTEGER) = 0");
		query(c->db, buf_cstr(q), keys - 1, 1, &nf);
		for (size_t i = 0; i < nf.nrows; i++)
			for (size_t wi = 0; wi < nw; wi++)
				if (strcmp(cell(&windows, wi, 0), cell(&nf, i, 0))
				    == 0)
					isopen[wi] = 1;
		rows_free(&nf);
	}
	for (size_t i = 0; i < nw; i++)
		if (isopen[i]) {
			open = i;
			break;
		}
	chain_rows(&h.chain, &chain);

	if (h.counted && h.seen > 0) {
		quality = 100.0 * (h.seen - h.bad) / h.seen;
		if (quality < 95.0)
			status = "DEGRADED";
	}
	words(kw, sizeof kw, w.key ? w.key : "all");
	words(cw, sizeof cw, w.chart);

	view_begin(c);
	if (!c->rq.json && tables.nrows > 1) {
		out_puts(c->o, "</div><nav class=\"tables\">Window tables: ");
		for (size_t i = 0; i < tables.nrows; i++) {
			out_puts(c->o, "<a href=\"?view=stream&amp;table=");
			html_text(c->o, cell(&tables, i, 0));
			out_puts(c->o, "\">");
			html_text(c->o, cell(&tables, i, 0));
			out_puts(c->o, "</a>");
		}
		out_puts(c->o, "</nav><div class=\"tiles\">");
	}
	tile(c, "status", "status", json_string(status), status, status);
	{
		char a[16], b[16];

		clock_of(a, sizeof a, lw[0]);
		clock_of(b, sizeof b, lw[1]);
		snprintf(t, sizeof t, "%s\xe2\x80\x93%s", a, b);
		tile(c, "window", "last window", json_string(lw[0]), t, NULL);
	}
	if (w.count != NULL && minutes > 0 && cell_is_num(&last, 0, 1)) {
		double epm = cell_num(&last, 0, 1) / minutes;

		fmt_amount(v, sizeof v, epm, epm == (double)(long long)epm ||
		    epm >= 100 ? 0 : 1);
		tile(c, "events_per_minute", "events per minute",
		    json_real(epm), v, NULL);
	}
	if (w.rev != NULL) {
		double r = cell_num(&last, 0, 2);

		fmt_amount(v, sizeof v, r, 2);
		snprintf(t, sizeof t, "%s%s%s", c->currency ? c->currency : "",
		    c->currency ? " " : "", v);
		tile(c, "revenue", "revenue", cell_is_num(&last, 0, 2) ?
		    json_real(r) : json_null(), cell_is_num(&last, 0, 2) ? t :
		    "-", NULL);
	}
	if (w.distinct != NULL) {
		fmt_amount(v, sizeof v, cell_num(&last, 0, 3), 0);
		tile(c, "active_customers", "active customers",
		    json_integer((json_int_t)cell_num(&last, 0, 3)), v, NULL);
	}
	if (w.rev != NULL && w.count != NULL && cell_num(&last, 0, 1) > 0) {
		double a = cell_num(&last, 0, 2) / cell_num(&last, 0, 1);

		fmt_amount(v, sizeof v, a, 2);
		snprintf(t, sizeof t, "%s%s%s", c->currency ? c->currency : "",
		    c->currency ? " " : "", v);
		tile(c, "average_value", "average value", json_real(a), t, NULL);
	}
	if (h.have) {
		for (int k = 0; k < 2; k++) {
			const char *key = k ? "latency_p99" : "latency_p50";

			if (h.lat.nrows && cell_is_num(&h.lat, 0, (size_t)k)) {
				snprintf(v, sizeof v, "%.0f ms", cell_num(&h.lat, 0,
				    (size_t)k));
				tile(c, key, k ? "latency p99" : "latency p50",
				    json_real(cell_num(&h.lat, 0, (size_t)k)), v,
				    NULL);
			} else {
				tile(c, key, k ? "latency p99" : "latency p50",
				    NULL, "-", NULL);
			}
		}
		if (quality >= 0) {
			snprintf(v, sizeof v, "%.2f%%", quality);
			tile(c, "quality", "data quality", json_real(quality), v,
			    NULL);
		}
		if (h.counted) {
			fmt_amount(v, sizeof v, h.late, 0);
			tile(c, "late_events", "late events",
			    json_integer((json_int_t)h.late), v, NULL);
			fmt_amount(v, sizeof v, h.bad, 0);
			tile(c, "rejected", "rejected",
			    json_integer((json_int_t)h.bad), v, NULL);
		}
		if (h.clock)
			tile(c, "last_update", "last update", json_string(h.clock),
			    h.clock, NULL);
	}
	/* Each key's value a window: summed over its rows (a key's window
	   from several partitions), 0 for a closed window without one,
	   none (null, a gap) for an open one. */
	se = ecalloc(nkeys + 1, sizeof *se);
	xs = ecalloc(nw + 1, sizeof *xs);
	for (size_t i = 0; i < nw; i++)
		xs[i] = cell(&windows, i, 0);
	for (size_t k = 0; k < nkeys; k++) {
		double *y = ecalloc(nw + 1, sizeof *y);
		unsigned char *have = ecalloc(nw + 1, 1);

		for (size_t i = 0; i < nw; i++)
			have[i] = !isopen[i];
		for (size_t p = 0, i = 0; p < pts.nrows; p++) {
			if (strcmp(cell(&pts, p, 2) ? cell(&pts, p, 2) : "",
			    keys[k]) != 0)
				continue;
			while (i < nw && strcmp(cell(&windows, i, 0),
			    cell(&pts, p, 0)) < 0)
				i++;
			for (size_t m = i; m < nw && strcmp(cell(&windows, m,
			    0), cell(&pts, p, 0)) == 0; m++)
				if (strcmp(cell(&windows, m, 1), cell(&pts, p,
				    1)) == 0) {
					y[m] += cell_num(&pts, p, 3);
					have[m] = 1;
				}
		}
		se[k].name = keys[k];
		se[k].x = xs;
		se[k].y = y;
		se[k].have = have;
		se[k].n = nw;
	}
	tiles_end(c);
	if (c->rq.json) {
		json_t *ws = json_array(), *sj = json_array(), *hj, *j;

		for (size_t i = 0; i < nw; i++)
			json_array_append_new(ws, json_pack("{s:s?,s:s?,s:b}",
			    "start", cell(&windows, i, 0), "end", cell(&windows,
			    i, 1), "open", isopen[i]));
		for (size_t k = 0; k < nkeys; k++) {
			json_t *ys = json_array();

			for (size_t i = 0; i < nw; i++)
				json_array_append_new(ys, se[k].have[i] ?
				    json_real(se[k].y[i]) : json_null());
			json_array_append_new(sj, json_pack("{s:s,s:o}", "name",
			    keys[k], "values", ys));
		}
		hj = json_pack("{s:s?,s:s?,s:o,s:o,s:o,s:o,s:o,s:o}",
		    "last_update", h.clock, "watermark", h.watermark,
		    "latency_p50_ms", h.lat.nrows ? cell_json(&h.lat, 0, 0) :
		    json_null(), "latency_p99_ms", h.lat.nrows ?
		    cell_json(&h.lat, 0, 1) : json_null(), "events_seen",
		    h.counted ? json_integer((json_int_t)h.seen) : json_null(),
		    "rejected", h.counted ? json_integer((json_int_t)h.bad) :
		    json_null(), "late_events", h.counted ?
		    json_integer((json_int_t)h.late) : json_null(),
		    "quality_pct", quality >= 0 ? json_real(quality) :
		    json_null());
		j = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:o,"
		    "s:o,s:{s:s,s:s,s:o,s:o},s:o,s:o,s:o}",
		    "view", "stream", "status", status, "table", w.table,
		    "key", w.key, "metric", w.chart, "count", w.count,
		    "revenue", w.rev, "distinct", w.distinct, "currency",
		    c->currency, "windows", ws, "series", sj, "last_window",
		    "start", lw[0], "end", lw[1], "minutes", json_real(minutes),
		    "totals", json_pack("{s:o,s:o,s:o,s:o}", "rows",
		    cell_json(&last, 0, 0), "count", cell_json(&last, 0, 1),
		    "revenue", cell_json(&last, 0, 2), "distinct",
		    cell_json(&last, 0, 3)), "latest", rows_json(&lastrows),
		    "health", hj, "counts", rows_json(&chain));
		send_json(c, j);
	} else {
		const char **names = ecalloc(lastrows.nrows + 1, sizeof *names);
		double *vals = ecalloc(lastrows.nrows + 1, sizeof *vals);
		int ci = col_index(&lastrows, w.chart), money = w.chart == w.rev;

		for (size_t i = 0; i < lastrows.nrows && ci >= 0; i++) {
			names[i] = w.key && cell(&lastrows, i, 0) ?
			    cell(&lastrows, i, 0) : "all";
			vals[i] = cell_num(&lastrows, i, (size_t)ci);
		}
		out_puts(c->o, "<div class=\"card\" data-live id=\"chart\">");
		snprintf(t, sizeof t, "%s per window, by %s", cw, kw);
		t[0] = (char)(t[0] >= 'a' && t[0] <= 'z' ? t[0] - 32 : t[0]);
		svg_lines(c->o, t, se, nkeys, open, money ? 2 : 0, 0);
		out_puts(c->o, "</div><div class=\"card\" data-live "
		    "id=\"leaders\">");
		snprintf(t, sizeof t, "Last window: %s by %s", cw, kw);
		svg_bars(c->o, t, names, vals, lastrows.nrows > 10 ? 10 :
		    lastrows.nrows, money ? c->currency : NULL, money ? 2 : 0);
		out_puts(c->o, "</div>");
		snprintf(t, sizeof t, "Last window (%s), by %s", lw[0], kw);
		rows_table(c, "latest", t, &lastrows);
		if (chain.nrows > 0)
			rows_table(c, "counts", "The last run's counts, from the "
			    "source to the warehouse", &chain);
		page_end(c->o);
		free(names);
		free(vals);
	}
	for (size_t k = 0; k < nkeys; k++) {
		free(se[k].y);
		free((void *)se[k].have);
	}
	free(se);
	free(xs);
	health_free(&h);
out:
	free(w.num);
	free(keys ? keys - 1 : NULL);
	free(isopen);
	rows_free(&tables);
	rows_free(&cols);
	rows_free(&windows);
	rows_free(&pts);
	rows_free(&last);
	rows_free(&lastrows);
	rows_free(&chain);
}
