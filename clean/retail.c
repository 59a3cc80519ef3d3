/*
 * retail.c - the retail cleansing, what cleanse does without a schema:
 *   product    from product, else item; trimmed; blank or missing: UNKNOWN
 *   order_date from the first present of order_date, date, order_time,
 *              timestamp, event_time, in any format lib parses, as
 *              YYYY-MM-DD; missing or not a date: rejected
 *   amount     kept when numeric, else quantity * unit_price (or price)
 *              when both are, else rejected (never a silent zero); two
 *              decimals, exact
 * Output: order_id, order_date, store_id, store_city, product, quantity,
 * unit_price, amount, then the input's other columns.
 */
#include <stdio.h>
#include <string.h>

#include "cleanse.h"

enum {
	C_ORDER_ID, C_ORDER_DATE, C_STORE_ID, C_STORE_CITY, C_PRODUCT,
	C_QUANTITY, C_UNIT_PRICE, C_AMOUNT,	/* the output's first columns */
	C_ITEM, C_DATE, C_ORDER_TIME, C_TIMESTAMP, C_EVENT_TIME, C_PRICE,
	C_KNOWN
};

static const char *const known[C_KNOWN] = {
	"order_id", "order_date", "store_id", "store_city", "product",
	"quantity", "unit_price", "amount", "item", "date", "order_time",
	"timestamp", "event_time", "price"
};

struct retail {
	struct names names;
	uint64_t layout;	/* of the cached index */
	uint64_t out_layout;	/* the output's, for that input layout */
	int at[C_KNOWN];	/* field index of each known name, or -1 */
	size_t *rest;		/* the fields passed on after the known */
	size_t nrest, caprest;
	/* The last date read, as text, and what it made: a day's rows
	   mostly come together. */
	char last_in[40];
	size_t last_n;		/* 0: none */
	char last_day[TS_BUFSZ];
	size_t last_dayn;
	struct rec out;
	char msg[2][200];
};

struct retail *
retail_new(void)
{
	struct retail *rt = ecalloc(1, sizeof *rt);

	rec_init(&rt->out);
	return rt;
}

void
retail_free(struct retail *rt)
{
	names_free(&rt->names);
	rec_free(&rt->out);
	free(rt->rest);
	free(rt);
}

/*
 * Where each known column is in r, and which of r's fields are passed on
 * after the known ones: all but those the output's first columns are
 * made of (item, price, and of the date's candidates the first the
 * layout has, whether or not a record's is blank, so that every record
 * of a layout has the same columns).  Cached per layout.
 */
static void
index_fields(struct retail *rt, const struct rec *r,
    const char *const *names)
{
	int kof, first_date = -1;

	if (r->layout != 0 && r->layout == rt->layout)
		return;
	for (int k = 0; k < C_KNOWN; k++)
		rt->at[k] = -1;
	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < C_KNOWN; k++)
			if (rt->at[k] < 0 && strcmp(names[i], known[k]) == 0) {
				rt->at[k] = (int)i;
				break;
			}
	for (int k = C_ORDER_DATE; k <= C_EVENT_TIME && first_date < 0; k++)
		if ((k == C_ORDER_DATE || k >= C_DATE) && rt->at[k] >= 0)
			first_date = k;
	rt->nrest = 0;
	for (size_t i = 0; i < r->n; i++) {
		for (kof = 0; kof < C_KNOWN && rt->at[kof] != (int)i; kof++)
			;
		if (kof <= C_AMOUNT || kof == C_ITEM || kof == C_PRICE ||
		    kof == first_date)
			continue;
		if (rt->nrest == rt->caprest) {
			rt->caprest = rt->caprest ? rt->caprest * 2 : 16;
			rt->rest = erealloc(rt->rest, rt->caprest *
			    sizeof *rt->rest);
		}
		rt->rest[rt->nrest++] = i;
	}
	rt->layout = r->layout;
	/* Same input names, same output names: one layout for both. */
	rt->out_layout = r->layout != 0 ? rec_layout_new() : 0;
}

static const struct val *
field(const struct retail *rt, const struct rec *r, int k)
{
	return rt->at[k] >= 0 ? &r->f[rt->at[k]].v : NULL;
}

/* Present: there, not null, not blank. */
static int
present(const struct val *v)
{
	const char *p;
	size_t n;

	if (val_is_null(v))
		return 0;
	if (v->type != VAL_STR && v->type != VAL_TEXT)
		return 1;
	p = v->u.s.p;
	n = v->u.s.n;
	text_trim(&p, &n);
	return n > 0;
}

/* A short rendering of a value for messages. */
static const char *
shown(const struct val *v, char *buf, size_t size)
{
	struct buf scratch = { 0 };
	size_t n;
	const char *s = val_to_text(v, &scratch, &n);

	snprintf(buf, size, "\"%.*s\"", (int)(n > 40 ? 40 : n), s);
	buf_free(&scratch);
	return buf;
}

/* Is date the text the last date was read from? */
static int
same_date(const struct retail *rt, const struct val *date)
{
	return (date->type == VAL_TEXT || date->type == VAL_STR) &&
	    date->u.s.n == rt->last_n && rt->last_n > 0 &&
	    memcmp(date->u.s.p, rt->last_in, rt->last_n) == 0;
}

/* The day of us, as written, kept for date (when its text is short). */
static void
keep_date(struct retail *rt, const struct val *date, int64_t us)
{
	rt->last_dayn = ts_format_date(rt->last_day, us);
	rt->last_n = 0;
	if ((date->type == VAL_TEXT || date->type == VAL_STR) &&
	    date->u.s.n <= sizeof rt->last_in) {
		memcpy(rt->last_in, date->u.s.p, date->u.s.n);
		rt->last_n = date->u.s.n;
	}
}

void
retail_each(struct filter *f, struct rec *r, void *ctx)
{
	struct retail *rt = ctx;
	const char *const *names = names_of(&rt->names, r);
	const struct val *prod, *date = NULL, *amount, *qty, *price;
	struct rej_reason why[2];
	size_t nwhy = 0;
	int64_t us, cents = 0;
	char tmp[64];
	int date_from = -1;
	struct rec *o = &rt->out;

	index_fields(rt, r, names);
	/* The date: the first present candidate decides. */
	for (int k = C_ORDER_DATE; k <= C_EVENT_TIME; k++) {
		if (k != C_ORDER_DATE && k < C_DATE)
			continue;
		if (present(field(rt, r, k))) {
			date = field(rt, r, k);
			date_from = k;
			break;
		}
	}
	if (date == NULL) {
		why[nwhy++] = (struct rej_reason){ "order_date", "no date in "
		    "order_date, date, order_time, timestamp or event_time",
		    known[C_ORDER_DATE] };
	} else if (same_date(rt, date)) {
		;	/* rt->last_day */
	} else if (val_to_time(date, &us) < 0) {
		snprintf(rt->msg[0], sizeof rt->msg[0], "%s %s is not a date",
		    known[date_from], shown(date, tmp, sizeof tmp));
		why[nwhy++] = (struct rej_reason){ "order_date", rt->msg[0],
		    known[date_from] };
	}
	/* The amount: as given, else quantity * price, else nothing. */
	amount = field(rt, r, C_AMOUNT);
	qty = field(rt, r, C_QUANTITY);
	price = present(field(rt, r, C_UNIT_PRICE)) ?
	    field(rt, r, C_UNIT_PRICE) : field(rt, r, C_PRICE);
	if (present(amount) && val_to_decimal(amount, 2, &cents) == 0) {
		;	/* kept */
	} else {
		int64_t q, p, prod_;

		/* Exact: both to 4 decimals, the product to the cent. */
		if (present(qty) && present(price) &&
		    val_to_decimal(qty, 4, &q) == 0 &&
		    val_to_decimal(price, 4, &p) == 0 &&
		    !__builtin_mul_overflow(q, p, &prod_)) {
			cents = (prod_ + (prod_ < 0 ? -500000 : 500000)) /
			    1000000;
		} else {
			snprintf(rt->msg[1], sizeof rt->msg[1], "amount %s, "
			    "and quantity * %s cannot stand in for it",
			    present(amount) ? "is not a number" : "is missing",
			    price == field(rt, r, C_PRICE) &&
			    present(price) ? "price" : "unit_price");
			why[nwhy++] = (struct rej_reason){ "amount",
			    rt->msg[1], known[C_AMOUNT] };
		}
	}
	if (nwhy > 0) {
		filter_reject(f, r, why, nwhy);
		return;
	}

	rec_clear(o);
	o->src = r->src;
	o->line = r->line;
	rec_add(o, known[C_ORDER_ID], field(rt, r, C_ORDER_ID) ?
	    *field(rt, r, C_ORDER_ID) : val_null());
	if (!same_date(rt, date))
		keep_date(rt, date, us);
	rec_add(o, known[C_ORDER_DATE], val_plain(rec_strdup(o, rt->last_day,
	    rt->last_dayn), rt->last_dayn));
	rec_add(o, known[C_STORE_ID], field(rt, r, C_STORE_ID) ?
	    *field(rt, r, C_STORE_ID) : val_null());
	rec_add(o, known[C_STORE_CITY], field(rt, r, C_STORE_CITY) ?
	    *field(rt, r, C_STORE_CITY) : val_null());
	prod = present(field(rt, r, C_PRODUCT)) ? field(rt, r, C_PRODUCT) :
	    present(field(rt, r, C_ITEM)) ? field(rt, r, C_ITEM) : NULL;
	if (prod == NULL) {
		rec_add(o, known[C_PRODUCT], val_plain("UNKNOWN", 7));
	} else if (prod->type == VAL_STR || prod->type == VAL_TEXT) {
		const char *tp = prod->u.s.p;
		size_t tn = prod->u.s.n;

		text_trim(&tp, &tn);
		/* Borrowed as it is when there was nothing to trim. */
		rec_add(o, known[C_PRODUCT], tn == prod->u.s.n ? *prod :
		    val_str(rec_strdup(o, tp, tn), tn));
	} else {
		rec_add(o, known[C_PRODUCT], *prod);
	}
	rec_add(o, known[C_QUANTITY], qty ? *qty : val_null());
	rec_add(o, known[C_UNIT_PRICE], field(rt, r, C_UNIT_PRICE) ?
	    *field(rt, r, C_UNIT_PRICE) : val_null());
	rec_add(o, known[C_AMOUNT], val_dec(cents, 2));
	/* Then every other column the input had (index_fields). */
	for (size_t k = 0; k < rt->nrest; k++)
		rec_add(o, names[rt->rest[k]], r->f[rt->rest[k]].v);
	/* Every output of a layout has the same columns. */
	o->layout = rt->out_layout;
	if (filter_keep(f, o))
		filter_put(f, o);
}
