/* One MQTT 3.1.1 connection over TLS (libmosquitto), with automatic
 * reconnects and remembered subscriptions.
 *
 * Shared by the mqtt transport (requests out on SUB/<sn>, replies in on
 * PUB/<sn>) and tools/bluetti-sim (the other way round). Not part of the
 * public API.
 *
 * Single-threaded and event-driven: nothing happens outside mqc_open()
 * and mqc_process(), and every handler runs from inside mqc_process()
 * (never from mqc_open). There are no threads and no timers besides the
 * deadlines mqc_timeout_ms() reports.
 */
#ifndef BLUETTI_MQTT_CONN_H
#define BLUETTI_MQTT_CONN_H

#include <bluetti/bluetti.h>

typedef struct mqc mqc;
struct ssl_ctx_st;

/* MQTT username and password for one connection attempt (NUL-terminated;
 * an empty username sends none). mqc wipes it after the CONNECT. */
typedef struct mqc_credentials {
    char username[256];
    char password[512];
} mqc_credentials;

typedef struct mqc_config {
    const char *host;
    int port;
    int keepalive;              /* seconds, 5..65535 */
    int qos;                    /* 0 or 1: subscriptions and publishes */
    const char *client_id;      /* NULL: client_id_prefix + 8 random hex digits */
    const char *client_id_prefix;
    const char *cert;           /* PKCS#12 file */
    const char *password;       /* read during mqc_open only, never kept */
    const char *cafile;         /* or NULL */
    bool insecure;
    double connect_timeout_s;   /* for the first connect and for every reconnect */
    bluetti_retry_policy reconnect;  /* backoff between reconnect attempts */
    const bluetti_logger *log;
    const char *src;            /* log source, e.g. "transport-mqtt" */

    /* ---- live cloud brokers (docs/protocol/transport-mqtt-live.md) ---- */
    /* Fixed MQTT credentials (NULL: none), copied; the password is kept in
     * memory for reconnects and wiped when the connection is closed. */
    const char *username;
    const char *mqtt_password;
    /* Called before every connection attempt, the first one included (NULL:
     * none). It may fill cr (time-based passwords change every 30 s) and
     * may set *ctx to a fresh TLS context (a renewed client certificate);
     * mqc owns that context then. Without a cert file the first call must
     * give a context. 0, or an error (reason in detail): the attempt fails. */
    int (*prepare)(void *ud, struct mqc_credentials *cr, struct ssl_ctx_st **ctx, char *detail,
                   size_t detail_len);
    void *prepare_ud;
    const unsigned char *pin_sha256;  /* 32 bytes: broker key pin (SPKI SHA-256), or NULL */
    int tls_seclevel;           /* 0: OpenSSL's default; 1 for the cloud's 1880-bit key */
    double taken_holdoff_s;     /* first wait after a session-taken refusal; 0: 45 s */
} mqc_config;

typedef struct mqc_handlers {
    /* A message arrived (retained: the broker's stored copy, not a live one). */
    void (*message)(void *ud, const char *topic, const uint8_t *data, size_t len,
                    bool retained);
    /* The connection came back after a loss (subscriptions are re-sent). */
    void (*connected)(void *ud);
    /* The connection was lost (err: BLUETTI_E_DISCONNECTED). */
    void (*disconnected)(void *ud, int err);
    /* The broker answered a subscription: granted, or refused (SUBACK 0x80). */
    void (*subscribed)(void *ud, const char *topic, bool granted);
    /* A reconnect attempt failed (err: why, e.g. BLUETTI_E_SESSION_TAKEN). */
    void (*attempt_failed)(void *ud, int err, const char *detail);
} mqc_handlers;

/* Subscription states (mqc_subscription_state). */
enum { MQC_SUB_NONE = 0, MQC_SUB_PENDING, MQC_SUB_GRANTED, MQC_SUB_REFUSED };

/* Load the certificate, connect and wait for the broker's CONNACK (up to
 * connect_timeout_s). On failure nothing is left behind (no socket, no
 * memory) and detail says why. Errors: BLUETTI_E_INVAL, the certificate
 * errors of tls.h, BLUETTI_E_CONNECT, BLUETTI_E_TLS_VERIFY, BLUETTI_E_TLS,
 * BLUETTI_E_BROKER_REFUSED (also: the credentials were refused),
 * BLUETTI_E_SESSION_TAKEN (another client holds the account's session),
 * BLUETTI_E_NOMEM, or what the prepare callback returned. */
int mqc_open(const mqc_config *c, const mqc_handlers *h, void *ud, mqc **out, char *detail,
             size_t detail_len);
/* Disconnect politely and free everything (accepts NULL). */
void mqc_close(mqc *m);

/* Subscribe now if connected, and again after every reconnect. */
int mqc_subscribe(mqc *m, const char *topic);
int mqc_unsubscribe(mqc *m, const char *topic);
int mqc_subscription_state(const mqc *m, const char *topic);

/* Publish (not retained). BLUETTI_E_NOT_CONNECTED while reconnecting. */
int mqc_publish(mqc *m, const char *topic, const void *data, size_t len);

bool mqc_connected(const mqc *m);
/* The socket (or -1 between connections) and the poll events it needs. */
int mqc_fd(const mqc *m);
short mqc_events(const mqc *m);
/* Milliseconds until mqc_process has timed work to do (-1: none). */
int mqc_timeout_ms(const mqc *m);
/* Wait up to timeout_ms (-1: until something happens) for I/O or an
 * internal deadline, then do the work and run the handlers. Returns 0. */
int mqc_process(mqc *m, int timeout_ms);
/* Drop the connection at once, as a network failure would, and reconnect
 * (fault injection). The disconnected handler is not called. */
void mqc_drop(mqc *m);
const char *mqc_client_id(const mqc *m);

#endif
