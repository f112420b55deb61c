/* The config's meaning: every key of every section checked, with the
 * file and line of what is wrong and what to write instead. Source keys
 * are the transport's own (its declared options), so the bridge knows no
 * transport's keys. docs/BRIDGE.md lists the keys. */
#include "config.h"

#include "bridge.h"
#include "tool_common.h"

#include "bt_escape.h"
#include "bt_numbers.h"
#include "bt_strindex.h"
#include "bt_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
    const char *path;
    bluetti_registry *reg;
    char *err;
    size_t err_len;
} ctx;

static int bad(ctx *c, int line, const char *fmt, ...) BLUETTI_PRINTF(3, 4);
static int bad(ctx *c, int line, const char *fmt, ...)
{
    char msg[BR_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bt_fmt(c->err, c->err_len, "%s:%d: %s", bt_shown_path(c->path), line, msg);
    return BR_EXIT_CONFIG;
}

static int oom(ctx *c)
{
    bt_fmt(c->err, c->err_len, "out of memory");
    return BR_EXIT_FAIL;
}

/* ---- typed values ------------------------------------------------------------ */

static int get_bool(ctx *c, const br_kv *kv, bool *out)
{
    static const char *const yes[] = { "1", "true", "yes", "on" }, *const no[] = { "0", "false",
                                                                                  "no", "off" };
    for (size_t i = 0; i < 4; i++) {
        if (!strcmp(kv->value, yes[i])) return *out = true, 0;
        if (!strcmp(kv->value, no[i])) return *out = false, 0;
    }
    return bad(c, kv->line, "%s = '%s' is not a yes/no value; write true or false", kv->key,
               bt_shown(kv->value));
}

static int get_long(ctx *c, const br_kv *kv, long min, long max, long *out)
{
    long v;
    if (bt_parse_whole(kv->value, false, &v) != BT_NUM_OK || v < min || v > max)
        return bad(c, kv->line, "%s = '%s': give a whole number from %ld to %ld", kv->key,
                   bt_shown(kv->value), min, max);
    *out = v;
    return 0;
}

static int get_double(ctx *c, const br_kv *kv, double min, double max, double *out)
{
    double v;
    if (bt_parse_decimal(kv->value, &v) != BT_NUM_OK || v < min || v > max)
        return bad(c, kv->line, "%s = '%s': give a number of seconds from %g to %g (e.g. 5 or "
                   "0.5)", kv->key, bt_shown(kv->value), min, max);
    *out = v;
    return 0;
}

static int get_text(ctx *c, const br_kv *kv, char **out)
{
    if (!*kv->value) return bad(c, kv->line, "%s is empty; give a value or remove the line", kv->key);
    char *s = strdup(kv->value);
    if (!s) return oom(c);
    free(*out);
    *out = s;
    return 0;
}

/* Topic segments: no MQTT wildcard, no empty level. */
static int get_topic(ctx *c, const br_kv *kv, char **out)
{
    const char *v = kv->value;
    if (!*v || strpbrk(v, "+#") || v[0] == '/' || v[strlen(v) - 1] == '/' || strstr(v, "//"))
        return bad(c, kv->line, "%s = '%s' is not a usable topic prefix: no '+', '#', empty "
                   "levels or leading/trailing '/'; write e.g. bluetti", kv->key, bt_shown(v));
    return get_text(c, kv, out);
}

/* "a, b, c" -> malloc'd array of malloc'd strings */
static int get_list(ctx *c, const br_kv *kv, char ***out, size_t *n)
{
    char *copy = strdup(kv->value);
    if (!copy) return oom(c);
    int rc = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && !rc;
         t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ' || *t == '\t') t++;
        size_t len = strlen(t);
        while (len && (t[len - 1] == ' ' || t[len - 1] == '\t')) t[--len] = '\0';
        if (!len) continue;
        char **nv = realloc(*out, (*n + 1) * sizeof *nv);
        if (!nv || !(nv[*n] = strdup(t))) {
            if (nv) *out = nv;
            rc = oom(c);
            break;
        }
        *out = nv;
        (*n)++;
    }
    free(copy);
    if (!rc && !*n) rc = bad(c, kv->line, "%s is empty; give a comma-separated list or remove "
                             "the line", kv->key);
    return rc;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++) free(l[i]);
    free(l);
}

/* A secret named by `<key>_file = PATH` or `<key>_credential = NAME`. */
static int get_secret(ctx *c, const br_kv *kv, bool credential, char **out)
{
    char why[BR_ERR_MAX];
    char *s = NULL;
    int rc = credential ? br_secret_credential(kv->value, &s, why, sizeof why)
                        : br_secret_file(kv->value, &s, why, sizeof why);
    if (rc) return bad(c, kv->line, "%s", why);
    if (*out) {
        bt_wipe(*out, strlen(*out));
        free(*out);
    }
    *out = s;
    return 0;
}

static bool ends_with(const char *s, const char *suffix, size_t *stem)
{
    size_t a = strlen(s), b = strlen(suffix);
    if (a <= b || strcmp(s + a - b, suffix) != 0) return false;
    *stem = a - b;
    return true;
}

/* ---- signatures: what a reload compares ------------------------------------------ */

static void sig_add(br_buf *b, const char *k, const char *v)
{
    br_buf_puts(b, k);
    br_buf_puts(b, "=");
    br_buf_puts(b, v ? v : "");
    br_buf_puts(b, "\n");
}

/* A secret enters a signature only as a hash: a changed password still
 * means a new connection. */
static void sig_secret(br_buf *b, const char *k, const char *v)
{
    char h[32];
    bt_fmt(h, sizeof h, "#%zx", v ? bt_str_hash(v) : (size_t)0);
    sig_add(b, k, h);
}

/* ---- [bridge] -------------------------------------------------------------------- */

static int bridge_section(ctx *c, const br_section *s, br_config *cf)
{
    int rc = 0;
    for (size_t i = 0; i < s->n_kv && !rc; i++) {
        const br_kv *kv = &s->kv[i];
        long l = 0;
        const char *k = kv->key;
        if (!strcmp(k, "prefix")) rc = get_topic(c, kv, &cf->prefix);
        else if (!strcmp(k, "discovery_prefix")) rc = get_topic(c, kv, &cf->discovery_prefix);
        else if (!strcmp(k, "ha_status_topic")) rc = get_topic(c, kv, &cf->ha_status_topic);
        else if (!strcmp(k, "discovery")) rc = get_bool(c, kv, &cf->discovery);
        else if (!strcmp(k, "field_topics")) rc = get_bool(c, kv, &cf->field_topics);
        else if (!strcmp(k, "id")) rc = get_topic(c, kv, &cf->id);
        else if (!strcmp(k, "missed_polls")) {
            if (!(rc = get_long(c, kv, 1, 1000, &l))) cf->missed_polls = (unsigned)l;
        } else if (!strcmp(k, "health_interval"))
            rc = get_double(c, kv, 1, 86400, &cf->health_interval);
        else if (!strcmp(k, "shard")) {
            const char *why;
            if (br_shard_parse(kv->value, &cf->shard_k, &cf->shard_n, &why))
                rc = bad(c, kv->line, "shard = '%s': %s", bt_shown(kv->value), why);
        } else
            rc = bad(c, kv->line, "unknown key '%s' in [bridge]; the keys are prefix, "
                     "discovery_prefix, discovery, ha_status_topic, field_topics, id, "
                     "missed_polls, health_interval, shard", bt_shown(k));
    }
    return rc;
}

/* ---- [target] -------------------------------------------------------------------- */

static int target_section(ctx *c, const br_section *s, br_target *t)
{
    int rc = 0;
    for (size_t i = 0; i < s->n_kv && !rc; i++) {
        const br_kv *kv = &s->kv[i];
        long l = 0;
        const char *k = kv->key;
        if (!strcmp(k, "broker")) rc = get_text(c, kv, &t->broker);
        else if (!strcmp(k, "port")) {
            if (!(rc = get_long(c, kv, 1, 65535, &l))) t->port = (int)l;
        } else if (!strcmp(k, "tls")) rc = get_bool(c, kv, &t->tls);
        else if (!strcmp(k, "insecure")) rc = get_bool(c, kv, &t->insecure);
        else if (!strcmp(k, "cafile")) rc = get_text(c, kv, &t->cafile);
        else if (!strcmp(k, "certfile")) rc = get_text(c, kv, &t->certfile);
        else if (!strcmp(k, "keyfile")) rc = get_text(c, kv, &t->keyfile);
        else if (!strcmp(k, "username")) rc = get_text(c, kv, &t->username);
        else if (!strcmp(k, "password_file")) rc = get_secret(c, kv, false, &t->password);
        else if (!strcmp(k, "password_credential")) rc = get_secret(c, kv, true, &t->password);
        else if (!strcmp(k, "password"))
            rc = bad(c, kv->line, "the broker password is never written in the config; put it "
                     "in a file only you can read (chmod 600) and write password_file = PATH, or "
                     "use password_credential = NAME under systemd");
        else if (!strcmp(k, "client_id")) rc = get_text(c, kv, &t->client_id);
        else if (!strcmp(k, "qos")) {
            if (!(rc = get_long(c, kv, 0, 1, &l))) t->qos = (int)l;
        } else if (!strcmp(k, "keepalive")) {
            if (!(rc = get_long(c, kv, 5, 65535, &l))) t->keepalive = (int)l;
        } else
            rc = bad(c, kv->line, "unknown key '%s' in [target]; the keys are broker, port, "
                     "tls, cafile, certfile, keyfile, insecure, username, password_file, "
                     "password_credential, client_id, qos, keepalive", bt_shown(k));
    }
    if (rc) return rc;
    if ((t->certfile != NULL) != (t->keyfile != NULL))
        return bad(c, s->line, "[target] has %s without %s; give both for a client "
                   "certificate, or neither", t->certfile ? "certfile" : "keyfile",
                   t->certfile ? "keyfile" : "certfile");
    if ((t->cafile || t->certfile || t->insecure) && !t->tls) t->tls = true;
    if (t->password && !t->username)
        return bad(c, s->line, "[target] has a password but no username; add username = NAME");
    if (!t->port) t->port = t->tls ? 8883 : 1883;
    br_buf b = { 0 };
    char num[32];
    sig_add(&b, "broker", t->broker);
    bt_fmt(num, sizeof num, "%d/%d/%d/%d/%d", t->port, t->tls, t->insecure, t->qos, t->keepalive);
    sig_add(&b, "numbers", num);
    sig_add(&b, "cafile", t->cafile);
    sig_add(&b, "certfile", t->certfile);
    sig_add(&b, "keyfile", t->keyfile);
    sig_add(&b, "username", t->username);
    sig_secret(&b, "password", t->password);
    sig_add(&b, "client_id", t->client_id);
    if (b.oom) {
        br_buf_free(&b);
        return oom(c);
    }
    t->signature = b.s;
    return 0;
}

/* ---- [source NAME] ----------------------------------------------------------------- */

static void transport_names(bluetti_registry *reg, char *out, size_t cap)
{
    bluetti_registry_load_deferred(reg);
    out[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < bluetti_registry_transport_count(reg); i++) {
        const bluetti_transport_ops *o = bluetti_registry_transport_at(reg, i);
        bt_fmt(out + len, cap - len, "%s%s", i ? ", " : "", o->name);
        len = strlen(out);
    }
}

static int source_section(ctx *c, const br_section *s, br_source *src)
{
    src->name = strdup(s->name);
    src->line = s->line;
    src->opts = bluetti_options_new();
    if (!src->name || !src->opts) return oom(c);
    const br_kv *tkv = NULL;
    for (size_t i = 0; i < s->n_kv; i++)
        if (!strcmp(s->kv[i].key, "transport")) tkv = &s->kv[i];
    const bluetti_transport_ops *ops = NULL;
    if (tkv) {
        if (bluetti_registry_need_transport(c->reg, tkv->value) == 0)
            ops = bluetti_registry_find_transport(c->reg, tkv->value);
        if (!ops) {
            char names[512];
            transport_names(c->reg, names, sizeof names);
            return bad(c, tkv->line, "no transport '%s' (the plugins give: %s); check the name "
                       "or the plugin directory", bt_shown(tkv->value), names);
        }
    } else if (!(ops = tc_default_transport(c->reg))) {
        return bad(c, s->line, "[source %s] names no transport and no plugin offers a default "
                   "one; add transport = sim or transport = mqtt", s->name);
    }
    src->transport = strdup(ops->name);
    if (!src->transport) return oom(c);
    src->any_address = (ops->flags & BLUETTI_TRANSPORT_F_ANY_ADDRESS) != 0;
    for (size_t i = 0; i < ops->n_options; i++)
        if (ops->options[i].flags & BLUETTI_OPTION_F_DEVICE_MODEL) src->model_key = ops->options[i].name;
    br_buf sig = { 0 };
    sig_add(&sig, "transport", ops->name);
    int rc = 0;
    for (size_t i = 0; i < s->n_kv && !rc; i++) {
        const br_kv *kv = &s->kv[i];
        if (kv == tkv) continue;
        size_t stem = 0;
        bool from_file = ends_with(kv->key, "_file", &stem);
        bool from_cred = !from_file && ends_with(kv->key, "_credential", &stem);
        char key[128];
        bt_fmt(key, sizeof key, "%.*s", (int)(from_file || from_cred ? stem : strlen(kv->key)),
               kv->key);
        for (char *p = key; *p; p++)
            if (*p == '-') *p = '_';
        const bluetti_option_decl *d = bluetti_option_find(ops->options, ops->n_options, key);
        if (d && d->type != BLUETTI_OPT_SECRET && (from_file || from_cred)) d = NULL;
        if (!d && (from_file || from_cred)) { /* maybe a key that really ends in _file */
            bt_strlcpy(key, kv->key, sizeof key);
            d = bluetti_option_find(ops->options, ops->n_options, key);
            from_file = from_cred = false;
        }
        if (!d && ops->options) {
            br_buf known = { 0 };
            for (size_t k = 0; k < ops->n_options; k++) {
                if (k) br_buf_puts(&known, ", ");
                br_buf_puts(&known, ops->options[k].name);
                if (ops->options[k].type == BLUETTI_OPT_SECRET) br_buf_puts(&known, "_file");
            }
            rc = bad(c, kv->line, "unknown key '%s' for transport '%s'; its keys are: %s (see "
                     "'bluetti-tool --transport %s --help')", bt_shown(kv->key), ops->name,
                     known.s ? known.s : "(none)", ops->name);
            br_buf_free(&known);
            break;
        }
        const char *name = d ? d->name : key;
        if (d && d->type == BLUETTI_OPT_SECRET) {
            if (!from_file && !from_cred) {
                rc = bad(c, kv->line, "the %s is never written in the config; put it in a file "
                         "only you can read (chmod 600) and write %s_file = PATH, or %s_credential"
                         " = NAME under systemd (LoadCredential=)", name, name, name);
                break;
            }
            char *secret = NULL;
            if ((rc = get_secret(c, kv, from_cred, &secret))) break;
            if (!secret) {
                rc = oom(c);
                break;
            }
            if (bluetti_options_set_secret(src->opts, name, secret) != 0) rc = oom(c);
            sig_secret(&sig, name, secret);
            bt_wipe(secret, strlen(secret));
            free(secret);
            continue;
        }
        char why[BR_ERR_MAX];
        if (d && bluetti_option_check(d, kv->value, why, sizeof why) != 0) {
            rc = bad(c, kv->line, "%s: %s", kv->key, why);
            break;
        }
        int arc = d && d->repeatable ? bluetti_options_add(src->opts, name, kv->value)
                                     : bluetti_options_set(src->opts, name, kv->value);
        if (arc) rc = oom(c);
        sig_add(&sig, name, kv->value);
    }
    if (!rc && ops->options) { /* required keys, whole-bag rules */
        bluetti_options *checked = NULL;
        char why[BR_ERR_MAX];
        bluetti_options *probe = bluetti_options_new();
        if (!probe) rc = oom(c);
        for (size_t i = 0; probe && !rc; i++) { /* as the session will see it (model filled) */
            const char *k, *v;
            if (!bluetti_options_entry(src->opts, i, &k, &v)) break;
            if (bluetti_options_entry_secret(src->opts, i)) bluetti_options_set_secret(probe, k, "x");
            else bluetti_options_add(probe, k, v);
        }
        if (!rc && bluetti_options_apply_decls(ops->options, ops->n_options, ops->name, probe,
                                               &checked, why, sizeof why) != 0)
            rc = bad(c, s->line, "[source %s]: %s", s->name, why);
        bluetti_options_free(checked);
        bluetti_options_free(probe);
    }
    if (!rc && sig.oom) rc = oom(c);
    if (rc) br_buf_free(&sig);
    else src->signature = sig.s;
    return rc;
}

/* ---- [device NAME] ------------------------------------------------------------------ */

static int device_section(ctx *c, const br_section *s, br_config *cf, br_device *d, bool *enabled)
{
    d->name = strdup(s->name);
    d->line = s->line;
    d->interval = 10;
    d->missed_polls = 0;
    *enabled = true;
    if (!d->name) return oom(c);
    int rc = 0;
    const br_kv *model_kv = NULL, *groups_kv = NULL, *source_kv = NULL, *unverified_kv = NULL;
    for (size_t i = 0; i < s->n_kv && !rc; i++) {
        const br_kv *kv = &s->kv[i];
        long l = 0;
        const char *k = kv->key;
        if (!strcmp(k, "source")) {
            source_kv = kv;
            rc = get_text(c, kv, &d->source);
        } else if (!strcmp(k, "serial")) {
            if (!(rc = get_text(c, kv, &d->serial)) &&
                (strpbrk(d->serial, "+#/ \t") || !bluetti_address_valid(d->serial)))
                rc = bad(c, kv->line, "serial = '%s' is not a device serial (letters, digits, "
                         "':' and '-'; no '/', '+', '#' or spaces)", bt_shown(kv->value));
        } else if (!strcmp(k, "model")) {
            model_kv = kv;
            if (strcmp(kv->value, "auto") != 0) rc = get_text(c, kv, &d->model);
        } else if (!strcmp(k, "interval")) rc = get_double(c, kv, 0.1, 86400, &d->interval);
        else if (!strcmp(k, "groups")) {
            groups_kv = kv;
            rc = get_list(c, kv, &d->groups, &d->n_groups);
        } else if (!strcmp(k, "blocks")) {
            char **l2 = NULL;
            size_t n2 = 0;
            rc = get_list(c, kv, &l2, &n2);
            for (size_t j = 0; !rc && j < n2; j++) {
                long b;
                if (bt_parse_whole(l2[j], false, &b) != BT_NUM_OK || b < 0 || b > 65535 ||
                    !bluetti_registry_find_block(c->reg, (uint16_t)b))
                    rc = bad(c, kv->line, "blocks: '%s' is not a block the plugins know; see "
                             "'bluetti-tool blocks'", bt_shown(l2[j]));
                else {
                    uint16_t *nb = realloc(d->blocks, (d->n_blocks + 1) * sizeof *nb);
                    if (!nb) rc = oom(c);
                    else {
                        d->blocks = nb;
                        d->blocks[d->n_blocks++] = (uint16_t)b;
                    }
                }
            }
            free_list(l2, n2);
        } else if (!strcmp(k, "fields")) rc = get_list(c, kv, &d->fields, &d->n_fields);
        else if (!strcmp(k, "enabled")) rc = get_bool(c, kv, enabled);
        else if (!strcmp(k, "control")) rc = get_bool(c, kv, &d->control);
        else if (!strcmp(k, "control_unverified")) {
            unverified_kv = kv;
            rc = get_bool(c, kv, &d->control_unverified);
        } else if (!strcmp(k, "missed_polls")) {
            if (!(rc = get_long(c, kv, 1, 1000, &l))) d->missed_polls = (unsigned)l;
        } else
            rc = bad(c, kv->line, "unknown key '%s' in [device %s]; the keys are source, "
                     "serial, model, interval, groups, blocks, fields, enabled, missed_polls, "
                     "control, control_unverified", bt_shown(k), s->name);
    }
    if (rc) return rc;
    if (d->control_unverified && !d->control)
        return bad(c, unverified_kv ? unverified_kv->line : s->line, "control_unverified = yes in [device %s] without "
                   "control = yes: writes are off for this device; add control = yes, or "
                   "remove control_unverified", s->name);
    if (!d->missed_polls) d->missed_polls = cf->missed_polls;
    if (!d->source) {
        if (cf->n_sources != 1)
            return bad(c, s->line, "[device %s] names no source and there are %zu; add source = "
                       "NAME", s->name, cf->n_sources);
        if (!(d->source = strdup(cf->sources[0].name))) return oom(c);
    }
    const br_source *src = br_config_source(cf, d->source);
    if (!src)
        return bad(c, source_kv ? source_kv->line : s->line, "[device %s]: no [source %s] in "
                   "this file; add the section or fix the name", s->name, bt_shown(d->source));
    const bluetti_profile *p = NULL;
    if (d->model && !(p = bluetti_registry_find_profile(c->reg, d->model)))
        return bad(c, model_kv ? model_kv->line : s->line, "model = '%s': no such model (see 'bluetti-tool models'), "
                   "or write model = auto to detect it", bt_shown(d->model));
    if (p) {
        free(d->model); /* the canonical name */
        if (!(d->model = strdup(p->model))) return oom(c);
    }
    for (size_t i = 0; p && i < d->n_groups; i++)
        if (!bluetti_profile_group(p, d->groups[i])) {
            br_buf names = { 0 };
            for (size_t g = 0; g < p->n_groups; g++) {
                if (g) br_buf_puts(&names, ", ");
                br_buf_puts(&names, p->groups[g].name);
            }
            rc = bad(c, groups_kv ? groups_kv->line : s->line, "groups: %s has no group '%s'; its groups are %s",
                     p->model, bt_shown(d->groups[i]), names.s ? names.s : "(none)");
            br_buf_free(&names);
            return rc;
        }
    if (!d->serial) {
        if (!src->any_address)
            return bad(c, s->line, "[device %s] has no serial; add serial = ... (the station's "
                       "serial number, see 'bluetti-tool devices')", s->name);
        char why[BR_ERR_MAX];
        if (!(d->serial = br_sim_image_serial(src, d->model, why, sizeof why)))
            return bad(c, s->line, "[device %s]: %s", s->name, why);
    }
    br_buf sig = { 0 };
    for (size_t i = 0; i < s->n_kv; i++) sig_add(&sig, s->kv[i].key, s->kv[i].value);
    sig_add(&sig, "serial", d->serial);
    char num[16];
    bt_fmt(num, sizeof num, "%u", d->missed_polls);
    sig_add(&sig, "missed", num);
    br_buf_puts(&sig, src->signature);
    if (sig.oom) {
        br_buf_free(&sig);
        return oom(c);
    }
    d->signature = sig.s;
    return 0;
}

static void device_free(br_device *d)
{
    free(d->name);
    free(d->source);
    free(d->serial);
    free(d->model);
    free_list(d->groups, d->n_groups);
    free(d->blocks);
    free_list(d->fields, d->n_fields);
    free(d->signature);
}

/* ---- the whole file ------------------------------------------------------------------ */

const br_source *br_config_source(const br_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_sources; i++)
        if (!strcmp(c->sources[i].name, name)) return &c->sources[i];
    return NULL;
}

void br_config_free(br_config *c)
{
    if (!c) return;
    free(c->path);
    free(c->prefix);
    free(c->discovery_prefix);
    free(c->ha_status_topic);
    free(c->id);
    br_target *t = &c->target;
    free(t->broker);
    free(t->cafile);
    free(t->certfile);
    free(t->keyfile);
    free(t->username);
    if (t->password) bt_wipe(t->password, strlen(t->password));
    free(t->password);
    free(t->client_id);
    free(t->signature);
    for (size_t i = 0; i < c->n_sources; i++) {
        free(c->sources[i].name);
        free(c->sources[i].transport);
        bluetti_options_free(c->sources[i].opts);
        free(c->sources[i].signature);
    }
    free(c->sources);
    for (size_t i = 0; i < c->n_devices; i++) device_free(&c->devices[i]);
    free(c->devices);
    free(c);
}

static int set_defaults(br_config *cf)
{
    cf->discovery = true;
    cf->missed_polls = 3;
    cf->health_interval = 60;
    cf->target.qos = 1;
    cf->target.keepalive = 30;
    return 0;
}

static int fill_defaults(ctx *c, br_config *cf)
{
    if (!cf->prefix && !(cf->prefix = strdup("bluetti"))) return oom(c);
    if (!cf->discovery_prefix && !(cf->discovery_prefix = strdup("homeassistant"))) return oom(c);
    if (!cf->ha_status_topic) {
        char t[512];
        bt_fmt(t, sizeof t, "%s/status", cf->discovery_prefix);
        if (!(cf->ha_status_topic = strdup(t))) return oom(c);
    }
    if (!cf->id) {
        char id[64];
        if (cf->shard_n > 1) bt_fmt(id, sizeof id, "bridge-%u-of-%u", cf->shard_k, cf->shard_n);
        else bt_fmt(id, sizeof id, "bridge");
        if (!(cf->id = strdup(id))) return oom(c);
    }
    if (!cf->target.broker && !(cf->target.broker = strdup("localhost"))) return oom(c);
    if (!cf->target.client_id) {
        char id[160];
        bt_fmt(id, sizeof id, "bluetti-%s", cf->id);
        if (!(cf->target.client_id = strdup(id))) return oom(c);
    }
    return 0;
}

static int load_sections(ctx *c, const br_section *s, size_t n, const br_overrides *ov,
                         br_config *cf)
{
    int rc = 0;
    const br_section *target = NULL;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!strcmp(s[i].kind, "bridge")) rc = bridge_section(c, &s[i], cf);
        else if (!strcmp(s[i].kind, "target")) target = &s[i];
    }
    if (rc) return rc;
    if (ov->shard) {
        const char *why;
        if (br_shard_parse(ov->shard, &cf->shard_k, &cf->shard_n, &why)) {
            bt_fmt(c->err, c->err_len, "--shard %s: %s", bt_shown(ov->shard), why);
            return BR_EXIT_CONFIG;
        }
    }
    if ((rc = fill_defaults(c, cf))) return rc;
    if (target && (rc = target_section(c, target, &cf->target))) return rc;
    if (!target) {
        br_section empty = { NULL, NULL, 0, NULL, 0 };
        if ((rc = target_section(c, &empty, &cf->target))) return rc;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        if (strcmp(s[i].kind, "source") != 0) continue;
        br_source *ns = realloc(cf->sources, (cf->n_sources + 1) * sizeof *ns);
        if (!ns) return oom(c);
        cf->sources = ns;
        memset(&cf->sources[cf->n_sources], 0, sizeof *ns);
        cf->n_sources++;
        rc = source_section(c, &s[i], &cf->sources[cf->n_sources - 1]);
    }
    if (rc) return rc;
    if (!cf->n_sources) {
        bt_fmt(c->err, c->err_len, "%s: no [source NAME] section; add one, e.g. [source home] "
               "with transport = sim", bt_shown_path(c->path));
        return BR_EXIT_CONFIG;
    }
    size_t skipped = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (strcmp(s[i].kind, "device") != 0) continue;
        br_device d = { 0 };
        bool enabled = true;
        rc = device_section(c, &s[i], cf, &d, &enabled);
        for (size_t k = 0; !rc && k < cf->n_devices; k++)
            if (!strcmp(cf->devices[k].serial, d.serial))
                rc = bad(c, s[i].line, "[device %s] has serial %s, as [device %s] on line %d "
                         "does; each station once", d.name, d.serial, cf->devices[k].name,
                         cf->devices[k].line);
        if (rc || !enabled || !br_shard_owns(d.serial, cf->shard_k, cf->shard_n)) {
            if (!rc && enabled) skipped++;
            device_free(&d);
            continue;
        }
        br_device *nd = realloc(cf->devices, (cf->n_devices + 1) * sizeof *nd);
        if (!nd) {
            device_free(&d);
            return oom(c);
        }
        cf->devices = nd;
        cf->devices[cf->n_devices++] = d;
    }
    if (!rc && skipped)
        br_log(BR_DEBUG, "shard %u/%u: %zu devices belong to other shards", cf->shard_k,
               cf->shard_n, skipped);
    return rc;
}

int br_config_load(const char *path, bluetti_registry *reg, const br_overrides *ov,
                   br_config **out, char *err, size_t err_len)
{
    *out = NULL;
    br_section *s = NULL;
    size_t n = 0;
    int rc = br_conf_read(path, &s, &n, err, err_len);
    if (rc) return rc;
    br_config *cf = calloc(1, sizeof *cf);
    ctx c = { path, reg, err, err_len };
    if (!cf || !(cf->path = strdup(path))) rc = oom(&c);
    if (!rc) rc = set_defaults(cf);
    if (!rc) rc = load_sections(&c, s, n, ov, cf);
    br_sections_free(s, n);
    if (rc) {
        br_config_free(cf);
        return rc;
    }
    *out = cf;
    return 0;
}
