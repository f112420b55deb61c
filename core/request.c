/* The per-device request state machine: a read is issued (after the
 * model and protocol-version pre-reads it needs), sent in chunks of at
 * most 125 registers, retried on transient errors and timeouts with the
 * session's retry policy, decoded when complete and reported once. Every
 * state change happens from bluetti_session_process() or a submit call;
 * the transport's events arrive through reply_match.c and session.c. */
#include "config.h"

#include "modbus_int.h"
#include "reply_match.h"
#include "request.h"
#include "session_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- work list and timers -------------------------------------------------- */

void bt_request_enqueue(bluetti_device *d)
{
    bluetti_session *s = d->s;
    if (d->queued) return;
    s->work[s->n_work++] = d; /* room for every device, see bluetti_session_add_device */
    d->queued = true;
}

/* Enter a waiting state with a deadline (a timer for d). */
static void wait_until(bluetti_device *d, enum bt_pstate st, double deadline)
{
    d->p.st = st;
    d->p.deadline = deadline;
    bt_timer_heap_set(&d->s->timers, d);
}

/* Leave a waiting state: drop d's timer, if any. */
static void stop_timer(bluetti_device *d)
{
    bt_timer_heap_remove(&d->s->timers, d);
}

/* ---- life cycle ------------------------------------------------------------- */


static void set_detail(bluetti_device *d, int err, const char *extra)
{
    d->last_code = err;
    d->remedy = NULL;
    if (err == 0) {
        d->detail[0] = '\0';
        return;
    }
    /* the caller knows which block it asked for; say what went wrong */
    bt_fmt(d->detail, sizeof d->detail, "%s%s%s%s", bluetti_strerror(err), extra ? " (" : "",
           extra ? extra : "", extra ? ")" : "");
}

static int after_prelude(bluetti_device *d, int err, char *extra, size_t extra_len);

void bt_request_finish(bluetti_device *d, int err, const char *extra)
{
    stop_timer(d);
    if (d->w.phase != W_NONE) {
        /* a step of a write sequence ended: write.c goes on or ends it */
        bt_write_read_done(d, err, extra);
        return;
    }
    char why[256];
    if (d->p.prelude != PRE_NONE) {
        /* a prelude read ended: go on with the read it stands in front of,
         * or fail that read with what the prelude learnt */
        bt_strlcpy(why, extra ? extra : "", sizeof why);
        err = after_prelude(d, err, why, sizeof why);
        if (err > 0) return; /* the next request is queued */
        extra = why[0] ? why : NULL;
    }
    bt_request_done(d, err, extra);
}

void bt_request_done(bluetti_device *d, int err, const char *extra)
{
    stop_timer(d);
    d->p.st = P_DONE;
    d->p.err = err;
    set_detail(d, err, extra);
    bt_request_enqueue(d);
}

static bluetti_result *state_result(bluetti_device *d, const bluetti_block_schema *schema)
{
    for (size_t i = 0; i < d->n_states; i++)
        if (d->states[i].block == schema->id) return d->states[i].result;
    if (d->n_states == d->cap_states) {
        size_t nc = d->cap_states ? d->cap_states * 2 : 4;
        struct bt_block_state *nv = realloc(d->states, nc * sizeof *nv);
        if (!nv) return NULL;
        d->states = nv;
        d->cap_states = nc;
    }
    bluetti_result *r = NULL;
    if (bluetti_result_new_for_profile(schema, d->profile, &r, d->detail, sizeof d->detail) != 0)
        return NULL;
    d->states[d->n_states++] = (struct bt_block_state){ schema->id, r };
    return r;
}

static void complete_payload(bluetti_device *d)
{
    struct bt_pending *p = &d->p;
    size_t len = (size_t)p->total_regs * 2;
    if (p->raw) {
        bt_request_finish(d, 0, NULL);
        return;
    }
    const bluetti_block_schema *schema = bluetti_registry_find_block(d->s->reg, p->block);
    bluetti_result *r = schema ? state_result(d, schema) : NULL;
    if (!r) {
        bt_request_finish(d, schema ? BLUETTI_E_NOMEM : BLUETTI_E_NO_SCHEMA, NULL);
        return;
    }
    int rc = bluetti_decode(r, d->buf, len, bluetti_device_protocol_version(d));
    p->result = r;
    if (rc != 0) {
        const char *w = bluetti_result_warning_count(r) ? bluetti_result_warning(r, 0) : NULL;
        bt_request_finish(d, rc, w);
        return;
    }
    bt_request_finish(d, 0, NULL);
}

void bt_request_retry(bluetti_device *d, int err, double now)
{
    struct bt_pending *p = &d->p;
    if (d->w.phase == W_SEND) {
        /* a write is never resent: the read-back decides */
        stop_timer(d);
        bt_write_lost(d, err);
        return;
    }
    p->last_err = err;
    if (p->attempt >= d->s->cfg.retry.max_attempts) {
        char extra[64];
        bt_fmt(extra, sizeof extra, "gave up after %u attempt%s", p->attempt,
               p->attempt == 1 ? "" : "s");
        bt_request_finish(d, err, extra);
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
    struct bt_pending *p = &d->p;
    uint8_t rframe[BLUETTI_MODBUS_REQUEST_LEN];
    const uint8_t *frame = rframe;
    size_t len = sizeof rframe;
    uint16_t start = (uint16_t)(p->block + p->done_regs);
    p->chunk_regs = (uint16_t)(p->total_regs - p->done_regs);
    if (p->chunk_regs > BLUETTI_MODBUS_MAX_REGISTERS) p->chunk_regs = BLUETTI_MODBUS_MAX_REGISTERS;
    if (d->w.phase == W_SEND) {
        frame = d->w.frame; /* built (and addressed) when the write started */
        len = d->w.frame_len;
    } else {
        bluetti_modbus_build_read(d->modbus_address, start, p->chunk_regs, rframe);
    }
    p->attempt++;
    if (s->trace) s->trace(s->trace_ud, d, true, frame, len);
    s->stats.requests++;
    int rc = s->ops->submit(s->tstate, d->address, frame, len);
    if (rc == 0 && d->w.phase == W_SEND) d->w.res.sent = true;
    if (rc == 0) {
        wait_until(d, P_WAIT_REPLY, now + s->cfg.timeout_s);
    } else if (bluetti_err_is_transient(rc)) {
        bt_request_retry(d, rc, now);
    } else {
        bt_request_finish(d, rc, NULL);
    }
}

/* Timeouts and due retries: the devices at the top of the heap. */
void bt_request_check_deadlines(bluetti_session *s, double now)
{
    while (s->timers.n > 0 && now >= s->timers.items[0]->p.deadline) {
        bluetti_device *d = s->timers.items[0];
        struct bt_pending *p = &d->p;
        if (p->st == P_WAIT_REPLY) {
            s->stats.timeouts++;
            bt_reply_remember_stale(d, now);
            bt_request_retry(d, BLUETTI_E_TIMEOUT, now); /* a new deadline, or finish() */
        } else {
            stop_timer(d);
            p->st = P_NEED_SEND;
        }
        bt_request_enqueue(d);
    }
}

/* Send what is due and report what completed. */
void bt_request_flush(bluetti_session *s)
{
    /* the list may grow while we walk it (a callback submits again) */
    for (size_t i = 0; i < s->n_work; i++) {
        bluetti_device *d = s->work[i];
        d->queued = false;
        struct bt_pending *p = &d->p;
        if (p->st == P_NEED_SEND) {
            send_chunk(d, bt_session_now());
        }
        if (p->st == P_DONE && !p->blocking && d->w.done) {
            p->st = P_IDLE;
            d->w.done = false;
            s->completions++;
            if (s->wcb) s->wcb(s->wcb_ud, d, &d->w.res);
        } else if (p->st == P_DONE && !p->blocking) {
            p->st = P_IDLE;
            s->completions++;
            if (s->cb) s->cb(s->cb_ud, d, p->block, p->err, p->err ? NULL : p->result);
        } else if (p->st == P_DONE) {
            s->completions++;
        }
    }
    s->n_work = 0;
}

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
const bluetti_profile *bt_model_source(const bluetti_registry *reg)
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
                 enum bt_prelude pre)
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
    d->p = (struct bt_pending){ .st = P_NEED_SEND, .raw = raw, .blocking = blocking,
                             .block = start, .total_regs = registers, .prelude = pre };
    d->detail[0] = '\0';
    bt_request_enqueue(d);
    return 0;
}

/* The next request for the wanted read: find out the model, then the
 * protocol version if the block needs it, then the read itself. */
static int next_step(bluetti_device *d)
{
    const struct bt_wanted *w = &d->want;
    if (!d->profile) {
        const bluetti_profile *src = bt_model_source(d->s->reg);
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

/* The model block's result was made before the model was known: the
 * generic layout, no protocol version. Kept, it would decode every later
 * read of that block so (an Elite 200 V2's pack voltage ten times too
 * high): made again as the model decodes it, from the bytes just read. */
static int remake_model_result(bluetti_device *d, char *why, size_t why_len)
{
    struct bt_pending *p = &d->p;
    const bluetti_block_schema *schema = bluetti_registry_find_block(d->s->reg, p->block);
    for (size_t i = 0; schema && i < d->n_states; i++) {
        if (d->states[i].block != p->block) continue;
        bluetti_result *r = NULL;
        int rc = bluetti_result_new_for_profile(schema, d->profile, &r, why, why_len);
        if (rc) return rc;
        /* (it decoded before; a warning now is the model's to report on
         * its next read, not a reason to fail the detection) */
        (void)bluetti_decode(r, d->buf, (size_t)p->total_regs * 2, bluetti_device_protocol_version(d));
        bluetti_result_free(d->states[i].result);
        d->states[i].result = r;
        p->result = r;
    }
    return 0;
}

/* What the model read found: 0 with d->profile set, or an error. */
static int take_model(bluetti_device *d, char *why, size_t why_len)
{
    const bluetti_profile *src = bt_model_source(d->s->reg);
    const bluetti_value *v = d->p.result && src ? bluetti_result_find(d->p.result, src->model_field)
                                                : NULL;
    if (!v || v->kind != BLUETTI_VAL_TEXT || !v->v.s || !*v->v.s) {
        bt_fmt(why, why_len, "detecting the model: block %u field %s holds no model name",
               (unsigned)d->p.block, src ? src->model_field : "?");
        return BLUETTI_E_BAD_VALUE;
    }
    const bluetti_profile *prof = bluetti_registry_detect_profile(d->s->reg, v->v.s);
    if (!prof) {
        bt_fmt(why, why_len, "the device reports model '%s', which no loaded profile knows", v->v.s);
        return BLUETTI_E_NOTFOUND;
    }
    d->profile = prof;
    int rc = remake_model_result(d, why, why_len);
    if (rc) {
        /* (out of memory) undetected again: the next read detects anew
         * rather than keep the generic layout's result for good */
        d->profile = NULL;
        return rc;
    }
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
    enum bt_prelude pre = d->p.prelude;
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

int bt_request_issue_raw(bluetti_device *d, uint16_t start, uint16_t registers, bool blocking)
{
    return issue(d, start, registers, true, blocking, PRE_NONE);
}

int bt_request_start(bluetti_device *d, uint16_t start, uint16_t registers, bool raw,
                         bool blocking)
{
    if (d->p.st != P_IDLE) return BLUETTI_E_BUSY;
    if (!raw) {
        const bluetti_block_schema *schema = bluetti_registry_find_block(d->s->reg, start);
        if (!schema) {
            bt_fmt(d->detail, sizeof d->detail, "block %u: no schema is registered for it",
                   (unsigned)start);
            d->last_code = BLUETTI_E_NO_SCHEMA;
            d->remedy = NULL;
            return BLUETTI_E_NO_SCHEMA;
        }
        if (!d->profile || needs_version(d, schema)) {
            d->want = (struct bt_wanted){ start, registers, blocking };
            return next_step(d);
        }
    }
    return issue(d, start, registers, raw, blocking, PRE_NONE);
}

/* Drive the session until d's blocking request is done. */
int bt_request_wait(bluetti_device *d)
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


void bt_request_on_reply(bluetti_device *d, const struct bt_reply_verdict *v)
{
    struct bt_pending *p = &d->p;
    if (d->w.phase == W_SEND) {
        stop_timer(d);
        bt_write_on_reply(d, v->rc, v->rep.exception_code);
        return;
    }
    if (v->rc == BLUETTI_E_EXCEPTION) {
        char extra[96];
        bt_fmt(extra, sizeof extra, "exception %u: %s", (unsigned)v->rep.exception_code,
               bluetti_modbus_exception_text(v->rep.exception_code));
        bt_request_finish(d, v->rc, extra);
        return;
    }
    if (v->rc != 0) {
        bt_request_finish(d, v->rc, v->rc == BLUETTI_E_FRAME ? v->rep.why : NULL);
        return;
    }
    memcpy(d->buf + (size_t)p->done_regs * 2, v->rep.payload, v->rep.payload_len);
    p->done_regs = (uint16_t)(p->done_regs + p->chunk_regs);
    if (p->done_regs < p->total_regs) {
        p->attempt = 0;
        stop_timer(d);
        p->st = P_NEED_SEND;
        bt_request_enqueue(d);
        return;
    }
    complete_payload(d);
}

void bt_request_free_states(bluetti_device *d)
{
    for (size_t i = 0; i < d->n_states; i++) bluetti_result_free(d->states[i].result);
    free(d->states);
    d->states = NULL;
    d->n_states = d->cap_states = 0;
}
