#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "out.h"

int
stats_write(const char *path, const struct tally *t, json_t *extra)
{
	json_t *j;
	char *s;
	struct out *o;
	int rc;

	if (path == NULL) {
		json_decref(extra);
		return 0;
	}
	j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "program", progname,
	    "in", (json_int_t)t->in, "out", (json_int_t)t->out, "rejected",
	    (json_int_t)t->rejected, "duplicates", (json_int_t)t->duplicates,
	    "filtered", (json_int_t)t->filtered);
	if (extra != NULL)
		json_object_update(j, extra);
	json_decref(extra);
	/* Hundredths of a second: enough, and no float noise. */
	json_object_set_new(j, "seconds", json_real((double)(long long)((
	    now_seconds() - t->start) * 100 + 0.5) / 100));
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(12));
	json_decref(j);
	if ((o = out_open(path, OUT_ATOMIC, 0)) == NULL) {
		free(s);
		return -1;
	}
	out_write(o, s, strlen(s));
	out_putc(o, '\n');
	free(s);
	rc = out_close(o);
	return rc;
}
