/* fault_alloc.h - allocation failure injection for the robustness tests.
 *
 * Test executables that link fault_alloc.c with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
 * route every allocation made by straits' own code (and by libyaml, linked
 * statically into those executables) through a counter; fault_install_sqlite()
 * points SQLite's allocator (SQLITE_CONFIG_MALLOC) at the same counter.  Once armed
 * with n, the n-th allocation after arming fails (returns NULL), and so does every
 * later one while `sticky` is set; then the test checks that the code under test
 * fails cleanly.  Nothing in src/ knows about it: the production build is untouched.
 *
 * Not counted: allocations inside libc itself (fopen's buffer, realpath), which
 * straits cannot observe.  Single-threaded use only. */
#ifndef STRAITS_FAULT_ALLOC_H
#define STRAITS_FAULT_ALLOC_H

#include <stddef.h>

/* Fail the n-th allocation from now (n >= 1); with sticky, fail all after it too. */
void fault_arm(long n, int sticky);
/* Stop failing; returns how many allocations failed since fault_arm. */
long fault_disarm(void);
/* Allocations seen since the last fault_arm or fault_reset_count. */
long fault_count(void);
void fault_reset_count(void);

/* Route SQLite's allocations through the counter.  Call before any other SQLite
 * call; returns 0 or an SQLite error code. */
int fault_install_sqlite(void);

#endif
