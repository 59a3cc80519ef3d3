/*
 * pg_binary.c - values in PostgreSQL's binary COPY format (pg_binary.h):
 * bool, int2/4/8, float4/8, numeric, date, timestamp(tz), text, json and
 * jsonb, each as the server's send/recv functions spell it, and back to
 * the text the server prints for a refused row's reject.
 */
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "pg_binary.h"
#include "ts.h"

/* PostgreSQL's epoch, 2000-01-01, from 1970's: in days and in us. */
#define PG_EPOCH_DAYS INT64_C(10957)
#define PG_EPOCH_US (PG_EPOCH_DAYS * 86400 * 1000000)

enum pgb_wire
pgb_wire_of(const char *typname)
{
	static const struct { const char *name; enum pgb_wire w; } of[] = {
		{ "bool", PGB_BOOL }, { "int2", PGB_INT2 }, { "int4", PGB_INT4 },
		{ "int8", PGB_INT8 }, { "float4", PGB_FLOAT4 },
		{ "float8", PGB_FLOAT8 }, { "numeric", PGB_NUMERIC },
		{ "date", PGB_DATE }, { "timestamptz", PGB_TIMESTAMP },
		{ "timestamp", PGB_TIMESTAMP }, { "text", PGB_TEXT },
		{ "varchar", PGB_TEXT }, { "bpchar", PGB_TEXT },
		{ "json", PGB_TEXT }, { "jsonb", PGB_JSONB },
	};

	for (size_t i = 0; i < sizeof of / sizeof of[0]; i++)
		if (strcmp(typname, of[i].name) == 0)
			return of[i].w;
	return PGB_NONE;
}

int
pgb_takes(enum col_kind kind, enum pgb_wire w)
{
	switch (kind) {
	case K_BOOL:
		return w == PGB_BOOL;
	case K_INT:
		return w == PGB_INT2 || w == PGB_INT4 || w == PGB_INT8;
	case K_DOUBLE:
		return w == PGB_FLOAT4 || w == PGB_FLOAT8;
	case K_DECIMAL:
		return w == PGB_NUMERIC;
	case K_DATE:
		return w == PGB_DATE;
	case K_TIMESTAMP:
		return w == PGB_TIMESTAMP;
	case K_STRING:
		return w == PGB_TEXT || w == PGB_JSONB;
	}
	return 0;
}

void
pgb_put_be(struct buf *b, uint64_t v, int bytes)
{
	unsigned char be[8];

	for (int i = 0; i < bytes; i++)
		be[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	buf_add(b, be, (size_t)bytes);
}

uint64_t
pgb_get_be(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * A decimal (scaled by 10^scale) as numeric's binary form: base-10000
 * digits aligned on the point, the weight of the first, the sign and the
 * scale shown.
 */
static void
put_numeric(struct buf *b, int64_t scaled, int scale)
{
	char d[NUM_BUFSZ], digits[64];
	size_t n = num_fmt_decimal(d, scaled, scale), ni, nf, len = 0;
	const char *p = d, *dot;
	int16_t g[16];
	int ng = 0, first, last, weight;

	if (*p == '-')
		p++, n--;
	dot = memchr(p, '.', n);
	ni = dot ? (size_t)(dot - p) : n;
	nf = dot ? n - ni - 1 : 0;
	/* The integer part padded on the left, the fraction on the right,
	   to whole groups of four digits. */
	for (size_t i = 0; i < (4 - ni % 4) % 4; i++)
		digits[len++] = '0';
	memcpy(digits + len, p, ni);
	len += ni;
	memcpy(digits + len, p + ni + 1, nf);
	len += nf;
	while ((len - ((ni + 3) / 4) * 4) % 4 != 0)
		digits[len++] = '0';
	for (size_t i = 0; i + 4 <= len; i += 4)
		g[ng++] = (int16_t)((digits[i] - '0') * 1000 +
		    (digits[i + 1] - '0') * 100 + (digits[i + 2] - '0') * 10 +
		    (digits[i + 3] - '0'));
	weight = (int)((ni + 3) / 4) - 1;
	for (first = 0; first < ng && g[first] == 0; first++)
		weight--;
	for (last = ng; last > first && g[last - 1] == 0; last--)
		;
	if (first == last)
		weight = 0;
	pgb_put_be(b, (uint64_t)(4 * 2 + (last - first) * 2), 4);
	pgb_put_be(b, (uint64_t)(last - first), 2);
	pgb_put_be(b, (uint64_t)(uint16_t)weight, 2);
	pgb_put_be(b, scaled < 0 ? 0x4000 : 0, 2);
	pgb_put_be(b, (uint64_t)scale, 2);
	for (int i = first; i < last; i++)
		pgb_put_be(b, (uint64_t)g[i], 2);
}

int
pgb_put_value(struct buf *b, enum pgb_wire w, const struct col_val *pv,
    int scale, const char *txt, size_t n, const char *col, char *msg,
    size_t msize)
{
	if (pv->null) {
		pgb_put_be(b, UINT32_MAX, 4);
		return 0;
	}
	switch (w) {
	case PGB_BOOL:
		pgb_put_be(b, 1, 4);
		buf_addc(b, pv->i ? 1 : 0);
		break;
	case PGB_INT2:
	case PGB_INT4:
		if (w == PGB_INT2 ? pv->i < INT16_MIN || pv->i > INT16_MAX :
		    pv->i < INT32_MIN || pv->i > INT32_MAX) {
			snprintf(msg, msize, "value \"%lld\" is out of range "
			    "for type %s (column %s)", (long long)pv->i,
			    w == PGB_INT2 ? "smallint" : "integer", col);
			return -1;
		}
		pgb_put_be(b, w == PGB_INT2 ? 2 : 4, 4);
		pgb_put_be(b, (uint64_t)pv->i, w == PGB_INT2 ? 2 : 4);
		break;
	case PGB_INT8:
	case PGB_DATE:
	case PGB_TIMESTAMP:
		pgb_put_be(b, w == PGB_DATE ? 4 : 8, 4);
		pgb_put_be(b, (uint64_t)(w == PGB_DATE ? pv->i - PG_EPOCH_DAYS :
		    w == PGB_TIMESTAMP ? pv->i - PG_EPOCH_US : pv->i),
		    w == PGB_DATE ? 4 : 8);
		break;
	case PGB_FLOAT4: {
		float f = (float)pv->d;
		uint32_t u;

		memcpy(&u, &f, 4);
		pgb_put_be(b, 4, 4);
		pgb_put_be(b, u, 4);
		break;
	}
	case PGB_FLOAT8: {
		uint64_t u;

		memcpy(&u, &pv->d, 8);
		pgb_put_be(b, 8, 4);
		pgb_put_be(b, u, 8);
		break;
	}
	case PGB_NUMERIC:
		put_numeric(b, pv->i, scale);
		break;
	case PGB_JSONB:
	case PGB_TEXT:
		pgb_put_be(b, n + (w == PGB_JSONB), 4);
		if (w == PGB_JSONB)
			buf_addc(b, 1);	/* jsonb's version */
		buf_add(b, txt, n);
		break;
	case PGB_NONE:
		break;
	}
	return 0;
}

/* numeric's binary form as text. */
static void
numeric_text(struct buf *v, const unsigned char *p, size_t n)
{
	int nd, weight, sign, dscale;
	struct buf f = { 0 };

	if (n < 8)
		return;
	nd = (int)pgb_get_be(p, 2);
	weight = (int16_t)pgb_get_be(p + 2, 2);
	sign = (int)pgb_get_be(p + 4, 2);
	dscale = (int)pgb_get_be(p + 6, 2);
	if (sign == 0xC000) {
		buf_adds(v, "NaN");
		return;
	}
	if (sign == 0x4000)
		buf_addc(v, '-');
	if (weight < 0)
		buf_addc(v, '0');
	for (int g = 0; g <= weight; g++) {
		int dig = g < nd && 8 + 2 * (size_t)g + 2 <= n ?
		    (int)pgb_get_be(p + 8 + 2 * g, 2) : 0;

		buf_printf(v, g ? "%04d" : "%d", dig);
	}
	for (int g = weight + 1; (int)f.n < dscale; g++) {
		int dig = g >= 0 && g < nd && 8 + 2 * (size_t)g + 2 <= n ?
		    (int)pgb_get_be(p + 8 + 2 * g, 2) : 0;

		buf_printf(&f, "%04d", g < 0 ? 0 : dig);
	}
	if (dscale > 0) {
		buf_addc(v, '.');
		buf_add(v, f.p, (size_t)dscale);
	}
	buf_free(&f);
}

void
pgb_text(struct buf *v, enum pgb_wire w, const unsigned char *p, size_t n)
{
	char d[64];
	uint64_t u;
	double x;
	float fl;
	uint32_t u32;

	switch (w) {
	case PGB_BOOL:
		buf_addc(v, n && p[0] ? 't' : 'f');
		return;
	case PGB_INT2:
		buf_printf(v, "%d", (int16_t)pgb_get_be(p, 2));
		return;
	case PGB_INT4:
		buf_printf(v, "%d", (int32_t)pgb_get_be(p, 4));
		return;
	case PGB_INT8:
		buf_add(v, d, num_fmt_int(d, (int64_t)pgb_get_be(p, 8)));
		return;
	case PGB_FLOAT4:
		u32 = (uint32_t)pgb_get_be(p, 4);
		memcpy(&fl, &u32, 4);
		buf_add(v, d, num_fmt_double(d, fl));
		return;
	case PGB_FLOAT8:
		u = pgb_get_be(p, 8);
		memcpy(&x, &u, 8);
		buf_add(v, d, num_fmt_double(d, x));
		return;
	case PGB_NUMERIC:
		numeric_text(v, p, n);
		return;
	case PGB_DATE:
		buf_add(v, d, ts_format_date(d, ((int64_t)(int32_t)pgb_get_be(p,
		    4) + PG_EPOCH_DAYS) * TS_US_PER_DAY));
		return;
	case PGB_TIMESTAMP:
		buf_add(v, d, ts_format(d, (int64_t)pgb_get_be(p, 8) +
		    PG_EPOCH_US));
		return;
	case PGB_JSONB:
		if (n > 0)
			buf_add(v, p + 1, n - 1);
		return;
	default:
		buf_add(v, p, n);
	}
}
