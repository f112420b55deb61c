/* bench_fleet_floor: the floor for bench_fleet. The same workload -- N
 * devices, each reading blocks 100, 1300, 6000 in sequence once a second,
 * device i starting its round at i/N of each second -- done by a bare
 * libmosquitto client with no SDK in the loop: one TLS connection (the
 * client certificate files bench_read's floor uses), TCP_NODELAY, MQTT
 * 3.1.1, QoS 1 both ways, the SDK's request bytes on SUB/<serial>, replies
 * on PUB/<serial> matched to their device by topic in O(1) (serial - base)
 * and checked for the expected length only. The client runs in the usual
 * external-loop style: mosquitto_loop(m, time until the next due
 * submission, 1).
 *
 *   bench_fleet_floor [--poll] [--qos 0|1] PLUGIN_DIR PKI_DIR PORT N SECONDS SERIAL_BASE
 *
 * --poll: instead of mosquitto_loop(), poll() the client's socket and call
 * mosquitto_loop_read/_write/_misc (libmosquitto's documented use from a
 * foreign event loop, and how the SDK's transport waits). mosquitto_loop()
 * also waits on libmosquitto's internal socket pair, to which every queued
 * packet writes a byte, and drains one byte per call, so it wakes up once
 * per packet sent; the poll style does not. --qos 0 subscribes and
 * publishes at QoS 0 (the SDK's qos=0 transport option; bench_fleet --qos 0).
 *
 * The plugins are loaded only to find the register counts the SDK requests
 * for each block on an EL100V2 (the profile's size table, else the schema's
 * read length, in requests of at most BLUETTI_MODBUS_MAX_REGISTERS, as
 * core/session.c does); the registry is freed again before connecting.
 * Schedule, warm-up second, latency, CPU and RSS are measured exactly as in
 * bench_fleet. Output: "key value" lines, prefix fleet_floor_.
 */
#include "config.h"

#include "bench-util.h"

#include <math.h>
#include <errno.h>
#include <mosquitto.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODEL "EL100V2"
#define MAX_CHUNKS 8

static const uint16_t blocks[3] = { 100, 1300, 6000 };

/* The requests of one block read: one per chunk of <= 125 registers. */
struct block_req {
    unsigned n_chunks;
    uint16_t regs[MAX_CHUNKS];
    uint8_t frame[MAX_CHUNKS][BLUETTI_MODBUS_REQUEST_LEN];
    size_t reply_len[MAX_CHUNKS];
};

struct dev {
    int stage;         /* index into blocks of the read in flight or due, -1 idle */
    unsigned chunk;    /* chunk of that block in flight */
    bool in_flight;
    double t_submit;   /* first request of the block */
    char req_topic[32];
};

struct floor {
    struct mosquitto *m;
    bool poll_style;
    int qos;
    struct block_req req[3];
    struct dev *devs;
    size_t n;
    unsigned long long base;
    size_t *ready;     /* devices whose next request is to be published */
    size_t n_ready;
    double *lat;
    size_t n_lat, cap_lat;
    double count_from;
    bool connected;
    int connack;
    size_t n_subacks, n_sub_refused;
    unsigned long ok, errors, overruns, submit_fail, stray, bad_len;
    struct mosquitto *out;      /* --publish: the target broker */
    char **state_topic, **state_json;
    size_t n_states;
    unsigned long published;
};

/* --publish: the states to forward, "TOPIC JSON" per line. */
static void load_states(struct floor *f, const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in) bench_die("cannot read %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, in)) > 0) {
        char *sp = strchr(line, ' ');
        if (!sp) continue;
        if (line[got - 1] == '\n') line[got - 1] = '\0';
        *sp = '\0';
        f->state_topic = realloc(f->state_topic, (f->n_states + 1) * sizeof *f->state_topic);
        f->state_json = realloc(f->state_json, (f->n_states + 1) * sizeof *f->state_json);
        if (!f->state_topic || !f->state_json) bench_die("out of memory");
        f->state_topic[f->n_states] = strdup(line);
        f->state_json[f->n_states] = strdup(sp + 1);
        f->n_states++;
    }
    free(line);
    fclose(in);
    if (!f->n_states) bench_die("no states in %s", path);
}


/* The register counts the SDK asks for (core/session.c default_registers()
 * and send_chunk()). */
static void plan_block(const bluetti_registry *reg, const bluetti_profile *prof, uint16_t block,
                       struct block_req *br)
{
    const bluetti_block_schema *sch = bluetti_registry_find_block(reg, block);
    if (!sch) bench_die("no schema for block %u", (unsigned)block);
    size_t bytes = 0;
    for (const bluetti_block_size *z = prof->sizes; z && z->block; z++)
        if (z->block == block) bytes = z->bytes;
    if (!bytes) bytes = bluetti_schema_read_length(sch);
    size_t total = (bytes + 1) / 2, done = 0;
    if (total == 0 || total > 0xFFFF) bench_die("block %u: bad length %zu", (unsigned)block, bytes);
    br->n_chunks = 0;
    while (done < total) {
        if (br->n_chunks == MAX_CHUNKS) bench_die("block %u: too many chunks", (unsigned)block);
        size_t c = total - done;
        if (c > BLUETTI_MODBUS_MAX_REGISTERS) c = BLUETTI_MODBUS_MAX_REGISTERS;
        unsigned k = br->n_chunks++;
        br->regs[k] = (uint16_t)c;
        if (bluetti_modbus_build_read(1, (uint16_t)(block + done), (uint16_t)c, br->frame[k]) != 0)
            bench_die("block %u: cannot build the request", (unsigned)block);
        br->reply_len[k] = 3u + 2u * c + 2u;
        done += c;
    }
}

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
    struct floor *f = ud;
    (void)m;
    f->connack = rc;
    f->connected = true;
}

static void on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *granted)
{
    struct floor *f = ud;
    (void)m;
    (void)mid;
    f->n_subacks++;
    if (n < 1 || !granted || granted[0] < 0 || granted[0] >= 0x80) f->n_sub_refused++;
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    struct floor *f = ud;
    (void)m;
    double now = bench_now();
    const char *t = msg->topic;
    if (msg->retain || strncmp(t, "PUB/", 4) != 0) { f->stray++; return; }
    char *end = NULL;
    unsigned long long sn = strtoull(t + 4, &end, 10);
    if (!end || *end || sn < f->base || sn - f->base >= f->n) { f->stray++; return; }
    size_t i = (size_t)(sn - f->base);
    struct dev *v = &f->devs[i];
    if (v->stage < 0 || !v->in_flight) { f->stray++; return; }
    const struct block_req *br = &f->req[v->stage];
    v->in_flight = false;
    bool good = (size_t)msg->payloadlen == br->reply_len[v->chunk];
    if (!good) f->bad_len++;
    if (good && ++v->chunk < br->n_chunks) {
        f->ready[f->n_ready++] = i; /* next chunk of the same block */
        return;
    }
    if (v->t_submit >= f->count_from) {
        if (good) {
            f->ok++;
            if (f->n_lat < f->cap_lat) f->lat[f->n_lat++] = now - v->t_submit;
        } else {
            f->errors++;
        }
    }
    v->chunk = 0;
    if (++v->stage < 3) {
        f->ready[f->n_ready++] = i;
        return;
    }
    v->stage = -1;
    if (f->out) {
        size_t k = i % f->n_states;
        if (mosquitto_publish(f->out, NULL, f->state_topic[k], (int)strlen(f->state_json[k]),
                              f->state_json[k], 1, true) == MOSQ_ERR_SUCCESS)
            f->published++;
    }
}

/* One round of the client's event loop, waiting up to wait_ms. */
static int step(struct floor *f, int wait_ms)
{
    if (!f->poll_style) return mosquitto_loop(f->m, wait_ms, 1);
    struct pollfd p[2] = {
        { .fd = mosquitto_socket(f->m),
          .events = (short)(POLLIN | (mosquitto_want_write(f->m) ? POLLOUT : 0)) },
        { .fd = f->out ? mosquitto_socket(f->out) : -1,
          .events = (short)(POLLIN | (f->out && mosquitto_want_write(f->out) ? POLLOUT : 0)) },
    };
    if (p[0].fd < 0) return MOSQ_ERR_NO_CONN;
    int n = poll(p, f->out ? 2 : 1, wait_ms);
    if (n < 0) return errno == EINTR ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ERRNO;
    int rc = MOSQ_ERR_SUCCESS;
    if (n > 0 && (p[0].revents & (POLLIN | POLLERR | POLLHUP))) rc = mosquitto_loop_read(f->m, 1);
    if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(f->m)) rc = mosquitto_loop_write(f->m, 1);
    if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_misc(f->m);
    if (rc == MOSQ_ERR_SUCCESS && f->out) {
        if (n > 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP))) rc = mosquitto_loop_read(f->out, 1);
        if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(f->out)) rc = mosquitto_loop_write(f->out, 1);
        if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_misc(f->out);
    }
    return rc;
}

/* Run the client loop until *flag or limit_s seconds pass. */
static bool loop_until(struct floor *f, const bool *flag, double limit_s)
{
    double end = bench_now() + limit_s;
    while (!*flag) {
        if (bench_now() > end) return false;
        if (mosquitto_loop(f->m, 100, 1) != MOSQ_ERR_SUCCESS) return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    bool poll_style = false;
    int qos = 1, out_port = 0;
    const char *states = NULL;
    while (argc > 1 && strncmp(argv[1], "--", 2) == 0) {
        if (strcmp(argv[1], "--publish") == 0 && argc > 3) {
            out_port = atoi(argv[2]);
            states = argv[3];
            poll_style = true;
            argc -= 2;
            argv += 2;
        } else if (strcmp(argv[1], "--poll") == 0) {
            poll_style = true;
        } else if (strcmp(argv[1], "--qos") == 0 && argc > 2 && (!strcmp(argv[2], "0") || !strcmp(argv[2], "1"))) {
            qos = atoi(argv[2]);
            argc--;
            argv++;
        } else {
            bench_die("unknown option %s", argv[1]);
        }
        argc--;
        argv++;
    }
    if (argc != 7)
        bench_die("usage: bench_fleet_floor [--poll] [--qos 0|1] [--publish PORT STATES] PLUGIN_DIR "
                  "PKI_DIR PORT N SECONDS SERIAL_BASE");
    const char *pki = argv[2];
    int port = atoi(argv[3]);
    long n = atol(argv[4]);
    double seconds = atof(argv[5]);
    if (port <= 0 || n < 1 || n > 100000 || !(seconds >= 2 && seconds <= 600))
        bench_die("bad arguments");

    struct floor f;
    memset(&f, 0, sizeof f);
    f.poll_style = poll_style;
    f.qos = qos;
    f.n = (size_t)n;
    f.base = strtoull(argv[6], NULL, 10);
    f.devs = calloc(f.n, sizeof *f.devs);
    /* a device is on the ready list at most once at a time */
    f.ready = calloc(f.n, sizeof *f.ready);
    f.cap_lat = (size_t)((double)n * 3 * (seconds + 1)) + 16;
    f.lat = calloc(f.cap_lat, sizeof *f.lat);
    if (!f.devs || !f.ready || !f.lat) bench_die("out of memory");

    /* what the SDK would request, then no SDK any more */
    bluetti_registry *reg = bench_registry(argv[1], NULL);
    const bluetti_profile *prof = bluetti_registry_find_profile(reg, MODEL);
    if (!prof) bench_die("no profile %s", MODEL);
    for (int b = 0; b < 3; b++) {
        plan_block(reg, prof, blocks[b], &f.req[b]);
        fprintf(stderr, "bench_fleet_floor: block %u:", (unsigned)blocks[b]);
        for (unsigned k = 0; k < f.req[b].n_chunks; k++) {
            fprintf(stderr, " request");
            for (unsigned j = 0; j < BLUETTI_MODBUS_REQUEST_LEN; j++) fprintf(stderr, " %02x", f.req[b].frame[k][j]);
            fprintf(stderr, " (%u registers, reply %zu bytes)", (unsigned)f.req[b].regs[k], f.req[b].reply_len[k]);
        }
        fputc('\n', stderr);
    }
    bluetti_registry_free(reg);

    for (size_t i = 0; i < f.n; i++) {
        f.devs[i].stage = -1;
        snprintf(f.devs[i].req_topic, sizeof f.devs[i].req_topic, "SUB/%llu", f.base + i);
    }

    mosquitto_lib_init();
    char ca[512], crt[512], key[512], id[64];
    snprintf(ca, sizeof ca, "%s/ca.crt", pki);
    snprintf(crt, sizeof crt, "%s/client.crt", pki);
    snprintf(key, sizeof key, "%s/client.key", pki);
    snprintf(id, sizeof id, "bench-fleet-floor-%ld", (long)getpid());
    f.m = mosquitto_new(id, true, &f);
    if (!f.m) bench_die("mosquitto_new");
    mosquitto_int_option(f.m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(f.m, MOSQ_OPT_TCP_NODELAY, 1);
    if (mosquitto_tls_set(f.m, ca, NULL, crt, key, NULL) != MOSQ_ERR_SUCCESS)
        bench_die("mosquitto_tls_set");
    mosquitto_connect_callback_set(f.m, on_connect);
    mosquitto_subscribe_callback_set(f.m, on_subscribe);
    mosquitto_message_callback_set(f.m, on_message);
    if (mosquitto_connect(f.m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS)
        bench_die("connect to 127.0.0.1:%d failed", port);
    if (!loop_until(&f, &f.connected, 10) || f.connack != 0) bench_die("no CONNACK (rc %d)", f.connack);
    if (states) {
        load_states(&f, states);
        snprintf(id, sizeof id, "bench-bridge-floor-%ld", (long)getpid());
        f.out = mosquitto_new(id, true, NULL);
        if (!f.out) bench_die("mosquitto_new");
        mosquitto_int_option(f.out, MOSQ_OPT_TCP_NODELAY, 1);
        mosquitto_max_inflight_messages_set(f.out, 100);
        if (mosquitto_connect(f.out, "127.0.0.1", out_port, 60) != MOSQ_ERR_SUCCESS)
            bench_die("connect to the target 127.0.0.1:%d failed", out_port);
    }
    for (size_t i = 0; i < f.n; i++) {
        char topic[32];
        snprintf(topic, sizeof topic, "PUB/%llu", f.base + i);
        if (mosquitto_subscribe(f.m, NULL, topic, f.qos) != MOSQ_ERR_SUCCESS) bench_die("subscribe %s", topic);
    }
    double sub_end = bench_now() + 30;
    while (f.n_subacks < f.n) {
        if (bench_now() > sub_end) bench_die("%zu of %zu SUBACKs", f.n_subacks, f.n);
        if (step(&f, 100) != MOSQ_ERR_SUCCESS) bench_die("lost the broker subscribing");
    }
    if (f.n_sub_refused) bench_die("%zu subscriptions refused", f.n_sub_refused);
    /* as bench_fleet: half a second of processing before the clock starts */
    for (int i = 0; i < 50; i++) step(&f, 10);
    f.stray = 0;

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
                v->chunk = 0;
                f.ready[f.n_ready++] = i;
            }
        }
        while (f.n_ready > 0) {
            struct dev *v = &f.devs[f.ready[--f.n_ready]];
            const struct block_req *br = &f.req[v->stage];
            double ts = bench_now();
            if (v->chunk == 0) v->t_submit = ts;
            if (mosquitto_publish(f.m, NULL, v->req_topic, BLUETTI_MODBUS_REQUEST_LEN,
                                  br->frame[v->chunk], f.qos, false) == MOSQ_ERR_SUCCESS) {
                v->in_flight = true;
            } else {
                f.submit_fail++;
                v->stage = -1;
                v->chunk = 0;
            }
        }
        int rc = step(&f, bench_sched_wait_ms(&sc));
        if (rc != MOSQ_ERR_SUCCESS) bench_die("client loop: %s", mosquitto_strerror(rc));
    }
    double wall, cpu;
    bench_sched_totals(&sc, &wall, &cpu);
    /* reads still in flight at the end are not counted (not in ok/errors) */
    unsigned long done = f.ok + f.errors;
    printf("fleet_floor_devices %ld\n", n);
    printf("fleet_floor_poll_style %d\n", f.poll_style ? 1 : 0);
    printf("fleet_floor_qos %d\n", f.qos);
    printf("fleet_floor_loops %lu\n", sc.loops);
    printf("fleet_floor_seconds %.2f\n", wall);
    printf("fleet_floor_reads %lu\n", f.ok);
    printf("fleet_floor_errors %lu\n", f.errors);
    printf("fleet_floor_bad_length %lu\n", f.bad_len);
    printf("fleet_floor_stray %lu\n", f.stray);
    printf("fleet_floor_overruns %lu\n", f.overruns);
    printf("fleet_floor_submit_fail %lu\n", f.submit_fail);
    printf("fleet_floor_expected_reads_per_s %.1f\n", 3.0 * (double)n);
    printf("fleet_floor_reads_per_s %.1f\n", (double)f.ok / wall);
    printf("fleet_floor_p50_ms %.3f\n", bench_percentile(f.lat, f.n_lat, 50) * 1e3);
    printf("fleet_floor_p99_ms %.3f\n", bench_percentile(f.lat, f.n_lat, 99) * 1e3);
    printf("fleet_floor_max_ms %.3f\n", bench_percentile(f.lat, f.n_lat, 100) * 1e3);
    printf("fleet_floor_cpu_s %.3f\n", cpu);
    printf("fleet_floor_cpu_core_fraction %.4f\n", cpu / wall);
    printf("fleet_floor_cpu_s_per_1000_reads %.4f\n", done ? cpu / (double)done * 1000.0 : 0.0);
    printf("fleet_floor_peak_rss_kib %ld\n", bench_peak_rss_kib());
    if (f.out) {
        printf("fleet_floor_published %lu\n", f.published);
        mosquitto_disconnect(f.out);
        mosquitto_destroy(f.out);
        for (size_t k = 0; k < f.n_states; k++) {
            free(f.state_topic[k]);
            free(f.state_json[k]);
        }
        free(f.state_topic);
        free(f.state_json);
    }
    mosquitto_disconnect(f.m);
    mosquitto_loop(f.m, 10, 1);
    mosquitto_destroy(f.m);
    mosquitto_lib_cleanup();
    free(f.devs);
    free(f.ready);
    free(f.lat);
    return 0;
}
