/*
 * lat-tap - pass a CSV stream through unchanged and note when each row
 * went by, for the latency benchmark (bench/stream-latency.bench).  Not
 * installed.
 *
 * Every read(2) from stdin is written on at once, whole, before anything
 * else is done with it: the tap adds no buffering to the pipe it sits
 * in.  The first line is the header, which says where the key and value
 * columns are; for every later row, "key value seen_us" goes to the
 * log, seen_us being the wall clock when the read that completed the
 * row returned.  The log is buffered and written at the end of input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lat.h"
#include "sluice.h"

static const char usage_text[] =
    "usage: lat-tap -k COLUMN -v COLUMN -l LOG\n"
    "\n"
    "Copy CSV from stdin to stdout as it comes, and log \"key value seen_us\"\n"
    "for each row.\n"
    "\n"
    "Options:\n"
    "  -k, --key COLUMN    the key column\n"
    "  -v, --value COLUMN  the value column (an integer, or a number)\n"
    "  -l, --log FILE      the log\n"
    "      --help          this help\n";

/* Where the tap is in its input. */
struct tap {
	const char *key, *value;	/* the columns' names */
	long key_col, value_col;	/* their indexes; -1 before the header */
	struct buf line;		/* the row read so far */
	struct buf field;		/* one field, unquoted */
	struct buf key_text;		/* the row's key */
	struct buf value_text;		/* the row's value */
	unsigned long lineno;		/* lines completed */
	FILE *log;
};

/*
 * Split one CSV line (RFC 4180 quoting, no line end) and call want() on
 * each field with its index; the field's text is in t->field.
 */
static void
split(struct tap *t, const char *p, size_t n,
    void (*want)(struct tap *, long))
{
	size_t i = 0;
	long col = 0;

	for (;;) {
		t->field.n = 0;
		if (i < n && p[i] == '"') {
			for (i++; i < n; i++) {
				if (p[i] == '"') {
					if (i + 1 < n && p[i + 1] == '"')
						i++;
					else {
						i++;
						break;
					}
				}
				buf_addc(&t->field, p[i]);
			}
		}
		while (i < n && p[i] != ',')
			buf_addc(&t->field, p[i++]);
		want(t, col++);
		if (i >= n)
			return;
		i++;		/* the comma */
	}
}

static void
header_field(struct tap *t, long col)
{
	const char *name = buf_cstr(&t->field);

	if (t->key_col < 0 && strcmp(name, t->key) == 0)
		t->key_col = col;
	else if (t->value_col < 0 && strcmp(name, t->value) == 0)
		t->value_col = col;
}

static void
row_field(struct tap *t, long col)
{
	if (col == t->key_col) {
		t->key_text.n = 0;
		buf_add(&t->key_text, t->field.p, t->field.n);
	} else if (col == t->value_col) {
		t->value_text.n = 0;
		buf_add(&t->value_text, t->field.p, t->field.n);
	}
}

/* One whole line, without its end, seen at us. */
static void
take_line(struct tap *t, const char *p, size_t n, int64_t us)
{
	int64_t v;
	double d;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	t->lineno++;
	if (t->lineno == 1) {
		split(t, p, n, header_field);
		if (t->key_col < 0 || t->value_col < 0)
			fatal(1, "stdin:1: no column \"%s\" or \"%s\" in the "
			    "header", t->key, t->value);
		return;
	}
	if (n == 0)
		return;
	t->key_text.n = 0;
	t->value_text.n = 0;
	split(t, p, n, row_field);
	if (num_parse_int(t->value_text.p ? t->value_text.p : "",
	    t->value_text.n, &v) < 0) {
		/* A number written as a double: exact below 2^53. */
		if (num_parse_double(t->value_text.p ? t->value_text.p : "",
		    t->value_text.n, &d) < 0)
			fatal(1, "stdin:%lu: \"%s\" is not a number",
			    t->lineno, buf_cstr(&t->value_text));
		v = (int64_t)d;
	}
	fprintf(t->log, "%s %lld %lld\n", buf_cstr(&t->key_text),
	    (long long)v, (long long)us);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "value", required_argument, NULL, 'v' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct tap t = { .key_col = -1, .value_col = -1 };
	const char *log = NULL;
	static char in[1 << 16];
	int c;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "k:v:l:", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			t.key = optarg;
			break;
		case 'v':
			t.value = optarg;
			break;
		case 'l':
			log = optarg;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return fclose(stdout) == 0 ? 0 : 1;
		default:
			usage_error("unknown option");
		}
	}
	if (t.key == NULL || t.value == NULL || log == NULL || optind != argc)
		usage_error("-k COLUMN, -v COLUMN and -l LOG, please");
	if ((t.log = fopen(log, "w")) == NULL)
		fatal(1, "%s: %s", log, strerror(errno));
	for (;;) {
		ssize_t r = read(STDIN_FILENO, in, sizeof in);
		int64_t us;
		size_t from = 0;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			fatal(1, "read: %s", strerror(errno));
		}
		if (r == 0)
			break;
		us = wall_us();
		lat_write(STDOUT_FILENO, in, (size_t)r);
		for (size_t i = 0; i < (size_t)r; i++) {
			if (in[i] != '\n')
				continue;
			if (t.line.n > 0) {
				buf_add(&t.line, in + from, i - from);
				take_line(&t, t.line.p, t.line.n, us);
				t.line.n = 0;
			} else
				take_line(&t, in + from, i - from, us);
			from = i + 1;
		}
		buf_add(&t.line, in + from, (size_t)r - from);
	}
	if (t.line.n > 0)
		fatal(1, "stdin: the last line has no end");
	if (close(STDOUT_FILENO) != 0)
		fatal(1, "stdout: %s", strerror(errno));
	if (fclose(t.log) != 0)
		fatal(1, "%s: %s", log, strerror(errno));
	buf_free(&t.line);
	buf_free(&t.field);
	buf_free(&t.key_text);
	buf_free(&t.value_text);
	return 0;
}
