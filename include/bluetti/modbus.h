/* bluetti — Modbus-RTU framing as carried in the MQTT payload.
 *
 * Reads are function 0x03 (read holding registers); writes are 0x06 (one
 * register) and 0x10 (several). The wire carries no request id, so a reply
 * is checked against the request it is meant to answer: address, function
 * and byte count (2 x registers) must fit, and a write's reply must echo
 * the request (docs/protocol/modbus.md).
 */
#ifndef BLUETTI_MODBUS_H
#define BLUETTI_MODBUS_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

#define BLUETTI_MODBUS_READ           0x03
#define BLUETTI_MODBUS_MAX_REGISTERS  125u   /* per read request */
#define BLUETTI_MODBUS_REQUEST_LEN    8u
#define BLUETTI_MODBUS_MAX_FRAME      (3u + 2u * BLUETTI_MODBUS_MAX_REGISTERS + 2u)
#define BLUETTI_MODBUS_WRITE_ONE      0x06
#define BLUETTI_MODBUS_WRITE_MANY     0x10
#define BLUETTI_MODBUS_MAX_WRITE      123u   /* registers per 0x10 request */
#define BLUETTI_MODBUS_MAX_WRITE_FRAME (9u + 2u * BLUETTI_MODBUS_MAX_WRITE)

/* CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF). Appended low byte first. */
BLUETTI_API uint16_t bluetti_crc16(const uint8_t *data, size_t len);

/* Build a read request into out[8]. count must be 1..125.
 * Returns 0 or BLUETTI_E_INVAL. */
BLUETTI_API int bluetti_modbus_build_read(uint8_t address, uint16_t start,
                                          uint16_t count, uint8_t out[8]);

/* Parse the reply to a read request (address, count) in frame[0..len).
 * On success returns 0 and sets *payload (pointing into frame) and
 * *payload_len (== 2*count). On failure returns BLUETTI_E_FRAME,
 * BLUETTI_E_CRC, BLUETTI_E_ADDRESS, BLUETTI_E_FUNCTION, BLUETTI_E_BYTE_COUNT
 * or BLUETTI_E_EXCEPTION; for the latter *exception_code (if not NULL) gets
 * the code. Check order: length, CRC, address, function/exception, byte
 * count, exact length. Nothing is allocated. */
BLUETTI_API int bluetti_modbus_parse_read(const uint8_t *frame, size_t len,
                                          uint8_t address, uint16_t count,
                                          const uint8_t **payload, size_t *payload_len,
                                          uint8_t *exception_code);

/* The verdict on a reply frame, from bluetti_modbus_parse_reply. */
typedef struct bluetti_modbus_reply {
    const uint8_t *payload;      /* register data inside the frame (success) */
    size_t payload_len;          /* == 2 * count on success */
    uint8_t exception_code;      /* BLUETTI_E_EXCEPTION: the device's code */
    const char *why;             /* static text on BLUETTI_E_FRAME / _CRC / _BYTE_COUNT,
                                  * e.g. "reply truncated", "trailing bytes"; else NULL */
} bluetti_modbus_reply;

/* The one framing verdict on a reply to a read of `count` registers at
 * `address`: like bluetti_modbus_parse_read, but the length the frame's own
 * header announces (5 bytes for an exception, 5 + byte count for a read
 * reply) is checked before the CRC, so a truncated or padded frame is
 * reported as such ("reply truncated" / "trailing bytes") and not as a
 * CRC failure. *out (required) is filled; nothing is allocated. */
BLUETTI_API int bluetti_modbus_parse_reply(const uint8_t *frame, size_t len, uint8_t address,
                                           uint16_t count, bluetti_modbus_reply *out);

/* Build a write request for `count` registers from values[] (host order)
 * at `start`: function 0x06 for one register (8 bytes), 0x10 for 2..123
 * (9 + 2 x count bytes). Writes the frame into out[0..cap) and its length
 * into *len. Returns 0, or BLUETTI_E_INVAL (count 0 or above 123, a range
 * past register 65535, cap too small, NULL pointers). */
BLUETTI_API int bluetti_modbus_build_write(uint8_t address, uint16_t start,
                                           const uint16_t *values, uint16_t count,
                                           uint8_t *out, size_t cap, size_t *len);

/* Check the reply to the write request `request` (as built by
 * bluetti_modbus_build_write) in frame[0..len). 0 when it is the echo:
 * for 0x06 the same 8 bytes, for 0x10 address, function, start and
 * quantity of the request. Else BLUETTI_E_FRAME (truncated, trailing
 * bytes), BLUETTI_E_CRC, BLUETTI_E_ADDRESS, BLUETTI_E_EXCEPTION (with
 * *exception_code, if not NULL), BLUETTI_E_FUNCTION (a reply to another
 * function, e.g. a read) or BLUETTI_E_ECHO (the right function but other
 * registers or values). BLUETTI_E_INVAL when request is not a write
 * request. Nothing is allocated. */
BLUETTI_API int bluetti_modbus_parse_write_reply(const uint8_t *frame, size_t len,
                                                 const uint8_t *request, size_t request_len,
                                                 uint8_t *exception_code);

/* Parse hex text ("01 03 05", "010305", "0x01,0x03", newlines allowed)
 * into out[0..cap). Returns the number of bytes, or BLUETTI_E_HEX (odd
 * digit count or a character that is not hex/space/separator; *bad_pos, if
 * not NULL, gets the offending character's index) or BLUETTI_E_INVAL
 * (more than cap bytes). */
BLUETTI_API long bluetti_hex_parse(const char *text, size_t text_len,
                                   uint8_t *out, size_t cap, size_t *bad_pos);

/* Write data as lower-case hex with a separator (0 for none) into out
 * (NUL-terminated, truncated to cap). Returns the length it needed. */
BLUETTI_API size_t bluetti_hex_format(const uint8_t *data, size_t len, char sep,
                                      char *out, size_t cap);

BLUETTI_END_DECLS
#endif
