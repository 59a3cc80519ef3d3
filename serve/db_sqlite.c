/*
 * db_sqlite.c - the warehouse in a SQLite file (the embedded default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "dbimpl.h"
#include "sluice.h"

static void
lite_rowid(struct buf *q, const char *alias)
{
	buf_printf(q, "%srowid", alias);
}

static const struct dialect sqlite_dialect = {
	.name = "SQLite",
	.rowid = lite_rowid,
	.to_round = "",
	.columns = "SELECT name, type, type FROM pragma_table_info(?)",
	.tables = "SELECT (SELECT count(*) FROM sqlite_master WHERE name = "
	    "'batch_daily'), (SELECT count(*) FROM sqlite_master m WHERE type "
	    "IN ('table', 'view') AND EXISTS (SELECT 1 FROM pragma_table_info("
	    "m.name) WHERE name = 'window_start')), (SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'data_quality_metrics')",
	.window_tables = "SELECT name FROM sqlite_master m WHERE type IN "
	    "('table', 'view') AND EXISTS (SELECT 1 FROM pragma_table_info("
	    "m.name) WHERE name = 'window_start') AND EXISTS (SELECT 1 FROM "
	    "pragma_table_info(m.name) WHERE name = 'window_end') ORDER BY "
	    "name <> 'transactions_summary', name <> 'stream_windows', name",
};

static int
lite_open(struct db *db, const char *where, int writable, char *err,
    size_t size)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(where, &h, writable ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READONLY, NULL);

	db->h = h;
	snprintf(db->where, sizeof db->where, "%s", where);
	if (rc != SQLITE_OK) {
		snprintf(err, size, "%s: %s", where, h ? sqlite3_errmsg(h) :
		    "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(h, writable ? 5000 : 2000);
	return 0;
}

static int
lite_query(struct db *db, const char *sql, const char *const *params,
    size_t nparams, struct rows *out)
{
	sqlite3 *h = db->h;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(h));
		return -1;
	}
	for (size_t i = 0; i < nparams; i++)
		sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC);
	rows_names(out, (size_t)sqlite3_column_count(st));
	for (size_t c = 0; c < out->ncols; c++)
		out->names[c] = estrdup(sqlite3_column_name(st, (int)c));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t row = rows_add(out);

		for (size_t c = 0; c < out->ncols; c++) {
			/* The type first: asking for text converts. */
			int ty = sqlite3_column_type(st, (int)c);
			const unsigned char *t = sqlite3_column_text(st, (int)c);
			size_t k = row * out->ncols + c;

			out->type[k] = ty == SQLITE_INTEGER ? DB_INT :
			    ty == SQLITE_FLOAT ? DB_REAL : ty == SQLITE_TEXT ?
			    DB_TEXT : ty == SQLITE_BLOB ? DB_BLOB : DB_NULL;
			out->cell[k] = t ? estrdup((const char *)t) : NULL;
		}
	}
	if (rc != SQLITE_DONE)
		snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(h));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rows_free(out);
		return -1;
	}
	return 0;
}

static int
lite_exec(struct db *db, const char *script)
{
	char *err = NULL;
	int rc = sqlite3_exec(db->h, script, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		snprintf(db->err, sizeof db->err, "%s", err ? err :
		    sqlite3_errmsg(db->h));
	sqlite3_free(err);
	return rc == SQLITE_OK ? 0 : -1;
}

static void
lite_close(struct db *db)
{
	sqlite3_close(db->h);
}

const struct backend db_sqlite = { &sqlite_dialect, 0, lite_open, lite_query,
	lite_exec, lite_close };
