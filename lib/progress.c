#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "diag.h"
#include "opts.h"

/* Records between looks at the clock; small enough for slow streams. */
enum { PROGRESS_STRIDE = 4096 };

void
progress_init(struct progress *p, const char *what)
{
	const char *env = getenv("SLUICE_PROGRESS");

	p->interval = env != NULL ? atof(env) : 0.5;
	p->on = isatty(STDERR_FILENO) && p->interval > 0;
	p->shown = 0;
	p->start = p->last = now_seconds();
	p->next = PROGRESS_STRIDE;
	p->what = what;
}

void
progress_show(struct progress *p, uint64_t count)
{
	double now = now_seconds();

	p->next = count + PROGRESS_STRIDE;
	if (now - p->last < p->interval)
		return;
	p->last = now;
	fprintf(stderr, "\r%s: %llu %s, %.0f/s\033[K", progname,
	    (unsigned long long)count, p->what,
	    (double)count / (now - p->start));
	p->shown = 1;
}

void
progress_done(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
