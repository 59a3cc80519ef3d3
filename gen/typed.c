/*
 * typed.c - values in the type a field declares: a schema file's JSON as a
 * value, and a value made the field's type (a decimal with its scale, a
 * date from a time...) where it is not already (to_type() in gen_impl.h
 * takes the common cases itself).
 */
#include "gen_impl.h"

#include "buf.h"
#include "ts.h"

struct val
json_val(const json_t *j)
{
	struct val v = val_from_json(j);

	if (v.type == VAL_STR && val_is_plain_text(v.u.s.p, v.u.s.n))
		v.scale = VAL_PLAIN;
	return v;
}

struct val
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
