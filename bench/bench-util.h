/* bench: small helpers shared by the benchmark programs (not installed). */
#ifndef BLUETTI_BENCH_UTIL_H
#define BLUETTI_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <bluetti/bluetti.h>

/* Monotonic clock in seconds. */
double bench_now(void);
/* CPU time (user + system) of this process in seconds. */
double bench_cpu_s(void);
/* Peak resident set size of this process in KiB. */
long bench_peak_rss_kib(void);
/* Sort v[0..n) and return the p-th percentile (0..100), nearest rank. */
double bench_percentile(double *v, size_t n, double p);
/* A registry with every plugin of dir (and nothing else). Exits on failure. */
bluetti_registry *bench_registry(const char *plugin_dir, double *load_s);
/* Print "bench: ..." and exit(1). */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
