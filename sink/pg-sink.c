/*
 * pg-sink - records into a PostgreSQL table: the same job as sqlite-sink
 * (table.c, and its main(), table_main.c), in PostgreSQL's dialect and
 * over its wire (the connection: pg_conn.c; rows as COPY takes them:
 * pg_row.c).  See pg-sink(1).
 *
 * A batch is one transaction.  Its rows are kept, as COPY rows (in the
 * binary format, pg_binary.c, when every column's type has a binary
 * form there; else as text), and streamed to the server as they come
 * (COPY ... FROM STDIN straight into the table; for an upsert, or a
 * keyed append, into a temporary table and then one INSERT ... SELECT
 * ... ON CONFLICT).  When the server refuses a value (a CHECK, a number
 * too big for its column) the batch is rolled back and sent again in
 * halves under savepoints, down to the rows at fault, which are rejected
 * with the server's reason: a batch lands whole but for its bad rows,
 * never half.  When the connection is lost the batch is sent again on a
 * new one, for up to --retry seconds; if the COMMIT itself went
 * unanswered, the server is asked whether that transaction committed
 * (txid_status, and the rows: batch_committed), so a retry never
 * doubles or drops a batch.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_conn.h"
#include "pg_row.h"

static const char *
pg_versions(void)
{
	static char v[64];
	int n = PQlibVersion();

	/* 150018: 15.18 (10 and later: major * 10000 + minor). */
	snprintf(v, sizeof v, "libpq %d.%d", n / 10000, n % 10000);
	return v;
}

static const struct program prog = {
	.synopsis = "pg-sink [-D DB] -T TABLE [options] [FILE...]",
	.help =
	    "Write records into a PostgreSQL table (made if missing, widened\n"
	    "when new fields come).\n"
	    "\n"
	    "Options:\n"
	    "  -D, --db DB             the server and database: a URI\n"
	    "                          (postgresql://user@host:port/db) or\n"
	    "                          \"host=... dbname=...\"; unset parts from the\n"
	    "                          PG* environment and ~/.pgpass (default: all)\n"
	    TABLE_HELP
	    "      --retry DUR         how long to keep trying a batch when the\n"
	    "                          server is gone (default 30s; 0: not at\n"
	    "                          all; a bare number: seconds)\n"
	    "      --where EXPR        write only the records EXPR holds for; the\n"
	    "                          others are counted filtered\n"
	    STATS_HELP,
	.versions = pg_versions,
	.takes = TAKES_INPUT_FORMAT | TAKES_SCHEMA | TAKES_REJECT | TAKES_QUIET,
};

enum { OPT_RETRY = OPT_TABLE_NEXT };

/* The rows of a batch that have one set of columns, as COPY rows. */
struct seg {
	int *cols;		/* indexes into the table's columns */
	size_t ncols;
	int binary;		/* COPY's binary format, else text */
	struct buf text;	/* the rows */
	size_t *at;		/* row i's line starts at text.p + at[i] */
	unsigned long *line;	/* where each row came from */
	const char **src;
	char *gone;		/* rejected: not sent again */
	size_t rows, cap;
};

struct pg {
	struct pgc c;		/* the connection */
	double retry;		/* seconds */
	int staged;		/* rows go through the stage table */
	/* The batch: */
	struct seg *segs;
	size_t nsegs;
	struct seg spare;	/* a past batch's memory, for the next */
	int in_tx;		/* a batch's transaction (or savepoint) */
	int tx_open;		/* replace: the run's transaction */
	int copying;		/* segs[nsegs - 1]'s COPY is open */
	size_t sent;		/* of its text, bytes sent */
	int dirty;		/* the batch must be sent again, carefully */
	long long nrows;	/* rows put in the batch */
	char xid[32];		/* the batch transaction's id */
	long long landed;	/* replace: rows in released savepoints */
	size_t stage_cols;	/* the stage table has these columns; 0: none */
	char **srcs;		/* the inputs' names, kept while rows are */
	size_t nsrcs;
	enum pgb_wire *wire;	/* per column of the table */
	size_t nwire;
};

static struct pg *
P(struct sink *t)
{
	return t->db;
}

/* Say what failed, with the server's words: -1. */
static int
failed(struct sink *t, const char *what)
{
	return pgc_fail(&P(t)->c, what);
}

/* Run sql where a failure of any kind ends the run: 0, or -1. */
static int
must(struct sink *t, const char *sql, const char *what)
{
	return pgc_do(&P(t)->c, sql) == PGC_OK ? 0 : failed(t, what);
}

static const char *
pg_type(const struct tcol *c, char tb[32])
{
	switch (c->kind) {
	case K_BOOL:
		return "boolean";
	case K_INT:
		return "bigint";
	case K_DOUBLE:
		return "double precision";
	case K_DECIMAL:
		/* Our decimals are 64-bit scaled integers: 18 digits. */
		snprintf(tb, 32, "numeric(18,%d)", c->scale);
		return tb;
	case K_DATE:
		return "date";
	case K_TIMESTAMP:
		return "timestamptz";
	case K_STRING:
		break;
	}
	return c->json ? "jsonb" : "text";
}

/* A column of the server's type typname (typmod its modifier) -- how
   values go into it.  A type not known here takes text, which the
   server checks. */
static void
kind_of_pg(const char *typname, int typmod, struct tcol *c)
{
	c->scale = 0;
	c->json = 0;
	if (strcmp(typname, "bool") == 0)
		c->kind = K_BOOL;
	else if (strcmp(typname, "int2") == 0 || strcmp(typname, "int4") ==
	    0 || strcmp(typname, "int8") == 0)
		c->kind = K_INT;
	else if (strcmp(typname, "float4") == 0 ||
	    strcmp(typname, "float8") == 0)
		c->kind = K_DOUBLE;
	else if (strcmp(typname, "numeric") == 0 && typmod >= 4 &&
	    ((typmod - 4) & 0xffff) <= 18) {
		c->kind = K_DECIMAL;
		c->scale = (typmod - 4) & 0xffff;
	} else if (strcmp(typname, "date") == 0)
		c->kind = K_DATE;
	else if (strcmp(typname, "timestamptz") == 0 ||
	    strcmp(typname, "timestamp") == 0)
		c->kind = K_TIMESTAMP;
	else {
		c->kind = K_STRING;
		c->json = strcmp(typname, "jsonb") == 0 ||
		    strcmp(typname, "json") == 0;
	}
}

/* How column col's values go over the wire: its server type's. */
static void
set_wire(struct pg *p, size_t col, const char *typname)
{
	if (col == (size_t)-1)
		return;
	if (col >= p->nwire) {
		p->wire = erealloc(p->wire, (col + 16) * sizeof *p->wire);
		for (size_t i = p->nwire; i < col + 16; i++)
			p->wire[i] = PGB_NONE;
		p->nwire = col + 16;
	}
	p->wire[col] = pgb_wire_of(typname);
}

static void
quoted_name(struct buf *b, const char *name)
{
	b->n = 0;
	buf_sql_ident(b, name);
}

/*
 * The table's columns as the server has them: each of t's columns takes
 * the server's type (another writer may have made the table or a column
 * first, with other types); add: the server's columns t lacks are added
 * to t.  0, or -1.
 */
static int
sync_cols(struct sink *t, int add)
{
	struct buf q = { 0 };
	const char *param;
	PGresult *r = NULL;
	int n;

	quoted_name(&q, t->name);
	param = buf_cstr(&q);
	if (pgc_run(&P(t)->c, "SELECT a.attname, format_type(a.atttypid, "
	    "a.atttypmod), ty.typname, a.atttypmod FROM pg_attribute a JOIN "
	    "pg_type ty ON ty.oid = a.atttypid WHERE a.attrelid = "
	    "to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY "
	    "a.attnum", 1, &param, &r) != PGC_OK) {
		buf_free(&q);
		return failed(t, "reading the table");
	}
	buf_free(&q);
	n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		const char *name = PQgetvalue(r, i, 0);
		struct tcol c = { 0 };
		size_t k = names_find(&t->colix, name, strlen(name));

		kind_of_pg(PQgetvalue(r, i, 2), atoi(PQgetvalue(r, i, 3)), &c);
		if (k == (size_t)-1 && add)
			k = t->ncols;
		set_wire(P(t), k, PQgetvalue(r, i, 2));
		if (k < t->ncols) {
			struct tcol *tc = &t->cols[k];

			/* A text column takes what the schema says a value
			   is (its timestamps as ISO 8601): the server's
			   other types say how to spell values for them. */
			if (c.kind != K_STRING || c.json) {
				tc->kind = c.kind;
				tc->scale = c.scale;
			}
			tc->json = c.json;
			free(tc->decl);
			tc->decl = estrdup(PQgetvalue(r, i, 1));
		} else if (add) {
			int scale = 0, json = 0,
			    sk = col_schema_kind(t->sc, name, &scale, &json);

			if (c.kind == K_STRING && !c.json && sk >= 0)
				table_add_col(t, name, (enum col_kind)sk, scale,
				    0, PQgetvalue(r, i, 1));
			else
				table_add_col(t, name, c.kind, c.scale, c.json,
				    PQgetvalue(r, i, 1));
		}
	}
	if (n > 0)
		t->exists = 1;
	PQclear(r);
	return 0;
}

static int
pg_read(struct sink *t)
{
	t->max_cols = 1600;	/* PostgreSQL's limit on a table's columns */
	return sync_cols(t, 1);
}

/* A lock on this table's name for making it or its columns, so two
   writers making one table do not collide (held to the transaction's
   end). */
static int
ddl_lock(struct sink *t)
{
	struct buf q = { 0 };
	const char *param;
	enum pgc_res res;

	buf_printf(&q, "sluice table %s", t->name);
	param = buf_cstr(&q);
	res = pgc_run(&P(t)->c, "SELECT pg_advisory_xact_lock(hashtext($1))", 1,
	    &param, NULL);
	buf_free(&q);
	return res == PGC_OK ? 0 : failed(t, "locking the table's name");
}

/* Is there a unique index on exactly the key's columns? 1, 0, or -1. */
static int
has_key_index(struct sink *t)
{
	struct buf name = { 0 }, keys = { 0 }, n = { 0 };
	const char *params[3];
	PGresult *r = NULL;
	int found;

	quoted_name(&name, t->name);
	buf_adds(&keys, "{");
	for (size_t k = 0; k < t->nkeys; k++) {
		buf_adds(&keys, k ? ",\"" : "\"");
		for (const char *c = t->keys[k]; *c; c++) {
			if (*c == '"' || *c == '\\')
				buf_addc(&keys, '\\');
			buf_addc(&keys, *c);
		}
		buf_addc(&keys, '"');
	}
	buf_adds(&keys, "}");
	buf_printf(&n, "%zu", t->nkeys);
	params[0] = buf_cstr(&name);
	params[1] = buf_cstr(&n);
	params[2] = buf_cstr(&keys);
	if (pgc_run(&P(t)->c, "SELECT count(*) FROM pg_index i WHERE "
	    "i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS "
	    "NULL AND i.indexprs IS NULL AND i.indnkeyatts = $2::int AND "
	    "(SELECT bool_and(a.attname = ANY ($3::text[])) FROM pg_attribute "
	    "a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey))",
	    3, params, &r) != PGC_OK) {
		found = failed(t, "reading the table's indexes");
	} else {
		found = atoi(PQgetvalue(r, 0, 0)) > 0;
		PQclear(r);
	}
	buf_free(&name);
	buf_free(&keys);
	buf_free(&n);
	return found;
}

/* The key's unique index unless the table has one (a UNIQUE constraint
   on those columns is one), in the open transaction. */
static int
key_index_in_tx(struct sink *t)
{
	int has;

	if (t->nkeys == 0)
		return 0;
	if ((has = has_key_index(t)) != 0)
		return has < 0 ? -1 : 0;
	table_key_index_sql(t, &t->sql);
	return must(t, buf_cstr(&t->sql), "making the key's index");
}

/* DDL: in its own transaction, under the name's lock -- but in
   --mode replace inside the run's, so readers see the new table whole. */
static int
ddl_begin(struct sink *t)
{
	if (P(t)->tx_open)
		return ddl_lock(t);
	if (must(t, "BEGIN", "beginning") < 0)
		return -1;
	return ddl_lock(t);
}

static int
ddl_end(struct sink *t, int ok)
{
	if (P(t)->tx_open)
		return ok;
	if (ok < 0) {
		pgc_do(&P(t)->c, "ROLLBACK");
		return -1;
	}
	return must(t, "COMMIT", "committing the table's change");
}

static int
pg_key_index(struct sink *t)
{
	if (t->nkeys == 0)
		return 0;
	if (ddl_begin(t) < 0)
		return -1;
	return ddl_end(t, key_index_in_tx(t));
}

static int
pg_create(struct sink *t)
{
	char tb[32];
	int ok;

	if (ddl_begin(t) < 0)
		return -1;
	table_create_sql(t, &t->sql, pg_type);
	ok = must(t, buf_cstr(&t->sql), "making the table");
	/* Another writer's table, made first, is the table: its types. */
	if (ok == 0)
		ok = sync_cols(t, 0);
	for (size_t i = 0; ok == 0 && i < t->ncols; i++) {
		if (t->cols[i].decl != NULL)
			continue;
		table_add_column_sql(t, &t->sql, &t->cols[i], pg_type, 1);
		ok = must(t, buf_cstr(&t->sql), "adding a column");
		if (ok == 0)
			t->cols[i].decl = estrdup(pg_type(&t->cols[i], tb));
	}
	if (ok == 0)
		ok = key_index_in_tx(t);
	return ddl_end(t, ok);
}

static long long pg_commit(struct sink *t, int last);
static int flush_replace(struct sink *t);

static int
pg_add_column(struct sink *t, const struct tcol *c)
{
	int ok;

	/* The rows so far land first: a column is its own transaction. */
	if (!P(t)->tx_open && t->tx_rows > 0) {
		long long n = pg_commit(t, 0);

		if (n < 0)
			return -1;
		t->committed += (unsigned long long)n;
		t->tx_rows = 0;
	} else if (P(t)->tx_open && flush_replace(t) < 0) {
		/* Replacing: the column outside any batch's savepoint, so
		   sending a batch again does not take it away. */
		return -1;
	}
	if (ddl_begin(t) < 0)
		return -1;
	table_add_column_sql(t, &t->sql, c, pg_type, 1);
	ok = must(t, buf_cstr(&t->sql), "adding a column");
	/* Another writer's column of that name, made first, is the
	   column: its type. */
	if (ok == 0)
		ok = sync_cols(t, 0);
	P(t)->stage_cols = 0;
	return ddl_end(t, ok);
}

/* How s's rows are laid out, for pg_row.c. */
static struct pgrow_shape
shape(const struct pg *p, const struct seg *s)
{
	return (struct pgrow_shape){ .cols = s->cols, .ncols = s->ncols,
	    .binary = s->binary, .staged = p->staged, .wire = p->wire };
}

static struct seg *
cur_seg(struct pg *p)
{
	return p->nsegs ? &p->segs[p->nsegs - 1] : NULL;
}

static void
seg_free(struct seg *s)
{
	free(s->cols);
	buf_free(&s->text);
	free(s->at);
	free(s->line);
	free(s->src);
	free(s->gone);
}

static void
batch_clear(struct pg *p)
{
	/* The first segment's memory is kept for the next batch's. */
	for (size_t i = 1; i < p->nsegs; i++)
		seg_free(&p->segs[i]);
	if (p->nsegs > 0) {
		seg_free(&p->spare);
		p->spare = p->segs[0];
	}
	free(p->segs);
	p->segs = NULL;
	p->nsegs = 0;
	p->dirty = 0;
	p->nrows = 0;
	for (size_t i = 0; i + 1 < p->nsrcs; i++)
		free(p->srcs[i]);
	/* The last input's name stays: its rows are still coming. */
	if (p->nsrcs > 1) {
		p->srcs[0] = p->srcs[p->nsrcs - 1];
		p->nsrcs = 1;
	}
}

/* The stage an upsert's rows go into first: the table's columns as the
   table has them (no constraints, no defaults), and each row's place. */
static enum pgc_res
stage(struct sink *t)
{
	struct pg *p = P(t);
	enum pgc_res res;

	if (p->stage_cols == t->ncols)
		return PGC_OK;
	t->sql.n = 0;
	buf_adds(&t->sql, "DROP TABLE IF EXISTS pg_temp._sluice_stage; "
	    "CREATE TEMP TABLE _sluice_stage (_sluice_n bigint");
	for (size_t i = 0; i < t->ncols; i++) {
		char tb[32];

		buf_adds(&t->sql, ", ");
		buf_sql_ident(&t->sql, t->cols[i].name);
		buf_printf(&t->sql, " %s", t->cols[i].decl ? t->cols[i].decl :
		    pg_type(&t->cols[i], tb));
	}
	buf_adds(&t->sql, ")");
	/* Two statements: no parameters, so the simple protocol. */
	res = pgc_exec(&p->c, buf_cstr(&t->sql), PGRES_COMMAND_OK);
	if (res == PGC_OK)
		p->stage_cols = t->ncols;
	return res;
}

/* Start COPY of seg's columns (into the stage, or the table). */
static enum pgc_res
copy_start(struct sink *t, const struct seg *s)
{
	struct pg *p = P(t);
	enum pgc_res res = PGC_OK;

	if (p->staged && (res = stage(t)) != PGC_OK)
		return res;
	t->sql.n = 0;
	buf_adds(&t->sql, "COPY ");
	if (p->staged)
		buf_adds(&t->sql, "_sluice_stage (_sluice_n");
	else
		buf_sql_ident(&t->sql, t->name);
	for (size_t i = 0; i < s->ncols; i++) {
		buf_adds(&t->sql, i || p->staged ? ", " : " (");
		buf_sql_ident(&t->sql, t->cols[s->cols[i]].name);
	}
	if (s->ncols > 0 || p->staged)
		buf_adds(&t->sql, ")");
	buf_adds(&t->sql, s->binary ? " FROM STDIN (FORMAT binary)" :
	    " FROM STDIN");
	res = pgc_exec(&p->c, buf_cstr(&t->sql), PGRES_COPY_IN);
	/* The binary format's signature, flags and header extension. */
	if (res == PGC_OK && s->binary)
		res = pgc_copy_send(&p->c, PGB_HEADER, PGB_HEADER_LEN);
	return res;
}

/* End the COPY; then, staged, move the stage's rows into the table (the
   last row of a key in the batch, as one by one would leave it). */
static enum pgc_res
copy_end(struct sink *t, const struct seg *s)
{
	struct pg *p = P(t);
	enum pgc_res res;

	/* The binary format's trailer: a row of -1 fields. */
	if (s->binary && pgc_copy_send(&p->c, PGB_TRAILER, PGB_TRAILER_LEN) !=
	    PGC_OK)
		return PGC_LOST;
	res = pgc_copy_end(&p->c);
	if (res != PGC_OK || !p->staged)
		return res;
	t->sql.n = 0;
	buf_adds(&t->sql, "INSERT INTO ");
	buf_sql_ident(&t->sql, t->name);
	for (int pass = 0; pass < 2; pass++) {
		buf_adds(&t->sql, pass ? " FROM (SELECT DISTINCT ON (" : " (");
		if (pass)
			for (size_t k = 0; k < t->nkeys; k++) {
				if (k)
					buf_adds(&t->sql, ", ");
				buf_sql_ident(&t->sql, t->keys[k]);
			}
		if (pass)
			buf_adds(&t->sql, ") * FROM _sluice_stage ORDER BY ");
		for (size_t k = 0; pass && k < t->nkeys; k++) {
			buf_sql_ident(&t->sql, t->keys[k]);
			buf_adds(&t->sql, ", ");
		}
		if (pass) {
			buf_adds(&t->sql, t->mode == M_UPSERT ?
			    "_sluice_n DESC) s" : "_sluice_n) s");
			break;
		}
		for (size_t i = 0; i < s->ncols; i++) {
			if (i)
				buf_adds(&t->sql, ", ");
			buf_sql_ident(&t->sql, t->cols[s->cols[i]].name);
		}
		buf_adds(&t->sql, ") SELECT ");
		for (size_t i = 0; i < s->ncols; i++) {
			if (i)
				buf_adds(&t->sql, ", ");
			buf_sql_ident(&t->sql, t->cols[s->cols[i]].name);
		}
	}
	table_on_conflict(t, &t->sql, s->cols, s->ncols);
	buf_adds(&t->sql, "; TRUNCATE _sluice_stage");
	return pgc_exec(&p->c, buf_cstr(&t->sql), PGRES_COMMAND_OK);
}

/* Where the server's errors went: what to say, and whether to stop. */
static int
lost_or_fatal(struct sink *t, enum pgc_res res)
{
	if (res == PGC_LOST)
		return 0;
	return failed(t, "writing");
}

/* The open COPY ends (the columns change, a column comes, the batch
   lands).  A refusal marks the batch to be sent again carefully. */
static int
finish_copy(struct sink *t)
{
	struct pg *p = P(t);
	struct seg *s = cur_seg(p);
	enum pgc_res res;

	if (!p->copying)
		return 0;
	p->copying = 0;
	res = pgc_copy_send(&p->c, s->text.p + p->sent, s->text.n - p->sent);
	if (res == PGC_OK)
		res = copy_end(t, s);
	if (res == PGC_OK)
		return 0;
	p->dirty = 1;
	return res == PGC_FATAL ? lost_or_fatal(t, res) : 0;
}

static int
pg_layout(struct sink *t)
{
	struct pg *p = P(t);
	struct seg *s;

	if (finish_copy(t) < 0)
		return -1;
	p->segs = erealloc(p->segs, (p->nsegs + 1) * sizeof *p->segs);
	s = &p->segs[p->nsegs++];
	*s = p->spare;
	memset(&p->spare, 0, sizeof p->spare);
	free(s->cols);
	s->ncols = 0;
	s->rows = 0;
	s->text.n = 0;
	s->cols = emalloc((t->nslot + 1) * sizeof *s->cols);
	s->binary = 1;
	for (size_t i = 0; i < t->nslot; i++)
		if (t->slot[i] >= 0) {
			int c = t->slot[i];

			s->cols[s->ncols++] = c;
			if ((size_t)c >= p->nwire ||
			    !pgb_takes(t->cols[c].kind, p->wire[c]))
				s->binary = 0;
		}
	return 0;
}

/* The name of r's input, kept while its rows are in the batch. */
static const char *
src_of(struct pg *p, const char *src)
{
	if (src == NULL)
		return NULL;
	if (p->nsrcs > 0 && strcmp(p->srcs[p->nsrcs - 1], src) == 0)
		return p->srcs[p->nsrcs - 1];
	p->srcs = erealloc(p->srcs, (p->nsrcs + 1) * sizeof *p->srcs);
	p->srcs[p->nsrcs] = estrdup(src);
	return p->srcs[p->nsrcs++];
}

static int begin_batch(struct sink *t);

static int
pg_put(struct sink *t, const struct rec *r)
{
	struct pg *p = P(t);
	struct seg *s = cur_seg(p);
	struct pgrow_shape sh;

	if (s == NULL) {
		if (pg_layout(t) < 0)
			return -1;
		s = cur_seg(p);
	}
	if (s->rows == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->at = erealloc(s->at, s->cap * sizeof *s->at);
		s->line = erealloc(s->line, s->cap * sizeof *s->line);
		s->src = erealloc(s->src, s->cap * sizeof *s->src);
		s->gone = erealloc(s->gone, s->cap);
	}
	s->at[s->rows] = s->text.n;
	sh = shape(p, s);
	if (pgrow_put(t, &sh, r, s->rows, &s->text) != 0)
		return 1;
	s->line[s->rows] = r->line;
	s->src[s->rows] = src_of(p, r->src);
	s->gone[s->rows] = 0;
	s->rows++;
	/* Streamed as it comes, while the batch has gone well. */
	if (!p->dirty && !p->copying && pgc_up(&p->c)) {
		enum pgc_res res = PGC_OK;

		if (!p->in_tx && begin_batch(t) < 0)
			res = PGC_LOST;
		else if ((res = copy_start(t, s)) == PGC_OK) {
			p->copying = 1;
			/* The segment's earlier rows (a layout came while
			   no COPY was open) go first. */
			p->sent = 0;
		}
		if (res == PGC_FATAL)
			return lost_or_fatal(t, res);
		if (res != PGC_OK)
			p->dirty = 1;
	}
	if (p->copying && s->text.n - p->sent >= 1 << 16) {
		if (pgc_copy_send(&p->c, s->text.p + p->sent, s->text.n -
		    p->sent) != PGC_OK) {
			p->copying = 0;
			p->dirty = 1;
		}
		p->sent = s->text.n;
	}
	if (t->mode == M_REPLACE && ++p->nrows >= t->batch_rows)
		return flush_replace(t) < 0 ? -1 : 0;
	return 0;
}

/* Rows [lo, hi) of s that were not rejected, sent as one COPY. */
static enum pgc_res
send_range(struct sink *t, struct seg *s, size_t lo, size_t hi)
{
	enum pgc_res res = copy_start(t, s);

	for (size_t i = lo; i < hi && res == PGC_OK; i++) {
		size_t end = i + 1 < s->rows ? s->at[i + 1] : s->text.n;

		if (!s->gone[i])
			res = pgc_copy_send(&P(t)->c, s->text.p + s->at[i],
			    end - s->at[i]);
	}
	if (res == PGC_OK)
		return copy_end(t, s);
	return res;
}

/* The row the server refused, rejected: its columns' values as they
   were sent, its place as it came. */
static void
reject_row(struct sink *t, struct seg *s, size_t i, const char *rule)
{
	struct pg *p = P(t);
	size_t end = i + 1 < s->rows ? s->at[i + 1] : s->text.n;
	struct pgrow_shape sh = shape(p, s);
	struct rec r;

	rec_init(&r);
	pgrow_get(t, &sh, s->text.p + s->at[i], end - s->at[i], &r);
	r.src = s->src[i];
	r.line = s->line[i];
	snprintf(t->msg, sizeof t->msg, "%s", p->c.lastmsg ? p->c.lastmsg :
	    "refused by the server");
	table_reject(t, &r, rule);
	rec_free(&r);
	s->gone[i] = 1;
}

/* Rows [lo, hi) under a savepoint: whole, or in halves down to the rows
   the server refuses, which are rejected.  PGC_OK, PGC_LOST or
   PGC_FATAL. */
static enum pgc_res
careful(struct sink *t, struct seg *s, size_t lo, size_t hi)
{
	struct pg *p = P(t);
	enum pgc_res res;
	size_t live = 0;

	for (size_t i = lo; i < hi; i++)
		live += !s->gone[i];
	if (live == 0)
		return PGC_OK;
	/* The stage is made outside the savepoint, so a rollback to it
	   does not take the stage away. */
	if (p->staged && (res = stage(t)) != PGC_OK)
		return res;
	if ((res = pgc_do(&p->c, "SAVEPOINT sluice_rows")) != PGC_OK)
		return res;
	res = send_range(t, s, lo, hi);
	if (res == PGC_OK)
		return pgc_do(&p->c, "RELEASE SAVEPOINT sluice_rows");
	if (res != PGC_DATA)
		return res;
	if ((res = pgc_do(&p->c, "ROLLBACK TO SAVEPOINT sluice_rows")) !=
	    PGC_OK)
		return res;
	/* The rollback took the stage's rows, not the stage. */
	if ((res = pgc_do(&p->c, "RELEASE SAVEPOINT sluice_rows")) != PGC_OK)
		return res;
	if (live == 1) {
		size_t i = lo;

		while (s->gone[i])
			i++;
		reject_row(t, s, i, strncmp(p->c.lastcode, "23",
		    2) == 0 ? "constraint" : "type");
		return PGC_OK;
	}
	if ((res = careful(t, s, lo, lo + (hi - lo) / 2)) != PGC_OK)
		return res;
	return careful(t, s, lo + (hi - lo) / 2, hi);
}

static long long
batch_rows(const struct pg *p)
{
	long long n = 0;

	for (size_t i = 0; i < p->nsegs; i++)
		for (size_t j = 0; j < p->segs[i].rows; j++)
			n += !p->segs[i].gone[j];
	return n;
}

static int reconnect(struct sink *t, double deadline);

/*
 * Did the batch whose COMMIT went unanswered commit: 1, 0 (send it
 * again), 2 or -1 (cannot tell)?  The server's word first, then, since
 * a crashed server may have given the batch's transaction id to another
 * since, the rows: an append is committed when the table holds as many
 * rows of that id (xmin, its low 32 bits; the table read once for such
 * a loss) as the batch has; a batch through the stage is sent again,
 * which lands its rows once whatever happened (an upsert, or a keyed
 * append, of the same rows).
 */
static int
batch_committed(struct sink *t, double deadline)
{
	struct pg *p = P(t);
	char low[16];
	const char *param = low;
	PGresult *r = NULL;
	int dc = pgc_committed(&p->c, p->xid, deadline);

	if (dc != 1)
		return dc;
	if (p->staged)
		return 0;
	snprintf(low, sizeof low, "%llu",
	    strtoull(p->xid, NULL, 10) & 0xffffffffULL);
	t->sql.n = 0;
	buf_adds(&t->sql, "SELECT count(*) FROM ");
	buf_sql_ident(&t->sql, t->name);
	buf_adds(&t->sql, " WHERE xmin = $1::xid");
	if (pgc_run(&p->c, buf_cstr(&t->sql), 1, &param, &r) != PGC_OK)
		return -1;
	dc = strtoll(PQgetvalue(r, 0, 0), NULL, 10) == batch_rows(p);
	PQclear(r);
	return dc;
}

/* The batch's transaction (or, replacing, its savepoint) begins. */
static int
begin_batch(struct sink *t)
{
	struct pg *p = P(t);
	PGresult *r = NULL;

	if (p->tx_open) {
		if (pgc_do(&p->c, "SAVEPOINT sluice_batch") != PGC_OK)
			return -1;
		p->in_tx = 1;
		return 0;
	}
	/* Its id: if the COMMIT goes unanswered, the server can say. */
	if (pgc_do(&p->c, "BEGIN") != PGC_OK ||
	    pgc_run(&p->c, "SELECT txid_current()", 0, NULL, &r) != PGC_OK)
		return -1;
	snprintf(p->xid, sizeof p->xid, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	p->in_tx = 1;
	return 0;
}

static void
abort_batch(struct pg *p)
{
	if (!p->in_tx)
		return;
	p->in_tx = 0;
	p->copying = 0;
	if (!pgc_up(&p->c))
		return;
	/* A COPY still open ends first. */
	pgc_copy_abandon(&p->c);
	if (p->tx_open) {
		pgc_do(&p->c, "ROLLBACK TO SAVEPOINT sluice_batch");
		pgc_do(&p->c, "RELEASE SAVEPOINT sluice_batch");
	} else {
		pgc_do(&p->c, "ROLLBACK");
	}
	/* The stage may have been made in what was rolled back. */
	p->stage_cols = 0;
}

/* One try at landing the batch: PGC_OK (landed), PGC_LOST, or PGC_FATAL. */
static enum pgc_res
try_batch(struct sink *t, int *committed_unsure)
{
	struct pg *p = P(t);
	enum pgc_res res = PGC_OK;

	*committed_unsure = 0;
	if (!p->dirty && p->copying) {
		if (finish_copy(t) < 0)
			return PGC_FATAL;
	}
	if (p->dirty || !p->in_tx) {
		/* Again from the start, each segment with care. */
		abort_batch(p);
		if (!pgc_up(&p->c))
			return PGC_LOST;
		if (begin_batch(t) < 0)
			return !pgc_up(&p->c) ? PGC_LOST : PGC_FATAL;
		for (size_t i = 0; i < p->nsegs && res == PGC_OK; i++)
			res = careful(t, &p->segs[i], 0, p->segs[i].rows);
		if (res != PGC_OK)
			return res;
	}
	if (p->tx_open) {
		res = pgc_do(&p->c, "RELEASE SAVEPOINT sluice_batch");
		p->in_tx = 0;
		return res;
	}
	res = pgc_do(&p->c, "COMMIT");
	p->in_tx = 0;
	if (res == PGC_LOST)
		*committed_unsure = 1;
	return res;
}

/* Land the batch, trying again on a new connection when the server is
   lost, until --retry runs out.  The rows landed, or -1. */
static long long
land_batch(struct sink *t)
{
	struct pg *p = P(t);
	double deadline = 0;
	int unsure, told = 0;

	if (p->nsegs == 0)
		return 0;
	for (;;) {
		enum pgc_res res = try_batch(t, &unsure);
		int dc;

		if (res == PGC_OK)
			break;
		if (res == PGC_FATAL) {
			abort_batch(p);
			return failed(t, "writing");
		}
		if (p->tx_open) {
			/* The run's transaction is gone with its rows. */
			p->in_tx = 0;
			return failed(t, "the connection was lost");
		}
		if (deadline == 0)
			deadline = now_seconds() + p->retry;
		if (!told++)
			diag("%s: %s; trying again for up to %gs", p->c.where,
			    p->c.lastmsg ? p->c.lastmsg : "connection lost",
			    p->retry);
		p->in_tx = 0;
		p->copying = 0;
		p->dirty = 1;
		if (reconnect(t, deadline) < 0)
			return -1;
		if (unsure && (dc = batch_committed(t, deadline)) != 0) {
			if (dc != 1)
				return failed(t, "asking whether the batch "
				    "committed");
			break;
		}
	}
	if (told)
		diag("%s: the batch landed on a new connection", p->c.where);
	{
		long long n = batch_rows(p);

		batch_clear(p);
		return n;
	}
}

static int
flush_replace(struct sink *t)
{
	long long n = land_batch(t);

	if (n < 0)
		return -1;
	P(t)->landed += n;
	return 0;
}

static long long
pg_commit(struct sink *t, int last)
{
	struct pg *p = P(t);
	long long n;

	if (!p->tx_open)
		return land_batch(t);
	if (flush_replace(t) < 0)
		return -1;
	if (!last)
		return 0;
	if (must(t, "COMMIT", "committing") < 0)
		return -1;
	p->tx_open = 0;
	n = p->landed;
	p->landed = 0;
	return n;
}

static void
pg_rollback(struct sink *t)
{
	struct pg *p = P(t);

	abort_batch(p);
	if (p->tx_open && pgc_up(&p->c))
		pgc_do(&p->c, "ROLLBACK");
	p->tx_open = 0;
	batch_clear(p);
}

/* --mode replace: the run is one transaction; the old rows go in it. */
static int
pg_clear(struct sink *t)
{
	struct pg *p = P(t);

	if (must(t, "BEGIN", "beginning") < 0)
		return -1;
	p->tx_open = 1;
	if (!t->exists)
		return 0;
	t->sql.n = 0;
	buf_adds(&t->sql, "DELETE FROM ");
	buf_sql_ident(&t->sql, t->name);
	return must(t, buf_cstr(&t->sql), "clearing the table");
}

/* A new connection, tried until the deadline: 0, or -1.  Its session
   has no stage. */
static int
reconnect(struct sink *t, double deadline)
{
	if (pgc_reconnect(&P(t)->c, t->target, deadline) < 0)
		return -1;
	P(t)->stage_cols = 0;
	return 0;
}

static int
pg_open(struct sink *t)
{
	struct pg *p = ecalloc(1, sizeof *p);

	p->retry = P(t) ? P(t)->retry : 30;
	free(t->db);
	t->db = p;
	p->staged = t->nkeys > 0;
	if (pgc_connect(&p->c, t->target) < 0) {
		failed(t, NULL);
		return -1;
	}
	return 0;
}

static void
pg_close(struct sink *t)
{
	struct pg *p = P(t);

	if (p == NULL)
		return;
	batch_clear(p);
	seg_free(&p->spare);
	free(p->wire);
	for (size_t i = 0; i < p->nsrcs; i++)
		free(p->srcs[i]);
	free(p->srcs);
	pgc_close(&p->c);
	free(p);
	t->db = NULL;
}

static int
pg_take(struct sink *t, int c, const char *arg)
{
	if (c != OPT_RETRY)
		return -1;
	/* Before the connection: a struct to keep the option in. */
	if (t->db == NULL)
		t->db = ecalloc(1, sizeof(struct pg));
	P(t)->retry = (double)opt_duration("--retry", arg, "s", 0) / 1e6;
	return 0;
}

static const struct option longopts[] = {
	{ "retry", required_argument, NULL, OPT_RETRY },
	{ NULL, 0, NULL, 0 }
};

/* The program, which table_main.c's main() runs. */
const struct dialect table_dialect = {
	.prog = &prog, .db_name = "PostgreSQL",
	.longopts = longopts, .take = pg_take,
	.open = pg_open, .close = pg_close,
	.read = pg_read, .create = pg_create,
	.key_index = pg_key_index, .add_column = pg_add_column,
	.layout = pg_layout, .put = pg_put, .commit = pg_commit,
	.rollback = pg_rollback, .clear = pg_clear,
};
