/* The registry: blocks, profiles and transports provided by plugins. */
#include "config.h"

#include "registry_int.h"
#include "bt_name.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bluetti_registry_new(bluetti_registry **out)
{
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    bluetti_registry *r = calloc(1, sizeof *r);
    if (!r) return BLUETTI_E_NOMEM;
    r->current = BT_NO_PLUGIN;
    r->log.level = BLUETTI_LOG_WARN;
    *out = r;
    return 0;
}

void bluetti_registry_free(bluetti_registry *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_plugins; i++) {
        free(r->plugins[i].file);
        free(r->plugins[i].reason);
    }
    free(r->plugins);
    free(r->blocks);
    free(r->profiles);
    free(r->transports);
    for (size_t i = 0; i < r->n_deferred; i++) {
        free(r->deferred[i].name);
        free(r->deferred[i].file);
    }
    free(r->deferred);
    /* Plugins are resident: libltdl keeps their handles for the life of the
     * process (opening the same file again reuses them), so nothing is
     * unmapped while code might still point into it. No lt_dlexit here:
     * it would drop the handle list and leak the resident handles. */
    free(r);
}

void bluetti_registry_set_log(bluetti_registry *r, bluetti_log_fn fn, void *userdata,
                              bluetti_log_level level)
{
    if (!r) return;
    r->log.fn = fn;
    r->log.userdata = userdata;
    r->log.level = level;
}

const bluetti_logger *bluetti_registry_logger(const bluetti_registry *r)
{
    return r ? &r->log : NULL;
}

/* ---- plugin records ---------------------------------------------------- */

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *nv = realloc(*v, nc * elem);
    if (!nv) return BLUETTI_E_NOMEM;
    *v = nv;
    *cap = nc;
    return 0;
}

size_t bt_registry_add_record(bluetti_registry *r, const char *file)
{
    if (grow((void **)&r->plugins, &r->cap_plugins, r->n_plugins, sizeof *r->plugins))
        return BT_NO_PLUGIN;
    struct plugin_rec *p = &r->plugins[r->n_plugins];
    memset(p, 0, sizeof *p);
    p->file = strdup(file ? file : "(builtin)");
    if (!p->file) return BT_NO_PLUGIN;
    return r->n_plugins++;
}

int bt_registry_refuse(bluetti_registry *r, size_t i, int err, const char *fmt, ...)
{
    struct plugin_rec *p = &r->plugins[i];
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    p->status = err;
    free(p->reason);
    p->reason = strdup(buf);
    bluetti_log(&r->log, err == BLUETTI_E_EXISTS ? BLUETTI_LOG_INFO : BLUETTI_LOG_WARN,
                "loader", "plugin %s refused: %s", p->file, buf);
    return err;
}

size_t bt_registry_find_plugin(const bluetti_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n_plugins; i++) {
        const struct plugin_rec *p = &r->plugins[i];
        if (p->status == 0 && p->desc && strcmp(p->desc->name, name) == 0) return i;
    }
    return BT_NO_PLUGIN;
}

static const char *plugin_name(const bluetti_registry *r, size_t i)
{
    if (i == BT_NO_PLUGIN || i >= r->n_plugins) return "the application";
    const struct plugin_rec *p = &r->plugins[i];
    return (p->desc && p->desc->name) ? p->desc->name : p->file;
}

int bt_plugin_check_abi(const bluetti_plugin *p, char *why, size_t why_len)
{
    if (p->abi_major != BLUETTI_PLUGIN_ABI_MAJOR || p->abi_minor > BLUETTI_PLUGIN_ABI_MINOR) {
        bt_fmt(why, why_len,
               "built for plugin ABI %u.%u but this library provides %d.%d; rebuild the plugin "
               "against the installed bluetti headers (pkg-config bluetti)",
               (unsigned)p->abi_major, (unsigned)p->abi_minor, BLUETTI_PLUGIN_ABI_MAJOR,
               BLUETTI_PLUGIN_ABI_MINOR);
        return BLUETTI_E_PLUGIN_ABI;
    }
    if (p->struct_size < offsetof(bluetti_plugin, reserved)) {
        bt_fmt(why, why_len, "descriptor is %u bytes, smaller than ABI %d.%d requires; rebuild "
               "the plugin", (unsigned)p->struct_size, BLUETTI_PLUGIN_ABI_MAJOR,
               BLUETTI_PLUGIN_ABI_MINOR);
        return BLUETTI_E_PLUGIN_ABI;
    }
    if (!p->name || !*p->name || !p->init) {
        bt_fmt(why, why_len, "descriptor lacks a %s; define it with BLUETTI_PLUGIN_DEFINE",
               (!p->name || !*p->name) ? "name" : "init function");
        return BLUETTI_E_PLUGIN_ABI;
    }
    return 0;
}

/* Remove everything plugin i registered (after a failed init). */
static void rollback(bluetti_registry *r, size_t i)
{
    size_t w = 0;
    for (size_t k = 0; k < r->n_blocks; k++)
        if (r->blocks[k].plugin != i) r->blocks[w++] = r->blocks[k];
    r->n_blocks = w;
    w = 0;
    for (size_t k = 0; k < r->n_profiles; k++)
        if (r->profiles[k].plugin != i) r->profiles[w++] = r->profiles[k];
    r->n_profiles = w;
    w = 0;
    for (size_t k = 0; k < r->n_transports; k++)
        if (r->transports[k].plugin != i) r->transports[w++] = r->transports[k];
    r->n_transports = w;
    r->plugins[i].n_blocks = r->plugins[i].n_profiles = r->plugins[i].n_transports = 0;
}

int bt_registry_init_plugin(bluetti_registry *r, size_t i, const bluetti_plugin *p)
{
    size_t prev = r->current;
    r->plugins[i].desc = p;
    r->current = i;
    int rc = p->init(r);
    r->current = prev;
    if (rc != 0) {
        rollback(r, i);
        if (rc > 0) rc = BLUETTI_E_PLUGIN_INIT;
        return bt_registry_refuse(r, i, rc == BLUETTI_E_EXISTS ? BLUETTI_E_EXISTS
                                                               : BLUETTI_E_PLUGIN_INIT,
                                  "init failed: %s; see the messages logged before this one "
                                  "and fix or remove the plugin", bluetti_strerror(rc));
    }
    r->plugins[i].status = 0;
    bluetti_log(&r->log, BLUETTI_LOG_DEBUG, "loader", "loaded plugin %s %s from %s", p->name,
                p->version ? p->version : "?", r->plugins[i].file);
    return 0;
}

int bluetti_registry_load_builtin(bluetti_registry *r, const bluetti_plugin *p, const char *origin)
{
    if (!r || !p) return BLUETTI_E_INVAL;
    size_t i = bt_registry_add_record(r, origin ? origin : "(builtin)");
    if (i == BT_NO_PLUGIN) return BLUETTI_E_NOMEM;
    char why[512];
    int rc = bt_plugin_check_abi(p, why, sizeof why);
    if (rc) return bt_registry_refuse(r, i, rc, "%s", why);
    size_t other = bt_registry_find_plugin(r, p->name);
    if (other != BT_NO_PLUGIN)
        return bt_registry_refuse(r, i, BLUETTI_E_EXISTS,
                                  "a plugin named '%s' is already loaded from %s; the first "
                                  "one found wins", p->name, r->plugins[other].file);
    return bt_registry_init_plugin(r, i, p);
}

/* ---- registration ------------------------------------------------------ */

static size_t block_pos(const bluetti_registry *r, uint16_t id, bool *found)
{
    size_t lo = 0, hi = r->n_blocks;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->blocks[mid].s->id < id) lo = mid + 1;
        else hi = mid;
    }
    *found = lo < r->n_blocks && r->blocks[lo].s->id == id;
    return lo;
}

static int check_block(bluetti_registry *r, const bluetti_block_schema *s)
{
    char why[512];
    if (!s) return BLUETTI_E_INVAL;
    if (bluetti_schema_validate(s, why, sizeof why) != 0) {
        bluetti_log(&r->log, BLUETTI_LOG_ERROR, "registry", "plugin %s: %s",
                    plugin_name(r, r->current), why);
        return BLUETTI_E_SCHEMA;
    }
    bool found;
    size_t pos = block_pos(r, s->id, &found);
    if (found) {
        bluetti_log(&r->log, BLUETTI_LOG_ERROR, "registry",
                    "block %u (%s) from plugin %s is already provided by plugin %s; remove one "
                    "of the two plugins", (unsigned)s->id, s->name ? s->name : "?",
                    plugin_name(r, r->current), plugin_name(r, r->blocks[pos].plugin));
        return BLUETTI_E_EXISTS;
    }
    return 0;
}

static int insert_block(bluetti_registry *r, const bluetti_block_schema *s)
{
    if (grow((void **)&r->blocks, &r->cap_blocks, r->n_blocks, sizeof *r->blocks))
        return BLUETTI_E_NOMEM;
    bool found;
    size_t pos = block_pos(r, s->id, &found);
    memmove(&r->blocks[pos + 1], &r->blocks[pos], (r->n_blocks - pos) * sizeof *r->blocks);
    r->blocks[pos] = (struct block_entry){ s, r->current };
    r->n_blocks++;
    if (r->current != BT_NO_PLUGIN) r->plugins[r->current].n_blocks++;
    return 0;
}

int bluetti_registry_add_block(bluetti_registry *r, const bluetti_block_schema *s)
{
    if (!r) return BLUETTI_E_INVAL;
    int rc = check_block(r, s);
    return rc ? rc : insert_block(r, s);
}

int bluetti_registry_add_blocks(bluetti_registry *r, const bluetti_block_schema *const *s, size_t n)
{
    if (!r || (!s && n)) return BLUETTI_E_INVAL;
    /* all or nothing: check every schema (and duplicates inside the batch) first */
    for (size_t i = 0; i < n; i++) {
        int rc = check_block(r, s[i]);
        if (rc) return rc;
        for (size_t j = 0; j < i; j++) {
            if (s[j]->id == s[i]->id) {
                bluetti_log(&r->log, BLUETTI_LOG_ERROR, "registry",
                            "plugin %s registers block %u twice", plugin_name(r, r->current),
                            (unsigned)s[i]->id);
                return BLUETTI_E_EXISTS;
            }
        }
    }
    if (r->cap_blocks < r->n_blocks + n) {
        size_t nc = r->n_blocks + n + 16;
        struct block_entry *nv = realloc(r->blocks, nc * sizeof *nv);
        if (!nv) return BLUETTI_E_NOMEM;
        r->blocks = nv;
        r->cap_blocks = nc;
    }
    for (size_t i = 0; i < n; i++) insert_block(r, s[i]);
    return 0;
}


static bool profile_matches(const bluetti_profile *p, const char *name)
{
    if (bt_name_eq(p->model, name)) return true;
    for (const char *const *a = p->aliases; a && *a; a++)
        if (bt_name_eq(*a, name)) return true;
    return false;
}

int bluetti_registry_add_profile(bluetti_registry *r, const bluetti_profile *p)
{
    if (!r || !p) return BLUETTI_E_INVAL;
    char why[512];
    if (bluetti_profile_validate(p, why, sizeof why) != 0) {
        bluetti_log(&r->log, BLUETTI_LOG_ERROR, "registry", "plugin %s: %s",
                    plugin_name(r, r->current), why);
        return BLUETTI_E_SCHEMA;
    }
    for (size_t i = 0; i < r->n_profiles; i++) {
        const bluetti_profile *q = r->profiles[i].p;
        const char *clash = NULL;
        if (profile_matches(q, p->model)) clash = p->model;
        for (const char *const *a = p->aliases; !clash && a && *a; a++)
            if (profile_matches(q, *a)) clash = *a;
        if (clash) {
            bluetti_log(&r->log, BLUETTI_LOG_ERROR, "registry",
                        "model name '%s' from plugin %s is already used by profile %s of plugin "
                        "%s; remove one of the two plugins", clash, plugin_name(r, r->current),
                        q->model, plugin_name(r, r->profiles[i].plugin));
            return BLUETTI_E_EXISTS;
        }
    }
    if (grow((void **)&r->profiles, &r->cap_profiles, r->n_profiles, sizeof *r->profiles))
        return BLUETTI_E_NOMEM;
    r->profiles[r->n_profiles++] = (struct profile_entry){ p, r->current };
    if (r->current != BT_NO_PLUGIN) r->plugins[r->current].n_profiles++;
    return 0;
}

int bluetti_registry_add_transport(bluetti_registry *r, const bluetti_transport_ops *t)
{
    if (!r || !t) return BLUETTI_E_INVAL;
    if (!t->name || !*t->name || !t->open || !t->close || !t->attach || !t->submit ||
        !t->process) {
        bluetti_log(&r->log, BLUETTI_LOG_ERROR, "registry",
                    "plugin %s: transport '%s' lacks a name or a required function (open, "
                    "close, attach, submit, process)", plugin_name(r, r->current),
                    t->name ? t->name : "?");
        return BLUETTI_E_SCHEMA;
    }
    char why[256];
    if (bt_option_table_check(t->options, t->n_options, why, sizeof why) != 0) {
        bluetti_log(&r->log, BLUETTI_LOG_ERROR, "registry",
                    "plugin %s: transport '%s' has a bad option table: %s",
                    plugin_name(r, r->current), t->name, why);
        return BLUETTI_E_SCHEMA;
    }
    for (size_t i = 0; i < r->n_transports; i++) {
        if (strcmp(r->transports[i].t->name, t->name) == 0) {
            bluetti_log(&r->log, BLUETTI_LOG_ERROR, "registry",
                        "transport '%s' from plugin %s is already provided by plugin %s; remove "
                        "one of the two plugins", t->name, plugin_name(r, r->current),
                        plugin_name(r, r->transports[i].plugin));
            return BLUETTI_E_EXISTS;
        }
    }
    if (grow((void **)&r->transports, &r->cap_transports, r->n_transports, sizeof *r->transports))
        return BLUETTI_E_NOMEM;
    r->transports[r->n_transports++] = (struct transport_entry){ t, r->current };
    if (r->current != BT_NO_PLUGIN) r->plugins[r->current].n_transports++;
    return 0;
}

/* ---- introspection ----------------------------------------------------- */

size_t bluetti_registry_plugin_count(const bluetti_registry *r) { return r ? r->n_plugins : 0; }

int bluetti_registry_plugin_info(const bluetti_registry *r, size_t i, bluetti_plugin_info *out)
{
    if (!r || !out || i >= r->n_plugins) return BLUETTI_E_INVAL;
    const struct plugin_rec *p = &r->plugins[i];
    memset(out, 0, sizeof *out);
    out->file = p->file;
    if (p->desc) {
        out->name = p->desc->name;
        out->version = p->desc->version;
        out->description = p->desc->description;
    }
    out->status = p->status;
    out->reason = p->reason;
    out->n_blocks = p->n_blocks;
    out->n_profiles = p->n_profiles;
    out->n_transports = p->n_transports;
    return 0;
}

size_t bluetti_registry_block_count(const bluetti_registry *r) { return r ? r->n_blocks : 0; }

const bluetti_block_schema *bluetti_registry_block_at(const bluetti_registry *r, size_t i)
{
    return (r && i < r->n_blocks) ? r->blocks[i].s : NULL;
}

const bluetti_block_schema *bluetti_registry_find_block(const bluetti_registry *r, uint16_t id)
{
    if (!r) return NULL;
    bool found;
    size_t pos = block_pos(r, id, &found);
    return found ? r->blocks[pos].s : NULL;
}

const char *bluetti_registry_block_plugin(const bluetti_registry *r, uint16_t id)
{
    if (!r) return NULL;
    bool found;
    size_t pos = block_pos(r, id, &found);
    return found ? plugin_name(r, r->blocks[pos].plugin) : NULL;
}

size_t bluetti_registry_profile_count(const bluetti_registry *r) { return r ? r->n_profiles : 0; }

const bluetti_profile *bluetti_registry_profile_at(const bluetti_registry *r, size_t i)
{
    return (r && i < r->n_profiles) ? r->profiles[i].p : NULL;
}

const bluetti_profile *bluetti_registry_find_profile(const bluetti_registry *r, const char *name)
{
    if (!r || !name) return NULL;
    for (size_t i = 0; i < r->n_profiles; i++)
        if (profile_matches(r->profiles[i].p, name)) return r->profiles[i].p;
    return NULL;
}

const char *bluetti_registry_profile_plugin(const bluetti_registry *r, const bluetti_profile *p)
{
    if (!r) return NULL;
    for (size_t i = 0; i < r->n_profiles; i++)
        if (r->profiles[i].p == p) return plugin_name(r, r->profiles[i].plugin);
    return NULL;
}

size_t bluetti_registry_transport_count(const bluetti_registry *r)
{
    return r ? r->n_transports : 0;
}

const bluetti_transport_ops *bluetti_registry_transport_at(const bluetti_registry *r, size_t i)
{
    return (r && i < r->n_transports) ? r->transports[i].t : NULL;
}

const bluetti_transport_ops *bluetti_registry_find_transport(const bluetti_registry *r,
                                                             const char *name)
{
    if (!r || !name) return NULL;
    for (size_t i = 0; i < r->n_transports; i++)
        if (strcmp(r->transports[i].t->name, name) == 0) return r->transports[i].t;
    return NULL;
}

const bluetti_option_decl *bluetti_registry_transport_options(bluetti_registry *r,
                                                             const char *name, size_t *n)
{
    if (n) *n = 0;
    if (!r || !name || bluetti_registry_need_transport(r, name) != 0) return NULL;
    const bluetti_transport_ops *t = bluetti_registry_find_transport(r, name);
    if (!t || !t->n_options) return NULL;
    if (n) *n = t->n_options;
    return t->options;
}

const char *bluetti_registry_transport_plugin(const bluetti_registry *r,
                                              const bluetti_transport_ops *t)
{
    if (!r) return NULL;
    for (size_t i = 0; i < r->n_transports; i++)
        if (r->transports[i].t == t) return plugin_name(r, r->transports[i].plugin);
    return NULL;
}
