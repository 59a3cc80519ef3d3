/*
 * fuzz.h - what the libFuzzer targets share (the fuzz/ targets, `make fuzz`).
 *
 * A target is LLVMFuzzerTestOneInput() over one parser of outside input.
 * It prints nothing while it holds: the library's own messages about a
 * bad input (diag(), "column 3 renamed", "a damaged checkpoint") are
 * expected and go to /dev/null.  A finding is a sanitizer report, a leak,
 * a timeout, or fuzz_fail()'s abort when a property the parser promises
 * (two paths agreeing, a value reading back) does not hold.
 */
#ifndef SLUICE_FUZZ_H
#define SLUICE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * What a target sets up once, before the first input (fuzz.c has one
 * that does nothing).  Returns 0, or -1 to give up.  By then the
 * library's stderr (its FILE) goes to /dev/null; the sanitizers and
 * libFuzzer write to file descriptor 2 themselves, so their reports
 * still show.
 */
int fuzz_setup(void);

/*
 * The input as a file the library can open by name: a memory file
 * (memfd), rewritten on each call, named "/proc/self/fd/N".  The name
 * stays valid until the next call.  It has no extension, so a reader
 * asked for FMT_AUTO sniffs it.
 */
const char *fuzz_file(const uint8_t *data, size_t size);

/*
 * Read the input as a file of format fmt, as programs read one, and call
 * fn(r) for each good record (bad ones are only counted by the reader).
 */
void fuzz_each_record(const uint8_t *data, size_t size, enum fmt fmt,
    void (*fn)(const struct rec *r));

/*
 * Every conversion a program may ask of r's values (number, decimal,
 * boolean, time, text), as a program would after reading it; the
 * results are checked only by the sanitizers.
 */
void fuzz_use_values(const struct rec *r);

/* Print "fuzz: what" and the two sides (n bytes each, \xHH for bytes
   that are not printable ASCII) to the real stderr, and abort: a
   finding. */
_Noreturn void fuzz_fail(const char *what, const char *a, size_t an,
    const char *b, size_t bn);

#endif
