/*
 * live.h - a program in a pipe passes each record on as it comes, at one
 * record a second as at a million: before it would wait (for input that
 * has not come yet, or for a paced record's time), it sends on whatever
 * it holds.  Bulk work never waits, so it keeps its large buffers.  (One
 * bound on "before": -j's threads, fed by a writer about as fast as they
 * are, take a pause the next bytes end within 5 ms for no wait, and send
 * on at the latest 50 ms after they first found records held; lib/par.c.)
 *
 * Every output out_open() makes (but an atomic file's, which nobody sees
 * before it is whole) is held here and flushed; a program adds what else
 * it holds, a sink's open transaction or a producer's batch, with
 * live_hold().  The record layer calls live_flush() when a read would
 * block; a program calls it before it sleeps or polls.
 */
#ifndef SLUICE_LIVE_H
#define SLUICE_LIVE_H

/* Call fn(ctx) at every live_flush() until live_release(fn, ctx). */
void live_hold(void (*fn)(void *ctx), void *ctx);
void live_release(void (*fn)(void *ctx), void *ctx);

/* The same for an output (out.c): outputs are flushed after every
   program's hook has run, so what a hook writes (a sink's rejects when
   it commits) goes out in the same flush. */
void live_hold_output(void (*fn)(void *ctx), void *ctx);

/* Send on everything held: about to wait. */
void live_flush(void);

#endif
