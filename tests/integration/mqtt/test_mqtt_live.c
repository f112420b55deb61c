/* transport-mqtt in live cloud mode (docs/protocol/transport-mqtt-live.md)
 * against Debian's mosquitto and bluetti-sim --live, driven through the
 * transport interface itself (the session's Modbus address 0 comes with
 * another change), plus unit tests of the credential and topic code
 * (plugins/transport-mqtt/live.c, built in) with an injected clock.
 *
 * Run by tests/integration/mqtt/live.sh, which passes:
 *   BT_LIVE_DIR        PKI directory (tests/integration/mqtt/mkcerts.sh + weak.crt)
 *   BT_MQTT_PASSWORD   password of the PKCS#12 files
 *   BT_LIVE_PORT_AUTH  listener with mosquitto's password_file (app/apppw)
 *   BT_LIVE_PORT_WEAK  listener whose certificate has a 1880-bit RSA key
 *   BT_LIVE_PORT_OTHERCA  listener with a certificate from an untrusted CA
 *   BT_LIVE_PORT_TAKEN listener with tests/integration/mqtt/taken_plugin.so
 *   BT_LIVE_TAKEN_FILE, BT_LIVE_COUNT_FILE  that plugin's files
 *   BT_LIVE_PIN_OTHERCA  SPKI SHA-256 (hex) of that untrusted certificate
 * The suite "unit" needs none of them. The suite "profile" is run by
 * tests/integration/mqtt/cloud_profile.sh (bluetti-sim --cloud, the auth plugin):
 *   BT_PROF_PORT, BT_PROF_CA   the broker and the test cloud's CA
 *   BT_PROF_ALICE, BT_PROF_BOB, BT_PROF_DAVE   stored logins (profile files)
 */
#include "config.h"
#include "testutil.h"
#include "bt_clock.h"

#include "live.h"
#include "mqtt_testutil.h"

#include <bluetti/cloud.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* devices of the --live simulator (run by live.sh) */
#define DEV_NEW "EL100V2:1000000001"   /* el100v2.json: envelope new (default), address 1 */
#define DEV_OLD "EL100V2:1000000002"   /* envelope old */
#define DEV_RAW "EL100V2:1000000003"   /* envelope raw, live topics */
#define DEV_ADDR0 "EL100V2:1000000004" /* envelope new, Modbus address 0 */
#define DEV_PLAIN "1000000005"         /* the simulator without --live: SUB/<serial>, raw */

static bluetti_registry *reg;
/* Every secret the tests hand the transport: none may show in a log line
 * (watched by mt_log_cb, registered in main). */
static const char *const secrets[] = { "apppw", "wrong-password", "75837507", "12345678",
                                       "EXAMPLEPART0", "rmt:secret" };

static void test_no_secret_logged(void)
{
    CU_ASSERT(mt_log_lines() > 0); /* the check saw the transport's lines at all */
    CU_ASSERT_EQUAL(mt_secret_leaks(), 0);
}
static const bluetti_transport_ops *ops;
static const char *p12_password;

/* ---- a transport driven by hand ------------------------------------------------ */

struct rec {
    unsigned frames, disconnects, taken;
    int last_err;
    uint8_t frame[BLUETTI_MODBUS_MAX_FRAME];
    size_t len;
    char address[64];
};

static void on_event(void *ud, const bluetti_transport_event *ev)
{
    struct rec *r = ud;
    if (ev->type == BLUETTI_EV_FRAME && ev->len <= sizeof r->frame) {
        r->frames++;
        memcpy(r->frame, ev->data, ev->len);
        r->len = ev->len;
        snprintf(r->address, sizeof r->address, "%s", ev->address ? ev->address : "");
    } else if (ev->type == BLUETTI_EV_DISCONNECTED) {
        r->disconnects++;
        r->last_err = ev->err;
        if (ev->err == BLUETTI_E_SESSION_TAKEN) r->taken++;
    }
}

static bluetti_options *base_opts(int port, const char *user, const char *pw)
{
    bluetti_options *o = mt_tls_opts(port, "client.p12", p12_password);
    if (user) bluetti_options_set(o, "username", user);
    if (pw) bluetti_options_set_secret(o, "mqtt_password", pw);
    return o;
}

static int open_t(bluetti_options *o, struct rec *r, void **st, char *detail, size_t len)
{
    bluetti_transport_env env = { .log = bluetti_registry_logger(reg), .on_event = on_event,
                                  .userdata = r, .reconnect = { .max_attempts = 1u, .initial_delay = 0.3,
                                                 .backoff_factor = 1.0, .max_delay = 0.3 },
                                  .connect_timeout_s = 5 };
    detail[0] = '\0';
    /* as bluetti_session_open does: the declared options checked and defaulted */
    bluetti_options *typed = NULL;
    int rc = bluetti_options_apply_decls(ops->options, ops->n_options, ops->name, o, &typed,
                                         detail, len);
    if (rc == 0) rc = ops->open(&env, typed, st, detail, len);
    bluetti_options_free(typed);
    if (p12_password && *p12_password) CU_ASSERT_PTR_NULL(strstr(detail, p12_password));
    return rc;
}

/* Process until pred holds or `seconds` pass. */
static bool pump(void *st, struct rec *r, unsigned frames_wanted, double seconds)
{
    double end = bt_now() + seconds;
    while (r->frames < frames_wanted && bt_now() < end) ops->process(st, 50);
    return r->frames >= frames_wanted;
}

static void pump_for(void *st, double seconds)
{
    double end = bt_now() + seconds;
    while (bt_now() < end) ops->process(st, 50);
}

/* Wait until the device's reply subscription is granted (first submit
 * after attach would race it otherwise): a request that got no answer is
 * sent again, at most `tries` times. */
static bool read_block(void *st, struct rec *r, const char *address, uint8_t modbus_addr,
                       uint16_t start, uint16_t count, const uint8_t **payload)
{
    uint8_t req[BLUETTI_MODBUS_REQUEST_LEN];
    CU_ASSERT_EQUAL_FATAL(bluetti_modbus_build_read(modbus_addr, start, count, req), 0);
    unsigned before = r->frames;
    for (int i = 0; i < 10; i++) {
        if (ops->submit(st, address, req, sizeof req) == 0 && pump(st, r, before + 1, 1.0)) break;
    }
    if (r->frames == before) return false;
    CU_ASSERT_STRING_EQUAL(r->address, address);
    size_t n = 0;
    int rc = bluetti_modbus_parse_read(r->frame, r->len, modbus_addr, count, payload, &n, NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(n, 2u * count);
    return rc == 0;
}

/* ---- live reads ------------------------------------------------------------------ */

static void test_reads_every_envelope(void)
{
    struct rec r = { 0 };
    void *st = NULL;
    char detail[512];
    bluetti_options *o = base_opts(mt_env_int("BT_LIVE_PORT_AUTH"), "app", "apppw");
    bluetti_options_add(o, "device_envelope", DEV_OLD "=old");
    bluetti_options_add(o, "device_envelope", DEV_RAW "=raw");
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    bluetti_options_free(o);
    if (rc) fprintf(stderr, "    open: %s: %s\n", bluetti_strerror(rc), detail);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const char *devs[] = { DEV_PLAIN, DEV_NEW, DEV_OLD, DEV_RAW };
    for (size_t i = 0; i < 4; i++) CU_ASSERT_EQUAL(ops->attach(st, devs[i]), 0);
    /* the plain-address device (older reference) is the yardstick: the
     * same image must give the same registers in every framing */
    /* block 1300 (block 100 carries each device's own serial) */
    uint8_t want[2 * 31];
    const uint8_t *p = NULL;
    CU_ASSERT_FATAL(read_block(st, &r, DEV_PLAIN, 1, 1300, 31, &p));
    memcpy(want, p, sizeof want);
    for (size_t i = 1; i < 4; i++) {
        p = NULL;
        CU_ASSERT(read_block(st, &r, devs[i], 1, 1300, 31, &p));
        if (p) CU_ASSERT_EQUAL(memcmp(p, want, sizeof want), 0);
    }
    uint64_t in = 0, dropped = 0;
    ops->stats(st, &in, &dropped);
    CU_ASSERT(in >= 4);
    ops->close(st);
}

static void test_modbus_address_zero(void)
{
    struct rec r = { 0 };
    void *st = NULL;
    char detail[512];
    bluetti_options *o = base_opts(mt_env_int("BT_LIVE_PORT_AUTH"), "app", "apppw");
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    bluetti_options_free(o);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(ops->attach(st, DEV_ADDR0), 0);
    const uint8_t *p = NULL;
    CU_ASSERT(read_block(st, &r, DEV_ADDR0, 0, 100, 62, &p));
    CU_ASSERT_EQUAL(r.frame[0], 0); /* the answer comes from address 0 */
    /* at address 1 that device stays silent */
    uint8_t req[BLUETTI_MODBUS_REQUEST_LEN];
    bluetti_modbus_build_read(1, 100, 62, req);
    unsigned before = r.frames;
    CU_ASSERT_EQUAL(ops->submit(st, DEV_ADDR0, req, sizeof req), 0);
    CU_ASSERT_FALSE(pump(st, &r, before + 1, 1.5));
    ops->close(st);
}

/* A second transport whose "requests" go to the first one's reply topic:
 * it forges device replies with any header register. */
static void test_header_register_correlation(void)
{
    struct rec r = { 0 }, fr = { 0 };
    void *st = NULL, *forger = NULL;
    char detail[512];
    int port = mt_env_int("BT_LIVE_PORT_AUTH");
    bluetti_options *o = base_opts(port, "app", "apppw");
    bluetti_options_set(o, "topic_sub", "SUB/{model}/{subsn}-x"); /* no device answers */
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    bluetti_options_free(o);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    o = base_opts(port, "app", "apppw");
    bluetti_options_set(o, "topic_sub", "PUB/{model}/{subsn}");
    bluetti_options_set(o, "topic_pub", "FORGER/{model}/{subsn}");
    bluetti_options_set(o, "envelope", "raw");
    rc = open_t(o, &fr, &forger, detail, sizeof detail);
    bluetti_options_free(o);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(ops->attach(st, DEV_NEW), 0);
    CU_ASSERT_EQUAL(ops->attach(forger, DEV_NEW), 0);
    pump_for(st, 0.3);
    pump_for(forger, 0.3);

    uint8_t req[BLUETTI_MODBUS_REQUEST_LEN];
    bluetti_modbus_build_read(1, 100, 2, req);
    CU_ASSERT_EQUAL(ops->submit(st, DEV_NEW, req, sizeof req), 0); /* outstanding: 100 */
    /* a reply with 2 registers, once under header register 6000, then 100 */
    uint8_t reply[7] = { 0x01, 0x03, 0x04, 0x12, 0x34, 0x56, 0x78 };
    uint8_t frame[9];
    memcpy(frame, reply, 7);
    uint16_t crc = bluetti_crc16(reply, 7);
    frame[7] = (uint8_t)(crc & 0xff);
    frame[8] = (uint8_t)(crc >> 8);
    uint8_t payload[32];
    size_t plen = 0;
    uint64_t d0 = 0, d1 = 0, in0 = 0;
    ops->stats(st, &in0, &d0);
    CU_ASSERT_EQUAL(bluetti_envelope_wrap(BLUETTI_ENVELOPE_NEW, 6000, frame, sizeof frame,
                                          payload, sizeof payload, &plen), 0);
    CU_ASSERT_EQUAL(ops->submit(forger, DEV_NEW, payload, plen), 0);
    pump_for(forger, 0.2);
    CU_ASSERT_FALSE(pump(st, &r, 1, 1.0)); /* another block's answer: dropped */
    ops->stats(st, NULL, &d1);
    CU_ASSERT_EQUAL(d1, d0 + 1);
    CU_ASSERT_EQUAL(bluetti_envelope_wrap(BLUETTI_ENVELOPE_NEW, 100, frame, sizeof frame,
                                          payload, sizeof payload, &plen), 0);
    CU_ASSERT_EQUAL(ops->submit(forger, DEV_NEW, payload, plen), 0);
    pump_for(forger, 0.2);
    CU_ASSERT(pump(st, &r, 1, 2.0));
    CU_ASSERT_EQUAL(r.len, sizeof frame); /* the bare Modbus frame, header stripped */
    CU_ASSERT_EQUAL(memcmp(r.frame, frame, sizeof frame), 0);
    ops->close(forger);
    ops->close(st);
}

/* ---- credentials ------------------------------------------------------------------ */

static void test_credentials_required(void)
{
    struct rec r = { 0 };
    void *st = NULL;
    char detail[512];
    int port = mt_env_int("BT_LIVE_PORT_AUTH");
    bluetti_options *o = base_opts(port, "app", "wrong-password");
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_BROKER_REFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "refused the credentials"));
    CU_ASSERT_PTR_NULL(strstr(detail, "wrong-password"));
    bluetti_options_free(o);
    o = base_opts(port, NULL, NULL);
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_BROKER_REFUSED);
    bluetti_options_free(o);
    o = base_opts(port, NULL, "apppw");
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "mqtt_password needs a username"));
    bluetti_options_free(o);
}

/* The broker's password file holds the TOTP of one 30-second step: a
 * connect whose server time (local + clock_offset_ms) lies in that step
 * gets in, one a step later is refused. Each connect computes it anew. */
static void test_totp_at_connect(void)
{
    long long local = (long long)bt_wall_ms();
    /* the step of 1777630585000 runs from 1777630560000 for 30 s */
    long long in_step = 1777630561000LL, next_step = 1777630591000LL;
    char off[32], detail[512];
    struct rec r = { 0 };
    void *st = NULL;
    bluetti_options *o = base_opts(mt_env_int("BT_LIVE_PORT_AUTH"), "totp-user", NULL);
    bluetti_options_set_secret(o, "token", "EXAMPLEPART0.EXAMPLESID.sig");
    snprintf(off, sizeof off, "%lld", in_step - local);
    bluetti_options_set(o, "clock_offset_ms", off);
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    if (rc) fprintf(stderr, "    in the step: %s: %s\n", bluetti_strerror(rc), detail);
    CU_ASSERT_EQUAL(rc, 0);
    ops->close(st);
    st = NULL;
    snprintf(off, sizeof off, "%lld", next_step - local);
    bluetti_options_set(o, "clock_offset_ms", off);
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_BROKER_REFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "refused the credentials"));
    CU_ASSERT_PTR_NULL(strstr(detail, "75837507"));
    bluetti_options_free(o);
}

static void test_options_checked(void)
{
    static const struct { const char *key, *value, *says; } bad[] = {
        { "envelope", "newest", "option envelope" },
        { "device_envelope", "EL100V2:1=fancy", "device_envelope" },
        { "device_envelope", "=new", "device_envelope" },
        { "topic_sub", "SUB/{serial}", "topic_sub" },
        { "topic_pub", "PUB/#", "topic_pub" },
        { "pin_broker_key", "SHA256-abcd", "pin_broker_key" },
        { "token", "nodots", "token" },
        { "clock_offset_ms", "1.5", "clock_offset_ms" },
        { "cloud", "maybe", "option cloud" },
        { "session_holdoff", "0", "session_holdoff" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rec r = { 0 };
        void *st = NULL;
        char detail[512];
        bluetti_options *o = base_opts(mt_env_int("BT_LIVE_PORT_AUTH"), "app", "apppw");
        bluetti_options_set(o, bad[i].key, bad[i].value);
        int rc = open_t(o, &r, &st, detail, sizeof detail);
        CU_ASSERT_EQUAL(rc, BLUETTI_E_INVAL);
        CU_ASSERT_PTR_NULL(st);
        if (!strstr(detail, bad[i].says)) {
            fprintf(stderr, "    %s=%s: detail \"%s\"\n", bad[i].key, bad[i].value, detail);
            CU_FAIL("the detail does not name the option");
        }
        bluetti_options_free(o);
    }
    /* a pin and insecure contradict each other */
    struct rec r = { 0 };
    void *st = NULL;
    char detail[512];
    bluetti_options *o = base_opts(mt_env_int("BT_LIVE_PORT_AUTH"), "app", "apppw");
    bluetti_options_set(o, "pin_broker_key", "SHA256-" "00112233445566778899aabbccddeeff"
                        "00112233445566778899aabbccddeeff");
    bluetti_options_set(o, "insecure", "true");
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "exclude each other"));
    bluetti_options_free(o);
}

/* ---- TLS: pin and security level ------------------------------------------------ */

static void test_pin_broker_key(void)
{
    const char *pin = getenv("BT_LIVE_PIN_OTHERCA");
    CU_ASSERT_FATAL(pin != NULL && strlen(pin) == 64);
    int port = mt_env_int("BT_LIVE_PORT_OTHERCA");
    char detail[512], spec[80];
    struct rec r = { 0 };
    void *st = NULL;
    /* without a pin the unknown CA fails the chain check */
    bluetti_options *o = base_opts(port, NULL, NULL);
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_TLS_VERIFY);
    /* the right pin: accepted although no trusted CA signed it */
    snprintf(spec, sizeof spec, "SHA256-%s", pin);
    bluetti_options_set(o, "pin_broker_key", spec);
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    if (rc) fprintf(stderr, "    pinned open: %s: %s\n", bluetti_strerror(rc), detail);
    CU_ASSERT_EQUAL(rc, 0);
    ops->close(st);
    st = NULL;
    /* a wrong pin (one digit changed): refused, and the detail says why */
    snprintf(spec, sizeof spec, "SHA256-%s", pin);
    spec[7] = spec[7] == '0' ? '1' : '0';
    bluetti_options_set(o, "pin_broker_key", spec);
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_TLS_VERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "does not match pin_broker_key"));
    CU_ASSERT_PTR_NULL(st);
    bluetti_options_free(o);
}

static void test_seclevel_for_cloud_key(void)
{
    int port = mt_env_int("BT_LIVE_PORT_WEAK");
    char detail[512];
    struct rec r = { 0 };
    void *st = NULL;
    bluetti_options *o = base_opts(port, NULL, NULL);
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    CU_ASSERT(rc == BLUETTI_E_TLS_VERIFY || rc == BLUETTI_E_TLS);
    CU_ASSERT_PTR_NULL(st);
    bluetti_options_set(o, "cloud", "true");
    rc = open_t(o, &r, &st, detail, sizeof detail);
    if (rc) fprintf(stderr, "    cloud=true: %s: %s\n", bluetti_strerror(rc), detail);
    CU_ASSERT_EQUAL(rc, 0);
    ops->close(st);
    bluetti_options_free(o);
}

/* ---- session taken ------------------------------------------------------------------ */

static unsigned count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    unsigned n = 0;
    int c;
    if (!f) return 0;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

static void set_taken(bool on)
{
    const char *path = getenv("BT_LIVE_TAKEN_FILE");
    CU_ASSERT_FATAL(path != NULL);
    if (on) {
        FILE *f = fopen(path, "w");
        CU_ASSERT_FATAL(f != NULL);
        fclose(f);
    } else {
        unlink(path);
    }
}

static void test_session_taken_at_open(void)
{
    int port = mt_env_int("BT_LIVE_PORT_TAKEN");
    char detail[512];
    struct rec r = { 0 };
    void *st = NULL;
    set_taken(true);
    bluetti_options *o = base_opts(port, "tid:SESSIONSID", "12345678");
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_SESSION_TAKEN);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "another client"));
    CU_ASSERT_PTR_NULL(st);
    set_taken(false);
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), 0);
    ops->close(st);
    bluetti_options_free(o);
}

static void test_session_taken_holds_off(void)
{
    int port = mt_env_int("BT_LIVE_PORT_TAKEN");
    const char *count_file = getenv("BT_LIVE_COUNT_FILE");
    CU_ASSERT_FATAL(count_file != NULL);
    char detail[512];
    struct rec r = { 0 }, r2 = { 0 };
    void *st = NULL, *thief = NULL;
    set_taken(false);
    bluetti_options *o = base_opts(port, "tid:SESSIONSID", "12345678");
    bluetti_options_set(o, "client_id", "bluetti-live-test-session");
    bluetti_options_set(o, "session_holdoff", "1");
    CU_ASSERT_EQUAL_FATAL(open_t(o, &r, &st, detail, sizeof detail), 0);
    /* another client takes the session over (same client id), then the
     * broker turns the first one away */
    CU_ASSERT_EQUAL_FATAL(open_t(o, &r2, &thief, detail, sizeof detail), 0);
    set_taken(true);
    unsigned before = count_lines(count_file);
    pump_for(st, 3.2);
    unsigned attempts = count_lines(count_file) - before;
    /* reconnect after 0.3 s, refused; hold-off 1 s, refused; then 2 s: at
     * most 3 attempts in this window, where a retry loop would make dozens */
    CU_ASSERT(r.taken >= 1);
    CU_ASSERT(attempts >= 1 && attempts <= 3);
    if (attempts > 3) fprintf(stderr, "    %u attempts in 3.2 s\n", attempts);
    CU_ASSERT_EQUAL(r.last_err, BLUETTI_E_SESSION_TAKEN);
    set_taken(false);
    ops->close(thief);
    ops->close(st);
    bluetti_options_free(o);
}

/* ---- cloud_profile (tests/integration/mqtt/cloud_profile.sh: the simulated cloud) ------------- */

static bluetti_options *profile_opts(const char *profile_env)
{
    const char *profile = getenv(profile_env);
    CU_ASSERT_FATAL(profile != NULL);
    bluetti_options *o = bluetti_options_new();
    CU_ASSERT_FATAL(o != NULL);
    bluetti_options_set(o, "broker", "127.0.0.1");
    bluetti_options_set(o, "port", getenv("BT_PROF_PORT"));
    bluetti_options_set(o, "cafile", getenv("BT_PROF_CA"));
    bluetti_options_set(o, "cloud_profile", profile);
    return o;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = calloc(1, 65536);
    if (buf) fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}

static void test_profile_reads(void)
{
    struct rec r = { 0 };
    void *st = NULL;
    char detail[512];
    bluetti_options *o = profile_opts("BT_PROF_ALICE");
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    if (rc) fprintf(stderr, "    open: %s: %s\n", bluetti_strerror(rc), detail);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(ops->attach(st, "EL100V2:2345000223861"), 0);
    const uint8_t *p = NULL;
    CU_ASSERT(read_block(st, &r, "EL100V2:2345000223861", 1, 1300, 31, &p));
    ops->close(st);
    bluetti_options_free(o);
}

static void test_profile_renews_login(void)
{
    /* bob's token lives 2 s and live.sh waited longer: the connect must
     * log in again from the stored secrets and write the new token back */
    const char *path = getenv("BT_PROF_BOB");
    CU_ASSERT_FATAL(path != NULL);
    char *before = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(before);
    struct rec r = { 0 };
    void *st = NULL;
    char detail[512];
    bluetti_options *o = profile_opts("BT_PROF_BOB");
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    if (rc) fprintf(stderr, "    open: %s: %s\n", bluetti_strerror(rc), detail);
    CU_ASSERT_EQUAL(rc, 0);
    ops->close(st);
    char *after = slurp(path);
    CU_ASSERT_PTR_NOT_NULL(after);
    if (after) CU_ASSERT_STRING_NOT_EQUAL(after, before);
    free(before);
    free(after);
    bluetti_options_free(o);
}

static void test_profile_session_taken(void)
{
    struct rec r = { 0 };
    void *st = NULL;
    char detail[512];
    bluetti_options *o = profile_opts("BT_PROF_DAVE");
    CU_ASSERT_EQUAL(open_t(o, &r, &st, detail, sizeof detail), BLUETTI_E_SESSION_TAKEN);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "another client"));
    bluetti_options_free(o);
}

static void test_profile_missing(void)
{
    struct rec r = { 0 };
    void *st = NULL;
    char detail[512];
    bluetti_options *o = profile_opts("BT_PROF_ALICE");
    bluetti_options_set(o, "cloud_profile", "/nonexistent/bluetti/cloud-profile.json");
    int rc = open_t(o, &r, &st, detail, sizeof detail);
    CU_ASSERT_EQUAL(rc, BLUETTI_E_NOT_LOGGED_IN);
    CU_ASSERT_PTR_NULL(st);
    CU_ASSERT(detail[0] != '\0');
    bluetti_options_free(o);
}

/* ---- unit: credentials and topics (live.c) ------------------------------------------ */

static void test_unit_totp_credentials(void)
{
    bluetti_options *o = bluetti_options_new();
    bluetti_options_set_secret(o, "token", "EXAMPLEPART0.EXAMPLESID.sig");
    bluetti_options_set(o, "clock_offset_ms", "5000");
    mqtt_live lv;
    char detail[256] = "";
    CU_ASSERT_EQUAL_FATAL(mqtt_live_read_options(o, &lv, detail, sizeof detail), 0);
    mqc_credentials cr;
    /* the CLOUD test vector: server time 1777630585000 -> 75837507 */
    CU_ASSERT_EQUAL(mqtt_live_credentials(&lv, 1777630585000ull - 5000, &cr, detail, sizeof detail), 0);
    CU_ASSERT_STRING_EQUAL(cr.username, "tid:EXAMPLESID");
    CU_ASSERT_STRING_EQUAL(cr.password, "75837507");
    /* each connect computes it anew: 30 s later it is another number, the
     * one bluetti_cloud_totp gives for that time */
    char want[9];
    CU_ASSERT_EQUAL(bluetti_cloud_totp("EXAMPLESID", "EXAMPLEPART0", 1777630615000ull, want), 0);
    CU_ASSERT_EQUAL(mqtt_live_credentials(&lv, 1777630615000ull - 5000, &cr, detail, sizeof detail), 0);
    CU_ASSERT_STRING_EQUAL(cr.password, want);
    CU_ASSERT_STRING_NOT_EQUAL(cr.password, "75837507");
    mqtt_live_free(&lv);
    /* fixed credentials win over the token's */
    bluetti_options_set(o, "username", "someone");
    bluetti_options_set_secret(o, "mqtt_password", "rmt:secret");
    CU_ASSERT_EQUAL_FATAL(mqtt_live_read_options(o, &lv, detail, sizeof detail), 0);
    CU_ASSERT_EQUAL(mqtt_live_credentials(&lv, 1, &cr, detail, sizeof detail), 0);
    CU_ASSERT_STRING_EQUAL(cr.username, "someone");
    CU_ASSERT_STRING_EQUAL(cr.password, "rmt:secret");
    mqtt_live_free(&lv);
    bluetti_options_free(o);
}

static void test_unit_topics(void)
{
    bluetti_options *o = bluetti_options_new();
    bluetti_options_add(o, "device_envelope", "AC300:77=old");
    mqtt_live lv;
    char detail[256] = "";
    CU_ASSERT_EQUAL_FATAL(mqtt_live_read_options(o, &lv, detail, sizeof detail), 0);
    char *req = NULL, *rep = NULL;
    int env = -1;
    CU_ASSERT_EQUAL(mqtt_live_device(&lv, "EL100V2:2345000223861", &req, &rep, &env), 0);
    CU_ASSERT_STRING_EQUAL(req, "SUB/EL100V2/2345000223861");
    CU_ASSERT_STRING_EQUAL(rep, "PUB/EL100V2/2345000223861");
    CU_ASSERT_EQUAL(env, BLUETTI_ENVELOPE_NEW);
    free(req);
    free(rep);
    CU_ASSERT_EQUAL(mqtt_live_device(&lv, "AC300:77", &req, &rep, &env), 0);
    CU_ASSERT_EQUAL(env, BLUETTI_ENVELOPE_OLD);
    free(req);
    free(rep);
    CU_ASSERT_EQUAL(mqtt_live_device(&lv, "2345000223861", &req, &rep, &env), 0);
    CU_ASSERT_STRING_EQUAL(req, "SUB/2345000223861");
    CU_ASSERT_STRING_EQUAL(rep, "PUB/2345000223861");
    CU_ASSERT_EQUAL(env, BLUETTI_ENVELOPE_RAW);
    free(req);
    free(rep);
    mqtt_live_free(&lv);
    /* templates that need a model cannot serve a plain address */
    bluetti_options_set(o, "topic_sub", "in/{model}/{subsn}/{address}");
    CU_ASSERT_EQUAL_FATAL(mqtt_live_read_options(o, &lv, detail, sizeof detail), 0);
    CU_ASSERT_EQUAL(mqtt_live_device(&lv, "123", &req, &rep, &env), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NULL(req);
    CU_ASSERT_EQUAL(mqtt_live_device(&lv, "M:9", &req, &rep, &env), 0);
    CU_ASSERT_STRING_EQUAL(req, "in/M/9/M:9");
    free(req);
    free(rep);
    mqtt_live_free(&lv);
    bluetti_options_free(o);
}

static int suite_init(void)
{
    const char *dir = getenv("BT_LIVE_DIR");
    p12_password = getenv("BT_MQTT_PASSWORD");
    if (dir) mt_set_pki_dir(dir);
    return dir && p12_password ? 0 : -1;
}

static int profile_init(void)
{
    return getenv("BT_PROF_PORT") && getenv("BT_PROF_CA") ? 0 : -1;
}

static int add_suites(void)
{
    CU_pSuite s = CU_add_suite("unit", NULL, NULL);
    if (!s || !CU_add_test(s, "TOTP credentials with an injected clock", test_unit_totp_credentials) ||
        !CU_add_test(s, "topics and envelopes per address", test_unit_topics))
        return -1;
    s = CU_add_suite("live", suite_init, NULL);
    if (!s || !CU_add_test(s, "reads in new, old and raw envelopes", test_reads_every_envelope) ||
        !CU_add_test(s, "Modbus address 0", test_modbus_address_zero) ||
        !CU_add_test(s, "header register correlation", test_header_register_correlation) ||
        !CU_add_test(s, "username/password required", test_credentials_required) ||
        !CU_add_test(s, "time-based password at each connect", test_totp_at_connect) ||
        !CU_add_test(s, "live options checked", test_options_checked) ||
        !CU_add_test(s, "pin_broker_key", test_pin_broker_key) ||
        !CU_add_test(s, "1880-bit broker key needs cloud=true", test_seclevel_for_cloud_key) ||
        !CU_add_test(s, "session taken at open", test_session_taken_at_open) ||
        !CU_add_test(s, "session taken: hold-off, no retry storm", test_session_taken_holds_off) ||
        !CU_add_test(s, "no secret in any log line", test_no_secret_logged))
        return -1;
    s = CU_add_suite("profile", profile_init, NULL);
    if (!s || !CU_add_test(s, "reads through the stored login", test_profile_reads) ||
        !CU_add_test(s, "expired token: logs in again", test_profile_renews_login) ||
        !CU_add_test(s, "session taken", test_profile_session_taken) ||
        !CU_add_test(s, "no stored login", test_profile_missing) ||
        !CU_add_test(s, "no secret in any log line", test_no_secret_logged))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) mt_watch_secret(secrets[i]);
    mt_watch_secret(getenv("BT_MQTT_PASSWORD"));
    reg = bt_registry();
    /* debug level: the secrets must stay out of every line, not only warnings */
    bluetti_registry_set_log(reg, mt_log_cb, NULL, BLUETTI_LOG_DEBUG);
    ops = bluetti_registry_find_transport(reg, "mqtt");
    if (!ops) {
        fprintf(stderr, "test_mqtt_live: the mqtt transport plugin is not built\n");
        return 1;
    }
    int rc = bt_run(argc, argv, add_suites);
    bluetti_registry_free(reg);
    return rc;
}
