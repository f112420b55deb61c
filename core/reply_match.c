/* Which outstanding request a reply frame answers. The wire carries no
 * request id: a frame is taken for the device's current request only
 * when it fits it (one framing verdict, bluetti_modbus_parse_reply via
 * bt_modbus_judge_reply) and could not be the late answer to a request
 * abandoned after a timeout. */
#include "config.h"

#include "modbus_int.h"
#include "reply_match.h"
#include "session_int.h"

void bt_reply_remember_stale(bluetti_device *d, double now)
{
    struct bt_stale *slot = &d->stale[0];
    for (size_t i = 0; i < BT_MAX_STALE; i++) {
        if (d->stale[i].expires <= now) { slot = &d->stale[i]; break; }
        if (d->stale[i].expires < slot->expires) slot = &d->stale[i];
    }
    slot->start = (uint16_t)(d->p.block + d->p.done_regs);
    slot->regs = d->p.chunk_regs;
    slot->expires = now + 3.0 * d->s->cfg.timeout_s;
}

/* A frame that could answer an abandoned request for other registers is
 * dropped (and the abandoned request forgotten) rather than taken as the
 * answer to the current one: replies on one topic arrive in request
 * order. What the frame could answer is what its header announces. */
static bool consume_stale(bluetti_device *d, const struct bt_reply_verdict *v, double now)
{
    uint16_t cur_start = (uint16_t)(d->p.block + d->p.done_regs);
    bool waiting = d->p.st == P_WAIT_REPLY;
    struct bt_stale *oldest = NULL;
    for (size_t i = 0; i < BT_MAX_STALE; i++) {
        struct bt_stale *st = &d->stale[i];
        if (st->expires <= now) continue;
        bool same = waiting && st->start == cur_start && st->regs == d->p.chunk_regs;
        if (same) continue; /* a late reply to an earlier attempt of this very request is fine */
        if (!v->exception && v->byte_count != 2u * st->regs) continue;
        if (!oldest || st->expires < oldest->expires) oldest = st;
    }
    if (!oldest) return false;
    oldest->expires = 0;
    return true;
}

bool bt_reply_match(bluetti_device *d, const uint8_t *f, size_t len, double now,
                    struct bt_reply_verdict *v)
{
    bluetti_session *s = d->s;
    bool writing = d->w.phase == W_SEND;
    /* length as the header announces it first, so a truncated or padded
     * frame is not called a CRC failure */
    if (writing) {
        /* a write's answer is its echo; a late read reply or an exception
         * to another function is "another function" and dropped below */
        *v = (struct bt_reply_verdict){ 0 };
        v->exception = f && len >= 2 && (f[1] & 0x80);
        v->rc = bluetti_modbus_parse_write_reply(f, len, d->w.frame, d->w.frame_len,
                                                 &v->rep.exception_code);
    } else {
        bt_modbus_judge_reply(f, len, d->modbus_address, d->p.chunk_regs, v);
    }
    if ((!writing && consume_stale(d, v, now)) || d->p.st != P_WAIT_REPLY) {
        s->stats.dropped++;
        bluetti_log(s->log, BLUETTI_LOG_DEBUG, "session",
                    "%s: dropped a late or unexpected frame (%zu bytes)", d->address, len);
        return false;
    }
    switch (v->rc) {
    case BLUETTI_E_ADDRESS:
    case BLUETTI_E_FUNCTION:
    case BLUETTI_E_BYTE_COUNT:
        /* not an answer to this request: keep waiting for the right one */
        s->stats.dropped++;
        bluetti_log(s->log, BLUETTI_LOG_DEBUG, "session", "%s: dropped a frame: %s", d->address,
                    bluetti_strerror(v->rc));
        return false;
    default:
        s->stats.replies++;
        return true;
    }
}
