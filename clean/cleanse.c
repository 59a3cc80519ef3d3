/*
 * cleanse - normalise and validate records, diverting the bad ones with
 * every reason, and account for each record: in = out + rejected +
 * duplicates + filtered (--where).  See cleanse(1).
 *
 * Without a schema, the retail cleansing (retail.c); with one,
 * versions, types, dimensions, rules, dedup and enrichment
 * (schema_mode.c).  The run's metrics: metrics.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanse.h"

static const struct program prog = {
	.synopsis = "cleanse [options] [FILE...]",
	.help =
	    "Normalise and validate records; divert the bad ones with their\n"
	    "reasons.  Without --schema, the retail rules: product\n"
	    "from product or item (blank: UNKNOWN), order_date from the first\n"
	    "of order_date, date, order_time, timestamp, event_time, amount\n"
	    "as given or quantity * unit_price, to the cent.\n"
	    "\n"
	    "With --schema: older versions upgraded to the latest, each field\n"
	    "in its type, dimensions trimmed (blank: UNKNOWN), the timestamp's\n"
	    "date added, the schema's rules checked, its enrichments added.\n"
	    "\n"
	    "Options:\n"
	    "  -o, --output FILE       write to FILE instead of stdout\n"
	    "      --dedup F[,F...]    drop records whose key was seen before\n"
	    "      --seen FILE         with --dedup: keys seen before this run,\n"
	    "                          one a line (several fields: their values\n"
	    "                          apart by tabs); such records are\n"
	    "                          duplicates too\n"
	    "      --late-after DUR    add late_arrival: the event time is older\n"
	    "                          than the newest seen less DUR (10m)\n"
	    "      --metrics FILE      append the run's metrics (a JSON line)\n"
	    "      --min-valid PCT     DEGRADED below PCT% valid (default 95)\n"
	    "      --warn-rule PCT     warn when a rule rejects more than PCT%\n"
	    "                          of records (default 10)\n"
	    "      --where EXPR        keep only the clean records EXPR holds\n"
	    "                          for (event_type == 'purchase'); the\n"
	    "                          others are counted filtered\n"
	    STATS_HELP,
	.takes = TAKES_FILTER | TAKES_JOBS,
};

enum { OPT_DEDUP = OPT_PROGRAM, OPT_LATE, OPT_METRICS, OPT_MIN_VALID,
	OPT_WARN_RULE, OPT_WHERE, OPT_SEEN };

/* A percentage option, 0 to 100. */
static double
opt_percent(const char *opt, const char *arg)
{
	char *end;
	double d = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(d >= 0 && d <= 100))
		usage_error("%s: expected a percentage from 0 to 100, not "
		    "\"%s\"", opt, arg);
	return d;
}

/*
 * Add the keys listed in path to seen: a key a line, the values of its
 * nfields fields apart by tabs, stored as the dedup keeps a key (each
 * value and a NUL).  A CR before the newline and blank lines are left
 * out.  Exits 1 when the file cannot be read or a line has another
 * number of values.
 */
static void
load_seen(struct strset *seen, const char *path, size_t nfields)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t len;

	if (fp == NULL)
		fatal(1, "--seen: %s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, fp)) >= 0) {
		size_t tabs = 0;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0)
			continue;
		for (ssize_t i = 0; i < len; i++)
			if (line[i] == '\t') {
				line[i] = '\0';	/* fields apart, as a key */
				tabs++;
			}
		if (tabs + 1 != nfields) {
			diag_at(path, lineno, "--seen: %zu value%s, --dedup "
			    "names %zu field%s", tabs + 1, tabs ? "s" : "",
			    nfields, nfields == 1 ? "" : "s");
			exit(1);
		}
		strset_add(seen, line, (size_t)len + 1);
	}
	if (ferror(fp))
		fatal(1, "--seen: %s: %s", path, strerror(errno));
	fclose(fp);
	free(line);
}

/* -j: each thread's context, like the first. */
static void *
smode_worker_new(void *ctx)
{
	return smode_worker(ctx);
}

static void
smode_worker_free(void *wctx, void *ctx)
{
	smode_worker_done(wctx, ctx);
}

static void *
retail_worker_new(void *ctx)
{
	(void)ctx;
	return retail_new();
}

static void
retail_worker_free(void *wctx, void *ctx)
{
	(void)ctx;
	retail_free(wctx);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "dedup", required_argument, NULL, OPT_DEDUP },
		{ "late-after", required_argument, NULL, OPT_LATE },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "min-valid", required_argument, NULL, OPT_MIN_VALID },
		{ "warn-rule", required_argument, NULL, OPT_WARN_RULE },
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "seen", required_argument, NULL, OPT_SEEN },
		STATS_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct cleanse_opts opt = { .late_after = -1 };
	struct cleanse_report rp = { .min_valid = 95, .warn_rule = 10 };
	const char *metrics = NULL, *where = NULL;
	char **seen_files = ecalloc((size_t)argc, sizeof *seen_files);
	size_t nseen_files = 0;
	struct strset seen = { 0 };
	struct cleanse_stats st = { 0 };
	struct counts reasons = { 0 };
	struct schema *s = NULL;
	struct smode *sm = NULL;
	struct retail *rt = NULL;
	const char **rules = NULL;
	char err[512];
	struct common_opts co = { 0 };
	struct filter f = { 0 };
	int c, status;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "o:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'o':
			f.output = optarg;
			break;
		case OPT_DEDUP:
			opt.dedup = optarg;
			break;
		case OPT_LATE:
			opt.late_after = opt_duration("--late-after", optarg,
			    NULL, 0);
			break;
		case OPT_METRICS:
			metrics = optarg;
			break;
		case OPT_MIN_VALID:
			rp.min_valid = opt_percent("--min-valid", optarg);
			break;
		case OPT_WARN_RULE:
			rp.warn_rule = opt_percent("--warn-rule", optarg);
			break;
		case OPT_WHERE:
			where = optarg;
			break;
		case OPT_SEEN:
			seen_files[nseen_files++] = optarg;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	}
	f.co = &co;
	f.plain_cells = 1;	/* the cells it passes on are written again */
	/* -o appears whole or not at all; a stop (SIGINT, SIGTERM) before
	   the end of input leaves it as it was (on stdout, the records
	   passed on stay passed on): exit 1. */
	f.atomic = 1;
	stop_on_signals();
	f.reasons = &reasons;
	if (co.schema == NULL && opt.dedup != NULL)
		usage_error("--dedup needs --schema (the key's fields)");
	if (opt.dedup == NULL && nseen_files > 0)
		usage_error("--seen needs --dedup (the key's fields)");
	if (co.schema == NULL && opt.late_after >= 0)
		usage_error("--late-after needs --schema (its event time)");
	/* Opened first: a run that cannot report fails before it starts. */
	if (metrics != NULL && (rp.out = out_open(metrics, OUT_APPEND, 0)) ==
	    NULL) {
		free(seen_files);
		return 1;
	}
	if (co.schema != NULL) {
		if ((s = schema_load(co.schema, err, sizeof err)) == NULL) {
			fprintf(stderr, "%s: %s\n", progname, err);
			if (rp.out != NULL)
				out_discard(rp.out);
			free(seen_files);
			return schema_load_status();
		}
		if (opt.late_after >= 0 && s->analysis.timestamp == NULL)
			fatal(2, "--late-after: %s names no analysis.timestamp",
			    s->name);
		if (where != NULL)
			f.where = ewhere(where, s);
		if (nseen_files > 0) {
			size_t nkey;
			char **key = opt_list(opt.dedup, &nkey);

			opt_list_free(key, nkey);
			for (size_t i = 0; i < nseen_files; i++)
				load_seen(&seen, seen_files[i], nkey);
			opt.seen = &seen;
		}
		sm = smode_new(s, &opt);
		f.seen = smode_seen(sm);
		f.later = smode_later;
		f.worker_new = smode_worker_new;
		f.worker_free = smode_worker_free;
		status = filter_run(&f, argv + optind, argc - optind,
		    smode_each, sm);
		smode_stats(sm, &st);
		rp.st = &st;
		rp.schema = s->name;
		rp.nrules = json_array_size(s->rules);
		rules = ecalloc(rp.nrules + 1, sizeof *rules);
		for (size_t i = 0; i < rp.nrules; i++)
			rules[i] = json_string_value(json_object_get(
			    json_array_get(s->rules, i), "name"));
		rp.rules = rules;
	} else {
		if (where != NULL)
			f.where = ewhere(where, NULL);
		rt = retail_new();
		f.worker_new = retail_worker_new;
		f.worker_free = retail_worker_free;
		status = filter_run(&f, argv + optind, argc - optind,
		    retail_each, rt);
	}
	rp.f = &f;
	rp.inputs = argv + optind;
	rp.ninputs = argc - optind;
	rp.late_after = opt.late_after;
	if (cleanse_report(&rp) < 0)
		status = 1;
	free(rules);
	free(seen_files);
	strset_free(&seen);
	counts_free(&reasons);
	where_free(f.where);
	if (sm != NULL)
		smode_free(sm);
	if (rt != NULL)
		retail_free(rt);
	schema_free(s);
	return status;
}
