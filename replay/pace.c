/*
 * pace.c - when the next event may go: --rate N a second, by the clock
 * (each event has its due time, start + i/N, so the rate holds at 100k a
 * second where sleeping 1/N after each message would drift), and
 * --speed X, by event time (an event goes when X times its distance from
 * the first event's time has passed).  Both: the later of the two.
 *
 * A producer held up (a broker down) does not make up for it in one
 * burst: the clock's schedule keeps at most a tenth of a second of
 * backlog, like a token bucket of that size.
 */
#include "replay.h"

enum { BACKLOG_MS = 100 };

void
pace_start(struct pace *p)
{
	p->start = p->rate_start = now_seconds();
	p->sent = 0;
	p->have_first = 0;
}

double
pace_wait(struct pace *p, int has, int64_t us)
{
	double now = now_seconds(), due = now;

	if (p->rate > 0) {
		due = p->rate_start + (double)p->sent / p->rate;
		if (due < now - BACKLOG_MS / 1e3) {
			p->rate_start += now - BACKLOG_MS / 1e3 - due;
			due = now - BACKLOG_MS / 1e3;
		}
	}
	if (p->speed > 0 && has) {
		double t;

		if (!p->have_first) {
			p->first_us = us;
			p->have_first = 1;
		}
		t = p->start + (double)(us - p->first_us) / 1e6 / p->speed;
		if (t > due)
			due = t;
	}
	return due > now ? due - now : 0;
}

void
pace_sent(struct pace *p)
{
	p->sent++;
}
