/* Applying a config to the running bridge, at start and on SIGHUP: a
 * device whose section (and source) is unchanged keeps running as it is;
 * a new device starts; a removed one has its entities and retained topics
 * cleared; a changed one is restarted (its entities stay, those it no
 * longer has are removed after its first round). The target connection is
 * rebuilt only when [target] or the bridge's topics changed. */
#include "config.h"

#include "runtime.h"

#include "bt_clock.h"

#include <stdlib.h>
#include <string.h>

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool target_same(const br_config *a, const br_config *b)
{
    return same_text(a->target.signature, b->target.signature) && same_text(a->prefix, b->prefix) &&
           same_text(a->id, b->id) && same_text(a->ha_status_topic, b->ha_status_topic);
}

static const br_device *find_cfg(const br_config *c, const char *serial)
{
    for (size_t i = 0; i < c->n_devices; i++)
        if (!strcmp(c->devices[i].serial, serial)) return &c->devices[i];
    return NULL;
}

int br_apply(bridge *b, br_config *c, double now)
{
    br_config *old = b->cfg;
    /* new topics: every device starts again under them, the old ones cleared */
    bool new_topics = old && (!same_text(old->prefix, c->prefix) || !same_text(old->id, c->id) ||
                              !same_text(old->discovery_prefix, c->discovery_prefix) ||
                              old->field_topics != c->field_topics ||
                              old->discovery != c->discovery);
    bool restart_target = !old || new_topics || !target_same(old, c);
    /* 1. devices that go, or change: cleared while the old topics apply */
    size_t kept = 0, removed = 0, changed = 0, added = 0;
    br_dev **keep = calloc(b->n_devs + c->n_devices + 1, sizeof(br_dev *));
    if (!keep) return -1;
    size_t n_keep = 0;
    struct handover {
        char *serial;
        char **topics;
        size_t n;
    } *handed = calloc(b->n_devs + 1, sizeof *handed);
    size_t n_handed = 0;
    if (!handed) {
        free(keep);
        return -1;
    }
    for (size_t i = 0; i < b->n_devs; i++) {
        br_dev *d = b->devs[i];
        const br_device *nc = find_cfg(c, d->serial);
        if (nc && !new_topics && !strcmp(nc->signature, d->cfg->signature)) {
            keep[n_keep++] = d;
            kept++;
            continue;
        }
        if (nc && !new_topics) {
            /* a changed device keeps its entities: its successor takes
             * the list over and removes those it no longer has */
            changed++;
            if (n_handed < b->n_devs) {
                handed[n_handed++] = (struct handover){ strdup(d->serial), d->disc_topics,
                                                        d->n_disc };
                d->disc_topics = NULL;
                d->n_disc = 0;
            }
        } else {
            removed++;
        }
        br_dev_free(b, d, !nc || new_topics);
    }
    b->n_devs = 0;
    if (restart_target && old) {
        br_mqtt_close(&b->mqtt, 2.0);
    }
    b->cfg = c;
    /* 2. kept devices point into the new config, with their sessions */
    for (size_t i = 0; i < n_keep; i++) {
        br_dev *d = keep[i];
        d->cfg = find_cfg(c, d->serial);
        d->sess->src = br_config_source(c, d->cfg->source);
    }
    if (restart_target) {
        char err[BR_ERR_MAX];
        bool print = b->once;
        b->mqtt = (br_mqtt){ 0 };
        b->mqtt.print_only = print;
        if (br_mqtt_open(&b->mqtt, c, err, sizeof err) != 0) /* the devices run on */
            br_log(BR_ERROR, "%s; nothing is published until a reload mends it", err);
        b->mqtt.on_command = br_ctl_on_command;
        b->mqtt.cmd_ud = b;
    }
    /* 3. new and changed devices */
    for (size_t i = 0; i < c->n_devices; i++) {
        const br_device *dc = &c->devices[i];
        bool have = false;
        for (size_t k = 0; k < n_keep && !have; k++) have = keep[k]->cfg == dc;
        if (have) continue;
        br_dev *d = br_dev_new(b, dc, now);
        if (!d) {
            br_log(BR_ERROR, "out of memory adding device %s", dc->name);
            continue;
        }
        for (size_t k = 0; k < n_handed; k++)
            if (handed[k].serial && !strcmp(handed[k].serial, d->serial)) {
                d->disc_topics = handed[k].topics;
                d->n_disc = handed[k].n;
                handed[k].topics = NULL;
                handed[k].n = 0;
            }
        keep[n_keep++] = d;
        added++;
    }
    for (size_t k = 0; k < n_handed; k++) { /* nobody took them (out of memory) */
        for (size_t t = 0; t < handed[k].n; t++) free(handed[k].topics[t]);
        free(handed[k].topics);
        free(handed[k].serial);
    }
    free(handed);
    free(b->devs);
    b->devs = keep;
    b->n_devs = n_keep;
    br_index_devices(b);
    br_sched_rebuild(b);
    b->attach_due = true; /* new devices on sessions that are open already */
    if (old) {
        br_log(BR_INFO, "config reloaded: %zu devices kept, %zu changed, %zu added, %zu removed%s",
               kept, changed, added - changed, removed,
               restart_target ? "; reconnecting to the target broker" : "");
        br_config_free(old);
    } else {
        br_log(BR_INFO, "%zu device%s on %zu source%s, publishing under %s/", b->n_devs,
               b->n_devs == 1 ? "" : "s", c->n_sources, c->n_sources == 1 ? "" : "s", c->prefix);
    }
    if (!b->mqtt.print_only && b->mqtt.connected) br_publish_everything(b);
    return 0;
}
