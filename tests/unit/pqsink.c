/* Unit tests: sink/pqsink.c, parquet-sink's engine without its main():
   records routed to Hive partitions, the first rows held until their
   values type the columns, a record with a field the file has no column
   for rejected; in overwrite mode every partition staged and swapped in
   at the end, the staging folder gone; in append mode files rolled by
   rows and at most so many open at once. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../tap.h"
#include "../../sink/pqsink.h"
#include "../../sink/sink.h"

/* Part files in dir/sub. */
static int
files_in(const char *dir, const char *sub)
{
	char path[512];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, "part-", 5) == 0;
	closedir(d);
	return n;
}

/* Ten records, a city each (Oslo, Bergen, a/b, or none), through the
   engine as the record loop would give them; the fourth has a stray
   field.  The sink's counts as "put rejected". */
static const char *
feed(struct pqsink *s, struct filter *f, char *say, size_t n)
{
	static const char *city[] = { "Oslo", "Bergen", "a/b", NULL };
	struct rec r;
	int typed_early = 0;

	rec_init(&r);
	for (int i = 0; i < 10; i++) {
		char x[16];

		rec_clear(&r);
		snprintf(x, sizeof x, "%d.5", i);
		rec_add(&r, "n", val_int(i));
		rec_add(&r, "city", city[i % 4] ? val_str(city[i % 4],
		    strlen(city[i % 4])) : val_null());
		rec_add(&r, "x", val_text(x, strlen(x)));
		if (i == 3)
			rec_add(&r, "stray", val_int(1));
		pqs_each(f, &r, s);
		if (i == 2)
			typed_early = s->typed;
	}
	pqs_last_rows(f, s);
	rec_free(&r);
	snprintf(say, n, "%llu %llu%s", (unsigned long long)f->t.out,
	    (unsigned long long)f->t.rejected, typed_early ? " typed early" :
	    "");
	return say;
}

int
main(void)
{
	char dir[] = "/tmp/sluice-pqsink-XXXXXX", d[64], say[64];
	struct pqsink s = { .codec = C_NONE, .rg_rows = 4,
	    .max_open = 2 };
	struct filter f = { 0 };
	struct stat st;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(d, sizeof d, "%s/d", dir);
	f.rj = rej_open(NULL);

	/* Overwrite: the partitions staged, then swapped in. */
	s.dir = d;
	s.pcol = "city";
	s.filter = &f;
	is_int(pqs_start(&s), 0, "overwrite: started");
	ok(s.stage != NULL && stat(s.stage, &st) == 0 && S_ISDIR(st.st_mode),
	    "  a staging folder beside the output's");
	is_str(feed(&s, &f, say, sizeof say), "9 1",
	    "  nine records put, the one with a stray field rejected");
	ok(s.typed && s.kinds[0] == K_INT && s.kinds[1] == K_DOUBLE,
	    "  the first rows typed the columns: n an int, x a double");
	ok(files_in(d, "city=Oslo") < 0, "  nothing in place before the end");
	pqs_finish(&s, &f);
	is_int((int64_t)s.swapped, 4, "  at the end, four partitions swapped in");
	ok(files_in(d, "city=Oslo") == 1 && files_in(d, "city=Bergen") == 1 &&
	    files_in(d, "city=a%2Fb") == 1 &&
	    files_in(d, "city=__HIVE_DEFAULT_PARTITION__") == 1,
	    "  a part file each, the folders named as Hive names them");
	is_int((int64_t)s.pub_rows, 9, "  nine rows in place");
	ok(stat(s.stage, &st) < 0, "  the staging folder gone");
	ok(!s.failed && !s.stopped, "  no failure, no stop");
	pqs_free(&s);

	/* Append: files rolled every two rows of a partition, at most two
	   open; a run's files come beside the last run's. */
	memset(&f.t, 0, sizeof f.t);
	s = (struct pqsink){ .codec = C_NONE, .rg_rows = 4,
	    .max_open = 2, .dir = d, .pcol = "city", .append = 1,
	    .roll_rows = 2, .filter = &f };
	is_int(pqs_start(&s), 0, "append: started");
	ok(s.stage == NULL, "  no staging folder");
	is_str(feed(&s, &f, say, sizeof say), "9 1 typed early",
	    "  nine records put, one rejected; typed by a file's rows (two), "
	    "not a row group's");
	pqs_finish(&s, &f);
	/* Oslo has rows 0, 4, 8 (3 rows: files of 2 and 1), Bergen 1, 5, 9,
	   a/b 2, 6, the null partition 7 (3 was rejected). */
	ok(files_in(d, "city=Oslo") == 3 && files_in(d, "city=Bergen") == 3 &&
	    files_in(d, "city=a%2Fb") == 2 &&
	    files_in(d, "city=__HIVE_DEFAULT_PARTITION__") == 2,
	    "  each partition's rows in files of two, beside the last run's");
	is_int((int64_t)s.pub_files, 6, "  six files put in place");
	is_int((int64_t)s.pub_rows, 9, "  nine rows");
	ok(s.nopen == 0, "  none left open");
	pqs_free(&s);

	rej_close(f.rj);
	remove_tree(dir);
	return done_testing();
}
