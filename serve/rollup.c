/*
 * rollup.c - the batch view's summaries, as the warehouse keeps them.
 *
 * Summing a million rows of batch_daily takes SQLite some 70 ms a
 * query, and the batch view needs four.  The warehouse therefore keeps
 * two small tables, totals by day (batch_daily_by_date) and by the
 * leaderboard's dimensions (batch_daily_by_dim), with triggers on
 * batch_daily that keep them up to date through every insert, upsert
 * and delete, whoever writes, and an index for the latest rows.  The
 * view then reads a row a day and a row a product instead of the whole
 * table.
 *
 * They are the warehouse's own: its DDL (sink/warehouse.sql.in) makes
 * the tables, and the view batch_daily_rollup_sql gives the script that
 * fills them for batch_daily's columns and makes the triggers, which the
 * batch job runs after each load.  The dashboard only reads them (but
 * --prepare, for one release, runs that script as the job does).
 *
 * batch_daily_rollup records the columns the summaries were made for;
 * the view uses them only while those are still its columns and the
 * triggers are still there (a table dropped and made again loses its
 * triggers: the view then sums the table until the script runs again).
 * On PostgreSQL the trigger is one, calling a PL/pgSQL function
 * (batch_daily_rollup_fn) that runs the same statements.
 */
#include <string.h>

#include "page.h"

int
rollup_make(struct db *db)
{
	struct rows cols = { 0 }, r = { 0 };
	const char *why = NULL;
	int rc = -1;

	if (!table_columns(db, "batch_daily", &cols))
		why = "no table batch_daily to summarise (load the batch "
		    "results first)";
	else if (db_query(db, "SELECT sql FROM batch_daily_rollup_sql", NULL,
	    0, &r) < 0)
		why = "no batch_daily_rollup_sql, the summaries' script: apply "
		    "the warehouse's DDL (sink/warehouse.sql, or "
		    "warehouse-pg.sql) first";
	else if (cell(&r, 0, 0) == NULL)
		why = "batch_daily lacks a date, a revenue or a dimension "
		    "column";
	else if (db_exec(db, cell(&r, 0, 0)) < 0)
		diag("%s: cannot make the batch view's summaries: %s",
		    db_where(db), db_error(db));
	else
		rc = 0;
	if (why != NULL)
		diag("%s: %s", db_where(db), why);
	else if (rc < 0)
		db_exec(db, "ROLLBACK");
	rows_free(&cols);
	rows_free(&r);
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
		return 0;	/* not made: the view sums the table */
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
