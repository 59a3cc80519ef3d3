/*
 * cleanse - normalise and validate records, diverting the bad ones with
 * every reason, and account for each record: in = out + rejected +
 * duplicates.  See cleanse(1).
 *
 * Without a schema, seed 000's retail cleansing (retail.c); with one,
 * types, dimensions, rules and dedup (schema_mode.c).  (Migration between
 * versions, enrichment and run metrics are still to come: issue 4.)
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
	    "With --schema: each field in its type, dimensions trimmed (blank:\n"
	    "UNKNOWN), the timestamp's date added, the schema's rules checked.\n"
	    "\n"
	    "Options:\n"
	    "  -o, --output FILE       write to FILE instead of stdout\n"
	    "      --dedup F[,F...]    drop records whose key was seen before\n",
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "dedup", required_argument, NULL, OPT_PROGRAM },
		{ NULL, 0, NULL, 0 }
	};
	const char *dedup = NULL;
	struct schema *s = NULL;
	struct smode *sm = NULL;
	char err[512];
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
		case OPT_PROGRAM:
			dedup = optarg;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	}
	f.co = &co;
	f.output = output;
	if (co.schema != NULL) {
		if ((s = schema_load(co.schema, err, sizeof err)) == NULL) {
			fprintf(stderr, "%s: %s\n", progname, err);
			return 2;
		}
		sm = smode_new(s, dedup);
		status = filter_run(&f, argv + optind, argc - optind,
		    smode_each, sm);
		smode_free(sm);
		schema_free(s);
		return status;
	}
	if (dedup != NULL)
		usage_error("--dedup needs --schema (the key's fields)");
	rt = retail_new();
	status = filter_run(&f, argv + optind, argc - optind, retail_each, rt);
	retail_free(rt);
	return status;
}
