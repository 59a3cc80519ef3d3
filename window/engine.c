/*
 * engine.c - events into windows, and windows out: each input (a Kafka
 * partition, or stdin) keeps its own windows and watermark, so what it
 * writes depends only on its own events, and replaying them after a
 * restart writes the same (as Flink and Kafka Streams keep state by
 * partition).
 *
 * in = aggregated + late + rejected + filtered (--where): an event whose
 * every window is already final is late (counted, and written to
 * --late), never dropped silently; one late for some of its sliding
 * windows counts in the open ones and is counted as partly late.  An
 * event --where drops touches no window and no watermark.
 */
#include <stdlib.h>
#include <string.h>

#include "window.h"

struct part *
part_new(struct run *rn, const char *topic, int32_t partition)
{
	struct part *p = ecalloc(1, sizeof *p);
	struct buf b = { 0 };

	if (topic != NULL) {
		p->topic = estrdup(topic);
		buf_printf(&b, "%s[%d]", topic, (int)partition);
		p->where = estrdup(buf_cstr(&b));
		buf_free(&b);
	}
	p->partition = partition;
	p->next_offset = -1;
	p->eof_offset = -1;
	p->committed = -1;
	p->end = -1;
	p->low = 0;
	p->w = p->max_ts = W_NONE;
	panes_init(&p->ps, rn->size, rn->slide, rn->nm);
	p->ss.nm = rn->nm;
	table_init(&p->ss.keys, 0);
	return p;
}

void
part_free(struct run *rn, struct part *p)
{
	if (p == NULL)
		return;
	panes_free(&p->ps, rn->m);
	sessions_free(&p->ss, rn->m);
	free(p->topic);
	free(p->where);
	free(p);
}

static void
reject(struct run *rn, const struct rec *r, const char *rule)
{
	struct rej_reason why = { rule, rn->msg, NULL };

	filter_reject(rn->f, r, &why, 1);
}

/* --- Writing windows ------------------------------------------------------- */

void
window_columns(struct run *rn)
{
	const char **names;
	size_t n = 0;

	if (rn->columns_set || rn->f->w == NULL)
		return;
	names = ecalloc(3 + rn->ndims + rn->nm, sizeof *names);
	names[n++] = "window_start";
	names[n++] = "window_end";
	for (size_t i = 0; i < rn->ndims; i++)
		names[n++] = rn->dims[i];
	for (size_t i = 0; i < rn->nm; i++)
		names[n++] = rn->m[i].name;
	if (rn->update)
		names[n++] = "final";
	wr_columns(rn->f->w, names, n);
	free(names);
	rn->columns_set = 1;
}

/*
 * The average sum / count to places decimals, rounded half away from
 * zero from the exact decimal sum (SQL's ROUND(AVG(x), places) over a
 * NUMERIC column: 10.05 / 2 is 5.03, where the double 5.025 would give
 * 5.02), as text in r.  The quotient is taken before the scaling, so
 * nothing overflows: the average is below 10^18 at the sum's scale.
 */
static struct val
avg_rounded(const struct dsum *sum, uint64_t count, int places,
    struct rec *r)
{
	dec_wide n = (dec_wide)count, q, rem, p10 = 1, half;
	struct dsum avg = { 0, places };
	char b[DSUM_BUFSZ];
	size_t len;
	int s = sum->scale;

	if (places >= s) {
		for (int i = s; i < places; i++)
			p10 *= 10;
		q = sum->v / n * p10;
		rem = sum->v % n * p10;
		q += rem / n;
		rem %= n;
	} else {
		for (int i = places; i < s; i++)
			p10 *= 10;
		n *= p10;
		q = sum->v / n;
		rem = sum->v % n;
	}
	/* rem has the sum's sign; |rem| < n. */
	half = rem < 0 ? -rem : rem;
	if (2 * half >= n)
		q += sum->v < 0 ? -1 : 1;
	avg.v = q;
	len = dsum_fmt(b, &avg, places);
	return val_text(rec_strdup(r, b, len), len);
}

/* One row: a group of a window, final or (update mode) so far. */
static void
write_row(struct run *rn, int64_t start, int64_t end, const char *key,
    uint32_t keylen, uint64_t records, const struct mstate *st, int final)
{
	struct rec *r = &rn->row;
	char s[TS_BUFSZ], e[TS_BUFSZ];
	size_t sn = ts_format(s, start), en = ts_format(e, end);

	window_columns(rn);
	rec_clear(r);
	rec_add(r, "window_start", val_plain(s, sn));
	rec_add(r, "window_end", val_plain(e, en));
	for (size_t i = 0; i < rn->ndims; i++) {
		uint32_t n = 0;
		const char *v = key_part(key, keylen, i, &n);

		rec_add(r, rn->dims[i], val_str(rec_strdup(r, v, n), n));
	}
	for (size_t i = 0; i < rn->nm; i++)
		if (rn->m[i].kind == A_AVG && rn->round >= 0 && st[i].n > 0)
			rec_add(r, rn->m[i].name, avg_rounded(&st[i].v,
			    st[i].n, rn->round, r));
		else
			rec_add(r, rn->m[i].name, metric_value(&rn->m[i],
			    &st[i], records, st[i].v.scale, r));
	if (rn->update)
		rec_add(r, "final", val_bool(final));
	if (wr_put(rn->f->w, r) == WR_ERR)
		rn->f->stop = 1;
	rn->rows++;
}

static void
written(struct run *rn, struct arrivals *arr)
{
	if (rn->metrics != NULL)
		latency_add(&rn->lat, arr, (int64_t)(now_seconds() * 1e6));
}

/*
 * A window's rows in key order: every group when it is final, else
 * (update mode) those changed since the windows were last written, as
 * Spark's update mode does.  Its groups are its slices' merged (one
 * slice, a tumbling window's, is its own).  The events' latency is
 * taken when a window holding them is first written.
 */
static void
write_window(struct run *rn, struct panes *ps, int64_t start, size_t i,
    size_t j, int final)
{
	struct table merged, *t = &ps->v[i].t;
	size_t *order, n = 0;

	if (j - i > 1) {
		table_init(&merged, rn->nm);
		for (size_t k = i; k < j; k++)
			table_merge(&merged, &ps->v[k].t, rn->m);
		t = &merged;
	}
	order = ecalloc(t->n + 1, sizeof *order);
	/* Only the changed ones sorted: a trigger's work is what changed. */
	for (size_t k = 0; k < t->n; k++)
		if (final || t->g[k].changed)
			order[n++] = k;
	table_sort(t, order, n);
	for (size_t k = 0; k < n; k++) {
		const struct group *g = &t->g[order[k]];

		write_row(rn, start, start + rn->size, g->key, g->keylen,
		    g->records, table_states(t, order[k]), final);
	}
	for (size_t k = i; k < j; k++)
		written(rn, &ps->v[k].arr);
	free(order);
	if (t == &merged)
		table_free(&merged, rn->m);
}

static void
emit_window(struct panes *ps, int64_t start, size_t i, size_t j, void *ctx)
{
	struct run *rn = ctx;

	write_window(rn, ps, start, i, j, 1);
	rn->windows++;
}

/* Update mode: an open window with a slice changed since the last
   update is written, its changed groups. */
static void
update_window(struct panes *ps, int64_t start, size_t i, size_t j,
    void *ctx)
{
	for (size_t k = i; k < j; k++)
		if (ps->v[k].dirty) {
			write_window(ctx, ps, start, i, j, 0);
			return;
		}
}

static void
write_session(const char *key, uint32_t keylen, struct session *s,
    int final, struct run *rn)
{
	write_row(rn, s->start, s->end, key, keylen, s->records, s->st, final);
	written(rn, &s->arr);
	s->dirty = 0;
}

static void
emit_session(const char *key, uint32_t keylen, struct session *s,
    void *ctx)
{
	struct run *rn = ctx;

	write_session(key, keylen, s, 1, rn);
	rn->windows++;
}

static void
update_session(const char *key, uint32_t keylen, struct session *s,
    void *ctx)
{
	if (s->dirty)
		write_session(key, keylen, s, 0, ctx);
}

void
window_advance(struct run *rn, struct part *p, int64_t w)
{
	size_t n;
	int64_t from;

	if (w <= p->w)
		return;
	from = rn->gap > 0 ? 0 : panes_open_from(&p->ps, p->w);
	p->w = w;
	if (rn->f->w == NULL)
		return;
	n = rn->gap > 0 ? sessions_close(&p->ss, w, rn->m, emit_session, rn) :
	    panes_close(&p->ps, from, w, rn->m, emit_window, rn);
	if (n > 0 && out_flush(rn->f->out) < 0)
		rn->f->stop = 1;	/* results go out as they are final */
}

/* --- Health ------------------------------------------------------------------- */

size_t
window_open(const struct run *rn, struct part *p)
{
	return rn->gap > 0 ? p->ss.open : panes_windows(&p->ps,
	    panes_open_from(&p->ps, p->w), INT64_MAX, NULL, NULL);
}

static size_t
windows_open(const struct run *rn)
{
	size_t n = 0;

	for (size_t i = 0; i < rn->nparts; i++)
		n += window_open(rn, rn->parts[i]);
	return n;
}

/* The stream's watermark: the least of its inputs' (the one furthest
   behind); W_NONE when none has one. */
static int64_t
watermark(const struct run *rn)
{
	int64_t w = W_NONE;

	for (size_t i = 0; i < rn->nparts; i++) {
		int64_t pw = rn->parts[i]->w;

		if (pw != W_NONE && pw != W_END && (w == W_NONE || pw < w))
			w = pw;
	}
	return w;
}

void
window_metrics_line(struct run *rn)
{
	struct buf b = { 0 };
	char now[TS_BUFSZ], w[TS_BUFSZ];
	double t = now_seconds(), secs = t - rn->last_metrics;
	uint64_t in = rn->f->t.in;
	size_t nn = ts_format(now, wall_us());
	int64_t wm = watermark(rn), lag;

	buf_printf(&b, "{\"time\":\"%.*s\",\"program\":\"stream-window\",",
	    (int)nn, now);
	if (rn->name != NULL)	/* plain: checked when given */
		buf_printf(&b, "\"name\":\"%s\",", rn->name);
	if (rn->schema_json != NULL)
		buf_printf(&b, "\"schema\":%s,", rn->schema_json);
	buf_printf(&b, "\"events_in\":%llu,\"aggregated\":%llu,"
	    "\"late_events\":%llu,"
	    "\"partly_late\":%llu,\"rejected\":%llu,\"filtered\":%llu,"
	    "\"windows_open\":%zu,\"windows_emitted\":%llu,\"rows\":%llu,",
	    (unsigned long long)in,
	    (unsigned long long)rn->aggregated,
	    (unsigned long long)rn->nlate, (unsigned long long)rn->partly,
	    (unsigned long long)rn->f->t.rejected,
	    (unsigned long long)rn->f->t.filtered, windows_open(rn),
	    (unsigned long long)rn->windows, (unsigned long long)rn->rows);
	if (wm == W_NONE) {
		buf_adds(&b, "\"watermark\":null,\"watermark_lag_s\":null,");
	} else {
		size_t wn = ts_format(w, wm);

		buf_printf(&b, "\"watermark\":\"%.*s\",\"watermark_lag_s\":%.3f,",
		    (int)wn, w, (double)(wall_us() - wm) / 1e6);
	}
	buf_printf(&b, "\"events_per_sec\":%.0f,", secs > 0 ?
	    (double)(in - rn->in_before) / secs : 0);
	lag = rn->lag_fn != NULL ? rn->lag_fn(rn) : rn->lag;
	if (lag >= 0)
		buf_printf(&b, "\"lag\":%lld,", (long long)lag);
	else
		buf_adds(&b, "\"lag\":null,");
	if (rn->lat.total > 0)
		buf_printf(&b, "\"latency_ms\":%.1f,\"latency_p50_ms\":%.1f,"
		    "\"latency_p99_ms\":%.1f}\n", latency_ms(&rn->lat, 0.99),
		    latency_ms(&rn->lat, 0.5), latency_ms(&rn->lat, 0.99));
	else	/* nothing written since the last line */
		buf_adds(&b, "\"latency_ms\":null,\"latency_p50_ms\":null,"
		    "\"latency_p99_ms\":null}\n");
	out_write(rn->metrics, b.p, b.n);
	if (out_flush(rn->metrics) < 0)
		rn->f->stop = 1;
	buf_free(&b);
	memset(&rn->lat, 0, sizeof rn->lat);
	rn->in_before = in;
	rn->last_metrics = t;
}

void
window_updates(struct run *rn)
{
	uint64_t rows = rn->rows;

	if (!rn->update || rn->f->w == NULL)
		return;
	for (size_t k = 0; k < rn->nparts; k++) {
		struct part *p = rn->parts[k];

		if (rn->gap > 0) {
			sessions_each(&p->ss, update_session, rn);
			continue;
		}
		panes_windows(&p->ps, panes_open_from(&p->ps, p->w), INT64_MAX,
		    update_window, rn);
		/* Every window holding them written: the slices' changes are
		   all out. */
		for (size_t i = 0; i < p->ps.n; i++) {
			struct pane *pn = &p->ps.v[i];

			if (pn->dirty)
				for (size_t g = 0; g < pn->t.n; g++)
					pn->t.g[g].changed = 0;
			pn->dirty = 0;
		}
	}
	if (rn->rows > rows && out_flush(rn->f->out) < 0)
		rn->f->stop = 1;
}

void
window_trigger(struct run *rn)
{
	double t = now_seconds();

	if (t < rn->next_trigger)
		return;
	/* On the grid: a trigger run late does not put the next off. */
	rn->next_trigger += rn->trigger;
	if (rn->next_trigger <= t)
		rn->next_trigger = t + rn->trigger;
	window_updates(rn);
	if (rn->metrics != NULL)
		window_metrics_line(rn);
	if (rn->on_trigger != NULL)
		rn->on_trigger(rn);
}

/* After --idle-timeout with no events, an input's watermark moves with
   the clock from where its last event left it. */
static void
idle_inputs(struct run *rn, double t)
{
	for (size_t i = 0; i < rn->nparts; i++) {
		struct part *p = rn->parts[i];
		double quiet = t - p->max_seen_at;

		if (p->max_ts != W_NONE && quiet * 1e6 >= (double)rn->idle)
			window_advance(rn, p, p->max_ts + (int64_t)(quiet * 1e6) -
			    rn->delay);
	}
}

int
window_clock(void *ctx)
{
	struct run *rn = ctx;
	double t = now_seconds(), next;

	if (t >= rn->next_tick) {
		window_trigger(rn);
		next = rn->next_trigger;
		if (rn->idle > 0) {
			/* A quarter of the timeout: the watermark moves on
			   in steps no longer than that. */
			double step = (double)rn->idle / 4e6;

			if (t >= rn->next_idle) {
				idle_inputs(rn, t);
				rn->next_idle = t + step;
			}
			if (rn->next_idle < next)
				next = rn->next_idle;
		}
		rn->next_tick = next;
		t = now_seconds();
	}
	return t >= rn->next_tick ? 0 : (int)((rn->next_tick - t) * 1e3 + 0.999);
}

/* --- Keys split across partitions ------------------------------------------ */

void
window_key_home(struct run *rn, const struct part *p)
{
	size_t gi;
	struct buf b = { 0 };
	const char *part;
	uint32_t n;

	if (p->where == NULL || rn->split_said)
		return;
	if (rn->homes.slots == 0)
		table_init(&rn->homes, 0);
	gi = table_get(&rn->homes, rn->key.p, (uint32_t)rn->key.n,
	    hash_table_key(rn->key.p, rn->key.n));
	if (gi >= rn->nhome) {
		rn->home = erealloc(rn->home, (gi + 1) * sizeof *rn->home);
		rn->home[gi] = estrdup(p->where);
		rn->nhome = gi + 1;
		/* A split shows within the first keys; the memory of every
		   key ever seen is not worth keeping to find it later. */
		if (rn->nhome >= 100000) {
			window_homes_free(rn);
			memset(&rn->homes, 0, sizeof rn->homes);
			rn->home = NULL;
			rn->nhome = 0;
			rn->split_said = 1;
		}
		return;
	}
	if (strcmp(rn->home[gi], p->where) == 0)
		return;
	for (size_t i = 0; (part = key_part(rn->key.p, (uint32_t)rn->key.n, i,
	    &n)) != NULL; i++)
		buf_printf(&b, "%s%.*s", i ? "," : "", (int)n, part);
	diag("the key \"%s\" comes from %s and %s: each partition writes its "
	    "own rows of a window, parts of the whole; produce the messages "
	    "keyed by the -g fields (kafka-replay --key) for whole rows",
	    buf_cstr(&b), rn->home[gi], p->where);
	buf_free(&b);
	rn->split_said = 1;
}

void
window_homes_free(struct run *rn)
{
	for (size_t i = 0; i < rn->nhome; i++)
		free(rn->home[i]);
	free(rn->home);
	table_free(&rn->homes, NULL);
}

/* --- Records ----------------------------------------------------------------- */

/* The record's time, key and inputs; 0, or -1 (rejected). */
static int
read_record(struct run *rn, struct rec *r, int64_t *ts)
{
	const int *at;

	if (rn->names == NULL) {
		rn->names = ecalloc(1 + rn->ndims + rn->nin, sizeof *rn->names);
		rn->names[0] = rn->time_field;
		for (size_t i = 0; i < rn->ndims; i++)
			rn->names[1 + i] = rn->dims[i];
		for (size_t i = 0; i < rn->nin; i++)
			rn->names[1 + rn->ndims + i] = rn->in[i].name;
		finder_init(&rn->find, rn->names, 1 + rn->ndims + rn->nin);
	}
	at = finder_locate(&rn->find, r);
	if (rn->time_field == NULL) {
		*ts = wall_us();
	} else {
		struct val *v = rec_at(r, at[0]);

		if (v == NULL || val_is_null(v) || val_is_empty_text(v)) {
			snprintf(rn->msg, sizeof rn->msg, "no %s (the event "
			    "time)", rn->time_field);
			reject(rn, r, "time");
			return -1;
		}
		if (val_to_time(v, ts) < 0) {
			size_t n;
			const char *t = val_to_text(v, &rn->scratch, &n);

			snprintf(rn->msg, sizeof rn->msg, "%s \"%.*s\" is not a "
			    "time", rn->time_field, n > 60 ? 60 : (int)n, t);
			reject(rn, r, "time");
			return -1;
		}
		/* Its windows must end where a time can be written: an end
		   past 9999-12-31 would be a time sluice refuses to read. */
		if (*ts > TS_MAX_US + 1 - (rn->gap > 0 ? rn->gap : rn->size)) {
			snprintf(rn->msg, sizeof rn->msg, "%s: its window "
			    "would end past 9999-12-31 (the last time sluice "
			    "writes)", rn->time_field);
			reject(rn, r, "time");
			return -1;
		}
	}
	rn->key.n = 0;
	for (size_t i = 0; i < rn->ndims; i++)
		key_add_dim(&rn->key, rec_at(r, at[1 + i]), &rn->scratch);
	for (size_t i = 0; i < rn->nin; i++) {
		const struct val *v = rec_at(r, at[1 + rn->ndims + i]);

		if (parsed_in(v, &rn->in[i], &rn->parsed[i], &rn->scratch,
		    r) < 0) {
			size_t n;
			const char *t = val_to_text(v, &rn->scratch, &n);

			snprintf(rn->msg, sizeof rn->msg, "%s \"%.*s\" is not a "
			    "%s", rn->in[i].name, n > 60 ? 60 : (int)n, t,
			    rn->in[i].need == N_NUMBER ? "number" : "boolean");
			reject(rn, r, rn->in[i].need == N_NUMBER ? "number" :
			    "bool");
			return -1;
		}
	}
	if (rn->on != NULL) {
		const char *why;

		if (metrics_test(rn->m, rn->nm, r, rn->on, &why) < 0) {
			snprintf(rn->msg, sizeof rn->msg, "%s", why);
			reject(rn, r, "where");
			return -1;
		}
	}
	return 0;
}

/* The record into the pane starting at start. */
static void
into_pane(struct run *rn, struct part *p, int64_t start, uint64_t hash,
    int64_t arrived)
{
	struct pane *pn = panes_get(&p->ps, start);
	size_t gi = table_get(&pn->t, rn->key.p, (uint32_t)rn->key.n, hash);

	if (pn->t.g[gi].records++ == 0 && p->where != NULL)
		window_key_home(rn, p);
	pn->t.g[gi].changed = 1;	/* for update mode */
	states_add(rn->m, rn->nm, table_states(&pn->t, gi), rn->parsed,
	    rn->on);
	pn->dirty = 1;
	if (rn->metrics != NULL)
		arrivals_add(&pn->arr, arrived);
}

/* Into the slice of ts (or each whole window's pane), so into every
   sliding or tumbling window holding it that is open (how many in
   *open; final already, in *closed). */
static void
into_panes(struct run *rn, struct part *p, int64_t ts, uint64_t hash,
    int64_t arrived, size_t *open, size_t *closed)
{
	/* Every window [s, s + size) holding ts: s from the latest slide
	   boundary at or before ts back while s > ts - size. */
	int64_t last = floor_to(ts, rn->slide), first = ts - rn->size;

	for (int64_t s = last; s > first; s -= rn->slide) {
		if (p->w != W_NONE && s <= p->w - rn->size) {
			(*closed)++;	/* final already: late for it */
		} else {
			(*open)++;
			if (p->ps.whole)
				into_pane(rn, p, s, hash, arrived);
		}
		if (s < INT64_MIN + rn->slide)
			break;
	}
	if (*open > 0 && !p->ps.whole)
		into_pane(rn, p, floor_to(ts, p->ps.width), hash, arrived);
}

int
window_read(struct run *rn, struct rec *r, int64_t *ts)
{
	if (!filter_keep(rn->f, r) || read_record(rn, r, ts) < 0)
		return -1;
	return 0;
}

void
window_event(struct run *rn, struct part *p, struct rec *r)
{
	int64_t ts;

	if (window_read(rn, r, &ts) == 0)
		window_apply(rn, p, r, ts);
}

void
window_apply(struct run *rn, struct part *p, const struct rec *r, int64_t ts)
{
	int64_t arrived = 0;
	uint64_t hash;
	size_t open = 0, closed = 0;

	/* The clock, only for what needs it: latency, the idle timeout. */
	if (rn->metrics != NULL || rn->idle > 0)
		arrived = (int64_t)(now_seconds() * 1e6);
	hash = hash_table_key(rn->key.p, rn->key.n);
	if (rn->gap > 0) {
		struct session *s = sessions_add(&p->ss, rn->key.p,
		    (uint32_t)rn->key.n, hash, ts, rn->gap, p->w, rn->m);

		if (s != NULL) {
			if (s->records++ == 0 && p->where != NULL)
				window_key_home(rn, p);
			states_add(rn->m, rn->nm, s->st, rn->parsed, rn->on);
			s->dirty = 1;
			if (rn->metrics != NULL)
				arrivals_add(&s->arr, arrived);
			open = 1;
		}
	} else {
		into_panes(rn, p, ts, hash, arrived, &open, &closed);
	}
	if (open == 0) {
		char w[TS_BUFSZ];

		ts_format(w, p->w);
		snprintf(rn->msg, sizeof rn->msg, "late: every window of it was "
		    "final (watermark %s)", w);
		rej_one(rn->late, r, "late", rn->msg);
		rn->nlate++;
		return;
	}
	rn->partly += closed > 0;
	rn->aggregated++;
	if (p->max_ts == W_NONE || ts > p->max_ts) {
		p->max_ts = ts;
		p->max_seen_at = (double)arrived / 1e6;
	}
	window_advance(rn, p, p->max_ts - rn->delay);
}
