/*
 * jsonl.c - JSON Lines through the reader (lib/jsonl_read.c, lib/src.c):
 * any bytes, read as programs read a file (gzip, a BOM, CRLF, blank and
 * over-long lines), each record's values converted as they would be.
 */
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
	fuzz_each_record(data, size, FMT_JSONL, fuzz_use_values);
	return 0;
}
