/* transport-ble: what the transport needs of BlueZ's D-Bus API
 * (org.bluez on the system bus) through sd-bus: the objects under an
 * adapter (stations and their GATT characteristics), discovery, connect,
 * notifications and writes. No protocol knowledge here.
 */
#ifndef BLUETTI_BLE_BLUEZ_H
#define BLUETTI_BLE_BLUEZ_H

#include <bluetti/bluetti.h>

#include <systemd/sd-bus.h>

#define BLE_UUID_SERVICE "0000ff00-0000-1000-8000-00805f9b34fb"
#define BLE_UUID_NOTIFY "0000ff01-0000-1000-8000-00805f9b34fb"
#define BLE_UUID_WRITE "0000ff02-0000-1000-8000-00805f9b34fb"

/* A device object under the adapter. */
typedef struct ble_bz_device {
    char path[160];
    char address[18];            /* AA:BB:CC:DD:EE:FF */
    char name[80];               /* Name, else Alias; "" when neither */
    int16_t rssi;
    bool has_rssi;
    bool has_service;            /* UUIDs holds ff00 */
    bool has_mfr_data;           /* any ManufacturerData was advertised */
    bool encrypted;              /* ManufacturerData 0x4C42 = "BLUETTF" */
    bool connected, resolved;
} ble_bz_device;

#define BLE_BZ_NOTIFY 0x1u
#define BLE_BZ_WRITE 0x2u        /* write with response ("write") */
#define BLE_BZ_WRITE_NR 0x4u     /* write without response */

typedef struct ble_bz_char {
    char path[200];
    char uuid[40];
    unsigned flags;              /* BLE_BZ_* */
} ble_bz_char;

typedef struct ble_bz_objects {
    ble_bz_device *devs;
    size_t n_devs;
    ble_bz_char *chars;
    size_t n_chars;
    bool adapter_found;
} ble_bz_objects;

/* GetManagedObjects: the devices and characteristics under adapter_path.
 * 0, or a bluetti_err with the D-Bus error in detail. */
int ble_bz_objects_get(sd_bus *bus, const char *adapter_path, ble_bz_objects *o,
                       char *detail, size_t detail_len);
void ble_bz_objects_free(ble_bz_objects *o);
/* The characteristic with uuid under device_path, or NULL. */
const ble_bz_char *ble_bz_find_char(const ble_bz_objects *o, const char *device_path,
                                    const char *uuid);

/* A method call without arguments and without a reply value, waiting up
 * to timeout_s. */
int ble_bz_call(sd_bus *bus, const char *path, const char *iface, const char *method,
                double timeout_s, char *detail, size_t detail_len);
/* Discovery of stations advertising ff00 (LE) for timeout_s: filter,
 * start, process the bus, stop. */
int ble_bz_scan(sd_bus *bus, const char *adapter_path, double timeout_s, char *detail,
                size_t detail_len);
/* A boolean property of Device1. */
int ble_bz_device_bool(sd_bus *bus, const char *device_path, const char *prop, bool *out);
/* AcquireNotify: *fd (owned by the caller) and the MTU. BLUETTI_E_UNSUPPORTED
 * when the characteristic does not offer it. */
int ble_bz_acquire_notify(sd_bus *bus, const char *char_path, int *fd, uint16_t *mtu);
/* WriteValue(p, {type}) without waiting for the reply: cb gets it.
 * *slot (owned by the caller) cancels the callback when unreferenced. */
int ble_bz_write(sd_bus *bus, sd_bus_slot **slot, const char *char_path, const uint8_t *p,
                 size_t n, bool with_response, sd_bus_message_handler_t cb, void *userdata);
/* Whether a PropertiesChanged signal (s a{sv} as) changes prop: 1 with m
 * positioned at its variant, 0 when it does not, < 0 for a malformed
 * signal. */
int ble_bz_changed(sd_bus_message *m, const char *prop);
/* Run the bus until nothing is left to do, or wait up to timeout_s for
 * traffic first. */
int ble_bz_pump(sd_bus *bus, double timeout_s);

#endif
