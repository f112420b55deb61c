/* One polled station: its blocks (the chosen groups of its profile),
 * rounds of one read at a time (one request in flight per device), the
 * first round staggered across the interval by a hash of the serial, and
 * availability: `offline` after missed_polls rounds without any answer,
 * `online` again with the next answer. */
#include "config.h"

#include "runtime.h"

#include "bt_clock.h"
#include "bt_strindex.h"
#include "bt_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *dev_key(const void *ctx, size_t i)
{
    return ((const bridge *)ctx)->devs[i]->serial;
}

void br_index_devices(bridge *b)
{
    if (bt_strindex_reserve(&b->by_serial, b->n_devs, 0, dev_key, b) == 0)
        bt_strindex_refill(&b->by_serial, b->n_devs, dev_key, b);
}

br_dev *br_find_dev(bridge *b, const char *serial)
{
    size_t i;
    return bt_strindex_find(&b->by_serial, serial, dev_key, b, &i) ? b->devs[i] : NULL;
}

static void add_block(br_dev *d, uint16_t block)
{
    for (size_t i = 0; i < d->n_blocks; i++)
        if (d->blocks[i] == block) return;
    if (d->n_blocks < BR_MAX_BLOCKS) d->blocks[d->n_blocks++] = block;
}

/* The blocks of the chosen groups (else the profile's default groups) and
 * the extra `blocks`: known once the profile is. */
static void choose_blocks(br_dev *d, const bluetti_profile *p)
{
    d->n_blocks = 0;
    for (size_t g = 0; p && g < p->n_groups; g++) {
        const bluetti_block_group *gr = &p->groups[g];
        bool take = !d->cfg->groups ? gr->is_default : false;
        for (size_t k = 0; d->cfg->groups && k < d->cfg->n_groups; k++)
            if (!strcmp(d->cfg->groups[k], gr->name)) take = true;
        for (size_t k = 0; take && k < gr->n_blocks; k++) add_block(d, gr->blocks[k]);
    }
    for (size_t k = 0; k < d->cfg->n_blocks; k++) add_block(d, d->cfg->blocks[k]);
    d->blocks_known = true;
}

br_dev *br_dev_new(bridge *b, const br_device *cfg, double now)
{
    br_dev *d = calloc(1, sizeof *d);
    if (!d || !(d->serial = strdup(cfg->serial)) || !(d->name = strdup(cfg->name))) {
        if (d) free(d->serial);
        free(d);
        return NULL;
    }
    d->cfg = cfg;
    d->avail = -1;
    const br_source *src = br_config_source(b->cfg, cfg->source);
    d->sess = src ? br_sess_get(b, src, cfg->model) : NULL;
    if (!d->sess) {
        free(d->serial);
        free(d->name);
        free(d);
        return NULL;
    }
    /* staggered: the first round at a fixed point of the interval */
    double frac = (double)(bt_str_hash(cfg->serial) % 1000) / 1000.0;
    d->due = d->slot = now + frac * cfg->interval;
    d->next_health = now + frac * b->cfg->health_interval;
    if (cfg->model) choose_blocks(d, bluetti_registry_find_profile(b->reg, cfg->model));
    return d;
}

static void free_keys(br_dev *d)
{
    for (size_t i = 0; i < BR_MAX_BLOCKS; i++) {
        for (size_t k = 0; k < d->keys[i].n; k++) free(d->keys[i].keys[k]);
        free(d->keys[i].keys);
        d->keys[i] = (br_block_keys){ 0 };
    }
    d->keys_built = false;
}

void br_dev_free(bridge *b, br_dev *d, bool clear_topics)
{
    if (!d) return;
    if (clear_topics) br_clear_device(b, d);
    if (d->disc_due) b->disc_waiting--;
    for (size_t i = 0; i < d->n_disc; i++) free(d->disc_topics[i]);
    free(d->disc_topics);
    free_keys(d);
    br_ctl_free(d);
    br_sess_unref(b, d->sess);
    free(d->serial);
    free(d->name);
    free(d);
}

/* Put the device on its open session. A device left on the session by a
 * reload (the public API has no removal) is taken over again. */
void br_dev_attach(bridge *b, br_dev *d)
{
    (void)b;
    bluetti_session *s = d->sess->s;
    for (size_t i = 0; i < bluetti_session_device_count(s); i++) {
        bluetti_device *x = bluetti_session_device_at(s, i);
        if (!strcmp(bluetti_device_address(x), d->serial)) {
            d->d = x;
            return;
        }
    }
    int rc = bluetti_session_add_device(s, d->serial, d->cfg->model, &d->d);
    if (rc) {
        d->d = NULL;
        bt_fmt(d->health.last_error, sizeof d->health.last_error, "cannot add the device: %s; %s",
               bluetti_strerror(rc), bluetti_err_remedy(rc));
        br_log(BR_WARN, "device %s (%s): %s", d->name, d->serial, d->health.last_error);
    }
}

static void round_done(bridge *b, br_dev *d, double now)
{
    d->round = false;
    d->in_flight = false;
    double wall = bt_wall();
    if (d->ok_mask) {
        d->misses = 0;
        d->health.consecutive = 0;
        d->health.last_success = wall;
        br_publish_state(b, d, wall);
        if (d->avail != 1) br_publish_avail(b, d, true);
        if (b->cfg->discovery && (d->have_mask & ~d->disc_mask)) br_discovery_due(b, d);
        float ms = (float)((now - d->round_t0) * 1000.0);
        d->round_ms[d->round_i] = ms;
        d->round_i = (d->round_i + 1) % BR_LAT_N;
        if (d->round_n < BR_LAT_N) d->round_n++;
    } else {
        d->misses++;
        d->health.consecutive++;
        d->health.last_error_time = wall;
        if (d->misses >= d->cfg->missed_polls && d->avail != 0) {
            br_log(BR_WARN, "device %s (%s): %u polls without an answer: offline (%s)", d->name,
                   d->serial, d->misses, d->health.last_error);
            br_publish_avail(b, d, false);
        }
    }
    /* The next round at the device's next slot after now, one interval
     * after the last: a round that started late (a long loop pass, an
     * outage) keeps the device's phase. Counting from the late start
     * instead moved every device delayed together to the same new phase,
     * and the staggering clumped into bursts of replies (docs/PERFORMANCE.md,
     * "bluetti-bridge"). */
    d->due = d->slot = bt_next_slot(d->slot, d->cfg->interval, now);
    if (now >= d->next_health && !b->once) br_publish_device_health(b, d, now);
    if (b->once && b->once_pending) {
        if (!d->ok_mask) b->once_failed++;
        b->once_pending--;
        d->due = INFINITY;
    }
    br_sched_due(b, d);
    br_ctl_kick(b, d, now); /* a command that waited for this round's last read */
}

static void submit_next(bridge *b, br_dev *d, double now)
{
    if (br_ctl_kick(b, d, now)) return; /* a command goes before the round's next read */
    while (d->round && !d->in_flight) {
        if (d->blocks_known && d->cur >= d->n_blocks) {
            round_done(b, d, now);
            return;
        }
        if (!d->d) { /* no session: the round is missed */
            if (d->sess->last_error[0])
                bt_strlcpy(d->health.last_error, d->sess->last_error, sizeof d->health.last_error);
            round_done(b, d, now);
            return;
        }
        uint16_t block = d->blocks_known ? d->blocks[d->cur] : b->probe_block;
        d->req_t0 = now;
        int rc = bluetti_device_submit_read(d->d, block, 0);
        if (rc == 0) {
            d->in_flight = true;
            return;
        }
        bt_fmt(d->health.last_error, sizeof d->health.last_error, "block %u: %s; %s",
               (unsigned)block, bluetti_strerror(rc), bluetti_err_remedy(rc));
        br_health_read(&d->health, now, 0, false, NULL);
        br_health_read(&b->all, now, 0, false, NULL);
        if (!d->blocks_known) { /* nothing to read without a profile */
            round_done(b, d, now);
            return;
        }
        d->cur++;
    }
}

void br_dev_start(bridge *b, br_dev *d, double now)
{
    if (d->round) return;
    d->round = true;
    d->cur = 0;
    d->ok_mask = 0;
    d->round_t0 = now;
    submit_next(b, d, now);
}

void br_dev_continue(bridge *b, br_dev *d, double now)
{
    if (d->round && !d->in_flight) submit_next(b, d, now);
}

void br_on_read(void *ud, bluetti_device *dv, uint16_t block, int err, const bluetti_result *r)
{
    (void)r;
    bridge *b = ud;
    br_dev *d = br_find_dev(b, bluetti_device_address(dv));
    if (!d || d->d != dv || !d->in_flight || d->writing) return;
    double now = bt_now();
    double ms = (now - d->req_t0) * 1000.0;
    d->in_flight = false;
    bool probe = !d->blocks_known;
    if (probe) {
        const bluetti_profile *p = bluetti_device_profile(dv);
        if (p) choose_blocks(d, p);
    }
    size_t idx = d->cur;
    if (d->blocks_known && (idx >= d->n_blocks || d->blocks[idx] != block))
        for (idx = 0; idx < d->n_blocks && d->blocks[idx] != block; idx++) {}
    if (err == 0) {
        if (idx < d->n_blocks) {
            d->ok_mask |= 1u << idx;
            d->have_mask |= 1u << idx;
        }
        br_health_read(&d->health, now, ms, true, NULL);
        br_health_read(&b->all, now, ms, true, NULL);
    } else {
        bluetti_error_info e;
        bluetti_device_last_error(dv, &e);
        char why[sizeof d->health.last_error];
        bt_fmt(why, sizeof why, "block %u: %s", (unsigned)block, e.detail[0] ? e.detail : bluetti_strerror(err));
        br_health_read(&d->health, now, ms, false, why);
        br_health_read(&b->all, now, ms, false, why);
        d->health.last_error_time = bt_wall();
        if (!d->blocks_known) { /* the model could not be read: try again next round */
            round_done(b, d, now);
            return;
        }
    }
    /* the read that found the model counts when it is the first block polled */
    if (probe) d->cur = idx == 0 && d->n_blocks ? 1 : 0;
    else d->cur++;
    if (d->blocks_known && d->cur >= d->n_blocks) round_done(b, d, now);
    else br_sched_ready(b, d); /* the next block, from the loop */
}
