#include "gen_impl.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "num.h"
#include "ts.h"

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

/* A value from the schema file, strings marked plain where they are
   (looked at once here, never again per record). */
static struct val
json_val(const json_t *j)
{
	struct val v = val_from_json(j);

	if (v.type == VAL_STR && val_is_plain_text(v.u.s.p, v.u.s.n))
		v.scale = VAL_PLAIN;
	return v;
}

static double
pow10d(int k)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18 };

	return k >= 0 && k <= 18 ? p10[k] : pow(10, k);
}

static void set_day(struct generator *g, int64_t day);

/* A string made in the record's arena. */
static struct val
made(struct rec *r, const char *p, size_t n)
{
	return val_str(rec_strdup(r, p, n), n);
}


static struct val to_type_slow(const struct schema_field *sf, struct val v,
    struct rec *r);

inline struct val
to_type(const struct schema_field *sf, struct val v, struct rec *r)
{
	/* Most values are already what the field wants. */
	if (v.type == VAL_NULL ||
	    (sf->type == FT_STRING && (v.type == VAL_STR ||
	    v.type == VAL_TEXT)) ||
	    (sf->type == FT_INT && v.type == VAL_INT) ||
	    (sf->type == FT_DECIMAL && v.type == VAL_DEC &&
	    v.scale == sf->scale) ||
	    (sf->type == FT_FLOAT && v.type == VAL_DOUBLE) ||
	    (sf->type == FT_BOOL && v.type == VAL_BOOL))
		return v;
	return to_type_slow(sf, v, r);
}

static struct val
to_type_slow(const struct schema_field *sf, struct val v, struct rec *r)
{
	struct buf scratch = { 0 };
	const char *s;
	int64_t i, us;
	double d;
	int b;
	size_t n;
	char tmp[TS_BUFSZ];

	if (v.type == VAL_NULL)
		return v;
	switch (sf->type) {
	case FT_INT:
		if (v.type == VAL_INT)
			return v;
		if (val_to_double(&v, &d) == 0 && fabs(d) < 9e18)
			return val_int(llround(d));
		break;
	case FT_FLOAT:
		if (val_to_double(&v, &d) == 0)
			return val_double(d);
		break;
	case FT_DECIMAL:
		/* The common cases without going through text. */
		if (v.type == VAL_DEC && v.scale == sf->scale)
			return v;
		if (v.type == VAL_INT && sf->scale <= 9 &&
		    !__builtin_mul_overflow(v.u.i, (int64_t)pow10d(sf->scale),
		    &i))
			return val_dec(i, sf->scale);
		if (v.type == VAL_DOUBLE) {
			double y = v.u.d * pow10d(sf->scale);

			/* Fast unless near a tie (1.005) or too large: those go
			   through the shortest decimal text, exactly. */
			if (fabs(y) < 9e15 && fabs(fabs(y - trunc(y)) - 0.5) >
			    1e-6)	/* not a tie: + or - 0.5 and truncate */
				return val_dec((int64_t)(y < 0 ? y - 0.5 :
				    y + 0.5), sf->scale);
		}
		if (val_to_decimal(&v, sf->scale, &i) == 0)
			return val_dec(i, sf->scale);
		break;
	case FT_BOOL:
		if (val_to_bool(&v, &b) == 0)
			return val_bool(b);
		break;
	case FT_DATE:
	case FT_TIMESTAMP:
		if (val_to_time(&v, &us) < 0)
			break;
		n = sf->type == FT_DATE ? ts_format_date(tmp, us) :
		    ts_format(tmp, us);
		return made(r, tmp, n);
	case FT_JSON:
		if (v.type == VAL_JSON)
			return v;
		break;
	case FT_STRING:
		if (v.type == VAL_STR || v.type == VAL_TEXT)
			return v;
		s = val_to_text(&v, &scratch, &n);
		v = made(r, s, n);
		buf_free(&scratch);
		return v;
	}
	return val_null();	/* a value that has no such type */
}

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

/* Compile a pattern into tokens once (see sluice-schema(5)). */
static void
compile_pattern(struct gfield *f, const char *p)
{
	size_t cap = strlen(p) + 1;

	f->ptoks = ecalloc(cap, sizeof *f->ptoks);
	f->nptoks = 0;
	while (*p) {
		struct pattern_tok *t = &f->ptoks[f->nptoks++];

		if (*p == '#' || *p == '?' || *p == '*') {
			t->kind = *p == '#' ? P_DIGIT : *p == '?' ? P_LETTER :
			    P_ALNUM;
			p++;
		} else if (strncmp(p, "{day}", 5) == 0) {
			t->kind = P_DAY;
			p += 5;
		} else if (strncmp(p, "{seq", 4) == 0) {
			t->kind = P_SEQ;
			t->n = p[4] == ':' ? (size_t)atoi(p + 5) : 0;
			p = strchr(p, '}') + 1;
		} else {
			/* A literal run, up to the next special character. */
			t->kind = P_LIT;
			if (*p == '\\' && p[1])
				p++;
			t->lit = p;
			t->n = 1;
			for (p++; *p && !strchr("#?*{\\", *p); p++)
				t->n++;
		}
	}
	/* Digits and letters are plain; so is the rest if its text is. */
	f->plain = 1;
	for (size_t i = 0; i < f->nptoks; i++)
		if (f->ptoks[i].kind == P_LIT &&
		    !val_is_plain_text(f->ptoks[i].lit, f->ptoks[i].n))
			f->plain = 0;
}

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

static struct val list(struct generator *g, struct gfield *f,
    struct rec *r);

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

/* --- Compiling ------------------------------------------------------- */

struct names {
	struct generator *g;
	size_t defined;
};

static int
resolve(void *ctx, const char *name)
{
	struct names *nm = ctx;
	struct generator *g = nm->g;

	int at = schema_field_index(g->s, name);

	if (at >= 0 && (size_t)at < nm->defined)
		return at;
	for (size_t e = 0; e < g->nent; e++) {
		size_t len = strlen(g->ent[e].name);

		if (strncmp(name, g->ent[e].name, len) != 0 || name[len] != '.')
			continue;
		for (size_t a = 0; a < g->ent[e].nattrs; a++)
			if (strcmp(g->ent[e].attrs[a], name + len + 1) == 0)
				return (int)(g->ent[e].var0 + a);
	}
	return -1;
}

static const json_t *
table(void *ctx, const char *name)
{
	struct names *nm = ctx;

	return nm->g->s->lookups ? json_object_get(nm->g->s->lookups, name) :
	    NULL;
}

static void
set_param(struct param *p, const json_t *v, const struct expr_env *env)
{
	char err[256];

	if (v == NULL)
		return;
	p->set = 1;
	p->var = -1;
	if (json_is_string(v)) {
		p->e = expr_compile(json_string_value(v), env, err, sizeof err);
		p->var = expr_var(p->e);
	} else {
		p->v = json_number_value(v);
	}
}

static void compile_sub(struct generator *g, const json_t *fields,
    struct schema_field **sfs, struct gfield **gfs);
static void free_field(struct gfield *f);

/* The schema is checked already: this only builds. */
static void
compile_field(struct generator *g, struct gfield *f,
    const struct schema_field *sf, size_t defined)
{
	const json_t *j = sf->spec;
	struct names nm = { g, defined };
	struct expr_env env = { resolve, table, &nm };
	const json_t *v;
	char err[256];

	memset(f, 0, sizeof *f);
	f->sf = sf;
	f->key = hash_str(sf->name);
	f->text = emalloc(512);
	f->round = (int)json_integer_value(json_object_get(j, "round"));
	if (json_object_get(j, "round") == NULL)
		f->round = -1;
	f->null_rate = json_number_value(json_object_get(j, "null_rate"));
	f->kind = gkind_of(sf->gen);
	switch (f->kind) {
	case G_SEQUENCE:
		v = json_object_get(j, "start");
		f->start = v ? json_integer_value(v) : 1;
		v = json_object_get(j, "step");
		f->step = v ? json_integer_value(v) : 1;
		break;
	case G_PATTERN:
		compile_pattern(f, json_string_value(json_object_get(j,
		    "pattern")));
		break;
	case G_UNIFORM:
		set_param(&f->a, json_object_get(j, "min"), &env);
		set_param(&f->b, json_object_get(j, "max"), &env);
		break;
	case G_NORMAL:
	case G_LOGNORMAL:
		set_param(&f->a, json_object_get(j, f->kind == G_NORMAL ?
		    "mean" : "median"), &env);
		set_param(&f->b, json_object_get(j, f->kind == G_NORMAL ?
		    "stddev" : "sigma"), &env);
		set_param(&f->lo, json_object_get(j, "min"), &env);
		set_param(&f->hi, json_object_get(j, "max"), &env);
		break;
	case G_CHOICE: {
		const json_t *vals = json_object_get(j, "values");

		f->nvalues = json_array_size(vals);
		f->values = ecalloc(f->nvalues, sizeof *f->values);
		for (size_t i = 0; i < f->nvalues; i++)
			f->values[i] = json_val(json_array_get(vals, i));
		/* In the field's type once, not per record (2.5 in a decimal
		   field is 2.50).  Strings made here live in g->store. */
		for (size_t i = 0; i < f->nvalues; i++)
			f->values[i] = to_type(sf, f->values[i], &g->store);
		alias_build(&f->pick, json_object_get(j, "weights"), NULL,
		    f->nvalues);
		break;
	}
	case G_TIME: {
		const json_t *wd = json_object_get(j, "weekdays");
		double sum = 0;

		alias_build(&f->hours, json_object_get(j, "hours"), NULL, 24);
		for (int d = 0; d < 7; d++)
			sum += (f->weekday[d] = wd ? json_number_value(
			    json_array_get(wd, (size_t)d)) : 1);
		for (int d = 0; d < 7; d++)
			f->weekday[d] *= 7 / sum;
		f->ramp = json_number_value(json_object_get(j, "ramp"));
		break;
	}
	case G_BOOL:
		v = json_object_get(j, "p");
		f->p = v ? json_number_value(v) : 0.5;
		break;
	case G_GEO: {
		const char *point;

		for (size_t i = 0; i < 4; i++)
			f->box[i] = json_number_value(json_array_get(
			    json_object_get(j, "box"), i));
		f->lon = strcmp(json_string_value(json_object_get(j, "axis")),
		    "lon") == 0;
		point = json_string_value(json_object_get(j, "point"));
		f->point = hash_str(point ? point : "geo");
		if (f->round < 0)
			f->round = 6;
		break;
	}
	case G_DERIVED:
		f->expr = expr_compile(json_string_value(json_object_get(j,
		    "expr")), &env, err, sizeof err);
		break;
	case G_REF: {
		char full[512];

		snprintf(full, sizeof full, "%s.%s",
		    json_string_value(json_object_get(j, "entity")),
		    json_string_value(json_object_get(j, "attr")));
		f->var = resolve(&nm, full);
		break;
	}
	case G_CONST:
		f->k = to_type(sf, json_val(json_object_get(j, "value")),
		    &g->store);
		break;
	case G_LIST:
		v = json_object_get(j, "min_items");
		f->min_items = v ? (int)json_integer_value(v) : 1;
		v = json_object_get(j, "max_items");
		f->max_items = v ? (int)json_integer_value(v) : f->min_items;
		f->nitems = json_array_size(json_object_get(j, "items"));
		compile_sub(g, json_object_get(j, "items"), &f->item_sf,
		    &f->item_gf);
		break;
	default:
		break;
	}
}

/* Fields that see no record (an entity's, a list item's), from JSON. */
static void
compile_sub(struct generator *g, const json_t *fields,
    struct schema_field **sfs, struct gfield **gfs)
{
	size_t n = json_array_size(fields);

	*sfs = ecalloc(n ? n : 1, sizeof **sfs);
	*gfs = ecalloc(n ? n : 1, sizeof **gfs);
	for (size_t a = 0; a < n; a++) {
		const json_t *f = json_array_get(fields, a);
		const char *t = json_string_value(json_object_get(f, "type"));
		struct schema_field *sf = &(*sfs)[a];

		sf->name = json_string_value(json_object_get(f, "name"));
		sf->gen = json_string_value(json_object_get(f, "gen"));
		sf->spec = f;
		sf->type = FT_STRING;
		for (int ty = FT_STRING; t && ty <= FT_JSON; ty++)
			if (strcmp(ftype_name((enum ftype)ty), t) == 0)
				sf->type = (enum ftype)ty;
		sf->scale = json_object_get(f, "scale") ?
		    (int)json_integer_value(json_object_get(f, "scale")) :
		    sf->type == FT_DECIMAL ? 2 : 0;
		compile_field(g, &(*gfs)[a], sf, 0);
	}
}

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

static void
free_field(struct gfield *f)
{
	expr_free(f->a.e);
	expr_free(f->b.e);
	expr_free(f->lo.e);
	expr_free(f->hi.e);
	expr_free(f->expr);
	free(f->values);
	free(f->ptoks);
	free(f->text);
	alias_free(&f->pick);
	alias_free(&f->hours);
	for (size_t a = 0; a < f->nitems; a++)
		free_field(&f->item_gf[a]);
	free(f->item_gf);
	free(f->item_sf);
}

/* Build entity pools: given rows, or rows made by their own fields. */
static int
build_entities(struct generator *g, char *err, size_t errlen)
{
	const char *name;
	json_t *e;
	size_t k = 0, var = g->s->nfields;
	size_t bytes = 0;	/* the pools take: values, then strings */
	int over = 0;		/* more than SCHEMA_MAX_POOL_BYTES */

	/* Rows do not depend on a day, but time and {day} need one. */
	set_day(g, g->schema_start);

	g->nent = json_object_size(g->s->entities);
	g->ent = ecalloc(g->nent ? g->nent : 1, sizeof *g->ent);
	json_object_foreach((json_t *)g->s->entities, name, e) {
		struct entity *en = &g->ent[k++];
		const json_t *rows = json_object_get(e, "rows");
		const char *wattr = json_string_value(json_object_get(e,
		    "weight"));

		en->name = name;
		en->key = hash_str(name);
		en->var0 = var;
		if (rows != NULL) {
			const json_t *first = json_array_get(rows, 0), *x;
			const char *key;
			size_t a = 0;

			en->nrows = json_array_size(rows);
			en->nattrs = json_object_size(first);
			en->attrs = ecalloc(en->nattrs, sizeof *en->attrs);
			json_object_foreach((json_t *)first, key, x)
				en->attrs[a++] = key;
			en->cells = ecalloc(en->nrows * en->nattrs,
			    sizeof *en->cells);
			bytes += en->nrows * en->nattrs * sizeof *en->cells;
			for (size_t r = 0; r < en->nrows; r++)
				for (a = 0; a < en->nattrs; a++)
					en->cells[r * en->nattrs + a] =
					    json_val(json_object_get(
					    json_array_get(rows, r),
					    en->attrs[a]));
		} else {
			/* Rows made like records, keyed by (entity, row). */
			const json_t *fields = json_object_get(e, "fields");
			struct schema_field *sfs;
			struct gfield *gf;
			struct rec tmp;
			int64_t day = g->day;
			uint64_t i = g->i;

			en->nrows = (size_t)json_integer_value(
			    json_object_get(e, "count"));
			en->nattrs = json_array_size(fields);
			en->attrs = ecalloc(en->nattrs, sizeof *en->attrs);
			en->cells = ecalloc(en->nrows * en->nattrs,
			    sizeof *en->cells);
			bytes += en->nrows * en->nattrs * sizeof *en->cells;
			compile_sub(g, fields, &sfs, &gf);
			for (size_t a = 0; a < en->nattrs; a++)
				en->attrs[a] = sfs[a].name;
			rec_init(&tmp);
			for (size_t r = 0; r < en->nrows && !over; r++) {
				g->base = hash_combine(hash_combine(g->seed,
				    en->key), r);
				g->i = r;
				rec_clear(&tmp);
				for (size_t a = 0; a < en->nattrs; a++) {
					struct val v = gen_value(g, &gf[a], &tmp,
					    -1);

					if (gf[a].null_rate > 0 && unit(draw(g,
					    gf[a].key, 99)) < gf[a].null_rate)
						v = val_null();

					/* Keep strings beyond the scratch. */
					if (v.type == VAL_STR) {
						v.u.s.p = arena_strndup(&en->mem,
						    v.u.s.p, v.u.s.n);
						bytes += v.u.s.n + 1;
					}
					en->cells[r * en->nattrs + a] = v;
				}
				over = bytes > SCHEMA_MAX_POOL_BYTES;
			}
			rec_free(&tmp);
			for (size_t a = 0; a < en->nattrs; a++) {
				/* The names must outlive sfs. */
				en->attrs[a] = json_string_value(
				    json_object_get(json_array_get(fields, a),
				    "name"));
				free_field(&gf[a]);
			}
			free(gf);
			free(sfs);
			g->day = day;
			g->i = i;
			if (over) {
				/* Checked at load for the values; strings are
				   known only as they are made. */
				snprintf(err, errlen, "%s: entities.%s: the "
				    "entity pools take more than %zu MiB (the "
				    "values and their strings)", g->s->name,
				    name, SCHEMA_MAX_POOL_BYTES >> 20);
				return -1;
			}
		}
		if (wattr != NULL) {
			size_t a;
			double *w = emalloc(en->nrows * sizeof *w);

			for (a = 0; strcmp(en->attrs[a], wattr) != 0; a++)
				;
			for (size_t r = 0; r < en->nrows; r++) {
				double d = 0;

				val_to_double(&en->cells[r * en->nattrs + a], &d);
				w[r] = d > 0 ? d : 0;
			}
			{
				double sum = 0;

				for (size_t r = 0; r < en->nrows; r++)
					sum += w[r];
				if (!(sum > 0)) {
					snprintf(err, errlen, "%s: entities.%s."
					    "weight: every row's \"%s\" is 0 "
					    "(or not a number)", g->s->name,
					    name, wattr);
					free(w);
					return -1;
				}
			}
			alias_build(&en->pick, NULL, w, en->nrows);
			free(w);
		} else {
			alias_build(&en->pick, json_object_get(e, "weights"),
			    NULL, en->nrows);
		}
		var += en->nattrs;
	}
	return 0;
}

struct generator *
gen_new(const struct schema *s, uint64_t seed, char *err, size_t errlen)
{
	struct generator *g = ecalloc(1, sizeof *g);

	rec_init(&g->store);
	rec_init(&g->last);
	g->s = s;
	g->seed = hash_mix(seed);
	if (s->start != NULL) {
		int64_t us;

		ts_parse(s->start, strlen(s->start), &us);
		g->schema_start = us / TS_US_PER_DAY;
	}
	g->schema_days = s->days;
	if (s->entities != NULL && build_entities(g, err, errlen) < 0)
		goto fail;
	g->nvars = s->nfields;
	for (size_t e = 0; e < g->nent; e++)
		g->nvars += g->ent[e].nattrs;
	g->vars = ecalloc(g->nvars ? g->nvars : 1, sizeof *g->vars);
	g->fixed = ecalloc(s->nfields, 1);
	g->nf = s->nfields;
	g->f = ecalloc(g->nf, sizeof *g->f);
	for (size_t i = 0; i < g->nf; i++) {
		compile_field(g, &g->f[i], &s->fields[i], i);
		if (g->f[i].ramp != 0 && s->start == NULL) {
			snprintf(err, errlen, "%s: fields[%zu].ramp: a ramp "
			    "needs the schema's \"start\" date", s->name, i);
			goto fail;
		}
	}
	g->layout = rec_layout_new();
	if (s->sessions != NULL && sessions_new(g, err, errlen) < 0)
		goto fail;
	if (s->anomalies != NULL && anomalies_new(g, err, errlen) < 0)
		goto fail;
	return g;
fail:
	gen_free(g);
	return NULL;
}

void
gen_free(struct generator *g)
{
	if (g == NULL)
		return;
	sessions_free(g);
	anomalies_free(g);
	for (size_t i = 0; i < g->nf; i++)
		free_field(&g->f[i]);
	free(g->f);
	for (size_t e = 0; e < g->nent; e++) {
		free(g->ent[e].attrs);
		free(g->ent[e].cells);
		alias_free(&g->ent[e].pick);
		arena_free(&g->ent[e].mem);
	}
	free(g->ent);
	free(g->vars);
	free(g->fixed);
	rec_free(&g->last);
	rec_free(&g->store);
	free(g);
}

/* The day's key and its date, as text. */
static void
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
