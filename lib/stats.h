/*
 * stats.h - --stats FILE: what a run did, as one JSON object, for the
 * scripts that chain programs (a pipeline's chain of counts from source
 * to warehouse), so none of them reads a summary line meant for people:
 *
 *   {"program":"cleanse","in":10,"out":7,"rejected":1,"duplicates":1,
 *    "filtered":1,"seconds":0.01, ...the program's own counts}
 *
 * Written when the program ends, whatever the ending (a stop by signal
 * too), atomically: the file is whole or the last run's.
 */
#ifndef SLUICE_STATS_H
#define SLUICE_STATS_H

#include <jansson.h>

#include "opts.h"

/* The option, for the programs that write it. */
#define STATS_LONGOPT { "stats", required_argument, NULL, OPT_STATS }
#define STATS_HELP \
	"      --stats FILE        write the run's counts there (JSON) at the end\n"

/*
 * Write t's counts and extra's members (taken; may be NULL) to path,
 * unless path is NULL.  Returns 0, or -1 (reported; out of memory too).
 */
int stats_write(const char *path, const struct tally *t, json_t *extra);

/*
 * json_pack() for stats_write()'s extra: never NULL (jansson returns NULL
 * when memory runs out, and NULL would be taken for "no extra", the counts
 * published without them); on failure it exits 1 with the reason.
 */
json_t *stats_pack(const char *fmt, ...);

#endif
