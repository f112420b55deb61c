/* bluetti-sim --cloud: the JSON config (accounts, their stations, the
 * certificate bundle each account is handed). Format: tools/bluetti-sim.1
 * and examples/cloud-sim.json. Everything is checked here, so the server
 * never meets a half-valid account. */
#include "config.h"

#include "cloud.h"
#include "bt_escape.h"

#include <bluetti/cloud.h>

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#define MAX_PFX_BYTES (1u << 20)

static int fail(char *why, size_t n, const char *fmt, ...) BLUETTI_PRINTF(3, 4);
static int fail(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return 1;
}

static void free_secret(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

/* A string member: required ones must be non-empty text without spaces or
 * control characters (they end up in the space-separated tokens file). */
static int get_str(json_t *o, const char *key, bool required, bool word, char **out,
                   const char *where, char *why, size_t n)
{
    *out = NULL;
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required) return fail(why, n, "%s: \"%s\" is missing", where, key);
        return 0;
    }
    if (!json_is_string(v)) return fail(why, n, "%s: \"%s\" must be a string", where, key);
    const char *s = json_string_value(v);
    if (!*s) return fail(why, n, "%s: \"%s\" must not be empty", where, key);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (word && *p == ' '))
            return fail(why, n, "%s: \"%s\" must not hold %s", where, key,
                        *p == ' ' ? "spaces" : "control characters");
    *out = strdup(s);
    if (!*out) return fail(why, n, "out of memory");
    return 0;
}

static int get_bool(json_t *o, const char *key, bool dflt, bool *out, const char *where,
                    char *why, size_t n)
{
    json_t *v = json_object_get(o, key);
    *out = dflt;
    if (!v) return 0;
    if (!json_is_boolean(v)) return fail(why, n, "%s: \"%s\" must be true or false", where, key);
    *out = json_is_true(v);
    return 0;
}

static int get_int(json_t *o, const char *key, json_int_t dflt, json_int_t min, json_int_t max,
                   json_int_t *out, const char *where, char *why, size_t n)
{
    json_t *v = json_object_get(o, key);
    *out = dflt;
    if (!v) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return fail(why, n, "%s: \"%s\" must be a whole number from %" JSON_INTEGER_FORMAT
                    " to %" JSON_INTEGER_FORMAT, where, key, min, max);
    *out = json_integer_value(v);
    return 0;
}

/* path relative to the config file's directory (dir ends in '/' or is ""). */
static char *resolve(const char *dir, const char *path)
{
    if (path[0] == '/' || !dir[0]) return strdup(path);
    size_t n = strlen(dir) + strlen(path) + 1;
    char *r = malloc(n);
    if (r) snprintf(r, n, "%s%s", dir, path);
    return r;
}

static int read_bytes(const char *path, uint8_t **out, size_t *len, char *why, size_t n)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > MAX_PFX_BYTES) {
        int e = errno;
        if (f) fclose(f);
        return fail(why, n, "cannot read the PKCS#12 file %s: %s", bt_shown_path(path),
                    !f ? strerror(e) : "not a regular file of 1 byte to 1 MiB");
    }
    size_t sz = (size_t)st.st_size;
    uint8_t *b = malloc(sz);
    if (!b || fread(b, 1, sz, f) != sz) {
        free(b);
        fclose(f);
        return fail(why, n, "cannot read the PKCS#12 file %s", bt_shown_path(path));
    }
    fclose(f);
    *out = b;
    *len = sz;
    return 0;
}

static int load_device(json_t *o, cloud_device *d, const char *where, char *why, size_t n)
{
    if (!json_is_object(o)) return fail(why, n, "%s: a device must be an object", where);
    if (get_str(o, "model", true, true, &d->model, where, why, n) ||
        get_str(o, "subSn", true, true, &d->sub_sn, where, why, n) ||
        get_str(o, "sn", false, true, &d->sn, where, why, n) ||
        get_str(o, "group", false, false, &d->group, where, why, n) ||
        get_str(o, "factoryProtocolVer", false, true, &d->proto_ver, where, why, n) ||
        get_str(o, "iotPayloadVer", false, true, &d->payload_ver, where, why, n) ||
        get_str(o, "iotConnSecret", false, true, &d->conn_secret, where, why, n) ||
        get_str(o, "iotSrvIp", false, true, &d->srv_ip, where, why, n) ||
        get_str(o, "deviceSecret", false, true, &d->device_secret, where, why, n) ||
        get_bool(o, "online", true, &d->online, where, why, n))
        return 1;
    if (!d->model || !d->sub_sn) /* required: get_str() said so already */
        return fail(why, n, "%s: \"model\" and \"subSn\" are required", where);
    if (!d->sn) {
        /* sn = the model prefix followed by subSn */
        size_t len = strlen(d->model) + strlen(d->sub_sn) + 1;
        d->sn = malloc(len);
        if (!d->sn) return fail(why, n, "out of memory");
        snprintf(d->sn, len, "%s%s", d->model, d->sub_sn);
    }
    if ((!d->proto_ver && !(d->proto_ver = strdup("2001"))) ||
        (!d->payload_ver && !(d->payload_ver = strdup("1.2"))) ||
        (!d->group && !(d->group = strdup("My devices"))))
        return fail(why, n, "out of memory");
    return 0;
}

static bool is_upper_hex64(const char *s)
{
    if (strlen(s) != 64) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F'))) return false;
    return true;
}

static int load_account(json_t *o, size_t idx, const char *dir, const char *dflt_pfx,
                        const char *dflt_pw, cloud_account *a, char *why, size_t n)
{
    char where[64];
    snprintf(where, sizeof where, "accounts[%zu]", idx);
    if (!json_is_object(o)) return fail(why, n, "%s: must be an object", where);
    char *hash = NULL, *pfx = NULL;
    json_int_t ttl, off;
    if (get_str(o, "email", true, true, &a->email, where, why, n) ||
        get_str(o, "uid", true, true, &a->uid, where, why, n) ||
        get_str(o, "password", false, false, &a->password, where, why, n) ||
        get_str(o, "password_sha256", false, true, &hash, where, why, n) ||
        get_str(o, "pfx", false, false, &pfx, where, why, n) ||
        get_str(o, "pfx_password", false, false, &a->pfx_password, where, why, n) ||
        get_int(o, "token_ttl", 2678400, 1, 315360000, &ttl, where, why, n) ||
        get_int(o, "clock_offset_ms", 0, -86400000, 86400000, &off, where, why, n) ||
        get_bool(o, "revoked", false, &a->revoked, where, why, n) ||
        get_bool(o, "session_taken", false, &a->session_taken, where, why, n)) {
        free(hash);
        free(pfx);
        return 1;
    }
    if (!a->email || !a->uid) { /* required: get_str() said so already */
        free(hash);
        free(pfx);
        return fail(why, n, "%s: \"email\" and \"uid\" are required", where);
    }
    a->ttl_s = (long)ttl;
    a->clock_offset_ms = (int64_t)off;
    int rc = 0;
    if (a->password && hash) rc = fail(why, n, "%s: give \"password\" or \"password_sha256\", "
                                       "not both", where);
    else if (a->password) bluetti_cloud_password_hash(a->password, a->pw_hash);
    else if (hash && is_upper_hex64(hash)) memcpy(a->pw_hash, hash, 65);
    else if (hash) rc = fail(why, n, "%s: \"password_sha256\" must be 64 uppercase hex digits",
                             where);
    else rc = fail(why, n, "%s: \"password\" (or \"password_sha256\") is missing", where);
    free(hash);
    if (rc) {
        free(pfx);
        return rc;
    }
    if (!pfx && dflt_pfx) pfx = strdup(dflt_pfx);
    if (!a->pfx_password && dflt_pw) a->pfx_password = strdup(dflt_pw);
    if (!pfx) return fail(why, n, "%s: no \"pfx\" (here or at the top level)", where);
    if (!a->pfx_password) {
        free(pfx);
        return fail(why, n, "%s: no \"pfx_password\" (here or at the top level)", where);
    }
    a->pfx_path = resolve(dir, pfx);
    free(pfx);
    if (!a->pfx_path) return fail(why, n, "out of memory");
    if (read_bytes(a->pfx_path, &a->pfx, &a->pfx_len, why, n)) return 1;

    json_t *devs = json_object_get(o, "devices");
    if (devs && !json_is_array(devs)) return fail(why, n, "%s: \"devices\" must be a list", where);
    size_t nd = devs ? json_array_size(devs) : 0;
    if (nd) {
        a->devs = calloc(nd, sizeof *a->devs);
        if (!a->devs) return fail(why, n, "out of memory");
    }
    for (size_t i = 0; i < nd; i++) {
        char dw[96];
        snprintf(dw, sizeof dw, "%s.devices[%zu]", where, i);
        a->n_devs = i + 1;
        if (load_device(json_array_get(devs, i), &a->devs[i], dw, why, n)) return 1;
    }
    return 0;
}

int cloud_config_load(const char *path, cloud_config *c, char *why, size_t n)
{
    memset(c, 0, sizeof *c);
    json_error_t err;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        fail(why, n, "cannot read the cloud config %s: %s (line %d)", bt_shown_path(path),
             err.text, err.line);
        return 1;
    }
    char dir[4096] = "";
    const char *slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) + 2 <= sizeof dir)
        snprintf(dir, sizeof dir, "%.*s/", (int)(slash - path), path);
    char *pfx = NULL, *pw = NULL, *tokens = NULL;
    int rc = 1;
    json_t *accts = json_object_get(root, "accounts");
    if (!json_is_object(root)) {
        fail(why, n, "the cloud config must be a JSON object");
        goto out;
    }
    if (get_str(root, "iot_server", true, true, &c->iot_server, "config", why, n) ||
        get_str(root, "tokens_file", true, false, &tokens, "config", why, n) ||
        get_str(root, "pfx", false, false, &pfx, "config", why, n) ||
        get_str(root, "pfx_password", false, false, &pw, "config", why, n))
        goto out;
    if (!tokens) { /* get_str() said so already; for the analyzer */
        fail(why, n, "config: \"tokens_file\" is missing");
        goto out;
    }
    c->tokens_file = resolve(dir, tokens);
    if (!c->tokens_file) {
        fail(why, n, "out of memory");
        goto out;
    }
    if (!json_is_array(accts) || json_array_size(accts) == 0) {
        fail(why, n, "config: \"accounts\" must be a non-empty list");
        goto out;
    }
    c->n_accts = json_array_size(accts);
    c->accts = calloc(c->n_accts, sizeof *c->accts);
    if (!c->accts) {
        c->n_accts = 0;
        fail(why, n, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < c->n_accts; i++) {
        if (load_account(json_array_get(accts, i), i, dir, pfx, pw, &c->accts[i], why, n))
            goto out;
        for (size_t j = 0; j < i; j++)
            if (c->accts[j].email && strcmp(c->accts[j].email, c->accts[i].email) == 0) {
                fail(why, n, "accounts[%zu]: the e-mail %s is already used by accounts[%zu]",
                     i, bt_shown(c->accts[i].email), j);
                goto out;
            }
    }
    rc = 0;
out:
    free(pfx);
    free_secret(pw);
    free(tokens);
    json_decref(root);
    if (rc) cloud_config_free(c);
    return rc;
}

void cloud_config_free(cloud_config *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_accts; i++) {
        cloud_account *a = &c->accts[i];
        free(a->email);
        free_secret(a->password);
        OPENSSL_cleanse(a->pw_hash, sizeof a->pw_hash);
        free(a->uid);
        free(a->pfx_path);
        free_secret(a->pfx_password);
        free(a->pfx);
        for (size_t j = 0; j < a->n_devs; j++) {
            cloud_device *d = &a->devs[j];
            free(d->sn);
            free(d->model);
            free(d->sub_sn);
            free(d->group);
            free(d->proto_ver);
            free(d->payload_ver);
            free_secret(d->conn_secret);
            free(d->srv_ip);
            free_secret(d->device_secret);
        }
        free(a->devs);
    }
    free(c->accts);
    free(c->iot_server);
    free(c->tokens_file);
    memset(c, 0, sizeof *c);
}

const cloud_account *cloud_account_find(const cloud_config *c, const char *email)
{
    for (size_t i = 0; i < c->n_accts; i++)
        if (strcmp(c->accts[i].email, email) == 0) return &c->accts[i];
    return NULL;
}
