/*
 * output.c - final values: a group's states made into the columns the
 * user sees, groups in key order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"

struct val
metric_value(const struct metric *m, const struct mstate *st,
    uint64_t records, int places_seen, struct rec *r)
{
	char b[DSUM_BUFSZ];
	size_t n;

	switch (m->kind) {
	case A_COUNT:
		return val_int((int64_t)records);
	case A_SUM:
	case A_MIN:
	case A_MAX:
		if (st->n == 0)
			return val_null();	/* SQL: no values, no sum */
		n = dsum_fmt(b, &st->v, m->places >= 0 ? m->places :
		    places_seen);
		/* Text, so JSON writes it as the number it spells, exactly. */
		return val_text(rec_strdup(r, b, n), n);
	case A_AVG:
		if (st->n == 0)
			return val_null();
		return val_double(dsum_to_double(&st->v) / (double)st->n);
	case A_COUNT_TRUE:
		return val_int((int64_t)st->n);
	case A_RATE_TRUE:
		return records ? val_double((double)st->n / (double)records) :
		    val_null();
	case A_DISTINCT:
		return val_int(st->set ? (int64_t)((struct strset *)
		    st->set)->n : 0);
	case A_APPROX:
		return val_int(st->set ? llround(hll_estimate(st->set)) : 0);
	}
	return val_null();
}
