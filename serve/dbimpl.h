/*
 * dbimpl.h - what db.c shares with its two backends, db_sqlite.c and
 * db_pg.c: the handle, and how each opens.
 */
#ifndef SLUICE_DBIMPL_H
#define SLUICE_DBIMPL_H

#include "db.h"

struct db_ops {
	int (*query)(struct db *db, const char *sql, const char *const *params,
	    size_t nparams, struct rows *out);
	int (*exec)(struct db *db, const char *script);
	void (*close)(struct db *db);
};

struct db {
	const struct db_ops *ops;
	const struct dialect *sql;
	int pg;			/* PostgreSQL */
	void *h;		/* the backend's handle: sqlite3 *, PGconn * */
	char where[512];	/* the warehouse in words */
	char err[1024];		/* the last failure */
};

/* Open where; NULL with err said.  The backends' halves of db_open. */
struct db *db_sqlite_open(const char *where, int writable, char *err,
    size_t size);
struct db *db_pg_open(const char *where, int writable, char *err,
    size_t size);

#endif
