#include "live.h"

#include <stddef.h>
#include <stdlib.h>

#include "diag.h"

/* What is held: a handful of outputs and hooks, so a plain array. */
struct hold {
	void (*fn)(void *ctx);
	void *ctx;
};

static struct hold *held;
static size_t nheld, capheld;

void
live_hold(void (*fn)(void *ctx), void *ctx)
{
	if (nheld == capheld) {
		capheld = capheld ? capheld * 2 : 8;
		held = erealloc(held, capheld * sizeof *held);
	}
	held[nheld].fn = fn;
	held[nheld].ctx = ctx;
	nheld++;
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
	/* A hook may release itself (a failed output closes): by index,
	   from the end. */
	for (size_t i = nheld; i-- > 0;)
		if (i < nheld)
			held[i].fn(held[i].ctx);
}
