/* transport-mqtt: cloud_profile=PATH, a stored login (bluetti-tool login).
 *
 * At every connect, the first one included: load the profile afresh (a
 * login renewed by another process is picked up), log in again from its
 * password-equivalent secrets when the token is near its end (the renewed
 * token is written back to the profile), get the certificate password and
 * the PKCS#12 bundle (the stored one while it still opens, else a new
 * download), build the TLS context from those bytes in memory, and only
 * then compute the time-based MQTT password, right before CONNECT. So a
 * process keeps going for months: every reconnect starts from a valid
 * login. Facts: docs/protocol/transport-mqtt-live.md.
 */
#include "config.h"

#include "live.h"
#include "tls.h"
#include "bt_text.h"

#include <bluetti/cloud.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* renew the login when it has less than this left (seconds) */
#define RENEW_BEFORE_S (24L * 3600L)

struct live_profile {
    bluetti_cloud_config api;   /* api.cafile -> api_cafile */
    char *api_cafile;
    char *host;                 /* the broker: its certificate is checked for this name */
    char *cafile;
    bool insecure;
    int seclevel;
    const bluetti_logger *log;
    const char *src;
};

void mqtt_live_profile_free(mqtt_live *lv)
{
    if (!lv || !lv->profile) return;
    free(lv->profile->api_cafile);
    free(lv->profile->host);
    free(lv->profile->cafile);
    free(lv->profile);
    lv->profile = NULL;
}

int mqtt_live_profile_init(mqtt_live *lv, mqc_config *c, char *detail, size_t len)
{
    /* the profile must load now: a missing login is a usage error, not
     * something to retry for ever */
    struct live_profile *p = calloc(1, sizeof *p);
    if (!p) return BLUETTI_E_NOMEM;
    lv->profile = p;
    /* the cloud API's CAs: api_cafile, else the broker's cafile (a private
     * test cloud has one CA for both) */
    bluetti_cloud_config_init(&p->api);
    const char *api_ca = lv->api_cafile ? lv->api_cafile : c->cafile;
    if (api_ca && !(p->api_cafile = strdup(api_ca))) return BLUETTI_E_NOMEM;
    p->api.cafile = p->api_cafile;
    bluetti_cloud *cl = NULL;
    int rc = bluetti_cloud_profile_load(lv->cloud_profile, &p->api, &cl, detail, len);
    bluetti_cloud_free(cl);
    /* a file that is no stored login (damaged, another version) is as good
     * as none: the remedy is a new login, which the detail says, not the
     * "try again later" of an error from the cloud itself */
    if (rc == BLUETTI_E_CLOUD) rc = BLUETTI_E_NOT_LOGGED_IN;
    if (rc) return rc;
    p->host = strdup(c->host);
    if (c->cafile && !(p->cafile = strdup(c->cafile))) {
        free(p->host);
        p->host = NULL;
    }
    if (!p->host) return BLUETTI_E_NOMEM;
    p->insecure = c->insecure;
    /* the cloud broker's key is 1880 bits: a stored login means that broker */
    if (!lv->cloud_set) lv->cloud = true;
    p->seclevel = lv->cloud ? 1 : 0;
    c->tls_seclevel = p->seclevel;
    p->log = c->log;
    p->src = c->src;
    c->cert = NULL; /* the bundle comes from the login, at every connect */
    return 0;
}

static int cloud_failed(bluetti_cloud *cl, int rc, const char *what, char *detail, size_t len)
{
    const char *why = cl ? bluetti_cloud_error_detail(cl) : "";
    bt_fmt(detail, len, "%s: %s", what, why && *why ? why : bluetti_strerror(rc));
    return rc;
}

int mqtt_live_profile_prepare(mqtt_live *lv, uint64_t local_ms, mqc_credentials *cr,
                              SSL_CTX **ctx, char *detail, size_t len)
{
    (void)local_ms; /* the login's own clock offset decides the password */
    struct live_profile *p = lv->profile;
    *ctx = NULL;
    if (!p) return BLUETTI_E_INVAL;
    bluetti_cloud *cl = NULL;
    uint8_t *p12 = NULL;
    size_t p12_len = 0;
    char *pfx_pw = NULL, *user = NULL, *pass = NULL;
    int rc = bluetti_cloud_profile_load(lv->cloud_profile, &p->api, &cl, detail, len);
    if (rc) goto out;
    if ((rc = bluetti_cloud_ensure_login(cl, RENEW_BEFORE_S)) != 0) {
        rc = cloud_failed(cl, rc, "renewing the cloud login failed", detail, len);
        goto out;
    }
    /* the pin login stored (--pin-broker-key) binds every connect through
     * the login; pin_broker_key given to the transport wins */
    unsigned char stored_pin[32];
    const unsigned char *pin = lv->has_pin ? lv->pin : NULL;
    const char *sp = bluetti_cloud_broker_pin(cl);
    if (!pin && sp) {
        if (!mqtt_live_parse_pin(sp, stored_pin)) {
            bt_fmt(detail, len, "the stored login's broker_pin is malformed; log in again");
            rc = BLUETTI_E_CLOUD;
            goto out;
        }
        if (p->insecure) {
            bt_fmt(detail, len, "the stored login pins the broker's key, and option insecure "
                    "would check nothing: drop insecure");
            rc = BLUETTI_E_INVAL;
            goto out;
        }
        pin = stored_pin;
    }
    if ((rc = bluetti_cloud_certificate(cl, 0, &p12, &p12_len, &pfx_pw)) != 0) {
        rc = cloud_failed(cl, rc, "getting the client certificate from the cloud failed",
                          detail, len);
        goto out;
    }
    bt_tls_diag scratch; /* mqc binds the context to its own diag */
    bt_tls_config tc = { .cert = "the certificate of the stored login", .password = pfx_pw,
                         .cafile = p->cafile, .insecure = p->insecure, .host = p->host,
                         .log = p->log, .src = p->src, .p12_data = p12, .p12_len = p12_len,
                         .pin_sha256 = pin, .seclevel = p->seclevel };
    if ((rc = bt_tls_ctx_new(&tc, &scratch, ctx, detail, len)) != 0) goto out;
    /* last: the time-based password is good for its 30-second step only */
    if ((rc = bluetti_cloud_mqtt_credentials(cl, NULL, &user, &pass)) != 0) {
        rc = cloud_failed(cl, rc, "computing the MQTT credentials failed", detail, len);
        goto out;
    }
    if (strlen(user) >= sizeof cr->username || strlen(pass) >= sizeof cr->password) {
        bt_fmt(detail, len, "the cloud's MQTT credentials are too long");
        rc = BLUETTI_E_CLOUD;
        goto out;
    }
    snprintf(cr->username, sizeof cr->username, "%s", lv->username ? lv->username : user);
    snprintf(cr->password, sizeof cr->password, "%s", lv->mqtt_password ? lv->mqtt_password : pass);
out:
    if (rc && *ctx) {
        SSL_CTX_free(*ctx);
        *ctx = NULL;
    }
    bluetti_cloud_secret_free(user);
    bluetti_cloud_secret_free(pass);
    bluetti_cloud_secret_free(pfx_pw);
    bluetti_cloud_bytes_free(p12, p12_len);
    bluetti_cloud_free(cl);
    return rc;
}
