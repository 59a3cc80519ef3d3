/*
 * schema-gen - synthetic records from a schema file: one file per day, a
 * stream on stdout, or a live feed at a rate.  See schema-gen(1) and
 * sluice-schema(5).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gen.h"
#include "sluice.h"

static const struct program prog = {
	.synopsis = "schema-gen [options] SCHEMA\n"
	    "       schema-gen --list",
	.help =
	    "Generate synthetic records from a schema file, or a bundled\n"
	    "schema by name (retail, card_transactions, ecommerce, ...).\n"
	    "\n"
	    "Options:\n"
	    "  -n, --records N         N records in all, shared among the days\n"
	    "                          (live: N records, then stop)\n"
	    "      --per-day N         N records a day, times the day's weekday\n"
	    "                          weight (default: the schema's records)\n"
	    "  -s, --seed N            the generator's seed (default: the schema's)\n"
	    "      --start YYYY-MM-DD  first day (default: the schema's, else "
	    "today)\n"
	    "      --days D            days (default: the schema's)\n"
	    "  -d, --dir DIR           one file per day: DIR/NAME_DATE.csv\n"
	    "      --clear             first remove this dataset's files in DIR\n"
	    "  -c, --codec CODEC       gzip (its fast level) or none (default)\n"
	    "      --rate N            live: N records a second, stamped now,\n"
	    "                          until -n records or a signal\n"
	    "      --roll-rows N       live with -d: a new file every N records\n"
	    "      --truth FILE        write each injected anomaly (JSON Lines)\n"
	    "      --anomalies RATE    inject anomalies at RATE (0: none)\n"
	    "      --as-version N      records as version N of the schema had them\n"
	    "      --validate          check the schema and exit\n"
	    "      --describe          list its fields: name, type, generator\n"
	    "      --sample N          show N records as a table and exit\n"
	    "      --list              list the bundled schemas\n"
	    STATS_HELP,
	/* --schema: the schema, as the argument would be */
	.takes = TAKES_FORMAT | TAKES_SCHEMA | TAKES_QUIET | TAKES_JOBS,
};

enum {
	OPT_START = OPT_PROGRAM, OPT_DAYS, OPT_CLEAR, OPT_RATE, OPT_ROLL,
	OPT_TRUTH, OPT_VALIDATE, OPT_SAMPLE, OPT_LIST, OPT_DESCRIBE,
	OPT_ANOMALIES, OPT_AS_VERSION, OPT_PER_DAY, OPT_ROLL_ROWS, OPT_OLD_GZIP
};

struct opts {
	struct common_opts common;
	long long records;	/* -n: in all; -1: not given */
	long long per_day;	/* --per-day; -1: not given */
	long long seed;
	int seed_set;
	const char *start;
	long long days;		/* -1: the schema's */
	const char *dir;
	int clear, gzip, validate, list, describe;
	double rate;
	long long roll;
	const char *truth;
	long long sample;	/* -1: no */
	double anomalies;	/* -1: the schema's rate */
	long long as_version;	/* 0: the latest */
};

struct run {
	struct opts *o;
	struct schema *s;
	struct generator *g;
	struct out *truth;
	uint64_t records, anomalies, duplicates, files;
	int status;
	enum gen_count how;	/* how a day's records are counted */
	uint64_t per_day;	/* GEN_A_DAY: every day's */
	uint64_t *quota;	/* GEN_EXACT: day k's share of -n */
	unsigned char *keep;	/* --as-version: per field, in that version */
	int version_field;	/* its index, or -1 */
	struct rec old;		/* the record as that version had it */
	struct gen_jobs *gj;	/* -j: the threads, or NULL: this one */
};

/* --as-version N: which fields version N had.  0, or -1 with a message. */
static int
set_version(struct run *rn)
{
	const struct schema *s = rn->s;
	long long n = rn->o->as_version;
	size_t k;

	if (s->nversions == 0) {
		diag("--as-version: %s has no versions", s->name);
		return -1;
	}
	for (k = 0; k < s->nversions && s->version_numbers[k] != n; k++)
		;
	if (k == s->nversions) {
		struct buf b = { 0 };

		for (k = 0; k < s->nversions; k++)
			buf_printf(&b, "%s%lld", k ? ", " : "",
			    s->version_numbers[k]);
		diag("--as-version: %s has no version %lld (it has %s)",
		    s->name, n, buf_cstr(&b));
		buf_free(&b);
		return -1;
	}
	rn->keep = ecalloc(s->nfields, 1);
	for (size_t i = 0; i < s->nfields; i++)
		rn->keep[i] = s->since[i] <= n;
	rn->version_field = s->version_field ?
	    schema_field_index(s, s->version_field) : -1;
	rec_init(&rn->old);
	return 0;
}

/*
 * The record to write: r itself, or with --as-version the fields that
 * version had, its number in the version field.
 */
static const struct rec *
as_version(struct run *rn, const struct rec *r)
{
	if (rn->keep == NULL)
		return r;
	rec_clear(&rn->old);
	rn->old.layout = r->layout;
	for (size_t i = 0; i < r->n && i < rn->s->nfields; i++) {
		if ((int)i == rn->version_field)
			rec_add(&rn->old, r->f[i].name,
			    val_int(rn->o->as_version));
		else if (rn->keep[i])
			rec_add(&rn->old, r->f[i].name, r->f[i].v);
	}
	rn->old.layout = r->layout;
	return &rn->old;
}

static void
write_truth(struct run *rn, const struct rec *r, const struct anomaly *a,
    int64_t day)
{
	struct out *t = rn->truth;
	char date[TS_BUFSZ];
	struct val *id;

	if (t == NULL)
		return;
	ts_format_date(date, day * TS_US_PER_DAY);
	out_puts(t, "{\"date\":\"");
	out_puts(t, date);
	out_puts(t, "\",\"record\":");
	{
		char num[NUM_BUFSZ];

		out_write(t, num, num_fmt_int(num,
		    (int64_t)gen_record_number(rn->g)));
	}
	out_puts(t, ",\"id\":");
	id = rn->s->id ? rec_get(r, rn->s->id) : NULL;
	if (id != NULL)
		jw_val(t, id);
	else
		out_puts(t, "null");
	out_puts(t, ",\"kind\":");
	jw_string(t, a->kind, strlen(a->kind));
	out_puts(t, ",\"field\":");
	if (a->field != NULL)
		jw_string(t, a->field, strlen(a->field));
	else
		out_puts(t, "null");
	out_puts(t, "}\n");
}

/*
 * Generate the k-th day from first into w, its records as -n or --per-day
 * say.  Returns 0, or -1 when the output failed.
 */
static int
one_day(struct run *rn, struct out *out, struct writer *w, int64_t first,
    long long k)
{
	struct rec r;
	struct anomaly a;
	int64_t day = first + k;
	int dup;

	if (rn->gj != NULL) {
		struct gen_tally t = { 0 };
		int rc = gen_jobs_day(rn->gj, rn->g, w, out, day,
		    rn->quota != NULL ? rn->quota[k] : rn->per_day, rn->how,
		    &t);

		rn->records += t.records;
		rn->anomalies += t.anomalies;
		rn->duplicates += t.duplicates;
		return rc;
	}
	rec_init(&r);
	gen_day(rn->g, day, rn->quota != NULL ? rn->quota[k] : rn->per_day,
	    rn->how);
	while (gen_next(rn->g, &r, -1, &dup, &a)) {
		/* The truth line names the record before its duplicate. */
		if (a.kind != NULL) {
			rn->anomalies++;
			write_truth(rn, &r, &a, day);
		}
		if (dup)
			rn->duplicates++;
		if (wr_put(w, as_version(rn, &r)) == WR_ERR) {
			rec_free(&r);
			return -1;
		}
		rn->records++;
	}
	rec_free(&r);
	return 0;
}

static const char *
extension(const struct opts *o)
{
	if (o->common.out_fmt == FMT_JSONL)
		return o->gzip ? ".jsonl.gz" : ".jsonl";
	return o->gzip ? ".csv.gz" : ".csv";
}

/* Does s start with the shape, '9' a digit, other bytes themselves? */
static size_t
shaped(const char *s, const char *shape)
{
	size_t i;

	for (i = 0; shape[i]; i++)
		if (shape[i] == '9' ? !(s[i] >= '0' && s[i] <= '9') :
		    s[i] != shape[i])
			return 0;
	return i;
}

/*
 * Is name one of this dataset's files: NAME_YYYY-MM-DD or a live file
 * NAME_YYYYMMDDTHHMMSSZ_NNNNNN, then .csv or .jsonl, maybe .gz?  (Not
 * NAME_other_..., which may be another dataset's: retail_transactions.)
 */
static int
ours(const char *dataset, const char *name)
{
	size_t dl = strlen(dataset), k;
	static const char *const exts[] = { ".csv", ".csv.gz", ".jsonl",
	    ".jsonl.gz", NULL };
	const char *rest;

	if (strncmp(name, dataset, dl) != 0 || name[dl] != '_')
		return 0;
	rest = name + dl + 1;
	if ((k = shaped(rest, "9999-99-99")) == 0 &&
	    (k = shaped(rest, "99999999T999999Z_999999")) == 0)
		return 0;
	for (int i = 0; exts[i]; i++)
		if (strcmp(rest + k, exts[i]) == 0)
			return 1;
	return 0;
}

static int
clear_dir(const char *dir, const char *dataset, int quiet)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0, rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		struct buf path = { 0 };

		if (!ours(dataset, e->d_name))
			continue;
		buf_printf(&path, "%s/%s", dir, e->d_name);
		if (unlink(buf_cstr(&path)) < 0) {
			diag("%s: %s", path.p, strerror(errno));
			rc = -1;
		} else {
			removed++;
		}
		buf_free(&path);
	}
	closedir(d);
	if (!quiet && removed > 0)
		diag("removed %d old file%s of %s from %s", removed,
		    removed == 1 ? "" : "s", dataset, dir);
	return rc;
}

/*
 * How many records each day gets: -n N shared among the days (gen_spread()),
 * else --per-day or the schema's records a day.  Until the next release,
 * -n over several days says that it no longer means a day's count.
 */
static void
plan_days(struct run *rn, int64_t first, long long days)
{
	const struct opts *o = rn->o;

	if (o->records < 0) {
		rn->how = GEN_A_DAY;
		rn->per_day = o->per_day >= 0 ? (uint64_t)o->per_day :
		    (uint64_t)rn->s->records;
		return;
	}
	rn->how = GEN_EXACT;
	rn->quota = ecalloc((size_t)days, sizeof *rn->quota);
	gen_spread(rn->g, first, (size_t)days, (uint64_t)o->records,
	    rn->quota);
	if (days > 1)
		diag("-n %lld now counts the records in all (shared among "
		    "the %lld days); --per-day %lld is a day's count, what -n "
		    "was before 0.2.0 (this note goes in the next release)",
		    o->records, days, o->records);
}

/* One file per day into the folder. */
static void
by_day(struct run *rn, int64_t first, long long days)
{
	struct opts *o = rn->o;

	if (mkdir_p(o->dir) < 0) {
		rn->status = 1;
		return;
	}
	if (o->clear && clear_dir(o->dir, rn->s->name, o->common.quiet) < 0)
		rn->status = 1;
	for (long long k = 0; k < days && !stop_requested; k++) {
		char date[TS_BUFSZ];
		struct buf path = { 0 };
		struct out *out;
		struct writer *w;
		uint64_t before = rn->records;

		ts_format_date(date, (first + k) * TS_US_PER_DAY);
		buf_printf(&path, "%s/%s_%s%s", o->dir, rn->s->name, date,
		    extension(o));
		out = out_open(buf_cstr(&path), OUT_ATOMIC, o->gzip ? 1 : 0);
		if (out == NULL) {
			rn->status = 1;
			buf_free(&path);
			return;
		}
		w = wr_open(out, o->common.out_fmt);
		if (one_day(rn, out, w, first, k) < 0 || wr_close(w) < 0) {
			out_discard(out);
			rn->status = 1;
			buf_free(&path);
			return;
		}
		if (out_close(out) < 0) {
			rn->status = 1;
		} else if (!o->common.quiet) {
			diag("%s: %llu records", path.p,
			    (unsigned long long)(rn->records - before));
		}
		rn->files++;
		buf_free(&path);
	}
}

/* All days, one stream on stdout. */
static void
to_stdout(struct run *rn, int64_t first, long long days)
{
	struct out *out = out_open(NULL, 0, rn->o->gzip ? 1 : 0);
	struct writer *w = wr_open(out, rn->o->common.out_fmt);

	for (long long k = 0; k < days && !stop_requested; k++)
		if (one_day(rn, out, w, first, k) < 0)
			break;
	if (wr_close(w) < 0 || out_close(out) < 0)
		rn->status = 1;
}

/* Live: records stamped now, paced to the rate, to stdout or rolled files. */
static void
live(struct run *rn, uint64_t limit)
{
	struct opts *o = rn->o;
	struct out *out = NULL;
	struct writer *w = NULL;
	struct buf path = { 0 };
	struct rec r;
	struct anomaly a;
	uint64_t made = 0, in_file = 0, seq = 0;
	double t0 = now_seconds();
	int64_t today = wall_us() / TS_US_PER_DAY;
	int dup;

	if (o->dir != NULL && mkdir_p(o->dir) < 0) {
		rn->status = 1;
		return;
	}
	if (o->dir != NULL && o->clear &&
	    clear_dir(o->dir, rn->s->name, o->common.quiet) < 0)
		rn->status = 1;
	rec_init(&r);
	gen_day(rn->g, today, limit, GEN_EXACT);
	while (made < limit && !stop_requested) {
		double due = t0 + (double)made / o->rate, now = now_seconds();

		/* Sleep when ahead; what is made goes on first (live.h). */
		if (due > now + 0.001) {
			struct timespec ts;

			live_flush();
			if (out != NULL && out_failed(out))
				break;
			ts.tv_sec = (time_t)(due - now);
			ts.tv_nsec = (long)((due - now - (double)ts.tv_sec) *
			    1e9);
			nanosleep(&ts, NULL);
			continue;
		}
		if (out == NULL) {
			if (o->dir != NULL) {
				char stamp[TS_BUFSZ];
				size_t k = ts_format(stamp, wall_us());

				/* 2025-01-15T10:30:00Z -> 20250115T103000Z */
				path.n = 0;
				buf_printf(&path, "%s/%s_", o->dir,
				    rn->s->name);
				for (size_t i = 0; i < k && i < 19; i++)
					if (stamp[i] != '-' && stamp[i] != ':')
						buf_addc(&path, stamp[i]);
				buf_printf(&path, "Z_%06llu%s",
				    (unsigned long long)++seq, extension(o));
				out = out_open(buf_cstr(&path), OUT_ATOMIC,
				    o->gzip ? 1 : 0);
			} else {
				out = out_open(NULL, 0, o->gzip ? 1 : 0);
			}
			if (out == NULL) {
				rn->status = 1;
				break;
			}
			w = wr_open(out, o->common.out_fmt);
		}
		if (!gen_next(rn->g, &r, wall_us(), &dup, &a))
			break;
		if (a.kind != NULL) {
			rn->anomalies++;
			write_truth(rn, &r, &a, today);
		}
		rn->duplicates += dup != 0;
		if (wr_put(w, as_version(rn, &r)) == WR_ERR) {
			rn->status = 1;
			break;
		}
		made++;
		rn->records++;
		if (o->dir != NULL && ++in_file >= (uint64_t)o->roll) {
			if (wr_close(w) < 0 || out_close(out) < 0)
				rn->status = 1;
			else if (!o->common.quiet)
				diag("%s: %llu records", path.p,
				    (unsigned long long)in_file);
			rn->files++;
			w = NULL;
			out = NULL;
			in_file = 0;
		}
	}
	/* Stopped: what was made is kept (a last, short file too). */
	if (w != NULL && (wr_close(w) < 0 || out_close(out) < 0))
		rn->status = 1;
	else if (w != NULL && o->dir != NULL) {
		rn->files++;
		if (!o->common.quiet)
			diag("%s: %llu records", path.p,
			    (unsigned long long)in_file);
	}
	buf_free(&path);
	rec_free(&r);
}

/* --sample: records as an aligned table, for reading. */
static int
sample(struct run *rn, int64_t first, uint64_t n)
{
	struct rec *rows = ecalloc(n ? n : 1, sizeof *rows);
	struct buf scratch = { 0 };
	size_t nf = rn->s->nfields, *width = ecalloc(nf, sizeof *width);
	struct anomaly a;
	uint64_t got = 0;
	int dup;

	gen_day(rn->g, first, n, GEN_EXACT);
	for (size_t f = 0; f < nf; f++)
		width[f] = strlen(rn->s->fields[f].name);
	for (; got < n; got++) {
		rec_init(&rows[got]);
		if (!gen_next(rn->g, &rows[got], -1, &dup, &a))
			break;
		/* Values made into the generator's buffers change with the
		   next record: keep copies. */
		rec_own(&rows[got]);
		for (size_t f = 0; f < nf; f++) {
			size_t len;

			val_to_text(&rows[got].f[f].v, &scratch, &len);
			if (rows[got].f[f].v.type == VAL_NULL)
				len = 4;
			width[f] = len > width[f] ? (len < 40 ? len : 40) :
			    width[f];
		}
	}
	for (uint64_t i = 0; i <= got; i++) {
		for (size_t f = 0; f < nf; f++) {
			const char *s;
			size_t len;

			if (i == 0) {
				s = rn->s->fields[f].name;
				len = strlen(s);
			} else if (rows[i - 1].f[f].v.type == VAL_NULL) {
				s = "null";
				len = 4;
			} else {
				s = val_to_text(&rows[i - 1].f[f].v, &scratch,
				    &len);
			}
			printf("%s%-*.*s", f ? "  " : "", (int)width[f],
			    (int)(len > width[f] ? width[f] : len), s);
		}
		putchar('\n');
	}
	for (uint64_t i = 0; i <= got && i < n; i++)
		rec_free(&rows[i]);
	free(rows);
	free(width);
	buf_free(&scratch);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "records", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "codec", required_argument, NULL, 'c' },
		/* The old spellings, for one release. */
		{ "gzip", no_argument, NULL, OPT_OLD_GZIP },
		{ "start", required_argument, NULL, OPT_START },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "clear", no_argument, NULL, OPT_CLEAR },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "roll-rows", required_argument, NULL, OPT_ROLL_ROWS },
		{ "roll", required_argument, NULL, OPT_ROLL },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		{ "validate", no_argument, NULL, OPT_VALIDATE },
		{ "sample", required_argument, NULL, OPT_SAMPLE },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "describe", no_argument, NULL, OPT_DESCRIBE },
		{ "anomalies", required_argument, NULL, OPT_ANOMALIES },
		{ "as-version", required_argument, NULL, OPT_AS_VERSION },
		{ "per-day", required_argument, NULL, OPT_PER_DAY },
		STATS_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .records = -1, .per_day = -1, .days = -1,
	    .sample = -1, .anomalies = -1 };
	struct run rn = { .o = &o };
	char err[512], *end;
	const char *schema_name;
	int64_t first, us;
	long long days;
	int c;
	struct tally tally = { 0 };

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "n:s:d:c:z",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.records = opt_number("-n", optarg, 0);
			break;
		case 's':
			o.seed = opt_number("-s", optarg, 0);
			o.seed_set = 1;
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'c':
			if (strcmp(optarg, "gzip") != 0 &&
			    strcmp(optarg, "none") != 0)
				usage_error("-c: expected gzip or none, not \"%s\"",
				    optarg);
			o.gzip = strcmp(optarg, "gzip") == 0;
			break;
		case 'z':
		case OPT_OLD_GZIP:
			opt_old(c == 'z' ? "-z" : "--gzip", "-c gzip (--codec)");
			o.gzip = 1;
			break;
		case OPT_START:
			if (strlen(optarg) != 10 ||
			    ts_parse(optarg, 10, &us) < 0)
				usage_error("--start: expected a date, "
				    "YYYY-MM-DD, not \"%s\"", optarg);
			o.start = optarg;
			break;
		case OPT_DAYS:
			o.days = opt_number("--days", optarg, 1);
			break;
		case OPT_CLEAR:
			o.clear = 1;
			break;
		case OPT_RATE:
			o.rate = strtod(optarg, &end);
			if (*end != '\0' || !(o.rate > 0))
				usage_error("--rate: expected records per "
				    "second, more than 0, not \"%s\"", optarg);
			break;
		case OPT_ROLL:
			opt_old("--roll N", "--roll-rows N");
			/* FALLTHROUGH */
		case OPT_ROLL_ROWS:
			o.roll = opt_number("--roll-rows", optarg, 1);
			break;
		case OPT_TRUTH:
			o.truth = optarg;
			break;
		case OPT_VALIDATE:
			o.validate = 1;
			break;
		case OPT_SAMPLE:
			o.sample = opt_number("--sample", optarg, 1);
			break;
		case OPT_LIST:
			o.list = 1;
			break;
		case OPT_DESCRIBE:
			o.describe = 1;
			break;
		case OPT_ANOMALIES:
			o.anomalies = strtod(optarg, &end);
			if (*end != '\0' || !(o.anomalies >= 0 &&
			    o.anomalies <= 1))
				usage_error("--anomalies: expected a rate from "
				    "0 to 1, not \"%s\"", optarg);
			break;
		case OPT_AS_VERSION:
			o.as_version = opt_number("--as-version", optarg, 1);
			break;
		case OPT_PER_DAY:
			o.per_day = opt_number("--per-day", optarg, 0);
			break;
		default:
			common_opt(&prog, &o.common, c, optarg);
		}
	}
	if (o.list) {
		if (optind != argc)
			usage_error("--list takes no schema");
		return schema_list() > 0 ? 0 : 1;
	}
	if (optind + 1 == argc && o.common.schema == NULL)
		schema_name = argv[optind];
	else if (optind == argc && o.common.schema != NULL)
		schema_name = o.common.schema;
	else
		usage_error(optind == argc ? "no schema given" :
		    "one schema, please");
	if (o.records >= 0 && o.per_day >= 0)
		usage_error("-n (records in all) or --per-day (records a "
		    "day), not both");
	if (o.per_day >= 0 && o.rate > 0)
		usage_error("--per-day with --rate: a live feed has no days "
		    "(-n N stops it after N records)");
	if (o.clear && o.dir == NULL)
		usage_error("--clear needs -d DIR");
	if (o.roll && (o.rate == 0 || o.dir == NULL))
		usage_error("--roll-rows needs --rate and -d DIR");
	if (o.rate > 0 && o.dir != NULL && o.roll == 0)
		usage_error("--rate with -d needs --roll-rows N (records a "
		    "file)");
	if (o.common.out_fmt == FMT_AUTO)
		o.common.out_fmt = FMT_CSV;
	if (o.truth != NULL && o.as_version > 0)
		usage_error("--truth with --as-version: an anomaly may fall on "
		    "a field that version lacks");

	rn.s = schema_load(schema_name, err, sizeof err);
	if (rn.s == NULL) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return schema_load_status();
	}
	if (o.describe) {
		/* name,type,generator as CSV, for scripts and people. */
		printf("name,type,generator\n");
		for (size_t i = 0; i < rn.s->nfields; i++) {
			const struct schema_field *f = &rn.s->fields[i];

			if (f->type == FT_DECIMAL)
				printf("%s,decimal(%d),%s\n", f->name, f->scale,
				    f->gen ? f->gen : "");
			else
				printf("%s,%s,%s\n", f->name, ftype_name(f->type),
				    f->gen ? f->gen : "");
		}
		schema_free(rn.s);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (o.validate) {
		if (!o.common.quiet)
			diag("%s: ok (%zu fields)", rn.s->path, rn.s->nfields);
		schema_free(rn.s);
		return 0;
	}
	if (o.anomalies >= 0 && rn.s->anomalies != NULL)
		json_object_set_new((json_t *)rn.s->anomalies, "rate",
		    json_real(o.anomalies));
	else if (o.anomalies > 0)
		fatal(2, "--anomalies: %s declares no anomalies to inject",
		    rn.s->name);
	if (o.as_version > 0 && set_version(&rn) < 0) {
		schema_free(rn.s);
		return 2;
	}
	rn.g = gen_new(rn.s, o.seed_set ? (uint64_t)o.seed :
	    (uint64_t)rn.s->seed, err, sizeof err);
	if (rn.g == NULL) {
		fprintf(stderr, "%s: %s\n", progname, err);
		schema_free(rn.s);
		return 2;
	}
	days = o.days > 0 ? o.days : rn.s->days;
	if (o.start == NULL)
		o.start = rn.s->start;
	if (o.start != NULL) {
		ts_parse(o.start, strlen(o.start), &us);
		first = us / TS_US_PER_DAY;
	} else {
		first = wall_us() / TS_US_PER_DAY;
	}

	if (o.sample > 0) {
		int rc = sample(&rn, first, (uint64_t)o.sample);

		gen_free(rn.g);
		schema_free(rn.s);
		return rc;
	}
	if (o.truth != NULL &&
	    (rn.truth = out_open(o.truth, OUT_ATOMIC, 0)) == NULL)
		return 1;
	{
		double t0 = now_seconds();

		if (o.rate > 0) {
			stop_on_signals();
			live(&rn, o.records >= 0 ? (uint64_t)o.records :
			    UINT64_MAX);
		} else {
			/* -j: records made by threads, but where sessions
			   make each depend on those before, or --truth and
			   --as-version say more of them. */
			if (opt_jobs(&o.common) > 1 && !gen_sequential(rn.g) &&
			    o.truth == NULL && o.as_version == 0)
				rn.gj = gen_jobs_new(rn.s, o.seed_set ?
				    (uint64_t)o.seed : (uint64_t)rn.s->seed,
				    opt_jobs(&o.common), o.common.out_fmt);
			plan_days(&rn, first, days);
			if (o.dir != NULL)
				by_day(&rn, first, days);
			else
				to_stdout(&rn, first, days);
		}
		if (rn.truth != NULL && out_close(rn.truth) < 0)
			rn.status = 1;
		/* Made, not read: out is the records written (anomalies
		   and the repeats made among them); with -d, in how many
		   files. */
		tally.start = t0;
		tally.out = rn.records;
		if (stats_summary(o.common.stats, &tally, o.dir != NULL ?
		    stats_pack("{s:I,s:I,s:I}", "anomalies", (json_int_t)
		    rn.anomalies, "repeats", (json_int_t)rn.duplicates, "files",
		    (json_int_t)rn.files) : stats_pack("{s:I,s:I}", "anomalies",
		    (json_int_t)rn.anomalies, "repeats", (json_int_t)
		    rn.duplicates), o.common.quiet) < 0)
			rn.status = 1;
	}
	if (rn.gj != NULL)
		gen_jobs_free(rn.gj);
	gen_free(rn.g);
	free(rn.quota);
	free(rn.keep);
	rec_free(&rn.old);
	schema_free(rn.s);
	return rn.status;
}
