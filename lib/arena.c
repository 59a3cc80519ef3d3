#include "arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Blocks start at 8 kB and double to 1 MB: an arena that holds a few
   strings a record stays small, one that holds a million keys makes a
   few dozen blocks, each mapped at once (mem_prefault). */
enum { ARENA_BLOCK = 8192, ARENA_MAX_BLOCK = 1 << 20 };

struct arena_block {
	struct arena_block *next;	/* the older block */
	size_t size;			/* bytes of data[] */
	alignas(max_align_t) char data[];
};

/* A new head block with room for n bytes. */
static void
refill(struct arena *a, size_t n)
{
	size_t size = a->head == NULL ? ARENA_BLOCK : a->head->size * 2;
	struct arena_block *b;

	if (size > ARENA_MAX_BLOCK)
		size = ARENA_MAX_BLOCK;
	if (size < n)
		size = n;
	b = emalloc(sizeof *b + size);
	mem_prefault(b->data, size);
	b->size = size;
	b->next = a->head;
	a->head = b;
	a->cur = b->data;
	a->left = size;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t align = alignof(max_align_t), pad;
	char *p;

	pad = (align - ((size_t)a->cur & (align - 1))) & (align - 1);
	if (a->cur == NULL || a->left < pad || a->left - pad < n) {
		refill(a, n);
		pad = 0;
	}
	p = a->cur + pad;
	a->cur = p + n;
	a->left -= pad + n;
	return p;
}

void *
arena_bytes(struct arena *a, size_t n)
{
	char *p;

	if (a->cur == NULL || a->left < n)
		refill(a, n);
	p = a->cur;
	a->cur = p + n;
	a->left -= n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *p, size_t n)
{
	char *s = arena_bytes(a, n + 1);

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
