/*
 * schema_find.c - where schemas are: a file named on the command line, or
 * a bundled schema by name ("retail") in the folders a build tree, an
 * install or $SLUICE_SCHEMAS put them in; and their list (--list).
 */
#include "schema.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"

#ifndef SLUICE_DATADIR
#define SLUICE_DATADIR "/usr/local/share/sluice"
#endif

/* The folders bundled schemas may live in, in order. */
static int
schema_dirs(char dirs[][PATH_MAX], int max)
{
	const char *env = getenv("SLUICE_SCHEMAS");
	char exe[PATH_MAX];
	ssize_t n;
	int k = 0;

	if (env != NULL && *env && k < max)
		snprintf(dirs[k++], PATH_MAX, "%s", env);
	/*
	 * Beside the program: PREFIX/bin/prog -> PREFIX/share/sluice/schemas
	 * for an install wherever it was put (DESTDIR too), and bin/prog ->
	 * gen/schemas for a build tree.
	 */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0 && k + 1 < max) {
		char *slash;

		exe[n] = '\0';
		for (int up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
			*slash = '\0';
		snprintf(dirs[k++], PATH_MAX, "%.*s/share/sluice/schemas",
		    PATH_MAX - 32, exe);
		snprintf(dirs[k++], PATH_MAX, "%.*s/gen/schemas",
		    PATH_MAX - 32, exe);
	}
	if (k < max)
		snprintf(dirs[k++], PATH_MAX, "%s/schemas", SLUICE_DATADIR);
	return k;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
schema_find(const char *name)
{
	char dirs[4][PATH_MAX];
	int k = schema_dirs(dirs, 4);
	struct buf b = { 0 };

	if (access(name, R_OK) == 0 && !is_dir(name))
		return estrdup(name);
	if (strchr(name, '/') != NULL)
		return NULL;
	for (int i = 0; i < k; i++) {
		b.n = 0;
		buf_printf(&b, "%s/%s.json", dirs[i], name);
		if (access(buf_cstr(&b), R_OK) == 0)
			return (char *)b.p;
	}
	buf_free(&b);
	return NULL;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
schema_list(void)
{
	char dirs[4][PATH_MAX];
	int k = schema_dirs(dirs, 4), count = 0;

	for (int i = 0; i < k && count == 0; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		char *names[256];
		int n = 0;

		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL && n < 256) {
			size_t len = strlen(e->d_name);

			if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
				names[n++] = estrndup(e->d_name, len - 5);
		}
		closedir(d);
		qsort(names, (size_t)n, sizeof *names, by_name);
		for (int j = 0; j < n; j++) {
			printf("%s\n", names[j]);
			free(names[j]);
		}
		count = n;
	}
	return count;
}
