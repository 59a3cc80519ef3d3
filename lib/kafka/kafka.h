/*
 * kafka.h - what every sluice program that speaks Kafka does the same
 * way: its configuration from -b and -X, librdkafka's errors in our
 * words, the check that the brokers answer within --timeout, and how
 * long they have not.
 */
#ifndef SLUICE_KAFKA_H
#define SLUICE_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/*
 * A configuration: bootstrap.servers from brokers, the program's
 * defaults (key, value, ..., NULL), then each of props[0..n)
 * ("key=value", -X: they win), and librdkafka's errors reported as
 * ours.  NULL when a property is refused (reported).
 */
rd_kafka_conf_t *kafka_conf(const char *brokers, const char *const *defaults,
    char *const *props, size_t n);

/* Set one property; 0, or -1 (reported, as -X key=value). */
int kafka_set(rd_kafka_conf_t *conf, const char *key, const char *value);

/*
 * Do the brokers answer?  A metadata request is asked again (a broker
 * starting) until timeout_s is up.  0, or -1 with "cannot reach the
 * brokers ... within Ns (--timeout)" reported.
 */
int kafka_reachable(rd_kafka_t *rk, const char *brokers, double timeout_s);

/*
 * How long the brokers have not answered, in seconds: 0 while some
 * broker does.  librdkafka says when every broker is down (its error
 * events, served by rd_kafka_poll() or rd_kafka_consumer_poll()); from
 * then on, once a second, a metadata request (200 ms at most) asks
 * whether one is back.  For clients made with kafka_conf().
 */
double kafka_down_for(rd_kafka_t *rk);

/* A broker answered (a message came): they are up. */
void kafka_heard(void);

/*
 * fn(arg) on a thread of its own, waited for ms at most: 0 when it
 * returned; -1 when it goes on until it returns or the process exits
 * (arg then belongs to it).  librdkafka's ends (a client's, the mock
 * cluster's) join threads that can wait on brokers, or never return:
 * a program that is done must not hang in them.
 */
int kafka_bounded(void (*fn)(void *), void *arg, double ms);

/* How long a client done with its work is given to end (ms): its
   messages are delivered or counted failed, its offsets committed, by
   then; what it still waits on is librdkafka's own. */
#define END_MS 5000

/*
 * rd_kafka_destroy_flags(rk, flags), waited for ms at most: librdkafka
 * 2.0's termination can wait seconds for requests to brokers that are
 * down.  0 when it ended; -1 when it goes on, on a thread of its own,
 * until it ends or the process exits (nothing of rk may be used).
 */
int kafka_destroy(rd_kafka_t *rk, int flags, double ms);

/* "librdkafka 2.0.2", as loaded (a program's --version). */
const char *kafka_versions(void);

#endif
