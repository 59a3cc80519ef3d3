/*
 * parts.c - where the files go: one file (-o), or a folder of part files,
 * Hive-partitioned by a column's value (-d DIR -p COL).  In overwrite
 * mode a partition is written whole into a staging folder beside DIR and
 * swapped in with one atomic rename (renameat2 RENAME_EXCHANGE), so
 * readers see the old partition or the new, never a mix; in append mode
 * new files appear one by one, each complete.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink.h"

/* Percent-encode a partition value as Hive does: unreserved characters
   stay, the rest (":" and "/" too: Hadoop's paths refuse them) go %XX. */
void
hive_escape(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~' || c == ' ' || c >= 0x80) {
			buf_addc(b, (char)c);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

/* Remove a folder and everything in it. */
int
remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		struct buf b = { 0 };

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		buf_printf(&b, "%s/%s", path, e->d_name);
		if (remove_tree(buf_cstr(&b)) < 0)
			rc = -1;
		buf_free(&b);
	}
	closedir(d);
	if (rmdir(path) < 0)
		rc = -1;
	return rc;
}

/* Is the process whose id ends a temporary name ("...-1234") gone? */
static int
owner_gone(const char *name)
{
	const char *dash = strrchr(name, '-');
	long pid;
	char *end;

	if (dash == NULL)
		return 0;
	pid = strtol(dash + 1, &end, 10);
	if (*end != '\0' || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/*
 * What a killed run left: its temporary files (".NAME.tmp-PID") in dir
 * and below, and its staging folders beside dir (".BASE.stage-...-PID"),
 * when their process is gone.
 */
void
clean_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct buf b = { 0 };
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		buf_printf(&b, "%s/%s", dir, e->d_name);
		if (lstat(buf_cstr(&b), &st) == 0 && S_ISDIR(st.st_mode))
			clean_stale(buf_cstr(&b));
		else if (e->d_name[0] == '.' && strstr(e->d_name, ".tmp-") &&
		    owner_gone(e->d_name))
			unlink(buf_cstr(&b));
		buf_free(&b);
	}
	closedir(d);
}

void
clean_stale_stages(const char *parent, const char *base)
{
	DIR *d = opendir(parent);
	struct dirent *e;
	struct buf prefix = { 0 };

	if (d == NULL)
		return;
	buf_printf(&prefix, ".%s.stage-", base);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix.p, prefix.n) == 0 &&
		    owner_gone(e->d_name)) {
			struct buf b = { 0 };

			buf_printf(&b, "%s/%s", parent, e->d_name);
			remove_tree(buf_cstr(&b));
			buf_free(&b);
		}
	}
	closedir(d);
	buf_free(&prefix);
}

/* fsync a folder, so renames in it last. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Put the staged folder from in place of to: swapped atomically when to
 * exists (the old one then removed), renamed when it does not.
 */
int
swap_in(const char *from, const char *to, const char *parent)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE) == 0) {
		sync_dir(parent);
		return remove_tree(from);
	}
	if (errno != ENOENT) {
		diag("%s: %s", to, strerror(errno));
		return -1;
	}
	if (rename(from, to) < 0) {
		diag("%s: %s", to, strerror(errno));
		return -1;
	}
	sync_dir(parent);
	return 0;
}
