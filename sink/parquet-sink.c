/*
 * parquet-sink - records into Parquet files: one file, or a folder of
 * part files, Hive-partitioned by a column.  See parquet-sink(1).
 *
 * Columns take their types from the schema, else from the first row
 * group's values.  A value that does not fit its column's type rejects
 * its record (counted, to --reject); every other record is written, but
 * those --where leaves out: in = written + rejected + filtered.  Files
 * appear whole or not at all.
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "sink.h"

static const struct program prog = {
	.synopsis = "parquet-sink [options] (-o FILE.parquet | -d DIR [-p COLUMN]) "
	    "[FILE...]",
	.help =
	    "Write records as Parquet: one file, or part files in DIR,\n"
	    "Hive-partitioned by COLUMN (DIR/COLUMN=VALUE/part-N-ID.parquet).\n"
	    "\n"
	    "Options:\n"
	    "  -o, --output FILE       one Parquet file\n"
	    "  -d, --dir DIR           a folder of part files\n"
	    "  -p, --partition COL     partition by COL's value (kept out of the files)\n"
	    "      --mode MODE         overwrite (default: the partitions written are\n"
	    "                          replaced, each atomically) or append\n"
	    "      --roll-rows N       append: a new file every N rows\n"
	    "      --roll-time DUR     append: a new file every DUR (30s, 15m)\n"
	    "      --max-open-files N  files open at once at most (default: the\n"
	    "                          limit on open files, less 16)\n"
	    "  -c, --codec CODEC       snappy (default), zstd, gzip, none\n"
	    "      --row-group-rows N  rows a row group (default 122880)\n"
	    "      --where EXPR        write only the records EXPR holds for; the\n"
	    "                          others are counted filtered\n"
	    STATS_HELP,
	.versions = pq_codec_versions,
	.takes = TAKES_INPUT_FORMAT | TAKES_SCHEMA | TAKES_REJECT | TAKES_QUIET,
};

enum { OPT_MODE = OPT_PROGRAM, OPT_ROLL_ROWS, OPT_ROLL_TIME, OPT_ROLL_SECONDS,
	OPT_ROW_GROUP, OPT_WHERE, OPT_MAX_OPEN };

/* File descriptors kept for everything but the part files: the standard
   streams, an input (and its gzip), --reject, --stats, a folder synced. */
enum { FD_HEADROOM = 16 };

/*
 * One partition (or the whole output): its columns, the rows of the row
 * group being built, and its file.  The file is opened when its first
 * row group is full, or at its end, so partitions of less than a row
 * group hold no file open until they are written one after another.
 */
struct part {
	char *value;		/* the partition's folder name, "col=v" */
	char *dir;		/* where its files go now */
	char *final_dir;	/* overwrite: where they go at the end */
	struct pq_col *cols;
	struct pq_file *f;	/* the file being written, or NULL */
	uint64_t file_rows;	/* rows of that file, written and buffered */
	double opened;		/* when its first row came */
	uint64_t used;		/* the sink's tick at its last row */
	uint64_t rows_done;	/* rows in its finished files */
	unsigned long files_done;
};

struct sink {
	const char *output, *dir, *pcol;
	int append;
	long long roll_rows;
	double roll_seconds;
	long long rg_rows;
	enum pq_codec codec;
	const struct schema *sc;
	/* The columns: names and kinds, fixed from the first row group. */
	char **names;
	enum col_kind *kinds;
	int *scales;
	int *fixed;		/* kind known from the schema */
	size_t ncols;
	int typed;		/* all kinds known */
	int pidx;		/* the partition column in the input, or -1 */
	struct held pending;	/* the first rows, before their types are
				   known */
	struct part **parts;
	size_t nparts;
	struct names colix;	/* column name -> index in names */
	struct names partix;	/* folder name -> index in parts */
	size_t nopen;		/* files open */
	size_t max_open;	/* at most: then the least recently used
				   one is finished, and its partition's
				   next rows go into a new part file */
	uint64_t tick;		/* rows put so far */
	char *stage;		/* overwrite: the staging folder */
	char run_id[32];
	unsigned long files;	/* part files begun (their numbers) */
	/* What readers can see: rows and files put in place. */
	uint64_t pub_rows;
	unsigned long pub_files;
	size_t swapped;		/* overwrite: partitions replaced */
	int stopped;		/* SIGINT/SIGTERM before the end */
	int broken;		/* an input was not read whole */
	struct col_val *conv;
	uint64_t layout;
	int *from;		/* column -> input field */
	int stray;		/* a field with no column, or -1 */
	char msg[256];
	int failed;
	struct part *last;	/* the partition of the record before */
	struct filter *filter;	/* the record loop (for the idle hook) */
	struct buf esc, scratch;
};

static void
usage_if(int bad, const char *why)
{
	if (bad)
		usage_error("%s", why);
}

/* The columns, from the first record: every field but the partition's. */
static int
column_of(const struct sink *s, const char *name)
{
	return (int)names_find(&s->colix, name, strlen(name));
}

static void
add_column(struct sink *s, const char *name)
{
	int scale = 0, k = col_schema_kind(s->sc, name, &scale, NULL);

	if ((s->pcol != NULL && strcmp(name, s->pcol) == 0) ||
	    column_of(s, name) >= 0)
		return;
	s->names[s->ncols] = estrdup(name);
	names_add(&s->colix, s->names[s->ncols], strlen(name), s->ncols);
	if (k >= 0) {
		s->kinds[s->ncols] = (enum col_kind)k;
		s->scales[s->ncols] = scale;
		s->fixed[s->ncols] = 1;
	} else {
		s->typed = 0;
	}
	s->ncols++;
}

/*
 * The file's columns: the schema's fields, then the first record's other
 * fields (a cleansed record's <timestamp>_date, say); without a schema,
 * the first record's.  Not the partition's.  A record with a field
 * outside them is rejected (a Parquet file's columns are fixed).
 */
static void
set_columns(struct sink *s, const struct rec *r)
{
	size_t max = r->n + (s->sc ? s->sc->nfields : 0) + 1;

	s->names = ecalloc(max, sizeof *s->names);
	s->kinds = ecalloc(max, sizeof *s->kinds);
	s->scales = ecalloc(max, sizeof *s->scales);
	s->fixed = ecalloc(max, sizeof *s->fixed);
	s->from = ecalloc(max, sizeof *s->from);
	s->conv = ecalloc(max, sizeof *s->conv);
	s->typed = 1;
	for (size_t i = 0; s->sc != NULL && i < s->sc->nfields; i++)
		add_column(s, s->sc->fields[i].name);
	for (size_t i = 0; i < r->n; i++)
		add_column(s, r->f[i].name ? r->f[i].name : "");
	if (s->ncols == 0) {
		diag("no columns to write: %s", s->pcol ? "the only field is "
		    "the partition column" : "no header, no records, no schema");
		s->failed = 1;
	}
}

/*
 * Where each column is in records of r's layout (the first field of its
 * name), the partition's field, and a field the file has no column for.
 * One pass over the fields, each looked up by hash: a record of a
 * million fields takes a million lookups, not a million scans.
 */
static void
locate(struct sink *s, const struct rec *r)
{
	if (r->layout != 0 && r->layout == s->layout)
		return;
	s->pidx = -1;
	s->stray = -1;
	for (size_t c = 0; c < s->ncols; c++)
		s->from[c] = -1;
	for (size_t i = 0; i < r->n; i++) {
		const char *name = r->f[i].name;
		int c;

		if (name != NULL && s->pcol != NULL && s->pidx < 0 &&
		    strcmp(name, s->pcol) == 0) {
			s->pidx = (int)i;
			continue;
		}
		c = name != NULL ? column_of(s, name) : -1;
		if (c >= 0 && s->from[c] < 0)
			s->from[c] = (int)i;
		else if (c < 0 && s->stray < 0)
			s->stray = (int)i;
	}
	s->layout = r->layout;
}

static struct part *
part_for(struct sink *s, const char *value, size_t n)
{
	struct part *p;
	struct buf b = { 0 };
	long i;

	/* Most records go where the one before went. */
	if (s->last != NULL && strlen(s->last->value) == n &&
	    memcmp(s->last->value, value, n) == 0)
		return s->last;
	if ((i = names_find(&s->partix, value, n)) >= 0)
		return s->last = s->parts[i];
	s->parts = erealloc(s->parts, (s->nparts + 1) * sizeof *s->parts);
	p = s->parts[s->nparts] = ecalloc(1, sizeof *p);
	p->value = estrndup(value, n);
	names_add(&s->partix, p->value, n, s->nparts++);
	p->cols = ecalloc(s->ncols + 1, sizeof *p->cols);
	for (size_t c = 0; c < s->ncols; c++)
		pq_col_init(&p->cols[c], s->names[c], s->kinds[c], s->scales[c]);
	if (s->dir != NULL) {
		buf_printf(&b, "%s%s%s", s->append ? s->dir : s->stage,
		    n ? "/" : "", p->value);
		p->dir = (char *)buf_cstr(&b);
		b = (struct buf){ 0 };
		buf_printf(&b, "%s%s%s", s->dir, n ? "/" : "", p->value);
		p->final_dir = (char *)buf_cstr(&b);
	}
	return s->last = p;
}

static int
open_file(struct sink *s, struct part *p)
{
	struct buf path = { 0 };

	if (s->output != NULL) {
		buf_printf(&path, "%s", s->output);
	} else {
		if (mkdir_p(p->dir) < 0) {
			s->failed = 1;
			return -1;
		}
		buf_printf(&path, "%s/part-%05lu-%s.parquet", p->dir, s->files++,
		    s->run_id);
	}
	p->f = pq_open(buf_cstr(&path), p->cols, s->ncols, s->codec, 0);
	buf_free(&path);
	if (p->f == NULL) {
		s->failed = 1;
		return -1;
	}
	s->nopen++;
	return 0;
}

static int finish_file(struct sink *s, struct part *p);

/*
 * p's file, open: when --max-open-files are open, the least recently
 * used is finished first (a complete file, footer and all; its
 * partition's next rows go into a new part file, as Spark writes several
 * files a partition), so any number of partitions fits any limit.
 */
static int
ensure_open(struct sink *s, struct part *p)
{
	if (p->f != NULL)
		return 0;
	while (s->nopen >= s->max_open) {
		struct part *lru = NULL;

		for (size_t i = 0; i < s->nparts; i++)
			if (s->parts[i]->f != NULL && (lru == NULL ||
			    s->parts[i]->used < lru->used))
				lru = s->parts[i];
		if (lru == NULL || finish_file(s, lru) < 0)
			return -1;
	}
	return open_file(s, p);
}

/*
 * Write p's rows and finish its file: footer, fsync, rename.  In append
 * mode and for -o the file is then in place; in overwrite mode it waits
 * in the staging folder for its partition's swap.
 */
static int
finish_file(struct sink *s, struct part *p)
{
	uint64_t rows = p->file_rows;
	int rc;

	if (p->f == NULL && rows == 0)
		return 0;
	if (ensure_open(s, p) < 0)
		return -1;
	rc = pq_close(p->f);
	p->f = NULL;
	p->file_rows = 0;
	s->nopen--;
	if (rc < 0) {
		s->failed = 1;
		return -1;
	}
	p->rows_done += rows;
	p->files_done++;
	if (s->append || s->output != NULL) {
		s->pub_rows += rows;
		s->pub_files++;
	}
	return 0;
}

/* Give p's file and rows up: nothing of them is kept. */
static void
drop_file(struct sink *s, struct part *p)
{
	if (p->f != NULL) {
		pq_discard(p->f);
		p->f = NULL;
		s->nopen--;
	}
	p->file_rows = 0;
}

/* Does r have a field the file has no column for?  Then it is rejected. */
static int
stray(struct filter *f, struct sink *s, struct rec *r)
{
	struct rej_reason why = { "column", s->msg, NULL };

	locate(s, r);
	if (s->stray < 0)
		return 0;
	snprintf(s->msg, sizeof s->msg, "field \"%s\" is not one of the "
	    "file's columns (the schema's and the first record's)",
	    r->f[s->stray].name ? r->f[s->stray].name : "");
	filter_reject(f, r, &why, 1);
	return 1;
}

/* Write a record whose values are converted, to its partition. */
static int
put(struct filter *f, struct sink *s, struct rec *r)
{
	struct part *p;
	const char *pv = "";
	size_t pn = 0;
	struct buf *esc = &s->esc;

	if (stray(f, s, r))
		return 0;
	for (size_t c = 0; c < s->ncols; c++) {
		struct val nul = val_null();
		const struct val *v = s->from[c] >= 0 ? &r->f[s->from[c]].v : &nul;

		if (col_value(s->names[c], s->kinds[c], s->scales[c], v,
		    &s->conv[c], s->msg, sizeof s->msg) < 0) {
			struct rej_reason why = { "type", s->msg, NULL };

			filter_reject(f, r, &why, 1);
			return 0;
		}
	}
	if (s->pcol != NULL) {
		const struct val *v = s->pidx >= 0 ? &r->f[s->pidx].v : NULL;
		size_t n = 0;
		const char *txt = v == NULL || val_is_null(v) ? NULL :
		    val_to_text(v, &s->scratch, &n);

		esc->n = 0;
		hive_escape(esc, s->pcol, strlen(s->pcol));
		buf_addc(esc, '=');
		/* Null and "" alike, as Spark and Hive write them: a
		   folder "col=" is refused by Spark's partition discovery. */
		if (n == 0)
			buf_adds(esc, "__HIVE_DEFAULT_PARTITION__");
		else
			hive_escape(esc, txt, n);
		if (esc->n > NAME_MAX) {
			struct rej_reason why = { "partition", s->msg, NULL };

			snprintf(s->msg, sizeof s->msg, "the partition value "
			    "makes a folder name of %zu bytes, more than a file "
			    "name can have (%d)", esc->n, NAME_MAX);
			filter_reject(f, r, &why, 1);
			return 0;
		}
		pv = esc->p;
		pn = esc->n;
	}
	p = part_for(s, pv, pn);
	if (p->file_rows == 0)
		p->opened = now_seconds();
	for (size_t c = 0; c < s->ncols; c++)
		pq_col_put(&p->cols[c], &s->conv[c]);
	p->file_rows++;
	p->used = ++s->tick;
	f->t.out++;
	if (p->cols[0].rows >= (size_t)s->rg_rows &&
	    (ensure_open(s, p) < 0 || pq_row_group(p->f) < 0)) {
		s->failed = 1;
		return -1;
	}
	if (s->append && ((s->roll_rows > 0 &&
	    p->file_rows >= (uint64_t)s->roll_rows) || (s->roll_seconds > 0 &&
	    now_seconds() - p->opened >= s->roll_seconds)))
		return finish_file(s, p);
	return 0;
}

static void settle(struct filter *f, struct sink *s);

/* On the clock, whether records come or not: the files open
   --roll-time or longer are closed (and rows held that long to type
   them written), so a quiet stream's rows do not wait in an open file
   for the next record.  Looked at four times a period. */
static int
roll_clock(void *ctx)
{
	struct sink *s = ctx;
	double now = now_seconds();

	if (!s->typed && held_due(&s->pending, SIZE_MAX, s->roll_seconds))
		settle(s->filter, s);
	for (size_t i = 0; i < s->nparts; i++)
		if (s->parts[i]->file_rows > 0 &&
		    now - s->parts[i]->opened >= s->roll_seconds)
			finish_file(s, s->parts[i]);
	return (int)(s->roll_seconds * 1000 / 4);
}

/* Types from the first rows (each column's values widened, row by
   row), then those rows written. */
static void
settle(struct filter *f, struct sink *s)
{
	int *guess = ecalloc(s->ncols + 1, sizeof *guess);
	struct val nul = val_null();
	struct rec r;

	rec_init(&r);
	for (size_t c = 0; c < s->ncols; c++)
		guess[c] = COL_GUESS_NONE;
	for (size_t i = 0; i < s->pending.n; i++) {
		held_get(&s->pending, i, &r);
		locate(s, &r);
		for (size_t c = 0; c < s->ncols; c++)
			if (!s->fixed[c])
				guess[c] = col_widen(guess[c], s->from[c] >= 0 ?
				    &r.f[s->from[c]].v : &nul);
	}
	for (size_t c = 0; c < s->ncols; c++)
		if (!s->fixed[c])
			s->kinds[c] = col_guess_kind(guess[c]);
	free(guess);
	s->typed = 1;
	for (size_t i = 0; i < s->pending.n && !s->failed; i++) {
		held_get(&s->pending, i, &r);
		put(f, s, &r);
	}
	rec_free(&r);
	held_free(&s->pending);
}

static void
each(struct filter *f, struct rec *r, void *ctx)
{
	struct sink *s = ctx;
	size_t rows = (size_t)s->rg_rows;

	if (s->failed) {
		f->stop = 1;
		return;
	}
	if (!filter_keep(f, r))
		return;
	if (s->names == NULL) {
		set_columns(s, r);
		if (s->failed) {
			f->stop = 1;
			return;
		}
	}
	if (s->typed) {
		if (put(f, s, r) < 0)
			f->stop = 1;
		return;
	}
	/* Keep the row until the first rows decide the types. */
	if (stray(f, s, r))
		return;
	held_add(&s->pending, r);
	/* A stream does not wait for a whole row group to be typed: a file
	   it rolls, or the time it rolls at, is enough. */
	if (s->append && s->roll_rows > 0 && (size_t)s->roll_rows < rows)
		rows = (size_t)s->roll_rows;
	if (held_due(&s->pending, rows, s->append ? s->roll_seconds : 0))
		settle(f, s);
}

/* After the last record, while rejects can still be written: the rows
   held to decide the types (not when stopped in overwrite mode, where
   nothing is to be written). */
static void
last_rows(struct filter *f, void *ctx)
{
	struct sink *s = ctx;

	if (!s->typed && s->pending.n > 0 && (s->append || !stop_requested))
		settle(f, s);
}

/*
 * The end: the last row groups written, every file finished, partitions
 * swapped in.  A stop (SIGINT, SIGTERM) before the end of the input, or
 * before the swaps begin, or an input not read whole, publishes nothing
 * in overwrite mode and with -o: the old partitions and file stay as
 * they were.  Append mode puts what is complete in place, as it does all
 * along.
 */
static void
finish(struct sink *s, struct filter *f)
{
	int keep;

	s->stopped = stop_requested != 0;
	keep = s->append || (!s->stopped && !s->broken);
	if (keep && !s->typed && s->pending.n > 0)
		settle(f, s);	/* (no output was opened: nothing rejected) */
	if (s->names == NULL && s->output != NULL && keep && !s->failed) {
		/* No records: the header's columns (or the schema's), typed
		   as the schema says, else strings, in a file of 0 rows. */
		struct rec h;

		rec_init(&h);
		if (f->header != NULL)
			for (size_t i = 0; i < f->nheader; i++)
				rec_add(&h, f->header[i], val_null());
		else if (s->sc != NULL)
			for (size_t i = 0; i < s->sc->nfields; i++)
				rec_add(&h, s->sc->fields[i].name, val_null());
		set_columns(s, &h);
		for (size_t c = 0; c < s->ncols; c++)
			if (!s->fixed[c])
				s->kinds[c] = K_STRING;
		s->typed = 1;
		rec_free(&h);
	}
	if (s->output != NULL && s->nparts == 0 && keep && !s->failed)
		ensure_open(s, part_for(s, "", 0));	/* 0 rows: still a file */
	for (size_t i = 0; i < s->nparts; i++) {
		/* A stop while the files were written still counts. */
		if (!s->append && stop_requested) {
			s->stopped = 1;
			keep = 0;
		}
		if (s->failed || !keep)
			drop_file(s, s->parts[i]);
		else
			finish_file(s, s->parts[i]);
	}
	if (s->dir != NULL && !s->append && keep && !s->failed &&
	    !stop_requested) {
		char *copy = estrdup(s->dir);
		char *parent = dirname(copy);

		/* From here on a stop waits: each swap is quick. */
		for (size_t i = 0; i < s->nparts && !s->failed; i++) {
			struct part *p = s->parts[i];

			if (s->pcol == NULL) {
				/* The whole folder is the partition. */
				if (swap_in(p->dir, s->dir, parent) < 0)
					s->failed = 1;
			} else if (mkdir_p(s->dir) < 0 ||
			    swap_in(p->dir, p->final_dir, s->dir) < 0) {
				s->failed = 1;
			}
			if (s->failed)
				break;
			s->pub_rows += p->rows_done;
			s->pub_files += p->files_done;
			s->swapped++;
		}
		free(copy);
	} else if (!s->append && stop_requested) {
		s->stopped = 1;
	}
	if (s->stage != NULL) {
		remove_tree(s->stage);
		keep_at_exit(s->stage);
	}
}

/* After a stop or a failure: what readers see now, and what they do not. */
static void
tell_kept(const struct sink *s, const struct filter *f)
{
	const char *why = s->failed ? "after the failure" : s->stopped ?
	    "stopped before the end of the input" :
	    "an input was not read whole";
	/* Read, neither rejected nor filtered, and not in place. */
	unsigned long long lost = f->t.in - f->t.rejected - f->t.filtered -
	    s->pub_rows;

	if (s->append)
		diag("%s: %llu rows in %lu complete files are in place%s", why,
		    (unsigned long long)s->pub_rows, s->pub_files,
		    s->stopped && !s->failed ? "; what came after them was "
		    "not read" : "");
	else if (s->output != NULL)
		diag("%s: %s is as it was (%llu records read not written)", why,
		    s->output, lost);
	else if (s->swapped == 0)
		diag("%s: nothing replaced, every partition in %s is as it "
		    "was (%llu records read not written)", why, s->dir, lost);
	else
		diag("%s: %zu of %zu partitions in %s replaced, the others "
		    "are as they were (%llu records read not written)", why,
		    s->swapped, s->nparts, s->dir, lost);
}

/* The open files allowed: --max-open-files, else what the limit leaves. */
static size_t
open_files_limit(long long opt)
{
	struct rlimit rl;
	rlim_t n;

	if (opt > 0)
		return (size_t)opt;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1000;
	n = rl.rlim_cur > 2 * FD_HEADROOM ? rl.rlim_cur - FD_HEADROOM :
	    rl.rlim_cur / 2;
	/* More than a thousand files open buys nothing but memory. */
	return n < 1 ? 1 : n > 1000 ? 1000 : (size_t)n;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		{ "partition", required_argument, NULL, 'p' },
		{ "codec", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "roll-rows", required_argument, NULL, OPT_ROLL_ROWS },
		{ "roll-time", required_argument, NULL, OPT_ROLL_TIME },
		/* The old spelling, for one release: seconds. */
		{ "roll-seconds", required_argument, NULL, OPT_ROLL_SECONDS },
		{ "row-group-rows", required_argument, NULL, OPT_ROW_GROUP },
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "max-open-files", required_argument, NULL, OPT_MAX_OPEN },
		STATS_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct sink s = { .codec = C_SNAPPY, .rg_rows = 122880, .pidx = -1 };
	struct common_opts co = { 0 };
	struct filter f = { 0 };
	struct schema *sc = NULL;
	char err[512], *end;
	const char *where = NULL;
	long long max_open = 0;
	int c, status;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "o:d:p:c:",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			s.output = optarg;
			break;
		case 'd':
			s.dir = optarg;
			break;
		case 'p':
			s.pcol = optarg;
			break;
		case 'c':
			if (pq_codec_parse(optarg, &s.codec) < 0)
				usage_error("-c: expected snappy, zstd, gzip or "
				    "none, not \"%s\"", optarg);
			break;
		case OPT_MODE:
			usage_if(strcmp(optarg, "append") != 0 &&
			    strcmp(optarg, "overwrite") != 0,
			    "--mode: expected overwrite or append");
			s.append = strcmp(optarg, "append") == 0;
			break;
		case OPT_ROLL_ROWS:
			s.roll_rows = opt_number("--roll-rows", optarg, 1);
			break;
		case OPT_ROLL_TIME:
			s.roll_seconds = (double)opt_duration("--roll-time",
			    optarg, NULL, 1) / 1e6;
			break;
		case OPT_ROLL_SECONDS:
			opt_old("--roll-seconds S", "--roll-time DUR (30s)");
			s.roll_seconds = strtod(optarg, &end);
			usage_if(*end != '\0' || !(s.roll_seconds > 0),
			    "--roll-seconds: expected seconds, more than 0");
			break;
		case OPT_WHERE:
			where = optarg;
			break;
		case OPT_MAX_OPEN:
			max_open = opt_number("--max-open-files", optarg, 1);
			break;
		case OPT_ROW_GROUP:
			s.rg_rows = opt_number("--row-group-rows", optarg, 1);
			usage_if(s.rg_rows > INT32_MAX,
			    "--row-group-rows: at most 2147483647");
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	}
	usage_if((s.output == NULL) == (s.dir == NULL),
	    "one of -o FILE or -d DIR, please");
	usage_if(s.pcol != NULL && s.dir == NULL, "-p needs -d DIR");
	usage_if((s.roll_rows || s.roll_seconds) && !s.append,
	    "--roll-rows and --roll-time need --mode append");
	usage_if(s.append && s.dir == NULL, "--mode append needs -d DIR");
	if (s.pcol != NULL) {
		struct buf b = { 0 };

		hive_escape(&b, s.pcol, strlen(s.pcol));
		usage_if(b.n + sizeof "=__HIVE_DEFAULT_PARTITION__" - 1 >
		    NAME_MAX, "-p: the column's name makes folder names too "
		    "long for a file system");
		buf_free(&b);
	}
	s.max_open = open_files_limit(max_open);
	if (co.schema != NULL &&
	    (sc = schema_load(co.schema, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return schema_load_status();
	}
	s.sc = sc;
	if (where != NULL)
		f.where = ewhere(where, sc);
	{
		/* Unique across runs: the time to the nanosecond, the pid. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(s.run_id, sizeof s.run_id, "%lx%08lx%lx",
		    (unsigned long)ts.tv_sec, (unsigned long)ts.tv_nsec,
		    (unsigned long)getpid());
	}
	if (s.output != NULL) {
		char *copy = estrdup(s.output);

		clean_stale(dirname(copy));	/* a killed run's temporary */
		free(copy);
	}
	if (s.dir != NULL) {
		char *copy = estrdup(s.dir), *copy2 = estrdup(s.dir);
		char *parent = dirname(copy), *base = basename(copy2);
		struct buf b = { 0 };

		clean_stale(s.dir);
		clean_stale_stages(parent, base);
		if (!s.append) {
			buf_printf(&b, "%s/.%s.stage-%s-%ld", parent, base,
			    s.run_id, (long)getpid());
			s.stage = (char *)buf_cstr(&b);
			/* However the run ends (fatal(): out of memory), its
			   staging folder goes. */
			remove_at_exit(s.stage, remove_tree);
			if (mkdir_p(s.stage) < 0)
				return 1;
		}
		free(copy);
		free(copy2);
	}
	stop_on_signals();
	if (s.roll_seconds > 0)
		src_on_clock(roll_clock, &s);
	s.filter = &f;
	f.co = &co;
	f.own_summary = 1;
	f.want_header = 1;
	f.finish = last_rows;
	status = filter_run(&f, argv + optind, argc - optind, each, &s);
	s.broken = status != 0;
	finish(&s, &f);
	if (s.failed || s.stopped || (s.broken && !s.append)) {
		tell_kept(&s, &f);
		status = 1;
	}
	/* Written: the rows readers can see, in the files put in place. */
	f.t.out = s.pub_rows;
	if (stats_summary(co.stats, &f.t, stats_pack("{s:I,s:I}", "written",
	    (json_int_t)f.t.out, "files", (json_int_t)s.pub_files),
	    co.quiet) < 0)
		status = 1;
	for (size_t i = 0; i < s.nparts; i++) {
		struct part *p = s.parts[i];

		for (size_t k = 0; k < s.ncols; k++)
			pq_col_free(&p->cols[k]);
		free(p->cols);
		free(p->value);
		free(p->dir);
		free(p->final_dir);
		free(p);
	}
	free(s.parts);
	names_free(&s.colix);
	names_free(&s.partix);
	/* Rows held to type the columns that a stop left unwritten: */
	held_free(&s.pending);
	for (size_t k = 0; k < s.ncols; k++) {
		free(s.names[k]);
		buf_free(&s.conv[k].scratch);
	}
	free(s.names);
	free(s.kinds);
	free(s.scales);
	free(s.fixed);
	free(s.from);
	free(s.conv);
	free(s.stage);
	buf_free(&s.esc);
	buf_free(&s.scratch);
	filter_free_header(&f);
	where_free(f.where);
	schema_free(sc);
	return status;
}
