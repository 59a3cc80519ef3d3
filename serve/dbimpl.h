/*
 * dbimpl.h - what db.c shares with its two backends, db_sqlite.c and
 * db_pg.c: the handle, and the table each backend is.
 */
#ifndef SLUICE_DBIMPL_H
#define SLUICE_DBIMPL_H

#include "db.h"

/*
 * A backend: its dialect's phrases and its functions, one table each
 * (db_sqlite.c, db_pg.c); db.c makes the handle and picks the table.
 */
struct backend {
	const struct dialect *sql;
	int pg;			/* PostgreSQL */
	/* Reach where, its handle into db->h and its name in words into
	   db->where; -1 with err said (db_close closes what it opened). */
	int (*open)(struct db *db, const char *where, int writable,
	    char *err, size_t size);
	int (*query)(struct db *db, const char *sql, const char *const *params,
	    size_t nparams, struct rows *out);
	int (*exec)(struct db *db, const char *script);
	void (*close)(struct db *db);	/* db->h, not NULL */
};

extern const struct backend db_sqlite, db_pg;

struct db {
	const struct backend *be;
	void *h;		/* the backend's handle: sqlite3 *, PGconn * */
	char where[512];	/* the warehouse in words */
	char err[1024];		/* the last failure */
};

#endif
