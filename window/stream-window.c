/*
 * stream-window - event-time windows over a stream of records: tumbling
 * or sliding, grouped by keys, each window written once, when the
 * watermark says it is final.  See stream-window(1) and
 * ../shared/STREAMING.md, whose rules it follows.
 *
 * in = aggregated + late + rejected: an event whose every window is
 * already final is late (counted, and written to --late), never dropped
 * silently; one late for some of its sliding windows counts in the open
 * ones and is counted as partly late.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"

static const struct program prog = {
	.synopsis = "stream-window --time FIELD --size DUR [options] [FILE...]",
	.help =
	    "Aggregate records into event-time windows, each written once it is\n"
	    "final: when the watermark (the latest event time less --watermark)\n"
	    "reaches its end.  At the end of input every window is written.\n"
	    "\n"
	    "Options:\n"
	    "      --time FIELD        the event time (any format; \"now\": the\n"
	    "                          time each record arrives)\n"
	    "      --size DUR          the window's length (1m, 1h, 90s...)\n"
	    "      --slide DUR         sliding windows starting every DUR\n"
	    "                          (default: --size, tumbling)\n"
	    "      --watermark DUR     how late an event may be (default 0)\n"
	    "  -g, --group F[,F...]    a window's rows by these fields\n"
	    "  -m, --metric [NAME=]AGG[:FIELD]\n"
	    "                          count, sum, avg, min, max, distinct,\n"
	    "                          approx_distinct, count_true, rate_true\n"
	    "                          (repeat it; default count)\n"
	    "      --late FILE         append late events here, with why\n"
	    "      --idle-timeout DUR  no input for DUR: the watermark moves on\n"
	    "                          with the clock\n"
	    "      --mode MODE         append (default): a window once, final;\n"
	    "                          update: also its values so far, every\n"
	    "                          --trigger, marked final false\n"
	    "      --trigger DUR       how often (default 1s)\n"
	    "      --metrics FILE      append the stream's health every --trigger\n",
	.versions = NULL,
};

enum {
	OPT_TIME = OPT_PROGRAM, OPT_SIZE, OPT_SLIDE, OPT_WATERMARK, OPT_LATE,
	OPT_IDLE, OPT_MODE, OPT_TRIGGER, OPT_METRICS
};

struct run {
	const char *time_field;	/* NULL: arrival time */
	int64_t size, slide, delay, idle;
	char **dims;
	size_t ndims;
	struct metric *m;
	size_t nm;
	struct infield *in;
	size_t nin;
	struct parsed *parsed;
	struct panes ps;
	int64_t w;		/* the watermark */
	int64_t max_ts;
	double max_seen_at;	/* monotonic seconds the max was seen */
	struct rejects *late;
	struct filter *f;
	uint64_t aggregated, nlate, partly, windows, rows;
	struct buf key, scratch;
	struct rec row;
	int columns_set;
	int update;		/* --mode update */
	double trigger;		/* seconds */
	double next_trigger;	/* monotonic seconds */
	struct out *metrics;	/* --metrics */
	struct latency lat;	/* since the last metrics line */
	uint64_t in_before;	/* events at the last metrics line */
	double last_metrics;
	char msg[256];
};

static int64_t
duration(const char *opt, const char *arg, int zero_ok)
{
	int64_t us;

	if (ts_parse_duration(arg, &us) < 0 || us < 0 || (!zero_ok && us == 0))
		usage_error("%s: a duration such as 90s, 15m or 1h, not \"%s\"",
		    opt, arg);
	return us;
}

static void
reject(struct run *rn, const struct rec *r, const char *rule)
{
	struct rej_reason why = { rule, rn->msg };

	filter_reject(rn->f, r, &why, 1);
}

/* --- Writing windows ------------------------------------------------------- */

static void
set_columns(struct run *rn)
{
	const char **names = ecalloc(3 + rn->ndims + rn->nm, sizeof *names);
	size_t n = 0;

	names[n++] = "window_start";
	names[n++] = "window_end";
	for (size_t i = 0; i < rn->ndims; i++)
		names[n++] = rn->dims[i];
	for (size_t i = 0; i < rn->nm; i++)
		names[n++] = rn->m[i].name;
	if (rn->update)
		names[n++] = "final";
	wr_columns(rn->f->w, names, n);
	free(names);
	rn->columns_set = 1;
}

/* A window's rows in key order; final or (update mode) so far. */
static void
write_pane(struct run *rn, struct pane *p, int final)
{
	struct rec *r = &rn->row;
	size_t *order = table_sorted(&p->t);
	char start[TS_BUFSZ], end[TS_BUFSZ];
	size_t sn = ts_format(start, p->start), en = ts_format(end, p->start +
	    rn->size);

	if (!rn->columns_set)
		set_columns(rn);
	for (size_t k = 0; k < p->t.n; k++) {
		const struct group *g = &p->t.g[order[k]];
		const struct mstate *st = table_states(&p->t, order[k]);

		rec_clear(r);
		rec_add(r, "window_start", val_plain(start, sn));
		rec_add(r, "window_end", val_plain(end, en));
		for (size_t i = 0; i < rn->ndims; i++) {
			uint32_t n = 0;
			const char *v = key_part(g->key, g->keylen, i, &n);

			rec_add(r, rn->dims[i], val_str(rec_strdup(r, v, n), n));
		}
		for (size_t i = 0; i < rn->nm; i++)
			rec_add(r, rn->m[i].name, metric_value(&rn->m[i], &st[i],
			    g->records, st[i].v.scale, r));
		if (rn->update)
			rec_add(r, "final", val_bool(final));
		if (wr_put(rn->f->w, r) == WR_ERR)
			rn->f->stop = 1;
		rn->rows++;
	}
	if (rn->metrics != NULL)
		latency_add(&rn->lat, &p->arr, (int64_t)(now_seconds() * 1e6));
	p->dirty = 0;
	free(order);
}

/* A final window. */
static void
emit(struct pane *p, void *ctx)
{
	struct run *rn = ctx;

	write_pane(rn, p, 1);
	rn->windows++;
}

/* Move the watermark to w (never back) and write what became final. */
static void
advance(struct run *rn, int64_t w)
{
	if (w <= rn->w)
		return;
	rn->w = w;
	if (rn->ps.n > 0 && panes_close(&rn->ps, rn->size, w, rn->m, emit,
	    rn) > 0 && out_flush(rn->f->out) < 0)
		rn->f->stop = 1;	/* results go out as they are final */
}

/* One line of the stream's health (--metrics). */
static void
metrics_line(struct run *rn)
{
	struct buf b = { 0 };
	char now[TS_BUFSZ], w[TS_BUFSZ];
	double t = now_seconds(), secs = t - rn->last_metrics;
	uint64_t in = rn->f->t.in;
	size_t nn = ts_format(now, wall_us());

	buf_printf(&b, "{\"time\":\"%.*s\",\"program\":\"stream-window\","
	    "\"events_in\":%llu,\"aggregated\":%llu,\"late_events\":%llu,"
	    "\"partly_late\":%llu,\"rejected\":%llu,\"windows_open\":%zu,"
	    "\"windows_emitted\":%llu,\"rows\":%llu,", (int)nn, now,
	    (unsigned long long)in, (unsigned long long)rn->aggregated,
	    (unsigned long long)rn->nlate, (unsigned long long)rn->partly,
	    (unsigned long long)rn->f->t.rejected, rn->ps.n,
	    (unsigned long long)rn->windows, (unsigned long long)rn->rows);
	if (rn->w == W_NONE || rn->w == W_END) {
		buf_adds(&b, "\"watermark\":null,\"watermark_lag_s\":null,");
	} else {
		size_t wn = ts_format(w, rn->w);

		buf_printf(&b, "\"watermark\":\"%.*s\",\"watermark_lag_s\":%.3f,",
		    (int)wn, w, (double)(wall_us() - rn->w) / 1e6);
	}
	buf_printf(&b, "\"events_per_sec\":%.0f,", secs > 0 ?
	    (double)(in - rn->in_before) / secs : 0);
	if (rn->lat.total > 0)
		buf_printf(&b, "\"latency_ms\":%.1f,\"latency_p50_ms\":%.1f,"
		    "\"latency_p99_ms\":%.1f}\n", latency_ms(&rn->lat, 0.99),
		    latency_ms(&rn->lat, 0.5), latency_ms(&rn->lat, 0.99));
	else	/* nothing written since the last line */
		buf_adds(&b, "\"latency_ms\":null,\"latency_p50_ms\":null,"
		    "\"latency_p99_ms\":null}\n");
	out_write(rn->metrics, b.p, b.n);
	if (out_flush(rn->metrics) < 0)
		rn->f->stop = 1;
	buf_free(&b);
	memset(&rn->lat, 0, sizeof rn->lat);
	rn->in_before = in;
	rn->last_metrics = t;
}

/* Every --trigger: in update mode the open windows that changed, so
   far; the metrics line. */
static void
trigger(struct run *rn)
{
	double t = now_seconds();

	if (t < rn->next_trigger)
		return;
	rn->next_trigger = t + rn->trigger;
	if (rn->update && rn->f->w != NULL) {
		int wrote = 0;

		for (size_t i = 0; i < rn->ps.n; i++)
			if (rn->ps.v[i].dirty) {
				write_pane(rn, &rn->ps.v[i], 0);
				wrote = 1;
			}
		if (wrote && out_flush(rn->f->out) < 0)
			rn->f->stop = 1;
	}
	if (rn->metrics != NULL)
		metrics_line(rn);
}

/* While the input is quiet: triggers go on, and after --idle-timeout
   the watermark moves with the clock from where the last event left
   it. */
static void
on_idle(void *ctx)
{
	struct run *rn = ctx;
	double quiet = now_seconds() - rn->max_seen_at;

	trigger(rn);
	if (rn->idle == 0 || rn->max_ts == W_NONE || rn->f->w == NULL ||
	    quiet * 1e6 < (double)rn->idle)
		return;
	advance(rn, rn->max_ts + (int64_t)(quiet * 1e6) - rn->delay);
}

/* --- Records ----------------------------------------------------------------- */

/* The record's time, key and inputs; 0, or -1 (rejected). */
static int
read_record(struct run *rn, struct rec *r, int64_t *ts)
{
	if (rn->time_field == NULL) {
		*ts = wall_us();
	} else {
		struct val *v = rec_get(r, rn->time_field);

		if (v == NULL || val_is_null(v) || val_is_empty_text(v)) {
			snprintf(rn->msg, sizeof rn->msg, "no %s (the event "
			    "time)", rn->time_field);
			reject(rn, r, "time");
			return -1;
		}
		if (val_to_time(v, ts) < 0) {
			size_t n;
			const char *t = val_to_text(v, &rn->scratch, &n);

			snprintf(rn->msg, sizeof rn->msg, "%s \"%.*s\" is not a "
			    "time", rn->time_field, n > 60 ? 60 : (int)n, t);
			reject(rn, r, "time");
			return -1;
		}
	}
	rn->key.n = 0;
	for (size_t i = 0; i < rn->ndims; i++)
		key_add_dim(&rn->key, rec_get(r, rn->dims[i]), &rn->scratch);
	for (size_t i = 0; i < rn->nin; i++) {
		const struct val *v = rec_get(r, rn->in[i].name);

		if (parsed_from(v, rn->in[i].need, &rn->parsed[i], &rn->scratch,
		    r) < 0) {
			size_t n;
			const char *t = val_to_text(v, &rn->scratch, &n);

			snprintf(rn->msg, sizeof rn->msg, "%s \"%.*s\" is not a "
			    "%s", rn->in[i].name, n > 60 ? 60 : (int)n, t,
			    rn->in[i].need == N_NUMBER ? "number" : "boolean");
			reject(rn, r, rn->in[i].need == N_NUMBER ? "number" :
			    "bool");
			return -1;
		}
	}
	return 0;
}

static void
each(struct filter *f, struct rec *r, void *ctx)
{
	struct run *rn = ctx;
	int64_t ts, last, first, arrived = 0;
	uint64_t hash;
	size_t open = 0, closed = 0;

	if (read_record(rn, r, &ts) < 0)
		return;
	/* The clock, only for what needs it: latency, the idle timeout. */
	if (rn->metrics != NULL || rn->idle > 0)
		arrived = (int64_t)(now_seconds() * 1e6);
	hash = hash_table_key(rn->key.p, rn->key.n);
	/* Every window [s, s + size) holding ts: s from the latest slide
	   boundary at or before ts back while s > ts - size. */
	last = floor_to(ts, rn->slide);
	first = ts - rn->size;
	for (int64_t s = last; s > first; s -= rn->slide) {
		struct pane *p;
		size_t gi;

		if (rn->w != W_NONE && s <= rn->w - rn->size) {
			closed++;	/* final already: late for it */
			continue;
		}
		p = panes_get(&rn->ps, s);
		gi = table_get(&p->t, rn->key.p, (uint32_t)rn->key.n, hash);
		p->t.g[gi].records++;
		states_add(rn->m, rn->nm, table_states(&p->t, gi), rn->parsed);
		p->dirty = 1;
		if (rn->metrics != NULL)
			arrivals_add(&p->arr, arrived);
		open++;
		if (s < INT64_MIN + rn->slide)
			break;
	}
	if (open == 0) {
		char w[TS_BUFSZ];

		ts_format(w, rn->w);
		snprintf(rn->msg, sizeof rn->msg, "late: every window of it was "
		    "final (watermark %s)", w);
		rej_one(rn->late, r, "late", rn->msg);
		rn->nlate++;
		return;
	}
	rn->partly += closed > 0;
	rn->aggregated++;
	if (rn->max_ts == W_NONE || ts > rn->max_ts) {
		rn->max_ts = ts;
		rn->max_seen_at = (double)arrived / 1e6;
	}
	advance(rn, rn->max_ts - rn->delay);
	if ((rn->update || rn->metrics) && (f->t.in & 255) == 0)
		trigger(rn);
}

/* End of input: every window is final. */
static void
finish(struct filter *f, void *ctx)
{
	struct run *rn = ctx;

	(void)f;
	if (!rn->columns_set)
		set_columns(rn);
	advance(rn, W_END);
	if (rn->metrics != NULL)
		metrics_line(rn);
}

/* --- Options ------------------------------------------------------------------ */

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "time", required_argument, NULL, OPT_TIME },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "slide", required_argument, NULL, OPT_SLIDE },
		{ "watermark", required_argument, NULL, OPT_WATERMARK },
		{ "group", required_argument, NULL, 'g' },
		{ "metric", required_argument, NULL, 'm' },
		{ "late", required_argument, NULL, OPT_LATE },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "trigger", required_argument, NULL, OPT_TRIGGER },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ 0 }
	};
	struct common_opts co = { 0 };
	struct run rn = { 0 };
	struct filter f = { 0 };
	const char **mspecs = ecalloc((size_t)argc + 1, sizeof *mspecs);
	const char *late = NULL, *time_arg = NULL, *metrics = NULL;
	struct schema *sc = NULL;
	size_t nmspecs = 0;
	char err[512];
	int c, status;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "g:m:", longopts,
	    NULL)) != -1)
		switch (c) {
		case OPT_TIME:
			time_arg = optarg;
			break;
		case OPT_SIZE:
			rn.size = duration("--size", optarg, 0);
			break;
		case OPT_SLIDE:
			rn.slide = duration("--slide", optarg, 0);
			break;
		case OPT_WATERMARK:
			rn.delay = duration("--watermark", optarg, 1);
			break;
		case 'g':
			opt_list_free(rn.dims, rn.ndims);
			rn.dims = opt_list(optarg, &rn.ndims);
			break;
		case 'm':
			mspecs[nmspecs++] = optarg;
			break;
		case OPT_LATE:
			late = optarg;
			break;
		case OPT_IDLE:
			rn.idle = duration("--idle-timeout", optarg, 0);
			break;
		case OPT_MODE:
			if (strcmp(optarg, "update") != 0 &&
			    strcmp(optarg, "append") != 0)
				usage_error("--mode: append or update, not \"%s\"",
				    optarg);
			rn.update = strcmp(optarg, "update") == 0;
			break;
		case OPT_TRIGGER:
			rn.trigger = (double)duration("--trigger", optarg, 0) / 1e6;
			break;
		case OPT_METRICS:
			metrics = optarg;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	if (time_arg == NULL)
		usage_error("which field is the event time? --time FIELD (or "
		    "--time now)");
	if (rn.size == 0)
		usage_error("how long are the windows? --size DUR");
	if (rn.slide == 0)
		rn.slide = rn.size;
	if (rn.slide > rn.size)
		usage_error("--slide is longer than --size: events between "
		    "windows would belong to none");
	rn.time_field = strcmp(time_arg, "now") == 0 ? NULL : time_arg;
	if (co.schema != NULL && (sc = schema_load(co.schema, err,
	    sizeof err)) == NULL)
		fatal(2, "%s", err);
	if (nmspecs == 0)
		mspecs[nmspecs++] = "count";
	rn.m = ecalloc(nmspecs, sizeof *rn.m);
	for (size_t i = 0; i < nmspecs; i++) {
		if (metric_parse(mspecs[i], sc, &rn.m[i], err, sizeof err) < 0)
			usage_error("%s", err);
		rn.nm++;
		rn.m[i].key_part = -1;
		rn.m[i].in = rn.m[i].field ? infield_of(&rn.in, &rn.nin,
		    rn.m[i].field, metric_need(rn.m[i].kind)) : -1;
	}
	rn.parsed = ecalloc(rn.nin + 1, sizeof *rn.parsed);
	rn.ps.nm = rn.nm;
	rn.w = rn.max_ts = W_NONE;
	if (rn.trigger == 0)
		rn.trigger = 1;
	if (metrics != NULL && (rn.metrics = out_open(metrics, OUT_APPEND,
	    0)) == NULL)
		return 1;
	if ((rn.late = rej_open(late)) == NULL)
		return 1;
	if (rn.idle > 0 || rn.update || rn.metrics != NULL) {
		/* Often enough for the idle timeout and the trigger. */
		double every = rn.trigger / 2;
		int ms;

		if (rn.idle > 0 && (double)rn.idle / 4e6 < every)
			every = (double)rn.idle / 4e6;
		ms = (int)(every * 1000);
		src_on_idle(ms > 0 ? ms : 1, on_idle, &rn);
	}
	rn.last_metrics = now_seconds();
	rn.next_trigger = rn.last_metrics + rn.trigger;
	stop_on_signals();
	rn.f = &f;
	f.co = &co;
	f.own_summary = 1;
	f.finish = finish;
	status = filter_run(&f, argv + optind, argc - optind, each, &rn);
	if (rej_close(rn.late) < 0)
		status = 1;
	if (rn.metrics != NULL && out_close(rn.metrics) < 0)
		status = 1;
	if (!co.quiet)
		diag("%llu in, %llu aggregated, %llu late (%llu partly late "
		    "counted in their open windows), %llu rejected; %llu "
		    "windows, %llu rows, %.2fs",
		    (unsigned long long)f.t.in,
		    (unsigned long long)rn.aggregated,
		    (unsigned long long)rn.nlate,
		    (unsigned long long)rn.partly,
		    (unsigned long long)f.t.rejected,
		    (unsigned long long)rn.windows,
		    (unsigned long long)rn.rows, now_seconds() - f.t.start);
	panes_free(&rn.ps, rn.m);
	metrics_free(rn.m, rn.nm);
	infields_free(rn.in, rn.nin);
	free(rn.parsed);
	opt_list_free(rn.dims, rn.ndims);
	rec_free(&rn.row);
	buf_free(&rn.key);
	buf_free(&rn.scratch);
	free(mspecs);
	schema_free(sc);
	return status;
}
