/*
 * metrics.c - what a cleanse run did, for people and for the warehouse:
 * warnings on stderr when one rule rejects too much, and with --metrics
 * one JSON object appended to a file (the warehouse's data_quality_metrics):
 * the counts, the records each rule rejected, records per version,
 * validity and a status, HEALTHY, DEGRADED or NO_DATA.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanse.h"

/* Percent of whole, 0 when there is no whole. */
static double
pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* Rounded to hundredths, so 97.5 is written 97.5, not 97.49999999999999. */
static json_t *
real2(double d)
{
	char b[64];

	snprintf(b, sizeof b, "%.2f", d);
	return json_real(strtod(b, NULL));
}

const char *
cleanse_status(const struct cleanse_report *rp)
{
	const struct tally *t = &rp->f->t;

	if (t->in == 0)
		return "NO_DATA";
	return pct(t->in - t->rejected, t->in) < rp->min_valid ? "DEGRADED" :
	    "HEALTHY";
}

/* The rules that rejected more than --warn-rule percent of the records
   (the reasons count records, a record once per rule: filter_reject). */
static json_t *
alerts(const struct cleanse_report *rp, int quiet)
{
	const struct counts *c = rp->f->reasons;
	uint64_t in = rp->f->t.in;
	json_t *a = json_array();
	char msg[256];

	for (size_t i = 0; i < c->n; i++) {
		if (!(pct(c->v[i].n, in) > rp->warn_rule))
			continue;
		snprintf(msg, sizeof msg, "rule %s rejected %.1f%% of records "
		    "(%llu of %llu)", c->v[i].name, pct(c->v[i].n, in),
		    (unsigned long long)c->v[i].n, (unsigned long long)in);
		if (!quiet)
			diag("warning: %s", msg);
		json_array_append_new(a, json_string(msg));
	}
	return a;
}

int
cleanse_report(const struct cleanse_report *rp)
{
	const struct tally *t = &rp->f->t;
	json_t *m, *rules, *inputs, *al;
	char stamp[TS_BUFSZ], *line;
	int rc;

	al = alerts(rp, rp->f->co->quiet);
	if (rp->out == NULL) {
		json_decref(al);
		return 0;
	}
	ts_format(stamp, (int64_t)time(NULL) * TS_US_PER_SEC);
	inputs = json_array();
	for (int i = 0; i < rp->ninputs; i++)
		json_array_append_new(inputs, json_string(rp->inputs[i]));
	if (rp->ninputs == 0)
		json_array_append_new(inputs, json_string("-"));
	/* Every declared rule, failed or not, then the other reasons; each
	   with the records it rejected. */
	rules = json_object();
	for (size_t i = 0; i < rp->nrules; i++)
		json_object_set_new(rules, rp->rules[i], json_integer(0));
	for (size_t i = 0; i < rp->f->reasons->n; i++)
		json_object_set_new(rules, rp->f->reasons->v[i].name,
		    json_integer((json_int_t)rp->f->reasons->v[i].n));
	m = json_object();
	json_object_set_new(m, "time", json_string(stamp));
	json_object_set_new(m, "program", json_string(progname));
	json_object_set_new(m, "schema", rp->schema ? json_string(rp->schema) :
	    json_null());
	json_object_set_new(m, "inputs", inputs);
	json_object_set_new(m, "in", json_integer((json_int_t)t->in));
	json_object_set_new(m, "out", json_integer((json_int_t)t->out));
	json_object_set_new(m, "rejected",
	    json_integer((json_int_t)t->rejected));
	json_object_set_new(m, "duplicates",
	    json_integer((json_int_t)t->duplicates));
	json_object_set_new(m, "filtered",
	    json_integer((json_int_t)t->filtered));
	json_object_set_new(m, "validity_pct", t->in ?
	    real2(pct(t->in - t->rejected, t->in)) : json_null());
	json_object_set_new(m, "status", json_string(cleanse_status(rp)));
	json_object_set_new(m, "min_valid_pct", real2(rp->min_valid));
	json_object_set_new(m, "rules", rules);
	if (rp->st != NULL && rp->st->nversions > 0) {
		json_t *v = json_object();
		char num[32];

		for (size_t k = 0; k < rp->st->nversions; k++) {
			snprintf(num, sizeof num, "%lld",
			    rp->st->version_numbers[k]);
			json_object_set_new(v, num, json_integer(
			    (json_int_t)rp->st->per_version[k]));
		}
		json_object_set_new(v, "unknown", json_integer(
		    (json_int_t)rp->st->per_version[rp->st->nversions]));
		json_object_set_new(m, "versions", v);
	}
	if (rp->st != NULL && rp->late_after >= 0)
		json_object_set_new(m, "late", json_integer(
		    (json_int_t)rp->st->late));
	json_object_set_new(m, "alerts", al);
	json_object_set_new(m, "seconds", real2(now_seconds() - t->start));
	line = json_dumps(m, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(m);
	/* One write of the whole line (the buffer holds it): appends from
	   runs side by side do not interleave. */
	out_write(rp->out, line, strlen(line));
	out_putc(rp->out, '\n');
	rc = out_close(rp->out);
	free(line);
	return rc;
}
