/* Sessions and devices: requests, reply matching, timeouts and retries.
 *
 * Everything is driven from bluetti_session_process(). Transport events
 * only update state; frames are sent and user callbacks run after the
 * transport's process() returns, so neither the transport nor the user
 * is ever re-entered from inside the other.
 */
#include "config.h"

#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#define BT_HAVE_EPOLL 1
#endif

#define MAX_STALE 4
#define MAX_ADDRESS 128

/* A request abandoned after a timeout: its reply may still arrive. */
struct stale {
    uint16_t start, regs;
    double expires;
};

struct block_state {
    uint16_t block;
    bluetti_result *result;
};

enum pstate { P_IDLE = 0, P_WAIT_REPLY, P_WAIT_RETRY, P_NEED_SEND, P_DONE };

/* What a device learns about itself before the read it was asked for:
 * its model (added without one) and its protocol version (the block read
 * has version-gated fields). */
enum prelude { PRE_NONE = 0, PRE_MODEL, PRE_VERSION };

/* The read a prelude stands in front of. */
struct wanted {
    uint16_t block, registers;
    bool blocking;
};

struct pending {
    enum pstate st;
    bool raw;              /* no decode */
    bool blocking;         /* completion goes to the blocking caller, not the callback */
    uint16_t block;        /* block id (= start register) */
    uint16_t total_regs;
    uint16_t done_regs;
    uint16_t chunk_regs;
    unsigned attempt;      /* attempts made for the current chunk */
    double deadline;       /* reply deadline or retry time */
    int err;               /* P_DONE: result */
    int last_err;          /* last transient error (for the final report) */
    const bluetti_result *result;
    enum prelude prelude;  /* this request only finds out model or version */
};

struct bluetti_device {
    bluetti_session *s;
    char *address;
    const bluetti_profile *profile;
    uint16_t version_override, version_detected;
    bool version_tried;    /* the device could not say: use the profile's */
    uint8_t modbus_address;
    struct wanted want;    /* valid while p.prelude != PRE_NONE */
    int last_code;         /* last failure, 0 after a success */
    struct pending p;
    struct stale stale[MAX_STALE];
    uint8_t *buf;          /* assembled payload */
    size_t buf_cap;
    struct block_state *states;
    size_t n_states, cap_states;
    bool queued;           /* in the session's work list */
    size_t timer;          /* position + 1 in the session's deadline heap, 0 = none */
    char detail[256];
};

struct bluetti_session {
    bluetti_registry *reg;
    const bluetti_logger *log;
    const bluetti_transport_ops *ops;
    void *tstate;
    bluetti_transport_env env;
    bluetti_session_config cfg;
    bluetti_device **devs;
    size_t n_devs, cap_devs;
    size_t *hash;          /* open addressing: device index + 1, 0 = empty */
    size_t hash_cap;
    bluetti_device **work; /* devices with something to send or report */
    size_t n_work;
    /* Devices in P_WAIT_REPLY / P_WAIT_RETRY, a binary min-heap on
     * p.deadline, so process() never walks idle devices. work and timers
     * hold each device at most once and are sized with devs, so adding to
     * them cannot fail. */
    bluetti_device **timers;
    size_t n_timers;
    bluetti_read_cb cb;
    void *cb_ud;
    bluetti_trace_cb trace;
    void *trace_ud;
    bluetti_session_stats stats;
    unsigned completions;  /* completed during the current process() call */
    /* The one descriptor bluetti_session_fd() hands out: an epoll set
     * holding the transport's current descriptor, re-registered whenever
     * the transport's descriptor or the events it needs change. */
    int epfd;
    int reg_fd;            /* transport descriptor in epfd, -1 none */
    short reg_events;
    int last_code;         /* connection-level error, 0 none */
    char last_detail[320];
};

static const bluetti_profile *model_source(const bluetti_registry *reg);

/* ---- configuration -------------------------------------------------------- */

void bluetti_session_config_default(bluetti_session_config *c)
{
    if (!c) return;
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->timeout_s = 5.0;
    c->connect_timeout_s = 10.0;
    bluetti_retry_default(&c->retry);
    c->modbus_address = 1;
}

static int check_config(const bluetti_session_config *c, char *detail, size_t len)
{
    const char *why = NULL;
    if (!(c->timeout_s > 0) || !isfinite(c->timeout_s))
        why = "the request timeout must be a positive number of seconds";
    else if (!(c->connect_timeout_s > 0) || !isfinite(c->connect_timeout_s))
        why = "the connect timeout must be a positive number of seconds";
    else if (c->modbus_address > 247)
        why = "the Modbus device address must be 0..247";
    else if (bluetti_retry_validate(&c->retry, &why) != 0 && !why)
        why = "invalid retry policy";
    if (!why) return 0;
    bt_strlcpy(detail, why, len);
    return BLUETTI_E_INVAL;
}

/* ---- address hash --------------------------------------------------------- */

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ull & SIZE_MAX;
    while (*s) h = (h ^ (unsigned char)*s++) * (1099511628211ull & SIZE_MAX);
    return h;
}

/* Put device i into the index (which has a free slot). */
static void hash_insert(bluetti_session *s, size_t i)
{
    size_t k = hash_str(s->devs[i]->address) & (s->hash_cap - 1);
    while (s->hash[k]) k = (k + 1) & (s->hash_cap - 1);
    s->hash[k] = i + 1;
}

static int hash_rebuild(bluetti_session *s, size_t cap)
{
    size_t *h = calloc(cap, sizeof *h);
    if (!h) return BLUETTI_E_NOMEM;
    free(s->hash);
    s->hash = h;
    s->hash_cap = cap;
    for (size_t i = 0; i < s->n_devs; i++) hash_insert(s, i);
    return 0;
}

static bluetti_device *find_device(const bluetti_session *s, const char *address)
{
    if (!s->hash_cap || !address) return NULL;
    size_t k = hash_str(address) & (s->hash_cap - 1);
    while (s->hash[k]) {
        bluetti_device *d = s->devs[s->hash[k] - 1];
        if (strcmp(d->address, address) == 0) return d;
        k = (k + 1) & (s->hash_cap - 1);
    }
    return NULL;
}

/* ---- work list ------------------------------------------------------------ */

static void enqueue(bluetti_device *d)
{
    bluetti_session *s = d->s;
    if (d->queued) return;
    s->work[s->n_work++] = d; /* room for every device, see add_device */
    d->queued = true;
}

/* ---- deadline heap -------------------------------------------------------- */

static void heap_place(bluetti_session *s, size_t i, bluetti_device *d)
{
    s->timers[i] = d;
    d->timer = i + 1;
}

static void heap_up(bluetti_session *s, size_t i)
{
    bluetti_device *d = s->timers[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!(d->p.deadline < s->timers[parent]->p.deadline)) break;
        heap_place(s, i, s->timers[parent]);
        i = parent;
    }
    heap_place(s, i, d);
}

static void heap_down(bluetti_session *s, size_t i)
{
    bluetti_device *d = s->timers[i];
    size_t n = s->n_timers;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && s->timers[c + 1]->p.deadline < s->timers[c]->p.deadline) c++;
        if (!(s->timers[c]->p.deadline < d->p.deadline)) break;
        heap_place(s, i, s->timers[c]);
        i = c;
    }
    heap_place(s, i, d);
}

/* Enter a waiting state with a deadline (a timer for d). */
static void wait_until(bluetti_device *d, enum pstate st, double deadline)
{
    bluetti_session *s = d->s;
    d->p.st = st;
    d->p.deadline = deadline;
    if (!d->timer) {
        s->timers[s->n_timers++] = d; /* room for every device, see add_device */
        heap_up(s, s->n_timers - 1);
        return;
    }
    heap_up(s, d->timer - 1);
    heap_down(s, d->timer - 1);
}

/* Leave a waiting state: drop d's timer, if any. */
static void stop_timer(bluetti_device *d)
{
    bluetti_session *s = d->s;
    if (!d->timer) return;
    size_t i = d->timer - 1;
    d->timer = 0;
    bluetti_device *last = s->timers[--s->n_timers];
    if (i == s->n_timers) return;
    s->timers[i] = last;
    last->timer = i + 1;
    heap_up(s, i);
    heap_down(s, last->timer - 1);
}

/* ---- request life cycle --------------------------------------------------- */

static void set_detail(bluetti_device *d, int err, const char *extra)
{
    d->last_code = err;
    if (err == 0) {
        d->detail[0] = '\0';
        return;
    }
    /* the caller knows which block it asked for; say what went wrong */
    bt_fmt(d->detail, sizeof d->detail, "%s%s%s%s", bluetti_strerror(err), extra ? " (" : "",
           extra ? extra : "", extra ? ")" : "");
}

static int after_prelude(bluetti_device *d, int err, char *extra, size_t extra_len);

static void finish(bluetti_device *d, int err, const char *extra)
{
    stop_timer(d);
    char why[256];
    if (d->p.prelude != PRE_NONE) {
        /* a prelude read ended: go on with the read it stands in front of,
         * or fail that read with what the prelude learnt */
        bt_strlcpy(why, extra ? extra : "", sizeof why);
        err = after_prelude(d, err, why, sizeof why);
        if (err > 0) return; /* the next request is queued */
        extra = why[0] ? why : NULL;
    }
    d->p.st = P_DONE;
    d->p.err = err;
    set_detail(d, err, extra);
    enqueue(d);
}

static bluetti_result *state_result(bluetti_device *d, const bluetti_block_schema *schema)
{
    for (size_t i = 0; i < d->n_states; i++)
        if (d->states[i].block == schema->id) return d->states[i].result;
    if (d->n_states == d->cap_states) {
        size_t nc = d->cap_states ? d->cap_states * 2 : 4;
        struct block_state *nv = realloc(d->states, nc * sizeof *nv);
        if (!nv) return NULL;
        d->states = nv;
        d->cap_states = nc;
    }
    bluetti_result *r = NULL;
    if (bluetti_result_new_for_profile(schema, d->profile, &r, d->detail, sizeof d->detail) != 0)
        return NULL;
    d->states[d->n_states++] = (struct block_state){ schema->id, r };
    return r;
}

static void complete_payload(bluetti_device *d)
{
    struct pending *p = &d->p;
    size_t len = (size_t)p->total_regs * 2;
    if (p->raw) {
        finish(d, 0, NULL);
        return;
    }
    const bluetti_block_schema *schema = bluetti_registry_find_block(d->s->reg, p->block);
    bluetti_result *r = schema ? state_result(d, schema) : NULL;
    if (!r) {
        finish(d, schema ? BLUETTI_E_NOMEM : BLUETTI_E_NO_SCHEMA, NULL);
        return;
    }
    int rc = bluetti_decode(r, d->buf, len, bluetti_device_protocol_version(d));
    p->result = r;
    if (rc != 0) {
        const char *w = bluetti_result_warning_count(r) ? bluetti_result_warning(r, 0) : NULL;
        finish(d, rc, w);
        return;
    }
    finish(d, 0, NULL);
}

static void schedule_retry(bluetti_device *d, int err, double now)
{
    struct pending *p = &d->p;
    p->last_err = err;
    if (p->attempt >= d->s->cfg.retry.max_attempts) {
        char extra[64];
        bt_fmt(extra, sizeof extra, "gave up after %u attempt%s", p->attempt,
               p->attempt == 1 ? "" : "s");
        finish(d, err, extra);
        return;
    }
    double delay = bluetti_retry_delay(&d->s->cfg.retry, p->attempt - 1);
    bluetti_log(d->s->log, BLUETTI_LOG_INFO, "session",
                "%s block %u: %s; retrying in %.3g s (attempt %u of %u)", d->address,
                (unsigned)p->block, bluetti_strerror(err), delay, p->attempt + 1,
                d->s->cfg.retry.max_attempts);
    wait_until(d, P_WAIT_RETRY, now + delay);
    d->s->stats.retries++;
}

/* Send the current chunk now. */
static void send_chunk(bluetti_device *d, double now)
{
    bluetti_session *s = d->s;
    struct pending *p = &d->p;
    uint8_t frame[BLUETTI_MODBUS_REQUEST_LEN];
    uint16_t start = (uint16_t)(p->block + p->done_regs);
    p->chunk_regs = (uint16_t)(p->total_regs - p->done_regs);
    if (p->chunk_regs > BLUETTI_MODBUS_MAX_REGISTERS) p->chunk_regs = BLUETTI_MODBUS_MAX_REGISTERS;
    bluetti_modbus_build_read(d->modbus_address, start, p->chunk_regs, frame);
    p->attempt++;
    if (s->trace) s->trace(s->trace_ud, d, true, frame, sizeof frame);
    s->stats.requests++;
    int rc = s->ops->submit(s->tstate, d->address, frame, sizeof frame);
    if (rc == 0) {
        wait_until(d, P_WAIT_REPLY, now + s->cfg.timeout_s);
    } else if (bluetti_err_is_transient(rc)) {
        schedule_retry(d, rc, now);
    } else {
        finish(d, rc, NULL);
    }
}

static void remember_stale(bluetti_device *d, double now)
{
    struct stale *slot = &d->stale[0];
    for (size_t i = 0; i < MAX_STALE; i++) {
        if (d->stale[i].expires <= now) { slot = &d->stale[i]; break; }
        if (d->stale[i].expires < slot->expires) slot = &d->stale[i];
    }
    slot->start = (uint16_t)(d->p.block + d->p.done_regs);
    slot->regs = d->p.chunk_regs;
    slot->expires = now + 3.0 * d->s->cfg.timeout_s;
}

/* A frame that could answer an abandoned request for other registers is
 * dropped (and the abandoned request forgotten) rather than taken as the
 * answer to the current one: the wire has no request id, and replies on
 * one topic arrive in request order. */
static bool consume_stale(bluetti_device *d, const uint8_t *f, size_t len, double now)
{
    uint16_t cur_start = (uint16_t)(d->p.block + d->p.done_regs);
    bool waiting = d->p.st == P_WAIT_REPLY;
    bool exception = len >= 2 && (f[1] & 0x80);
    unsigned bc = len >= 3 ? f[2] : 0;
    struct stale *oldest = NULL;
    for (size_t i = 0; i < MAX_STALE; i++) {
        struct stale *st = &d->stale[i];
        if (st->expires <= now) continue;
        bool same = waiting && st->start == cur_start && st->regs == d->p.chunk_regs;
        if (same) continue; /* a late reply to an earlier attempt of this very request is fine */
        if (!exception && bc != 2u * st->regs) continue;
        if (!oldest || st->expires < oldest->expires) oldest = st;
    }
    if (!oldest) return false;
    oldest->expires = 0;
    return true;
}

static void on_frame(bluetti_session *s, const char *address, const uint8_t *f, size_t len)
{
    bluetti_device *d = find_device(s, address);
    if (!d) {
        s->stats.dropped++;
        bluetti_log(s->log, BLUETTI_LOG_DEBUG, "session", "dropped a frame for unknown device %s",
                    address ? address : "?");
        return;
    }
    if (s->trace) s->trace(s->trace_ud, d, false, f, len);
    double now = bt_now();
    struct pending *p = &d->p;
    if (consume_stale(d, f, len, now) || p->st != P_WAIT_REPLY) {
        s->stats.dropped++;
        bluetti_log(s->log, BLUETTI_LOG_DEBUG, "session",
                    "%s: dropped a late or unexpected frame (%zu bytes)", d->address, len);
        return;
    }
    /* one framing verdict (modbus.c): length as the header announces it
     * first, so a truncated or padded frame is not called a CRC failure */
    bluetti_modbus_reply rep;
    int rc = bluetti_modbus_parse_reply(f, len, d->modbus_address, p->chunk_regs, &rep);
    uint8_t exc = rep.exception_code;
    switch (rc) {
    case 0:
        break;
    case BLUETTI_E_ADDRESS:
    case BLUETTI_E_FUNCTION:
    case BLUETTI_E_BYTE_COUNT:
        /* not an answer to this request: keep waiting for the right one */
        s->stats.dropped++;
        bluetti_log(s->log, BLUETTI_LOG_DEBUG, "session", "%s: dropped a frame: %s", d->address,
                    bluetti_strerror(rc));
        return;
    case BLUETTI_E_EXCEPTION: {
        char extra[96];
        bt_fmt(extra, sizeof extra, "exception %u: %s", (unsigned)exc,
               bluetti_modbus_exception_text(exc));
        s->stats.replies++;
        finish(d, rc, extra);
        return;
    }
    default:
        s->stats.replies++;
        finish(d, rc, rc == BLUETTI_E_FRAME ? rep.why : NULL);
        return;
    }
    s->stats.replies++;
    memcpy(d->buf + (size_t)p->done_regs * 2, rep.payload, rep.payload_len);
    p->done_regs = (uint16_t)(p->done_regs + p->chunk_regs);
    if (p->done_regs < p->total_regs) {
        p->attempt = 0;
        stop_timer(d);
        p->st = P_NEED_SEND;
        enqueue(d);
        return;
    }
    complete_payload(d);
}

static void on_disconnect(bluetti_session *s, int err)
{
    double now = bt_now();
    if (err == 0) err = BLUETTI_E_DISCONNECTED;
    bluetti_log(s->log, BLUETTI_LOG_WARN, "session", "connection lost: %s", bluetti_strerror(err));
    s->last_code = err;
    bt_fmt(s->last_detail, sizeof s->last_detail, "connection lost: %s; reconnecting",
           bluetti_strerror(err));
    /* fail fast: every waiting request fails now instead of at its timeout */
    for (size_t i = 0; i < s->n_devs; i++) {
        bluetti_device *d = s->devs[i];
        if (d->p.st == P_WAIT_REPLY) {
            schedule_retry(d, BLUETTI_E_DISCONNECTED, now);
            enqueue(d);
        }
    }
}

static void on_event(void *ud, const bluetti_transport_event *ev)
{
    bluetti_session *s = ud;
    switch (ev->type) {
    case BLUETTI_EV_FRAME:
        on_frame(s, ev->address, ev->data, ev->len);
        break;
    case BLUETTI_EV_DISCONNECTED:
        on_disconnect(s, ev->err);
        break;
    case BLUETTI_EV_CONNECTED:
        bluetti_log(s->log, BLUETTI_LOG_INFO, "session", "connected");
        break;
    case BLUETTI_EV_ERROR: {
        bluetti_device *d = find_device(s, ev->address);
        if (d && d->p.st == P_WAIT_REPLY) {
            int err = ev->err ? ev->err : BLUETTI_E_NOT_CONNECTED;
            if (bluetti_err_is_transient(err)) schedule_retry(d, err, bt_now());
            else finish(d, err, NULL);
            enqueue(d);
        }
        break;
    }
    default:
        break;
    }
}

/* Timeouts and due retries: the devices at the top of the heap. */
static void check_deadlines(bluetti_session *s, double now)
{
    while (s->n_timers > 0 && now >= s->timers[0]->p.deadline) {
        bluetti_device *d = s->timers[0];
        struct pending *p = &d->p;
        if (p->st == P_WAIT_REPLY) {
            s->stats.timeouts++;
            remember_stale(d, now);
            schedule_retry(d, BLUETTI_E_TIMEOUT, now); /* a new deadline, or finish() */
        } else {
            stop_timer(d);
            p->st = P_NEED_SEND;
        }
        enqueue(d);
    }
}

/* Send what is due and report what completed. */
static void flush_work(bluetti_session *s)
{
    /* the list may grow while we walk it (a callback submits again) */
    for (size_t i = 0; i < s->n_work; i++) {
        bluetti_device *d = s->work[i];
        d->queued = false;
        struct pending *p = &d->p;
        if (p->st == P_NEED_SEND) {
            send_chunk(d, bt_now());
        }
        if (p->st == P_DONE && !p->blocking) {
            p->st = P_IDLE;
            s->completions++;
            if (s->cb) s->cb(s->cb_ud, d, p->block, p->err, p->err ? NULL : p->result);
        } else if (p->st == P_DONE) {
            s->completions++;
        }
    }
    s->n_work = 0;
}

static int wait_ms_until(const bluetti_session *s, int limit_ms)
{
    int next = bluetti_session_next_timeout_ms(s);
    if (next < 0) return limit_ms;
    if (limit_ms < 0 || next < limit_ms) return next;
    return limit_ms;
}

/* Keep the transport's current descriptor in the session's epoll set. The
 * same number may stand for a new socket after a reconnect (closing the
 * old one took it out of the set), so the registration is re-asserted
 * (MOD, or ADD when it is gone) rather than trusted: one epoll_ctl. */
static void sync_fd(bluetti_session *s)
{
#ifdef BT_HAVE_EPOLL
    if (s->epfd < 0) return;
    int fd = s->ops->fd ? s->ops->fd(s->tstate) : -1;
    short ev = 0;
    if (fd >= 0) ev = s->ops->poll_events ? s->ops->poll_events(s->tstate) : POLLIN;
    if (fd >= 0 && !ev) ev = POLLIN;
    if (s->reg_fd >= 0 && s->reg_fd != fd)
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->reg_fd, NULL); /* ENOENT when closed: fine */
    s->reg_fd = -1;
    s->reg_events = 0;
    if (fd < 0) return;
    struct epoll_event e = { .events = ((ev & POLLIN) ? EPOLLIN : 0u) |
                                       ((ev & POLLOUT) ? EPOLLOUT : 0u) |
                                       ((ev & POLLPRI) ? EPOLLPRI : 0u) };
    e.data.fd = fd;
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &e) != 0 &&
        (errno != ENOENT || epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e) != 0)) {
        bluetti_log(s->log, BLUETTI_LOG_WARN, "session",
                    "cannot watch the transport's descriptor %d: %s", fd, strerror(errno));
        return;
    }
    s->reg_fd = fd;
    s->reg_events = ev;
#else
    (void)s;
#endif
}

static int process_once(bluetti_session *s, int timeout_ms);

int bluetti_session_process(bluetti_session *s, int timeout_ms)
{
    if (!s) return BLUETTI_E_INVAL;
    int rc = process_once(s, timeout_ms);
    if (rc < 0) {
        s->last_code = rc;
        bt_fmt(s->last_detail, sizeof s->last_detail, "the transport failed: %s",
               bluetti_strerror(rc));
    }
    sync_fd(s);
    return rc;
}

static int process_once(bluetti_session *s, int timeout_ms)
{
    double start = bt_now();
    double end = timeout_ms < 0 ? INFINITY : start + timeout_ms / 1000.0;
    s->completions = 0;
    for (;;) {
        double now = bt_now();
        check_deadlines(s, now);
        flush_work(s);
        if (s->completions) return 0;
        int limit = -1;
        if (timeout_ms >= 0) {
            double left = (end - now) * 1000.0;
            limit = left <= 0 ? 0 : (int)ceil(left);
        }
        int wait = wait_ms_until(s, limit);
        int rc = s->ops->process(s->tstate, wait);
        if (rc < 0) return rc;
        flush_work(s);
        if (s->completions) return 0;
        now = bt_now();
        if (timeout_ms == 0 || now >= end) {
            check_deadlines(s, now);
            flush_work(s);
            return 0;
        }
    }
}

int bluetti_session_next_timeout_ms(const bluetti_session *s)
{
    if (!s) return -1;
    if (s->n_work > 0) return 0; /* something to send or report */
    int next = -1;
    if (s->n_timers > 0) {
        double ms = (s->timers[0]->p.deadline - bt_now()) * 1000.0;
        next = ms <= 0 ? 0 : (ms >= INT_MAX ? INT_MAX : (int)ceil(ms));
    }
    /* the transport's own deadlines: keepalive, reconnect backoff */
    int t = s->ops->next_timeout_ms ? s->ops->next_timeout_ms(s->tstate) : -1;
    if (t >= 0 && (next < 0 || t < next)) next = t;
    return next;
}

/* ---- open / close --------------------------------------------------------- */

static void fill_error(bluetti_error_info *e, const bluetti_transport_ops *ops, int code,
                       const char *detail)
{
    if (!e) return;
    memset(e, 0, sizeof *e);
    e->code = code;
    e->cls = bluetti_err_class(code);
    if (!code) return;
    bt_strlcpy(e->detail, detail && *detail ? detail : bluetti_strerror(code), sizeof e->detail);
    const char *remedy = ops && ops->remedy ? ops->remedy(code) : NULL;
    bt_strlcpy(e->remedy, remedy ? remedy : bluetti_err_remedy(code), sizeof e->remedy);
}

static int open_session(bluetti_registry *reg, const char *transport, const bluetti_options *opts,
                        const bluetti_session_config *cfg, bluetti_session **out, char *detail,
                        size_t detail_len, const bluetti_transport_ops **used);

int bluetti_session_open_ex(bluetti_registry *reg, const char *transport,
                            const bluetti_options *opts, const bluetti_session_config *cfg,
                            bluetti_session **out, bluetti_error_info *err)
{
    char detail[sizeof err->detail] = "";
    const bluetti_transport_ops *ops = NULL;
    int rc = open_session(reg, transport, opts, cfg, out, detail, sizeof detail, &ops);
    fill_error(err, ops, rc, detail);
    return rc;
}

int bluetti_session_open(bluetti_registry *reg, const char *transport, const bluetti_options *opts,
                         const bluetti_session_config *cfg, bluetti_session **out, char *detail,
                         size_t detail_len)
{
    const bluetti_transport_ops *ops = NULL;
    return open_session(reg, transport, opts, cfg, out, detail, detail_len, &ops);
}

/* Take the caller's config: only the `size` bytes it says it has, defaults
 * for the rest (members added after the caller was built). */
static int take_config(const bluetti_session_config *cfg, bluetti_session_config *c,
                       char *detail, size_t detail_len)
{
    bluetti_session_config_default(c);
    if (!cfg) return 0;
    if (cfg->size < offsetof(bluetti_session_config, modbus_address) + 1 ||
        cfg->size > sizeof *cfg) {
        bt_fmt(detail, detail_len, "the session config's size is %zu: start from "
               "bluetti_session_config_default(), which sets it", cfg->size);
        return BLUETTI_E_INVAL;
    }
    memcpy(c, cfg, cfg->size);
    c->size = sizeof *c;
    return 0;
}

static int open_session(bluetti_registry *reg, const char *transport, const bluetti_options *opts,
                        const bluetti_session_config *cfg, bluetti_session **out, char *detail,
                        size_t detail_len, const bluetti_transport_ops **used)
{
    if (detail && detail_len) detail[0] = '\0';
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    if (!reg || !transport) return BLUETTI_E_INVAL;
    bluetti_session_config c;
    int rc = take_config(cfg, &c, detail, detail_len);
    if (rc) return rc;
    rc = check_config(&c, detail, detail_len);
    if (rc) return rc;
    rc = bluetti_registry_need_transport(reg, transport); /* opens a deferred plugin */
    const bluetti_transport_ops *ops = rc ? NULL : bluetti_registry_find_transport(reg, transport);
    if (!ops) {
        if (rc == BLUETTI_E_NOTFOUND)
            bt_fmt(detail, detail_len, "no transport named '%s' is loaded (see the plugins list)",
                   transport);
        else
            bt_fmt(detail, detail_len, "the plugin for transport '%s' was refused: %s (see the "
                   "plugins list)", transport, bluetti_strerror(rc));
        return rc ? rc : BLUETTI_E_NOTFOUND;
    }
    *used = ops;
    bluetti_session *s = calloc(1, sizeof *s);
    if (!s) return BLUETTI_E_NOMEM;
    s->epfd = -1;
    s->reg_fd = -1;
#ifdef BT_HAVE_EPOLL
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        rc = errno == ENOMEM ? BLUETTI_E_NOMEM : BLUETTI_E_IO;
        bt_fmt(detail, detail_len, "cannot create the session's event descriptor (epoll): %s",
               strerror(errno));
        free(s);
        return rc;
    }
#endif
    s->reg = reg;
    s->log = bluetti_registry_logger(reg);
    s->ops = ops;
    s->cfg = c;
    s->env.log = s->log;
    s->env.on_event = on_event;
    s->env.userdata = s;
    s->env.reconnect = c.retry;
    s->env.connect_timeout_s = c.connect_timeout_s;
    bluetti_options *empty = NULL, *typed = NULL;
    if (!opts) {
        empty = bluetti_options_new();
        if (!empty) {
            if (s->epfd >= 0) close(s->epfd);
            free(s);
            return BLUETTI_E_NOMEM;
        }
        opts = empty;
    }
    char why[512] = "";
    /* the transport sees only its declared keys, checked, with defaults */
    rc = bluetti_options_apply_decls(ops->options, ops->n_options, ops->name, opts, &typed, why,
                                     sizeof why);
    if (rc == 0) rc = ops->open(&s->env, typed, &s->tstate, why, sizeof why);
    bluetti_options_free(typed);
    bluetti_options_free(empty);
    if (rc != 0) {
        if (rc > 0) rc = BLUETTI_E_CONNECT;
        bt_strlcpy(detail, why[0] ? why : bluetti_strerror(rc), detail_len);
        if (s->epfd >= 0) close(s->epfd);
        free(s);
        return rc;
    }
    sync_fd(s);
    *out = s;
    return 0;
}

static void device_free(bluetti_device *d)
{
    for (size_t i = 0; i < d->n_states; i++) bluetti_result_free(d->states[i].result);
    free(d->states);
    free(d->buf);
    free(d->address);
    free(d);
}

void bluetti_session_close(bluetti_session *s)
{
    if (!s) return;
    if (s->ops && s->tstate) s->ops->close(s->tstate);
    for (size_t i = 0; i < s->n_devs; i++) device_free(s->devs[i]);
    free(s->devs);
    free(s->hash);
    free(s->work);
    free(s->timers);
    if (s->epfd >= 0) close(s->epfd);
    free(s);
}

static bool valid_address(const char *a)
{
    size_t n = 0;
    if (!a || !*a) return false;
    for (; a[n]; n++) {
        unsigned char c = (unsigned char)a[n];
        if (c <= ' ' || c == '+' || c == '#' || c == '/' || c >= 0x7f) return false;
    }
    return n <= MAX_ADDRESS;
}

int bluetti_session_add_device(bluetti_session *s, const char *address, const char *model,
                               bluetti_device **out)
{
    if (out) *out = NULL;
    if (!s) return BLUETTI_E_INVAL;
    if (!valid_address(address)) return BLUETTI_E_INVAL;
    const bluetti_profile *prof = NULL;
    if (model) {
        prof = bluetti_registry_find_profile(s->reg, model);
        if (!prof) return BLUETTI_E_NOTFOUND;
    } else if (!model_source(s->reg)) {
        return BLUETTI_E_UNSUPPORTED; /* no loaded profile says where a device names its model */
    }
    if (find_device(s, address)) return BLUETTI_E_EXISTS;
    if (s->n_devs == s->cap_devs) {
        /* devs, work and timers grow together: each holds a device at most once */
        size_t nc = s->cap_devs ? s->cap_devs * 2 : 8;
        bluetti_device ***lists[] = { &s->devs, &s->work, &s->timers };
        for (size_t k = 0; k < 3; k++) {
            // NOLINTNEXTLINE(bugprone-sizeof-expression): *nv is the element, a pointer
            bluetti_device **nv = realloc(*lists[k], nc * sizeof *nv);
            if (!nv) return BLUETTI_E_NOMEM; /* the ones grown so far just have room to spare */
            *lists[k] = nv;
        }
        s->cap_devs = nc;
    }
    bluetti_device *d = calloc(1, sizeof *d);
    if (!d) return BLUETTI_E_NOMEM;
    d->s = s;
    d->profile = prof;
    /* a model whose devices answer elsewhere says so (second-generation
     * IoT devices at 0); the application may still override it */
    d->modbus_address = prof && prof->has_modbus_address ? prof->modbus_address
                                                         : s->cfg.modbus_address;
    d->address = strdup(address);
    if (!d->address) { free(d); return BLUETTI_E_NOMEM; }
    int rc = s->ops->attach(s->tstate, address);
    if (rc != 0) {
        free(d->address);
        free(d);
        return rc;
    }
    s->devs[s->n_devs++] = d;
    int hrc = 0;
    if (s->n_devs * 2 > s->hash_cap) {
        hrc = hash_rebuild(s, s->hash_cap ? s->hash_cap * 2 : 16);
    } else {
        hash_insert(s, s->n_devs - 1);
    }
    if (hrc != 0) {
        /* no memory for the index: undo */
        s->n_devs--;
        if (s->ops->detach) s->ops->detach(s->tstate, address);
        device_free(d);
        return BLUETTI_E_NOMEM;
    }
    if (out) *out = d;
    return 0;
}

size_t bluetti_session_device_count(const bluetti_session *s) { return s ? s->n_devs : 0; }

bluetti_device *bluetti_session_device_at(bluetti_session *s, size_t i)
{
    return (s && i < s->n_devs) ? s->devs[i] : NULL;
}

void bluetti_session_set_read_callback(bluetti_session *s, bluetti_read_cb cb, void *userdata)
{
    if (!s) return;
    s->cb = cb;
    s->cb_ud = userdata;
}

void bluetti_session_set_trace(bluetti_session *s, bluetti_trace_cb cb, void *userdata)
{
    if (!s) return;
    s->trace = cb;
    s->trace_ud = userdata;
}

int bluetti_session_fd(const bluetti_session *s)
{
    if (!s) return -1;
    if (s->epfd >= 0) return s->epfd;
    return s->ops->fd ? s->ops->fd(s->tstate) : -1;
}

short bluetti_session_poll_events(const bluetti_session *s)
{
    if (s && s->epfd < 0 && s->ops->poll_events) return s->ops->poll_events(s->tstate);
    return POLLIN;
}

int bluetti_session_last_error(const bluetti_session *s, bluetti_error_info *err)
{
    if (!s) {
        fill_error(err, NULL, BLUETTI_E_INVAL, "no session");
        return BLUETTI_E_INVAL;
    }
    fill_error(err, s->ops, s->last_code, s->last_detail);
    return s->last_code;
}

void bluetti_session_get_stats(const bluetti_session *s, bluetti_session_stats *out)
{
    if (!out) return;
    if (!s) { memset(out, 0, sizeof *out); return; }
    *out = s->stats;
    if (s->ops->stats) {
        uint64_t in = 0, dropped = 0;
        s->ops->stats(s->tstate, &in, &dropped);
        out->dropped += dropped;
    }
}

/* ---- submitting ----------------------------------------------------------- */

static uint16_t default_registers(const bluetti_device *d, const bluetti_block_schema *schema)
{
    size_t bytes = 0;
    for (const bluetti_block_size *z = d->profile ? d->profile->sizes : NULL; z && z->block; z++)
        if (z->block == schema->id) bytes = z->bytes;
    if (!bytes) bytes = bluetti_schema_read_length(schema);
    size_t regs = (bytes + 1) / 2;
    return (uint16_t)(regs > 0xFFFF ? 0xFFFF : regs);
}

/* The first profile that says where a device names its model. */
static const bluetti_profile *model_source(const bluetti_registry *reg)
{
    size_t n = bluetti_registry_profile_count(reg);
    for (size_t i = 0; i < n; i++) {
        const bluetti_profile *p = bluetti_registry_profile_at(reg, i);
        if (p && p->model_block && p->model_field) return p;
    }
    return NULL;
}

static bool schema_gated(const bluetti_block_schema *schema)
{
    for (size_t i = 0; i < schema->n_fields; i++)
        if (schema->fields[i].min_protocol) return true;
    return false;
}

/* Decoding this block depends on a protocol version nobody has found out. */
static bool needs_version(const bluetti_device *d, const bluetti_block_schema *schema)
{
    return d->profile && !d->version_override && !d->version_detected && !d->version_tried &&
           d->profile->version_block && schema_gated(schema);
}

/* Queue a request (the state checks are the caller's). */
static int issue(bluetti_device *d, uint16_t start, uint16_t registers, bool raw, bool blocking,
                 enum prelude pre)
{
    if (!raw && registers == 0) {
        const bluetti_block_schema *schema = bluetti_registry_find_block(d->s->reg, start);
        if (!schema) {
            bt_fmt(d->detail, sizeof d->detail, "block %u: no schema is registered for it",
                   (unsigned)start);
            return BLUETTI_E_NO_SCHEMA;
        }
        registers = default_registers(d, schema);
    }
    if (registers == 0 || (uint32_t)start + registers > 0x10000u) return BLUETTI_E_INVAL;
    size_t need = (size_t)registers * 2;
    if (need > d->buf_cap) {
        uint8_t *nb = realloc(d->buf, need);
        if (!nb) return BLUETTI_E_NOMEM;
        d->buf = nb;
        d->buf_cap = need;
    }
    d->p = (struct pending){ .st = P_NEED_SEND, .raw = raw, .blocking = blocking,
                             .block = start, .total_regs = registers, .prelude = pre };
    d->detail[0] = '\0';
    enqueue(d);
    return 0;
}

/* The next request for the wanted read: find out the model, then the
 * protocol version if the block needs it, then the read itself. */
static int next_step(bluetti_device *d)
{
    const struct wanted *w = &d->want;
    if (!d->profile) {
        const bluetti_profile *src = model_source(d->s->reg);
        if (!src) return BLUETTI_E_UNSUPPORTED;
        return issue(d, src->model_block, 0, false, w->blocking, PRE_MODEL);
    }
    const bluetti_block_schema *schema = bluetti_registry_find_block(d->s->reg, w->block);
    if (schema && needs_version(d, schema)) {
        const bluetti_profile *p = d->profile;
        return issue(d, p->version_block, (uint16_t)(p->version_offset / 2 + 1), true,
                     w->blocking, PRE_VERSION);
    }
    return issue(d, w->block, w->registers, false, w->blocking, PRE_NONE);
}

/* What the model read found: 0 with d->profile set, or an error. */
static int take_model(bluetti_device *d, char *why, size_t why_len)
{
    const bluetti_profile *src = model_source(d->s->reg);
    const bluetti_value *v = d->p.result && src ? bluetti_result_find(d->p.result, src->model_field)
                                                : NULL;
    if (!v || v->kind != BLUETTI_VAL_TEXT || !v->v.s || !*v->v.s) {
        bt_fmt(why, why_len, "detecting the model: block %u field %s holds no model name",
               (unsigned)d->p.block, src ? src->model_field : "?");
        return BLUETTI_E_BAD_VALUE;
    }
    const bluetti_profile *prof = bluetti_registry_find_profile(d->s->reg, v->v.s);
    if (!prof) {
        bt_fmt(why, why_len, "the device reports model '%s', which no loaded profile knows", v->v.s);
        return BLUETTI_E_NOTFOUND;
    }
    d->profile = prof;
    bluetti_log(d->s->log, BLUETTI_LOG_INFO, "session", "%s: detected model %s", d->address,
                prof->model);
    return 0;
}

/* The version read ended with err. Returns 0 to go on (version known, or
 * the device cannot say: the profile's is used) or the error to fail the
 * wanted read with (a transient one: it would have failed as well). */
static int take_version(bluetti_device *d, int err, char *why, size_t why_len)
{
    const bluetti_profile *p = d->profile;
    if (err && bluetti_err_is_transient(err)) {
        char inner[200];
        bt_strlcpy(inner, why, sizeof inner);
        bt_fmt(why, why_len, "detecting the protocol version from block %u: %s%s%s",
               (unsigned)p->version_block, bluetti_strerror(err), inner[0] ? "; " : "", inner);
        return err;
    }
    uint16_t v = 0;
    size_t off = p->version_offset & ~(size_t)1;
    if (!err && off + 2 <= (size_t)d->p.total_regs * 2)
        v = (uint16_t)(d->buf[off] << 8 | d->buf[off + 1]);
    if (v == 0 || v == 0xFFFF) {
        d->version_tried = true;
        bluetti_log(d->s->log, BLUETTI_LOG_INFO, "session",
                    "%s: no protocol version from block %u (%s); using the profile's %u",
                    d->address, (unsigned)p->version_block,
                    err ? bluetti_strerror(err) : "implausible value", (unsigned)p->protocol_version);
    } else {
        d->version_detected = v;
    }
    return 0;
}

static int after_prelude(bluetti_device *d, int err, char *why, size_t why_len)
{
    enum prelude pre = d->p.prelude;
    d->p.prelude = PRE_NONE;
    if (pre == PRE_MODEL) {
        if (err) {
            char inner[200];
            bt_strlcpy(inner, why, sizeof inner);
            bt_fmt(why, why_len, "detecting the model from block %u: %s%s%s",
                   (unsigned)d->p.block, bluetti_strerror(err), inner[0] ? "; " : "", inner);
        } else {
            err = take_model(d, why, why_len);
        }
    } else {
        err = take_version(d, err, why, why_len);
    }
    if (!err) {
        why[0] = '\0';
        err = next_step(d);
        if (!err) return 1; /* queued */
    }
    /* report the failure as the wanted read's */
    d->p.block = d->want.block;
    d->p.blocking = d->want.blocking;
    d->p.result = NULL;
    return err;
}

static int start_request(bluetti_device *d, uint16_t start, uint16_t registers, bool raw,
                         bool blocking)
{
    if (d->p.st != P_IDLE) return BLUETTI_E_BUSY;
    if (!raw) {
        const bluetti_block_schema *schema = bluetti_registry_find_block(d->s->reg, start);
        if (!schema) {
            bt_fmt(d->detail, sizeof d->detail, "block %u: no schema is registered for it",
                   (unsigned)start);
            d->last_code = BLUETTI_E_NO_SCHEMA;
            return BLUETTI_E_NO_SCHEMA;
        }
        if (!d->profile || needs_version(d, schema)) {
            d->want = (struct wanted){ start, registers, blocking };
            return next_step(d);
        }
    }
    return issue(d, start, registers, raw, blocking, PRE_NONE);
}

int bluetti_device_submit_read(bluetti_device *d, uint16_t block, uint16_t registers)
{
    if (!d) return BLUETTI_E_INVAL;
    int rc = start_request(d, block, registers, false, false);
    if (rc == 0) {
        flush_work(d->s); /* send now; the reply comes through process() */
        sync_fd(d->s);    /* the transport may want POLLOUT now */
    }
    return rc;
}

bool bluetti_device_busy(const bluetti_device *d)
{
    return d && d->p.st != P_IDLE;
}

/* Drive the session until d's blocking request is done. */
static int wait_done(bluetti_device *d)
{
    while (d->p.st != P_DONE) {
        int rc = bluetti_session_process(d->s, -1);
        if (rc < 0) {
            stop_timer(d);
            d->p.st = P_IDLE;
            set_detail(d, rc, NULL);
            return rc;
        }
    }
    d->p.st = P_IDLE;
    return d->p.err;
}

int bluetti_device_read_block(bluetti_device *d, uint16_t block, uint16_t registers,
                              const bluetti_result **out)
{
    if (out) *out = NULL;
    if (!d) return BLUETTI_E_INVAL;
    int rc = start_request(d, block, registers, false, true);
    if (rc) return rc;
    rc = wait_done(d);
    /* a short strict block still hands back its warnings */
    if (out && (rc == 0 || rc == BLUETTI_E_SHORT)) *out = d->p.result;
    return rc;
}

int bluetti_device_read_raw(bluetti_device *d, uint16_t start, uint16_t registers, uint8_t *buf,
                            size_t cap, size_t *len)
{
    if (len) *len = 0;
    if (!d || !buf || registers == 0) return BLUETTI_E_INVAL;
    int rc = start_request(d, start, registers, true, true);
    if (rc) return rc;
    rc = wait_done(d);
    if (rc) return rc;
    size_t n = (size_t)registers * 2;
    if (n > cap) n = cap;
    memcpy(buf, d->buf, n);
    if (len) *len = n; /* what was written, not what was read */
    return 0;
}

int bluetti_device_read_group(bluetti_device *d, const char *group, bluetti_read_cb cb,
                              void *userdata)
{
    if (!d || !group) return BLUETTI_E_INVAL;
    if (!d->profile) {
        /* the groups are the model's: find out which model this is */
        const bluetti_profile *src = model_source(d->s->reg);
        int rc = src ? bluetti_device_read_block(d, src->model_block, 0, NULL)
                     : BLUETTI_E_UNSUPPORTED;
        if (rc) return rc;
    }
    const bluetti_block_group *g = bluetti_profile_group(d->profile, group);
    if (!g) return BLUETTI_E_NOTFOUND;
    int last = 0;
    for (uint16_t i = 0; i < g->n_blocks; i++) {
        const bluetti_result *r = NULL;
        int rc = bluetti_device_read_block(d, g->blocks[i], 0, &r);
        if (rc) last = rc;
        if (cb) cb(userdata, d, g->blocks[i], rc, rc ? NULL : r);
    }
    return last;
}

/* ---- device state --------------------------------------------------------- */

const char *bluetti_device_address(const bluetti_device *d) { return d ? d->address : NULL; }
const bluetti_profile *bluetti_device_profile(const bluetti_device *d) { return d ? d->profile : NULL; }
bluetti_session *bluetti_device_session(const bluetti_device *d) { return d ? d->s : NULL; }

uint16_t bluetti_device_protocol_version(const bluetti_device *d)
{
    if (!d) return 0;
    if (d->version_override) return d->version_override;
    if (d->version_detected) return d->version_detected;
    return d->profile ? d->profile->protocol_version : 0;
}

void bluetti_device_set_protocol_version(bluetti_device *d, uint16_t version)
{
    if (d) d->version_override = version;
}

int bluetti_device_detect_protocol_version(bluetti_device *d)
{
    if (!d) return BLUETTI_E_INVAL;
    if (!d->profile) {
        const bluetti_profile *src = model_source(d->s->reg);
        int rc = src ? bluetti_device_read_block(d, src->model_block, 0, NULL)
                     : BLUETTI_E_UNSUPPORTED;
        if (rc) return rc;
        if (d->version_detected) return 0; /* that read found it out as well */
    }
    const bluetti_profile *p = d->profile;
    if (!p->version_block) return BLUETTI_E_UNSUPPORTED;
    uint16_t regs = (uint16_t)(p->version_offset / 2 + 1);
    uint8_t buf[2 * 256];
    size_t len = 0;
    if (regs > 256) return BLUETTI_E_SCHEMA;
    int rc = bluetti_device_read_raw(d, p->version_block, regs, buf, sizeof buf, &len);
    if (rc) return rc;
    size_t off = p->version_offset & ~(size_t)1;
    uint16_t v = (uint16_t)(buf[off] << 8 | buf[off + 1]);
    if (v == 0 || v == 0xFFFF) {
        bt_fmt(d->detail, sizeof d->detail,
               "block %u offset %u reports protocol version %u, which is not plausible",
               (unsigned)p->version_block, (unsigned)p->version_offset, (unsigned)v);
        return BLUETTI_E_BAD_VALUE;
    }
    d->version_detected = v;
    return 0;
}

const bluetti_result *bluetti_device_last(const bluetti_device *d, uint16_t block)
{
    if (!d) return NULL;
    for (size_t i = 0; i < d->n_states; i++)
        if (d->states[i].block == block) return d->states[i].result;
    return NULL;
}

const char *bluetti_device_error_detail(const bluetti_device *d)
{
    return d ? d->detail : "";
}

int bluetti_device_last_error(const bluetti_device *d, bluetti_error_info *err)
{
    if (!d) {
        fill_error(err, NULL, BLUETTI_E_INVAL, "no device");
        return BLUETTI_E_INVAL;
    }
    fill_error(err, d->s->ops, d->last_code, d->detail);
    return d->last_code;
}

int bluetti_device_set_modbus_address(bluetti_device *d, unsigned address)
{
    if (!d || address > 247) return BLUETTI_E_INVAL;
    if (d->p.st != P_IDLE) return BLUETTI_E_BUSY;
    d->modbus_address = (uint8_t)address;
    return 0;
}

unsigned bluetti_device_modbus_address(const bluetti_device *d)
{
    return d ? d->modbus_address : 0;
}
