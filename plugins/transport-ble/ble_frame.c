/* transport-ble: cutting frames out of notification bytes (ble_frame.h). */
#include "config.h"

#include "ble_frame.h"

#include <stdint.h>
#include <string.h>

void ble_rx_init(ble_rx *r, int mode)
{
    memset(r, 0, sizeof *r);
    r->mode = mode;
}

void ble_rx_set_mode(ble_rx *r, int mode)
{
    r->mode = mode;
}

void ble_rx_push(ble_rx *r, const uint8_t *p, size_t n)
{
    if (n > BLE_RX_CAP - r->n) {
        r->dropped += r->n;
        r->n = 0;
        if (n > BLE_RX_CAP) {
            r->dropped += n - BLE_RX_CAP;
            p += n - BLE_RX_CAP;
            n = BLE_RX_CAP;
        }
    }
    memcpy(r->buf + r->n, p, n);
    r->n += n;
}

static size_t padded(size_t len)
{
    return (len + 15) / 16 * 16;
}

/* A wrapped frame: L(2), [seed], then L rounded up to whole blocks. */
static size_t wrapped_len(const uint8_t *b, size_t n, size_t seed)
{
    if (n < 2) return 0;
    size_t len = (size_t)b[0] << 8 | b[1];
    if (len == 0 || len > BLE_MAX_PLAIN) return SIZE_MAX;
    return 2 + seed + padded(len);
}

/* The length of the frame at the start of the buffer: > 0 when known, 0
 * when more bytes are needed to tell, SIZE_MAX when no frame starts here. */
static size_t frame_len(const ble_rx *r)
{
    const uint8_t *b = r->buf;
    size_t n = r->n;
    switch (r->mode) {
    case BLE_RX_HANDSHAKE:
        /* before message 6: 2A 2A starts a plain frame, anything else is
         * an encrypted one */
        if (n >= 1 && b[0] == 0x2A && (n < 2 || b[1] == 0x2A))
            return n < 4 ? 0 : (size_t)b[3] + 6;
        return wrapped_len(b, n, 0);
    case BLE_RX_SESSION:
        return wrapped_len(b, n, BLE_SEED_LEN);
    case BLE_RX_MODBUS:
        if (n < 2) return 0;
        if (b[1] & 0x80) return 5;
        if (b[1] == 0x03 || b[1] == 0x04) return n < 3 ? 0 : (size_t)b[2] + 5;
        if (b[1] == 0x05 || b[1] == 0x06 || b[1] == 0x0F || b[1] == 0x10) return 8;
        return SIZE_MAX;
    default:
        return SIZE_MAX;
    }
}

int ble_rx_next(ble_rx *r, uint8_t *out, size_t cap, size_t *len)
{
    size_t want = frame_len(r);
    if (want == SIZE_MAX || (want && want > cap)) {
        r->dropped += r->n;
        r->n = 0;
        return 0;
    }
    if (want == 0 || r->n < want) return 0;
    memcpy(out, r->buf, want);
    *len = want;
    memmove(r->buf, r->buf + want, r->n - want);
    r->n -= want;
    return 1;
}
