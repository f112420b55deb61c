/* The session's index from a device's address (its serial) to the device:
 * open addressing, FNV-1a, at most half full. Not installed. */
#ifndef BLUETTI_ADDRESS_INDEX_H
#define BLUETTI_ADDRESS_INDEX_H

#include <stddef.h>

typedef struct bluetti_device bluetti_device;

struct bt_address_index {
    size_t *slots;           /* device index + 1, 0 = empty */
    size_t cap;              /* a power of two, or 0 */
};

/* devs[n - 1] was just added: index it, growing (rebuilding) the index
 * when it would be more than half full. 0 or BLUETTI_E_NOMEM (the index
 * is then as it was, without devs[n - 1]). */
int bt_address_index_add(struct bt_address_index *ix, bluetti_device *const *devs, size_t n);
/* The device with this address, or NULL. */
bluetti_device *bt_address_index_find(const struct bt_address_index *ix,
                                      bluetti_device *const *devs, const char *address);
void bt_address_index_free(struct bt_address_index *ix);

#endif
