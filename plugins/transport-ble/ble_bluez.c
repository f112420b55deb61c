/* transport-ble: BlueZ's D-Bus API through sd-bus (ble_bluez.h). */
#include "config.h"

#include "ble_bluez.h"

#include "bt_clock.h"
#include "bt_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLUEZ "org.bluez"
#define DEVICE_IFACE "org.bluez.Device1"
#define CHAR_IFACE "org.bluez.GattCharacteristic1"
#define ADAPTER_IFACE "org.bluez.Adapter1"
/* The company id and text of an encrypting station's advertisement
 * (docs/protocol/ble.md, "Advertising"). */
#define MFR_ID 0x4C42
#define MFR_ENCRYPTED "BLUETTF"

static uint64_t usec(double s)
{
    return s <= 0 ? 0 : (uint64_t)(s * 1e6);
}

static void dbus_detail(char *detail, size_t len, const char *what, const sd_bus_error *e, int r)
{
    if (e && sd_bus_error_is_set(e))
        bt_fmt(detail, len, "%s: %s (%s)", what, e->message ? e->message : "", e->name);
    else
        bt_fmt(detail, len, "%s: %s", what, strerror(r < 0 ? -r : r));
}

/* A D-Bus error as a bluetti_err. */
static int map_error(const sd_bus_error *e, int r)
{
    if (e && sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.ServiceUnknown")) return BLUETTI_E_CONNECT;
    if (e && sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.NoReply")) return BLUETTI_E_TIMEOUT;
    if (e && (sd_bus_error_has_name(e, "org.bluez.Error.NotSupported") ||
              sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.UnknownMethod")))
        return BLUETTI_E_UNSUPPORTED;
    if (r == -ETIMEDOUT) return BLUETTI_E_TIMEOUT;
    return BLUETTI_E_CONNECT;
}

/* ---- reading variants ------------------------------------------------------- */

static int var_string(sd_bus_message *m, const char *type, char *out, size_t cap)
{
    const char *s = NULL;
    int r = sd_bus_message_enter_container(m, 'v', type);
    if (r < 0) return r;
    r = sd_bus_message_read(m, type, &s);
    if (r >= 0 && s) bt_strlcpy(out, s, cap);
    return r < 0 ? r : sd_bus_message_exit_container(m);
}

static int var_bool(sd_bus_message *m, bool *out)
{
    int b = 0, r = sd_bus_message_read(m, "v", "b", &b);
    if (r >= 0) *out = b != 0;
    return r;
}

/* as: call on() for each string. */
static int var_strings(sd_bus_message *m, void (*on)(void *u, const char *s), void *u)
{
    int r = sd_bus_message_enter_container(m, 'v', "as");
    if (r >= 0) r = sd_bus_message_enter_container(m, 'a', "s");
    const char *s;
    while (r >= 0 && (r = sd_bus_message_read(m, "s", &s)) > 0) on(u, s);
    if (r >= 0) r = sd_bus_message_exit_container(m);
    if (r >= 0) r = sd_bus_message_exit_container(m);
    return r;
}

static void uuid_seen(void *u, const char *s)
{
    if (!strcasecmp(s, BLE_UUID_SERVICE)) ((ble_bz_device *)u)->has_service = true;
}

static void flag_seen(void *u, const char *s)
{
    ble_bz_char *c = u;
    if (!strcmp(s, "notify")) c->flags |= BLE_BZ_NOTIFY;
    else if (!strcmp(s, "write")) c->flags |= BLE_BZ_WRITE;
    else if (!strcmp(s, "write-without-response")) c->flags |= BLE_BZ_WRITE_NR;
}

/* a{qv} with ay values: the encrypting station's marker. */
static int var_mfr(sd_bus_message *m, ble_bz_device *d)
{
    int r = sd_bus_message_enter_container(m, 'v', "a{qv}");
    if (r >= 0) r = sd_bus_message_enter_container(m, 'a', "{qv}");
    while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "qv")) > 0) {
        uint16_t id = 0;
        const void *p = NULL;
        size_t n = 0;
        r = sd_bus_message_read(m, "q", &id);
        if (r >= 0) r = sd_bus_message_enter_container(m, 'v', "ay");
        if (r >= 0) r = sd_bus_message_read_array(m, 'y', &p, &n);
        if (r >= 0) r = sd_bus_message_exit_container(m);
        if (r >= 0) r = sd_bus_message_exit_container(m);
        d->has_mfr_data = true;
        if (r >= 0 && id == MFR_ID && n == strlen(MFR_ENCRYPTED) && !memcmp(p, MFR_ENCRYPTED, n))
            d->encrypted = true;
    }
    if (r >= 0) r = sd_bus_message_exit_container(m);
    if (r >= 0) r = sd_bus_message_exit_container(m);
    return r;
}

static int device_prop(sd_bus_message *m, const char *prop, ble_bz_device *d, char *alias,
                       size_t alias_len)
{
    if (!strcmp(prop, "Address")) return var_string(m, "s", d->address, sizeof d->address);
    if (!strcmp(prop, "Name")) return var_string(m, "s", d->name, sizeof d->name);
    if (!strcmp(prop, "Alias")) return var_string(m, "s", alias, alias_len);
    if (!strcmp(prop, "Connected")) return var_bool(m, &d->connected);
    if (!strcmp(prop, "ServicesResolved")) return var_bool(m, &d->resolved);
    if (!strcmp(prop, "UUIDs")) return var_strings(m, uuid_seen, d);
    if (!strcmp(prop, "ManufacturerData")) return var_mfr(m, d);
    if (!strcmp(prop, "RSSI")) {
        int r = sd_bus_message_read(m, "v", "n", &d->rssi);
        if (r >= 0) d->has_rssi = true;
        return r;
    }
    return sd_bus_message_skip(m, "v");
}

static int char_prop(sd_bus_message *m, const char *prop, ble_bz_char *c)
{
    if (!strcmp(prop, "UUID")) return var_string(m, "s", c->uuid, sizeof c->uuid);
    if (!strcmp(prop, "Flags")) return var_strings(m, flag_seen, c);
    return sd_bus_message_skip(m, "v");
}

static int grow(void **v, size_t n, size_t size)
{
    void *nv = realloc(*v, (n + 1) * size);
    if (!nv) return -ENOMEM;
    *v = nv;
    return 0;
}

/* One object: {o a{s a{sv}}}. */
static int one_object(sd_bus_message *m, const char *adapter_path, ble_bz_objects *o)
{
    const char *path = NULL;
    int r = sd_bus_message_read(m, "o", &path);
    if (r < 0) return r;
    size_t plen = strlen(adapter_path);
    bool under = !strncmp(path, adapter_path, plen) && path[plen] == '/';
    if (!strcmp(path, adapter_path)) o->adapter_found = true;
    ble_bz_device d;
    ble_bz_char c;
    memset(&d, 0, sizeof d);
    memset(&c, 0, sizeof c);
    char alias[80] = "";
    bool is_dev = false, is_char = false;
    r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
    while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
        const char *iface = NULL;
        r = sd_bus_message_read(m, "s", &iface);
        bool dev = r >= 0 && under && !strcmp(iface, DEVICE_IFACE);
        bool chr = r >= 0 && under && !strcmp(iface, CHAR_IFACE);
        is_dev |= dev;
        is_char |= chr;
        if (r >= 0) r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
            const char *prop = NULL;
            r = sd_bus_message_read(m, "s", &prop);
            if (r >= 0)
                r = dev ? device_prop(m, prop, &d, alias, sizeof alias)
                        : chr ? char_prop(m, prop, &c) : sd_bus_message_skip(m, "v");
            if (r >= 0) r = sd_bus_message_exit_container(m);
        }
        if (r >= 0) r = sd_bus_message_exit_container(m);
        if (r >= 0) r = sd_bus_message_exit_container(m);
    }
    if (r >= 0) r = sd_bus_message_exit_container(m);
    if (r < 0) return r;
    if (is_dev && grow((void **)&o->devs, o->n_devs, sizeof d) == 0) {
        bt_strlcpy(d.path, path, sizeof d.path);
        if (!d.name[0]) bt_strlcpy(d.name, alias, sizeof d.name);
        o->devs[o->n_devs++] = d;
    } else if (is_char && grow((void **)&o->chars, o->n_chars, sizeof c) == 0) {
        bt_strlcpy(c.path, path, sizeof c.path);
        o->chars[o->n_chars++] = c;
    }
    return 0;
}

int ble_bz_objects_get(sd_bus *bus, const char *adapter_path, ble_bz_objects *o, char *detail,
                       size_t detail_len)
{
    memset(o, 0, sizeof *o);
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int r = sd_bus_call_method(bus, BLUEZ, "/", "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", &e, &reply, "");
    if (r < 0) {
        dbus_detail(detail, detail_len, "cannot list BlueZ's objects (is bluetoothd running?)", &e, r);
        int rc = map_error(&e, r);
        sd_bus_error_free(&e);
        return rc;
    }
    r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
        r = one_object(reply, adapter_path, o);
        if (r >= 0) r = sd_bus_message_exit_container(reply);
    }
    sd_bus_message_unref(reply);
    if (r < 0) {
        ble_bz_objects_free(o);
        dbus_detail(detail, detail_len, "cannot read BlueZ's object list", NULL, r);
        return BLUETTI_E_CONNECT;
    }
    return 0;
}

void ble_bz_objects_free(ble_bz_objects *o)
{
    free(o->devs);
    free(o->chars);
    memset(o, 0, sizeof *o);
}

const ble_bz_char *ble_bz_find_char(const ble_bz_objects *o, const char *device_path,
                                    const char *uuid)
{
    size_t plen = strlen(device_path);
    for (size_t i = 0; i < o->n_chars; i++)
        if (!strncmp(o->chars[i].path, device_path, plen) && o->chars[i].path[plen] == '/' &&
            !strcasecmp(o->chars[i].uuid, uuid))
            return &o->chars[i];
    return NULL;
}

/* ---- calls ---------------------------------------------------------------------- */

int ble_bz_call(sd_bus *bus, const char *path, const char *iface, const char *method,
                double timeout_s, char *detail, size_t detail_len)
{
    sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(bus, &m, BLUEZ, path, iface, method);
    if (r >= 0) r = sd_bus_call(bus, m, usec(timeout_s), &e, &reply);
    int rc = 0;
    if (r < 0) {
        char what[256];
        bt_fmt(what, sizeof what, "%s.%s on %s", iface, method, path);
        dbus_detail(detail, detail_len, what, &e, r);
        rc = map_error(&e, r);
    }
    sd_bus_error_free(&e);
    sd_bus_message_unref(reply);
    sd_bus_message_unref(m);
    return rc;
}

static int set_filter(sd_bus *bus, const char *adapter_path)
{
    sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(bus, &m, BLUEZ, adapter_path, ADAPTER_IFACE,
                                           "SetDiscoveryFilter");
    if (r >= 0) r = sd_bus_message_open_container(m, 'a', "{sv}");
    if (r >= 0) r = sd_bus_message_append(m, "{sv}", "UUIDs", "as", 1, BLE_UUID_SERVICE);
    if (r >= 0) r = sd_bus_message_append(m, "{sv}", "Transport", "s", "le");
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r >= 0) r = sd_bus_call(bus, m, usec(5), &e, &reply);
    sd_bus_error_free(&e);
    sd_bus_message_unref(reply);
    sd_bus_message_unref(m);
    return r;
}

int ble_bz_scan(sd_bus *bus, const char *adapter_path, double timeout_s, char *detail,
                size_t detail_len)
{
    /* a filter BlueZ refuses only makes the scan wider */
    (void)set_filter(bus, adapter_path);
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(bus, BLUEZ, adapter_path, ADAPTER_IFACE, "StartDiscovery", &e,
                               NULL, "");
    /* someone else's discovery (bluetoothctl scan on) serves as well */
    bool ours = r >= 0;
    if (r < 0 && !sd_bus_error_has_name(&e, "org.bluez.Error.InProgress")) {
        dbus_detail(detail, detail_len, "cannot start a Bluetooth scan", &e, r);
        int rc = map_error(&e, r);
        sd_bus_error_free(&e);
        return rc;
    }
    sd_bus_error_free(&e);
    double end = bt_now() + timeout_s;
    double left = timeout_s;
    while (left > 0 && ble_bz_pump(bus, left) >= 0) left = end - bt_now();
    return ours ? ble_bz_call(bus, adapter_path, ADAPTER_IFACE, "StopDiscovery", 5, NULL, 0) : 0;
}

int ble_bz_device_bool(sd_bus *bus, const char *device_path, const char *prop, bool *out)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int b = 0;
    int r = sd_bus_get_property_trivial(bus, BLUEZ, device_path, DEVICE_IFACE, prop, &e, 'b', &b);
    sd_bus_error_free(&e);
    if (r < 0) return BLUETTI_E_CONNECT;
    *out = b != 0;
    return 0;
}

int ble_bz_acquire_notify(sd_bus *bus, const char *char_path, int *fd, uint16_t *mtu)
{
    sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(bus, &m, BLUEZ, char_path, CHAR_IFACE, "AcquireNotify");
    if (r >= 0) r = sd_bus_message_append(m, "a{sv}", 0);
    if (r >= 0) r = sd_bus_call(bus, m, usec(10), &e, &reply);
    int got = -1, rc = 0;
    if (r >= 0) r = sd_bus_message_read(reply, "hq", &got, mtu);
    /* the descriptor belongs to the reply: keep a copy */
    if (r >= 0 && (*fd = fcntl(got, F_DUPFD_CLOEXEC, 3)) < 0) r = -errno;
    if (r < 0) rc = map_error(&e, r);
    sd_bus_error_free(&e);
    sd_bus_message_unref(reply);
    sd_bus_message_unref(m);
    return rc;
}

int ble_bz_write(sd_bus *bus, sd_bus_slot **slot, const char *char_path, const uint8_t *p,
                 size_t n, bool with_response, sd_bus_message_handler_t cb, void *userdata)
{
    sd_bus_message *m = NULL;
    int r = sd_bus_message_new_method_call(bus, &m, BLUEZ, char_path, CHAR_IFACE, "WriteValue");
    if (r >= 0) r = sd_bus_message_append_array(m, 'y', p, n);
    if (r >= 0) r = sd_bus_message_append(m, "a{sv}", 1, "type", "s",
                                          with_response ? "request" : "command");
    if (r >= 0) r = sd_bus_call_async(bus, slot, m, cb, userdata, usec(10));
    sd_bus_message_unref(m);
    return r < 0 ? BLUETTI_E_DISCONNECTED : 0;
}

int ble_bz_changed(sd_bus_message *m, const char *prop)
{
    const char *iface = NULL;
    int r = sd_bus_message_read(m, "s", &iface);
    if (r >= 0) r = sd_bus_message_enter_container(m, 'a', "{sv}");
    while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *name = NULL;
        r = sd_bus_message_read(m, "s", &name);
        if (r >= 0 && !strcmp(name, prop)) return 1;
        if (r >= 0) r = sd_bus_message_skip(m, "v");
        if (r >= 0) r = sd_bus_message_exit_container(m);
    }
    return r;
}

int ble_bz_pump(sd_bus *bus, double timeout_s)
{
    int r;
    while ((r = sd_bus_process(bus, NULL)) > 0) {
    }
    if (r < 0) return r;
    if (timeout_s <= 0) return 0;
    r = sd_bus_wait(bus, usec(timeout_s));
    if (r < 0) return r;
    while ((r = sd_bus_process(bus, NULL)) > 0) {
    }
    return r;
}
