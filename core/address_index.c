/* The session's address index: a device's address to the device in O(1),
 * for every frame the transport delivers. */
#include "config.h"

#include "session_int.h"

#include <stdlib.h>
#include <string.h>

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ull & SIZE_MAX;
    while (*s) h = (h ^ (unsigned char)*s++) * (1099511628211ull & SIZE_MAX);
    return h;
}

/* Put device i into the index (which has a free slot). */
static void insert(struct bt_address_index *ix, bluetti_device *const *devs, size_t i)
{
    size_t k = hash_str(devs[i]->address) & (ix->cap - 1);
    while (ix->slots[k]) k = (k + 1) & (ix->cap - 1);
    ix->slots[k] = i + 1;
}

int bt_address_index_add(struct bt_address_index *ix, bluetti_device *const *devs, size_t n)
{
    if (n * 2 <= ix->cap) {
        insert(ix, devs, n - 1);
        return 0;
    }
    size_t cap = ix->cap ? ix->cap * 2 : 16;
    size_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return BLUETTI_E_NOMEM;
    free(ix->slots);
    ix->slots = slots;
    ix->cap = cap;
    for (size_t i = 0; i < n; i++) insert(ix, devs, i);
    return 0;
}

bluetti_device *bt_address_index_find(const struct bt_address_index *ix,
                                      bluetti_device *const *devs, const char *address)
{
    if (!ix->cap || !address) return NULL;
    size_t k = hash_str(address) & (ix->cap - 1);
    while (ix->slots[k]) {
        bluetti_device *d = devs[ix->slots[k] - 1];
        if (strcmp(d->address, address) == 0) return d;
        k = (k + 1) & (ix->cap - 1);
    }
    return NULL;
}

void bt_address_index_free(struct bt_address_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->cap = 0;
}
