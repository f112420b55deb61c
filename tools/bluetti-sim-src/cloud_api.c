/* bluetti-sim --cloud: the endpoints of the cloud's HTTP API that a client
 * needs to get from an e-mail and password to MQTT credentials
 * (docs/protocol/cloud.md, "Login and credentials"; our error codes:
 * "The simulated cloud"). Every algorithm is libbluetti-cloud's. */
#include "config.h"

#include "cloud.h"

#include <bluetti/cloud.h>
#include <bluetti/error.h>

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#define URL_UTC_TIME "/api/midppkic/cert/app/v2/now/utc-time"
#define URL_PFX "/api/midppkic/cert/app/v1/pfx"

/* Our codes (the real cloud's where known: docs/protocol/cloud.md). */
#define CODE_OK 0L
#define CODE_TOKEN 805L
#define CODE_ACCOUNT_UNKNOWN 20003006L
#define CODE_ACCOUNT_PASSWORD 20003015L
#define CODE_PFX_PROOF 20004001L
#define CODE_PFX_REVOKED 20004003L
#define CODE_BAD_REQUEST 400L
#define CODE_NOT_FOUND 404L
#define CODE_METHOD 405L

const char *http_header_get(const http_request *r, const char *name)
{
    for (size_t i = 0; i < r->n_h; i++)
        if (strcasecmp(r->h[i].name, name) == 0) return r->h[i].value;
    return NULL;
}

/* {"code":..,"message":..,"data":data} (data is stolen). */
static int reply_json(http_response *out, int status, long code, const char *msg, json_t *data)
{
    json_t *o = json_pack("{s:I,s:s,s:o?}", "code", (json_int_t)code, "message", msg, "data",
                          data);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) return -1;
    out->status = status;
    out->ctype = "application/json";
    out->body = (uint8_t *)s;
    out->body_len = strlen(s);
    out->code = code;
    return 0;
}

int cloud_api_error(http_response *out, int status, long code, const char *msg)
{
    return reply_json(out, status, code, msg, NULL);
}

/* ---- form bodies ------------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode application/x-www-form-urlencoded text in place; false for a bad
 * %-escape or a NUL byte. */
static bool url_decode(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (*p == '+') *w++ = ' ';
        else if (*p == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (lo < 0 || (hi == 0 && lo == 0)) return false;
            *w++ = (char)(hi * 16 + lo);
            p += 2;
        } else *w++ = *p;
    }
    *w = '\0';
    return true;
}

#define FORM_FIELDS 16

typedef struct form {
    char *buf;
    const char *k[FORM_FIELDS], *v[FORM_FIELDS];
    size_t n;
} form;

static bool form_parse(const uint8_t *body, size_t len, form *f)
{
    memset(f, 0, sizeof *f);
    if (memchr(body, '\0', len)) return false;
    f->buf = malloc(len + 1);
    if (!f->buf) return false;
    memcpy(f->buf, body, len);
    f->buf[len] = '\0';
    char *save = NULL;
    for (char *pair = strtok_r(f->buf, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (!eq || f->n == FORM_FIELDS) return false;
        *eq = '\0';
        if (!url_decode(pair) || !url_decode(eq + 1)) return false;
        f->k[f->n] = pair;
        f->v[f->n++] = eq + 1;
    }
    return true;
}

static const char *form_get(const form *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->k[i], key) == 0) return f->v[i];
    return NULL;
}

static void form_free(form *f, size_t len)
{
    if (f->buf) OPENSSL_cleanse(f->buf, len + 1);
    free(f->buf);
}

/* ---- the endpoints ---------------------------------------------------------- */

static int login(cloud_tokens *ts, const http_request *r, http_response *out)
{
    form f;
    if (!form_parse(r->body, r->body_len, &f)) {
        form_free(&f, r->body_len);
        return cloud_api_error(out, 400, CODE_BAD_REQUEST,
                               "the body must be application/x-www-form-urlencoded");
    }
    const char *user = form_get(&f, "username"), *pw = form_get(&f, "password"),
               *po = form_get(&f, "passOpen");
    int rc;
    const cloud_account *a = user ? cloud_account_find(ts->cfg, user) : NULL;
    if (!user || !pw) {
        rc = cloud_api_error(out, 400, CODE_BAD_REQUEST, "username and password are required");
    } else if (!a) {
        rc = cloud_api_error(out, 200, CODE_ACCOUNT_UNKNOWN, "account does not exist");
    } else {
        bool good = strlen(pw) == 64 && CRYPTO_memcmp(pw, a->pw_hash, 64) == 0;
        /* passOpen can only be checked when the plaintext is configured */
        if (good && a->password) {
            char want[512];
            good = po && bluetti_cloud_pass_open(a->password, want, sizeof want) == 0 &&
                   strlen(po) == strlen(want) && CRYPTO_memcmp(po, want, strlen(want)) == 0;
            OPENSSL_cleanse(want, sizeof want);
        }
        const cloud_token *t = NULL;
        if (!good) {
            rc = cloud_api_error(out, 200, CODE_ACCOUNT_PASSWORD, "wrong account or password");
        } else if (cloud_token_issue(ts, (size_t)(a - ts->cfg->accts), &t) != 0) {
            rc = -1;
        } else {
            json_t *d = json_pack("{s:s,s:s,s:I}", "token", t->text, "refresh", t->refresh,
                                  "ttl", (json_int_t)a->ttl_s);
            rc = d ? reply_json(out, 200, CODE_OK, "OK", d) : -1;
        }
    }
    form_free(&f, r->body_len);
    return rc;
}

static int user_basic(const cloud_account *a, http_response *out)
{
    json_t *d = json_pack("{s:s,s:s}", "uid", a->uid, "email", a->email);
    return d ? reply_json(out, 200, CODE_OK, "OK", d) : -1;
}

static json_t *device_json(const cloud_device *d)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "sn", d->sn, "model", d->model, "subSn",
                          d->sub_sn, "factoryProtocolVer", d->proto_ver, "sessionState",
                          d->online ? "Online" : "Offline", "iotPayloadVer", d->payload_ver);
    if (o && d->conn_secret) json_object_set_new(o, "iotConnSecret", json_string(d->conn_secret));
    if (o && d->srv_ip) json_object_set_new(o, "iotSrvIp", json_string(d->srv_ip));
    return o;
}

/* The stations grouped by their "group", in the config's order. */
static int home_devices(const cloud_account *a, http_response *out)
{
    json_t *groups = json_array();
    if (!groups) return -1;
    for (size_t i = 0; i < a->n_devs; i++) {
        json_t *list = NULL;
        for (size_t g = 0; g < json_array_size(groups); g++) {
            json_t *grp = json_array_get(groups, g);
            if (strcmp(json_string_value(json_object_get(grp, "groupName")), a->devs[i].group) == 0)
                list = json_object_get(grp, "deviceList");
        }
        if (!list) {
            json_t *grp = json_pack("{s:s,s:[]}", "groupName", a->devs[i].group, "deviceList");
            if (!grp || json_array_append_new(groups, grp) != 0) {
                json_decref(groups);
                return -1;
            }
            list = json_object_get(grp, "deviceList");
        }
        json_t *d = device_json(&a->devs[i]);
        if (!d || json_array_append_new(list, d) != 0) {
            json_decref(groups);
            return -1;
        }
    }
    return reply_json(out, 200, CODE_OK, "OK", groups);
}

typedef struct app_headers {
    const char *key, *ver, *os, *dev;
} app_headers;

/* The headers the certificate calls need; NULL, or the one missing. */
static const char *get_app_headers(const http_request *r, app_headers *h, bool need_dev)
{
    h->key = http_header_get(r, "x-app-key");
    h->ver = http_header_get(r, "x-app-ver");
    h->os = http_header_get(r, "x-os");
    h->dev = http_header_get(r, "x-device-id");
    if (!h->key || !*h->key) return "x-app-key";
    if (!h->ver || !*h->ver) return "x-app-ver";
    if (!h->os || !*h->os) return "x-os";
    if (need_dev && (!h->dev || strlen(h->dev) < 2)) return "x-device-id";
    return NULL;
}

static int missing_header(http_response *out, const char *name)
{
    char msg[96];
    snprintf(msg, sizeof msg, "missing header %s", name);
    return cloud_api_error(out, 400, CODE_BAD_REQUEST, msg);
}

static uint64_t cloud_ms(const cloud_account *a)
{
    return (uint64_t)(bt_wall_ms() + a->clock_offset_ms);
}

static int utc_time(const cloud_tokens *ts, const cloud_token *t, const cloud_account *a,
                    const http_request *r, http_response *out)
{
    app_headers h;
    const char *miss = get_app_headers(r, &h, false);
    if (miss) return missing_header(out, miss);
    uint64_t ms = cloud_ms(a);
    char sign[33], sig[512], now[24];
    const char *pw = a->pfx_password;
    if (bluetti_cloud_sign(ms, URL_UTC_TIME, h.key, h.ver, h.os, t->sid, sign) != 0 ||
        strlen(pw) > 200 ||
        bluetti_cloud_aes_encrypt_hex(sign, (const uint8_t *)pw, strlen(pw), sig, sizeof sig) != 0) {
        OPENSSL_cleanse(sign, sizeof sign);
        return cloud_api_error(out, 500, CODE_BAD_REQUEST, "cannot encrypt the bundle password");
    }
    OPENSSL_cleanse(sign, sizeof sign);
    snprintf(now, sizeof now, "%" PRIu64, ms);
    snprintf(out->extra, sizeof out->extra, "X-Signature: %s\r\nx-iot-server: %s\r\n", sig,
             ts->cfg->iot_server);
    return reply_json(out, 200, CODE_OK, "OK", json_string(now));
}

/* x-app-resource must be AES(sign(TOTP(uid, x-device-id, cloud time) as hex,
 * URL_PFX, ...), bundle password) for the current 30 s step or the one
 * before or after. */
static bool pfx_proof_ok(const cloud_token *t, const cloud_account *a, const app_headers *h,
                         const char *proof)
{
    uint64_t ms = cloud_ms(a);
    const char *pw = a->pfx_password;
    bool ok = false;
    if (strlen(pw) > 200) return false;
    for (int step = -1; step <= 1 && !ok; step++) {
        uint64_t at = (uint64_t)((int64_t)ms + step * 30000);
        char totp[9], sign[33], want[512];
        if (bluetti_cloud_totp(a->uid, h->dev, at, totp) != 0) continue;
        uint64_t num = strtoull(totp, NULL, 10);
        if (bluetti_cloud_sign(num, URL_PFX, h->key, h->ver, h->os, t->sid, sign) == 0 &&
            bluetti_cloud_aes_encrypt_hex(sign, (const uint8_t *)pw, strlen(pw), want,
                                          sizeof want) == 0)
            ok = strlen(proof) == strlen(want) && strcasecmp(proof, want) == 0;
        OPENSSL_cleanse(totp, sizeof totp);
        OPENSSL_cleanse(sign, sizeof sign);
        OPENSSL_cleanse(want, sizeof want);
    }
    return ok;
}

static int pfx(const cloud_token *t, const cloud_account *a, const http_request *r,
               http_response *out)
{
    app_headers h;
    const char *miss = get_app_headers(r, &h, true);
    if (miss) return missing_header(out, miss);
    const char *proof = http_header_get(r, "x-app-resource");
    if (!proof || !*proof) return missing_header(out, "x-app-resource");
    if (a->revoked)
        return cloud_api_error(out, 200, CODE_PFX_REVOKED, "the certificate of this account "
                               "is revoked");
    if (!pfx_proof_ok(t, a, &h, proof))
        return cloud_api_error(out, 200, CODE_PFX_PROOF, "x-app-resource does not match");
    out->body = malloc(a->pfx_len);
    if (!out->body) return -1;
    memcpy(out->body, a->pfx, a->pfx_len);
    out->body_len = a->pfx_len;
    out->status = 200;
    out->ctype = "application/x-pkcs12";
    out->code = -1;
    return 0;
}

int cloud_api_handle(cloud_tokens *ts, const http_request *r, http_response *out)
{
    memset(out, 0, sizeof *out);
    static const struct {
        const char *path, *method;
        bool auth;
    } routes[] = {
        { "/accessToken", "POST", false },
        { "/api/bluuc/uc/v1/basic/get", "GET", true },
        { "/api/blusmartprod/device/group/v1/homeDevices", "GET", true },
        { URL_UTC_TIME, "GET", true },
        { URL_PFX, "POST", true },
    };
    size_t i = 0, n = sizeof routes / sizeof routes[0];
    while (i < n && strcmp(routes[i].path, r->path) != 0) i++;
    if (i == n) return cloud_api_error(out, 404, CODE_NOT_FOUND, "no such endpoint");
    if (strcmp(routes[i].method, r->method) != 0)
        return cloud_api_error(out, 405, CODE_METHOD, "method not allowed here");
    if (i == 0) return login(ts, r, out);

    const char *auth = http_header_get(r, "Authorization");
    const cloud_token *t = auth ? cloud_token_find(ts, auth) : NULL;
    if (!t) return cloud_api_error(out, 200, CODE_TOKEN, "token expired or invalid: log in again");
    const cloud_account *a = &ts->cfg->accts[t->acct];
    switch (i) {
    case 1: return user_basic(a, out);
    case 2: return home_devices(a, out);
    case 3: return utc_time(ts, t, a, r, out);
    default: return pfx(t, a, r, out);
    }
}
