/* bluetti — the Bluetti cloud: primitives shared by the client (login,
 * transport-mqtt), the simulated cloud (bluetti-sim --cloud) and the test
 * broker's auth plugin. Library: libbluetti-cloud.
 *
 * Protocol notes: docs/protocol/cloud.md (algorithms in "Algorithms",
 * envelopes in "Payload envelope"). All functions here are pure: no I/O,
 * no logging, no global state. Buffers are the caller's; every function
 * wipes the intermediate secrets it derived before returning.
 */
#ifndef BLUETTI_CLOUD_H
#define BLUETTI_CLOUD_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

/* ---- algorithms -------------------------------------------------------- */

/* Login password: SHA-256 of the UTF-8 password as 64 uppercase hex
 * characters plus NUL into out[65]. 0, or BLUETTI_E_INVAL (NULL). */
BLUETTI_API int bluetti_cloud_password_hash(const char *password, char out[65]);

/* passOpen: AES-256-ECB of the password (PKCS#7) under the 32 ASCII bytes of
 * MD5(uppercase SHA-256 hex) in uppercase hex, written as lowercase hex into
 * out[0..cap). 0, BLUETTI_E_INVAL, or BLUETTI_E_NOMEM when cap is too small
 * (it needs 2*16*(strlen/16+1)+1 bytes). */
BLUETTI_API int bluetti_cloud_pass_open(const char *password, char *out, size_t cap);

/* The request sign: MD5 of
 * "currentUtcTime=<time, lowercase hex>&url=<url>&x-app-key=..&x-app-ver=..&x-os=..&x-sid=.."
 * as 32 uppercase hex characters plus NUL into out[33]. */
BLUETTI_API int bluetti_cloud_sign(uint64_t current_utc_time, const char *url,
                                   const char *app_key, const char *app_ver,
                                   const char *os, const char *sid, char out[33]);

/* The app's TOTP: 8 decimal digits plus NUL into out[9], from the strings A
 * and B (each at least 2 characters) and a time in milliseconds (the
 * server's clock). MQTT password: A = token part 1, B = token part 0.
 * Certificate download: A = user id, B = the x-device-id value. */
BLUETTI_API int bluetti_cloud_totp(const char *a, const char *b, uint64_t ms, char out[9]);

/* The TOTP's 30-second counter for a time in milliseconds (0 before the
 * epoch the app counts from). For checking a TOTP with a window. */
BLUETTI_API uint64_t bluetti_cloud_totp_counter(uint64_t ms);

/* AES-256-ECB with PKCS#7 under a key given as 32 ASCII characters (a sign
 * or an MD5 text: its bytes are the key, not hex-decoded).
 * encrypt: data[0..len) -> lowercase hex into out[0..cap) (NUL-terminated);
 *   needs cap >= 2*16*(len/16+1)+1, else BLUETTI_E_NOMEM.
 * decrypt: hex text (either case) -> plaintext into out[0..cap), *out_len
 *   set; BLUETTI_E_HEX for bad hex, BLUETTI_E_BAD_VALUE for a wrong key or
 *   bad padding, BLUETTI_E_NOMEM when cap is too small. On error out holds
 *   nothing (wiped). */
BLUETTI_API int bluetti_cloud_aes_encrypt_hex(const char key[32], const uint8_t *data, size_t len,
                                              char *out, size_t cap);
BLUETTI_API int bluetti_cloud_aes_decrypt_hex(const char key[32], const char *hex, uint8_t *out,
                                              size_t cap, size_t *out_len);

/* Split a login token "part0.part1[.more]" into its first two parts, copied
 * into p0[0..cap0) and p1[0..cap1). BLUETTI_E_INVAL when it has fewer than two
 * non-empty parts, BLUETTI_E_NOMEM when a buffer is too small. */
BLUETTI_API int bluetti_cloud_token_parts(const char *token, char *p0, size_t cap0,
                                          char *p1, size_t cap1);

/* ---- payload envelope -------------------------------------------------- */

/* How a Modbus frame travels in an MQTT payload. */
typedef enum bluetti_envelope_kind {
    BLUETTI_ENVELOPE_RAW = 0,   /* the bare Modbus RTU frame (older reference) */
    BLUETTI_ENVELOPE_OLD = 1,   /* one byte 01, then the frame (first-generation devices) */
    BLUETTI_ENVELOPE_NEW = 2,   /* 10-byte header 01 F8 0F <reg:2 BE> 00 00 00 00 00, then the frame */
} bluetti_envelope_kind;

#define BLUETTI_ENVELOPE_NEW_HEADER 10

/* "raw", "old", "new" -> kind; -1 for anything else. */
BLUETTI_API int bluetti_envelope_parse(const char *name);
/* kind -> "raw", "old", "new" ("?" otherwise). */
BLUETTI_API const char *bluetti_envelope_name(int kind);

/* Wrap frame[0..len) into out[0..cap): *out_len gets the payload length.
 * reg is the Modbus start register of the request (new envelope only).
 * BLUETTI_E_INVAL for an unknown kind, BLUETTI_E_NOMEM when cap is small. */
BLUETTI_API int bluetti_envelope_wrap(int kind, uint16_t reg, const uint8_t *frame, size_t len,
                                      uint8_t *out, size_t cap, size_t *out_len);

/* What unwrap learned from a payload's header. */
typedef struct bluetti_envelope_info {
    int kind;                 /* bluetti_envelope_kind found */
    uint16_t reg;             /* header register (new envelope), 0 when absent */
    int8_t rssi;              /* header byte 7 (new envelope), dBm */
    bool has_rssi;
    size_t header_len;        /* 0, 1 or 10 */
} bluetti_envelope_info;

/* Find the Modbus frame inside payload[0..len). The header is recognised by
 * its first bytes (01 F8: new; 01: old; else raw); where two readings are
 * possible (a bare reply from address 1 also starts with 01) the one whose
 * Modbus CRC checks wins, the `preferred` kind first. When no reading has a
 * good CRC the header-by-first-bytes reading is returned (the caller's CRC
 * check then reports it). *frame points into payload. 0, or BLUETTI_E_FRAME
 * for a payload too short to hold a header and a frame. */
BLUETTI_API int bluetti_envelope_unwrap(const uint8_t *payload, size_t len, int preferred,
                                        bluetti_envelope_info *info, const uint8_t **frame,
                                        size_t *frame_len);

BLUETTI_END_DECLS
#endif
