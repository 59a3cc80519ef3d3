/*
 * replay.h - what kafka-replay's parts share: a record shaped into an
 * event (event.c), the pace events go out at (pace.c), and where they go,
 * Kafka or stdout (producer.c).
 */
#ifndef SLUICE_REPLAY_H
#define SLUICE_REPLAY_H

#include <stdint.h>

#include "sluice.h"

/* --- Events (event.c) ----------------------------------------------------- */

/* How records become events. */
struct shape {
	const char *time_field;	/* --time, or NULL: the usual names */
	char **keys;		/* --key's fields */
	size_t nkeys;
	const char *topic_field;	/* --topic-field, or NULL */
	const char *const *route_from;	/* --route VALUE=TOPIC pairs */
	const char *const *route_to;
	size_t nroutes;
	const char *topic;	/* -t: the topic otherwise */
	int64_t shift_us;	/* added to event times (--now), or 0 */
	int rewrite_time;	/* event_time written from the parsed time
				   (--now) instead of copied */
	int need_time;		/* a time that is not one rejects its
				   record (--now, --speed) */
};

/* One event: its JSON text, key and topic, valid until the next
   event_make on the same event. */
struct event {
	struct buf json;	/* the message's value */
	struct buf key;
	int has_key;
	const char *topic;	/* from the shape or the record */
	struct buf topic_buf;
	int64_t time_us;	/* its event time, shifted (read only for
				   --speed and --now), or now when it has
				   none */
	int has_time;		/* time_us is its own: pacing by event
				   time uses it */
	struct buf scratch;
	struct out *o;		/* writes json */
};

/*
 * Shape record r into ev: its fields as a JSON object (CSV numbers and
 * booleans as JSON numbers and booleans) with "event_time" from the
 * time field, the first of order_ts, order_time, order_date,
 * timestamp, or the clock.  raw_json: r->raw is the record's
 * JSON text (JSON Lines), sent as it is where it can be.  Returns 0, or
 * -1 with *why (rule) and *msg (into ev->scratch) saying why it cannot
 * be sent.
 */
int event_make(const struct shape *sh, struct rec *r, int raw_json,
    struct event *ev, const char **why, const char **msg);


/* The event time of r as the shape reads it, before any shift; 0 when
   it has one, -1 when none or unparsable. */
int event_time_of(const struct shape *sh, const struct rec *r, int64_t *us);

void event_free(struct event *ev);

/* --- Pace (pace.c) -------------------------------------------------------- */

struct pace {
	double rate;		/* messages a second, 0: as fast as possible */
	double speed;		/* event time runs this much faster, 0: off */
	double start;		/* monotonic seconds of the first event */
	double rate_start;	/* the clock schedule's start (moved on
				   past a stall) */
	uint64_t sent;		/* events paced so far */
	int64_t first_us;	/* the first event's time (for --speed) */
	int have_first;
};

/* Start (again, for another --loop pass). */
void pace_start(struct pace *p);

/*
 * Seconds to wait before the next event (of event time us, when has)
 * may go: 0 when it may go now.  Call pace_sent() when it went.
 */
double pace_wait(struct pace *p, int has, int64_t us);
void pace_sent(struct pace *p);

/* --- Where events go (producer.c) ----------------------------------------- */

struct producer;

/*
 * Kafka at brokers, with -X properties (key=value), an idempotent
 * producer whose messages fail after timeout_s; NULL to stdout (JSON
 * Lines).  Checks the brokers answer within timeout_s: NULL and said
 * when they do not.
 */
struct producer *producer_open(const char *brokers, char **props,
    size_t nprops, double timeout_s, int to_stdout);

/* Send ev: held, and handed to librdkafka by the thousand (or by
   producer_flush).  0, or -1 when it cannot be sent at all (counted
   failed).  The message's timestamp is when it is handed over. */
int producer_send(struct producer *p, const struct event *ev);

/* Hand what is held to librdkafka now (blocks while its queue is full,
   serving deliveries). */
void producer_flush(struct producer *p);

/* Flush, and serve delivery reports for up to ms milliseconds. */
void producer_serve(struct producer *p, int ms);

/* Counts so far. */
struct delivery {
	uint64_t produced, delivered, failed;
	char first_error[256];	/* why the first failed */
};
const struct delivery *producer_counts(const struct producer *p);

/*
 * Wait (up to wait_s, and not once no broker has answered for down_s)
 * for every message to be delivered or fail, then close, the last
 * counts to *final.  Messages still in flight count as failed.  0, or
 * -1 when any message failed (or stdout did).
 */
int producer_close(struct producer *p, double wait_s, double down_s,
    struct delivery *final);

/* Seconds no broker has answered (kafka_down_for()); 0 while one does,
   and for stdout. */
double producer_down_for(struct producer *p);

#endif
