/* The cloud's algorithms (docs/protocol/cloud.md, "Algorithms"): the login
 * password transform, passOpen, the request sign, AES-256-ECB under a
 * 32-character text key, and the app's TOTP. OpenSSL EVP for every
 * primitive; every derived secret is wiped before returning. */
#include "config.h"

#include <bluetti/cloud.h>
#include <bluetti/error.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The TOTP's fixed parts, from the app (cloud.md "TOTP"). */
#define TOTP_SECRET_A "ga3sa4"
#define TOTP_SECRET_B "hj6kfl"
#define TOTP_T0 1371517200ull
#define TOTP_STEP 30ull

static const char UPPER[] = "0123456789ABCDEF";
static const char LOWER[] = "0123456789abcdef";

static void hex_into(const uint8_t *d, size_t n, const char *digits, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* digest of data with md into out (upper hex, 2*size+1 bytes). */
static int digest_hex(const EVP_MD *md, const void *data, size_t len, char *out)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data, len, d, &n, md, NULL) != 1) return BLUETTI_E_NOMEM;
    hex_into(d, n, UPPER, out);
    OPENSSL_cleanse(d, sizeof d);
    return 0;
}

int bluetti_cloud_password_hash(const char *password, char out[65])
{
    if (!password || !out) return BLUETTI_E_INVAL;
    return digest_hex(EVP_sha256(), password, strlen(password), out);
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Exactly 2*n hex digits, nothing else (the cloud sends bare hex). */
static int strict_unhex(const char *hex, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static size_t aes_hex_need(size_t len)
{
    return 2 * 16 * (len / 16 + 1) + 1;
}

int bluetti_cloud_aes_encrypt_hex(const char key[32], const uint8_t *data, size_t len, char *out,
                                  size_t cap)
{
    if (!key || (!data && len) || !out) return BLUETTI_E_INVAL;
    if (len > (size_t)INT32_MAX - 32 || cap < aes_hex_need(len)) return BLUETTI_E_NOMEM;
    size_t ct_cap = 16 * (len / 16 + 1);
    uint8_t *ct = OPENSSL_malloc(ct_cap);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int rc = BLUETTI_E_NOMEM, n1 = 0, n2 = 0;
    if (ct && c && EVP_EncryptInit_ex(c, EVP_aes_256_ecb(), NULL, (const uint8_t *)key, NULL) == 1 &&
        EVP_EncryptUpdate(c, ct, &n1, data, (int)len) == 1 &&
        EVP_EncryptFinal_ex(c, ct + n1, &n2) == 1) {
        hex_into(ct, (size_t)n1 + (size_t)n2, LOWER, out);
        rc = 0;
    }
    EVP_CIPHER_CTX_free(c);
    if (ct) OPENSSL_clear_free(ct, ct_cap);
    return rc;
}

int bluetti_cloud_aes_decrypt_hex(const char key[32], const char *hex, uint8_t *out, size_t cap,
                                  size_t *out_len)
{
    if (!key || !hex || !out || !out_len) return BLUETTI_E_INVAL;
    *out_len = 0;
    size_t hl = strlen(hex);
    if (hl == 0 || hl % 32 != 0 || hl / 2 > (size_t)INT32_MAX) return BLUETTI_E_HEX;
    size_t ct_len = hl / 2;
    uint8_t *ct = OPENSSL_malloc(ct_len), *pt = OPENSSL_malloc(ct_len + 16);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int rc = BLUETTI_E_NOMEM, n1 = 0, n2 = 0;
    if (!ct || !pt || !c) goto out;
    if (strict_unhex(hex, ct_len, ct) != 0) {
        rc = BLUETTI_E_HEX;
        goto out;
    }
    if (EVP_DecryptInit_ex(c, EVP_aes_256_ecb(), NULL, (const uint8_t *)key, NULL) != 1 ||
        EVP_DecryptUpdate(c, pt, &n1, ct, (int)ct_len) != 1)
        goto out;
    if (EVP_DecryptFinal_ex(c, pt + n1, &n2) != 1) {
        rc = BLUETTI_E_BAD_VALUE;   /* wrong key or padding */
        goto out;
    }
    size_t n = (size_t)n1 + (size_t)n2;
    if (n > cap) goto out;
    memcpy(out, pt, n);
    *out_len = n;
    rc = 0;
out:
    EVP_CIPHER_CTX_free(c);
    if (ct) OPENSSL_clear_free(ct, ct_len);
    if (pt) OPENSSL_clear_free(pt, ct_len + 16);
    return rc;
}

int bluetti_cloud_pass_open(const char *password, char *out, size_t cap)
{
    if (!password || !out) return BLUETTI_E_INVAL;
    char h[65], k[33];
    int rc = bluetti_cloud_password_hash(password, h);
    if (!rc) rc = digest_hex(EVP_md5(), h, 64, k);
    if (!rc)
        rc = bluetti_cloud_aes_encrypt_hex(k, (const uint8_t *)password, strlen(password), out, cap);
    OPENSSL_cleanse(h, sizeof h);
    OPENSSL_cleanse(k, sizeof k);
    return rc;
}

int bluetti_cloud_sign(uint64_t current_utc_time, const char *url, const char *app_key,
                       const char *app_ver, const char *os, const char *sid, char out[33])
{
    if (!url || !app_key || !app_ver || !os || !sid || !out) return BLUETTI_E_INVAL;
    /* the parameters in name order, joined without URL encoding */
    static const char fmt[] = "currentUtcTime=%" PRIx64 "&url=%s&x-app-key=%s&x-app-ver=%s&x-os=%s&x-sid=%s";
    int n = snprintf(NULL, 0, fmt, current_utc_time, url, app_key, app_ver, os, sid);
    if (n < 0) return BLUETTI_E_INVAL;
    size_t cap = (size_t)n + 1;
    char *base = OPENSSL_malloc(cap);
    if (!base) return BLUETTI_E_NOMEM;
    snprintf(base, cap, fmt, current_utc_time, url, app_key, app_ver, os, sid);
    int rc = digest_hex(EVP_md5(), base, (size_t)n, out);
    OPENSSL_clear_free(base, cap);
    return rc;
}

uint64_t bluetti_cloud_totp_counter(uint64_t ms)
{
    uint64_t s = ms / 1000;
    return s < TOTP_T0 ? 0 : (s - TOTP_T0) / TOTP_STEP;
}

int bluetti_cloud_totp(const char *a, const char *b, uint64_t ms, char out[9])
{
    if (!a || !b || !out) return BLUETTI_E_INVAL;
    size_t al = strlen(a), bl = strlen(b);
    if (al < 2 || bl == 0) return BLUETTI_E_INVAL;
    /* key string: A[0..2) + secret A + B + secret B + A[len-2..len) */
    size_t kl = 2 + strlen(TOTP_SECRET_A) + bl + strlen(TOTP_SECRET_B) + 2;
    char *key = OPENSSL_malloc(kl + 1);
    if (!key) return BLUETTI_E_NOMEM;
    snprintf(key, kl + 1, "%.2s%s%s%s%s", a, TOTP_SECRET_A, b, TOTP_SECRET_B, a + al - 2);

    uint64_t c = bluetti_cloud_totp_counter(ms);
    uint8_t cb[8];
    for (int i = 0; i < 8; i++) cb[i] = (uint8_t)(c >> (56 - 8 * i));

    char h1[33], h2[33], m[64];
    int rc = digest_hex(EVP_md5(), key, kl, h1);
    if (!rc) rc = digest_hex(EVP_md5(), cb, sizeof cb, h2);
    if (!rc) {
        for (int i = 0; i < 32; i++) {
            m[2 * i] = h1[i];
            m[2 * i + 1] = h2[i];
        }
        /* RFC 4226 dynamic truncation over the 64 ASCII bytes */
        unsigned o = (unsigned)m[63] & 0x0f;
        uint32_t v = ((uint32_t)((uint8_t)m[o] & 0x7f) << 24) | ((uint32_t)(uint8_t)m[o + 1] << 16) |
                     ((uint32_t)(uint8_t)m[o + 2] << 8) | (uint32_t)(uint8_t)m[o + 3];
        snprintf(out, 9, "%08" PRIu32, v % 100000000u);
    }
    OPENSSL_clear_free(key, kl + 1);
    OPENSSL_cleanse(h1, sizeof h1);
    OPENSSL_cleanse(h2, sizeof h2);
    OPENSSL_cleanse(m, sizeof m);
    return rc;
}

int bluetti_cloud_token_parts(const char *token, char *p0, size_t cap0, char *p1, size_t cap1)
{
    if (!token || !p0 || !p1) return BLUETTI_E_INVAL;
    const char *d1 = strchr(token, '.');
    if (!d1 || d1 == token) return BLUETTI_E_INVAL;
    const char *s1 = d1 + 1, *d2 = strchr(s1, '.');
    size_t l0 = (size_t)(d1 - token), l1 = d2 ? (size_t)(d2 - s1) : strlen(s1);
    if (l1 == 0) return BLUETTI_E_INVAL;
    if (l0 >= cap0 || l1 >= cap1) return BLUETTI_E_NOMEM;
    memcpy(p0, token, l0);
    p0[l0] = '\0';
    memcpy(p1, s1, l1);
    p1[l1] = '\0';
    return 0;
}
