/*
 * where.h - --where EXPR: the records an expression holds for, in the
 * expression language of sluice-schema(5) (expr.h), over a record's
 * fields by name:
 *
 *	--where "event_type == 'purchase' and price >= 10"
 *
 * A record is kept when the expression is true; false and null drop it,
 * as SQL's WHERE does.  A field the record lacks is null, like an empty
 * CSV cell or a JSON null: a comparison (< <= > >=) with null is false,
 * so `price > 10` drops a record without a price and `not (price > 10)`
 * keeps it; == and != take null as a value (`coupon == null` holds for a
 * record without one).  CSV text that spells a number compares as that
 * number.
 */
#ifndef SLUICE_WHERE_H
#define SLUICE_WHERE_H

#include <stddef.h>

#include "rec.h"
#include "schema.h"

struct where;

/*
 * Compile text; lookup() may use the schema's tables (sc may be NULL).
 * Returns NULL with a message in err that names the column of the
 * mistake ("column 14: unexpected ')'").
 */
struct where *where_compile(const char *text, const struct schema *sc,
    char *err, size_t errlen);

/* Compile --where's argument, or exit 2 naming the mistake's column. */
struct where *ewhere(const char *text, const struct schema *sc);

/* Another of w (NULL: none), with state of its own: for another thread. */
struct where *where_copy(const struct where *w);

/*
 * Does r pass?  1 keep it, 0 drop it; -1 when the expression cannot be
 * worked out for it (text in arithmetic, a division by zero): *why says
 * so, and the caller diverts the record as a bad one.
 */
int where_test(struct where *w, const struct rec *r, const char **why);

/* The expression as given. */
const char *where_text(const struct where *w);

void where_free(struct where *w);

#endif
