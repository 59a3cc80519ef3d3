/*
 * event.c - a record as a Kafka event: its fields as one JSON object
 * with an "event_time", its key, its topic.
 *
 * event_time follows a retail producer: a record's own event_time,
 * else a copy of the first of order_ts, order_time, order_date and
 * timestamp it has, else the time it is sent.  --time names the
 * field instead.  The value is copied as written, unless --now shifts
 * it, when it is written again as ISO 8601.
 */
#include <string.h>

#include "replay.h"

static const char *const usual_time_fields[] = {
	"event_time", "order_ts", "order_time", "order_date", "timestamp",
};

/*
 * The field event_time comes from, or NULL; *own gets the record's own
 * event_time field, or NULL.  One pass over the fields, most names
 * passed over on their first letter.
 */
static struct val *
time_value(const struct shape *sh, const struct rec *r, struct val **own)
{
	enum { NUSUAL = sizeof usual_time_fields / sizeof *usual_time_fields };
	struct val *best = NULL;
	size_t rank = NUSUAL;

	*own = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const char *name = r->f[i].name;
		struct val *v = &r->f[i].v;
		int usable = !val_is_null(v) && !val_is_empty_text(v);

		if (name == NULL || (*name != 'e' && *name != 'o' && *name !=
		    't' && (sh->time_field == NULL || *name !=
		    *sh->time_field)))
			continue;
		if (*own == NULL && strcmp(name, "event_time") == 0)
			*own = v;
		if (sh->time_field != NULL) {
			if (best == NULL && usable &&
			    strcmp(name, sh->time_field) == 0)
				best = v;
			continue;
		}
		for (size_t k = 0; k < rank; k++)
			if (*name == *usual_time_fields[k] &&
			    strcmp(name, usual_time_fields[k]) == 0) {
				if (usable) {
					best = v;
					rank = k;
				}
				break;
			}
	}
	return best;
}

int
event_time_of(const struct shape *sh, const struct rec *r, int64_t *us)
{
	struct val *own, *v = time_value(sh, r, &own);

	return v != NULL && val_to_time(v, us) == 0 ? 0 : -1;
}

/* A field's text onto the end of b; -1 when missing or empty. */
static int
field_text(const struct rec *r, const char *name, struct buf *b,
    struct buf *scratch)
{
	struct val *v = rec_get(r, name);
	const char *p;
	size_t n;

	if (v == NULL || val_is_null(v) || val_is_empty_text(v))
		return -1;
	p = val_to_text(v, scratch, &n);
	buf_add(b, p, n);
	return 0;
}

static const char *
route(const struct shape *sh, const struct rec *r, struct event *ev,
    const char **msg)
{
	if (sh->topic_field == NULL)
		return sh->topic;
	ev->topic_buf.n = 0;
	if (field_text(r, sh->topic_field, &ev->topic_buf, &ev->scratch) < 0) {
		if (sh->topic != NULL)
			return sh->topic;
		ev->scratch.n = 0;
		buf_printf(&ev->scratch, "no %s to route by, and no -t topic",
		    sh->topic_field);
		*msg = buf_cstr(&ev->scratch);
		return NULL;
	}
	/* A topic's name is a C string: one cut at a NUL (JSON's \u0000)
	   would send the event to another topic. */
	if (ev->topic_buf.n > 0 &&
	    memchr(ev->topic_buf.p, 0, ev->topic_buf.n) != NULL) {
		ev->scratch.n = 0;
		buf_printf(&ev->scratch, "%s holds a NUL byte: no topic is "
		    "named so", sh->topic_field);
		*msg = buf_cstr(&ev->scratch);
		return NULL;
	}
	if (sh->nroutes == 0)
		return buf_cstr(&ev->topic_buf);
	for (size_t i = 0; i < sh->nroutes; i++)
		if (strcmp(sh->route_from[i], buf_cstr(&ev->topic_buf)) == 0)
			return sh->route_to[i];
	if (sh->topic != NULL)
		return sh->topic;
	ev->scratch.n = 0;
	buf_printf(&ev->scratch, "%s \"%s\" has no --route, and no -t topic",
	    sh->topic_field, buf_cstr(&ev->topic_buf));
	*msg = buf_cstr(&ev->scratch);
	return NULL;
}

/* The event time as JSON: the field's value as it is, or now. */
static void
put_time(struct out *o, const struct val *tv, int64_t now_us)
{
	char iso[TS_BUFSZ];

	if (tv != NULL) {
		jw_val(o, tv);
	} else {
		out_putc(o, '"');
		out_write(o, iso, ts_format(iso, now_us));
		out_putc(o, '"');
	}
}

int
event_make(const struct shape *sh, struct rec *r, int raw_json,
    struct event *ev, const char **why, const char **msg)
{
	struct val *own, *tv = time_value(sh, r, &own);
	char iso[TS_BUFSZ];
	int64_t us = 0;

	ev->has_key = 0;
	ev->key.n = 0;
	for (size_t i = 0; i < sh->nkeys; i++) {
		/* Several fields: their values apart by tabs (as cleanse's
		   --seen keys). */
		if (i > 0)
			buf_add(&ev->key, "\t", 1);
		if (field_text(r, sh->keys[i], &ev->key, &ev->scratch) < 0) {
			ev->scratch.n = 0;
			buf_printf(&ev->scratch, "no %s for the message key",
			    sh->keys[i]);
			*why = "key";
			*msg = buf_cstr(&ev->scratch);
			return -1;
		}
		ev->has_key = 1;
	}
	if ((ev->topic = route(sh, r, ev, msg)) == NULL) {
		*why = "route";
		return -1;
	}
	/* The event's time is read only when something needs it (--speed,
	   --now): messages are stamped when they are sent. */
	ev->has_time = tv != NULL && sh->need_time && val_to_time(tv, &us) ==
	    0;
	if (tv != NULL && !ev->has_time && sh->need_time) {
		struct buf t = { 0 };
		size_t n;
		const char *p = val_to_text(tv, &t, &n);

		ev->scratch.n = 0;
		buf_adds(&ev->scratch, "event time \"");
		buf_add(&ev->scratch, p, n);
		buf_adds(&ev->scratch, "\" is not a time");
		buf_free(&t);
		*why = "event_time";
		*msg = buf_cstr(&ev->scratch);
		return -1;
	}
	if (tv == NULL) {
		/* Its event_time is now; pacing by event time passes it
		   over (has_time 0). */
		ev->time_us = wall_us();
		ev->has_time = 0;
	} else {
		ev->time_us = ev->has_time ? us + sh->shift_us : 0;
	}
	if (ev->o == NULL)
		ev->o = out_mem(&ev->json);
	ev->json.n = 0;
	if (raw_json && !sh->rewrite_time && (own == NULL || own == tv)) {
		/* JSON Lines: the line as it came, event_time added before
		   its closing brace. */
		size_t n = r->rawn;

		if (own != NULL) {
			out_write(ev->o, r->raw, n);
		} else {
			while (n > 0 && r->raw[n - 1] != '}')
				n--;
			out_write(ev->o, r->raw, n - 1);
			out_puts(ev->o, r->n > 0 ? ",\"event_time\":" :
			    "\"event_time\":");
			put_time(ev->o, tv, ev->time_us);
			out_putc(ev->o, '}');
		}
	} else {
		if (tv == NULL || sh->rewrite_time) {
			size_t n = ts_format(iso, ev->time_us);

			rec_set(r, "event_time", val_str(rec_strdup(r, iso, n),
			    n));
		} else if (tv != own) {
			struct val copy = *tv;

			rec_set(r, "event_time", copy);
		}
		jw_rec(ev->o, r);
	}
	out_flush(ev->o);
	return 0;
}

void
event_free(struct event *ev)
{
	if (ev->o != NULL)
		out_close(ev->o);
	buf_free(&ev->json);
	buf_free(&ev->key);
	buf_free(&ev->topic_buf);
	buf_free(&ev->scratch);
}
