/* Key/value options for transports. Secret values are wiped when dropped. */
#include "config.h"

#include "internal.h"
#include "bt_numbers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct opt_entry {
    char *key;
    char *value;
    bool secret;
};

struct bluetti_options {
    struct opt_entry *v;
    size_t n, cap;
};

bluetti_options *bluetti_options_new(void)
{
    return calloc(1, sizeof(bluetti_options));
}

static void drop_entry(struct opt_entry *e)
{
    if (e->value && e->secret) bt_wipe(e->value, strlen(e->value));
    free(e->value);
    free(e->key);
}

void bluetti_options_free(bluetti_options *o)
{
    if (!o) return;
    for (size_t i = 0; i < o->n; i++) drop_entry(&o->v[i]);
    free(o->v);
    free(o);
}

static int push(bluetti_options *o, const char *key, const char *value, bool secret)
{
    if (!o || !key || !*key || !value) return BLUETTI_E_INVAL;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 8;
        struct opt_entry *nv = realloc(o->v, cap * sizeof *nv);
        if (!nv) return BLUETTI_E_NOMEM;
        o->v = nv;
        o->cap = cap;
    }
    char *k = strdup(key), *val = strdup(value);
    if (!k || !val) {
        free(k);
        if (val) {
            if (secret) bt_wipe(val, strlen(val));
            free(val);
        }
        return BLUETTI_E_NOMEM;
    }
    o->v[o->n++] = (struct opt_entry){ k, val, secret };
    /* cppcheck-suppress memleak ; owned by o->v now */
    return 0;
}

static void remove_key(bluetti_options *o, const char *key)
{
    size_t w = 0;
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->v[i].key, key) == 0) drop_entry(&o->v[i]);
        else o->v[w++] = o->v[i];
    }
    o->n = w;
}

int bluetti_options_add(bluetti_options *o, const char *key, const char *value)
{
    return push(o, key, value, false);
}

int bluetti_options_set(bluetti_options *o, const char *key, const char *value)
{
    if (!o || !key || !*key || !value) return BLUETTI_E_INVAL;
    remove_key(o, key);
    return push(o, key, value, false);
}

int bluetti_options_set_secret(bluetti_options *o, const char *key, const char *value)
{
    if (!o || !key || !*key || !value) return BLUETTI_E_INVAL;
    remove_key(o, key);
    return push(o, key, value, true);
}

const char *bluetti_options_get(const bluetti_options *o, const char *key)
{
    if (!o || !key) return NULL;
    for (size_t i = o->n; i-- > 0;)
        if (strcmp(o->v[i].key, key) == 0) return o->v[i].value;
    return NULL;
}

size_t bluetti_options_count(const bluetti_options *o, const char *key)
{
    size_t c = 0;
    if (!o || !key) return 0;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->v[i].key, key) == 0) c++;
    return c;
}

const char *bluetti_options_get_nth(const bluetti_options *o, const char *key, size_t nth)
{
    if (!o || !key) return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->v[i].key, key) == 0 && nth-- == 0) return o->v[i].value;
    return NULL;
}

int bluetti_options_get_long(const bluetti_options *o, const char *key, long min, long max,
                             long *out)
{
    const char *s = bluetti_options_get(o, key);
    if (!s) return BLUETTI_E_NOTFOUND;
    /* plain decimal only: no spaces, '+', hex or exponent */
    long v;
    if (bt_parse_whole(s, false, &v) != BT_NUM_OK || v < min || v > max) return BLUETTI_E_INVAL;
    *out = v;
    return 0;
}

int bluetti_options_get_double(const bluetti_options *o, const char *key, double min,
                               double max, double *out)
{
    const char *s = bluetti_options_get(o, key);
    if (!s) return BLUETTI_E_NOTFOUND;
    /* plain decimal only: no spaces, '+', hex, exponent, inf or nan */
    double v;
    if (bt_parse_decimal(s, &v) != BT_NUM_OK || v < min || v > max) return BLUETTI_E_INVAL;
    *out = v;
    return 0;
}

int bluetti_options_get_bool(const bluetti_options *o, const char *key, bool *out)
{
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[] = { "0", "false", "no", "off" };
    const char *s = bluetti_options_get(o, key);
    if (!s) return BLUETTI_E_NOTFOUND;
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) { *out = true; return 0; }
        if (strcasecmp(s, no[i]) == 0) { *out = false; return 0; }
    }
    return BLUETTI_E_INVAL;
}

bool bluetti_options_entry(const bluetti_options *o, size_t i, const char **key,
                           const char **value)
{
    if (!o || i >= o->n) return false;
    if (key) *key = o->v[i].key;
    if (value) *value = o->v[i].secret ? "***" : o->v[i].value;
    return true;
}

bool bluetti_options_entry_secret(const bluetti_options *o, size_t i)
{
    return o && i < o->n && o->v[i].secret;
}
