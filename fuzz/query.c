/*
 * query.c - dashboard.cgi's query string (serve/dashboard.c,
 * parse_query()): any bytes up to a NUL as QUERY_STRING, parsed against
 * the whitelist.  A request it takes has a known view and a refresh of
 * at most four digits.
 *
 * parse_query() is static in the file that has main(): the file is
 * compiled into this target with main renamed.  (Moving the request
 * parsing to serve/request.c, declared in serve/page.h, would let it be
 * linked instead.)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int dashboard_main(int argc, char **argv);
#define main dashboard_main
#include "../serve/dashboard.c"
#undef main

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *qs = malloc(size + 1);
	struct req rq = { .view = "batch", .refresh = 10 };

	memcpy(qs, data, size);
	qs[size] = '\0';
	if (parse_query(qs, &rq) == 0 &&
	    ((strcmp(rq.view, "batch") != 0 && strcmp(rq.view, "stream") != 0) ||
	    rq.refresh < 0 || rq.refresh > 9999 || (rq.json != 0 &&
	    rq.json != 1)))
		fuzz_fail("a query taken with a value outside the whitelist "
		    "(the query, then the view)", qs, strlen(qs), rq.view,
		    strlen(rq.view));
	free(qs);
	return 0;
}
