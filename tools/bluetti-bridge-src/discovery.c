/* Home Assistant MQTT discovery: one device per station, one entity per
 * field with a unit or named values, plus diagnostics (text identity
 * fields, versions, the protocol version). Retained configs under
 * <discovery_prefix>/<component>/bluetti_<serial>/<key>/config; an empty
 * retained config removes an entity. docs/BRIDGE.md lists the mapping.
 *
 * classify() decides what an entity is: a read-only `sensor`, or for a
 * field the device takes commands for (control.c) a `switch`, `select`
 * or `number` with a command topic, whose keys write_entity() adds. */
#include "config.h"

#include "runtime.h"

#include <stdlib.h>
#include <string.h>

typedef struct ha_entity {
    const char *component;    /* "sensor", "switch", "select", "number" */
    const char *key;          /* in the state's values */
    const char *device_class; /* NULL: none */
    const char *unit;
    const char *state_class;  /* "measurement", "total_increasing" or NULL */
    const char *category;     /* "diagnostic" or NULL */
    const bluetti_enum_name *options;
    bool enabled;             /* false: disabled by default (unconfirmed field) */
    const char *description;
    bool top_level;           /* a member of the state itself, not of its values */
    const char *command_topic;/* writable entities: where Home Assistant commands */
    const bluetti_write_spec *write; /* number: its min, max, step */
} ha_entity;

typedef struct unit_class {
    const char *unit, *device_class, *state_class;
} unit_class;

/* Units the blocks use and what Home Assistant calls them. Energy
 * counters only grow (lifetime totals; daily ones restart at zero, which
 * total_increasing allows): the Energy dashboard takes them. */
static const unit_class units[] = {
    { "W", "power", "measurement" },      { "kW", "power", "measurement" },
    { "VA", "apparent_power", "measurement" }, { "V", "voltage", "measurement" },
    { "A", "current", "measurement" },    { "Hz", "frequency", "measurement" },
    { "°C", "temperature", "measurement" }, { "Wh", "energy", "total_increasing" },
    { "kWh", "energy", "total_increasing" }, { "s", "duration", "measurement" },
    { "ms", "duration", "measurement" },  { "min", "duration", "measurement" },
    { "h", "duration", "measurement" },   { "%", NULL, "measurement" },
};

static bool name_has(const char *name, const char *word)
{
    return strstr(name, word) != NULL;
}

/* A field d takes commands for: a switch (names on and off), a select
 * (other names: those that may be written) or a number (min, max, step
 * in the field's unit), enabled, under the `config` category. The state
 * comes from the state topic like a sensor's; HA is told not to assume a
 * command took effect (optimistic false). */
static bool control_entity(br_ctl_kind kind, const bluetti_field *f, const char *cmd_topic,
                           ha_entity *e)
{
    e->command_topic = cmd_topic;
    e->enabled = true;
    e->category = "config";
    e->state_class = NULL;
    e->write = f->write;
    switch (kind) {
    case BR_CTL_SWITCH:
        e->component = "switch";
        e->device_class = NULL;
        e->options = NULL;
        e->unit = NULL;
        break;
    case BR_CTL_SELECT:
        e->component = "select";
        e->device_class = NULL;
        e->options = f->write->values;
        e->unit = NULL;
        break;
    default:
        e->component = "number";
        e->options = NULL;
        e->unit = f->unit;
        if (e->device_class && !strcmp(e->device_class, "enum")) e->device_class = NULL;
        break;
    }
    return true;
}

/* false: the field gets no entity (its value is still in the state). */
static bool classify(const bluetti_field *f, const char *key, ha_entity *e)
{
    memset(e, 0, sizeof *e);
    e->component = "sensor";
    e->key = key;
    e->enabled = f->evidence == BLUETTI_EV_CONFIRMED;
    e->description = f->description;
    if (f->bits) return false; /* a bit set: the state carries the number */
    if (f->enums) {
        e->device_class = "enum";
        e->options = f->enums;
        return true;
    }
    if (f->type == BLUETTI_TEXT || name_has(f->name, "version") || name_has(f->name, "serial")) {
        e->category = "diagnostic";
        return true;
    }
    if (!f->unit) return false;
    e->unit = f->unit;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(units[i].unit, f->unit)) {
            e->device_class = units[i].device_class;
            e->state_class = units[i].state_class;
        }
    if (!strcmp(f->unit, "%") && (!strcmp(f->name, "soc") || name_has(f->name, "_soc")))
        e->device_class = "battery";
    if (!e->state_class) e->state_class = "measurement";
    return true;
}

/* A serial or field key as Home Assistant ids want it: lower case letters, digits
 * and '_' ("EL100V2:2345" -> "el100v2_2345"); discovery topics' node ids
 * and entity ids allow nothing else. */
static void slug(const char *serial, char *out, size_t cap)
{
    size_t n = 0;
    for (; *serial && n + 1 < cap; serial++) {
        char c = *serial;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        out[n++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
    }
    out[n] = '\0';
}

/* "pack_voltage" -> "Pack voltage" */
static void human(br_buf *o, const char *key)
{
    br_buf t = { 0 };
    br_buf_puts(&t, key);
    for (size_t i = 0; t.s && i < t.len; i++)
        if (t.s[i] == '_' || t.s[i] == '.') t.s[i] = ' ';
    if (t.s && t.s[0] >= 'a' && t.s[0] <= 'z') t.s[0] = (char)(t.s[0] - 'a' + 'A');
    br_buf_json_str(o, t.s ? t.s : key);
    br_buf_free(&t);
}

/* The first text value of a field named like a firmware version. */
static const char *sw_version(const br_dev *d, char *buf, size_t cap)
{
    for (size_t i = 0; d->d && i < d->n_blocks; i++) {
        const bluetti_result *r = bluetti_device_last(d->d, d->blocks[i]);
        if (!r) continue;
        const bluetti_block_schema *s = bluetti_result_schema(r);
        for (size_t f = 0; f < s->n_fields; f++) {
            if (!name_has(s->fields[f].name, "software_version")) continue;
            const bluetti_value *v = bluetti_result_value(r, f);
            if (v->kind == BLUETTI_VAL_TEXT && v->v.s[0]) return v->v.s;
            if (v->kind == BLUETTI_VAL_INT || v->kind == BLUETTI_VAL_UINT) {
                snprintf(buf, cap, "%lld", (long long)v->v.i);
                return buf;
            }
        }
    }
    snprintf(buf, cap, "protocol %u", d->d ? (unsigned)bluetti_device_protocol_version(d->d) : 0u);
    return buf;
}

static void device_block(bridge *b, const br_dev *d, br_buf *o)
{
    const bluetti_profile *p = d->d ? bluetti_device_profile(d->d) : NULL;
    char sw[64];
    br_buf_puts(o, ",\"device\":{\"identifiers\":[");
    br_buf_json_str(o, d->serial);
    br_buf_puts(o, "],\"name\":");
    br_buf_json_str(o, d->name);
    br_buf_puts(o, ",\"manufacturer\":\"BLUETTI\",\"model\":");
    br_buf_json_str(o, p ? (p->aliases && p->aliases[0] ? p->aliases[0] : p->model) : "V2");
    if (p) {
        br_buf_puts(o, ",\"model_id\":");
        br_buf_json_str(o, p->model);
    }
    br_buf_puts(o, ",\"sw_version\":");
    br_buf_json_str(o, sw_version(d, sw, sizeof sw));
    br_buf_puts(o, ",\"serial_number\":");
    br_buf_json_str(o, d->serial);
    br_buf_puts(o, "},\"origin\":{\"name\":\"" BRIDGE_NAME "\",\"sw_version\":\"" PACKAGE_VERSION
                "\"}");
    (void)b;
}

static void write_entity(bridge *b, const br_dev *d, const ha_entity *e, br_buf *o)
{
    br_buf_reset(o);
    br_buf_puts(o, "{\"name\":");
    human(o, e->key);
    char id[128], key[128];
    slug(d->serial, id, sizeof id);
    slug(e->key, key, sizeof key);
    br_buf_printf(o, ",\"unique_id\":\"bluetti_%s_%s\",\"default_entity_id\":\"%s.bluetti_%s_%s\"",
                  id, key, e->component, id, key);
    br_buf_printf(o, ",\"state_topic\":\"%s/%s/state\",\"value_template\":", b->cfg->prefix,
                  d->serial);
    br_buf t = { 0 };
    if (e->top_level) br_buf_printf(&t, "{{ value_json['%s'] }}", e->key);
    else br_buf_printf(&t, "{{ value_json['values']['%s'] }}", e->key);
    br_buf_json_str(o, t.s ? t.s : "");
    br_buf_free(&t);
    br_buf_printf(o, ",\"availability\":[{\"topic\":\"%s\"},{\"topic\":\"%s/%s/availability\"}]"
                  ",\"availability_mode\":\"all\"", b->mqtt.avail_topic, b->cfg->prefix,
                  d->serial);
    if (e->device_class) br_buf_printf(o, ",\"device_class\":\"%s\"", e->device_class);
    if (e->unit) {
        br_buf_puts(o, ",\"unit_of_measurement\":");
        br_buf_json_str(o, e->unit);
    }
    if (e->state_class) br_buf_printf(o, ",\"state_class\":\"%s\"", e->state_class);
    if (e->command_topic) {
        br_buf_puts(o, ",\"command_topic\":");
        br_buf_json_str(o, e->command_topic);
        br_buf_puts(o, ",\"optimistic\":false");
        if (!strcmp(e->component, "switch"))
            br_buf_puts(o, ",\"payload_on\":\"ON\",\"payload_off\":\"OFF\","
                        "\"state_on\":\"on\",\"state_off\":\"off\"");
        if (!strcmp(e->component, "number") && e->write) {
            br_buf_puts(o, ",\"min\":");
            br_buf_json_num(o, e->write->min);
            br_buf_puts(o, ",\"max\":");
            br_buf_json_num(o, e->write->max);
            br_buf_puts(o, ",\"step\":");
            br_buf_json_num(o, e->write->step);
            br_buf_puts(o, ",\"mode\":\"box\"");
        }
    }
    if (e->options) {
        br_buf_puts(o, ",\"options\":[");
        for (const bluetti_enum_name *n = e->options; n->name; n++) {
            if (n != e->options) br_buf_puts(o, ",");
            br_buf_json_str(o, n->name);
        }
        br_buf_puts(o, "]");
    }
    if (e->category) br_buf_printf(o, ",\"entity_category\":\"%s\"", e->category);
    if (!e->enabled) br_buf_puts(o, ",\"enabled_by_default\":false");
    device_block(b, d, o);
    br_buf_puts(o, "}");
}

static int topic_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void entity_topic(bridge *b, const br_dev *d, const char *component, const char *key,
                         br_buf *t)
{
    char id[128], k[128];
    slug(d->serial, id, sizeof id);
    slug(key, k, sizeof k);
    br_buf_reset(t);
    br_buf_printf(t, "%s/%s/bluetti_%s/%s/config", b->cfg->discovery_prefix, component, id, k);
}

void br_discovery_publish(bridge *b, br_dev *d)
{
    if (!d->d) return;
    char **now_topics = NULL;
    size_t n_now = 0, cap = 0;
    br_buf t = { 0 }, cmd = { 0 };
    br_buf *o = &b->buf;
    /* the bridge's own diagnostic: the protocol version */
    ha_entity pv = { "sensor", "protocol_version", NULL, NULL, NULL, "diagnostic", NULL, true,
                     "protocol version the device reports", true, NULL, NULL };
    for (size_t i = 0; i <= d->n_blocks; i++) {
        const bluetti_result *r = i < d->n_blocks ? bluetti_device_last(d->d, d->blocks[i]) : NULL;
        const bluetti_block_schema *s = r ? bluetti_result_schema(r) : NULL;
        size_t nf = i == d->n_blocks ? 1 : (s ? s->n_fields : 0);
        for (size_t f = 0; f < nf; f++) {
            ha_entity e;
            if (i == d->n_blocks) e = pv;
            else {
                if (f >= d->keys[i].n || !d->keys[i].keys[f]) continue;
                bool has = classify(&s->fields[f], d->keys[i].keys[f], &e);
                br_ctl_kind kind = br_ctl_offers(d, s, &s->fields[f]);
                if (kind != BR_CTL_NONE) {
                    br_ctl_topic(b, d, e.key, &cmd);
                    has = !cmd.oom && control_entity(kind, &s->fields[f], cmd.s, &e);
                }
                if (!has) continue;
            }
            entity_topic(b, d, e.component, e.key, &t);
            write_entity(b, d, &e, o);
            if (o->oom || t.oom) continue;
            br_mqtt_put(&b->mqtt, t.s, o->s, o->len, true);
            if (n_now == cap) {
                cap = cap ? cap * 2 : 64;
                char **nt = realloc(now_topics, cap * sizeof *nt);
                if (!nt) break;
                now_topics = nt;
            }
            if ((now_topics[n_now] = strdup(t.s))) n_now++;
        }
    }
    br_buf_free(&t);
    br_buf_free(&cmd);
    if (n_now) qsort(now_topics, n_now, sizeof *now_topics, topic_cmp);
    /* entities it had and has no more: removed */
    for (size_t i = 0; i < d->n_disc; i++) {
        if (!n_now || !bsearch(&d->disc_topics[i], now_topics, n_now, sizeof *now_topics, topic_cmp))
            br_mqtt_put(&b->mqtt, d->disc_topics[i], "", 0, true);
        free(d->disc_topics[i]);
    }
    free(d->disc_topics);
    d->disc_topics = now_topics;
    d->n_disc = n_now;
    d->disc_mask = d->have_mask;
}

/* Pending messages below which more discovery is generated. */
#define PUMP_ROOM 256

void br_discovery_due(bridge *b, br_dev *d)
{
    if (d->disc_due) return;
    d->disc_due = true;
    b->disc_waiting++;
}

void br_discovery_pump(bridge *b)
{
    if (!b->disc_waiting) return;
    for (size_t k = 0; k < b->n_devs; k++) {
        if (!b->mqtt.print_only && (!b->mqtt.connected || b->mqtt.out.count >= PUMP_ROOM)) return;
        if (b->disc_next >= b->n_devs) b->disc_next = 0;
        br_dev *d = b->devs[b->disc_next++];
        if (!d->disc_due) continue;
        d->disc_due = false;
        b->disc_waiting--;
        if (b->cfg->discovery) br_discovery_publish(b, d);
    }
}

void br_discovery_clear(bridge *b, br_dev *d)
{
    for (size_t i = 0; i < d->n_disc; i++) {
        br_mqtt_put(&b->mqtt, d->disc_topics[i], "", 0, true);
        free(d->disc_topics[i]);
    }
    free(d->disc_topics);
    d->disc_topics = NULL;
    d->n_disc = 0;
    d->disc_mask = 0;
}
