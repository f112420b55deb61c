/* The one rule for device addresses, shared by the session, the
 * transports, the simulators and the tool. */
#include "config.h"

#include "bt_address.h"

bool bt_address_valid_max(const char *a, size_t max)
{
    size_t n = 0;
    if (!a || !*a) return false;
    for (; a[n]; n++) {
        unsigned char c = (unsigned char)a[n];
        if (c <= ' ' || c >= 0x7f || c == '+' || c == '#' || c == '/') return false;
    }
    return n <= max;
}

bool bt_address_valid(const char *a)
{
    return bt_address_valid_max(a, BT_ADDRESS_MAX);
}
