/* transport-mqtt: the Bluetti cloud broker (MQTT 3.1.1 over TLS).
 *
 * Options: the table mqtt_options below, checked by the core: broker,
 * port, cert, password, cafile, insecure, keepalive, client_id, qos, and
 * the live cloud broker's keys (live.c, MQTT_LIVE_OPTION_DECLS in live.h,
 * docs/protocol/transport-mqtt-live.md).
 * An address MODEL:SUBSN (or MODEL/SUBSN) is a live device: topics
 * SUB/{model}/{subsn} and PUB/{model}/{subsn}, new envelope. Any other
 * address keeps the older reference: SUB/<address>, PUB/<address>, raw.
 *
 * One connection serves many devices: attach subscribes PUB/<serial>,
 * submit publishes to SUB/<serial>, and a reply is routed by its topic
 * (retained copies and messages on other topics are dropped and counted).
 * A lost connection is reported at once (DISCONNECTED, so a waiting request
 * fails now rather than at its timeout); process() then reconnects with
 * env->reconnect's delays (for as long as it takes: max_attempts is not
 * used), renews every subscription and reports CONNECTED. A subscription
 * the broker refuses (SUBACK 0x80) fails that device's requests with
 * BLUETTI_E_BROKER_REFUSED.
 */
#include "config.h"

#include "conn.h"
#include "live.h"

#include "bt_address.h"
#include "bt_strindex.h"
#include "bt_text.h"

#include <bluetti/cloud.h>

#include <bluetti/plugin.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#define SRC "transport-mqtt"
#define DEFAULT_BROKER "iot.bluettipower.com"

#define MAX_OUTSTANDING 8

struct att {
    char *address;
    char *reply_topic;          /* PUB/<address>: the device answers here */
    char *request_topic;        /* SUB/<address>: the device listens here */
    int envelope;               /* bluetti_envelope_kind */
    uint16_t outstanding[MAX_OUTSTANDING]; /* start registers of recent requests */
    unsigned n_out;
};

struct mqt {
    bluetti_transport_env env;
    mqc *c;
    struct att *att;
    size_t n_att, cap_att;
    bt_strindex idx;            /* attachments by address */
    unsigned refused;           /* subscriptions the broker refused so far */
    uint64_t frames_in, frames_dropped;
    bt_strindex tidx;           /* attachments by reply topic */
    mqtt_live live;
};

static void emit(struct mqt *t, int type, int err, const char *address, const uint8_t *data,
                 size_t len)
{
    bluetti_transport_event ev = { .type = type, .err = err, .address = address,
                                   .data = data, .len = len };
    if (t->env.on_event) t->env.on_event(t->env.userdata, &ev);
}

/* Every reply and every request looks its device up: with a fleet on one
 * connection a linear scan was the largest cost (docs/PERFORMANCE.md). */
/* Every reply and every request looks its device up: with a fleet on one
 * connection a linear scan was the largest cost (docs/PERFORMANCE.md). */
static const char *att_address(const void *ctx, size_t i)
{
    return ((const struct mqt *)ctx)->att[i].address;
}

static const char *att_reply_topic(const void *ctx, size_t i)
{
    return ((const struct mqt *)ctx)->att[i].reply_topic;
}

/* Refill the indexes from t->att (no allocation, cannot fail). */
static void idx_refill(struct mqt *t)
{
    bt_strindex_refill(&t->idx, t->n_att, att_address, t);
    bt_strindex_refill(&t->tidx, t->n_att, att_reply_topic, t);
}

static struct att *find_att(struct mqt *t, const char *address)
{
    size_t i;
    return bt_strindex_find(&t->idx, address, att_address, t, &i) ? &t->att[i] : NULL;
}

/* Incoming topics are matched exactly (a live broker may send others). */
static struct att *find_reply_topic(struct mqt *t, const char *topic)
{
    size_t i;
    return bt_strindex_find(&t->tidx, topic, att_reply_topic, t, &i) ? &t->att[i] : NULL;
}

/* A reply whose header names a register: it answers the request that
 * started there, or nobody we asked (a push or a late answer). */
static bool take_outstanding(struct att *a, uint16_t reg)
{
    for (unsigned i = 0; i < a->n_out; i++)
        if (a->outstanding[i] == reg) {
            a->outstanding[i] = a->outstanding[--a->n_out];
            return true;
        }
    return false;
}

static void note_outstanding(struct att *a, uint16_t reg)
{
    if (a->n_out == MAX_OUTSTANDING) {
        /* the oldest went unanswered long ago */
        memmove(a->outstanding, a->outstanding + 1, (MAX_OUTSTANDING - 1) * sizeof *a->outstanding);
        a->n_out--;
    }
    a->outstanding[a->n_out++] = reg;
}

/* ---- connection handlers (run inside process) ------------------------------ */

static void h_message(void *ud, const char *topic, const uint8_t *data, size_t len, bool retained)
{
    struct mqt *t = ud;
    struct att *a = find_reply_topic(t, topic);
    if (!a || retained) {
        /* a retained copy is old news, not an answer to anything we asked */
        t->frames_dropped++;
        bluetti_log(t->env.log, BLUETTI_LOG_DEBUG, SRC, "dropped a %s message on %s (%zu bytes)",
                    retained ? "retained" : "unexpected", topic, len);
        return;
    }
    const uint8_t *frame = data;
    size_t flen = len;
    if (a->envelope != BLUETTI_ENVELOPE_RAW) {
        bluetti_envelope_info info;
        if (bluetti_envelope_unwrap(data, len, a->envelope, &info, &frame, &flen) != 0) {
            t->frames_dropped++;
            bluetti_log(t->env.log, BLUETTI_LOG_DEBUG, SRC, "dropped a %zu-byte payload on %s: "
                        "too short for an envelope and a frame", len, topic);
            return;
        }
        /* header register 0 says nothing (the AP300's home data has it) */
        if (info.kind == BLUETTI_ENVELOPE_NEW && info.reg != 0 && a->n_out &&
            !take_outstanding(a, info.reg)) {
            t->frames_dropped++;
            bluetti_log(t->env.log, BLUETTI_LOG_DEBUG, SRC, "dropped a frame for register %u on "
                        "%s: no request for that block is outstanding", (unsigned)info.reg, topic);
            return;
        }
    }
    t->frames_in++;
    emit(t, BLUETTI_EV_FRAME, 0, a->address, frame, flen);
}

static void h_connected(void *ud)
{
    emit(ud, BLUETTI_EV_CONNECTED, 0, NULL, NULL, 0);
}

static void h_disconnected(void *ud, int err)
{
    emit(ud, BLUETTI_EV_DISCONNECTED, err, NULL, NULL, 0);
}

static void h_attempt_failed(void *ud, int err, const char *detail)
{
    struct mqt *t = ud;
    (void)detail; /* conn.c logged it */
    /* conditions a user must act on are reported, not only logged */
    if (err == BLUETTI_E_SESSION_TAKEN || err == BLUETTI_E_BROKER_REFUSED)
        emit(t, BLUETTI_EV_DISCONNECTED, err, NULL, NULL, 0);
}

static void h_subscribed(void *ud, const char *topic, bool granted)
{
    struct mqt *t = ud;
    struct att *a = find_reply_topic(t, topic);
    if (!granted) t->refused++;
    if (a && !granted) emit(t, BLUETTI_EV_ERROR, BLUETTI_E_BROKER_REFUSED, a->address, NULL, 0);
}

/* ---- options --------------------------------------------------------------- */

/* Which open() errors each option is a likely cause of (for the hints of
 * applications). */
static const int connect_causes[] = { BLUETTI_E_CONNECT, BLUETTI_E_TIMEOUT,
                                      BLUETTI_E_DISCONNECTED, BLUETTI_E_NOT_CONNECTED, 0 };
static const int cert_causes[] = { BLUETTI_E_CERT_READ, BLUETTI_E_CERT_FORMAT,
                                   BLUETTI_E_CERT_NO_KEY, 0 };
static const int password_causes[] = { BLUETTI_E_CERT_PASSWORD, 0 };
static const int verify_causes[] = { BLUETTI_E_TLS_VERIFY, 0 };

/* Every key open() accepts; the core checks types, ranges and required
 * keys and fills in the defaults before open() runs. New keys go at the
 * end of this table. */
static const bluetti_option_decl mqtt_options[] = {
    { .name = "broker", .type = BLUETTI_OPT_STRING, .default_value = DEFAULT_BROKER,
      .metavar = "HOST", .help = "MQTT broker host name or address", .causes = connect_causes,
      .flags = BLUETTI_OPTION_F_CLOUD_HOST },
    { .name = "port", .type = BLUETTI_OPT_INT, .default_value = "18760", .min = 1,
      .max = 65535, .metavar = "N", .help = "broker port", .causes = connect_causes,
      .flags = BLUETTI_OPTION_F_CLOUD_PORT },
    { .name = "cert", .type = BLUETTI_OPT_FILE, .metavar = "FILE",
      .help = "PKCS#12 (.p12/.pfx) client certificate of your Bluetti account (required "
              "unless cloud_profile gives one)",
      .causes = cert_causes, .flags = BLUETTI_OPTION_F_CREDENTIAL },
    { .name = "password", .type = BLUETTI_OPT_SECRET, .metavar = "P",
      .help = "the certificate's password; other users can see command lines, so prefer "
              "the environment variable or the prompt",
      .env = "BLUETTI_CERT_PASSWORD", .prompt = "Password for certificate {cert}",
      .causes = password_causes },
    { .name = "cafile", .type = BLUETTI_OPT_FILE, .metavar = "FILE",
      .help = "CA certificates (PEM) to check the broker with", .causes = verify_causes },
    { .name = "insecure", .type = BLUETTI_OPT_BOOL, .default_value = "false",
      .help = "do not check the broker's certificate (test brokers only)",
      .causes = verify_causes },
    { .name = "keepalive", .type = BLUETTI_OPT_INT, .default_value = "60", .min = 5,
      .max = 65535, .metavar = "S", .help = "MQTT keepalive in seconds" },
    { .name = "client_id", .type = BLUETTI_OPT_STRING, .metavar = "ID",
      .help = "MQTT client id (default: bluetti_ and 8 random hex digits, new for every run)" },
    { .name = "qos", .type = BLUETTI_OPT_INT, .default_value = "1", .min = 0, .max = 1,
      .metavar = "N", .help = "MQTT quality of service of the requests (0 or 1)" },
    MQTT_LIVE_OPTION_DECLS,
};

/* A declared number the core has checked (and defaulted). */
static int opt_int(const bluetti_options *o, const char *key, int *out, char *detail, size_t len)
{
    long v;
    int rc = bluetti_options_get_long(o, key, 0, 65535, &v);
    if (rc) bt_fmt(detail, len, "option %s is missing or invalid; open the transport through "
                   "bluetti_session_open, which checks and defaults the options", key);
    else *out = (int)v;
    return rc ? BLUETTI_E_INVAL : 0;
}

static int read_options(const bluetti_options *o, mqc_config *c, char *detail, size_t len)
{
    int rc;
    if ((rc = opt_int(o, "port", &c->port, detail, len)) ||
        (rc = opt_int(o, "keepalive", &c->keepalive, detail, len)) ||
        (rc = opt_int(o, "qos", &c->qos, detail, len)))
        return rc;
    c->insecure = false;
    bluetti_options_get_bool(o, "insecure", &c->insecure);
    c->host = bluetti_options_get(o, "broker");
    c->cert = bluetti_options_get(o, "cert");
    if ((!c->cert || !*c->cert) && bluetti_options_get(o, "cloud_profile")) {
        c->cert = NULL; /* the stored login supplies the certificate */
    } else if (!c->cert || !*c->cert) {
        bt_fmt(detail, len, "option cert is required: the PKCS#12 (.p12/.pfx) client "
               "certificate of your Bluetti account");
        return BLUETTI_E_INVAL;
    }
    c->password = bluetti_options_get(o, "password");
    c->cafile = bluetti_options_get(o, "cafile");
    c->client_id = bluetti_options_get(o, "client_id");
    return 0;
}

/* ---- the transport --------------------------------------------------------- */

static int mqt_open(const bluetti_transport_env *env, const bluetti_options *opts, void **state,
                    char *detail, size_t detail_len)
{
    if (detail && detail_len) detail[0] = '\0';
    if (!state) return BLUETTI_E_INVAL;
    *state = NULL;
    if (!env || !opts) return BLUETTI_E_INVAL;
    mqc_config c = { .client_id_prefix = "bluetti_", .log = env->log, .src = SRC,
                     .reconnect = env->reconnect,
                     .connect_timeout_s = env->connect_timeout_s > 0 ? env->connect_timeout_s : 10 };
    int rc = read_options(opts, &c, detail, detail_len);
    if (rc) return rc;
    struct mqt *t = calloc(1, sizeof *t);
    if (!t) return BLUETTI_E_NOMEM;
    t->env = *env;
    rc = mqtt_live_read_options(opts, &t->live, detail, detail_len);
    if (rc == 0) rc = mqtt_live_connect_config(&t->live, &c, detail, detail_len);
    if (rc) {
        mqtt_live_free(&t->live);
        free(t);
        return rc;
    }
    static const mqc_handlers handlers = { .message = h_message, .connected = h_connected,
                                           .disconnected = h_disconnected,
                                           .subscribed = h_subscribed,
                                           .attempt_failed = h_attempt_failed };
    rc = mqc_open(&c, &handlers, t, &t->c, detail, detail_len);
    if (rc) {
        mqtt_live_free(&t->live);
        free(t);
        return rc;
    }
    *state = t;
    return 0;
}

static void free_att(struct att *a)
{
    free(a->address);
    free(a->reply_topic);
    free(a->request_topic);
}

static void mqt_close(void *state)
{
    struct mqt *t = state;
    if (!t) return;
    mqc_close(t->c);
    for (size_t i = 0; i < t->n_att; i++) free_att(&t->att[i]);
    free(t->att);
    bt_strindex_free(&t->idx);
    bt_strindex_free(&t->tidx);
    mqtt_live_free(&t->live);
    free(t);
}

static int mqt_attach(void *state, const char *address)
{
    struct mqt *t = state;
    if (!t || !bt_address_valid(address)) return BLUETTI_E_INVAL;
    if (find_att(t, address)) return BLUETTI_E_EXISTS;
    if (t->n_att == t->cap_att) {
        size_t nc = t->cap_att ? t->cap_att * 2 : 8;
        struct att *nv = realloc(t->att, nc * sizeof *nv);
        if (!nv) return BLUETTI_E_NOMEM;
        t->att = nv;
        t->cap_att = nc;
    }
    struct att a = { .address = strdup(address) };
    if (!a.address) return BLUETTI_E_NOMEM;
    int rc = mqtt_live_device(&t->live, address, &a.request_topic, &a.reply_topic, &a.envelope);
    if (rc) {
        if (rc == BLUETTI_E_INVAL)
            bluetti_log(t->env.log, BLUETTI_LOG_ERROR, SRC, "device %s: the topic templates "
                        "name {model} or {subsn}: give the address as MODEL:SUBSN", address);
        free_att(&a);
        return rc;
    }
    if (find_reply_topic(t, a.reply_topic)) {
        free_att(&a);
        return BLUETTI_E_EXISTS;
    }
    if (bt_strindex_reserve(&t->idx, t->n_att + 1, t->n_att, att_address, t) ||
        bt_strindex_reserve(&t->tidx, t->n_att + 1, t->n_att, att_reply_topic, t)) {
        free_att(&a);
        return BLUETTI_E_NOMEM;
    }
    rc = mqc_subscribe(t->c, a.reply_topic);
    if (rc) {
        free_att(&a);
        return rc;
    }
    t->att[t->n_att++] = a;
    bt_strindex_add(&t->idx, a.address, t->n_att - 1);
    bt_strindex_add(&t->tidx, a.reply_topic, t->n_att - 1);
    return 0;
}

static int mqt_detach(void *state, const char *address)
{
    struct mqt *t = state;
    if (!t || !address) return BLUETTI_E_INVAL;
    struct att *a = find_att(t, address);
    if (!a) return BLUETTI_E_NOTFOUND;
    mqc_unsubscribe(t->c, a->reply_topic);
    free_att(a);
    *a = t->att[--t->n_att];
    idx_refill(t); /* indices moved; detaching is rare */
    return 0;
}

static int mqt_submit(void *state, const char *address, const uint8_t *frame, size_t len)
{
    struct mqt *t = state;
    if (!t || !address || !frame || !len) return BLUETTI_E_INVAL;
    struct att *a = find_att(t, address);
    if (!a) return BLUETTI_E_NOTFOUND;
    /* the subscription table is only consulted once the broker refused one */
    if (t->refused && mqc_subscription_state(t->c, a->reply_topic) == MQC_SUB_REFUSED)
        return BLUETTI_E_BROKER_REFUSED;
    if (a->envelope == BLUETTI_ENVELOPE_RAW) return mqc_publish(t->c, a->request_topic, frame, len);
    /* the new envelope names the request's start register (bytes 2-3 of a
     * read or write frame) */
    uint8_t payload[BLUETTI_MODBUS_MAX_FRAME + BLUETTI_ENVELOPE_NEW_HEADER];
    size_t plen = 0;
    uint16_t reg = (uint16_t)(len >= 4 ? frame[2] << 8 | frame[3] : 0);
    int rc = bluetti_envelope_wrap(a->envelope, reg, frame, len, payload, sizeof payload, &plen);
    if (rc) return rc;
    rc = mqc_publish(t->c, a->request_topic, payload, plen);
    if (rc == 0 && a->envelope == BLUETTI_ENVELOPE_NEW) note_outstanding(a, reg);
    return rc;
}

static int mqt_fd(void *state)
{
    return state ? mqc_fd(((struct mqt *)state)->c) : -1;
}

static int mqt_process(void *state, int timeout_ms)
{
    return state ? mqc_process(((struct mqt *)state)->c, timeout_ms) : BLUETTI_E_INVAL;
}

static int mqt_next_timeout_ms(void *state)
{
    return state ? mqc_timeout_ms(((struct mqt *)state)->c) : -1;
}

static short mqt_poll_events(void *state)
{
    return state ? mqc_events(((struct mqt *)state)->c) : 0;
}

/* What to do about the errors this transport reports, in its own terms
 * (options, not a program's flags). */
static const char *mqt_remedy(int err)
{
    switch (err) {
    case BLUETTI_E_CONNECT:
        return "check the broker and port options and the network; the transport keeps "
               "reconnecting by itself";
    case BLUETTI_E_NOT_CONNECTED:
    case BLUETTI_E_DISCONNECTED:
        return "the transport reconnects by itself; try the read again";
    case BLUETTI_E_CERT_READ: return "check the cert option: the path of the PKCS#12 file and its permissions";
    case BLUETTI_E_CERT_FORMAT:
    case BLUETTI_E_CERT_NO_KEY:
        return "give the cert option the PKCS#12 (.p12/.pfx) file of the Bluetti account";
    case BLUETTI_E_CERT_PASSWORD: return "give the certificate's password (the password option, a secret)";
    case BLUETTI_E_TLS_VERIFY:
        return "check the broker name, or give the CA that signed the broker's certificate with "
               "the cafile option";
    case BLUETTI_E_BROKER_REFUSED:
        return "the broker refused this certificate or topic: use the certificate of the account "
               "that owns the device";
    default: return NULL;
    }
}

static void mqt_stats(void *state, uint64_t *in, uint64_t *dropped)
{
    struct mqt *t = state;
    if (in) *in = t ? t->frames_in : 0;
    if (dropped) *dropped = t ? t->frames_dropped : 0;
}

static const bluetti_transport_ops mqtt_ops = {
    .name = "mqtt",
    .description = "Bluetti cloud MQTT broker over TLS with the account's PKCS#12 certificate",
    .open = mqt_open,
    .close = mqt_close,
    .attach = mqt_attach,
    .detach = mqt_detach,
    .submit = mqt_submit,
    .fd = mqt_fd,
    .process = mqt_process,
    .stats = mqt_stats,
    .options = mqtt_options,
    .n_options = sizeof mqtt_options / sizeof mqtt_options[0],
    .flags = BLUETTI_TRANSPORT_F_DEFAULT,
    .next_timeout_ms = mqt_next_timeout_ms,
    .poll_events = mqt_poll_events,
    .remedy = mqt_remedy,
};

static int mqtt_init(bluetti_registry *reg)
{
    return bluetti_registry_add_transport(reg, &mqtt_ops);
}

BLUETTI_PLUGIN_DEFINE("transport-mqtt", PACKAGE_VERSION,
                      "MQTT transport: the Bluetti cloud broker (TLS, PKCS#12 client certificate)",
                      mqtt_init);
