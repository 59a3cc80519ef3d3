/* Unit tests: lib/schema.c and its checks (lib/schema_*.c), loading a
   schema file: the fields and their types, the defaults, lookups; and
   each kind of mistake, one message naming the file and the place, and
   the exit status it calls for. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../tap.h"
#include "schema.h"

static char dir[] = "/tmp/sluice-schema-XXXXXX";
static char path[300];

/* Write text as DIR/name.json; its path. */
static const char *
file(const char *name, const char *text)
{
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.json", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0)
		abort();
	return path;
}

/* Loading text fails with message want and status. */
static void
fails(const char *name, const char *text, const char *want, int status)
{
	char err[512] = "";
	struct schema *s = schema_load(file(name, text), err, sizeof err);

	ok(s == NULL, "%s: refused", name);
	is_str(err, want, "%s: the message", name);
	is_int(schema_load_status(), status, "%s: exit status %d", name,
	    status);
	unlink(path);
	schema_free(s);
}

int
main(void)
{
	char err[512] = "";
	struct schema *s;

	if (mkdtemp(dir) == NULL)
		abort();
	s = schema_load(file("shop", "{\"id\": \"order_id\", \"records\": 5, "
	    "\"days\": 2, \"start\": \"2025-01-15\", \"fields\": ["
	    "{\"name\": \"order_id\"},"
	    "{\"name\": \"qty\", \"type\": \"int\"},"
	    "{\"name\": \"price\", \"type\": \"decimal\", \"scale\": 2},"
	    "{\"name\": \"at\", \"type\": \"timestamp\"},"
	    "{\"name\": \"items\", \"type\": \"json\"},"
	    "{\"name\": \"paid\", \"type\": \"bool\"}]}"), err, sizeof err);
	unlink(path);
	ok(s != NULL, "a schema loads");
	if (s == NULL) {
		printf("# %s\n", err);
		return done_testing();
	}
	is_str(s->name, "shop", "its name is the file's when it says none");
	is_int((int64_t)s->nfields, 6, "6 fields");
	is_str(s->fields[0].name, "order_id", "in the file's order");
	is_int(s->fields[0].type, FT_STRING, "a field of no type is a string");
	is_int(s->fields[1].type, FT_INT, "qty is an int");
	ok(s->fields[2].type == FT_DECIMAL && s->fields[2].scale == 2,
	    "price is a decimal of scale 2");
	is_int(s->fields[3].type, FT_TIMESTAMP, "at is a timestamp");
	is_int(s->fields[4].type, FT_JSON, "items is JSON");
	is_int(s->fields[5].type, FT_BOOL, "paid is a bool");
	is_str(ftype_name(s->fields[2].type), "decimal", "ftype_name");
	is_str(ftype_article(FT_INT), "an", "an int");
	is_str(ftype_article(FT_DATE), "a", "a date");
	is_int(schema_field_index(s, "price"), 2, "price is field 2");
	is_int(schema_field_index(s, "Price"), -1, "names are exact");
	is_int(schema_field_index(s, "nope"), -1, "no such field: -1");
	is_str(s->id, "order_id", "the id field");
	ok(s->records == 5 && s->days == 2 && s->start != NULL &&
	    strcmp(s->start, "2025-01-15") == 0, "the generation defaults");
	schema_free(s);

	s = schema_load(file("x", "{\"name\": \"retail_v2\", \"fields\": "
	    "[{\"name\": \"a\"}]}"), err, sizeof err);
	unlink(path);
	ok(s != NULL && strcmp(s->name, "retail_v2") == 0,
	    "a name it says is its name");
	schema_free(s);

	fails("notjson", "{\"fields\": [{\"name\": \"a\"}",
	    "notjson.json:1:25: ']' expected near end of file", 2);
	fails("array", "[1]", "array.json: a schema is a JSON object", 2);
	fails("nofields", "{\"name\": \"x\"}", "nofields.json: fields: missing",
	    2);
	fails("badtype", "{\"fields\": [{\"name\": \"a\", \"type\": "
	    "\"integr\"}]}", "badtype.json: fields[0].type: unknown type "
	    "\"integr\"", 2);
	fails("twice", "{\"fields\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
	    "twice.json: fields[1]: field \"a\" appears twice", 2);
	fails("noname", "{\"fields\": [{\"name\": \"\"}]}",
	    "noname.json: fields[0].name: must not be empty", 2);
	fails("gen", "{\"fields\": [{\"name\": \"a\", \"gen\": \"unifrom\"}]}",
	    "gen.json: fields[0].gen: unknown generator \"unifrom\" (did you "
	    "mean \"uniform\"?)", 2);
	/* What the table of generators says (lib/generators.c). */
	fails("param", "{\"fields\": [{\"name\": \"a\", \"type\": \"int\", "
	    "\"gen\": \"uniform\", \"min\": 1, \"max\": 2, \"mean\": 1}]}",
	    "param.json: fields[0].mean: not a parameter of the uniform "
	    "generator", 2);
	fails("key", "{\"fields\": [{\"name\": \"a\", \"gen\": \"uuid\", "
	    "\"rond\": 1}]}", "key.json: fields[0].rond: unknown key \"rond\" "
	    "(did you mean \"round\"?)", 2);
	fails("makes", "{\"fields\": [{\"name\": \"a\", \"gen\": \"normal\", "
	    "\"mean\": 1, \"stddev\": 2}]}", "makes.json: fields[0].gen: "
	    "normal makes numbers, but the type is string", 2);
	fails("time", "{\"fields\": [{\"name\": \"a\", \"type\": \"int\", "
	    "\"gen\": \"time\"}]}", "time.json: fields[0].gen: time makes "
	    "dates or timestamps, but the type is int", 2);
	fails("list", "{\"fields\": [{\"name\": \"a\", \"gen\": \"list\", "
	    "\"items\": [{\"name\": \"x\"}]}]}", "list.json: fields[0].type: "
	    "a list is of type json", 2);

	/* Not there: a usage error (2); there but not readable: 1. */
	snprintf(path, sizeof path, "%s/absent.json", dir);
	ok(schema_load(path, err, sizeof err) == NULL &&
	    strstr(err, "absent.json: no such schema file or bundled schema")
	    == err + strlen(dir) + 1, "a file not there: %s", err);
	is_int(schema_load_status(), 2, "exit status 2");
	ok(schema_load(dir, err, sizeof err) == NULL &&
	    strstr(err, "Is a directory") != NULL, "a folder: %s", err);
	is_int(schema_load_status(), 1, "exit status 1");
	rmdir(dir);
	return done_testing();
}
