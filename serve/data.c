/*
 * data.c - the warehouse, read-only: queries with bound parameters (no
 * user text ever reaches SQL), rows kept as strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"

int query_errors;

int
query(sqlite3 *db, const char *sql, const char *const *params,
    size_t nparams, struct rows *out)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		query_errors++;
		return -1;
	}
	for (size_t i = 0; i < nparams; i++)
		sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC);
	out->ncols = (size_t)sqlite3_column_count(st);
	out->names = ecalloc(out->ncols + 1, sizeof *out->names);
	for (size_t c = 0; c < out->ncols; c++)
		out->names[c] = estrdup(sqlite3_column_name(st, (int)c));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->nrows == cap) {
			cap = cap ? cap * 2 : 16;
			out->cell = erealloc(out->cell, cap * (out->ncols ?
			    out->ncols : 1) * sizeof *out->cell);
			out->type = erealloc(out->type, cap * (out->ncols ?
			    out->ncols : 1));
		}
		for (size_t c = 0; c < out->ncols; c++) {
			/* The type first: asking for text converts. */
			int ty = sqlite3_column_type(st, (int)c);
			const unsigned char *t = sqlite3_column_text(st, (int)c);

			out->type[out->nrows * out->ncols + c] = (unsigned char)ty;

			out->cell[out->nrows * out->ncols + c] = t ?
			    estrdup((const char *)t) : NULL;
		}
		out->nrows++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		query_errors++;
		rows_free(out);
		return -1;
	}
	return 0;
}

void
rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->cell[i]);
	for (size_t c = 0; c < r->ncols; c++)
		free(r->names[c]);
	free(r->cell);
	free(r->type);
	free(r->names);
	memset(r, 0, sizeof *r);
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
	return t == SQLITE_INTEGER || t == SQLITE_FLOAT;
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
	if (r->type[row * r->ncols + col] == SQLITE_INTEGER)
		return json_integer((json_int_t)strtoll(s, NULL, 10));
	if (r->type[row * r->ncols + col] == SQLITE_FLOAT)
		return json_real(strtod(s, NULL));
	return json_string(s);
}

int
table_columns(sqlite3 *db, const char *table, struct rows *cols)
{
	const char *p[] = { table };

	if (query(db, "SELECT name, type FROM pragma_table_info(?)", p, 1,
	    cols) < 0)
		return 0;
	return cols->nrows > 0;
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
