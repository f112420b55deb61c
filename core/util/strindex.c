/* Open-addressing string index with linear probing, shared by the
 * session's device table and transport-mqtt's attachment tables. */
#include "config.h"

#include "bt_strindex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t bt_str_hash(const char *s)
{
    size_t h = (size_t)(14695981039346656037ull & SIZE_MAX);
    const size_t prime = (size_t)(1099511628211ull & SIZE_MAX);
    while (*s) h = (h ^ (unsigned char)*s++) * prime;
    return h;
}

void bt_strindex_add(bt_strindex *x, const char *k, size_t i)
{
    size_t mask = x->cap - 1;
    size_t at = bt_str_hash(k) & mask;
    while (x->slot[at]) at = (at + 1) & mask;
    x->slot[at] = i + 1;
}

void bt_strindex_refill(bt_strindex *x, size_t n, bt_strindex_key_fn key, const void *ctx)
{
    if (!x->cap) return;
    memset(x->slot, 0, x->cap * sizeof *x->slot);
    for (size_t i = 0; i < n; i++) bt_strindex_add(x, key(ctx, i), i);
}

int bt_strindex_reserve(bt_strindex *x, size_t n, size_t n_have, bt_strindex_key_fn key,
                        const void *ctx)
{
    if (2 * n < x->cap) return 0;
    size_t cap = x->cap ? x->cap : 16;
    while (2 * n >= cap) {
        if (cap > SIZE_MAX / 2 / sizeof *x->slot) return -1;
        cap *= 2;
    }
    size_t *slot = calloc(cap, sizeof *slot);
    if (!slot) return -1;
    free(x->slot);
    x->slot = slot;
    x->cap = cap;
    for (size_t i = 0; i < n_have; i++) bt_strindex_add(x, key(ctx, i), i);
    return 0;
}

bool bt_strindex_find(const bt_strindex *x, const char *k, bt_strindex_key_fn key,
                      const void *ctx, size_t *i)
{
    if (!x->cap || !k) return false;
    size_t mask = x->cap - 1;
    for (size_t at = bt_str_hash(k) & mask; x->slot[at]; at = (at + 1) & mask) {
        if (strcmp(key(ctx, x->slot[at] - 1), k) == 0) {
            if (i) *i = x->slot[at] - 1;
            return true;
        }
    }
    return false;
}

void bt_strindex_free(bt_strindex *x)
{
    free(x->slot);
    x->slot = NULL;
    x->cap = 0;
}
