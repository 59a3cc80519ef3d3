/*
 * progress.h - "cleanse: 1234567 records, 812345/s" on stderr, redrawn
 * every half second, only when stderr is a terminal (never into a log),
 * erased when the work ends.  SLUICE_PROGRESS=SECONDS sets the interval;
 * SLUICE_PROGRESS=0 turns it off.
 */
#ifndef SLUICE_PROGRESS_H
#define SLUICE_PROGRESS_H

#include <stdint.h>

struct progress {
	int on;			/* stderr is a terminal, and not turned off */
	int shown;		/* a line is on the screen */
	double interval;	/* seconds between redraws */
	double start, last;	/* monotonic seconds */
	uint64_t next;		/* the count at which to look at the clock */
	const char *what;	/* "records", "events", ... */
};

/* Start counting; what names the things counted. */
void progress_init(struct progress *p, const char *what);

/* Redraw if it is time (called through progress_tick). */
void progress_show(struct progress *p, uint64_t count);

/* Erase the line. */
void progress_done(struct progress *p);

/* Call once per record: costs a compare, the clock is read rarely. */
static inline void
progress_tick(struct progress *p, uint64_t count)
{
	if (p->on && count >= p->next)
		progress_show(p, count);
}

#endif
