/* Unit tests: lib/expr.c */
#include "../tap.h"
#include "expr.h"

static const char *names[] = { "quantity", "unit_price", "city", "channel",
    "products.min_price", "nothing", "price_d", "when", "text_num", NULL };
static json_t *tables;

static int
resolve(void *ctx, const char *name)
{
	(void)ctx;
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static const json_t *
table(void *ctx, const char *name)
{
	(void)ctx;
	return json_object_get(tables, name);
}

static struct val vars[9];

/* Evaluate text; describe the result as "type:text" or "ERR:message". */
static const char *
ev(const char *text)
{
	static char out[256];
	struct expr_env env = { resolve, table, NULL };
	char err[200];
	struct expr *e = expr_compile(text, &env, err, sizeof err);
	struct arena mem = { 0 };
	struct buf scratch = { 0 };
	struct val v;
	const char *msg;
	size_t n;

	if (e == NULL) {
		snprintf(out, sizeof out, "COMPILE:%s", err);
		return out;
	}
	if (expr_eval(e, vars, &mem, &v, &msg) < 0) {
		snprintf(out, sizeof out, "ERR:%s", msg);
	} else {
		const char *s = val_to_text(&v, &scratch, &n);

		snprintf(out, sizeof out, "%s:%.*s", val_type_name(v.type),
		    (int)n, s);
	}
	buf_free(&scratch);
	arena_free(&mem);
	expr_free(e);
	return out;
}

#define EV(text, want) is_str(ev(text), want, "%s", text)

/* Every name a variable, as --where has them. */
static int
name_var(void *ctx, const char *name)
{
	return expr_names_add(ctx, name);
}

/* Names numbered as first read (expr_names_add). */
static void
test_names(void)
{
	struct expr_names nm = { 0 };
	struct expr_env env = { name_var, table, &nm };
	char err[200], many[32];
	struct expr *e = expr_compile("b + a * b - c", &env, err, sizeof err);
	int grew = 1;

	ok(e != NULL && nm.n == 3 && strcmp(nm.name[0], "b") == 0 &&
	    strcmp(nm.name[1], "a") == 0 && strcmp(nm.name[2], "c") == 0,
	    "names: each once, in the order first read");
	ok(e != NULL && expr_uses(e, 0) && expr_uses(e, 2),
	    "names: their indexes are the expression's variables");
	expr_free(e);
	for (int i = 0; i < 100; i++) {
		snprintf(many, sizeof many, "f%d", i);
		grew &= expr_names_add(&nm, many) == 3 + i;
	}
	ok(grew && nm.n == 103 && expr_names_add(&nm, "a") == 1,
	    "names: the list grows, an old name keeps its index");
	expr_names_free(&nm);
	ok(nm.n == 0 && nm.name == NULL, "names: freed is empty again");
}

int
main(void)
{
	tables = json_pack("{s:{s:s,s:s},s:{s:i}}", "city_state",
	    "Austin", "TX", "Chennai", "TN", "n", "a", 1);
	vars[0] = val_text("3", 1);
	vars[1] = val_dec(1234, 2);		/* 12.34 */
	vars[2] = val_str("Austin", 6);
	vars[3] = val_str("POS", 3);
	vars[4] = val_dec(2000, 2);
	vars[5] = val_null();
	vars[6] = val_double(0.1);
	vars[7] = val_str("2025-01-15T10:30:00Z", 20);
	vars[8] = val_text("12.50", 5);

	EV("1 + 2 * 3", "int:7");
	EV("(1 + 2) * 3", "int:9");
	EV("-2 * -3", "int:6");
	EV("7 % 3", "int:1");
	EV("7 / 2", "float:3.5");
	EV("quantity * unit_price", "decimal:37.02");
	EV("unit_price * unit_price", "decimal:152.2756");
	EV("round(unit_price * 1.5, 2)", "decimal:18.51");
	EV("unit_price + 0.005", "decimal:12.345");
	EV("unit_price - 20", "decimal:-7.66");
	EV("text_num * 2", "decimal:25.00");
	EV("price_d * 3", "float:0.30000000000000004");
	EV("round(price_d * 3, 2)", "decimal:0.30");
	EV("round(2.675, 2)", "decimal:2.68");
	EV("round(-2.5)", "int:-3");
	EV("round(quantity)", "int:3");
	EV("12.50", "decimal:12.50");
	EV("1e3", "float:1000");
	EV("9223372036854775807 + 1", "float:9.223372036854776e+18");
	EV("city || '|' || channel", "string:Austin|POS");
	EV("concat(city, nothing, '-', quantity)", "string:Austin-3");
	EV("city || nothing", "null:");
	EV("nothing + 1", "null:");
	EV("coalesce(nothing, 'dflt')", "string:dflt");
	EV("'it''s'", "string:it's");
	EV("'back\\\\slash'", "string:back\\slash");
	EV("abs()", "COMPILE:column 1: abs() takes 1 argument, not 0");
	EV("\"dq\"", "string:dq");
	EV("lower('MiXed') || upper('MiXed')", "string:mixedMIXED");
	EV("trim('  x  ')", "string:x");
	EV("len('caf\xc3\xa9')", "int:4");
	EV("abs(-unit_price)", "decimal:12.34");
	EV("min(quantity, 2)", "int:2");
	EV("max(unit_price, products.min_price)", "decimal:20.00");
	EV("if(quantity > 2, 'many', 'few')", "string:many");
	EV("quantity == 3 and city == 'Austin'", "bool:true");
	EV("quantity == 3 and not (city != 'Austin')", "bool:true");
	EV("quantity < 2 or channel == 'ATM'", "bool:false");
	EV("unit_price >= 12.34", "bool:true");
	EV("unit_price > 12.339", "bool:true");
	EV("nothing == null", "bool:true");
	EV("nothing == 0", "bool:false");
	EV("'b' > 'a'", "bool:true");
	EV("lookup('city_state', city)", "string:TX");
	EV("lookup('city_state', 'Nowhere', 'XX')", "string:XX");
	EV("lookup('city_state', 'Nowhere')", "null:");
	EV("lookup('n', 'a') + 1", "int:2");
	EV("date(when)", "string:2025-01-15");
	EV("hour(when)", "int:10");
	EV("weekday(when)", "int:2");
	EV("`city`", "string:Austin");

	/* not binds looser than comparisons (as in SQL). */
	EV("not city == 'Austin'", "bool:false");
	EV("not quantity > 5 and city == 'Austin'", "bool:true");
	EV("not not true", "bool:true");
	/* The edges of 64-bit integers. */
	EV("-9223372036854775807 - 1", "int:-9223372036854775808");
	EV("-(-9223372036854775807 - 1)", "float:9.223372036854776e+18");
	EV("abs(-9223372036854775807 - 1)", "float:9.223372036854776e+18");
	EV("(-9223372036854775807 - 1) % -1", "int:0");
	EV("9223372036854775807 * 2", "float:1.8446744073709552e+19");
	/* NaN equals nothing. */
	EV("(1e308 * 10 - 1e308 * 10) == 5", "bool:false");
	EV("(1e308 * 10 - 1e308 * 10) != (1e308 * 10 - 1e308 * 10)", "bool:true");
	EV("round(5, 2)", "decimal:5.00");
	EV("round(5)", "int:5");

	EV("city * 2", "ERR:not a number");
	EV("1 / 0", "ERR:division by zero");
	EV("5 % 0", "ERR:division by zero");
	EV("1.5 % 2", "ERR:% takes integers");
	EV("date('nope')", "ERR:not a time");
	EV("1 +", "COMPILE:column 4: unexpected end");
	EV("(1 + 2", "COMPILE:column 7: expected ')'");
	EV("qty * 2", "COMPILE:column 1: unknown name \"qty\"");
	EV("rnd(1)", "COMPILE:column 1: unknown function \"rnd\"");
	EV("round()", "COMPILE:column 1: round() takes 1 to 2 arguments, not 0");
	EV("lookup('none', 1)", "COMPILE:column 1: no lookup table \"none\"");
	EV("'open", "COMPILE:column 6: unterminated string");
	EV("1 2", "COMPILE:column 3: unexpected '2'");
	EV("1 < 2 < 3", "COMPILE:column 7: unexpected '<'");
	/* Nesting has a limit, parsing and evaluating stay bounded. */
	{
		char deep[2000], chain[3000];
		size_t k = 0;

		for (int i = 0; i < 300; i++)
			deep[k++] = '(';
		deep[k++] = '1';
		for (int i = 0; i < 300; i++)
			deep[k++] = ')';
		deep[k] = '\0';
		EV(deep, "COMPILE:column 202: expression nested deeper than 200");
		k = 0;
		for (int i = 0; i < 500; i++) {
			chain[k++] = '1';
			chain[k++] = '+';
		}
		chain[k++] = '1';
		chain[k] = '\0';
		ok(strncmp(ev(chain), "COMPILE:", 8) == 0 &&
		    strstr(ev(chain), "nested deeper than 200") != NULL,
		    "a 501-term sum is refused, not evaluated recursively");
		memset(deep, '-', 300);
		strcpy(deep + 300, "1");
		ok(strstr(ev(deep), "nested deeper than 200") != NULL,
		    "300 unary minuses too");
	}
	test_names();
	json_decref(tables);
	return done_testing();
}
