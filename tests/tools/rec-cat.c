/*
 * rec-cat - read records and write them again: the record layer end to
 * end (reader, writer, rejects, common options), for tests and the
 * record-layer benchmark.  Not installed.
 */
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

static const struct program prog = {
	.synopsis = "rec-cat [-q] [-f csv|jsonl] [-z] [-o FILE] [FILE...]",
	.help =
	    "Read CSV or JSON Lines records and write them again.\n"
	    "\n"
	    "Options:\n"
	    "  -o, --output FILE       write to FILE instead of stdout\n"
	    "  -z, --gzip              compress the output\n",
};

struct opts {
	struct common_opts common;
	const char *output;
	int gzip;
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "gzip", no_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { 0 };
	struct tally t;
	struct progress pg;
	struct rejects *rj;
	struct out *out = NULL;
	struct writer *w = NULL;
	int c, status = 0, have_cols = 0;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "o:z", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'o':
			o.output = optarg;
			break;
		case 'z':
			o.gzip = 1;
			break;
		default:
			common_opt(&prog, &o.common, c, optarg);
		}
	}
	argv += optind;
	argc -= optind;
	if (argc == 0) {
		static char *stdin_only[] = { "-", NULL };

		argv = stdin_only;
		argc = 1;
	}

	tally_start(&t);
	progress_init(&pg, "records");
	if ((rj = rej_open(o.common.reject)) == NULL)
		return 1;
	for (int i = 0; i < argc; i++) {
		struct reader *rd = rd_open(argv[i], o.common.in_fmt);
		struct rec *r;
		enum rd_status st;

		if (rd == NULL) {
			status = 1;
			continue;
		}
		if (w == NULL) {
			enum fmt f = o.common.out_fmt ? o.common.out_fmt :
			    rd_format(rd);

			if ((out = out_open(o.output, 0, o.gzip ? 6 : 0)) == NULL)
				return 1;
			w = wr_open(out, f);
		}
		while ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD) {
			size_t ncols;
			const char *const *cols;

			progress_tick(&pg, ++t.in);
			/* A CSV header fixes the output's columns and order. */
			if (!have_cols &&
			    (cols = rd_columns(rd, &ncols)) != NULL) {
				wr_columns(w, cols, ncols);
				have_cols = 1;
			}
			if (st == RD_BAD) {
				rej_one(rj, r, "parse", r->err);
				continue;
			}
			switch (wr_put(w, r)) {
			case WR_OK:
				t.out++;
				break;
			case WR_SKIP:
				rej_one(rj, r, "output", wr_error(w));
				break;
			case WR_ERR:
				goto write_failed;
			}
		}
		if (!have_cols) {
			size_t ncols;
			const char *const *cols = rd_columns(rd, &ncols);

			if (cols != NULL) {
				wr_columns(w, cols, ncols);
				have_cols = 1;
			}
		}
		if (rd_close(rd) < 0)
			status = 1;
	}
write_failed:
	if (w != NULL && wr_close(w) < 0)
		status = 1;
	if (out != NULL && out_close(out) < 0)
		status = 1;
	progress_done(&pg);
	t.rejected = rej_count(rj);
	if (rej_close(rj) < 0)
		status = 1;
	tally_print(&t, o.common.quiet);
	return status;
}
