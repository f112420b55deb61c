/* TLS client context from a PKCS#12 file, decrypted in memory.
 *
 * Shared by the mqtt transport and tools/bluetti-sim (both link the
 * convenience library plugins/libmqttconn.la). Not part of the public API.
 *
 * The private key and certificate are decoded from the file's bytes in
 * memory and handed to OpenSSL directly: nothing is ever written to disk.
 */
#ifndef BLUETTI_MQTT_TLS_H
#define BLUETTI_MQTT_TLS_H

#include <bluetti/bluetti.h>

#include <openssl/ssl.h>

/* What went wrong during a handshake, filled in by OpenSSL callbacks of the
 * context (the context's app data points at it). */
typedef struct bt_tls_diag {
    int verify_err;             /* first X509_V_ERR_* of the broker's chain, 0 = none */
    int verify_depth;
    char verify_subject[192];   /* subject of the certificate that failed */
    int alert;                  /* last fatal alert the broker sent, -1 = none */
    bool handshake_done;        /* the TLS handshake completed (our side) */
    bool tls13;                 /* ... with TLS 1.3 */
    char lib_error[256];        /* last library error text seen (libmosquitto log) */
    bool pin_mismatch;          /* the broker's key is not the pinned one */
} bt_tls_diag;

typedef struct bt_tls_config {
    const char *cert;           /* PKCS#12 path (required) */
    const char *password;       /* its password; only read during the call */
    const char *cafile;         /* extra trusted CAs (PEM), or NULL */
    bool insecure;              /* do not verify the broker (loudly logged) */
    const char *host;           /* broker name or address the certificate must match */
    const bluetti_logger *log;
    const char *src;            /* log source */
    /* live cloud brokers (docs/protocol/transport-mqtt-live.md) */
    const unsigned char *p12_data;  /* the PKCS#12 in memory instead of the file cert */
    size_t p12_len;             /* (cert then only names it in messages) */
    const unsigned char *pin_sha256; /* 32 bytes: accept exactly the broker key whose
                                 * SubjectPublicKeyInfo has this SHA-256, instead of
                                 * checking its chain and name; NULL: no pin */
    int seclevel;               /* OpenSSL security level for this context; 0: default */
} bt_tls_config;

/* Build a client SSL_CTX: the PKCS#12 key and certificate, TLS >= 1.2,
 * trust = CAs inside the PKCS#12 + the system store + cafile, broker
 * certificate and host name verified unless insecure. Returns 0 or
 * BLUETTI_E_CERT_READ / _FORMAT / _PASSWORD / _NO_KEY / _EXPIRED /
 * _NOT_YET_VALID / BLUETTI_E_IO / BLUETTI_E_TLS / BLUETTI_E_NOMEM with the
 * reason in detail (never the password). diag must outlive the context.
 * Caller owns *out (SSL_CTX_free). */
int bt_tls_ctx_new(const bt_tls_config *c, bt_tls_diag *diag, SSL_CTX **out,
                   char *detail, size_t detail_len);

void bt_tls_diag_reset(bt_tls_diag *d);

/* Point a context made by bt_tls_ctx_new at another diag (for a context
 * built elsewhere and handed to the connection that reports with it). */
void bt_tls_ctx_bind(SSL_CTX *ctx, bt_tls_diag *diag);

/* SHA-256 of the DER SubjectPublicKeyInfo of cert into out[32]. */
int bt_tls_spki_sha256(X509 *cert, unsigned char out[32]);

/* After a failed handshake or a connection closed before the broker
 * accepted us: BLUETTI_E_TLS_VERIFY (the broker's certificate failed),
 * BLUETTI_E_BROKER_REFUSED (the broker rejected our certificate: its alert
 * arrived, or with TLS 1.3 it hung up right after the handshake, which is
 * how a rejected certificate looks when the alert is lost to a TCP reset),
 * or 0 when the diagnostics say nothing about TLS. Writes the reason into
 * detail. */
int bt_tls_diag_classify(const bt_tls_diag *d, char *detail, size_t detail_len);

#endif
