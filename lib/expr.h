/*
 * expr.h - expressions over a record's fields, as schema files write them
 * ("quantity * unit_price", "city || '|' || channel", "round(x, 2)").
 *
 *   literals     12  -3.5  'text'  "text"  true  false  null
 *   names        amount  products.min_price  `odd name`
 *   operators    by precedence, tightest first: - (unary); * / %; + -;
 *                ||; == != < <= > >=; not; and; or  (not a == b is
 *                not (a == b), as in SQL)
 *   functions    round(x[, n]) abs(x) min(a, b) max(a, b) concat(a, ...)
 *                lower(s) upper(s) trim(s) len(s) coalesce(a, ...)
 *                if(c, a, b) lookup('table', key[, default]) date(t)
 *                hour(t) weekday(t) (0 = Monday)
 *
 * Arithmetic is exact where it can be: integers stay integers, decimals
 * (12.50) stay decimals with their scale through + - * while they fit in
 * 18 digits, round() gives a decimal; a double anywhere, or an overflow,
 * makes a double; / gives a double.  Text that spells a number is that
 * number.  Arithmetic and functions give null for null, except concat()
 * and coalesce(), which skip nulls; conditions take null as false, and ==
 * treats null as a value (null == null).  A NaN equals nothing.
 * Expressions nest at most 200 deep.
 */
#ifndef SLUICE_EXPR_H
#define SLUICE_EXPR_H

#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "val.h"

struct expr;

/* How compile finds what names and lookup tables mean. */
struct expr_env {
	/* The variable index of name, or -1 when there is no such name. */
	int (*resolve)(void *ctx, const char *name);
	/* The lookup table called name (a JSON object), or NULL. */
	const json_t *(*table)(void *ctx, const char *name);
	void *ctx;
};

/*
 * Compile text.  Returns NULL with a message in err (with the column) for
 * a syntax error, an unknown name, function or table, or a wrong number
 * of arguments.
 */
struct expr *expr_compile(const char *text, const struct expr_env *env,
    char *err, size_t errlen);

/*
 * Evaluate with vars[i] the value of variable i.  Strings the result needs
 * are made in mem.  Returns 0, or -1 with *err set (a static message) when
 * an operand is not a number, a division is by zero, and the like.
 */
int expr_eval(const struct expr *e, const struct val *vars,
    struct arena *mem, struct val *out, const char **err);

/* If the expression is only a name, its variable index; else -1. */
int expr_var(const struct expr *e);

/* Does the expression use variable i?  (To check definition order.) */
int expr_uses(const struct expr *e, int var);

void expr_free(struct expr *e);

/*
 * The names an expression reads where every name is a variable (a
 * field, as --where's are): variable i is name[i], numbered in the order
 * the names are first read.  Zeroed is empty.
 */
struct expr_names {
	char **name;		/* copies */
	size_t n, cap;
};

/* The variable index of name, added if new: a resolve for such names. */
int expr_names_add(struct expr_names *nm, const char *name);

void expr_names_free(struct expr_names *nm);

#endif
