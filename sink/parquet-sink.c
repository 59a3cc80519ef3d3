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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
	    "      --roll-seconds S    append: a new file every S seconds\n"
	    "  -c, --codec C           snappy (default), zstd, gzip, none\n"
	    "      --row-group-rows N  rows a row group (default 122880)\n"
	    "      --where EXPR        write only the records EXPR holds for; the\n"
	    "                          others are counted filtered\n"
	    STATS_HELP,
};

enum { OPT_MODE = OPT_PROGRAM, OPT_ROLL_ROWS, OPT_ROLL_SECONDS,
	OPT_ROW_GROUP, OPT_WHERE };

/* One partition (or the whole output): its columns and open file. */
struct part {
	char *value;		/* the partition's folder name, "col=v" */
	char *dir;		/* where its files go now */
	char *final_dir;	/* overwrite: where they go at the end */
	struct pq_col *cols;
	struct pq_file *f;
	uint64_t file_rows;
	double opened;
	uint64_t hash;
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
	enum pq_kind *kinds;
	int *scales;
	int *fixed;		/* kind known from the schema */
	size_t ncols;
	int typed;		/* all kinds known */
	int pidx;		/* the partition column in the input, or -1 */
	/* The first rows, before their types are known: each row's values
	   in column order (then the partition's), strings in one arena. */
	struct val *pvals;
	const char **psrc;
	unsigned long *pline;
	size_t npending, cappending;
	struct arena pmem;
	const char *src_seen, *src_copy;
	uint64_t playout;
	double first_pending;
	struct part *parts;
	size_t nparts;
	char *stage;		/* overwrite: the staging folder */
	char run_id[32];
	unsigned long files;
	struct pq_val *conv;
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
	for (size_t c = 0; c < s->ncols; c++)
		if (strcmp(s->names[c], name) == 0)
			return (int)c;
	return -1;
}

static void
add_column(struct sink *s, const char *name)
{
	static const enum pq_kind of[] = {
		[FT_STRING] = K_STRING, [FT_INT] = K_INT, [FT_FLOAT] = K_DOUBLE,
		[FT_DECIMAL] = K_DECIMAL, [FT_BOOL] = K_BOOL, [FT_DATE] = K_DATE,
		[FT_TIMESTAMP] = K_TIMESTAMP, [FT_JSON] = K_STRING,
	};
	int fi = s->sc ? schema_field_index(s->sc, name) : -1;

	if ((s->pcol != NULL && strcmp(name, s->pcol) == 0) ||
	    column_of(s, name) >= 0)
		return;
	s->names[s->ncols] = estrdup(name);
	if (fi >= 0) {
		s->kinds[s->ncols] = of[s->sc->fields[fi].type];
		s->scales[s->ncols] = s->sc->fields[fi].scale;
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

/* Where each column is in records of r's layout. */
static void
locate(struct sink *s, const struct rec *r)
{
	if (r->layout != 0 && r->layout == s->layout)
		return;
	s->pidx = s->pcol ? rec_index(r, s->pcol) : -1;
	for (size_t c = 0; c < s->ncols; c++)
		s->from[c] = rec_index(r, s->names[c]);
	/* A field the file has no column for. */
	s->stray = -1;
	for (size_t i = 0; i < r->n && s->stray < 0; i++)
		if ((int)i != s->pidx && (r->f[i].name == NULL ||
		    column_of(s, r->f[i].name) < 0))
			s->stray = (int)i;
	s->layout = r->layout;
}

static struct part *
part_for(struct sink *s, const char *value, size_t n)
{
	uint64_t h;
	struct part *p;
	struct buf b = { 0 };

	/* Most records go where the one before went. */
	if (s->last != NULL && strlen(s->last->value) == n &&
	    memcmp(s->last->value, value, n) == 0)
		return s->last;
	h = hash_table_key(value, n);
	for (size_t i = 0; i < s->nparts; i++)
		if (s->parts[i].hash == h &&
		    strlen(s->parts[i].value) == n &&
		    memcmp(s->parts[i].value, value, n) == 0)
			return s->last = &s->parts[i];
	s->parts = erealloc(s->parts, (s->nparts + 1) * sizeof *s->parts);
	p = &s->parts[s->nparts++];
	memset(p, 0, sizeof *p);
	p->hash = h;
	p->value = estrndup(value, n);
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
	p->file_rows = 0;
	p->opened = now_seconds();
	return 0;
}

static int
close_file(struct sink *s, struct part *p)
{
	int rc = 0;

	if (p->f != NULL && pq_close(p->f) < 0) {
		s->failed = 1;
		rc = -1;
	}
	p->f = NULL;
	return rc;
}

/* Does r have a field the file has no column for?  Then it is rejected. */
static int
stray(struct filter *f, struct sink *s, struct rec *r)
{
	struct rej_reason why = { "column", s->msg };

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

		if (pq_value(s->names[c], s->kinds[c], s->scales[c], v,
		    &s->conv[c], s->msg, sizeof s->msg) < 0) {
			struct rej_reason why = { "type", s->msg };

			filter_reject(f, r, &why, 1);
			return 0;
		}
	}
	if (s->pcol != NULL) {
		const struct val *v = s->pidx >= 0 ? &r->f[s->pidx].v : NULL;

		esc->n = 0;
		hive_escape(esc, s->pcol, strlen(s->pcol));
		buf_addc(esc, '=');
		if (v == NULL || val_is_null(v)) {
			buf_adds(esc, "__HIVE_DEFAULT_PARTITION__");
		} else {
			size_t n;
			const char *txt = val_to_text(v, &s->scratch, &n);

			hive_escape(esc, txt, n);
		}
		pv = esc->p;
		pn = esc->n;
	}
	p = part_for(s, pv, pn);
	if (p->f == NULL && open_file(s, p) < 0)
		return -1;
	for (size_t c = 0; c < s->ncols; c++)
		pq_col_put(&p->cols[c], &s->conv[c]);
	p->file_rows++;
	f->t.out++;
	if (p->cols[0].rows >= (size_t)s->rg_rows && pq_row_group(p->f) < 0) {
		s->failed = 1;
		return -1;
	}
	if (s->append && ((s->roll_rows > 0 &&
	    p->file_rows >= (uint64_t)s->roll_rows) || (s->roll_seconds > 0 &&
	    now_seconds() - p->opened >= s->roll_seconds)))
		return close_file(s, p);
	return 0;
}

static void settle(struct filter *f, struct sink *s);

/* On the clock, whether records come or not: the files open
   --roll-seconds or longer are closed (and rows held that long to type
   them written), so a quiet stream's rows do not wait in an open file
   for the next record.  Looked at four times a period. */
static int
roll_clock(void *ctx)
{
	struct sink *s = ctx;
	double now = now_seconds();

	if (!s->typed && s->npending > 0 &&
	    now - s->first_pending >= s->roll_seconds)
		settle(s->filter, s);
	for (size_t i = 0; i < s->nparts; i++)
		if (s->parts[i].f != NULL &&
		    now - s->parts[i].opened >= s->roll_seconds)
			close_file(s, &s->parts[i]);
	return (int)(s->roll_seconds * 1000 / 4);
}

/* Types from the first rows, then those rows written. */
static void
settle(struct filter *f, struct sink *s)
{
	size_t w = s->ncols + 1;
	const struct val **vals = ecalloc(s->npending + 1, sizeof *vals);
	struct rec r;

	for (size_t c = 0; c < s->ncols; c++) {
		if (s->fixed[c])
			continue;
		for (size_t i = 0; i < s->npending; i++)
			vals[i] = &s->pvals[i * w + c];
		s->kinds[c] = pq_infer(vals, s->npending);
	}
	free(vals);
	s->typed = 1;
	/* Each row as a record of one layout: the columns, the partition. */
	rec_init(&r);
	s->playout = rec_layout_new();
	for (size_t i = 0; i < s->npending && !s->failed; i++) {
		rec_clear(&r);
		for (size_t c = 0; c < s->ncols; c++)
			rec_add(&r, s->names[c], s->pvals[i * w + c]);
		if (s->pcol != NULL)
			rec_add(&r, s->pcol, s->pvals[i * w + s->ncols]);
		r.src = s->psrc[i];
		r.line = s->pline[i];
		r.layout = s->playout;
		put(f, s, &r);
	}
	rec_free(&r);
	free(s->pvals);
	free(s->psrc);
	free(s->pline);
	arena_free(&s->pmem);
	s->pvals = NULL;
	s->psrc = NULL;
	s->pline = NULL;
	s->npending = s->cappending = 0;
}

/* A value kept past its record: strings copied (JSON as its text). */
static struct val
keep(struct sink *s, const struct val *v)
{
	struct buf t = { 0 };
	size_t n;
	const char *p;
	struct val out = *v;

	switch (v->type) {
	case VAL_STR:
	case VAL_TEXT:
		out.u.s.p = arena_strndup(&s->pmem, v->u.s.p, v->u.s.n);
		return out;
	case VAL_JSON:
		p = val_to_text(v, &t, &n);
		out = val_str(arena_strndup(&s->pmem, p, n), n);
		buf_free(&t);
		return out;
	default:
		return out;
	}
}

static void
each(struct filter *f, struct rec *r, void *ctx)
{
	struct sink *s = ctx;
	size_t w;
	struct val *row;

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
	w = s->ncols + 1;
	if (s->npending == s->cappending) {
		s->cappending = s->cappending ? s->cappending * 2 : 1024;
		s->pvals = erealloc(s->pvals, s->cappending * w *
		    sizeof *s->pvals);
		s->psrc = erealloc(s->psrc, s->cappending * sizeof *s->psrc);
		s->pline = erealloc(s->pline, s->cappending * sizeof *s->pline);
	}
	row = &s->pvals[s->npending * w];
	for (size_t c = 0; c < s->ncols; c++)
		row[c] = s->from[c] >= 0 ? keep(s, &r->f[s->from[c]].v) :
		    val_null();
	row[s->ncols] = s->pidx >= 0 ? keep(s, &r->f[s->pidx].v) : val_null();
	if (r->src != s->src_seen) {
		s->src_seen = r->src;
		s->src_copy = r->src ? arena_strndup(&s->pmem, r->src,
		    strlen(r->src)) : NULL;
	}
	s->psrc[s->npending] = s->src_copy;
	s->pline[s->npending] = r->line;
	if (s->npending++ == 0)
		s->first_pending = now_seconds();
	/* A stream does not wait for a whole row group to be typed: a file
	   it rolls, or the time it rolls at, is enough. */
	if (s->npending >= (size_t)s->rg_rows || (s->append &&
	    ((s->roll_rows > 0 && s->npending >= (size_t)s->roll_rows) ||
	    (s->roll_seconds > 0 &&
	    now_seconds() - s->first_pending >= s->roll_seconds))))
		settle(f, s);
}

/* The end: the last row group, every file closed, partitions in place. */
/* After the last record, while rejects can still be written: the rows
   held to decide the types. */
static void
last_rows(struct filter *f, void *ctx)
{
	struct sink *s = ctx;

	if (!s->typed && s->npending > 0)
		settle(f, s);
}

static void
finish(struct sink *s, struct filter *f)
{
	if (!s->typed && s->npending > 0)
		settle(f, s);	/* (no output was opened: nothing rejected) */
	if (s->names == NULL && s->output != NULL && !s->failed) {
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
	if (s->output != NULL && s->nparts == 0 && !s->failed)
		open_file(s, part_for(s, "", 0));	/* 0 rows: still a file */
	for (size_t i = 0; i < s->nparts; i++) {
		if (s->failed && s->parts[i].f != NULL) {
			pq_discard(s->parts[i].f);
			s->parts[i].f = NULL;
		}
		close_file(s, &s->parts[i]);
	}
	if (s->dir != NULL && !s->append && !s->failed) {
		char *copy = estrdup(s->dir);
		char *parent = dirname(copy);

		for (size_t i = 0; i < s->nparts && !s->failed; i++) {
			struct part *p = &s->parts[i];

			if (s->pcol == NULL) {
				/* The whole folder is the partition. */
				if (swap_in(p->dir, s->dir, parent) < 0)
					s->failed = 1;
			} else if (mkdir_p(s->dir) < 0 ||
			    swap_in(p->dir, p->final_dir, s->dir) < 0) {
				s->failed = 1;
			}
		}
		free(copy);
	}
	if (s->stage != NULL)
		remove_tree(s->stage);
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
		{ "roll-seconds", required_argument, NULL, OPT_ROLL_SECONDS },
		{ "row-group-rows", required_argument, NULL, OPT_ROW_GROUP },
		{ "where", required_argument, NULL, OPT_WHERE },
		STATS_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct sink s = { .codec = C_SNAPPY, .rg_rows = 122880, .pidx = -1 };
	struct common_opts co = { 0 };
	struct filter f = { 0 };
	struct schema *sc = NULL;
	char err[512], *end;
	const char *where = NULL;
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
		case OPT_ROLL_SECONDS:
			s.roll_seconds = strtod(optarg, &end);
			usage_if(*end != '\0' || !(s.roll_seconds > 0),
			    "--roll-seconds: expected seconds, more than 0");
			break;
		case OPT_WHERE:
			where = optarg;
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
	    "--roll-rows and --roll-seconds need --mode append");
	usage_if(s.append && s.dir == NULL, "--mode append needs -d DIR");
	if (co.schema != NULL &&
	    (sc = schema_load(co.schema, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return 2;
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
	finish(&s, &f);
	if (s.failed)
		status = 1;
	if (!co.quiet)
		fprintf(stderr, "%s: %llu in, %llu written, %llu rejected, %llu "
		    "filtered, %lu file%s, %.2fs\n", progname,
		    (unsigned long long)f.t.in, (unsigned long long)f.t.out,
		    (unsigned long long)f.t.rejected,
		    (unsigned long long)f.t.filtered,
		    s.output ? 1UL : s.files, s.output || s.files == 1 ? "" :
		    "s", now_seconds() - f.t.start);
	if (stats_write(co.stats, &f.t, json_pack("{s:I}", "files",
	    (json_int_t)(s.output ? 1 : s.files))) < 0)
		status = 1;
	for (size_t i = 0; i < s.nparts; i++) {
		for (size_t k = 0; k < s.ncols; k++)
			pq_col_free(&s.parts[i].cols[k]);
		free(s.parts[i].cols);
		free(s.parts[i].value);
		free(s.parts[i].dir);
		free(s.parts[i].final_dir);
	}
	free(s.parts);
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
