/* The device-address rule (core/util/address.c), also exported from
 * libbluetti as bluetti_address_valid(). */
#ifndef BT_UTIL_ADDRESS_H
#define BT_UTIL_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Longest address the session takes (bytes). */
#define BT_ADDRESS_MAX 128

/* A device address (a serial number) doubles as an MQTT topic level: at
 * least one byte, printable ASCII without spaces, '+', '#' or '/', at most
 * max bytes. NULL is not valid. */
bool bt_address_valid_max(const char *a, size_t max);
/* bt_address_valid_max(a, BT_ADDRESS_MAX). */
bool bt_address_valid(const char *a);

#endif
