/* The session object: its transport, its devices, its epoll fd, and the
 * public entry points of sessions and devices. The mechanisms behind them
 * have files of their own: request.c (the per-device request state
 * machine), reply_match.c (which request a frame answers), timer_heap.c
 * (deadlines), address_index.c (address -> device), clock.c (now).
 *
 * Everything is driven from bluetti_session_process(). Transport events
 * only update state; frames are sent and user callbacks run after the
 * transport's process() returns, so neither the transport nor the user
 * is ever re-entered from inside the other.
 */
#include "config.h"

#include "modbus_int.h"
#include "reply_match.h"
#include "request.h"
#include "session_int.h"
#include "bt_address.h"

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

static bluetti_device *find_device(const bluetti_session *s, const char *address)
{
    return bt_address_index_find(&s->index, s->devs, address);
}

/* ---- transport events ------------------------------------------------------- */

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
    struct bt_reply_verdict v;
    if (bt_reply_match(d, f, len, bt_session_now(), &v)) bt_request_on_reply(d, &v);
}

static void on_disconnect(bluetti_session *s, int err)
{
    double now = bt_session_now();
    if (err == 0) err = BLUETTI_E_DISCONNECTED;
    bluetti_log(s->log, BLUETTI_LOG_WARN, "session", "connection lost: %s", bluetti_strerror(err));
    s->last_code = err;
    bt_fmt(s->last_detail, sizeof s->last_detail, "connection lost: %s; reconnecting",
           bluetti_strerror(err));
    /* fail fast: every waiting request fails now instead of at its timeout */
    for (size_t i = 0; i < s->n_devs; i++) {
        bluetti_device *d = s->devs[i];
        if (d->p.st == P_WAIT_REPLY) {
            bt_request_retry(d, BLUETTI_E_DISCONNECTED, now);
            bt_request_enqueue(d);
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
            if (bluetti_err_is_transient(err)) bt_request_retry(d, err, bt_session_now());
            else bt_request_finish(d, err, NULL);
            bt_request_enqueue(d);
        }
        break;
    }
    default:
        break;
    }
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
void bt_session_sync_fd(bluetti_session *s)
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
    bt_session_sync_fd(s);
    return rc;
}

static int process_once(bluetti_session *s, int timeout_ms)
{
    double start = bt_session_now();
    double end = timeout_ms < 0 ? INFINITY : start + timeout_ms / 1000.0;
    s->completions = 0;
    for (;;) {
        double now = bt_session_now();
        bt_request_check_deadlines(s, now);
        bt_request_flush(s);
        if (s->completions) return 0;
        int limit = -1;
        if (timeout_ms >= 0) {
            double left = (end - now) * 1000.0;
            limit = left <= 0 ? 0 : (int)ceil(left);
        }
        int wait = wait_ms_until(s, limit);
        int rc = s->ops->process(s->tstate, wait);
        if (rc < 0) return rc;
        bt_request_flush(s);
        if (s->completions) return 0;
        now = bt_session_now();
        if (timeout_ms == 0 || now >= end) {
            bt_request_check_deadlines(s, now);
            bt_request_flush(s);
            return 0;
        }
    }
}

int bluetti_session_next_timeout_ms(const bluetti_session *s)
{
    if (!s) return -1;
    if (s->n_work > 0) return 0; /* something to send or report */
    int next = -1;
    const bluetti_device *top = bt_timer_heap_top(&s->timers);
    if (top) {
        double ms = (top->p.deadline - bt_session_now()) * 1000.0;
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
    bt_session_sync_fd(s);
    *out = s;
    return 0;
}

static void device_free(bluetti_device *d)
{
    bt_request_free_states(d);
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
    bt_address_index_free(&s->index);
    free(s->work);
    free(s->timers.items);
    if (s->epfd >= 0) close(s->epfd);
    free(s);
}

int bluetti_session_discover(bluetti_session *s, double timeout_s, bluetti_discover_cb found,
                             void *userdata)
{
    if (!s || !found || !(timeout_s >= 0)) return BLUETTI_E_INVAL;
    if (!s->ops->discover) return BLUETTI_E_UNSUPPORTED;
    return s->ops->discover(s->tstate, timeout_s, found, userdata);
}

int bluetti_session_add_device(bluetti_session *s, const char *address, const char *model,
                               bluetti_device **out)
{
    if (out) *out = NULL;
    if (!s) return BLUETTI_E_INVAL;
    if (!bt_address_valid(address)) return BLUETTI_E_INVAL;
    const bluetti_profile *prof = NULL;
    if (model) {
        prof = bluetti_registry_find_profile(s->reg, model);
        if (!prof) return BLUETTI_E_NOTFOUND;
    } else if (!bt_model_source(s->reg)) {
        return BLUETTI_E_UNSUPPORTED; /* no loaded profile says where a device names its model */
    }
    if (find_device(s, address)) return BLUETTI_E_EXISTS;
    if (s->n_devs == s->cap_devs) {
        /* devs, work and timers grow together: each holds a device at most once */
        size_t nc = s->cap_devs ? s->cap_devs * 2 : 8;
        bluetti_device ***lists[] = { &s->devs, &s->work, &s->timers.items };
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
    int hrc = bt_address_index_add(&s->index, s->devs, s->n_devs);
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

int bluetti_device_submit_read(bluetti_device *d, uint16_t block, uint16_t registers)
{
    if (!d) return BLUETTI_E_INVAL;
    int rc = bt_request_start(d, block, registers, false, false);
    if (rc == 0) {
        bt_request_flush(d->s); /* send now; the reply comes through process() */
        bt_session_sync_fd(d->s);    /* the transport may want POLLOUT now */
    }
    return rc;
}

bool bluetti_device_busy(const bluetti_device *d)
{
    return d && d->p.st != P_IDLE;
}

int bluetti_device_read_block(bluetti_device *d, uint16_t block, uint16_t registers,
                              const bluetti_result **out)
{
    if (out) *out = NULL;
    if (!d) return BLUETTI_E_INVAL;
    int rc = bt_request_start(d, block, registers, false, true);
    if (rc) return rc;
    rc = bt_request_wait(d);
    /* a short strict block still hands back its warnings */
    if (out && (rc == 0 || rc == BLUETTI_E_SHORT)) *out = d->p.result;
    return rc;
}

int bluetti_device_read_raw(bluetti_device *d, uint16_t start, uint16_t registers, uint8_t *buf,
                            size_t cap, size_t *len)
{
    if (len) *len = 0;
    if (!d || !buf || registers == 0) return BLUETTI_E_INVAL;
    int rc = bt_request_start(d, start, registers, true, true);
    if (rc) return rc;
    rc = bt_request_wait(d);
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
        const bluetti_profile *src = bt_model_source(d->s->reg);
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
        const bluetti_profile *src = bt_model_source(d->s->reg);
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
    if (err && d->remedy) bt_strlcpy(err->remedy, d->remedy, sizeof err->remedy);
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
