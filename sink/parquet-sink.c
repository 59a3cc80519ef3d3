/*
 * parquet-sink - records into Parquet files: one file, or a folder of
 * part files, Hive-partitioned by a column.  See parquet-sink(1).
 *
 * Columns take their types from the schema, else from the first row
 * group's values.  A value that does not fit its column's type rejects
 * its record (counted, to --reject); every other record is written, but
 * those --where leaves out: in = written + rejected + filtered.  Files
 * appear whole or not at all.  This is the program's options; its
 * engine is pqsink.c, where the files go parts.c.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "pqsink.h"
#include "sink.h"

static const struct program prog = {
	.synopsis = "parquet-sink [options] (-o FILE.parquet | -d DIR [-p COLUMN]) "
	    "[FILE...]",
	.help =
	    "Write records as Parquet: one file, or part files in DIR,\n"
	    "Hive-partitioned by COLUMN (DIR/COLUMN=VALUE/part-N-ID.parquet).\n"
	    "\n"
	    "Options:\n"
	    "  -o, --output FILE       one Parquet file\n"
	    "  -d, --dir DIR           a folder of part files\n"
	    "  -p, --partition COL     partition by COL's value (kept out of the files)\n"
	    "      --mode MODE         overwrite (default: the partitions written are\n"
	    "                          replaced, each atomically) or append\n"
	    "      --roll-rows N       append: a new file every N rows\n"
	    "      --roll-time DUR     append: a new file every DUR (30s, 15m)\n"
	    "      --max-open-files N  files open at once at most (default: the\n"
	    "                          limit on open files, less 16)\n"
	    "  -c, --codec CODEC       snappy (default), zstd, gzip, none\n"
	    "      --row-group-rows N  rows a row group (default 122880)\n"
	    "      --where EXPR        write only the records EXPR holds for; the\n"
	    "                          others are counted filtered\n"
	    STATS_HELP,
	.versions = pq_codec_versions,
	.takes = TAKES_INPUT_FORMAT | TAKES_SCHEMA | TAKES_REJECT | TAKES_QUIET |
	    TAKES_JOBS,
};

enum { OPT_MODE = OPT_PROGRAM, OPT_ROLL_ROWS, OPT_ROLL_TIME, OPT_ROLL_SECONDS,
	OPT_ROW_GROUP, OPT_WHERE, OPT_MAX_OPEN };

/* File descriptors kept for everything but the part files: the standard
   streams, an input (and its gzip), --reject, --stats, a folder synced. */
enum { FD_HEADROOM = 16 };

static void
usage_if(int bad, const char *why)
{
	if (bad)
		usage_error("%s", why);
}

/* The open files allowed: --max-open-files, else what the limit leaves. */
static size_t
open_files_limit(long long opt)
{
	struct rlimit rl;
	rlim_t n;

	if (opt > 0)
		return (size_t)opt;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1000;
	n = rl.rlim_cur > 2 * FD_HEADROOM ? rl.rlim_cur - FD_HEADROOM :
	    rl.rlim_cur / 2;
	/* More than a thousand files open buys nothing but memory. */
	return n < 1 ? 1 : n > 1000 ? 1000 : (size_t)n;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		{ "partition", required_argument, NULL, 'p' },
		{ "codec", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "roll-rows", required_argument, NULL, OPT_ROLL_ROWS },
		{ "roll-time", required_argument, NULL, OPT_ROLL_TIME },
		/* The old spelling, for one release: seconds. */
		{ "roll-seconds", required_argument, NULL, OPT_ROLL_SECONDS },
		{ "row-group-rows", required_argument, NULL, OPT_ROW_GROUP },
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "max-open-files", required_argument, NULL, OPT_MAX_OPEN },
		STATS_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct pqsink s = { .codec = C_SNAPPY, .rg_rows = 122880 };
	struct common_opts co = { 0 };
	struct filter f = { 0 };
	struct schema *sc = NULL;
	char err[512], *end;
	const char *where = NULL;
	long long max_open = 0;
	int c, status;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "o:d:p:c:",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			s.output = optarg;
			break;
		case 'd':
			s.dir = optarg;
			break;
		case 'p':
			s.pcol = optarg;
			break;
		case 'c':
			if (pq_codec_parse(optarg, &s.codec) < 0)
				usage_error("-c: expected snappy, zstd, gzip or "
				    "none, not \"%s\"", optarg);
			break;
		case OPT_MODE:
			usage_if(strcmp(optarg, "append") != 0 &&
			    strcmp(optarg, "overwrite") != 0,
			    "--mode: expected overwrite or append");
			s.append = strcmp(optarg, "append") == 0;
			break;
		case OPT_ROLL_ROWS:
			s.roll_rows = opt_number("--roll-rows", optarg, 1);
			break;
		case OPT_ROLL_TIME:
			s.roll_seconds = (double)opt_duration("--roll-time",
			    optarg, NULL, 1) / 1e6;
			break;
		case OPT_ROLL_SECONDS:
			opt_old("--roll-seconds S", "--roll-time DUR (30s)");
			s.roll_seconds = strtod(optarg, &end);
			usage_if(*end != '\0' || !(s.roll_seconds > 0),
			    "--roll-seconds: expected seconds, more than 0");
			break;
		case OPT_WHERE:
			where = optarg;
			break;
		case OPT_MAX_OPEN:
			max_open = opt_number("--max-open-files", optarg, 1);
			break;
		case OPT_ROW_GROUP:
			s.rg_rows = opt_number("--row-group-rows", optarg, 1);
			usage_if(s.rg_rows > INT32_MAX,
			    "--row-group-rows: at most 2147483647");
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	}
	usage_if((s.output == NULL) == (s.dir == NULL),
	    "one of -o FILE or -d DIR, please");
	usage_if(s.pcol != NULL && s.dir == NULL, "-p needs -d DIR");
	usage_if((s.roll_rows || s.roll_seconds) && !s.append,
	    "--roll-rows and --roll-time need --mode append");
	usage_if(s.append && s.dir == NULL, "--mode append needs -d DIR");
	if (s.pcol != NULL) {
		struct buf b = { 0 };

		hive_escape(&b, s.pcol, strlen(s.pcol));
		usage_if(b.n + sizeof "=__HIVE_DEFAULT_PARTITION__" - 1 >
		    NAME_MAX, "-p: the column's name makes folder names too "
		    "long for a file system");
		buf_free(&b);
	}
	s.max_open = open_files_limit(max_open);
	if (co.schema != NULL &&
	    (sc = schema_load(co.schema, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return schema_load_status();
	}
	s.sc = sc;
	if (where != NULL)
		f.where = ewhere(where, sc);
	if (pqs_start(&s) < 0)
		return 1;
	stop_on_signals();
	if (s.roll_seconds > 0)
		src_on_clock(pqs_roll_clock, &s);
	s.filter = &f;
	f.co = &co;
	f.own_summary = 1;
	f.want_header = 1;
	f.finish = pqs_last_rows;
	/* -j: full row groups encoded and compressed by a thread of their
	   own while the records are read on; without -p, read and
	   converted by N threads too (pqjobs.c). */
	pq_encoders(opt_jobs(&co));
	s.dict_later = opt_jobs(&co) > 1;
	if (s.pcol == NULL) {
		f.worker_new = pqs_worker_new;
		f.worker_free = pqs_worker_free;
		f.chunk_end = pqs_chunk_end;
		f.later = pqs_later;
		f.later_reads_only = 1;
		f.only_finish = 1;
	}
	status = filter_run(&f, argv + optind, argc - optind, pqs_each, &s);
	s.broken = status != 0;
	pqs_finish(&s, &f);
	if (s.failed || s.stopped || (s.broken && !s.append)) {
		pqs_tell_kept(&s, &f);
		status = 1;
	}
	/* Written: the rows readers can see, in the files put in place. */
	f.t.out = s.pub_rows;
	if (stats_summary(co.stats, &f.t, stats_pack("{s:I,s:I}", "written",
	    (json_int_t)f.t.out, "files", (json_int_t)s.pub_files),
	    co.quiet) < 0)
		status = 1;
	pqs_free(&s);
	filter_free_header(&f);
	where_free(f.where);
	schema_free(sc);
	return status;
}