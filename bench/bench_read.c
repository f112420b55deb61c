/* bench_read: latency of one blocking block read through the SDK
 * (bluetti_device_read_block, transport mqtt) against the floor: a bare
 * libmosquitto request/response client with no SDK, through the same TLS
 * broker and the same bluetti-sim, in the same process and run. The two
 * alternate in rounds so drift (CPU frequency, broker state) hits both.
 *
 *   bench_read PLUGIN_DIR PKI_DIR PORT SERIAL READS [BLOCK]
 *
 * PKI_DIR is what tests/integration/mqtt/mkcerts.sh makes (client.p12, client.crt,
 * client.key, ca.crt); the password comes from $BLUETTI_CERT_PASSWORD.
 * Output: "key value" lines on stdout.
 */
#include "config.h"

#include "bench-util.h"

#include <mosquitto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the floor: libmosquitto only ---------------------------------------- */

struct floor {
    struct mosquitto *m;
    bool connected, subscribed, got;
    size_t want_len, got_len;
    char req_topic[64], rep_topic[64];
};

static void f_connect(struct mosquitto *m, void *ud, int rc)
{
    struct floor *f = ud;
    (void)m;
    if (rc == 0) f->connected = true;
}

static void f_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *granted)
{
    struct floor *f = ud;
    (void)m;
    (void)mid;
    if (n >= 1 && granted[0] < 0x80) f->subscribed = true;
}

static void f_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    struct floor *f = ud;
    (void)m;
    if (msg->retain || strcmp(msg->topic, f->rep_topic) != 0) return;
    if ((size_t)msg->payloadlen == f->want_len) {
        f->got = true;
        f->got_len = (size_t)msg->payloadlen;
    }
}

/* Run the client loop until *flag or `limit_s` seconds pass. */
static bool floor_wait(struct floor *f, bool *flag, double limit_s)
{
    double end = bench_now() + limit_s;
    while (!*flag) {
        if (bench_now() > end) return false;
        int rc = mosquitto_loop(f->m, 100, 1);
        if (rc != MOSQ_ERR_SUCCESS) return false;
    }
    return true;
}

static void floor_open(struct floor *f, const char *pki, int port, const char *serial)
{
    char ca[512], crt[512], key[512];
    snprintf(ca, sizeof ca, "%s/ca.crt", pki);
    snprintf(crt, sizeof crt, "%s/client.crt", pki);
    snprintf(key, sizeof key, "%s/client.key", pki);
    snprintf(f->req_topic, sizeof f->req_topic, "SUB/%s", serial);
    snprintf(f->rep_topic, sizeof f->rep_topic, "PUB/%s", serial);
    f->m = mosquitto_new("bench-floor", true, f);
    if (!f->m) bench_die("mosquitto_new");
    if (mosquitto_tls_set(f->m, ca, NULL, crt, key, NULL) != MOSQ_ERR_SUCCESS)
        bench_die("floor: mosquitto_tls_set");
    mosquitto_int_option(f->m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(f->m, f_connect);
    mosquitto_subscribe_callback_set(f->m, f_subscribe);
    mosquitto_message_callback_set(f->m, f_message);
    if (mosquitto_connect(f->m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS)
        bench_die("floor: connect to 127.0.0.1:%d failed", port);
    if (!floor_wait(f, &f->connected, 10)) bench_die("floor: no CONNACK");
    if (mosquitto_subscribe(f->m, NULL, f->rep_topic, 1) != MOSQ_ERR_SUCCESS)
        bench_die("floor: subscribe");
    if (!floor_wait(f, &f->subscribed, 10)) bench_die("floor: no SUBACK");
}

/* One request/response; returns seconds or -1. */
static double floor_read(struct floor *f, const uint8_t req[8])
{
    f->got = false;
    double t0 = bench_now();
    if (mosquitto_publish(f->m, NULL, f->req_topic, 8, req, 1, false) != MOSQ_ERR_SUCCESS)
        return -1;
    if (!floor_wait(f, &f->got, 5)) return -1;
    return bench_now() - t0;
}

/* ---- main ----------------------------------------------------------------- */

static void summary(const char *name, double *v, size_t n, double cpu_s)
{
    printf("%s_n %zu\n", name, n);
    printf("%s_p50_us %.1f\n", name, bench_percentile(v, n, 50) * 1e6);
    printf("%s_p90_us %.1f\n", name, bench_percentile(v, n, 90) * 1e6);
    printf("%s_p99_us %.1f\n", name, bench_percentile(v, n, 99) * 1e6);
    printf("%s_max_us %.1f\n", name, bench_percentile(v, n, 100) * 1e6);
    printf("%s_cpu_us_per_read %.1f\n", name, n ? cpu_s / (double)n * 1e6 : 0.0);
}

int main(int argc, char **argv)
{
    if (argc < 6) bench_die("usage: bench_read PLUGIN_DIR PKI_DIR PORT SERIAL READS [BLOCK]");
    const char *pki = argv[2], *serial = argv[4];
    int port = atoi(argv[3]);
    long reads = atol(argv[5]);
    unsigned block = argc > 6 ? (unsigned)atoi(argv[6]) : 100u;
    const char *pw = getenv("BLUETTI_CERT_PASSWORD");
    if (!pw || port <= 0 || reads < 100 || reads > 1000000) bench_die("bad arguments");

    bluetti_registry *reg = bench_registry(argv[1], NULL);
    char p12[512], portstr[16], detail[256];
    snprintf(p12, sizeof p12, "%s/client.p12", pki);
    snprintf(portstr, sizeof portstr, "%d", port);
    bluetti_options *o = bluetti_options_new();
    bluetti_options_set(o, "broker", "127.0.0.1");
    bluetti_options_set(o, "port", portstr);
    bluetti_options_set(o, "cert", p12);
    bluetti_options_set_secret(o, "password", pw);
    bluetti_session *s = NULL;
    int rc = bluetti_session_open(reg, "mqtt", o, NULL, &s, detail, sizeof detail);
    bluetti_options_free(o);
    if (rc) bench_die("SDK session: %s", detail);
    const bluetti_profile *prof = bluetti_registry_find_profile(reg, "EL100V2");
    bluetti_device *d = NULL;
    rc = bluetti_session_add_device(s, serial, prof ? prof->model : "EL100V2", &d);
    if (rc) bench_die("add device: %s", bluetti_strerror(rc));

    const bluetti_block_schema *sch = bluetti_registry_find_block(reg, (uint16_t)block);
    if (!sch) bench_die("no block %u", block);
    uint16_t regs = (uint16_t)(bluetti_schema_read_length(sch) / 2);
    const bluetti_result *r = NULL;
    rc = bluetti_device_read_block(d, (uint16_t)block, 0, &r);
    if (rc) bench_die("first SDK read: %s", bluetti_strerror(rc));
    size_t payload_len = 0;
    bluetti_result_raw(r, &payload_len);
    if (payload_len / 2 != regs) regs = (uint16_t)(payload_len / 2);

    struct floor f;
    memset(&f, 0, sizeof f);
    mosquitto_lib_init();
    floor_open(&f, pki, port, serial);
    uint8_t req[8];
    bluetti_modbus_build_read(1, (uint16_t)block, regs, req); /* once, outside timing */
    f.want_len = 3u + 2u * regs + 2u;

    /* warm up both */
    for (int i = 0; i < 200; i++) {
        if (bluetti_device_read_block(d, (uint16_t)block, 0, NULL)) bench_die("SDK warm-up read failed");
        if (floor_read(&f, req) < 0) bench_die("floor warm-up read failed");
    }
    double *sdk = calloc((size_t)reads, sizeof *sdk), *flo = calloc((size_t)reads, sizeof *flo);
    if (!sdk || !flo) bench_die("out of memory");
    size_t ns = 0, nf = 0;
    long errs_sdk = 0, errs_floor = 0;
    double cpu_sdk = 0, cpu_floor = 0;
    const long chunk = 1; /* alternate every read: both see the same scheduling */
    for (long done = 0, round = 0; done < reads; done += chunk, round++) {
        long n = reads - done < chunk ? reads - done : chunk;
        for (int phase = 0; phase < 2; phase++) {
            bool sdk_turn = (phase == 0) == (round % 2 == 0);
            double c0 = bench_cpu_s();
            for (long i = 0; i < n; i++) {
                if (sdk_turn) {
                    double t0 = bench_now();
                    if (bluetti_device_read_block(d, (uint16_t)block, 0, NULL) == 0)
                        sdk[ns++] = bench_now() - t0;
                    else
                        errs_sdk++;
                } else {
                    double t = floor_read(&f, req);
                    if (t >= 0) flo[nf++] = t;
                    else errs_floor++;
                }
            }
            double c = bench_cpu_s() - c0;
            if (sdk_turn) cpu_sdk += c;
            else cpu_floor += c;
        }
    }
    printf("read_block %u\n", block);
    printf("read_payload_bytes %zu\n", payload_len);
    summary("read", sdk, ns, cpu_sdk);
    summary("floor", flo, nf, cpu_floor);
    printf("read_errors %ld\n", errs_sdk);
    printf("floor_errors %ld\n", errs_floor);
    free(sdk);
    free(flo);
    mosquitto_disconnect(f.m);
    mosquitto_loop(f.m, 10, 1);
    mosquitto_destroy(f.m);
    mosquitto_lib_cleanup();
    bluetti_session_close(s);
    bluetti_registry_free(reg);
    return 0;
}
