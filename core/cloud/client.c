/* The account client's life cycle, accessors, the login-refresh rule and
 * the MQTT credentials. The HTTP calls are in api.c, storage in profile.c. */
#include "config.h"

#include "client.h"
#include "bt_clock.h"
#include "bt_text.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int cloud_fail(bluetti_cloud *c, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bt_vfmt(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
    return err;
}

bool cloud_dup(char **dst, const char *s)
{
    *dst = NULL;
    if (!s) return true;
    return (*dst = strdup(s)) != NULL;
}

void cloud_wipe_str(char **p)
{
    if (!*p) return;
    OPENSSL_cleanse(*p, strlen(*p));
    free(*p);
    *p = NULL;
}

void cloud_devs_free(bluetti_cloud *c)
{
    for (size_t i = 0; i < c->n_devs; i++) {
        cloud_dev *d = &c->devs[i];
        free(d->sn);
        free(d->sub_sn);
        free(d->model);
        free(d->payload_ver);
        free(d->broker);
        cloud_wipe_str(&d->secret);
    }
    free(c->devs);
    c->devs = NULL;
    c->n_devs = 0;
}

void bluetti_cloud_config_init(bluetti_cloud_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->size = sizeof *cfg;
}

/* The field at offset off exists in a config of this size. */
#define HAS(cfg, field) ((cfg)->size >= offsetof(bluetti_cloud_config, field) + sizeof (cfg)->field)

/* The default x-device-id: lowercase hex MD5 of the seed. */
static bool default_device_id(char **out)
{
    uint8_t d[16];
    unsigned n = 0;
    if (EVP_Digest(CLOUD_DEVICE_ID_SEED, strlen(CLOUD_DEVICE_ID_SEED), d, &n, EVP_md5(), NULL) != 1)
        return false;
    char hex[33];
    for (unsigned i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return cloud_dup(out, hex);
}

/* Header values go into a request line: printable ASCII, no separators
 * that would end or split it. */
static bool header_safe(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e) return false;
    return true;
}

/* Apply cfg (NULL fields keep what c has). */
int cloud_apply_config(bluetti_cloud *c, const bluetti_cloud_config *cfg, char *detail, size_t cap)
{
    if (!cfg) return 0;
    if (cfg->size == 0) {
        bt_strlcpy(detail, "bluetti_cloud_config.size is 0; call bluetti_cloud_config_init first",
                   cap);
        return BLUETTI_E_INVAL;
    }
    const char *url = HAS(cfg, api_url) ? cfg->api_url : NULL;
    if (url) {
        if (strncasecmp(url, "https://", 8) != 0 || !url[8] || !header_safe(url)) {
            char msg[CLOUD_DETAIL_MAX];
            snprintf(msg, sizeof msg, "the API address must be https://HOST[:PORT] without "
                     "spaces; got %.200s", header_safe(url) ? url : "text with spaces or control characters");
            bt_strlcpy(detail, msg, cap);
            return BLUETTI_E_INVAL;
        }
        char *u = strdup(url);
        if (!u) return BLUETTI_E_NOMEM;
        size_t n = strlen(u);
        while (n > 8 && u[n - 1] == '/') u[--n] = '\0'; /* paths start with '/' */
        free(c->api_url);
        c->api_url = u;
    }
    const char *cafile = HAS(cfg, cafile) ? cfg->cafile : NULL;
    if (cafile) {
        if (access(cafile, R_OK) != 0) {
            char msg[CLOUD_DETAIL_MAX];
            snprintf(msg, sizeof msg, "cannot read the CA file %.300s; check --cafile", cafile);
            bt_strlcpy(detail, msg, cap);
            return BLUETTI_E_INVAL;
        }
        free(c->cafile);
        if (!cloud_dup(&c->cafile, cafile)) return BLUETTI_E_NOMEM;
    }
    struct { const char *v; char **dst; const char *what; } hs[] = {
        { HAS(cfg, device_id) ? cfg->device_id : NULL, &c->device_id, "device id" },
        { HAS(cfg, os) ? cfg->os : NULL, &c->os, "os" },
        { HAS(cfg, app_ver) ? cfg->app_ver : NULL, &c->app_ver, "app version" },
    };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) {
        if (!hs[i].v) continue;
        if (!header_safe(hs[i].v) || strlen(hs[i].v) < 2 || strlen(hs[i].v) > 128) {
            char msg[CLOUD_DETAIL_MAX];
            snprintf(msg, sizeof msg, "the %s must be 2 to 128 printable characters without "
                     "spaces", hs[i].what);
            bt_strlcpy(detail, msg, cap);
            return BLUETTI_E_INVAL;
        }
        free(*hs[i].dst);
        if (!cloud_dup(hs[i].dst, hs[i].v)) return BLUETTI_E_NOMEM;
    }
    if (HAS(cfg, timeout_ms) && cfg->timeout_ms) {
        if (cfg->timeout_ms < 0) {
            bt_strlcpy(detail, "the timeout must be a positive number of milliseconds", cap);
            return BLUETTI_E_INVAL;
        }
        c->timeout_ms = cfg->timeout_ms;
    }
    return 0;
}

/* An empty client with every default set. */
int cloud_alloc(bluetti_cloud **out)
{
    bluetti_cloud *c = calloc(1, sizeof *c);
    if (!c) return BLUETTI_E_NOMEM;
    c->timeout_ms = CLOUD_DEFAULT_TIMEOUT_MS;
    if (!cloud_dup(&c->api_url, BLUETTI_CLOUD_DEFAULT_API_URL) ||
        !cloud_dup(&c->os, CLOUD_DEFAULT_OS) || !cloud_dup(&c->app_ver, CLOUD_DEFAULT_APP_VER) ||
        !default_device_id(&c->device_id)) {
        bluetti_cloud_free(c);
        return BLUETTI_E_NOMEM;
    }
    *out = c;
    return 0;
}

int bluetti_cloud_new(const bluetti_cloud_config *cfg, bluetti_cloud **out, char *detail,
                      size_t detail_cap)
{
    bt_strlcpy(detail, "", detail_cap);
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    bluetti_cloud *c = NULL;
    int err = cloud_alloc(&c);
    if (!err) err = cloud_apply_config(c, cfg, detail, detail_cap);
    if (err == BLUETTI_E_NOMEM) bt_strlcpy(detail, "out of memory", detail_cap);
    if (err) {
        bluetti_cloud_free(c);
        return err;
    }
    *out = c;
    return 0;
}

void bluetti_cloud_free(bluetti_cloud *c)
{
    if (!c) return;
    cloud_http_close(c);
    free(c->api_url);
    free(c->cafile);
    free(c->device_id);
    free(c->os);
    free(c->app_ver);
    free(c->email);
    cloud_wipe_str(&c->pw_hash);
    cloud_wipe_str(&c->pass_open);
    cloud_wipe_str(&c->token);
    free(c->uid);
    cloud_devs_free(c);
    free(c->iot_server);
    free(c->broker_pin);
    bluetti_cloud_bytes_free(c->p12, c->p12_len);
    free(c->profile_dir);
    OPENSSL_cleanse(c, sizeof *c);
    free(c);
}

const char *bluetti_cloud_error_detail(const bluetti_cloud *c)
{
    return c ? c->detail : "";
}

void bluetti_cloud_secret_free(char *secret)
{
    cloud_wipe_str(&secret);
}

void bluetti_cloud_bytes_free(uint8_t *bytes, size_t len)
{
    if (!bytes) return;
    OPENSSL_cleanse(bytes, len);
    free(bytes);
}

int64_t bluetti_cloud_token_expiry(const bluetti_cloud *c)
{
    return c && c->token ? c->token_expiry : 0;
}

const char *bluetti_cloud_account(const bluetti_cloud *c)
{
    return c ? c->email : NULL;
}

const char *bluetti_cloud_uid(const bluetti_cloud *c)
{
    return c ? c->uid : NULL;
}

const char *bluetti_cloud_profile_dir(const bluetti_cloud *c)
{
    return c ? c->profile_dir : NULL;
}

bool bluetti_cloud_clock_offset(const bluetti_cloud *c, int64_t *offset_ms)
{
    if (!c || !c->has_offset) return false;
    if (offset_ms) *offset_ms = c->offset_ms;
    return true;
}

size_t bluetti_cloud_device_count(const bluetti_cloud *c)
{
    return c ? c->n_devs : 0;
}

const bluetti_cloud_device *bluetti_cloud_device_at(const bluetti_cloud *c, size_t i)
{
    return c && i < c->n_devs ? &c->devs[i].pub : NULL;
}

const bluetti_cloud_device *bluetti_cloud_device_find(bluetti_cloud *c, const char *serial)
{
    if (!c) return NULL;
    c->detail[0] = '\0';
    if (!serial || !*serial) {
        cloud_fail(c, BLUETTI_E_INVAL, "no serial given; give the station's serial number");
        return NULL;
    }
    for (size_t i = 0; i < c->n_devs; i++)
        if (strcasecmp(c->devs[i].sn, serial) == 0 || strcasecmp(c->devs[i].sub_sn, serial) == 0)
            return &c->devs[i].pub;
    char list[300] = "";
    size_t len = 0;
    for (size_t i = 0; i < c->n_devs && len + 1 < sizeof list; i++) {
        int w = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", c->devs[i].sn);
        if (w < 0) break;
        len += (size_t)w;
    }
    cloud_fail(c, BLUETTI_E_NO_SUCH_STATION, "the account %s has no station with serial %.64s; "
               "%s%s", c->email ? c->email : "(not logged in)", serial,
               c->n_devs ? "its stations are: " : "it has no stations", list);
    return NULL;
}

const char *bluetti_cloud_broker(bluetti_cloud *c, const bluetti_cloud_device *d)
{
    if (!c) return NULL;
    const char *b = d && d->broker && *d->broker ? d->broker
                  : c->iot_server && *c->iot_server ? c->iot_server
                                                    : BLUETTI_CLOUD_DEFAULT_BROKER;
    /* a port after the last ':' unless it is a bare IPv6 address in [] */
    const char *colon = strrchr(b, ':'), *rb = strrchr(b, ']');
    bool has_port = colon && (!rb || colon > rb) && (b[0] == '[' || strchr(b, ':') == colon);
    snprintf(c->broker_buf, sizeof c->broker_buf, "%s%s", b, has_port ? "" : ":" CLOUD_BROKER_PORT);
    return c->broker_buf;
}

static const cloud_dev *dev_of(const bluetti_cloud *c, const bluetti_cloud_device *d)
{
    for (size_t i = 0; i < c->n_devs; i++)
        if (&c->devs[i].pub == d) return &c->devs[i];
    return NULL;
}

int bluetti_cloud_ensure_login(bluetti_cloud *c, long min_valid_s)
{
    if (!c) return BLUETTI_E_INVAL;
    c->detail[0] = '\0';
    int64_t now = bt_wall_ms() / 1000;
    if (c->token && c->uid && c->token_expiry - now >= min_valid_s) return 0;
    if (!c->email || !c->pw_hash || !c->pass_open)
        return cloud_fail(c, BLUETTI_E_NOT_LOGGED_IN, "there is no stored login; run "
                          "'bluetti-tool login --account EMAIL'");
    int err = cloud_api_login(c);
    if (err) return err;
    if (c->profile_dir) return bluetti_cloud_profile_save(c, c->profile_dir, NULL);
    return 0;
}

static char *concat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (s) snprintf(s, la + lb + 1, "%s%s", a, b);
    return s;
}

int bluetti_cloud_mqtt_credentials(bluetti_cloud *c, const bluetti_cloud_device *d,
                                   char **username, char **password)
{
    if (!c || !username || !password) return BLUETTI_E_INVAL;
    *username = *password = NULL;
    const cloud_dev *dv = NULL;
    if (d && !(dv = dev_of(c, d)))
        return cloud_fail(c, BLUETTI_E_INVAL, "the station given is not one of this client's "
                          "(take it from bluetti_cloud_device_find on the same client)");
    int err = bluetti_cloud_ensure_login(c, 60);
    if (err) return err;
    size_t tl = strlen(c->token) + 1;
    char *p0 = malloc(tl), *p1 = malloc(tl);
    if (!p0 || !p1) {
        free(p0);
        free(p1);
        return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    }
    err = bluetti_cloud_token_parts(c->token, p0, tl, p1, tl);
    if (err) {
        err = cloud_fail(c, BLUETTI_E_CLOUD, "the login token has fewer than two parts; log in "
                         "again ('bluetti-tool login')");
        goto out;
    }
    if (!(*username = concat("tid:", p1))) {
        err = cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
        goto out;
    }
    if (dv && dv->secret) {
        *password = concat("rmt:", dv->secret);
    } else {
        if (!c->has_offset && (err = bluetti_cloud_server_time(c, NULL, NULL))) goto out;
        char totp[9];
        int64_t ms = bt_wall_ms() + c->offset_ms;
        err = bluetti_cloud_totp(p1, p0, ms > 0 ? (uint64_t)ms : 0, totp);
        if (err) {
            err = cloud_fail(c, BLUETTI_E_CLOUD, "the login token's parts are too short for the "
                             "MQTT password; log in again ('bluetti-tool login')");
            goto out;
        }
        *password = strdup(totp);
        OPENSSL_cleanse(totp, sizeof totp);
    }
    if (!*password) err = cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
out:
    OPENSSL_cleanse(p0, tl);
    OPENSSL_cleanse(p1, tl);
    free(p0);
    free(p1);
    if (err) {
        cloud_wipe_str(username);
        cloud_wipe_str(password);
    }
    return err;
}

/* The pin is the tool's and the transport's business: the library only
 * checks its form and keeps it with the login (docs/protocol/cloud.md). */
int bluetti_cloud_set_broker_pin(bluetti_cloud *c, const char *pin)
{
    if (!c) return BLUETTI_E_INVAL;
    if (!pin) {
        free(c->broker_pin);
        c->broker_pin = NULL;
        return 0;
    }
    if (strncmp(pin, "SHA256-", 7) != 0 && strncmp(pin, "sha256-", 7) != 0)
        return BLUETTI_E_INVAL;
    const char *hex = pin + 7;
    char norm[7 + 64 + 1] = "SHA256-";
    size_t n = 0;
    for (; hex[n]; n++) {
        char ch = hex[n];
        if (n >= 64 || !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                         (ch >= 'A' && ch <= 'F')))
            return BLUETTI_E_INVAL;
        norm[7 + n] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
    }
    if (n != 64) return BLUETTI_E_INVAL;
    char *dup = strdup(norm);
    if (!dup) return BLUETTI_E_NOMEM;
    free(c->broker_pin);
    c->broker_pin = dup;
    return 0;
}

const char *bluetti_cloud_broker_pin(const bluetti_cloud *c)
{
    return c ? c->broker_pin : NULL;
}
