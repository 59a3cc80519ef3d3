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
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"

static const struct program prog = {
	.synopsis = "kafka-mock [--brokers N] [--topic NAME[:PARTITIONS]]... "
	    "[--port-file FILE]",
	.help =
	    "Serve an in-memory Kafka cluster on 127.0.0.1 (librdkafka's mock)\n"
	    "until SIGINT or SIGTERM.  The first line on stdout is the\n"
	    "bootstrap servers.  A test broker: each partition keeps only its\n"
	    "most recent messages (some 25k), so consume alongside producing.\n"
	    "\n"
	    "Options:\n"
	    "      --brokers N         brokers in the cluster (default 1)\n"
	    "      --topic NAME[:P]    a topic with P partitions (default 1);\n"
	    "                          others are made when first used\n"
	    "      --port-file FILE    write the bootstrap servers to FILE too\n"
	    "\n"
	    "Commands on stdin, one a line (\"help\" lists them):\n"
	    "  down B|all, up B|all    a broker (id 1..N) stops answering, or\n"
	    "                          comes back\n"
	    "  rtt B MS                a broker answers MS late\n"
	    "  error API ERR [COUNT]   the next COUNT requests of API (produce,\n"
	    "                          fetch, metadata, offset_commit...) fail\n"
	    "                          with ERR (a Kafka error name or number)\n"
	    "  topic NAME P            make a topic\n",
	.versions = NULL,
};

enum { OPT_BROKERS = OPT_PROGRAM, OPT_TOPIC, OPT_PORT_FILE };

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

/* Each broker b (all: -1) set down or up. */
static int
set_brokers(rd_kafka_mock_cluster_t *mc, int nbrokers, const char *which,
    int up)
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
		}
	return 0;
}

/* Run one command line; what it did (or why not) goes to stderr. */
static void
command(rd_kafka_mock_cluster_t *mc, int nbrokers, char *line)
{
	char *w[5] = { 0 }, *save = NULL;
	int n = 0, ok = 0;

	for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 5;
	    t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	if (n == 0 || w[0][0] == '#')
		return;
	if ((strcmp(w[0], "down") == 0 || strcmp(w[0], "up") == 0) && n == 2) {
		ok = set_brokers(mc, nbrokers, w[1], w[0][0] == 'u') == 0;
	} else if (strcmp(w[0], "rtt") == 0 && n == 3) {
		long b = strtol(w[1], NULL, 10), ms = strtol(w[2], NULL, 10);

		if ((ok = b >= 1 && b <= nbrokers && ms >= 0))
			rd_kafka_mock_broker_set_rtt(mc, (int32_t)b, (int)ms);
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
read_commands(struct buf *pending, rd_kafka_mock_cluster_t *mc, int nbrokers)
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

		command(mc, nbrokers, line);
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
		parts = opt_number("--topic", colon + 1, 1);
	}
	if (*name == '\0')
		usage_error("--topic: a topic needs a name (\"%s\")", spec);
	if (rd_kafka_mock_topic_create(mc, name, (int)parts, nbrokers < 3 ?
	    nbrokers : 3) != 0)
		fatal(1, "cannot make topic %s", name);
	free(name);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "brokers", required_argument, NULL, OPT_BROKERS },
		{ "topic", required_argument, NULL, OPT_TOPIC },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
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
	int c, stdin_open = 1;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts,
	    NULL)) != -1)
		switch (c) {
		case OPT_BROKERS:
			nbrokers = opt_number("--brokers", optarg, 1);
			if (nbrokers > 64)
				usage_error("--brokers: at most 64");
			break;
		case OPT_TOPIC:
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
	/* The cluster lives inside a client handle that is never used. */
	conf = rd_kafka_conf_new();
	rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (rk == NULL)
		fatal(1, "%s", err);
	mc = rd_kafka_mock_cluster_new(rk, (int)nbrokers);
	if (mc == NULL)
		fatal(1, "cannot start the mock cluster");
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
	while (!stop_requested) {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };

		/* A timeout, so a signal between the test and the wait is
		   seen within the half second. */
		if (poll(&p, stdin_open, 500) > 0 && read_commands(&pending,
		    mc, (int)nbrokers) < 0)
			stdin_open = 0;	/* no more commands; serve on */
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	buf_free(&pending);
	free(topics);
	if (port_file != NULL)
		unlink(port_file);
	if (!co.quiet)
		diag("stopped");
	return 0;
}
