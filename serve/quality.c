/*
 * quality.c - the quality view: data_quality_metrics (a row a batch, as
 * the ingest job and the batch pipeline write them) and the dead
 * letters (dead_letter_events, else the batch pipeline's dead_letter):
 * the status (the latest batch's health; NO_DATA when no batch came in
 * the last SLUICE_NO_DATA_AFTER seconds), validity per batch, dead
 * letters by rule and by field with an example of each, the latest
 * alerts, duplicates dropped and records migrated from older versions.
 *
 * Big warehouses: the totals come from the metrics rows (a row a
 * batch); the counts by rule and by version from the rules and versions
 * of the latest 1,000 batches (their JSON parsed: 10,000 batches would
 * take SQLite some 100 ms); the dead letters themselves are read only for
 * the latest 1,000 (by field, examples), newest first by rowid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page.h"

enum { BATCHES = 100, RECENT = 1000, RULE_BATCHES = 1000 };

static const char *
pcol(const struct rows *cols, const char *name)
{
	return column_named(cols, "", name);
}

/* Seconds since the time ts (ISO 8601), or -1 when it is not one. */
static double
age(const char *ts)
{
	int64_t us;

	if (ts == NULL || ts_parse(ts, strlen(ts), &us) != 0)
		return -1;
	return (double)time(NULL) - (double)us / 1e6;
}

/*
 * The JSON the dialects read: SQLite's json_each over text that is
 * JSON; PostgreSQL's jsonb functions over a jsonb, json or text column
 * (text that is not JSON fails the query there: PostgreSQL 15 cannot
 * test it first, so only a text that does not start like an object or
 * an array is passed over).
 */
#define PG_JSON(col, open) "CASE WHEN CAST(" col " AS text) ~ " \
	"'^[[:space:]]*[" open "]' THEN CAST(" col " AS jsonb) END"

/* Append to q the order of writing of data_quality_metrics' rows. */
static void
rowid(struct ctx *c, const char *alias)
{
	db_sql(c->db)->rowid(&c->sql, alias);
}

/*
 * The records by key of the JSON objects in column col ({key: records})
 * over the latest batches, as rows (what, records); tail filters and
 * orders them.
 */
static void
totals_by_key(struct ctx *c, const char *col, const char *what,
    const char *tail, struct rows *out)
{
	struct buf *q = &c->sql;

	q->n = 0;
	buf_printf(q, "SELECT * FROM (SELECT e.key AS %s, ", what);
	buf_adds(q, db_is_pg(c->db) ? "sum(CAST(e.value #>> '{}' AS numeric))" :
	    "sum(e.value)");
	buf_printf(q, " AS records FROM (SELECT %s AS j FROM "
	    "data_quality_metrics ORDER BY ", col);
	rowid(c, "");
	buf_printf(q, " DESC LIMIT %d) AS m, ", RULE_BATCHES);
	buf_adds(q, db_is_pg(c->db) ? "jsonb_each(" PG_JSON("m.j", "{") ")" :
	    "json_each(CASE WHEN json_valid(m.j) THEN m.j END)");
	buf_printf(q, " AS e GROUP BY 1) AS t %s", tail);
	query(c->db, buf_cstr(q), NULL, 0, out);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the items of a comma-separated list s in place (s may be
   NULL). */
static void
sort_list(char *s)
{
	char *copy, **item;
	size_t n = 1, k = 0;

	if (s == NULL)
		return;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	copy = estrdup(s);
	item = ecalloc(n, sizeof *item);
	for (char *p = copy, *e; p != NULL; p = e) {
		if ((e = strchr(p, ',')) != NULL)
			*e++ = '\0';
		item[k++] = p;
	}
	qsort(item, n, sizeof *item, cmp_str);
	*s = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(s, item[i]);
		if (i + 1 < n)
			strcat(s, ",");
	}
	free(item);
	free(copy);
}

void
view_quality(struct ctx *c)
{
	struct rows cols = { 0 }, dl = { 0 }, tot = { 0 }, batches = { 0 },
	    rules = { 0 }, fields = { 0 }, vers = { 0 }, alerts = { 0 },
	    examples = { 0 }, latest = { 0 };
	struct buf *q = &c->sql;
	const char *dead = NULL, *status, *after = getenv("SLUICE_NO_DATA_AFTER");
	double quiet = after && *after ? strtod(after, NULL) : 300, a;
	double migrated = 0;
	long long newest = -1;
	char v[96], t[256], span[64];
	const char *source;
	int many;

	if (!table_columns(c->db, "data_quality_metrics", &cols)) {
		rows_free(&cols);
		no_data(c, "The warehouse has no data quality metrics (table "
		    "data_quality_metrics) yet: run the ingest job or the "
		    "batch pipeline.");
		return;
	}
	if (table_columns(c->db, "dead_letter_events", &dl))
		dead = "dead_letter_events";
	else if (rows_free(&dl), table_columns(c->db, "dead_letter", &dl))
		dead = "dead_letter";
	/* Where a batch came from: its file, else its inputs, else its run. */
	source = pcol(&cols, "source_file") ? "source_file" : pcol(&cols,
	    "inputs") ? "inputs" : pcol(&cols, "run") ? "run" : NULL;
	q->n = 0;
	buf_adds(q, "SELECT count(*), sum(\"in\"), sum(out), sum(rejected), "
	    "sum(duplicates), max(");
	rowid(c, "");
	buf_adds(q, ") FROM data_quality_metrics");
	query(c->db, buf_cstr(q), NULL, 0, &tot);
	if (tot.nrows == 0 || cell_num(&tot, 0, 0) == 0) {
		rows_free(&cols);
		rows_free(&dl);
		rows_free(&tot);
		no_data(c, "data_quality_metrics is empty: no batch has come "
		    "in yet.");
		return;
	}
	q->n = 0;
	buf_printf(q, "SELECT time, %s AS health, validity_pct, \"in\", out, "
	    "rejected, duplicates, %s AS source%s FROM data_quality_metrics "
	    "ORDER BY ", pcol(&cols, "health") ? "health" : "status", source ?
	    source : "NULL", pcol(&cols, "latency_ms") ? ", latency_ms" : "");
	rowid(c, "");
	buf_adds(q, " DESC LIMIT 1");
	query(c->db, buf_cstr(q), NULL, 0, &latest);
	q->n = 0;
	buf_adds(q, "SELECT * FROM (SELECT ");
	rowid(c, "");
	buf_printf(q, " AS line, time, validity_pct, %s FROM "
	    "data_quality_metrics ORDER BY 1 DESC LIMIT %d) AS b ORDER BY 1",
	    pcol(&cols, "min_valid_pct") ? "min_valid_pct" : "NULL", BATCHES);
	query(c->db, buf_cstr(q), NULL, 0, &batches);
	if (pcol(&cols, "rules"))
		totals_by_key(c, "rules", "rule", "WHERE records > 0 ORDER BY "
		    "2 DESC, 1", &rules);
	/* The versions by number, then the others by name. */
	if (pcol(&cols, "versions"))
		totals_by_key(c, "versions", "version", db_is_pg(c->db) ?
		    "ORDER BY (version ~ '^[0-9]') DESC, CAST(substring(version "
		    "FROM '^[0-9]+') AS numeric), version" : "ORDER BY (version "
		    "GLOB '[0-9]*') DESC, CAST(version AS INTEGER), version",
		    &vers);
	many = cell_num(&tot, 0, 0) > RULE_BATCHES;
	snprintf(span, sizeof span, many ? "the latest %d batches" :
	    "all batches", RULE_BATCHES);
	if (pcol(&cols, "alerts")) {
		/* The latest batches' alerts: texts, or objects with a
		   message. */
		q->n = 0;
		buf_printf(q, "SELECT m.time, %s AS source, ", source ? source :
		    "NULL");
		buf_adds(q, db_is_pg(c->db) ? "CASE jsonb_typeof(e.value) WHEN "
		    "'string' THEN e.value #>> '{}' ELSE coalesce(e.value ->> "
		    "'message', CAST(e.value AS text)) END" : "CASE e.type WHEN "
		    "'text' THEN e.value ELSE coalesce(json_extract(e.value, "
		    "'$.message'), e.value) END");
		buf_adds(q, " AS alert FROM (SELECT *, ");
		rowid(c, "");
		buf_adds(q, " AS line FROM data_quality_metrics ORDER BY ");
		rowid(c, "");
		buf_adds(q, " DESC LIMIT 200) AS m, ");
		buf_adds(q, db_is_pg(c->db) ? "jsonb_array_elements(" PG_JSON(
		    "m.alerts", "[") ") WITH ORDINALITY AS e(value, id)" :
		    "json_each(CASE WHEN json_valid(m.alerts) THEN m.alerts END) "
		    "AS e");
		buf_adds(q, " ORDER BY m.line DESC, e.id LIMIT 10");
		query(c->db, buf_cstr(q), NULL, 0, &alerts);
	}
	if (dead != NULL) {
		/* A dead letter's reasons, e, in the latest dead letters, d;
		   a reason's field, rule and message. */
		int pg = db_is_pg(c->db);
		const char *field = pg ? "e.value ->> 'field'" :
		    "json_extract(e.value, '$.field')";
		const char *rule = pg ? "e.value ->> 'rule'" :
		    "json_extract(e.value, '$.rule')";
		const char *msg = pg ? "e.value ->> 'message'" :
		    "json_extract(e.value, '$.message')";
		struct buf from = { 0 };

		buf_printf(&from, "FROM (SELECT * FROM %s ORDER BY ", dead);
		db_sql(c->db)->rowid(&from, "");
		buf_printf(&from, " DESC LIMIT %d) AS d, %s AS e", RECENT, pg ?
		    "jsonb_array_elements(" PG_JSON("d.errors", "[") ")" :
		    "json_each(CASE WHEN json_valid(d.errors) THEN d.errors END)");
		/* By field, with an example (the rules sorted here: the
		   dialects list them in an order of their own). */
		q->n = 0;
		buf_printf(q, "SELECT coalesce(%s, '(the record)') AS field, "
		    "count(*) AS faults, %s(DISTINCT %s%s) AS rules, "
		    "max(d.source) AS example_at, max(%s) AS example %s GROUP BY "
		    "1 ORDER BY 2 DESC, 1", field, pg ? "string_agg" :
		    "group_concat", rule, pg ? ", ','" : "", msg, buf_cstr(&from));
		query(c->db, buf_cstr(q), NULL, 0, &fields);
		for (size_t i = 0; i < fields.nrows; i++)
			sort_list(fields.cell[i * fields.ncols + 2]);
		/* An example for each rule. */
		q->n = 0;
		buf_printf(q, "SELECT %s AS rule, max(d.source) AS example_at, "
		    "max(%s) AS example %s GROUP BY 1", rule, msg,
		    buf_cstr(&from));
		query(c->db, buf_cstr(q), NULL, 0, &examples);
		buf_free(&from);
	}
	/* The versions: records that came in an older one were migrated. */
	for (size_t i = 0; i < vers.nrows; i++) {
		const char *k = cell(&vers, i, 0);

		if (k && strspn(k, "0123456789") == strlen(k) && *k &&
		    atoll(k) > newest)
			newest = atoll(k);
	}
	for (size_t i = 0; i < vers.nrows; i++) {
		const char *k = cell(&vers, i, 0);

		if (k && strspn(k, "0123456789") == strlen(k) && *k &&
		    atoll(k) < newest)
			migrated += cell_num(&vers, i, 1);
	}
	status = latest.nrows && cell(&latest, 0, 1) ? cell(&latest, 0, 1) :
	    "HEALTHY";
	a = latest.nrows ? age(cell(&latest, 0, 0)) : -1;
	if (a < 0 || a > quiet)
		status = "NO_DATA";

	view_begin(c);
	tile(c, "status", "status", json_string(status), status, status);
	fmt_amount(v, sizeof v, cell_num(&tot, 0, 0), 0);
	tile(c, "batches", "batches", json_integer((json_int_t)cell_num(&tot,
	    0, 0)), v, NULL);
	tile(c, "last_batch", "last batch", latest.nrows ? cell_json(&latest,
	    0, 0) : json_null(), latest.nrows && cell(&latest, 0, 0) ?
	    cell(&latest, 0, 0) : "-", NULL);
	if (latest.nrows && cell_is_num(&latest, 0, 2)) {
		snprintf(v, sizeof v, "%.2f%%", cell_num(&latest, 0, 2));
		tile(c, "validity", "validity, last batch", cell_json(&latest, 0,
		    2), v, NULL);
	}
	if (cell_num(&tot, 0, 1) > 0) {
		/* As cleanse reckons it: (in - rejected) / in. */
		double p = 100.0 * (cell_num(&tot, 0, 1) - cell_num(&tot, 0, 3)) /
		    cell_num(&tot, 0, 1);

		snprintf(v, sizeof v, "%.2f%%", p);
		tile(c, "validity_all", "validity, all batches", json_real(p), v,
		    NULL);
	}
	fmt_amount(v, sizeof v, cell_num(&tot, 0, 3), 0);
	tile(c, "dead_letters", "dead letters", json_integer((json_int_t)
	    cell_num(&tot, 0, 3)), v, NULL);
	fmt_amount(v, sizeof v, cell_num(&tot, 0, 4), 0);
	tile(c, "duplicates", "duplicates dropped", json_integer((json_int_t)
	    cell_num(&tot, 0, 4)), v, NULL);
	if (vers.nrows) {
		fmt_amount(v, sizeof v, migrated, 0);
		snprintf(t, sizeof t, "migrated from older versions%s", many ?
		    " (latest batches)" : "");
		tile(c, "migrated", t,
		    json_integer((json_int_t)migrated), v, NULL);
	}
	if (rules.nrows) {
		snprintf(t, sizeof t, "top cause%s", many ? " (latest batches)" :
		    "");
		tile(c, "top_rule", t, json_string(cell(&rules, 0, 0)),
		    cell(&rules, 0, 0), NULL);
	}
	if (latest.ncols > 8 && cell_is_num(&latest, 0, 8)) {
		snprintf(v, sizeof v, "%.0f ms", cell_num(&latest, 0, 8));
		tile(c, "latency", "latency, last batch", cell_json(&latest, 0,
		    8), v, NULL);
	}
	tiles_end(c);
	if (c->rq.json) {
		json_t *b = json_array(), *r = json_array(), *j;

		for (size_t i = 0; i < batches.nrows; i++)
			json_array_append_new(b, json_pack("{s:o,s:o,s:o}", "time",
			    cell_json(&batches, i, 1), "validity_pct",
			    cell_json(&batches, i, 2), "min_valid_pct",
			    cell_json(&batches, i, 3)));
		for (size_t i = 0; i < rules.nrows; i++) {
			json_t *o = json_pack("{s:o,s:o}", "rule", cell_json(&rules,
			    i, 0), "records", cell_json(&rules, i, 1));

			for (size_t k = 0; k < examples.nrows; k++)
				if (cell(&examples, k, 0) && cell(&rules, i, 0) &&
				    strcmp(cell(&examples, k, 0), cell(&rules, i,
				    0)) == 0) {
					json_object_set_new(o, "example_at",
					    cell_json(&examples, k, 1));
					json_object_set_new(o, "example",
					    cell_json(&examples, k, 2));
				}
			json_array_append_new(r, o);
		}
		j = json_pack("{s:s,s:s,s:s?,s:i,s:{s:o,s:o,s:o,s:o,s:o,s:I},s:o,"
		    "s:o,s:o,s:o,s:o,s:o}", "view", "quality", "status", status,
		    "dead_letter_table", dead, "counted_batches", many ?
		    RULE_BATCHES : (int)cell_num(&tot, 0, 0), "totals", "batches",
		    cell_json(&tot, 0, 0), "in", cell_json(&tot, 0, 1), "out",
		    cell_json(&tot, 0, 2), "rejected", cell_json(&tot, 0, 3),
		    "duplicates", cell_json(&tot, 0, 4), "migrated",
		    (json_int_t)migrated, "latest", rows_json(&latest),
		    "batches", b, "rules", r, "fields", rows_json(&fields),
		    "versions", rows_json(&vers), "alerts", rows_json(&alerts));
		send_json(c, j);
	} else {
		struct series se[2] = { { "validity", NULL, NULL, NULL, 0 },
			{ "floor", NULL, NULL, NULL, 0 } };
		const char **xs = ecalloc(batches.nrows + 1, sizeof *xs);
		int floor = 0;
		double lo = 100;
		struct rows byrule = { 0 };

		se[0].y = ecalloc(batches.nrows + 1, sizeof *se[0].y);
		se[1].y = ecalloc(batches.nrows + 1, sizeof *se[1].y);
		for (size_t i = 0; i < batches.nrows; i++) {
			xs[i] = cell(&batches, i, 1) ? cell(&batches, i, 1) : "";
			se[0].y[i] = cell_num(&batches, i, 2);
			se[1].y[i] = cell_num(&batches, i, 3);
			floor |= cell_is_num(&batches, i, 3);
			if (se[0].y[i] < lo)
				lo = se[0].y[i];
			if (cell_is_num(&batches, i, 3) && se[1].y[i] < lo)
				lo = se[1].y[i];
		}
		se[0].x = se[1].x = xs;
		se[0].n = se[1].n = batches.nrows;
		out_puts(c->o, "<div class=\"card\" data-live id=\"validity\">");
		snprintf(t, sizeof t, "Validity per batch (%%), the latest %zu",
		    batches.nrows);
		/* Validity near 100: the axis from a little under the
		   lowest, so a dip shows. */
		svg_lines(c->o, t, se, floor ? 2 : 1, batches.nrows, 2, lo > 5 ?
		    lo - 5 : 0);
		out_puts(c->o, "</div>");
		/* By rule: the counts of every batch, an example from the
		   latest dead letters. */
		byrule.ncols = 4;
		byrule.nrows = rules.nrows;
		byrule.names = ecalloc(5, sizeof *byrule.names);
		byrule.names[0] = estrdup("rule");
		byrule.names[1] = estrdup("records");
		byrule.names[2] = estrdup("example at");
		byrule.names[3] = estrdup("example");
		byrule.cell = ecalloc(rules.nrows * 4 + 1, sizeof *byrule.cell);
		byrule.type = ecalloc(rules.nrows * 4 + 1, 1);
		for (size_t i = 0; i < rules.nrows; i++) {
			byrule.cell[i * 4] = cell(&rules, i, 0) ?
			    estrdup(cell(&rules, i, 0)) : NULL;
			byrule.type[i * 4] = DB_TEXT;
			byrule.cell[i * 4 + 1] = cell(&rules, i, 1) ?
			    estrdup(cell(&rules, i, 1)) : NULL;
			byrule.type[i * 4 + 1] = rules.type[i * 2 + 1];
			for (size_t k = 0; k < examples.nrows; k++)
				if (cell(&examples, k, 0) && cell(&rules, i, 0) &&
				    strcmp(cell(&examples, k, 0), cell(&rules, i,
				    0)) == 0) {
					for (int m = 1; m < 3; m++) {
						byrule.cell[i * 4 + 1 + m] =
						    cell(&examples, k, m) ?
						    estrdup(cell(&examples, k, m)) :
						    NULL;
						byrule.type[i * 4 + 1 + m] =
						    DB_TEXT;
					}
				}
		}
		snprintf(t, sizeof t, "Dead letters by rule (%s), with the "
		    "latest example", span);
		rows_table(c, "rules", t, &byrule);
		snprintf(t, sizeof t, "Dead letters by field (the latest "
		    "1,000), with an example");
		rows_table(c, "fields", t, &fields);
		rows_table(c, "alerts", "Latest alerts", &alerts);
		snprintf(t, sizeof t, "Records by schema version (%s)", span);
		rows_table(c, "versions", t, &vers);
		page_end(c->o);
		rows_free(&byrule);
		free(xs);
		free(se[0].y);
		free(se[1].y);
	}
	rows_free(&cols);
	rows_free(&dl);
	rows_free(&tot);
	rows_free(&batches);
	rows_free(&rules);
	rows_free(&fields);
	rows_free(&vers);
	rows_free(&alerts);
	rows_free(&examples);
	rows_free(&latest);
}
