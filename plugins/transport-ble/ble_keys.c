/* transport-ble: reading and writing the keys file (ble_keys.h). */
#include "config.h"

#include "ble_keys.h"

#include "bt_text.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A P-256 key, public or private. */
static bool is_p256(const EVP_PKEY *k)
{
    char group[32] = "";
    size_t n = 0;
    return k && EVP_PKEY_is_a(k, "EC") &&
           EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                          &n) == 1 &&
           (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"));
}

/* One PEM block into k; *what names a problem. */
static int take_block(ble_keys *k, bool *have_app, const char *name, const unsigned char *data,
                      long len, const char **what)
{
    const unsigned char *p = data;
    if (!strcmp(name, BLE_PEM_APP_KEY)) {
        if (*have_app) return (*what = "two " BLE_PEM_APP_KEY " blocks", BLUETTI_E_INVAL);
        if (len != BLE_AES_KEY_LEN)
            return (*what = "the " BLE_PEM_APP_KEY " block is not 16 bytes long", BLUETTI_E_INVAL);
        memcpy(k->app_key, data, BLE_AES_KEY_LEN);
        *have_app = true;
    } else if (!strcmp(name, "PRIVATE KEY") || !strcmp(name, "EC PRIVATE KEY")) {
        if (k->sign) return (*what = "two private keys", BLUETTI_E_INVAL);
        k->sign = d2i_AutoPrivateKey(NULL, &p, len);
        if (!is_p256(k->sign)) return (*what = "the private key is not a P-256 key", BLUETTI_E_INVAL);
    } else if (!strcmp(name, "PUBLIC KEY")) {
        if (k->verify) return (*what = "two public keys", BLUETTI_E_INVAL);
        k->verify = d2i_PUBKEY(NULL, &p, len);
        if (!is_p256(k->verify)) return (*what = "the public key is not a P-256 key", BLUETTI_E_INVAL);
    }
    /* other blocks (comments as certificates, ...) are ignored */
    return 0;
}

int ble_keys_load(const char *path, ble_keys *k, char *detail, size_t detail_len)
{
    if (!k) return BLUETTI_E_INVAL;
    memset(k, 0, sizeof *k);
    if (!path) return BLUETTI_E_INVAL;
    FILE *f = fopen(path, "re");
    if (!f) {
        bt_fmt(detail, detail_len, "cannot read the keys file %s: %s", path, strerror(errno));
        return BLUETTI_E_IO;
    }
    bool have_app = false;
    const char *what = NULL;
    int rc = 0;
    for (;;) {
        char *name = NULL, *header = NULL;
        unsigned char *data = NULL;
        long len = 0;
        if (PEM_read(f, &name, &header, &data, &len) != 1) break;
        rc = take_block(k, &have_app, name, data, len, &what);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_clear_free(data, (size_t)len);
        if (rc) break;
    }
    fclose(f);
    if (rc == 0 && !have_app) what = "no " BLE_PEM_APP_KEY " block (the 16-byte AES key)";
    else if (rc == 0 && !k->sign) what = "no PRIVATE KEY block (this side's P-256 signing key)";
    else if (rc == 0 && !k->verify) what = "no PUBLIC KEY block (the peer's P-256 key)";
    if (what) {
        bt_fmt(detail, detail_len, "keys file %s: %s; see docs/transport-ble.md, \"The keys "
               "file\"", path, what);
        ble_keys_clear(k);
        return BLUETTI_E_INVAL;
    }
    return rc;
}

void ble_keys_clear(ble_keys *k)
{
    if (!k) return;
    EVP_PKEY_free(k->sign);
    EVP_PKEY_free(k->verify);
    OPENSSL_cleanse(k, sizeof *k);
}

int ble_keys_write(const char *path, const uint8_t app_key[BLE_AES_KEY_LEN], EVP_PKEY *sign,
                   EVP_PKEY *verify)
{
    FILE *f = fopen(path, "we");
    if (!f) return BLUETTI_E_IO;
    int ok = PEM_write(f, BLE_PEM_APP_KEY, "", app_key, BLE_AES_KEY_LEN) > 0 &&
             PEM_write_PrivateKey(f, sign, NULL, NULL, 0, NULL, NULL) == 1 &&
             PEM_write_PUBKEY(f, verify) == 1;
    if (fclose(f) != 0) ok = 0;
    return ok ? 0 : BLUETTI_E_IO;
}
