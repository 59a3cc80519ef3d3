#include "dec.h"

#include <string.h>

#include "num.h"

static const int64_t pow10_64[DEC_MAX_SCALE + 1] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000,
	10000000000000, 100000000000000, 1000000000000000,
	10000000000000000, 100000000000000000, 1000000000000000000
};

/*
 * Most values first: digits with a point or not, no exponent, at most
 * DEC_DIGITS digits (leading zeros counted), no more decimals than the
 * scale: the digits are the mantissa, no rounding.  1 when p[0..e) was
 * one (*out set), else 0 for dec_parse's general way.
 */
static int
plain_dec(const char *p, const char *e, int neg, int scale, struct dec *out)
{
	const char *start = p, *point = e;
	uint64_t v = 0;
	unsigned c;
	long digits, frac = 0;

	for (; p < e && (c = (unsigned char)*p - '0') <= 9; p++)
		v = v * 10 + c;
	if (p < e && *p == '.') {
		point = p++;
		for (; p < e && (c = (unsigned char)*p - '0') <= 9; p++)
			v = v * 10 + c;
		frac = (long)(p - point - 1);
	}
	if (p < e)
		return 0;
	digits = (long)(e - start) - (point < e);
	if (scale < 0)
		scale = (int)(frac <= DEC_MAX_SCALE ? frac : DEC_MAX_SCALE + 1);
	if (digits == 0 || digits > DEC_DIGITS || scale > DEC_MAX_SCALE ||
	    scale < frac || digits + (scale - frac) > DEC_DIGITS)
		return 0;
	v *= (uint64_t)pow10_64[scale - frac];
	out->mant = neg ? -(int64_t)v : (int64_t)v;
	out->scale = scale;
	return 1;
}

int
dec_parse(const char *p, size_t n, int scale, struct dec *out)
{
	const char *e = p + n;
	unsigned char dig[DEC_DIGITS + 1];	/* the first significant digits */
	long nd = 0;		/* significant digits (leading zeros dropped) */
	long intlen = 0;	/* of them before the point; 0.00x: -2 */
	long frac = 0;		/* digits written after the point */
	long exp = 0, k;
	int neg = 0, point = 0, any = 0;
	uint64_t v = 0;

	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (plain_dec(p, e, neg, scale, out))
		return 0;
	for (; p < e; p++) {
		unsigned c = (unsigned char)*p - '0';

		if (c <= 9) {
			any = 1;
			frac += point;
			if (nd == 0 && c == 0) {
				intlen -= point;	/* 0.0x: not a digit */
				continue;
			}
			if (nd <= DEC_DIGITS)
				dig[nd] = (unsigned char)c;
			nd++;
			intlen += !point;
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
		    num_parse_int(p + 1, (size_t)(e - p - 1), &x) < 0)
			return -1;
		/* Past these, a value is 0 or too large whatever its digits. */
		exp = x > 100000 ? 100000 : x < -100000 ? -100000 : (long)x;
	}
	if (scale > DEC_MAX_SCALE)
		return -1;
	if (scale < 0) {
		/* Exactly: the decimals as written, less the exponent. */
		long s = frac - exp;

		if (s > DEC_MAX_SCALE && nd > 0)
			return -1;
		scale = s < 0 || s > DEC_MAX_SCALE ? 0 : (int)s;
	}
	/*
	 * The value is 0.DIG * 10^(intlen + exp); times 10^scale, its first
	 * k digits are the mantissa and the next one rounds it, half away
	 * from zero (a tie is decided by that digit alone).
	 */
	k = intlen + exp + scale;
	if (nd > 0 && k > DEC_DIGITS)
		return -1;
	for (long i = 0; i < k && nd > 0; i++)
		v = v * 10 + (i < nd ? dig[i] : 0);
	if (k >= 0 && k < nd && dig[k] >= 5 &&
	    ++v == (uint64_t)pow10_64[DEC_DIGITS])
		return -1;	/* 999...9.5: one digit too many */
	out->mant = neg ? -(int64_t)v : (int64_t)v;
	out->scale = scale;
	return 0;
}

int
dec_round(struct dec *d, int scale)
{
	dec_wide div, q, r;

	if (scale < 0 || d->scale <= scale) {
		if (scale < 0 || d->scale == scale)
			return 0;
		/* More decimals: zeros, within 18 digits. */
		q = (dec_wide)d->mant * pow10_64[scale - d->scale];
		if (q <= -pow10_64[DEC_DIGITS] || q >= pow10_64[DEC_DIGITS])
			return -1;
		d->mant = (int64_t)q;
		d->scale = scale;
		return 0;
	}
	div = pow10_64[d->scale - scale];
	q = d->mant / div;
	r = d->mant % div;
	if (2 * (r < 0 ? -r : r) >= div)
		q += d->mant < 0 ? -1 : 1;
	d->mant = (int64_t)q;
	d->scale = scale;
	return 0;
}

int
val_to_dec(const struct val *v, int scale, struct dec *out)
{
	char b[NUM_BUFSZ];
	const char *p;
	size_t n;

	switch (v->type) {
	case VAL_INT:
		if (v->u.i <= -pow10_64[DEC_DIGITS] ||
		    v->u.i >= pow10_64[DEC_DIGITS])
			return -1;
		out->mant = v->u.i;
		out->scale = 0;
		return dec_round(out, scale);
	case VAL_DEC:
		if (v->scale > DEC_MAX_SCALE || v->u.i <= -pow10_64[DEC_DIGITS] ||
		    v->u.i >= pow10_64[DEC_DIGITS])
			return -1;
		out->mant = v->u.i;
		out->scale = v->scale;
		return dec_round(out, scale);
	case VAL_DOUBLE:
		if ((n = num_fmt_double(b, v->u.d)) == 0)
			return -1;
		return dec_parse(b, n, scale, out);
	case VAL_TEXT:
	case VAL_STR:
		p = v->u.s.p;
		n = v->u.s.n;
		text_trim(&p, &n);
		return dec_parse(p, n, scale, out);
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
