#include "reject.h"

#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "jsonw.h"
#include "out.h"

struct rejects {
	struct out *o;		/* the dead-letter file, or NULL */
	uint64_t n;		/* diverted */
};

struct rejects *
rej_open(const char *path)
{
	struct rejects *rj = ecalloc(1, sizeof *rj);

	if (path != NULL) {
		rj->o = out_open(path, OUT_APPEND, 0);
		if (rj->o == NULL) {
			free(rj);
			return NULL;
		}
	}
	return rj;
}

static int
has_unnamed(const struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].name == NULL)
			return 1;
	return 0;
}

static void write_letter(struct rejects *rj, const struct rec *r,
    const struct rej_reason *why, size_t n);

void
rej_put(struct rejects *rj, const struct rec *r,
    const struct rej_reason *why, size_t n)
{
	const char *src = r->src ? r->src : "-";

	rj->n++;
	if (rj->n <= REJ_SHOWN)
		diag_at(src, r->line, "%s", why[0].message);
	if (rj->n == REJ_SHOWN + 1)
		diag("more diverted records are not shown; the summary "
		    "counts them%s", rj->o ? " and the reject file has them" :
		    "");
	write_letter(rj, r, why, n);
}

void
rej_quiet(struct rejects *rj, const struct rec *r,
    const struct rej_reason *why, size_t n)
{
	write_letter(rj, r, why, n);
}

static void
write_letter(struct rejects *rj, const struct rec *r,
    const struct rej_reason *why, size_t n)
{
	const char *src = r->src ? r->src : "-";
	struct out *o = rj->o;

	if (o == NULL)
		return;

	struct buf pos = { 0 };

	buf_printf(&pos, "%s:%lu", src, r->line);
	out_puts(o, "{\"source\":");
	jw_string(o, pos.p, pos.n);
	buf_free(&pos);
	out_puts(o, ",\"errors\":[");
	for (size_t i = 0; i < n; i++) {
		out_puts(o, i ? ",{\"rule\":" : "{\"rule\":");
		jw_string(o, why[i].rule, strlen(why[i].rule));
		if (why[i].field != NULL) {
			out_puts(o, ",\"field\":");
			jw_string(o, why[i].field, strlen(why[i].field));
		}
		out_puts(o, ",\"message\":");
		jw_string(o, why[i].message, strlen(why[i].message));
		out_putc(o, '}');
	}
	out_putc(o, ']');
	if (r->raw != NULL && r->n == 0) {
		out_puts(o, ",\"raw\":");
		jw_string(o, r->raw, r->rawn);
	} else if (has_unnamed(r)) {
		out_puts(o, ",\"fields\":[");
		for (size_t i = 0; i < r->n; i++) {
			if (i > 0)
				out_putc(o, ',');
			jw_val(o, &r->f[i].v);
		}
		out_putc(o, ']');
	} else {
		out_puts(o, ",\"record\":");
		jw_rec(o, r);
	}
	out_puts(o, "}\n");
}

void
rej_one(struct rejects *rj, const struct rec *r, const char *rule,
    const char *message)
{
	struct rej_reason why = { rule, message, NULL };

	rej_put(rj, r, &why, 1);
}

uint64_t
rej_count(const struct rejects *rj)
{
	return rj->n;
}

long long
rej_sync(struct rejects *rj)
{
	if (rj == NULL || rj->o == NULL)
		return -1;
	return out_sync(rj->o);
}

int
rej_close(struct rejects *rj)
{
	int rc = 0;

	if (rj == NULL)
		return 0;
	if (rj->o != NULL && out_close(rj->o) < 0)
		rc = -1;
	free(rj);
	return rc;
}
