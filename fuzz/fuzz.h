/* fuzz.h - the libFuzzer entry point every target defines.  The same object links
 * either with libFuzzer (clang -fsanitize=fuzzer) or with fuzz_replay.c, which feeds
 * it the corpus files as ordinary CTest tests in any build. */
#ifndef STRAITS_FUZZ_H
#define STRAITS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 (libFuzzer's contract); a bug shows as a crash or a sanitizer report. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
