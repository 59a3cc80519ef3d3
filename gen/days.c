/*
 * days.c - the days a run covers: each day's key and date, how busy it is
 * beside the others (the time field's weekday weights and ramp), and a
 * total of records shared among days in proportion.
 */
#include "gen_impl.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ts.h"

void
set_day(struct generator *g, int64_t day)
{
	char tmp[TS_BUFSZ];

	g->day = day;
	g->day_base = hash_combine(g->seed, (uint64_t)day);
	ts_format_date(tmp, day * TS_US_PER_DAY);
	memcpy(g->date, tmp, 11);
	memcpy(g->compact, tmp, 4);
	memcpy(g->compact + 4, tmp + 5, 2);
	memcpy(g->compact + 6, tmp + 8, 2);
	g->compact[8] = '\0';
}

double
gen_day_weight(const struct generator *g, int64_t day)
{
	double factor = 1;

	/* Weekday weights and a ramp set how busy each day is. */
	for (size_t i = 0; i < g->nf; i++) {
		const struct gfield *f = &g->f[i];

		if (f->kind != G_TIME)
			continue;
		factor *= f->weekday[((day + 3) % 7 + 7) % 7];
		if (f->ramp != 0) {
			double t = g->schema_days > 1 ? (double)(day -
			    g->schema_start) / (double)(g->schema_days - 1) : 0;

			factor *= fmax(0, 1 + f->ramp * t);
		}
		break;
	}
	return factor;
}

/* A day's fraction of a record left over, for gen_spread(). */
struct share {
	double frac;
	size_t day;
};

/* Largest fraction first, then the earlier day. */
static int
by_fraction(const void *a, const void *b)
{
	const struct share *x = a, *y = b;

	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->day < y->day ? -1 : x->day > y->day;
}

void
gen_spread(const struct generator *g, int64_t first, size_t days,
    uint64_t n, uint64_t *quota)
{
	struct share *sh;
	double sum = 0;
	uint64_t given = 0;
	size_t k;

	if (days == 0)
		return;
	sh = ecalloc(days, sizeof *sh);
	for (k = 0; k < days; k++)
		sum += sh[k].frac = gen_day_weight(g, first + (int64_t)k);
	if (!(sum > 0) || !isfinite(sum)) {
		for (k = 0; k < days; k++)
			sh[k].frac = 1;
		sum = (double)days;
	}
	for (k = 0; k < days; k++) {
		double part = (double)n * (sh[k].frac / sum);
		double whole = floor(part);

		quota[k] = whole < (double)n ? (uint64_t)whole : n;
		sh[k].frac = part - whole;
		sh[k].day = k;
		given += quota[k];
	}
	qsort(sh, days, sizeof *sh, by_fraction);
	/* What is left, one each in that order (more than once round only
	   when rounding took a record); a record too many (rounding again)
	   comes back from the other end. */
	for (k = 0; given < n; k = (k + 1) % days, given++)
		quota[sh[k].day]++;
	for (k = days - 1; given > n; k = (k + days - 1) % days)
		if (quota[sh[k].day] > 0) {
			quota[sh[k].day]--;
			given--;
		}
	free(sh);
}

void
gen_day(struct generator *g, int64_t day, uint64_t n, enum gen_count how)
{
	set_day(g, day);
	g->i = 0;
	g->made = 0;
	g->pending_dup = 0;
	g->exact = how == GEN_EXACT;
	g->n = n == UINT64_MAX || how == GEN_EXACT ? n :
	    (uint64_t)llround((double)n * gen_day_weight(g, day));
	if (g->sess != NULL)
		sessions_day(g);
}

void
gen_block(struct generator *g, int64_t day, uint64_t from, uint64_t to)
{
	set_day(g, day);
	g->i = from;
	g->made = 0;
	g->pending_dup = 0;
	g->exact = 0;
	g->n = to;
}

int
gen_sequential(const struct generator *g)
{
	return g->sess != NULL;
}
