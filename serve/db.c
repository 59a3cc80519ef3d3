/*
 * db.c - the warehouse's handle, whichever database it is: which one a
 * SLUICE_DB names, and rows kept as strings.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "dbimpl.h"
#include "sluice.h"

int
db_is_conninfo(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0 ||
	    strncmp(where, "postgres://", 11) == 0 || strchr(where, '=') != NULL;
}

struct db *
db_open(const char *where, int writable, char *err, size_t size)
{
	struct db *db = ecalloc(1, sizeof *db);

	db->be = db_is_conninfo(where) ? &db_pg : &db_sqlite;
	if (db->be->open(db, where, writable, err, size) < 0) {
		db_close(db);
		return NULL;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->h != NULL)
		db->be->close(db);
	free(db);
}

int
db_is_pg(const struct db *db)
{
	return db->be->pg;
}

const struct dialect *
db_sql(const struct db *db)
{
	return db->be->sql;
}

const char *
db_where(const struct db *db)
{
	return db->where;
}

int
db_query(struct db *db, const char *sql, const char *const *params,
    size_t nparams, struct rows *out)
{
	memset(out, 0, sizeof *out);
	return db->be->query(db, sql, params, nparams, out);
}

int
db_exec(struct db *db, const char *script)
{
	return db->be->exec(db, script);
}

const char *
db_error(const struct db *db)
{
	return db->err;
}

void
rows_names(struct rows *r, size_t ncols)
{
	r->ncols = ncols;
	r->names = ecalloc(ncols + 1, sizeof *r->names);
}

size_t
rows_add(struct rows *r)
{
	size_t w = r->ncols ? r->ncols : 1;

	if (r->nrows == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->cell = erealloc(r->cell, r->cap * w * sizeof *r->cell);
		r->type = erealloc(r->type, r->cap * w);
	}
	return r->nrows++;
}

void
rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->cell[i]);
	for (size_t c = 0; c < r->ncols && r->names; c++)
		free(r->names[c]);
	free(r->cell);
	free(r->type);
	free(r->names);
	memset(r, 0, sizeof *r);
}

const char *
db_versions(void)
{
	static char v[96];
	int n = PQlibVersion();

	snprintf(v, sizeof v, "sqlite %s, libpq %d.%d", sqlite3_libversion(),
	    n / 10000, n % 10000);
	return v;
}
