/* bench_fleet: N simulated devices on one SDK connection, each polled for
 * three blocks (100, 1300, 6000) once a second with the asynchronous API
 * (bluetti_device_submit_read + bluetti_session_process). Device i starts
 * its round at i/N of each second; the blocks of a round are read one
 * after the other (one request in flight per device).
 *
 *   bench_fleet [--qos 0|1] PLUGIN_DIR PKI_DIR PORT N SECONDS SERIAL_BASE
 *
 * Serials are SERIAL_BASE + i (decimal), as given to bluetti-sim. The first
 * second is a warm-up and is not counted. --qos sets the transport's qos
 * option (default 1, as the SDK's default). Output: "key value" lines.
 */
#include "config.h"

#include "bench-util.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint16_t blocks[3] = { 100, 1300, 6000 };

struct dev {
    bluetti_device *d;
    int stage;         /* index into blocks of the read in flight or due, -1 idle */
    double t_submit;
};

struct fleet {
    struct dev *devs;
    size_t n;
    unsigned long long base;
    size_t *ready;     /* devices whose next block is to be submitted */
    size_t n_ready;
    double *lat;       /* latencies of counted reads */
    size_t n_lat, cap_lat;
    double count_from;
    unsigned long ok, errors, overruns, submit_fail;
};

static void on_read(void *ud, bluetti_device *d, uint16_t block, int err, const bluetti_result *r)
{
    struct fleet *f = ud;
    (void)block;
    (void)r;
    double now = bench_now();
    unsigned long long sn = strtoull(bluetti_device_address(d), NULL, 10);
    if (sn < f->base || sn - f->base >= f->n) return;
    struct dev *v = &f->devs[sn - f->base];
    if (v->stage < 0) return;
    if (v->t_submit >= f->count_from) {
        if (err == 0) {
            f->ok++;
            if (f->n_lat < f->cap_lat) f->lat[f->n_lat++] = now - v->t_submit;
        } else {
            f->errors++;
        }
    }
    if (++v->stage < 3) f->ready[f->n_ready++] = (size_t)(sn - f->base);
    else v->stage = -1;
}

int main(int argc, char **argv)
{
    const char *qos = "1";
    if (argc > 2 && strcmp(argv[1], "--qos") == 0) {
        qos = argv[2];
        if (strcmp(qos, "0") != 0 && strcmp(qos, "1") != 0) bench_die("--qos 0 or 1");
        argc -= 2;
        argv += 2;
    }
    if (argc != 7) bench_die("usage: bench_fleet [--qos 0|1] PLUGIN_DIR PKI_DIR PORT N SECONDS SERIAL_BASE");
    const char *pki = argv[2];
    int port = atoi(argv[3]);
    long n = atol(argv[4]);
    double seconds = atof(argv[5]);
    const char *pw = getenv("BLUETTI_CERT_PASSWORD");
    if (!pw || port <= 0 || n < 1 || n > 100000 || !(seconds >= 2 && seconds <= 600))
        bench_die("bad arguments");

    struct fleet f;
    memset(&f, 0, sizeof f);
    f.n = (size_t)n;
    f.base = strtoull(argv[6], NULL, 10);
    f.devs = calloc(f.n, sizeof *f.devs);
    f.ready = calloc(f.n, sizeof *f.ready);
    f.cap_lat = (size_t)((double)n * 3 * (seconds + 1)) + 16;
    f.lat = calloc(f.cap_lat, sizeof *f.lat);
    if (!f.devs || !f.ready || !f.lat) bench_die("out of memory");

    bluetti_registry *reg = bench_registry(argv[1], NULL);
    char p12[512], portstr[16], detail[256];
    snprintf(p12, sizeof p12, "%s/client.p12", pki);
    snprintf(portstr, sizeof portstr, "%d", port);
    bluetti_options *o = bluetti_options_new();
    bluetti_options_set(o, "broker", "127.0.0.1");
    bluetti_options_set(o, "port", portstr);
    bluetti_options_set(o, "cert", p12);
    bluetti_options_set(o, "qos", qos);
    bluetti_options_set_secret(o, "password", pw);
    bluetti_session *s = NULL;
    int rc = bluetti_session_open(reg, "mqtt", o, NULL, &s, detail, sizeof detail);
    bluetti_options_free(o);
    if (rc) bench_die("SDK session: %s", detail);
    for (size_t i = 0; i < f.n; i++) {
        char sn[32];
        snprintf(sn, sizeof sn, "%llu", f.base + i);
        rc = bluetti_session_add_device(s, sn, "EL100V2", &f.devs[i].d);
        if (rc) bench_die("add device %s: %s", sn, bluetti_strerror(rc));
        f.devs[i].stage = -1;
    }
    bluetti_session_set_read_callback(s, on_read, &f);
    /* let the subscriptions settle */
    for (int i = 0; i < 50; i++) bluetti_session_process(s, 10);

    bench_sched sc;
    bench_sched_start(&sc, f.n, seconds);
    f.count_from = sc.count_from;
    for (;;) {
        double now = bench_now();
        if (!bench_sched_tick(&sc, now)) break;
        size_t i;
        int counted;
        while (bench_sched_due(&sc, now, &i, &counted)) {
            struct dev *v = &f.devs[i];
            if (v->stage >= 0) {
                if (counted) f.overruns++;
            } else {
                v->stage = 0;
                f.ready[f.n_ready++] = i;
            }
        }
        while (f.n_ready > 0) {
            struct dev *v = &f.devs[f.ready[--f.n_ready]];
            v->t_submit = bench_now();
            rc = bluetti_device_submit_read(v->d, blocks[v->stage], 0);
            if (rc) {
                f.submit_fail++;
                v->stage = -1;
            }
        }
        rc = bluetti_session_process(s, bench_sched_wait_ms(&sc));
        if (rc) bench_die("process: %s", bluetti_strerror(rc));
    }
    double wall, cpu;
    bench_sched_totals(&sc, &wall, &cpu);
    /* reads still in flight at the end are not counted (not in ok/errors) */
    unsigned long done = f.ok + f.errors;
    printf("fleet_devices %ld\n", n);
    printf("fleet_seconds %.2f\n", wall);
    printf("fleet_loops %lu\n", sc.loops);
    printf("fleet_reads %lu\n", f.ok);
    printf("fleet_errors %lu\n", f.errors);
    printf("fleet_overruns %lu\n", f.overruns);
    printf("fleet_submit_fail %lu\n", f.submit_fail);
    printf("fleet_expected_reads_per_s %.1f\n", 3.0 * (double)n);
    printf("fleet_reads_per_s %.1f\n", (double)f.ok / wall);
    printf("fleet_p50_ms %.3f\n", bench_percentile(f.lat, f.n_lat, 50) * 1e3);
    printf("fleet_p99_ms %.3f\n", bench_percentile(f.lat, f.n_lat, 99) * 1e3);
    printf("fleet_max_ms %.3f\n", bench_percentile(f.lat, f.n_lat, 100) * 1e3);
    printf("fleet_cpu_s %.3f\n", cpu);
    printf("fleet_cpu_core_fraction %.4f\n", cpu / wall);
    printf("fleet_cpu_s_per_1000_reads %.4f\n", done ? cpu / (double)done * 1000.0 : 0.0);
    printf("fleet_peak_rss_kib %ld\n", bench_peak_rss_kib());
    bluetti_session_close(s);
    bluetti_registry_free(reg);
    free(f.devs);
    free(f.ready);
    free(f.lat);
    return 0;
}
