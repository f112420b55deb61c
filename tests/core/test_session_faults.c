/* Fault injection (issue 7). Thousands of reads through transport-sim with
 * drops, delays, bad CRCs and short frames at set rates: every read ends in
 * a value or a classified error, nothing hangs, memory stays flat. Then a
 * hostile in-test transport ("evil") answers each request with a flood of
 * unexpected frames first: frames for unknown devices, another device's
 * reply, replies larger than any request, garbage; the real reply must
 * still be taken and everything else dropped and counted. */
#include "config.h"

#include "testutil.h"
#include "bt_clock.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EL100 "data/devices/el100v2.json"
#define EL30 "data/devices/el30v2.json"
#define EL100_SN "2345000223861"
#define EL30_SN "2337000104512"

static bluetti_registry *reg;

/* Fewer iterations under valgrind (BLUETTI_TEST_WRAPPER set). */
static unsigned scaled(unsigned n)
{
    const char *w = getenv("BLUETTI_TEST_WRAPPER");
    return (w && *w) ? n / 10 : n;
}

static size_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

/* ---- soak through transport-sim -------------------------------------------- */

static bluetti_session *open_sim(const char *faults, double timeout_s, unsigned attempts)
{
    bluetti_options *o = bluetti_options_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
#ifdef HAVE_JANSSON
    bluetti_options_add(o, "device", bt_src_path(EL100));
    bluetti_options_add(o, "device", bt_src_path(EL30));
#endif /* else the built-in images, EL100 and EL30 among them, are served */
    bluetti_options_set(o, "faults", faults);
    bluetti_session_config cfg;
    bluetti_session_config_default(&cfg);
    cfg.timeout_s = timeout_s;
    cfg.retry.max_attempts = attempts;
    cfg.retry.initial_delay = 0.001;
    cfg.retry.max_delay = 0.002;
    bluetti_session *s = NULL;
    char detail[256] = "";
    int rc = bluetti_session_open(reg, "sim", o, &cfg, &s, detail, sizeof detail);
    bluetti_options_free(o);
    if (rc) fprintf(stderr, "session_open: %s\n", detail);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return s;
}

struct tally {
    unsigned ok, timeout, crc, frame, other_transient, other;
};

static void classify(struct tally *t, int rc, const bluetti_result *r)
{
    if (rc == 0) {
        CU_ASSERT_PTR_NOT_NULL(r);
        if (r) CU_ASSERT_TRUE(bluetti_result_valid(r));
        t->ok++;
        return;
    }
    /* every error has a name, a class and a message */
    CU_ASSERT_PTR_NOT_NULL(bluetti_err_name(rc));
    CU_ASSERT_NOT_EQUAL(bluetti_err_class(rc), BLUETTI_CLASS_NONE);
    CU_ASSERT_STRING_NOT_EQUAL(bluetti_err_class_name(bluetti_err_class(rc)), "unknown");
    CU_ASSERT_PTR_NOT_NULL(bluetti_strerror(rc));
    if (rc == BLUETTI_E_TIMEOUT) t->timeout++;
    else if (rc == BLUETTI_E_CRC) t->crc++;
    else if (rc == BLUETTI_E_FRAME || rc == BLUETTI_E_BYTE_COUNT) t->frame++;
    else if (bluetti_err_is_transient(rc)) t->other_transient++;
    else {
        fprintf(stderr, "unexpected error %s: %s\n", bluetti_err_name(rc), bluetti_strerror(rc));
        t->other++;
    }
}

/* n reads alternating over two devices and three blocks; returns the wall
 * time. Each read must finish within its attempts' timeouts plus slack. */
static double soak(bluetti_session *s, unsigned n, struct tally *t, double max_read_s)
{
    bluetti_device *d[2] = { NULL, NULL };
    if (bluetti_session_device_count(s) == 0) {
        CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, EL100_SN, "EL100V2", &d[0]), 0);
        CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, EL30_SN, "EL30V2", &d[1]), 0);
    } else {
        d[0] = bluetti_session_device_at(s, 0);
        d[1] = bluetti_session_device_at(s, 1);
    }
    static const uint16_t blocks[] = { 100, 1300, 6000 };
    double start = bt_now(), worst = 0;
    for (unsigned i = 0; i < n; i++) {
        const bluetti_result *r = NULL;
        double t0 = bt_now();
        int rc = bluetti_device_read_block(d[i & 1], blocks[i % 3], 0, &r);
        double took = bt_now() - t0;
        if (took > worst) worst = took;
        classify(t, rc, r);
    }
    if (worst > max_read_s) fprintf(stderr, "slowest read %.3f s (limit %.3f s)\n", worst, max_read_s);
    CU_ASSERT_TRUE(worst <= max_read_s);
    return bt_now() - start;
}

static void test_soak_rates(void)
{
    /* 5% drops, 5% bad CRC, 5% short frames, 1 ms delay; 20 ms timeout,
     * 2 attempts. Some reads must succeed, every failure is classified. */
    bluetti_session *s = open_sim("drop=0.05,crc=0.05,short=0.05,delay=0.001,seed=42", 0.02, 2);
    struct tally warm = { 0 }, t = { 0 };
    soak(s, scaled(300), &warm, 2.0);
    size_t before = heap_in_use();
    unsigned n = scaled(3000);
    double secs = soak(s, n, &t, 2.0);
    size_t after = heap_in_use();
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    fprintf(stderr, "soak: %u reads in %.1f s: %u ok, %u timeout, %u crc, %u frame, %u other; "
            "requests %llu, retries %llu, timeouts %llu, dropped %llu; heap %zu -> %zu\n",
            n, secs, t.ok, t.timeout, t.crc, t.frame, t.other,
            (unsigned long long)st.requests, (unsigned long long)st.retries,
            (unsigned long long)st.timeouts, (unsigned long long)st.dropped, before, after);
    CU_ASSERT_EQUAL(t.ok + t.timeout + t.crc + t.frame + t.other_transient + t.other, n);
    CU_ASSERT_EQUAL(t.other, 0);
    CU_ASSERT_TRUE(t.ok > n / 2);
    CU_ASSERT_TRUE(t.crc + t.frame > 0);
    /* memory is flat: at most 64 KiB of growth over thousands of reads */
    CU_ASSERT_TRUE(after <= before + 65536);
    bluetti_session_close(s);
}

static void test_soak_everything_fails(void)
{
    /* every reply corrupted or lost: each read fails fast and classified */
    static const char *const specs[] = { "crc=1", "short=1", "drop=1" };
    for (size_t k = 0; k < 3; k++) {
        bluetti_session *s = open_sim(specs[k], 0.01, 2);
        struct tally t = { 0 };
        unsigned n = k == 2 ? scaled(50) : scaled(500);
        soak(s, n, &t, 1.0);
        CU_ASSERT_EQUAL(t.ok, 0);
        CU_ASSERT_EQUAL(t.other, 0);
        if (k == 0) CU_ASSERT_EQUAL(t.crc, n);
        if (k == 2) CU_ASSERT_EQUAL(t.timeout, n);
        bluetti_session_close(s);
    }
}

static void test_disconnects(void)
{
    /* the link drops after every 3 requests: reads are retried or fail
     * with a transient error, never hang */
    bluetti_session *s = open_sim("disconnect=3,seed=5", 0.05, 3);
    struct tally t = { 0 };
    unsigned n = scaled(600);
    soak(s, n, &t, 2.0);
    CU_ASSERT_EQUAL(t.other, 0);
    CU_ASSERT_TRUE(t.ok > 0);
    bluetti_session_close(s);
}

/* ---- the evil transport ------------------------------------------------------ */

#define EVIL_MAX_ADDR 4
#define EVIL_MAX_Q 2048

struct evil_frame {
    char address[32];
    size_t len;
    uint8_t data[1024];
};

struct evil {
    bluetti_transport_env env;
    bool connected_sent;
    char attached[EVIL_MAX_ADDR][32];
    size_t n_attached;
    struct evil_frame q[EVIL_MAX_Q];
    size_t nq;
    unsigned rng;
    unsigned flood;       /* unexpected frames before each real reply */
    bool garbage;         /* also corrupt frames on the device's own address */
    uint64_t frames_in;
};

static struct evil *evil_last;

static unsigned evil_rand(struct evil *e)
{
    e->rng = e->rng * 1103515245u + 12345u;
    return (e->rng >> 16) & 0x7fff;
}

static void evil_push(struct evil *e, const char *address, const uint8_t *data, size_t len)
{
    if (e->nq >= EVIL_MAX_Q || len > sizeof e->q[0].data) return;
    struct evil_frame *f = &e->q[e->nq++];
    snprintf(f->address, sizeof f->address, "%s", address);
    memcpy(f->data, data, len);
    f->len = len;
}

/* A read reply for (addr, count) with CRC, any byte count claimed. */
static size_t evil_reply(uint8_t *out, uint8_t addr, uint8_t claimed, size_t payload, uint8_t fill)
{
    out[0] = addr;
    out[1] = BLUETTI_MODBUS_READ;
    out[2] = claimed;
    for (size_t i = 0; i < payload; i++) out[3 + i] = (uint8_t)(fill + i);
    uint16_t crc = bluetti_crc16(out, 3 + payload);
    out[3 + payload] = (uint8_t)crc;
    out[4 + payload] = (uint8_t)(crc >> 8);
    return payload + 5;
}

static int evil_open(const bluetti_transport_env *env, const bluetti_options *opts, void **state,
                     char *detail, size_t detail_len)
{
    (void)detail; (void)detail_len;
    struct evil *e = calloc(1, sizeof *e);
    if (!e) return BLUETTI_E_NOMEM;
    e->env = *env;
    e->rng = 99;
    long flood = 64;
    if (opts && bluetti_options_get(opts, "flood")) bluetti_options_get_long(opts, "flood", 0, 100000, &flood);
    e->flood = (unsigned)flood;
    bool garbage = false;
    if (opts && bluetti_options_get(opts, "garbage")) bluetti_options_get_bool(opts, "garbage", &garbage);
    e->garbage = garbage;
    evil_last = e;
    *state = e;
    return 0;
}

static void evil_close(void *state)
{
    if (evil_last == state) evil_last = NULL;
    free(state);
}

static int evil_attach(void *state, const char *address)
{
    struct evil *e = state;
    if (e->n_attached < EVIL_MAX_ADDR)
        snprintf(e->attached[e->n_attached++], sizeof e->attached[0], "%s", address);
    return 0;
}

static int evil_detach(void *state, const char *address)
{
    (void)state; (void)address;
    return 0;
}

static int evil_submit(void *state, const char *address, const uint8_t *frame, size_t len)
{
    struct evil *e = state;
    if (len != BLUETTI_MODBUS_REQUEST_LEN) return BLUETTI_E_INVAL;
    uint8_t addr = frame[0];
    uint16_t count = (uint16_t)(frame[4] << 8 | frame[5]);
    size_t n = (size_t)count * 2;
    uint8_t buf[1024];
    for (unsigned k = 0; k < e->flood; k++) {
        char other[32];
        size_t l;
        unsigned kind = evil_rand(e) % 8;
        /* cases 3 and 5 fail the waiting request (CRC, frame): only when asked */
        if (!e->garbage && (kind == 3 || kind == 5)) kind = 4;
        else if (e->garbage && (kind == 2 || kind == 3 || kind == 5) && evil_rand(e) % 8 != 0)
            kind = 0; /* keep the failing kinds rare */
        switch (kind) {
        case 0: /* a valid-looking reply for a device nobody attached */
            snprintf(other, sizeof other, "UNKNOWN%u", evil_rand(e));
            evil_push(e, other, buf, evil_reply(buf, addr, (uint8_t)n, n, 0x55));
            break;
        case 1: /* the reply shape on another attached device's address */
            for (size_t i = 0; i < e->n_attached; i++)
                if (strcmp(e->attached[i], address) != 0)
                    evil_push(e, e->attached[i], buf, evil_reply(buf, addr, (uint8_t)n, n, 0x66));
            break;
        case 2: /* larger than any request: 1000 bytes, valid CRC. On the
                 * waiting device's address it fails the read (a frame
                 * error, by design), so without "garbage" it goes to the
                 * other, idle devices and to an unknown one. */
            l = evil_reply(buf, addr, 0xFA, 995, 0x77);
            if (e->garbage) {
                evil_push(e, address, buf, l);
                break;
            }
            evil_push(e, "UNKNOWN-BIG", buf, l);
            for (size_t i = 0; i < e->n_attached; i++)
                if (strcmp(e->attached[i], address) != 0) evil_push(e, e->attached[i], buf, l);
            break;
        case 3: /* byte count right, frame longer than it says */
            evil_push(e, address, buf, evil_reply(buf, addr, (uint8_t)n, n + 2, 0x11));
            break;
        case 4: /* wrong Modbus address */
            evil_push(e, address, buf, evil_reply(buf, (uint8_t)(addr + 1), (uint8_t)n, n, 0x22));
            break;
        case 5: /* random garbage of random length (0..299) */
            l = evil_rand(e) % 300;
            for (size_t i = 0; i < l; i++) buf[i] = (uint8_t)evil_rand(e);
            evil_push(e, address, buf, l);
            break;
        case 6: /* a reply for a smaller request */
            if (n > 2) evil_push(e, address, buf, evil_reply(buf, addr, (uint8_t)(n - 2), n - 2, 0x33));
            break;
        default: /* an empty frame on an empty address */
            evil_push(e, "", buf, 0);
            break;
        }
    }
    /* finally the real answer: bytes 0, 1, 2, ... */
    evil_push(e, address, buf, evil_reply(buf, addr, (uint8_t)n, n, 0));
    return 0;
}

static int evil_fd(void *state)
{
    (void)state;
    return -1;
}

static int evil_process(void *state, int timeout_ms)
{
    (void)timeout_ms;
    struct evil *e = state;
    bluetti_transport_event ev;
    if (!e->connected_sent) {
        memset(&ev, 0, sizeof ev);
        ev.type = BLUETTI_EV_CONNECTED;
        e->connected_sent = true;
        if (e->env.on_event) e->env.on_event(e->env.userdata, &ev);
    }
    /* deliver a snapshot; frames queued meanwhile wait for the next call */
    size_t n = e->nq;
    for (size_t i = 0; i < n; i++) {
        memset(&ev, 0, sizeof ev);
        ev.type = BLUETTI_EV_FRAME;
        ev.address = e->q[i].address;
        ev.data = e->q[i].data;
        ev.len = e->q[i].len;
        e->frames_in++;
        if (e->env.on_event) e->env.on_event(e->env.userdata, &ev);
    }
    memmove(e->q, e->q + n, (e->nq - n) * sizeof e->q[0]);
    e->nq -= n;
    return 0;
}

static void evil_stats(void *state, uint64_t *in, uint64_t *dropped)
{
    struct evil *e = state;
    if (in) *in = e->frames_in;
    if (dropped) *dropped = 0;
}

static const bluetti_transport_ops evil_ops = {
    .name = "evil",
    .description = "test transport that floods the session with unexpected frames",
    .open = evil_open, .close = evil_close, .attach = evil_attach, .detach = evil_detach,
    .submit = evil_submit, .fd = evil_fd, .process = evil_process, .stats = evil_stats,
};

static int evil_init(bluetti_registry *r)
{
    return bluetti_registry_add_transport(r, &evil_ops);
}

static const bluetti_plugin evil_plugin = {
    .abi_major = BLUETTI_PLUGIN_ABI_MAJOR,
    .abi_minor = BLUETTI_PLUGIN_ABI_MINOR,
    .struct_size = (uint32_t)sizeof(bluetti_plugin),
    .name = "test-evil-transport", .version = "1", .description = "hostile transport",
    .init = evil_init,
};

static bluetti_session *open_evil(unsigned flood, bool garbage)
{
    bluetti_options *o = bluetti_options_new();
    char v[16];
    snprintf(v, sizeof v, "%u", flood);
    bluetti_options_set(o, "flood", v);
    bluetti_options_set(o, "garbage", garbage ? "true" : "false");
    bluetti_session_config cfg;
    bluetti_session_config_default(&cfg);
    cfg.timeout_s = 1.0;
    cfg.retry.max_attempts = 1;
    bluetti_session *s = NULL;
    char detail[256] = "";
    int rc = bluetti_session_open(reg, "evil", o, &cfg, &s, detail, sizeof detail);
    bluetti_options_free(o);
    if (rc) fprintf(stderr, "session_open evil: %s\n", detail);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return s;
}

static void test_evil_flood(void)
{
    bluetti_session *s = open_evil(64, false);
    bluetti_device *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, "EVILA", "EL100V2", &a), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, "EVILB", "EL100V2", &b), 0);
    /* count the reads' replies only (no protocol-version detection) */
    bluetti_device_set_protocol_version(a, 2000);
    bluetti_device_set_protocol_version(b, 2000);
    unsigned n = scaled(1000);
    size_t before = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i == n / 10) before = heap_in_use();
        const bluetti_result *r = NULL;
        bluetti_device *d = (i & 1) ? b : a;
        int rc = bluetti_device_read_block(d, 100, 0, &r);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc) {
            fprintf(stderr, "read %u: %s: %s\n", i, bluetti_err_name(rc), bluetti_device_error_detail(d));
            break;
        }
        /* the real reply (bytes 0, 1, 2, ...) was taken, not a flood frame */
        size_t len = 0;
        const uint8_t *raw = bluetti_result_raw(r, &len);
        CU_ASSERT_TRUE(len >= 4);
        if (len >= 4) {
            CU_ASSERT_EQUAL(raw[0], 0);
            CU_ASSERT_EQUAL(raw[1], 1);
        }
    }
    size_t after = heap_in_use();
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    fprintf(stderr, "evil: %u reads, requests %llu, replies %llu, dropped %llu; heap %zu -> %zu\n",
            n, (unsigned long long)st.requests, (unsigned long long)st.replies,
            (unsigned long long)st.dropped, before, after);
    CU_ASSERT_EQUAL(st.replies, n);
    CU_ASSERT_TRUE(st.dropped > 0);
    CU_ASSERT_TRUE(after <= before + 65536);
    bluetti_session_close(s);
}

static void test_evil_huge_flood(void)
{
    /* 500 unexpected frames before each reply, few reads */
    bluetti_session *s = open_evil(500, false);
    bluetti_device *a = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, "EVILA", "EL100V2", &a), 0);
    for (unsigned i = 0; i < scaled(50) + 1; i++) {
        const bluetti_result *r = NULL;
        int rc = bluetti_device_read_block(a, 6000, 0, &r);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc) {
            fprintf(stderr, "read %u: %s: %s\n", i, bluetti_err_name(rc), bluetti_device_error_detail(a));
            break;
        }
    }
    bluetti_session_close(s);
}

/* Only errors: the soak provokes thousands of expected warnings. */
static void log_errors(void *ud, bluetti_log_level level, const char *source, const char *msg)
{
    (void)ud;
    if (level >= BLUETTI_LOG_ERROR) fprintf(stderr, "[%s] %s\n", source, msg);
}

static void test_evil_garbage(void)
{
    /* now and then a corrupt frame on the device's own address first: the
     * read fails at once with a CRC or frame error, the real reply that
     * follows is dropped, and the next read is not confused by it */
    bluetti_session *s = open_evil(4, true);
    bluetti_device *a = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, "EVILA", "EL100V2", &a), 0);
    unsigned ok = 0, crc = 0, frame = 0, n = scaled(1000);
    static const uint16_t blocks[] = { 100, 6000, 1300 };
    for (unsigned i = 0; i < n; i++) {
        const bluetti_result *r = NULL;
        int rc = bluetti_device_read_block(a, blocks[i % 3], 0, &r);
        if (rc == 0) {
            size_t len = 0;
            const uint8_t *raw = bluetti_result_raw(r, &len);
            CU_ASSERT_TRUE(len >= 2 && raw[0] == 0 && raw[1] == 1);
            ok++;
        } else if (rc == BLUETTI_E_CRC) {
            crc++;
        } else if (rc == BLUETTI_E_FRAME) {
            frame++;
        } else {
            fprintf(stderr, "read %u: %s: %s\n", i, bluetti_err_name(rc),
                    bluetti_device_error_detail(a));
            CU_FAIL("unexpected error");
            break;
        }
    }
    fprintf(stderr, "evil garbage: %u reads: %u ok, %u crc, %u frame\n", n, ok, crc, frame);
    CU_ASSERT_EQUAL(ok + crc + frame, n);
    CU_ASSERT_TRUE(ok > n / 2);
    CU_ASSERT_TRUE(crc > 0);
    bluetti_session_close(s);
}

static int add_suites(void)
{
    reg = bt_registry();
    bluetti_registry_set_log(reg, log_errors, NULL, BLUETTI_LOG_ERROR);
    if (bluetti_registry_load_builtin(reg, &evil_plugin, "test_faults.c") != 0) return 1;
    CU_pSuite s = CU_add_suite("faults", NULL, NULL);
    if (!s) return (int)CU_get_error();
    if (!CU_add_test(s, "soak at set fault rates", test_soak_rates) ||
        !CU_add_test(s, "every reply corrupted or lost", test_soak_everything_fails) ||
        !CU_add_test(s, "link drops", test_disconnects) ||
        !CU_add_test(s, "flood of unexpected frames", test_evil_flood) ||
        !CU_add_test(s, "very large flood", test_evil_huge_flood) ||
        !CU_add_test(s, "corrupt frames on the device's address", test_evil_garbage))
        return (int)CU_get_error();
    return 0;
}

int main(int argc, char **argv)
{
    int rc = bt_run(argc, argv, add_suites);
    bluetti_registry_free(reg);
    return rc;
}
