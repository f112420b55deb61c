/* TLS client context from a PKCS#12 file, decrypted in memory.
 *
 * Order of checks, so each failure gets its own error: read the file
 * (CERT_READ), decode the DER (CERT_FORMAT), check the MAC with the
 * password (CERT_PASSWORD), decrypt the bags (CERT_FORMAT), key and
 * certificate present and matching (CERT_NO_KEY), validity dates
 * (CERT_EXPIRED / CERT_NOT_YET_VALID). Only then is a context built.
 */
#include "config.h"

#include "tls.h"
#include "bt_text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>

#define MAX_P12_SIZE (1024 * 1024)

/* The most telling OpenSSL error of the queue, then clear the queue. */
static const char *ssl_error_text(char *buf, size_t len)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    if (r) snprintf(buf, len, "%s", r);
    else if (e) ERR_error_string_n(e, buf, len);
    else snprintf(buf, len, "no further details from OpenSSL");
    ERR_clear_error();
    return buf;
}

void bt_tls_diag_reset(bt_tls_diag *d)
{
    if (!d) return;
    memset(d, 0, sizeof *d);
    d->alert = -1;
}

/* ---- reading the PKCS#12 file ---------------------------------------------- */

static int read_file(const char *path, unsigned char **buf, size_t *len, char *detail,
                     size_t dlen)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK /* a FIFO must not block */);
    if (fd < 0) {
        bt_fmt(detail, dlen, "cannot read the certificate file %s: %s", path, strerror(errno));
        return BLUETTI_E_CERT_READ;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        bt_fmt(detail, dlen, "cannot read the certificate file %s: not a regular file", path);
        close(fd);
        return BLUETTI_E_CERT_READ;
    }
    if (st.st_size == 0 || st.st_size > MAX_P12_SIZE) {
        bt_fmt(detail, dlen, "%s is not a PKCS#12 (.p12/.pfx) certificate: %s", path,
               st.st_size == 0 ? "the file is empty" : "the file is far too large");
        close(fd);
        return BLUETTI_E_CERT_FORMAT;
    }
    unsigned char *b = OPENSSL_malloc((size_t)st.st_size);
    if (!b) {
        close(fd);
        return BLUETTI_E_NOMEM;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, b + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            bt_fmt(detail, dlen, "cannot read the certificate file %s: %s", path,
                   n < 0 ? strerror(errno) : "it shrank while being read");
            OPENSSL_free(b);
            close(fd);
            return BLUETTI_E_CERT_READ;
        }
        got += (size_t)n;
    }
    close(fd);
    *buf = b;
    *len = got;
    return 0;
}

/* ---- the legacy-cipher fallback -------------------------------------------- */

/* Many PKCS#12 files (older tools, Java key stores) encrypt the certificate
 * with RC2 or 3DES, which OpenSSL 3 keeps in its "legacy" provider. That
 * provider is loaded into a private library context, made the default for
 * this thread only while the file is decrypted, so the application's own
 * OpenSSL configuration is left alone. */
static OSSL_LIB_CTX *legacy_ctx;
static pthread_once_t legacy_once = PTHREAD_ONCE_INIT;

static void legacy_init(void)
{
    OSSL_LIB_CTX *c = OSSL_LIB_CTX_new();
    if (!c) return;
    if (!OSSL_PROVIDER_load(c, "default") || !OSSL_PROVIDER_load(c, "legacy")) {
        OSSL_LIB_CTX_free(c);
        ERR_clear_error();
        return;
    }
    legacy_ctx = c;
}

/* Copy an object made in the legacy context into the default one. */
static X509 *x509_copy(X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    const unsigned char *p = der;
    X509 *y = n > 0 ? d2i_X509(NULL, &p, n) : NULL;
    OPENSSL_free(der);
    return y;
}

static EVP_PKEY *pkey_copy(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(k, &der);
    const unsigned char *p = der;
    EVP_PKEY *y = n > 0 ? d2i_AutoPrivateKey(NULL, &p, n) : NULL;
    if (der) OPENSSL_clear_free(der, (size_t)n);
    return y;
}

static bool parse_legacy(PKCS12 *p12, const char *pw, EVP_PKEY **pkey, X509 **cert,
                         STACK_OF(X509) **ca)
{
    pthread_once(&legacy_once, legacy_init);
    if (!legacy_ctx) return false;
    EVP_PKEY *k = NULL;
    X509 *c = NULL;
    STACK_OF(X509) *chain = NULL;
    OSSL_LIB_CTX *prev = OSSL_LIB_CTX_set0_default(legacy_ctx);
    int ok = PKCS12_parse(p12, pw, &k, &c, &chain);
    OSSL_LIB_CTX_set0_default(prev);
    if (!ok) return false;
    bool good = true;
    *pkey = k ? pkey_copy(k) : NULL;
    *cert = c ? x509_copy(c) : NULL;
    *ca = NULL;
    if ((k && !*pkey) || (c && !*cert)) good = false;
    if (good && chain) {
        *ca = sk_X509_new_null();
        for (int i = 0; good && *ca && i < sk_X509_num(chain); i++) {
            X509 *y = x509_copy(sk_X509_value(chain, i));
            if (!y || !sk_X509_push(*ca, y)) {
                X509_free(y);
                good = false;
            }
        }
        if (!*ca) good = false;
    }
    EVP_PKEY_free(k);
    X509_free(c);
    sk_X509_pop_free(chain, X509_free);
    if (!good) {
        EVP_PKEY_free(*pkey);
        X509_free(*cert);
        sk_X509_pop_free(*ca, X509_free);
        *pkey = NULL;
        *cert = NULL;
        *ca = NULL;
    }
    return good;
}

/* ---- decoding the file ----------------------------------------------------- */

static void fmt_time(const ASN1_TIME *t, char *buf, size_t len)
{
    struct tm tm;
    if (t && ASN1_TIME_to_tm(t, &tm) && strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm)) return;
    snprintf(buf, len, "an unreadable date");
}

static int load_p12(const bt_tls_config *c, EVP_PKEY **pkey, X509 **cert, STACK_OF(X509) **ca,
                    char *detail, size_t dlen)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    char why[160];
    int rc;
    if (c->p12_data) {
        if (!c->p12_len || c->p12_len > MAX_P12_SIZE) {
            bt_fmt(detail, dlen, "%s is not a PKCS#12 certificate: %s", c->cert,
                   c->p12_len ? "far too large" : "empty");
            return BLUETTI_E_CERT_FORMAT;
        }
        buf = OPENSSL_memdup(c->p12_data, c->p12_len);
        if (!buf) return BLUETTI_E_NOMEM;
        len = c->p12_len;
    } else if ((rc = read_file(c->cert, &buf, &len, detail, dlen)) != 0) {
        return rc;
    }

    ERR_clear_error();
    const unsigned char *p = buf;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    OPENSSL_clear_free(buf, len);
    if (!p12) {
        bt_fmt(detail, dlen,
               "%s is not a PKCS#12 (.p12/.pfx) certificate or it is damaged (%s); use the "
               "file your Bluetti account issued, unchanged",
               c->cert, ssl_error_text(why, sizeof why));
        return BLUETTI_E_CERT_FORMAT;
    }

    /* The MAC tells a wrong password apart from a damaged file: a mismatch
     * leaves the error queue empty, a MAC that cannot be computed does not. */
    const char *pw = c->password ? c->password : "";
    if (PKCS12_mac_present(p12)) {
        ERR_clear_error();
        if (!PKCS12_verify_mac(p12, pw, -1)) {
            bool mismatch = ERR_peek_error() == 0;
            ERR_clear_error();
            if (mismatch && *pw == '\0' && PKCS12_verify_mac(p12, NULL, 0)) {
                pw = NULL; /* made with an absent rather than an empty password */
            } else if (mismatch) {
                bt_fmt(detail, dlen, "%s: %s", c->cert,
                       c->password && *c->password
                            ? "wrong password for this PKCS#12 certificate"
                            : "this PKCS#12 certificate needs a password and none was given");
                PKCS12_free(p12);
                return BLUETTI_E_CERT_PASSWORD;
            } else {
                bt_fmt(detail, dlen, "%s: the PKCS#12 integrity check cannot be computed (%s)",
                       c->cert, ssl_error_text(why, sizeof why));
                ERR_clear_error();
                PKCS12_free(p12);
                return BLUETTI_E_CERT_FORMAT;
            }
        }
    }

    ERR_clear_error();
    if (!PKCS12_parse(p12, pw, pkey, cert, ca)) {
        ssl_error_text(why, sizeof why);
        if (!parse_legacy(p12, pw, pkey, cert, ca)) {
            bt_fmt(detail, dlen,
                   "%s: the PKCS#12 contents cannot be decrypted (%s); if it uses a legacy "
                   "cipher (RC2/3DES), OpenSSL's legacy provider must be installed",
                   c->cert, why);
            ERR_clear_error();
            PKCS12_free(p12);
            return BLUETTI_E_CERT_FORMAT;
        }
        bluetti_log(c->log, BLUETTI_LOG_INFO, c->src,
                    "%s uses a legacy cipher; decrypted it with OpenSSL's legacy provider",
                    c->cert);
    }
    PKCS12_free(p12);

    if (!*pkey || !*cert) {
        bt_fmt(detail, dlen, "%s holds no %s: a client certificate needs both", c->cert,
               !*pkey ? "private key" : "certificate");
        return BLUETTI_E_CERT_NO_KEY;
    }
    if (X509_check_private_key(*cert, *pkey) != 1) {
        ERR_clear_error();
        bt_fmt(detail, dlen, "%s: the private key does not belong to the certificate", c->cert);
        return BLUETTI_E_CERT_NO_KEY;
    }
    char when[64];
    if (X509_cmp_current_time(X509_get0_notBefore(*cert)) > 0) {
        fmt_time(X509_get0_notBefore(*cert), when, sizeof when);
        bt_fmt(detail, dlen, "the client certificate in %s is not valid before %s (check the clock)",
               c->cert, when);
        return BLUETTI_E_CERT_NOT_YET_VALID;
    }
    if (X509_cmp_current_time(X509_get0_notAfter(*cert)) < 0) {
        fmt_time(X509_get0_notAfter(*cert), when, sizeof when);
        bt_fmt(detail, dlen, "the client certificate in %s expired on %s; get a new one "
               "from your Bluetti account", c->cert, when);
        return BLUETTI_E_CERT_EXPIRED;
    }
    return 0;
}

/* ---- handshake diagnostics ------------------------------------------------- */

static bt_tls_diag *diag_of(const SSL *ssl)
{
    return ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;
}

/* The pinned key of a context lives in its ex_data slot. */
static int pin_index = -1;
static pthread_once_t pin_once = PTHREAD_ONCE_INIT;

static void pin_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    OPENSSL_free(ptr);
}

static void pin_init(void)
{
    pin_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, pin_free);
}

int bt_tls_spki_sha256(X509 *cert, unsigned char out[32])
{
    unsigned char *der = NULL;
    int n = cert ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der) : -1;
    unsigned int olen = 0;
    int ok = n > 0 && EVP_Digest(der, (size_t)n, out, &olen, EVP_sha256(), NULL) && olen == 32;
    OPENSSL_free(der);
    return ok ? 0 : BLUETTI_E_TLS;
}

/* With a pin the broker's key alone decides, at every step of the chain
 * check: the cloud broker sends no chain and its CA is private
 * (docs/protocol/transport-mqtt-live.md). */
static int pin_verdict(X509_STORE_CTX *x, const unsigned char *pin, bt_tls_diag *d)
{
    unsigned char got[32];
    X509 *leaf = X509_STORE_CTX_get0_cert(x);
    if (bt_tls_spki_sha256(leaf, got) == 0 && CRYPTO_memcmp(got, pin, 32) == 0) {
        X509_STORE_CTX_set_error(x, X509_V_OK);
        return 1;
    }
    if (d && !d->verify_err) {
        d->pin_mismatch = true;
        d->verify_err = X509_V_ERR_APPLICATION_VERIFICATION;
        if (leaf) X509_NAME_oneline(X509_get_subject_name(leaf), d->verify_subject,
                                    (int)sizeof d->verify_subject);
    }
    return 0;
}

static int verify_cb(int ok, X509_STORE_CTX *x)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    const unsigned char *pin =
        (ssl && pin_index >= 0) ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), pin_index) : NULL;
    if (pin) return pin_verdict(x, pin, diag_of(ssl));
    if (ok) return ok;
    bt_tls_diag *d = diag_of(ssl);
    if (d && !d->verify_err) {
        d->verify_err = X509_STORE_CTX_get_error(x);
        d->verify_depth = X509_STORE_CTX_get_error_depth(x);
        X509 *cur = X509_STORE_CTX_get_current_cert(x);
        if (cur) X509_NAME_oneline(X509_get_subject_name(cur), d->verify_subject,
                                   (int)sizeof d->verify_subject);
    }
    return 0;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
    bt_tls_diag *d = diag_of(ssl);
    if (!d) return;
    if (where & SSL_CB_HANDSHAKE_DONE) {
        d->handshake_done = true;
        d->tls13 = SSL_version(ssl) == TLS1_3_VERSION;
    }
    if (where & SSL_CB_READ_ALERT) {
        int desc = ret & 0xff;
        if (desc != SSL_AD_CLOSE_NOTIFY && desc != SSL_AD_USER_CANCELLED) d->alert = desc;
    }
}

int bt_tls_diag_classify(const bt_tls_diag *d, char *detail, size_t len)
{
    if (!d) return 0;
    if (d->pin_mismatch) {
        bt_fmt(detail, len, "the broker's public key does not match pin_broker_key (%s): "
               "either the broker changed its key or this is not the broker you meant",
               d->verify_subject[0] ? d->verify_subject : "no certificate");
        return BLUETTI_E_TLS_VERIFY;
    }
    if (d->verify_err) {
        bt_fmt(detail, len,
               "the broker's certificate failed verification: %s (depth %d%s%s); check the "
               "broker name, or give the CA that signed it with cafile",
               X509_verify_cert_error_string(d->verify_err), d->verify_depth,
               d->verify_subject[0] ? ", " : "", d->verify_subject);
        return BLUETTI_E_TLS_VERIFY;
    }
    switch (d->alert) {
    case SSL_AD_BAD_CERTIFICATE:
    case SSL_AD_UNSUPPORTED_CERTIFICATE:
    case SSL_AD_CERTIFICATE_REVOKED:
    case SSL_AD_CERTIFICATE_EXPIRED:
    case SSL_AD_CERTIFICATE_UNKNOWN:
    case SSL_AD_UNKNOWN_CA:
    case SSL_AD_ACCESS_DENIED:
    case SSL_AD_CERTIFICATE_REQUIRED:
        bt_fmt(detail, len, "the broker rejected the client certificate (TLS alert: %s)",
               SSL_alert_desc_string_long(d->alert));
        return BLUETTI_E_BROKER_REFUSED;
    default:
        break;
    }
    if (d->alert < 0 && d->handshake_done && d->tls13) {
        /* TLS 1.3 checks the client certificate after the handshake: a
         * rejection alert often loses the race with the TCP reset */
        bt_fmt(detail, len, "the broker hung up right after the TLS handshake, without "
               "answering: it most likely rejected the client certificate (not issued by a "
               "CA it trusts, revoked, or not valid)");
        return BLUETTI_E_BROKER_REFUSED;
    }
    if (d->alert >= 0) {
        bt_fmt(detail, len, "the broker ended the TLS session (TLS alert: %s)",
               SSL_alert_desc_string_long(d->alert));
        return BLUETTI_E_TLS;
    }
    return 0;
}

/* ---- the context ----------------------------------------------------------- */

static bool is_ip_address(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static int set_trust(const bt_tls_config *c, SSL_CTX *ctx, STACK_OF(X509) *ca, char *detail,
                     size_t dlen)
{
    char why[160];
    /* the system store first: a missing store is not an error */
    if (!SSL_CTX_set_default_verify_paths(ctx)) ERR_clear_error();
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    for (int i = 0; ca && i < sk_X509_num(ca); i++) {
        if (!X509_STORE_add_cert(store, sk_X509_value(ca, i))) ERR_clear_error(); /* duplicate */
    }
    if (c->cafile && *c->cafile) {
        if (access(c->cafile, R_OK) != 0) {
            bt_fmt(detail, dlen, "cannot read the CA file %s: %s", c->cafile, strerror(errno));
            return BLUETTI_E_CERT_READ;
        }
        if (!SSL_CTX_load_verify_locations(ctx, c->cafile, NULL)) {
            bt_fmt(detail, dlen, "the CA file %s holds no usable PEM certificate (%s)",
                   c->cafile, ssl_error_text(why, sizeof why));
            return BLUETTI_E_CERT_FORMAT;
        }
    }
    if (c->pin_sha256) {
        pthread_once(&pin_once, pin_init);
        unsigned char *pin = pin_index >= 0 ? OPENSSL_memdup(c->pin_sha256, 32) : NULL;
        if (!pin || !SSL_CTX_set_ex_data(ctx, pin_index, pin)) {
            OPENSSL_free(pin);
            return BLUETTI_E_NOMEM;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
        return 0;
    }
    if (c->insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        bluetti_log(c->log, BLUETTI_LOG_WARN, c->src,
                    "INSECURE: the broker's certificate is NOT verified (option insecure). "
                    "Anyone on the network path can pose as %s and read or answer your device "
                    "traffic. Use this for testing only.", c->host ? c->host : "the broker");
        return 0;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
    X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = is_ip_address(c->host) ? X509_VERIFY_PARAM_set1_ip_asc(vp, c->host)
                                    : X509_VERIFY_PARAM_set1_host(vp, c->host, 0);
    if (!ok) {
        bt_fmt(detail, dlen, "cannot set up host name verification for %s (%s)", c->host,
               ssl_error_text(why, sizeof why));
        return BLUETTI_E_TLS;
    }
    return 0;
}

void bt_tls_ctx_bind(SSL_CTX *ctx, bt_tls_diag *diag)
{
    if (!ctx) return;
    SSL_CTX_set_app_data(ctx, diag);
    SSL_CTX_set_info_callback(ctx, info_cb);
}

int bt_tls_ctx_new(const bt_tls_config *c, bt_tls_diag *diag, SSL_CTX **out, char *detail,
                   size_t detail_len)
{
    *out = NULL;
    if (!c || !c->cert || !*c->cert || !c->host || !diag) return BLUETTI_E_INVAL;
    if (c->pin_sha256 && c->insecure) {
        bt_fmt(detail, detail_len, "pin_broker_key and insecure exclude each other: a pinned "
               "key is checked, insecure checks nothing");
        return BLUETTI_E_INVAL;
    }
    bt_tls_diag_reset(diag);
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    STACK_OF(X509) *ca = NULL;
    SSL_CTX *ctx = NULL;
    char why[160];
    int rc = load_p12(c, &pkey, &cert, &ca, detail, detail_len);
    if (rc) goto out;

    ERR_clear_error();
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
        bt_fmt(detail, detail_len, "cannot create a TLS context (%s)",
               ssl_error_text(why, sizeof why));
        rc = BLUETTI_E_TLS;
        goto out;
    }
    /* the cloud broker's 1880-bit RSA key needs level 1; only this context */
    if (c->seclevel > 0) SSL_CTX_set_security_level(ctx, c->seclevel);
    /* the PKCS#12's CA certificates also go out as the client's chain */
    if (SSL_CTX_use_cert_and_key(ctx, cert, pkey, ca, 1) != 1 || !SSL_CTX_check_private_key(ctx)) {
        bt_fmt(detail, detail_len, "%s: OpenSSL refused the certificate or key (%s)", c->cert,
               ssl_error_text(why, sizeof why));
        rc = BLUETTI_E_CERT_FORMAT;
        goto out;
    }
    rc = set_trust(c, ctx, ca, detail, detail_len);
    if (rc) goto out;
    bt_tls_ctx_bind(ctx, diag);
    *out = ctx;
    ctx = NULL;
out:
    SSL_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    X509_free(cert);
    sk_X509_pop_free(ca, X509_free);
    ERR_clear_error();
    return rc;
}
