/*
 * partial_read.c - partial lines (partial.c) back into groups and KPI
 * states, merged, from any number of inputs: files, or standard input
 * (a reducer's).  Any subset of the lines of any number of --partial
 * runs, in any order, merges to the same states: a group line carries
 * its aggregation's id and its metrics' kinds, so it is merged whether a
 * header came before it, comes after it, or never comes; headers may
 * come any number of times, anywhere, and their KPI states add up.  Two
 * aggregations' lines never mix: every line's id must be the first's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"

/* How a partial line's JSON is read: a string may hold NUL, as a value
   may (distinct values, key parts). */
#define PARTIAL_JSON_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* n zeroed states to read a line's into. */
static struct mstate *
scratch(struct partials *pm, size_t n)
{
	if (n + 1 > pm->ntmp) {
		pm->tmp = erealloc(pm->tmp, (n + 1) * sizeof *pm->tmp);
		pm->ntmp = n + 1;
	}
	memset(pm->tmp, 0, (n + 1) * sizeof *pm->tmp);
	return pm->tmp;
}

static size_t
key_parts(const struct spec *sp)
{
	return sp->ndims + (sp->date != NULL);
}

/* What a backslash and c stand for in a JSON string, or 0 for \u
   (left to jansson) and anything that is not an escape. */
static char
short_escape(char c)
{
	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '/': return '/';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	default: return 0;
	}
}

/*
 * A group's key as partial_key() writes it, a JSON array of strings,
 * p[0..e), into key (its parts length-prefixed), *parts their number:
 * the common kind, plain strings and short escapes, read here without
 * a tree.  0, or -1 for anything else (a \u escape, a space, not a key),
 * which jansson then reads or refuses.
 */
static int
key_plain(const char *p, const char *e, struct buf *key, size_t *parts)
{
	key->n = 0;
	*parts = 0;
	if (p == e || *p++ != '[')
		return -1;
	if (p < e && *p == ']')
		return p + 1 == e ? 0 : -1;
	for (;;) {
		size_t at = key->n;
		uint32_t len = 0;

		if (p == e || *p++ != '"')
			return -1;
		buf_add(key, &len, sizeof len);	/* its length, below */
		for (;;) {
			const char *q = p;
			char c;

			while (q < e && *q != '"' && *q != '\\' &&
			    (unsigned char)*q >= 0x20)
				q++;
			buf_add(key, p, (size_t)(q - p));
			p = q;
			if (p == e || (unsigned char)*p < 0x20)
				return -1;
			if (*p++ == '"')
				break;
			if (p == e || (c = short_escape(*p++)) == 0)
				return -1;
			buf_addc(key, c);
		}
		len = (uint32_t)(key->n - at - sizeof len);
		memcpy(key->p + at, &len, sizeof len);
		(*parts)++;
		if (p < e && *p == ',') {
			p++;
			continue;
		}
		return p < e && *p == ']' && p + 1 == e ? 0 : -1;
	}
}

/* The same, any JSON array of strings (jansson's). */
static int
key_json_read(const char *p, size_t n, struct buf *key, size_t *parts)
{
	json_t *j = json_loadb(p, n, PARTIAL_JSON_FLAGS, NULL);
	int rc = key_from_json(j, key);

	*parts = json_array_size(j);
	json_decref(j);
	return rc;
}

/* A line with no tab: an older batch-agg's partial, or not one. */
static int
no_tab(const char *name, unsigned long line, const char *p, size_t n)
{
	json_t *j = json_loadb(p, n, PARTIAL_JSON_FLAGS, NULL);

	if (json_object_get(j, "sluice_partial") != NULL ||
	    json_object_get(j, "k") != NULL ||
	    json_object_get(j, "kpi") != NULL)
		diag_at(name, line, "a partial of an older batch-agg (no key "
		    "and tab before its JSON): make it again with this one's "
		    "--partial");
	else
		diag_at(name, line, "not a batch-agg --partial line (no key "
		    "and tab before its JSON)");
	json_decref(j);
	return -1;
}

static void
other_aggregation(const char *name, unsigned long line)
{
	diag_at(name, line, "this partial aggregated something else than the "
	    "first (its groups or metrics differ): partials of two "
	    "aggregations do not merge");
}

/* Take sp (a header's, whole) as what the lines aggregate. */
static void
adopt(struct partials *pm, struct spec *sp)
{
	spec_free(&pm->sp);
	pm->sp = *sp;
	memset(sp, 0, sizeof *sp);
	pm->t.nm = pm->sp.nm;
	pm->nparts = key_parts(&pm->sp);
	pm->kpi = ecalloc(pm->sp.nkpi + 1, sizeof *pm->kpi);
	pm->have_spec = pm->have_kinds = 1;
}

/* A header line: the spec, its id, the KPI states over n records. */
static int
read_head(struct partials *pm, const char *name, unsigned long line,
    const json_t *j)
{
	const json_t *v = json_object_get(j, "sluice_partial");
	const json_t *n = json_object_get(j, "n");
	const char *id = json_string_value(json_object_get(j, "id"));
	struct spec sp = { 0 };
	struct mstate *tmp;
	int rc = -1;

	if (!json_is_integer(v) || json_integer_value(v) != PARTIAL_VERSION) {
		diag_at(name, line, "a partial of a version this batch-agg does "
		    "not read");
		return -1;
	}
	if (spec_from_json(j, &sp) < 0 || id == NULL ||
	    strcmp(id, sp.id) != 0 || !json_is_integer(n) ||
	    json_integer_value(n) < 0) {
		diag_at(name, line, "a malformed partial header");
		goto out;
	}
	if (pm->have_kinds && strcmp(sp.id, pm->sp.id) != 0) {
		other_aggregation(name, line);
		goto out;
	}
	if (pm->have_kinds && !pm->have_spec &&
	    (strcmp(sp.kinds, pm->sp.kinds) != 0 ||
	    key_parts(&sp) != pm->nparts)) {
		diag_at(name, line, "the group lines before this header carry "
		    "its id but other metrics or keys");
		goto out;
	}
	if (!pm->have_spec)
		adopt(pm, &sp);
	tmp = scratch(pm, pm->sp.nkpi);
	if (states_read_final(pm->sp.kpi, pm->sp.nkpi, json_object_get(j,
	    "kpi"), tmp) < 0) {
		diag_at(name, line, "malformed KPI states");
	} else if (states_merge(pm->sp.kpi, pm->sp.nkpi, pm->kpi, tmp) < 0) {
		diag_at(name, line, "a KPI distinct count made final (batch-agg "
		    "--reduce) meets another header's: the headers must all go "
		    "to one reducer");
	} else {
		pm->kpi_records += (uint64_t)json_integer_value(n);
		rc = 0;
	}
	states_free(pm->sp.kpi, pm->sp.nkpi, tmp);
out:
	spec_free(&sp);
	return rc;
}

/* A group line: its key (k, the text before the tab), then j. */
static int
read_group(struct partials *pm, const char *name, unsigned long line,
    const char *k, size_t kn, const json_t *j)
{
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *kinds = json_string_value(json_object_get(j, "a"));
	const json_t *n = json_object_get(j, "n");
	struct mstate *tmp;
	size_t gi, parts;
	int rc = -1;

	if (id == NULL || strlen(id) != SPEC_ID_LEN || kinds == NULL ||
	    !json_is_integer(n) || json_integer_value(n) < 0 ||
	    (key_plain(k, k + kn, &pm->key, &parts) < 0 &&
	    key_json_read(k, kn, &pm->key, &parts) < 0))
		goto bad;
	if (!pm->have_kinds) {
		memcpy(pm->sp.id, id, SPEC_ID_LEN + 1);
		if (spec_from_kinds(&pm->sp, kinds) < 0)
			goto bad;
		pm->nparts = parts;
		pm->t.nm = pm->sp.nm;
		pm->have_kinds = 1;
	} else if (strcmp(id, pm->sp.id) != 0) {
		other_aggregation(name, line);
		return -1;
	} else if (strcmp(kinds, pm->sp.kinds) != 0 || parts != pm->nparts) {
		goto bad;
	}
	tmp = scratch(pm, pm->sp.nm);
	if (states_read_final(pm->sp.m, pm->sp.nm, json_object_get(j, "s"),
	    tmp) < 0) {
		states_free(pm->sp.m, pm->sp.nm, tmp);
		goto bad;
	}
	gi = table_get(&pm->t, pm->key.p, (uint32_t)pm->key.n,
	    hash_table_key(pm->key.p, pm->key.n));
	pm->t.g[gi].records += (uint64_t)json_integer_value(n);
	if (states_merge(pm->sp.m, pm->sp.nm, table_states(&pm->t, gi),
	    tmp) < 0)
		diag_at(name, line, "group %.*s: a distinct count made final "
		    "(batch-agg --reduce) meets another line of the group: a "
		    "group's lines must all go to one reducer",
		    kn > 80 ? 80 : (int)kn, k);
	else
		rc = 0;
	states_free(pm->sp.m, pm->sp.nm, tmp);
	return rc;
bad:
	diag_at(name, line, "a malformed partial group");
	return -1;
}

static int
read_line(struct partials *pm, const char *name, unsigned long line,
    const char *p, size_t n)
{
	const char *tab = memchr(p, '\t', n);
	size_t kn;
	json_t *j;
	json_error_t e;
	int rc;

	if (tab == NULL)
		return no_tab(name, line, p, n);
	kn = (size_t)(tab - p);
	j = json_loadb(tab + 1, n - kn - 1, PARTIAL_JSON_FLAGS, &e);
	if (!json_is_object(j)) {
		diag_at(name, line, "a malformed partial line: %s", j == NULL ?
		    e.text : "not a JSON object after the tab");
		json_decref(j);
		return -1;
	}
	if (kn == strlen(PARTIAL_HEAD_KEY) &&
	    memcmp(p, PARTIAL_HEAD_KEY, kn) == 0)
		rc = read_head(pm, name, line, j);
	else
		rc = read_group(pm, name, line, p, kn, j);
	json_decref(j);
	return rc;
}

int
partial_read(struct partials *pm, const char *path)
{
	struct src s;
	const char *p;
	size_t n;
	unsigned long line = 0;
	int got, rc = 0;

	if (src_open(&s, path) < 0) {
		diag("%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (got = src_line(&s, &p, &n)) != 0) {
		line++;
		if (got == -1) {
			rc = -1;
		} else if (got == -2) {
			diag_at(s.name, line, "a line longer than "
			    "SLUICE_MAX_LINE_BYTES (%zu bytes)", src_max_line);
			rc = -1;
		} else {
			if (n > 0 && p[n - 1] == '\r')
				n--;
			if (n > 0)
				rc = read_line(pm, s.name, line, p, n);
		}
	}
	if (src_close(&s) < 0)
		rc = -1;
	return rc;
}

void
partials_done(struct partials *pm)
{
	buf_free(&pm->key);
	free(pm->tmp);
	pm->tmp = NULL;
	pm->ntmp = 0;
}
