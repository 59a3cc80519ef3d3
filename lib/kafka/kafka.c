/*
 * kafka.c - Kafka configuration and the brokers' first answer, shared by
 * kafka-replay (a producer) and stream-window (a consumer).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka.h"
#include "sluice.h"

/* librdkafka's own messages with our name on them: errors only, unless
   -X debug=... asked for more. */
static int debugging;

/* The brokers as the client last heard of them (one client a process):
   since when (monotonic seconds) none has answered, 0 while one does;
   and when kafka_down_for() asks them again. */
static double down_since, next_probe;

static void
logged(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	if (level <= 3)
		diag("kafka: %s", buf);
	else if (debugging)
		diag("kafka: %s: %s", fac, buf);
}

/* librdkafka's error events.  librdkafka logs them itself (logged()
   above): every broker down is noted, so the wait for them can be
   bounded. */
static void
errored(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void)rk;
	(void)reason;
	(void)opaque;
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
		if (down_since == 0)
			down_since = now_seconds();
		next_probe = now_seconds() + 1;
	}
}

double
kafka_down_for(rd_kafka_t *rk)
{
	const struct rd_kafka_metadata *md;
	double t = now_seconds();

	if (down_since == 0)
		return 0;
	if (t >= next_probe) {
		/* Any broker's answer will do; 200 ms at most, so a stop
		   or the next message is not held up long. */
		if (rd_kafka_metadata(rk, 0, NULL, &md, 200) ==
		    RD_KAFKA_RESP_ERR_NO_ERROR) {
			rd_kafka_metadata_destroy(md);
			kafka_heard();
			return 0;
		}
		next_probe = now_seconds() + 1;
	}
	return t - down_since;
}

void
kafka_heard(void)
{
	down_since = 0;
}

/* A call made on a thread of its own, and whether it has returned. */
struct ending {
	void (*fn)(void *);
	void *arg;
	int done;		/* under mu */
	int abandoned;		/* under mu: the waiter is gone, the thread
				   frees this */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *
ending(void *arg)
{
	struct ending *e = arg;
	int abandoned;

	e->fn(e->arg);
	pthread_mutex_lock(&e->mu);
	e->done = 1;
	abandoned = e->abandoned;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
	if (abandoned)
		free(e);
	return NULL;
}

int
kafka_bounded(void (*fn)(void *), void *arg, double ms)
{
	struct ending *e = ecalloc(1, sizeof *e);
	struct timespec until;
	pthread_t t;
	int done;

	e->fn = fn;
	e->arg = arg;
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->cv, NULL);
	if (thread_start(&t, ending, e) != 0) {
		fn(arg);
		free(e);
		return 0;
	}
	pthread_detach(t);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(ms / 1e3);
	until.tv_nsec += (long)((ms - 1e3 * (double)(long)(ms / 1e3)) * 1e6);
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&e->mu);
	while (!e->done && pthread_cond_timedwait(&e->cv, &e->mu, &until) == 0)
		;
	done = e->done;
	e->abandoned = !done;
	pthread_mutex_unlock(&e->mu);
	if (done) {
		pthread_mutex_destroy(&e->mu);
		pthread_cond_destroy(&e->cv);
		free(e);
	}
	return done ? 0 : -1;
}

/* What kafka_destroy hands its thread: the client and the flags. */
struct doomed {
	rd_kafka_t *rk;
	int flags;
};

static void
destroy_doomed(void *arg)
{
	struct doomed *d = arg;

	rd_kafka_destroy_flags(d->rk, d->flags);
	free(d);
}

int
kafka_destroy(rd_kafka_t *rk, int flags, double ms)
{
	struct doomed *d = ecalloc(1, sizeof *d);

	d->rk = rk;
	d->flags = flags;
	return kafka_bounded(destroy_doomed, d, ms);
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

	/* A broker back from an outage is tried again within a second
	   (librdkafka's backoff doubles up to 10 s by default, which can
	   add that much to a brief outage). */
	bad |= kafka_set(conf, "reconnect.backoff.max.ms", "1000");
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
	rd_kafka_conf_set_error_cb(conf, errored);
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

const char *
kafka_versions(void)
{
	static char v[64];

	snprintf(v, sizeof v, "librdkafka %s", rd_kafka_version_str());
	return v;
}
