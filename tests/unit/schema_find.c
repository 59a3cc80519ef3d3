/* Unit tests: lib/schema_find.c, where schemas are: a file named as it
   is, a bundled schema by name from $SLUICE_SCHEMAS, a folder or a path
   not there found as nothing; and the list of names, sorted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "schema.h"

static char dir[] = "/tmp/sluice-schema-find-XXXXXX";

/* An empty file DIR/name. */
static void
touch(const char *name)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fclose(f) != 0)
		abort();
}

static void
rm(const char *name)
{
	char path[300];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

int
main(void)
{
	char want[300], out[300], got[64] = "";
	char *p;
	FILE *f;
	int n, saved;

	if (mkdtemp(dir) == NULL)
		abort();
	touch("shop.json");
	touch("audit.json");
	touch("notes.txt");
	setenv("SLUICE_SCHEMAS", dir, 1);

	p = schema_find("shop");
	snprintf(want, sizeof want, "%s/shop.json", dir);
	is_str(p, want, "a bundled schema by name, from $SLUICE_SCHEMAS");
	free(p);
	p = schema_find(want);
	is_str(p, want, "a file by its path, as it is");
	free(p);
	ok(schema_find("notes") == NULL, "only NAME.json is a schema");
	ok(schema_find("nope") == NULL, "no such schema: NULL");
	ok(schema_find("nope/shop") == NULL, "a path not there: NULL, not "
	    "looked for by name");
	ok(schema_find(dir) == NULL, "a folder is not a schema");

	/* The list goes to stdout: catch it in a file. */
	snprintf(out, sizeof out, "%s/list.out", dir);
	fflush(stdout);
	saved = dup(1);
	if (saved < 0 || freopen(out, "w", stdout) == NULL)
		abort();
	n = schema_list();
	fflush(stdout);
	if (dup2(saved, 1) < 0)
		abort();
	close(saved);
	if ((f = fopen(out, "r")) == NULL)
		abort();
	got[fread(got, 1, sizeof got - 1, f)] = '\0';
	fclose(f);
	is_int(n, 2, "two schemas listed");
	is_str(got, "audit\nshop\n", "their names, sorted, one a line");

	rm("list.out");
	rm("shop.json");
	rm("audit.json");
	rm("notes.txt");
	rmdir(dir);
	return done_testing();
}
