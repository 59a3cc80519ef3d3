#include <string.h>

#include "cleanse.h"

char *
normalize_name(const char *name, char *buf, size_t size)
{
	size_t o = 0;
	int gap = 0;

	while (*name == ' ' || *name == '\t')
		name++;
	for (; *name && o + 1 < size; name++) {
		char c = *name;

		if (c == ' ' || c == '\t') {
			gap = 1;
			continue;
		}
		if (gap)
			buf[o++] = '_';
		gap = 0;
		if (o + 1 < size)
			buf[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	buf[o] = '\0';
	return buf;
}

const char *const *
names_of(struct names *nm, const struct rec *r)
{
	char tmp[256];

	if (r->layout != 0 && r->layout == nm->layout && nm->n == r->n)
		return nm->name;
	arena_reset(&nm->mem);
	if (nm->cap < r->n) {
		nm->cap = r->n;
		nm->name = erealloc(nm->name, nm->cap * sizeof *nm->name);
	}
	for (size_t i = 0; i < r->n; i++) {
		const char *s = r->f[i].name ? r->f[i].name : "";

		normalize_name(s, tmp, sizeof tmp);
		/* Most names are normal already: no copy then. */
		nm->name[i] = strcmp(tmp, s) == 0 ? s :
		    arena_strndup(&nm->mem, tmp, strlen(tmp));
	}
	nm->n = r->n;
	nm->layout = r->layout;
	return nm->name;
}

void
names_free(struct names *nm)
{
	free(nm->name);
	arena_free(&nm->mem);
}
