/*
 * view.c - what the views share: tiles kept for the JSON as they are
 * shown, tables with their columns named in words and their numbers
 * formatted, JSON answers with numbers as numbers, "no data yet".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "page.h"

/* Names that read better said otherwise. */
static const char *const said[][2] = {
	{ "record_count", "records" },
	{ "total_transactions", "transactions" },
	{ "total_revenue", "revenue" },
	{ "unique_customers", "active customers" },
	{ "avg_transaction_value", "average transaction" },
	{ "events_in", "events in" },
	{ "events_per_sec", "events a second" },
	{ "late_events", "late events" },
	{ "latency_ms", "latency (ms)" },
	{ "validity_pct", "validity" },
	{ "min_valid_pct", "validity floor" },
	{ "latency_p50_ms", "latency p50 (ms)" },
	{ "latency_p99_ms", "latency p99 (ms)" },
	{ "in", "records in" },
	{ "out", "valid" },
};

void
words(char *buf, size_t size, const char *name)
{
	static const char *const pre[][2] = {
		{ "sum_", "total " }, { "avg_", "average " },
		{ "min_", "lowest " }, { "max_", "highest " },
		{ "approx_distinct_", "distinct " }, { "distinct_", "distinct " },
		{ "count_true_", "count " }, { "rate_true_", "rate " },
		{ "rate_", "rate " },
	};
	const char *rest = name, *lead = "";
	size_t k = 0;

	for (size_t i = 0; i < sizeof said / sizeof *said; i++)
		if (strcmp(name, said[i][0]) == 0) {
			snprintf(buf, size, "%s", said[i][1]);
			return;
		}
	for (size_t i = 0; i < sizeof pre / sizeof *pre; i++)
		if (str_starts(name, pre[i][0]) && name[strlen(pre[i][0])]) {
			lead = pre[i][1];
			rest = name + strlen(pre[i][0]);
			break;
		}
	k = (size_t)snprintf(buf, size, "%s", lead);
	for (; *rest && k + 1 < size; rest++)
		buf[k++] = *rest == '_' ? ' ' : *rest;
	buf[k < size ? k : size - 1] = '\0';
	if (str_ends(buf, " pct") && k >= 4)
		buf[k - 4] = '\0';
}

static int
is_rate(const char *name)
{
	return str_starts(name, "rate_");
}

static int
is_pct(const char *name)
{
	return str_ends(name, "_pct") || str_ends(name, "percent");
}

void
fmt_value(char *buf, size_t size, const char *name, double v, int isint)
{
	if (!isfinite(v))
		snprintf(buf, size, "-");
	else if (is_rate(name))
		snprintf(buf, size, "%.2f%%", v * 100);
	else if (is_pct(name))
		snprintf(buf, size, "%.2f%%", v);
	else if (isint)
		fmt_amount(buf, size, v, 0);
	else if (str_ends(name, "_ms") || str_ends(name, "_s") || strcmp(name,
	    "seconds") == 0 || str_ends(name, "_per_sec"))
		fmt_amount(buf, size, v, 1);
	else
		fmt_amount(buf, size, v, 2);
}

void
view_begin(struct ctx *c)
{
	struct buf u = { 0 };

	if (c->rq.json)
		return;
	buf_printf(&u, "?view=%s", c->rq.view);
	if (c->rq.table[0])
		buf_printf(&u, "&table=%s", c->rq.table);
	buf_adds(&u, "&format=json");
	header(c->o, "200 OK", 0);
	page_begin(c->o, c->title, c->rq.refresh, c->rq.view, buf_cstr(&u));
	out_puts(c->o, "<div class=\"tiles\">");
	buf_free(&u);
}

void
tile(struct ctx *c, const char *key, const char *label, json_t *value,
    const char *text, const char *cls)
{
	if (c->tiles == NULL)
		c->tiles = json_array();
	json_array_append_new(c->tiles, json_pack("{s:s,s:s,s:o,s:s,s:s?}",
	    "key", key, "label", label, "value", value ? value : json_null(), "text",
	    text, "status", cls));
	if (c->rq.json)
		return;
	out_puts(c->o, "<div class=\"tile\"><span>");
	html_text(c->o, label);
	out_puts(c->o, "</span><b id=\"tile-");
	html_text(c->o, key);
	out_puts(c->o, "\"");
	if (cls != NULL) {
		out_puts(c->o, " class=\"");
		html_text(c->o, cls);
		out_puts(c->o, "\"");
	}
	out_puts(c->o, ">");
	html_text(c->o, text);
	out_puts(c->o, "</b></div>");
}

void
tiles_end(struct ctx *c)
{
	if (!c->rq.json)
		out_puts(c->o, "</div>\n");
}

void
rows_table(struct ctx *c, const char *id, const char *title,
    const struct rows *r)
{
	struct out *o = c->o;
	char w[128];
	int *numeric = ecalloc(r->ncols + 1, sizeof *numeric);

	/* A column is numbers when every value in it is one. */
	for (size_t k = 0; k < r->ncols; k++) {
		numeric[k] = r->nrows > 0;
		for (size_t i = 0; i < r->nrows; i++)
			if (cell(r, i, k) != NULL && !cell_is_num(r, i, k))
				numeric[k] = 0;
	}
	out_puts(o, "<div class=\"card\" data-live id=\"");
	html_text(o, id);
	out_puts(o, "\"><h3>");
	html_text(o, title);
	if (r->nrows == 0) {
		out_puts(o, "</h3><p>None.</p></div>\n");
		free(numeric);
		return;
	}
	out_puts(o, "</h3><div class=\"scroll\"><table><tr>");
	for (size_t k = 0; k < r->ncols; k++) {
		words(w, sizeof w, r->names[k]);
		out_puts(o, numeric[k] ? "<th class=\"n\">" : "<th>");
		html_text(o, w);
		out_puts(o, "</th>");
	}
	out_puts(o, "</tr>");
	for (size_t i = 0; i < r->nrows; i++) {
		out_puts(o, "<tr>");
		for (size_t k = 0; k < r->ncols; k++) {
			const char *s = cell(r, i, k);

			if (cell_is_num(r, i, k)) {
				char v[64];

				fmt_value(v, sizeof v, r->names[k], cell_num(r, i,
				    k), r->type[i * r->ncols + k] ==
				    DB_INT);
				out_puts(o, "<td class=\"n\">");
				out_puts(o, v);
			} else {
				out_puts(o, s != NULL && strlen(s) > 60 ?
				    "<td class=\"w\">" : "<td>");
				html_text(o, s ? s : "");
			}
			out_puts(o, "</td>");
		}
		out_puts(o, "</tr>");
	}
	out_puts(o, "</table></div></div>\n");
	free(numeric);
}

json_t *
rows_json(const struct rows *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nrows; i++) {
		json_t *row = json_object();

		for (size_t c = 0; c < r->ncols; c++)
			json_object_set_new(row, r->names[c], cell_json(r, i, c));
		json_array_append_new(a, row);
	}
	return a;
}

void
send_json(struct ctx *c, json_t *j)
{
	char *s = NULL;

	if (j != NULL)
		json_object_set(j, "tiles", c->tiles ? c->tiles :
		    json_array());
	s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
	if (s == NULL) {
		/* jansson refuses text that is not UTF-8 (in the data, or
		   SLUICE_CURRENCY): say so, do not crash. */
		header(c->o, "500 Internal Server Error", 1);
		out_puts(c->o, "{\"status\":\"ERROR\",\"message\":\"the data "
		    "is not valid UTF-8\"}\n");
		c->failed = 1;
		json_decref(j);
		return;
	}
	header(c->o, "200 OK", 1);
	out_puts(c->o, s);
	out_putc(c->o, '\n');
	free(s);
	json_decref(j);
}

void
no_data(struct ctx *c, const char *what)
{
	view_begin(c);
	tile(c, "status", "status", json_string("NO_DATA"), "NO_DATA",
	    "NO_DATA");
	tiles_end(c);
	if (c->rq.json) {
		send_json(c, json_pack("{s:s,s:s,s:s}", "view", c->rq.view,
		    "status", "NO_DATA", "message", what));
		return;
	}
	out_puts(c->o, "<div class=\"card\" id=\"nodata\"><h2>No data yet</h2>"
	    "<p>");
	html_text(c->o, what);
	out_puts(c->o, "</p></div>");
	page_end(c->o);
}
