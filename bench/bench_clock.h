/* bench_clock.h - the benchmarks' clocks: wall time, and this process's CPU time
 * (which a busy shared machine does not inflate: the stable number when other jobs
 * run beside a benchmark). */
#ifndef STRAITS_BENCH_CLOCK_H
#define STRAITS_BENCH_CLOCK_H

#include <time.h>

static inline double bench_clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double now_s(void) { return bench_clock_s(CLOCK_MONOTONIC); }
static inline double cpu_s(void) { return bench_clock_s(CLOCK_PROCESS_CPUTIME_ID); }

#endif
