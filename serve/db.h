/*
 * db.h - the warehouse as dashboard.cgi reads it, SQLite or PostgreSQL:
 * queries with bound text parameters (no request text ever reaches
 * SQL), rows kept as strings with each cell's kind, and the few phrases
 * of SQL the two dialects spell differently.  The rest of serve/ never
 * sees sqlite3 or libpq.
 *
 * SQL is written once, in SQLite's spelling of parameters (`?` or
 * `?N`); the PostgreSQL side sends it as `$N`.  Where the dialects do
 * not agree, the caller takes the phrase from db_sql() or chooses a
 * query by db_is_pg().
 */
#ifndef SLUICE_DB_H
#define SLUICE_DB_H

#include <stddef.h>

struct buf;

/* A cell's kind, as SQLite's storage classes: a PostgreSQL integer or
   boolean is DB_INT, a double or a numeric with a fraction DB_REAL. */
enum { DB_NULL, DB_INT, DB_REAL, DB_TEXT, DB_BLOB };

/* A query's rows as strings (NULL for null), all kept, with each
   cell's kind (DB_INT, DB_REAL, DB_TEXT, ...). */
struct rows {
	size_t ncols, nrows;
	char **names;		/* column names */
	char **cell;		/* nrows * ncols */
	unsigned char *type;	/* nrows * ncols */
	size_t cap;		/* rows allocated */
};

/* The phrases of SQL the dialects spell differently. */
struct dialect {
	const char *name;	/* "SQLite", "PostgreSQL" */
	/* Append to q a table's rows' order of writing, a number that
	   grows with it: SQLite's rowid; PostgreSQL's row position (ctid),
	   which keeps that order in a table only appended to.  alias: the
	   table's and a dot ("m."), or "". */
	void (*rowid)(struct buf *q, const char *alias);
	/* After a number: made a type round(x, 2) takes ("" or
	   "::numeric"; PostgreSQL rounds numerics only). */
	const char *to_round;
	/* The table's columns (name, type as SQLite would declare it:
	   INTEGER, REAL or TEXT, and the native type), for one parameter,
	   the table's name. */
	const char *columns;
	/* One row: is there a batch_daily, a table or view with a
	   window_start column, a data_quality_metrics (counts)? */
	const char *tables;
	/* The names of the tables and views with window_start and
	   window_end columns, transactions_summary first, then
	   stream_windows, then by name. */
	const char *window_tables;
};

struct db;

/* Is where a PostgreSQL connection (a postgresql:// or postgres:// URI,
   or a key=value connection string), not a SQLite file? */
int db_is_conninfo(const char *where);

/*
 * Open the warehouse where names (see db_is_conninfo), read-only unless
 * writable; PostgreSQL sessions run in UTC.  NULL when it cannot be
 * opened, why in err (which database, and the library's message; never
 * a password).
 */
struct db *db_open(const char *where, int writable, char *err, size_t size);
void db_close(struct db *db);

/* "sqlite 3.40.1, libpq 15.18": the databases' libraries (--version). */
const char *db_versions(void);

/* Is db PostgreSQL?  Its dialect's phrases. */
int db_is_pg(const struct db *db);
const struct dialect *db_sql(const struct db *db);

/* The warehouse in words for messages: its file, or "PostgreSQL
   database D on H:P" (never a password). */
const char *db_where(const struct db *db);

/*
 * Run sql (one statement) with nparams text parameters into out (rows
 * kept); 0, or -1 with out empty and db_error() saying why.
 */
int db_query(struct db *db, const char *sql, const char *const *params,
    size_t nparams, struct rows *out);

/* Run a script of statements without parameters; 0, or -1. */
int db_exec(struct db *db, const char *script);

/* The last failure's message. */
const char *db_error(const struct db *db);

/* For the backends: a row of ncols cells added to r; its cells to
   fill, with their kinds.  Column names: rows_names(). */
void rows_names(struct rows *r, size_t ncols);
size_t rows_add(struct rows *r);
void rows_free(struct rows *r);

#endif
