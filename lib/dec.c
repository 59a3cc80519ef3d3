#include "dec.h"

#include <string.h>

#include "num.h"

static const int64_t pow10_64[DEC_MAX_SCALE + 1] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000,
	10000000000000, 100000000000000, 1000000000000000,
	10000000000000000, 100000000000000000, 1000000000000000000
};

int
dec_parse(const char *p, size_t n, struct dec *out)
{
	const char *e = p + n;
	uint64_t v = 0;
	int neg = 0, nd = 0, frac = 0, point = 0, any = 0;
	long exp = 0;

	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < e; p++) {
		unsigned c = (unsigned char)*p - '0';

		if (c <= 9) {
			any = 1;
			if (v == 0 && c == 0) {
				frac += point;	/* leading zeros: no digit */
				continue;
			}
			if (++nd > 18)
				return -1;
			v = v * 10 + c;
			frac += point;
		} else if (*p == '.' && !point) {
			point = 1;
		} else {
			break;
		}
	}
	if (!any)
		return -1;
	if (p < e) {
		int64_t x;

		if ((*p != 'e' && *p != 'E') ||
		    num_parse_int(p + 1, (size_t)(e - p - 1), &x) < 0 ||
		    x > 40 || x < -40)
			return -1;
		exp = (long)x;
	}
	/* The value is v * 10^(exp - frac). */
	frac -= (int)exp;
	if (frac < 0) {
		if (nd - frac > 18)
			return -1;
		v *= (uint64_t)pow10_64[-frac];
		frac = 0;
	}
	if (frac > DEC_MAX_SCALE) {
		if (v != 0)
			return -1;
		frac = 0;
	}
	out->mant = neg ? -(int64_t)v : (int64_t)v;
	out->scale = frac;
	return 0;
}

int
val_to_dec(const struct val *v, struct dec *out)
{
	char b[NUM_BUFSZ];
	size_t n;

	switch (v->type) {
	case VAL_INT:
		out->mant = v->u.i;
		out->scale = 0;
		return 0;
	case VAL_DEC:
		out->mant = v->u.i;
		out->scale = v->scale;
		return out->scale <= DEC_MAX_SCALE ? 0 : -1;
	case VAL_DOUBLE:
		if ((n = num_fmt_double(b, v->u.d)) == 0)
			return -1;
		return dec_parse(b, n, out);
	case VAL_TEXT:
	case VAL_STR:
		return dec_parse(v->u.s.p, v->u.s.n, out);
	default:
		return -1;
	}
}

/* v * 10^k, k 0 to 36. */
static dec_wide
scale_up(dec_wide v, int k)
{
	while (k > 18) {
		v *= pow10_64[18];
		k -= 18;
	}
	return v * pow10_64[k];
}

void
dsum_add(struct dsum *s, struct dec d)
{
	if (d.scale == s->scale) {
		s->v += d.mant;
	} else if (d.scale < s->scale) {
		s->v += (dec_wide)d.mant * pow10_64[s->scale - d.scale];
	} else {
		s->v = scale_up(s->v, d.scale - s->scale) + d.mant;
		s->scale = d.scale;
	}
}

void
dsum_merge(struct dsum *s, const struct dsum *t)
{
	if (t->scale <= s->scale) {
		s->v += scale_up(t->v, s->scale - t->scale);
	} else {
		s->v = scale_up(s->v, t->scale - s->scale) + t->v;
		s->scale = t->scale;
	}
}

int
dsum_cmp(const struct dsum *a, const struct dsum *b)
{
	dec_wide x = a->v, y = b->v;

	if (a->scale < b->scale)
		x = scale_up(x, b->scale - a->scale);
	else if (b->scale < a->scale)
		y = scale_up(y, a->scale - b->scale);
	return (x > y) - (x < y);
}

struct dsum
dsum_of(struct dec d)
{
	struct dsum s = { d.mant, d.scale };

	return s;
}

size_t
dsum_fmt(char buf[DSUM_BUFSZ], const struct dsum *s, int places)
{
	dec_wide v = s->v;
	unsigned __int128 u;
	char tmp[DSUM_BUFSZ];
	int scale = s->scale, neg, n = 0;
	size_t len = 0;

	if (places < 0)
		places = scale;
	if (places > scale) {
		v = scale_up(v, places - scale);
	} else if (places < scale) {
		/* Drop digits, half away from zero. */
		dec_wide div = scale_up(1, scale - places), q = v / div,
		    r = v % div;

		if (r < 0)
			r = -r;
		if (2 * r >= div)
			q += v < 0 ? -1 : 1;
		v = q;
	}
	neg = v < 0;
	u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u != 0 || n <= places);
	if (neg)
		buf[len++] = '-';
	while (n > 0) {
		if (n == places)
			buf[len++] = '.';
		buf[len++] = tmp[--n];
	}
	buf[len] = '\0';
	return len;
}

int
dsum_parse(const char *p, size_t n, struct dsum *out)
{
	const char *e = p + n;
	dec_wide v = 0;
	int neg = 0, scale = 0, point = 0, digits = 0;

	if (p < e && *p == '-')
		neg = *p++ == '-';
	for (; p < e; p++) {
		if (*p == '.' && !point) {
			point = 1;
			continue;
		}
		if (*p < '0' || *p > '9' || ++digits > 38)
			return -1;
		v = v * 10 + (*p - '0');
		scale += point;
	}
	if (digits == 0 || scale > DEC_MAX_SCALE)
		return -1;
	out->v = neg ? -v : v;
	out->scale = scale;
	return 0;
}

double
dsum_to_double(const struct dsum *s)
{
	char b[DSUM_BUFSZ];
	double d;

	/* Through the exact text: correctly rounded, where v / 10^scale in
	   floating point would round twice. */
	num_parse_double(b, dsum_fmt(b, s, -1), &d);
	return d;
}
