/*
 * kafka-mock - a Kafka for machines that have none: librdkafka's mock
 * cluster (the real protocol, on loopback), in a process of its own,
 * serving until SIGINT or SIGTERM.  A test broker: data lives in memory
 * and each partition keeps only its most recent messages.  See
 * kafka-mock(1).
 *
 * Its first line on stdout is the bootstrap servers.  Lines on stdin are
 * commands that make the cluster fail on purpose (a broker down, slow,
 * or answering with errors), so tests can show what clients do then.
 *
 * Once a second it asks its own cluster, as a client, for every
 * partition's watermarks, and says on stderr when a partition's oldest
 * messages are gone: a consumer that starts late must not read a part
 * of a topic and take it for the whole.
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/kafka.h"
#include "sluice.h"

static const struct program prog = {
	.synopsis = "kafka-mock [--broker-count N] "
	    "[--create-topic NAME[:PARTITIONS]]... "
	    "[--port-file FILE]",
	.help =
	    "Serve an in-memory Kafka cluster on 127.0.0.1 (librdkafka's mock)\n"
	    "until SIGINT or SIGTERM.  The first line on stdout is the\n"
	    "bootstrap servers.  A test broker: each partition keeps only its\n"
	    "newest record batches, as many as fit in 5 MiB as their producers\n"
	    "sent them; a new batch pushes the oldest out whole, so a partition\n"
	    "keeps between 5 MiB less its largest batch (batch.size, 1 MB by\n"
	    "default) and 5 MiB: 20k to 25k messages of 200 bytes.  Consume\n"
	    "alongside producing.  When a partition's oldest messages are\n"
	    "gone, stderr says how many (even with -q), and at the end the\n"
	    "total of each.\n"
	    "\n"
	    "Options:\n"
	    "      --broker-count N    brokers in the cluster (default 1)\n"
	    "      --create-topic NAME[:PARTITIONS]  a topic with PARTITIONS\n"
	    "                          partitions (default 1); others are\n"
	    "                          made when first used\n"
	    "      --port-file FILE    write the bootstrap servers to FILE too\n"
	    STATS_HELP
	    "\n"
	    "Commands on stdin, one a line (\"help\" lists them):\n"
	    "  down B|all, up B|all    a broker (id 1..N) stops answering, or\n"
	    "                          comes back\n"
	    "  rtt B MS                a broker answers MS late\n"
	    "  error API ERR [COUNT]   the next COUNT requests of API (produce,\n"
	    "                          fetch, metadata, offset_commit...) fail\n"
	    "                          with ERR (a Kafka error name or number)\n"
	    "  topic NAME P            make a topic\n",
	.versions = kafka_versions,
	.takes = TAKES_QUIET,
};

enum { OPT_BROKER_COUNT = OPT_PROGRAM, OPT_CREATE_TOPIC, OPT_PORT_FILE,
	OPT_OLD_BROKERS, OPT_OLD_TOPIC };

/*
 * What a partition keeps, from librdkafka 2.0.2's src/rdkafka_mock.c:
 * rd_kafka_mock_partition_init() sets "max_size = 1024 * 1024 * 5" and
 * "max_cnt = 100000", and rd_kafka_mock_msgset_new(), appending a
 * produce request's record batch (its bytes as sent: header, records,
 * compressed if the producer compressed), drops the oldest batches
 * "while (mpart->cnt > 1 && (mpart->cnt > mpart->max_cnt || mpart->size
 * > mpart->max_size))".  Batches are magic 2 only (61-byte header), so
 * 100000 of them exceed 5 MiB: the bytes always bind first.  The numbers
 * are not settable through the public API, so this only says them.
 */
#define KEEPS "a partition keeps its newest 5 MiB of record batches"

/* The watch asks once a second, and says again at most every REPEAT_S
   seconds of a partition whose count still grows. */
enum { CHECK_MS = 1000, ASK_MS = 500, REPEAT_S = 5 };

/* A partition's watermarks as last seen, and what was said of them. */
struct wpart {
	int64_t lo;		/* low watermark: the messages gone */
	int64_t hi;		/* high watermark: the messages produced */
	int64_t said;		/* lo when last said; 0: never */
	double said_at;		/* monotonic seconds when last said */
};

/* A topic and its partitions by id. */
struct wtopic {
	char *name;
	struct wpart *parts;	/* [nparts] */
	int nparts;
};

/*
 * The watch over every partition of every topic, through a client of
 * the cluster's own (topics made on the fly are found in metadata).
 */
struct watch {
	rd_kafka_t *rk;		/* the client; NULL: no watch */
	struct wtopic *topics;	/* [ntopics], in the order first seen */
	size_t ntopics;
	int aside;		/* an error was queued for a request it makes */
	double due;		/* monotonic seconds the next check is due */
	/* Brokers made down or slow by command: the watch waits for them
	   to come back (its requests would stall the command loop). */
	unsigned char down[65];
	int rtt[65];
	int hindered;		/* some broker is down or slow */
};

/*
 * Make w a watch over the cluster at boot: a client of its own.  When
 * the client cannot be made, w->rk stays NULL and the cluster serves
 * unwatched (said).
 */
static void
watch_open(struct watch *w, const char *boot)
{
	static const char *const props[] = {
		/* A broker down or slow by command is no news. */
		"log_level", "0",
		/* Back within a second of "up", not ten. */
		"reconnect.backoff.max.ms", "1000",
		/* No metadata requests but the watch's own (see "aside"). */
		"topic.metadata.refresh.interval.ms", "-1",
		"bootstrap.servers", NULL,
	};
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[512] = "";
	size_t i, n = sizeof props / sizeof *props;

	memset(w, 0, sizeof *w);
	for (i = 0; i < n; i += 2)
		if (rd_kafka_conf_set(conf, props[i], props[i + 1] ?
		    props[i + 1] : boot, err, sizeof err) != RD_KAFKA_CONF_OK)
			break;
	if (i == n)
		w->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (w->rk == NULL) {
		rd_kafka_conf_destroy(conf);
		diag("dropped messages will not be said: %s", err);
	}
}

/* The topic named name (found first at topics[hint] when it is there),
   added when new, with room for at least nparts partitions. */
static struct wtopic *
watch_topic(struct watch *w, size_t hint, const char *name, int nparts)
{
	struct wtopic *t = NULL;

	if (hint < w->ntopics && strcmp(w->topics[hint].name, name) == 0)
		t = &w->topics[hint];
	for (size_t i = 0; t == NULL && i < w->ntopics; i++)
		if (strcmp(w->topics[i].name, name) == 0)
			t = &w->topics[i];
	if (t == NULL) {
		/* Room doubled at each power of two. */
		if ((w->ntopics & (w->ntopics - 1)) == 0)
			w->topics = erealloc(w->topics, (w->ntopics ?
			    w->ntopics * 2 : 1) * sizeof *w->topics);
		t = &w->topics[w->ntopics++];
		t->name = estrdup(name);
		t->parts = NULL;
		t->nparts = 0;
	}
	if (nparts > t->nparts) {
		t->parts = erealloc(t->parts, (size_t)nparts * sizeof *t->parts);
		memset(t->parts + t->nparts, 0, (size_t)(nparts - t->nparts) *
		    sizeof *t->parts);
		t->nparts = nparts;
	}
	return t;
}

/*
 * Ask for the low and high watermarks of the partitions in lo and hi
 * (the same ones, each element's opaque its struct wpart) and keep
 * them.  0, or -1 when the cluster did not answer within ms.
 */
static int
watch_ask(struct watch *w, rd_kafka_topic_partition_list_t *lo,
    rd_kafka_topic_partition_list_t *hi, int ms)
{
	/* The low first: a high asked later is never below it. */
	if (rd_kafka_offsets_for_times(w->rk, lo, ms) != 0 ||
	    rd_kafka_offsets_for_times(w->rk, hi, ms) != 0)
		return -1;
	for (int i = 0; i < lo->cnt; i++) {
		struct wpart *p = lo->elems[i].opaque;

		if (lo->elems[i].err == 0 && hi->elems[i].err == 0 &&
		    lo->elems[i].offset >= 0 && hi->elems[i].offset >=
		    lo->elems[i].offset) {
			p->lo = lo->elems[i].offset;
			p->hi = hi->elems[i].offset;
		}
	}
	return 0;
}

/*
 * Find every partition of every topic in the cluster's metadata and ask
 * for their watermarks, each request answered within ms.  0, or -1 when
 * the cluster did not answer in time (a broker down or slow on
 * purpose): the next check asks again, and the counts, which only grow,
 * are caught up then.
 */
static int
watch_check(struct watch *w, int ms)
{
	/* Asked in chunks: librdkafka matches each answer to its request
	   by a linear search, so one list of n costs n * n. */
	enum { CHUNK = 256 };
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_partition_list_t *lo, *hi;
	int ret = 0;

	rd_kafka_poll(w->rk, 0);	/* events queued: let them go */
	if (rd_kafka_metadata(w->rk, 1, NULL, &md, ms) != 0)
		return -1;
	lo = rd_kafka_topic_partition_list_new(CHUNK);
	hi = rd_kafka_topic_partition_list_new(CHUNK);
	for (int i = 0; i < md->topic_cnt && ret == 0; i++) {
		const struct rd_kafka_metadata_topic *mt = &md->topics[i];
		struct wtopic *t;

		if (mt->err != 0 || mt->partition_cnt <= 0)
			continue;
		/* The lists keep &t->parts[id]: a topic's parts move only
		   when it grows, and each topic comes once in the metadata. */
		t = watch_topic(w, (size_t)i, mt->topic, mt->partition_cnt);
		for (int j = 0; j < mt->partition_cnt && ret == 0; j++) {
			int32_t id = mt->partitions[j].id;

			if (mt->partitions[j].err != 0 || id < 0 || id >=
			    t->nparts)
				continue;
			rd_kafka_topic_partition_list_add(lo, mt->topic,
			    id)->offset = RD_KAFKA_OFFSET_BEGINNING;
			rd_kafka_topic_partition_list_add(hi, mt->topic,
			    id)->offset = RD_KAFKA_OFFSET_END;
			lo->elems[lo->cnt - 1].opaque = &t->parts[id];
			if (lo->cnt == CHUNK) {
				ret = watch_ask(w, lo, hi, ms);
				rd_kafka_topic_partition_list_destroy(lo);
				rd_kafka_topic_partition_list_destroy(hi);
				lo = rd_kafka_topic_partition_list_new(CHUNK);
				hi = rd_kafka_topic_partition_list_new(CHUNK);
			}
		}
	}
	rd_kafka_metadata_destroy(md);
	if (ret == 0 && lo->cnt > 0)
		ret = watch_ask(w, lo, hi, ms);
	rd_kafka_topic_partition_list_destroy(lo);
	rd_kafka_topic_partition_list_destroy(hi);
	return ret;
}

/* Say of each partition whose oldest messages are gone how many: when
   it first happens, then at most every REPEAT_S seconds while the
   count grows. */
static void
watch_say(struct watch *w, double now)
{
	for (size_t i = 0; i < w->ntopics; i++) {
		const struct wtopic *t = &w->topics[i];

		for (int j = 0; j < t->nparts; j++) {
			struct wpart *p = &t->parts[j];

			if (p->lo <= p->said || (p->said > 0 && now -
			    p->said_at < REPEAT_S))
				continue;
			diag("%s[%d]: the oldest %lld of %lld messages are "
			    "gone, the newest %lld kept (" KEEPS "): a "
			    "consumer that had not read them never will",
			    t->name, j, (long long)p->lo, (long long)p->hi,
			    (long long)(p->hi - p->lo));
			p->said = p->lo;
			p->said_at = now;
		}
	}
}

/*
 * The end of the watch: a last check (given the time a client needs to
 * reconnect to a broker just up), then one line for each partition that
 * dropped messages, with its total (none when none did; the last seen
 * when the cluster does not answer); the client is closed and w freed.
 */
static void
watch_close(struct watch *w, json_t *by)
{
	char where[512];

	if (w->rk == NULL)
		return;
	watch_check(w, 4 * ASK_MS);
	for (size_t i = 0; i < w->ntopics; i++) {
		struct wtopic *t = &w->topics[i];

		for (int j = 0; j < t->nparts; j++) {
			snprintf(where, sizeof where, "%s[%d]", t->name, j);
			json_object_set_new(by, where, json_integer(
			    (json_int_t)t->parts[j].lo));
			if (t->parts[j].lo > 0)
				diag("%s[%d]: %lld of its %lld messages were "
				    "dropped in all, the newest %lld kept",
				    t->name, j, (long long)t->parts[j].lo,
				    (long long)t->parts[j].hi,
				    (long long)(t->parts[j].hi -
				    t->parts[j].lo));
		}
		free(t->parts);
		free(t->name);
	}
	free(w->topics);
	kafka_destroy(w->rk, 0, END_MS);
	memset(w, 0, sizeof *w);
}

/* Kafka's request kinds, by the numbers the protocol gives them (the
   header naming them is not installed). */
static const struct {
	const char *name;
	int16_t key;
} apis[] = {
	{ "produce", 0 }, { "fetch", 1 }, { "list_offsets", 2 },
	{ "metadata", 3 }, { "offset_commit", 8 }, { "offset_fetch", 9 },
	{ "find_coordinator", 10 }, { "join_group", 11 }, { "heartbeat", 12 },
	{ "leave_group", 13 }, { "sync_group", 14 },
	{ "init_producer_id", 22 },
};

static int
api_key(const char *s, int16_t *key)
{
	char *end;
	long v;

	for (size_t i = 0; i < sizeof apis / sizeof *apis; i++)
		if (strcasecmp(s, apis[i].name) == 0) {
			*key = apis[i].key;
			return 0;
		}
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 100)
		return -1;
	*key = (int16_t)v;
	return 0;
}

/* An error by its name (NOT_LEADER_FOR_PARTITION) or number. */
static int
error_code(const char *s, rd_kafka_resp_err_t *err)
{
	const struct rd_kafka_err_desc *d;
	size_t n;
	char *end;
	long v;

	rd_kafka_get_err_descs(&d, &n);
	for (size_t i = 0; i < n; i++)
		if (d[i].name != NULL && strcasecmp(s, d[i].name) == 0 &&
		    d[i].code > 0) {
			*err = d[i].code;
			return 0;
		}
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0 || v > 1000)
		return -1;
	*err = (rd_kafka_resp_err_t)v;
	return 0;
}

/* Is any broker down or slow by command? */
static void
watch_hindered(struct watch *w, int nbrokers)
{
	w->hindered = 0;
	for (int i = 1; i <= nbrokers; i++)
		if (w->down[i] || w->rtt[i] > 0)
			w->hindered = 1;
}

/* Each broker named by which (a number, or "all") set down or up. */
static int
set_brokers(rd_kafka_mock_cluster_t *mc, int nbrokers, const char *which,
    int up, struct watch *w)
{
	long b = -1;
	char *end;

	if (strcmp(which, "all") != 0) {
		b = strtol(which, &end, 10);
		if (*end != '\0' || b < 1 || b > nbrokers)
			return -1;
	}
	for (int i = 1; i <= nbrokers; i++)
		if (b < 0 || b == i) {
			if (up)
				rd_kafka_mock_broker_set_up(mc, i);
			else
				rd_kafka_mock_broker_set_down(mc, i);
			w->down[i] = !up;
		}
	watch_hindered(w, nbrokers);
	return 0;
}

/* The kinds of request the watch makes: list_offsets, metadata, and
   api_versions on (re)connecting. */
static const int16_t watch_asks[] = { 2, 3, 18 };

/*
 * Errors queued for a kind of request are the next ones of that kind
 * from any client, the watch's too: once they are queued for a kind it
 * asks, it stands aside until the end (its last check still counts), so
 * they go to the clients they were meant for.
 */
static void
watch_aside(struct watch *w, int16_t key)
{
	size_t i, n = sizeof watch_asks / sizeof *watch_asks;

	for (i = 0; i < n && watch_asks[i] != key; i++)
		;
	if (w->rk == NULL || w->aside || i == n)
		return;
	w->aside = 1;
	diag("dropped messages are said only at the end from now on: the "
	    "watch asks for metadata and offsets, and would take errors "
	    "meant for the clients");
}

/* Run one command line; what it did (or why not) goes to stderr. */
static void
command(rd_kafka_mock_cluster_t *mc, int nbrokers, struct watch *wt,
    char *line)
{
	char *w[5] = { 0 }, *save = NULL;
	int n = 0, ok = 0;

	for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 5;
	    t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	if (n == 0 || w[0][0] == '#')
		return;
	if ((strcmp(w[0], "down") == 0 || strcmp(w[0], "up") == 0) && n == 2) {
		ok = set_brokers(mc, nbrokers, w[1], w[0][0] == 'u', wt) == 0;
	} else if (strcmp(w[0], "rtt") == 0 && n == 3) {
		long b = strtol(w[1], NULL, 10), ms = strtol(w[2], NULL, 10);

		if ((ok = b >= 1 && b <= nbrokers && ms >= 0)) {
			rd_kafka_mock_broker_set_rtt(mc, (int32_t)b, (int)ms);
			wt->rtt[b] = (int)ms;
			watch_hindered(wt, nbrokers);
		}
	} else if (strcmp(w[0], "error") == 0 && (n == 3 || n == 4)) {
		int16_t key;
		rd_kafka_resp_err_t err;
		long cnt = n == 4 ? strtol(w[3], NULL, 10) : 1;

		if ((ok = api_key(w[1], &key) == 0 && error_code(w[2], &err) ==
		    0 && cnt >= 1 && cnt <= 100000)) {
			rd_kafka_resp_err_t *errs = ecalloc((size_t)cnt,
			    sizeof *errs);

			for (long i = 0; i < cnt; i++)
				errs[i] = err;
			watch_aside(wt, key);
			rd_kafka_mock_push_request_errors_array(mc, key,
			    (size_t)cnt, errs);
			free(errs);
		}
	} else if (strcmp(w[0], "topic") == 0 && n == 3) {
		long p = strtol(w[2], NULL, 10);

		ok = p >= 1 && p <= 10000 && rd_kafka_mock_topic_create(mc,
		    w[1], (int)p, nbrokers < 3 ? nbrokers : 3) == 0;
	} else if (strcmp(w[0], "help") == 0) {
		fputs(prog.help + (strstr(prog.help, "Commands") - prog.help),
		    stderr);
		return;
	}
	if (ok) {
		diag("done: %s%s%s%s%s%s%s", w[0], w[1] ? " " : "",
		    w[1] ? w[1] : "", w[2] ? " " : "", w[2] ? w[2] : "",
		    w[3] ? " " : "", w[3] ? w[3] : "");
	} else {
		diag("not a command: %s%s%s (\"help\" lists them)", w[0],
		    w[1] ? " " : "", w[1] ? w[1] : "");
	}
}

/* Read what stdin has; command each whole line.  0, or -1 at its end. */
static int
read_commands(struct buf *pending, rd_kafka_mock_cluster_t *mc, int nbrokers,
    struct watch *w)
{
	char chunk[4096];
	ssize_t got = read(STDIN_FILENO, chunk, sizeof chunk);
	char *nl;

	if (got < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (got == 0)
		return -1;
	buf_add(pending, chunk, (size_t)got);
	while ((nl = memchr(pending->p, '\n', pending->n)) != NULL) {
		size_t len = (size_t)(nl - pending->p) + 1;
		char *line = estrndup(pending->p, len - 1);

		command(mc, nbrokers, w, line);
		free(line);
		memmove(pending->p, pending->p + len, pending->n - len);
		pending->n -= len;
	}
	if (pending->n > 4096)
		pending->n = 0;		/* not commands: forget them */
	return 0;
}

/* NAME[:PARTITIONS] */
static void
make_topic(rd_kafka_mock_cluster_t *mc, int nbrokers, const char *spec)
{
	char *name = estrdup(spec), *colon = strrchr(name, ':');
	long long parts = 1;

	if (colon != NULL) {
		*colon = '\0';
		parts = opt_number("--create-topic", colon + 1, 1);
	}
	if (*name == '\0')
		usage_error("--create-topic: a topic needs a name (\"%s\")",
		    spec);
	if (rd_kafka_mock_topic_create(mc, name, (int)parts, nbrokers < 3 ?
	    nbrokers : 3) != 0)
		fatal(1, "cannot make topic %s", name);
	free(name);
}

/*
 * The cluster's end: its brokers' threads joined, then the handle it
 * lives in.  Bounded (kafka_bounded): a test's broker that does not
 * stop must not hold up what waits for it.
 */
#define CLUSTER_END_MS 10000

struct cluster {
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
};

static struct cluster ending;	/* the thread's, until the process ends */

static void
end_cluster(void *arg)
{
	struct cluster *c = arg;

	rd_kafka_mock_cluster_destroy(c->mc);
	rd_kafka_destroy(c->rk);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "broker-count", required_argument, NULL, OPT_BROKER_COUNT },
		{ "create-topic", required_argument, NULL, OPT_CREATE_TOPIC },
		/* The old spellings, for one release (--brokers is a server
		   list and --topic a topic to read or write elsewhere). */
		{ "brokers", required_argument, NULL, OPT_OLD_BROKERS },
		{ "topic", required_argument, NULL, OPT_OLD_TOPIC },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
		STATS_LONGOPT,
		{ 0 }
	};
	struct common_opts co = { 0 };
	const char **topics = ecalloc((size_t)argc + 1, sizeof *topics);
	const char *port_file = NULL, *boot;
	size_t ntopics = 0;
	long long nbrokers = 1;
	char err[512];
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	struct buf pending = { 0 };
	struct watch w;
	int c, stdin_open = 1, status = 0;
	struct tally tally = { 0 };
	double started = now_seconds();
	json_t *dropped = json_object();
	sigset_t saved;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts,
	    NULL)) != -1)
		switch (c) {
		case OPT_OLD_BROKERS:
			opt_old("--brokers N", "--broker-count N");
			/* FALLTHROUGH */
		case OPT_BROKER_COUNT:
			nbrokers = opt_number("--broker-count", optarg, 1);
			if (nbrokers > 64)
				usage_error("--broker-count: at most 64");
			break;
		case OPT_OLD_TOPIC:
			opt_old("--topic NAME[:P]", "--create-topic NAME[:PARTITIONS]");
			/* FALLTHROUGH */
		case OPT_CREATE_TOPIC:
			topics[ntopics++] = optarg;
			break;
		case OPT_PORT_FILE:
			port_file = optarg;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	if (optind < argc)
		usage_error("no files: kafka-mock takes options only");
	/* The cluster lives inside a client handle that is never used.
	   Its thread starts with signals blocked: one that reached it
	   (valgrind gives a signal to any thread in a system call) cut
	   its poll() short, and librdkafka 2.0's mock cluster then stops
	   serving for good; the commands that wait for it, the end's
	   among them, waited forever. */
	signals_hold(&saved);
	conf = rd_kafka_conf_new();
	rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (rk == NULL)
		fatal(1, "%s", err);
	mc = rd_kafka_mock_cluster_new(rk, (int)nbrokers);
	if (mc == NULL)
		fatal(1, "cannot start the mock cluster");
	signals_release(&saved);
	for (size_t i = 0; i < ntopics; i++)
		make_topic(mc, (int)nbrokers, topics[i]);
	boot = rd_kafka_mock_cluster_bootstraps(mc);
	if (port_file != NULL) {
		struct out *o = out_open(port_file, OUT_ATOMIC, 0);

		if (o == NULL)
			return 1;
		out_puts(o, boot);
		out_putc(o, '\n');
		if (out_close(o) < 0)
			return 1;
	}
	printf("%s\n", boot);
	fflush(stdout);
	if (!co.quiet)
		diag("%lld broker%s at %s; SIGINT or SIGTERM ends it", nbrokers,
		    nbrokers == 1 ? "" : "s", boot);
	stop_on_signals();
	watch_open(&w, boot);
	w.due = now_seconds() + CHECK_MS / 1000.0;
	while (!stop_requested) {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
		double t = now_seconds();
		int wait_ms = 500;

		/* On a timer, never per message: a metadata request and two
		   of offsets a second, whatever the traffic. */
		if (w.rk != NULL && t >= w.due) {
			if (!w.aside && !w.hindered &&
			    watch_check(&w, ASK_MS) == 0)
				watch_say(&w, t);
			t = now_seconds();
			w.due = t + CHECK_MS / 1000.0;
		}
		if (w.rk != NULL && (w.due - t) * 1000 < wait_ms)
			wait_ms = (int)((w.due - t) * 1000) + 1;
		/* A timeout, so a signal between the test and the wait is
		   seen within the half second. */
		if (poll(&p, stdin_open, wait_ms) > 0 && read_commands(&pending,
		    mc, (int)nbrokers, &w) < 0)
			stdin_open = 0;	/* no more commands; serve on */
	}
	/* The clients are done: for the watch's last check, no errors
	   still queued for the kinds it asks, every broker up and prompt. */
	for (size_t i = 0; i < sizeof watch_asks / sizeof *watch_asks; i++)
		rd_kafka_mock_clear_request_errors(mc, watch_asks[i]);
	for (int i = 1; i <= (int)nbrokers; i++) {
		rd_kafka_mock_broker_set_rtt(mc, i, 0);
		rd_kafka_mock_broker_set_up(mc, i);
	}
	{
		/* --stats: what it dropped, in all and by partition (a
		   pipeline's chain of counts names it); null when it could
		   not watch. */
		int watched = w.rk != NULL;
		json_int_t total = 0;
		const char *k;
		json_t *v;

		watch_close(&w, dropped);
		json_object_foreach(dropped, k, v)
			total += json_integer_value(v);
		tally.start = started;
		if (stats_write(co.stats, &tally, json_pack("{s:o,s:o}",
		    "dropped", watched ? json_integer(total) : json_null(),
		    "dropped_by_partition", dropped)) < 0)
			status = 1;
	}
	ending.rk = rk;
	ending.mc = mc;
	if (kafka_bounded(end_cluster, &ending, CLUSTER_END_MS) < 0) {
		diag("the cluster did not stop within %ds (a client still "
		    "connected?); ended without it", CLUSTER_END_MS / 1000);
		status = 1;
	}
	buf_free(&pending);
	free(topics);
	if (port_file != NULL)
		unlink(port_file);
	if (!co.quiet)
		diag("stopped");
	return status;
}
