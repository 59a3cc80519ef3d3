/*
 * data.c - the warehouse, read-only, through db.h: queries with bound
 * parameters (no user text ever reaches SQL), rows kept as strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"

int query_errors;

int
query(struct db *db, const char *sql, const char *const *params,
    size_t nparams, struct rows *out)
{
	if (db_query(db, sql, params, nparams, out) < 0) {
		query_errors++;
		return -1;
	}
	return 0;
}

const char *
cell(const struct rows *r, size_t row, size_t col)
{
	if (row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cell[row * r->ncols + col];
}

double
cell_num(const struct rows *r, size_t row, size_t col)
{
	return cell_is_num(r, row, col) ? strtod(cell(r, row, col), NULL) : 0;
}

int
cell_is_num(const struct rows *r, size_t row, size_t col)
{
	int t;

	if (row >= r->nrows || col >= r->ncols || cell(r, row, col) == NULL)
		return 0;
	t = r->type[row * r->ncols + col];
	return t == DB_INT || t == DB_REAL;
}

int
col_index(const struct rows *r, const char *name)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->names[c], name) == 0)
			return (int)c;
	return -1;
}

json_t *
cell_json(const struct rows *r, size_t row, size_t col)
{
	const char *s = cell(r, row, col);

	if (s == NULL)
		return json_null();
	if (r->type[row * r->ncols + col] == DB_INT)
		return json_integer((json_int_t)strtoll(s, NULL, 10));
	if (r->type[row * r->ncols + col] == DB_REAL)
		return json_real(strtod(s, NULL));
	return json_string(s);
}

int
table_columns(struct db *db, const char *table, struct rows *cols)
{
	const char *p[] = { table };

	if (query(db, db_sql(db)->columns, p, 1, cols) < 0)
		return 0;
	return cols->nrows > 0;
}

void
sql_number(struct buf *q, const struct rows *cols, const char *name)
{
	const char *native = NULL;

	for (size_t i = 0; i < cols->nrows; i++)
		if (strcmp(cell(cols, i, 0), name) == 0)
			native = cell(cols, i, 2);
	if (native != NULL && strcmp(native, "boolean") == 0) {
		buf_adds(q, "CAST(");
		sql_ident(q, name);
		buf_adds(q, " AS INTEGER)");
	} else {
		sql_ident(q, name);
	}
}

const char *
column_named(const struct rows *cols, const char *prefix, const char *name)
{
	char b[256];

	if (name == NULL)
		return NULL;
	snprintf(b, sizeof b, "%s%s", prefix, name);
	for (size_t i = 0; i < cols->nrows; i++)
		if (strcmp(cell(cols, i, 0), b) == 0)
			return cell(cols, i, 0);
	return NULL;
}

int
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
str_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}
