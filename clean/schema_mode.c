/*
 * schema_mode.c - cleanse with a schema: a record of an older version
 * upgraded to the latest (the defaults the history declares), each field
 * in its declared type, dimensions trimmed (blank: UNKNOWN), the
 * timestamp's date added as <timestamp>_date, the rules checked
 * (required, enum, min, max, pattern, max_future, when/check), duplicates
 * by key dropped, and the enrichments computed (the schema's "enrich",
 * and late_arrival with --late-after).  Every failure of a record is
 * reported, once: a field that fails its type is that field's one fault,
 * and the rules that read it are not checked (see smode_each).  A record
 * with any failure is diverted.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanse.h"
#include "strset.h"

enum { MAX_WHY = 32 };	/* the reasons listed for one record, at most */

#define DUP_MESSAGE "the same key as an earlier record"

struct rule {
	const char *name;
	int field;		/* schema field, or -1 */
	int required;
	char **enum_text;	/* allowed values as text, made once */
	size_t *enum_len;
	size_t nenum;		/* 0: no enum check */
	int has_min, has_max;
	double min, max;
	regex_t re;
	int has_re;
	int64_t max_future;	/* us, or -1 */
	struct expr *when, *check;
	const char *message;
	int *uses;		/* the fields it reads (its own, and those when
				   and check name), -1 ended */
};

enum role { R_NONE, R_DIM, R_METRIC, R_FLAG };

struct enrichment {
	const char *name;
	struct expr *e;
	int *uses;		/* the fields it reads, -1 ended */
};

struct smode {
	const struct schema *s;
	const struct cleanse_opts *opt;
	struct names names;
	uint64_t layout, out_layout;
	int *from;		/* schema field -> input field, or -1 */
	unsigned char *extra;	/* input field not in the schema */
	size_t nin;
	enum role *role;
	struct rule *rules;
	size_t nrules;
	struct val *vars;	/* typed values of the schema's fields */
	unsigned char *mistyped;	/* this record's fields that failed
					   their type (their vars are null) */
	int ts;			/* the analysis timestamp field, or -1 */
	char *date_name;	/* "<timestamp>_date" */
	int *dedup;		/* key fields, -1 ended */
	struct strset seen;	/* --dedup: the keys so far (the first
				   context's; the filter's f->seen) */
	struct rec out;
	struct buf scratch, key;
	int64_t now;
	char msg[MAX_WHY + 1][200];	/* the reasons' messages; the last
					   for those past MAX_WHY, unlisted */
	struct enrichment *enrich;
	struct val *enriched;	/* their values for this record */
	size_t nenrich;
	/* Versions: */
	int vf;			/* the version field, or -1 */
	int layout_version;	/* version index by the layout's field set */
	uint64_t *per_version;	/* records of each version */
	int64_t newest;		/* the latest event time seen (late_arrival) */
	uint64_t late;
};

static int
resolve(void *ctx, const char *name)
{
	return schema_field_index(ctx, name);
}

static const json_t *
table(void *ctx, const char *name)
{
	const struct schema *s = ctx;

	return s->lookups ? json_object_get(s->lookups, name) : NULL;
}

/* The fields of s that field (or -1) is, or a or b (or NULL) read;
   -1 ended. */
static int *
fields_used(const struct schema *s, int field, const struct expr *a,
    const struct expr *b)
{
	int *u = ecalloc(s->nfields + 1, sizeof *u);
	size_t n = 0;

	for (size_t i = 0; i < s->nfields; i++)
		if ((int)i == field || (a != NULL && expr_uses(a, (int)i)) ||
		    (b != NULL && expr_uses(b, (int)i)))
			u[n++] = (int)i;
	u[n] = -1;
	return u;
}

static int
listed(const char **list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

struct smode *
smode_new(const struct schema *s, const struct cleanse_opts *opt)
{
	const char *dedup = opt->dedup;
	struct smode *m = ecalloc(1, sizeof *m);
	struct expr_env env = { resolve, table, (void *)s };
	char err[256];
	size_t i;
	json_t *r;

	m->s = s;
	m->opt = opt;
	m->role = ecalloc(s->nfields, sizeof *m->role);
	m->vars = ecalloc(s->nfields, sizeof *m->vars);
	m->mistyped = ecalloc(s->nfields ? s->nfields : 1,
	    sizeof *m->mistyped);
	m->from = ecalloc(s->nfields, sizeof *m->from);
	for (i = 0; i < s->nfields; i++) {
		const char *n = s->fields[i].name;

		m->role[i] = listed(s->analysis.dimensions,
		    s->analysis.ndimensions, n) ? R_DIM :
		    listed(s->analysis.metrics, s->analysis.nmetrics, n) ?
		    R_METRIC : listed(s->analysis.flags, s->analysis.nflags, n) ?
		    R_FLAG : R_NONE;
	}
	m->ts = s->analysis.timestamp ? schema_field_index(s,
	    s->analysis.timestamp) : -1;
	if (m->ts >= 0) {
		struct buf b = { 0 };

		buf_printf(&b, "%s_date", s->analysis.timestamp);
		m->date_name = (char *)buf_cstr(&b);
	}
	m->nrules = json_array_size(s->rules);
	m->rules = ecalloc(m->nrules ? m->nrules : 1, sizeof *m->rules);
	json_array_foreach(s->rules, i, r) {
		struct rule *ru = &m->rules[i];
		const json_t *v;
		const char *f = json_string_value(json_object_get(r, "field"));

		/* The schema is checked: these compile and exist. */
		ru->name = json_string_value(json_object_get(r, "name"));
		ru->field = f ? schema_field_index(s, f) : -1;
		ru->required = json_is_true(json_object_get(r, "required"));
		if ((v = json_object_get(r, "enum")) != NULL) {
			size_t k;
			json_t *e;

			/* Their text once, not per record. */
			ru->nenum = json_array_size(v);
			ru->enum_text = ecalloc(ru->nenum, sizeof *ru->enum_text);
			ru->enum_len = ecalloc(ru->nenum, sizeof *ru->enum_len);
			json_array_foreach(v, k, e) {
				struct val ev = val_from_json(e);
				struct buf t = { 0 };
				const char *es = val_to_text(&ev, &t,
				    &ru->enum_len[k]);

				ru->enum_text[k] = estrndup(es, ru->enum_len[k]);
				buf_free(&t);
			}
		}
		if ((v = json_object_get(r, "min")) != NULL) {
			ru->has_min = 1;
			ru->min = json_number_value(v);
		}
		if ((v = json_object_get(r, "max")) != NULL) {
			ru->has_max = 1;
			ru->max = json_number_value(v);
		}
		if ((v = json_object_get(r, "pattern")) != NULL) {
			regcomp(&ru->re, json_string_value(v),
			    REG_EXTENDED | REG_NOSUB);
			ru->has_re = 1;
		}
		ru->max_future = -1;
		if ((v = json_object_get(r, "max_future")) != NULL)
			ts_parse_duration(json_string_value(v), &ru->max_future);
		if ((v = json_object_get(r, "when")) != NULL)
			ru->when = expr_compile(json_string_value(v), &env, err,
			    sizeof err);
		if ((v = json_object_get(r, "check")) != NULL)
			ru->check = expr_compile(json_string_value(v), &env, err,
			    sizeof err);
		ru->message = json_string_value(json_object_get(r, "message"));
		ru->uses = fields_used(s, ru->field, ru->when, ru->check);
	}
	if (dedup != NULL) {
		size_t n;
		char **names = opt_list(dedup, &n);

		m->dedup = ecalloc(n + 1, sizeof *m->dedup);
		for (size_t k = 0; k < n; k++)
			if ((m->dedup[k] = schema_field_index(s, names[k])) < 0)
				fatal(2, "--dedup: no field \"%s\" in the schema",
				    names[k]);
		m->dedup[n] = -1;
		opt_list_free(names, n);
	}
	if (opt->seen != NULL) {	/* --seen: earlier runs' keys */
		m->seen = *opt->seen;
		*opt->seen = (struct strset){ 0 };
	}
	m->nenrich = json_array_size(s->enrich);
	m->enrich = ecalloc(m->nenrich ? m->nenrich : 1, sizeof *m->enrich);
	m->enriched = ecalloc(m->nenrich ? m->nenrich : 1,
	    sizeof *m->enriched);
	json_array_foreach(s->enrich, i, r) {
		m->enrich[i].name = json_string_value(json_object_get(r,
		    "name"));
		m->enrich[i].e = expr_compile(json_string_value(
		    json_object_get(r, "expr")), &env, err, sizeof err);
		m->enrich[i].uses = fields_used(s, -1, m->enrich[i].e, NULL);
	}
	m->vf = s->version_field ? schema_field_index(s, s->version_field) :
	    -1;
	m->per_version = ecalloc(s->nversions + 1, sizeof *m->per_version);
	m->newest = INT64_MIN;
	m->now = (int64_t)time(NULL) * TS_US_PER_SEC;
	rec_init(&m->out);
	return m;
}

/* Map the schema's fields to the input's (cached per layout). */
static void
map_fields(struct smode *m, const struct rec *r, const char *const *names)
{
	if (r->layout != 0 && r->layout == m->layout && m->nin == r->n)
		return;
	m->extra = erealloc(m->extra, r->n ? r->n : 1);
	memset(m->extra, 1, r->n);
	/* Each of the record's names looked up once (a hash): a wide JSON
	   record, mapped anew each time, stays linear. */
	for (size_t i = 0; i < m->s->nfields; i++)
		m->from[i] = -1;
	for (size_t j = 0; j < r->n; j++) {
		int i = schema_field_index(m->s, names[j]);

		if (i >= 0 && m->from[i] < 0) {
			m->from[i] = (int)j;
			m->extra[j] = 0;
		}
	}
	m->nin = r->n;
	m->layout = r->layout;
	m->out_layout = r->layout ? rec_layout_new() : 0;
	/* Without a version field, the field set tells: the latest version
	   whose added fields the record has any of (none: the first). */
	m->layout_version = 0;
	for (size_t i = 0; i < m->s->nfields && m->s->nversions > 0; i++)
		if (m->from[i] >= 0 && m->s->since[i] != 0)
			for (size_t k = (size_t)m->layout_version + 1;
			    k < m->s->nversions; k++)
				if (m->s->version_numbers[k] == m->s->since[i])
					m->layout_version = (int)k;
}

/*
 * The version of r (an index into the schema's versions): from the
 * version field when the record has one, else from its field set.
 * Returns -1 (with a message) for a version the schema does not have.
 */
static int
record_version(struct smode *m, const struct rec *r, char *msg, size_t msize)
{
	const struct schema *s = m->s;
	struct val v;
	int64_t x;
	size_t k, n;

	if (m->vf < 0 || m->from[m->vf] < 0)
		return m->layout_version;
	v = r->f[m->from[m->vf]].v;
	if (val_is_null(&v) || val_is_empty_text(&v))
		return m->layout_version;
	if (val_to_int(&v, &x) == 0)
		for (k = 0; k < s->nversions; k++)
			if (s->version_numbers[k] == x)
				return (int)k;
	{
		const char *t = val_to_text(&v, &m->scratch, &n);
		struct buf b = { 0 };

		for (k = 0; k < s->nversions; k++)
			buf_printf(&b, "%s%lld", k ? ", " : "",
			    s->version_numbers[k]);
		snprintf(msg, msize, "%s \"%.*s\" is not a version of %s "
		    "(it has %s)", s->version_field, (int)(n > 20 ? 20 : n), t,
		    s->name, buf_cstr(&b));
		buf_free(&b);
	}
	return -1;
}

/* The value of field i in its type; 0, or -1 (and a message) if it is
   not of that type. */
static int
typed(struct smode *m, size_t i, struct val v, struct rec *o, char *msg,
    size_t msize)
{
	const struct schema_field *sf = &m->s->fields[i];
	struct val *out = &m->vars[i];
	int64_t x, us;
	double d;
	int b;
	char tmp[TS_BUFSZ];
	size_t n;

	*out = val_null();
	/* A dimension is never missing: it is UNKNOWN (as the analysis expects). */
	if (v.type == VAL_NULL && m->role[i] == R_DIM &&
	    sf->type == FT_STRING) {
		*out = val_plain("UNKNOWN", 7);
		return 0;
	}
	if (v.type == VAL_NULL)
		return 0;
	if (sf->type != FT_STRING && val_is_empty_text(&v))
		return 0;	/* an empty cell of a typed field: null */
	switch (sf->type) {
	case FT_STRING:
		if (v.type != VAL_TEXT && v.type != VAL_STR) {
			const char *s = val_to_text(&v, &m->scratch, &n);

			v = val_str(rec_strdup(o, s, n), n);
		}
		if (m->role[i] == R_DIM) {
			const char *tp = v.u.s.p;
			size_t tn = v.u.s.n;

			text_trim(&tp, &tn);
			if (tn == 0)
				v = val_plain("UNKNOWN", 7);
			else if (tn != v.u.s.n)
				v = val_str(rec_strdup(o, tp, tn), tn);
		}
		*out = v;
		return 0;
	case FT_INT:
		if (val_to_int(&v, &x) == 0) {
			*out = val_int(x);
			return 0;
		}
		break;
	case FT_FLOAT:
		if (val_to_double(&v, &d) == 0) {
			*out = val_double(d);
			return 0;
		}
		break;
	case FT_DECIMAL:
		if (val_to_decimal(&v, sf->scale, &x) == 0) {
			*out = val_dec(x, sf->scale);
			return 0;
		}
		break;
	case FT_BOOL:
		if (val_to_bool(&v, &b) == 0) {
			*out = val_bool(b);
			return 0;
		}
		break;
	case FT_DATE:
	case FT_TIMESTAMP:
		if (val_to_time(&v, &us) == 0) {
			n = sf->type == FT_DATE ? ts_format_date(tmp, us) :
			    ts_format(tmp, us);
			*out = val_plain(rec_strdup(o, tmp, n), n);
			return 0;
		}
		break;
	case FT_JSON:
		*out = v;
		return 0;
	}
	{
		const char *s = val_to_text(&v, &m->scratch, &n);

		/* Numbers also fail by their size: say so. */
		snprintf(msg, msize, "%s: \"%.*s\" is not %s %s%s", sf->name,
		    (int)(n > 40 ? 40 : n), s, ftype_article(sf->type),
		    ftype_name(sf->type),
		    sf->type == FT_DECIMAL ? " (or has more than 18 digits)" :
		    sf->type == FT_FLOAT ? " (or is beyond a double's range)" :
		    "");
	}
	return -1;
}

/*
 * Does the whole of s[0..n) match re?  A value may hold a NUL (JSON's
 * \u0000), where a plain regexec() would stop: REG_STARTEND gives it the
 * length, and without it a value with a NUL matches no pattern.
 */
static int
pattern_matches(const regex_t *re, const char *s, size_t n)
{
#ifdef REG_STARTEND
	regmatch_t m = { .rm_so = 0, .rm_eo = (regoff_t)n };

	return regexec(re, s, 1, &m, REG_STARTEND) == 0;
#else
	return memchr(s, 0, n) == NULL && regexec(re, s, 0, NULL, 0) == 0;
#endif
}

/* Does rule ru hold?  0 yes; -1 no, with the message in msg. */
static int
check_rule(struct smode *m, struct rule *ru, char *msg, size_t msize,
    struct rec *o)
{
	const struct val *v = ru->field >= 0 ? &m->vars[ru->field] : NULL;
	const char *fname = ru->field >= 0 ? m->s->fields[ru->field].name : "";
	struct val cond;
	const char *err;
	size_t n;
	double d;
	int64_t us;

	if (ru->when != NULL && (expr_eval(ru->when, m->vars, &o->mem, &cond,
	    &err) < 0 || cond.type != VAL_BOOL || !cond.u.b))
		return 0;	/* the rule does not apply */
	if (ru->required && val_is_null(v)) {
		snprintf(msg, msize, "%s is required", fname);
		return -1;
	}
	if (v != NULL && !val_is_null(v)) {
		const char *s = val_to_text(v, &m->scratch, &n);

		if (ru->nenum > 0) {
			size_t i;

			for (i = 0; i < ru->nenum; i++)
				if (ru->enum_len[i] == n &&
				    memcmp(ru->enum_text[i], s, n) == 0)
					break;
			if (i == ru->nenum) {
				snprintf(msg, msize, "%s \"%.*s\" is not one of "
				    "the allowed values", fname,
				    (int)(n > 40 ? 40 : n), s);
				return -1;
			}
		}
		if ((ru->has_min || ru->has_max) &&
		    val_to_double(v, &d) == 0 && ((ru->has_min && d < ru->min) ||
		    (ru->has_max && d > ru->max))) {
			snprintf(msg, msize, "%s %.*s is %s %g", fname,
			    (int)(n > 40 ? 40 : n), s, ru->has_min &&
			    d < ru->min ? "below the minimum" :
			    "above the maximum", ru->has_min && d < ru->min ?
			    ru->min : ru->max);
			return -1;
		}
		if (ru->has_re && !pattern_matches(&ru->re, s, n)) {
			snprintf(msg, msize, "%s \"%.*s\" does not match the "
			    "pattern", fname, (int)(n > 40 ? 40 : n), s);
			return -1;
		}
		if (ru->max_future >= 0 && val_to_time(v, &us) == 0 &&
		    us > m->now + ru->max_future) {
			snprintf(msg, msize, "%s %.*s is in the future", fname,
			    (int)n, s);
			return -1;
		}
	}
	if (ru->check != NULL && (expr_eval(ru->check, m->vars, &o->mem, &cond,
	    &err) < 0 || cond.type != VAL_BOOL || !cond.u.b)) {
		snprintf(msg, msize, "%s", ru->message ? ru->message :
		    ru->name);
		return -1;
	}
	return 0;
}

/*
 * Is the record's event time t older than the newest seen before it,
 * less --late-after?  (The late_arrival column; null without a time.)
 */
static struct val
late_arrival(struct smode *m, const struct val *t)
{
	int64_t us;
	int late;

	if (m->ts < 0 || val_to_time(t, &us) < 0)
		return val_null();
	late = m->newest != INT64_MIN && us < m->newest - m->opt->late_after;
	if (us > m->newest)
		m->newest = us;
	m->late += late;
	return val_bool(late);
}

/* Does any of uses (-1 ended) name a field this record has mistyped? */
static int
reads_mistyped(const struct smode *m, const int *uses)
{
	for (; *uses >= 0; uses++)
		if (m->mistyped[*uses])
			return 1;
	return 0;
}

void
smode_each(struct filter *f, struct rec *r, void *ctx)
{
	struct smode *m = ctx;
	const char *const *names = names_of(&m->names, r);
	struct rej_reason why[MAX_WHY];
	size_t nwhy = 0;
	struct rec *o = &m->out;

	const struct schema *s = m->s;
	long long ver = 0;
	int vi = 0, mistyped;

	map_fields(m, r, names);
	rec_clear(o);
	o->src = r->src;
	o->line = r->line;
	if (s->nversions > 0) {
		if ((vi = record_version(m, r, m->msg[0], sizeof m->msg[0])) <
		    0) {
			why[0] = (struct rej_reason){ "version", m->msg[0],
			    s->version_field };
			m->per_version[s->nversions]++;
			filter_reject(f, r, why, 1);
			return;
		}
		m->per_version[vi]++;
		ver = s->version_numbers[vi];
	}
	for (size_t i = 0; i < s->nfields; i++) {
		struct val v = m->from[i] >= 0 ? r->f[m->from[i]].v : val_null();

		/* A field that came after the record's version: its
		   declared default. */
		if (s->nversions > 0 && s->since[i] > ver &&
		    (val_is_null(&v) || val_is_empty_text(&v)))
			v = s->defaults[i] ? val_from_json(s->defaults[i]) :
			    val_null();
		m->mistyped[i] = typed(m, i, v, o, m->msg[nwhy],
		    sizeof m->msg[0]) < 0;
		if (m->mistyped[i] && nwhy < MAX_WHY) {
			why[nwhy] = (struct rej_reason){ "type", m->msg[nwhy],
			    s->fields[i].name };
			nwhy++;
		}
	}
	if (m->vf >= 0)		/* upgraded: the latest version */
		m->vars[m->vf] = val_int(s->version_numbers[s->nversions - 1]);
	/*
	 * One reason per fault.  A field that failed its type was discarded
	 * (it reads as null), so a rule that reads it is not checked: its
	 * "required" would call missing a value that is there, a check or a
	 * when would judge the record by a null it never had, and the
	 * record is diverted for that field's type already.  (A rule over
	 * such a field and another one is not checked either: what the
	 * rule would say is not known.)  The same for an enrichment.
	 */
	mistyped = nwhy > 0;	/* so far the reasons are type faults */
	for (size_t k = 0; k < m->nrules && nwhy < MAX_WHY; k++) {
		struct rule *ru = &m->rules[k];

		if (!(mistyped && reads_mistyped(m, ru->uses)) &&
		    check_rule(m, ru, m->msg[nwhy], sizeof m->msg[0], o) < 0) {
			why[nwhy] = (struct rej_reason){ ru->name, m->msg[nwhy],
			    ru->field >= 0 ? s->fields[ru->field].name : NULL };
			nwhy++;
		}
	}
	for (size_t k = 0; k < m->nenrich && nwhy < MAX_WHY; k++) {
		const char *err;

		if (mistyped && reads_mistyped(m, m->enrich[k].uses)) {
			m->enriched[k] = val_null();
		} else if (expr_eval(m->enrich[k].e, m->vars, &o->mem,
		    &m->enriched[k], &err) < 0) {
			snprintf(m->msg[nwhy], sizeof m->msg[0], "%s: %s",
			    m->enrich[k].name, err);
			why[nwhy] = (struct rej_reason){ "enrich",
			    m->msg[nwhy], NULL };
			nwhy++;
		}
	}
	if (nwhy > 0) {
		filter_reject(f, r, why, nwhy);
		return;
	}
	m->key.n = 0;
	if (m->dedup != NULL)
		for (int *k = m->dedup; *k >= 0; k++) {
			size_t n;
			const char *t = val_to_text(&m->vars[*k], &m->scratch,
			    &n);

			buf_add(&m->key, t, n);
			buf_addc(&m->key, '\0');	/* fields apart */
		}
	for (size_t i = 0; i < s->nfields; i++) {
		rec_add(o, s->fields[i].name, m->vars[i]);
		if ((int)i == m->ts) {
			int64_t us;
			char d[TS_BUFSZ];
			size_t n;

			if (val_to_time(&m->vars[i], &us) == 0) {
				n = ts_format_date(d, us);
				rec_add(o, m->date_name, val_plain(rec_strdup(o,
				    d, n), n));
			} else {
				rec_add(o, m->date_name, val_null());
			}
		}
	}
	for (size_t k = 0; k < m->nenrich; k++)
		rec_add(o, m->enrich[k].name, m->enriched[k]);
	if (m->opt->late_after >= 0)	/* smode_later() says */
		rec_add(o, "late_arrival", val_null());
	for (size_t j = 0; j < r->n; j++)
		if (m->extra[j])
			rec_add(o, names[j], r->f[j].v);
	o->layout = m->out_layout;
	/* What depends on the records before: in input order. */
	if (m->opt->late_after >= 0)
		filter_later(f, r, o, m->dedup != NULL ? m->key.p : NULL,
		    m->key.n);
	else if (m->dedup != NULL)
		filter_unique(f, r, o, m->key.p, m->key.n, DUP_MESSAGE);
	else if (filter_keep(f, o))
		filter_put(f, o);
}

void
smode_later(struct filter *f, struct rec *r, struct rec *o, const void *key,
    size_t keyn, void *ctx)
{
	struct smode *m = ctx;
	/* late_arrival follows the fields, the date and the enrichments. */
	size_t late = m->s->nfields + (m->ts >= 0) + m->nenrich;

	if (key != NULL && !strset_add(&m->seen, key, keyn)) {
		filter_duplicate(f, r, DUP_MESSAGE);
		return;
	}
	o->f[late].v = late_arrival(m, &o->f[m->ts].v);
	if (filter_keep(f, o))
		filter_put(f, o);
}

struct smode *
smode_worker(const struct smode *m)
{
	struct smode *w = smode_new(m->s, m->opt);

	w->now = m->now;	/* max_future: one "now" for the run */
	return w;
}

void
smode_worker_done(struct smode *w, struct smode *m)
{
	for (size_t k = 0; k <= m->s->nversions; k++)
		m->per_version[k] += w->per_version[k];
	smode_free(w);
}

void
smode_free(struct smode *m)
{
	for (size_t k = 0; k < m->nrules; k++) {
		if (m->rules[k].has_re)
			regfree(&m->rules[k].re);
		for (size_t i = 0; i < m->rules[k].nenum; i++)
			free(m->rules[k].enum_text[i]);
		free(m->rules[k].enum_text);
		free(m->rules[k].enum_len);
		expr_free(m->rules[k].when);
		expr_free(m->rules[k].check);
		free(m->rules[k].uses);
	}
	for (size_t k = 0; k < m->nenrich; k++) {
		expr_free(m->enrich[k].e);
		free(m->enrich[k].uses);
	}
	free(m->enrich);
	free(m->enriched);
	free(m->per_version);
	free(m->rules);
	free(m->role);
	free(m->vars);
	free(m->mistyped);
	free(m->from);
	free(m->extra);
	free(m->date_name);
	free(m->dedup);
	strset_free(&m->seen);
	names_free(&m->names);
	rec_free(&m->out);
	buf_free(&m->scratch);
	buf_free(&m->key);
	free(m);
}

struct strset *
smode_seen(struct smode *m)
{
	return &m->seen;
}

void
smode_stats(const struct smode *m, struct cleanse_stats *st)
{
	st->nversions = m->s->nversions;
	st->version_numbers = m->s->version_numbers;
	st->per_version = m->per_version;
	st->late = m->late;
}
