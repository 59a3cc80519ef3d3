/*
 * table.c - records into a database table, whatever the database: the
 * columns (from the schema, from the table, or guessed from the first
 * records), new columns as new fields come, the key an upsert needs,
 * batches landed by count, by age and whenever the input pauses, and
 * the count of every record (in = written + rejected + filtered).  The
 * dialect (table.h) speaks to the database.
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"

enum { OPT_MODE = OPT_PROGRAM, OPT_KEY, OPT_BATCH_ROWS, OPT_BATCH_TIME,
	OPT_BATCH_MS, OPT_WHERE };

static int
col_index(const struct sink *t, const char *name)
{
	return (int)names_find(&t->colix, name, strlen(name));
}

void
table_add_col(struct sink *t, const char *name, enum col_kind kind,
    int scale, int json, const char *decl)
{
	struct tcol *c;

	t->cols = erealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
	c = &t->cols[t->ncols];
	c->name = estrdup(name);
	names_add(&t->colix, c->name, strlen(name), t->ncols);
	c->kind = kind;
	c->scale = scale;
	c->json = json;
	c->decl = decl ? estrdup(decl) : NULL;
	t->ncols++;
}

void
table_reject(struct sink *t, const struct rec *r, const char *rule)
{
	struct rej_reason why = { rule, t->msg, NULL };

	filter_reject(t->f, r, &why, 1);
}

int
table_is_key(const struct sink *t, const char *col)
{
	for (size_t k = 0; k < t->nkeys; k++)
		if (strcmp(t->keys[k], col) == 0)
			return 1;
	return 0;
}

static void
name_list(struct buf *b, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(b, ", ");
		buf_sql_ident(b, names[i]);
	}
}

void
table_on_conflict(struct sink *t, struct buf *b, const int *cols, size_t n)
{
	size_t nset = 0;

	buf_adds(b, " ON CONFLICT (");
	name_list(b, t->keys, t->nkeys);
	buf_adds(b, ") DO ");
	for (size_t i = 0; i < n && t->mode == M_UPSERT; i++) {
		const char *name = t->cols[cols[i]].name;

		if (table_is_key(t, name))
			continue;
		buf_adds(b, nset++ ? ", " : "UPDATE SET ");
		buf_sql_ident(b, name);
		buf_adds(b, " = excluded.");
		buf_sql_ident(b, name);
	}
	if (nset == 0)
		buf_adds(b, "NOTHING");
}

void
table_key_index_sql(struct sink *t, struct buf *b)
{
	struct buf name = { 0 };

	b->n = 0;
	buf_adds(b, "CREATE UNIQUE INDEX IF NOT EXISTS ");
	buf_printf(&name, "%s_key", t->name);
	buf_sql_ident(b, buf_cstr(&name));
	buf_free(&name);
	buf_adds(b, " ON ");
	buf_sql_ident(b, t->name);
	buf_adds(b, " (");
	name_list(b, t->keys, t->nkeys);
	buf_adds(b, ")");
}

void
table_create_sql(struct sink *t, struct buf *b, table_type_fn *type)
{
	char tb[32];

	b->n = 0;
	buf_adds(b, "CREATE TABLE IF NOT EXISTS ");
	buf_sql_ident(b, t->name);
	buf_adds(b, " (");
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			buf_adds(b, ", ");
		buf_sql_ident(b, t->cols[i].name);
		buf_printf(b, " %s", type(&t->cols[i], tb));
	}
	buf_adds(b, ")");
}

void
table_add_column_sql(struct sink *t, struct buf *b, const struct tcol *c,
    table_type_fn *type, int if_not_exists)
{
	char tb[32];

	b->n = 0;
	buf_adds(b, "ALTER TABLE ");
	buf_sql_ident(b, t->name);
	buf_adds(b, if_not_exists ? " ADD COLUMN IF NOT EXISTS " :
	    " ADD COLUMN ");
	buf_sql_ident(b, c->name);
	buf_printf(b, " %s", type(c, tb));
}

/* A field the table lacks: a new column (schema evolution). */
static int
add_column(struct sink *t, const char *name, const struct val *v)
{
	int scale = 0, json = 0;
	int k = col_schema_kind(t->sc, name, &scale, &json);

	if (k < 0) {
		k = (int)col_infer(&v, 1);
		json = v->type == VAL_JSON;
	}
	table_add_col(t, name, (enum col_kind)k, scale, json, NULL);
	return t->d->add_column(t, &t->cols[t->ncols - 1]);
}

/*
 * Would r's new fields take the table past the database's limit on
 * columns?  Then it is a bad record, diverted (1): no table can hold it.
 */
static int
too_wide(struct sink *t, const struct rec *r)
{
	size_t room = t->ncols < t->max_cols ? t->max_cols - t->ncols : 0,
	    add = 0;

	for (size_t i = 0; i < r->n && add <= room; i++)
		if (r->f[i].name != NULL && col_index(t, r->f[i].name) < 0)
			add++;
	if (add <= room)
		return 0;
	snprintf(t->msg, sizeof t->msg, "its fields would give the table more "
	    "columns than %s allows (%zu)", t->d->db_name, t->max_cols);
	table_reject(t, r, "columns");
	return 1;
}

/* The columns for r's fields, new ones added: 0, 1 when r was rejected,
   or -1. */
static int
locate(struct sink *t, const struct rec *r)
{
	struct buf set = { 0 };

	if (r->layout != 0 && r->layout == t->layout && t->colset != NULL)
		return 0;
	if (too_wide(t, r))
		return 1;
	t->slot = erealloc(t->slot, (r->n + 1) * sizeof *t->slot);
	t->nslot = r->n;
	for (size_t i = 0; i < r->n; i++) {
		int c = r->f[i].name ? col_index(t, r->f[i].name) : -1;

		/* A name twice: the first is the field (rec_get's rule). */
		if (c >= 0)
			for (size_t j = 0; j < i; j++)
				if (t->slot[j] == c)
					c = -1;
		if (c < 0 && r->f[i].name != NULL &&
		    col_index(t, r->f[i].name) < 0) {
			if (add_column(t, r->f[i].name, &r->f[i].v) < 0) {
				buf_free(&set);
				return -1;
			}
			c = (int)t->ncols - 1;
		}
		t->slot[i] = c;
		buf_printf(&set, "%d,", c);
	}
	t->layout = r->layout;
	if (t->colset != NULL && strcmp(t->colset, buf_cstr(&set)) == 0) {
		buf_free(&set);
		return 0;
	}
	free(t->colset);
	t->colset = estrdup(buf_cstr(&set));
	buf_free(&set);
	return t->d->layout(t);
}

static void
land_now(struct sink *t, int last)
{
	long long n;

	if (t->failed)
		return;
	if ((n = t->d->commit(t, last)) < 0) {
		t->failed = 1;
		return;
	}
	t->committed += (unsigned long long)n;
	t->tx_rows = 0;
}

static void
insert(struct sink *t, const struct rec *r)
{
	int rc;

	if ((rc = locate(t, r)) != 0) {
		if (rc < 0)
			t->failed = 1;
		return;
	}
	/* An upsert's key must be there: a null never conflicts, so a
	   replay would add the row again. */
	for (size_t k = 0; k < t->nkeys; k++) {
		int i = rec_index(r, t->keys[k]);

		if (i < 0 || val_is_null(&r->f[i].v) ||
		    val_is_empty_text(&r->f[i].v)) {
			snprintf(t->msg, sizeof t->msg, "the key field %s is "
			    "missing", t->keys[k]);
			table_reject(t, r, "key");
			return;
		}
	}
	if (t->tx_rows == 0)
		t->tx_start = now_seconds();
	if ((rc = t->d->put(t, r)) < 0) {
		t->failed = 1;
		return;
	}
	if (rc == 0)
		t->tx_rows++;
	/* The clock read every 64 rows: a stream that pauses lands at the
	   pause (land), this is for one that never does. */
	if (t->mode != M_REPLACE && (t->tx_rows >= t->batch_rows ||
	    ((t->tx_rows & 63) == 0 && t->tx_rows > 0 &&
	    now_seconds() - t->tx_start >= t->batch_secs)))
		land_now(t, 0);
}

/*
 * The first records decide the new table's types; then they go in.  One
 * pass over each record's fields, each column found by hash, its type
 * guessed value by value: a record of a million fields is a million
 * steps.  A column whose values are all JSON arrays or objects holds
 * JSON.
 */
static void
settle(struct sink *t)
{
	enum { FROM_SCHEMA = -2 };
	int *guess = NULL;	/* a column's type guess, or FROM_SCHEMA */
	char *json = NULL;	/* every value so far JSON */
	size_t capg = 0;
	char *wide = ecalloc(t->pending.n + 1, 1);
	size_t nwide = 0;
	struct rec r, *q = &r;

	rec_init(&r);
	for (size_t i = 0; i < t->pending.n; i++) {
		held_get(&t->pending, i, q);

		if ((wide[i] = (char)too_wide(t, q))) {
			nwide++;
			continue;
		}
		for (size_t j = 0; j < q->n; j++) {
			const char *name = q->f[j].name;
			const struct val *v = &q->f[j].v;
			int c, scale = 0, js = 0, k;

			if (name == NULL)
				continue;
			if ((c = col_index(t, name)) < 0) {
				k = col_schema_kind(t->sc, name, &scale, &js);
				table_add_col(t, name, k >= 0 ? (enum col_kind)k :
				    K_STRING, scale, js, NULL);
				c = (int)t->ncols - 1;
				if (t->ncols > capg) {
					capg = t->ncols * 2;
					guess = erealloc(guess, capg * sizeof *guess);
					json = erealloc(json, capg);
				}
				guess[c] = k >= 0 ? FROM_SCHEMA : COL_GUESS_NONE;
				json[c] = 1;
			}
			if (guess[c] != FROM_SCHEMA) {
				guess[c] = col_widen(guess[c], v);
				if (!val_is_null(v) && !val_is_empty_text(v) &&
				    v->type != VAL_JSON)
					json[c] = 0;
			}
		}
	}
	for (size_t c = 0; c < t->ncols; c++)
		if (guess[c] != FROM_SCHEMA) {
			t->cols[c].kind = col_guess_kind(guess[c]);
			t->cols[c].json = t->cols[c].kind == K_STRING && json[c];
		}
	free(guess);
	free(json);
	if (nwide < t->pending.n) {
		if (t->d->create(t) < 0)
			t->failed = 1;
		else
			t->exists = 1;
	}
	for (size_t i = 0; i < t->pending.n && !t->failed; i++)
		if (!wide[i]) {
			held_get(&t->pending, i, q);
			insert(t, q);
		}
	free(wide);
	rec_free(&r);
	held_free(&t->pending);
}

static void
each(struct filter *f, struct rec *r, void *ctx)
{
	struct sink *t = ctx;

	if (t->failed) {
		f->stop = 1;
		return;
	}
	if (!filter_keep(f, r))
		return;
	if (t->exists) {
		insert(t, r);
		if (t->failed)
			f->stop = 1;
		return;
	}
	/* Until the table exists: a copy, names and all.  With a schema,
	   the first record is enough to make the table. */
	held_add(&t->pending, r);
	if (t->sc != NULL || held_due(&t->pending, (size_t)t->batch_rows,
	    t->batch_secs))
		settle(t);
}

/* May what was read land?  Not after a failure; a replace only when
   every input was read to its end. */
static int
whole(const struct sink *t, int status)
{
	return !t->failed && (t->mode != M_REPLACE || (status == 0 &&
	    !stop_requested));
}

/* After the last record, while rejects can still be written: the rows
   held to type a new table, and the last batch (whose rows a dialect
   that checks them as they land may still reject). */
static void
last_rows(struct filter *f, void *ctx)
{
	struct sink *t = ctx;

	if (!t->exists && t->pending.n > 0 && !t->failed)
		settle(t);
	if (whole(t, f->status))
		land_now(t, 1);
}

/* About to wait for input: the open batch lands now, so readers of the
   table see each row as it comes (a replace lands only whole).  Rows
   held to type a new table are not settled by a pause, which can come
   after one row: by their number or age (settle_clock). */
static void
land(void *ctx)
{
	struct sink *t = ctx;

	if (t->tx_rows > 0 && t->mode != M_REPLACE)
		land_now(t, 0);
}

/* On the clock: rows held --batch-time to type a new table make it, so a
   quiet stream's first rows wait no longer than that. */
static int
settle_clock(void *ctx)
{
	struct sink *t = ctx;
	double left = t->batch_secs;

	if (!t->failed && !t->exists && t->pending.n > 0) {
		left = t->pending.first + t->batch_secs - now_seconds();
		if (left <= 0) {
			settle(t);
			land(t);
			left = t->batch_secs;
		}
	}
	return (int)(left * 1000) + 1;
}

/* After a stop or a failure: what readers see now. */
static void
tell_kept(const struct sink *t, const struct filter *f, int stopped)
{
	const char *why = t->failed && !stopped ? "after the failure" :
	    "stopped before the end of the input";
	/* Read, neither rejected nor filtered, and not committed. */
	unsigned long long lost = f->t.in - f->t.rejected - f->t.filtered -
	    t->committed;

	if (t->mode == M_REPLACE)
		diag("%s: table %s is as it was (%llu records read not "
		    "written)", why, t->name, lost);
	else
		diag("%s: %llu rows committed to table %s%s (%llu records read "
		    "not written)", why, t->committed, t->name, stopped ?
		    ", each batch whole" : "", lost);
}

static void
sink_free(struct sink *t)
{
	for (size_t i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].decl);
	}
	free(t->cols);
	opt_list_free(t->keys, t->nkeys);
	names_free(&t->colix);
	free(t->slot);
	free(t->colset);
	buf_free(&t->sql);
}

static struct option *
all_options(const struct dialect *d)
{
	static const struct option shared[] = {
		COMMON_LONGOPTS,
		{ "db", required_argument, NULL, 'D' },
		{ "table", required_argument, NULL, 'T' },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "batch-rows", required_argument, NULL, OPT_BATCH_ROWS },
		{ "batch-time", required_argument, NULL, OPT_BATCH_TIME },
		/* The old spelling, for one release: milliseconds. */
		{ "batch-ms", required_argument, NULL, OPT_BATCH_MS },
		{ "where", required_argument, NULL, OPT_WHERE },
		STATS_LONGOPT,
	};
	size_t n = sizeof shared / sizeof shared[0], m = 0;
	struct option *all;

	while (d->longopts != NULL && d->longopts[m].name != NULL)
		m++;
	all = ecalloc(n + m + 1, sizeof *all);
	memcpy(all, shared, sizeof shared);
	if (m)
		memcpy(all + n, d->longopts, m * sizeof *all);
	return all;
}

int
table_main(int argc, char **argv, const struct dialect *d)
{
	struct option *longopts = all_options(d);
	struct sink t = { .d = d, .batch_rows = 10000, .batch_secs = 0.1 };
	struct common_opts co = { 0 };
	struct filter f = { 0 };
	struct schema *sc = NULL;
	struct buf shortopts = { 0 };
	const char *keys = NULL, *where = NULL;
	char err[512];
	int c, status, stopped;

	diag_init(argv[0]);
	/* SQLite's and PostgreSQL's unquoted names ignore case: "A" is
	   column "a" (colix folds ASCII).  pg-sink quotes every name it
	   makes, so its columns are as the fields spell them; but a field
	   "A" next to a field "a" would still be one column in SQLite. */
	t.colix.fold = 1;
	/* -d and -t: the old letters of -D and -T, for one release (-d is
	   a folder and -t a topic in the other programs). */
	buf_printf(&shortopts, "%sD:T:d:t:%s", COMMON_SHORTOPTS,
	    d->shortopts ? d->shortopts : "");
	while ((c = getopt_long(argc, argv, buf_cstr(&shortopts), longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd':
			opt_old("-d DB", "-D DB (--db)");
			/* FALLTHROUGH */
		case 'D':
			t.target = optarg;
			break;
		case 't':
			opt_old("-t TABLE", "-T TABLE (--table)");
			/* FALLTHROUGH */
		case 'T':
			t.name = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "append") == 0)
				t.mode = M_APPEND;
			else if (strcmp(optarg, "upsert") == 0)
				t.mode = M_UPSERT;
			else if (strcmp(optarg, "replace") == 0)
				t.mode = M_REPLACE;
			else
				usage_error("--mode: expected append, upsert or "
				    "replace, not \"%s\"", optarg);
			break;
		case OPT_KEY:
			keys = optarg;
			break;
		case OPT_BATCH_ROWS:
			t.batch_rows = opt_number("--batch-rows", optarg, 1);
			break;
		case OPT_WHERE:
			where = optarg;
			break;
		case OPT_BATCH_TIME:
			t.batch_secs = (double)opt_duration("--batch-time",
			    optarg, NULL, 1) / 1e6;
			break;
		case OPT_BATCH_MS:
			opt_old("--batch-ms MS", "--batch-time DUR (100ms)");
			t.batch_secs = (double)opt_number("--batch-ms", optarg,
			    1) / 1000;
			break;
		default:
			if (c < OPT_TABLE_NEXT || d->take == NULL ||
			    d->take(&t, c, optarg) < 0)
				common_opt(d->prog, &co, c, optarg);
		}
	}
	buf_free(&shortopts);
	free(longopts);
	if ((d->target_required && t.target == NULL) || t.name == NULL)
		usage_error(d->target_required ? "-D DB and -T TABLE, please" :
		    "-T TABLE, please");
	if (t.mode == M_UPSERT && keys == NULL)
		usage_error("--mode upsert needs --key");
	if (t.mode == M_REPLACE && keys != NULL)
		usage_error("--key is for --mode upsert or append, not replace");
	if (keys != NULL)
		t.keys = opt_list(keys, &t.nkeys);
	if (co.schema != NULL &&
	    (sc = schema_load(co.schema, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", progname, err);
		sink_free(&t);
		return schema_load_status();
	}
	t.sc = sc;
	if (where != NULL)
		f.where = ewhere(where, sc);
	t.f = &f;
	status = 1;
	if (d->open(&t) < 0) {
		d->close(&t);
		where_free(f.where);
		schema_free(sc);
		sink_free(&t);
		return 1;
	}
	if (d->read(&t) < 0 || (t.exists && d->key_index(&t) < 0))
		t.failed = 1;
	/* One transaction, the table's making too: readers see the old rows
	   (or no table) until the new are all there. */
	if (!t.failed && t.mode == M_REPLACE && d->clear(&t) < 0)
		t.failed = 1;
	if (!t.failed) {
		stop_on_signals();
		live_hold(land, &t);
		src_on_clock(settle_clock, &t);
		f.co = &co;
		f.own_summary = 1;
		f.finish = last_rows;
		status = filter_run(&f, argv + optind, argc - optind, each, &t);
		live_release(land, &t);
		stopped = stop_requested != 0;
		/* What last_rows did not land (a stop, an input that
		   failed): the rows read, in whole batches; but a replace
		   keeps the old rows unless the new are all there. */
		if (whole(&t, status))
			land_now(&t, 1);
		else
			t.failed = 1;
		if (t.failed)
			d->rollback(&t);
		if (t.failed || stopped) {
			tell_kept(&t, &f, stopped);
			status = 1;
		}
		/* Written: the rows committed, that readers can see. */
		f.t.out = t.committed;
		if (stats_summary(co.stats, &f.t, stats_pack("{s:I,s:s}",
		    "written", (json_int_t)f.t.out, "table", t.name),
		    co.quiet) < 0)
			status = 1;
	}
	d->close(&t);
	if (t.failed)
		status = 1;
	held_free(&t.pending);
	sink_free(&t);
	where_free(f.where);
	schema_free(sc);
	return status;
}
