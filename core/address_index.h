/* The session's index from a device's address (its serial) to the device,
 * on the helper library's string index (FNV-1a, open addressing, at most
 * half full). Not installed. */
#ifndef BLUETTI_ADDRESS_INDEX_H
#define BLUETTI_ADDRESS_INDEX_H

#include <stddef.h>

#include "bt_strindex.h"

typedef struct bluetti_device bluetti_device;

struct bt_address_index {
    bt_strindex x;           /* items are the session's devs[] */
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
