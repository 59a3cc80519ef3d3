/*
 * utf8.h - UTF-8 validation (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF).
 */
#ifndef SLUICE_UTF8_H
#define SLUICE_UTF8_H

#include <stddef.h>

/*
 * Return the offset of the first byte of p[0..n) that does not start a
 * valid UTF-8 sequence, or n when all of it is valid.
 */
size_t utf8_check(const char *p, size_t n);

/*
 * Length of the valid sequence at p (at most n bytes), or 0 when p does not
 * start one.
 */
size_t utf8_seq(const unsigned char *p, size_t n);

#endif
