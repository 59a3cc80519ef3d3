/*
 * table.h - what sqlite-sink and pg-sink share: records into a database
 * table made from the schema or the first records, widened when new
 * fields come, rows appended, upserted by a key or replacing the table's,
 * landed in batches by count and by time and whenever the input pauses.
 * table.c keeps all that, and table_main.c is both programs' main(); a
 * dialect (sqlite-sink.c, pg-sink.c) is its program's description and
 * options and its database's types, statements and transport.
 */
#ifndef SLUICE_TABLE_H
#define SLUICE_TABLE_H

#include <getopt.h>

#include "coltype.h"
#include "names.h"
#include "sluice.h"

enum mode { M_APPEND, M_UPSERT, M_REPLACE };

struct tcol {
	char *name;
	enum col_kind kind;	/* how values are converted */
	int scale;		/* K_DECIMAL */
	int json;		/* K_STRING holding JSON (PostgreSQL: jsonb) */
	char *decl;		/* the database's type for it, or NULL */
};

struct sink;

struct dialect {
	const struct program *prog;	/* usage, --help, --version */
	const char *db_name;	/* "SQLite", in messages */
	/* The program's options beyond the shared ones: */
	const struct option *longopts;	/* { 0 }-ended, or NULL */
	const char *shortopts;
	/* Take option c; -1 if it is not the dialect's. */
	int (*take)(struct sink *t, int c, const char *arg);
	int target_required;	/* -D must be given */
	/* Connect to t->target (NULL: -D not given): 0, or -1 (reported). */
	int (*open)(struct sink *t);
	void (*close)(struct sink *t);
	/* The table's columns, added with table_add_col() (t->exists set
	   when there is one): 0, or -1 (reported). */
	int (*read)(struct sink *t);
	/* Make the table of t->cols and its key's unique index: 0, or -1. */
	int (*create)(struct sink *t);
	/* The key's unique index on a table that was there: 0, or -1. */
	int (*key_index)(struct sink *t);
	/* Add column c (the last of t->cols) to the table: 0, or -1. */
	int (*add_column)(struct sink *t, const struct tcol *c);
	/* The next rows have t->slot's columns: 0, or -1. */
	int (*layout)(struct sink *t);
	/* Write r (its fields by t->slot; its key checked): 0, 1 when it was
	   rejected (table_reject), or -1 (failed, reported). */
	int (*put)(struct sink *t, const struct rec *r);
	/* Land the rows put since the last time (last: the end of the
	   input, for --mode replace too): the rows landed, or -1. */
	long long (*commit)(struct sink *t, int last);
	/* Give up what was not landed. */
	void (*rollback)(struct sink *t);
	/* --mode replace: clear the table in the transaction that will land
	   the new rows.  0, or -1. */
	int (*clear)(struct sink *t);
};

struct sink {
	const struct dialect *d;
	void *db;		/* the dialect's */
	const char *target;	/* -D, as the user gave it (messages) */
	const char *name;	/* -T */
	enum mode mode;
	char **keys;		/* --key, or NULL */
	size_t nkeys;
	long long batch_rows;
	double batch_secs;
	const struct schema *sc;
	struct tcol *cols;
	size_t ncols;
	struct names colix;	/* column name -> index in cols */
	int exists;
	size_t max_cols;	/* columns a table may have (set by open) */
	/* The columns of the rows being put: */
	uint64_t layout;
	int *slot;		/* record field -> column, or -1 */
	size_t nslot;
	char *colset;		/* "1,4,5": which columns they are */
	/* Since the last landing: */
	long long tx_rows;
	double tx_start;
	unsigned long long committed;	/* rows landed */
	struct held pending;	/* records held to type a new table */
	struct filter *f;
	char msg[512];
	int failed;
	struct buf sql;		/* scratch for the dialect's statements */
};

enum { OPT_TABLE_NEXT = 0x2000 };	/* the dialect's own options from */

/* --help's lines for the options table.c takes, after -D (which each
   program spells its way). */
#define TABLE_HELP \
	"  -T, --table NAME        the table\n" \
	"      --mode MODE         append (default), upsert (with --key), or\n" \
	"                          replace (the table's rows, in one " \
	"transaction)\n" \
	"      --key F[,F...]      the unique key an upsert replaces by (with\n" \
	"                          append: a row whose key is there is " \
	"skipped)\n" \
	"      --batch-rows N      rows a transaction at most (default 10000)\n" \
	"      --batch-time DUR    a transaction's age at most (default " \
	"100ms)\n"

/* The program's dialect: sqlite-sink.c and pg-sink.c each define it,
   and table_main.c's main() runs it. */
extern const struct dialect table_dialect;

/* Run the program: options, the records, the summary.  The exit status. */
int table_main(int argc, char **argv, const struct dialect *d);

void table_add_col(struct sink *t, const char *name, enum col_kind kind,
    int scale, int json, const char *decl);

/* Reject r with a rule and t->msg. */
void table_reject(struct sink *t, const struct rec *r, const char *rule);

/* Is c one of the key's columns? */
int table_is_key(const struct sink *t, const char *col);

/* The statements both dialects spell alike, onto b (emptied first):
   CREATE UNIQUE INDEX IF NOT EXISTS "NAME_key" ON NAME (keys);
   CREATE TABLE IF NOT EXISTS NAME (column type, ...), type(c, tb) a
   column's type in the dialect (tb: room for it); ALTER TABLE NAME ADD
   COLUMN [IF NOT EXISTS] column type. */
typedef const char *table_type_fn(const struct tcol *c, char tb[32]);
void table_key_index_sql(struct sink *t, struct buf *b);
void table_create_sql(struct sink *t, struct buf *b, table_type_fn *type);
void table_add_column_sql(struct sink *t, struct buf *b,
    const struct tcol *c, table_type_fn *type, int if_not_exists);

/* The ON CONFLICT (keys) DO UPDATE SET ... / DO NOTHING tail of an
   upsert of these columns (indexes into t->cols), which both dialects
   spell alike; with t->mode append, DO NOTHING (a keyed append keeps
   the first row of a key). */
void table_on_conflict(struct sink *t, struct buf *b, const int *cols,
    size_t n);

#endif
