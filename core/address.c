/* bluetti_address_valid: the device-address rule (core/util/address.c)
 * for applications, so they can check an address before adding it. */
#include "config.h"

#include "bt_address.h"

#include <bluetti/session.h>

bool bluetti_address_valid(const char *address)
{
    return bt_address_valid(address);
}
