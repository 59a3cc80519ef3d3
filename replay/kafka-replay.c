/*
 * kafka-replay - records to Kafka as JSON events, one message a record:
 * keyed, routed to topics, paced by rate or by event time, shuffled or
 * looped, every message's delivery counted.  See kafka-replay(1).
 *
 * in = produced + skipped, and produced = delivered + failed: a record
 * that cannot be an event (not parsed, no key, no topic) is skipped with
 * its position, and a message Kafka did not acknowledge in --timeout
 * is failed (exit 1).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/kafka.h"
#include "replay.h"

static const struct program prog = {
	.synopsis = "kafka-replay [-b BROKERS] -t TOPIC [options] [FILE...]",
	.help =
	    "Send each CSV or JSON Lines record to Kafka as one JSON event.\n"
	    "\n"
	    "Options:\n"
	    "  -b, --brokers LIST      bootstrap servers (default $KAFKA_BROKERS)\n"
	    "  -t, --topic NAME        the topic (one; for more, --topic-field)\n"
	    "  -X, --property KEY=VALUE  a librdkafka property (SASL, TLS,\n"
	    "                          acks...)\n"
	    "      --key F[,F...]      the message key: these fields' values\n"
	    "                          (apart by tabs); a key's events share a\n"
	    "                          partition\n"
	    "      --topic-field FIELD  the topic is this field's value; with\n"
	    "      --route VALUE=TOPIC  TOPIC where it is VALUE (repeat it),\n"
	    "                          and unrouted values go to -t\n"
	    "      --time FIELD        event_time from FIELD (default: the\n"
	    "                          record's event_time, order_ts, order_time,\n"
	    "                          order_date or timestamp, else now)\n"
	    "      --rate N            N messages a second at most\n"
	    "      --speed X           by event time, X times as fast as it was\n"
	    "      --now               event times moved so the first is now\n"
	    "      --shuffle           in random order (the input in memory)\n"
	    "  -s, --seed N            the shuffle's seed (default: the clock)\n"
	    "      --loop              the inputs again and again, until a signal\n"
	    "      --stdout            the events to stdout, not Kafka\n"
	    "      --timeout DUR       brokers must answer (at the start, and\n"
	    "                          after an outage), and messages be\n"
	    "                          acknowledged, within DUR (default 30s;\n"
	    "                          a bare number: seconds)\n"
	    STATS_HELP,
	.versions = kafka_versions,
	/* No -f (events are JSON), no --schema (records go as they are). */
	.takes = TAKES_INPUT_FORMAT | TAKES_REJECT | TAKES_QUIET,
};

enum {
	OPT_KEY = OPT_PROGRAM, OPT_TOPIC_FIELD, OPT_ROUTE, OPT_TIME, OPT_TIME_FIELD,
	OPT_RATE, OPT_SPEED, OPT_NOW, OPT_SHUFFLE, OPT_LOOP,
	OPT_STDOUT, OPT_TIMEOUT
};

struct replay {
	struct shape sh;
	struct pace pace;
	struct producer *p;
	struct rejects *rj;
	struct tally t;
	struct progress pg;
	struct event ev;
	int now;		/* --now: the shift is not known yet */
	int dead;		/* no broker answered for --timeout: stop */
	int shuffle, loop;
	double timeout;
	/* --shuffle: the events, held */
	struct buf held;
	struct held_event {
		size_t json, json_n, key, key_n, topic;
		int64_t time_us;
		int has_key, has_time;
	} *hv;
	size_t nhv, caphv;
};

static double
parse_positive(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (*arg == '\0' || *end != '\0' || !(v > 0) || v > 1e9)
		usage_error("%s: a positive number, not \"%s\"", opt, arg);
	return v;
}

/* Stop sending: a signal, or the brokers gone for --timeout (said
   once). */
static int
stopping(struct replay *rp)
{
	if (!rp->dead && producer_down_for(rp->p) >= rp->timeout) {
		rp->dead = 1;
		diag("no broker has answered for %.0fs (--timeout %gs): stopping",
		    producer_down_for(rp->p), rp->timeout);
	}
	return stop_requested || rp->dead;
}

/* Wait s seconds, serving Kafka's deliveries meanwhile. */
static void
wait_for(struct replay *rp, double s)
{
	live_flush();	/* --stdout: what is written goes on first */
	while (s > 0 && !stopping(rp)) {
		double t0 = now_seconds();

		if (s >= 0.002) {
			producer_serve(rp->p, s > 0.1 ? 100 : (int)(s * 1000));
		} else {
			struct timespec ts = { 0, (long)(s * 1e9) };

			nanosleep(&ts, NULL);
		}
		s -= now_seconds() - t0;
	}
}

/* Send ev when its time comes: 1, or 0 when a signal came first (it
   is not sent, and not taken: in = produced + skipped holds). */
static int
send_paced(struct replay *rp, const struct event *ev)
{
	if (rp->pace.rate > 0 || rp->pace.speed > 0) {
		double w = pace_wait(&rp->pace, ev->has_time, ev->time_us);

		if (w > 0)
			wait_for(rp, w);
		if (stopping(rp))
			return 0;
		pace_sent(&rp->pace);
		producer_send(rp->p, ev);
		producer_flush(rp->p);	/* paced: each goes when due */
		return 1;
	}
	producer_send(rp->p, ev);
	return 1;
}

static void
hold(struct replay *rp, const struct event *ev)
{
	struct held_event *h;

	if (rp->nhv == rp->caphv) {
		rp->caphv = rp->caphv ? rp->caphv * 2 : 1024;
		rp->hv = erealloc(rp->hv, rp->caphv * sizeof *rp->hv);
	}
	h = &rp->hv[rp->nhv++];
	h->json = rp->held.n;
	h->json_n = ev->json.n;
	buf_add(&rp->held, ev->json.p, ev->json.n);
	h->key = rp->held.n;
	h->key_n = ev->has_key ? ev->key.n : 0;
	if (ev->has_key)
		buf_add(&rp->held, ev->key.p, ev->key.n);
	h->topic = rp->held.n;
	buf_add(&rp->held, ev->topic, strlen(ev->topic) + 1);
	h->time_us = ev->time_us;
	h->has_key = ev->has_key;
	h->has_time = ev->has_time;
}

/* One record: shaped, then sent (or held, or skipped). */
static void
one(struct replay *rp, struct rec *r, int raw_json)
{
	const char *why = NULL, *msg = NULL;
	int64_t t;

	if (rp->now && event_time_of(&rp->sh, r, &t) == 0) {
		rp->sh.shift_us = wall_us() - t;
		rp->now = 0;
	}
	if (event_make(&rp->sh, r, raw_json, &rp->ev, &why, &msg) < 0) {
		rej_one(rp->rj, r, why, msg);
		rp->t.rejected++;
		return;
	}
	if (rp->shuffle)
		hold(rp, &rp->ev);
	else if (!send_paced(rp, &rp->ev))
		rp->t.in--;
}

/* About to wait for input (tail -f, a slow pipe): what is held for the
   next batch goes now, not when a thousand have come. */
static void
send_held(void *ctx)
{
	struct replay *rp = ctx;

	producer_flush(rp->p);
}

/* Each input once.  0, or 1 when one could not be read. */
static int
read_inputs(struct replay *rp, char **inputs, int n, enum fmt fmt)
{
	int status = 0;

	for (int i = 0; i < n && !stopping(rp); i++) {
		struct reader *rd = rd_open(inputs[i], fmt);
		struct rec *r;
		enum rd_status st;

		if (rd == NULL) {
			status = 1;
			continue;
		}
		while (!stopping(rp) &&
		    ((st = rd_next(rd, &r)) == RD_OK || st == RD_BAD)) {
			progress_tick(&rp->pg, ++rp->t.in);
			if (st == RD_BAD) {
				rej_one(rp->rj, r, "parse", r->err);
				rp->t.rejected++;
			} else {
				one(rp, r, rd_format(rd) == FMT_JSONL);
			}
		}
		if (rd_close(rd) < 0)
			status = 1;
	}
	return status;
}

/* --shuffle: the held events in a random order. */
static void
send_shuffled(struct replay *rp, unsigned long long seed)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;

	for (size_t i = rp->nhv; i > 1; i--) {
		struct held_event tmp;
		size_t j;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		j = (size_t)(s % i);
		tmp = rp->hv[i - 1];
		rp->hv[i - 1] = rp->hv[j];
		rp->hv[j] = tmp;
	}
	for (size_t i = 0; i < rp->nhv && !stopping(rp); i++) {
		const struct held_event *h = &rp->hv[i];
		struct event ev = { 0 };

		ev.json.p = rp->held.p + h->json;
		ev.json.n = h->json_n;
		ev.key.p = rp->held.p + h->key;
		ev.key.n = h->key_n;
		ev.has_key = h->has_key;
		ev.topic = rp->held.p + h->topic;
		ev.time_us = h->time_us;
		ev.has_time = h->has_time;
		if (!send_paced(rp, &ev))
			break;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "brokers", required_argument, NULL, 'b' },
		{ "topic", required_argument, NULL, 't' },
		{ "property", required_argument, NULL, 'X' },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "topic-field", required_argument, NULL, OPT_TOPIC_FIELD },
		{ "route", required_argument, NULL, OPT_ROUTE },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "time-field", required_argument, NULL, OPT_TIME_FIELD },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "now", no_argument, NULL, OPT_NOW },
		{ "shuffle", no_argument, NULL, OPT_SHUFFLE },
		{ "seed", required_argument, NULL, 's' },
		{ "loop", no_argument, NULL, OPT_LOOP },
		{ "stdout", no_argument, NULL, OPT_STDOUT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		STATS_LONGOPT,
		{ 0 }
	};
	static char *stdin_only[] = { "-" };
	struct common_opts co = { 0 };
	struct replay rp = { 0 };
	const char *brokers = NULL;
	char **props = ecalloc((size_t)argc + 1, sizeof *props);
	const char **from = ecalloc((size_t)argc + 1, sizeof *from);
	const char **to = ecalloc((size_t)argc + 1, sizeof *to);
	size_t nprops = 0, nroutes = 0;
	unsigned long long seed = 0;
	int c, to_stdout = 0, have_seed = 0, status = 0, ninputs;
	char **inputs;
	struct delivery d;

	diag_init(argv[0]);
	rp.timeout = 30;
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "b:t:X:s:",
	    longopts, NULL)) != -1)
		switch (c) {
		case 'b':
			brokers = optarg;
			break;
		case 't':
			if (rp.sh.topic != NULL)
				usage_error("-t: one topic (\"%s\", then \"%s\"); "
				    "to send to several, --topic-field FIELD "
				    "(with --route)", rp.sh.topic, optarg);
			rp.sh.topic = optarg;
			break;
		case 'X':
			props[nprops++] = optarg;
			break;
		case OPT_KEY:
			opt_list_free(rp.sh.keys, rp.sh.nkeys);
			rp.sh.keys = opt_list(optarg, &rp.sh.nkeys);
			if (rp.sh.nkeys == 0)
				usage_error("--key: which fields? not \"%s\"",
				    optarg);
			break;
		case OPT_TOPIC_FIELD:
			rp.sh.topic_field = optarg;
			break;
		case OPT_ROUTE: {
			char *eq = strchr(optarg, '=');

			if (eq == NULL || eq == optarg || eq[1] == '\0')
				usage_error("--route: VALUE=TOPIC, not \"%s\"",
				    optarg);
			*eq = '\0';
			from[nroutes] = optarg;
			to[nroutes++] = eq + 1;
			break;
		}
		case OPT_TIME_FIELD:
			opt_old("--time-field", "--time");
			/* FALLTHROUGH */
		case OPT_TIME:
			rp.sh.time_field = optarg;
			break;
		case OPT_RATE:
			rp.pace.rate = parse_positive("--rate", optarg);
			break;
		case OPT_SPEED:
			rp.pace.speed = parse_positive("--speed", optarg);
			rp.sh.need_time = 1;
			break;
		case OPT_NOW:
			rp.now = rp.sh.rewrite_time = rp.sh.need_time = 1;
			break;
		case OPT_SHUFFLE:
			rp.shuffle = 1;
			break;
		case 's':
			seed = (unsigned long long)opt_number("-s", optarg, 0);
			have_seed = 1;
			break;
		case OPT_LOOP:
			rp.loop = 1;
			break;
		case OPT_STDOUT:
			to_stdout = 1;
			break;
		case OPT_TIMEOUT:
			rp.timeout = (double)opt_duration("--timeout", optarg,
			    "s", 1) / 1e6;
			break;
		default:
			common_opt(&prog, &co, c, optarg);
		}
	if (brokers == NULL)
		brokers = getenv("KAFKA_BROKERS");
	if (!to_stdout && (brokers == NULL || *brokers == '\0'))
		usage_error("which Kafka? -b BROKERS, or KAFKA_BROKERS (or "
		    "--stdout)");
	if (rp.sh.topic == NULL && rp.sh.topic_field == NULL && !to_stdout)
		usage_error("which topic? -t TOPIC or --topic-field FIELD");
	if (nroutes > 0 && rp.sh.topic_field == NULL)
		usage_error("--route needs --topic-field (the field it routes "
		    "by)");
	rp.sh.route_from = from;
	rp.sh.route_to = to;
	rp.sh.nroutes = nroutes;
	if (rp.sh.topic == NULL && rp.sh.topic_field == NULL)
		rp.sh.topic = "";	/* --stdout: no topic needed */
	inputs = argv + optind;
	ninputs = argc - optind;
	if (ninputs == 0) {
		inputs = stdin_only;
		ninputs = 1;
	}
	if (rp.loop && rp.shuffle && rp.sh.rewrite_time)
		usage_error("--loop --shuffle --now: the held events keep the "
		    "first pass's times; drop one of them");
	if (rp.loop)
		for (int i = 0; i < ninputs; i++)
			if (strcmp(inputs[i], "-") == 0)
				usage_error("--loop reads its inputs again: "
				    "files, not stdin");
	if (!have_seed)
		seed = (unsigned long long)wall_us();
	if ((rp.rj = rej_open(co.reject)) == NULL ||
	    (rp.p = producer_open(brokers, props, nprops, rp.timeout,
	    to_stdout)) == NULL) {
		if (rp.rj != NULL)
			rej_close(rp.rj);
		free(props);
		free(from);
		free(to);
		return 1;
	}
	stop_on_signals();
	live_hold(send_held, &rp);
	tally_start(&rp.t);
	progress_init(&rp.pg, "records");
	do {
		uint64_t before = producer_counts(rp.p)->produced;

		pace_start(&rp.pace);
		if (!rp.shuffle || rp.nhv == 0) {
			/* --now: each pass starts now */
			rp.now = rp.sh.rewrite_time;
			status |= read_inputs(&rp, inputs, ninputs, co.in_fmt);
		}
		if (rp.shuffle)
			send_shuffled(&rp, seed++);
		if (rp.loop && !stopping(&rp) &&
		    producer_counts(rp.p)->produced == before) {
			diag("--loop: a pass sent nothing; stopping");
			break;
		}
	} while (rp.loop && !stopping(&rp) && status == 0);
	progress_done(&rp.pg);
	live_release(send_held, &rp);
	/* --shuffle reads once and sends the held events (again with
	   --loop, and maybe not all, stopped): what was taken is what
	   was sent, and what was skipped. */
	if (rp.shuffle)
		rp.t.in = rp.t.rejected + producer_counts(rp.p)->produced;
	/*
	 * What is in flight: waited for a second past the messages' own
	 * timeout (so theirs is the reason given), not past --timeout of
	 * the brokers down; stopped by a signal, 5 seconds at most, and
	 * none with the brokers down.
	 */
	if (producer_close(rp.p, rp.dead ? 0 : stop_requested ? (rp.timeout < 5 ?
	    rp.timeout : 5) : rp.timeout + 1, stop_requested ? 0.001 :
	    rp.timeout, &d) < 0)
		status = 1;
	if (rp.dead)
		diag("without the brokers: read %llu records, %llu delivered, "
		    "%llu not acknowledged (they may be in Kafka or not), %llu "
		    "skipped", (unsigned long long)rp.t.in,
		    (unsigned long long)d.delivered, (unsigned long long)d.failed,
		    (unsigned long long)rp.t.rejected);
	if (rej_close(rp.rj) < 0)
		status = 1;
	if (!co.quiet && d.failed > 0)
		diag("%llu messages not delivered; the first: %s",
		    (unsigned long long)d.failed, d.first_error);
	/* out: produced; rejected: skipped (in = produced + skipped). */
	rp.t.out = d.produced;
	if (stats_summary(co.stats, &rp.t, stats_pack("{s:I,s:I,s:I,s:I}",
	    "produced", (json_int_t)d.produced, "delivered",
	    (json_int_t)d.delivered, "failed", (json_int_t)d.failed,
	    "skipped", (json_int_t)rp.t.rejected), co.quiet) < 0)
		status = 1;
	event_free(&rp.ev);
	opt_list_free(rp.sh.keys, rp.sh.nkeys);
	buf_free(&rp.held);
	free(rp.hv);
	free(props);
	free(from);
	free(to);
	return status != 0 || d.failed > 0 || rp.dead;
}
