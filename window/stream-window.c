/*
 * stream-window - event-time windows over a stream of records, from
 * stdin, files or Kafka: tumbling, sliding or session windows, grouped
 * by keys, each window written once, when the watermark says it is
 * final; with Kafka, restartable from checkpoints with nothing lost.
 * It follows the rules Spark, Flink and Kafka Streams agree on; see
 * stream-window(1).  This file: the options, and stdin.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka.h"
#include "window.h"

static const struct program prog = {
	.synopsis =
	    "stream-window --time FIELD --size DUR [options] [FILE...]\n"
	    "stream-window --time FIELD --size DUR -b BROKERS -t TOPIC -G GROUP "
	    "[options]",
	.help =
	    "Aggregate records into event-time windows, each written once it is\n"
	    "final: when the watermark (the latest event time less --watermark)\n"
	    "reaches its end.  At the end of input every window is written.\n"
	    "\n"
	    "Windows:\n"
	    "      --time FIELD        the event time (any format; \"now\": the\n"
	    "                          time each record arrives; default with\n"
	    "                          --schema: its analysis timestamp)\n"
	    "      --size DUR          the window's length (1m, 1h, 90s...)\n"
	    "      --slide DUR         sliding windows starting every DUR\n"
	    "                          (default: --size, tumbling)\n"
	    "      --session-gap DUR   session windows: a key's events less than\n"
	    "                          DUR apart (instead of --size)\n"
	    "      --watermark DUR     how late an event may be (default 0)\n"
	    "  -g, --group F[,F...]    a window's rows by these fields\n"
	    "  -m, --metric [NAME=]AGG[:FIELD][ where EXPR]\n"
	    "                          count, sum, avg, min, max, distinct,\n"
	    "                          approx_distinct, count_true, rate_true\n"
	    "                          (repeat it; default count, or with\n"
	    "                          --schema count and sum, avg of its metrics);\n"
	    "                          with a where, over the events EXPR holds for\n"
	    "      --where EXPR        window only the events EXPR holds for; the\n"
	    "                          others are counted filtered\n"
	    "      --late FILE         append late events here, with why\n"
	    "      --idle-timeout DUR  no input for DUR: the watermark moves on\n"
	    "                          with the clock\n"
	    "      --mode MODE         append (default): a window once, final;\n"
	    "                          update: also its values so far, every\n"
	    "                          --trigger, marked final false\n"
	    "      --trigger DUR       how often (default 1s)\n"
	    "      --round PLACES      averages to PLACES decimals (0 to 9), half\n"
	    "                          away from zero, from the exact sum\n"
	    "      --health FILE       append the stream's health (a JSON line)\n"
	    "                          every --trigger\n"
	    "      --name NAME         the stream's name in its --health lines\n"
	    "                          (what it feeds: a table, a job)\n"
	    "  -o, --output FILE       write here, not to stdout\n"
	    STATS_HELP
	    "\n"
	    "Kafka:\n"
	    "  -b, --brokers LIST      bootstrap servers (default $KAFKA_BROKERS)\n"
	    "  -t, --topic NAME        read this topic (repeat for more)\n"
	    "  -G, --group-id NAME     the consumer group\n"
	    "  -X, --property KEY=VALUE  a librdkafka property\n"
	    "      --from WHERE        with no committed offset: earliest\n"
	    "                          (default) or latest\n"
	    "      --stop-at-end       stop once every partition is read to its\n"
	    "                          end, writing every window\n"
	    "      --checkpoint DIR    save windows and offsets here every\n"
	    "                          --trigger; start from what is saved\n"
	    "      --reset-past-end    a partition whose checkpoint is past its\n"
	    "                          end (the topic made again): read afresh\n"
	    "                          from --from (default: exit 1)\n"
	    "      --keep-past-end     the same, keeping its saved windows: the\n"
	    "                          new topic goes on with the same stream\n"
	    "      --drain DUR         stopped by a signal: first read what the\n"
	    "                          topic held then, for DUR at most\n"
	    "                          (default 5s; 0: stop at once)\n"
	    "      --timeout DUR       the brokers must answer within DUR, at the\n"
	    "                          start and whenever they go down (default\n"
	    "                          30s; a bare number: seconds); else exit 1\n",
	.versions = kafka_versions,
	.takes = TAKES_FILTER | TAKES_JOBS,
};

enum {
	OPT_TIME = OPT_PROGRAM, OPT_SIZE, OPT_SLIDE, OPT_GAP, OPT_WATERMARK,
	OPT_LATE, OPT_IDLE, OPT_MODE, OPT_TRIGGER, OPT_METRICS, OPT_FROM,
	OPT_STOP, OPT_CHECKPOINT, OPT_TIMEOUT, OPT_DRAIN, OPT_WHERE,
	OPT_RESET_PAST_END, OPT_KEEP_PAST_END, OPT_ROUND, OPT_NAME, OPT_HEALTH
};

static int64_t
duration(const char *opt, const char *arg, int zero_ok)
{
	return opt_duration(opt, arg, NULL, zero_ok ? 0 : 1);
}

/*
 * Is arg, given as --health's file, a metric spec ([NAME=]AGG:FIELD,
 * NAME=AGG) that was meant for -m?  "--metrics sum:amount", a one-letter
 * slip, would otherwise write a file of that name.  ("./sum:amount" is a
 * file.)
 */
static int
metric_like(const char *arg)
{
	const char *eq = strchr(arg, '='), *agg = eq ? eq + 1 : arg;
	size_t n = strcspn(agg, ": ");
	char word[32];
	enum agg_kind k;

	if ((eq == NULL && agg[n] != ':') || n == 0 || n >= sizeof word)
		return 0;
	memcpy(word, agg, n);
	word[n] = '\0';
	return agg_parse(word, &k) == 0;
}

/* End of input: every window is final. */
static void
finish(struct filter *f, void *ctx)
{
	struct run *rn = ctx;

	(void)f;
	window_columns(rn);
	window_advance(rn, rn->parts[0], W_END);
	if (rn->metrics != NULL)
		window_metrics_line(rn);
}

/* The metrics asked for, else the defaults: count, and with a schema the
   sum and average of each of its analysis metrics, and its revenue. */
static void
set_metrics(struct run *rn, const char **specs, size_t n,
    const struct schema *sc)
{
	struct buf b = { 0 };
	char err[512], rev[512];
	const char **defaults = NULL;

	if (n == 0) {
		size_t nm = sc != NULL ? sc->analysis.nmetrics : 0, made;

		defaults = ecalloc(2 + 2 * nm, sizeof *defaults);
		defaults[n++] = "count";
		for (size_t i = 0; i < nm; i++) {
			buf_printf(&b, "sum:%s", sc->analysis.metrics[i]);
			buf_addc(&b, '\0');
			buf_printf(&b, "avg:%s", sc->analysis.metrics[i]);
			buf_addc(&b, '\0');
		}
		made = 2 * nm;
		if (sc != NULL && schema_revenue_metric(sc, rev, sizeof rev)) {
			buf_adds(&b, rev);
			buf_addc(&b, '\0');
			made++;
		}
		for (size_t i = 0, off = 0; i < made; i++) {
			defaults[n++] = b.p + off;
			off += strlen(b.p + off) + 1;
		}
		specs = defaults;
	}
	rn->m = ecalloc(n, sizeof *rn->m);
	for (size_t i = 0; i < n; i++) {
		if (metric_parse(specs[i], sc, &rn->m[i], err, sizeof err) < 0)
			usage_error("%s", err);
		rn->nm++;
		rn->m[i].key_part = -1;
		rn->m[i].in = rn->m[i].field ? infield_of(&rn->in, &rn->nin,
		    rn->m[i].field, metric_need(rn->m[i].kind)) : -1;
	}
	/* A declared decimal is rounded to its scale as it is read, as
	   every program reads it (sluice-schema(5), Numbers). */
	infields_declare(rn->in, rn->nin, sc);
	free(defaults);
	buf_free(&b);
}

/* --stats: the run's own counts; from Kafka, what it left in the topic
   (by partition; null when not known). */
static json_t *
run_stats(const struct run *rn)
{
	json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:I}", "aggregated",
	    (json_int_t)rn->aggregated, "late", (json_int_t)rn->nlate,
	    "partly_late", (json_int_t)rn->partly, "windows",
	    (json_int_t)rn->windows, "rows", (json_int_t)rn->rows);

	if (rn->left_by != NULL) {
		/* Left: not read, some of it gone for good (gone). */
		json_object_set_new(j, "left_in_topic", rn->lag >= 0 ?
		    json_integer(rn->lag) : json_null());
		json_object_set_new(j, "gone_unread", json_integer(rn->gone));
		json_object_set(j, "left_by_partition", rn->left_by);
	}
	return j;
}

/* The options that decide what the windows hold, as checkpoints keep
   them: one made with others is refused. */
static char *
config_text(const struct run *rn)
{
	struct buf b = { 0 };
	char *s;

	buf_printf(&b, "time=%s size=%lld slide=%lld session-gap=%lld "
	    "watermark=%lld group=", rn->time_field ? rn->time_field : "now",
	    (long long)rn->size, (long long)rn->slide, (long long)rn->gap,
	    (long long)rn->delay);
	for (size_t i = 0; i < rn->ndims; i++)
		buf_printf(&b, "%s%s", i ? "," : "", rn->dims[i]);
	buf_adds(&b, " metrics=");
	for (size_t i = 0; i < rn->nm; i++)
		buf_printf(&b, "%s%s=%s%s%s%s%s", i ? "," : "", rn->m[i].name,
		    agg_name(rn->m[i].kind), rn->m[i].field ? ":" : "",
		    rn->m[i].field ? rn->m[i].field : "", rn->m[i].where ?
		    " where " : "", rn->m[i].where ? rn->m[i].where : "");
	if (rn->f->where != NULL)
		buf_printf(&b, " where=%s", where_text(rn->f->where));
	s = estrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "time", required_argument, NULL, OPT_TIME },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "slide", required_argument, NULL, OPT_SLIDE },
		{ "session-gap", required_argument, NULL, OPT_GAP },
		{ "watermark", required_argument, NULL, OPT_WATERMARK },
		{ "group", required_argument, NULL, 'g' },
		{ "metric", required_argument, NULL, 'm' },
		{ "late", required_argument, NULL, OPT_LATE },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "trigger", required_argument, NULL, OPT_TRIGGER },
		{ "health", required_argument, NULL, OPT_HEALTH },
		/* The old spelling, for one release. */
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "output", required_argument, NULL, 'o' },
		{ "brokers", required_argument, NULL, 'b' },
		{ "topic", required_argument, NULL, 't' },
		{ "property", required_argument, NULL, 'X' },
		{ "group-id", required_argument, NULL, 'G' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "stop-at-end", no_argument, NULL, OPT_STOP },
		{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "drain", required_argument, NULL, OPT_DRAIN },
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "reset-past-end", no_argument, NULL, OPT_RESET_PAST_END },
		{ "keep-past-end", no_argument, NULL, OPT_KEEP_PAST_END },
		{ "round", required_argument, NULL, OPT_ROUND },
		{ "name", required_argument, NULL, OPT_NAME },
		STATS_LONGOPT,
		{ 0 }
	};
	struct common_opts co = { 0 };
	struct run rn = { 0 };
	struct filter f = { 0 };
	struct consume_opts ko = { 0 };
	const char **mspecs = ecalloc((size_t)argc + 1, sizeof *mspecs);
	const char *late = NULL, *time_arg = NULL, *metrics = NULL;
	const char *where = NULL;
	struct schema *sc = NULL;
	size_t nmspecs = 0;
	char err[512], *config = NULL, *end;
	int c, status, kafka, drain_set = 0;
	long round;

	diag_init(argv[0]);
	ko.topics = ecalloc((size_t)argc + 1, sizeof *ko.topics);
	ko.props = ecalloc((size_t)argc + 1, sizeof *ko.props);
	ko.timeout = 30;
	ko.drain = 5;
	rn.round = -1;
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "g:m:o:b:t:G:X:",
	    longopts, NULL)) != -1)
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
		case OPT_GAP:
			rn.gap = duration("--session-gap", optarg, 0);
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
			opt_old("--metrics FILE", "--health FILE");
			/* FALLTHROUGH */
		case OPT_HEALTH:
			if (metric_like(optarg))
				usage_error("%s %s: a metric is -m %s (--metric); "
				    "--health takes a file (./%s to mean one)",
				    c == OPT_METRICS ? "--metrics" : "--health",
				    optarg, optarg, optarg);
			metrics = optarg;
			break;
		case 'o':
			f.output = optarg;
			break;
		case 'b':
			ko.brokers = optarg;
			break;
		case 't':
			ko.topics[ko.ntopics++] = optarg;
			break;
		case 'G':
			ko.group = optarg;
			break;
		case 'X':
			ko.props[ko.nprops++] = optarg;
			break;
		case OPT_FROM:
			if (strcmp(optarg, "earliest") != 0 &&
			    strcmp(optarg, "latest") != 0)
				usage_error("--from: earliest or latest, not \"%s\"",
				    optarg);
			ko.from = optarg;
			break;
		case OPT_STOP:
			ko.stop_at_end = 1;
			break;
		case OPT_CHECKPOINT:
			ko.checkpoint = optarg;
			break;
		case OPT_RESET_PAST_END:
			ko.reset_past_end = PAST_END_DROP;
			break;
		case OPT_KEEP_PAST_END:
			ko.reset_past_end = PAST_END_KEEP;
			break;
		case OPT_WHERE:
			where = optarg;
			break;
		case OPT_DRAIN:
			ko.drain = (double)duration("--drain", optarg, 1) / 1e6;
			drain_set = 1;
			break;
		case OPT_NAME:
			/* Written into JSON as it is: plain names only. */
			if (*optarg == '\0' || optarg[strspn(optarg,
			    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_-.:/")] != '\0')
				usage_error("--name: letters, digits and _-.:/ "
				    "only, not \"%s\"", optarg);
			rn.name = optarg;
			break;
		case OPT_ROUND:
			round = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || round < 0 ||
			    round > 9)
				usage_error("--round: decimals, 0 to 9, not \"%s\"",
				    optarg);
			rn.round = (int)round;
			break;
		case OPT_TIMEOUT:
			ko.timeout = (double)opt_duration("--timeout", optarg,
			    "s", 1) / 1e6;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	if (co.schema != NULL && (sc = schema_load(co.schema, err,
	    sizeof err)) == NULL)
		fatal(schema_load_status(), "%s", err);
	if (sc != NULL) {
		/* Said in the --health lines: which dataset the stream is,
		   for a dashboard to read its analysis. */
		json_t *js = json_string(co.schema);

		rn.schema_json = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
		json_decref(js);
	}
	if (time_arg == NULL && sc != NULL)
		time_arg = sc->analysis.timestamp;
	if (time_arg == NULL)
		usage_error("which field is the event time? --time FIELD (or "
		    "--time now)");
	if (rn.dims == NULL && sc != NULL) {
		rn.dims = ecalloc(sc->analysis.ndimensions + 1, sizeof *rn.dims);
		for (size_t i = 0; i < sc->analysis.ndimensions; i++)
			rn.dims[rn.ndims++] = estrdup(sc->analysis.dimensions[i]);
	}
	if (rn.gap > 0 && (rn.size > 0 || rn.slide > 0))
		usage_error("--session-gap makes session windows: no --size or "
		    "--slide with it");
	if (rn.gap > 0 && rn.update)
		usage_error("--mode update with --session-gap: a session's start "
		    "and end move as it grows and merges, so rows written "
		    "before could never be replaced (Spark refuses it too)");
	if (rn.size == 0 && rn.gap == 0)
		usage_error("how long are the windows? --size DUR (or "
		    "--session-gap DUR)");
	if (rn.slide == 0)
		rn.slide = rn.size;
	if (rn.slide > rn.size)
		usage_error("--slide is longer than --size: events between "
		    "windows would belong to none");
	rn.time_field = strcmp(time_arg, "now") == 0 ? NULL : time_arg;
	set_metrics(&rn, mspecs, nmspecs, sc);
	{
		const char **cols = ecalloc(rn.ndims + 4, sizeof *cols);

		cols[0] = "window_start";
		cols[1] = "window_end";
		cols[2] = rn.update ? "final" : NULL;
		for (size_t i = 0; i < rn.ndims; i++)
			cols[3 + i] = rn.dims[i];
		if (metrics_check_names(rn.m, rn.nm, cols, rn.ndims + 3, err,
		    sizeof err) < 0)
			usage_error("%s", err);
		free(cols);
	}
	if (metrics_filtered(rn.m, rn.nm))
		rn.on = ecalloc(rn.nm + 1, 1);
	if (where != NULL)
		f.where = ewhere(where, sc);
	kafka = ko.ntopics > 0 || ko.brokers != NULL || ko.group != NULL;
	if (kafka && co.jobs > 1)
		usage_error("-j reads files and stdin with threads; from Kafka "
		    "start more processes with the same -G (each takes its "
		    "share of the partitions)");
	if (kafka) {
		if (ko.brokers == NULL)
			ko.brokers = getenv("KAFKA_BROKERS");
		if (ko.brokers == NULL || *ko.brokers == '\0')
			usage_error("which Kafka? -b BROKERS, or KAFKA_BROKERS");
		if (ko.ntopics == 0)
			usage_error("which topic? -t TOPIC");
		if (ko.group == NULL)
			usage_error("which consumer group? -G GROUP (it keeps the "
			    "offsets read, and shares the partitions among "
			    "processes)");
		if (optind < argc)
			usage_error("files and Kafka both: read one or the other");
	} else if (ko.checkpoint != NULL || ko.reset_past_end) {
		usage_error("--checkpoint needs Kafka (-b, -t, -G): a pipe "
		    "cannot be read again from a saved place");
	} else if (ko.from != NULL || ko.stop_at_end || ko.nprops > 0 ||
	    drain_set) {
		usage_error("--from, --stop-at-end, --drain and -X are for Kafka "
		    "(-b, -t, -G)");
	}
	rn.parsed = ecalloc(rn.nin + 1, sizeof *rn.parsed);
	if (rn.trigger == 0)
		rn.trigger = 1;
	if (metrics != NULL && (rn.metrics = out_open(metrics, OUT_APPEND,
	    0)) == NULL)
		return 1;
	if ((rn.late = rej_open(late)) == NULL)
		return 1;
	rn.late_path = late;
	rn.last_metrics = now_seconds();
	rn.lag = -1;
	rn.next_trigger = rn.last_metrics + rn.trigger;
	stop_on_signals();
	rn.f = &f;
	f.co = &co;
	f.own_summary = 1;
	if (kafka) {
		ko.config = config = config_text(&rn);
		status = consume(&rn, &ko);
	} else {
		/* Triggers and the idle timeout on time, at any rate. */
		if (rn.idle > 0 || rn.update || rn.metrics != NULL)
			src_on_clock(window_clock, &rn);
		rn.parts = ecalloc(1, sizeof *rn.parts);
		rn.parts[rn.nparts++] = part_new(&rn, NULL, 0);
		f.finish = finish;
		/* -j: threads read, this one puts into the windows. */
		f.worker_new = window_worker_new;
		f.worker_free = window_worker_free;
		f.later = window_later;
		/* Late without --late: only said, with its place. */
		f.later_place_only = late == NULL;
		f.only_finish = 1;
		status = filter_run(&f, argv + optind, argc - optind,
		    window_each, &rn);
	}
	if (rej_close(rn.late) < 0)
		status = 1;
	if (rn.metrics != NULL && out_close(rn.metrics) < 0)
		status = 1;
	/* out: aggregated, so in = out + late + rejected + filtered. */
	f.t.out = rn.aggregated;
	if (stats_summary(co.stats, &f.t, run_stats(&rn), co.quiet) < 0)
		status = 1;
	for (size_t i = 0; i < rn.nparts; i++)
		part_free(&rn, rn.parts[i]);
	free(rn.parts);
	window_homes_free(&rn);
	finder_free(&rn.find);
	free(rn.names);
	metrics_free(rn.m, rn.nm);
	infields_free(rn.in, rn.nin);
	free(rn.parsed);
	free(rn.on);
	json_decref(rn.left_by);
	where_free(f.where);
	opt_list_free(rn.dims, rn.ndims);
	rec_free(&rn.row);
	buf_free(&rn.key);
	buf_free(&rn.scratch);
	free(mspecs);
	free(ko.topics);
	free(ko.props);
	free(config);
	schema_free(sc);
	free(rn.schema_json);
	return status;
}
