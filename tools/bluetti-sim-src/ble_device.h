/* bluetti-sim --ble: the station's side of the V2 Bluetooth protocol
 * (docs/protocol/ble.md) as a state machine over bytes: GATT writes in,
 * notifications out. It serves a device image's registers (libsimdev)
 * plain or behind the handshake, with link faults. Built on the
 * protocol library of transport-ble (libbleproto); the tests drive it
 * over a socket pair, bluetti-sim over a unix socket (ble_server.c).
 */
#ifndef BLUETTI_SIM_BLE_DEVICE_H
#define BLUETTI_SIM_BLE_DEVICE_H

#include "ble_keys.h"
#include "simdev.h"

/* Link faults ("--ble-faults"), on top of the Modbus faults of libsimdev. */
typedef struct ble_dev_faults {
    bool plain;           /* an unencrypted station: no handshake at all */
    bool repeat_key;      /* send message 4 again after the first message 5 */
    bool reject_key;      /* refuse the client's key (message 6 status 1) */
    bool silent;          /* say nothing once connected */
    size_t fragment;      /* notifications of at most this many bytes (0: whole) */
    unsigned drop_after;  /* drop the link on every Nth Modbus request (0: never) */
} ble_dev_faults;

/* "plain", "repeat-key", "reject-key", "silent", "fragment=N" (N >= 1;
 * "fragment" alone is 20), "drop=N", comma-separated; "" and "none" are
 * no faults. 0, or BLUETTI_E_INVAL with the reason in err. */
int ble_dev_faults_parse(const char *spec, ble_dev_faults *f, char *err, size_t err_len);

#define BLE_DEV_DROP 1  /* ble_dev_write(): close the link now */

typedef struct ble_dev_io {
    /* one notification to the client */
    int (*notify)(void *userdata, const uint8_t *p, size_t n);
    /* what happened, for the simulator's log (may be NULL) */
    void (*log)(void *userdata, const char *what);
    void *userdata;
} ble_dev_io;

typedef struct ble_dev ble_dev;

/* One connection's state. dev, keys (NULL for a plain station) and
 * modbus (may be NULL) are borrowed. Caller owns *out. */
int ble_dev_new(bt_simdev *dev, const bt_sim_faults *modbus, const ble_keys *keys,
                const ble_dev_faults *faults, const ble_dev_io *io, ble_dev **out);
void ble_dev_free(ble_dev *d);
/* Notifications are on: an encrypting station opens with its challenge. */
int ble_dev_connected(ble_dev *d);
/* One write from the client. 0, BLE_DEV_DROP, or an error of notify. */
int ble_dev_write(ble_dev *d, const uint8_t *p, size_t n);
/* Whether the handshake is complete (or not needed). */
bool ble_dev_ready(const ble_dev *d);
/* How many message 5 the client sent, and whether they were all
 * byte-identical. */
unsigned ble_dev_client_keys(const ble_dev *d, bool *identical);
/* Modbus requests answered so far. */
unsigned ble_dev_requests(const ble_dev *d);

#endif
