/*
 * jsonl.c - JSON Lines through the reader (lib/jsonl_read.c, lib/src.c):
 * any bytes, read as programs read a file (gzip, a BOM, CRLF, blank and
 * over-long lines), each record's values converted as they would be.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "reader_impl.h"

int
fuzz_setup(void)
{
	/* Small, so short inputs reach the over-long line's path. */
	src_max_line = 1024;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader *rd = rd_open(fuzz_file(data, size), FMT_JSONL);
	struct rec *r;
	enum rd_status st;

	if (rd == NULL)
		abort();	/* a memory file always opens */
	while ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD)
		if (st == RD_OK)
			fuzz_use_values(r);
	rd_close(rd);
	return 0;
}
