/* The cloud's account endpoints (docs/protocol/cloud.md, "Login and
 * credentials"; the codes in "Error conventions"): the response envelope
 * and its error codes, log in, the user id and the station list. JSON via jansson; secret strings inside parsed documents
 * are wiped in place before the document is freed. */
#include "config.h"

#include "client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_LOGIN "/accessToken"
#define PATH_UID "/api/bluuc/uc/v1/basic/get"
#define PATH_DEVICES "/api/blusmartprod/device/group/v1/homeDevices"

/* Codes of the response envelope (cloud.md "Error conventions"). */
#define CODE_TOKEN_EXPIRED 805
#define CODE_ACCOUNT_UNKNOWN 20003006
#define CODE_ACCOUNT_PASSWORD 20003015
#define CODE_PFX_PROOF 20004001
#define CODE_CERT_REVOKED 20004003

/* Wipe a string value inside a parsed document (jansson owns the bytes). */
static void wipe_json_string(json_t *v)
{
    if (json_is_string(v)) OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
}

/* Wipe every string in a document (it may hold secrets) and free it. */
static void json_free_wiped(json_t *v)
{
    if (!v) return;
    if (json_is_string(v)) wipe_json_string(v);
    else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            json_free_wiped(json_incref(x));
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            json_free_wiped(json_incref(x));
        }
    }
    json_decref(v);
}

/* A number given as a JSON number or a decimal string. */
static bool json_int(const json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = (long long)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        *out = (long long)json_real_value(v);
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (!*s) return false;
        long long x = strtoll(s, &end, 10);
        if (*end) return false;
        *out = x;
        return true;
    }
    return false;
}

/* Text from the cloud, made safe for a detail message. */
static void printable(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++) out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    out[n] = '\0';
}

/* An envelope's non-zero code as an error. */
static int code_error(bluetti_cloud *c, const char *path, long long code, const char *message)
{
    char msg[128];
    printable(message, msg, sizeof msg);
    const char *who = c->email ? c->email : "this account";
    switch (code) {
    case CODE_TOKEN_EXPIRED:
        return cloud_fail(c, BLUETTI_E_TOKEN_EXPIRED, "the cloud no longer accepts the login of "
                          "%s (expired or revoked); run 'bluetti-tool login' again", who);
    case CODE_ACCOUNT_UNKNOWN:
        return cloud_fail(c, BLUETTI_E_ACCOUNT_UNKNOWN, "the Bluetti cloud has no account %s; "
                          "check the e-mail address (the one you log in to the Bluetti app with)",
                          who);
    case CODE_ACCOUNT_PASSWORD:
        return cloud_fail(c, BLUETTI_E_ACCOUNT_PASSWORD, "the password for %s is wrong; give "
                          "the password of the Bluetti app", who);
    case CODE_CERT_REVOKED:
        return cloud_fail(c, BLUETTI_E_CERT_REVOKED, "the cloud refuses to issue a certificate "
                          "for %s (revoked); sign in to the Bluetti app, then run 'bluetti-tool "
                          "login' again", who);
    case CODE_PFX_PROOF:
        if (c->has_offset && (c->offset_ms > CLOUD_SKEW_MS || c->offset_ms < -CLOUD_SKEW_MS))
            return cloud_fail(c, BLUETTI_E_CLOCK_SKEW, "the cloud refused the time-based proof "
                              "for the certificate: this computer's clock is %" PRId64 " s off "
                              "the cloud's; set the clock right (NTP) and try again",
                              c->offset_ms / 1000);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud refused the proof for the certificate "
                          "download (code %lld: %s); run 'bluetti-tool login' again", code, msg);
    default:
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud refused %s with code %lld (%s); try "
                          "again later, or check --api-url", path, code, msg);
    }
}

static bool is_json_body(const cloud_response *r)
{
    size_t i = 0;
    while (i < r->len && (r->body[i] == ' ' || r->body[i] == '\n' || r->body[i] == '\r' ||
                          r->body[i] == '\t'))
        i++;
    return i < r->len && r->body[i] == '{';
}

/* Check the envelope; on 0, *data (may be NULL) = a new reference to "data". */
static int envelope(bluetti_cloud *c, const char *path, const cloud_response *r, json_t **data)
{
    if (data) *data = NULL;
    json_error_t jerr;
    json_t *doc = is_json_body(r) ? json_loadb((const char *)r->body, r->len, 0, &jerr) : NULL;
    if (!json_is_object(doc)) {
        json_free_wiped(doc);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud answered %s with HTTP %ld and no JSON "
                          "envelope; check --api-url (it must name the Bluetti cloud API)", path,
                          r->status);
    }
    long long code = -1;
    json_t *cv = json_object_get(doc, "code");
    if (!cv) cv = json_object_get(doc, "msgCode");
    if (!cv || !json_int(cv, &code)) {
        json_free_wiped(doc);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud's answer to %s has no code; check "
                          "--api-url", path);
    }
    json_t *m = json_object_get(doc, "message");
    if (!m) m = json_object_get(doc, "msg");
    int err = 0;
    if (code != 0) err = code_error(c, path, code, json_string_value(m));
    else if (r->status != 200)
        err = cloud_fail(c, BLUETTI_E_CLOUD, "the cloud answered %s with HTTP %ld; try again "
                         "later", path, r->status);
    if (!err && data) {
        *data = json_object_get(doc, "data");
        if (*data) {
            json_incref(*data);
            json_object_del(doc, "data"); /* ours now: the wipe below must not touch it */
        }
    }
    json_free_wiped(doc);
    return err;
}

static int call(bluetti_cloud *c, const char *path, bool post, const char *extra,
                bool allow_binary, cloud_response *r, json_t **data, bool may_relogin)
{
    if (data) *data = NULL;
    if (!c->token)
        return cloud_fail(c, BLUETTI_E_NOT_LOGGED_IN, "not logged in; run 'bluetti-tool login "
                          "--account EMAIL'");
    size_t tl = strlen(c->token);
    char *auth = malloc(tl + 16);
    char dev[160], os[64], ver[64];
    if (!auth) return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    snprintf(auth, tl + 16, "Authorization: %s", c->token);
    snprintf(dev, sizeof dev, "x-device-id: %s", c->device_id);
    snprintf(os, sizeof os, "x-os: %s", c->os);
    snprintf(ver, sizeof ver, "x-app-ver: %s", c->app_ver);
    /* "x-app-key: " CLOUD_APP_KEY is one header, joined on purpose */
    // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
    const char *hs[] = { "x-app-key: " CLOUD_APP_KEY, os, ver, "x-os-ver: " CLOUD_OS_VER, dev,
                         "Accept-Language: en-US", auth, extra, NULL };
    int err = cloud_http(c, path, hs, post ? "" : NULL, 0, r);
    OPENSSL_cleanse(auth, tl + 16);
    free(auth);
    if (err) return err;
    if (allow_binary && !is_json_body(r)) {
        if (r->status == 200) return 0;
        err = cloud_fail(c, BLUETTI_E_CLOUD, "the cloud answered %s with HTTP %ld; try again "
                         "later", path, r->status);
    } else {
        err = envelope(c, path, r, data);
    }
    if (err) cloud_response_free(r);
    if (err == BLUETTI_E_TOKEN_EXPIRED && may_relogin && c->pw_hash && c->pass_open) {
        /* the cloud says the token ran out: log in once more, then repeat */
        int lerr = cloud_api_login(c);
        if (lerr) return lerr;
        if (c->profile_dir && (lerr = bluetti_cloud_profile_save(c, c->profile_dir, NULL)))
            return lerr;
        return call(c, path, post, extra, allow_binary, r, data, false);
    }
    return err;
}

int cloud_api_call(bluetti_cloud *c, const char *path, bool post, const char *extra_header,
                   bool allow_binary, cloud_response *r, json_t **data)
{
    return call(c, path, post, extra_header, allow_binary, r, data, true);
}

/* Copy a JSON string member into *dst, wiping the document's bytes. */
static bool take_secret(json_t *obj, const char *key, char **dst)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || !json_string_length(v)) return false;
    char *s = strdup(json_string_value(v));
    wipe_json_string(v);
    if (!s) return false;
    cloud_wipe_str(dst);
    *dst = s;
    return true;
}

static int fetch_uid(bluetti_cloud *c)
{
    cloud_response r;
    json_t *data = NULL;
    int err = call(c, PATH_UID, false, NULL, false, &r, &data, false);
    if (err) return err;
    cloud_response_free(&r);
    json_t *u = json_object_get(data, "uid");
    char num[32];
    const char *uid = json_string_value(u);
    long long x;
    if (!uid && json_is_integer(u) && json_int(u, &x)) {
        snprintf(num, sizeof num, "%lld", x);
        uid = num;
    }
    if (!uid || strlen(uid) < 2) {
        json_free_wiped(data);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud gave no user id for %s; try again "
                          "later", c->email);
    }
    free(c->uid);
    bool ok = cloud_dup(&c->uid, uid);
    json_free_wiped(data);
    return ok ? 0 : cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
}

int cloud_api_login(bluetti_cloud *c)
{
    char *user = curl_easy_escape(NULL, c->email, 0);
    if (!user) return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    /* the hash and passOpen are hex: no escaping needed */
    size_t cap = strlen(user) + strlen(c->pw_hash) + strlen(c->pass_open) + 128;
    char *body = malloc(cap);
    if (!body) {
        curl_free(user);
        return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    }
    int blen = snprintf(body, cap, "username=%s&password=%s&passOpen=%s&encryptedpwd=&authType="
                        "&phoneCountry=&verifyCode=&country=", user, c->pw_hash, c->pass_open);
    curl_free(user);
    char os[64];
    snprintf(os, sizeof os, "x-os: %s", c->os);
    /* "x-app-key: " CLOUD_APP_KEY is one header, joined on purpose */
    // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
    const char *hs[] = { "x-app-key: " CLOUD_APP_KEY, os, "Accept-Language: en-US",
                         "Content-Type: application/x-www-form-urlencoded", NULL };
    cloud_response r;
    int err = cloud_http(c, PATH_LOGIN, hs, body, (size_t)blen, &r);
    OPENSSL_cleanse(body, cap);
    free(body);
    if (err) return err;
    json_t *data = NULL;
    err = envelope(c, PATH_LOGIN, &r, &data);
    cloud_response_free(&r);
    if (err) return err;
    cloud_wipe_str(&c->token);
    if (!json_is_object(data) || !take_secret(data, "token", &c->token)) {
        json_free_wiped(data);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud accepted the login of %s but sent no "
                          "token; try again later", c->email);
    }
    long long ttl = CLOUD_DEFAULT_TTL_S;
    json_t *tv = json_object_get(data, "ttl");
    if (tv && (!json_int(tv, &ttl) || ttl <= 0)) ttl = CLOUD_DEFAULT_TTL_S;
    json_free_wiped(data);
    /* a token the MQTT login cannot use is no login (cloud.md "Log in") */
    if (!strchr(c->token, '.') || c->token[0] == '.' || strchr(c->token, '.')[1] == '\0' ||
        strchr(c->token, '.')[1] == '.') {
        cloud_wipe_str(&c->token);
        return cloud_fail(c, BLUETTI_E_CLOUD, "the cloud sent a login token with fewer than "
                          "two parts; try again later");
    }
    c->token_expiry = bt_wall_ms() / 1000 + (int64_t)ttl;
    return fetch_uid(c);
}

int bluetti_cloud_login_hashed(bluetti_cloud *c, const char *email, const char *sha256_hex,
                               const char *pass_open)
{
    if (!c) return BLUETTI_E_INVAL;
    c->detail[0] = '\0';
    if (!email || !*email || strlen(email) > 254)
        return cloud_fail(c, BLUETTI_E_INVAL, "no account e-mail given; give the e-mail address "
                          "of your Bluetti account");
    if (!sha256_hex || strlen(sha256_hex) != 64 || strspn(sha256_hex, "0123456789ABCDEF") != 64)
        return cloud_fail(c, BLUETTI_E_INVAL, "the stored password hash is not 64 uppercase hex "
                          "digits; run 'bluetti-tool login' again");
    if (!pass_open || !*pass_open || strlen(pass_open) > 4096 ||
        strspn(pass_open, "0123456789abcdefABCDEF") != strlen(pass_open))
        return cloud_fail(c, BLUETTI_E_INVAL, "the stored passOpen is not hex; run "
                          "'bluetti-tool login' again");
    char *e = strdup(email), *h = strdup(sha256_hex), *p = strdup(pass_open);
    if (!e || !h || !p) {
        free(e);
        cloud_wipe_str(&h);
        cloud_wipe_str(&p);
        return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    }
    if (c->email && strcmp(c->email, email) != 0) {
        /* another account: nothing of the old one may stay */
        cloud_devs_free(c);
        free(c->uid);
        c->uid = NULL;
        bluetti_cloud_bytes_free(c->p12, c->p12_len);
        c->p12 = NULL;
        c->p12_len = 0;
    }
    free(c->email);
    cloud_wipe_str(&c->pw_hash);
    cloud_wipe_str(&c->pass_open);
    cloud_wipe_str(&c->token);
    c->token_expiry = 0;
    c->email = e;
    c->pw_hash = h;
    c->pass_open = p;
    return cloud_api_login(c);
}

int bluetti_cloud_login(bluetti_cloud *c, const char *email, const char *password)
{
    if (!c) return BLUETTI_E_INVAL;
    c->detail[0] = '\0';
    if (!password || !*password)
        return cloud_fail(c, BLUETTI_E_INVAL, "no password given; give the password of your "
                          "Bluetti account");
    size_t pl = strlen(password);
    if (pl > 1024)
        return cloud_fail(c, BLUETTI_E_INVAL, "the password is longer than 1024 bytes");
    char hash[65];
    size_t cap = 2 * 16 * (pl / 16 + 1) + 1;
    char *po = malloc(cap);
    if (!po) return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    int err = bluetti_cloud_password_hash(password, hash);
    if (!err) err = bluetti_cloud_pass_open(password, po, cap);
    if (err) err = cloud_fail(c, err, "cannot derive the login secrets from the password");
    else err = bluetti_cloud_login_hashed(c, email, hash, po);
    OPENSSL_cleanse(hash, sizeof hash);
    OPENSSL_cleanse(po, cap);
    free(po);
    return err;
}

/* ---- station list ------------------------------------------------------- */

static char *str_member(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    char num[32];
    const char *s = json_string_value(v);
    if (!s && json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
    } else if (!s && json_is_real(v)) {
        snprintf(num, sizeof num, "%g", json_real_value(v));
        s = num;
    }
    return strdup(s ? s : "");
}

static int add_device(json_t *o, cloud_dev **devs, size_t *n, size_t *capn)
{
    if (!json_is_object(o)) return 0;
    cloud_dev d;
    memset(&d, 0, sizeof d);
    d.sn = str_member(o, "sn");
    d.sub_sn = str_member(o, "subSn");
    d.model = str_member(o, "model");
    d.payload_ver = str_member(o, "iotPayloadVer");
    char *state = str_member(o, "sessionState");
    char *broker = str_member(o, "iotSrvIp");
    int err = 0;
    if (!d.sn || !d.sub_sn || !d.model || !d.payload_ver || !state || !broker) {
        err = BLUETTI_E_NOMEM;
        goto fail;
    }
    d.online = strcmp(state, "Online") == 0 || strcmp(state, "online") == 0;
    if (*broker) d.broker = broker, broker = NULL;
    long long pv = 0;
    json_t *pvj = json_object_get(o, "factoryProtocolVer");
    if (pvj && json_int(pvj, &pv) && pv > 0 && pv < 100000) d.protocol_ver = (int)pv;
    take_secret(o, "iotConnSecret", &d.secret);
    /* subSn = sn without the model prefix, when only one is given */
    size_t ml = strlen(d.model);
    if (!*d.sub_sn && ml && strncmp(d.sn, d.model, ml) == 0 && d.sn[ml]) {
        free(d.sub_sn);
        if (!(d.sub_sn = strdup(d.sn + ml))) { err = BLUETTI_E_NOMEM; goto fail; }
    }
    if (!*d.sn && *d.sub_sn) {
        free(d.sn);
        size_t sl = strlen(d.sub_sn);
        if (!(d.sn = malloc(ml + sl + 1))) { err = BLUETTI_E_NOMEM; goto fail; }
        memcpy(d.sn, d.model, ml);
        memcpy(d.sn + ml, d.sub_sn, sl + 1);
    }
    if (!*d.sn) goto fail; /* nothing to address it by: skip */
    if (*n == *capn) {
        size_t nc = *capn ? *capn * 2 : 4;
        cloud_dev *nv = realloc(*devs, nc * sizeof *nv);
        if (!nv) { err = BLUETTI_E_NOMEM; goto fail; }
        *devs = nv;
        *capn = nc;
    }
    (*devs)[(*n)++] = d;
    free(state);
    free(broker);
    return 0;
fail:
    free(d.sn);
    free(d.sub_sn);
    free(d.model);
    free(d.payload_ver);
    free(d.broker);
    cloud_wipe_str(&d.secret);
    free(state);
    free(broker);
    return err;
}

static int add_list(json_t *list, cloud_dev **devs, size_t *n, size_t *capn)
{
    size_t i;
    json_t *o;
    int err = 0;
    json_array_foreach(list, i, o) if (!err) err = add_device(o, devs, n, capn);
    return err;
}

/* Point each pub at its strings (after the array stopped moving). */
void cloud_devs_link(bluetti_cloud *c)
{
    for (size_t i = 0; i < c->n_devs; i++) {
        cloud_dev *d = &c->devs[i];
        d->pub.sn = d->sn;
        d->pub.sub_sn = d->sub_sn;
        d->pub.model = d->model;
        d->pub.payload_ver = d->payload_ver;
        d->pub.protocol_ver = d->protocol_ver;
        d->pub.online = d->online;
        d->pub.broker = d->broker;
        d->pub.has_secret = d->secret != NULL;
    }
}

int bluetti_cloud_fetch_devices(bluetti_cloud *c)
{
    if (!c) return BLUETTI_E_INVAL;
    c->detail[0] = '\0';
    cloud_response r;
    json_t *data = NULL;
    int err = cloud_api_call(c, PATH_DEVICES, false, NULL, false, &r, &data);
    if (err) return err;
    cloud_response_free(&r);
    cloud_dev *devs = NULL;
    size_t n = 0, capn = 0;
    /* a list of groups each with deviceList, or one object with deviceList */
    if (json_is_array(data)) {
        size_t i;
        json_t *g;
        json_array_foreach(data, i, g) {
            json_t *l = json_object_get(g, "deviceList");
            if (json_is_array(l) && !err) err = add_list(l, &devs, &n, &capn);
        }
    } else if (json_is_object(data) && json_is_array(json_object_get(data, "deviceList"))) {
        err = add_list(json_object_get(data, "deviceList"), &devs, &n, &capn);
    } else if (data && !json_is_null(data)) {
        err = BLUETTI_E_CLOUD;
    }
    json_free_wiped(data);
    if (err) {
        bluetti_cloud *tmp = c;
        cloud_dev *keep = tmp->devs;
        size_t keep_n = tmp->n_devs;
        tmp->devs = devs;
        tmp->n_devs = n;
        cloud_devs_free(tmp);
        tmp->devs = keep;
        tmp->n_devs = keep_n;
        if (err == BLUETTI_E_NOMEM) return cloud_fail(c, err, "out of memory");
        return cloud_fail(c, err, "the cloud's station list has an unexpected shape; try again "
                          "later, or check --api-url");
    }
    cloud_devs_free(c);
    c->devs = devs;
    c->n_devs = n;
    cloud_devs_link(c);
    return 0;
}
