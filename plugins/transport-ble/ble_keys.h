/* transport-ble: the fixed keys of the handshake, loaded from a file
 * (docs/transport-ble.md, "The keys file"). Never literals in code: the
 * app's keys ship as data (data/ble/app-keys.pem), and tests and the
 * simulator bring their own pairs in the same format.
 *
 * The file is PEM with three blocks, in any order:
 *   BLUETTI BLE APP KEY   the 16-byte AES key the temporary key is made with
 *   PRIVATE KEY           this side's P-256 signing key (PKCS#8; "EC
 *                         PRIVATE KEY" is accepted too)
 *   PUBLIC KEY            the P-256 key the other side's signature is
 *                         checked with (SubjectPublicKeyInfo)
 * A client's file holds the app's signing key and the stations' public
 * key; a simulated station's file holds its own signing key and the
 * client's public key.
 */
#ifndef BLUETTI_BLE_KEYS_H
#define BLUETTI_BLE_KEYS_H

#include "ble_crypto.h"

#define BLE_PEM_APP_KEY "BLUETTI BLE APP KEY"

typedef struct ble_keys {
    uint8_t app_key[BLE_AES_KEY_LEN];
    EVP_PKEY *sign;       /* this side's private key */
    EVP_PKEY *verify;     /* the peer's public key */
} ble_keys;

/* Load path into *k (cleared first). 0, or BLUETTI_E_IO (cannot read
 * it) / BLUETTI_E_INVAL (a block missing, twice, or not a P-256 key) with
 * the reason in detail. On failure k holds nothing. */
int ble_keys_load(const char *path, ble_keys *k, char *detail, size_t detail_len);
/* Free the keys and wipe the AES key (accepts a cleared struct). */
void ble_keys_clear(ble_keys *k);
/* Write a keys file (for tests and key generation): app_key, a private
 * key and a public key (only its public half is written). 0 or
 * BLUETTI_E_IO. */
int ble_keys_write(const char *path, const uint8_t app_key[BLE_AES_KEY_LEN], EVP_PKEY *sign,
                   EVP_PKEY *verify);

#endif
