/*
 * consume.c - stream-window reading Kafka as a member of a consumer
 * group: each partition held is an input with its own windows and
 * watermark (window.h), so partitions can move between processes with
 * their state.
 *
 * With --checkpoint, every --trigger (and when partitions are taken
 * away, and at the end) runs the cycle Spark and Flink run: the
 * output flushed (and synced, for a file), then the checkpoint saved,
 * then the offsets committed to Kafka.  A partition given to us starts
 * from the newest checkpoint of it in the folder, whoever saved it;
 * failing that from the group's committed offset, failing that from
 * --from.  Without --checkpoint nothing is committed: state that is not
 * saved must not be skipped over on the next run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kafka/kafka.h"
#include "window.h"

struct consumer {
	struct run *rn;
	const struct consume_opts *ko;
	rd_kafka_t *rk;
	struct checkpoint *ck;
	struct ckpt_file files[NFILES];	/* output, --reject, --late */
	int ended;		/* every window was written at the end: no
				   more checkpoints of this state */
	int failed;
	struct part *last;	/* where the last message went */
	int no_answer;		/* asked where the partitions end, in vain */
	double heard;		/* monotonic seconds of the last message (or
				   partition end, or assignment) */
	int dead;		/* stopped for want of the brokers: what is
				   left is not asked of them, nor waited for */
};

static struct part *
find_part(struct run *rn, const char *topic, int32_t partition, size_t *at)
{
	for (size_t i = 0; i < rn->nparts; i++)
		if (rn->parts[i]->partition == partition &&
		    strcmp(rn->parts[i]->topic, topic) == 0) {
			if (at != NULL)
				*at = i;
			return rn->parts[i];
		}
	return NULL;
}

/* Output, then checkpoint, then offsets: never the other way round. */
static int
cycle(struct consumer *c)
{
	struct run *rn = c->rn;
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;

	if (c->ck == NULL || c->ended)
		return 0;
	/* Everything written so far, rejects and late events too, on disk
	   before the checkpoint says it was. */
	c->files[F_OUTPUT].len = out_sync(rn->f->out);
	c->files[F_REJECT].len = rej_sync(rn->f->rj);
	c->files[F_LATE].len = rej_sync(rn->late);
	for (int i = 0; i < NFILES; i++)
		if (c->files[i].len == -2)
			return -1;
	if (ckpt_save(c->ck, rn, c->files) < 0)
		return -1;
	/* Advisory (the checkpoint is the truth): asynchronous, its result
	   said by committed(); only what moved.  Not while the brokers are
	   down: a commit then waits for the coordinator, and so would the
	   end (librdkafka's termination waits for every commit). */
	if (kafka_down_for(c->rk) > 0)
		return 0;
	l = rd_kafka_topic_partition_list_new((int)rn->nparts + 1);
	for (size_t i = 0; i < rn->nparts; i++) {
		struct part *p = rn->parts[i];

		if (p->next_offset >= 0 && p->next_offset != p->committed)
			rd_kafka_topic_partition_list_add(l, p->topic,
			    p->partition)->offset = p->committed = p->next_offset;
	}
	if (l->cnt > 0 && (err = rd_kafka_commit(c->rk, l, 1)) !=
	    RD_KAFKA_RESP_ERR_NO_ERROR)
		diag("committing offsets: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(l);
	return 0;
}

/* The result of an asynchronous commit: a failure is said, once in a
   while (the next commit supersedes it). */
static void
committed(rd_kafka_t *rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
	static double last;

	(void)rk;
	(void)offsets;
	(void)opaque;
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR &&
	    err != RD_KAFKA_RESP_ERR__NO_OFFSET && now_seconds() - last > 10) {
		diag("committing offsets (advisory: the checkpoint holds "
		    "them): %s", rd_kafka_err2str(err));
		last = now_seconds();
	}
}

static void
on_trigger(struct run *rn)
{
	struct consumer *c = rn->trigger_ctx;

	if (cycle(c) < 0) {
		c->failed = 1;
		rn->f->stop = 1;
	}
}

static void
say_parts(const struct consumer *c, const char *what,
    const rd_kafka_topic_partition_list_t *l)
{
	struct buf b = { 0 };

	if (c->rn->f->co->quiet)
		return;
	for (int i = 0; i < l->cnt; i++)
		buf_printf(&b, "%s%s[%d]", i ? ", " : "", l->elems[i].topic,
		    (int)l->elems[i].partition);
	diag("%s %s", what, l->cnt ? buf_cstr(&b) : "nothing");
	buf_free(&b);
}

/* With checkpoints, a partition whose checkpoint and the group's
   committed offset disagree is said: another folder reads this group,
   or the checkpoint was lost, and windows may come out partial or
   twice. */
static void
check_committed(struct consumer *c, const rd_kafka_topic_partition_list_t *l,
    const int *restored)
{
	rd_kafka_topic_partition_list_t *got = rd_kafka_topic_partition_list_copy(l);

	if (rd_kafka_committed(c->rk, got, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_topic_partition_list_destroy(got);
		return;
	}
	for (int i = 0; i < got->cnt; i++) {
		int64_t have = got->elems[i].offset, saved = l->elems[i].offset;

		if (have < 0)
			continue;
		if (restored[i] && saved >= 0 && have > saved)
			diag("%s[%d]: the checkpoint is at offset %lld, behind the "
			    "group's committed %lld: read again from the checkpoint "
			    "(does another checkpoint folder serve this group?)",
			    l->elems[i].topic, (int)l->elems[i].partition,
			    (long long)saved, (long long)have);
		else if (!restored[i])
			diag("%s[%d]: no checkpoint of it here: from the group's "
			    "committed offset %lld, with no open windows (those "
			    "open there come out partial)", l->elems[i].topic,
			    (int)l->elems[i].partition, (long long)have);
	}
	rd_kafka_topic_partition_list_destroy(got);
}

/*
 * A partition's checkpoint past its end: the topic was deleted and made
 * again (or kafka-mock restarted) since it was saved, and its windows
 * and offset are of messages that are gone.  Reading from there would
 * silently start over (librdkafka's offset reset) with the old windows:
 * refused, the partition, its offset and the end said; or, with
 * --reset-past-end, the partition starts afresh from --from.  The ends
 * of l's restored partitions (rn->parts[first..]) are asked within
 * --timeout; unknown, nothing is said.
 */
static void
check_ends(struct consumer *c, rd_kafka_topic_partition_list_t *l,
    int *restored, size_t first)
{
	struct run *rn = c->rn;
	rd_kafka_topic_partition_list_t *q =
	    rd_kafka_topic_partition_list_new(l->cnt + 1);

	for (int i = 0; i < l->cnt; i++)
		if (restored[i])
			rd_kafka_topic_partition_list_add(q, l->elems[i].topic,
			    l->elems[i].partition)->offset = RD_KAFKA_OFFSET_END;
	if (q->cnt == 0 || rd_kafka_offsets_for_times(c->rk, q,
	    (int)(c->ko->timeout * 1e3)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_topic_partition_list_destroy(q);
		return;
	}
	for (int i = 0; i < l->cnt; i++) {
		rd_kafka_topic_partition_t *tp = &l->elems[i];
		const rd_kafka_topic_partition_t *e =
		    rd_kafka_topic_partition_list_find(q, tp->topic,
		    tp->partition);
		struct part *p = rn->parts[first + (size_t)i];

		if (!restored[i] || e == NULL || e->err || e->offset < 0 ||
		    p->next_offset <= e->offset)
			continue;
		diag("%s: the checkpoint is at offset %lld, past the "
		    "partition's end, %lld: the topic was made again since "
		    "(or kafka-mock restarted), and the saved windows are of "
		    "messages that are gone.  %s", p->where,
		    (long long)p->next_offset, (long long)e->offset,
		    c->ko->reset_past_end == PAST_END_KEEP ? "Its saved "
		    "windows are kept (--keep-past-end): read from --from" :
		    c->ko->reset_past_end ? "Its saved state is dropped "
		    "(--reset-past-end): read from --from" : "Empty the "
		    "checkpoint folder, or --reset-past-end to read the "
		    "partition afresh from --from");
		if (!c->ko->reset_past_end) {
			c->failed = 1;
			rn->f->stop = 1;
			continue;
		}
		if (c->ko->reset_past_end == PAST_END_KEEP) {
			/* The windows and watermark go on; only the
			   offsets, of the old topic, are forgotten. */
			p->next_offset = p->committed = -1;
		} else {
			part_free(rn, p);
			rn->parts[first + (size_t)i] = part_new(rn, tp->topic,
			    tp->partition);
			restored[i] = 0;
		}
		tp->offset = c->ko->from != NULL && strcmp(c->ko->from,
		    "latest") == 0 ? RD_KAFKA_OFFSET_END :
		    RD_KAFKA_OFFSET_BEGINNING;
	}
	rd_kafka_topic_partition_list_destroy(q);
}

static void
assigned(struct consumer *c, rd_kafka_topic_partition_list_t *l)
{
	int *restored = ecalloc((size_t)l->cnt + 1, sizeof *restored);
	struct run *rn = c->rn;
	size_t first = rn->nparts;

	c->heard = now_seconds();
	rn->parts = erealloc(rn->parts, (rn->nparts + (size_t)l->cnt + 1) *
	    sizeof *rn->parts);
	for (int i = 0; i < l->cnt; i++) {
		rd_kafka_topic_partition_t *tp = &l->elems[i];
		struct part *p = part_new(rn, tp->topic, tp->partition);
		int rc = c->ck ? ckpt_restore(c->ck, rn, p) : 0;

		if (rc < 0) {
			c->failed = 1;
			rn->f->stop = 1;
		}
		/* Saved before it read anything: where it would start. */
		restored[i] = rc > 0;
		if (rc > 0 && p->next_offset >= 0) {
			tp->offset = p->next_offset;
			if (!rn->f->co->quiet)
				diag("%s: from the checkpoint, at offset %lld",
				    p->where, (long long)p->next_offset);
		} else if (rc > 0 && !rn->f->co->quiet) {
			/* Saved before it read a message (since
			   --keep-past-end, say): its windows, and the
			   offset the group or --from gives. */
			diag("%s: from the checkpoint, no message read yet",
			    p->where);
		}
		rn->parts[rn->nparts++] = p;
	}
	if (c->ck != NULL) {
		check_ends(c, l, restored, first);
		check_committed(c, l, restored);
	}
	free(restored);
}

/* Partitions taken away: saved first (unless lost to another member
   already), then forgotten. */
static void
revoked(struct consumer *c, rd_kafka_topic_partition_list_t *l)
{
	struct run *rn = c->rn;

	if (!rd_kafka_assignment_lost(c->rk)) {
		window_updates(rn);
		if (cycle(c) < 0)
			c->failed = 1;
	}
	for (int i = 0; i < l->cnt; i++) {
		size_t at;
		struct part *p = find_part(rn, l->elems[i].topic,
		    l->elems[i].partition, &at);

		if (p == NULL)
			continue;
		part_free(rn, p);
		memmove(&rn->parts[at], &rn->parts[at + 1], (rn->nparts - at -
		    1) * sizeof *rn->parts);
		rn->nparts--;
	}
	c->last = NULL;
}

static void
rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t *l, void *opaque)
{
	struct consumer *c = opaque;
	int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
	int in = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
	rd_kafka_error_t *e = NULL;

	/* Ours first (a new partition's checkpointed offset set in l, a
	   revoked one's windows written), then said, then librdkafka told:
	   the partitions that change under the cooperative protocol, the
	   whole assignment under the eager one. */
	if (in)
		assigned(c, l);
	else
		revoked(c, l);
	say_parts(c, in ? "reading" : "no longer reading", l);
	if (coop)
		e = in ? rd_kafka_incremental_assign(rk, l) :
		    rd_kafka_incremental_unassign(rk, l);
	else
		rd_kafka_assign(rk, in ? l : NULL);
	if (e != NULL) {
		diag("rebalance: %s", rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	}
}

static rd_kafka_t *
open_consumer(struct consumer *c)
{
	const struct consume_opts *ko = c->ko;
	char fetch_wait[32];
	double ms = c->rn->trigger * 100;
	const char *defaults[] = {
		"group.id", ko->group,
		"enable.auto.commit", "false",
		"enable.partition.eof", "true",
		"auto.offset.reset", ko->from ? ko->from : "earliest",
		"partition.assignment.strategy", "cooperative-sticky",
		/* librdkafka 2.0 stops fetching for a second whenever a
		   partition's queue holds queued.min.messages (#2879): a
		   deeper queue keeps a fast reader fed. */
		"queued.min.messages", "1000000",
		/* How long a fetch that finds nothing waits.  A broker
		   answers as soon as data comes; librdkafka's mock
		   (kafka-mock) only when this is up, so it bounds the
		   latency there: a tenth of --trigger, 10 to 100 ms. */
		"fetch.wait.max.ms", fetch_wait,
		/* A member that stops answering (killed, or cut off) is
		   given up, and its partitions moved, after 6 s, the least
		   brokers accept, not librdkafka's 45: a checkpoint moves
		   the windows with them.  The same bounds what a broker
		   outage during the group's join costs: the join waits for
		   the member whose answer was lost. */
		"session.timeout.ms", "6000",
		"heartbeat.interval.ms", "1000",
		NULL
	};
	rd_kafka_conf_t *conf;
	rd_kafka_topic_partition_list_t *topics;
	rd_kafka_resp_err_t err;
	rd_kafka_t *rk;
	char e[512];

	snprintf(fetch_wait, sizeof fetch_wait, "%.0f", ms < 10 ? 10 :
	    ms > 100 ? 100 : ms);
	if ((conf = kafka_conf(ko->brokers, defaults, ko->props,
	    ko->nprops)) == NULL)
		return NULL;
	rd_kafka_conf_set_rebalance_cb(conf, rebalance);
	rd_kafka_conf_set_offset_commit_cb(conf, committed);
	rd_kafka_conf_set_opaque(conf, c);
	if ((rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e)) == NULL) {
		diag("%s", e);
		return NULL;
	}
	if (kafka_reachable(rk, ko->brokers, ko->timeout) < 0) {
		kafka_destroy(rk, 0, END_MS);
		return NULL;
	}
	rd_kafka_poll_set_consumer(rk);
	topics = rd_kafka_topic_partition_list_new((int)ko->ntopics);
	for (size_t i = 0; i < ko->ntopics; i++)
		rd_kafka_topic_partition_list_add(topics, ko->topics[i],
		    RD_KAFKA_PARTITION_UA);
	err = rd_kafka_subscribe(rk, topics);
	rd_kafka_topic_partition_list_destroy(topics);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		diag("subscribing: %s", rd_kafka_err2str(err));
		kafka_destroy(rk, 0, END_MS);
		return NULL;
	}
	return rk;
}

/* A file cut back to its length at the last checkpoint: what came
   after is written again.  0, or -1 (reported). */
static int
cut_back(const struct ckpt_file *cf, int quiet)
{
	struct stat st;

	if (cf->path == NULL || cf->len < 0 || stat(cf->path, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	if (st.st_size > cf->len && truncate(cf->path, (off_t)cf->len) < 0) {
		diag("%s: %s", cf->path, strerror(errno));
		return -1;
	}
	if (st.st_size < cf->len)
		diag("%s: shorter (%lld bytes) than at the last checkpoint "
		    "(%lld): was it changed?", cf->path, (long long)st.st_size,
		    cf->len);
	else if (cf->len > 0 && !quiet)
		diag("%s: going on from the checkpoint, at byte %lld", cf->path,
		    cf->len);
	return 0;
}

/* The output (-o FILE, appended to when the checkpoint knows it), and
   the files cut back to the checkpoint. */
static int
open_output(struct consumer *c)
{
	struct filter *f = c->rn->f;
	int flags = 0;

	for (int i = 0; i < NFILES; i++)
		if (cut_back(&c->files[i], f->co->quiet) < 0)
			return -1;
	if (c->files[F_OUTPUT].len >= 0)
		flags = OUT_APPEND;
	if ((f->out = out_open(f->output, flags, 0)) == NULL)
		return -1;
	f->w = wr_open(f->out, f->co->out_fmt ? f->co->out_fmt : FMT_JSONL);
	return 0;
}

/* Every partition held has been read to its end. */
static int
all_at_end(const struct run *rn)
{
	if (rn->nparts == 0)
		return 0;
	for (size_t i = 0; i < rn->nparts; i++)
		if (!rn->parts[i]->at_end)
			return 0;
	return 1;
}

static void
message(struct consumer *c, struct reader *msgs, rd_kafka_message_t *m)
{
	struct run *rn = c->rn;
	const char *topic = rd_kafka_topic_name(m->rkt);
	struct part *p = c->last;
	struct rec *r;

	if (p == NULL || p->partition != m->partition ||
	    strcmp(p->topic, topic) != 0)
		p = c->last = find_part(rn, topic, m->partition, NULL);
	if (!m->err || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		kafka_heard();
		c->heard = now_seconds();
	}
	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		if (p != NULL) {
			p->at_end = 1;
			p->eof_offset = m->offset;
		}
		return;
	}
	if (m->err) {
		diag("%s: %s", topic ? topic : "kafka", rd_kafka_message_errstr(m));
		if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
		    m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
		    m->err == RD_KAFKA_RESP_ERR__FATAL) {
			c->failed = 1;
			rn->f->stop = 1;
		}
		return;
	}
	if (p == NULL)		/* not ours (any more) */
		return;
	p->at_end = 0;
	p->next_offset = m->offset + 1;
	progress_tick(&rn->f->pg, ++rn->f->t.in);
	if (rd_message(msgs, m->payload, m->len, p->where,
	    (unsigned long)m->offset, &r) == RD_BAD) {
		struct rej_reason why = { "parse", r->err, NULL };

		filter_reject(rn->f, r, &why, 1);
		return;
	}
	window_event(rn, p, r);
}

/* Where p's reading is: the offset it reads next, -1 when unknown. */
static int64_t
position(const struct part *p)
{
	return p->next_offset > p->eof_offset ? p->next_offset : p->eof_offset;
}

/*
 * One offset of every partition held, asked of their leaders within ms
 * (ListOffsets: which is RD_KAFKA_OFFSET_END for where each ends,
 * RD_KAFKA_OFFSET_BEGINNING for its first message still kept), into
 * got[i]; -1 where there is no answer.  librdkafka 2.0's
 * rd_kafka_query_watermark_offsets() can wait forever for a leader that
 * is down (librdkafka #4460): rd_kafka_offsets_for_times() keeps to its
 * time, and asks each leader once for all its partitions.
 */
static int
ask_offsets(struct consumer *c, int64_t which, int ms, int64_t *got)
{
	struct run *rn = c->rn;
	rd_kafka_topic_partition_list_t *l =
	    rd_kafka_topic_partition_list_new((int)rn->nparts + 1);
	rd_kafka_resp_err_t err;

	for (size_t i = 0; i < rn->nparts; i++) {
		got[i] = -1;
		rd_kafka_topic_partition_list_add(l, rn->parts[i]->topic,
		    rn->parts[i]->partition)->offset = which;
	}
	err = rd_kafka_offsets_for_times(c->rk, l, ms > 0 ? ms : 1);
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		for (size_t i = 0; i < rn->nparts; i++) {
			const rd_kafka_topic_partition_t *tp =
			    rd_kafka_topic_partition_list_find(l,
			    rn->parts[i]->topic, rn->parts[i]->partition);

			if (tp != NULL && tp->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
			    tp->offset >= 0)
				got[i] = tp->offset;
		}
	rd_kafka_topic_partition_list_destroy(l);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
		diag("where the partitions end: %s", rd_kafka_err2str(err));
	return err == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

/*
 * Ask Kafka where each partition held ends now (p->end) and its first
 * message kept (p->low), within about ms in all: a broker that does not
 * answer leaves them unknown.
 */
static void
ask_ends(struct consumer *c, int ms)
{
	struct run *rn = c->rn;
	int64_t *hi = ecalloc(rn->nparts + 1, sizeof *hi);
	int64_t *lo = ecalloc(rn->nparts + 1, sizeof *lo);
	double until = now_seconds() + ms / 1e3;

	for (size_t i = 0; i < rn->nparts; i++)
		hi[i] = lo[i] = -1;
	/* A cluster that did not answer once is not waited for again. */
	if (rn->nparts > 0 && !c->no_answer) {
		if (ask_offsets(c, RD_KAFKA_OFFSET_END, ms, hi) == 0)
			ask_offsets(c, RD_KAFKA_OFFSET_BEGINNING,
			    (int)((until - now_seconds()) * 1e3), lo);
		else
			c->no_answer = 1;
	}
	for (size_t i = 0; i < rn->nparts; i++) {
		rn->parts[i]->end = hi[i];
		rn->parts[i]->low = lo[i] > 0 ? lo[i] : 0;
	}
	free(hi);
	free(lo);
}

/* The lag as the client last heard it (no request to the brokers):
   for the metrics line, every trigger. */
static int64_t
cached_lag(struct run *rn)
{
	struct consumer *c = rn->trigger_ctx;
	int64_t total = 0;

	for (size_t i = 0; i < rn->nparts; i++) {
		const struct part *p = rn->parts[i];
		int64_t lo, hi, at = position(p);

		if (rd_kafka_get_watermark_offsets(c->rk, p->topic, p->partition,
		    &lo, &hi) != RD_KAFKA_RESP_ERR_NO_ERROR || hi < 0 || at < 0)
			return -1;
		if (hi > at)
			total += hi - at;
	}
	return total;
}

/* Every partition held read up to the end it had when asked. */
static int
drained(const struct run *rn)
{
	for (size_t i = 0; i < rn->nparts; i++) {
		const struct part *p = rn->parts[i];

		if (p->end >= 0 && position(p) < p->end)
			return 0;
	}
	return 1;
}

/*
 * What the run leaves in the topic, asked of Kafka at the end: the
 * messages after each partition's position (its lag), said when there
 * are any; rn->lag their sum, -1 when some end is not known.  Of them,
 * rn->gone were dropped before they were read (the topic's retention,
 * or kafka-mock's bound): they can never be.  A partition nothing was
 * read from counts from its start.
 */
static void
say_lag(struct consumer *c)
{
	struct run *rn = c->rn;
	struct buf b = { 0 };
	int64_t total = 0, gone = 0;
	int known = 1;

	ask_ends(c, 2000);
	json_decref(rn->left_by);
	rn->left_by = json_object();
	for (size_t i = 0; i < rn->nparts; i++) {
		const struct part *p = rn->parts[i];
		int64_t at = position(p) < 0 ? 0 : position(p);

		json_object_set_new(rn->left_by, p->where, p->end < 0 ?
		    json_null() : json_integer(p->end > at ? p->end - at : 0));
		if (p->end < 0) {
			known = 0;
			buf_printf(&b, "%s%s ?", b.n ? ", " : "", p->where);
		} else if (p->end > at) {
			total += p->end - at;
			gone += p->low > at ? p->low - at : 0;
			buf_printf(&b, "%s%s %lld", b.n ? ", " : "", p->where,
			    (long long)(p->end - at));
			if (p->low > at)
				buf_printf(&b, " (%lld of them gone)",
				    (long long)(p->low - at));
		}
	}
	/* No partition held (a group with more members than partitions,
	   or taken away at the stop): nothing known of a lag. */
	rn->lag = known && rn->nparts > 0 ? total : -1;
	rn->gone = gone;
	rn->lag_fn = NULL;
	if (b.n > 0 && !rn->f->co->quiet)
		diag("left in the topic, not read: %s%s", buf_cstr(&b), known ?
		    "" : " (? not known)");
	if (gone > 0)
		diag("%lld messages were gone from the topic before they could "
		    "be read (its retention, or kafka-mock's bound): never "
		    "counted", (long long)gone);
	buf_free(&b);
}

/*
 * Have the brokers failed us?  None has answered for --timeout (every
 * one down); or, with --stop-at-end, the partitions not read to their
 * end have sent nothing for that long (their leaders down, the others
 * up).  Said, and 1: the run ends.  A shorter outage is waited out.
 */
static int
brokers_gone(struct consumer *c)
{
	const struct run *rn = c->rn;
	double down = kafka_down_for(c->rk);
	struct buf b = { 0 };

	if (down >= c->ko->timeout) {
		diag("no broker of %s has answered for %.0fs (--timeout %gs)",
		    c->ko->brokers, down, c->ko->timeout);
	} else if (c->ko->stop_at_end && rn->nparts > 0 && !all_at_end(rn) &&
	    now_seconds() - c->heard >= c->ko->timeout) {
		for (size_t i = 0; i < rn->nparts; i++)
			if (!rn->parts[i]->at_end)
				buf_printf(&b, "%s%s", b.n ? ", " : "",
				    rn->parts[i]->where);
		diag("nothing came from %s for %.0fs (--timeout %gs), not read "
		    "to the end: its leader does not answer", buf_cstr(&b),
		    now_seconds() - c->heard, c->ko->timeout);
		buf_free(&b);
	} else {
		return 0;
	}
	c->dead = 1;
	c->no_answer = 1;	/* the lag is not asked of them */
	return 1;
}

/* Stopped for want of the brokers: what was read, saved and written,
   so the next run's start is known. */
static void
say_stranded(const struct consumer *c, int saved)
{
	const struct run *rn = c->rn;
	const struct filter *f = rn->f;
	struct buf b = { 0 };
	size_t open = 0;

	for (size_t i = 0; i < rn->nparts; i++) {
		struct part *p = rn->parts[i];

		open += window_open(rn, p);
		if (p->next_offset >= 0)
			buf_printf(&b, "%s%s up to offset %lld", b.n ? ", " : "",
			    p->where, (long long)p->next_offset);
	}
	diag("without the brokers: read %llu messages%s%s%s; %s; %llu rows of "
	    "final windows written to %s, %zu windows open not written",
	    (unsigned long long)f->t.in, b.n ? " (" : "", b.n ?
	    buf_cstr(&b) : "", b.n ? ")" : "", c->ck == NULL ?
	    "nothing saved (no --checkpoint): the next run reads them again" :
	    saved ? "all saved in the checkpoint, where the next run goes on" :
	    "the checkpoint could not be saved", (unsigned long long)rn->rows,
	    f->output != NULL && strcmp(f->output, "-") != 0 ? f->output :
	    "standard output", open);
	buf_free(&b);
}

/*
 * Leave the group: the last offsets committed, the partitions given
 * back.  Within ms at most, whatever the brokers do; then the client
 * is destroyed (without leaving, if that did not end: the group then
 * waits session.timeout.ms for this member, and the client a second at
 * most).
 */
static void
close_consumer(struct consumer *c, double ms)
{
	rd_kafka_queue_t *q;
	rd_kafka_error_t *e;
	rd_kafka_event_t *ev;
	double until = now_seconds() + ms / 1e3;
	int closed;

	if (ms <= 0) {
		kafka_destroy(c->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, 1000);
		return;
	}
	q = rd_kafka_queue_new(c->rk);
	closed = (e = rd_kafka_consumer_close_queue(c->rk, q)) == NULL;
	if (e != NULL) {
		diag("leaving the group: %s", rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	}
	while (closed && !rd_kafka_consumer_closed(c->rk)) {
		double left = until - now_seconds();

		if (left <= 0) {
			closed = 0;
			diag("leaving the group: no answer within %.1fs; its "
			    "other members wait session.timeout.ms for this "
			    "one", ms / 1e3);
			break;
		}
		/* The revocation comes as an event here, not a callback. */
		if ((ev = rd_kafka_queue_poll(q, left < 0.1 ? 1 + (int)(left *
		    1e3) : 100)) != NULL && rd_kafka_event_type(ev) ==
		    RD_KAFKA_EVENT_REBALANCE)
			rebalance(c->rk, rd_kafka_event_error(ev),
			    rd_kafka_event_topic_partition_list(ev), c);
		rd_kafka_event_destroy(ev);
	}
	rd_kafka_queue_destroy(q);
	if (closed)
		kafka_destroy(c->rk, 0, END_MS);
	else
		kafka_destroy(c->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, 1000);
}

int
consume(struct run *rn, const struct consume_opts *ko)
{
	struct consumer c = { .rn = rn, .ko = ko };
	struct filter *f = rn->f;
	struct reader *msgs = rd_open_messages("kafka");
	int status = 0, draining = 0;
	double drain_until = 0;

	tally_start(&f->t);
	progress_init(&f->pg, "records");
	rn->trigger_ctx = &c;
	c.files[F_OUTPUT].path = f->output;
	c.files[F_REJECT].path = f->co->reject;
	c.files[F_LATE].path = rn->late_path;
	for (int i = 0; i < NFILES; i++)
		c.files[i].len = -1;
	if (ko->checkpoint != NULL && (c.ck = ckpt_open(ko->checkpoint,
	    ko->config, c.files)) == NULL)
		status = 1;
	else if (open_output(&c) < 0 ||
	    (f->rj = rej_open(f->co->reject)) == NULL)
		status = 1;
	else if ((c.rk = open_consumer(&c)) == NULL)
		status = 1;
	if (status != 0)
		goto done;
	window_columns(rn);
	rn->on_trigger = on_trigger;
	rn->lag_fn = cached_lag;
	while (!f->stop) {
		rd_kafka_message_t *m;

		if (brokers_gone(&c))
			break;
		/* Stopped: what was in the topic then is read first, for
		   --drain at most (a second signal ends it); not when the
		   brokers are down (it could not be asked). */
		if (stop_requested && !draining) {
			if (kafka_down_for(c.rk) > 0) {
				diag("stopped with the brokers down for %.0fs: what "
				    "the topic holds is not read (--drain)",
				    kafka_down_for(c.rk));
				c.dead = c.no_answer = 1;
				break;
			}
			if (ko->drain <= 0 || rn->nparts == 0)
				break;
			draining = 1;
			drain_until = now_seconds() + ko->drain;
			ask_ends(&c, (int)(ko->drain * 1e3));
		}
		if (draining && (drained(rn) || stop_requested > 1 ||
		    now_seconds() >= drain_until))
			break;
		/* Nothing there now: what is held goes on before the wait,
		   which lasts until a message or the next trigger. */
		if ((m = rd_kafka_consumer_poll(c.rk, 0)) == NULL) {
			live_flush();
			int ms = draining ? 10 : window_clock(rn);

			/* A signal does not end the wait: not too long. */
			m = rd_kafka_consumer_poll(c.rk, ms < 100 ? ms : 100);
		}
		if (m != NULL) {
			message(&c, msgs, m);
			rd_kafka_message_destroy(m);
		}
		/* On the clock, at any rate: cheap when nothing is due. */
		window_clock(rn);
		if (ko->stop_at_end && all_at_end(rn))
			break;
	}
	say_lag(&c);
	/* Update mode: what was read since the last trigger (all the
	   drain read, say) written.  Then saved as it stands; then at the
	   end every window is written (and not saved so: a later run takes
	   the windows up where they were, a file cut back to before these
	   rows). */
	if (!f->stop)
		window_updates(rn);
	if (!c.failed && !f->stop && cycle(&c) < 0)
		c.failed = 1;
	if (c.dead) {
		say_stranded(&c, !c.failed && !f->stop);
		c.failed = 1;
	} else if (ko->stop_at_end && !stop_requested && !f->stop) {
		c.ended = 1;
		for (size_t i = 0; i < rn->nparts; i++)
			window_advance(rn, rn->parts[i], W_END);
	} else if (ko->checkpoint == NULL && !f->co->quiet) {
		size_t open = 0;

		for (size_t i = 0; i < rn->nparts; i++)
			open += window_open(rn, rn->parts[i]);
		if (open > 0)
			diag("stopped with %zu windows open, not written: "
			    "--checkpoint keeps them for the next run", open);
	}
	if (rn->metrics != NULL)
		window_metrics_line(rn);
	c.ended = 1;		/* closing revokes: nothing more to save */
	/* A stop is prompt: a few seconds at most for the group, none
	   when the brokers are known to be down. */
	close_consumer(&c, c.dead ? 0 : 1e3 * (ko->timeout < 5 ? ko->timeout :
	    5));
done:
	progress_done(&f->pg);
	if (f->w != NULL && wr_close(f->w) < 0)
		status = 1;
	if (f->out != NULL && out_close(f->out) < 0)
		status = 1;
	if (f->rj != NULL && rej_close(f->rj) < 0)
		status = 1;
	if (c.ck != NULL)
		ckpt_close(c.ck);
	rd_close(msgs);
	return status || c.failed || f->status ? 1 : 0;
}
