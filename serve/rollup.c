/*
 * rollup.c - the batch view's summaries, kept by the warehouse itself.
 *
 * Summing a million rows of batch_daily takes SQLite some 70 ms a
 * query, and the batch view needs four.  `dashboard.cgi --prepare`
 * therefore adds two small tables to the warehouse, totals by day
 * (batch_daily_by_date) and by the leaderboard's dimensions
 * (batch_daily_by_dim), with triggers on batch_daily that keep them up
 * to date through every insert, upsert and delete, whoever writes, and
 * an index for the latest rows.  The view then reads a row a day and a
 * row a product instead of the whole table.
 *
 * batch_daily_rollup records the columns the summaries were made for;
 * the view uses them only while those are still its columns and the
 * triggers are still there (a table dropped and made again loses its
 * triggers: the view then sums the table, and --prepare mends it).
 *
 * Keys are stored as text with NULL as '' so a NULL day or product is
 * one row (NULLs are never equal to each other under a UNIQUE key).
 *
 * On PostgreSQL the same, but for the triggers: one, calling a PL/pgSQL
 * function (batch_daily_rollup_fn) that runs the same statements.
 */
#include <string.h>

#include "page.h"

static const char *const triggers[] = {
	"batch_daily_rollup_insert", "batch_daily_rollup_delete",
	"batch_daily_rollup_update",
};

/* The PostgreSQL trigger and its function. */
static const char pg_trigger[] = "batch_daily_rollup",
    pg_function[] = "batch_daily_rollup_fn";

/* SQL for column col of the row pfx ("NEW", "OLD" or "" for the
   table's), as text when text, or for dflt where it is null (col NULL:
   always dflt). */
static void
col_or(struct buf *q, const char *pfx, const char *col, int text,
    const char *dflt)
{
	buf_adds(q, text ? "coalesce(CAST(" : "coalesce(");
	if (col == NULL) {
		buf_adds(q, "NULL");
	} else {
		if (*pfx)
			buf_printf(q, "%s.", pfx);
		sql_ident(q, col);
	}
	buf_printf(q, "%s, %s)", text ? " AS TEXT)" : "", dflt);
}

/* A key (as text, NULL kept as ''), an amount (NULL as 0). */
static void
key_of(struct buf *q, const char *pfx, const char *col)
{
	col_or(q, pfx, col, 1, "''");
}

static void
amount_of(struct buf *q, const char *pfx, const char *col)
{
	col_or(q, pfx, col, 0, "0");
}

/* A row's records: its count column, else 1. */
static void
records_of(struct buf *q, const char *pfx, const char *col)
{
	if (col == NULL)
		buf_adds(q, "1");
	else
		amount_of(q, pfx, col);
}

/*
 * Add the row pfx to (add) or take it away from (!add) one summary:
 * table, its key columns kcols and the row's columns keys for them.
 */
static void
adjust(struct buf *q, const struct batch_cols *bc, const char *pfx, int add,
    const char *table, const char *const *kcols, const char *const *keys,
    size_t nk)
{
	if (add) {
		buf_printf(q, "INSERT INTO %s VALUES (", table);
		for (size_t i = 0; i < nk; i++) {
			key_of(q, pfx, keys[i]);
			buf_adds(q, ", ");
		}
		amount_of(q, pfx, bc->rev);
		buf_adds(q, ", ");
		records_of(q, pfx, bc->count);
		buf_adds(q, ", 1) ON CONFLICT (");
		for (size_t i = 0; i < nk; i++)
			buf_printf(q, "%s%s", i ? ", " : "", kcols[i]);
		buf_printf(q, ") DO UPDATE SET revenue = %s.revenue + "
		    "excluded.revenue, records = %s.records + excluded.records, "
		    "n = %s.n + 1;\n", table, table, table);
		return;
	}
	buf_printf(q, "UPDATE %s SET revenue = revenue - ", table);
	amount_of(q, pfx, bc->rev);
	buf_adds(q, ", records = records - ");
	records_of(q, pfx, bc->count);
	buf_adds(q, ", n = n - 1 WHERE ");
	for (size_t i = 0; i < nk; i++) {
		buf_printf(q, "%s%s = ", i ? " AND " : "", kcols[i]);
		key_of(q, pfx, keys[i]);
	}
	buf_printf(q, ";\nDELETE FROM %s WHERE n <= 0;\n", table);
}

/* The row pfx added to or taken from both summaries. */
static void
apply_row(struct buf *q, const struct batch_cols *bc, const char *pfx,
    int add)
{
	static const char *const by_date[] = { "d" }, *const by_dim[] = {
		"d0", "d1" };
	const char *const date[] = { bc->date }, *const dims[] = { bc->dim0,
		bc->dim1 };

	adjust(q, bc, pfx, add, "batch_daily_by_date", by_date, date, 1);
	adjust(q, bc, pfx, add, "batch_daily_by_dim", by_dim, dims, 2);
}

/* The summaries' tables, made anew from the rows there now. */
static void
tables_sql(struct buf *q, const struct batch_cols *bc)
{
	buf_adds(q, "DROP TABLE IF EXISTS batch_daily_by_date;\n"
	    "DROP TABLE IF EXISTS batch_daily_by_dim;\n"
	    "DROP TABLE IF EXISTS batch_daily_rollup;\n"
	    "CREATE TABLE batch_daily_by_date (d TEXT PRIMARY KEY, "
	    "revenue DOUBLE PRECISION, records DOUBLE PRECISION, n INTEGER);\n"
	    "CREATE TABLE batch_daily_by_dim (d0 TEXT, d1 TEXT, revenue "
	    "DOUBLE PRECISION, records DOUBLE PRECISION, n INTEGER, "
	    "PRIMARY KEY (d0, d1));\n"
	    "CREATE TABLE batch_daily_rollup (date_col TEXT, revenue_col TEXT, "
	    "count_col TEXT, dim0 TEXT, dim1 TEXT);\n");
	buf_adds(q, "INSERT INTO batch_daily_by_date SELECT ");
	key_of(q, "", bc->date);
	buf_adds(q, ", sum(");
	amount_of(q, "", bc->rev);
	buf_adds(q, "), sum(");
	records_of(q, "", bc->count);
	buf_adds(q, "), count(*) FROM batch_daily GROUP BY 1;\n");
	buf_adds(q, "INSERT INTO batch_daily_by_dim SELECT ");
	key_of(q, "", bc->dim0);
	buf_adds(q, ", ");
	key_of(q, "", bc->dim1);
	buf_adds(q, ", sum(");
	amount_of(q, "", bc->rev);
	buf_adds(q, "), sum(");
	records_of(q, "", bc->count);
	buf_adds(q, "), count(*) FROM batch_daily GROUP BY 1, 2;\n");
	/* The latest rows, read in index order. */
	buf_adds(q, "CREATE INDEX IF NOT EXISTS batch_daily_recent ON "
	    "batch_daily (");
	sql_ident(q, bc->date);
	buf_adds(q, ", ");
	sql_ident(q, bc->rev);
	buf_adds(q, ");\n");
}

/* The whole of the preparation, as one script: SQLite's. */
static void
prepare_sql(struct buf *q, const struct batch_cols *bc)
{
	buf_adds(q, "BEGIN IMMEDIATE;\n");
	for (size_t i = 0; i < sizeof triggers / sizeof *triggers; i++)
		buf_printf(q, "DROP TRIGGER IF EXISTS %s;\n", triggers[i]);
	tables_sql(q, bc);
	buf_printf(q, "CREATE TRIGGER %s AFTER INSERT ON batch_daily BEGIN\n",
	    triggers[0]);
	apply_row(q, bc, "NEW", 1);
	buf_printf(q, "END;\nCREATE TRIGGER %s AFTER DELETE ON batch_daily "
	    "BEGIN\n", triggers[1]);
	apply_row(q, bc, "OLD", 0);
	buf_printf(q, "END;\nCREATE TRIGGER %s AFTER UPDATE ON batch_daily "
	    "BEGIN\n", triggers[2]);
	apply_row(q, bc, "OLD", 0);
	apply_row(q, bc, "NEW", 1);
	buf_adds(q, "END;\n");
}

/* The same for PostgreSQL: a row trigger calling a function that runs
   the same statements for the row gone (OLD) and the row come (NEW). */
static void
prepare_pg(struct buf *q, const struct batch_cols *bc)
{
	buf_printf(q, "BEGIN;\nDROP TRIGGER IF EXISTS %s ON batch_daily;\n",
	    pg_trigger);
	tables_sql(q, bc);
	buf_printf(q, "CREATE OR REPLACE FUNCTION %s() RETURNS trigger "
	    "LANGUAGE plpgsql AS $rollup$\nBEGIN\n"
	    "IF TG_OP IN ('DELETE', 'UPDATE') THEN\n", pg_function);
	apply_row(q, bc, "OLD", 0);
	buf_adds(q, "END IF;\nIF TG_OP IN ('INSERT', 'UPDATE') THEN\n");
	apply_row(q, bc, "NEW", 1);
	buf_printf(q, "END IF;\nRETURN NULL;\nEND\n$rollup$;\n"
	    "CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON batch_daily "
	    "FOR EACH ROW EXECUTE FUNCTION %s();\n", pg_trigger, pg_function);
}

int
rollup_prepare(struct db *db, const struct batch_cols *bc)
{
	struct buf q = { 0 };
	struct rows r = { 0 };
	const char *const v[] = { bc->date, bc->rev, bc->count, bc->dim0,
		bc->dim1 };
	int rc;

	if (db_is_pg(db))
		prepare_pg(&q, bc);
	else
		prepare_sql(&q, bc);
	rc = db_exec(db, buf_cstr(&q));
	if (rc == 0)
		rc = db_query(db, "INSERT INTO batch_daily_rollup VALUES (?, ?, "
		    "?, ?, ?)", v, 5, &r);
	rows_free(&r);
	if (rc == 0)
		rc = db_exec(db, "COMMIT");
	if (rc != 0) {
		diag("%s: cannot prepare the batch rollups: %s", db_where(db),
		    db_error(db));
		db_exec(db, "ROLLBACK");
	}
	buf_free(&q);
	return rc;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int
rollup_ready(struct db *db, const struct batch_cols *bc)
{
	struct rows m = { 0 }, t = { 0 };
	int ok;

	if (!table_columns(db, "batch_daily_rollup", &m)) {
		rows_free(&m);
		return 0;	/* not prepared: the view sums the table */
	}
	rows_free(&m);
	ok = query(db, "SELECT date_col, revenue_col, count_col, dim0, dim1 "
	    "FROM batch_daily_rollup", NULL, 0, &m) == 0 && m.nrows == 1 &&
	    same(cell(&m, 0, 0), bc->date) && same(cell(&m, 0, 1), bc->rev) &&
	    same(cell(&m, 0, 2), bc->count) && same(cell(&m, 0, 3), bc->dim0) &&
	    same(cell(&m, 0, 4), bc->dim1);
	/* Its triggers, there and on. */
	ok = ok && query(db, db_is_pg(db) ? "SELECT count(*) = 1 FROM "
	    "pg_trigger WHERE tgrelid = to_regclass('batch_daily') AND tgname "
	    "= 'batch_daily_rollup' AND tgenabled <> 'D'" : "SELECT count(*) "
	    "= 3 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
	    "'batch_daily' AND name IN ('batch_daily_rollup_insert', "
	    "'batch_daily_rollup_delete', 'batch_daily_rollup_update')", NULL,
	    0, &t) == 0 && cell(&t, 0, 0) && strcmp(cell(&t, 0, 0), "1") == 0;
	rows_free(&m);
	rows_free(&t);
	return ok;
}
