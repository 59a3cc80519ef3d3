/*
 * producer.c - events to Kafka (librdkafka, an idempotent producer: no
 * duplicates from retries, order kept per partition) or to stdout.
 *
 * Every message is accounted for: produced = delivered + failed once
 * producer_close() returns, a message still unacknowledged at the end
 * counting as failed.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/kafka.h"
#include "replay.h"

/* Messages handed to librdkafka at once: one lock taken, not one a
   message. */
enum { BATCH = 1000 };

struct topic {
	char *name;
	rd_kafka_topic_t *rkt;
	int32_t nparts;		/* its partitions, or 0: unknown */
	int32_t next;		/* the partition the next keyless batch goes to */
};

struct producer {
	rd_kafka_t *rk;
	struct out *o;		/* --stdout */
	struct delivery d;
	struct topic *topics;	/* handles, one a topic used */
	size_t ntopics;
	size_t last;		/* the topic the last event went to */
	int sticky;		/* keyless batches to a partition each */
	int closing;
	/* Messages not yet handed to librdkafka, all for one topic: */
	size_t batch_topic;
	int batch_keyed;	/* some have keys: librdkafka partitions */
	rd_kafka_message_t batch[BATCH];
	size_t batch_off[BATCH][2];	/* payload and key offsets in text */
	size_t nbatch;
	struct buf text;
};

static void
note_failure(struct producer *p, const char *why)
{
	if (p->d.first_error[0] == '\0')
		snprintf(p->d.first_error, sizeof p->d.first_error, "%s", why);
}

/* librdkafka's delivery report: one a message, in rd_kafka_poll(). */
static void
delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct producer *p = opaque;

	(void)rk;
	if (p->closing)
		return;
	if (m->err) {
		p->d.failed++;
		note_failure(p, rd_kafka_err2str(m->err));
	} else {
		p->d.delivered++;
	}
}

struct producer *
producer_open(const char *brokers, char **props, size_t nprops,
    double timeout_s, int to_stdout)
{
	struct producer *p = ecalloc(1, sizeof *p);
	rd_kafka_conf_t *conf;
	const char *defaults[] = { "enable.idempotence", "true",
	    "message.timeout.ms", NULL, NULL };
	char err_s[512], ms[32];

	if (to_stdout) {
		if ((p->o = out_open(NULL, 0, 0)) == NULL) {
			free(p);
			return NULL;
		}
		return p;
	}
	/* A partitioner the user names is used for every message. */
	p->sticky = 1;
	for (size_t i = 0; i < nprops; i++)
		if (strncmp(props[i], "partitioner=", 12) == 0)
			p->sticky = 0;
	snprintf(ms, sizeof ms, "%.0f", timeout_s * 1000);
	defaults[3] = ms;
	if ((conf = kafka_conf(brokers, defaults, props, nprops)) == NULL) {
		free(p);
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, delivered);
	rd_kafka_conf_set_opaque(conf, p);
	if ((p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err_s,
	    sizeof err_s)) == NULL) {
		diag("%s", err_s);
		free(p);
		return NULL;
	}
	if (kafka_reachable(p->rk, brokers, timeout_s) < 0) {
		kafka_destroy(p->rk, 0, END_MS);
		free(p);
		return NULL;
	}
	return p;
}

/* The partitions a topic has, from the cluster's metadata; 0 when it
   cannot say (no such topic yet, say). */
static int32_t
partitions_of(rd_kafka_t *rk, rd_kafka_topic_t *rkt)
{
	const struct rd_kafka_metadata *md;
	int32_t n = 0;

	if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) !=
	    RD_KAFKA_RESP_ERR_NO_ERROR)
		return 0;
	if (md->topic_cnt == 1 && md->topics[0].err ==
	    RD_KAFKA_RESP_ERR_NO_ERROR)
		n = md->topics[0].partition_cnt;
	rd_kafka_metadata_destroy(md);
	return n;
}

/* The index of the topic called name in p->topics, made on first use;
   -1 for a name Kafka refuses (too long, say). */
static long
topic_handle(struct producer *p, const char *name)
{
	struct topic *t;
	rd_kafka_topic_t *rkt;

	/* Most events go where the last one went. */
	if (p->last < p->ntopics && strcmp(p->topics[p->last].name, name) == 0)
		return (long)p->last;
	for (size_t i = 0; i < p->ntopics; i++)
		if (strcmp(p->topics[i].name, name) == 0)
			return (long)(p->last = i);
	if ((rkt = rd_kafka_topic_new(p->rk, name, NULL)) == NULL)
		return -1;
	p->topics = erealloc(p->topics, (p->ntopics + 1) * sizeof *p->topics);
	t = &p->topics[p->ntopics];
	t->name = estrdup(name);
	t->rkt = rkt;
	t->nparts = p->sticky ? partitions_of(p->rk, rkt) : 0;
	t->next = t->nparts > 0 ? (int32_t)(wall_us() % t->nparts) : 0;
	return (long)(p->last = p->ntopics++);
}

/* Hand the held messages to librdkafka, waiting while its queue is
   full; those it refuses are failed. */
void
producer_flush(struct producer *p)
{
	struct topic *t;
	int32_t part = RD_KAFKA_PARTITION_UA;
	size_t done = 0;

	if (p->nbatch == 0)
		return;
	/*
	 * Messages without keys go a batch at a time to one partition, the
	 * next each batch (Kafka's sticky partitioning, as the Java client
	 * does it): librdkafka then queues the batch under one lock, where
	 * its partitioner takes a lock a message.  Keyed messages go where
	 * their keys say.
	 */
	t = &p->topics[p->batch_topic];
	if (!p->batch_keyed && t->nparts > 0) {
		part = t->next;
		t->next = (t->next + 1) % t->nparts;
	}
	for (size_t i = 0; i < p->nbatch; i++) {
		rd_kafka_message_t *m = &p->batch[i];

		m->payload = p->text.p + p->batch_off[i][0];
		m->key = m->key_len ? p->text.p + p->batch_off[i][1] : NULL;
		m->err = RD_KAFKA_RESP_ERR_NO_ERROR;
	}
	while (done < p->nbatch) {
		size_t left = p->nbatch - done, full = 0, again = 0;
		rd_kafka_message_t *m = p->batch + done;

		rd_kafka_produce_batch(t->rkt, part, RD_KAFKA_MSG_F_COPY, m,
		    (int)left);
		/* Enqueued in order up to the first refused; a full queue
		   is waited out, anything else fails its message. */
		for (size_t i = 0; i < left && !full && !again; i++, done++) {
			if (m[i].err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
				full = 1;
				done--;
			} else if (m[i].err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION &&
			    part != RD_KAFKA_PARTITION_UA) {
				/* The topic has fewer partitions now (made
				   again?): librdkafka's partitioner from here
				   on, and this message is sent again by it. */
				t->nparts = 0;
				part = RD_KAFKA_PARTITION_UA;
				again = 1;
				done--;
			} else if (m[i].err) {
				p->d.failed++;
				note_failure(p, rd_kafka_err2str(m[i].err));
			}
		}
		if (full && rd_kafka_outq_len(p->rk) == 0) {
			/* Full with nothing queued: this one never fits. */
			p->d.failed++;
			note_failure(p, "larger than the producer's queue "
			    "(queue.buffering.max.kbytes)");
			done++;
		} else if (full && stop_requested) {
			/* Stopped while the brokers take nothing: the rest is
			   not waited for. */
			p->d.failed += p->nbatch - done;
			note_failure(p, "not sent: stopped while the producer's "
			    "queue was full");
			done = p->nbatch;
		} else if (full) {
			rd_kafka_poll(p->rk, 10);
		}
		for (size_t i = done; i < p->nbatch; i++)
			p->batch[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
	}
	p->nbatch = 0;
	p->batch_keyed = 0;
	p->text.n = 0;
	rd_kafka_poll(p->rk, 0);
}

int
producer_send(struct producer *p, const struct event *ev)
{
	rd_kafka_message_t *m;
	long ti;

	p->d.produced++;
	if (p->o != NULL) {
		out_write(p->o, ev->json.p, ev->json.n);
		out_putc(p->o, '\n');
		if (out_failed(p->o)) {
			p->d.failed++;
			note_failure(p, "stdout failed");
			return -1;
		}
		p->d.delivered++;
		return 0;
	}
	if ((ti = topic_handle(p, ev->topic)) < 0) {
		p->d.failed++;
		note_failure(p, rd_kafka_err2str(rd_kafka_last_error()));
		return -1;
	}
	if ((size_t)ti != p->batch_topic || p->nbatch == BATCH)
		producer_flush(p);
	p->batch_topic = (size_t)ti;
	m = &p->batch[p->nbatch];
	memset(m, 0, sizeof *m);
	p->batch_off[p->nbatch][0] = p->text.n;
	m->len = ev->json.n;
	buf_add(&p->text, ev->json.p, ev->json.n);
	p->batch_off[p->nbatch][1] = p->text.n;
	if (ev->has_key) {
		p->batch_keyed = 1;
		m->key_len = ev->key.n;
		buf_add(&p->text, ev->key.p, ev->key.n);
	}
	p->nbatch++;
	return 0;
}

void
producer_serve(struct producer *p, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	if (p->rk != NULL) {
		producer_flush(p);
		rd_kafka_poll(p->rk, ms);
	} else {
		nanosleep(&ts, NULL);
	}
}

const struct delivery *
producer_counts(const struct producer *p)
{
	return &p->d;
}

double
producer_down_for(struct producer *p)
{
	return p->rk != NULL ? kafka_down_for(p->rk) : 0;
}

int
producer_close(struct producer *p, double wait_s, double down_s,
    struct delivery *final)
{
	int rc = 0;

	if (p->o != NULL) {
		rc = out_close(p->o);
	} else {
		uint64_t open;

		double until = now_seconds() + wait_s;

		producer_flush(p);
		/* A tenth of a second at a time, to see the brokers gone. */
		while (rd_kafka_outq_len(p->rk) > 0 && now_seconds() < until &&
		    kafka_down_for(p->rk) < down_s)
			rd_kafka_flush(p->rk, 100);
		/* What is left will not go: purged, its reports say failed. */
		if (p->d.produced > p->d.delivered + p->d.failed) {
			note_failure(p, "not acknowledged in time");
			rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE |
			    RD_KAFKA_PURGE_F_INFLIGHT);
			rd_kafka_poll(p->rk, 100);
		}
		open = p->d.produced - p->d.delivered - p->d.failed;
		p->d.failed += open;	/* unreported: not delivered */
		for (size_t i = 0; i < p->ntopics; i++) {
			rd_kafka_topic_destroy(p->topics[i].rkt);
			free(p->topics[i].name);
		}
		free(p->topics);
		buf_free(&p->text);
		p->closing = 1;	/* any report from here on is counted already */
		kafka_destroy(p->rk, 0, END_MS);
	}
	if (p->d.failed > 0)
		rc = -1;
	*final = p->d;
	free(p);
	return rc;
}
