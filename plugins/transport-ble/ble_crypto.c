/* transport-ble: the protocol's primitives through OpenSSL's EVP
 * (docs/protocol/ble.md). */
#include "config.h"

#include "ble_crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <string.h>

#define HS_MAGIC 0x2A

uint16_t ble_crc16(const uint8_t *p, size_t n)
{
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0xA001u) : (uint16_t)(crc >> 1);
    }
    return crc;
}

uint16_t ble_sum16(const uint8_t *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) s += p[i];
    return (uint16_t)s;
}

int ble_md5(const uint8_t *p, size_t n, uint8_t out[16])
{
    unsigned len = 0;
    if (!out || (!p && n)) return BLUETTI_E_INVAL;
    if (EVP_Digest(p, n, out, &len, EVP_md5(), NULL) != 1 || len != 16) return BLUETTI_E_UNSUPPORTED;
    return 0;
}

int ble_random(uint8_t *out, size_t n)
{
    if (n > 0x7fffffff) return BLUETTI_E_INVAL;
    return RAND_bytes(out, (int)n) == 1 ? 0 : BLUETTI_E_IO;
}

int ble_challenge_keys(const uint8_t challenge[4], const uint8_t app_key[BLE_AES_KEY_LEN],
                       uint8_t iv[16], uint8_t kh[BLE_AES_KEY_LEN])
{
    if (!challenge || !app_key || !iv || !kh) return BLUETTI_E_INVAL;
    const uint8_t rev[4] = { challenge[3], challenge[2], challenge[1], challenge[0] };
    int rc = ble_md5(rev, sizeof rev, iv);
    if (rc) return rc;
    for (size_t i = 0; i < BLE_AES_KEY_LEN; i++) kh[i] = (uint8_t)(iv[i] ^ app_key[i]);
    return 0;
}

int ble_aes_cbc(bool encrypt, const uint8_t *key, size_t key_len, const uint8_t iv[16],
                const uint8_t *in, size_t len, uint8_t *out)
{
    const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_cbc() : key_len == 32 ? EVP_aes_256_cbc() : NULL;
    if (!c || !key || !iv || !in || !out || len % 16 || len > 0x7fffffff) return BLUETTI_E_INVAL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx) return BLUETTI_E_NOMEM;
    int n = 0, m = 0, ok = EVP_CipherInit_ex(ctx, c, NULL, key, iv, encrypt ? 1 : 0) == 1 &&
                          EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
                          EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 &&
                          EVP_CipherFinal_ex(ctx, out + n, &m) == 1 && (size_t)n + (size_t)m == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : BLUETTI_E_INVAL;
}

static size_t padded(size_t len)
{
    return (len + 15) / 16 * 16;
}

int ble_wrap(const uint8_t *key, size_t key_len, const uint8_t iv[16], const uint8_t *seed,
             const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!plain || !out || !out_len || len == 0 || len > BLE_MAX_PLAIN) return BLUETTI_E_INVAL;
    size_t head = 2 + (seed ? BLE_SEED_LEN : 0), total = head + padded(len);
    if (cap < total) return BLUETTI_E_NOMEM;
    uint8_t buf[BLE_MAX_PLAIN + 16], frame_iv[16];
    memset(buf, 0, sizeof buf);               /* the zero padding */
    memcpy(buf, plain, len);
    const uint8_t *use_iv = iv;
    int rc = 0;
    if (seed) {
        rc = ble_md5(seed, BLE_SEED_LEN, frame_iv);
        use_iv = frame_iv;
    }
    if (rc == 0) rc = ble_aes_cbc(true, key, key_len, use_iv, buf, padded(len), out + head);
    OPENSSL_cleanse(buf, sizeof buf);
    if (rc) return rc;
    out[0] = (uint8_t)(len >> 8);
    out[1] = (uint8_t)len;
    if (seed) memcpy(out + 2, seed, BLE_SEED_LEN);
    *out_len = total;
    return 0;
}

int ble_unwrap(const uint8_t *key, size_t key_len, const uint8_t iv[16], bool session,
               const uint8_t *wire, size_t wire_len, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t head = 2 + (session ? BLE_SEED_LEN : 0);
    if (!wire || !out || !out_len || wire_len < head) return BLUETTI_E_INVAL;
    size_t len = (size_t)wire[0] << 8 | wire[1];
    if (len == 0 || len > BLE_MAX_PLAIN || wire_len != head + padded(len)) return BLUETTI_E_INVAL;
    if (cap < len) return BLUETTI_E_NOMEM;
    uint8_t buf[BLE_MAX_PLAIN + 16], frame_iv[16];
    const uint8_t *use_iv = iv;
    int rc = 0;
    if (session) {
        rc = ble_md5(wire + 2, BLE_SEED_LEN, frame_iv);
        use_iv = frame_iv;
    }
    if (rc == 0) rc = ble_aes_cbc(false, key, key_len, use_iv, wire + head, padded(len), buf);
    if (rc == 0) {
        memcpy(out, buf, len);
        *out_len = len;
    }
    OPENSSL_cleanse(buf, sizeof buf);
    return rc;
}

int ble_hs_frame(uint8_t type, const uint8_t *data, size_t len, uint8_t *out, size_t cap,
                 size_t *out_len)
{
    if (!out || !out_len || len > 255 || (len && !data)) return BLUETTI_E_INVAL;
    if (cap < len + 6) return BLUETTI_E_NOMEM;
    out[0] = out[1] = HS_MAGIC;
    out[2] = type;
    out[3] = (uint8_t)len;
    if (len) memcpy(out + 4, data, len);
    uint16_t s = ble_sum16(out + 2, len + 2);
    out[4 + len] = (uint8_t)(s >> 8); /* big-endian, as the captures show */
    out[5 + len] = (uint8_t)s;
    *out_len = len + 6;
    return 0;
}

int ble_hs_parse(const uint8_t *f, size_t n, uint8_t *type, const uint8_t **data, size_t *len)
{
    if (!f || n < 6 || f[0] != HS_MAGIC || f[1] != HS_MAGIC || (size_t)f[3] + 6 != n)
        return BLUETTI_E_INVAL;
    uint16_t s = ble_sum16(f + 2, n - 4);
    if (f[n - 2] != (uint8_t)(s >> 8) || f[n - 1] != (uint8_t)s) return BLUETTI_E_CRC;
    if (type) *type = f[2];
    if (data) *data = f + 4;
    if (len) *len = f[3];
    return 0;
}

/* ---- P-256 ------------------------------------------------------------------ */

int ble_ec_generate(EVP_PKEY **out)
{
    if (!out) return BLUETTI_E_INVAL;
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    return *out ? 0 : BLUETTI_E_NOMEM;
}

int ble_ec_raw_public(const EVP_PKEY *key, uint8_t out[BLE_RAW_PUB_LEN])
{
    uint8_t pt[BLE_RAW_PUB_LEN + 1];
    size_t n = 0;
    if (!key || !out) return BLUETTI_E_INVAL;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &n) != 1 ||
        n != sizeof pt || pt[0] != 0x04)
        return BLUETTI_E_INVAL;
    memcpy(out, pt + 1, BLE_RAW_PUB_LEN);
    return 0;
}

int ble_ec_from_raw(const uint8_t raw[BLE_RAW_PUB_LEN], EVP_PKEY **out)
{
    if (!raw || !out) return BLUETTI_E_INVAL;
    *out = NULL;
    uint8_t pt[BLE_RAW_PUB_LEN + 1];
    pt[0] = 0x04;
    memcpy(pt + 1, raw, BLE_RAW_PUB_LEN);
    char group[] = "prime256v1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!ctx) return BLUETTI_E_NOMEM;
    int ok = EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (ok) {
        /* the point must lie on the curve (fromdata checks it; say so twice) */
        EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
        ok = chk && EVP_PKEY_public_check(chk) == 1;
        EVP_PKEY_CTX_free(chk);
    }
    if (!ok) {
        EVP_PKEY_free(*out);
        *out = NULL;
        return BLUETTI_E_INVAL;
    }
    return 0;
}

int ble_ec_sign(EVP_PKEY *key, const uint8_t *msg, size_t n, uint8_t sig[BLE_RAW_SIG_LEN])
{
    if (!key || !msg || !sig) return BLUETTI_E_INVAL;
    uint8_t der[80];
    size_t der_len = sizeof der;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md) return BLUETTI_E_NOMEM;
    int ok = EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
             EVP_DigestSign(md, der, &der_len, msg, n) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) return BLUETTI_E_INVAL;
    /* DER ECDSA-Sig-Value -> raw r || s */
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!es) return BLUETTI_E_INVAL;
    ok = BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32;
    ECDSA_SIG_free(es);
    return ok ? 0 : BLUETTI_E_INVAL;
}

int ble_ec_verify(EVP_PKEY *key, const uint8_t *msg, size_t n, const uint8_t sig[BLE_RAW_SIG_LEN])
{
    if (!key || !msg || !sig) return BLUETTI_E_INVAL;
    /* raw r || s -> DER ECDSA-Sig-Value */
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return BLUETTI_E_NOMEM;
    }
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    if (der_len <= 0) return BLUETTI_E_NOMEM;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int v = -1;
    if (md && EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) == 1)
        v = EVP_DigestVerify(md, der, (size_t)der_len, msg, n);
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return v == 1 ? 0 : BLUETTI_E_CRC;
}

int ble_ecdh(EVP_PKEY *own, EVP_PKEY *peer, uint8_t x[BLE_SESSION_KEY_LEN])
{
    if (!own || !peer || !x) return BLUETTI_E_INVAL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
    size_t len = BLE_SESSION_KEY_LEN;
    int ok = ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
             EVP_PKEY_derive(ctx, x, &len) == 1 && len == BLE_SESSION_KEY_LEN;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : BLUETTI_E_INVAL;
}

bool ble_ec_same_public(const EVP_PKEY *a, const EVP_PKEY *b)
{
    return a && b && EVP_PKEY_eq(a, b) == 1;
}
