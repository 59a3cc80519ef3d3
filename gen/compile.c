/*
 * compile.c - the compiler from a checked schema to the generator's
 * program: each field's generator and parameters made ready once (names
 * resolved to variables, expressions compiled, patterns tokenized, choices
 * typed, alias tables built), so that making a record only reads them.
 */
#include "gen_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* What an expression of a field may name: the fields before it (the
   first defined) and every entity attribute ("stores.city"). */
struct names {
	struct generator *g;
	size_t defined;
};

/* The variable name stands for, or -1. */
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

/* The lookup table called name, or NULL. */
static const json_t *
table(void *ctx, const char *name)
{
	struct names *nm = ctx;

	return nm->g->s->lookups ? json_object_get(nm->g->s->lookups, name) :
	    NULL;
}

/* A numeric parameter: a constant, or an expression (a variable alone
   read without evaluating it); unset when v is NULL. */
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

/* The schema is checked already: this only builds. */
void
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
		compile_fields(g, json_object_get(j, "items"), &f->item_sf,
		    &f->item_gf);
		break;
	default:
		break;
	}
}

void
compile_fields(struct generator *g, const json_t *fields,
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

void
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
