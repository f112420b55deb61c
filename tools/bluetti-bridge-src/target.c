/* The target broker: one libmosquitto client driven from the bridge's
 * poll() loop (mosquitto_socket, loop_read/loop_write/loop_misc; no
 * thread of its own). A retained last will says `offline` for the bridge,
 * `online` follows every connect. Lost connections and refusals are
 * retried with a doubling delay (1 s to 60 s, with jitter), never in a
 * busy loop; what is published meanwhile waits in the outbox. */
#include "config.h"

#include "runtime.h"

#include "bt_clock.h"
#include "bt_escape.h"
#include "bt_text.h"

#include <mosquitto.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN 1.0
#define BACKOFF_MAX 60.0
#define OUTBOX_LIMIT 1000000
/* Messages handed to libmosquitto and not yet acknowledged: beyond this
 * they wait in the outbox, where a newer payload replaces them, instead
 * of in libmosquitto's unbounded queue. */
#define FLIGHT_LIMIT 512

static void schedule_retry(br_mqtt *q, double now)
{
    double jitter = 1.0 + (double)(rand() % 250) / 1000.0;
    q->next_attempt = now + q->backoff * jitter;
    q->backoff = q->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : q->backoff * 2;
}

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    br_mqtt *q = ud;
    q->connecting = false;
    if (rc == 0) {
        q->connected = true;
        q->just_connected = true;
        q->backoff = BACKOFF_MIN;
        q->last_error[0] = '\0';
        br_log(BR_INFO, "connected to the target broker %s:%d", q->host, q->port);
        return;
    }
    bt_fmt(q->last_error, sizeof q->last_error, "the broker refused the connection: %s",
           mosquitto_connack_string(rc));
    br_log(BR_ERROR, "target broker %s:%d: %s; check username, password_file and the "
           "broker's ACL", q->host, q->port, q->last_error);
}

static void on_disconnect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    br_mqtt *q = ud;
    if (q->connected && rc != 0)
        br_log(BR_WARN, "lost the target broker %s:%d; retrying", q->host, q->port);
    q->connected = false;
    q->connecting = false;
}

static void on_publish(struct mosquitto *m, void *ud, int mid)
{
    (void)m;
    (void)mid;
    br_mqtt *q = ud;
    if (q->unacked) q->unacked--;
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    (void)m;
    br_mqtt *q = ud;
    if (!msg->topic) return;
    if (!strcmp(msg->topic, q->ha_status_topic)) {
        if (msg->payloadlen == 6 && !memcmp(msg->payload, "online", 6)) q->ha_online = true;
        return;
    }
    bool match = false;
    /* a retained command is an old one: never acted on */
    if (q->on_command && !msg->retain && mosquitto_topic_matches_sub(q->cmd_topic, msg->topic,
                                                                     &match) == 0 && match)
        q->on_command(q->cmd_ud, msg->topic, msg->payload,
                      msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
}

static int pw_cb(char *buf, int size, int rwflag, void *ud)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)ud;
    return 0; /* an encrypted key file is not supported: libmosquitto must not prompt */
}

int br_mqtt_open(br_mqtt *q, const br_config *c, char *err, size_t err_len)
{
    const br_target *t = &c->target;
    q->qos = t->qos;
    q->backoff = BACKOFF_MIN;
    q->out.limit = OUTBOX_LIMIT;
    q->port = t->port;
    q->keepalive = t->keepalive;
    char topic[512];
    bt_fmt(topic, sizeof topic, "%s/bridge/%s/availability", c->prefix, c->id);
    q->avail_topic = strdup(topic);
    q->ha_status_topic = strdup(c->ha_status_topic);
    q->host = strdup(t->broker);
    bt_fmt(topic, sizeof topic, "%s/+/+/set", c->prefix);
    q->cmd_topic = strdup(topic);
    if (!q->avail_topic || !q->ha_status_topic || !q->host || !q->cmd_topic) {
        bt_fmt(err, err_len, "out of memory");
        return BR_EXIT_FAIL;
    }
    if (q->print_only) return 0;
    mosquitto_lib_init();
    q->m = mosquitto_new(t->client_id, true, q);
    if (!q->m) {
        bt_fmt(err, err_len, "cannot create the MQTT client: %s", strerror(errno));
        return BR_EXIT_FAIL;
    }
    mosquitto_int_option(q->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    /* small messages (availability, acknowledgements) must not wait for
     * delayed ACKs (docs/PERFORMANCE.md, "Broker: Nagle") */
    mosquitto_int_option(q->m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(q->m, on_connect);
    mosquitto_disconnect_callback_set(q->m, on_disconnect);
    mosquitto_message_callback_set(q->m, on_message);
    mosquitto_publish_callback_set(q->m, on_publish);
    /* libmosquitto holds back what is beyond its own in-flight limit; the
     * outbox does that (newest state wins), so the two limits agree */
    mosquitto_max_inflight_messages_set(q->m, FLIGHT_LIMIT);
    int rc = mosquitto_will_set(q->m, q->avail_topic, 7, "offline", 1, true);
    if (!rc && t->username) rc = mosquitto_username_pw_set(q->m, t->username, t->password);
    if (!rc && t->tls) {
        rc = mosquitto_tls_set(q->m, t->cafile, t->cafile ? NULL : "/etc/ssl/certs", t->certfile,
                               t->keyfile, pw_cb);
        if (!rc && t->insecure) {
            br_log(BR_WARN, "[target] insecure = true: the broker's certificate is NOT verified");
            rc = mosquitto_tls_insecure_set(q->m, true);
        }
    }
    if (rc) {
        bt_fmt(err, err_len, "%s: [target]: %s; check cafile, certfile and keyfile",
               bt_shown_path(c->path), mosquitto_strerror(rc));
        return BR_EXIT_CONFIG;
    }
    q->next_attempt = bt_now(); /* the first connect happens in br_mqtt_io */
    return 0;
}

static void try_connect(br_mqtt *q, double now)
{
    q->next_attempt = 0;
    int rc = q->reconnects++ ? mosquitto_reconnect_async(q->m)
                             : mosquitto_connect_async(q->m, q->host, q->port, q->keepalive);
    if (rc == MOSQ_ERR_SUCCESS) {
        q->connecting = true;
        q->last_misc = now;
        return;
    }
    bt_fmt(q->last_error, sizeof q->last_error, "cannot connect to %s:%d: %s", q->host, q->port,
           rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
    br_log(BR_WARN, "target broker: %s; retrying", q->last_error);
    schedule_retry(q, now);
}

void br_mqtt_put(br_mqtt *q, const char *topic, const char *payload, size_t len, bool retain)
{
    if (q->print_only) {
        fputs(topic, stdout);
        fputc(' ', stdout);
        fwrite(payload, 1, len, stdout);
        fputc('\n', stdout);
        return;
    }
    if (br_outbox_put(&q->out, topic, payload, len, retain) != 0 && q->out.dropped == 1)
        br_log(BR_WARN, "outbox full (%zu topics) or out of memory: dropping messages",
               q->out.n);
}

void br_mqtt_puts(br_mqtt *q, const char *topic, const char *payload, bool retain)
{
    br_mqtt_put(q, topic, payload, strlen(payload), retain);
}

void br_mqtt_pollfd(br_mqtt *q, struct pollfd *p)
{
    p->fd = q->m && (q->connected || q->connecting) ? mosquitto_socket(q->m) : -1;
    p->events = POLLIN;
    if (p->fd >= 0 && mosquitto_want_write(q->m)) p->events |= POLLOUT;
    p->revents = 0;
}

bool br_mqtt_can_send(const br_mqtt *q)
{
    return q->connected && !q->just_connected && q->out.count && q->unacked < FLIGHT_LIMIT;
}

int br_mqtt_timeout_ms(const br_mqtt *q, double now)
{
    if (!q->m) return -1;
    if (q->next_attempt > 0) return bt_ms_until(q->next_attempt, now, 3600000);
    if (q->connected || q->connecting) return bt_ms_until(q->last_misc + 1.0, now, 1000);
    return -1;
}

static void lost(br_mqtt *q, int rc, double now)
{
    if (q->connected || q->connecting) {
        bt_fmt(q->last_error, sizeof q->last_error, "connection to %s:%d lost: %s", q->host,
               q->port, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
        br_log(BR_WARN, "target broker: %s; retrying", q->last_error);
    }
    q->connected = q->connecting = false;
    q->unacked = 0; /* a clean session: what was in flight is gone, the outbox has the newest */
    if (q->next_attempt <= 0) schedule_retry(q, now);
}

static void flush(br_mqtt *q)
{
    br_msg *m;
    while (q->connected && q->unacked < FLIGHT_LIMIT && (m = br_outbox_peek(&q->out))) {
        int rc = mosquitto_publish(q->m, NULL, m->topic, (int)m->len, m->payload, q->qos,
                                   m->retain);
        if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_NOMEM) break;
        if (rc) br_log(BR_WARN, "cannot publish to %s: %s", bt_shown(m->topic), mosquitto_strerror(rc));
        else {
            q->published++;
            if (q->qos > 0) q->unacked++;
        }
        br_outbox_done(&q->out);
    }
}

void br_mqtt_io(br_mqtt *q, short revents, double now)
{
    if (!q->m) return;
    if (q->next_attempt > 0 && now >= q->next_attempt) try_connect(q, now);
    if (!q->connected && !q->connecting) return;
    int rc = MOSQ_ERR_SUCCESS;
    if (revents & (POLLIN | POLLERR | POLLHUP)) rc = mosquitto_loop_read(q->m, 1);
    if (!rc && (revents & POLLOUT)) rc = mosquitto_loop_write(q->m, 1);
    if (!rc && now >= q->last_misc + 1.0) {
        q->last_misc = now;
        rc = mosquitto_loop_misc(q->m);
    }
    if (rc) {
        lost(q, rc, now);
        return;
    }
    if (q->connecting && !q->connected && now > q->last_misc + 30) {
        lost(q, MOSQ_ERR_TIMEOUT, now);
        return;
    }
    if (q->just_connected) {
        mosquitto_subscribe(q->m, NULL, q->ha_status_topic, 1);
        mosquitto_subscribe(q->m, NULL, q->cmd_topic, q->qos);
        mosquitto_publish(q->m, NULL, q->avail_topic, 6, "online", 1, true);
    }
    if (!q->just_connected) flush(q); /* after a connect the bridge republishes first */
    if (q->connected && mosquitto_want_write(q->m)) {
        rc = mosquitto_loop_write(q->m, 1);
        if (rc) lost(q, rc, now);
    }
}

void br_mqtt_close(br_mqtt *q, double timeout_s)
{
    if (q->m && q->connected) {
        /* what is pending goes out first (removed devices' empty configs),
         * then offline; wait for the broker's acknowledgements */
        double end = bt_now() + timeout_s;
        bool said_offline = false;
        while (q->connected && bt_now() < end) {
            flush(q);
            if (!said_offline && !q->out.count) {
                if (mosquitto_publish(q->m, NULL, q->avail_topic, 7, "offline", 1, true) == 0)
                    q->unacked++;
                said_offline = true;
            }
            if (said_offline && !q->unacked && !mosquitto_want_write(q->m)) break;
            struct pollfd p = { mosquitto_socket(q->m),
                                (short)(POLLIN | (mosquitto_want_write(q->m) ? POLLOUT : 0)), 0 };
            if (poll(&p, 1, bt_ms_until(end, bt_now(), 1000)) < 0) break;
            if ((p.revents & POLLIN) && mosquitto_loop_read(q->m, 1)) break;
            if ((p.revents & POLLOUT) && mosquitto_loop_write(q->m, 1)) break;
        }
        mosquitto_disconnect(q->m);
        mosquitto_loop_write(q->m, 1);
    }
    if (q->m) {
        mosquitto_destroy(q->m);
        mosquitto_lib_cleanup();
    }
    br_outbox_free(&q->out);
    free(q->avail_topic);
    free(q->ha_status_topic);
    free(q->host);
    free(q->cmd_topic);
    *q = (br_mqtt){ 0 };
}
