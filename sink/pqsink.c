/*
 * pqsink.c - parquet-sink's engine (pqsink.h): a record's columns found
 * by hash, its values converted, it put in its partition's row group;
 * files opened late and, past --max-open-files, the least recently used
 * finished; the first rows held (lib/held.c) until their values decide
 * the columns' types; files finished, and partitions swapped in, at the
 * end.
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pqsink.h"
#include "sink.h"

/* The columns, from the first record: every field but the partition's. */
static int
column_of(const struct pqsink *s, const char *name)
{
	return (int)names_find(&s->colix, name, strlen(name));
}

static void
add_column(struct pqsink *s, const char *name)
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

/* The columns and their kinds are fixed: -j's threads may convert. */
static void
publish_types(struct pqsink *s)
{
	if (s->typed && s->names != NULL && !s->failed)
		__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
}

/*
 * The file's columns: the schema's fields, then the first record's other
 * fields (a cleansed record's <timestamp>_date, say); without a schema,
 * the first record's.  Not the partition's.  A record with a field
 * outside them is rejected (a Parquet file's columns are fixed).
 */
static void
set_columns(struct pqsink *s, const struct rec *r)
{
	size_t max = r->n + (s->sc ? s->sc->nfields : 0) + 1;

	s->names = ecalloc(max, sizeof *s->names);
	s->kinds = ecalloc(max, sizeof *s->kinds);
	s->scales = ecalloc(max, sizeof *s->scales);
	s->fixed = ecalloc(max, sizeof *s->fixed);
	s->typed = 1;
	for (size_t i = 0; s->sc != NULL && i < s->sc->nfields; i++)
		add_column(s, s->sc->fields[i].name);
	for (size_t i = 0; i < r->n; i++)
		add_column(s, r->f[i].name ? r->f[i].name : "");
	pqs_view_init(s, &s->v);
	if (s->ncols == 0) {
		diag("no columns to write: %s", s->pcol ? "the only field is "
		    "the partition column" : "no header, no records, no schema");
		s->failed = 1;
	}
	publish_types(s);
}

/*
 * Where each column is in records of r's layout (the first field of its
 * name), the partition's field, and a field the file has no column for.
 * One pass over the fields, each looked up by hash: a record of a
 * million fields takes a million lookups, not a million scans.
 */
static void
locate(const struct pqsink *s, struct pq_view *v, const struct rec *r)
{
	if (r->layout != 0 && r->layout == v->layout)
		return;
	v->pidx = -1;
	v->stray = -1;
	for (size_t c = 0; c < s->ncols; c++)
		v->from[c] = -1;
	for (size_t i = 0; i < r->n; i++) {
		const char *name = r->f[i].name;
		int c;

		if (name != NULL && s->pcol != NULL && v->pidx < 0 &&
		    strcmp(name, s->pcol) == 0) {
			v->pidx = (int)i;
			continue;
		}
		c = name != NULL ? column_of(s, name) : -1;
		if (c >= 0 && v->from[c] < 0)
			v->from[c] = (int)i;
		else if (c < 0 && v->stray < 0)
			v->stray = (int)i;
	}
	v->layout = r->layout;
}

void
pqs_view_init(const struct pqsink *s, struct pq_view *v)
{
	memset(v, 0, sizeof *v);
	v->pidx = -1;
	v->from = ecalloc(s->ncols + 1, sizeof *v->from);
	v->conv = ecalloc(s->ncols + 1, sizeof *v->conv);
}

void
pqs_view_free(const struct pqsink *s, struct pq_view *v)
{
	for (size_t k = 0; v->conv != NULL && k < s->ncols; k++)
		buf_free(&v->conv[k].scratch);
	free(v->conv);
	free(v->from);
	memset(v, 0, sizeof *v);
}

static struct part *
part_for(struct pqsink *s, const char *value, size_t n)
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
	for (size_t c = 0; c < s->ncols; c++) {
		pq_col_init(&p->cols[c], s->names[c], s->kinds[c], s->scales[c]);
		p->cols[c].dict_later = s->dict_later;
	}
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
open_file(struct pqsink *s, struct part *p)
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
	/* Partitions' files, many open at once: a row group each in
	   flight, so that each holds its columns twice, not N + 1 times. */
	if (p->f != NULL && s->pcol != NULL)
		pq_in_flight(p->f, 1);
	buf_free(&path);
	if (p->f == NULL) {
		s->failed = 1;
		return -1;
	}
	s->nopen++;
	return 0;
}

static int finish_file(struct pqsink *s, struct part *p);

/*
 * p's file, open: when --max-open-files are open, the least recently
 * used is finished first (a complete file, footer and all; its
 * partition's next rows go into a new part file, as Spark writes several
 * files a partition), so any number of partitions fits any limit.
 */
static int
ensure_open(struct pqsink *s, struct part *p)
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
finish_file(struct pqsink *s, struct part *p)
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
drop_file(struct pqsink *s, struct part *p)
{
	if (p->f != NULL) {
		pq_discard(p->f);
		p->f = NULL;
		s->nopen--;
	}
	p->file_rows = 0;
}

/* p has n rows more: its row group is written when full, its file
   finished when --roll-rows or --roll-time say.  0, or -1 (failed). */
static int
rows_added(struct pqsink *s, struct part *p, size_t n)
{
	p->file_rows += n;
	s->tick += n;
	p->used = s->tick;
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

/* Does r have a field the file has no column for?  Then it is rejected. */
static int
stray(struct filter *f, const struct pqsink *s, struct pq_view *v,
    struct rec *r)
{
	struct rej_reason why = { "column", v->msg, NULL };

	locate(s, v, r);
	if (v->stray < 0)
		return 0;
	snprintf(v->msg, sizeof v->msg, "field \"%s\" is not one of the "
	    "file's columns (the schema's and the first record's)",
	    r->f[v->stray].name ? r->f[v->stray].name : "");
	filter_reject(f, r, &why, 1);
	return 1;
}

int
pqs_convert(struct filter *f, const struct pqsink *s, struct pq_view *v,
    struct rec *r)
{
	if (stray(f, s, v, r))
		return -1;
	for (size_t c = 0; c < s->ncols; c++) {
		struct val nul = val_null();
		const struct val *x = v->from[c] >= 0 ? &r->f[v->from[c]].v :
		    &nul;

		if (col_value(s->names[c], s->kinds[c], s->scales[c], x,
		    &v->conv[c], v->msg, sizeof v->msg) < 0) {
			struct rej_reason why = { "type", v->msg, NULL };

			filter_reject(f, r, &why, 1);
			return -1;
		}
	}
	return 0;
}

/* Write a record whose values are converted, to its partition. */
static int
put(struct filter *f, struct pqsink *s, struct rec *r)
{
	struct part *p;
	const char *pv = "";
	size_t pn = 0;
	struct buf *esc = &s->esc;

	if (pqs_convert(f, s, &s->v, r) < 0)
		return 0;
	if (s->pcol != NULL) {
		const struct val *v = s->v.pidx >= 0 ? &r->f[s->v.pidx].v :
		    NULL;
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
		pq_col_put(&p->cols[c], &s->v.conv[c]);
	f->t.out++;
	return rows_added(s, p, 1);
}

int
pqs_put_runs(struct pqsink *s, struct pq_rows *runs)
{
	struct part *p = part_for(s, "", 0);

	while (runs[0].at < runs[0].rows) {
		size_t n = runs[0].rows - runs[0].at;
		size_t room = (size_t)s->rg_rows - p->cols[0].rows;

		/* Up to the end of the row group, or of the file. */
		if (n > room)
			n = room;
		if (s->append && s->roll_rows > 0 &&
		    n > (uint64_t)s->roll_rows - p->file_rows)
			n = (size_t)((uint64_t)s->roll_rows - p->file_rows);
		if (p->file_rows == 0)
			p->opened = now_seconds();
		for (size_t c = 0; c < s->ncols; c++)
			pq_col_append(&p->cols[c], &runs[c], n);
		if (rows_added(s, p, n) < 0)
			return -1;
	}
	return 0;
}

static void settle(struct filter *f, struct pqsink *s);

/* On the clock, whether records come or not: the files open
   --roll-time or longer are closed (and rows held that long to type
   them written), so a quiet stream's rows do not wait in an open file
   for the next record.  Looked at four times a period. */
int
pqs_roll_clock(void *ctx)
{
	struct pqsink *s = ctx;
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
settle(struct filter *f, struct pqsink *s)
{
	int *guess = ecalloc(s->ncols + 1, sizeof *guess);
	struct val nul = val_null();
	struct rec r;

	rec_init(&r);
	for (size_t c = 0; c < s->ncols; c++)
		guess[c] = COL_GUESS_NONE;
	for (size_t i = 0; i < s->pending.n; i++) {
		held_get(&s->pending, i, &r);
		locate(s, &s->v, &r);
		for (size_t c = 0; c < s->ncols; c++)
			if (!s->fixed[c])
				guess[c] = col_widen(guess[c], s->v.from[c] >= 0 ?
				    &r.f[s->v.from[c]].v : &nul);
	}
	for (size_t c = 0; c < s->ncols; c++)
		if (!s->fixed[c])
			s->kinds[c] = col_guess_kind(guess[c]);
	free(guess);
	s->typed = 1;
	publish_types(s);
	for (size_t i = 0; i < s->pending.n && !s->failed; i++) {
		held_get(&s->pending, i, &r);
		put(f, s, &r);
	}
	rec_free(&r);
	held_free(&s->pending);
}

void
pqs_each(struct filter *f, struct rec *r, void *ctx)
{
	struct pqsink *s = ctx;

	if (f->pw != NULL) {
		pqs_worker_each(f, r, ctx);	/* a -j thread's */
		return;
	}
	if (s->failed)
		f->stop = 1;
	else if (filter_keep(f, r))
		pqs_take(f, r, s);
}

void
pqs_take(struct filter *f, struct rec *r, struct pqsink *s)
{
	size_t rows = (size_t)s->rg_rows;

	if (s->failed) {
		f->stop = 1;
		return;
	}
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
	if (stray(f, s, &s->v, r))
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
void
pqs_last_rows(struct filter *f, void *ctx)
{
	struct pqsink *s = ctx;

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
void
pqs_finish(struct pqsink *s, struct filter *f)
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
	/* The staging folder goes; when it cannot now (out of memory to
	   list it), it is tried again at exit. */
	if (s->stage != NULL && remove_tree(s->stage) == 0)
		keep_at_exit(s->stage);
}

/* After a stop or a failure: what readers see now, and what they do not. */
void
pqs_tell_kept(const struct pqsink *s, const struct filter *f)
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

int
pqs_start(struct pqsink *s)
{
	/* Unique across runs: the time to the nanosecond, the pid. */
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(s->run_id, sizeof s->run_id, "%lx%08lx%lx",
	    (unsigned long)ts.tv_sec, (unsigned long)ts.tv_nsec,
	    (unsigned long)getpid());
	if (s->output != NULL) {
		char *copy = estrdup(s->output);

		clean_stale(dirname(copy));	/* a killed run's temporary */
		free(copy);
	}
	if (s->dir != NULL) {
		char *copy = estrdup(s->dir), *copy2 = estrdup(s->dir);
		char *parent = dirname(copy), *base = basename(copy2);
		struct buf b = { 0 };

		clean_stale(s->dir);
		clean_stale_stages(parent, base);
		if (!s->append) {
			buf_printf(&b, "%s/.%s.stage-%s-%ld", parent, base,
			    s->run_id, (long)getpid());
			s->stage = (char *)buf_cstr(&b);
			/* However the run ends (fatal(): out of memory), its
			   staging folder goes. */
			remove_at_exit(s->stage, remove_tree);
			if (mkdir_p(s->stage) < 0)
				return -1;
		}
		free(copy);
		free(copy2);
	}
	return 0;
}

void
pqs_free(struct pqsink *s)
{
	/* set_columns()'s arrays, a slot a column each. */
	void *per_column[] = { s->names, s->kinds, s->scales, s->fixed };

	for (size_t i = 0; i < s->nparts; i++) {
		struct part *p = s->parts[i];

		for (size_t k = 0; k < s->ncols; k++)
			pq_col_free(&p->cols[k]);
		free(p->cols);
		free(p->value);
		free(p->dir);
		free(p->final_dir);
		free(p);
	}
	free(s->parts);
	names_free(&s->partix);
	pqs_view_free(s, &s->v);
	for (size_t k = 0; k < s->ncols; k++)
		free(s->names[k]);
	for (size_t i = 0; i < sizeof per_column / sizeof per_column[0]; i++)
		free(per_column[i]);
	names_free(&s->colix);
	/* Rows held to type the columns that a stop left unwritten: */
	held_free(&s->pending);
	free(s->runs);
	free(s->stage);
	buf_free(&s->esc);
	buf_free(&s->scratch);
}
