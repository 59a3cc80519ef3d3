/*
 * lat.h - what the lat-* test tools share (they time events through a
 * stream: tests/stream-clock.t, bench/stream-latency.bench).
 */
#ifndef SLUICE_LAT_H
#define SLUICE_LAT_H

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

/* Write all of p[0..n) to fd, or exit 1. */
static inline void
lat_write(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			fatal(1, "write: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

#endif
