/* transport-ble: Bluetti V2 stations over Bluetooth LE, on BlueZ through
 * sd-bus (docs/transport-ble.md; the protocol in docs/protocol/ble.md).
 *
 * A station is named by its Bluetooth address or its serial (found in
 * the advertised name), or every address maps to the one station of the
 * option "address". attach() finds it (scanning when BlueZ does not know
 * it yet), connects, enables notifications on ff01 (AcquireNotify where
 * offered, so the notify socket joins the poll loop; else StartNotify and
 * PropertiesChanged) and runs the handshake when the station encrypts.
 * The connection stays up across polls; when it drops, process()
 * reconnects with the session's backoff and redoes the handshake.
 *
 * fd() is an epoll descriptor holding the bus and every notify socket.
 * submit() wraps any Modbus frame (reads and writes alike) and writes it
 * to ff02 with the write type its flags allow.
 */
#include "config.h"

#include "ble_bluez.h"
#include "ble_client.h"

#include "bt_clock.h"
#include "bt_text.h"

#include <bluetti/plugin.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define SRC "transport-ble"

enum { ENC_AUTO, ENC_ON, ENC_OFF };
enum { WT_AUTO, WT_REQUEST, WT_COMMAND };
enum { NT_AUTO, NT_ACQUIRE, NT_START };

struct ble;

struct station {
    struct ble *t;
    char *address;               /* the session's address */
    ble_bz_device dev;           /* as BlueZ showed it on the last connect */
    char notify_path[200], write_path[200];
    bool with_response;
    int nfd;                     /* AcquireNotify socket, or -1 */
    sd_bus_slot *value_slot, *dev_slot;
    /* writes whose reply is pending: freed with the station, so that no
     * reply reaches a station that is gone */
    sd_bus_slot **writes;
    size_t n_writes, cap_writes;
    ble_client *client;
    bool linked;                 /* BlueZ holds a connection we asked for */
    bool up;                     /* handshake done, frames flow */
    bool reconnect;              /* down: a reconnect is due at `due` */
    unsigned attempt;
    double due;
};

struct ble {
    bluetti_transport_env env;
    sd_bus *bus;
    char adapter_path[64];
    char *bt_address;            /* option address, or NULL */
    char *keys_path;             /* option keys, or NULL (environment, installed file) */
    ble_keys keys;
    bool have_keys;
    int encryption, write_type, notify_mode;
    double scan_timeout, challenge_timeout;
    int epfd;
    struct station **st;
    size_t n_st;
    uint64_t frames_in, frames_dropped;
};

static void link_down(struct station *s, const char *why);

/* ---- the client's I/O ---------------------------------------------------------- */

/* Forget the pending write `slot` (its reply came). */
static void write_done(struct station *s, sd_bus_slot *slot)
{
    for (size_t i = 0; i < s->n_writes; i++) {
        if (s->writes[i] != slot) continue;
        sd_bus_slot_unref(slot);
        s->writes[i] = s->writes[--s->n_writes];
        return;
    }
}

static int on_write_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
    (void)ret;
    struct station *s = userdata;
    write_done(s, sd_bus_get_current_slot(s->t->bus));
    const sd_bus_error *e = sd_bus_message_get_error(m);
    if (e) {
        bluetti_log(s->t->env.log, BLUETTI_LOG_WARN, SRC, "%s: write to ff02 failed: %s",
                    s->address, e->message ? e->message : e->name);
        if (s->up && s->t->env.on_event) {
            bluetti_transport_event ev = { .type = BLUETTI_EV_ERROR, .err = BLUETTI_E_DISCONNECTED,
                                           .address = s->address };
            s->t->env.on_event(s->t->env.userdata, &ev);
        }
    }
    return 0;
}

static int client_write(void *userdata, const uint8_t *p, size_t n)
{
    struct station *s = userdata;
    if (s->n_writes == s->cap_writes) {
        size_t nc = s->cap_writes ? s->cap_writes * 2 : 4;
        // NOLINTNEXTLINE(bugprone-sizeof-expression): *nv is the element, a pointer
        sd_bus_slot **nv = realloc(s->writes, nc * sizeof *nv);
        if (!nv) return BLUETTI_E_NOMEM;
        s->writes = nv;
        s->cap_writes = nc;
    }
    sd_bus_slot *slot = NULL;
    int rc = ble_bz_write(s->t->bus, &slot, s->write_path, p, n, s->with_response,
                          on_write_reply, s);
    if (rc == 0) s->writes[s->n_writes++] = slot;
    return rc;
}

static void client_frame(void *userdata, const uint8_t *p, size_t n)
{
    struct station *s = userdata;
    s->t->frames_in++;
    if (!s->up || !s->t->env.on_event) {
        s->t->frames_dropped++;
        return;
    }
    bluetti_transport_event ev = { .type = BLUETTI_EV_FRAME, .address = s->address, .data = p,
                                   .len = n };
    s->t->env.on_event(s->t->env.userdata, &ev);
}

static void feed(struct station *s, const uint8_t *p, size_t n)
{
    if (ble_client_feed(s->client, p, n) != 0 && s->up) link_down(s, ble_client_error(s->client));
}

/* PropertiesChanged of ff01: the notification's bytes in Value. */
static int on_value(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
    (void)ret;
    struct station *s = userdata;
    const void *p = NULL;
    size_t n = 0;
    if (ble_bz_changed(m, "Value") == 1 && sd_bus_message_enter_container(m, 'v', "ay") >= 0 &&
        sd_bus_message_read_array(m, 'y', &p, &n) >= 0 && n)
        feed(s, p, n);
    return 0;
}

/* PropertiesChanged of the device: Connected false is the link gone. */
static int on_device(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
    (void)ret;
    struct station *s = userdata;
    int b = 1;
    if (ble_bz_changed(m, "Connected") == 1 && sd_bus_message_read(m, "v", "b", &b) >= 0 && !b &&
        s->up)
        link_down(s, "the station disconnected");
    return 0;
}

/* ---- waiting for I/O -------------------------------------------------------------- */

static void watch_bus(struct ble *t)
{
    int fd = sd_bus_get_fd(t->bus), ev = sd_bus_get_events(t->bus);
    struct epoll_event e = { .events = 0, .data.fd = fd };
    if (ev > 0 && (ev & POLLIN)) e.events |= EPOLLIN;
    if (ev > 0 && (ev & POLLOUT)) e.events |= EPOLLOUT;
    if (epoll_ctl(t->epfd, EPOLL_CTL_MOD, fd, &e) != 0) epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &e);
}

static void drain_notify(struct station *s)
{
    uint8_t buf[1024];
    while (s->nfd >= 0) {
        ssize_t n = recv(s->nfd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            feed(s, buf, (size_t)n);
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            if (s->up) link_down(s, "the notify socket closed");
            else {
                epoll_ctl(s->t->epfd, EPOLL_CTL_DEL, s->nfd, NULL);
                close(s->nfd);
                s->nfd = -1;
            }
        } else {
            break;
        }
    }
}

/* Wait up to timeout_s for the bus or a notify socket, then handle what
 * came. A negative return: the bus is gone. */
static int io_wait(struct ble *t, double timeout_s)
{
    int r;
    while ((r = sd_bus_process(t->bus, NULL)) > 0) {
    }
    if (r < 0) return r;
    watch_bus(t);
    uint64_t bus_due = 0;
    if (sd_bus_get_timeout(t->bus, &bus_due) > 0 && bus_due != UINT64_MAX) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double left = (double)bus_due / 1e6 - ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
        if (left < timeout_s) timeout_s = left < 0 ? 0 : left;
    }
    struct epoll_event ev[8];
    int ms = timeout_s < 0 ? -1 : (int)(timeout_s * 1000.0 + 0.999);
    if (epoll_wait(t->epfd, ev, 8, ms) < 0 && errno != EINTR) return -errno;
    while ((r = sd_bus_process(t->bus, NULL)) > 0) {
    }
    for (size_t i = 0; i < t->n_st; i++) drain_notify(t->st[i]);
    return r;
}

/* ---- finding and connecting a station ------------------------------------------- */

static bool is_bt_address(const char *a)
{
    if (strlen(a) != 17) return false;
    for (size_t i = 0; i < 17; i++) {
        bool colon = i % 3 == 2;
        if (colon ? a[i] != ':' : !((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f') ||
                                    (a[i] >= 'A' && a[i] <= 'F')))
            return false;
    }
    return true;
}

/* The device for `want` (a Bluetooth address, or a serial the advertised
 * name ends with). */
static const ble_bz_device *match(const ble_bz_objects *o, const char *want)
{
    bool by_addr = is_bt_address(want);
    size_t wl = strlen(want);
    for (size_t i = 0; i < o->n_devs; i++) {
        const ble_bz_device *d = &o->devs[i];
        if (by_addr && !strcasecmp(d->address, want)) return d;
        size_t nl = strlen(d->name);
        if (!by_addr && nl >= wl && !strcmp(d->name + nl - wl, want)) return d;
    }
    return NULL;
}

static int find_station(struct ble *t, struct station *s, const char *want, char *detail,
                        size_t dlen)
{
    for (int pass = 0; pass < 2; pass++) {
        ble_bz_objects o;
        int rc = ble_bz_objects_get(t->bus, t->adapter_path, &o, detail, dlen);
        if (rc) return rc;
        if (!o.adapter_found) {
            ble_bz_objects_free(&o);
            bt_fmt(detail, dlen, "BlueZ has no adapter %s; name another with --adapter "
                   "(bluetoothctl list shows them)", t->adapter_path + strlen("/org/bluez/"));
            return BLUETTI_E_NOTFOUND;
        }
        const ble_bz_device *d = match(&o, want);
        if (d) {
            s->dev = *d;
            const ble_bz_char *nc = ble_bz_find_char(&o, d->path, BLE_UUID_NOTIFY);
            const ble_bz_char *wc = ble_bz_find_char(&o, d->path, BLE_UUID_WRITE);
            s->notify_path[0] = s->write_path[0] = '\0';
            if (nc) bt_strlcpy(s->notify_path, nc->path, sizeof s->notify_path);
            if (wc) {
                bt_strlcpy(s->write_path, wc->path, sizeof s->write_path);
                s->with_response = t->write_type == WT_REQUEST ||
                                   (t->write_type == WT_AUTO && (wc->flags & BLE_BZ_WRITE)) ||
                                   !(wc->flags & BLE_BZ_WRITE_NR);
            }
            ble_bz_objects_free(&o);
            return 0;
        }
        ble_bz_objects_free(&o);
        if (pass == 0) {
            bluetti_log(t->env.log, BLUETTI_LOG_INFO, SRC, "scanning %.1f s for %s",
                        t->scan_timeout, want);
            rc = ble_bz_scan(t->bus, t->adapter_path, t->scan_timeout, detail, dlen);
            if (rc) return rc;
        }
    }
    bt_fmt(detail, dlen, "no station %s %s seen on %s after a %.1f s scan; is it in range, "
           "and not connected to the phone app? (name it with --address AA:BB:CC:DD:EE:FF or "
           "--sn SERIAL; bluetti-tool scan lists them)", is_bt_address(want) ? "with address" :
           "whose name ends in", want, t->adapter_path + strlen("/org/bluez/"), t->scan_timeout);
    return BLUETTI_E_NOTFOUND;
}

static void teardown(struct station *s, bool disconnect)
{
    struct ble *t = s->t;
    if (s->nfd >= 0) {
        epoll_ctl(t->epfd, EPOLL_CTL_DEL, s->nfd, NULL);
        close(s->nfd);
        s->nfd = -1;
    }
    s->value_slot = sd_bus_slot_unref(s->value_slot);
    s->dev_slot = sd_bus_slot_unref(s->dev_slot);
    if (disconnect && s->linked)
        ble_bz_call(t->bus, s->dev.path, "org.bluez.Device1", "Disconnect", 2, NULL, 0);
    if (disconnect) s->linked = false;
    s->up = false;
}

static int enable_notify(struct ble *t, struct station *s, char *detail, size_t dlen)
{
    int r = sd_bus_match_signal(t->bus, &s->value_slot, NULL, s->notify_path,
                                "org.freedesktop.DBus.Properties", "PropertiesChanged", on_value, s);
    if (r >= 0) r = sd_bus_match_signal(t->bus, &s->dev_slot, NULL, s->dev.path,
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        on_device, s);
    if (r < 0) {
        bt_fmt(detail, dlen, "cannot watch %s: %s", s->notify_path, strerror(-r));
        return BLUETTI_E_CONNECT;
    }
    if (t->notify_mode != NT_START) {
        uint16_t mtu = 0;
        int rc = ble_bz_acquire_notify(t->bus, s->notify_path, &s->nfd, &mtu);
        if (rc == 0) {
            struct epoll_event e = { .events = EPOLLIN, .data.fd = s->nfd };
            epoll_ctl(t->epfd, EPOLL_CTL_ADD, s->nfd, &e);
            bluetti_log(t->env.log, BLUETTI_LOG_DEBUG, SRC, "%s: AcquireNotify, MTU %u",
                        s->address, (unsigned)mtu);
            return 0;
        }
        if (t->notify_mode == NT_ACQUIRE) {
            bt_fmt(detail, dlen, "AcquireNotify on %s failed; try --notify start",
                   s->notify_path);
            return rc;
        }
    }
    return ble_bz_call(t->bus, s->notify_path, "org.bluez.GattCharacteristic1", "StartNotify",
                       10, detail, dlen);
}

/* Find, connect, enable notifications and run the handshake, within the
 * connect timeout. */
static int connect_station(struct ble *t, struct station *s, char *detail, size_t dlen)
{
    double start = bt_now(), deadline = start + t->env.connect_timeout_s;
    const char *want = t->bt_address ? t->bt_address : s->address;
    int rc = find_station(t, s, want, detail, dlen);
    if (rc) return rc;
    if (!s->dev.connected) {
        rc = ble_bz_call(t->bus, s->dev.path, "org.bluez.Device1", "Connect",
                         deadline - bt_now(), detail, dlen);
        if (rc) return rc;
    }
    s->linked = true;
    bool resolved = s->dev.resolved;
    while (!resolved && bt_now() < deadline) {
        if (ble_bz_device_bool(t->bus, s->dev.path, "ServicesResolved", &resolved) != 0) break;
        if (!resolved) io_wait(t, 0.05);
    }
    if (!s->notify_path[0] || !s->write_path[0]) {
        /* services resolved after the first look: look again */
        rc = find_station(t, s, want, detail, dlen);
        if (rc) return rc;
    }
    if (!s->notify_path[0] || !s->write_path[0]) {
        bt_fmt(detail, dlen, "%s (%s) has no ff01/ff02 characteristics: not a Bluetti V2 "
               "station, or its services are not resolved yet", s->dev.address, s->dev.name);
        teardown(s, true);
        return BLUETTI_E_UNSUPPORTED;
    }
    ble_client_reset(s->client, t->encryption != ENC_OFF);
    rc = enable_notify(t, s, detail, dlen);
    if (rc) {
        teardown(s, true);
        return rc;
    }
    /* auto: an advertised BLUETTF means the challenge will come; else wait
     * challenge_timeout for it (within the connect timeout), then talk
     * plain */
    bool may_fall_back = t->encryption == ENC_AUTO && !s->dev.encrypted;
    double challenge_end = bt_now() + t->challenge_timeout;
    if (!may_fall_back || challenge_end > deadline) challenge_end = deadline;
    for (;;) {
        int st = ble_client_state(s->client);
        if (st == BLE_CL_READY || st == BLE_CL_PLAIN) break;
        double now = bt_now();
        if (st == BLE_CL_WAIT_CHALLENGE && may_fall_back && now >= challenge_end) {
            bluetti_log(t->env.log, BLUETTI_LOG_INFO, SRC, "%s: no challenge in %.1f s: plain "
                        "Modbus", s->dev.address, now - start);
            ble_client_go_plain(s->client);
            break;
        }
        if (st == BLE_CL_FAILED || now >= deadline) {
            if (st == BLE_CL_FAILED) bt_fmt(detail, dlen, "%s: %s", s->dev.address,
                                            ble_client_error(s->client));
            else bt_fmt(detail, dlen, "%s: the handshake did not finish within %.1f s (%s)",
                        s->dev.address, t->env.connect_timeout_s,
                        st == BLE_CL_WAIT_CHALLENGE ? "no challenge came: try --encryption off"
                                                    : "the station stopped answering");
            teardown(s, true);
            return st == BLE_CL_FAILED ? BLUETTI_E_CONNECT : BLUETTI_E_TIMEOUT;
        }
        double until = st == BLE_CL_WAIT_CHALLENGE ? challenge_end : deadline;
        if (io_wait(t, until - now) < 0) {
            bt_fmt(detail, dlen, "the system bus connection was lost");
            teardown(s, false);
            return BLUETTI_E_DISCONNECTED;
        }
    }
    s->up = true;
    s->reconnect = false;
    s->attempt = 0;
    bluetti_log(t->env.log, BLUETTI_LOG_INFO, SRC, "%s: connected to %s (%s), %s, writes %s",
                s->address, s->dev.address, s->dev.name,
                ble_client_state(s->client) == BLE_CL_READY ? "encrypted" : "plain",
                s->with_response ? "with response" : "without response");
    return 0;
}

static void schedule(struct station *s)
{
    s->reconnect = true;
    s->due = bt_now() + bluetti_retry_delay(&s->t->env.reconnect, s->attempt);
    if (s->attempt < 64) s->attempt++;
}

static void link_down(struct station *s, const char *why)
{
    struct ble *t = s->t;
    bluetti_log(t->env.log, BLUETTI_LOG_WARN, SRC, "%s: link down (%s); reconnecting",
                s->address, why);
    teardown(s, false);
    schedule(s);
    if (t->env.on_event) {
        bluetti_transport_event ev = { .type = BLUETTI_EV_DISCONNECTED,
                                       .err = BLUETTI_E_DISCONNECTED };
        t->env.on_event(t->env.userdata, &ev);
    }
}

static void reconnect_due(struct ble *t)
{
    double now = bt_now();
    for (size_t i = 0; i < t->n_st; i++) {
        struct station *s = t->st[i];
        if (!s->reconnect || s->due > now) continue;
        char detail[512] = "";
        if (connect_station(t, s, detail, sizeof detail) == 0) {
            if (t->env.on_event) {
                bluetti_transport_event ev = { .type = BLUETTI_EV_CONNECTED };
                t->env.on_event(t->env.userdata, &ev);
            }
        } else {
            bluetti_log(t->env.log, BLUETTI_LOG_WARN, SRC, "%s: reconnect failed: %s",
                        s->address, detail);
            schedule(s);
        }
    }
}

/* ---- transport operations ----------------------------------------------------- */

static void station_free(struct station *s)
{
    if (!s) return;
    teardown(s, true);
    for (size_t i = 0; i < s->n_writes; i++) sd_bus_slot_unref(s->writes[i]);
    free(s->writes);
    ble_client_free(s->client);
    free(s->address);
    free(s);
}

static void ble_close(void *state)
{
    struct ble *t = state;
    if (!t) return;
    for (size_t i = 0; i < t->n_st; i++) station_free(t->st[i]);
    free(t->st);
    if (t->bus) sd_bus_flush_close_unref(t->bus);
    if (t->epfd >= 0) close(t->epfd);
    if (t->have_keys) ble_keys_clear(&t->keys);
    free(t->bt_address);
    free(t->keys_path);
    free(t);
}

static int pick(const char *v, const char *const *names, int dflt)
{
    for (int i = 0; v && names[i]; i++)
        if (!strcmp(v, names[i])) return i;
    return dflt;
}

static const char *const enc_values[] = { "auto", "on", "off", NULL };
static const char *const wt_values[] = { "auto", "request", "command", NULL };
static const char *const nt_values[] = { "auto", "acquire", "start", NULL };

static int load_keys(struct ble *t, char *detail, size_t dlen)
{
    if (t->have_keys || t->encryption == ENC_OFF) return 0;
    const char *path = t->keys_path;
    const char *env = getenv("BLUETTI_BLE_KEYS");
    if (!path && env && *env) path = env;
    if (!path) path = BLUETTI_DATADIR "/ble/app-keys.pem";
    int rc = ble_keys_load(path, &t->keys, detail, dlen);
    if (rc == 0) t->have_keys = true;
    return rc;
}

static int ble_open(const bluetti_transport_env *env, const bluetti_options *opts, void **state,
                    char *detail, size_t dlen)
{
    if (detail && dlen) detail[0] = '\0';
    if (!env || !state) return BLUETTI_E_INVAL;
    *state = NULL;
    struct ble *t = calloc(1, sizeof *t);
    if (!t) return BLUETTI_E_NOMEM;
    t->env = *env;
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    t->encryption = pick(bluetti_options_get(opts, "encryption"), enc_values, ENC_AUTO);
    t->write_type = pick(bluetti_options_get(opts, "write_type"), wt_values, WT_AUTO);
    t->notify_mode = pick(bluetti_options_get(opts, "notify"), nt_values, NT_AUTO);
    t->scan_timeout = 10;
    t->challenge_timeout = 15;
    bluetti_options_get_double(opts, "scan_timeout", 0, 600, &t->scan_timeout);
    bluetti_options_get_double(opts, "challenge_timeout", 0, 600, &t->challenge_timeout);
    const char *adapter = bluetti_options_get(opts, "adapter");
    bt_fmt(t->adapter_path, sizeof t->adapter_path, "/org/bluez/%s", adapter ? adapter : "hci0");
    const char *addr = bluetti_options_get(opts, "address");
    int rc = 0;
    if (t->epfd < 0) rc = BLUETTI_E_IO;
    if (rc == 0 && addr && !is_bt_address(addr)) {
        bt_fmt(detail, dlen, "'%s' is not a Bluetooth address; write it as AA:BB:CC:DD:EE:FF "
               "(bluetti-tool scan lists them)", addr);
        rc = BLUETTI_E_INVAL;
    }
    if (rc == 0 && addr && !(t->bt_address = strdup(addr))) rc = BLUETTI_E_NOMEM;
    /* the keys are read when the first station is attached (a scan needs none) */
    const char *keys = bluetti_options_get(opts, "keys");
    if (rc == 0 && keys && !(t->keys_path = strdup(keys))) rc = BLUETTI_E_NOMEM;
    if (rc == 0) {
        int r = sd_bus_open_system(&t->bus);
        if (r < 0) {
            bt_fmt(detail, dlen, "cannot connect to the system bus: %s; is dbus running?",
                   strerror(-r));
            rc = BLUETTI_E_CONNECT;
        }
    }
    if (rc == 0) {
        /* is BlueZ there, with that adapter? */
        ble_bz_objects o;
        rc = ble_bz_objects_get(t->bus, t->adapter_path, &o, detail, dlen);
        if (rc == 0 && !o.adapter_found) {
            bt_fmt(detail, dlen, "BlueZ has no adapter %s; name another with --adapter "
                   "(bluetoothctl list shows them)", adapter ? adapter : "hci0");
            rc = BLUETTI_E_NOTFOUND;
        }
        if (rc == 0) ble_bz_objects_free(&o);
    }
    if (rc) {
        ble_close(t);
        return rc;
    }
    *state = t;
    return 0;
}

static struct station *find(struct ble *t, const char *address)
{
    for (size_t i = 0; i < t->n_st; i++)
        if (!strcmp(t->st[i]->address, address)) return t->st[i];
    return NULL;
}

static int ble_attach(void *state, const char *address)
{
    struct ble *t = state;
    if (!t || !address || !*address) return BLUETTI_E_INVAL;
    if (find(t, address)) return BLUETTI_E_EXISTS;
    if (t->bt_address && t->n_st) {
        bluetti_log(t->env.log, BLUETTI_LOG_ERROR, SRC, "--address %s names one station; "
                    "give several stations by their own addresses instead", t->bt_address);
        return BLUETTI_E_EXISTS;
    }
    // NOLINTNEXTLINE(bugprone-sizeof-expression): *nv is the element, a pointer
    struct station **nv = realloc(t->st, (t->n_st + 1) * sizeof *nv);
    if (!nv) return BLUETTI_E_NOMEM;
    t->st = nv;
    char detail[512] = "";
    int krc = load_keys(t, detail, sizeof detail);
    if (krc) {
        bluetti_log(t->env.log, BLUETTI_LOG_ERROR, SRC, "%s", detail);
        /* a keys file that is there but wrong is still a local file problem
         * (BLUETTI_E_INVAL would read as a bad device address) */
        return krc == BLUETTI_E_NOMEM ? krc : BLUETTI_E_IO;
    }
    struct station *s = calloc(1, sizeof *s);
    if (!s) return BLUETTI_E_NOMEM;
    s->t = t;
    s->nfd = -1;
    ble_client_io io = { .write = client_write, .frame = client_frame, .userdata = s };
    int rc = (s->address = strdup(address)) ? 0 : BLUETTI_E_NOMEM;
    if (rc == 0) rc = ble_client_new(t->have_keys ? &t->keys : NULL, t->encryption != ENC_OFF,
                                     &io, &s->client);
    /* listed before connecting: io_wait() drains its notify socket */
    if (rc == 0) t->st[t->n_st++] = s;
    if (rc == 0 && (rc = connect_station(t, s, detail, sizeof detail)) != 0) {
        bluetti_log(t->env.log, BLUETTI_LOG_ERROR, SRC, "%s: %s", address, detail);
        t->n_st--;
    }
    if (rc) station_free(s);
    return rc;
}

static int ble_detach(void *state, const char *address)
{
    struct ble *t = state;
    if (!t || !address) return BLUETTI_E_INVAL;
    for (size_t i = 0; i < t->n_st; i++) {
        if (strcmp(t->st[i]->address, address) != 0) continue;
        station_free(t->st[i]);
        t->st[i] = t->st[--t->n_st];
        return 0;
    }
    return BLUETTI_E_NOTFOUND;
}

static int ble_submit(void *state, const char *address, const uint8_t *frame, size_t len)
{
    struct ble *t = state;
    if (!t || !address || !frame) return BLUETTI_E_INVAL;
    struct station *s = find(t, address);
    if (!s) return BLUETTI_E_NOTFOUND;
    if (!s->up) return BLUETTI_E_NOT_CONNECTED;
    /* any Modbus frame: a read, a write; the protocol wraps them alike */
    int rc = ble_client_send(s->client, frame, len);
    if (rc == 0) sd_bus_flush(t->bus);
    return rc;
}

static int ble_fd(void *state)
{
    struct ble *t = state;
    if (!t) return -1;
    watch_bus(t);
    return t->epfd;
}

static double next_due(struct ble *t)
{
    double due = -1;
    for (size_t i = 0; i < t->n_st; i++)
        if (t->st[i]->reconnect && (due < 0 || t->st[i]->due < due)) due = t->st[i]->due;
    return due;
}

static int ble_process(void *state, int timeout_ms)
{
    struct ble *t = state;
    if (!t) return BLUETTI_E_INVAL;
    double wait = timeout_ms < 0 ? 3600 : timeout_ms / 1000.0, due = next_due(t);
    if (due >= 0 && due - bt_now() < wait) wait = due - bt_now();
    if (io_wait(t, wait < 0 ? 0 : wait) < 0) return BLUETTI_E_DISCONNECTED;
    reconnect_due(t);
    watch_bus(t);
    return 0;
}

static int ble_next_timeout_ms(void *state)
{
    struct ble *t = state;
    if (!t) return -1;
    double due = next_due(t);
    uint64_t bus_due = 0;
    int ms = due < 0 ? -1 : bt_ms_until(due, bt_now(), 2000000000);
    if (sd_bus_get_timeout(t->bus, &bus_due) > 0 && bus_due != UINT64_MAX) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double left = (double)bus_due / 1e6 - ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
        int bms = left <= 0 ? 0 : left > 2e6 ? 2000000000 : (int)(left * 1000.0 + 0.999);
        if (ms < 0 || bms < ms) ms = bms;
    }
    return ms;
}

static void ble_stats(void *state, uint64_t *frames_in, uint64_t *frames_dropped)
{
    struct ble *t = state;
    uint64_t bad_total = 0;
    for (size_t i = 0; t && i < t->n_st; i++) {
        uint64_t bad = 0;
        ble_client_stats(t->st[i]->client, &bad, NULL);
        bad_total += bad;
    }
    if (frames_in) *frames_in = t ? t->frames_in : 0;
    if (frames_dropped) *frames_dropped = t ? t->frames_dropped + bad_total : 0;
}

static const char *ble_remedy(int err)
{
    switch (err) {
    case BLUETTI_E_NOTFOUND:
        return "bring the station in range, close the phone app (it holds the only link), and "
               "check the address with bluetti-tool scan";
    case BLUETTI_E_CONNECT:
        return "check that bluetoothd runs and that you may use it (the bluetooth group or a "
               "polkit rule), and that the keys file matches the station";
    case BLUETTI_E_TIMEOUT:
        return "move closer, close the phone app, or try --encryption off for an older unit";
    default:
        return NULL;
    }
}

/* The model part of an advertised name: up to its last "V2" ("EL100V2…",
 * "Elite 200 V2…"), else the name without the serial digits at its end
 * ("EL10…" keeps "EL10" only when a 13-digit serial follows). A hint for
 * the user; the model register says what the station is. */
static void model_hint(const char *name, char *out, size_t cap)
{
    size_t n = strlen(name), cut = n;
    for (size_t i = n; i >= 2; i--)
        if (name[i - 2] == 'V' && name[i - 1] == '2') {
            cut = i;
            break;
        }
    if (cut == n) {
        size_t digits = 0;
        while (digits < n && name[n - 1 - digits] >= '0' && name[n - 1 - digits] <= '9') digits++;
        cut = digits >= 13 ? n - 13 : n - digits;
    }
    if (cut >= cap) cut = cap - 1;
    memcpy(out, name, cut);
    out[cut] = '\0';
}

/* Scan, then report every station that advertises the ff00 service. */
static int ble_discover(void *state, double timeout_s, bluetti_discover_cb found, void *userdata)
{
    struct ble *t = state;
    if (!t || !found) return BLUETTI_E_INVAL;
    char detail[512] = "";
    int rc = ble_bz_scan(t->bus, t->adapter_path, timeout_s > 0 ? timeout_s : t->scan_timeout,
                         detail, sizeof detail);
    ble_bz_objects o;
    if (rc == 0) rc = ble_bz_objects_get(t->bus, t->adapter_path, &o, detail, sizeof detail);
    if (rc) {
        bluetti_log(t->env.log, BLUETTI_LOG_ERROR, SRC, "scan: %s", detail);
        return rc;
    }
    for (size_t i = 0; i < o.n_devs; i++) {
        const ble_bz_device *d = &o.devs[i];
        if (!d->has_service) continue;
        char hint[sizeof d->name];
        model_hint(d->name, hint, sizeof hint);
        bluetti_discovered e = { .address = d->address, .name = d->name[0] ? d->name : NULL,
                                 .model_hint = hint[0] ? hint : NULL,
                                 .encrypted = d->encrypted ? 1 : d->has_mfr_data ? 0 : -1,
                                 .has_rssi = d->has_rssi, .rssi = d->rssi };
        found(userdata, &e);
    }
    ble_bz_objects_free(&o);
    return 0;
}

static const int keys_causes[] = { BLUETTI_E_IO, BLUETTI_E_INVAL, BLUETTI_E_CONNECT, 0 };
static const int addr_causes[] = { BLUETTI_E_NOTFOUND, BLUETTI_E_INVAL, 0 };
static const int enc_causes[] = { BLUETTI_E_TIMEOUT, BLUETTI_E_CONNECT, 0 };

static const bluetti_option_decl ble_options[] = {
    { .name = "adapter", .type = BLUETTI_OPT_STRING, .default_value = "hci0", .metavar = "HCI",
      .help = "the Bluetooth adapter BlueZ knows (bluetoothctl list)" },
    { .name = "address", .type = BLUETTI_OPT_STRING, .metavar = "ADDR",
      .causes = addr_causes,
      .help = "the station's Bluetooth address (without it the device's address, a Bluetooth "
              "address or the serial in the advertised name, finds it)" },
    { .name = "scan_timeout", .type = BLUETTI_OPT_REAL, .default_value = "10", .min = 0.1,
      .max = 600, .metavar = "S", .help = "seconds to scan for a station BlueZ does not know yet" },
    { .name = "keys", .type = BLUETTI_OPT_FILE, .metavar = "FILE", .causes = keys_causes,
      .help = "the handshake's keys file (default: $BLUETTI_BLE_KEYS, else the installed "
              "ble/app-keys.pem)" },
    { .name = "encryption", .type = BLUETTI_OPT_STRING, .default_value = "auto",
      .allowed = enc_values, .causes = enc_causes,
      .help = "auto (as advertised, else wait for the challenge), on, or off (plain Modbus)" },
    { .name = "challenge_timeout", .type = BLUETTI_OPT_REAL, .default_value = "15", .min = 0,
      .max = 600, .metavar = "S",
      .help = "with encryption auto: seconds to wait for the challenge before talking plain" },
    { .name = "write_type", .type = BLUETTI_OPT_STRING, .default_value = "auto",
      .allowed = wt_values,
      .help = "writes to ff02: auto (with response when allowed), request or command" },
    { .name = "notify", .type = BLUETTI_OPT_STRING, .default_value = "auto", .allowed = nt_values,
      .help = "notifications: auto (AcquireNotify, else StartNotify), acquire or start" },
};

static const bluetti_transport_ops ble_ops = {
    .name = "ble",
    .description = "Bluetooth LE on BlueZ (plain and encrypted V2 stations, no cloud)",
    .open = ble_open,
    .close = ble_close,
    .attach = ble_attach,
    .detach = ble_detach,
    .submit = ble_submit,
    .fd = ble_fd,
    .process = ble_process,
    .stats = ble_stats,
    .options = ble_options,
    .n_options = sizeof ble_options / sizeof ble_options[0],
    .flags = BLUETTI_TRANSPORT_F_ANY_ADDRESS,
    .next_timeout_ms = ble_next_timeout_ms,
    .remedy = ble_remedy,
    .discover = ble_discover,
};

static int ble_init(bluetti_registry *reg)
{
    return bluetti_registry_add_transport(reg, &ble_ops);
}

BLUETTI_PLUGIN_DEFINE("transport-ble", PACKAGE_VERSION,
                      "Bluetooth LE stations on BlueZ (encrypted handshake, no cloud)", ble_init);
