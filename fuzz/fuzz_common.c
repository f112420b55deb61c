/* Shared helpers for the fuzz targets: static plugin registration and a
 * result walker. The plugin sources are compiled with their descriptor
 * renamed (see fuzz/local.mk), so all of them link into one binary. */
#include "config.h"

#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_PLUGINS(X) \
    X(blocks_ats) X(blocks_boot) X(blocks_dcdc) X(blocks_epad) X(blocks_home) \
    X(blocks_inverter) X(blocks_iot) X(blocks_meter) X(blocks_pack) X(blocks_schedule) \
    X(blocks_settings) X(blocks_smartplug) X(profile_elite_v2) X(profile_v2_models)

#define FZ_DECLARE(n) extern const bluetti_plugin fz_plugin_##n;
FZ_PLUGINS(FZ_DECLARE)

static bluetti_registry *registry;

static void quiet_log(void *user, bluetti_log_level level, const char *domain,
                      const char *msg)
{
    (void)user; (void)level; (void)domain; (void)msg;
}

static void free_registry(void)
{
    bluetti_registry_free(registry);
    registry = NULL;
}

bluetti_registry *fz_registry(void)
{
    if (registry) return registry;
    if (bluetti_registry_new(&registry) != 0) abort();
    bluetti_registry_set_log(registry, quiet_log, NULL, BLUETTI_LOG_ERROR);
#define FZ_LOAD(n) \
    if (bluetti_registry_load_builtin(registry, &fz_plugin_##n, #n) != 0) { \
        fprintf(stderr, "fuzz: cannot register %s\n", #n); abort(); }
    FZ_PLUGINS(FZ_LOAD)
    if (bluetti_registry_block_count(registry) == 0) abort();
    atexit(free_registry);
    return registry;
}

static void walk_value(const bluetti_value *v, unsigned depth)
{
    volatile size_t sink = 0;
    switch (v->kind) {
    case BLUETTI_VAL_ABSENT:
        sink += strlen(bluetti_absent_text(v->absent));
        break;
    case BLUETTI_VAL_TEXT:
        if (!v->v.s) abort();
        sink += strlen(v->v.s);
        break;
    case BLUETTI_VAL_ARRAY:
        if (depth > 4 || (v->count && !v->v.items)) abort();
        for (uint16_t i = 0; i < v->count; i++) walk_value(&v->v.items[i], depth + 1);
        break;
    case BLUETTI_VAL_INT:
    case BLUETTI_VAL_UINT:
    case BLUETTI_VAL_FLOAT:
        sink += (size_t)(bluetti_value_as_double(v) == 0.0);
        break;
    default:
        abort(); /* unknown kind: the decoder wrote garbage */
    }
    (void)sink;
}

void fz_walk_result(const bluetti_result *r)
{
    const bluetti_block_schema *s = bluetti_result_schema(r);
    size_t n = bluetti_result_count(r);
    if (n != s->n_fields) abort();
    for (size_t i = 0; i < n; i++) {
        const bluetti_value *v = bluetti_result_value(r, i);
        if (!v) abort();
        walk_value(v, 0);
        if (s->fields[i].name && bluetti_result_find(r, s->fields[i].name) == NULL) abort();
    }
    volatile size_t sink = 0;
    for (size_t i = 0; i < bluetti_result_warning_count(r); i++) {
        const char *w = bluetti_result_warning(r, i);
        if (!w) abort();
        sink += strlen(w);
    }
    size_t raw_len = 0;
    const uint8_t *raw = bluetti_result_raw(r, &raw_len);
    for (size_t i = 0; raw && i < raw_len; i++) sink += raw[i];
    (void)sink;
    (void)bluetti_result_valid(r);
}

#define FZ_MAX_CACHED 128
static struct { const bluetti_block_schema *s; bluetti_result *r; } cache[FZ_MAX_CACHED];
static size_t n_cache;

static void free_cache(void)
{
    for (size_t i = 0; i < n_cache; i++) bluetti_result_free(cache[i].r);
    n_cache = 0;
}

void fz_decode(const bluetti_block_schema *s, const uint8_t *data, size_t len, uint16_t pv)
{
    bluetti_result *r = NULL;
    for (size_t i = 0; i < n_cache; i++)
        if (cache[i].s == s) r = cache[i].r;
    if (!r) {
        if (bluetti_result_new(s, &r) != 0) abort();
        if (n_cache < FZ_MAX_CACHED) {
            if (n_cache == 0) atexit(free_cache);
            cache[n_cache].s = s;
            cache[n_cache].r = r;
            n_cache++;
        }
    }
    /* an exact-size heap copy so reads past the end are caught */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) abort();
    if (len) memcpy(copy, data, len);
    int rc = bluetti_decode(r, copy, len, pv);
    free(copy);
    if (rc == 0) fz_walk_result(r);
    bool cached = false;
    for (size_t i = 0; i < n_cache; i++)
        if (cache[i].r == r) cached = true;
    if (!cached) bluetti_result_free(r);
}
