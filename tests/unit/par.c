/* Unit tests: lib/par.c and lib/csv_cut.c, -j's machinery: CSV cut where
   its records end (quoted line breaks, malformed quoting read on as the
   reader does, CR and CRLF), and filter_run with 2 and 3 threads giving
   one thread's output, rejects and counts byte for byte, on CSV, JSON
   Lines and gzip cut into chunks of a few bytes, with filter_unique's
   keys and filter_later's step in input order. */
#include <stdlib.h>

#include "../tap.h"
#include "filter.h"
#include "par.h"
#include "readhelp.h"
#include "strset.h"

/* The last boundary in s, scanned whole. */
static size_t
cut(const char *s, enum csv_cut_state *st)
{
	*st = CUT_BETWEEN;
	return csv_cut(s, 0, strlen(s), st);
}

/* Scanned a byte at a time, as bytes come: the same boundary? */
static size_t
cut_bytewise(const char *s)
{
	enum csv_cut_state st = CUT_BETWEEN;
	size_t last = 0, n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		size_t k = csv_cut(s, i, i + 1, &st);

		if (k > 0)
			last = k;
	}
	return last;
}

static void
test_cut(void)
{
	static const struct {
		const char *s;
		size_t want;
		enum csv_cut_state st;
		const char *what;
	} t[] = {
		{ "a,b\nc,d\n", 8, CUT_BETWEEN, "plain lines" },
		{ "a,b\nc,d", 4, CUT_TEXT, "a last line cut short" },
		{ "a,\"x\ny\"\nz", 8, CUT_TEXT, "a quoted line break" },
		{ "a,\"x\ny", 0, CUT_QUOTED, "a quote still open" },
		{ "a\"b,\"c\nd\"\n", 10, CUT_BETWEEN,
		    "a quote in an unquoted cell is text; one at a cell's "
		    "start opens" },
		{ "\"a\"\"\nb\"\n", 8, CUT_BETWEEN, "a doubled quote" },
		{ "\"x\"junk\nb\n", 10, CUT_BETWEEN,
		    "text after a closing quote: read on to the line's end" },
		{ "a\rb\r\nc\n", 7, CUT_BETWEEN, "CR and CRLF end records" },
		{ "\n\n\"h\"\n", 6, CUT_BETWEEN, "blank lines" },
		{ "a,\"\"\n", 5, CUT_BETWEEN, "an empty quoted cell" },
		{ "a,\"b\",\n\"c", 7, CUT_QUOTED, "a quote opening a record" },
	};

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		enum csv_cut_state st;

		is_int((int64_t)cut(t[i].s, &st), (int64_t)t[i].want,
		    "csv_cut: %s", t[i].what);
		is_int(st, t[i].st, "  and where it ends");
		is_int((int64_t)cut_bytewise(t[i].s), (int64_t)t[i].want,
		    "  a byte at a time: the same");
	}
}

/*
 * A program: odd ids written, id % 5 == 0 rejected, each id's first
 * record kept (later ones duplicates, by filter_unique or, with later,
 * filter_later); its threads count the records they saw.
 */
struct prog {
	int use_later;
	struct strset seen;
	long records;		/* handed over, all threads */
};

static void
each(struct filter *f, struct rec *r, void *ctx)
{
	struct prog *p = ctx;
	int i = rec_index(r, "id");
	int64_t id = -1;

	p->records++;
	if (i >= 0)
		val_to_int(&r->f[i].v, &id);
	if (id % 5 == 0) {
		struct rej_reason why = { "five", "a multiple of 5", "id" };

		filter_reject(f, r, &why, 1);
	} else if (p->use_later) {
		filter_later(f, r, r, &id, sizeof id);
	} else {
		filter_unique(f, r, r, &id, sizeof id, "seen");
	}
}

static void
later(struct filter *f, struct rec *r, struct rec *o, const void *key,
    size_t n, void *ctx)
{
	struct prog *p = ctx;

	if (!strset_add(&p->seen, key, n))
		filter_duplicate(f, r, "seen, later");
	else if (filter_keep(f, o))
		filter_put(f, o);
}

static void *
worker_new(void *ctx)
{
	struct prog *w = calloc(1, sizeof *w);

	w->use_later = ((struct prog *)ctx)->use_later;
	return w;
}

static void
worker_free(void *wctx, void *ctx)
{
	((struct prog *)ctx)->records += ((struct prog *)wctx)->records;
	free(wctx);
}

/* One run: its output, dead letters and counts, as one string. */
static char *
run(const char *in, int jobs, int use_later, const char *fmt_out)
{
	char out[256], rej[256];
	struct common_opts co = { .quiet = 1, .jobs = jobs };
	struct filter f = { .co = &co, .worker_new = worker_new,
	    .worker_free = worker_free, .later = later };
	struct prog p = { .use_later = use_later };
	struct counts reasons = { 0 };
	struct buf b = { 0 };
	char *inputs[1] = { (char *)in }, *got;
	char err[256];

	if (fmt_out != NULL)
		fmt_parse(fmt_out, &co.out_fmt);
	snprintf(out, sizeof out, "%s", temp_file(".out", "", 0, 0));
	snprintf(rej, sizeof rej, "%s", temp_file(".txt", "", 0, 0));
	co.reject = rej;
	f.output = out;
	f.seen = &p.seen;
	f.reasons = &reasons;
	f.where = where_compile("x != 'drop'", NULL, err, sizeof err);
	buf_printf(&b, "status %d\n", filter_run(&f, inputs, 1, each, &p));
	buf_printf(&b, "in %llu out %llu rejected %llu duplicates %llu "
	    "filtered %llu handed %ld\n", (unsigned long long)f.t.in,
	    (unsigned long long)f.t.out, (unsigned long long)f.t.rejected,
	    (unsigned long long)f.t.duplicates,
	    (unsigned long long)f.t.filtered, p.records);
	for (size_t i = 0; i < reasons.n; i++)
		buf_printf(&b, "rule %s %llu\n", reasons.v[i].name,
		    (unsigned long long)reasons.v[i].n);
	counts_free(&reasons);
	got = file_text(out);
	buf_printf(&b, "--- out\n%s", got);
	free(got);
	got = file_text(rej);
	buf_printf(&b, "--- rejects\n%s", got);
	free(got);
	where_free(f.where);
	strset_free(&p.seen);
	return (char *)buf_cstr(&b);
}

/* in read by 2 and 3 threads, in chunks of several sizes: one thread's. */
static void
same_as_one(const char *what, const char *in, const char *fmt_out)
{
	static const char *const sizes[] = { "1", "5", "64", "100000" };

	for (int use_later = 0; use_later <= 1; use_later++) {
		char *one;

		unsetenv("SLUICE_CHUNK_BYTES");
		one = run(in, 1, use_later, fmt_out);
		for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
			for (int jobs = 2; jobs <= 3; jobs++) {
				char *many;

				setenv("SLUICE_CHUNK_BYTES", sizes[k], 1);
				many = run(in, jobs, use_later, fmt_out);
				if (!is_str(many, one, "%s%s, -j %d, chunks of "
				    "%s bytes: as -j 1", what, use_later ?
				    " (later)" : "", jobs, sizes[k]))
					k = sizeof sizes / sizeof *sizes;
				free(many);
			}
		free(one);
	}
	unsetenv("SLUICE_CHUNK_BYTES");
}

int
main(void)
{
	/* Quoted line breaks, doubled quotes, malformed quoting, CRLF and
	   a lone CR, blank lines, a short record, bad UTF-8, a repeat. */
	static const char csv[] =
	    "\xef\xbb\xbfid,x,note\r\n"
	    "1,a,\"two\nlines\"\r\n"
	    "2,b,\"say \"\"hi\"\"\"\n"
	    "3,c\"d,x\n"
	    "4,\"e\"f,\"g\nh\"\n"
	    "\n"
	    "5,i,j\n"
	    "6,drop,k\r"
	    "7,l\n"
	    "8,caf\xe9,m\n"
	    "1,again,\"n\n\n\"\n"
	    "9,\"o,p\",q\n"
	    "11,r,s";
	static const char jsonl[] =
	    "{\"id\":1,\"x\":\"a\"}\n"
	    "{\"id\":2,\"x\":\"b\",\"y\":[1,{\"z\":2}]}\n"
	    "\n"
	    "not json\n"
	    "{\"id\":3,\"x\":\"drop\"}\r\n"
	    "{\"id\":5}\n"
	    "{\"id\":1,\"x\":\"again\"}\n"
	    "{\"id\":7,\"x\":\"c\",\"w\":true}";
	char path[256];

	/* The runs report their rejects on stderr: not wanted here. */
	if (freopen("/dev/null", "w", stderr) == NULL)
		return 1;
	test_cut();
	snprintf(path, sizeof path, "%s", temp_file(".csv", csv,
	    sizeof csv - 1, 0));
	same_as_one("CSV", path, NULL);
	same_as_one("CSV to JSON Lines", path, "jsonl");
	snprintf(path, sizeof path, "%s", temp_file(".csv.gz", csv,
	    sizeof csv - 1, 1));
	same_as_one("gzip CSV", path, NULL);
	snprintf(path, sizeof path, "%s", temp_file(".jsonl", jsonl,
	    sizeof jsonl - 1, 0));
	same_as_one("JSON Lines", path, NULL);
	same_as_one("JSON Lines to CSV", path, "csv");
	return done_testing();
}
