/* Unit tests: lib/filter.c, the record loop: every record handed over
   once, malformed ones diverted by the loop, --where's records counted
   filtered, in = out + rejected + duplicates + filtered, the output and
   the dead letters as written, an input that cannot be read. */
#include <stdlib.h>

#include "../tap.h"
#include "filter.h"
#include "readhelp.h"

/* How many lines of s hold sub. */
static int
lines_with(const char *s, const char *sub)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, sub)) != NULL; p++)
		n++;
	return n;
}

struct seen {
	int records, finished;
	long long ids;		/* the ids handed over, summed */
};

/* Odd ids are written, id 2 rejected, id 4 a duplicate, id 6 written. */
static void
each(struct filter *f, struct rec *r, void *ctx)
{
	struct seen *s = ctx;
	int64_t id = -1;
	int i = rec_index(r, "id");

	if (!filter_keep(f, r))
		return;
	s->records++;
	if (i >= 0)
		val_to_int(&r->f[i].v, &id);
	s->ids += id;
	if (id == 2) {
		struct rej_reason why = { "even", "id 2 is even", "id" };

		filter_reject(f, r, &why, 1);
	} else if (id == 4) {
		filter_duplicate(f, r, "id 4 again");
	} else {
		filter_put(f, r);
	}
}

static void
finish(struct filter *f, void *ctx)
{
	(void)f;
	((struct seen *)ctx)->finished++;
}

int
main(void)
{
	static const char csv[] = "id,x\n1,a\n2,b\n3,c\n4,d\n5,e,extra\n6,f\n";
	char in[256], rej[256], out[256], err[256], *got;
	char *inputs[2];
	struct common_opts co = { .quiet = 1 };
	struct filter f = { .co = &co, .finish = finish };
	struct seen s = { 0 };
	int status;

	snprintf(in, sizeof in, "%s", temp_file(".csv", csv, sizeof csv - 1,
	    0));
	snprintf(out, sizeof out, "%s", temp_file(".out", "", 0, 0));
	snprintf(rej, sizeof rej, "%s", temp_file(".txt", "", 0, 0));
	co.reject = rej;
	f.output = out;
	f.where = where_compile("x != 'c'", NULL, err, sizeof err);
	ok(f.where != NULL, "--where x != 'c' compiles");
	inputs[0] = in;
	status = filter_run(&f, inputs, 1, each, &s);
	is_int(status, 0, "the run succeeds");
	is_int(s.records, 4, "4 records handed over (not 3, filtered; not 5, "
	    "malformed)");
	is_int(s.ids, 1 + 2 + 4 + 6, "ids 1, 2, 4 and 6");
	is_int(s.finished, 1, "finish called once");
	is_int((int64_t)f.t.in, 6, "6 in");
	is_int((int64_t)f.t.out, 2, "2 out (1 and 6)");
	is_int((int64_t)f.t.rejected, 2, "2 rejected (2, and 5 malformed)");
	is_int((int64_t)f.t.duplicates, 1, "1 duplicate (4)");
	is_int((int64_t)f.t.filtered, 1, "1 filtered (3)");
	is_int((int64_t)(f.t.out + f.t.rejected + f.t.duplicates +
	    f.t.filtered), (int64_t)f.t.in, "in = out + rejected + duplicates + "
	    "filtered");
	got = file_text(out);
	is_str(got, "id,x\n1,a\n6,f\n", "the output: the header, 1 and 6");
	free(got);
	got = file_text(rej);
	is_int(lines_with(got, "\n"), 3, "3 dead letters: 2, 4, 5");
	is_int(lines_with(got, "\"even\""), 1, "one for rule even");
	is_int(lines_with(got, "\"duplicate\""), 1, "one a duplicate");
	is_int(lines_with(got, "id 2 is even"), 1, "with the program's message");
	free(got);
	where_free(f.where);

	/* An input that is not there: status 1, the next still read. */
	{
		struct filter g = { .co = &co };
		struct seen t = { 0 };
		char missing[300];

		snprintf(missing, sizeof missing, "%s.missing", in);
		snprintf(out, sizeof out, "%s", temp_file(".out", "", 0, 0));
		snprintf(rej, sizeof rej, "%s", temp_file(".txt", "", 0, 0));
		g.output = out;
		inputs[0] = missing;
		inputs[1] = in;
		status = filter_run(&g, inputs, 2, each, &t);
		is_int(status, 1, "a missing input: exit status 1");
		is_int(t.records, 5, "and the other input's 5 good records "
		    "handed over");
		is_int((int64_t)g.t.out, 3, "3 out (1, 3 and 6)");
		got = file_text(out);
		is_str(got, "id,x\n1,a\n3,c\n6,f\n", "the output");
		free(got);
	}
	return done_testing();
}
