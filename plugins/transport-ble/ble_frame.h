/* transport-ble: reassembly of notifications into frames
 * (docs/protocol/ble.md, "Fragments"). A station may split one frame over
 * several notifications (of 20 bytes on a default MTU), and nothing marks
 * where a frame ends but its own length: the rule depends on the phase.
 */
#ifndef BLUETTI_BLE_FRAME_H
#define BLUETTI_BLE_FRAME_H

#include "ble_crypto.h"

typedef enum ble_rx_mode {
    BLE_RX_HANDSHAKE = 1,  /* 2A 2A frames, or L(2) + blocks under the fixed IV */
    BLE_RX_SESSION,        /* L(2) + seed(4) + blocks */
    BLE_RX_MODBUS,         /* plain Modbus RTU replies */
} ble_rx_mode;

#define BLE_RX_CAP (2 * BLE_MAX_WIRE)

typedef struct ble_rx {
    uint8_t buf[BLE_RX_CAP];
    size_t n;
    int mode;              /* ble_rx_mode */
    uint64_t dropped;      /* bytes thrown away as garbage */
} ble_rx;

void ble_rx_init(ble_rx *r, int mode);
/* Switch the rule (bytes already buffered are kept). */
void ble_rx_set_mode(ble_rx *r, int mode);
/* Append one notification. When the buffer would overflow, what it held
 * is dropped first (counted in dropped). */
void ble_rx_push(ble_rx *r, const uint8_t *p, size_t n);
/* Take the first complete frame: 1 with it in out[0..*len), 0 when more
 * bytes are needed. Bytes no frame can start with (a length of 0 or over
 * BLE_MAX_PLAIN, a Modbus function that is not a reply, text such as
 * "AT+NAME?") are dropped with everything after them. */
int ble_rx_next(ble_rx *r, uint8_t *out, size_t cap, size_t *len);

#endif
