/* Guarded writes: read the registers, write them once, read them back
 * (docs/CONTROL.md, docs/protocol/writes.md). The three steps run on the
 * device's ordinary request machine (request.c), so a write shares the
 * reads' transport path, envelope, Modbus address, deadlines and the
 * one-request-in-flight rule; request.c hands each step's end to this file
 * while d->w.phase is set. A write is never resent: when its reply does
 * not come (or does not echo it), the read-back says whether it took
 * effect. */
#include "config.h"

#include "request.h"
#include "session_int.h"

#include <string.h>
#include <strings.h>

const char *bluetti_write_outcome_name(int outcome)
{
    switch (outcome) {
    case BLUETTI_WRITE_APPLIED: return "applied";
    case BLUETTI_WRITE_NOT_APPLIED: return "not_applied";
    case BLUETTI_WRITE_UNKNOWN: return "unknown";
    default: return "?";
    }
}

/* Every register of [start, start + count) belongs to a field that a
 * registered schema declares writable. */
static bool declared_writable(const bluetti_registry *reg, uint16_t start, uint16_t count)
{
    size_t nb = bluetti_registry_block_count(reg);
    for (uint32_t r = start; r < (uint32_t)start + count; r++) {
        bool found = false;
        for (size_t b = 0; b < nb && !found; b++) {
            const bluetti_block_schema *s = bluetti_registry_block_at(reg, b);
            for (uint16_t i = 0; s && i < s->n_fields && !found; i++)
                found = s->fields[i].write && s->fields[i].write->reg == r;
        }
        if (!found) return false;
    }
    return true;
}

static const char *name_of(const bluetti_device *d, uint16_t raw)
{
    return bt_write_name_of(d->w.read_names, raw);
}

static const char *outcome_words(bluetti_write_outcome outcome)
{
    return outcome == BLUETTI_WRITE_APPLIED ? "applied"
         : outcome == BLUETTI_WRITE_NOT_APPLIED ? "not applied" : "outcome unknown";
}

/* End the write: its verdict is in d->w.res. */
static void finish(bluetti_device *d, const char *extra)
{
    struct bt_write *w = &d->w;
    w->phase = W_NONE;
    w->done = true;
    char why[200];
    const bluetti_write_result *r = &w->res;
    if (r->reply_err && r->reply_err != r->err)
        bt_fmt(why, sizeof why, "write of register %u: %s; %s%s%s", (unsigned)r->start,
               bluetti_strerror(r->reply_err), outcome_words(r->outcome),
               extra ? ": " : "", extra ? extra : "");
    else
        bt_fmt(why, sizeof why, "write of register %u: %s%s%s", (unsigned)r->start,
               outcome_words(r->outcome), extra ? ": " : "", extra ? extra : "");
    bt_request_done(d, r->err, r->err ? why : NULL);
}

/* Queue a raw read of the written registers (the read before or after). */
static void read_registers(bluetti_device *d, enum bt_wphase phase)
{
    struct bt_write *w = &d->w;
    w->phase = phase;
    int rc = bt_request_issue_raw(d, w->res.start, w->res.count, w->blocking);
    if (rc) bt_write_read_done(d, rc, NULL);
}

static bool took_effect(const bluetti_device *d)
{
    const struct bt_write *w = &d->w;
    const bluetti_write_result *r = &w->res;
    if (w->want_name && w->read_names) {
        const char *got = name_of(d, r->after[0]);
        return got && strcasecmp(got, w->want_name) == 0;
    }
    return memcmp(r->after, r->written, (size_t)r->count * sizeof r->after[0]) == 0;
}

void bt_write_read_done(bluetti_device *d, int err, const char *extra)
{
    struct bt_write *w = &d->w;
    bluetti_write_result *r = &w->res;
    size_t n = (size_t)r->count;
    switch (w->phase) {
    case W_BEFORE:
        if (err) {
            /* never write what could not be read first */
            r->err = err;
            r->outcome = BLUETTI_WRITE_NOT_APPLIED;
            finish(d, extra ? extra : "the read before the write failed; nothing was sent");
            return;
        }
        for (size_t i = 0; i < n; i++)
            r->before[i] = (uint16_t)(d->buf[2 * i] << 8 | d->buf[2 * i + 1]);
        r->have_before = true;
        r->before_name = w->read_names ? name_of(d, r->before[0]) : NULL;
        w->phase = W_SEND;
        int rc = bt_request_issue_raw(d, r->start, r->count, w->blocking);
        if (rc) {
            r->err = rc;
            r->outcome = BLUETTI_WRITE_NOT_APPLIED;
            finish(d, NULL);
        }
        return;
    case W_SEND:
        /* the submit failed for good (or the link reported an error for
         * it): the frame may have gone out, so read back */
        bt_write_lost(d, err);
        return;
    case W_VERIFY:
        if (err) {
            /* an echo is the device's word that it took the value */
            r->outcome = r->sent && r->reply_err == 0 ? BLUETTI_WRITE_APPLIED
                                                      : BLUETTI_WRITE_UNKNOWN;
            r->err = r->outcome == BLUETTI_WRITE_APPLIED ? 0 : r->reply_err ? r->reply_err : err;
            finish(d, "the read-back failed");
            return;
        }
        for (size_t i = 0; i < n; i++)
            r->after[i] = (uint16_t)(d->buf[2 * i] << 8 | d->buf[2 * i + 1]);
        r->have_after = true;
        r->after_name = w->read_names ? name_of(d, r->after[0]) : NULL;
        if (took_effect(d)) {
            r->outcome = BLUETTI_WRITE_APPLIED;
            r->err = 0;
            finish(d, NULL);
        } else {
            r->outcome = BLUETTI_WRITE_NOT_APPLIED;
            r->err = BLUETTI_E_NOT_APPLIED;
            finish(d, "the read-back shows another value");
        }
        return;
    case W_NONE:
    default:
        bt_request_done(d, err, extra);
        return;
    }
}

void bt_write_on_reply(bluetti_device *d, int rc, uint8_t exception_code)
{
    bluetti_write_result *r = &d->w.res;
    r->reply_err = rc;
    if (rc == BLUETTI_E_EXCEPTION) {
        /* the device refused: a Modbus exception means nothing was done */
        r->exception_code = exception_code;
        r->err = rc;
        r->outcome = BLUETTI_WRITE_NOT_APPLIED;
        char extra[200];
        bt_fmt(extra, sizeof extra, "exception %u: %s", (unsigned)exception_code,
               bluetti_modbus_exception_text(exception_code));
        finish(d, extra);
        d->remedy = bluetti_modbus_write_exception_remedy(exception_code);
        return;
    }
    /* the echo, or a reply that does not echo it: read back either way */
    read_registers(d, W_VERIFY);
}

void bt_write_lost(bluetti_device *d, int err)
{
    d->w.res.reply_err = err;
    bluetti_log(d->s->log, BLUETTI_LOG_INFO, "session",
                "%s: write of register %u: %s; reading it back instead of writing again",
                d->address, (unsigned)d->w.res.start, bluetti_strerror(err));
    read_registers(d, W_VERIFY);
}

/* ---- starting a write ------------------------------------------------------ */

static int start_write(bluetti_device *d, uint16_t start, const uint16_t *values, uint16_t count,
                       bool blocking, const bluetti_enum_name *read_names, const char *want)
{
    if (d->p.st != P_IDLE) return BLUETTI_E_BUSY;
    if (!values || count < 1 || count > BLUETTI_WRITE_MAX_REGISTERS ||
        (uint32_t)start + count > 0x10000u)
        return BLUETTI_E_INVAL;
    if (!declared_writable(d->s->reg, start, count)) {
        bt_fmt(d->detail, sizeof d->detail, "registers %u..%u: no loaded block declares them "
               "writable", (unsigned)start, (unsigned)(start + count - 1));
        d->last_code = BLUETTI_E_NOT_WRITABLE;
        d->remedy = NULL;
        return BLUETTI_E_NOT_WRITABLE;
    }
    struct bt_write *w = &d->w;
    memset(w, 0, sizeof *w);
    w->blocking = blocking;
    w->read_names = read_names;
    w->want_name = want;
    bluetti_write_result *r = &w->res;
    r->start = start;
    r->count = count;
    r->written_name = want;
    memcpy(r->written, values, (size_t)count * sizeof values[0]);
    int rc = bluetti_modbus_build_write(d->modbus_address, start, values, count, w->frame,
                                        sizeof w->frame, &w->frame_len);
    if (rc) return rc;
    w->phase = W_BEFORE;
    rc = bt_request_issue_raw(d, start, count, blocking);
    if (rc) w->phase = W_NONE;
    return rc;
}

/* A field write, found, checked and parsed. */
struct set_plan {
    uint16_t reg, raw;
    const bluetti_enum_name *names;  /* read-back names on this model (named values) */
    const char *want;                /* the name written, or NULL */
};

static int prepare_set(bluetti_device *d, uint16_t block, const char *field, const char *value,
                       struct set_plan *pl)
{
    *pl = (struct set_plan){ 0 };
    if (!d) return BLUETTI_E_INVAL;
    if (d->p.st != P_IDLE) return BLUETTI_E_BUSY;
    const bluetti_block_schema *s = bluetti_registry_find_block(d->s->reg, block);
    if (!s) {
        bt_fmt(d->detail, sizeof d->detail, "block %u: no schema is registered for it",
               (unsigned)block);
        d->last_code = BLUETTI_E_NO_SCHEMA;
        d->remedy = NULL;
        return BLUETTI_E_NO_SCHEMA;
    }
    int k = field ? bluetti_schema_field_index(s, field) : -1;
    if (k < 0) {
        bt_fmt(d->detail, sizeof d->detail, "block %u has no field '%s'", (unsigned)block,
               field ? field : "(none)");
        d->last_code = BLUETTI_E_NOTFOUND;
        d->remedy = NULL;
        return BLUETTI_E_NOTFOUND;
    }
    const bluetti_field *f = &s->fields[k];
    int rc = bluetti_field_parse_write(s, f, value, &pl->reg, &pl->raw, d->detail,
                                       sizeof d->detail);
    if (rc) {
        d->last_code = rc;
        d->remedy = NULL;
        return rc;
    }
    pl->want = f->write->values ? bt_write_name_of(f->write->values, pl->raw) : NULL;
    pl->names = pl->want ? bt_write_read_names(d->profile, block, f) : NULL;
    return 0;
}

/* The verdict on a write refused before anything was sent. */
static int refused(bluetti_write_result *out, int rc)
{
    if (out) {
        memset(out, 0, sizeof *out);
        out->err = rc;
        out->outcome = BLUETTI_WRITE_NOT_APPLIED;
    }
    return rc;
}

static int submit(bluetti_device *d, uint16_t start, const uint16_t *values, uint16_t count,
                  const bluetti_enum_name *names, const char *want)
{
    int rc = start_write(d, start, values, count, false, names, want);
    if (rc == 0) {
        bt_request_flush(d->s); /* send now; the rest comes through process() */
        bt_session_sync_fd(d->s);
    }
    return rc;
}

static int run(bluetti_device *d, uint16_t start, const uint16_t *values, uint16_t count,
               const bluetti_enum_name *names, const char *want, bluetti_write_result *out)
{
    int rc = start_write(d, start, values, count, true, names, want);
    if (rc == 0) {
        rc = bt_request_wait(d);
        d->w.done = false;
        if (d->w.phase != W_NONE) {
            /* the transport failed for good mid-way: whatever was sent is unknown */
            d->w.phase = W_NONE;
            d->w.res.err = rc;
            d->w.res.outcome = d->w.res.sent ? BLUETTI_WRITE_UNKNOWN : BLUETTI_WRITE_NOT_APPLIED;
        }
        if (out) *out = d->w.res;
        return rc;
    }
    return refused(out, rc);
}

int bluetti_device_submit_write(bluetti_device *d, uint16_t start, const uint16_t *values,
                                uint16_t count)
{
    if (!d) return BLUETTI_E_INVAL;
    return submit(d, start, values, count, NULL, NULL);
}

int bluetti_device_write(bluetti_device *d, uint16_t start, const uint16_t *values,
                         uint16_t count, bluetti_write_result *out)
{
    if (!d) return BLUETTI_E_INVAL;
    return run(d, start, values, count, NULL, NULL, out);
}

int bluetti_device_submit_set(bluetti_device *d, uint16_t block, const char *field,
                              const char *value)
{
    struct set_plan pl;
    int rc = prepare_set(d, block, field, value, &pl);
    return rc ? rc : submit(d, pl.reg, &pl.raw, 1, pl.names, pl.want);
}

int bluetti_device_set(bluetti_device *d, uint16_t block, const char *field, const char *value,
                       bluetti_write_result *out)
{
    struct set_plan pl;
    int rc = prepare_set(d, block, field, value, &pl);
    if (rc) return refused(out, rc);
    return run(d, pl.reg, &pl.raw, 1, pl.names, pl.want, out);
}

void bluetti_session_set_write_callback(bluetti_session *s, bluetti_write_cb cb, void *userdata)
{
    if (!s) return;
    s->wcb = cb;
    s->wcb_ud = userdata;
}
