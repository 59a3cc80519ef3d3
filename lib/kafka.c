/*
 * kafka.c - Kafka configuration and the brokers' first answer, shared by
 * kafka-replay (a producer) and stream-window (a consumer).
 */
#include <stdlib.h>
#include <string.h>

#include "kafka.h"
#include "sluice.h"

/* librdkafka's own messages with our name on them: errors only, unless
   -X debug=... asked for more. */
static int debugging;

static void
logged(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	if (level <= 3)
		diag("kafka: %s", buf);
	else if (debugging)
		diag("kafka: %s: %s", fac, buf);
}

int
kafka_set(rd_kafka_conf_t *conf, const char *key, const char *value)
{
	char err[512];

	if (rd_kafka_conf_set(conf, key, value, err, sizeof err) !=
	    RD_KAFKA_CONF_OK) {
		diag("-X %s=%s: %s", key, value, err);
		return -1;
	}
	return 0;
}

rd_kafka_conf_t *
kafka_conf(const char *brokers, const char *const *defaults,
    char *const *props, size_t n)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	int bad = kafka_set(conf, "bootstrap.servers", brokers);

	for (size_t i = 0; defaults != NULL && defaults[i] != NULL; i += 2)
		bad |= kafka_set(conf, defaults[i], defaults[i + 1]);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(props[i], '=');
		char *k;

		if (eq == NULL || eq == props[i]) {
			diag("-X %s: not key=value", props[i]);
			bad = 1;
			continue;
		}
		k = estrndup(props[i], (size_t)(eq - props[i]));
		if (strcmp(k, "debug") == 0)
			debugging = 1;
		bad |= kafka_set(conf, k, eq + 1);
		free(k);
	}
	if (bad) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, logged);
	return conf;
}

int
kafka_reachable(rd_kafka_t *rk, const char *brokers, double timeout_s)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t err;

	for (double end = now_seconds() + timeout_s;;) {
		double left = end - now_seconds();

		err = rd_kafka_metadata(rk, 0, NULL, &md, left > 0 ?
		    (int)(left * 1000) : 1);
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR || now_seconds() + 0.2 >=
		    end)
			break;
		rd_kafka_poll(rk, 200);
	}
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		diag("cannot reach the brokers %s within %gs (--timeout): %s",
		    brokers, timeout_s, rd_kafka_err2str(err));
		return -1;
	}
	rd_kafka_metadata_destroy(md);
	return 0;
}
