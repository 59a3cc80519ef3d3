/*
 * batch-agg - daily metrics and KPIs by hash aggregation: exact decimal
 * sums, mergeable partial states a shuffle can route (mapper --partial,
 * reducer --reduce, the last step --merge).  See batch-agg(1).
 *
 * Every record is grouped by its date and dimensions, or rejected (a date
 * that is not one, a metric that is not a number) and counted by kind:
 * in = aggregated + rejected + filtered (--where).  Memory grows with
 * the groups, not the rows.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

static const struct program prog = {
	.synopsis = "batch-agg [options] [FILE...]\n"
	    "       batch-agg --merge [options] [PARTIAL...]\n"
	    "       batch-agg --reduce [options] [PARTIAL...]",
	.help =
	    "Aggregate records by date and dimensions.  Without --schema,\n"
	    "the retail job's daily product totals: order_date, product,\n"
	    "total_amount.  With --schema, its analysis section: the\n"
	    "timestamp's date and every dimension; record_count, sum_, avg_,\n"
	    "min_, max_ of each metric, count_ and rate_ of each flag.\n"
	    "\n"
	    "Options:\n"
	    "  -g, --group F[,F...]    group by these fields (as text)\n"
	    "      --date F            and by the date of F ('none': not)\n"
	    "  -m, --metric [NAME=]AGG[:FIELD][ where EXPR]   instead of the\n"
	    "                          defaults; AGG: count sum avg min max\n"
	    "                          distinct approx_distinct count_true\n"
	    "                          rate_true; with a where, over the\n"
	    "                          records EXPR holds for\n"
	    "      --where EXPR        aggregate only the records EXPR holds\n"
	    "                          for; the others are counted filtered\n"
	    "      --kpis FILE         the metrics over all records, one row\n"
	    "      --partial           write mergeable states (key, tab, JSON)\n"
	    "      --merge             combine partial lines (files, or stdin)\n"
	    "                          into the result\n"
	    "      --reduce            merge a reducer's partial lines into one\n"
	    "                          final line a group\n"
	    "  -o, --output FILE       write to FILE instead of stdout\n"
	    STATS_HELP,
	.takes = TAKES_FILTER | TAKES_JOBS,
};

enum {
	OPT_DATE = OPT_PROGRAM, OPT_KPIS, OPT_PARTIAL, OPT_MERGE, OPT_REDUCE,
	OPT_WHERE
};

struct run {
	struct spec sp;
	struct table t;
	struct mstate *kpi;	/* sp.nkpi states over every record */
	uint64_t kpi_records;
	const char *kpis_path;
	int partial;
	int reduce;		/* --reduce: the groups' distinct counts final */
	int have_spec;		/* the spec is whole (--merge: a header came) */
	/* Where the fields are: the date, the dimensions, the inputs. */
	const char **names;
	struct rec_finder find;
	char last_date[10];	/* the last date text found valid */
	int have_last_date;
	struct parsed *in;
	struct buf key, scratch;
	char msg[256];
	struct rec out;
	/* Metrics with a where: which of them count the record. */
	int filtered;
	unsigned char *on, *kpi_on;
};

static void
add_metric(struct metric **m, size_t *n, const char *text,
    const struct schema *sc)
{
	char err[256];

	*m = erealloc(*m, (*n + 1) * sizeof **m);
	if (metric_parse(text, sc, &(*m)[*n], err, sizeof err) < 0)
		usage_error("%s", err);
	(*n)++;
}

/* The defaults: the retail totals without a schema, the schema's
   analysis section with one. */
static void
default_spec(struct spec *sp, const struct schema *sc, int have_groups,
    int have_date, int have_metrics)
{
	struct buf b = { 0 };

	if (sc == NULL) {
		if (!have_date && !have_groups)
			sp->date = estrdup("order_date");
		if (!have_groups) {
			sp->dims = ecalloc(2, sizeof *sp->dims);
			sp->dims[sp->ndims++] = estrdup("product");
		}
		if (!have_metrics) {
			add_metric(&sp->m, &sp->nm, "total_amount=sum:amount",
			    NULL);
			sp->m[0].places = 2;
			add_metric(&sp->kpi, &sp->nkpi,
			    "total_revenue=sum:amount", NULL);
			sp->kpi[0].places = 2;
			add_metric(&sp->kpi, &sp->nkpi,
			    "distinct_products=distinct:product", NULL);
			add_metric(&sp->kpi, &sp->nkpi, "records=count", NULL);
		}
	} else {
		const struct schema_analysis *a = &sc->analysis;
		char rev[512];

		if (!have_date && a->timestamp != NULL)
			sp->date = estrdup(a->timestamp);
		if (!have_groups) {
			sp->dims = ecalloc(a->ndimensions + 1, sizeof *sp->dims);
			for (size_t i = 0; i < a->ndimensions; i++)
				sp->dims[sp->ndims++] = estrdup(a->dimensions[i]);
		}
		if (!have_metrics) {
			add_metric(&sp->m, &sp->nm, "count", sc);
			for (size_t i = 0; i < a->nmetrics; i++) {
				static const char *const aggs[] = { "sum", "avg",
				    "min", "max" };

				for (size_t k = 0; k < 4; k++) {
					b.n = 0;
					buf_printf(&b, "%s:%s", aggs[k],
					    a->metrics[i]);
					add_metric(&sp->m, &sp->nm, buf_cstr(&b),
					    sc);
				}
			}
			if (schema_revenue_metric(sc, rev, sizeof rev) != NULL)
				add_metric(&sp->m, &sp->nm, rev, sc);
			for (size_t i = 0; i < a->nflags; i++) {
				b.n = 0;
				buf_printf(&b, "count_true:%s", a->flags[i]);
				add_metric(&sp->m, &sp->nm, buf_cstr(&b), sc);
				b.n = 0;
				buf_printf(&b, "rate_true:%s", a->flags[i]);
				add_metric(&sp->m, &sp->nm, buf_cstr(&b), sc);
			}
		}
	}
	buf_free(&b);
	/* The date's column: cleanse --schema calls it <timestamp>_date; without a
	   schema the field keeps its name (order_date holds dates). */
	if (sp->date != NULL && sp->date_col == NULL) {
		b = (struct buf){ 0 };
		if (sc != NULL)
			buf_printf(&b, "%s_date", sp->date);
		else
			buf_printf(&b, "%s", sp->date);
		sp->date_col = (char *)buf_cstr(&b);
	}
	/* KPIs, when not the retail totals: the same metrics over everything. */
	if (sp->nkpi == 0 && sp->nm > 0) {
		sp->kpi = ecalloc(sp->nm, sizeof *sp->kpi);
		for (size_t i = 0; i < sp->nm; i++) {
			sp->kpi[i] = sp->m[i];
			sp->kpi[i].name = estrdup(sp->m[i].name);
			sp->kpi[i].field = sp->m[i].field ?
			    estrdup(sp->m[i].field) : NULL;
			/* The where's text says what the state is; m[i]'s
			   test serves both. */
			sp->kpi[i].where = sp->m[i].where ?
			    estrdup(sp->m[i].where) : NULL;
			sp->kpi[i].test = NULL;
		}
		sp->nkpi = sp->nm;
		sp->kpi_copied = 1;
	}
}

static void
reject(struct filter *f, struct rec *r, const char *rule, struct run *rn)
{
	struct rej_reason why = { rule, rn->msg, NULL };

	filter_reject(f, r, &why, 1);
}

/* A value's text for messages, cut short. */
static const char *
shown(struct run *rn, const struct val *v, int *len)
{
	size_t n;
	const char *s = val_to_text(v, &rn->scratch, &n);

	*len = n > 40 ? 40 : (int)n;
	return s;
}

/* Is v text spelling a valid date, YYYY-MM-DD, exactly?  The last one
   found so is known on sight: a day's rows mostly come together. */
static int
is_date_text(struct run *rn, const struct val *v)
{
	if (v->type != VAL_TEXT && v->type != VAL_STR)
		return 0;
	if (v->u.s.n == 10 && rn->have_last_date &&
	    memcmp(v->u.s.p, rn->last_date, 10) == 0)
		return 1;
	if (!ts_is_date(v->u.s.p, v->u.s.n))
		return 0;
	memcpy(rn->last_date, v->u.s.p, 10);
	rn->have_last_date = 1;
	return 1;
}

static void
each(struct filter *f, struct rec *r, void *ctx)
{
	struct run *rn = ctx;
	struct spec *sp = &rn->sp;
	const int *at;
	size_t gi;
	int len;

	if (!filter_keep(f, r))
		return;
	at = finder_locate(&rn->find, r);
	rn->key.n = 0;
	if (sp->date != NULL) {
		struct val *v = rec_at(r, at[0]);
		int64_t us;
		char d[TS_BUFSZ];

		if (v == NULL || val_is_null(v) || val_is_empty_text(v)) {
			snprintf(rn->msg, sizeof rn->msg, "%s is missing",
			    sp->date);
			reject(f, r, "date", rn);
			return;
		}
		if (is_date_text(rn, v)) {
			/* Already a date: the key as it is (most input). */
			key_add(&rn->key, v->u.s.p, 10);
		} else if (val_to_time(v, &us) < 0) {
			const char *s = shown(rn, v, &len);

			snprintf(rn->msg, sizeof rn->msg, "%s \"%.*s\" is not a "
			    "date", sp->date, len, s);
			reject(f, r, "date", rn);
			return;
		} else {
			key_add(&rn->key, d, ts_format_date(d, us));
		}
	}
	for (size_t i = 0; i < sp->ndims; i++)
		key_add_dim(&rn->key, rec_at(r, at[1 + i]), &rn->scratch);
	for (size_t i = 0; i < sp->nin; i++) {
		const struct val *v = rec_at(r, at[1 + sp->ndims + i]);
		const char *s;

		if (parsed_in(v, &sp->in[i], &rn->in[i], &rn->scratch, r) ==
		    0)
			continue;
		s = shown(rn, v, &len);
		snprintf(rn->msg, sizeof rn->msg, sp->in[i].need == N_NUMBER ?
		    "%s \"%.*s\" is not a number (or has more than 18 digits)" :
		    "%s \"%.*s\" is not a boolean", sp->in[i].name, len, s);
		reject(f, r, sp->in[i].need == N_NUMBER ? "number" : "bool",
		    rn);
		return;
	}
	if (rn->filtered) {
		const char *why;

		if (metrics_test(sp->m, sp->nm, r, rn->on, &why) < 0 ||
		    (!sp->kpi_copied && metrics_test(sp->kpi, sp->nkpi, r,
		    rn->kpi_on, &why) < 0)) {
			snprintf(rn->msg, sizeof rn->msg, "%s", why);
			reject(f, r, "where", rn);
			return;
		}
	}
	gi = table_get(&rn->t, rn->key.p, (uint32_t)rn->key.n,
	    hash_table_key(rn->key.p, rn->key.n));
	rn->t.g[gi].records++;
	states_add(sp->m, sp->nm, table_states(&rn->t, gi), rn->in, rn->on);
	rn->kpi_records++;
	states_add(sp->kpi, sp->nkpi, rn->kpi, rn->in, rn->kpi_on);
	filter_kept(f);
}

/* The fields a record is read for (the date, the dimensions, the metrics'
   inputs), and where the record is parsed into. */
static void
run_readers(struct run *rn)
{
	finder_init(&rn->find, rn->names, 1 + rn->sp.ndims + rn->sp.nin);
	rn->in = ecalloc(rn->sp.nin + 1, sizeof *rn->in);
	rn->kpi = ecalloc(rn->sp.nkpi + 1, sizeof *rn->kpi);
	rn->filtered = metrics_filtered(rn->sp.m, rn->sp.nm) ||
	    metrics_filtered(rn->sp.kpi, rn->sp.nkpi);
	if (rn->filtered) {
		rn->on = ecalloc(rn->sp.nm + 1, 1);
		rn->kpi_on = rn->sp.kpi_copied ? rn->on :
		    ecalloc(rn->sp.nkpi + 1, 1);
	}
	table_init(&rn->t, rn->sp.nm);
}

static void
run_readers_free(struct run *rn)
{
	finder_free(&rn->find);
	free(rn->in);
	if (rn->kpi_on != rn->on)
		free(rn->kpi_on);
	free(rn->on);
}

/*
 * -j: another thread's run.  The same spec, but the metrics' where tests
 * its own; its own groups and KPI states, merged into the first run's
 * when it is done.  Sums are exact and a min's or max's ties broken by
 * the value, so the groups come out as one thread makes them.
 */
static void *
worker_new(void *ctx)
{
	const struct run *rn = ctx;
	struct run *w = ecalloc(1, sizeof *w);

	w->sp = rn->sp;
	w->names = rn->names;
	if (rn->filtered) {
		w->sp.m = metrics_own_tests(rn->sp.m, rn->sp.nm);
		w->sp.kpi = metrics_own_tests(rn->sp.kpi, rn->sp.nkpi);
	}
	run_readers(w);
	return w;
}

static void
worker_free(void *wctx, void *ctx)
{
	struct run *w = wctx, *rn = ctx;

	if (rn->t.n == 0) {
		struct table t = rn->t;	/* the first done: its groups as
					   they are */
		rn->t = w->t;
		w->t = t;
	} else {
		table_merge(&rn->t, &w->t, rn->sp.m);
	}
	states_merge(rn->sp.kpi, rn->sp.nkpi, rn->kpi, w->kpi);
	rn->kpi_records += w->kpi_records;
	table_free(&w->t, rn->sp.m);
	states_free(rn->sp.kpi, rn->sp.nkpi, w->kpi);
	free(w->kpi);
	run_readers_free(w);
	buf_free(&w->key);
	buf_free(&w->scratch);
	if (rn->filtered) {
		metrics_free_own_tests(w->sp.m, w->sp.nm);
		metrics_free_own_tests(w->sp.kpi, w->sp.nkpi);
	}
	free(w);
}

/* The most decimals metric i's states hold, over n state arrays. */
static int
places_seen(const struct mstate *const *st, size_t n, size_t i)
{
	int most = 0;

	for (size_t k = 0; k < n; k++)
		if (st[k][i].n > 0 && st[k][i].v.scale > most)
			most = st[k][i].v.scale;
	return most;
}

static int
per_metric_places(const struct table *t, const size_t *order, size_t nm,
    int *places)
{
	const struct mstate **st = ecalloc(t->n + 1, sizeof *st);

	for (size_t k = 0; k < t->n; k++)
		st[k] = table_states(t, order[k]);
	for (size_t i = 0; i < nm; i++)
		places[i] = places_seen(st, t->n, i);
	free(st);
	return 0;
}

/* The result rows, in key order, to w.  Returns 0, or -1. */
static int
write_rows(struct run *rn, struct writer *w)
{
	struct spec *sp = &rn->sp;
	size_t *order = table_sorted(&rn->t);
	int *places = ecalloc(sp->nm + 1, sizeof *places);
	const char **cols = ecalloc(sp->nm + sp->ndims + 2, sizeof *cols);
	size_t nc = 0;
	uint64_t layout = rec_layout_new();
	int rc = 0;

	/* The header even when there is no group, as DuckDB's COPY writes
	   it: a reader of the file knows its columns either way. */
	if (sp->date != NULL)
		cols[nc++] = sp->date_col;
	for (size_t i = 0; i < sp->ndims; i++)
		cols[nc++] = sp->dims[i];
	for (size_t i = 0; i < sp->nm; i++)
		cols[nc++] = sp->m[i].name;
	wr_columns(w, cols, nc);
	free(cols);
	per_metric_places(&rn->t, order, sp->nm, places);
	for (size_t k = 0; k < rn->t.n && rc == 0; k++) {
		const struct group *g = &rn->t.g[order[k]];
		const struct mstate *st = table_states(&rn->t, order[k]);
		struct rec *o = &rn->out;
		size_t part = 0;
		const char *p;
		uint32_t n;

		rec_clear(o);
		if (sp->date != NULL) {
			p = key_part(g->key, g->keylen, part++, &n);
			rec_add(o, sp->date_col, val_plain(p, n));
		}
		for (size_t i = 0; i < sp->ndims; i++) {
			p = key_part(g->key, g->keylen, part++, &n);
			rec_add(o, sp->dims[i], val_str(p, n));
		}
		for (size_t i = 0; i < sp->nm; i++)
			rec_add(o, sp->m[i].name, metric_value(&sp->m[i], &st[i],
			    g->records, places[i], o));
		o->layout = layout;
		if (wr_put(w, o) == WR_ERR)
			rc = -1;
	}
	free(places);
	free(order);
	return rc;
}

/* The KPI row, to its own file (CSV, or JSON Lines by its name). */
static int
write_kpis(struct run *rn, const struct common_opts *co)
{
	struct spec *sp = &rn->sp;
	struct out *o;
	struct writer *w;
	struct rec *r = &rn->out;
	const struct mstate *st = rn->kpi;
	enum fmt fmt = fmt_from_path(rn->kpis_path);
	int rc = 0;

	if (fmt == FMT_AUTO)
		fmt = co->out_fmt ? co->out_fmt : FMT_CSV;
	if ((o = out_open(rn->kpis_path, OUT_ATOMIC, 0)) == NULL)
		return -1;
	w = wr_open(o, fmt);
	rec_clear(r);
	for (size_t i = 0; i < sp->nkpi; i++)
		rec_add(r, sp->kpi[i].name, metric_value(&sp->kpi[i], &st[i],
		    rn->kpi_records, places_seen(&st, 1, i), r));
	if (wr_put(w, r) == WR_ERR)
		rc = -1;
	if (wr_close(w) < 0)
		rc = -1;
	if (out_close(o) < 0)
		rc = -1;
	return rc;
}

/* The partial lines; after --reduce, their distinct counts final. */
static void
write_partial(struct run *rn, struct out *o)
{
	if (rn->reduce)
		partial_finish(&rn->sp, &rn->t, rn->kpi);
	partial_write(o, &rn->sp, rn->have_spec, &rn->t, rn->kpi_records,
	    rn->kpi);
}

/* After the last record: the result, or the partial states. */
static void
finish(struct filter *f, void *ctx)
{
	struct run *rn = ctx;

	key_states(&rn->sp, &rn->t, rn->kpi);
	if (rn->partial)
		write_partial(rn, f->out);
	else if (write_rows(rn, f->w) < 0)
		f->stop = 1;
}

/*
 * --merge, --reduce: partial lines in (the files, or standard input),
 * the result out, or partial lines again.  The result needs a header
 * (it names the columns); merged partial lines do not.
 */
static int
merge(struct run *rn, char **paths, int n, const char *output,
    const struct common_opts *co)
{
	char dash[] = "-", *stdin_only[] = { dash };
	struct partials pm = { 0 };
	struct out *o;
	struct writer *w;
	struct tally t;
	int rc = 0;

	if (n == 0) {
		paths = stdin_only;
		n = 1;
	}
	tally_start(&t);
	for (int i = 0; i < n && rc == 0; i++)
		rc = partial_read(&pm, paths[i]);
	/* What was read is the run's, freed with it. */
	rn->sp = pm.sp;
	rn->t = pm.t;
	rn->kpi = pm.kpi;
	rn->kpi_records = pm.kpi_records;
	rn->have_spec = pm.have_spec;
	partials_done(&pm);
	if (rc < 0)
		return 1;
	if (!rn->have_spec && (!rn->partial || rn->kpis_path != NULL)) {
		diag("no partial header among the input (the line keyed %s, "
		    "which every --partial writes): it names the columns",
		    PARTIAL_HEAD_KEY);
		return 1;
	}
	if ((o = out_open(output, output ? OUT_ATOMIC : 0, 0)) == NULL)
		return 1;
	if (rn->partial) {
		write_partial(rn, o);
	} else {
		w = wr_open(o, co->out_fmt ? co->out_fmt : FMT_CSV);
		rc = write_rows(rn, w);
		if (wr_close(w) < 0)
			rc = -1;
	}
	if (out_close(o) < 0)
		rc = -1;
	if (rc == 0 && rn->kpis_path != NULL)
		rc = write_kpis(rn, co);
	/* in and out: the records the groups read aggregated (a reducer
	   without the header counts its groups' share). */
	t.in = 0;
	for (size_t k = 0; k < rn->t.n; k++)
		t.in += rn->t.g[k].records;
	t.out = t.in;
	if (stats_summary(co->stats, &t, stats_pack("{s:I,s:I,s:I}",
	    "aggregated", (json_int_t)t.out, "partials", (json_int_t)n,
	    "groups", (json_int_t)rn->t.n), co->quiet) < 0)
		rc = -1;
	return rc < 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "group", required_argument, NULL, 'g' },
		{ "metric", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "kpis", required_argument, NULL, OPT_KPIS },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "reduce", no_argument, NULL, OPT_REDUCE },
		{ "where", required_argument, NULL, OPT_WHERE },
		STATS_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct run rn = { 0 };
	struct common_opts co = { 0 };
	struct filter f = { 0 };
	struct counts reasons = { 0 };
	struct schema *sc = NULL;
	const char *groups = NULL, *date = NULL, *output = NULL, *where = NULL;
	const char **metrics = NULL;
	size_t nmetrics = 0;
	int c, status, merging = 0;
	char err[512];

	diag_init(argv[0]);
	metrics = ecalloc((size_t)argc + 1, sizeof *metrics);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "g:m:o:",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			groups = optarg;
			break;
		case 'm':
			metrics[nmetrics++] = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_DATE:
			date = optarg;
			break;
		case OPT_KPIS:
			rn.kpis_path = optarg;
			break;
		case OPT_PARTIAL:
			rn.partial = 1;
			break;
		case OPT_MERGE:
			merging = 1;
			break;
		case OPT_REDUCE:
			merging = rn.partial = rn.reduce = 1;
			break;
		case OPT_WHERE:
			where = optarg;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	}
	if (merging) {
		if (groups || date || nmetrics || co.schema || where)
			usage_error("--merge and --reduce take what to "
			    "aggregate from the partial lines: no -g, --date, "
			    "-m, --where or --schema");
		free(metrics);
		status = merge(&rn, argv + optind, argc - optind, output, &co);
		goto done;
	}
	if (co.schema != NULL &&
	    (sc = schema_load(co.schema, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", progname, err);
		free(metrics);
		return schema_load_status();
	}
	if (groups != NULL)
		rn.sp.dims = opt_list(groups, &rn.sp.ndims);
	if (date != NULL && strcmp(date, "none") != 0)
		rn.sp.date = estrdup(date);
	for (size_t i = 0; i < nmetrics; i++)
		add_metric(&rn.sp.m, &rn.sp.nm, metrics[i], sc);
	free(metrics);
	default_spec(&rn.sp, sc, groups != NULL, date != NULL, nmetrics > 0);
	{
		const char **cols = ecalloc(rn.sp.ndims + 2, sizeof *cols);

		for (size_t i = 0; i < rn.sp.ndims; i++)
			cols[i] = rn.sp.dims[i];
		cols[rn.sp.ndims] = rn.sp.date_col;
		if (metrics_check_names(rn.sp.m, rn.sp.nm, cols, rn.sp.ndims + 1,
		    err, sizeof err) < 0)
			usage_error("%s", err);
		free(cols);
	}
	spec_inputs(&rn.sp);
	spec_ident(&rn.sp);
	rn.have_spec = 1;
	/* Each declared decimal rounded to its scale as it is read, as
	   cleanse and the sinks read it; the retail amount is to the cent. */
	infields_declare(rn.sp.in, rn.sp.nin, sc);
	for (size_t i = 0; sc == NULL && nmetrics == 0 && i < rn.sp.nin; i++)
		if (strcmp(rn.sp.in[i].name, "amount") == 0)
			rn.sp.in[i].scale = 2;
	rn.names = ecalloc(1 + rn.sp.ndims + rn.sp.nin, sizeof *rn.names);
	rn.names[0] = rn.sp.date;
	for (size_t i = 0; i < rn.sp.ndims; i++)
		rn.names[1 + i] = rn.sp.dims[i];
	for (size_t i = 0; i < rn.sp.nin; i++)
		rn.names[1 + rn.sp.ndims + i] = rn.sp.in[i].name;
	run_readers(&rn);
	if (where != NULL)
		f.where = ewhere(where, sc);
	rec_init(&rn.out);

	f.co = &co;
	f.output = output;
	/* -o appears whole or not at all; a stop (SIGINT, SIGTERM) before
	   the end of input leaves it as it was, and no partial groups go
	   to stdout either: exit 1. */
	f.atomic = 1;
	stop_on_signals();
	f.reasons = &reasons;
	f.by_kind = 1;
	f.own_summary = 1;
	f.finish = finish;
	f.only_finish = 1;
	f.worker_new = worker_new;
	f.worker_free = worker_free;
	status = filter_run(&f, argv + optind, argc - optind, each, &rn);
	if (status == 0 && rn.kpis_path != NULL && write_kpis(&rn, &co) < 0)
		status = 1;
	if (stats_summary(co.stats, &f.t, stats_pack("{s:I,s:I}", "aggregated",
	    (json_int_t)f.t.out, "groups", (json_int_t)rn.t.n), co.quiet) < 0)
		status = 1;
	counts_free(&reasons);
	run_readers_free(&rn);
	free(rn.names);
	where_free(f.where);
	schema_free(sc);
done:
	if (rn.kpi != NULL)
		states_free(rn.sp.kpi, rn.sp.nkpi, rn.kpi);
	free(rn.kpi);
	table_free(&rn.t, rn.sp.m);
	spec_free(&rn.sp);
	rec_free(&rn.out);
	buf_free(&rn.key);
	buf_free(&rn.scratch);
	return status;
}
