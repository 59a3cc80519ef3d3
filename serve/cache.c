/*
 * cache.c - a page already made for the same request and the same state
 * of the warehouse (the database's and its WAL's size and change time),
 * served again without a query: a nightly batch warehouse renders once a
 * night, not once a refresh.  Kept in $SLUICE_CACHE (empty: none), else
 * $TMPDIR/sluice-dashboard-UID.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "page.h"

static void
stamp(struct buf *b, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		buf_printf(b, "%lld.%09ld:%lld ", (long long)st.st_mtim.tv_sec,
		    st.st_mtim.tv_nsec, (long long)st.st_size);
	else
		buf_adds(b, "- ");
}

int
cache_path(struct buf *path, struct buf *key, const char *db,
    const char *request)
{
	const char *dir = getenv("SLUICE_CACHE");
	struct buf wal = { 0 };

	uint64_t name;

	if (dir != NULL && *dir == '\0')
		return -1;
	key->n = 0;
	path->n = 0;
	buf_printf(key, "%s\n%s\n", db, request);
	/* The file is the request's; the warehouse's state is in it. */
	name = hash_bytes(key->p, key->n, 0);
	stamp(key, db);
	buf_printf(&wal, "%s-wal", db);
	stamp(key, buf_cstr(&wal));
	buf_free(&wal);
	buf_addc(key, '\n');
	if (dir != NULL)
		buf_printf(path, "%s", dir);
	else
		buf_printf(path, "%s/sluice-dashboard-%ld", getenv("TMPDIR") ?
		    getenv("TMPDIR") : "/tmp", (long)getuid());
	/* Ours alone: made 0700, and used only when it is ours and no one
	   else can write it (another user could plant pages). */
	{
		struct stat st;

		if (mkdir(buf_cstr(path), 0700) < 0 && errno != EEXIST)
			return -1;
		if (lstat(buf_cstr(path), &st) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != getuid() || (st.st_mode & 077) != 0)
			return -1;
	}
	buf_printf(path, "/%016llx.page", (unsigned long long)name);
	return 0;
}

int
cache_serve(const char *path, const struct buf *key)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	struct buf head = { 0 };
	int c;

	if (f == NULL)
		return -1;
	/* The key's lines, then the page. */
	for (size_t lines = 0; lines < 3 && (c = getc(f)) != EOF;) {
		buf_addc(&head, (char)c);
		lines += c == '\n';
	}
	if (head.n != key->n || memcmp(head.p, key->p, key->n) != 0) {
		buf_free(&head);
		fclose(f);
		return -1;
	}
	buf_free(&head);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (fwrite(chunk, 1, n, stdout) != n)
			break;
	fclose(f);
	return fflush(stdout) == 0 ? 0 : -1;
}

void
cache_store(const char *path, const struct buf *key, const struct buf *page)
{
	struct out *o = out_open(path, OUT_ATOMIC, 0);

	if (o == NULL)
		return;
	out_write(o, key->p, key->n);
	out_write(o, page->p, page->n);
	out_close(o);
}
