/*
 * csv_cut.c - where a CSV input's records end, found without parsing it,
 * so -j can cut it into chunks a reader each (par.h).
 *
 * The state is a lenient reader's (Python's csv module): a quote at a
 * cell's start opens it, holding line breaks until it closes; any other
 * quote is text; a line break outside quotes ends the record.  The strict
 * reader (csv_read.c) ends records at the same places: on well-formed
 * CSV they agree, and a record it finds malformed it skips to its end
 * with this same machine.  (Its cut for SLUICE_MAX_LINE_BYTES is par.c's
 * to leave to it.)  Runs of bytes with no quote, most of most files, are
 * passed over by memchr.
 */
#define _GNU_SOURCE	/* memrchr */
#include <string.h>

#include "par.h"

/* The state after a run of bytes with no quote and no line feed. */
static enum csv_cut_state
after_plain(char last)
{
	return last == '\r' ? CUT_BETWEEN : last == ',' ? CUT_START :
	    CUT_TEXT;
}

size_t
csv_cut(const char *b, size_t from, size_t n, enum csv_cut_state *st)
{
	size_t i = from, last = 0;

	while (i < n) {
		if (*st != CUT_QUOTED && *st != CUT_QUOTE) {
			/* Outside quotes: every line feed before the next
			   quote ends a record. */
			const char *q = memchr(b + i, '"', n - i);
			size_t end = q != NULL ? (size_t)(q - b) : n, tail = i;
			const char *nl = memrchr(b + i, '\n', end - i);

			if (nl != NULL) {
				last = tail = (size_t)(nl - b) + 1;
				*st = CUT_BETWEEN;
			}
			if (end > tail)
				*st = after_plain(b[end - 1]);
			if (q == NULL)
				break;
			i = end;
		}
		/* A quote: byte by byte until outside quotes again. */
		for (; i < n; i++) {
			char c = b[i];

			switch (*st) {
			case CUT_QUOTED:
				if (c == '"')
					*st = CUT_QUOTE;
				continue;
			case CUT_QUOTE:
				if (c == '"') {
					*st = CUT_QUOTED;	/* doubled */
					continue;
				}
				break;
			case CUT_BETWEEN:
			case CUT_START:
				if (c == '"') {
					*st = CUT_QUOTED;
					continue;
				}
				break;
			case CUT_TEXT:
				break;
			}
			if (c == '\n' || c == '\r') {
				*st = CUT_BETWEEN;
				if (c == '\n')
					last = i + 1;
			} else {
				*st = c == ',' ? CUT_START : CUT_TEXT;
			}
			i++;
			break;
		}
	}
	return last;
}
