/*
 * json-diff.c - the JSON fast path against jansson (lib/jsonl_read.c).
 * Each line of the input is read as a message (rd_message(), as from
 * Kafka; a file's lines go through the same jsonl_parse()) twice: with
 * the flat-object path on, and with it off so jansson reads every line.
 * jsonl_read.c promises the two accept the same lines with the same
 * values; any difference aborts.
 *
 * What is compared, and why not more:
 * - Accept or reject, and the reason when both reject.  The flat path
 *   never rejects a line itself: whatever it does not take (nesting,
 *   \u escapes, a repeated key, more than 256 keys, an integer beyond
 *   64 bits, anything malformed) it leaves to jansson, so the reasons
 *   come from jansson on both sides and must be equal.
 * - When both accept: the same keys in the same order, and each value's
 *   type and value exactly (doubles bit for bit, strings byte for byte).
 *   A value from jansson that is an array or object (VAL_JSON) is
 *   compared with json_equal(); the flat path never makes one.
 * And what JSON allows: a line either path accepts has no raw control
 * character outside its strings but blank space (RFC 8259 section 2;
 * jansson's lexer took `{"v": 123<NUL>}`).
 * Known, intended differences, left out: none at the level of records.
 * The one difference of the two parsers -- jansson reads an integer
 * beyond 64 bits as an error, the reader keeps its digits as a string
 * (quote_big_integers) -- is applied after jansson on both sides alike.
 */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "reader_impl.h"

static struct reader *rd_fast, *rd_slow;

int
fuzz_setup(void)
{
	rd_fast = rd_open_messages("fast");
	rd_slow = rd_open_messages("jansson");
	return 0;
}

/* Is value a the same as value b, exactly? */
static int
same_val(const struct val *a, const struct val *b)
{
	if (a->type != b->type || a->scale != b->scale)
		return 0;
	switch (a->type) {
	case VAL_NULL:
		return 1;
	case VAL_BOOL:
		return a->u.b == b->u.b;
	case VAL_INT:
	case VAL_DEC:
		return a->u.i == b->u.i;
	case VAL_DOUBLE:
		return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
	case VAL_STR:
	case VAL_TEXT:
		return a->u.s.n == b->u.s.n &&
		    memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
	case VAL_JSON:
		return json_equal(a->u.j, b->u.j);
	}
	return 0;
}

static int
same_rec(enum rd_status sa, const struct rec *a, enum rd_status sb,
    const struct rec *b)
{
	if (sa != sb)
		return 0;
	if (sa == RD_BAD)
		return strcmp(a->err, b->err) == 0;
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].name, b->f[i].name) != 0 ||
		    !same_val(&a->f[i].v, &b->f[i].v))
			return 0;
	return 1;
}

/* Is there a raw control character outside the strings of p[0..n)? */
static int
control_outside_strings(const char *p, size_t n)
{
	int in_string = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (in_string && c == '\\')
			i++;
		else if (c == '"')
			in_string = !in_string;
		else if (!in_string && c < 0x20 && c != '\t' &&
		    c != '\n' && c != '\r')
			return 1;
	}
	return 0;
}

static void
line(const char *p, size_t n)
{
	struct rec *a, *b;
	enum rd_status sa, sb;

	jsonl_read_fast = 1;
	sa = rd_message(rd_fast, p, n, "fast", 1, &a);
	jsonl_read_fast = 0;
	sb = rd_message(rd_slow, p, n, "jansson", 1, &b);
	if (!same_rec(sa, a, sb, b)) {
		struct buf da = { 0 }, db = { 0 }, scratch = { 0 };
		struct buf *d[2] = { &da, &db };
		const struct rec *r[2] = { a, b };
		enum rd_status s[2] = { sa, sb };

		for (int k = 0; k < 2; k++) {
			if (s[k] == RD_BAD)
				buf_printf(d[k], "BAD(%s)", r[k]->err);
			for (size_t i = 0; s[k] == RD_OK && i < r[k]->n; i++) {
				size_t tn;
				const char *t = val_to_text(&r[k]->f[i].v,
				    &scratch, &tn);

				buf_printf(d[k], "%s:%s=", r[k]->f[i].name,
				    val_type_name(r[k]->f[i].v.type));
				buf_add(d[k], t, tn);
				if (r[k]->f[i].v.type == VAL_DOUBLE)
					buf_printf(d[k], "(%a)",
					    r[k]->f[i].v.u.d);
				buf_addc(d[k], ' ');
			}
		}
		fuzz_fail("the fast path and jansson disagree (fast, then "
		    "jansson)", da.p, da.n, db.p, db.n);
	}
	if (sa == RD_OK && control_outside_strings(p, n))
		fuzz_fail("a line with a raw control character outside its "
		    "strings accepted (the line, twice)", p, n, p, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *e = p + size;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);

		line(p, n);
		p += n + 1;
	}
	return 0;
}
