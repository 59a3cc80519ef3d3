/*
 * checkpoint.c - stream-window's checkpoint file (window/checkpoint.c):
 * any bytes as the one checkpoint in a --checkpoint folder, opened and
 * restored as a restart does for partition t[0], then every window it
 * held written out as the end of input writes them (tumbling panes, then
 * sessions).  The run groups by two dimensions and has one metric of
 * each kind, so every kind of state is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "../window/window.h"

/* One metric of each kind (a filtered count has a state of its own). */
static const char *const specs[] = {
	"count", "sum:amount", "avg:amount", "min:amount", "max:amount",
	"distinct:user", "approx_distinct:user", "count_true:flag",
	"rate_true:flag", "big=count where amount > 10"
};
enum { NSPECS = sizeof specs / sizeof specs[0] };

/* Grouped by two dimensions: a key has two parts. */
static char *dims[] = { "store", "city" };

/* In $TMPDIR (fuzz/run gives one under build/fuzz/: a crash skips
   remove_dir()). */
static char dir[4096];
static char file[sizeof dir + 32];
static struct metric *metrics;

static void
remove_dir(void)
{
	char lock[sizeof dir + 32];

	snprintf(lock, sizeof lock, "%s/stdout-0.lock", dir);
	unlink(file);
	unlink(lock);
	rmdir(dir);
}

int
fuzz_setup(void)
{
	char err[256];
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/sluice-fuzz-ckpt-XXXXXX",
	    tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	atexit(remove_dir);
	/* The name a process writing to stdout takes first. */
	snprintf(file, sizeof file, "%s/stdout-0.ckpt", dir);
	metrics = calloc(NSPECS, sizeof *metrics);
	for (size_t i = 0; i < NSPECS; i++) {
		if (metric_parse(specs[i], NULL, &metrics[i], err,
		    sizeof err) < 0)
			abort();
		metrics[i].key_part = -1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ckpt_file files[NFILES] = { { 0 } };
	struct run rn = { 0 };
	struct filter f = { 0 };
	struct buf text = { 0 };
	struct checkpoint *c;
	struct part *p;
	FILE *fp;

	if ((fp = fopen(file, "w")) == NULL ||
	    fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	if ((c = ckpt_open(dir, "fuzz", files)) == NULL)
		return 0;
	rn.dims = dims;
	rn.ndims = 2;
	rn.m = metrics;
	rn.nm = NSPECS;
	rn.size = rn.slide = 60 * TS_US_PER_SEC;
	rn.f = &f;
	f.out = out_mem(&text);
	f.w = wr_open(f.out, FMT_JSONL);
	p = part_new(&rn, "t", 0);
	if (ckpt_restore(c, &rn, p) == 1) {
		/* The end of input: every pane is final, then (a run of
		   session windows) every session. */
		window_advance(&rn, p, W_END);
		p->w = W_NONE;
		rn.gap = 30 * TS_US_PER_SEC;
		window_advance(&rn, p, W_END);
	}
	part_free(&rn, p);
	wr_close(f.w);
	out_close(f.out);
	buf_free(&text);
	buf_free(&rn.key);
	rec_free(&rn.row);
	ckpt_close(c);
	return 0;
}
