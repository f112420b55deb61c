/* The session's address index: a device's address to the device in O(1),
 * for every frame the transport delivers. A thin layer over the helper
 * library's string index (core/util/bt_strindex.h) keyed by the devices'
 * addresses. */
#include "config.h"

#include "session_int.h"

#include "bt_strindex.h"

static const char *device_key(const void *ctx, size_t i)
{
    bluetti_device *const *devs = ctx;
    return devs[i]->address;
}

int bt_address_index_add(struct bt_address_index *ix, bluetti_device *const *devs, size_t n)
{
    if (bt_strindex_reserve(&ix->x, n, n - 1, device_key, devs) != 0) return BLUETTI_E_NOMEM;
    bt_strindex_add(&ix->x, devs[n - 1]->address, n - 1);
    return 0;
}

bluetti_device *bt_address_index_find(const struct bt_address_index *ix,
                                      bluetti_device *const *devs, const char *address)
{
    size_t i;
    return bt_strindex_find(&ix->x, address, device_key, devs, &i) ? devs[i] : NULL;
}

void bt_address_index_free(struct bt_address_index *ix)
{
    bt_strindex_free(&ix->x);
}
