/*
 * kafka.h - what every sluice program that speaks Kafka does the same
 * way: its configuration from -b and -X, librdkafka's errors in our
 * words, and the check that the brokers answer within --timeout.
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

#endif
