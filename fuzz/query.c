/*
 * query.c - dashboard.cgi's query string (serve/request.c,
 * parse_query()): any bytes up to a NUL as QUERY_STRING, parsed against
 * the whitelist.  A request it takes has a known view, a refresh of at
 * most four digits and a table name of letters, digits and _ only.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../serve/page.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *qs = malloc(size + 1);
	struct req rq = { .view = "batch", .refresh = 10 };
	size_t tn;

	memcpy(qs, data, size);
	qs[size] = '\0';
	if (parse_query(qs, &rq) == 0 &&
	    ((strcmp(rq.view, "batch") != 0 && strcmp(rq.view, "stream") != 0 &&
	    strcmp(rq.view, "quality") != 0) || rq.refresh < 0 ||
	    rq.refresh > 9999 || (rq.json != 0 && rq.json != 1) ||
	    (tn = strnlen(rq.table, sizeof rq.table)) == sizeof rq.table ||
	    strspn(rq.table, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_") != tn))
		fuzz_fail("a query taken with a value outside the whitelist "
		    "(the query, then the view)", qs, strlen(qs), rq.view,
		    strlen(rq.view));
	free(qs);
	return 0;
}
