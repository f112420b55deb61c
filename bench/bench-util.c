/* bench: small helpers shared by the benchmark programs. */
#include "config.h"

#include "bench-util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

long bench_peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_percentile(double *v, size_t n, double p)
{
    if (n == 0) return 0.0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

void bench_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

bluetti_registry *bench_registry(const char *plugin_dir, double *load_s)
{
    bluetti_registry *reg = NULL;
    if (bluetti_registry_new(&reg) != 0) bench_die("cannot create a registry");
    double t0 = bench_now();
    int n = bluetti_registry_load_dir(reg, plugin_dir,
                                      BLUETTI_LOAD_NO_ENV | BLUETTI_LOAD_NO_SYSTEM);
    double t1 = bench_now();
    if (n <= 0) bench_die("no plugins loaded from %s (%d)", plugin_dir, n);
    if (load_s) *load_s = t1 - t0;
    return reg;
}

/* Round k of device i (next = k*N + i) is due at t0 + k + i/N. */
static double sched_due_at(const bench_sched *s)
{
    unsigned long long k = s->next / s->n, i = s->next % s->n;
    return s->t0 + (double)k + (double)i / (double)s->n;
}

void bench_sched_start(bench_sched *s, size_t n, double seconds)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->t0 = bench_now() + 0.05;
    s->count_from = s->t0 + 1.0;
    s->t_end = s->t0 + seconds;
}

int bench_sched_tick(bench_sched *s, double now)
{
    if (!s->counting && now >= s->count_from) {
        s->counting = 1;
        s->cpu0 = bench_cpu_s();
        s->wall0 = now;
    }
    if (now >= s->t_end) return 0;
    if (++s->loops > 100000000ul) bench_die("loop bound reached");
    return 1;
}

int bench_sched_due(bench_sched *s, double now, size_t *dev, int *counted)
{
    double due = sched_due_at(s);
    if (due > now) return 0;
    *dev = (size_t)(s->next % s->n);
    *counted = due >= s->count_from;
    s->next++;
    return 1;
}

int bench_sched_wait_ms(const bench_sched *s)
{
    double now = bench_now();
    int wait = (int)ceil((sched_due_at(s) - now) * 1000.0);
    if (wait < 0) wait = 0;
    if (now + wait / 1000.0 > s->t_end) wait = (int)ceil((s->t_end - now) * 1000.0);
    return wait < 0 ? 0 : wait;
}

void bench_sched_totals(const bench_sched *s, double *wall, double *cpu)
{
    *wall = bench_now() - s->wall0;
    *cpu = bench_cpu_s() - s->cpu0;
}
