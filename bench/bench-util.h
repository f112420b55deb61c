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
/* The fleet schedule shared by bench_fleet and bench_fleet_floor: N
 * devices, round k of device i due at t0 + k + i/N; the first second is
 * warm-up, CPU and wall time are counted from then on. */
typedef struct bench_sched {
    double t0, count_from, t_end;
    size_t n;
    unsigned long long next;   /* k*N + i of the next start */
    double cpu0, wall0;        /* at count_from */
    int counting;
    unsigned long loops;
} bench_sched;
/* Start: the clock begins 50 ms from now and runs for `seconds`. */
void bench_sched_start(bench_sched *s, size_t n, double seconds);
/* Once per loop: starts the counting when due; 0 when the run is over. */
int bench_sched_tick(bench_sched *s, double now);
/* The next device whose round is due by now (and whether that start falls
 * in the counted time); 0 when none is due. */
int bench_sched_due(bench_sched *s, double now, size_t *dev, int *counted);
/* Milliseconds to wait for the next start (never past the end). */
int bench_sched_wait_ms(const bench_sched *s);
/* Wall and CPU seconds since counting began. */
void bench_sched_totals(const bench_sched *s, double *wall, double *cpu);

/* Print "bench: ..." and exit(1). */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
