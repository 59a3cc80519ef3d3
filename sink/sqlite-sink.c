/*
 * sqlite-sink - records into a SQLite table: created from the schema or
 * the first records, a column added when a new field appears, rows
 * appended or upserted by a key, in batched transactions (by count and
 * by time, and whenever the input pauses, so a slow stream's rows land
 * as they come), WAL so readers read while it writes.  See
 * sqlite-sink(1).
 *
 * A value that is not of its column's type, or that a CHECK refuses,
 * rejects its record: in = written + rejected + filtered (--where).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "pq.h"

static const struct program prog = {
	.synopsis = "sqlite-sink -d DB -t TABLE [options] [FILE...]",
	.help =
	    "Write records into a SQLite table (made if missing, widened when\n"
	    "new fields come).\n"
	    "\n"
	    "Options:\n"
	    "  -d, --db FILE           the database\n"
	    "  -t, --table NAME        the table\n"
	    "      --mode MODE         append (default), upsert (with --key), or\n"
	    "                          replace (the table's rows, in one transaction)\n"
	    "      --key C[,C...]      the unique key an upsert replaces by\n"
	    "      --batch-rows N      rows a transaction at most (default 10000)\n"
	    "      --batch-ms MS       a transaction's age at most (default 100)\n"
	    "      --where EXPR        write only the records EXPR holds for; the\n"
	    "                          others are counted filtered\n"
	    STATS_HELP,
	.versions = "sqlite " SQLITE_VERSION,
};

enum { OPT_MODE = OPT_PROGRAM, OPT_KEY, OPT_BATCH_ROWS, OPT_BATCH_MS,
	OPT_WHERE };
enum mode { M_APPEND, M_UPSERT, M_REPLACE };

struct col {
	char *name;
	enum pq_kind kind;	/* how values are converted */
	int scale;
};

struct sink {
	sqlite3 *db;
	const char *path, *table;
	enum mode mode;
	char **keys;
	size_t nkeys;
	long long batch_rows;
	double batch_secs;
	const struct schema *sc;
	struct col *cols;	/* the table's columns */
	size_t ncols;
	struct names colix;	/* column name (any case) -> index in cols */
	int max_cols;		/* SQLite's limit on a table's columns */
	int exists;		/* the table is there */
	/* The statement for the columns of the last record's layout: */
	sqlite3_stmt *ins;
	uint64_t layout;
	int *slot;		/* record field -> statement parameter, or -1 */
	size_t nslot;
	char *colset;		/* which columns the statement has ("1,4,5") */
	/* The open transaction: */
	int in_tx;
	long long tx_rows;
	unsigned long long committed;	/* rows in committed transactions */
	double tx_start;
	/* Records before the table exists, for inferring its types: */
	struct rec *pending;
	size_t npending;
	double first_pending;
	struct filter *f;
	char msg[512];
	int failed;
	struct buf sql, scratch;
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

/* A failure of the database itself: report, and stop with exit 1. */
static void
db_fail(struct sink *s, const char *what)
{
	db_report(s->path, s->db, SQLITE_ERROR, what, NULL);
	s->failed = 1;
}

static int
exec(struct sink *s, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		db_report(s->path, s->db, SQLITE_ERROR, NULL, err);
		sqlite3_free(err);
		s->failed = 1;
		return -1;
	}
	return 0;
}

static const char *
sql_type(enum pq_kind k)
{
	switch (k) {
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
static enum pq_kind
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

/* The kind a field has from the schema, or -1. */
static int
schema_kind(const struct sink *s, const char *name, int *scale)
{
	static const enum pq_kind of[] = {
		[FT_STRING] = K_STRING, [FT_INT] = K_INT, [FT_FLOAT] = K_DOUBLE,
		[FT_DECIMAL] = K_DECIMAL, [FT_BOOL] = K_BOOL,
		[FT_DATE] = K_DATE, [FT_TIMESTAMP] = K_TIMESTAMP,
		[FT_JSON] = K_STRING,
	};
	int i = s->sc ? schema_field_index(s->sc, name) : -1;

	if (i < 0)
		return -1;
	*scale = s->sc->fields[i].scale;
	return (int)of[s->sc->fields[i].type];
}

static int
col_index(const struct sink *s, const char *name)
{
	/* SQLite's identifiers ignore case: "A" is column "a" (colix
	   folds ASCII, as SQLite does). */
	return (int)names_find(&s->colix, name, strlen(name));
}

static void
add_col(struct sink *s, const char *name, enum pq_kind kind, int scale)
{
	s->cols = erealloc(s->cols, (s->ncols + 1) * sizeof *s->cols);
	s->cols[s->ncols].name = estrdup(name);
	names_add(&s->colix, s->cols[s->ncols].name, strlen(name), s->ncols);
	s->cols[s->ncols].kind = kind;
	s->cols[s->ncols].scale = scale;
	s->ncols++;
}

/* The table's columns, when it is there. */
static void
read_table(struct sink *s)
{
	sqlite3_stmt *st;
	int rc;

	s->sql.n = 0;
	buf_adds(&s->sql, "SELECT name, type FROM pragma_table_info(?)");
	if (sqlite3_prepare_v2(s->db, buf_cstr(&s->sql), -1, &st, NULL) !=
	    SQLITE_OK) {
		db_fail(s, "reading the table");
		return;
	}
	/* Every failure counts: a table that seems not there (out of
	   memory) would be made again and, replaced, keep its old rows. */
	rc = sqlite3_bind_text(st, 1, s->table, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *decl = (const char *)sqlite3_column_text(st, 1);
		int scale = 0, k;

		if (name == NULL || (decl == NULL &&
		    sqlite3_column_type(st, 1) != SQLITE_NULL)) {
			rc = SQLITE_NOMEM;
			break;
		}
		k = schema_kind(s, name, &scale);
		add_col(s, name, k >= 0 ? (enum pq_kind)k : kind_of_sql(decl),
		    scale);
		s->exists = 1;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		db_report(s->path, s->db, rc, "reading the table",
		    sqlite3_errstr(rc));
		s->failed = 1;
	}
	sqlite3_finalize(st);
}

static int
commit(struct sink *s)
{
	long long rows = s->tx_rows;

	if (!s->in_tx)
		return 0;
	s->in_tx = 0;
	s->tx_rows = 0;
	if (exec(s, "COMMIT") < 0)
		return -1;
	s->committed += (unsigned long long)rows;
	return 0;
}

static int
begin(struct sink *s)
{
	if (s->in_tx)
		return 0;
	if (exec(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	s->in_tx = 1;
	s->tx_start = now_seconds();
	return 0;
}

/* Create the table with these columns, and its key's unique index. */
static int
create_table(struct sink *s)
{
	s->sql.n = 0;
	buf_adds(&s->sql, "CREATE TABLE IF NOT EXISTS ");
	buf_sql_ident(&s->sql, s->table);
	buf_adds(&s->sql, " (");
	for (size_t i = 0; i < s->ncols; i++) {
		if (i)
			buf_adds(&s->sql, ", ");
		buf_sql_ident(&s->sql, s->cols[i].name);
		buf_printf(&s->sql, " %s", sql_type(s->cols[i].kind));
	}
	buf_adds(&s->sql, ")");
	if (exec(s, buf_cstr(&s->sql)) < 0)
		return -1;
	s->exists = 1;
	return 0;
}

static int
key_index(struct sink *s)
{
	if (s->nkeys == 0)
		return 0;
	s->sql.n = 0;
	buf_adds(&s->sql, "CREATE UNIQUE INDEX IF NOT EXISTS ");
	{
		struct buf name = { 0 };

		buf_printf(&name, "%s_key", s->table);
		buf_sql_ident(&s->sql, buf_cstr(&name));
		buf_free(&name);
	}
	buf_adds(&s->sql, " ON ");
	buf_sql_ident(&s->sql, s->table);
	buf_adds(&s->sql, " (");
	for (size_t i = 0; i < s->nkeys; i++) {
		if (i)
			buf_adds(&s->sql, ", ");
		buf_sql_ident(&s->sql, s->keys[i]);
	}
	buf_adds(&s->sql, ")");
	return exec(s, buf_cstr(&s->sql));
}

/* A field the table lacks: a new column (schema evolution). */
static int
add_column(struct sink *s, const char *name, const struct val *v)
{
	int scale = 0, k = schema_kind(s, name, &scale);

	if (k < 0)
		k = (int)pq_infer(&v, 1);
	add_col(s, name, (enum pq_kind)k, scale);
	s->sql.n = 0;
	buf_adds(&s->sql, "ALTER TABLE ");
	buf_sql_ident(&s->sql, s->table);
	buf_adds(&s->sql, " ADD COLUMN ");
	buf_sql_ident(&s->sql, name);
	buf_printf(&s->sql, " %s", sql_type((enum pq_kind)k));
	return exec(s, buf_cstr(&s->sql));
}

/*
 * Would r's new fields take the table past SQLite's limit on columns?
 * Then it is a bad record, diverted (1): no table can hold it.
 */
static int
too_wide(struct sink *s, const struct rec *r)
{
	size_t room = s->ncols < (size_t)s->max_cols ?
	    (size_t)s->max_cols - s->ncols : 0, add = 0;
	struct rej_reason why = { "columns", s->msg, NULL };

	for (size_t i = 0; i < r->n && add <= room; i++)
		if (r->f[i].name != NULL && col_index(s, r->f[i].name) < 0)
			add++;
	if (add <= room)
		return 0;
	snprintf(s->msg, sizeof s->msg, "its fields would give the table more "
	    "columns than SQLite allows (%d)", s->max_cols);
	filter_reject(s->f, r, &why, 1);
	return 1;
}

/* The insert for r's fields, made when the field set changes.  0, 1
   when r was rejected, or -1. */
static int
prepare(struct sink *s, const struct rec *r)
{
	struct buf set = { 0 };
	size_t nparam = 0;

	if (r->layout != 0 && r->layout == s->layout && s->ins != NULL)
		return 0;
	if (too_wide(s, r))
		return 1;
	s->slot = erealloc(s->slot, (r->n + 1) * sizeof *s->slot);
	s->nslot = r->n;
	for (size_t i = 0; i < r->n; i++) {
		int c = r->f[i].name ? col_index(s, r->f[i].name) : -1;

		if (c < 0 && r->f[i].name != NULL) {
			if (add_column(s, r->f[i].name, &r->f[i].v) < 0)
				return -1;
			c = (int)s->ncols - 1;
		}
		s->slot[i] = c;
		buf_printf(&set, "%d,", c);
	}
	s->layout = r->layout;
	if (s->ins != NULL && s->colset != NULL &&
	    strcmp(s->colset, buf_cstr(&set)) == 0) {
		buf_free(&set);
		return 0;
	}
	free(s->colset);
	s->colset = estrdup(buf_cstr(&set));
	buf_free(&set);
	sqlite3_finalize(s->ins);
	s->ins = NULL;
	s->sql.n = 0;
	buf_adds(&s->sql, "INSERT INTO ");
	buf_sql_ident(&s->sql, s->table);
	buf_adds(&s->sql, " (");
	for (size_t i = 0; i < s->nslot; i++) {
		if (s->slot[i] < 0)
			continue;
		if (nparam++)
			buf_adds(&s->sql, ", ");
		buf_sql_ident(&s->sql, s->cols[s->slot[i]].name);
	}
	buf_adds(&s->sql, ") VALUES (");
	for (size_t i = 0; i < nparam; i++)
		buf_adds(&s->sql, i ? ", ?" : "?");
	buf_adds(&s->sql, ")");
	if (s->mode == M_UPSERT) {
		size_t nset = 0;

		buf_adds(&s->sql, " ON CONFLICT (");
		for (size_t k = 0; k < s->nkeys; k++) {
			if (k)
				buf_adds(&s->sql, ", ");
			buf_sql_ident(&s->sql, s->keys[k]);
		}
		buf_adds(&s->sql, ") DO ");
		for (size_t i = 0; i < s->nslot; i++) {
			const char *name;
			int iskey = 0;

			if (s->slot[i] < 0)
				continue;
			name = s->cols[s->slot[i]].name;
			for (size_t k = 0; k < s->nkeys; k++)
				iskey |= strcmp(s->keys[k], name) == 0;
			if (iskey)
				continue;
			buf_adds(&s->sql, nset++ ? ", " : "UPDATE SET ");
			buf_sql_ident(&s->sql, name);
			buf_adds(&s->sql, " = excluded.");
			buf_sql_ident(&s->sql, name);
		}
		if (nset == 0)
			buf_adds(&s->sql, "NOTHING");
	}
	if (sqlite3_prepare_v2(s->db, buf_cstr(&s->sql), -1, &s->ins, NULL) !=
	    SQLITE_OK) {
		db_fail(s, "preparing the insert");
		return -1;
	}
	return 0;
}

/* Insert r; a value of the wrong type or a constraint rejects it. */
static void
insert(struct sink *s, struct rec *r)
{
	struct pq_val pv = { 0 };
	int param = 0, rc;
	char d[TS_BUFSZ];

	/* New columns in the transaction: one sync for all, not one each. */
	if (begin(s) < 0 || prepare(s, r) != 0)
		return;
	/* An upsert's key must be there: a null never conflicts, so a
	   replay would add the row again. */
	for (size_t k = 0; k < s->nkeys; k++) {
		int i = rec_index(r, s->keys[k]);

		if (i < 0 || val_is_null(&r->f[i].v) ||
		    val_is_empty_text(&r->f[i].v)) {
			struct rej_reason why = { "key", s->msg, NULL };

			snprintf(s->msg, sizeof s->msg, "the key field %s is "
			    "missing", s->keys[k]);
			filter_reject(s->f, r, &why, 1);
			return;
		}
	}
	/* A bind that fails (out of memory copying a text) would leave
	   the column NULL and the row written: never. */
	rc = SQLITE_OK;
	for (size_t i = 0; i < s->nslot && rc == SQLITE_OK; i++) {
		const struct col *c;

		if (s->slot[i] < 0)
			continue;
		c = &s->cols[s->slot[i]];
		param++;
		if (pq_value(c->name, c->kind, c->scale, &r->f[i].v, &pv,
		    s->msg, sizeof s->msg) < 0) {
			struct rej_reason why = { "type", s->msg, NULL };

			sqlite3_reset(s->ins);
			filter_reject(s->f, r, &why, 1);
			buf_free(&pv.scratch);
			return;
		}
		if (pv.null) {
			rc = sqlite3_bind_null(s->ins, param);
			continue;
		}
		switch (c->kind) {
		case K_BOOL:
		case K_INT:
			rc = sqlite3_bind_int64(s->ins, param, pv.i);
			break;
		case K_DOUBLE:
			rc = sqlite3_bind_double(s->ins, param, pv.d);
			break;
		case K_DECIMAL: {
			double x;
			size_t n = num_fmt_decimal(d, pv.i, c->scale);

			num_parse_double(d, n, &x);
			rc = sqlite3_bind_double(s->ins, param, x);
			break;
		}
		case K_DATE:
			rc = sqlite3_bind_text(s->ins, param, d,
			    (int)ts_format_date(d, pv.i * TS_US_PER_DAY),
			    SQLITE_TRANSIENT);
			break;
		case K_TIMESTAMP:
			rc = sqlite3_bind_text(s->ins, param, d,
			    (int)ts_format(d, pv.i), SQLITE_TRANSIENT);
			break;
		case K_STRING:
			rc = sqlite3_bind_text(s->ins, param, pv.s, (int)pv.n,
			    SQLITE_TRANSIENT);
			break;
		}
	}
	if (rc != SQLITE_OK) {
		buf_free(&pv.scratch);
		if ((rc & 0xff) == SQLITE_TOOBIG) {
			struct rej_reason why = { "constraint", s->msg, NULL };

			snprintf(s->msg, sizeof s->msg, "%s",
			    sqlite3_errstr(rc));
			filter_reject(s->f, r, &why, 1);
		} else {
			db_report(s->path, s->db, rc, "inserting",
			    sqlite3_errstr(rc));
			s->failed = 1;
		}
		sqlite3_reset(s->ins);
		sqlite3_clear_bindings(s->ins);
		return;
	}
	buf_free(&pv.scratch);
	rc = sqlite3_step(s->ins);
	if (rc == SQLITE_DONE) {
		s->f->t.out++;
		s->tx_rows++;
	} else if ((rc & 0xff) == SQLITE_CONSTRAINT ||
	    (rc & 0xff) == SQLITE_MISMATCH || (rc & 0xff) == SQLITE_TOOBIG) {
		struct rej_reason why = { "constraint", s->msg, NULL };

		snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
		filter_reject(s->f, r, &why, 1);
	} else {
		db_fail(s, "inserting");
	}
	sqlite3_reset(s->ins);
	sqlite3_clear_bindings(s->ins);
	if (s->mode != M_REPLACE && (s->tx_rows >= s->batch_rows ||
	    now_seconds() - s->tx_start >= s->batch_secs))
		commit(s);
}

/*
 * The first records decide the new table's types; then they go in.  One
 * pass over each record's fields, each column found by hash, its type
 * guessed value by value: a record of a million fields is a million
 * steps.
 */
static void
settle(struct sink *s)
{
	int *guess = NULL;	/* a column's type guess; -1: the schema's */
	size_t capg = 0;
	char *wide = ecalloc(s->npending + 1, 1);
	size_t nwide = 0;

	for (size_t i = 0; i < s->npending; i++) {
		const struct rec *q = &s->pending[i];

		if ((wide[i] = (char)too_wide(s, q))) {
			nwide++;
			continue;
		}
		for (size_t j = 0; j < q->n; j++) {
			const char *name = q->f[j].name;
			int c, scale = 0, k;

			if (name == NULL)
				continue;
			if ((c = col_index(s, name)) < 0) {
				k = schema_kind(s, name, &scale);
				add_col(s, name, k >= 0 ? (enum pq_kind)k :
				    K_STRING, scale);
				c = (int)s->ncols - 1;
				if (s->ncols > capg) {
					capg = s->ncols * 2;
					guess = erealloc(guess, capg * sizeof *guess);
				}
				guess[c] = k >= 0 ? -1 : 0;
			}
			if (guess[c] >= 0)
				guess[c] = pq_widen(guess[c], &q->f[j].v);
		}
	}
	for (size_t c = 0; c < s->ncols; c++)
		if (guess[c] >= 0)
			s->cols[c].kind = pq_guess_kind(guess[c]);
	free(guess);
	if (nwide < s->npending && create_table(s) == 0 && key_index(s) == 0)
		for (size_t i = 0; i < s->npending && !s->failed; i++)
			if (!wide[i])
				insert(s, &s->pending[i]);
	free(wide);
	for (size_t i = 0; i < s->npending; i++)
		rec_free(&s->pending[i]);
	free(s->pending);
	s->pending = NULL;
	s->npending = 0;
}

static void
each(struct filter *f, struct rec *r, void *ctx)
{
	struct sink *s = ctx;
	struct rec *q;

	if (s->failed) {
		f->stop = 1;
		return;
	}
	if (!filter_keep(f, r))
		return;
	if (s->exists) {
		insert(s, r);
		if (s->failed)
			f->stop = 1;
		return;
	}
	/* Until the table exists: a copy, names and all. */
	s->pending = erealloc(s->pending, (s->npending + 1) *
	    sizeof *s->pending);
	q = &s->pending[s->npending];
	rec_init(q);
	for (size_t i = 0; i < r->n; i++)
		rec_add(q, r->f[i].name ? rec_strdup(q, r->f[i].name,
		    strlen(r->f[i].name)) : NULL, r->f[i].v);
	q->src = r->src ? rec_strdup(q, r->src, strlen(r->src)) : NULL;
	q->line = r->line;
	rec_own(q);
	if (s->npending++ == 0)
		s->first_pending = now_seconds();
	/* With a schema, the first record is enough to make the table. */
	if (s->sc != NULL || s->npending >= (size_t)s->batch_rows ||
	    now_seconds() - s->first_pending >= s->batch_secs)
		settle(s);
}

/* After the last record, while rejects can still be written: the rows
   held to type a new table. */
static void
last_rows(struct filter *f, void *ctx)
{
	struct sink *s = ctx;

	(void)f;
	if (!s->exists && s->npending > 0 && !s->failed)
		settle(s);
}

/* About to wait for input: the open transaction lands now, so readers
   of the table see each row as it comes (a replace lands only whole).
   Rows held to type a new table are not settled by a pause, which can
   come after one row: by their number or age (settle_clock). */
static void
land(void *ctx)
{
	struct sink *s = ctx;

	if (!s->failed && s->in_tx && s->mode != M_REPLACE && commit(s) < 0)
		s->failed = 1;
}

/* On the clock: rows held --batch-ms to type a new table make it, so a
   quiet stream's first rows wait no longer than that. */
static int
settle_clock(void *ctx)
{
	struct sink *s = ctx;
	double left = s->batch_secs;

	if (!s->failed && !s->exists && s->npending > 0) {
		left = s->first_pending + s->batch_secs - now_seconds();
		if (left <= 0) {
			settle(s);
			land(s);
			left = s->batch_secs;
		}
	}
	return (int)(left * 1000) + 1;
}

/* After a stop or a failure: what readers see now. */
static void
tell_kept(const struct sink *s, const struct filter *f, int stopped)
{
	const char *why = s->failed && !stopped ? "after the failure" :
	    "stopped before the end of the input";
	/* Read, neither rejected nor filtered, and not committed. */
	unsigned long long lost = f->t.in - f->t.rejected - f->t.filtered -
	    s->committed;

	if (s->mode == M_REPLACE)
		diag("%s: table %s is as it was (%llu records read not "
		    "written)", why, s->table, lost);
	else
		diag("%s: %llu rows committed to table %s%s (%llu records read "
		    "not written)", why, s->committed, s->table, stopped ?
		    ", each batch whole" : "", lost);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "db", required_argument, NULL, 'd' },
		{ "table", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "batch-rows", required_argument, NULL, OPT_BATCH_ROWS },
		{ "batch-ms", required_argument, NULL, OPT_BATCH_MS },
		{ "where", required_argument, NULL, OPT_WHERE },
		STATS_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct sink s = { .batch_rows = 10000, .batch_secs = 0.1,
	    .colix = { .fold = 1 } };
	struct common_opts co = { 0 };
	struct filter f = { 0 };
	struct schema *sc = NULL;
	const char *keys = NULL, *where = NULL;
	char err[512];
	int c, status, stopped, rc;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "d:t:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd':
			s.path = optarg;
			break;
		case 't':
			s.table = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "append") == 0)
				s.mode = M_APPEND;
			else if (strcmp(optarg, "upsert") == 0)
				s.mode = M_UPSERT;
			else if (strcmp(optarg, "replace") == 0)
				s.mode = M_REPLACE;
			else
				usage_error("--mode: expected append, upsert or "
				    "replace, not \"%s\"", optarg);
			break;
		case OPT_KEY:
			keys = optarg;
			break;
		case OPT_BATCH_ROWS:
			s.batch_rows = opt_number("--batch-rows", optarg, 1);
			break;
		case OPT_WHERE:
			where = optarg;
			break;
		case OPT_BATCH_MS:
			s.batch_secs = (double)opt_number("--batch-ms", optarg,
			    1) / 1000;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	}
	if (s.path == NULL || s.table == NULL)
		usage_error("-d DB and -t TABLE, please");
	if ((s.mode == M_UPSERT) != (keys != NULL))
		usage_error("--mode upsert and --key go together");
	if (keys != NULL)
		s.keys = opt_list(keys, &s.nkeys);
	if (co.schema != NULL &&
	    (sc = schema_load(co.schema, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return schema_load_status();
	}
	s.sc = sc;
	if (where != NULL)
		f.where = ewhere(where, sc);
	sqlite3_config(SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
	/* One thread: no mutexes around every call. */
	if ((rc = sqlite3_open_v2(s.path, &s.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)) != SQLITE_OK) {
		/* Out of memory there is no db to ask: rc says so. */
		db_report(s.path, s.db, rc, NULL, s.db != NULL &&
		    sqlite3_errcode(s.db) == rc ? NULL : sqlite3_errstr(rc));
		sqlite3_close(s.db);
		where_free(f.where);
		schema_free(sc);
		return 1;
	}
	sqlite3_busy_timeout(s.db, 5000);
	s.f = &f;
	if (exec(&s, "PRAGMA journal_mode = WAL") == 0 &&
	    exec(&s, "PRAGMA synchronous = NORMAL") == 0)
		read_table(&s);
	if (!s.failed && s.exists && key_index(&s) < 0)
		s.failed = 1;
	s.max_cols = sqlite3_limit(s.db, SQLITE_LIMIT_COLUMN, -1);
	/* One transaction, the table's making too: readers see the old rows
	   (or no table) until the new are all there. */
	if (!s.failed && s.mode == M_REPLACE && begin(&s) == 0 && s.exists) {
		s.sql.n = 0;
		buf_adds(&s.sql, "DELETE FROM ");
		buf_sql_ident(&s.sql, s.table);
		exec(&s, buf_cstr(&s.sql));
	}
	status = 1;
	if (!s.failed) {
		stop_on_signals();
		live_hold(land, &s);
		src_on_clock(settle_clock, &s);
		f.co = &co;
		f.own_summary = 1;
		f.finish = last_rows;
		status = filter_run(&f, argv + optind, argc - optind, each, &s);
		live_release(land, &s);
		stopped = stop_requested != 0;
		/* Replace keeps the old rows unless the new are all there. */
		if (s.mode == M_REPLACE && (status != 0 || stopped))
			s.failed = 1;
		if (!s.failed)
			commit(&s);
		else if (s.in_tx)
			sqlite3_exec(s.db, "ROLLBACK", NULL, NULL, NULL);
		if (s.failed || stopped) {
			tell_kept(&s, &f, stopped);
			status = 1;
		}
		/* Written: the rows committed, that readers can see. */
		f.t.out = s.committed;
		if (!co.quiet)
			fprintf(stderr, "%s: %llu in, %llu written, %llu "
			    "rejected, %llu filtered, %.2fs\n", progname,
			    (unsigned long long)f.t.in,
			    (unsigned long long)f.t.out,
			    (unsigned long long)f.t.rejected,
			    (unsigned long long)f.t.filtered,
			    now_seconds() - f.t.start);
		if (stats_write(co.stats, &f.t, stats_pack("{s:s}", "table",
		    s.table)) < 0)
			status = 1;
	}
	sqlite3_finalize(s.ins);
	if (sqlite3_close(s.db) != SQLITE_OK)
		status = 1;
	for (size_t i = 0; i < s.ncols; i++)
		free(s.cols[i].name);
	free(s.cols);
	opt_list_free(s.keys, s.nkeys);
	names_free(&s.colix);
	free(s.slot);
	free(s.colset);
	buf_free(&s.sql);
	buf_free(&s.scratch);
	where_free(f.where);
	schema_free(sc);
	return status;
}
