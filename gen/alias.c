/*
 * alias.c - weighted choice in constant time (Walker's alias method): the
 * table built once from the weights, so that each pick per record is one
 * draw and one comparison (gen_impl.h has alias_pick()).
 */
#include "gen_impl.h"

#include <stdlib.h>

#include "diag.h"

void
alias_build(struct alias *a, const json_t *weights, const double *w,
    size_t n)
{
	double *p = emalloc(n * sizeof *p), sum = 0;
	size_t *small = emalloc(n * sizeof *small), *large = emalloc(n *
	    sizeof *large), ns = 0, nl = 0;

	a->n = n;
	a->prob = emalloc(n * sizeof *a->prob);
	a->alias = emalloc(n * sizeof *a->alias);
	for (size_t i = 0; i < n; i++) {
		p[i] = weights ? json_number_value(json_array_get(weights, i)) :
		    w ? w[i] : 1.0;
		sum += p[i];
	}
	/* Scale to mean 1; split into columns below and above it. */
	for (size_t i = 0; i < n; i++) {
		p[i] = p[i] * (double)n / sum;
		a->alias[i] = (uint32_t)i;
		if (p[i] < 1)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		size_t s = small[--ns], l = large[nl - 1];

		a->prob[s] = p[s];
		a->alias[s] = (uint32_t)l;
		p[l] -= 1 - p[s];
		if (p[l] < 1) {
			nl--;
			small[ns++] = l;
		}
	}
	/* What is left is full (1, up to rounding). */
	while (nl > 0)
		a->prob[large[--nl]] = 1;
	while (ns > 0)
		a->prob[small[--ns]] = 1;
	free(p);
	free(small);
	free(large);
}

void
alias_free(struct alias *a)
{
	free(a->prob);
	free(a->alias);
}
