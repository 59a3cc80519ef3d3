#include "expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "diag.h"
#include "num.h"
#include "ts.h"

enum op {
	E_CONST, E_VAR, E_NEG, E_NOT, E_MUL, E_DIV, E_MOD, E_ADD, E_SUB,
	E_CAT, E_EQ, E_NE, E_LT, E_LE, E_GT, E_GE, E_AND, E_OR, E_CALL
};

enum fn {
	F_ROUND, F_ABS, F_MIN, F_MAX, F_CONCAT, F_LOWER, F_UPPER, F_TRIM,
	F_LEN, F_COALESCE, F_IF, F_LOOKUP, F_DATE, F_HOUR, F_WEEKDAY
};

static const struct {
	const char *name;
	int min, max;		/* arguments; max -1 for any number */
} fns[] = {
	[F_ROUND] = { "round", 1, 2 }, [F_ABS] = { "abs", 1, 1 },
	[F_MIN] = { "min", 2, 2 }, [F_MAX] = { "max", 2, 2 },
	[F_CONCAT] = { "concat", 1, -1 }, [F_LOWER] = { "lower", 1, 1 },
	[F_UPPER] = { "upper", 1, 1 }, [F_TRIM] = { "trim", 1, 1 },
	[F_LEN] = { "len", 1, 1 }, [F_COALESCE] = { "coalesce", 1, -1 },
	[F_IF] = { "if", 3, 3 }, [F_LOOKUP] = { "lookup", 2, 3 },
	[F_DATE] = { "date", 1, 1 }, [F_HOUR] = { "hour", 1, 1 },
	[F_WEEKDAY] = { "weekday", 1, 1 },
};

/* Deeper expressions are refused: evaluation recurses. */
enum { EXPR_MAX_DEPTH = 200 };

struct node {
	enum op op;
	int depth;		/* of the tree below, this node included */
	enum fn fn;		/* E_CALL */
	int var;		/* E_VAR */
	struct val k;		/* E_CONST */
	const json_t *table;	/* lookup() */
	int nargs;
	struct node **args;	/* operands or arguments */
};

struct expr {
	struct node *root;
	struct arena mem;	/* nodes and constant strings */
};

/* --- Parsing --------------------------------------------------------- */

struct parser {
	int nest;		/* parentheses and calls open */
	const char *text, *p;
	const struct expr_env *env;
	struct expr *e;
	char *err;
	size_t errlen;
	int failed;
};

__attribute__((format(printf, 2, 3))) static void
fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = 1;
	n = snprintf(ps->err, ps->errlen, "column %d: ",
	    (int)(ps->p - ps->text) + 1);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void
skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n')
		ps->p++;
}

/* Take the token s if it comes next (a word must end there). */
static int
accept(struct parser *ps, const char *s)
{
	size_t n = strlen(s);

	skip_space(ps);
	if (strncmp(ps->p, s, n) != 0)
		return 0;
	if ((s[0] >= 'a' && s[0] <= 'z') &&
	    (ps->p[n] == '_' || (ps->p[n] >= 'a' && ps->p[n] <= 'z') ||
	    (ps->p[n] >= 'A' && ps->p[n] <= 'Z') ||
	    (ps->p[n] >= '0' && ps->p[n] <= '9')))
		return 0;
	ps->p += n;
	return 1;
}

static struct node *
node(struct parser *ps, enum op op, int nargs)
{
	struct node *n = arena_alloc(&ps->e->mem, sizeof *n);

	memset(n, 0, sizeof *n);
	n->op = op;
	n->nargs = nargs;
	if (nargs > 0)
		n->args = arena_alloc(&ps->e->mem, (size_t)nargs *
		    sizeof *n->args);
	return n;
}

static struct node *binary(struct parser *ps, int level);

/* Record n's depth, refusing trees evaluation could not walk. */
static struct node *
deep(struct parser *ps, struct node *n)
{
	n->depth = 1;
	for (int i = 0; i < n->nargs; i++)
		if (n->args[i] != NULL && n->args[i]->depth + 1 > n->depth)
			n->depth = n->args[i]->depth + 1;
	if (n->depth > EXPR_MAX_DEPTH)
		fail(ps, "expression nested deeper than %d", EXPR_MAX_DEPTH);
	return n;
}

static int
is_ident_char(char c, int first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (!first && c >= '0' && c <= '9');
}

static struct node *
primary(struct parser *ps)
{
	struct node *n;
	const char *start;

	skip_space(ps);
	start = ps->p;
	if (accept(ps, "(")) {
		if (++ps->nest > EXPR_MAX_DEPTH) {
			fail(ps, "expression nested deeper than %d",
			    EXPR_MAX_DEPTH);
			return node(ps, E_CONST, 0);
		}
		n = binary(ps, 0);
		ps->nest--;
		if (!accept(ps, ")"))
			fail(ps, "expected ')'");
		return n;
	}
	if (*ps->p == '\'' || *ps->p == '"') {
		char q = *ps->p++;
		struct buf b = { 0 };

		for (;; ps->p++) {
			if (*ps->p == '\0') {
				fail(ps, "unterminated string");
				buf_free(&b);
				return node(ps, E_CONST, 0);
			}
			/* A quote is doubled inside, as in SQL. */
			if (*ps->p == q && ps->p[1] != q)
				break;
			if (*ps->p == q || (*ps->p == '\\' && ps->p[1] != '\0'))
				ps->p++;
			buf_addc(&b, *ps->p);
		}
		ps->p++;
		n = node(ps, E_CONST, 0);
		n->k = val_str(arena_strndup(&ps->e->mem, b.p ? b.p : "", b.n),
		    b.n);
		buf_free(&b);
		return n;
	}
	if ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.') {
		const char *s = ps->p;
		int64_t i;
		double d;

		while ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.')
			ps->p++;
		if ((*ps->p == 'e' || *ps->p == 'E')) {
			ps->p++;
			if (*ps->p == '+' || *ps->p == '-')
				ps->p++;
			while (*ps->p >= '0' && *ps->p <= '9')
				ps->p++;
		}
		n = node(ps, E_CONST, 0);
		if (num_parse_int(s, (size_t)(ps->p - s), &i) == 0) {
			n->k = val_int(i);
		} else if (num_parse_double(s, (size_t)(ps->p - s), &d) == 0) {
			/* 12.50 is the decimal 12.50, as money is written. */
			const char *dot = memchr(s, '.', (size_t)(ps->p - s));
			int scale = dot ? (int)(ps->p - dot - 1) : 0;
			int64_t scaled;

			if (dot && scale <= 9 && memchr(s, 'e',
			    (size_t)(ps->p - s)) == NULL &&
			    memchr(s, 'E', (size_t)(ps->p - s)) == NULL &&
			    num_parse_decimal(s, (size_t)(ps->p - s), scale,
			    &scaled) == 0)
				n->k = val_dec(scaled, scale);
			else
				n->k = val_double(d);
		} else {
			ps->p = s;
			fail(ps, "bad number");
		}
		return n;
	}
	if (accept(ps, "true") || accept(ps, "false")) {
		n = node(ps, E_CONST, 0);
		n->k = val_bool(start[0] == 't');
		return n;
	}
	if (accept(ps, "null"))
		return node(ps, E_CONST, 0);
	if (*ps->p == '`' || is_ident_char(*ps->p, 1)) {
		struct buf name = { 0 };
		int var;

		if (*ps->p == '`') {
			const char *end = strchr(ps->p + 1, '`');

			if (end == NULL) {
				fail(ps, "unterminated `name`");
				return node(ps, E_CONST, 0);
			}
			buf_add(&name, ps->p + 1, (size_t)(end - ps->p - 1));
			ps->p = end + 1;
		} else {
			while (is_ident_char(*ps->p, 0) || (*ps->p == '.' &&
			    is_ident_char(ps->p[1], 1)))
				buf_addc(&name, *ps->p++);
		}
		buf_cstr(&name);
		skip_space(ps);
		if (*ps->p == '(') {
			size_t f;
			struct node *args[32];
			int na = 0;

			for (f = 0; f < sizeof fns / sizeof fns[0]; f++)
				if (strcmp(fns[f].name, name.p) == 0)
					break;
			if (f == sizeof fns / sizeof fns[0]) {
				ps->p = start;
				fail(ps, "unknown function \"%s\"", name.p);
				buf_free(&name);
				return node(ps, E_CONST, 0);
			}
			ps->p++;
			if (++ps->nest > EXPR_MAX_DEPTH)
				fail(ps, "expression nested deeper than %d",
				    EXPR_MAX_DEPTH);
			if (!ps->failed && !accept(ps, ")")) {
				do {
					if (na == 32) {
						fail(ps, "too many arguments");
						break;
					}
					args[na++] = binary(ps, 0);
				} while (!ps->failed && accept(ps, ","));
				if (!accept(ps, ")"))
					fail(ps, "expected ',' or ')'");
			}
			ps->nest--;
			if (na < fns[f].min || (fns[f].max >= 0 &&
			    na > fns[f].max)) {
				ps->p = start;
				char range[32];

				if (fns[f].max < 0)
					snprintf(range, sizeof range, "%d or more",
					    fns[f].min);
				else if (fns[f].max > fns[f].min)
					snprintf(range, sizeof range, "%d to %d",
					    fns[f].min, fns[f].max);
				else
					snprintf(range, sizeof range, "%d",
					    fns[f].min);
				fail(ps, "%s() takes %s argument%s, not %d",
				    fns[f].name, range, fns[f].max == 1 ? "" :
				    "s", na);
			}
			n = node(ps, E_CALL, na);
			n->fn = (enum fn)f;
			if (na > 0)
				memcpy(n->args, args, (size_t)na * sizeof *args);
			deep(ps, n);
			if (f == F_LOOKUP && !ps->failed) {
				if (args[0]->op != E_CONST ||
				    args[0]->k.type != VAL_STR) {
					ps->p = start;
					fail(ps, "lookup() takes a table name "
					    "in quotes first");
				} else if (ps->env->table == NULL ||
				    (n->table = ps->env->table(ps->env->ctx,
				    args[0]->k.u.s.p)) == NULL) {
					ps->p = start;
					fail(ps, "no lookup table \"%s\"",
					    args[0]->k.u.s.p);
				}
			}
			buf_free(&name);
			return n;
		}
		var = ps->env->resolve(ps->env->ctx, name.p);
		if (var < 0) {
			ps->p = start;
			fail(ps, "unknown name \"%s\"", name.p);
		}
		n = node(ps, E_VAR, 0);
		n->var = var;
		buf_free(&name);
		return n;
	}
	if (*ps->p)
		fail(ps, "unexpected '%c'", *ps->p);
	else
		fail(ps, "unexpected end");
	return node(ps, E_CONST, 0);
}

static struct node *
unary(struct parser *ps)
{
	struct node *n;

	if (accept(ps, "-")) {
		if (++ps->nest > EXPR_MAX_DEPTH) {
			fail(ps, "expression nested deeper than %d",
			    EXPR_MAX_DEPTH);
			return node(ps, E_CONST, 0);
		}
		n = node(ps, E_NEG, 1);
		n->args[0] = unary(ps);
		ps->nest--;
		return deep(ps, n);
	}
	return primary(ps);
}

/* Binary operators by precedence level, loosest first. */
static const struct {
	const char *tok;
	enum op op;
	int level;
} binops[] = {
	{ "or", E_OR, 0 }, { "and", E_AND, 1 },
	{ "==", E_EQ, 2 }, { "!=", E_NE, 2 }, { "<=", E_LE, 2 },
	{ ">=", E_GE, 2 }, { "<", E_LT, 2 }, { ">", E_GT, 2 },
	{ "||", E_CAT, 3 }, { "+", E_ADD, 4 }, { "-", E_SUB, 4 },
	{ "*", E_MUL, 5 }, { "/", E_DIV, 5 }, { "%", E_MOD, 5 },
};

static struct node *
binary(struct parser *ps, int level)
{
	struct node *left;

	if (level > 5)
		return unary(ps);
	/* not binds looser than comparisons, tighter than and (as in SQL):
	   not a == b is not (a == b). */
	if (level == 2 && accept(ps, "not")) {
		struct node *n;

		if (++ps->nest > EXPR_MAX_DEPTH) {
			fail(ps, "expression nested deeper than %d",
			    EXPR_MAX_DEPTH);
			return node(ps, E_CONST, 0);
		}
		n = node(ps, E_NOT, 1);
		n->args[0] = binary(ps, 2);
		ps->nest--;
		return deep(ps, n);
	}
	left = binary(ps, level + 1);
	for (;;) {
		size_t k;
		struct node *n;

		for (k = 0; k < sizeof binops / sizeof binops[0]; k++)
			if (binops[k].level == level && accept(ps, binops[k].tok))
				break;
		if (k == sizeof binops / sizeof binops[0] || ps->failed)
			return left;
		n = node(ps, binops[k].op, 2);
		n->args[0] = left;
		/* Comparisons do not chain: a < b < c is a mistake. */
		n->args[1] = binary(ps, level + 1);
		left = deep(ps, n);
		if (ps->failed)
			return left;
		if (level == 2)
			return left;
	}
}

struct expr *
expr_compile(const char *text, const struct expr_env *env, char *err,
    size_t errlen)
{
	struct parser ps = { .text = text, .p = text, .env = env,
	    .err = err, .errlen = errlen };

	ps.e = ecalloc(1, sizeof *ps.e);
	ps.e->root = binary(&ps, 0);
	skip_space(&ps);
	if (!ps.failed && ps.e->root->depth > EXPR_MAX_DEPTH)
		fail(&ps, "expression nested deeper than %d", EXPR_MAX_DEPTH);
	if (!ps.failed && *ps.p != '\0')
		fail(&ps, "unexpected '%c'", *ps.p);
	if (ps.failed) {
		expr_free(ps.e);
		return NULL;
	}
	return ps.e;
}

void
expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	arena_free(&e->mem);
	free(e);
}

static int
uses(const struct node *n, int var)
{
	if (n->op == E_VAR && n->var == var)
		return 1;
	for (int i = 0; i < n->nargs; i++)
		if (uses(n->args[i], var))
			return 1;
	return 0;
}

int
expr_var(const struct expr *e)
{
	return e->root->op == E_VAR ? e->root->var : -1;
}

int
expr_uses(const struct expr *e, int var)
{
	return uses(e->root, var);
}

/* --- Evaluation ------------------------------------------------------ */

struct ev {
	const struct val *vars;
	struct arena *mem;
	const char *err;
};

static int eval(struct ev *ev, const struct node *n, struct val *out);

/* A number from any value: text that spells one becomes int or decimal. */
static int
as_number(const struct val *v, struct val *out)
{
	const char *p, *dot;
	size_t n;
	int64_t i;
	double d;

	switch (v->type) {
	case VAL_INT:
	case VAL_DOUBLE:
	case VAL_DEC:
		*out = *v;
		return 0;
	case VAL_BOOL:
		*out = val_int(v->u.b);
		return 0;
	case VAL_STR:
	case VAL_TEXT:
		p = v->u.s.p;
		n = v->u.s.n;
		text_trim(&p, &n);
		if (num_parse_int(p, n, &i) == 0) {
			*out = val_int(i);
			return 0;
		}
		if (num_parse_double(p, n, &d) < 0)
			return -1;
		dot = memchr(p, '.', n);
		if (dot && memchr(p, 'e', n) == NULL && memchr(p, 'E', n) ==
		    NULL && (size_t)(p + n - dot - 1) <= 9 &&
		    num_parse_decimal(p, n, (int)(p + n - dot - 1), &i) == 0)
			*out = val_dec(i, (int)(p + n - dot - 1));
		else
			*out = val_double(d);
		return 0;
	default:
		return -1;
	}
}

static int64_t
pow10i(int k)
{
	int64_t p = 1;

	while (k-- > 0)
		p *= 10;
	return p;
}

/* a and b as decimals of one scale (the larger); -1 on overflow. */
static int
align(struct val *a, struct val *b)
{
	int sa = a->type == VAL_DEC ? a->scale : 0;
	int sb = b->type == VAL_DEC ? b->scale : 0;
	int s = sa > sb ? sa : sb;

	if (__builtin_mul_overflow(a->u.i, pow10i(s - sa), &a->u.i) ||
	    __builtin_mul_overflow(b->u.i, pow10i(s - sb), &b->u.i))
		return -1;
	a->type = b->type = VAL_DEC;
	a->scale = b->scale = s;
	return 0;
}

static double
to_d(const struct val *v)
{
	double d = 0;

	val_to_double(v, &d);
	return d;
}

static int
arith(struct ev *ev, enum op op, struct val a, struct val b, struct val *out)
{
	int exact = a.type != VAL_DOUBLE && b.type != VAL_DOUBLE;

	if (op == E_DIV) {
		if (to_d(&b) == 0) {
			ev->err = "division by zero";
			return -1;
		}
		*out = val_double(to_d(&a) / to_d(&b));
		return 0;
	}
	if (op == E_MOD) {
		if (a.type != VAL_INT || b.type != VAL_INT) {
			ev->err = "% takes integers";
			return -1;
		}
		if (b.u.i == 0) {
			ev->err = "division by zero";
			return -1;
		}
		/* INT64_MIN % -1 traps on x86; the answer is 0 anyway. */
		*out = val_int(b.u.i == -1 ? 0 : a.u.i % b.u.i);
		return 0;
	}
	if (exact && a.type == VAL_INT && b.type == VAL_INT) {
		int64_t r;
		int over = op == E_ADD ? __builtin_add_overflow(a.u.i, b.u.i, &r) :
		    op == E_SUB ? __builtin_sub_overflow(a.u.i, b.u.i, &r) :
		    __builtin_mul_overflow(a.u.i, b.u.i, &r);

		if (!over) {
			*out = val_int(r);
			return 0;
		}
	} else if (exact && op == E_MUL) {
		int sa = a.type == VAL_DEC ? a.scale : 0;
		int sb = b.type == VAL_DEC ? b.scale : 0;
		int64_t r;

		if (sa + sb <= 18 && !__builtin_mul_overflow(a.u.i, b.u.i, &r)) {
			*out = val_dec(r, sa + sb);
			return 0;
		}
	} else if (exact) {
		int64_t r;

		if (align(&a, &b) == 0 && !(op == E_ADD ?
		    __builtin_add_overflow(a.u.i, b.u.i, &r) :
		    __builtin_sub_overflow(a.u.i, b.u.i, &r))) {
			*out = val_dec(r, a.scale);
			return 0;
		}
	}
	/* Doubles, or exact arithmetic that would overflow. */
	*out = val_double(op == E_ADD ? to_d(&a) + to_d(&b) :
	    op == E_SUB ? to_d(&a) - to_d(&b) : to_d(&a) * to_d(&b));
	return 0;
}

static int
is_text(const struct val *v)
{
	return v->type == VAL_STR || v->type == VAL_TEXT;
}

/* -1, 0, 1; or 2 when the values cannot be compared. */
static int
compare(const struct val *a, const struct val *b)
{
	struct val x, y;

	if (a->type == VAL_NULL || b->type == VAL_NULL)
		return a->type == b->type ? 0 : 2;
	if (is_text(a) && is_text(b)) {
		size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		int c = memcmp(a->u.s.p, b->u.s.p, n);

		if (c == 0)
			c = a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
		return c < 0 ? -1 : c > 0;
	}
	if (a->type == VAL_BOOL && b->type == VAL_BOOL)
		return a->u.b - b->u.b;
	if (as_number(a, &x) < 0 || as_number(b, &y) < 0)
		return 2;
	if (x.type != VAL_DOUBLE && y.type != VAL_DOUBLE && align(&x, &y) == 0)
		return x.u.i < y.u.i ? -1 : x.u.i > y.u.i;
	if (isnan(to_d(&x)) || isnan(to_d(&y)))
		return 2;	/* NaN equals nothing, not even itself */
	return to_d(&x) < to_d(&y) ? -1 : to_d(&x) > to_d(&y);
}

static int
truthy(const struct val *v)
{
	int b;

	return v->type == VAL_BOOL ? v->u.b : val_to_bool(v, &b) == 0 && b;
}

/* The text of v, copied into the evaluation arena when it must be. */
static void
text_of(struct ev *ev, const struct val *v, struct buf *b)
{
	struct buf scratch = { 0 };
	size_t n;
	const char *s = val_to_text(v, &scratch, &n);

	buf_add(b, s, n);
	buf_free(&scratch);
	(void)ev;
}

static struct val
make_str(struct ev *ev, struct buf *b)
{
	const char *s = arena_strndup(ev->mem, b->p ? b->p : "", b->n);
	struct val v = val_str(s, b->n);

	buf_free(b);
	return v;
}

static int
call(struct ev *ev, const struct node *n, struct val *out)
{
	struct val a, b;
	struct buf t = { 0 };
	int64_t us;

	switch (n->fn) {
	case F_IF:
		if (eval(ev, n->args[0], &a) < 0)
			return -1;
		return eval(ev, n->args[truthy(&a) ? 1 : 2], out);
	case F_COALESCE:
		for (int i = 0; i < n->nargs; i++) {
			if (eval(ev, n->args[i], out) < 0)
				return -1;
			if (out->type != VAL_NULL)
				return 0;
		}
		return 0;
	case F_CONCAT:
		for (int i = 0; i < n->nargs; i++) {
			if (eval(ev, n->args[i], &a) < 0) {
				buf_free(&t);
				return -1;
			}
			text_of(ev, &a, &t);
		}
		*out = make_str(ev, &t);
		return 0;
	default:
		break;
	}
	/* The rest are null when their first argument is. */
	if (eval(ev, n->args[0], &a) < 0)
		return -1;
	if (a.type == VAL_NULL && n->fn != F_LOOKUP) {
		*out = val_null();
		return 0;
	}
	switch (n->fn) {
	case F_ROUND: {
		int64_t places = 0, scaled;
		char tmp[NUM_BUFSZ];
		size_t len;

		if (n->nargs == 2) {
			if (eval(ev, n->args[1], &b) < 0)
				return -1;
			if (val_to_int(&b, &places) < 0 || places < 0 ||
			    places > 9) {
				ev->err = "round() takes 0 to 9 places";
				return -1;
			}
		}
		if (as_number(&a, &a) < 0)
			goto not_number;
		if (a.type == VAL_INT) {
			int64_t scaled_i;

			/* round(5, 2) is the decimal 5.00. */
			if (places > 0 && !__builtin_mul_overflow(a.u.i,
			    pow10i((int)places), &scaled_i))
				*out = val_dec(scaled_i, (int)places);
			else
				*out = a;
			return 0;
		}
		len = a.type == VAL_DEC ? num_fmt_decimal(tmp, a.u.i, a.scale) :
		    num_fmt_double(tmp, a.u.d);
		if (len == 0 || num_parse_decimal(tmp, len, (int)places,
		    &scaled) < 0) {
			ev->err = "round(): number out of range";
			return -1;
		}
		*out = places == 0 ? val_int(scaled) :
		    val_dec(scaled, (int)places);
		return 0;
	}
	case F_ABS:
		if (as_number(&a, out) < 0)
			goto not_number;
		if (out->type == VAL_DOUBLE)
			out->u.d = fabs(out->u.d);
		else if (out->u.i == INT64_MIN)
			*out = val_double(-to_d(out));
		else if (out->u.i < 0)
			out->u.i = -out->u.i;
		return 0;
	case F_MIN:
	case F_MAX: {
		int c;

		if (eval(ev, n->args[1], &b) < 0)
			return -1;
		if (b.type == VAL_NULL) {
			*out = val_null();
			return 0;
		}
		c = compare(&a, &b);
		if (c == 2) {
			ev->err = "min()/max() of values that do not compare";
			return -1;
		}
		*out = (n->fn == F_MIN) == (c <= 0) ? a : b;
		return 0;
	}
	case F_LOWER:
	case F_UPPER:
		text_of(ev, &a, &t);
		for (size_t i = 0; i < t.n; i++)
			if (n->fn == F_LOWER && t.p[i] >= 'A' && t.p[i] <= 'Z')
				t.p[i] += 'a' - 'A';
			else if (n->fn == F_UPPER && t.p[i] >= 'a' && t.p[i] <= 'z')
				t.p[i] -= 'a' - 'A';
		*out = make_str(ev, &t);
		return 0;
	case F_TRIM: {
		const char *tp;
		size_t tn;

		text_of(ev, &a, &t);
		tp = t.p ? t.p : "";
		tn = t.n;
		text_trim(&tp, &tn);
		*out = val_str(arena_strndup(ev->mem, tp, tn), tn);
		buf_free(&t);
		return 0;
	}
	case F_LEN: {
		int64_t chars = 0;

		text_of(ev, &a, &t);
		for (size_t i = 0; i < t.n; i++)
			chars += ((unsigned char)t.p[i] & 0xc0) != 0x80;
		buf_free(&t);
		*out = val_int(chars);
		return 0;
	}
	case F_LOOKUP: {
		const json_t *hit;

		if (eval(ev, n->args[1], &b) < 0)
			return -1;
		text_of(ev, &b, &t);
		hit = json_object_getn(n->table, t.p ? t.p : "", t.n);
		buf_free(&t);
		if (hit != NULL) {
			*out = val_from_json(hit);
			return 0;
		}
		if (n->nargs == 3)
			return eval(ev, n->args[2], out);
		*out = val_null();
		return 0;
	}
	case F_DATE:
	case F_HOUR:
	case F_WEEKDAY: {
		char tmp[TS_BUFSZ];
		size_t len;

		if (val_to_time(&a, &us) < 0) {
			ev->err = "not a time";
			return -1;
		}
		if (n->fn == F_DATE) {
			len = ts_format_date(tmp, us);
			*out = val_str(arena_strndup(ev->mem, tmp, len), len);
		} else if (n->fn == F_HOUR) {
			*out = val_int((us - ts_floor(us, TS_US_PER_DAY)) /
			    (3600 * TS_US_PER_SEC));
		} else {
			/* 1970-01-01 was a Thursday (3, Monday being 0). */
			int64_t day = ts_floor(us, TS_US_PER_DAY) /
			    TS_US_PER_DAY;

			*out = val_int(((day + 3) % 7 + 7) % 7);
		}
		return 0;
	}
	default:
		ev->err = "unknown function";
		return -1;
	}
not_number:
	ev->err = "not a number";
	return -1;
}

static int
eval(struct ev *ev, const struct node *n, struct val *out)
{
	struct val a, b;
	int c;

	switch (n->op) {
	case E_CONST:
		*out = n->k;
		return 0;
	case E_VAR:
		*out = ev->vars[n->var];
		return 0;
	case E_CALL:
		return call(ev, n, out);
	case E_AND:
	case E_OR:
		if (eval(ev, n->args[0], &a) < 0)
			return -1;
		if (truthy(&a) == (n->op == E_OR)) {
			*out = val_bool(n->op == E_OR);
			return 0;
		}
		if (eval(ev, n->args[1], &b) < 0)
			return -1;
		*out = val_bool(truthy(&b));
		return 0;
	case E_NOT:
		if (eval(ev, n->args[0], &a) < 0)
			return -1;
		*out = val_bool(!truthy(&a));
		return 0;
	default:
		break;
	}
	if (eval(ev, n->args[0], &a) < 0)
		return -1;
	if (n->op == E_NEG) {
		if (a.type == VAL_NULL) {
			*out = a;
			return 0;
		}
		if (as_number(&a, out) < 0) {
			ev->err = "not a number";
			return -1;
		}
		if (out->type == VAL_DOUBLE)
			out->u.d = -out->u.d;
		else if (out->u.i == INT64_MIN)	/* no such integer: a double */
			*out = val_double(-to_d(out));
		else
			out->u.i = -out->u.i;
		return 0;
	}
	if (eval(ev, n->args[1], &b) < 0)
		return -1;
	switch (n->op) {
	case E_CAT: {
		struct buf t = { 0 };

		if (a.type == VAL_NULL || b.type == VAL_NULL) {
			*out = val_null();
			return 0;
		}
		text_of(ev, &a, &t);
		text_of(ev, &b, &t);
		*out = make_str(ev, &t);
		return 0;
	}
	case E_EQ:
	case E_NE:
		c = compare(&a, &b);
		*out = val_bool((c == 0) == (n->op == E_EQ));
		return 0;
	case E_LT:
	case E_LE:
	case E_GT:
	case E_GE:
		c = compare(&a, &b);
		*out = val_bool(c != 2 && (n->op == E_LT ? c < 0 :
		    n->op == E_LE ? c <= 0 : n->op == E_GT ? c > 0 : c >= 0));
		return 0;
	default:
		break;
	}
	if (a.type == VAL_NULL || b.type == VAL_NULL) {
		*out = val_null();
		return 0;
	}
	if (as_number(&a, &a) < 0 || as_number(&b, &b) < 0) {
		ev->err = "not a number";
		return -1;
	}
	return arith(ev, n->op, a, b, out);
}

int
expr_eval(const struct expr *e, const struct val *vars, struct arena *mem,
    struct val *out, const char **err)
{
	struct ev ev = { .vars = vars, .mem = mem };
	const struct node *n = e->root;

	/* The commonest derivation, a * b of two integers or decimals,
	   without walking the tree (same result as arith()). */
	if (n->op == E_MUL && n->args[0]->op == E_VAR &&
	    n->args[1]->op == E_VAR) {
		const struct val *a = &vars[n->args[0]->var];
		const struct val *b = &vars[n->args[1]->var];
		int sa = a->type == VAL_DEC ? a->scale : 0;
		int sb = b->type == VAL_DEC ? b->scale : 0;
		int64_t r;

		if ((a->type == VAL_INT || a->type == VAL_DEC) &&
		    (b->type == VAL_INT || b->type == VAL_DEC) &&
		    sa + sb <= 18 &&
		    !__builtin_mul_overflow(a->u.i, b->u.i, &r)) {
			*out = sa + sb ? val_dec(r, sa + sb) : val_int(r);
			return 0;
		}
	}

	if (eval(&ev, e->root, out) < 0) {
		*err = ev.err;
		return -1;
	}
	return 0;
}

int
expr_names_add(struct expr_names *nm, const char *name)
{
	for (size_t i = 0; i < nm->n; i++)
		if (strcmp(nm->name[i], name) == 0)
			return (int)i;
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 8;
		nm->name = erealloc(nm->name, nm->cap * sizeof *nm->name);
	}
	nm->name[nm->n] = estrdup(name);
	return (int)nm->n++;
}

void
expr_names_free(struct expr_names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->name[i]);
	free(nm->name);
	memset(nm, 0, sizeof *nm);
}
