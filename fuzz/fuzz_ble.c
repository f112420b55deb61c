/* libFuzzer target: transport-ble's notification path (docs/protocol/ble.md):
 * the reassembler in each phase, the unwrapping of the frames it cuts,
 * handshake frame parsing, and the client state machine, plain and
 * encrypted, fed the same bytes in pieces whose sizes the input picks. */
#include "config.h"

#include "ble_client.h"
#include "ble_frame.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ble_keys keys;
static int writes;

static int on_write(void *u, const uint8_t *p, size_t n)
{
    (void)u;
    if (!p || n == 0) abort();
    writes++;
    return 0;
}

static void on_frame(void *u, const uint8_t *p, size_t n)
{
    (void)u;
    /* a frame handed up has passed its CRC */
    if (n < 4 || ble_crc16(p, n - 2) != (uint16_t)(p[n - 2] | p[n - 1] << 8)) abort();
}

static void setup(void)
{
    if (keys.sign) return;
    memset(keys.app_key, 0x5A, sizeof keys.app_key);
    if (ble_ec_generate(&keys.sign) != 0 || ble_ec_generate(&keys.verify) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size < 2) return 0;
    static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    static const uint8_t iv[16] = { 9, 8, 7 };
    int mode = BLE_RX_HANDSHAKE + data[0] % 3;
    ble_rx rx;
    ble_rx_init(&rx, mode);
    ble_client_io io = { .write = on_write, .frame = on_frame, .userdata = NULL };
    ble_client *enc = NULL, *plain = NULL;
    if (ble_client_new(&keys, true, &io, &enc) != 0 || ble_client_new(NULL, false, &io, &plain) != 0)
        abort();
    size_t off = 1;
    while (off < size) {
        size_t n = (size_t)data[off] % 40 + 1;
        off++;
        if (n > size - off) n = size - off;
        ble_rx_push(&rx, data + off, n);
        ble_client_feed(enc, data + off, n);
        ble_client_feed(plain, data + off, n);
        uint8_t f[BLE_RX_CAP], out[BLE_MAX_PLAIN];
        size_t len = 0, ol = 0;
        while (ble_rx_next(&rx, f, sizeof f, &len) == 1) {
            if (len == 0 || len > BLE_RX_CAP) abort();
            if (mode != BLE_RX_MODBUS) {
                bool session = mode == BLE_RX_SESSION;
                if (ble_unwrap(key, session ? 32 : 16, iv, session, f, len, out, sizeof out, &ol) == 0 &&
                    (ol == 0 || ol > BLE_MAX_PLAIN))
                    abort();
            }
            uint8_t type;
            const uint8_t *d;
            size_t dl;
            if (ble_hs_parse(f, len, &type, &d, &dl) == 0 && dl + 6 != len) abort();
        }
        off += n;
    }
    if (rx.n > BLE_RX_CAP) abort();
    ble_client_free(enc);
    ble_client_free(plain);
    return 0;
}
