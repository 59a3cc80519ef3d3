/*
 * stats.h - how a run ends: its summary line on stderr, for people, and
 * --stats FILE, the same counts as one JSON object, for the scripts that
 * chain programs (a pipeline's chain of counts from source to
 * warehouse), so none of them reads the line meant for people:
 *
 *   cleanse: 10 in, 7 out, 1 rejected, 1 duplicates, 1 filtered, 0.01s
 *   {"program":"cleanse","in":10,"out":7,"rejected":1,"duplicates":1,
 *    "filtered":1,"seconds":0.01}
 *
 * One format for every program: the five counts every program keeps
 * (in = out + rejected + duplicates + filtered), then the program's own
 * counts, named as in its --stats ("partly_late" said "partly late"),
 * then the seconds:
 *
 *   stream-window: 9 in, 8 out, 0 rejected, 0 duplicates, 0 filtered,
 *   8 aggregated, 1 late, 0 partly late, 3 windows, 5 rows, 0.02s
 *
 * The file is written when the program ends, whatever the ending (a stop
 * by signal too), atomically: it is whole or the last run's.
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
 * The run's end: the summary line of t's counts and extra's members that
 * are whole numbers (in their order; text, null and objects are in the
 * file only) on stderr unless quiet, and all of them written to path
 * unless path is NULL.  extra is taken (may be NULL).  Returns 0, or -1
 * when the file could not be written (reported; out of memory too).
 */
int stats_summary(const char *path, const struct tally *t, json_t *extra,
    int quiet);

/* The file alone, for a program with no summary line (kafka-mock). */
int stats_write(const char *path, const struct tally *t, json_t *extra);

/*
 * json_pack() for stats_write()'s extra: never NULL (jansson returns NULL
 * when memory runs out, and NULL would be taken for "no extra", the counts
 * published without them); on failure it exits 1 with the reason.
 */
json_t *stats_pack(const char *fmt, ...);

#endif
