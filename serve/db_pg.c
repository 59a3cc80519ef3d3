/*
 * db_pg.c - the warehouse on a PostgreSQL server (libpq), past one
 * machine.  Each session is set as the dashboard reads SQLite: UTC,
 * ISO dates, doubles to 15 digits as SQLite prints them, read-only
 * unless writing (--prepare).  Cells come back as SQLite would give
 * them: a boolean as 1 or 0, a timestamptz as sluice writes times
 * ("2025-01-15T10:30:00Z", see ts_format), a numeric without a scale
 * and without a fraction (a sum of integers) as an integer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "dbimpl.h"
#include "sluice.h"

/* Type OIDs (pg_type.dat; fixed across releases). */
enum {
	OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23,
	OID_OID = 26, OID_FLOAT4 = 700, OID_FLOAT8 = 701,
	OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700,
};

/* A relation named like this, visible on the search path, with this
   column (c is the relation's alias). */
#define HAS_COLUMN(col) "EXISTS (SELECT 1 FROM pg_attribute a WHERE " \
	"a.attrelid = c.oid AND a.attname = '" col "' AND NOT a.attisdropped)"
#define VISIBLE "c.relkind IN ('r', 'v', 'm', 'p', 'f') AND " \
	"pg_table_is_visible(c.oid)"

/* The row's position as a number: block * 65536 + line (tid has no
   cast to one). */
static void
pg_rowid(struct buf *q, const char *alias)
{
	buf_printf(q, "((%sctid::text::point)[0]::bigint * 65536 + "
	    "(%sctid::text::point)[1]::bigint)", alias, alias);
}

static const struct dialect pg_dialect = {
	.name = "PostgreSQL",
	.rowid = pg_rowid,
	.to_round = "::numeric",
	.columns = "SELECT a.attname AS name, CASE WHEN t.typname IN ('int2', "
	    "'int4', 'int8', 'oid', 'bool') THEN 'INTEGER' WHEN t.typname IN "
	    "('float4', 'float8', 'numeric') THEN 'REAL' ELSE 'TEXT' END AS "
	    "type, format_type(a.atttypid, a.atttypmod) AS native FROM "
	    "pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE "
	    "a.attrelid = to_regclass(quote_ident(?)) AND a.attnum > 0 AND NOT "
	    "a.attisdropped ORDER BY a.attnum",
	.tables = "SELECT (SELECT count(*) FROM pg_class c WHERE c.relname = "
	    "'batch_daily' AND " VISIBLE "), (SELECT count(*) FROM pg_class c "
	    "WHERE " VISIBLE " AND " HAS_COLUMN("window_start") "), (SELECT "
	    "count(*) FROM pg_class c WHERE c.relname = 'data_quality_metrics' "
	    "AND " VISIBLE ")",
	.window_tables = "SELECT c.relname AS name FROM pg_class c WHERE "
	    VISIBLE " AND " HAS_COLUMN("window_start") " AND "
	    HAS_COLUMN("window_end") " ORDER BY c.relname <> "
	    "'transactions_summary', c.relname <> 'stream_windows', c.relname",
};

/* A libpq message on one line, without its newline. */
static void
message(char *b, size_t size, const char *m)
{
	size_t k = 0;

	for (; m && *m && k + 1 < size; m++) {
		if (*m == '\n' || *m == '\t') {
			if (k > 0 && b[k - 1] != ' ' && m[1] != '\0')
				b[k++] = ' ';
			continue;
		}
		b[k++] = *m;
	}
	while (k > 0 && b[k - 1] == ' ')
		k--;
	b[k] = '\0';
}

/* sql with SQLite's parameters (? and ?N, outside quotes) as $N. */
static void
numbered(struct buf *q, const char *sql)
{
	int next = 0;
	char quote = 0;

	for (const char *p = sql; *p; p++) {
		if (quote) {
			quote = *p == quote ? 0 : quote;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?') {
			if (p[1] >= '0' && p[1] <= '9') {
				buf_addc(q, '$');
				continue;
			}
			buf_printf(q, "$%d", ++next);
			continue;
		}
		buf_addc(q, *p);
	}
}

/* A cell of res as SQLite would give it, into out's row, column c. */
static void
take(const PGresult *res, int row, int c, struct rows *out, size_t k)
{
	const char *s = PQgetvalue(res, row, c);
	Oid t = PQftype(res, c);
	int64_t us;

	if (PQgetisnull(res, row, c)) {
		out->cell[k] = NULL;
		out->type[k] = DB_NULL;
		return;
	}
	out->type[k] = DB_TEXT;
	switch (t) {
	case OID_BOOL:
		out->cell[k] = estrdup(*s == 't' ? "1" : "0");
		out->type[k] = DB_INT;
		return;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		out->type[k] = DB_INT;
		break;
	case OID_FLOAT4:
	case OID_FLOAT8:
		out->type[k] = DB_REAL;
		break;
	case OID_NUMERIC:
		/* A sum or count of integers is a numeric without a scale
		   here, an integer in SQLite. */
		out->type[k] = PQfmod(res, c) == -1 && strspn(s, "-0123456789")
		    == strlen(s) ? DB_INT : DB_REAL;
		break;
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ:
		if (ts_parse(s, strlen(s), &us) == 0) {
			char b[TS_BUFSZ];

			ts_format(b, us);
			out->cell[k] = estrdup(b);
			return;
		}
		break;
	}
	out->cell[k] = estrdup(s);
}

static int
pg_query(struct db *db, const char *sql, const char *const *params,
    size_t nparams, struct rows *out)
{
	struct buf q = { 0 };
	PGresult *res;
	int ok;

	numbered(&q, sql);
	res = PQexecParams(db->h, buf_cstr(&q), (int)nparams, NULL, params,
	    NULL, NULL, 0);
	buf_free(&q);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK ||
	    PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok) {
		message(db->err, sizeof db->err, PQresultErrorMessage(res)[0] ?
		    PQresultErrorMessage(res) : PQerrorMessage(db->h));
		PQclear(res);
		return -1;
	}
	rows_names(out, (size_t)PQnfields(res));
	for (size_t c = 0; c < out->ncols; c++)
		out->names[c] = estrdup(PQfname(res, (int)c));
	for (int r = 0; r < PQntuples(res); r++) {
		size_t row = rows_add(out);

		for (size_t c = 0; c < out->ncols; c++)
			take(res, r, (int)c, out, row * out->ncols + c);
	}
	PQclear(res);
	return 0;
}

static int
pg_exec(struct db *db, const char *script)
{
	PGresult *res = PQexec(db->h, script);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		message(db->err, sizeof db->err, PQresultErrorMessage(res)[0] ?
		    PQresultErrorMessage(res) : PQerrorMessage(db->h));
	PQclear(res);
	return ok ? 0 : -1;
}

static void
pg_close(struct db *db)
{
	PQfinish(db->h);
}

static int
pg_open(struct db *db, const char *where, int writable, char *err,
    size_t size)
{
	/* Ours first: the connection string's own settings win. */
	const char *keys[] = { "connect_timeout", "fallback_application_name",
		"dbname", NULL };
	const char *vals[] = { getenv("PGCONNECT_TIMEOUT") ? NULL : "10",
		"dashboard.cgi", where, NULL };
	PGconn *h = PQconnectdbParams(getenv("PGCONNECT_TIMEOUT") ? keys + 1 :
	    keys, getenv("PGCONNECT_TIMEOUT") ? vals + 1 : vals, 1);
	char m[768];

	db->h = h;
	/* Named by what libpq made of it: never the password. */
	snprintf(db->where, sizeof db->where, "PostgreSQL %s@%s:%s/%s",
	    h && PQuser(h) ? PQuser(h) : "?", h && PQhost(h) ? PQhost(h) : "?",
	    h && PQport(h) ? PQport(h) : "?", h && PQdb(h) ? PQdb(h) : "?");
	if (h == NULL || PQstatus(h) != CONNECTION_OK) {
		message(m, sizeof m, h ? PQerrorMessage(h) : "out of memory");
		snprintf(err, size, "%s: %s", db->where, m);
		return -1;
	}
	/* As the SQLite side reads: times in UTC, ISO dates, doubles as
	   SQLite prints them (15 digits), text as UTF-8. */
	if (PQsetClientEncoding(h, "UTF8") != 0 || pg_exec(db, "SET TimeZone "
	    "= 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 0; "
	    "SET IntervalStyle = 'postgres'; SET client_min_messages = warning") < 0 || (!writable &&
	    pg_exec(db, "SET default_transaction_read_only = on") < 0)) {
		snprintf(err, size, "%s: %s", db->where, db->err[0] ? db->err :
		    "cannot set the client encoding to UTF8");
		return -1;
	}
	return 0;
}

const struct backend db_pg = { &pg_dialect, 1, pg_open, pg_query, pg_exec,
	pg_close };
