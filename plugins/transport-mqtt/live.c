/* transport-mqtt: options, credentials and topics for the live cloud
 * broker. Facts relied on: docs/protocol/transport-mqtt-live.md.
 */
#include "config.h"

#include "live.h"
#include "bt_clock.h"
#include "bt_text.h"

#include <bluetti/cloud.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

static void wipe_free(char *s)
{
    if (!s) return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

void mqtt_live_free(mqtt_live *lv)
{
    if (!lv) return;
    mqtt_live_profile_free(lv);
    free(lv->username);
    wipe_free(lv->mqtt_password);
    wipe_free(lv->token);
    free(lv->topic_sub);
    free(lv->topic_pub);
    free(lv->cloud_profile);
    free(lv->api_cafile);
    for (size_t i = 0; i < lv->n_dev_env; i++) free(lv->dev_env[i].address);
    OPENSSL_cleanse(lv, sizeof *lv);
}

bool mqtt_live_template_ok(const char *t)
{
    if (!t || !*t) return false;
    for (const char *p = t; *p; p++) {
        if (*p == '+' || *p == '#' || (unsigned char)*p <= ' ') return false;
        if (*p == '}') return false;
        if (*p != '{') continue;
        const char *e = strchr(p, '}');
        if (!e) return false;
        size_t n = (size_t)(e - p - 1);
        if (!((n == 5 && !strncmp(p + 1, "model", 5)) || (n == 5 && !strncmp(p + 1, "subsn", 5)) ||
              (n == 7 && !strncmp(p + 1, "address", 7))))
            return false;
        p = e;
    }
    return true;
}

/* Copy an optional string option (NULL when absent or empty). */
static int opt_str(const bluetti_options *o, const char *key, char **out)
{
    const char *v = bluetti_options_get(o, key);
    *out = NULL;
    if (!v || !*v) return 0;
    *out = strdup(v);
    return *out ? 0 : BLUETTI_E_NOMEM;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "SHA256-<64 hex>" or "<64 hex>", colons between bytes allowed. */
bool mqtt_live_parse_pin(const char *v, unsigned char pin[32])
{
    if (!strncmp(v, "SHA256-", 7) || !strncmp(v, "sha256-", 7)) v += 7;
    size_t n = 0;
    while (*v) {
        if (*v == ':') {
            v++;
            continue;
        }
        int h = hexval(v[0]), l = v[1] ? hexval(v[1]) : -1;
        if (h < 0 || l < 0 || n == 32) return false;
        pin[n++] = (unsigned char)(h << 4 | l);
        v += 2;
    }
    return n == 32;
}

static int read_device_envelopes(const bluetti_options *o, mqtt_live *lv, char *detail,
                                 size_t len)
{
    size_t n = bluetti_options_count(o, "device_envelope");
    for (size_t i = 0; i < n; i++) {
        const char *v = bluetti_options_get_nth(o, "device_envelope", i);
        const char *eq = v ? strrchr(v, '=') : NULL;
        int kind = eq ? bluetti_envelope_parse(eq + 1) : -1;
        if (!eq || eq == v || kind < 0) {
            bt_fmt(detail, len, "option device_envelope=%s: expected ADDRESS=new, "
                   "ADDRESS=old or ADDRESS=raw", v ? v : "");
            return BLUETTI_E_INVAL;
        }
        if (lv->n_dev_env == LIVE_MAX_DEVICE_ENVELOPES) {
            bt_fmt(detail, len, "option device_envelope: at most %d devices",
                   LIVE_MAX_DEVICE_ENVELOPES);
            return BLUETTI_E_INVAL;
        }
        char *a = strndup(v, (size_t)(eq - v));
        if (!a) return BLUETTI_E_NOMEM;
        lv->dev_env[lv->n_dev_env].address = a;
        lv->dev_env[lv->n_dev_env++].kind = kind;
    }
    return 0;
}

int mqtt_live_read_options(const bluetti_options *o, mqtt_live *lv, char *detail, size_t len)
{
    memset(lv, 0, sizeof *lv);
    lv->envelope = -1;
    lv->taken_holdoff_s = 45.0;
    int rc;
    if ((rc = opt_str(o, "username", &lv->username)) ||
        (rc = opt_str(o, "mqtt_password", &lv->mqtt_password)) ||
        (rc = opt_str(o, "token", &lv->token)) ||
        (rc = opt_str(o, "topic_sub", &lv->topic_sub)) ||
        (rc = opt_str(o, "topic_pub", &lv->topic_pub)) ||
        (rc = opt_str(o, "cloud_profile", &lv->cloud_profile)) ||
        (rc = opt_str(o, "api_cafile", &lv->api_cafile)))
        return rc;
    if (lv->token) {
        char p0[128], p1[128];
        rc = bluetti_cloud_token_parts(lv->token, p0, sizeof p0, p1, sizeof p1);
        OPENSSL_cleanse(p0, sizeof p0);
        OPENSSL_cleanse(p1, sizeof p1);
        if (rc) {
            bt_fmt(detail, len, "option token: not a Bluetti login token (expected at least "
                   "two non-empty parts separated by '.'); log in again");
            return BLUETTI_E_INVAL;
        }
    }
    const char *which = NULL;
    if (lv->topic_sub && !mqtt_live_template_ok(lv->topic_sub)) which = "topic_sub";
    if (lv->topic_pub && !mqtt_live_template_ok(lv->topic_pub)) which = "topic_pub";
    if (which) {
        bt_fmt(detail, len, "option %s=%s: a topic without spaces, '+' or '#', whose only "
               "placeholders are {model}, {subsn} and {address}", which,
               bluetti_options_get(o, which));
        return BLUETTI_E_INVAL;
    }
    const char *v = bluetti_options_get(o, "envelope");
    if (v && (lv->envelope = bluetti_envelope_parse(v)) < 0) {
        bt_fmt(detail, len, "option envelope=%s: expected new, old or raw", v);
        return BLUETTI_E_INVAL;
    }
    if ((rc = read_device_envelopes(o, lv, detail, len))) return rc;
    long ms = 0;
    rc = bluetti_options_get_long(o, "clock_offset_ms", -86400000L * 365, 86400000L * 365, &ms);
    if (rc && rc != BLUETTI_E_NOTFOUND) {
        bt_fmt(detail, len, "option clock_offset_ms=%s: expected a whole number of "
               "milliseconds (server clock minus ours)", bluetti_options_get(o, "clock_offset_ms"));
        return rc;
    }
    lv->clock_offset_ms = ms;
    rc = bluetti_options_get_bool(o, "cloud", &lv->cloud);
    if (rc && rc != BLUETTI_E_NOTFOUND) {
        bt_fmt(detail, len, "option cloud=%s: expected true or false", bluetti_options_get(o, "cloud"));
        return rc;
    }
    lv->cloud_set = rc == 0;
    v = bluetti_options_get(o, "pin_broker_key");
    if (v && *v) {
        if (!mqtt_live_parse_pin(v, lv->pin)) {
            bt_fmt(detail, len, "option pin_broker_key=%s: expected SHA256- and 64 hex digits "
                   "(the SHA-256 of the broker's DER public key)", v);
            return BLUETTI_E_INVAL;
        }
        lv->has_pin = true;
    }
    rc = bluetti_options_get_double(o, "session_holdoff", 0.01, 86400, &lv->taken_holdoff_s);
    if (rc && rc != BLUETTI_E_NOTFOUND) {
        bt_fmt(detail, len, "option session_holdoff=%s: expected seconds from 0.01 to 86400 "
               "(default 45)", bluetti_options_get(o, "session_holdoff"));
        return rc;
    }
    return 0;
}

int mqtt_live_credentials(const mqtt_live *lv, uint64_t local_ms, mqc_credentials *cr,
                          char *detail, size_t len)
{
    memset(cr, 0, sizeof *cr);
    char p0[128], p1[128];
    int rc = 0;
    if (lv->token &&
        bluetti_cloud_token_parts(lv->token, p0, sizeof p0, p1, sizeof p1) != 0) {
        bt_fmt(detail, len, "the login token is malformed; log in again");
        rc = BLUETTI_E_INVAL;
        goto out;
    }
    if (lv->username)
        snprintf(cr->username, sizeof cr->username, "%s", lv->username);
    else if (lv->token)
        snprintf(cr->username, sizeof cr->username, "tid:%s", p1);
    if (lv->mqtt_password) {
        snprintf(cr->password, sizeof cr->password, "%s", lv->mqtt_password);
    } else if (lv->token) {
        long long server = (long long)local_ms + lv->clock_offset_ms;
        char totp[9];
        rc = bluetti_cloud_totp(p1, p0, server > 0 ? (uint64_t)server : 0, totp);
        if (rc == 0) snprintf(cr->password, sizeof cr->password, "%s", totp);
        else bt_fmt(detail, len, "cannot compute the MQTT password from the login token");
        OPENSSL_cleanse(totp, sizeof totp);
    }
out:
    OPENSSL_cleanse(p0, sizeof p0);
    OPENSSL_cleanse(p1, sizeof p1);
    if (rc) OPENSSL_cleanse(cr, sizeof *cr);
    return rc;
}

/* Expand a template for one device. */
static char *expand(const char *t, const char *address, const char *model, size_t model_len,
                    const char *subsn)
{
    size_t cap = strlen(t) + 1;
    for (const char *p = t; (p = strchr(p, '{')) != NULL; p++) cap += strlen(address) + 1;
    char *out = malloc(cap);
    if (!out) return NULL;
    size_t n = 0;
    for (const char *p = t; *p;) {
        const char *val = NULL;
        size_t vlen = 0, skip = 1;
        if (!strncmp(p, "{model}", 7)) {
            val = model, vlen = model_len, skip = 7;
        } else if (!strncmp(p, "{subsn}", 7)) {
            val = subsn, vlen = subsn ? strlen(subsn) : 0, skip = 7;
        } else if (!strncmp(p, "{address}", 9)) {
            val = address, vlen = strlen(address), skip = 9;
        } else {
            out[n++] = *p++;
            continue;
        }
        if (!val) {
            free(out);
            return NULL;
        }
        memcpy(out + n, val, vlen);
        n += vlen;
        p += skip;
    }
    out[n] = '\0';
    return out;
}

static bool needs_model(const char *t)
{
    return strstr(t, "{model}") || strstr(t, "{subsn}");
}

int mqtt_live_device(const mqtt_live *lv, const char *address, char **request_topic,
                     char **reply_topic, int *envelope)
{
    *request_topic = *reply_topic = NULL;
    const char *colon = strchr(address, ':');
    if (!colon) colon = strchr(address, '/');
    bool live = colon && colon != address && colon[1] && !strchr(colon + 1, ':') &&
                !strchr(colon + 1, '/');
    const char *model = live ? address : NULL;
    size_t model_len = live ? (size_t)(colon - address) : 0;
    const char *subsn = live ? colon + 1 : NULL;
    const char *ts = lv->topic_sub ? lv->topic_sub : live ? "SUB/{model}/{subsn}" : "SUB/{address}";
    const char *tp = lv->topic_pub ? lv->topic_pub : live ? "PUB/{model}/{subsn}" : "PUB/{address}";
    if (!live && (needs_model(ts) || needs_model(tp))) return BLUETTI_E_INVAL;
    *envelope = lv->envelope >= 0 ? lv->envelope
                                  : live ? BLUETTI_ENVELOPE_NEW : BLUETTI_ENVELOPE_RAW;
    for (size_t i = 0; i < lv->n_dev_env; i++)
        if (!strcmp(lv->dev_env[i].address, address)) *envelope = lv->dev_env[i].kind;
    *request_topic = expand(ts, address, model, model_len, subsn);
    *reply_topic = expand(tp, address, model, model_len, subsn);
    if (!*request_topic || !*reply_topic) {
        free(*request_topic);
        free(*reply_topic);
        *request_topic = *reply_topic = NULL;
        return BLUETTI_E_NOMEM;
    }
    return 0;
}

/* ---- every connect ------------------------------------------------------------ */

/* mqc calls this before every attempt: the time-based password is only
 * good for its 30-second step, so it is computed right before CONNECT. */
static int live_prepare(void *ud, mqc_credentials *cr, SSL_CTX **ctx, char *detail, size_t len)
{
    mqtt_live *lv = ud;
    *ctx = NULL;
    if (lv->cloud_profile) return mqtt_live_profile_prepare(lv, (uint64_t)bt_wall_ms(), cr, ctx, detail, len);
    if (!lv->token && !lv->username && !lv->mqtt_password) return 0; /* keep mqc's own */
    return mqtt_live_credentials(lv, (uint64_t)bt_wall_ms(), cr, detail, len);
}

int mqtt_live_connect_config(mqtt_live *lv, mqc_config *c, char *detail, size_t len)
{
    if (lv->has_pin && c->insecure) {
        bt_fmt(detail, len, "options pin_broker_key and insecure exclude each other: a pinned "
               "key is checked, insecure checks nothing");
        return BLUETTI_E_INVAL;
    }
    if (lv->mqtt_password && !lv->username && !lv->token) {
        bt_fmt(detail, len, "option mqtt_password needs a username (option username or token)");
        return BLUETTI_E_INVAL;
    }
    c->prepare = live_prepare;
    c->prepare_ud = lv;
    if (lv->has_pin) c->pin_sha256 = lv->pin;
    if (lv->cloud) c->tls_seclevel = 1;
    c->taken_holdoff_s = lv->taken_holdoff_s;
    if (lv->cloud_profile) return mqtt_live_profile_init(lv, c, detail, len);
    return 0;
}
