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
	.takes = TAKES_FILTER,
};

struct opts {
	struct common_opts common;
	const char *output;
	int gzip;
};

/* Every good record goes out as it came. */
static void
copy(struct filter *f, struct rec *r, void *ctx)
{
	(void)ctx;
	filter_put(f, r);
}

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
	struct filter f = { 0 };
	int c;

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
	f.co = &o.common;
	f.output = o.output;
	f.gzip = o.gzip;
	f.keep_columns = 1;
	return filter_run(&f, argv + optind, argc - optind, copy, NULL);
}
