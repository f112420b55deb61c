/* What the bridge publishes for a device, retained: <prefix>/<serial>/state
 * (every value, its unit, when, and which blocks are stale), optionally
 * one topic per field, <prefix>/<serial>/availability and
 * <prefix>/<serial>/health; and its own availability and health under
 * <prefix>/bridge/<id>/. docs/BRIDGE.md shows each payload. */
#include "config.h"

#include "runtime.h"

#include "bt_clock.h"
#include "bt_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void br_topic(bridge *b, const br_dev *d, const char *leaf)
{
    br_buf_reset(&b->topic);
    br_buf_printf(&b->topic, "%s/%s/%s", b->cfg->prefix, d->serial, leaf);
}

static const bluetti_block_schema *block_schema(bridge *b, const br_dev *d, uint16_t block)
{
    const bluetti_result *r = d->d ? bluetti_device_last(d->d, block) : NULL;
    return r ? bluetti_result_schema(r) : bluetti_registry_find_block(b->reg, block);
}

/* `fields` names keys as the state has them (soc, soc_6000). */
static bool wanted(const br_dev *d, const char *key)
{
    if (!d->cfg->fields) return true;
    for (size_t i = 0; i < d->cfg->n_fields; i++)
        if (!strcmp(d->cfg->fields[i], key)) return true;
    return false;
}

/* Field names as the state names them: the field's name, or
 * <name>_<block> when an earlier block of the device has that name. */
static void build_keys(bridge *b, br_dev *d)
{
    if (d->keys_built || !d->blocks_known) return;
    for (size_t i = 0; i < d->n_blocks; i++) {
        const bluetti_block_schema *s = block_schema(b, d, d->blocks[i]);
        br_block_keys *k = &d->keys[i];
        k->block = d->blocks[i];
        if (!s || !(k->keys = calloc(s->n_fields ? s->n_fields : 1, sizeof *k->keys))) continue;
        k->n = s->n_fields;
        for (size_t f = 0; f < s->n_fields; f++) {
            const bluetti_field *fd = &s->fields[f];
            if (fd->flags & BLUETTI_F_SENSITIVE) continue;
            bool taken = false;
            for (size_t j = 0; j < i && !taken; j++)
                for (size_t g = 0; d->keys[j].keys && g < d->keys[j].n && !taken; g++)
                    taken = d->keys[j].keys[g] && !strcmp(d->keys[j].keys[g], fd->name);
            /* exactly sized: a thousand devices hold these (a br_buf's
             * smallest allocation, 256 bytes, made them 16 MiB) */
            char t[160];
            if (taken) bt_fmt(t, sizeof t, "%s_%u", fd->name, (unsigned)d->blocks[i]);
            else bt_strlcpy(t, fd->name, sizeof t);
            if (wanted(d, t)) k->keys[f] = strdup(t); /* NULL (out of memory): not published */
        }
    }
    d->keys_built = true;
}

static void write_value(br_buf *o, const bluetti_field *f, const bluetti_value *v)
{
    switch (v->kind) {
    case BLUETTI_VAL_INT:
    case BLUETTI_VAL_UINT: {
        int64_t i = v->kind == BLUETTI_VAL_INT ? v->v.i : (int64_t)v->v.u;
        const char *name = f->enums ? bluetti_field_enum_name(f, i) : NULL;
        if (name) br_buf_json_str(o, name);
        else if (v->kind == BLUETTI_VAL_INT) br_buf_printf(o, "%lld", (long long)v->v.i);
        else br_buf_printf(o, "%llu", (unsigned long long)v->v.u);
        break;
    }
    case BLUETTI_VAL_FLOAT: br_buf_json_num(o, v->v.f); break;
    case BLUETTI_VAL_TEXT: br_buf_json_str(o, v->v.s); break;
    case BLUETTI_VAL_ARRAY:
        br_buf_puts(o, "[");
        for (uint16_t k = 0; k < v->count; k++) {
            if (k) br_buf_puts(o, ",");
            write_value(o, f, &v->v.items[k]);
        }
        br_buf_puts(o, "]");
        break;
    default: br_buf_puts(o, "null"); break;
    }
}

static void field_topic(bridge *b, br_dev *d, const char *key, const bluetti_field *f,
                        const bluetti_value *v)
{
    br_buf val = { 0 };
    write_value(&val, f, v);
    const char *p = val.s ? val.s : "null";
    size_t len = val.len;
    if (len >= 2 && p[0] == '"') { /* a plain text payload, not a JSON string */
        p++;
        len -= 2;
    }
    br_topic(b, d, key);
    br_mqtt_put(&b->mqtt, b->topic.s, p, len, true);
    br_buf_free(&val);
}

void br_publish_state(bridge *b, br_dev *d, double wall)
{
    build_keys(b, d);
    br_buf *o = &b->buf;
    br_buf_reset(o);
    char t[32];
    br_iso_time(wall, t, sizeof t);
    const bluetti_profile *p = d->d ? bluetti_device_profile(d->d) : NULL;
    br_buf_puts(o, "{\"serial\":");
    br_buf_json_str(o, d->serial);
    br_buf_puts(o, ",\"name\":");
    br_buf_json_str(o, d->name);
    br_buf_puts(o, ",\"model\":");
    if (p) br_buf_json_str(o, p->model);
    else br_buf_puts(o, "null");
    unsigned pv = d->d ? (unsigned)bluetti_device_protocol_version(d->d) : 0u;
    for (size_t i = 0; d->d && i < d->n_blocks; i++) { /* as decoded: the version the reply carried */
        const bluetti_result *r = bluetti_device_last(d->d, d->blocks[i]);
        if (r && bluetti_result_protocol_version(r)) {
            pv = bluetti_result_protocol_version(r);
            break;
        }
    }
    /* requested: when this round's first request went out (wall clock) */
    double requested = wall - (bt_now() - d->round_t0);
    br_buf_printf(o, ",\"time\":\"%s\",\"timestamp\":%.3f,\"requested\":%.6f,"
                  "\"protocol_version\":%u,\"values\":{", t, wall, requested, pv);
    bool first = true;
    for (size_t i = 0; i < d->n_blocks; i++) {
        const bluetti_result *r = d->d ? bluetti_device_last(d->d, d->blocks[i]) : NULL;
        if (!r) continue;
        const bluetti_block_schema *s = bluetti_result_schema(r);
        for (size_t f = 0; f < s->n_fields && f < d->keys[i].n; f++) {
            const char *key = d->keys[i].keys[f];
            if (!key) continue;
            if (!first) br_buf_puts(o, ",");
            first = false;
            br_buf_json_str(o, key);
            br_buf_puts(o, ":");
            write_value(o, &s->fields[f], bluetti_result_value(r, f));
        }
    }
    br_buf_puts(o, "},\"units\":{");
    first = true;
    for (size_t i = 0; i < d->n_blocks; i++) {
        const bluetti_result *r = d->d ? bluetti_device_last(d->d, d->blocks[i]) : NULL;
        if (!r) continue;
        const bluetti_block_schema *s = bluetti_result_schema(r);
        for (size_t f = 0; f < s->n_fields && f < d->keys[i].n; f++) {
            if (!d->keys[i].keys[f] || !s->fields[f].unit) continue;
            if (!first) br_buf_puts(o, ",");
            first = false;
            br_buf_json_str(o, d->keys[i].keys[f]);
            br_buf_puts(o, ":");
            br_buf_json_str(o, s->fields[f].unit);
        }
    }
    br_buf_puts(o, "},\"stale\":[");
    first = true;
    for (size_t i = 0; i < d->n_blocks; i++) {
        if (d->ok_mask & (1u << i)) continue;
        br_buf_printf(o, "%s%u", first ? "" : ",", (unsigned)d->blocks[i]);
        first = false;
    }
    br_buf_puts(o, "],\"block_time\":{");
    first = true;
    for (size_t i = 0; i < d->n_blocks; i++) {
        const bluetti_result *r = d->d ? bluetti_device_last(d->d, d->blocks[i]) : NULL;
        if (!r) continue;
        br_buf_printf(o, "%s\"%u\":%.3f", first ? "" : ",", (unsigned)d->blocks[i],
                      bluetti_result_timestamp(r));
        first = false;
    }
    br_buf_puts(o, "}}");
    if (o->oom) {
        br_log(BR_ERROR, "out of memory building the state of %s", d->serial);
        br_buf_free(o);
        return;
    }
    br_topic(b, d, "state");
    br_mqtt_put(&b->mqtt, b->topic.s, o->s, o->len, true);
    d->published_once = true;
    if (!b->cfg->field_topics) return;
    for (size_t i = 0; i < d->n_blocks; i++) {
        if (!(d->ok_mask & (1u << i))) continue;
        const bluetti_result *r = bluetti_device_last(d->d, d->blocks[i]);
        const bluetti_block_schema *s = r ? bluetti_result_schema(r) : NULL;
        for (size_t f = 0; s && f < s->n_fields && f < d->keys[i].n; f++)
            if (d->keys[i].keys[f])
                field_topic(b, d, d->keys[i].keys[f], &s->fields[f], bluetti_result_value(r, f));
    }
}

void br_publish_avail(bridge *b, br_dev *d, bool online)
{
    d->avail = online ? 1 : 0;
    br_topic(b, d, "availability");
    br_mqtt_puts(&b->mqtt, b->topic.s, online ? "online" : "offline", true);
}

static void pct_json(br_buf *o, const float *v, size_t n)
{
    br_health h;
    memset(&h, 0, sizeof h);
    memcpy(h.lat_ms, v, n * sizeof *v);
    h.lat_n = n;
    br_buf_puts(o, "{\"p50\":");
    br_buf_json_num(o, br_health_pct(&h, 50));
    br_buf_puts(o, ",\"p90\":");
    br_buf_json_num(o, br_health_pct(&h, 90));
    br_buf_puts(o, ",\"p99\":");
    br_buf_json_num(o, br_health_pct(&h, 99));
    br_buf_puts(o, "}");
}

void br_publish_device_health(bridge *b, br_dev *d, double now)
{
    br_buf *o = &b->buf;
    br_buf_reset(o);
    br_buf_puts(o, "{\"serial\":");
    br_buf_json_str(o, d->serial);
    br_buf_printf(o, ",\"available\":%s,", d->avail == 1 ? "true" : "false");
    br_health_json(o, &d->health, now, b->started);
    br_buf_puts(o, ",\"round_ms\":");
    pct_json(o, d->round_ms, d->round_n);
    br_buf_puts(o, "}");
    br_topic(b, d, "health");
    if (!o->oom) br_mqtt_put(&b->mqtt, b->topic.s, o->s, o->len, true);
    d->next_health = now + b->cfg->health_interval;
}

void br_publish_health(bridge *b, double now, bool devices)
{
    br_buf *o = &b->buf;
    size_t online = 0;
    for (size_t i = 0; i < b->n_devs; i++) {
        if (b->devs[i]->avail == 1) online++;
        if (devices) br_publish_device_health(b, b->devs[i], now);
    }
    br_buf_reset(o);
    br_buf_puts(o, "{\"id\":");
    br_buf_json_str(o, b->cfg->id);
    br_buf_printf(o, ",\"version\":\"%s\",\"uptime_s\":%.0f,\"devices\":%zu,\"available\":%zu,",
                  PACKAGE_VERSION, now - b->started, b->n_devs, online);
    br_health_json(o, &b->all, now, b->started);
    br_buf_printf(o, ",\"target\":{\"connected\":%s,\"published\":%llu,\"reconnects\":%llu,"
                  "\"pending\":%zu,\"replaced\":%llu,\"dropped\":%llu},\"sources\":[",
                  b->mqtt.connected ? "true" : "false", (unsigned long long)b->mqtt.published,
                  (unsigned long long)(b->mqtt.reconnects ? b->mqtt.reconnects - 1 : 0),
                  b->mqtt.out.count, (unsigned long long)b->mqtt.out.replaced,
                  (unsigned long long)b->mqtt.out.dropped);
    for (size_t i = 0; i < b->n_sess; i++) {
        br_sess *s = b->sess[i];
        br_buf_printf(o, "%s{\"source\":", i ? "," : "");
        br_buf_json_str(o, s->src->name);
        br_buf_printf(o, ",\"open\":%s,\"devices\":%u,\"last_error\":", s->s ? "true" : "false",
                      s->refs);
        if (s->last_error[0]) br_buf_json_str(o, s->last_error);
        else br_buf_puts(o, "null");
        br_buf_puts(o, "}");
    }
    br_buf_puts(o, "]}");
    br_buf_reset(&b->topic);
    br_buf_printf(&b->topic, "%s/bridge/%s/health", b->cfg->prefix, b->cfg->id);
    if (!o->oom) br_mqtt_put(&b->mqtt, b->topic.s, o->s, o->len, true);
}

/* After a (re)connect the broker may have lost every retained message
 * (a restart without persistence): say it all again. */
void br_publish_everything(bridge *b)
{
    double wall = bt_wall();
    for (size_t i = 0; i < b->n_devs; i++) {
        br_dev *d = b->devs[i];
        if (d->published_once) {
            uint32_t ok = d->ok_mask;
            d->ok_mask = d->have_mask; /* what is known, as of when it was read */
            br_publish_state(b, d, wall);
            d->ok_mask = ok;
        }
        if (d->avail >= 0) br_publish_avail(b, d, d->avail == 1);
        if (b->cfg->discovery && d->disc_mask) br_discovery_due(b, d);
    }
    br_publish_health(b, bt_now(), true);
}

/* A device leaves the config: its entities and retained topics go. */
void br_clear_device(bridge *b, br_dev *d)
{
    br_discovery_clear(b, d);
    static const char *const leaves[] = { "state", "availability", "health" };
    for (size_t i = 0; i < 3; i++) {
        br_topic(b, d, leaves[i]);
        br_mqtt_put(&b->mqtt, b->topic.s, "", 0, true);
    }
    for (size_t i = 0; b->cfg->field_topics && i < d->n_blocks; i++)
        for (size_t f = 0; f < d->keys[i].n; f++)
            if (d->keys[i].keys[f]) {
                br_topic(b, d, d->keys[i].keys[f]);
                br_mqtt_put(&b->mqtt, b->topic.s, "", 0, true);
            }
}
