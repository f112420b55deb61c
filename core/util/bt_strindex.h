/* A string index (core/util/strindex.c): open addressing over the caller's
 * own array of items, so a lookup by name costs one hash and a few probes
 * however many items there are. The index stores item numbers only; the
 * caller's key function gives the key of an item. */
#ifndef BT_UTIL_STRINDEX_H
#define BT_UTIL_STRINDEX_H

#include <stdbool.h>
#include <stddef.h>

/* FNV-1a over the bytes of s. */
size_t bt_str_hash(const char *s);

/* The key of item i of ctx (never NULL for an item in the index). */
typedef const char *(*bt_strindex_key_fn)(const void *ctx, size_t i);

/* Zero-initialise; slot[k] is item + 1, 0 empty; cap 0 or a power of two. */
typedef struct bt_strindex {
    size_t *slot;
    size_t cap;
} bt_strindex;

/* Room for n items (the table stays under half full): grows and refills
 * from items 0..n_have-1 when needed. 0, or -1 when out of memory (the
 * index is then as it was). */
int bt_strindex_reserve(bt_strindex *x, size_t n, size_t n_have, bt_strindex_key_fn key,
                        const void *ctx);
/* Put item i under k (call bt_strindex_reserve first). */
void bt_strindex_add(bt_strindex *x, const char *k, size_t i);
/* Refill from items 0..n-1 (after items were removed or moved). */
void bt_strindex_refill(bt_strindex *x, size_t n, bt_strindex_key_fn key, const void *ctx);
/* The item whose key is k: true and *i, or false. */
bool bt_strindex_find(const bt_strindex *x, const char *k, bt_strindex_key_fn key,
                      const void *ctx, size_t *i);
/* Free the table (the items are the caller's); zeroes *x. */
void bt_strindex_free(bt_strindex *x);

#endif
