/*
 * sqlite-sink - records into a SQLite table: created from the schema or
 * the first records, a column added when a new field appears, rows
 * appended or upserted by a key, in batched transactions (by count and
 * by time, and whenever the input pauses, so a slow stream's rows land
 * as they come), WAL so readers read while it writes.  See
 * sqlite-sink(1).  What it shares with pg-sink is table.c (and its
 * main(), table_main.c); this is SQLite's dialect.
 *
 * A value that is not of its column's type, or that a CHECK refuses,
 * rejects its record: in = written + rejected + filtered (--where).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* How long a writer waits for another's lock. */
enum { BUSY_MS = 5000 };

static const char *
lite_versions(void)
{
	static char v[64];

	snprintf(v, sizeof v, "sqlite %s", sqlite3_libversion());
	return v;
}

static const struct program prog = {
	.synopsis = "sqlite-sink -D DB -T TABLE [options] [FILE...]",
	.help =
	    "Write records into a SQLite table (made if missing, widened when\n"
	    "new fields come).\n"
	    "\n"
	    "Options:\n"
	    "  -D, --db DB             the database: a SQLite file\n"
	    TABLE_HELP
	    "      --where EXPR        write only the records EXPR holds for; the\n"
	    "                          others are counted filtered\n"
	    STATS_HELP,
	.versions = lite_versions,
	.takes = TAKES_INPUT_FORMAT | TAKES_SCHEMA | TAKES_REJECT | TAKES_QUIET,
};

struct lite {
	sqlite3 *db;
	/* The statement for the columns of the rows being put: */
	sqlite3_stmt *ins;
	int in_tx;
};

/*
 * The errno of the last system call SQLite saw fail, from its error log
 * ("os_unix.c:LINE: (ERRNO) open(PATH) - ..."), logged as the call fails.
 * (sqlite3_system_errno() reads errno later, once SQLite has made other
 * calls: it said "No such file or directory" for "Too many open files".)
 */
static int os_errno;

static void
on_sqlite_log(void *ctx, int rc, const char *msg)
{
	const char *p = strstr(msg, ": (");

	(void)ctx;
	(void)rc;
	if (strncmp(msg, "os_", 3) == 0 && p != NULL && atoi(p + 3) > 0)
		os_errno = atoi(p + 3);
}

/*
 * "PATH: [WHAT: ]SQLite's message[: the system's reason]": SQLite says
 * "disk I/O error" or "unable to open database file", the system which
 * (No space left on device, Too many open files).  msg NULL: db's last
 * message, or rc's when there is no db (it could not be made).
 */
static void
db_report(const char *path, sqlite3 *db, int rc, const char *what,
    const char *msg)
{
	int e = os_errno;

	/* A full disk is SQLITE_FULL, not logged: the write failed with
	   ENOSPC (nothing else here limits the database's size). */
	if (e == 0 && db != NULL && (sqlite3_errcode(db) & 0xff) == SQLITE_FULL)
		e = ENOSPC;
	if (msg == NULL)
		msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	diag("%s: %s%s%s%s%s", path, what ? what : "", what ? ": " : "", msg,
	    e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
}

static struct lite *
L(struct sink *t)
{
	return t->db;
}

/* A failure of the database itself: reported; the run stops, exit 1. */
static int
db_fail(struct sink *t, const char *what)
{
	db_report(t->target, L(t)->db, SQLITE_ERROR, what, NULL);
	return -1;
}

static int
exec(struct sink *t, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(L(t)->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		db_report(t->target, L(t)->db, SQLITE_ERROR, NULL, err);
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static const char *
sql_type(const struct tcol *c, char tb[32])
{
	(void)tb;
	switch (c->kind) {
	case K_BOOL:
	case K_INT:
		return "INTEGER";
	case K_DOUBLE:
	case K_DECIMAL:
		return "REAL";
	default:
		return "TEXT";
	}
}

/* A declared type's kind, by SQLite's affinity rules (section 3.1 of
   its datatype page): INT, then REAL/FLOA/DOUB, else text; NUMERIC and
   DECIMAL as REAL. */
static enum col_kind
kind_of_sql(const char *decl)
{
	char up[64];
	size_t i;

	if (decl == NULL)
		return K_STRING;
	for (i = 0; decl[i] && i < sizeof up - 1; i++)
		up[i] = (char)(decl[i] >= 'a' && decl[i] <= 'z' ?
		    decl[i] - 32 : decl[i]);
	up[i] = '\0';
	if (strstr(up, "INT"))
		return K_INT;
	if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB") ||
	    strstr(up, "NUM") || strstr(up, "DEC"))
		return K_DOUBLE;
	return K_STRING;
}

/* A read of the table ended (rc SQLITE_DONE when whole): 0, or -1,
   said. */
static int
read_done(struct sink *t, sqlite3_stmt *st, int rc)
{
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	db_report(t->target, L(t)->db, rc, "reading the table",
	    sqlite3_errstr(rc));
	return -1;
}

/* The table's columns, when it is there. */
static int
lite_read(struct sink *t)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(L(t)->db, "SELECT name, type FROM "
	    "pragma_table_info(?)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(t, "reading the table");
	/* Every failure counts: a table that seems not there (out of
	   memory) would be made again and, replaced, keep its old rows. */
	rc = sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *decl = (const char *)sqlite3_column_text(st, 1);
		int scale = 0, json = 0, k;

		if (name == NULL || (decl == NULL &&
		    sqlite3_column_type(st, 1) != SQLITE_NULL)) {
			rc = SQLITE_NOMEM;
			break;
		}
		/* SQLite's declared types are loose: the schema's win. */
		k = col_schema_kind(t->sc, name, &scale, &json);
		table_add_col(t, name, k >= 0 ? (enum col_kind)k :
		    kind_of_sql(decl), scale, json, decl);
		t->exists = 1;
		rc = SQLITE_OK;
	}
	return read_done(t, st, rc);
}

static int
begin(struct sink *t)
{
	if (L(t)->in_tx)
		return 0;
	if (exec(t, "BEGIN IMMEDIATE") < 0)
		return -1;
	L(t)->in_tx = 1;
	return 0;
}

static long long
lite_commit(struct sink *t, int last)
{
	(void)last;
	if (!L(t)->in_tx)
		return 0;
	L(t)->in_tx = 0;
	if (exec(t, "COMMIT") < 0)
		return -1;
	return t->tx_rows;
}

static void
lite_rollback(struct sink *t)
{
	if (L(t)->in_tx)
		sqlite3_exec(L(t)->db, "ROLLBACK", NULL, NULL, NULL);
	L(t)->in_tx = 0;
}

static int
lite_key_index(struct sink *t)
{
	if (t->nkeys == 0)
		return 0;
	table_key_index_sql(t, &t->sql);
	return exec(t, buf_cstr(&t->sql));
}

/* The declared type of the table's column of that name, matched as
   SQLite matches names (in any case), or of any column (name NULL: is
   the table there?): 1 with it in *decl (to free; decl may be NULL), 0
   when there is no such column, or -1. */
static int
lite_column(struct sink *t, const char *name, char **decl)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	if (sqlite3_prepare_v2(L(t)->db, "SELECT type FROM pragma_table_info"
	    "(?1) WHERE ?2 IS NULL OR name = ?2 COLLATE NOCASE LIMIT 1", -1,
	    &st, NULL) != SQLITE_OK)
		return db_fail(t, "reading the table");
	rc = sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = name != NULL ? sqlite3_bind_text(st, 2, name, -1,
		    SQLITE_STATIC) : sqlite3_bind_null(st, 2);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);

		/* (NULL for a type that is there: out of memory.) */
		if (d == NULL && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			rc = SQLITE_NOMEM;
		} else {
			if (decl != NULL)
				*decl = estrdup(d != NULL ? d : "");
			found = 1;
			rc = SQLITE_DONE;
		}
	}
	return read_done(t, st, rc) < 0 ? -1 : found;
}

/*
 * Column c, in the write transaction: another writer may have added a
 * column of that name (or made the table) since this one read the
 * table, and that column is the column, its kind as a table read at the
 * start gives it (the schema's, else its declared type's); else it is
 * added.  Held by the transaction's lock, the table cannot change
 * between the look and the ALTER.
 */
static int
adopt_or_add(struct sink *t, struct tcol *c)
{
	char *decl = NULL;
	int rc, scale = 0, json = 0;

	if ((rc = lite_column(t, c->name, &decl)) < 0)
		return -1;
	if (rc == 0) {
		table_add_column_sql(t, &t->sql, c, sql_type, 0);
		return exec(t, buf_cstr(&t->sql));
	}
	if (col_schema_kind(t->sc, c->name, &scale, &json) < 0) {
		c->kind = kind_of_sql(decl);
		c->scale = 0;
		c->json = 0;
	}
	free(c->decl);
	c->decl = decl;
	return 0;
}

/* PRAGMA journal_mode = WAL: 0 when done (or the file cannot be WAL:
   in memory, it keeps its mode, as SQLite leaves it); else rc. */
static int
set_wal(struct sink *t)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(L(t)->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc;
}

/*
 * WAL, so that readers (the dashboard) and a writer never wait for each
 * other.  Switching takes a lock SQLite's busy handler does not wait for
 * (two sinks starting on a new file at once: "database is locked" at
 * once), so the switch is tried again for as long as the busy timeout.
 */
static int
wal_mode(struct sink *t)
{
	double until = now_seconds() + BUSY_MS / 1000.0;
	int rc;

	while ((rc = set_wal(t)) != SQLITE_OK) {
		if ((rc & 0xff) != SQLITE_BUSY || now_seconds() > until) {
			db_report(t->target, L(t)->db, rc, "setting WAL mode",
			    sqlite3_errstr(rc));
			return -1;
		}
		sqlite3_sleep(20);
	}
	return 0;
}

/* Create the table with these columns, and its key's unique index, in
   the transaction its first rows go in.  A table another writer made
   first is the table: its columns, with those it lacks added. */
static int
lite_create(struct sink *t)
{
	int there;

	/* (In the transaction: made by another writer since this one read
	   the table?) */
	if (begin(t) < 0 || (there = lite_column(t, NULL, NULL)) < 0)
		return -1;
	if (!there) {
		table_create_sql(t, &t->sql, sql_type);
		if (exec(t, buf_cstr(&t->sql)) < 0)
			return -1;
	}
	for (size_t i = 0; there && i < t->ncols; i++)
		if (adopt_or_add(t, &t->cols[i]) < 0)
			return -1;
	return lite_key_index(t);
}

/* New columns in the transaction: one sync for all, not one each. */
static int
lite_add_column(struct sink *t, const struct tcol *c)
{
	if (begin(t) < 0)
		return -1;
	return adopt_or_add(t, &t->cols[c - t->cols]);
}

/* The insert for the columns of t->slot. */
static int
lite_layout(struct sink *t)
{
	int *cols = emalloc((t->nslot + 1) * sizeof *cols);
	size_t n = 0;

	sqlite3_finalize(L(t)->ins);
	L(t)->ins = NULL;
	t->sql.n = 0;
	buf_adds(&t->sql, "INSERT INTO ");
	buf_sql_ident(&t->sql, t->name);
	buf_adds(&t->sql, " (");
	for (size_t i = 0; i < t->nslot; i++) {
		if (t->slot[i] < 0)
			continue;
		if (n)
			buf_adds(&t->sql, ", ");
		buf_sql_ident(&t->sql, t->cols[t->slot[i]].name);
		cols[n++] = t->slot[i];
	}
	buf_adds(&t->sql, ") VALUES (");
	for (size_t i = 0; i < n; i++)
		buf_adds(&t->sql, i ? ", ?" : "?");
	buf_adds(&t->sql, ")");
	if (t->nkeys > 0)
		table_on_conflict(t, &t->sql, cols, n);
	free(cols);
	if (sqlite3_prepare_v2(L(t)->db, buf_cstr(&t->sql), -1, &L(t)->ins,
	    NULL) != SQLITE_OK)
		return db_fail(t, "preparing the insert");
	return 0;
}

/* Bind r's values; a value of the wrong type rejects it (1). */
static int
bind(struct sink *t, const struct rec *r)
{
	sqlite3_stmt *ins = L(t)->ins;
	struct col_val pv = { 0 };
	int param = 0, rc = SQLITE_OK;
	char d[TS_BUFSZ];

	for (size_t i = 0; i < t->nslot && rc == SQLITE_OK; i++) {
		const struct tcol *c;

		if (t->slot[i] < 0)
			continue;
		c = &t->cols[t->slot[i]];
		param++;
		if (col_value(c->name, c->kind, c->scale, &r->f[i].v, &pv,
		    t->msg, sizeof t->msg) < 0) {
			buf_free(&pv.scratch);
			table_reject(t, r, "type");
			return 1;
		}
		if (pv.null) {
			rc = sqlite3_bind_null(ins, param);
			continue;
		}
		switch (c->kind) {
		case K_BOOL:
		case K_INT:
			rc = sqlite3_bind_int64(ins, param, pv.i);
			break;
		case K_DOUBLE:
			rc = sqlite3_bind_double(ins, param, pv.d);
			break;
		case K_DECIMAL: {
			double x;
			size_t n = num_fmt_decimal(d, pv.i, c->scale);

			num_parse_double(d, n, &x);
			rc = sqlite3_bind_double(ins, param, x);
			break;
		}
		case K_DATE:
			rc = sqlite3_bind_text(ins, param, d,
			    (int)ts_format_date(d, pv.i * TS_US_PER_DAY),
			    SQLITE_TRANSIENT);
			break;
		case K_TIMESTAMP:
			rc = sqlite3_bind_text(ins, param, d,
			    (int)ts_format(d, pv.i), SQLITE_TRANSIENT);
			break;
		case K_STRING:
			rc = sqlite3_bind_text(ins, param, pv.s, (int)pv.n,
			    SQLITE_TRANSIENT);
			break;
		}
	}
	buf_free(&pv.scratch);
	/* A bind that fails (out of memory copying a text) would leave
	   the column NULL and the row written: never. */
	if (rc == SQLITE_OK)
		return 0;
	if ((rc & 0xff) == SQLITE_TOOBIG) {
		snprintf(t->msg, sizeof t->msg, "%s", sqlite3_errstr(rc));
		table_reject(t, r, "constraint");
		return 1;
	}
	db_report(t->target, L(t)->db, rc, "inserting", sqlite3_errstr(rc));
	return -1;
}

/* Insert r; a value of the wrong type or a constraint rejects it. */
static int
lite_put(struct sink *t, const struct rec *r)
{
	sqlite3_stmt *ins = L(t)->ins;
	int rc;

	if (begin(t) < 0)
		return -1;
	if ((rc = bind(t, r)) == 0) {
		rc = sqlite3_step(ins);
		if (rc == SQLITE_DONE) {
			rc = 0;
		} else if ((rc & 0xff) == SQLITE_CONSTRAINT ||
		    (rc & 0xff) == SQLITE_MISMATCH ||
		    (rc & 0xff) == SQLITE_TOOBIG) {
			snprintf(t->msg, sizeof t->msg, "%s",
			    sqlite3_errmsg(L(t)->db));
			table_reject(t, r, "constraint");
			rc = 1;
		} else {
			rc = db_fail(t, "inserting");
		}
	}
	sqlite3_reset(ins);
	sqlite3_clear_bindings(ins);
	return rc;
}

/* --mode replace: the old rows go in the transaction the new come in. */
static int
lite_clear(struct sink *t)
{
	if (begin(t) < 0)
		return -1;
	if (!t->exists)
		return 0;
	t->sql.n = 0;
	buf_adds(&t->sql, "DELETE FROM ");
	buf_sql_ident(&t->sql, t->name);
	return exec(t, buf_cstr(&t->sql));
}

static int
lite_open(struct sink *t)
{
	struct lite *l = ecalloc(1, sizeof *l);
	int rc;

	t->db = l;
	sqlite3_config(SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
	/* One thread: no mutexes around every call. */
	if ((rc = sqlite3_open_v2(t->target, &l->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)) != SQLITE_OK) {
		/* Out of memory there is no db to ask: rc says so. */
		db_report(t->target, l->db, rc, NULL, l->db != NULL &&
		    sqlite3_errcode(l->db) == rc ? NULL : sqlite3_errstr(rc));
		sqlite3_close(l->db);
		free(l);
		t->db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(l->db, BUSY_MS);
	t->max_cols = (size_t)sqlite3_limit(l->db, SQLITE_LIMIT_COLUMN, -1);
	return wal_mode(t) == 0 &&
	    exec(t, "PRAGMA synchronous = NORMAL") == 0 ? 0 : -1;
}

static void
lite_close(struct sink *t)
{
	if (t->db == NULL)
		return;
	sqlite3_finalize(L(t)->ins);
	if (sqlite3_close(L(t)->db) != SQLITE_OK)
		t->failed = 1;
	free(t->db);
	t->db = NULL;
}

/* The program, which table_main.c's main() runs. */
const struct dialect table_dialect = {
	.prog = &prog, .db_name = "SQLite", .target_required = 1,
	.open = lite_open, .close = lite_close,
	.read = lite_read, .create = lite_create,
	.key_index = lite_key_index, .add_column = lite_add_column,
	.layout = lite_layout, .put = lite_put, .commit = lite_commit,
	.rollback = lite_rollback, .clear = lite_clear,
};
