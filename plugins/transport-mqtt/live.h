/* transport-mqtt: what the live Bluetti cloud broker needs beyond the
 * older reference (docs/protocol/transport-mqtt-live.md): MQTT credentials
 * (fixed, or a time-based password from the login token), topic templates,
 * the payload envelope per device, the broker key pin, the security level,
 * the session-taken hold-off and (cloud_profile) fresh login material at
 * every connect. Not part of the public API.
 */
#ifndef BLUETTI_MQTT_LIVE_H
#define BLUETTI_MQTT_LIVE_H

#include "conn.h"

#include <bluetti/bluetti.h>

#define LIVE_MAX_DEVICE_ENVELOPES 64

typedef struct mqtt_live {
    char *username;             /* option username, or NULL */
    char *mqtt_password;        /* option mqtt_password (secret), or NULL */
    char *token;                /* option token (secret): TOTP password at every connect */
    long long clock_offset_ms;  /* server ms - local ms */
    char *topic_sub;            /* template: the device's request topic (we publish) */
    char *topic_pub;            /* template: the device's reply topic (we subscribe) */
    int envelope;               /* option envelope, -1: by address form */
    struct { char *address; int kind; } dev_env[LIVE_MAX_DEVICE_ENVELOPES];
    size_t n_dev_env;
    char *cloud_profile;        /* option cloud_profile, or NULL */
    char *api_cafile;           /* option api_cafile (else cafile): CAs for the cloud API */
    bool cloud;                 /* security level 1 for this connection */
    bool cloud_set;             /* ... given explicitly (else cloud_profile implies it) */
    bool has_pin;
    unsigned char pin[32];      /* option pin_broker_key */
    double taken_holdoff_s;     /* option session_holdoff */
    struct live_profile *profile; /* cloud_profile state (profile.c) */
} mqtt_live;

/* Read the live options (username, mqtt_password, token, clock_offset_ms,
 * topic_sub, topic_pub, envelope, device_envelope, cloud, pin_broker_key,
 * session_holdoff, cloud_profile) into lv (cleared first). 0, or
 * BLUETTI_E_INVAL / BLUETTI_E_NOMEM with the reason in detail. */
int mqtt_live_read_options(const bluetti_options *o, mqtt_live *lv, char *detail, size_t len);
/* "SHA256-<64 hex>" (or bare hex, colons allowed) into 32 bytes; false if malformed. */
bool mqtt_live_parse_pin(const char *v, unsigned char pin[32]);
/* Free and wipe everything lv holds. */
void mqtt_live_free(mqtt_live *lv);

/* The credentials for a connect at local time local_ms (milliseconds since
 * the Unix epoch): username = option username, else "tid:<token part 1>";
 * password = option mqtt_password, else the TOTP of (token part 1, token
 * part 0, local_ms + clock_offset_ms). Empty when neither is configured.
 * 0, or BLUETTI_E_INVAL (malformed token) with the reason in detail. */
int mqtt_live_credentials(const mqtt_live *lv, uint64_t local_ms, mqc_credentials *cr,
                          char *detail, size_t len);

/* Per device: the request and reply topics (caller frees) and the
 * envelope. An address "MODEL:SUBSN" is a live device (default templates
 * SUB/{model}/{subsn} and PUB/{model}/{subsn}, new envelope); any other
 * address keeps the older reference (SUB/{address}, PUB/{address}, raw).
 * BLUETTI_E_INVAL when a template names {model} or {subsn} and the
 * address does not carry them, BLUETTI_E_NOMEM. */
int mqtt_live_device(const mqtt_live *lv, const char *address, char **request_topic,
                     char **reply_topic, int *envelope);

/* Fill c's live fields (prepare callback, pin, security level, hold-off)
 * from lv, which must outlive the connection. 0 or BLUETTI_E_INVAL. */
int mqtt_live_connect_config(mqtt_live *lv, mqc_config *c, char *detail, size_t len);

/* cloud_profile (profile.c): check the profile at open, and at every
 * connect load it, renew the login when due, and give fresh credentials
 * and a TLS context with the downloaded certificate. */
int mqtt_live_profile_init(mqtt_live *lv, mqc_config *c, char *detail, size_t len);
int mqtt_live_profile_prepare(mqtt_live *lv, uint64_t local_ms, mqc_credentials *cr,
                              struct ssl_ctx_st **ctx, char *detail, size_t len);
void mqtt_live_profile_free(mqtt_live *lv);

/* The live keys as option declarations, for a core that checks declared
 * options (bluetti_option_decl): append MQTT_LIVE_OPTION_DECLS at the end
 * of transport-mqtt's table, and make "cert" not required there (a
 * cloud_profile brings its own certificate; read_options still insists on
 * one of the two). */
#define MQTT_LIVE_ENVELOPES ((const char *const[]){ "new", "old", "raw", NULL })
#define MQTT_LIVE_OPTION_DECLS                                                                   \
    { .name = "username", .type = BLUETTI_OPT_STRING, .metavar = "NAME",                        \
      .help = "MQTT username (live cloud broker; default with a token: tid:<sid>)" },           \
    { .name = "mqtt_password", .type = BLUETTI_OPT_SECRET, .metavar = "P",                      \
      .help = "MQTT password (with username)", .env = "BLUETTI_MQTT_PASSWORD" },                \
    { .name = "token", .type = BLUETTI_OPT_SECRET, .metavar = "T",                              \
      .help = "login token: MQTT username tid:<sid> and the time-based password, computed "     \
              "at every connect" },                                                             \
    { .name = "clock_offset_ms", .type = BLUETTI_OPT_INT, .min = -31536000000.0,               \
      .max = 31536000000.0, .metavar = "N",                                                    \
      .help = "the cloud's clock minus ours in ms, for the time-based password" },             \
    { .name = "topic_sub", .type = BLUETTI_OPT_STRING, .metavar = "T",                          \
      .help = "the device's request topic ({model}, {subsn}, {address})" },                    \
    { .name = "topic_pub", .type = BLUETTI_OPT_STRING, .metavar = "T",                          \
      .help = "the device's reply topic ({model}, {subsn}, {address})" },                      \
    { .name = "envelope", .type = BLUETTI_OPT_STRING, .allowed = MQTT_LIVE_ENVELOPES,           \
      .metavar = "KIND", .help = "payload envelope of every device: new, old or raw",          \
      .flags = BLUETTI_OPTION_F_CLOUD_ENVELOPE },                                              \
    { .name = "device_envelope", .type = BLUETTI_OPT_STRING, .repeatable = true,                \
      .metavar = "ADDRESS=KIND", .help = "payload envelope of one device" },                    \
    { .name = "cloud", .type = BLUETTI_OPT_BOOL, .help = "the cloud broker: OpenSSL security "  \
      "level 1 for its 1880-bit key, this connection only" },                                  \
    { .name = "pin_broker_key", .type = BLUETTI_OPT_STRING, .metavar = "SHA256-HEX",            \
      .help = "accept exactly the broker key with this SubjectPublicKeyInfo SHA-256" },         \
    { .name = "session_holdoff", .type = BLUETTI_OPT_REAL, .default_value = "45", .min = 0.01, \
      .max = 86400, .metavar = "S",                                                            \
      .help = "seconds to wait after another client took the account's session" },             \
    { .name = "cloud_profile", .type = BLUETTI_OPT_FILE, .metavar = "FILE",                     \
      .flags = BLUETTI_OPTION_F_CLOUD_LOGIN,                                                   \
      .help = "stored login (bluetti-tool login): credentials and certificate at every "       \
              "connect" },                                                                      \
    { .name = "api_cafile", .type = BLUETTI_OPT_FILE, .metavar = "FILE",                        \
      .help = "CA certificates for the cloud API (default: cafile)" }

/* Check a template: only {model}, {subsn} and {address} placeholders, no
 * '+' or '#'. */
bool mqtt_live_template_ok(const char *t);

#endif
