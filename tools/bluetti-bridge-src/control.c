/* Control from Home Assistant: a device with `control = yes` offers its
 * writable fields (confirmed writes only, unless `control_unverified =
 * yes`) as switch, select and number entities whose commands arrive on
 * <prefix>/<serial>/<key>/set. A command is checked (device, field,
 * payload) before anything is sent; a refused one is logged and dropped.
 * It takes the device's one request slot: while a read is in flight the
 * newest command waits (one per device, a newer one replaces it). After
 * the write the device's blocks are read again and the state published
 * from that read, never from the value asked for. docs/BRIDGE.md,
 * "Control", is the user's reference; docs/CONTROL.md the write rules. */
#include "config.h"

#include "runtime.h"

#include "bt_clock.h"
#include "bt_escape.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CMD_MAX 64            /* longest payload taken (names and numbers are short) */

/* Whether model p names block `block` in one of its groups: without that
 * there is no evidence the model has these settings (as bluetti-tool set). */
static bool model_claims(const bluetti_profile *p, uint16_t block)
{
    for (uint16_t g = 0; p && g < p->n_groups; g++)
        for (uint16_t i = 0; i < p->groups[g].n_blocks; i++)
            if (p->groups[g].blocks[i] == block) return true;
    return false;
}

br_ctl_kind br_ctl_offers(const br_dev *d, const bluetti_block_schema *s, const bluetti_field *f)
{
    const bluetti_write_spec *w = f->write;
    if (!d->cfg->control || !w || !d->d) return BR_CTL_NONE;
    if (!d->cfg->control_unverified &&
        (w->evidence != BLUETTI_EV_CONFIRMED || !model_claims(bluetti_device_profile(d->d), s->id)))
        return BR_CTL_NONE;
    if (!w->values) return BR_CTL_NUMBER;
    size_t n = 0;
    bool on = false, off = false;
    for (const bluetti_enum_name *v = w->values; v->name; v++, n++) {
        if (!strcasecmp(v->name, "on")) on = true;
        if (!strcasecmp(v->name, "off")) off = true;
    }
    return n == 2 && on && off ? BR_CTL_SWITCH : BR_CTL_SELECT;
}

void br_ctl_topic(const bridge *b, const br_dev *d, const char *key, br_buf *topic)
{
    br_buf_reset(topic);
    br_buf_printf(topic, "%s/%s/%s/set", b->cfg->prefix, d->serial, key);
}

void br_ctl_free(br_dev *d)
{
    free(d->cmd_key);
    free(d->cmd_field);
    free(d->cmd_value);
    free(d->w_key);
    free(d->w_value);
    d->cmd_key = d->cmd_field = d->cmd_value = d->w_key = d->w_value = NULL;
}

/* The keys d takes commands for, ", "-separated (for a refusal's remedy). */
static void offered_keys(const br_dev *d, br_buf *o)
{
    for (size_t i = 0; d->d && i < d->n_blocks; i++) {
        const bluetti_result *r = bluetti_device_last(d->d, d->blocks[i]);
        const bluetti_block_schema *s = r ? bluetti_result_schema(r) : NULL;
        for (size_t f = 0; s && f < s->n_fields && f < d->keys[i].n; f++)
            if (d->keys[i].keys[f] && br_ctl_offers(d, s, &s->fields[f]) != BR_CTL_NONE) {
                if (o->len) br_buf_puts(o, ", ");
                br_buf_puts(o, d->keys[i].keys[f]);
            }
    }
    if (!o->len) br_buf_puts(o, "none");
}

/* Find key among d's published fields: its block index and field. */
static const bluetti_field *find_key(const br_dev *d, const char *key, size_t *bi,
                                     const bluetti_block_schema **schema)
{
    for (size_t i = 0; d->d && i < d->n_blocks; i++) {
        const bluetti_result *r = bluetti_device_last(d->d, d->blocks[i]);
        const bluetti_block_schema *s = r ? bluetti_result_schema(r) : NULL;
        for (size_t f = 0; s && f < s->n_fields && f < d->keys[i].n; f++)
            if (d->keys[i].keys[f] && !strcmp(d->keys[i].keys[f], key)) {
                *bi = i;
                *schema = s;
                return &s->fields[f];
            }
    }
    return NULL;
}

static bool printable(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) return false;
    return true;
}

void br_ctl_on_command(void *ud, const char *topic, const void *payload, size_t len)
{
    bridge *b = ud;
    size_t pl = strlen(b->cfg->prefix), tl = strlen(topic);
    /* <prefix>/<serial>/<key>/set: the subscription guarantees the shape */
    if (tl < pl + 6 || strncmp(topic, b->cfg->prefix, pl) != 0 || topic[pl] != '/') return;
    const char *serial = topic + pl + 1, *slash = strchr(serial, '/');
    if (!slash) return;
    char sn[128], key[128];
    size_t sl = (size_t)(slash - serial), kl = tl - pl - 1 - sl - 1 - 4;
    if (sl >= sizeof sn || kl == 0 || kl >= sizeof key || tl < pl + 1 + sl + 1 + 4) return;
    memcpy(sn, serial, sl);
    sn[sl] = '\0';
    memcpy(key, slash + 1, kl);
    key[kl] = '\0';
    br_dev *d = br_find_dev(b, sn);
    if (!d) {
        /* with shards, another bridge polls it */
        br_log(b->cfg->shard_n ? BR_DEBUG : BR_WARN, "command on %s refused: no device %s in "
               "this bridge's config", bt_shown(topic), bt_shown(sn));
        return;
    }
    if (!d->cfg->control) {
        br_log(BR_WARN, "command on %s refused: device %s has control off; add control = yes "
               "to its [device %s] section to allow writes", bt_shown(topic), d->serial, d->name);
        return;
    }
    size_t bi = 0;
    const bluetti_block_schema *s = NULL;
    const bluetti_field *f = find_key(d, key, &bi, &s);
    if (!f || br_ctl_offers(d, s, f) == BR_CTL_NONE) {
        br_buf keys = { 0 };
        offered_keys(d, &keys);
        br_log(BR_WARN, "command on %s refused: '%s' is not a field device %s takes commands "
               "for (%s)%s", bt_shown(topic), bt_shown(key), d->serial, keys.s ? keys.s : "",
               f && f->write && !d->cfg->control_unverified
                   ? "; its write is not confirmed: control_unverified = yes allows it" : "");
        br_buf_free(&keys);
        return;
    }
    char text[CMD_MAX + 1];
    if (!len || len > CMD_MAX || !printable(payload, len)) {
        br_log(BR_WARN, "command on %s refused: the payload (%zu bytes) is not a value; send "
               "a name or a number", bt_shown(topic), len);
        return;
    }
    memcpy(text, payload, len);
    text[len] = '\0';
    uint16_t reg, raw;
    char why[256];
    int rc = bluetti_field_parse_write(s, f, text, &reg, &raw, why, sizeof why);
    if (rc) {
        br_log(BR_WARN, "command on %s refused: '%s': %s", bt_shown(topic), bt_shown(text),
               why[0] ? why : bluetti_strerror(rc));
        return;
    }
    if (d->cmd_value)
        br_log(BR_INFO, "device %s: %s = %s replaces the waiting %s = %s", d->serial, key, text,
               d->cmd_key, d->cmd_value);
    free(d->cmd_key);
    free(d->cmd_field);
    free(d->cmd_value);
    d->cmd_key = strdup(key);
    d->cmd_field = strdup(f->name);
    d->cmd_value = strdup(text);
    d->cmd_block = s->id;
    d->cmd_bi = bi;
    if (!d->cmd_key || !d->cmd_field || !d->cmd_value) {
        br_log(BR_ERROR, "out of memory: command on %s dropped", bt_shown(topic));
        free(d->cmd_key);
        free(d->cmd_field);
        free(d->cmd_value);
        d->cmd_key = d->cmd_field = d->cmd_value = NULL;
        return;
    }
    br_ctl_kick(b, d, bt_now());
}

bool br_ctl_kick(bridge *b, br_dev *d, double now)
{
    (void)b;
    if (!d->cmd_value || d->in_flight) return false;
    if (!d->d) {
        br_log(BR_WARN, "device %s: %s = %s not sent: the device's session is closed", d->serial,
               d->cmd_key, d->cmd_value);
        free(d->cmd_key);
        free(d->cmd_field);
        free(d->cmd_value);
        d->cmd_key = d->cmd_field = d->cmd_value = NULL;
        return false;
    }
    int rc = bluetti_device_submit_set(d->d, d->cmd_block, d->cmd_field, d->cmd_value);
    if (rc == BLUETTI_E_BUSY) return false; /* the next free slot sends it */
    free(d->w_key);
    free(d->w_value);
    d->w_key = d->cmd_key;
    d->w_value = d->cmd_value;
    d->w_bi = d->cmd_bi;
    free(d->cmd_field);
    d->cmd_key = d->cmd_field = d->cmd_value = NULL;
    if (rc) {
        const char *detail = bluetti_device_error_detail(d->d);
        br_log(BR_WARN, "device %s: %s = %s refused: %s", d->serial, d->w_key, d->w_value,
               detail[0] ? detail : bluetti_strerror(rc));
        return false;
    }
    d->in_flight = true;
    d->writing = true;
    d->req_t0 = now;
    br_log(BR_INFO, "device %s: writing %s = %s", d->serial, d->w_key, d->w_value);
    return true;
}

static void describe(br_buf *o, const char *name, bool have, uint16_t raw)
{
    if (!have) br_buf_puts(o, "?");
    else if (name) br_buf_printf(o, "%s (%u)", name, (unsigned)raw);
    else br_buf_printf(o, "%u", (unsigned)raw);
}

void br_on_write(void *ud, bluetti_device *dv, const bluetti_write_result *r)
{
    bridge *b = ud;
    br_dev *d = br_find_dev(b, bluetti_device_address(dv));
    if (!d || d->d != dv || !d->writing) return;
    double now = bt_now();
    d->writing = false;
    d->in_flight = false;
    br_buf m = { 0 };
    br_buf_printf(&m, "device %s: %s = %s (register %u): ", d->serial, d->w_key, d->w_value,
                  (unsigned)r->start);
    describe(&m, r->before_name, r->have_before, r->before[0]);
    br_buf_puts(&m, " -> ");
    describe(&m, r->after_name, r->have_after, r->after[0]);
    br_buf_printf(&m, ": %s", r->outcome == BLUETTI_WRITE_APPLIED ? "applied"
                                : r->outcome == BLUETTI_WRITE_NOT_APPLIED ? "not applied"
                                                                          : "outcome unknown");
    if (r->outcome != BLUETTI_WRITE_APPLIED) {
        const char *detail = bluetti_device_error_detail(dv);
        br_buf_printf(&m, " (%s)", detail[0] ? detail : bluetti_strerror(r->err));
    }
    br_log(r->outcome == BLUETTI_WRITE_APPLIED ? BR_INFO : BR_WARN, "%s",
           m.s ? m.s : "a write ended");
    br_buf_free(&m);
    /* the state follows the device: read again, from the written block on
     * in a round that goes on, else a round now */
    if (!br_ctl_kick(b, d, now)) {
        if (d->round) {
            if (d->cur > d->w_bi) d->cur = d->w_bi;
            br_sched_ready(b, d);
        } else {
            d->due = now;
            br_sched_rebuild(b);
        }
    }
}
