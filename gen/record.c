/*
 * record.c - making a record: each field's value by its generator, in
 * order (a field may use those before it), nulls at the field's rate,
 * sessions and anomalies applied, and an injected duplicate's copy.  This
 * is the hot path: value_of() is inlined into gen_next()'s loop, so the
 * generators' makers live here with it.
 */
#include "gen_impl.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "num.h"
#include "ts.h"

/* A parameter's value for this record, dflt when it is not set, NaN
   when its expression gives no number. */
static double
param(struct generator *g, struct param *p, struct rec *r, double dflt)
{
	struct val v;
	const char *err;
	double d;

	if (!p->set)
		return dflt;
	if (p->e == NULL)
		return p->v;
	if (p->var >= 0)	/* only a name: no evaluation needed */
		return val_to_double(&g->vars[p->var], &d) < 0 ? NAN : d;
	if (expr_eval(p->e, g->vars, &r->mem, &v, &err) < 0 ||
	    val_to_double(&v, &d) < 0)
		return NAN;
	return d;
}

/* A standard normal draw (Box-Muller) from draws k and k+1. */
static double
gauss(struct generator *g, uint64_t key, uint64_t k)
{
	double u1 = unit(draw(g, key, k)), u2 = unit(draw(g, key, k + 1));

	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

/* x rounded to the field's decimals (if it says), or null for NaN. */
static struct val
number(struct gfield *f, double x)
{
	if (isnan(x))
		return val_null();
	if (f->round >= 0) {
		double p = pow10d(f->round);

		x = (x < 0 ? -floor(-x * p + 0.5) : floor(x * p + 0.5)) / p;
	}
	return val_double(x);
}

static void
two_digits(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* The pattern's text: random digits and letters, the record number,
   the day. */
static struct val
pattern(struct generator *g, struct gfield *f, struct rec *r)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char *out = f->text;
	size_t o = 0;
	enum { size = 512 };
	uint64_t k = 0;

	(void)r;
	for (size_t i = 0; i < f->nptoks && o < size - 64; i++) {
		const struct pattern_tok *t = &f->ptoks[i];
		char num[NUM_BUFSZ];
		size_t len;

		switch (t->kind) {
		case P_LIT:
			len = t->n < size - 64 - o ? t->n : size - 64 - o;
			memcpy(out + o, t->lit, len);
			o += len;
			break;
		case P_DIGIT:
			out[o++] = (char)('0' + draw(g, f->key, k++) % 10);
			break;
		case P_LETTER:
			out[o++] = (char)('A' + draw(g, f->key, k++) % 26);
			break;
		case P_ALNUM:
			out[o++] = alnum[draw(g, f->key, k++) % 36];
			break;
		case P_DAY:
			memcpy(out + o, g->compact, 8);
			o += 8;
			break;
		case P_SEQ: {
			/* Right to left, then zeros up to the width. */
			uint64_t u = g->i + 1;
			char *e = num + sizeof num, *d = e;

			do {
				*--d = (char)('0' + u % 10);
				u /= 10;
			} while (u != 0);
			for (len = (size_t)(e - d); len < t->n && len < 20; len++)
				*--d = '0';
			while (d < e)
				out[o++] = *d++;
			break;
		}
		}
	}
	out[o] = '\0';
	return f->plain ? val_plain(out, o) : val_str(out, o);
}

/* A random (version 4) UUID. */
static struct val
uuid(struct generator *g, struct gfield *f, struct rec *r)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t hi = draw(g, f->key, 0), lo = draw(g, f->key, 1);
	unsigned char b[16];
	char *out = f->text;
	size_t o = 0;

	for (int i = 0; i < 8; i++) {
		b[i] = (unsigned char)(hi >> (56 - 8 * i));
		b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
	(void)r;
	return val_plain(out, o);
}

/* A time within the day, by the hour weights; or now in live mode. */
static struct val
timeval(struct generator *g, struct gfield *f, struct rec *r, int64_t now_us)
{
	char *out = f->text;
	int64_t secs;
	int h;
	size_t n;

	if (now_us >= 0) {
		n = f->sf->type == FT_DATE ? ts_format_date(out, now_us) :
		    ts_format(out, now_us);
		return made(r, out, n);
	}
	if (f->sf->type == FT_DATE)
		return val_plain(g->date, 10);
	h = (int)alias_pick(&f->hours, unit(draw(g, f->key, 0)));
	secs = (int64_t)(unit(draw(g, f->key, 1)) * 3600);
	/* "2025-01-15T10:30:00Z", built by hand: this runs per record. */
	memcpy(out, g->date, 10);
	out[10] = 'T';
	two_digits(out + 11, h);
	out[13] = ':';
	two_digits(out + 14, (int)(secs / 60));
	out[16] = ':';
	two_digits(out + 17, (int)(secs % 60));
	out[19] = 'Z';
	out[20] = '\0';
	return val_plain(out, 20);
}

/* A value as JSON, for a list's items. */
static json_t *
to_json(const struct val *v)
{
	char tmp[NUM_BUFSZ];

	switch (v->type) {
	case VAL_BOOL:
		return json_boolean(v->u.b);
	case VAL_INT:
		return json_integer(v->u.i);
	case VAL_DOUBLE:
		return json_real(v->u.d);
	case VAL_DEC:
		num_fmt_decimal(tmp, v->u.i, v->scale);
		return json_real(strtod(tmp, NULL));
	case VAL_STR:
	case VAL_TEXT:
		return json_stringn(v->u.s.p, v->u.s.n);
	case VAL_JSON:
		return json_incref(v->u.j);
	default:
		return json_null();
	}
}

/* A list of items, each made from the item fields with its own key. */
static struct val
list(struct generator *g, struct gfield *f, struct rec *r)
{
	int count = f->min_items + (int)(draw(g, f->key, 0) %
	    (uint64_t)(f->max_items - f->min_items + 1));
	uint64_t base = g->base;
	json_t *arr = json_array();
	struct val v = { .type = VAL_JSON };

	for (int k = 0; k < count; k++) {
		json_t *item = json_object();

		g->base = hash_combine(hash_combine(base, f->key), (uint64_t)k);
		for (size_t a = 0; a < f->nitems; a++) {
			struct val x = gen_value(g, &f->item_gf[a], r, -1);

			if (f->item_gf[a].null_rate > 0 && unit(draw(g,
			    f->item_gf[a].key, 99)) < f->item_gf[a].null_rate)
				x = val_null();

			json_object_set_new(item, f->item_sf[a].name,
			    to_json(&x));
		}
		json_array_append_new(arr, item);
	}
	g->base = base;
	rec_hold(r, arr);
	v.u.j = arr;
	return v;
}

/* The body of gen_value, inlined into the loop of gen_next (the hot
   path: it lets the compiler build each value in place). */
static inline __attribute__((always_inline)) struct val
value_of(struct generator *g, struct gfield *f, struct rec *r,
    int64_t now_us)
{
	const struct schema_field *sf = f->sf;
	double x, lo, hi;
	struct val v;
	const char *err;

	switch (f->kind) {
	case G_UUID:
		return uuid(g, f, r);
	case G_SEQUENCE: {
		int64_t k;

		if (__builtin_mul_overflow(f->step, (int64_t)g->i, &k) ||
		    __builtin_add_overflow(f->start, k, &k))
			return val_null();
		return to_type(sf, val_int(k), r);
	}
	case G_PATTERN:
		return pattern(g, f, r);
	case G_UNIFORM:
		lo = param(g, &f->a, r, 0);
		hi = param(g, &f->b, r, 1);
		if (sf->type == FT_INT) {
			double span = floor(hi) - ceil(lo) + 1;

			/* Bounds a 64-bit integer cannot hold give null. */
			if (!(span >= 1) || !(fabs(lo) < 9e18) ||
			    !(fabs(hi) < 9e18))
				return val_null();
			return val_int((int64_t)ceil(lo) + (int64_t)floor(
			    unit(draw(g, f->key, 0)) * span));
		}
		x = lo + unit(draw(g, f->key, 0)) * (hi - lo);
		return to_type(sf, number(f, x), r);
	case G_NORMAL:
	case G_LOGNORMAL: {
		double a = param(g, &f->a, r, 0), b = param(g, &f->b, r, 1);
		double mn = param(g, &f->lo, r, -INFINITY);
		double mx = param(g, &f->hi, r, INFINITY);

		/* Draw again when out of bounds (up to 8 times), then clamp:
		   clamping alone would pile values up at the bounds. */
		for (uint64_t k = 0; k < 16; k += 2) {
			double z = gauss(g, f->key, k);

			x = f->kind == G_NORMAL ? a + b * z : a * exp(b * z);
			if (x >= mn && x <= mx)
				break;
		}
		x = x < mn ? mn : x > mx ? mx : x;
		if (sf->type == FT_INT)
			return !(fabs(x) < 9e18) ? val_null() :
			    val_int(llround(x));
		return to_type(sf, number(f, x), r);
	}
	case G_CHOICE:
		return f->values[alias_pick(&f->pick, unit(draw(g, f->key, 0)))];
	case G_TIME:
		return timeval(g, f, r, now_us);
	case G_BOOL:
		return to_type(sf, val_bool(unit(draw(g, f->key, 0)) < f->p), r);
	case G_GEO: {
		int k = f->lon ? 2 : 0;

		x = f->box[k] + unit(draw(g, f->point, (uint64_t)f->lon)) *
		    (f->box[k + 1] - f->box[k]);
		return to_type(sf, number(f, x), r);
	}
	case G_DERIVED:
		if (expr_eval(f->expr, g->vars, &r->mem, &v, &err) < 0)
			return val_null();
		return to_type(sf, v, r);
	case G_REF:
		return to_type(sf, g->vars[f->var], r);
	case G_CONST:
		return to_type(sf, f->k, r);
	case G_LIST:
		return list(g, f, r);
	case G_SESSION:		/* sessions.c sets it */
	case G_NONE:
	case G_COUNT:
		break;
	}
	return val_null();
}

struct val
gen_value(struct generator *g, struct gfield *f, struct rec *r,
    int64_t now_us)
{
	return value_of(g, f, r, now_us);
}

/* Copy r into dst with strings of its own. */
static void
keep_copy(struct rec *dst, const struct rec *r)
{
	rec_clear(dst);
	for (size_t i = 0; i < r->n; i++) {
		struct val v = r->f[i].v;

		if (v.type == VAL_STR || v.type == VAL_TEXT)
			v.u.s.p = rec_strdup(dst, v.u.s.p, v.u.s.n);
		else if (v.type == VAL_JSON)
			rec_hold(dst, json_incref(v.u.j));
		rec_add(dst, r->f[i].name, v);
	}
	dst->layout = r->layout;
}

int
gen_next(struct generator *g, struct rec *r, int64_t now_us, int *dup,
    struct anomaly *anom)
{
	*dup = 0;
	anom->kind = NULL;
	anom->field = NULL;
	if (g->pending_dup) {
		/* The same record again, as a redelivery would be. */
		g->pending_dup = 0;
		keep_copy(r, &g->last);
		*dup = 1;
		g->made++;
		return 1;
	}
	if ((g->exact ? g->made : g->i) >= g->n)
		return 0;
	rec_clear(r);
	g->base = hash_mix(g->day_base + g->i * UINT64_C(0xd1b54a32d192ed03));
	for (size_t e = 0; e < g->nent; e++) {
		struct entity *en = &g->ent[e];
		size_t row = alias_pick(&en->pick, unit(draw(g, en->key, 0)));
		const struct val *cells = en->cells + row * en->nattrs;

		for (size_t a = 0; a < en->nattrs; a++)
			g->vars[en->var0 + a] = cells[a];
	}
	memset(g->fixed, 0, g->nf);
	if (g->sess != NULL)
		sessions_record(g, r, now_us);
	for (size_t i = 0; i < g->nf; i++) {
		struct gfield *f = &g->f[i];

		if (g->fixed[i])
			continue;
		g->vars[i] = value_of(g, f, r, now_us);
		if (f->null_rate > 0 && unit(draw(g, f->key, 99)) <
		    f->null_rate)
			g->vars[i] = val_null();
	}
	if (g->anom != NULL && anomalies_apply(g, r, anom)) {
		/* No room for the copy: an ordinary record, untold. */
		if (g->exact && g->n - g->made < 2)
			anom->kind = NULL;
		else
			g->pending_dup = 1;
	}
	/* All fields at once (rec_add one by one costs more than it does). */
	if (r->cap < g->nf) {
		r->cap = g->nf;
		r->f = erealloc(r->f, r->cap * sizeof *r->f);
	}
	for (size_t i = 0; i < g->nf; i++) {
		r->f[i].name = g->s->fields[i].name;
		r->f[i].v = g->vars[i];
	}
	r->n = g->nf;
	r->layout = g->layout;
	if (g->pending_dup)
		keep_copy(&g->last, r);
	g->i++;
	g->made++;
	return 1;
}

uint64_t
gen_record_number(const struct generator *g)
{
	return g->i;
}
