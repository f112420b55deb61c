/* The payload envelope around Modbus frames on the cloud's MQTT topics
 * (docs/protocol/cloud.md, "Payload envelope"): new (10-byte header),
 * old (one byte 01) or raw (none). */
#include "config.h"

#include <bluetti/cloud.h>
#include <bluetti/error.h>
#include <bluetti/modbus.h>

#include <string.h>
#include <strings.h>

static const char *const NAMES[] = {"raw", "old", "new"};

int bluetti_envelope_parse(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(name, NAMES[i]) == 0) return i;
    return -1;
}

const char *bluetti_envelope_name(int kind)
{
    return kind >= 0 && kind < 3 ? NAMES[kind] : "?";
}

static size_t header_len(int kind)
{
    return kind == BLUETTI_ENVELOPE_NEW ? BLUETTI_ENVELOPE_NEW_HEADER
           : kind == BLUETTI_ENVELOPE_OLD ? 1 : 0;
}

int bluetti_envelope_wrap(int kind, uint16_t reg, const uint8_t *frame, size_t len, uint8_t *out,
                          size_t cap, size_t *out_len)
{
    if (kind < 0 || kind > 2 || (!frame && len) || !out || !out_len) return BLUETTI_E_INVAL;
    size_t h = header_len(kind);
    if (cap < h + len) return BLUETTI_E_NOMEM;
    if (kind == BLUETTI_ENVELOPE_NEW) {
        static const uint8_t head[BLUETTI_ENVELOPE_NEW_HEADER] = {0x01, 0xF8, 0x0F};
        memcpy(out, head, sizeof head);
        out[3] = (uint8_t)(reg >> 8);
        out[4] = (uint8_t)reg;
    } else if (kind == BLUETTI_ENVELOPE_OLD) {
        out[0] = 0x01;
    }
    if (len) memmove(out + h, frame, len);
    *out_len = h + len;
    return 0;
}

/* The kind a payload's first bytes announce. */
static int announced(const uint8_t *p, size_t len)
{
    if (len >= BLUETTI_ENVELOPE_NEW_HEADER && p[0] == 0x01 && p[1] == 0xF8)
        return BLUETTI_ENVELOPE_NEW;
    if (len >= 1 && p[0] == 0x01) return BLUETTI_ENVELOPE_OLD;
    return BLUETTI_ENVELOPE_RAW;
}

/* Can payload be read as `kind`, and does the frame inside check? */
static bool fits(const uint8_t *p, size_t len, int kind, bool *crc_ok)
{
    size_t h = header_len(kind);
    if (kind == BLUETTI_ENVELOPE_NEW && !(len >= h && p[0] == 0x01 && p[1] == 0xF8)) return false;
    if (kind == BLUETTI_ENVELOPE_OLD && !(len >= 1 && p[0] == 0x01)) return false;
    if (len < h + 4) return false;   /* address, function, and the CRC at least */
    const uint8_t *f = p + h;
    size_t fl = len - h;
    uint16_t crc = bluetti_crc16(f, fl - 2);
    *crc_ok = f[fl - 2] == (uint8_t)crc && f[fl - 1] == (uint8_t)(crc >> 8);
    return true;
}

int bluetti_envelope_unwrap(const uint8_t *payload, size_t len, int preferred,
                            bluetti_envelope_info *info, const uint8_t **frame, size_t *frame_len)
{
    if (!payload || !info || !frame || !frame_len) return BLUETTI_E_INVAL;
    int first = announced(payload, len);
    int order[5] = {preferred, first, BLUETTI_ENVELOPE_NEW, BLUETTI_ENVELOPE_OLD,
                    BLUETTI_ENVELOPE_RAW};
    int chosen = -1;
    for (int i = 0; i < 5 && chosen < 0; i++) {
        bool ok = false;
        if (order[i] >= 0 && order[i] <= 2 && fits(payload, len, order[i], &ok) && ok)
            chosen = order[i];
    }
    if (chosen < 0) {
        bool ok;
        int fallback[3] = {first, BLUETTI_ENVELOPE_OLD, BLUETTI_ENVELOPE_RAW};
        for (int i = 0; i < 3 && chosen < 0; i++)
            if (fits(payload, len, fallback[i], &ok)) chosen = fallback[i];
        if (chosen < 0) return BLUETTI_E_FRAME;
    }
    memset(info, 0, sizeof *info);
    info->kind = chosen;
    info->header_len = header_len(chosen);
    if (chosen == BLUETTI_ENVELOPE_NEW) {
        info->reg = (uint16_t)(payload[3] << 8 | payload[4]);
        info->rssi = (int8_t)payload[7];
        info->has_rssi = true;
    }
    *frame = payload + info->header_len;
    *frame_len = len - info->header_len;
    return 0;
}
