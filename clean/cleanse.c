/*
 * cleanse - normalise and validate records, diverting the bad ones with
 * every reason, and account for each record: in = out + rejected +
 * duplicates.  See cleanse(1).
 *
 * This is the first part of it: seed 000's retail cleansing, used when no
 * schema is given.  (Schema rules, deduplication, migration, enrichment
 * and metrics are still to come: issue 4.)
 */
#include <stdlib.h>
#include <string.h>

#include "cleanse.h"

static const struct program prog = {
	.synopsis = "cleanse [options] [FILE...]",
	.help =
	    "Normalise and validate records; divert the bad ones with their\n"
	    "reasons.  Without --schema, seed 000's retail rules: product\n"
	    "from product or item (blank: UNKNOWN), order_date from the first\n"
	    "of order_date, date, order_time, timestamp, event_time, amount\n"
	    "as given or quantity * unit_price, to the cent.\n"
	    "\n"
	    "Options:\n"
	    "  -o, --output FILE       write to FILE instead of stdout\n",
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct common_opts co = { 0 };
	struct filter f = { 0 };
	struct retail *rt;
	const char *output = NULL;
	int c, status;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "o:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	}
	if (co.schema != NULL)
		usage_error("--schema: schema rules are not in cleanse yet "
		    "(retail rules only, for now)");
	f.co = &co;
	f.output = output;
	rt = retail_new();
	status = filter_run(&f, argv + optind, argc - optind, retail_each, rt);
	retail_free(rt);
	return status;
}
