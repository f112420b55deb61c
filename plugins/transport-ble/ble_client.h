/* transport-ble: the client side of the V2 Bluetooth protocol as a state
 * machine over bytes (docs/protocol/ble.md): notification bytes in, GATT
 * writes and Modbus replies out through callbacks. No Bluetooth code: the
 * transport feeds it from BlueZ, the tests from a socket to the simulated
 * station.
 *
 * The station opens the exchange (message 1) once notifications are on.
 * The client answers the challenge, checks the station's signed key,
 * sends its own (made once per connection and cached: a repeated message
 * 4 gets the byte-identical message 5 again), and after message 6 wraps
 * every frame in a session frame. Without encryption (or when the caller
 * decides no challenge is coming) frames go out as they are.
 *
 * ble_client_send() takes any Modbus frame (reads and writes alike).
 */
#ifndef BLUETTI_BLE_CLIENT_H
#define BLUETTI_BLE_CLIENT_H

#include "ble_keys.h"

typedef enum ble_client_phase {
    BLE_CL_WAIT_CHALLENGE = 1, /* message 1 */
    BLE_CL_WAIT_ACCEPT,        /* message 3 */
    BLE_CL_WAIT_PEER_KEY,      /* message 4 */
    BLE_CL_WAIT_KEY_ACCEPT,    /* message 6 (or a repeated 4) */
    BLE_CL_READY,              /* session frames */
    BLE_CL_PLAIN,              /* plain Modbus, no handshake */
    BLE_CL_FAILED,             /* see ble_client_error() */
} ble_client_phase;

typedef struct ble_client_io {
    /* One GATT write to the station. Returns 0 or an error (which fails
     * the handshake step that wrote). */
    int (*write)(void *userdata, const uint8_t *p, size_t n);
    /* One Modbus frame from the station, CRC checked. */
    void (*frame)(void *userdata, const uint8_t *p, size_t n);
    void *userdata;
} ble_client_io;

typedef struct ble_client ble_client;

/* keys (borrowed: valid while the client lives) may be NULL when
 * encrypted is false. encrypted: wait for the handshake; false: plain
 * Modbus from the start. Caller owns *out. */
int ble_client_new(const ble_keys *keys, bool encrypted, const ble_client_io *io,
                   ble_client **out);
void ble_client_free(ble_client *c);
/* Start over for a new connection (a fresh key pair on the next message
 * 4), encrypted or not. */
void ble_client_reset(ble_client *c, bool encrypted);
/* Bytes of one notification. Returns 0, or BLUETTI_E_CONNECT when the
 * handshake failed (the state is then BLE_CL_FAILED, the reason in
 * ble_client_error()). */
int ble_client_feed(ble_client *c, const uint8_t *p, size_t n);
/* Wrap and write one Modbus frame. BLUETTI_E_NOT_CONNECTED before the
 * handshake finished, BLUETTI_E_INVAL for a frame over BLE_MAX_PLAIN
 * bytes, or what the write callback returned. */
int ble_client_send(ble_client *c, const uint8_t *frame, size_t n);
/* No challenge came although one was awaited: talk plain Modbus (only in
 * BLE_CL_WAIT_CHALLENGE; returns BLUETTI_E_INVAL otherwise). */
int ble_client_go_plain(ble_client *c);
int ble_client_state(const ble_client *c);
/* Why the handshake failed ("" otherwise); owned by c. */
const char *ble_client_error(const ble_client *c);
/* Frames received that failed their checks, and bytes the reassembler
 * dropped. */
void ble_client_stats(const ble_client *c, uint64_t *bad_frames, uint64_t *dropped_bytes);
/* How many message 4 the station sent on this connection. */
unsigned ble_client_peer_key_count(const ble_client *c);

#endif
