/*
 * window.h - what stream-window's parts share: the windows asked for,
 * the state of each input (a Kafka partition, or all of stdin) with its
 * open windows and watermark, and how events move them.
 *
 * Times are microseconds since the epoch.  A window is [start, end).
 * Tumbling and sliding windows: end = start + size, starts multiples of
 * the slide (epoch-aligned).  Session windows: per key, from the first
 * event to the last plus the gap.  The watermark W is the largest event
 * time seen less the allowed delay, and never moves back; a window is
 * final once end <= W (the rule Spark, Flink and Kafka Streams agree on).
 */
#ifndef SLUICE_WINDOW_H
#define SLUICE_WINDOW_H

#include <stdint.h>

#include "agg/metrics.h"
#include "sluice.h"

/* W before any event, and at the end of input. */
#define W_NONE INT64_MIN
#define W_END INT64_MAX

/* Arrival times (monotonic microseconds) of a window's events since it
   was last written: a sample of at most ARRIVALS, for latency. */
enum { ARRIVALS = 16 };
struct arrivals {
	int64_t t[ARRIVALS];
	uint64_t seen;
};

/* --- Tumbling and sliding windows (panes.c) -------------------------- */

/* One slice of time [start, start + width) of the windows, or (whole) one
   window: its groups. */
struct pane {
	int64_t start;
	struct table t;
	int dirty;		/* changed since the windows were last
				   written (update mode) */
	struct arrivals arr;	/* its events' arrivals not yet written */
};

/* The slices the open windows hold, in start order. */
struct panes {
	struct pane *v;
	size_t n, cap;
	size_t nm;		/* metrics a group */
	int64_t size, slide;	/* the windows' */
	int64_t width;		/* a slice's: gcd(size, slide); the slide
				   when whole */
	int whole;		/* a pane is a whole window (panes.c) */
};

/* Empty, for windows of this size and slide. */
void panes_init(struct panes *ps, int64_t size, int64_t slide, size_t nm);

/* The slice starting at start (a multiple of the width), made if new. */
struct pane *panes_get(struct panes *ps, int64_t start);

/* A window: its start, and the slices it holds, v[i..j). */
typedef void (*window_fn)(struct panes *ps, int64_t start, size_t i,
    size_t j, void *ctx);

/*
 * Call fn (when not NULL) for each window starting in [lo, hi] that
 * holds a slice, in start order.  Returns how many there were.
 */
size_t panes_windows(struct panes *ps, int64_t lo, int64_t hi, window_fn fn,
    void *ctx);

/* The first window start still open under watermark w: after start <=
   w - size (INT64_MIN when w is W_NONE). */
int64_t panes_open_from(const struct panes *ps, int64_t w);

/*
 * The watermark moved on to w, from where the windows starting before
 * from were final: emit each window final now (end <= w), oldest first,
 * then drop the slices no open window holds.  Returns the windows
 * emitted.
 */
size_t panes_close(struct panes *ps, int64_t from, int64_t w,
    const struct metric *m, window_fn emit, void *ctx);

void panes_free(struct panes *ps, const struct metric *m);

/* --- Session windows (sessions.c) ------------------------------------ */

/* One key's open session: [first event, last event + gap). */
struct session {
	int64_t start, end;
	uint64_t records;
	struct mstate *st;
	int dirty;
	struct arrivals arr;
};

struct session_list {
	struct session *v;
	size_t n, cap;
};

/* Where an open session is, by its end: a heap of these finds the
   sessions the watermark closes without looking at the others. */
struct session_ref {
	int64_t end, start;
	size_t key;
};

/* The open sessions by key. */
struct sessions {
	struct table keys;		/* keys with open sessions (and some
					   without, until the next rebuild) */
	struct session_list *of;	/* of[i]: key i's, in start order */
	size_t ncap;
	size_t open;			/* sessions open */
	size_t live;			/* keys with a session open */
	struct session_ref *heap;	/* a ref a session, and stale ones */
	size_t nheap, heapcap;
	size_t nm;
};

/*
 * The session an event at ts of this key goes to: a new one [ts, ts +
 * gap), merged with every open session of the key it overlaps.  NULL
 * when it would be a new session already final (end <= w): the event is
 * late.  The caller adds the event to the session's states.
 */
struct session *sessions_add(struct sessions *ss, const char *key,
    uint32_t keylen, uint64_t hash, int64_t ts, int64_t gap, int64_t w,
    const struct metric *m);

/* A session read back (from a checkpoint): st is taken. */
void sessions_put(struct sessions *ss, const char *key, uint32_t keylen,
    const struct session *s);

/* Call fn for every open session, keys in order, each key's sessions in
   start order. */
typedef void (*session_fn)(const char *key, uint32_t keylen,
    struct session *s, void *ctx);
void sessions_each(struct sessions *ss, session_fn fn, void *ctx);

/* Take the sessions that end at or before w, in (start, key) order:
   emit each, then free it.  Returns how many. */
size_t sessions_close(struct sessions *ss, int64_t w, const struct metric *m,
    session_fn emit, void *ctx);

void sessions_free(struct sessions *ss, const struct metric *m);

/* --- Latency (stats.c) ------------------------------------------------ */

/* Note an event's arrival in a window's sample. */
void arrivals_add(struct arrivals *a, int64_t t);

/* Latencies: how long after arriving events were written, weighted. */
struct latency {
	double w[64 * 8];	/* log-linear buckets of microseconds */
	double total;
};

/* The window's events since it was last written were written at now:
   their sampled latencies, each standing for its share of them; the
   sample empties. */
void latency_add(struct latency *l, struct arrivals *a, int64_t now);

/* The q-quantile in milliseconds (0 when there is nothing). */
double latency_ms(const struct latency *l, double q);

/* floor(a / b) * b for b > 0, right for negative a too. */
int64_t floor_to(int64_t a, int64_t b);

/*
 * Room at index i (0 to n) of the array v of n elements, size bytes
 * each, for one more: the elements from i on moved up one, element i
 * zeroed.  When the array is full (n == *cap) it grows, *cap doubled
 * (first, from 0).  Returns the array, which may have moved.  Panes and
 * a key's sessions are both kept this way, in start order (panes.c).
 */
void *insert_zeroed(void *v, size_t n, size_t *cap, size_t first, size_t i,
    size_t size);

/* --- One input's state, and the run (engine.c) ----------------------- */

/* A Kafka partition, or stdin: its windows and watermark. */
struct part {
	char *topic;		/* NULL: stdin */
	int32_t partition;
	char *where;		/* "topic[partition]", for messages */
	int64_t next_offset;	/* the next message to read; -1: none read */
	int64_t w;		/* the watermark */
	int64_t max_ts;		/* the latest event time */
	double max_seen_at;	/* monotonic seconds it came */
	struct panes ps;
	struct sessions ss;
	int at_end;		/* caught up with the partition's end */
	int64_t eof_offset;	/* the end it last caught up with; -1: none */
	int64_t end;		/* the partition's end as last asked of
				   Kafka (the next offset to be written);
				   -1: not asked, or no answer */
	int64_t low;		/* its first offset still kept, asked with
				   end (retention, kafka-mock's bound) */
	int64_t committed;	/* the offset last committed to Kafka; -1:
				   none */
};

struct run {
	/* The windows asked for: */
	const char *time_field;	/* NULL: arrival time */
	int64_t size, slide, gap, delay, idle;
	char **dims;
	size_t ndims;
	struct metric *m;
	size_t nm;
	struct infield *in;
	size_t nin;
	int update;		/* --mode update */
	int round;		/* --round: averages' decimals, or -1 */
	const char *name;	/* --name: said in each --health line */
	char *schema_json;	/* --schema as given, a JSON string, or NULL */
	double trigger;		/* seconds */
	/* What the run does: */
	struct filter *f;
	struct part **parts;	/* the inputs held */
	size_t nparts;
	struct parsed *parsed;
	unsigned char *on;	/* metrics with a where: which count the
				   record (NULL: all do) */
	const char **names;	/* the time, the dimensions, the inputs */
	struct rec_finder find;	/* where they are in a record */
	struct rejects *late;
	const char *late_path;	/* --late */
	struct out *metrics;	/* --health */
	uint64_t aggregated, nlate, partly, windows, rows;
	struct buf key, scratch;
	struct buf packed;	/* -j, a thread's: what a record was read as
				   (jobs.c) */
	struct rec row;
	int columns_set;
	double next_trigger;	/* monotonic seconds */
	double next_idle;	/* the idle timeout's next look */
	double next_tick;	/* the earlier of the two: window_clock() */
	struct latency lat;	/* since the last metrics line */
	uint64_t in_before;	/* events at the last metrics line */
	double last_metrics;
	/* Kafka: which input each key came from first, to say once when a
	   key comes from two (each then writes part of its rows). */
	struct table homes;
	char **home;		/* per key: its input's name */
	size_t nhome;
	int split_said;
	void (*on_trigger)(struct run *rn);	/* after each trigger */
	/* Kafka: messages in the topics not read yet, as the metrics
	   line says it (-1: not known); at the end rn->lag instead. */
	int64_t (*lag_fn)(struct run *rn);
	int64_t lag;		/* asked of Kafka at the end; -1: not known */
	int64_t gone;		/* and of those, gone before they were read */
	json_t *left_by;	/* the lag by partition, at the end ("t[p]":
				   n, null when not known); NULL: not Kafka */
	void *trigger_ctx;
	char msg[256];
};

/* -j (jobs.c): filter_run's each (one thread, or a thread that reads),
   the later step that puts what was read into the windows in order, and
   each thread's run. */
void window_each(struct filter *f, struct rec *r, void *ctx);
void window_later(struct filter *f, struct rec *r, struct rec *o,
    const void *key, size_t keyn, void *ctx);
void *window_worker_new(void *ctx);
void window_worker_free(void *wctx, void *ctx);

/* How many windows of p are open. */
size_t window_open(const struct run *rn, struct part *p);

/* A new input's state; freed with part_free. */
struct part *part_new(struct run *rn, const char *topic, int32_t partition);
void part_free(struct run *rn, struct part *p);

/* One record of input p: into its windows, late, or rejected. */
void window_event(struct run *rn, struct part *p, struct rec *r);

/* Its two steps.  Read r (--where, its time, key and inputs into rn):
   0, or -1 when it is dropped or rejected (through rn->f). */
int window_read(struct run *rn, struct rec *r, int64_t *ts);
/* What was read, at time ts, into p's windows, or late (r goes to the
   --late file; without one, a record with only its place will do). */
void window_apply(struct run *rn, struct part *p, const struct rec *r,
    int64_t ts);

/* A key new to one of p's windows: say once if it came from another
   input before. */
void window_key_home(struct run *rn, const struct part *p);

/* Free what window_key_home kept. */
void window_homes_free(struct run *rn);

/* Move p's watermark to w (never back) and write what became final. */
void window_advance(struct run *rn, struct part *p, int64_t w);

/* Every --trigger: in update mode the open windows that changed, the
   metrics line; then on_trigger. */
void window_trigger(struct run *rn);

/*
 * Update mode: the rows of every open window's groups that changed since
 * they were last written, now.  Before each checkpoint (a trigger, a
 * partition taken away, the end), so a checkpoint never holds a change
 * whose row was not written: groups read back from one are as written.
 */
void window_updates(struct run *rn);

/*
 * On the clock, whatever the input's rate (src_on_clock() for stdin;
 * between messages and on time for Kafka): the trigger when it is due,
 * and the idle timeout.  Cheap when nothing is due.  Returns the
 * milliseconds until something is (0 or more).
 */
int window_clock(void *ctx);

/* The output's columns, once. */
void window_columns(struct run *rn);

/* One line of the stream's health (--health). */
void window_metrics_line(struct run *rn);

/* --- Kafka (consume.c) and checkpoints (checkpoint.c) ------------------ */

enum { PAST_END_DROP = 1, PAST_END_KEEP = 2 };

struct consume_opts {
	const char *brokers;
	char **topics;
	size_t ntopics;
	const char *group;
	char **props;		/* -X key=value */
	size_t nprops;
	const char *from;	/* "earliest" or "latest" */
	int stop_at_end;
	double timeout;		/* seconds for the brokers to answer */
	double drain;		/* stopped by a signal: seconds to go on
				   reading what was in the topic then */
	const char *checkpoint;	/* --checkpoint DIR, or NULL */
	int reset_past_end;	/* a checkpoint past its partition's end:
				   refused (0), dropped (PAST_END_DROP) or
				   its windows kept (PAST_END_KEEP) */
	const char *config;	/* the window options, as checkpoints hold them */
};

/* Read Kafka until stopped (a signal) or, with stop_at_end, caught up.
   Returns the exit status. */
int consume(struct run *rn, const struct consume_opts *ko);

struct checkpoint;

/* A file the run appends to, cut back on a restart to its length at
   the last checkpoint (what came after is written again). */
enum { F_OUTPUT, F_REJECT, F_LATE, NFILES };
struct ckpt_file {
	const char *path;	/* NULL or "-": none (stdout) */
	long long len;		/* its length at the checkpoint; -1: none */
};

/*
 * Use folder dir (made if missing) for this process's checkpoints,
 * named after files[F_OUTPUT] (the -o file, or stdout).  Refuses (NULL,
 * reported) a folder whose checkpoints were made with another config,
 * or whose checkpoint for this output another live process holds.
 * files[i].len: the file's length at this process's last checkpoint,
 * or -1 (none, or another file then).
 */
struct checkpoint *ckpt_open(const char *dir, const char *config,
    struct ckpt_file files[NFILES]);

/*
 * Save the state of every input held, and the files' lengths,
 * atomically.  The files are synced first (the caller's part).  0, or
 * -1 (reported).
 */
int ckpt_save(struct checkpoint *c, struct run *rn,
    const struct ckpt_file files[NFILES]);

/*
 * The newest saved state of p's partition in the folder, by any
 * process (the one read furthest): into p.  1 when there was one, 0
 * when none, -1 when it cannot be read (reported).
 */
int ckpt_restore(struct checkpoint *c, struct run *rn, struct part *p);

void ckpt_close(struct checkpoint *c);

#endif
