#include "live.h"

#include <stddef.h>
#include <stdlib.h>

#include "diag.h"

/* What is held: a handful of outputs and hooks, so a plain array. */
struct hold {
	void (*fn)(void *ctx);
	void *ctx;
	int output;		/* flushed after the program's hooks */
};

static struct hold *held;
static size_t nheld, capheld;

static void
hold(void (*fn)(void *ctx), void *ctx, int output)
{
	if (nheld == capheld) {
		capheld = capheld ? capheld * 2 : 8;
		held = erealloc(held, capheld * sizeof *held);
	}
	held[nheld].fn = fn;
	held[nheld].ctx = ctx;
	held[nheld].output = output;
	nheld++;
}

void
live_hold(void (*fn)(void *ctx), void *ctx)
{
	hold(fn, ctx, 0);
}

void
live_hold_output(void (*fn)(void *ctx), void *ctx)
{
	hold(fn, ctx, 1);
}

void
live_release(void (*fn)(void *ctx), void *ctx)
{
	for (size_t i = nheld; i-- > 0;)
		if (held[i].fn == fn && held[i].ctx == ctx) {
			held[i] = held[--nheld];
			break;
		}
	if (nheld == 0) {
		/* Nothing left to free at exit, for the leak checkers. */
		free(held);
		held = NULL;
		capheld = 0;
	}
}

void
live_flush(void)
{
	/* The program's hooks, then the outputs they may have written to.
	   A hook may release itself (a failed output closes): by index,
	   from the end. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = nheld; i-- > 0;)
			if (i < nheld && held[i].output == pass)
				held[i].fn(held[i].ctx);
}
