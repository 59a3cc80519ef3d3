#include "arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

enum { ARENA_BLOCK = 8192 };

struct arena_block {
	struct arena_block *next;	/* the older block */
	size_t size;			/* bytes of data[] */
	alignas(max_align_t) char data[];
};

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t align = alignof(max_align_t), pad;
	struct arena_block *b;
	char *p;

	pad = (align - ((size_t)a->cur & (align - 1))) & (align - 1);
	if (a->cur == NULL || a->left < pad || a->left - pad < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		b = emalloc(sizeof *b + size);
		b->size = size;
		b->next = a->head;
		a->head = b;
		a->cur = b->data;
		a->left = size;
		pad = 0;
	}
	p = a->cur + pad;
	a->cur = p + n;
	a->left -= pad + n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *p, size_t n)
{
	char *s = arena_alloc(a, n + 1);

	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	if (a->head == NULL)
		return;
	/* Keep the oldest block: it is the one every reset returns to. */
	for (b = a->head; b->next != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = b;
	a->cur = b->data;
	a->left = b->size;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->cur = NULL;
	a->left = 0;
}
