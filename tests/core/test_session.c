/* Session semantics that need exact control of timing and replies:
 * retries, request/response matching, late replies, fail-fast on
 * disconnect, chunked reads, concurrency. A scripted transport plays the
 * device; reads through the real simulated device are in test_sim.
 *
 * Built against the core's sources, not the shared library: the session's
 * clock (core/clock.h) is replaced by a virtual one that the scripted
 * transport advances instead of sleeping, so no test here waits out a
 * timeout or a retry delay in real time. */
#include "config.h"

#include "testutil.h"

#include "clock.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the scripted transport ------------------------------------------------ */

enum action { A_OK = 0, A_DROP, A_DELAY, A_BADCRC, A_EXC, A_SHORT, A_WRONGCOUNT, A_DISCONNECT,
              A_OTHER_ADDR, A_SUBMIT_FAIL, A_EXC_TRAILING, A_TRUNCATED };

struct step { enum action act; double delay; };

#define MAXQ 64
struct qitem { double due; char addr[32]; uint8_t f[300]; size_t len; bool disconnect; };
static struct {
    struct step steps[32];      /* action for request k (default A_OK, 0 delay) */
    unsigned requests;
    uint16_t req_start[64], req_regs[64];
    char req_addr[64][32];
    struct qitem q[MAXQ];
    size_t nq;
    const bluetti_transport_env *env;
    double base_delay;          /* delay of every normal reply */
    uint8_t req_unit[64];       /* Modbus address of request k */
    const char *ident;          /* the text block 8000 holds (model detection) */
    bool use_pipe;              /* fd() is a pipe, replaced by every disconnect */
    int pipe_r, pipe_w;
    bool same_number;           /* the new pipe reuses the old descriptor numbers */
    int next_ms;                /* next_timeout_ms() of the transport (-1 none) */
} T;

/* A disconnect replaces the pipe: a transport whose descriptor changes
 * over a reconnect, either to new numbers or to the same ones. */
static void new_pipe(void)
{
    int p[2];
    if (T.same_number && T.pipe_r >= 0) {
        close(T.pipe_r);
        close(T.pipe_w);
        T.pipe_r = T.pipe_w = -1;
    }
    CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
    if (T.pipe_r >= 0) {
        close(T.pipe_r);
        close(T.pipe_w);
    }
    T.pipe_r = p[0];
    T.pipe_w = p[1];
}

/* The virtual clock, in ms; the session reads it through bt_clock_ms. */
static double virtual_ms = 1e6;
static double virtual_clock(void) { return virtual_ms; }
static double now_s(void) { return virtual_ms / 1000.0; }
/* Time passes only where the real test would have waited. */
static void advance_ms(double ms) { if (ms > 0) virtual_ms += ms; }

static void reset_script(void)
{
    if (T.use_pipe && T.pipe_r >= 0) {
        close(T.pipe_r);
        close(T.pipe_w);
    }
    memset(&T, 0, sizeof T);
    T.pipe_r = T.pipe_w = -1;
    T.next_ms = -1;
}

static int t_open(const bluetti_transport_env *env, const bluetti_options *o, void **st,
                  char *detail, size_t n)
{
    (void)o;
    (void)detail;
    (void)n;
    T.env = env;
    *st = &T;
    return 0;
}
static void t_close(void *st) { (void)st; }
static int t_attach(void *st, const char *a) { (void)st; (void)a; return 0; }
static int t_detach(void *st, const char *a) { (void)st; (void)a; return 0; }

static void enqueue_reply(const char *addr, const uint8_t *f, size_t len, double delay, bool disc)
{
    CU_ASSERT_FATAL(T.nq < MAXQ);
    T.q[T.nq].due = now_s() + delay;
    snprintf(T.q[T.nq].addr, sizeof T.q[T.nq].addr, "%s", addr);
    memcpy(T.q[T.nq].f, f, len);
    T.q[T.nq].len = len;
    T.q[T.nq].disconnect = disc;
    T.nq++;
}

/* Register r of the fake device holds the value r (so replies show which
 * registers they came from). */
static size_t make_reply(uint8_t addr, uint16_t start, uint16_t regs, uint8_t *f)
{
    f[0] = addr;
    f[1] = 3;
    f[2] = (uint8_t)(regs * 2);
    for (uint16_t i = 0; i < regs; i++) {
        uint16_t v = (uint16_t)(start + i);
        f[3 + 2 * i] = (uint8_t)(v >> 8);
        f[4 + 2 * i] = (uint8_t)v;
    }
    size_t n = 3 + 2u * regs;
    uint16_t crc = bluetti_crc16(f, n);
    f[n] = (uint8_t)crc;
    f[n + 1] = (uint8_t)(crc >> 8);
    return n + 2;
}

static int t_submit(void *st, const char *addr, const uint8_t *req, size_t len)
{
    (void)st;
    CU_ASSERT_EQUAL(len, 8);
    unsigned k = T.requests++;
    uint16_t start = (uint16_t)(req[2] << 8 | req[3]);
    uint16_t regs = (uint16_t)(req[4] << 8 | req[5]);
    if (k < 64) {
        T.req_unit[k] = req[0];
        T.req_start[k] = start;
        T.req_regs[k] = regs;
        snprintf(T.req_addr[k], sizeof T.req_addr[k], "%s", addr);
    }
    struct step s = k < 32 ? T.steps[k] : (struct step){ A_OK, 0 };
    if (s.act == A_SUBMIT_FAIL) return BLUETTI_E_NOT_CONNECTED; /* transient: retried */
    uint8_t f[300];
    size_t n = make_reply(req[0], start, regs, f);
    if (start == 8000 && T.ident) {
        /* the identity block: a text, NUL-padded, in its first 16 bytes */
        size_t text = 2u * regs < 16 ? 2u * regs : 16;
        memset(f + 3, 0, text);
        memcpy(f + 3, T.ident, strlen(T.ident) < text ? strlen(T.ident) : text);
        uint16_t crc = bluetti_crc16(f, n - 2);
        f[n - 2] = (uint8_t)crc;
        f[n - 1] = (uint8_t)(crc >> 8);
    }
    double delay = T.base_delay + s.delay;
    switch (s.act) {
    case A_OK:
    case A_DELAY:
        enqueue_reply(addr, f, n, delay, false);
        break;
    case A_DROP:
        break;
    case A_BADCRC:
        f[n - 1] ^= 0x55;
        enqueue_reply(addr, f, n, delay, false);
        break;
    case A_EXC: {
        uint8_t e[5] = { req[0], 0x83, 0x02, 0, 0 };
        uint16_t crc = bluetti_crc16(e, 3);
        e[3] = (uint8_t)crc;
        e[4] = (uint8_t)(crc >> 8);
        enqueue_reply(addr, e, 5, delay, false);
        break;
    }
    case A_SHORT:
        enqueue_reply(addr, f, n - 4, delay, false);
        break;
    case A_EXC_TRAILING: {
        /* a well-formed exception, CRC and all, and one byte too many */
        uint8_t e[6] = { req[0], 0x83, 0x02, 0, 0, 0x00 };
        uint16_t crc = bluetti_crc16(e, 3);
        e[3] = (uint8_t)crc;
        e[4] = (uint8_t)(crc >> 8);
        enqueue_reply(addr, e, 6, delay, false);
        break;
    }
    case A_TRUNCATED:
        enqueue_reply(addr, f, n - 1, delay, false);
        break;
    case A_WRONGCOUNT: {
        /* a well-formed reply for one register less, then the right one */
        uint8_t g[300];
        size_t m = make_reply(req[0], start, (uint16_t)(regs - 1), g);
        enqueue_reply(addr, g, m, delay, false);
        enqueue_reply(addr, f, n, delay + 0.01, false);
        break;
    }
    case A_OTHER_ADDR: {
        uint8_t g[300];
        size_t m = make_reply((uint8_t)(req[0] + 1), start, regs, g);
        enqueue_reply(addr, g, m, delay, false);
        enqueue_reply(addr, f, n, delay + 0.01, false);
        break;
    }
    case A_DISCONNECT:
        enqueue_reply(addr, f, 0, s.delay, true);
        break;
    case A_SUBMIT_FAIL: /* returned above */
        break;
    }
    return 0;
}

static int t_fd(void *st) { (void)st; return T.use_pipe ? T.pipe_r : -1; }
static int t_next_timeout(void *st) { (void)st; return T.next_ms; }
static const char *t_remedy(int err)
{
    return err == BLUETTI_E_TIMEOUT ? "wake the scripted device up" : NULL;
}

static int t_process(void *st, int timeout_ms)
{
    (void)st;
    double now = now_s();
    double next = INFINITY;
    for (size_t i = 0; i < T.nq; i++)
        if (T.q[i].due < next) next = T.q[i].due;
    double wait = timeout_ms < 0 ? INFINITY : timeout_ms / 1000.0;
    if (next - now < wait) wait = next - now;
    if (wait > 0 && isfinite(wait)) advance_ms(ceil(wait * 1000.0)); /* instead of sleeping */
    now = now_s();
    /* deliver everything due, in order */
    for (;;) {
        size_t best = MAXQ;
        for (size_t i = 0; i < T.nq; i++)
            if (T.q[i].due <= now && (best == MAXQ || T.q[i].due < T.q[best].due)) best = i;
        if (best == MAXQ) break;
        struct qitem item = T.q[best];
        T.q[best] = T.q[--T.nq];
        bluetti_transport_event ev = { 0 };
        if (item.disconnect) {
            ev.type = BLUETTI_EV_DISCONNECTED;
            ev.err = BLUETTI_E_DISCONNECTED;
            if (T.use_pipe) new_pipe(); /* the reconnect gets a new descriptor */
        } else {
            ev.type = BLUETTI_EV_FRAME;
            ev.address = item.addr;
            ev.data = item.f;
            ev.len = item.len;
        }
        T.env->on_event(T.env->userdata, &ev);
    }
    return 0;
}

static const bluetti_transport_ops script_ops = {
    .name = "script", .description = "scripted test device", .open = t_open, .close = t_close,
    .attach = t_attach, .detach = t_detach, .submit = t_submit, .fd = t_fd, .process = t_process,
    .next_timeout_ms = t_next_timeout, .remedy = t_remedy,
};

/* ---- test blocks and profile -------------------------------------------------- */

static const bluetti_field f_first[] = {
    { .name = "first", .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
};
static const bluetti_field f_big[] = {
    { .name = "first", .offset = 0, .type = BLUETTI_U16 },
    { .name = "at_250", .offset = 250, .type = BLUETTI_U16 },
    { .name = "last", .offset = 298, .type = BLUETTI_U16 },
};
static const bluetti_block_schema blk_a = { .id = 1000, .min_length = 4, .name = "A",
                                            .fields = f_first, .n_fields = 1 };
static const bluetti_block_schema blk_b = { .id = 2000, .min_length = 4, .name = "B",
                                            .fields = f_first, .n_fields = 1 };
static const bluetti_block_schema blk_c = { .id = 3000, .min_length = 8, .name = "C",
                                            .fields = f_first, .n_fields = 1 };
static const bluetti_block_schema blk_big = { .id = 4000, .min_length = 300, .name = "BIG",
                                              .fields = f_big, .n_fields = 3 };
static const bluetti_field f_ident[] = {
    { .name = "model", .offset = 0, .size = 16, .type = BLUETTI_TEXT },
    { .name = "rev", .offset = 16, .type = BLUETTI_U16 }, /* register 8008: 8008 */
};
static const bluetti_block_schema blk_ident = { .id = 8000, .min_length = 18, .name = "IDENT",
                                                .fields = f_ident, .n_fields = 2 };
/* a field that only protocol 7002 has (the version block says 7002) */
static const bluetti_field f_gated[] = {
    { .name = "first", .offset = 0, .type = BLUETTI_U16 },
    { .name = "newer", .offset = 2, .type = BLUETTI_U16, .min_protocol = 7002 },
};
static const bluetti_block_schema blk_gated = { .id = 9000, .min_length = 4, .name = "GATED",
                                                .fields = f_gated, .n_fields = 2 };
static const uint16_t g_core[] = { 1000, 2000 };
static const uint16_t g_mixed[] = { 1000, 5555, 2000 };
static const bluetti_block_group groups[] = {
    { .name = "core", .blocks = g_core, .n_blocks = 2, .poll_interval_s = 5, .is_default = 1 },
    { .name = "mixed", .blocks = g_mixed, .n_blocks = 3, .poll_interval_s = 5 },
};
static const bluetti_block_size sizes[] = { { 3000, 12 }, { 0, 0 } };
static const bluetti_profile prof = {
    .model = "SCRIPTED", .type_id = "0", .protocol_version = 2000, .version_block = 7000,
    .version_offset = 4, .n_groups = 2, .groups = groups, .sizes = sizes,
    .model_block = 8000, .model_field = "model",
};
static const char *const other_aliases[] = { "Other One", NULL };
/* OTHER halves the identity block's rev: a field override of the block
 * the model is read from */
static const bluetti_field_override ov_other[] = {
    { .block = 8000, .field = "rev", .what = BLUETTI_OV_XF, .xf = { BLUETTI_XF_SCALE_(0.5) } },
};
static const bluetti_profile prof_other = {
    .model = "OTHER", .aliases = other_aliases, .type_id = "1", .protocol_version = 2000,
    .n_groups = 2, .groups = groups, .overrides = ov_other, .n_overrides = 1,
};

static int s_init(bluetti_registry *reg)
{
    const bluetti_block_schema *const b[] = { &blk_a, &blk_b, &blk_c, &blk_big, &blk_ident,
                                              &blk_gated };
    int rc = bluetti_registry_add_blocks(reg, b, 6);
    if (!rc) rc = bluetti_registry_add_profile(reg, &prof);
    if (!rc) rc = bluetti_registry_add_profile(reg, &prof_other);
    if (!rc) rc = bluetti_registry_add_transport(reg, &script_ops);
    return rc;
}
static const bluetti_plugin splug = {
    .abi_major = BLUETTI_PLUGIN_ABI_MAJOR, .abi_minor = BLUETTI_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(bluetti_plugin), .name = "script", .version = "1",
    .description = "scripted transport", .init = s_init,
};

static bluetti_registry *reg;
static bluetti_session *sess;
static bluetti_device *dev;

static void open_session(double timeout, unsigned attempts, double delay)
{
    reset_script();
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_new(&reg), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_load_builtin(reg, &splug, "test"), 0);
    bluetti_session_config c;
    bluetti_session_config_default(&c);
    c.timeout_s = timeout;
    c.retry.max_attempts = attempts;
    c.retry.initial_delay = delay;
    c.retry.max_delay = delay * 4;
    char detail[256];
    CU_ASSERT_EQUAL_FATAL(bluetti_session_open(reg, "script", NULL, &c, &sess, detail, sizeof detail), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN1", "scripted", &dev), 0);
}

static void close_session(void)
{
    bluetti_session_close(sess);
    bluetti_registry_free(reg);
    sess = NULL;
    reg = NULL;
}

static int64_t first_of(const bluetti_result *r)
{
    const bluetti_value *v = bluetti_result_find(r, "first");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL_FATAL(v->kind, BLUETTI_VAL_INT);
    return v->v.i;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_plain_read(void)
{
    open_session(1.0, 3, 0.01);
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, &r), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(first_of(r), 1000);
    CU_ASSERT_EQUAL(T.requests, 1);
    CU_ASSERT_EQUAL(T.req_regs[0], 2); /* min_length 4 bytes */
    CU_ASSERT_PTR_EQUAL(bluetti_device_last(dev, 1000), r);
    /* the profile's size override: block 3000 is read as 12 bytes */
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 3000, 0, &r), 0);
    CU_ASSERT_EQUAL(T.req_regs[1], 6);
    /* an explicit register count wins */
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 5, &r), 0);
    CU_ASSERT_EQUAL(T.req_regs[2], 5);
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 5555, 0, &r), BLUETTI_E_NO_SCHEMA);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(dev), "5555"));
    close_session();
}

static void test_retry_after_timeout(void)
{
    open_session(0.1, 3, 0.01);
    T.steps[0].act = A_DROP;
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, &r), 0);
    CU_ASSERT_EQUAL(first_of(r), 1000);
    CU_ASSERT_EQUAL(T.requests, 2);
    bluetti_session_stats st;
    bluetti_session_get_stats(sess, &st);
    CU_ASSERT_EQUAL(st.retries, 1);
    CU_ASSERT_EQUAL(st.timeouts, 1);
    close_session();
}

static void test_timeout_gives_up(void)
{
    open_session(0.05, 3, 0.01);
    T.steps[0].act = A_DROP;
    T.steps[1].act = A_DROP;
    T.steps[2].act = A_DROP;
    T.steps[3].act = A_OK; /* would succeed, but attempts are exhausted */
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_TIMEOUT);
    CU_ASSERT_EQUAL(T.requests, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(dev), "3 attempts"));
    close_session();
}

static void test_no_retry_on_protocol_errors(void)
{
    open_session(0.5, 3, 0.01);
    T.steps[0].act = A_BADCRC;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_CRC);
    CU_ASSERT_EQUAL(T.requests, 1);
    T.steps[1].act = A_EXC;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(T.requests, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(dev), "Illegal data address"));
    T.steps[2].act = A_SHORT;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_FRAME);
    CU_ASSERT_EQUAL(T.requests, 3);
    close_session();
}

static void test_mismatched_frames_are_skipped(void)
{
    open_session(0.5, 1, 0.01);
    T.steps[0].act = A_WRONGCOUNT;
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, &r), 0);
    CU_ASSERT_EQUAL(first_of(r), 1000);
    T.steps[1].act = A_OTHER_ADDR;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 2000, 0, &r), 0);
    CU_ASSERT_EQUAL(first_of(r), 2000);
    bluetti_session_stats st;
    bluetti_session_get_stats(sess, &st);
    CU_ASSERT_EQUAL(st.dropped, 2);
    CU_ASSERT_EQUAL(T.requests, 2);
    close_session();
}

static void test_late_reply_not_taken_for_next_block(void)
{
    /* A times out; its reply arrives while B (same size) waits. B must get
     * B's registers, never A's. */
    const bluetti_result *r = NULL;
    open_session(0.15, 1, 0.01);
    T.steps[0] = (struct step){ A_DELAY, 0.2 };   /* A's reply at 0.2, after A's timeout */
    T.steps[1] = (struct step){ A_DELAY, 0.1 };   /* B's reply ~0.25 */
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_TIMEOUT);
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 2000, 0, &r), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(first_of(r), 2000);
    bluetti_session_stats st;
    bluetti_session_get_stats(sess, &st);
    CU_ASSERT(st.dropped >= 1);
    close_session();

    /* and when B's own reply never comes, B fails: A's data is not decoded as B */
    open_session(0.15, 1, 0.01);
    T.steps[0] = (struct step){ A_DELAY, 0.2 };
    T.steps[1] = (struct step){ A_DROP, 0 };
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_TIMEOUT);
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 2000, 0, &r), BLUETTI_E_TIMEOUT);
    CU_ASSERT_PTR_NULL(bluetti_device_last(dev, 2000));
    close_session();
}

static void test_late_reply_of_same_request_is_fine(void)
{
    /* a retry of the same block may be answered by the first attempt's reply */
    open_session(0.1, 2, 0.01);
    T.steps[0] = (struct step){ A_DELAY, 0.13 };
    T.steps[1] = (struct step){ A_DROP, 0 };
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, &r), 0);
    CU_ASSERT_EQUAL(first_of(r), 1000);
    close_session();
}

static void test_disconnect_fails_fast(void)
{
    open_session(5.0, 1, 0.01);
    T.steps[0] = (struct step){ A_DISCONNECT, 0.05 };
    double t0 = now_s();
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_DISCONNECTED);
    /* far below the 5 s timeout: the waiter was woken by the disconnect */
    CU_ASSERT(now_s() - t0 < 2.5);
    /* a disconnect is transient: with retries, the next attempt succeeds */
    close_session();
    open_session(5.0, 2, 0.01);
    T.steps[0] = (struct step){ A_DISCONNECT, 0.02 };
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, &r), 0);
    CU_ASSERT_EQUAL(T.requests, 2);
    close_session();
}

static void test_chunked_read(void)
{
    open_session(1.0, 1, 0.01);
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 4000, 0, &r), 0);
    CU_ASSERT_EQUAL_FATAL(T.requests, 2);
    CU_ASSERT_EQUAL(T.req_start[0], 4000);
    CU_ASSERT_EQUAL(T.req_regs[0], 125);
    CU_ASSERT_EQUAL(T.req_start[1], 4125);
    CU_ASSERT_EQUAL(T.req_regs[1], 25);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    size_t len = 0;
    bluetti_result_raw(r, &len);
    CU_ASSERT_EQUAL(len, 300);
    CU_ASSERT_EQUAL(bluetti_result_find(r, "first")->v.i, 4000);
    CU_ASSERT_EQUAL(bluetti_result_find(r, "at_250")->v.i, 4125);  /* second chunk */
    CU_ASSERT_EQUAL(bluetti_result_find(r, "last")->v.i, 4149);
    /* raw reads are chunked the same way */
    uint8_t buf[600];
    CU_ASSERT_EQUAL(bluetti_device_read_raw(dev, 100, 250, buf, sizeof buf, &len), 0);
    CU_ASSERT_EQUAL(len, 500);
    CU_ASSERT_EQUAL(buf[498] << 8 | buf[499], 349);
    CU_ASSERT_EQUAL(T.requests, 4);
    close_session();
}

static struct { int calls; int errs; int64_t got[8]; char addr[8][16]; } cbs;

static void on_read(void *ud, bluetti_device *d, uint16_t block, int err, const bluetti_result *r)
{
    (void)ud;
    (void)block;
    int k = cbs.calls++;
    if (err) { cbs.errs++; return; }
    if (k < 8) {
        cbs.got[k] = bluetti_result_find(r, "first")->v.i;
        snprintf(cbs.addr[k], sizeof cbs.addr[k], "%s", bluetti_device_address(d));
    }
}

static void test_async_two_devices(void)
{
    open_session(1.0, 1, 0.01);
    bluetti_device *dev2 = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN2", "SCRIPTED", &dev2), 0);
    memset(&cbs, 0, sizeof cbs);
    bluetti_session_set_read_callback(sess, on_read, NULL);
    T.steps[0] = (struct step){ A_DELAY, 0.1 };   /* SN1's reply comes last */
    T.steps[1] = (struct step){ A_DELAY, 0.01 };
    CU_ASSERT_EQUAL(bluetti_device_submit_read(dev, 1000, 0), 0);
    CU_ASSERT_EQUAL(bluetti_device_submit_read(dev, 2000, 0), BLUETTI_E_BUSY);
    CU_ASSERT_EQUAL(bluetti_device_submit_read(dev2, 2000, 0), 0);
    CU_ASSERT_TRUE(bluetti_device_busy(dev));
    CU_ASSERT_EQUAL(T.requests, 2);  /* both in flight at once */
    for (int i = 0; i < 50 && cbs.calls < 2; i++) CU_ASSERT_EQUAL(bluetti_session_process(sess, 100), 0);
    CU_ASSERT_EQUAL_FATAL(cbs.calls, 2);
    CU_ASSERT_EQUAL(cbs.errs, 0);
    /* routed by address, no cross-talk */
    CU_ASSERT_STRING_EQUAL(cbs.addr[0], "SN2");
    CU_ASSERT_EQUAL(cbs.got[0], 2000);
    CU_ASSERT_STRING_EQUAL(cbs.addr[1], "SN1");
    CU_ASSERT_EQUAL(cbs.got[1], 1000);
    CU_ASSERT_FALSE(bluetti_device_busy(dev));
    CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(sess), -1);
    close_session();
}

/* Thirty devices with timeouts, retries, late and early replies in one
 * session: the deadline heap must fire each timer once, in deadline order,
 * and never lose or repeat a completion. */
#define MANY 30
static struct { int calls[MANY]; int err[MANY]; int order[MANY]; int n; } many;
static bluetti_device *many_dev[MANY];

static void on_many(void *ud, bluetti_device *d, uint16_t block, int err, const bluetti_result *r)
{
    (void)ud;
    (void)block;
    (void)r;
    for (int i = 0; i < MANY; i++) {
        if (many_dev[i] != d) continue;
        many.calls[i]++;
        many.err[i] = err;
        if (many.n < MANY) many.order[many.n++] = i;
        return;
    }
}

static void test_many_devices_deadlines(void)
{
    open_session(0.15, 2, 0.02);
    memset(&many, 0, sizeof many);
    memset(many_dev, 0, sizeof many_dev);
    many_dev[0] = dev;
    for (int i = 1; i < MANY; i++) {
        char sn[16];
        snprintf(sn, sizeof sn, "SN%d", i + 1);
        CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, sn, "SCRIPTED", &many_dev[i]), 0);
    }
    bluetti_session_set_read_callback(sess, on_many, NULL);
    CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(sess), -1);
    for (int i = 0; i < MANY; i++) {
        switch (i % 5) {
        case 0: T.steps[i] = (struct step){ A_DROP, 0 }; break;      /* timeout, retry answered */
        case 1: T.steps[i] = (struct step){ A_DELAY, 0.01 + 0.002 * (MANY - i) }; break;
        case 2: T.steps[i] = (struct step){ A_BADCRC, 0 }; break;    /* fails at once, no retry */
        case 3: T.steps[i] = (struct step){ A_OK, 0 }; break;
        default: T.steps[i] = (struct step){ A_DELAY, 0.4 }; break;  /* late: timeout, retry */
        }
        CU_ASSERT_EQUAL(bluetti_device_submit_read(many_dev[i], 1000, 0), 0);
        advance_ms(1); /* distinct deadlines */
    }
    int next = bluetti_session_next_timeout_ms(sess);
    CU_ASSERT(next >= 0 && next <= 150);
    double end = now_s() + 3.0;
    while (many.n < MANY && now_s() < end) CU_ASSERT_EQUAL(bluetti_session_process(sess, 50), 0);
    CU_ASSERT_EQUAL_FATAL(many.n, MANY);
    for (int i = 0; i < MANY; i++) {
        CU_ASSERT_EQUAL(many.calls[i], 1);
        CU_ASSERT_EQUAL(many.err[i], i % 5 == 2 ? BLUETTI_E_CRC : 0);
        CU_ASSERT_FALSE(bluetti_device_busy(many_dev[i]));
    }
    /* the devices that timed out first were answered first after their retry */
    int last = -1;
    for (int k = 0; k < MANY; k++) {
        int i = many.order[k];
        if (i % 5 != 0) continue;
        CU_ASSERT(i > last);
        last = i;
    }
    bluetti_session_stats st;
    bluetti_session_get_stats(sess, &st);
    CU_ASSERT_EQUAL(st.timeouts, 12);
    CU_ASSERT_EQUAL(st.retries, 12);
    CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(sess), -1);
    /* and the session is reusable: a second round on every device */
    memset(&many, 0, sizeof many);
    for (int i = 0; i < MANY; i++) CU_ASSERT_EQUAL(bluetti_device_submit_read(many_dev[i], 2000, 0), 0);
    end = now_s() + 3.0;
    while (many.n < MANY && now_s() < end) CU_ASSERT_EQUAL(bluetti_session_process(sess, 50), 0);
    CU_ASSERT_EQUAL(many.n, MANY);
    for (int i = 0; i < MANY; i++) CU_ASSERT_EQUAL(many.calls[i], 1);
    CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(sess), -1);
    close_session();
}

/* A retry wait (20 ms) that starts after nine reply waits (300 ms) must
 * fire first: the new, earlier deadline has to reach the top of the heap. */
static void test_short_retry_overtakes_reply_waits(void)
{
    open_session(0.3, 2, 0.02);
    memset(&many, 0, sizeof many);
    memset(many_dev, 0, sizeof many_dev);
    many_dev[0] = dev;
    for (int i = 1; i < 10; i++) {
        char sn[16];
        snprintf(sn, sizeof sn, "SN%d", i + 1);
        CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, sn, "SCRIPTED", &many_dev[i]), 0);
    }
    bluetti_session_set_read_callback(sess, on_many, NULL);
    for (int i = 0; i < 9; i++) T.steps[i] = (struct step){ A_DELAY, 0.25 };
    T.steps[9] = (struct step){ A_SUBMIT_FAIL, 0 };
    double t0 = now_s();
    for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(bluetti_device_submit_read(many_dev[i], 1000, 0), 0);
    CU_ASSERT(bluetti_session_next_timeout_ms(sess) <= 20);
    double first = 0;
    while (many.n < 10 && now_s() < t0 + 3.0) {
        CU_ASSERT_EQUAL(bluetti_session_process(sess, 50), 0);
        if (many.n >= 1 && first == 0) first = now_s() - t0;
    }
    CU_ASSERT_EQUAL_FATAL(many.n, 10);
    CU_ASSERT_EQUAL(many.order[0], 9);     /* the retried device, long before the others */
    CU_ASSERT(first < 0.2);
    for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(many.err[i], 0);
    CU_ASSERT_EQUAL(T.requests, 11);
    close_session();
}

static void test_frames_for_unknown_devices_dropped(void)
{
    open_session(0.2, 1, 0.01);
    uint8_t f[16];
    size_t n = make_reply(1, 1000, 2, f);
    enqueue_reply("NOBODY", f, n, 0.0, false);
    enqueue_reply("SN1", f, n, 0.0, false);  /* nothing outstanding: late */
    CU_ASSERT_EQUAL(bluetti_session_process(sess, 50), 0);
    bluetti_session_stats st;
    bluetti_session_get_stats(sess, &st);
    CU_ASSERT_EQUAL(st.dropped, 2);
    CU_ASSERT_PTR_NULL(bluetti_device_last(dev, 1000));
    close_session();
}

static void test_group(void)
{
    open_session(0.5, 1, 0.01);
    memset(&cbs, 0, sizeof cbs);
    CU_ASSERT_EQUAL(bluetti_device_read_group(dev, "core", on_read, NULL), 0);
    CU_ASSERT_EQUAL(cbs.calls, 2);
    CU_ASSERT_EQUAL(cbs.got[0], 1000);
    CU_ASSERT_EQUAL(cbs.got[1], 2000);
    /* every block is attempted; the result says a block failed */
    memset(&cbs, 0, sizeof cbs);
    CU_ASSERT_EQUAL(bluetti_device_read_group(dev, "mixed", on_read, NULL), BLUETTI_E_NO_SCHEMA);
    CU_ASSERT_EQUAL(cbs.calls, 3);
    CU_ASSERT_EQUAL(cbs.errs, 1);
    CU_ASSERT_EQUAL(bluetti_device_read_group(dev, "nosuch", NULL, NULL), BLUETTI_E_NOTFOUND);
    close_session();
}

static void test_protocol_version(void)
{
    open_session(0.5, 1, 0.01);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(dev), 2000);
    /* block 7000 offset 4 = register 7002, whose value is 7002 here */
    CU_ASSERT_EQUAL(bluetti_device_detect_protocol_version(dev), 0);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(dev), 7002);
    CU_ASSERT_EQUAL(T.req_start[0], 7000);
    CU_ASSERT_EQUAL(T.req_regs[0], 3);
    bluetti_device_set_protocol_version(dev, 2001);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(dev), 2001);
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, &r), 0);
    CU_ASSERT_EQUAL(bluetti_result_protocol_version(r), 2001);
    bluetti_device_set_protocol_version(dev, 0);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(dev), 7002);
    close_session();
}

static void test_bad_arguments(void)
{
    open_session(0.5, 1, 0.01);
    const char *bad[] = { "", "a/b", "a+b", "a#b", "a b", "tab\there" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(bluetti_session_add_device(sess, bad[i], "SCRIPTED", NULL), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_session_add_device(sess, "SN9", "NOPE", NULL), BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(bluetti_session_add_device(sess, "SN1", "SCRIPTED", NULL), BLUETTI_E_EXISTS);
    CU_ASSERT_EQUAL(bluetti_session_device_count(sess), 1);
    close_session();

    bluetti_registry *r = NULL;
    bluetti_session *s = NULL;
    char detail[256];
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_new(&r), 0);
    CU_ASSERT_EQUAL(bluetti_registry_load_builtin(r, &splug, "test"), 0);
    CU_ASSERT_EQUAL(bluetti_session_open(r, "nosuch", NULL, NULL, &s, detail, sizeof detail),
                    BLUETTI_E_NOTFOUND);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "nosuch"));
    bluetti_session_config c;
    bluetti_session_config_default(&c);
    c.retry.max_attempts = 0;
    CU_ASSERT_EQUAL(bluetti_session_open(r, "script", NULL, &c, &s, detail, sizeof detail),
                    BLUETTI_E_INVAL);
    bluetti_session_config_default(&c);
    c.timeout_s = -1;
    CU_ASSERT_EQUAL(bluetti_session_open(r, "script", NULL, &c, &s, detail, sizeof detail),
                    BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "timeout"));
    bluetti_registry_free(r);
}

/* ---- the event-loop contract, errors, detection, addresses, defects -------- */

/* poll() the session's descriptor once without waiting: readable? */
static bool session_readable(void)
{
    struct pollfd p = { .fd = bluetti_session_fd(sess), .events = bluetti_session_poll_events(sess) };
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* One descriptor for the session's life: the transport's changes over a
 * reconnect (to new numbers, and to the same numbers, which epoll must not
 * be fooled by), the session's does not, and it still reports the new
 * descriptor's readiness. */
static void fd_across_reconnect(bool same_number)
{
    open_session(1.0, 2, 0.01);
    T.use_pipe = true;
    T.same_number = same_number;
    new_pipe();
    bluetti_session_process(sess, 0); /* the session picks up the transport's descriptor */
    int fd = bluetti_session_fd(sess);
    CU_ASSERT_TRUE(fd >= 0);
    CU_ASSERT_NOT_EQUAL(fd, T.pipe_r);
    CU_ASSERT_EQUAL(bluetti_session_poll_events(sess), POLLIN);
    CU_ASSERT_FALSE(session_readable());
    CU_ASSERT_EQUAL(write(T.pipe_w, "x", 1), 1);
    CU_ASSERT_TRUE(session_readable());

    int old_r = T.pipe_r;
    T.steps[0] = (struct step){ A_DISCONNECT, 0.01 };
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), 0); /* the retry gets through */
    CU_ASSERT_EQUAL(T.requests, 2);
    CU_ASSERT_TRUE(same_number ? T.pipe_r == old_r : T.pipe_r != old_r);
    CU_ASSERT_EQUAL(bluetti_session_fd(sess), fd);
    /* the new pipe is empty: nothing to report; then a byte arrives on it */
    CU_ASSERT_FALSE(session_readable());
    CU_ASSERT_EQUAL(write(T.pipe_w, "y", 1), 1);
    CU_ASSERT_TRUE(session_readable());

    bluetti_error_info e;
    CU_ASSERT_EQUAL(bluetti_session_last_error(sess, &e), BLUETTI_E_DISCONNECTED);
    CU_ASSERT_EQUAL(e.cls, BLUETTI_CLASS_CONNECTION);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.detail, "connection lost"));
    CU_ASSERT_TRUE(e.remedy[0] != '\0');
    close_session();
    reset_script();
}

static void test_fd_stable_across_reconnects(void)
{
    fd_across_reconnect(false);
    fd_across_reconnect(true);
}

/* next_timeout includes the transport's deadlines, and nothing is due
 * when nothing waits (no busy polling). */
static void test_next_timeout_has_transport_deadlines(void)
{
    open_session(5.0, 1, 0.01);
    CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(sess), -1);
    T.next_ms = 1234; /* e.g. a keepalive or the next reconnect attempt */
    CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(sess), 1234);
    /* a request waits up to 5 s: the transport's deadline comes first */
    T.base_delay = 10;
    CU_ASSERT_EQUAL(bluetti_device_submit_read(dev, 1000, 0), 0);
    CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(sess), 1234);
    T.next_ms = -1;
    int t = bluetti_session_next_timeout_ms(sess);
    CU_ASSERT_TRUE(t > 1234 && t <= 5000);
    T.next_ms = 0;
    CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(sess), 0);
    close_session();
}

static void test_error_info(void)
{
    open_session(0.05, 1, 0.01);
    T.steps[0] = (struct step){ A_DROP, 0 };
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_TIMEOUT);
    bluetti_error_info e;
    CU_ASSERT_EQUAL(bluetti_device_last_error(dev, &e), BLUETTI_E_TIMEOUT);
    CU_ASSERT_EQUAL(e.code, BLUETTI_E_TIMEOUT);
    CU_ASSERT_EQUAL(e.cls, BLUETTI_CLASS_CONNECTION);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.detail, "1 attempt"));
    CU_ASSERT_STRING_EQUAL(e.remedy, "wake the scripted device up"); /* the transport's own */
    T.steps[1] = (struct step){ A_EXC, 0 };
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(bluetti_device_last_error(dev, &e), BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(e.cls, BLUETTI_CLASS_PROTOCOL);
    CU_ASSERT_STRING_EQUAL(e.remedy, bluetti_err_remedy(BLUETTI_E_EXCEPTION)); /* the generic one */
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), 0);
    CU_ASSERT_EQUAL(bluetti_device_last_error(dev, &e), 0);
    CU_ASSERT_EQUAL(e.cls, BLUETTI_CLASS_NONE);
    CU_ASSERT_STRING_EQUAL(e.detail, "");
    CU_ASSERT_EQUAL(bluetti_device_last_error(dev, NULL), 0);
    close_session();

    /* opening: code, class, detail and remedy in one place */
    bluetti_registry *r = NULL;
    bluetti_session *s = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_new(&r), 0);
    CU_ASSERT_EQUAL(bluetti_registry_load_builtin(r, &splug, "test"), 0);
    CU_ASSERT_EQUAL(bluetti_session_open_ex(r, "nosuch", NULL, NULL, &s, &e), BLUETTI_E_NOTFOUND);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(e.code, BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(e.cls, BLUETTI_CLASS_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.detail, "nosuch"));
    CU_ASSERT_TRUE(e.remedy[0] != '\0');
    /* a config not started from bluetti_session_config_default */
    bluetti_session_config c;
    memset(&c, 0, sizeof c);
    c.timeout_s = 1;
    c.connect_timeout_s = 1;
    bluetti_retry_default(&c.retry);
    CU_ASSERT_EQUAL(bluetti_session_open_ex(r, "script", NULL, &c, &s, &e), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.detail, "bluetti_session_config_default"));
    /* a caller built against an older, shorter config: the rest is defaulted */
    bluetti_session_config_default(&c);
    c.modbus_address = 7;
    c.size = offsetof(bluetti_session_config, modbus_address) + 1;
    CU_ASSERT_EQUAL(bluetti_session_open_ex(r, "script", NULL, &c, &s, &e), 0);
    CU_ASSERT_EQUAL(e.code, 0);
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL(bluetti_session_add_device(s, "SNX", "SCRIPTED", &d), 0);
    CU_ASSERT_EQUAL(bluetti_device_modbus_address(d), 7);
    bluetti_session_close(s);
    bluetti_registry_free(r);
}

static void test_error_classes(void)
{
    static const struct { int err; bluetti_error_class cls; } map[] = {
        { 0, BLUETTI_CLASS_NONE },
        { BLUETTI_E_INVAL, BLUETTI_CLASS_USAGE },
        { BLUETTI_E_NOMEM, BLUETTI_CLASS_RESOURCE },
        { BLUETTI_E_CERT_READ, BLUETTI_CLASS_CONFIGURATION },
        { BLUETTI_E_CERT_FORMAT, BLUETTI_CLASS_CONFIGURATION },
        { BLUETTI_E_CERT_PASSWORD, BLUETTI_CLASS_AUTHENTICATION },
        { BLUETTI_E_CERT_EXPIRED, BLUETTI_CLASS_AUTHENTICATION },
        { BLUETTI_E_BROKER_REFUSED, BLUETTI_CLASS_AUTHENTICATION },
        { BLUETTI_E_TLS_VERIFY, BLUETTI_CLASS_TLS },
        { BLUETTI_E_TLS, BLUETTI_CLASS_TLS },
        { BLUETTI_E_CONNECT, BLUETTI_CLASS_CONNECTION },
        { BLUETTI_E_TIMEOUT, BLUETTI_CLASS_CONNECTION },
        { BLUETTI_E_CRC, BLUETTI_CLASS_PROTOCOL },
        { BLUETTI_E_EXCEPTION, BLUETTI_CLASS_PROTOCOL },
        { BLUETTI_E_SHORT, BLUETTI_CLASS_PARSE },
        { BLUETTI_E_SCHEMA, BLUETTI_CLASS_PARSE },
        { BLUETTI_E_PLUGIN_UNSAFE, BLUETTI_CLASS_PLUGIN },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        CU_ASSERT_EQUAL(bluetti_err_class(map[i].err), map[i].cls);
        CU_ASSERT_STRING_NOT_EQUAL(bluetti_err_class_name(bluetti_err_class(map[i].err)), "unknown");
        CU_ASSERT_PTR_NOT_NULL(bluetti_err_remedy(map[i].err));
        CU_ASSERT_TRUE(!map[i].err || bluetti_err_remedy(map[i].err)[0] != '\0');
    }
    CU_ASSERT_STRING_EQUAL(bluetti_err_class_name(BLUETTI_CLASS_AUTHENTICATION), "authentication");
    CU_ASSERT_STRING_EQUAL(bluetti_err_class_name((bluetti_error_class)99), "unknown");
    /* the unsafe-plugin text names all three reasons the loader refuses for */
    const char *u = bluetti_strerror(BLUETTI_E_PLUGIN_UNSAFE);
    CU_ASSERT_PTR_NOT_NULL(strstr(u, "writable by other users"));
    CU_ASSERT_PTR_NOT_NULL(strstr(u, "belongs to another user"));
    CU_ASSERT_PTR_NOT_NULL(strstr(u, "link"));
}

/* One framing verdict: an exception with a trailing byte is "trailing
 * bytes", not "reply truncated"; a short read reply is "reply truncated". */
static void test_framing_verdict(void)
{
    open_session(0.5, 3, 0.01);
    T.steps[0] = (struct step){ A_EXC_TRAILING, 0 };
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_FRAME);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(dev), "trailing bytes"));
    CU_ASSERT_PTR_NULL(strstr(bluetti_device_error_detail(dev), "reply truncated"));
    T.steps[1] = (struct step){ A_TRUNCATED, 0 };
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), BLUETTI_E_FRAME);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(dev), "reply truncated"));
    CU_ASSERT_EQUAL(T.requests, 2); /* permanent: no retry */
    close_session();
}

static void test_read_raw_reports_what_it_wrote(void)
{
    open_session(0.5, 1, 0.01);
    uint8_t buf[8];
    memset(buf, 0xEE, sizeof buf);
    size_t len = 99;
    CU_ASSERT_EQUAL(bluetti_device_read_raw(dev, 1000, 4, buf, 3, &len), 0);
    CU_ASSERT_EQUAL(len, 3); /* 8 bytes read, 3 written */
    CU_ASSERT_EQUAL(buf[0], 1000 >> 8);
    CU_ASSERT_EQUAL(buf[1], 1000 & 0xFF);
    CU_ASSERT_EQUAL(buf[2], 1001 >> 8);
    CU_ASSERT_EQUAL(buf[3], 0xEE);
    CU_ASSERT_EQUAL(bluetti_device_read_raw(dev, 1000, 4, buf, sizeof buf, &len), 0);
    CU_ASSERT_EQUAL(len, 8);
    close_session();
}

static void test_per_device_modbus_address(void)
{
    open_session(0.5, 1, 0.01);
    CU_ASSERT_EQUAL(bluetti_device_modbus_address(dev), 1); /* the session's default */
    CU_ASSERT_EQUAL(bluetti_device_set_modbus_address(dev, 248), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_device_set_modbus_address(dev, 0), 0);
    bluetti_device *d2 = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN2", "SCRIPTED", &d2), 0);
    CU_ASSERT_EQUAL(bluetti_device_modbus_address(d2), 1);
    CU_ASSERT_EQUAL(bluetti_device_set_modbus_address(d2, 247), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d2, 1000, 0, NULL), 0);
    CU_ASSERT_EQUAL(T.req_unit[0], 0);
    CU_ASSERT_EQUAL(T.req_unit[1], 247);
    /* replies are matched against the device's address: one from address
     * 1 first (the session default) is dropped, the one from 0 taken */
    T.steps[2] = (struct step){ A_OTHER_ADDR, 0 };
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, NULL), 0);
    bluetti_session_stats st;
    bluetti_session_get_stats(sess, &st);
    CU_ASSERT_EQUAL(st.dropped, 1);
    /* not while a request is in flight */
    T.base_delay = 0.05;
    CU_ASSERT_EQUAL(bluetti_device_submit_read(dev, 1000, 0), 0);
    CU_ASSERT_EQUAL(bluetti_device_set_modbus_address(dev, 5), BLUETTI_E_BUSY);
    close_session();

    /* the session config's address is the default, and 0 is valid there */
    bluetti_registry *r = NULL;
    bluetti_session *s = NULL;
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_new(&r), 0);
    CU_ASSERT_EQUAL(bluetti_registry_load_builtin(r, &splug, "test"), 0);
    bluetti_session_config c;
    bluetti_session_config_default(&c);
    c.modbus_address = 0;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_open_ex(r, "script", NULL, &c, &s, NULL), 0);
    CU_ASSERT_EQUAL(bluetti_session_add_device(s, "SN0", "SCRIPTED", &d), 0);
    CU_ASSERT_EQUAL(bluetti_device_modbus_address(d), 0);
    bluetti_session_close(s);
    c.modbus_address = 248;
    bluetti_error_info e;
    CU_ASSERT_EQUAL(bluetti_session_open_ex(r, "script", NULL, &c, &s, &e), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.detail, "0..247"));
    bluetti_registry_free(r);
}

struct one_read { int calls, err; uint16_t block; };

static void one_read_cb(void *ud, bluetti_device *d, uint16_t block, int err,
                        const bluetti_result *r)
{
    (void)d;
    (void)r;
    struct one_read *o = ud;
    o->calls++;
    o->err = err;
    o->block = block;
}

static void test_model_detected_on_first_read(void)
{
    open_session(0.5, 1, 0.01);
    T.ident = "Other One"; /* an alias of OTHER */
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN2", NULL, &d), 0);
    CU_ASSERT_PTR_NULL(bluetti_device_profile(d));
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 1000, 0, &r), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bluetti_device_profile(d));
    CU_ASSERT_STRING_EQUAL(bluetti_device_profile(d)->model, "OTHER");
    CU_ASSERT_EQUAL(first_of(r), 1000);
    CU_ASSERT_EQUAL(T.requests, 2);
    CU_ASSERT_EQUAL(T.req_start[0], 8000);
    CU_ASSERT_EQUAL(T.req_start[1], 1000);
    /* once known, no more detection */
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 2000, 0, NULL), 0);
    CU_ASSERT_EQUAL(T.requests, 3);

    /* asynchronously too, and a model no profile knows fails the read */
    T.ident = "NOSUCHMODEL";
    bluetti_device *d3 = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN3", NULL, &d3), 0);
    struct one_read got = { 0 };
    bluetti_session_set_read_callback(sess, one_read_cb, &got);
    CU_ASSERT_EQUAL(bluetti_device_submit_read(d3, 1000, 0), 0);
    for (int i = 0; i < 20 && !got.calls; i++)
        CU_ASSERT_EQUAL_FATAL(bluetti_session_process(sess, 1000), 0);
    CU_ASSERT_EQUAL(got.calls, 1);
    CU_ASSERT_EQUAL(got.err, BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(got.block, 1000); /* reported as the read that was asked for */
    CU_ASSERT_EQUAL(bluetti_device_last_error(d3, NULL), BLUETTI_E_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(d3), "NOSUCHMODEL"));
    CU_ASSERT_PTR_NULL(bluetti_device_profile(d3));
    /* a group read finds out the model first */
    T.ident = "SCRIPTED";
    bluetti_device *d4 = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN4", NULL, &d4), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_group(d4, "core", NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_device_profile(d4)->model, "SCRIPTED");
    close_session();
}

/* The model block read to find the model is decoded, from then on, as
 * that model's profile says (its overrides), not as the generic layout
 * the detecting read used: an auto-detected Elite 200 V2 read its pack
 * voltage ten times too high. */
static void test_model_block_decoded_as_the_model_says(void)
{
    open_session(0.5, 1, 0.01);
    T.ident = "Other One";
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN2", NULL, &d), 0);
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(d, 8000, 0, &r), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_device_profile(d)->model, "OTHER");
    CU_ASSERT_EQUAL(T.requests, 2); /* the detecting read, then the read asked for */
    CU_ASSERT_DOUBLE_EQUAL(bluetti_value_as_double(bluetti_result_find(r, "rev")), 4004.0, 1e-9);
    CU_ASSERT_PTR_EQUAL(bluetti_device_last(d, 8000), r);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 8000, 0, &r), 0);
    CU_ASSERT_DOUBLE_EQUAL(bluetti_value_as_double(bluetti_result_find(r, "rev")), 4004.0, 1e-9);
    /* detected on the way to another block: the model block's result is
     * kept, as the model decodes it */
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN4", NULL, &d), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(d, 1000, 0, NULL), 0);
    r = bluetti_device_last(d, 8000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_DOUBLE_EQUAL(bluetti_value_as_double(bluetti_result_find(r, "rev")), 4004.0, 1e-9);
    CU_ASSERT_STRING_EQUAL(bluetti_result_find(r, "model")->v.s, "Other One");
    /* a model without overrides of that block: the plain value */
    T.ident = "SCRIPTED";
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(sess, "SN3", NULL, &d), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(d, 8000, 0, &r), 0);
    CU_ASSERT_DOUBLE_EQUAL(bluetti_value_as_double(bluetti_result_find(r, "rev")), 8008.0, 1e-9);
    close_session();
}

static void test_version_detected_when_needed(void)
{
    open_session(0.5, 1, 0.01);
    const bluetti_result *r = NULL;
    /* block 1000 has no version-gated field: no detection */
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 1000, 0, &r), 0);
    CU_ASSERT_EQUAL(T.requests, 1);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(dev), 2000);
    /* block 9000 has one: its first read finds the version (7002) out */
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 9000, 0, &r), 0);
    CU_ASSERT_EQUAL(T.requests, 3);
    CU_ASSERT_EQUAL(T.req_start[1], 7000);
    CU_ASSERT_EQUAL(T.req_start[2], 9000);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(dev), 7002);
    const bluetti_value *v = bluetti_result_find(r, "newer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_INT);
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 9000, 0, &r), 0);
    CU_ASSERT_EQUAL(T.requests, 4);
    close_session();

    /* a device that cannot say (exception): the profile's version, once */
    open_session(0.5, 1, 0.01);
    T.steps[0] = (struct step){ A_EXC, 0 };
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 9000, 0, &r), 0);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(dev), 2000);
    v = bluetti_result_find(r, "newer");
    CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_ABSENT);
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 9000, 0, &r), 0);
    CU_ASSERT_EQUAL(T.requests, 3);
    close_session();

    /* an override means no detection */
    open_session(0.5, 1, 0.01);
    bluetti_device_set_protocol_version(dev, 7002);
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 9000, 0, &r), 0);
    CU_ASSERT_EQUAL(T.requests, 1);
    close_session();
}

/* Schemas are validated once, when registered: a session decoding a
 * registered schema does not validate it again per result. Shown by a
 * schema broken after registration (a duplicate name, which only
 * validation cares about): the session still decodes it, a direct
 * bluetti_result_new refuses it. */
static bluetti_field mut_fields[2] = {
    { .name = "first", .offset = 0, .type = BLUETTI_U16 },
    { .name = "second", .offset = 2, .type = BLUETTI_U16 },
};
static const bluetti_block_schema blk_mut = { .id = 6000, .min_length = 4, .name = "MUT",
                                              .fields = mut_fields, .n_fields = 2 };

static void test_schema_validated_once(void)
{
    open_session(0.5, 1, 0.01);
    mut_fields[1].name = "second";
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_add_block(reg, &blk_mut), 0);
    mut_fields[1].name = "first";
    char why[256];
    CU_ASSERT_EQUAL(bluetti_schema_validate(&blk_mut, why, sizeof why), BLUETTI_E_SCHEMA);
    bluetti_result *direct = NULL;
    CU_ASSERT_EQUAL(bluetti_result_new(&blk_mut, &direct), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NULL(direct);
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(dev, 6000, 0, &r), 0);
    CU_ASSERT_PTR_NOT_NULL(r);
    mut_fields[1].name = "second";
    close_session();
}

/* A schema too large for the stack table of the name check (more than
 * 128 fields) is still checked for duplicates. */
static void test_large_schema_validation(void)
{
    static bluetti_field wide[300];
    static char names[300][16];
    for (size_t i = 0; i < 300; i++) {
        snprintf(names[i], sizeof names[i], "f%zu", i);
        wide[i] = (bluetti_field){ .name = names[i], .offset = (uint16_t)(2 * i), .type = BLUETTI_U16 };
    }
    bluetti_block_schema big = { .id = 1, .min_length = 2, .name = "MANY", .fields = wide,
                                 .n_fields = 300 };
    char why[256];
    CU_ASSERT_EQUAL(bluetti_schema_validate(&big, why, sizeof why), 0);
    wide[299].name = names[7];
    CU_ASSERT_EQUAL(bluetti_schema_validate(&big, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "already used by field 7"));
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("session", NULL, NULL);
    if (!s) return -1;
    if (!CU_add_test(s, "plain read and sizes", test_plain_read) ||
        !CU_add_test(s, "retry after timeout", test_retry_after_timeout) ||
        !CU_add_test(s, "timeout gives up", test_timeout_gives_up) ||
        !CU_add_test(s, "no retry on protocol errors", test_no_retry_on_protocol_errors) ||
        !CU_add_test(s, "mismatched frames skipped", test_mismatched_frames_are_skipped) ||
        !CU_add_test(s, "late reply never answers the next block", test_late_reply_not_taken_for_next_block) ||
        !CU_add_test(s, "late reply of the same request", test_late_reply_of_same_request_is_fine) ||
        !CU_add_test(s, "disconnect fails fast", test_disconnect_fails_fast) ||
        !CU_add_test(s, "chunked read", test_chunked_read) ||
        !CU_add_test(s, "two devices in parallel", test_async_two_devices) ||
        !CU_add_test(s, "thirty devices, one deadline heap", test_many_devices_deadlines) ||
        !CU_add_test(s, "short retry overtakes reply waits", test_short_retry_overtakes_reply_waits) ||
        !CU_add_test(s, "frames for unknown devices", test_frames_for_unknown_devices_dropped) ||
        !CU_add_test(s, "group read", test_group) ||
        !CU_add_test(s, "protocol version", test_protocol_version) ||
        !CU_add_test(s, "bad arguments", test_bad_arguments))
        return -1;
    s = CU_add_suite("platform", NULL, NULL);
    if (!s || !CU_add_test(s, "one fd across reconnects", test_fd_stable_across_reconnects) ||
        !CU_add_test(s, "next timeout has the transport's deadlines",
                     test_next_timeout_has_transport_deadlines) ||
        !CU_add_test(s, "error detail and remedy", test_error_info) ||
        !CU_add_test(s, "error classes", test_error_classes) ||
        !CU_add_test(s, "one framing verdict", test_framing_verdict) ||
        !CU_add_test(s, "read_raw reports what it wrote", test_read_raw_reports_what_it_wrote) ||
        !CU_add_test(s, "per-device Modbus address", test_per_device_modbus_address) ||
        !CU_add_test(s, "model detected on the first read", test_model_detected_on_first_read) ||
        !CU_add_test(s, "the model block decoded as the model says",
                     test_model_block_decoded_as_the_model_says) ||
        !CU_add_test(s, "version detected when a block needs it",
                     test_version_detected_when_needed) ||
        !CU_add_test(s, "schemas validated once", test_schema_validated_once) ||
        !CU_add_test(s, "large schema validation", test_large_schema_validation))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    bt_clock_ms = virtual_clock;
    return bt_run(argc, argv, add);
}
