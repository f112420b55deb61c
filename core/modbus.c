/* Modbus-RTU framing for read requests (function 0x03) and their replies. */
#include "config.h"

#include "internal.h"
#include "modbus_int.h"

#include <string.h>

/* CRC-16/MODBUS, reflected polynomial 0xA001, one table lookup per byte. */
static const uint16_t crc_table[256] = {
    0x0000, 0xC0C1, 0xC181, 0x0140, 0xC301, 0x03C0, 0x0280, 0xC241,
    0xC601, 0x06C0, 0x0780, 0xC741, 0x0500, 0xC5C1, 0xC481, 0x0440,
    0xCC01, 0x0CC0, 0x0D80, 0xCD41, 0x0F00, 0xCFC1, 0xCE81, 0x0E40,
    0x0A00, 0xCAC1, 0xCB81, 0x0B40, 0xC901, 0x09C0, 0x0880, 0xC841,
    0xD801, 0x18C0, 0x1980, 0xD941, 0x1B00, 0xDBC1, 0xDA81, 0x1A40,
    0x1E00, 0xDEC1, 0xDF81, 0x1F40, 0xDD01, 0x1DC0, 0x1C80, 0xDC41,
    0x1400, 0xD4C1, 0xD581, 0x1540, 0xD701, 0x17C0, 0x1680, 0xD641,
    0xD201, 0x12C0, 0x1380, 0xD341, 0x1100, 0xD1C1, 0xD081, 0x1040,
    0xF001, 0x30C0, 0x3180, 0xF141, 0x3300, 0xF3C1, 0xF281, 0x3240,
    0x3600, 0xF6C1, 0xF781, 0x3740, 0xF501, 0x35C0, 0x3480, 0xF441,
    0x3C00, 0xFCC1, 0xFD81, 0x3D40, 0xFF01, 0x3FC0, 0x3E80, 0xFE41,
    0xFA01, 0x3AC0, 0x3B80, 0xFB41, 0x3900, 0xF9C1, 0xF881, 0x3840,
    0x2800, 0xE8C1, 0xE981, 0x2940, 0xEB01, 0x2BC0, 0x2A80, 0xEA41,
    0xEE01, 0x2EC0, 0x2F80, 0xEF41, 0x2D00, 0xEDC1, 0xEC81, 0x2C40,
    0xE401, 0x24C0, 0x2580, 0xE541, 0x2700, 0xE7C1, 0xE681, 0x2640,
    0x2200, 0xE2C1, 0xE381, 0x2340, 0xE101, 0x21C0, 0x2080, 0xE041,
    0xA001, 0x60C0, 0x6180, 0xA141, 0x6300, 0xA3C1, 0xA281, 0x6240,
    0x6600, 0xA6C1, 0xA781, 0x6740, 0xA501, 0x65C0, 0x6480, 0xA441,
    0x6C00, 0xACC1, 0xAD81, 0x6D40, 0xAF01, 0x6FC0, 0x6E80, 0xAE41,
    0xAA01, 0x6AC0, 0x6B80, 0xAB41, 0x6900, 0xA9C1, 0xA881, 0x6840,
    0x7800, 0xB8C1, 0xB981, 0x7940, 0xBB01, 0x7BC0, 0x7A80, 0xBA41,
    0xBE01, 0x7EC0, 0x7F80, 0xBF41, 0x7D00, 0xBDC1, 0xBC81, 0x7C40,
    0xB401, 0x74C0, 0x7580, 0xB541, 0x7700, 0xB7C1, 0xB681, 0x7640,
    0x7200, 0xB2C1, 0xB381, 0x7340, 0xB101, 0x71C0, 0x7080, 0xB041,
    0x5000, 0x90C1, 0x9181, 0x5140, 0x9301, 0x53C0, 0x5280, 0x9241,
    0x9601, 0x56C0, 0x5780, 0x9741, 0x5500, 0x95C1, 0x9481, 0x5440,
    0x9C01, 0x5CC0, 0x5D80, 0x9D41, 0x5F00, 0x9FC1, 0x9E81, 0x5E40,
    0x5A00, 0x9AC1, 0x9B81, 0x5B40, 0x9901, 0x59C0, 0x5880, 0x9841,
    0x8801, 0x48C0, 0x4980, 0x8941, 0x4B00, 0x8BC1, 0x8A81, 0x4A40,
    0x4E00, 0x8EC1, 0x8F81, 0x4F40, 0x8D01, 0x4DC0, 0x4C80, 0x8C41,
    0x4400, 0x84C1, 0x8581, 0x4540, 0x8701, 0x47C0, 0x4680, 0x8641,
    0x8201, 0x42C0, 0x4380, 0x8341, 0x4100, 0x81C1, 0x8081, 0x4040,
};

uint16_t bluetti_crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = 0xFFFF;
    if (!data) return crc;
    for (size_t i = 0; i < len; i++)
        crc = (uint16_t)((crc >> 8) ^ crc_table[(crc ^ data[i]) & 0xFF]);
    return crc;
}

int bluetti_modbus_build_read(uint8_t address, uint16_t start, uint16_t count, uint8_t out[8])
{
    if (!out || count < 1 || count > BLUETTI_MODBUS_MAX_REGISTERS) return BLUETTI_E_INVAL;
    out[0] = address;
    out[1] = BLUETTI_MODBUS_READ;
    out[2] = (uint8_t)(start >> 8);
    out[3] = (uint8_t)start;
    out[4] = (uint8_t)(count >> 8);
    out[5] = (uint8_t)count;
    uint16_t crc = bluetti_crc16(out, 6);
    out[6] = (uint8_t)crc;
    out[7] = (uint8_t)(crc >> 8);
    return 0;
}

int bluetti_modbus_parse_reply(const uint8_t *frame, size_t len, uint8_t address,
                               uint16_t count, bluetti_modbus_reply *out)
{
    if (!out) return BLUETTI_E_INVAL;
    *out = (bluetti_modbus_reply){ 0 };
    if (count < 1 || count > BLUETTI_MODBUS_MAX_REGISTERS || (!frame && len)) return BLUETTI_E_INVAL;
    if (len < 5) {
        out->why = "reply shorter than 5 bytes";
        return BLUETTI_E_FRAME;
    }
    /* The length the header announces: an exception is address,
     * function|0x80, code, CRC; a read reply carries its byte count.
     * Other functions are left to the function check below. */
    size_t want = 0;
    if (frame[1] & 0x80) want = 5;
    else if (frame[1] == BLUETTI_MODBUS_READ) want = (size_t)frame[2] + 5u;
    if (want && len != want) {
        out->why = len < want ? "reply truncated" : "trailing bytes";
        return BLUETTI_E_FRAME;
    }
    uint16_t got = (uint16_t)(frame[len - 2] | (frame[len - 1] << 8));
    if (bluetti_crc16(frame, len - 2) != got) {
        out->why = "CRC mismatch";
        return BLUETTI_E_CRC;
    }
    if (frame[0] != address) return BLUETTI_E_ADDRESS;
    if (frame[1] & 0x80) {
        out->exception_code = frame[2];
        return BLUETTI_E_EXCEPTION;
    }
    if (frame[1] != BLUETTI_MODBUS_READ) return BLUETTI_E_FUNCTION;
    size_t n = (size_t)count * 2;
    if (frame[2] != n) {
        out->why = "byte count does not fit the request";
        return BLUETTI_E_BYTE_COUNT;
    }
    out->payload = frame + 3;
    out->payload_len = n;
    return 0;
}

void bt_modbus_judge_reply(const uint8_t *f, size_t len, uint8_t address, uint16_t count,
                           struct bt_reply_verdict *v)
{
    v->exception = f && len >= 2 && (f[1] & 0x80);
    v->byte_count = f && len >= 3 ? f[2] : 0;
    v->rc = bluetti_modbus_parse_reply(f, len, address, count, &v->rep);
}

int bluetti_modbus_parse_read(const uint8_t *frame, size_t len, uint8_t address, uint16_t count,
                              const uint8_t **payload, size_t *payload_len,
                              uint8_t *exception_code)
{
    if (payload) *payload = NULL;
    if (payload_len) *payload_len = 0;
    if (count < 1 || count > BLUETTI_MODBUS_MAX_REGISTERS || (!frame && len)) return BLUETTI_E_INVAL;
    if (len < 5) return BLUETTI_E_FRAME;
    uint16_t got = (uint16_t)(frame[len - 2] | (frame[len - 1] << 8));
    if (bluetti_crc16(frame, len - 2) != got) return BLUETTI_E_CRC;
    if (frame[0] != address) return BLUETTI_E_ADDRESS;
    if (frame[1] & 0x80) {
        /* an exception reply is exactly address, function|0x80, code, CRC */
        if (len != 5) return BLUETTI_E_FRAME;
        if (exception_code) *exception_code = frame[2];
        return BLUETTI_E_EXCEPTION;
    }
    if (frame[1] != BLUETTI_MODBUS_READ) return BLUETTI_E_FUNCTION;
    size_t n = (size_t)count * 2;
    if (frame[2] != n) return BLUETTI_E_BYTE_COUNT;
    if (len != 3 + n + 2) return BLUETTI_E_FRAME;
    if (payload) *payload = frame + 3;
    if (payload_len) *payload_len = n;
    return 0;
}

/* ---- writes (0x06, 0x10) --------------------------------------------------- */

int bluetti_modbus_build_write(uint8_t address, uint16_t start, const uint16_t *values,
                               uint16_t count, uint8_t *out, size_t cap, size_t *len)
{
    if (len) *len = 0;
    if (!values || !out || !len || count < 1 || count > BLUETTI_MODBUS_MAX_WRITE ||
        (uint32_t)start + count > 0x10000u)
        return BLUETTI_E_INVAL;
    size_t n = count == 1 ? 8u : 9u + 2u * count;
    if (cap < n) return BLUETTI_E_INVAL;
    out[0] = address;
    out[2] = (uint8_t)(start >> 8);
    out[3] = (uint8_t)start;
    size_t k;
    if (count == 1) {
        out[1] = BLUETTI_MODBUS_WRITE_ONE;
        k = 4;
    } else {
        out[1] = BLUETTI_MODBUS_WRITE_MANY;
        out[4] = (uint8_t)(count >> 8);
        out[5] = (uint8_t)count;
        out[6] = (uint8_t)(2u * count);
        k = 7;
    }
    for (uint16_t i = 0; i < count; i++) {
        out[k++] = (uint8_t)(values[i] >> 8);
        out[k++] = (uint8_t)values[i];
    }
    uint16_t crc = bluetti_crc16(out, k);
    out[k++] = (uint8_t)crc;
    out[k++] = (uint8_t)(crc >> 8);
    *len = k;
    return 0;
}

int bluetti_modbus_parse_write_reply(const uint8_t *frame, size_t len, const uint8_t *request,
                                     size_t request_len, uint8_t *exception_code)
{
    if (exception_code) *exception_code = 0;
    if (!request || request_len < 8 || (!frame && len)) return BLUETTI_E_INVAL;
    uint8_t fn = request[1];
    if (fn != BLUETTI_MODBUS_WRITE_ONE && fn != BLUETTI_MODBUS_WRITE_MANY) return BLUETTI_E_INVAL;
    if (len < 5) return BLUETTI_E_FRAME;
    /* the length the header announces: an exception is 5 bytes, an echo 8;
     * a read reply carries its byte count (judged as another function) */
    size_t want = 0;
    if (frame[1] & 0x80) want = 5;
    else if (frame[1] == fn) want = 8;
    else if (frame[1] == BLUETTI_MODBUS_READ) want = (size_t)frame[2] + 5u;
    if (want && len != want) return BLUETTI_E_FRAME;
    uint16_t got = (uint16_t)(frame[len - 2] | (frame[len - 1] << 8));
    if (bluetti_crc16(frame, len - 2) != got) return BLUETTI_E_CRC;
    if (frame[0] != request[0]) return BLUETTI_E_ADDRESS;
    if (frame[1] & 0x80) {
        if ((frame[1] & 0x7F) != fn) return BLUETTI_E_FUNCTION;
        if (exception_code) *exception_code = frame[2];
        return BLUETTI_E_EXCEPTION;
    }
    if (frame[1] != fn) return BLUETTI_E_FUNCTION;
    /* 0x06 echoes register and value; 0x10 echoes start and quantity */
    if (memcmp(frame + 2, request + 2, 4) != 0) return BLUETTI_E_ECHO;
    return 0;
}
