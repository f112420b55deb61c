/* Server time, the certificate password and the PKCS#12 download
 * (docs/protocol/cloud.md, "Server time and the bundle password" and "The
 * certificate bundle"). The password only ever lives in heap buffers that
 * are wiped; the bundle stays encrypted under it. */
#include "config.h"

#include "client.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/pkcs12.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_TIME "/api/midppkic/cert/app/v2/now/utc-time"
#define PATH_PFX "/api/midppkic/cert/app/v1/pfx"

/* The sid (token part 1) into a heap buffer the caller wipes and frees. */
static int token_sid(bluetti_cloud *c, char **sid)
{
    *sid = NULL;
    if (!c->token)
        return cloud_fail(c, BLUETTI_E_NOT_LOGGED_IN, "not logged in; run 'bluetti-tool login "
                          "--account EMAIL'");
    size_t tl = strlen(c->token) + 1;
    char *p0 = malloc(tl), *p1 = malloc(tl);
    int err = 0;
    if (!p0 || !p1) err = cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    else if (bluetti_cloud_token_parts(c->token, p0, tl, p1, tl) != 0)
        err = cloud_fail(c, BLUETTI_E_CLOUD, "the login token has fewer than two parts; run "
                         "'bluetti-tool login' again");
    if (p0) OPENSSL_cleanse(p0, tl);
    free(p0);
    if (err) {
        if (p1) OPENSSL_cleanse(p1, tl);
        free(p1);
        return err;
    }
    *sid = p1;
    return 0;
}

static bool parse_ms(json_t *data, uint64_t *out)
{
    const char *s = json_string_value(data);
    if (s) {
        if (!*s || strlen(s) > 19 || strspn(s, "0123456789") != strlen(s)) return false;
        *out = strtoull(s, NULL, 10);
        return true;
    }
    if (json_is_integer(data) && json_integer_value(data) > 0) {
        *out = (uint64_t)json_integer_value(data);
        return true;
    }
    return false;
}

int bluetti_cloud_server_time(bluetti_cloud *c, uint64_t *server_ms, char **cert_password)
{
    if (!c) return BLUETTI_E_INVAL;
    c->detail[0] = '\0';
    if (cert_password) *cert_password = NULL;
    cloud_response r;
    json_t *data = NULL;
    int err = cloud_api_call(c, PATH_TIME, false, NULL, false, &r, &data);
    if (err) return err;
    uint64_t ms = 0;
    bool ok = parse_ms(data, &ms);
    json_decref(data);
    if (!ok) {
        cloud_response_free(&r);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud's time answer holds no time in "
                          "milliseconds; try again later");
    }
    /* the server read its clock about half way through the round trip */
    int64_t local = r.sent_ms + (r.done_ms - r.sent_ms) / 2;
    c->offset_ms = (int64_t)ms - local;
    c->has_offset = true;
    if (r.x_iot_server && *r.x_iot_server) {
        char *b = strdup(r.x_iot_server);
        if (b) {
            free(c->iot_server);
            c->iot_server = b;
        }
    }
    if (server_ms) *server_ms = ms;
    if (!cert_password) {
        cloud_response_free(&r);
        return 0;
    }
    if (!r.x_signature || !*r.x_signature) {
        cloud_response_free(&r);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud's time answer carries no certificate "
                          "password (no X-Signature header); try again later");
    }
    char *sid = NULL;
    if ((err = token_sid(c, &sid))) {
        cloud_response_free(&r);
        return err;
    }
    char sign[33];
    err = bluetti_cloud_sign(ms, PATH_TIME, CLOUD_APP_KEY, c->app_ver, c->os, sid, sign);
    OPENSSL_cleanse(sid, strlen(sid));
    free(sid);
    size_t cap = strlen(r.x_signature) / 2 + 1;
    uint8_t *pw = malloc(cap);
    size_t pl = 0;
    if (!err && !pw) err = BLUETTI_E_NOMEM;
    if (!err) err = bluetti_cloud_aes_decrypt_hex(sign, r.x_signature, pw, cap, &pl);
    OPENSSL_cleanse(sign, sizeof sign);
    cloud_response_free(&r);
    if (err || pl == 0 || memchr(pw, 0, pl)) {
        if (pw) OPENSSL_cleanse(pw, cap);
        free(pw);
        if (err == BLUETTI_E_NOMEM) return cloud_fail(c, err, "out of memory");
        return cloud_fail(c, BLUETTI_E_CLOUD, "the certificate password from the cloud does not "
                          "decrypt (x-os %s, x-app-ver %s); run 'bluetti-tool login' again",
                          c->os, c->app_ver);
    }
    pw[pl] = 0;
    *cert_password = (char *)pw;
    return 0;
}

int bluetti_cloud_download_pfx(bluetti_cloud *c, const char *cert_password, uint8_t **p12,
                               size_t *p12_len)
{
    if (!c || !cert_password) return BLUETTI_E_INVAL;
    c->detail[0] = '\0';
    if (p12) *p12 = NULL;
    if (p12_len) *p12_len = 0;
    if (!c->uid)
        return cloud_fail(c, BLUETTI_E_NOT_LOGGED_IN, "not logged in; run 'bluetti-tool login "
                          "--account EMAIL'");
    int err;
    if (!c->has_offset && (err = bluetti_cloud_server_time(c, NULL, NULL))) return err;
    char *sid = NULL;
    if ((err = token_sid(c, &sid))) return err;
    int64_t now = bt_wall_ms() + c->offset_ms;
    char totp[9], sign[33];
    err = bluetti_cloud_totp(c->uid, c->device_id, now > 0 ? (uint64_t)now : 0, totp);
    if (!err) err = bluetti_cloud_sign(strtoull(totp, NULL, 10), PATH_PFX, CLOUD_APP_KEY,
                                       c->app_ver, c->os, sid, sign);
    OPENSSL_cleanse(totp, sizeof totp);
    OPENSSL_cleanse(sid, strlen(sid));
    free(sid);
    if (err) return cloud_fail(c, BLUETTI_E_CLOUD, "cannot build the proof for the certificate "
                               "download (user id or device id too short)");
    size_t pl = strlen(cert_password);
    size_t cap = 2 * 16 * (pl / 16 + 1) + 1;
    size_t hcap = cap + 32;
    char *hdr = malloc(hcap), *res = malloc(cap);
    if (!hdr || !res) err = BLUETTI_E_NOMEM;
    else err = bluetti_cloud_aes_encrypt_hex(sign, (const uint8_t *)cert_password, pl, res, cap);
    OPENSSL_cleanse(sign, sizeof sign);
    if (!err) snprintf(hdr, hcap, "x-app-resource: %s", res);
    if (res) OPENSSL_cleanse(res, cap);
    free(res);
    if (err) {
        free(hdr);
        return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    }
    cloud_response r;
    err = cloud_api_call(c, PATH_PFX, true, hdr, true, &r, NULL);
    OPENSSL_cleanse(hdr, hcap);
    free(hdr);
    if (err) return err;
    /* a JSON body with code 0 is no bundle either */
    const uint8_t *q = r.body;
    PKCS12 *pk = r.len && r.len < 0x7fffffff ? d2i_PKCS12(NULL, &q, (long)r.len) : NULL;
    if (!pk) {
        cloud_response_free(&r);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud's certificate download is not a "
                          "PKCS#12 bundle; try again later");
    }
    PKCS12_free(pk);
    uint8_t *held = r.body, *copy = NULL;
    size_t len = r.len;
    if (p12 && !(copy = malloc(len ? len : 1))) {
        cloud_response_free(&r);
        return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    }
    r.body = NULL;
    r.len = 0;
    cloud_response_free(&r);
    bluetti_cloud_bytes_free(c->p12, c->p12_len);
    c->p12 = held;
    c->p12_len = len;
    if (copy) { /* allocated above exactly when p12 is given */
        memcpy(copy, held, len);
        *p12 = copy;
        if (p12_len) *p12_len = len;
    }
    return 0;
}

/* The held bundle opens with this password (its MAC checks). */
static bool held_matches(const bluetti_cloud *c, const char *password)
{
    if (!c->p12 || c->p12_len > 0x7fffffff) return false;
    const uint8_t *q = c->p12;
    PKCS12 *pk = d2i_PKCS12(NULL, &q, (long)c->p12_len);
    if (!pk) return false;
    bool ok = PKCS12_verify_mac(pk, password, -1) == 1;
    PKCS12_free(pk);
    return ok;
}

int bluetti_cloud_certificate(bluetti_cloud *c, unsigned flags, uint8_t **p12, size_t *p12_len,
                              char **password)
{
    if (!c || !p12 || !p12_len || !password) return BLUETTI_E_INVAL;
    c->detail[0] = '\0';
    *p12 = NULL;
    *p12_len = 0;
    *password = NULL;
    int err = bluetti_cloud_ensure_login(c, 60);
    if (err) return err;
    char *pw = NULL;
    if ((err = bluetti_cloud_server_time(c, NULL, &pw))) return err;
    if ((flags & BLUETTI_CLOUD_CERT_FRESH) || !held_matches(c, pw)) {
        if ((err = bluetti_cloud_download_pfx(c, pw, NULL, NULL))) goto fail;
        if (c->profile_dir && (err = bluetti_cloud_profile_save(c, c->profile_dir, NULL)))
            goto fail;
    }
    uint8_t *copy = malloc(c->p12_len);
    if (!copy) {
        err = cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
        goto fail;
    }
    memcpy(copy, c->p12, c->p12_len);
    *p12 = copy;
    *p12_len = c->p12_len;
    *password = pw;
    return 0;
fail:
    bluetti_cloud_secret_free(pw);
    return err;
}
