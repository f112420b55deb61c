/* Integration tests of transport-mqtt against Debian's mosquitto and
 * bluetti-sim, over TLS with PKCS#12 client certificates.
 *
 * Run by tests/integration/mqtt/run.sh, which makes a throw-away PKI, starts the
 * broker (four listeners) and the simulators, and passes:
 *   BT_MQTT_DIR        the PKI directory (tests/integration/mqtt/mkcerts.sh)
 *   BT_MQTT_PASSWORD   the password of every PKCS#12 there
 *   BT_MQTT_PORT       main listener: client certificates from CA A, ACL
 *   BT_MQTT_PORT_REFUSE     refuses every client at CONNACK
 *   BT_MQTT_PORT_OTHERCA    broker certificate from another CA
 *   BT_MQTT_PORT_WRONGNAME  broker certificate for another host name
 *   BT_MQTT_SIM        the bluetti-sim program; BT_MQTT_MOSQUITTO the broker
 *   BT_MQTT_PIDFILE    where to note the pids of processes started here
 * The serial numbers below are the ones run.sh gives its simulators.
 */
#include "config.h"
#include "testutil.h"
#include "bt_clock.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "mqtt_testutil.h"

/* simulators started by run.sh */
#define SN_EL100 "1000000001"    /* el100v2.json, no faults */
#define SN_EL30 "1000000002"     /* el30v2.json, no faults */
#define SN_E200 "1000000003"     /* elite200v2.json, no faults */
#define SN_DELAY "2000000001"    /* el100v2.json, delay=1.0 */
#define SN_DELAY2 "2000000002"   /* el30v2.json, same simulator */
#define SN_CRC "3000000001"      /* el100v2.json, crc=1 */
#define SN_EXC "4000000001"      /* el100v2.json, exception=1300:2 */
#define SN_DISC "5000000001"     /* el100v2.json, disconnect=3 */
#define SN_DENIED "DENIED0001"   /* the ACL forbids reading PUB/DENIED0001 */
#define SN_RESTART "6000000001"  /* started here, on a broker we kill and restart */

static const char *pki_dir, *password;
static int port_main, port_refuse, port_otherca, port_wrongname;
static bluetti_registry *reg;
static unsigned insecure_warnings;

/* ---- helpers ---------------------------------------------------------------- */

static void log_cb(void *ud, bluetti_log_level level, const char *src, const char *msg)
{
    if (strstr(msg, "INSECURE")) insecure_warnings++;
    mt_log_cb(ud, level, src, msg);
}

/* A PKCS#12 from the PKI (or a path) and its password, on PORT. */
static bluetti_options *opts_for(const char *p12, const char *pw, int port)
{
    return mt_tls_opts(port, p12, pw);
}

static bluetti_session_config config(double timeout, unsigned attempts, double delay)
{
    bluetti_session_config c;
    bluetti_session_config_default(&c);
    c.timeout_s = timeout;
    c.connect_timeout_s = 10;
    c.retry.max_attempts = attempts;
    c.retry.initial_delay = delay;
    c.retry.backoff_factor = 1.0;
    c.retry.max_delay = delay;
    return c;
}

/* Open with opts and close again; the error and its detail. */
static int try_open(bluetti_options *o, double connect_timeout, char *detail, size_t len)
{
    bluetti_session_config c = config(5, 3, 0.5);
    c.connect_timeout_s = connect_timeout;
    bluetti_session *s = NULL;
    int rc = bluetti_session_open(reg, "mqtt", o, &c, &s, detail, len);
    if (rc == 0) {
        CU_ASSERT_PTR_NOT_NULL(s);
    } else {
        CU_ASSERT_PTR_NULL(s);
    }
    bluetti_session_close(s);
    if (password && *password) {
        CU_ASSERT_PTR_NULL(strstr(detail, password));
    }
    return rc;
}

static int open_p12(const char *p12, const char *pw, int port, char *detail, size_t len)
{
    bluetti_options *o = opts_for(p12, pw, port);
    int rc = try_open(o, 10, detail, len);
    bluetti_options_free(o);
    return rc;
}

/* A loopback port nobody listens on (bound, then released). */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof a;
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &l) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static bluetti_session *open_main(const bluetti_session_config *c)
{
    bluetti_options *o = opts_for("client.p12", password, port_main);
    bluetti_session *s = NULL;
    char detail[512] = "";
    int rc = bluetti_session_open(reg, "mqtt", o, c, &s, detail, sizeof detail);
    bluetti_options_free(o);
    if (rc) fprintf(stderr, "    open failed: %s: %s\n", bluetti_strerror(rc), detail);
    CU_ASSERT_EQUAL(rc, 0);
    return s;
}

/* The same image served in-process by transport-sim, as the reference. */
static bluetti_device *reference_device(bluetti_session **s, const char *image, const char *model,
                                        const char *serial)
{
    bluetti_options *o = bluetti_options_new();
    char rel[256];
    snprintf(rel, sizeof rel, "data/devices/%s", image);
    bluetti_options_set(o, "device", bt_src_path(rel));
    bluetti_options_set(o, "model", model);
    bluetti_session_config c = config(5, 1, 0.1);
    char detail[256] = "";
    int rc = bluetti_session_open(reg, "sim", o, &c, s, detail, sizeof detail);
    bluetti_options_free(o);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(*s, serial, model, &d), 0);
    return d;
}

static bool values_equal(const bluetti_value *a, const bluetti_value *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case BLUETTI_VAL_ABSENT: return a->absent == b->absent;
    case BLUETTI_VAL_INT: return a->v.i == b->v.i;
    case BLUETTI_VAL_UINT: return a->v.u == b->v.u;
    case BLUETTI_VAL_FLOAT: return a->v.f == b->v.f || (isnan(a->v.f) && isnan(b->v.f));
    case BLUETTI_VAL_TEXT: return strcmp(a->v.s, b->v.s) == 0;
    case BLUETTI_VAL_ARRAY:
        if (a->count != b->count) return false;
        for (uint16_t i = 0; i < a->count; i++)
            if (!values_equal(&a->v.items[i], &b->v.items[i])) return false;
        return true;
    default: return false;
    }
}

/* Every field and the raw payload are equal. */
static void assert_same_result(const bluetti_result *got, const bluetti_result *want)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_PTR_EQUAL(bluetti_result_schema(got), bluetti_result_schema(want));
    size_t gl = 0, wl = 0;
    const uint8_t *gr = bluetti_result_raw(got, &gl), *wr = bluetti_result_raw(want, &wl);
    CU_ASSERT_EQUAL(gl, wl);
    CU_ASSERT(gl == wl && memcmp(gr, wr, gl) == 0);
    CU_ASSERT_EQUAL(bluetti_result_count(got), bluetti_result_count(want));
    for (size_t i = 0; i < bluetti_result_count(got) && i < bluetti_result_count(want); i++) {
        bool same = values_equal(bluetti_result_value(got, i), bluetti_result_value(want, i));
        if (!same)
            fprintf(stderr, "    field %s differs\n",
                    bluetti_result_schema(got)->fields[i].name);
        CU_ASSERT(same);
    }
}

static const char *text_field(const bluetti_result *r, const char *name)
{
    const bluetti_value *v = r ? bluetti_result_find(r, name) : NULL;
    return (v && v->kind == BLUETTI_VAL_TEXT) ? v->v.s : "";
}

static double num_field(const bluetti_result *r, const char *name)
{
    const bluetti_value *v = r ? bluetti_result_find(r, name) : NULL;
    return v ? bluetti_value_as_double(v) : NAN;
}

/* ---- child processes (the restart suite) ------------------------------------ */

static void note_pid(pid_t pid)
{
    const char *f = getenv("BT_MQTT_PIDFILE");
    FILE *fp = f ? fopen(f, "a") : NULL;
    if (fp) {
        fprintf(fp, "%ld\n", (long)pid);
        fclose(fp);
    }
}

/* Start argv with stdout+stderr into log; it dies with us. */
static pid_t spawn(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0) note_pid(pid);
    return pid;
}

static bool file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

/* Wait until `path` contains `needle`, the child exits, or the time is up. */
static bool wait_for(const char *path, const char *needle, pid_t child, double seconds)
{
    double end = bt_now() + seconds;
    while (bt_now() < end) {
        if (file_contains(path, needle)) return true;
        int st;
        if (child > 0 && waitpid(child, &st, WNOHANG) == child) return false;
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return false;
}

static void stop_child(pid_t pid, int sig)
{
    if (pid <= 0) return;
    kill(pid, sig);
    int st;
    waitpid(pid, &st, 0);
}

/* ---- suite: certificate errors (checked before any connection) ------------- */

/* A closed port: reaching it would give BLUETTI_E_CONNECT, so every error
 * below proves the certificate was judged before connecting. */
static void test_cert_missing_file(void)
{
    char d[512] = "";
    CU_ASSERT_EQUAL(open_p12("does-not-exist.p12", password, closed_port(), d, sizeof d),
                    BLUETTI_E_CERT_READ);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "does-not-exist.p12"));
}

static void test_cert_not_pkcs12(void)
{
    char d[512] = "";
    int port = closed_port();
    CU_ASSERT_EQUAL(open_p12("notp12.p12", password, port, d, sizeof d), BLUETTI_E_CERT_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "PKCS#12"));
    CU_ASSERT_EQUAL(open_p12("corrupt.p12", password, port, d, sizeof d), BLUETTI_E_CERT_FORMAT);
    CU_ASSERT_EQUAL(open_p12("empty.p12", password, port, d, sizeof d), BLUETTI_E_CERT_FORMAT);
}

static void test_cert_wrong_password(void)
{
    char d[512] = "";
    int port = closed_port();
    CU_ASSERT_EQUAL(open_p12("client.p12", "not-the-password", port, d, sizeof d),
                    BLUETTI_E_CERT_PASSWORD);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "password"));
    CU_ASSERT_PTR_NULL(strstr(d, "not-the-password"));
    CU_ASSERT_EQUAL(open_p12("client.p12", NULL, port, d, sizeof d), BLUETTI_E_CERT_PASSWORD);
}

static void test_cert_no_key(void)
{
    char d[512] = "";
    CU_ASSERT_EQUAL(open_p12("nokey.p12", password, closed_port(), d, sizeof d),
                    BLUETTI_E_CERT_NO_KEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "private key"));
}

static void test_cert_dates(void)
{
    char d[512] = "";
    int port = closed_port();
    CU_ASSERT_EQUAL(open_p12("expired.p12", password, port, d, sizeof d), BLUETTI_E_CERT_EXPIRED);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "2020-01-02"));
    CU_ASSERT_EQUAL(open_p12("notyet.p12", password, port, d, sizeof d),
                    BLUETTI_E_CERT_NOT_YET_VALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "2099-12-31"));
}

static void test_options_checked(void)
{
    char d[512] = "";
    bluetti_options *o = opts_for("client.p12", password, port_main);
    bluetti_options_set(o, "cert", "");
    CU_ASSERT_EQUAL(try_open(o, 10, d, sizeof d), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "cert"));
    bluetti_options_free(o);
    o = opts_for("client.p12", password, port_main);
    bluetti_options_set(o, "qos", "2");
    CU_ASSERT_EQUAL(try_open(o, 10, d, sizeof d), BLUETTI_E_INVAL);
    bluetti_options_set(o, "qos", "1");
    bluetti_options_set(o, "port", "70000");
    CU_ASSERT_EQUAL(try_open(o, 10, d, sizeof d), BLUETTI_E_INVAL);
    bluetti_options_free(o);
}

/* ---- suite: connecting ------------------------------------------------------- */

static void test_connect_ok(void)
{
    char d[512] = "";
    CU_ASSERT_EQUAL(open_p12("client.p12", password, port_main, d, sizeof d), 0);
    /* by address: the certificate's IP SAN is checked */
    bluetti_options *o = opts_for("client.p12", password, port_main);
    bluetti_options_set(o, "broker", "127.0.0.1");
    CU_ASSERT_EQUAL(try_open(o, 10, d, sizeof d), 0);
    bluetti_options_free(o);
}

static void test_connect_refused(void)
{
    char d[512] = "";
    int rc = open_p12("client.p12", password, closed_port(), d, sizeof d);
    CU_ASSERT_EQUAL(rc, BLUETTI_E_CONNECT);
    CU_ASSERT(bluetti_err_is_transient(rc));
    /* the detail says refused, not timed out: it failed at once, without
     * waiting for the connect timeout (no wall-clock bound: valgrind and a
     * loaded machine make those flaky; timing lives in bench/) */
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "refused"));
    CU_ASSERT_PTR_NULL(strstr(d, "within"));
}

static void test_connect_silent_peer(void)
{
    /* accepts TCP (the kernel does) but never speaks TLS */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof a;
    CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
                    listen(fd, 4) == 0 && getsockname(fd, (struct sockaddr *)&a, &l) == 0);
    bluetti_options *o = opts_for("client.p12", password, ntohs(a.sin_port));
    char d[512] = "";
    double t0 = bt_now();
    CU_ASSERT_EQUAL(try_open(o, 1.0, d, sizeof d), BLUETTI_E_CONNECT);
    /* it waited for the timeout (not less) and says so */
    CU_ASSERT(bt_now() - t0 >= 0.9);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "within"));
    bluetti_options_free(o);
    close(fd);
}

static void test_server_other_ca(void)
{
    char d[512] = "";
    CU_ASSERT_EQUAL(open_p12("client.p12", password, port_otherca, d, sizeof d),
                    BLUETTI_E_TLS_VERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "verif"));
    /* the right CA given with cafile makes it trusted */
    bluetti_options *o = opts_for("client.p12", password, port_otherca);
    bluetti_options_set(o, "cafile", mt_pki("other-ca.crt"));
    CU_ASSERT_EQUAL(try_open(o, 10, d, sizeof d), 0);
    /* a cafile that is not there is its own error */
    bluetti_options_set(o, "cafile", mt_pki("missing-ca.crt"));
    CU_ASSERT_EQUAL(try_open(o, 10, d, sizeof d), BLUETTI_E_CERT_READ);
    bluetti_options_free(o);
}

static void test_server_wrong_name(void)
{
    char d[512] = "";
    CU_ASSERT_EQUAL(open_p12("client.p12", password, port_wrongname, d, sizeof d),
                    BLUETTI_E_TLS_VERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "mismatch"));
}

static void test_insecure_is_loud(void)
{
    char d[512] = "";
    unsigned before = insecure_warnings;
    bluetti_options *o = opts_for("client.p12", password, port_otherca);
    bluetti_options_set(o, "insecure", "true");
    CU_ASSERT_EQUAL(try_open(o, 10, d, sizeof d), 0);
    CU_ASSERT(insecure_warnings > before);
    bluetti_options_free(o);
}

static void test_broker_rejects_certificate(void)
{
    char d[512] = "";
    CU_ASSERT_EQUAL(open_p12("rogue.p12", password, port_main, d, sizeof d),
                    BLUETTI_E_BROKER_REFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "rejected"));
}

static void test_broker_refuses_connack(void)
{
    char d[512] = "";
    CU_ASSERT_EQUAL(open_p12("client.p12", password, port_refuse, d, sizeof d),
                    BLUETTI_E_BROKER_REFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "CONNACK"));
}

static void test_legacy_p12(void)
{
    if (access(mt_pki("legacy.p12"), R_OK) != 0) {
        fprintf(stderr, "    (no legacy.p12: this openssl cannot make one; skipped)\n");
        return;
    }
    char d[512] = "";
    CU_ASSERT_EQUAL(open_p12("legacy.p12", password, port_main, d, sizeof d), 0);
}

static void test_subscription_refused(void)
{
    if (getenv("BT_MQTT_NO_SUBACK")) {
        fprintf(stderr, "    (broker without the dynamic-security plugin: skipped)\n");
        return;
    }
    bluetti_session_config c = config(3, 3, 0.1);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_DENIED, "EL100V2", &d), 0);
    /* refused at SUBACK: the broker's answer, not a timeout after retries */
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), BLUETTI_E_BROKER_REFUSED);
    /* and at once the second time */
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), BLUETTI_E_BROKER_REFUSED);
    bluetti_session_close(s);
}

/* ---- suite: reads through the broker and the simulator ---------------------- */

static void test_reads_decode_image(void)
{
    bluetti_session_config c = config(5, 3, 0.5);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_session *ref = NULL;
    bluetti_device *want = reference_device(&ref, "el100v2.json", "EL100V2", SN_EL100);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_EL100, "EL100V2", &d), 0);
    static const uint16_t blocks[] = { 100, 1300, 6000 };
    for (size_t i = 0; i < 3; i++) {
        const bluetti_result *got = NULL, *exp = NULL;
        CU_ASSERT_EQUAL(bluetti_device_read_block(d, blocks[i], 0, &got), 0);
        CU_ASSERT_EQUAL(bluetti_device_read_block(want, blocks[i], 0, &exp), 0);
        if (got && exp) assert_same_result(got, exp);
    }
    /* a few values straight from the image (data/devices/el100v2.json) */
    const bluetti_result *home = bluetti_device_last(d, 100);
    CU_ASSERT_STRING_EQUAL(text_field(home, "device_model"), "EL100V2");
    BT_ASSERT_NEAR(num_field(home, "soc"), 85);
    BT_ASSERT_NEAR(num_field(home, "device_serial"), 1000000001.0);
    BT_ASSERT_NEAR(num_field(bluetti_device_last(d, 6000), "cell_count"), 16);
    BT_ASSERT_NEAR(num_field(bluetti_device_last(d, 1300), "phase_0_voltage"), 229.8);
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    /* one request per block: none of them has version-gated fields, so no
     * read of block 1 came first */
    CU_ASSERT_EQUAL(st.requests, 3);
    CU_ASSERT_EQUAL(st.replies, 3);
    CU_ASSERT_EQUAL(st.retries, 0);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(d), bluetti_device_protocol_version(want));
    bluetti_session_close(ref);
    bluetti_session_close(s);
}

struct concurrent {
    unsigned done[2], errors;
    bluetti_device *dev[2];
    const char *model[2], *serial[2];
    unsigned crosstalk;
};

static void concurrent_cb(void *ud, bluetti_device *d, uint16_t block, int err,
                          const bluetti_result *r)
{
    struct concurrent *c = ud;
    int i = d == c->dev[0] ? 0 : 1;
    if (err) {
        c->errors++;
        return;
    }
    c->done[i]++;
    if (block == 100 && (strcmp(text_field(r, "device_model"), c->model[i]) != 0 ||
                         num_field(r, "device_serial") != atof(c->serial[i])))
        c->crosstalk++;
}

static void test_two_devices_concurrently(void)
{
    bluetti_session_config c = config(5, 1, 0.5);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct concurrent cc = { .model = { "EL100V2", "EL30V2" }, .serial = { SN_EL100, SN_EL30 } };
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_EL100, "EL100V2", &cc.dev[0]), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_EL30, "EL30V2", &cc.dev[1]), 0);
    bluetti_session_set_read_callback(s, concurrent_cb, &cc);
    /* both devices have a request in flight at the same time, every round */
    static const uint16_t blocks[] = { 100, 1300, 100, 6000 };
    double t0 = bt_now();
    for (unsigned round = 0; round < 12; round++) {
        uint16_t b0 = blocks[round % 4], b1 = blocks[(round + 1) % 4];
        CU_ASSERT_EQUAL(bluetti_device_submit_read(cc.dev[0], b0, 0), 0);
        CU_ASSERT_EQUAL(bluetti_device_submit_read(cc.dev[1], b1, 0), 0);
        CU_ASSERT(bluetti_device_busy(cc.dev[0]) && bluetti_device_busy(cc.dev[1]));
        while ((bluetti_device_busy(cc.dev[0]) || bluetti_device_busy(cc.dev[1])) &&
               bt_now() - t0 < 60)
            bluetti_session_process(s, 1000);
    }
    CU_ASSERT_EQUAL(cc.done[0], 12);
    CU_ASSERT_EQUAL(cc.done[1], 12);
    CU_ASSERT_EQUAL(cc.errors, 0);
    CU_ASSERT_EQUAL(cc.crosstalk, 0);
    /* the last block 100 of each device is its own */
    CU_ASSERT_STRING_EQUAL(text_field(bluetti_device_last(cc.dev[0], 100), "device_model"),
                           "EL100V2");
    CU_ASSERT_STRING_EQUAL(text_field(bluetti_device_last(cc.dev[1], 100), "device_model"),
                           "EL30V2");
    bluetti_session_close(s);
}

/* The simulator answers after 1.0 s; the timeout is 0.7 s. The first read
 * of A is retried and completes; the late answers to A that are still on
 * their way must not be taken as the answer to B, which asks for exactly
 * as many registers. */
static void test_late_reply_not_taken_for_next(void)
{
    bluetti_session_config c = config(0.7, 4, 0.1);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_session *ref = NULL;
    bluetti_device *want = reference_device(&ref, "el100v2.json", "EL100V2", SN_DELAY);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_DELAY, "EL100V2", &d), 0);

    uint8_t a[64], b[64], ea[64], eb[64];
    size_t al = 0, bl = 0, eal = 0, ebl = 0;
    CU_ASSERT_EQUAL(bluetti_device_read_raw(want, 1300, 16, ea, sizeof ea, &eal), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_raw(want, 6000, 16, eb, sizeof eb, &ebl), 0);
    CU_ASSERT(eal == 32 && ebl == 32 && memcmp(ea, eb, 32) != 0);

    CU_ASSERT_EQUAL(bluetti_device_read_raw(d, 1300, 16, a, sizeof a, &al), 0);
    CU_ASSERT(al == 32 && memcmp(a, ea, 32) == 0);
    CU_ASSERT_EQUAL(bluetti_device_read_raw(d, 6000, 16, b, sizeof b, &bl), 0);
    CU_ASSERT(bl == 32 && memcmp(b, eb, 32) == 0);
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT(st.timeouts >= 2);
    CU_ASSERT(st.retries >= 2);
    CU_ASSERT(st.dropped >= 1);

    /* decoded as well: A = block 1300, then B = block 100 */
    const bluetti_result *ra = NULL, *rb = NULL, *wa = NULL, *wb = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 1300, 0, &ra), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_block(want, 1300, 0, &wa), 0);
    if (ra && wa) assert_same_result(ra, wa);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, &rb), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_block(want, 100, 0, &wb), 0);
    if (rb && wb) assert_same_result(rb, wb);
    /* let every late reply arrive: nothing may change the results */
    double end = bt_now() + 2.5;
    while (bt_now() < end) bluetti_session_process(s, 200);
    if (rb && wb) assert_same_result(bluetti_device_last(d, 100), wb);
    bluetti_session_close(ref);
    bluetti_session_close(s);
}

struct pair_done {
    int n, errors;
    double at[2];
    bluetti_device *first;
};

static void pair_cb(void *ud, bluetti_device *d, uint16_t block, int err,
                    const bluetti_result *r)
{
    (void)block;
    (void)r;
    struct pair_done *p = ud;
    if (err) p->errors++;
    p->at[d == p->first ? 0 : 1] = bt_now();
    p->n++;
}

/* One simulator, two devices, each reply delayed by 1.0 s: the delays run
 * side by side (timers), so both answers arrive after about 1 s, not 2. */
static void test_delays_do_not_stall_other_devices(void)
{
    bluetti_session_config c = config(5, 1, 0.5);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_device *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_DELAY, "EL100V2", &a), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_DELAY2, "EL30V2", &b), 0);
    /* one delayed request each (no protocol-version detection first) */
    bluetti_device_set_protocol_version(a, 2001);
    bluetti_device_set_protocol_version(b, 2001);
    struct pair_done p = { .first = a };
    bluetti_session_set_read_callback(s, pair_cb, &p);
    double t0 = bt_now();
    CU_ASSERT_EQUAL(bluetti_device_submit_read(a, 100, 0), 0);
    CU_ASSERT_EQUAL(bluetti_device_submit_read(b, 100, 0), 0);
    while (p.n < 2 && bt_now() - t0 < 10) bluetti_session_process(s, 1000);
    CU_ASSERT_EQUAL(p.n, 2);
    CU_ASSERT_EQUAL(p.errors, 0);
    fprintf(stderr, "    answers after %.3f s and %.3f s\n", p.at[0] - t0, p.at[1] - t0);
    CU_ASSERT(p.at[0] - t0 >= 0.95 && p.at[1] - t0 >= 0.95);
    CU_ASSERT(p.at[0] - t0 < 1.7 && p.at[1] - t0 < 1.7);
    bluetti_session_close(s);
}

static void test_bad_crc_not_retried(void)
{
    bluetti_session_config c = config(3, 3, 0.1);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_CRC, "EL100V2", &d), 0);
    bluetti_device_set_protocol_version(d, 2001); /* count this read's requests only */
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), BLUETTI_E_CRC);
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.requests, 1);
    CU_ASSERT_EQUAL(st.retries, 0);
    bluetti_session_close(s);
}

static void test_exception_not_retried(void)
{
    bluetti_session_config c = config(3, 3, 0.1);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_EXC, "EL100V2", &d), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 1300, 0, NULL), BLUETTI_E_EXCEPTION);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(d), "Illegal data address"));
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.requests, 1);
    CU_ASSERT_EQUAL(st.retries, 0);
    /* other blocks of the same device still answer */
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), 0);
    bluetti_session_close(s);
}

static void test_device_disconnect_fault(void)
{
    /* the simulator drops its connection on every 3rd request and comes back */
    bluetti_session_config c = config(1.0, 6, 0.5);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_DISC, "EL100V2", &d), 0);
    for (int i = 0; i < 5; i++) {
        const bluetti_result *r = NULL;
        CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, &r), 0);
        BT_ASSERT_NEAR(num_field(r, "device_serial"), 5000000001.0);
    }
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT(st.timeouts >= 1);
    CU_ASSERT(st.retries >= 1);
    bluetti_session_close(s);
}

static void on_published(struct mosquitto *m, void *ud, int mid)
{
    (void)m;
    (void)mid;
    *(bool *)ud = true;
}

/* Leave (or with len 0: clear) a retained message on a topic, as the
 * simulator's identity (the ACL lets it write PUB/#). Plain libmosquitto
 * with PEM files: independent of the code under test. */
static bool publish_retained(const char *topic, const char *payload, int len)
{
    bool done = false;
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(NULL, true, &done);
    if (!m) return false;
    mosquitto_publish_callback_set(m, on_published);
    bool ok = mosquitto_tls_set(m, mt_pki("ca.crt"), NULL, mt_pki("sim.crt"), mt_pki("sim.key"), NULL) ==
                  MOSQ_ERR_SUCCESS &&
              mosquitto_connect(m, "localhost", port_main, 30) == MOSQ_ERR_SUCCESS &&
              mosquitto_publish(m, NULL, topic, len, payload, 1, true) == MOSQ_ERR_SUCCESS;
    for (int i = 0; ok && !done && i < 100; i++) mosquitto_loop(m, 100, 1);
    mosquitto_disconnect(m);
    mosquitto_destroy(m);
    return ok && done;
}

static void test_retained_message_dropped(void)
{
    CU_ASSERT_FATAL(publish_retained("PUB/" SN_E200, "stale", 5));
    bluetti_session_config c = config(5, 1, 0.5);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_E200, "ELITE200V2", &d), 0);
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, &r), 0);
    CU_ASSERT_STRING_EQUAL(text_field(r, "device_model"), "Elite 200 V2");
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.dropped, 1);
    bluetti_session_close(s);
    CU_ASSERT(publish_retained("PUB/" SN_E200, NULL, 0));
}

/* ---- suite: key material never touches the disk ----------------------------- */

struct snap {
    char **names;
    size_t n;
};

static void snap_dir(struct snap *sn, const char *dir, int depth)
{
    DIR *dp = opendir(dir);
    if (!dp) return;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) continue;
        char *rec = malloc(strlen(path) + 64);
        sprintf(rec, "%s %lld %lld", path, (long long)st.st_size, (long long)st.st_mtime);
        char **nv = realloc(sn->names, (sn->n + 1) * sizeof *nv);
        if (!nv || !rec) abort();
        sn->names = nv;
        sn->names[sn->n++] = rec;
        if (S_ISDIR(st.st_mode) && depth > 0) snap_dir(sn, path, depth - 1);
    }
    closedir(dp);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct snap take_snapshot(void)
{
    struct snap sn = { 0 };
    char cwd[4096];
    const char *dirs[] = { pki_dir, getcwd(cwd, sizeof cwd), getenv("TMPDIR"), getenv("HOME"),
                           "/dev/shm" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (dirs[i]) snap_dir(&sn, dirs[i], 3);
    qsort(sn.names, sn.n, sizeof *sn.names, cmp_str);
    return sn;
}

static void free_snapshot(struct snap *sn)
{
    for (size_t i = 0; i < sn->n; i++) free(sn->names[i]);
    free(sn->names);
}

static void test_no_key_files(void)
{
    struct snap before = take_snapshot();
    bluetti_session_config c = config(5, 1, 0.5);
    bluetti_session *s = open_main(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL(bluetti_session_add_device(s, SN_EL100, "EL100V2", &d), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), 0);
    struct snap during = take_snapshot();
    bluetti_session_close(s);
    struct snap after = take_snapshot();
    CU_ASSERT_EQUAL(before.n, during.n);
    CU_ASSERT_EQUAL(before.n, after.n);
    for (size_t i = 0; i < before.n && i < during.n && i < after.n; i++) {
        if (strcmp(before.names[i], during.names[i]) || strcmp(before.names[i], after.names[i])) {
            fprintf(stderr, "    changed: %s / %s / %s\n", before.names[i], during.names[i],
                    after.names[i]);
            CU_FAIL("a file appeared or changed during a connect");
            break;
        }
    }
    free_snapshot(&before);
    free_snapshot(&during);
    free_snapshot(&after);
}

/* ---- suite: the broker goes away and comes back ----------------------------- */

struct restart_ctx {
    int done, err;
    double at;
};

static void restart_cb(void *ud, bluetti_device *d, uint16_t block, int err,
                       const bluetti_result *r)
{
    (void)d;
    (void)block;
    (void)r;
    struct restart_ctx *c = ud;
    c->done++;
    c->err = err;
    c->at = bt_now();
}

static pid_t start_broker(const char *conf, const char *log)
{
    char *argv[] = { (char *)getenv("BT_MQTT_MOSQUITTO"), "-c", (char *)conf, NULL };
    pid_t pid = spawn(argv, log);
    if (pid > 0 && !wait_for(log, " running", pid, 20)) {
        stop_child(pid, SIGKILL);
        return -1;
    }
    return pid;
}

static void test_broker_restart(void)
{
    char conf[4096], blog[4096], slog[4096], ready[4096];
    snprintf(conf, sizeof conf, "%s/restart.conf", pki_dir);
    snprintf(blog, sizeof blog, "%s/restart-broker.log", pki_dir);
    snprintf(slog, sizeof slog, "%s/restart-sim.log", pki_dir);
    snprintf(ready, sizeof ready, "%s/restart-sim.ready", pki_dir);
    pid_t broker = -1;
    int port = 0;
    for (int tries = 0; tries < 5 && broker < 0; tries++) {
        port = closed_port();
        FILE *f = fopen(conf, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fprintf(f, "persistence false\nlog_dest stderr\nlog_type all\nlistener %d 127.0.0.1\n"
                "cafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\n"
                "allow_anonymous true\n", port, mt_pki("ca.crt"), mt_pki("server.crt"),
                mt_pki("server.key"));
        fclose(f);
        chmod(conf, 0644);
        broker = start_broker(conf, blog);
    }
    CU_ASSERT_FATAL(broker > 0);

    char portstr[16], sn_device[4096];
    snprintf(portstr, sizeof portstr, "%d", port);
    snprintf(sn_device, sizeof sn_device, "%s", bt_src_path("data/devices/el100v2.json"));
    char pwfile[4096];
    snprintf(pwfile, sizeof pwfile, "%s/password.txt", pki_dir);
    char *sargv[] = { (char *)getenv("BT_MQTT_SIM"), "--broker", "localhost", "--port", portstr,
                      "--cert", (char *)mt_pki("sim.p12"), "--password-file", pwfile,
                      "--device", sn_device, "--sn", SN_RESTART, "--faults", "delay=1.5",
                      "--ready-file", ready, NULL };
    pid_t sim = spawn(sargv, slog);
    CU_ASSERT_FATAL(sim > 0);
    CU_ASSERT_FATAL(wait_for(ready, SN_RESTART, sim, 30));

    bluetti_session_config c = config(10, 1, 0.2);
    bluetti_options *o = opts_for("client.p12", password, port);
    bluetti_session *s = NULL;
    char detail[512] = "";
    CU_ASSERT_EQUAL_FATAL(bluetti_session_open(reg, "mqtt", o, &c, &s, detail, sizeof detail), 0);
    bluetti_options_free(o);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, SN_RESTART, "EL100V2", &d), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), 0);
    /* one descriptor for an external poll() loop, whatever the socket */
    int fd0 = bluetti_session_fd(s);
    CU_ASSERT(fd0 >= 0);
    /* connected and idle: the transport's keepalive check is the deadline
     * (a quarter of the default 60 s keepalive), no request is */
    int t_idle = bluetti_session_next_timeout_ms(s);
    CU_ASSERT(t_idle >= 0 && t_idle <= 15000);

    /* a request waits for its (delayed) answer; the broker dies under it */
    struct restart_ctx rc = { 0 };
    bluetti_session_set_read_callback(s, restart_cb, &rc);
    CU_ASSERT_EQUAL(bluetti_device_submit_read(d, 1300, 0), 0);
    double t_wait = bt_now() + 0.4;
    while (bt_now() < t_wait) bluetti_session_process(s, 100);
    CU_ASSERT_EQUAL(rc.done, 0);
    double killed = bt_now();
    stop_child(broker, SIGKILL);
    while (!rc.done && bt_now() - killed < 15) bluetti_session_process(s, 500);
    CU_ASSERT_EQUAL(rc.done, 1);
    CU_ASSERT_EQUAL(rc.err, BLUETTI_E_DISCONNECTED);
    /* fail fast: at once, not at the 10 s timeout */
    CU_ASSERT(rc.at - killed < 2.0);
    fprintf(stderr, "    request failed %.3f s after the broker died\n", rc.at - killed);

    /* while the broker is away, reads fail quickly with a transient error */
    int err = bluetti_device_read_block(d, 100, 0, NULL);
    CU_ASSERT(bluetti_err_is_transient(err));
    bluetti_error_info info;
    CU_ASSERT_EQUAL(bluetti_device_last_error(d, &info), err);
    CU_ASSERT_EQUAL(info.cls, BLUETTI_CLASS_CONNECTION);
    CU_ASSERT(info.remedy[0] != '\0');
    CU_ASSERT_EQUAL(bluetti_session_last_error(s, &info), BLUETTI_E_DISCONNECTED);
    /* nothing waits, yet there is a deadline: the next reconnect attempt
     * (or its connect timeout), so an external loop wakes up for it */
    CU_ASSERT_FALSE(bluetti_device_busy(d));
    int t_away = bluetti_session_next_timeout_ms(s);
    CU_ASSERT(t_away >= 0 && t_away <= 10000);

    /* the broker comes back on the same port: the session reconnects by itself */
    broker = start_broker(conf, blog);
    CU_ASSERT_FATAL(broker > 0);
    double back = bt_now();
    const bluetti_result *r = NULL;
    do {
        bluetti_session_process(s, 200);
        err = bluetti_device_read_block(d, 100, 0, &r);
    } while (err != 0 && bt_now() - back < 30);
    CU_ASSERT_EQUAL(err, 0);
    CU_ASSERT_EQUAL(bluetti_session_fd(s), fd0); /* the same across the reconnect */
    BT_ASSERT_NEAR(num_field(r, "device_serial"), 6000000001.0);
    fprintf(stderr, "    read again %.3f s after the broker came back\n", bt_now() - back);

    bluetti_session_close(s);
    stop_child(sim, SIGTERM);
    stop_child(broker, SIGTERM);
}

/* ---- suite: many failed connects leave nothing behind ----------------------- */

static size_t count_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    size_t n = 0;
    if (!dp) return 0;
    while (readdir(dp)) n++;
    closedir(dp);
    return n;
}

static void test_failed_connects_leak_nothing(void)
{
    int closed = closed_port();
    /* warm up the libraries' one-time state before counting */
    char d[512] = "";
    open_p12("client.p12", password, closed, d, sizeof d);
    size_t fds = count_entries("/proc/self/fd"), tasks = count_entries("/proc/self/task");
    unsigned wrong = 0;
    for (int i = 0; i < 100; i++) {
        int rc, want;
        switch (i % 5) {
        case 0: rc = open_p12("client.p12", password, closed, d, sizeof d); want = BLUETTI_E_CONNECT; break;
        case 1: rc = open_p12("client.p12", "wrong", port_main, d, sizeof d); want = BLUETTI_E_CERT_PASSWORD; break;
        case 2: rc = open_p12("client.p12", password, port_otherca, d, sizeof d); want = BLUETTI_E_TLS_VERIFY; break;
        case 3: rc = open_p12("client.p12", password, port_refuse, d, sizeof d); want = BLUETTI_E_BROKER_REFUSED; break;
        default: rc = open_p12("rogue.p12", password, port_main, d, sizeof d); want = BLUETTI_E_BROKER_REFUSED; break;
        }
        if (rc != want) {
            fprintf(stderr, "    connect %d: %s (%s), wanted %s\n", i, bluetti_strerror(rc), d,
                    bluetti_strerror(want));
            wrong++;
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(count_entries("/proc/self/fd"), fds);
    CU_ASSERT_EQUAL(count_entries("/proc/self/task"), tasks);
}

static void test_no_password_in_logs(void)
{
    CU_ASSERT_EQUAL(mt_secret_leaks(), 0);
}

/* ---- registration ------------------------------------------------------------ */

static int suite_init(void)
{
    pki_dir = getenv("BT_MQTT_DIR");
    password = getenv("BT_MQTT_PASSWORD");
    port_main = mt_env_int("BT_MQTT_PORT");
    port_refuse = mt_env_int("BT_MQTT_PORT_REFUSE");
    port_otherca = mt_env_int("BT_MQTT_PORT_OTHERCA");
    port_wrongname = mt_env_int("BT_MQTT_PORT_WRONGNAME");
    if (!pki_dir || !password || !port_main || !port_refuse || !port_otherca || !port_wrongname) {
        fprintf(stderr, "test_mqtt: run me through tests/integration/mqtt/run.sh (BT_MQTT_* not set)\n");
        return -1;
    }
    mt_set_pki_dir(pki_dir);
    mt_watch_secret(password);
    if (!reg) {
        reg = bt_registry();
        bluetti_registry_set_log(reg, log_cb, NULL, BLUETTI_LOG_DEBUG);
    }
    return 0;
}

static int add_suites(void)
{
    CU_pSuite s = CU_add_suite("certs", suite_init, NULL);
    if (!s || !CU_add_test(s, "missing file", test_cert_missing_file) ||
        !CU_add_test(s, "not PKCS#12 / corrupt / empty", test_cert_not_pkcs12) ||
        !CU_add_test(s, "wrong or no password", test_cert_wrong_password) ||
        !CU_add_test(s, "no private key", test_cert_no_key) ||
        !CU_add_test(s, "expired / not yet valid", test_cert_dates) ||
        !CU_add_test(s, "options checked", test_options_checked))
        return -1;
    s = CU_add_suite("connect", suite_init, NULL);
    if (!s || !CU_add_test(s, "TLS with PKCS#12, by name and by address", test_connect_ok) ||
        !CU_add_test(s, "refused (closed port)", test_connect_refused) ||
        !CU_add_test(s, "silent peer: connect timeout", test_connect_silent_peer) ||
        !CU_add_test(s, "broker certificate from another CA", test_server_other_ca) ||
        !CU_add_test(s, "broker certificate for another name", test_server_wrong_name) ||
        !CU_add_test(s, "insecure connects, loudly", test_insecure_is_loud) ||
        !CU_add_test(s, "broker rejects the client certificate", test_broker_rejects_certificate) ||
        !CU_add_test(s, "broker refuses at CONNACK", test_broker_refuses_connack) ||
        !CU_add_test(s, "legacy-cipher PKCS#12", test_legacy_p12) ||
        !CU_add_test(s, "subscription refused (SUBACK 0x80)", test_subscription_refused))
        return -1;
    s = CU_add_suite("reads", suite_init, NULL);
    if (!s || !CU_add_test(s, "blocks 100, 1300, 6000 decode to the image", test_reads_decode_image) ||
        !CU_add_test(s, "two devices at once, no cross-talk", test_two_devices_concurrently) ||
        !CU_add_test(s, "late reply never answers the next read", test_late_reply_not_taken_for_next) ||
        !CU_add_test(s, "delayed answers run side by side", test_delays_do_not_stall_other_devices) ||
        !CU_add_test(s, "bad CRC: no retry", test_bad_crc_not_retried) ||
        !CU_add_test(s, "Modbus exception: no retry", test_exception_not_retried) ||
        !CU_add_test(s, "device drops its connection", test_device_disconnect_fault) ||
        !CU_add_test(s, "retained message dropped", test_retained_message_dropped))
        return -1;
    s = CU_add_suite("files", suite_init, NULL);
    if (!s || !CU_add_test(s, "no key material on disk", test_no_key_files)) return -1;
    s = CU_add_suite("restart", suite_init, NULL);
    if (!s || !CU_add_test(s, "broker killed and restarted", test_broker_restart)) return -1;
    s = CU_add_suite("leaks", suite_init, NULL);
    if (!s || !CU_add_test(s, "100 failed connects", test_failed_connects_leak_nothing) ||
        !CU_add_test(s, "password never logged", test_no_password_in_logs))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    int rc = bt_run(argc, argv, add_suites);
    bluetti_registry_free(reg);
    return rc;
}
