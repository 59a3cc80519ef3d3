/*
 * checkpoint.c - stream-window's state on disk, so a restart (or another
 * process of the group) goes on where a process stopped or died.
 *
 * A process keeps one file in the folder, NAME.ckpt, replaced whole and
 * atomically (written aside, synced, renamed, the folder synced) at
 * every save: the config it was made with, the lengths of its output,
 * reject and late files, and for every partition it holds the next offset to read, the
 * watermark, the latest event time and the open windows with their
 * exact states.  One file a process, not one a partition, so that its
 * output length and all its partitions change together: a restart cuts
 * the files back to those lengths and reads every partition again from
 * the offsets saved with it, which writes exactly what was cut.
 *
 * NAME comes from the output file (its real absolute path, hashed), so a
 * restart finds its own; with stdout, the first of stdout-0, stdout-1...
 * no live process holds.  A lock (flock, gone when the process dies)
 * keeps two live processes off one name.
 *
 * A partition given to a process is read from whichever file saved it
 * furthest (the largest next offset): offsets only grow along a
 * partition's history, so that is the newest state of it, whoever held
 * it last.  So a file keeps the partitions its process no longer holds
 * (or holds not yet, after a restart), as they were: a stale copy loses
 * to a newer one, but dropping it could lose the only one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "jcheck.h"
#include "window.h"

struct checkpoint {
	char *dir;
	const char *config;
	char *path;		/* DIR/NAME.ckpt */
	char *tmp;		/* DIR/.NAME.ckpt.tmp */
	int lock;		/* DIR/NAME.lock, held */
	char *abs[NFILES];	/* the files' absolute paths, or NULL */
	unsigned long long seq;	/* saves so far */
	json_t *saved;		/* the partitions in the file now */
};

static char *
joined(const char *dir, const char *a, const char *b, const char *c)
{
	struct buf p = { 0 };
	char *s;

	buf_printf(&p, "%s/%s%s%s", dir, a, b, c);
	s = estrdup(buf_cstr(&p));
	buf_free(&p);
	return s;
}

/* --- Reading ------------------------------------------------------------ */

/* A checkpoint file's JSON, checked to be one made with config.  NULL
   when it cannot be read or is not (reported). */
static json_t *
load(const char *path, const char *config)
{
	json_error_t e;
	/* (jc_load_file: jansson alone takes a NUL byte after a number for
	   the end of the text.) */
	json_t *j = jc_load_file(path, 0, &e);
	const char *had;
	json_int_t version;

	if (j == NULL) {
		diag("%s: a damaged checkpoint: %s", path, e.text);
		return NULL;
	}
	had = json_string_value(json_object_get(j, "config"));
	/* 1: 0.1.0's, its windows "panes" (read_part). */
	version = json_integer_value(json_object_get(j, "sluice_checkpoint"));
	if (version < 1 || version > 2 ||
	    had == NULL || !json_is_array(json_object_get(j, "parts"))) {
		diag("%s: not a stream-window checkpoint", path);
		json_decref(j);
		return NULL;
	}
	if (strcmp(had, config) != 0) {
		diag("%s: made with other window options: its windows would "
		    "be wrong.  It has\n  %s\nand these are\n  %s\nUse another "
		    "--checkpoint folder, or empty this one to start afresh",
		    path, had, config);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Call fn(path, json) for every checkpoint file in the folder.  -1 when
   one cannot be read, or fn says -1. */
static int
each_file(const struct checkpoint *c, int (*fn)(const char *path,
    json_t *j, void *ctx), void *ctx)
{
	DIR *d = opendir(c->dir);
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		diag("%s: %s", c->dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char *path;
		json_t *j;

		if (e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 5,
		    ".ckpt") != 0)
			continue;
		path = joined(c->dir, e->d_name, "", "");
		if ((j = load(path, c->config)) == NULL)
			rc = -1;
		else
			rc = fn(path, j, ctx);
		json_decref(j);
		free(path);
	}
	closedir(d);
	return rc;
}

static int
check_only(const char *path, json_t *j, void *ctx)
{
	(void)path;
	(void)j;
	(void)ctx;
	return 0;
}

static int64_t
int_of(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

/*
 * A time of the checkpoint into *us: an integer within the times sluice
 * reads (or W_NONE, "none yet", where none is allowed).  0, or -1.  A
 * time past them would overflow the window arithmetic it goes into.
 */
static int
time_of(const json_t *o, const char *k, int none_ok, int64_t *us)
{
	const json_t *x = json_object_get(o, k);

	if (!json_is_integer(x))
		return -1;
	*us = (int64_t)json_integer_value(x);
	if (none_ok && *us == W_NONE)
		return 0;
	return *us >= TS_MIN_US && *us <= TS_MAX_US ? 0 : -1;
}

/* A count of the checkpoint: an integer, not negative.  0, or -1. */
static int
count_of(const json_t *o, const char *k, uint64_t *n)
{
	const json_t *x = json_object_get(o, k);

	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return -1;
	*n = (uint64_t)json_integer_value(x);
	return 0;
}

/*
 * Windows of one partition from JSON into p; -1 when malformed, with
 * where and why in why[0..n) when it can say more than that; -2 when
 * made by 0.1.0 of windows this one keeps in slices.  0.1.0 kept each
 * window whole ("panes"): tumbling windows, and those kept whole here
 * too, read the same.
 */
static int
read_part(struct run *rn, struct part *p, const json_t *j, char *why,
    size_t n)
{
	const json_t *slices = json_object_get(j, "slices"), *slice, *g;
	const json_t *sess = json_object_get(j, "sessions"), *s;
	size_t i, k;

	*why = '\0';
	if (slices == NULL && (slices = json_object_get(j, "panes")) != NULL &&
	    json_array_size(slices) > 0 && !p->ps.whole &&
	    rn->size != rn->slide)
		return -2;
	if (!json_is_array(slices) || !json_is_array(sess))
		return -1;
	p->next_offset = int_of(j, "next_offset");
	if (time_of(j, "w", 1, &p->w) < 0 ||
	    time_of(j, "max_ts", 1, &p->max_ts) < 0)
		return -1;
	p->max_seen_at = now_seconds();
	json_array_foreach(slices, i, slice) {
		const json_t *groups = json_object_get(slice, "groups");
		struct pane *pn;
		int64_t at;

		if (!json_is_array(groups) ||
		    time_of(slice, "start", 0, &at) < 0)
			return -1;
		if (rn->gap == 0 && floor_to(at, p->ps.width) != at) {
			snprintf(why, n, "slice %zu: its start is not on the "
			    "slices' grid", i + 1);
			return -1;
		}
		pn = panes_get(&p->ps, at);
		json_array_foreach(groups, k, g) {
			size_t gi, had = pn->t.n;

			if (key_from_json(json_object_get(g, "k"), &rn->key) < 0)
				return -1;
			gi = table_get(&pn->t, rn->key.p, (uint32_t)rn->key.n,
			    hash_table_key(rn->key.p, rn->key.n));
			/* A key twice in one window: a checkpoint this program
			   never writes (edited, or damaged), and reading the
			   second over the first would lose its state. */
			if (pn->t.n == had) {
				char *key = json_dumps(json_object_get(g, "k"),
				    JSON_COMPACT), start[TS_BUFSZ];

				start[ts_format(start, pn->start)] = '\0';
				snprintf(why, n, "slice %zu (starting %s), group "
				    "%zu: the key %s a second time in the slice",
				    i + 1, start, k + 1, key);
				free(key);
				return -1;
			}
			if (count_of(g, "n", &pn->t.g[gi].records) < 0 ||
			    states_read(rn->m, rn->nm, json_object_get(g, "s"),
			    table_states(&pn->t, gi)) < 0)
				return -1;
		}
	}
	json_array_foreach(sess, i, s) {
		struct session one = { 0 };

		one.st = ecalloc(rn->nm ? rn->nm : 1, sizeof *one.st);
		if (time_of(s, "start", 0, &one.start) < 0 ||
		    time_of(s, "end", 0, &one.end) < 0 ||
		    one.end < one.start ||
		    count_of(s, "n", &one.records) < 0 ||
		    key_from_json(json_object_get(s, "k"), &rn->key) < 0 ||
		    states_read(rn->m, rn->nm, json_object_get(s, "s"),
		    one.st) < 0) {
			states_free(rn->m, rn->nm, one.st);
			free(one.st);
			return -1;
		}
		sessions_put(&p->ss, rn->key.p, (uint32_t)rn->key.n, &one);
	}
	return 0;
}

/* The newest saved state of one partition, across the files. */
struct newest {
	const struct part *p;
	json_t *best;		/* a reference, or NULL */
	char *from;		/* its file */
	int64_t offset;
};

static int
take_newest(const char *path, json_t *j, void *ctx)
{
	struct newest *nw = ctx;
	size_t i;
	json_t *x;

	json_array_foreach(json_object_get(j, "parts"), i, x) {
		const char *t = json_string_value(json_object_get(x, "topic"));
		int64_t off = int_of(x, "next_offset");

		if (t == NULL || strcmp(t, nw->p->topic) != 0 ||
		    int_of(x, "partition") != nw->p->partition ||
		    (nw->best != NULL && off <= nw->offset))
			continue;
		json_decref(nw->best);
		nw->best = json_incref(x);
		free(nw->from);
		nw->from = estrdup(path);
		nw->offset = off;
	}
	return 0;
}

int
ckpt_restore(struct checkpoint *c, struct run *rn, struct part *p)
{
	struct newest nw = { .p = p };
	int rc = each_file(c, take_newest, &nw);

	if (rc == 0 && nw.best != NULL) {
		char why[512];

		rc = read_part(rn, p, nw.best, why, sizeof why);
		if (rc == -2)
			diag("%s: a checkpoint of %s by an older stream-window, "
			    "which kept each sliding window whole (this one "
			    "keeps slices of them): empty the folder to start "
			    "afresh, or let the older one finish the windows "
			    "open", nw.from, p->where);
		else if (rc < 0)
			diag("%s: a damaged checkpoint of %s%s%s", nw.from,
			    p->where, *why ? ": " : "", why);
		rc = rc < 0 ? -1 : 1;
	}
	json_decref(nw.best);
	free(nw.from);
	return rc;
}

/* --- Opening ------------------------------------------------------------ */

/* Hold DIR/NAME.lock; 0, or -1 when a live process holds it. */
static int
take_lock(struct checkpoint *c, const char *name)
{
	char *path = joined(c->dir, name, ".lock", "");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		fatal(1, "%s: %s", path, strerror(errno));
	free(path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	c->lock = fd;
	c->path = joined(c->dir, name, ".ckpt", "");
	c->tmp = joined(c->dir, ".", name, ".ckpt.tmp");
	return 0;
}

/* path made absolute, its folder's symbolic links and dots resolved
   (the file itself may not exist yet), so one file has one name
   however it is written; NULL for none or stdout. */
static char *
absolute(const char *path)
{
	char dir[PATH_MAX], *slash, *s;
	const char *base;
	struct buf b = { 0 };

	if (path == NULL || strcmp(path, "-") == 0)
		return NULL;
	slash = strrchr(path, '/');
	if (slash == NULL) {
		base = path;
		if (getcwd(dir, sizeof dir) == NULL)
			snprintf(dir, sizeof dir, ".");
	} else {
		char *d = estrndup(path, (size_t)(slash - path));

		base = slash + 1;
		if (realpath(*d ? d : "/", dir) == NULL)
			snprintf(dir, sizeof dir, "%s", *d ? d : "/");
		free(d);
	}
	buf_printf(&b, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base);
	s = estrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* An output's name in the folder: "out-BASENAME-HASH" of its absolute
   path. */
static char *
output_name(const char *abs)
{
	struct buf name = { 0 };
	const char *base = strrchr(abs, '/') + 1;
	char *s;

	buf_adds(&name, "out-");
	for (size_t i = 0; base[i] != '\0' && i < 40; i++)
		buf_addc(&name, (base[i] >= 'a' && base[i] <= 'z') ||
		    (base[i] >= 'A' && base[i] <= 'Z') || (base[i] >= '0' &&
		    base[i] <= '9') || base[i] == '-' || base[i] == '_' ?
		    base[i] : '_');
	buf_printf(&name, "-%08llx", (unsigned long long)(hash_table_key(abs,
	    strlen(abs)) & 0xffffffffu));
	s = estrdup(buf_cstr(&name));
	buf_free(&name);
	return s;
}

static const char *const roles[NFILES] = { "output", "reject", "late" };

struct checkpoint *
ckpt_open(const char *dir, const char *config, struct ckpt_file files[NFILES])
{
	struct checkpoint *c = ecalloc(1, sizeof *c);
	json_t *own, *f;
	size_t k;

	c->dir = estrdup(dir);
	c->config = config;
	c->lock = -1;
	c->saved = json_array();
	for (int i = 0; i < NFILES; i++) {
		c->abs[i] = absolute(files[i].path);
		files[i].len = -1;
	}
	if (mkdir_p(dir) < 0 || each_file(c, check_only, NULL) < 0) {
		ckpt_close(c);
		return NULL;
	}
	if (c->abs[F_OUTPUT] != NULL) {
		char *name = output_name(c->abs[F_OUTPUT]);

		if (take_lock(c, name) < 0) {
			diag("%s: another stream-window is writing %s with its "
			    "checkpoints here", dir, c->abs[F_OUTPUT]);
			free(name);
			ckpt_close(c);
			return NULL;
		}
		free(name);
	} else {
		for (int i = 0; c->lock < 0; i++) {
			char name[32];

			snprintf(name, sizeof name, "stdout-%d", i);
			take_lock(c, name);
		}
	}
	if (access(c->path, F_OK) != 0)
		return c;
	if ((own = load(c->path, config)) == NULL) {
		ckpt_close(c);
		return NULL;
	}
	c->seq = (unsigned long long)int_of(own, "seq");
	json_decref(c->saved);
	c->saved = json_incref(json_object_get(own, "parts"));
	/* A file's length counts only if it is the same file. */
	json_array_foreach(json_object_get(own, "files"), k, f) {
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *path = json_string_value(json_object_get(f, "path"));

		for (int i = 0; i < NFILES; i++)
			if (role != NULL && path != NULL && c->abs[i] != NULL &&
			    strcmp(role, roles[i]) == 0 &&
			    strcmp(path, c->abs[i]) == 0 &&
			    json_is_integer(json_object_get(f, "length")))
				files[i].len = int_of(f, "length");
	}
	json_decref(own);
	return c;
}

void
ckpt_close(struct checkpoint *c)
{
	if (c->lock >= 0)
		close(c->lock);
	json_decref(c->saved);
	for (int i = 0; i < NFILES; i++)
		free(c->abs[i]);
	free(c->dir);
	free(c->path);
	free(c->tmp);
	free(c);
}

/* --- Saving ------------------------------------------------------------- */

static void
session_json(const char *key, uint32_t keylen, struct session *s, void *ctx)
{
	struct run *rn = *(struct run **)ctx;
	json_t *a = ((json_t **)ctx)[1];

	json_array_append_new(a, json_pack("{s:o,s:I,s:I,s:I,s:o}", "k",
	    key_json(key, keylen), "start", (json_int_t)s->start, "end",
	    (json_int_t)s->end, "n", (json_int_t)s->records, "s",
	    states_json(rn->m, rn->nm, s->st)));
}

static json_t *
part_json(struct run *rn, struct part *p)
{
	json_t *slices = json_array(), *sess = json_array();
	void *ctx[2] = { rn, sess };

	for (size_t i = 0; i < p->ps.n; i++) {
		const struct pane *pn = &p->ps.v[i];
		json_t *groups = json_array();

		for (size_t k = 0; k < pn->t.n; k++)
			json_array_append_new(groups, json_pack("{s:o,s:I,s:o}",
			    "k", key_json(pn->t.g[k].key, pn->t.g[k].keylen),
			    "n", (json_int_t)pn->t.g[k].records, "s",
			    states_json(rn->m, rn->nm, table_states(&pn->t, k))));
		json_array_append_new(slices, json_pack("{s:I,s:o}", "start",
		    (json_int_t)pn->start, "groups", groups));
	}
	sessions_each(&p->ss, session_json, ctx);
	return json_pack("{s:s,s:i,s:I,s:I,s:I,s:o,s:o}", "topic", p->topic,
	    "partition", (int)p->partition, "next_offset",
	    (json_int_t)p->next_offset, "w", (json_int_t)p->w, "max_ts",
	    (json_int_t)p->max_ts, "slices", slices, "sessions", sess);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Is the partition saved as x one of those held? */
static int
held(const struct run *rn, const json_t *x)
{
	const char *t = json_string_value(json_object_get(x, "topic"));

	for (size_t i = 0; t != NULL && i < rn->nparts; i++)
		if (rn->parts[i]->partition == int_of(x, "partition") &&
		    strcmp(rn->parts[i]->topic, t) == 0)
			return 1;
	return 0;
}

int
ckpt_save(struct checkpoint *c, struct run *rn,
    const struct ckpt_file files[NFILES])
{
	json_t *parts = json_array(), *fl = json_array(), *j;
	char when[TS_BUFSZ], *text;
	int fd, rc = 0;

	size_t k;
	json_t *x;

	for (size_t i = 0; i < rn->nparts; i++)
		json_array_append_new(parts, part_json(rn, rn->parts[i]));
	json_array_foreach(c->saved, k, x)
		if (!held(rn, x))
			json_array_append(parts, x);
	json_decref(c->saved);
	c->saved = json_incref(parts);
	when[ts_format(when, wall_us())] = '\0';
	for (int i = 0; i < NFILES; i++)
		if (c->abs[i] != NULL && files[i].len >= 0)
			json_array_append_new(fl, json_pack("{s:s,s:s,s:I}",
			    "role", roles[i], "path", c->abs[i], "length",
			    (json_int_t)files[i].len));
	j = json_pack("{s:i,s:s,s:I,s:s,s:o,s:o}", "sluice_checkpoint", 2,
	    "config", c->config, "seq", (json_int_t)++c->seq, "saved", when,
	    "files", fl, "parts", parts);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if ((fd = open(c->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0 || write_all(fd, text, strlen(text)) < 0 ||
	    write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		diag("%s: %s", c->tmp, strerror(errno));
		rc = -1;
	}
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		diag("%s: %s", c->tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(c->tmp, c->path) < 0) {
		diag("%s: %s", c->path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && (fd = open(c->dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(fd);	/* the rename itself, on disk */
		close(fd);
	}
	free(text);
	return rc;
}
