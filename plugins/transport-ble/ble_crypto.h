/* transport-ble: the cryptographic primitives of the encrypted V2
 * Bluetooth protocol (docs/protocol/ble.md, "Handshake" and "Frames"),
 * free of any Bluetooth code. Every primitive goes through OpenSSL's EVP.
 * Part of the convenience library plugins/libbleproto.la (not public API),
 * shared by the transport plugin, bluetti-sim --ble and the tests.
 *
 * Error returns: 0, BLUETTI_E_INVAL (bad argument, malformed input),
 * BLUETTI_E_NOMEM (buffer too small or out of memory), BLUETTI_E_CRC (a
 * byte sum or signature does not match).
 */
#ifndef BLUETTI_BLE_CRYPTO_H
#define BLUETTI_BLE_CRYPTO_H

#include <bluetti/bluetti.h>

#include <openssl/evp.h>

#define BLE_AES_KEY_LEN 16      /* the fixed app key, the temporary key Kh */
#define BLE_SESSION_KEY_LEN 32  /* Ks: the raw ECDH x coordinate */
#define BLE_RAW_PUB_LEN 64      /* P-256 public key X || Y, no 04 prefix */
#define BLE_RAW_SIG_LEN 64      /* ECDSA r || s, 32 bytes each, big-endian */
#define BLE_SEED_LEN 4          /* per-frame seed of a session frame */
/* The largest plaintext a wrapped frame may carry (a Modbus frame or a
 * handshake key message, 134 bytes), and its wire size. */
#define BLE_MAX_PLAIN 272
#define BLE_MAX_WIRE (2 + BLE_SEED_LEN + BLE_MAX_PLAIN + 16)

/* CRC-16/MODBUS (polynomial 0xA001 reflected, initial 0xFFFF). */
uint16_t ble_crc16(const uint8_t *p, size_t n);
/* The handshake checksum: the sum of every byte, as 16 bits. */
uint16_t ble_sum16(const uint8_t *p, size_t n);
/* MD5 of p[0..n) into out[16]. */
int ble_md5(const uint8_t *p, size_t n, uint8_t out[16]);
/* n random bytes from OpenSSL's CSPRNG. */
int ble_random(uint8_t *out, size_t n);

/* The challenge (message 1's 4 data bytes as received) gives the fixed
 * IV (MD5 of the reversed bytes) and the temporary AES-128 key (that IV
 * XOR the app key); the reply (message 2's data) is iv[8..11]. */
int ble_challenge_keys(const uint8_t challenge[4], const uint8_t app_key[BLE_AES_KEY_LEN],
                       uint8_t iv[16], uint8_t kh[BLE_AES_KEY_LEN]);

/* AES-CBC without padding (len a multiple of 16), key of 16 or 32 bytes.
 * out may equal in. */
int ble_aes_cbc(bool encrypt, const uint8_t *key, size_t key_len, const uint8_t iv[16],
                const uint8_t *in, size_t len, uint8_t *out);

/* Wrap plain[0..len) (1 <= len <= BLE_MAX_PLAIN) as a wire frame:
 * L(2, big-endian) [ seed(4) ] AES-CBC(zero-padded plaintext). With
 * seed NULL the frame is a handshake frame under the fixed iv; with a
 * seed, a session frame whose IV is MD5(seed). *out_len gets the size. */
int ble_wrap(const uint8_t *key, size_t key_len, const uint8_t iv[16], const uint8_t *seed,
             const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *out_len);
/* The reverse: wire[0..wire_len) must be exactly one frame of that kind
 * (the length header, the seed for a session frame, whole blocks).
 * Writes the first L plaintext bytes into out. */
int ble_unwrap(const uint8_t *key, size_t key_len, const uint8_t iv[16], bool session,
               const uint8_t *wire, size_t wire_len, uint8_t *out, size_t cap, size_t *out_len);

/* A handshake frame 2A 2A type len data sum(type..data) into out. */
int ble_hs_frame(uint8_t type, const uint8_t *data, size_t len, uint8_t *out, size_t cap,
                 size_t *out_len);
/* Check one handshake frame (magic, length byte, sum); *type, *data and
 * *len point into f. */
int ble_hs_parse(const uint8_t *f, size_t n, uint8_t *type, const uint8_t **data, size_t *len);

/* ---- P-256 ------------------------------------------------------------------ */

/* A fresh ephemeral key pair. Caller owns *out (EVP_PKEY_free). */
int ble_ec_generate(EVP_PKEY **out);
/* The public key as raw X || Y. */
int ble_ec_raw_public(const EVP_PKEY *key, uint8_t out[BLE_RAW_PUB_LEN]);
/* A public key from raw X || Y (a point on the curve). Caller owns *out. */
int ble_ec_from_raw(const uint8_t raw[BLE_RAW_PUB_LEN], EVP_PKEY **out);
/* ECDSA-P256-SHA256 of msg as raw r || s (converted from DER). */
int ble_ec_sign(EVP_PKEY *key, const uint8_t *msg, size_t n, uint8_t sig[BLE_RAW_SIG_LEN]);
/* 0 when sig (raw r || s, converted to DER) is key's signature of msg,
 * BLUETTI_E_CRC when it is not. */
int ble_ec_verify(EVP_PKEY *key, const uint8_t *msg, size_t n, const uint8_t sig[BLE_RAW_SIG_LEN]);
/* The x coordinate of ECDH(own private key, peer public key). */
int ble_ecdh(EVP_PKEY *own, EVP_PKEY *peer, uint8_t x[BLE_SESSION_KEY_LEN]);
/* Whether two keys hold the same public point. */
bool ble_ec_same_public(const EVP_PKEY *a, const EVP_PKEY *b);

#endif
