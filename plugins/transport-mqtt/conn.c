/* One MQTT 3.1.1 connection over TLS with automatic reconnects.
 *
 * Every connection attempt gets a fresh libmosquitto client: requests that
 * were in flight when a connection died are not re-sent after a reconnect
 * (they would draw replies nobody waits for any more).
 *
 * I/O: we poll() the socket ourselves (so the wait honours our deadlines)
 * and then let mosquitto_loop() with a zero timeout do the reading, writing,
 * TLS handshake steps and keepalive; once connected, mosquitto_loop_read,
 * _write and _misc are called directly for what poll() reported.
 * libmosquitto's callbacks only record what happened; the connection is
 * torn down after mosquitto_loop returns, never from inside a callback.
 */
#include "config.h"

#include "conn.h"
#include "tls.h"
#include "bt_clock.h"
#include "bt_text.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <mosquitto.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

enum state { ST_IDLE, ST_CONNECTING, ST_CONNECTED };

struct sub {
    char *topic;
    int mid;
    int state;                  /* MQC_SUB_* */
};

struct mqc {
    char *host;
    int port, keepalive, qos;
    char *client_id;
    double connect_timeout_s;
    bluetti_retry_policy reconnect;
    const bluetti_logger *log;
    const char *src;

    mqc_handlers h;
    void *ud;
    SSL_CTX *ctx;
    bt_tls_diag diag;

    struct mosquitto *mosq;
    enum state st;
    bool opening;               /* inside mqc_open: no handlers */
    double deadline;            /* CONNECTING: give up; IDLE: next attempt */
    unsigned failures;          /* consecutive failed reconnect attempts */
    double last_misc;           /* CONNECTED: when mosquitto_loop_misc last ran */
    /* set by callbacks, acted on after mosquitto_loop returns */
    bool ended;
    int connack;                /* -1 none yet, else the CONNACK code */
    int end_rc;                 /* libmosquitto's reason */
    int end_errno;
    bool tcp_never_up;          /* the socket hung up before TCP connected */
    /* why the last attempt failed */
    int fail_err;
    char fail_detail[320];

    struct sub *subs;
    size_t n_subs, cap_subs;

    /* live cloud brokers */
    char *username, *mqtt_password;     /* fixed credentials (password wiped at free) */
    int (*prepare)(void *, mqc_credentials *, SSL_CTX **, char *, size_t);
    void *prepare_ud;
    bool sent_credentials;      /* the attempt in progress logs in with a username */
    double taken_holdoff_s;
    unsigned taken;             /* consecutive session-taken refusals */
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

/* libmosquitto's global state is set up once per process and kept: its
 * init/cleanup pair is not safe to call from several threads. */
static void lib_init(void) { mosquitto_lib_init(); }

/* ---- subscriptions ---------------------------------------------------------- */

static struct sub *find_sub(const mqc *m, const char *topic)
{
    for (size_t i = 0; i < m->n_subs; i++)
        if (strcmp(m->subs[i].topic, topic) == 0) return &m->subs[i];
    return NULL;
}

static void send_subscribe(mqc *m, struct sub *s)
{
    s->state = MQC_SUB_PENDING;
    s->mid = 0;
    int rc = mosquitto_subscribe(m->mosq, &s->mid, s->topic, m->qos);
    if (rc != MOSQ_ERR_SUCCESS)
        bluetti_log(m->log, BLUETTI_LOG_WARN, m->src, "subscribing to %s failed: %s (retried "
                    "after the next reconnect)", s->topic, mosquitto_strerror(rc));
}

int mqc_subscribe(mqc *m, const char *topic)
{
    if (!m || !topic || !*topic) return BLUETTI_E_INVAL;
    if (find_sub(m, topic)) return BLUETTI_E_EXISTS;
    if (m->n_subs == m->cap_subs) {
        size_t nc = m->cap_subs ? m->cap_subs * 2 : 8;
        struct sub *nv = realloc(m->subs, nc * sizeof *nv);
        if (!nv) return BLUETTI_E_NOMEM;
        m->subs = nv;
        m->cap_subs = nc;
    }
    struct sub *s = &m->subs[m->n_subs];
    s->topic = strdup(topic);
    if (!s->topic) return BLUETTI_E_NOMEM;
    s->mid = 0;
    s->state = MQC_SUB_PENDING;
    m->n_subs++;
    if (m->st == ST_CONNECTED) send_subscribe(m, s);
    return 0;
}

int mqc_unsubscribe(mqc *m, const char *topic)
{
    if (!m || !topic) return BLUETTI_E_INVAL;
    struct sub *s = find_sub(m, topic);
    if (!s) return BLUETTI_E_NOTFOUND;
    if (m->st == ST_CONNECTED) mosquitto_unsubscribe(m->mosq, NULL, topic);
    free(s->topic);
    *s = m->subs[--m->n_subs];
    return 0;
}

int mqc_subscription_state(const mqc *m, const char *topic)
{
    const struct sub *s = (m && topic) ? find_sub(m, topic) : NULL;
    return s ? s->state : MQC_SUB_NONE;
}

/* ---- libmosquitto callbacks (record only) ----------------------------------- */

static void on_connect(struct mosquitto *mosq, void *ud, int rc)
{
    mqc *m = ud;
    m->connack = rc;
    if (rc != 0) {
        m->ended = true;
        return;
    }
    m->st = ST_CONNECTED;
    m->failures = 0;
    m->taken = 0;
    /* The log is only needed to explain a failed attempt; once connected,
     * libmosquitto would format four debug lines per request for nothing
     * (about 4 % of a 1000-device fleet's CPU, docs/PERFORMANCE.md). */
    mosquitto_log_callback_set(mosq, NULL);
    for (size_t i = 0; i < m->n_subs; i++) send_subscribe(m, &m->subs[i]);
    if (!m->opening) {
        bluetti_log(m->log, BLUETTI_LOG_INFO, m->src, "reconnected to %s:%d", m->host, m->port);
        if (m->h.connected) m->h.connected(m->ud);
    }
}

static void on_disconnect(struct mosquitto *mosq, void *ud, int rc)
{
    (void)mosq;
    mqc *m = ud;
    if (!m->ended) {
        m->ended = true;
        m->end_rc = rc;
        m->end_errno = errno;
    }
}

static void on_message(struct mosquitto *mosq, void *ud, const struct mosquitto_message *msg)
{
    (void)mosq;
    mqc *m = ud;
    if (m->opening || !m->h.message || !msg || !msg->topic) return;
    m->h.message(m->ud, msg->topic, msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0,
                 msg->retain);
}

static void on_subscribe(struct mosquitto *mosq, void *ud, int mid, int qos_count,
                         const int *granted)
{
    (void)mosq;
    mqc *m = ud;
    for (size_t i = 0; i < m->n_subs; i++) {
        struct sub *s = &m->subs[i];
        if (s->mid != mid || s->state != MQC_SUB_PENDING) continue;
        bool ok = qos_count >= 1 && granted && granted[0] >= 0 && granted[0] < 0x80;
        s->state = ok ? MQC_SUB_GRANTED : MQC_SUB_REFUSED;
        if (!ok)
            bluetti_log(m->log, BLUETTI_LOG_ERROR, m->src,
                        "the broker refused the subscription to %s (SUBACK 0x80: not allowed "
                        "for this certificate)", s->topic);
        if (m->h.subscribed) m->h.subscribed(m->ud, s->topic, ok);
        return;
    }
}

static void on_log(struct mosquitto *mosq, void *ud, int level, const char *str)
{
    (void)mosq;
    mqc *m = ud;
    if (!str || !(level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))) return;
    /* kept for the error detail of a failed attempt */
    snprintf(m->diag.lib_error, sizeof m->diag.lib_error, "%s", str);
    bluetti_log(m->log, BLUETTI_LOG_DEBUG, m->src, "libmosquitto: %s", str);
}

/* ---- connection attempts ------------------------------------------------------ */

static void drop_client(mqc *m)
{
    if (m->mosq) {
        mosquitto_destroy(m->mosq); /* closes the socket */
        m->mosq = NULL;
    }
    for (size_t i = 0; i < m->n_subs; i++) m->subs[i].state = MQC_SUB_PENDING;
}

/* The attempt in progress failed: err and detail say why. */
static void attempt_failed(mqc *m, int err, const char *detail)
{
    drop_client(m);
    m->st = ST_IDLE;
    m->fail_err = err;
    snprintf(m->fail_detail, sizeof m->fail_detail, "%s", detail);
    if (m->opening) return;
    double delay = bluetti_retry_delay(&m->reconnect, m->failures);
    m->failures++;
    if (err == BLUETTI_E_SESSION_TAKEN) {
        /* another client holds the account's session: asking again soon
         * only prolongs the fight (docs/protocol/transport-mqtt-live.md) */
        double hold = m->taken_holdoff_s * ldexp(1.0, (int)(m->taken < 10 ? m->taken : 10));
        if (hold > 600.0 && m->taken_holdoff_s <= 600.0) hold = 600.0;
        m->taken++;
        if (hold > delay) delay = hold;
    } else {
        m->taken = 0;
    }
    m->deadline = bt_now() + delay;
    if (m->h.attempt_failed) m->h.attempt_failed(m->ud, err, detail);
    bluetti_log(m->log, err == BLUETTI_E_CONNECT ? BLUETTI_LOG_WARN : BLUETTI_LOG_ERROR, m->src,
                "reconnecting to %s:%d failed: %s; next attempt in %.3g s", m->host, m->port,
                detail, delay);
}

#define REFUSED_HINT " (is the broker running, and is the port right?)"

/* True when the TCP connection never came up. libmosquitto's first TLS
 * read may already have consumed the socket's error (ECONNREFUSED). */
static bool never_connected(const mqc *m)
{
    int fd = m->mosq ? mosquitto_socket(m->mosq) : -1;
    struct sockaddr_storage sa;
    socklen_t sl = sizeof sa;
    return fd >= 0 && getpeername(fd, (struct sockaddr *)&sa, &sl) != 0 && errno == ENOTCONN;
}

/* Why a connection ended before the broker accepted it. */
static void classify_failure(mqc *m, int rc, int err_no)
{
    char d[sizeof m->fail_detail];
    int err;
    bluetti_log(m->log, BLUETTI_LOG_DEBUG, m->src,
                "attempt ended: rc %d (%s), errno %d, CONNACK %d, TLS alert %d, handshake %s",
                rc, mosquitto_strerror(rc), err_no, m->connack, m->diag.alert,
                m->diag.handshake_done ? (m->diag.tls13 ? "done (1.3)" : "done") : "not done");
    if (m->connack == 3 && m->diag.handshake_done) {
        err = BLUETTI_E_SESSION_TAKEN;
        bt_fmt(d, sizeof d, "the broker at %s:%d refused the session (CONNACK 3, server "
               "unavailable) after a good TLS handshake: another client, most likely the "
               "Bluetti app, holds this account's MQTT session; close it and try again",
               m->host, m->port);
    } else if ((m->connack == 4 || m->connack == 5) && m->sent_credentials) {
        err = BLUETTI_E_BROKER_REFUSED;
        bt_fmt(d, sizeof d, "the broker at %s:%d refused the credentials: the MQTT username "
               "or password is wrong or expired (CONNACK %d: %s); check username/"
               "mqtt_password, or log in again for a fresh token", m->host, m->port,
               m->connack, mosquitto_connack_string(m->connack));
    } else if (m->connack > 0) {
        err = BLUETTI_E_BROKER_REFUSED;
        bt_fmt(d, sizeof d, "the broker at %s:%d refused the connection: %s (CONNACK %d)",
               m->host, m->port, mosquitto_connack_string(m->connack), m->connack);
    } else if (m->connack < 0 && m->sent_credentials && m->diag.handshake_done &&
               m->diag.alert < 0 && !m->diag.verify_err) {
        /* the live broker's answer to a second client on the account */
        err = BLUETTI_E_SESSION_TAKEN;
        bt_fmt(d, sizeof d, "the broker at %s:%d closed the connection after a good TLS "
               "handshake without answering the login: another client, most likely the "
               "Bluetti app, holds this account's MQTT session (close it and try again; if "
               "that is not it, the broker rejected the client certificate)", m->host, m->port);
    } else if ((err = bt_tls_diag_classify(&m->diag, d, sizeof d)) != 0) {
        /* verification or certificate rejection: detail filled in */
    } else if (rc == MOSQ_ERR_TLS) {
        err = BLUETTI_E_TLS;
        bt_fmt(d, sizeof d, "TLS handshake with %s:%d failed: %s", m->host, m->port,
               m->diag.lib_error[0] ? m->diag.lib_error : "no details");
    } else if (rc == MOSQ_ERR_ERRNO && err_no) {
        err = BLUETTI_E_CONNECT;
        bt_fmt(d, sizeof d, "connection to %s:%d failed: %s%s", m->host, m->port,
               strerror(err_no), err_no == ECONNREFUSED ? REFUSED_HINT : "");
    } else if (!m->diag.handshake_done && (m->tcp_never_up || never_connected(m))) {
        err = BLUETTI_E_CONNECT;
        bt_fmt(d, sizeof d, "connection to %s:%d refused or unreachable%s", m->host, m->port,
               REFUSED_HINT);
    } else {
        err = BLUETTI_E_CONNECT;
        bt_fmt(d, sizeof d, "the connection to %s:%d closed before the broker accepted it (%s)",
               m->host, m->port, m->diag.lib_error[0] ? m->diag.lib_error : mosquitto_strerror(rc));
    }
    attempt_failed(m, err, d);
}

static void lost(mqc *m, int rc)
{
    drop_client(m);
    m->st = ST_IDLE;
    double delay = bluetti_retry_delay(&m->reconnect, 0);
    m->failures = 1; /* the next failed attempt waits one step longer */
    m->deadline = bt_now() + delay;
    bluetti_log(m->log, BLUETTI_LOG_WARN, m->src,
                "connection to %s:%d lost (%s); reconnecting in %.3g s", m->host, m->port,
                m->diag.lib_error[0] && rc != MOSQ_ERR_CONN_LOST ? m->diag.lib_error
                                                                : mosquitto_strerror(rc),
                delay);
    if (m->h.disconnected) m->h.disconnected(m->ud, BLUETTI_E_DISCONNECTED);
}

static void attempt_start(mqc *m)
{
    char d[sizeof m->fail_detail];
    bt_tls_diag_reset(&m->diag);
    m->ended = false;
    m->connack = -1;
    m->end_rc = 0;
    m->end_errno = 0;
    m->tcp_never_up = false;
    m->sent_credentials = false;
    m->st = ST_CONNECTING;
    m->deadline = bt_now() + m->connect_timeout_s;
    mqc_credentials cr;
    memset(&cr, 0, sizeof cr);
    if (m->username) snprintf(cr.username, sizeof cr.username, "%s", m->username);
    if (m->mqtt_password) snprintf(cr.password, sizeof cr.password, "%s", m->mqtt_password);
    if (m->prepare) {
        SSL_CTX *fresh = NULL;
        int prc = m->prepare(m->prepare_ud, &cr, &fresh, d, sizeof d);
        if (prc) {
            OPENSSL_cleanse(&cr, sizeof cr);
            SSL_CTX_free(fresh);
            attempt_failed(m, prc, d);
            return;
        }
        if (fresh) {
            bt_tls_ctx_bind(fresh, &m->diag);
            SSL_CTX_free(m->ctx);
            m->ctx = fresh;
        }
    }
    if (!m->ctx) {
        OPENSSL_cleanse(&cr, sizeof cr);
        attempt_failed(m, BLUETTI_E_INVAL, "no client certificate to connect with");
        return;
    }
    m->mosq = mosquitto_new(m->client_id, true, m);
    if (!m->mosq) {
        OPENSSL_cleanse(&cr, sizeof cr);
        attempt_failed(m, BLUETTI_E_NOMEM, "cannot create an MQTT client (out of memory)");
        return;
    }
    if (cr.username[0]) {
        /* libmosquitto keeps its own copy until the client is destroyed */
        int urc = mosquitto_username_pw_set(m->mosq, cr.username,
                                            cr.password[0] ? cr.password : NULL);
        OPENSSL_cleanse(&cr, sizeof cr);
        if (urc != MOSQ_ERR_SUCCESS) {
            attempt_failed(m, urc == MOSQ_ERR_NOMEM ? BLUETTI_E_NOMEM : BLUETTI_E_INVAL,
                           "the MQTT username or password is not valid UTF-8 text");
            return;
        }
        m->sent_credentials = true;
    }
    OPENSSL_cleanse(&cr, sizeof cr);
    mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(m->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
    mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    /* libmosquitto takes its own reference on the context */
    if (mosquitto_void_option(m->mosq, MOSQ_OPT_SSL_CTX, m->ctx) != MOSQ_ERR_SUCCESS) {
        attempt_failed(m, BLUETTI_E_TLS, "libmosquitto does not accept a TLS context (built "
                       "without TLS support?)");
        return;
    }
    mosquitto_connect_callback_set(m->mosq, on_connect);
    mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
    mosquitto_message_callback_set(m->mosq, on_message);
    mosquitto_subscribe_callback_set(m->mosq, on_subscribe);
    mosquitto_log_callback_set(m->mosq, on_log);
    errno = 0;
    int rc = mosquitto_connect_async(m->mosq, m->host, m->port, m->keepalive);
    int e = errno;
    if (rc == MOSQ_ERR_SUCCESS) return;
    if (rc == MOSQ_ERR_EAI) {
        bt_fmt(d, sizeof d, "cannot resolve the broker name %s", m->host);
        attempt_failed(m, BLUETTI_E_CONNECT, d);
    } else {
        /* on loopback the whole handshake can happen in there */
        classify_failure(m, rc, e);
    }
}

/* ---- the event loop -------------------------------------------------------- */

static void after_loop(mqc *m, int rc)
{
    if (!m->mosq) return;
    int e = m->end_errno ? m->end_errno : errno;
    bool dead = m->ended || rc != MOSQ_ERR_SUCCESS || mosquitto_socket(m->mosq) < 0;
    if (!dead) return;
    if (!m->ended) m->end_rc = rc;
    if (m->st == ST_CONNECTED && m->connack == 0) lost(m, m->end_rc);
    else classify_failure(m, m->end_rc, e);
}

/* One round: wait for the socket up to wait_ms, then let libmosquitto work. */
static void step(mqc *m, int wait_ms)
{
    int fd = m->mosq ? mosquitto_socket(m->mosq) : -1;
    if (fd < 0) {
        if (wait_ms != 0) poll(NULL, 0, wait_ms); /* nothing to watch until the next attempt */
        return;
    }
    struct pollfd p = { .fd = fd, .events = mqc_events(m) };
    int n = poll(&p, 1, wait_ms);
    bool hup = n > 0 && (p.revents & (POLLERR | POLLHUP));
    if (hup && m->st == ST_CONNECTING) {
        /* an asynchronous TCP connect that failed (refused, unreachable) */
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr &&
            m->diag.handshake_done) {
            classify_failure(m, MOSQ_ERR_ERRNO, soerr); /* reset after the handshake */
            return;
        }
        if (soerr) {
            char d[sizeof m->fail_detail];
            bt_fmt(d, sizeof d, "connection to %s:%d failed: %s%s", m->host, m->port,
                   strerror(soerr), soerr == ECONNREFUSED ? REFUSED_HINT : "");
            attempt_failed(m, BLUETTI_E_CONNECT, d);
            return;
        }
        m->tcp_never_up = never_connected(m);
    }
    errno = 0;
    int rc;
    if (m->st == ST_CONNECTED && !hup) {
        /* poll() already said what is ready: read and write directly
         * instead of letting mosquitto_loop() select() the socket again
         * (one system call less per wake-up); loop_misc sends keepalives. */
        rc = MOSQ_ERR_SUCCESS;
        if (n > 0 && (p.revents & POLLIN)) rc = mosquitto_loop_read(m->mosq, 1);
        if (rc == MOSQ_ERR_SUCCESS && m->mosq && mosquitto_want_write(m->mosq))
            rc = mosquitto_loop_write(m->mosq, 1);
        if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_misc(m->mosq);
        m->last_misc = bt_now();
    } else {
        rc = mosquitto_loop(m->mosq, 0, 1); /* runs loop_misc too */
        m->last_misc = bt_now();
    }
    after_loop(m, rc);
    if (hup && m->mosq && m->st == ST_CONNECTING) {
        /* The broker hung up and libmosquitto has read what there was; left
         * alone it would retry the TLS handshake on the dead socket. */
        classify_failure(m, MOSQ_ERR_CONN_LOST, 0);
    }
}

static void check_deadlines(mqc *m)
{
    double now = bt_now();
    if (m->st == ST_CONNECTING && now >= m->deadline) {
        char d[sizeof m->fail_detail];
        bt_fmt(d, sizeof d, "no answer from the broker at %s:%d within %.3g s", m->host,
               m->port, m->connect_timeout_s);
        attempt_failed(m, BLUETTI_E_CONNECT, d);
    }
}

int mqc_timeout_ms(const mqc *m)
{
    if (!m) return -1;
    double now = bt_now();
    switch (m->st) {
    case ST_IDLE:
    case ST_CONNECTING:
        return bt_ms_until(m->deadline, now, 86400000);
    case ST_CONNECTED:
    default:
        /* libmosquitto sends its keepalive PINGREQ from loop_misc once the
         * keepalive has passed since the last packet, which only it knows:
         * checking every quarter keepalive sends it at most a quarter late,
         * well inside the broker's 1.5 x keepalive grace */
        return bt_ms_until(m->last_misc + m->keepalive / 4.0, now, 86400000);
    }
}

int mqc_process(mqc *m, int timeout_ms)
{
    if (!m) return BLUETTI_E_INVAL;
    if (m->st == ST_IDLE && bt_now() >= m->deadline) {
        bluetti_log(m->log, BLUETTI_LOG_INFO, m->src, "reconnecting to %s:%d", m->host, m->port);
        attempt_start(m);
    }
    int wait = timeout_ms;
    int internal = mqc_timeout_ms(m);
    if (wait < 0 || (internal >= 0 && internal < wait)) wait = internal;
    step(m, wait);
    check_deadlines(m);
    return 0;
}

/* ---- public calls ---------------------------------------------------------- */

bool mqc_connected(const mqc *m) { return m && m->st == ST_CONNECTED; }

int mqc_fd(const mqc *m) { return (m && m->mosq) ? mosquitto_socket(m->mosq) : -1; }

short mqc_events(const mqc *m)
{
    if (!m || !m->mosq) return 0;
    return (short)(POLLIN | (mosquitto_want_write(m->mosq) ? POLLOUT : 0));
}

const char *mqc_client_id(const mqc *m) { return m ? m->client_id : NULL; }

int mqc_publish(mqc *m, const char *topic, const void *data, size_t len)
{
    if (!m || !topic || (!data && len) || len > 268435455u) return BLUETTI_E_INVAL;
    if (m->st != ST_CONNECTED) return BLUETTI_E_NOT_CONNECTED;
    int rc = mosquitto_publish(m->mosq, NULL, topic, (int)len, data, m->qos, false);
    switch (rc) {
    case MOSQ_ERR_SUCCESS:
        return 0;
    case MOSQ_ERR_NOMEM:
        return BLUETTI_E_NOMEM;
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_MALFORMED_UTF8:
        return BLUETTI_E_INVAL;
    default:
        /* the socket failed: the next mqc_process notices and reconnects */
        return BLUETTI_E_NOT_CONNECTED;
    }
}

void mqc_drop(mqc *m)
{
    if (!m || m->st == ST_IDLE) return;
    drop_client(m);
    m->st = ST_IDLE;
    m->failures = 0;
    m->deadline = bt_now();
}

static bool random_hex(char *out, size_t n)
{
    unsigned char b[16];
    if (n / 2 > sizeof b || RAND_bytes(b, (int)(n / 2)) != 1) return false;
    for (size_t i = 0; i < n / 2; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
    return true;
}

static void free_all(mqc *m)
{
    drop_client(m);
    for (size_t i = 0; i < m->n_subs; i++) free(m->subs[i].topic);
    free(m->subs);
    SSL_CTX_free(m->ctx);
    free(m->username);
    if (m->mqtt_password) OPENSSL_cleanse(m->mqtt_password, strlen(m->mqtt_password));
    free(m->mqtt_password);
    free(m->host);
    free(m->client_id);
    free(m);
}

int mqc_open(const mqc_config *c, const mqc_handlers *h, void *ud, mqc **out, char *detail,
             size_t detail_len)
{
    if (detail && detail_len) detail[0] = '\0';
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    if (!c || !c->host || !*c->host) {
        bt_fmt(detail, detail_len, "no broker host name given");
        return BLUETTI_E_INVAL;
    }
    if (c->port < 1 || c->port > 65535 || c->keepalive < 5 || c->keepalive > 65535 ||
        c->qos < 0 || c->qos > 1 || !(c->connect_timeout_s > 0)) {
        bt_fmt(detail, detail_len, "invalid MQTT settings (port 1..65535, keepalive 5..65535 s, "
               "qos 0 or 1, a positive connect timeout)");
        return BLUETTI_E_INVAL;
    }
    if ((!c->cert || !*c->cert) && !c->prepare) {
        bt_fmt(detail, detail_len, "no client certificate given: the broker needs the PKCS#12 "
               "(.p12/.pfx) file of your Bluetti account");
        return BLUETTI_E_INVAL;
    }
    if (c->client_id && (!*c->client_id || strlen(c->client_id) > 65535)) {
        bt_fmt(detail, detail_len, "the MQTT client id must not be empty");
        return BLUETTI_E_INVAL;
    }
    pthread_once(&lib_once, lib_init);

    mqc *m = calloc(1, sizeof *m);
    if (!m) return BLUETTI_E_NOMEM;
    m->port = c->port;
    m->keepalive = c->keepalive;
    m->qos = c->qos;
    m->connect_timeout_s = c->connect_timeout_s;
    m->reconnect = c->reconnect;
    if (bluetti_retry_validate(&m->reconnect, NULL) != 0) bluetti_retry_default(&m->reconnect);
    m->log = c->log;
    m->src = c->src ? c->src : "mqtt";
    if (h) m->h = *h;
    m->ud = ud;
    m->host = strdup(c->host);
    m->prepare = c->prepare;
    m->prepare_ud = c->prepare_ud;
    m->taken_holdoff_s = c->taken_holdoff_s > 0 ? c->taken_holdoff_s : 45.0;
    bool creds_ok = true;
    if (c->username && *c->username && !(m->username = strdup(c->username))) creds_ok = false;
    if (c->mqtt_password && *c->mqtt_password &&
        !(m->mqtt_password = strdup(c->mqtt_password)))
        creds_ok = false;
    if (c->client_id) {
        m->client_id = strdup(c->client_id);
    } else {
        const char *prefix = c->client_id_prefix ? c->client_id_prefix : "bluetti_";
        size_t pl = strlen(prefix);
        m->client_id = malloc(pl + 9);
        if (m->client_id) {
            memcpy(m->client_id, prefix, pl);
            if (!random_hex(m->client_id + pl, 8)) {
                free(m->client_id);
                m->client_id = NULL;
            }
        }
    }
    if (!m->host || !m->client_id || !creds_ok) {
        free_all(m);
        return BLUETTI_E_NOMEM;
    }

    int rc;
    bt_tls_diag_reset(&m->diag);
    if (c->cert && *c->cert) {
        bt_tls_config tc = { .cert = c->cert, .password = c->password, .cafile = c->cafile,
                             .insecure = c->insecure, .host = c->host, .log = c->log,
                             .src = m->src, .pin_sha256 = c->pin_sha256,
                             .seclevel = c->tls_seclevel };
        rc = bt_tls_ctx_new(&tc, &m->diag, &m->ctx, detail, detail_len);
        if (rc) {
            free_all(m);
            return rc;
        }
    }

    bluetti_log(m->log, BLUETTI_LOG_INFO, m->src, "connecting to %s:%d as %s", m->host, m->port,
                m->client_id);
    m->opening = true;
    attempt_start(m);
    while (m->st == ST_CONNECTING) {
        step(m, bt_ms_until(m->deadline, bt_now(), 86400000));
        check_deadlines(m);
    }
    m->opening = false;
    if (m->st != ST_CONNECTED) {
        rc = m->fail_err ? m->fail_err : BLUETTI_E_CONNECT;
        bt_fmt(detail, detail_len, "%s", m->fail_detail);
        free_all(m);
        return rc;
    }
    bluetti_log(m->log, BLUETTI_LOG_INFO, m->src, "connected to %s:%d", m->host, m->port);
    *out = m;
    return 0;
}

void mqc_close(mqc *m)
{
    if (!m) return;
    if (m->st == ST_CONNECTED && m->mosq) {
        /* DISCONNECT goes out at once: the client is not threaded */
        mosquitto_disconnect(m->mosq);
    }
    free_all(m);
}
