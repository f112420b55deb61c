/* The running bridge: sessions on the sources, the devices polled on
 * them, the target connection and its outbox. One thread, one poll() loop
 * (main.c); nothing here blocks. */
#ifndef BLUETTI_BRIDGE_RUNTIME_H
#define BLUETTI_BRIDGE_RUNTIME_H

#include "bridge.h"

#include "bt_dueq.h"
#include "bt_strindex.h"

#include <poll.h>

struct mosquitto;

/* ---- outbox and target connection (outbox.c, target.c) ------------------------- */

/* The newest payload of every topic not yet handed to the broker: a
 * message replaced before it went out is never sent (newest state wins),
 * and the box holds at most one message per topic. */
typedef struct br_msg {
    char *topic;
    char *payload;            /* NULL: nothing pending for this topic */
    size_t len;
    bool retain;
    bool queued;              /* its index is in the pending ring */
} br_msg;

typedef struct br_outbox {
    br_msg *m;
    size_t n, cap;
    bt_strindex idx;
    size_t *ring;             /* pending message indices, FIFO */
    size_t head, count, ring_cap;
    size_t limit;             /* most topics held */
    uint64_t dropped;         /* new topics refused at the limit */
    uint64_t replaced;        /* pending payloads overtaken by a newer one */
} br_outbox;

int br_outbox_put(br_outbox *o, const char *topic, const char *payload, size_t len, bool retain);
/* The oldest pending message, or NULL; br_outbox_done after handing it out. */
br_msg *br_outbox_peek(br_outbox *o);
void br_outbox_done(br_outbox *o);
void br_outbox_free(br_outbox *o);

typedef struct br_mqtt {
    struct mosquitto *m;
    bool print_only;          /* --once: print topic and payload instead */
    bool connected;
    bool connecting;
    bool just_connected;      /* set by the connect callback: republish everything */
    bool ha_online;           /* Home Assistant said online: re-send discovery */
    double next_attempt;      /* monotonic; 0: none scheduled */
    double backoff;
    double last_misc;
    int qos;
    char *avail_topic;        /* the bridge's availability (its last will) */
    char *ha_status_topic;
    char *host;
    int port, keepalive;
    br_outbox out;
    char *cmd_topic;          /* <prefix>/+/+/set: commands, subscribed after every connect */
    /* a message on cmd_topic (set by apply.c: control.c's br_ctl_on_command) */
    void (*on_command)(void *ud, const char *topic, const void *payload, size_t len);
    void *cmd_ud;
    uint64_t published, reconnects;
    unsigned unacked;         /* QoS 1 messages handed to libmosquitto, not yet acknowledged */
    char last_error[256];
} br_mqtt;

/* Set up the connection (nothing is sent before the first br_mqtt_io). 0,
 * or BR_EXIT_CONFIG / BR_EXIT_FAIL with err. */
int br_mqtt_open(br_mqtt *q, const br_config *c, char *err, size_t err_len);
/* Publish offline, disconnect cleanly (waits at most timeout_s), free. */
void br_mqtt_close(br_mqtt *q, double timeout_s);
void br_mqtt_put(br_mqtt *q, const char *topic, const char *payload, size_t len, bool retain);
void br_mqtt_puts(br_mqtt *q, const char *topic, const char *payload, bool retain);
/* The pollfd to wait for (fd -1 while disconnected). */
void br_mqtt_pollfd(br_mqtt *q, struct pollfd *p);
/* Whether messages wait that could be handed to the broker now. */
bool br_mqtt_can_send(const br_mqtt *q);
/* Milliseconds until the connection needs attention (reconnect, keepalive). */
int br_mqtt_timeout_ms(const br_mqtt *q, double now);
/* Read, write, keepalive, reconnect as due; then hand pending messages to
 * the broker while connected. */
void br_mqtt_io(br_mqtt *q, short revents, double now);

/* ---- health (health.c) --------------------------------------------------------- */

#define BR_LAT_N 256
typedef struct br_health {
    float lat_ms[BR_LAT_N];   /* the latest read latencies, a ring */
    size_t lat_n, lat_i;
    uint32_t buckets[6];      /* reads in each of the last six 10-second slots */
    int64_t bucket_slot;      /* floor(now / 10) of buckets[slot % 6] */
    uint64_t reads, failures;
    unsigned consecutive;
    double last_success;      /* wall clock, 0 never */
    double last_error_time;
    char last_error[256];
} br_health;

void br_health_read(br_health *h, double now, double latency_ms, bool ok, const char *error);
double br_health_per_min(br_health *h, double now, double since);
/* p in 0..100 of the recorded latencies; NAN without any. */
double br_health_pct(const br_health *h, double p);
void br_health_json(br_buf *b, br_health *h, double now, double since);

/* ---- sessions and devices (source.c, device.c) ------------------------------------- */

typedef struct br_sess {
    char *signature;          /* the source's, plus the model when the transport takes one */
    const br_source *src;     /* in the current config */
    char *model;              /* filled into the transport's model key, or NULL */
    bluetti_session *s;
    unsigned refs;            /* devices polled on it */
    double next_open;
    double backoff;
    bool was_open;
    char last_error[512];
} br_sess;

/* One block's fields as the state names them. */
typedef struct br_block_keys {
    uint16_t block;
    char **keys;              /* per field; NULL: not published (sensitive, or not in `fields`) */
    size_t n;
} br_block_keys;

typedef struct br_dev {
    const br_device *cfg;     /* in the current config */
    char *serial;
    char *name;
    br_sess *sess;
    bluetti_device *d;        /* NULL while its session is closed */
    uint16_t blocks[BR_MAX_BLOCKS];
    size_t n_blocks;
    bool blocks_known;
    br_block_keys keys[BR_MAX_BLOCKS];
    bool keys_built;
    /* the round: blocks read one at a time, one request in flight */
    bool round;
    size_t cur;
    bool in_flight;
    bool ready;               /* on the scheduler's ready list */
    double due, round_t0, req_t0;
    double slot;              /* the device's staggered round time (its phase of the interval) */
    double next_health;       /* monotonic: when its health is due */
    uint32_t ok_mask, have_mask, disc_mask;
    unsigned misses;
    int avail;                /* -1 not published, 0 offline, 1 online */
    bool published_once;
    bool disc_due;            /* its discovery is to be (re)published (br_discovery_pump) */
    char **disc_topics;       /* discovery configs published for it */
    size_t n_disc;
    /* control (control.c): the newest command waits here for the request
     * slot (one per device: a newer one replaces it) */
    char *cmd_key, *cmd_field, *cmd_value;
    uint16_t cmd_block;
    size_t cmd_bi;            /* index of cmd_block in blocks */
    bool writing;             /* in_flight is a write */
    char *w_key, *w_value;    /* the write in flight */
    size_t w_bi;
    br_health health;
    float round_ms[BR_LAT_N];
    size_t round_n, round_i;
} br_dev;

typedef struct bridge {
    bluetti_registry *reg;
    br_config *cfg;
    br_mqtt mqtt;
    br_sess **sess;
    size_t n_sess;
    br_dev **devs;
    size_t n_devs;
    bt_strindex by_serial;
    uint16_t probe_block;     /* read first to detect a device's model */
    double started, started_wall;
    double next_health;
    br_health all;            /* every read of every device */
    br_buf buf;               /* scratch for payloads */
    br_buf topic;
    bool once;
    size_t once_pending;      /* --once: devices whose round has not finished */
    size_t disc_next;         /* where br_discovery_pump goes on */
    size_t disc_waiting;      /* devices with disc_due set */
    bool attach_due;          /* a session opened: attach its devices */
    bt_dueq dueq;             /* devices waiting for their next round */
    br_dev **ready;           /* devices whose round goes on */
    size_t n_ready, cap_ready;
    unsigned once_failed;
} bridge;

/* source.c: sessions shared by the devices of one source (and model). */
br_sess *br_sess_get(bridge *b, const br_source *src, const char *model);
void br_sess_unref(bridge *b, br_sess *s);
/* Open due sessions and attach their devices. */
void br_sess_open_due(bridge *b, double now);
/* A session failed as a whole: close it, its devices re-attach on reopen. */
void br_sess_reset(bridge *b, br_sess *s, const char *why);
int br_sess_timeout_ms(const bridge *b, double now);

/* device.c */
br_dev *br_dev_new(bridge *b, const br_device *cfg, double now);
void br_dev_free(bridge *b, br_dev *d, bool clear_topics);
void br_dev_attach(bridge *b, br_dev *d);
/* Start a round (its due time came), or go on with one (submit the next
 * block, or finish the round). */
void br_dev_start(bridge *b, br_dev *d, double now);
void br_dev_continue(bridge *b, br_dev *d, double now);

/* sched.c: the due-time queue and the ready list. */
void br_sched_due(bridge *b, br_dev *d);
void br_sched_ready(bridge *b, br_dev *d);
void br_sched_rebuild(bridge *b);
void br_sched_run(bridge *b, double now);
int br_sched_timeout_ms(const bridge *b, double now);
void br_sched_free(bridge *b);
void br_on_read(void *ud, bluetti_device *dv, uint16_t block, int err, const bluetti_result *r);
br_dev *br_find_dev(bridge *b, const char *serial);
void br_index_devices(bridge *b);

/* publish.c: what goes to the target. */
void br_topic(bridge *b, const br_dev *d, const char *leaf);
void br_publish_state(bridge *b, br_dev *d, double wall);
void br_publish_avail(bridge *b, br_dev *d, bool online);
/* The bridge's health, and with devices every device's too. */
void br_publish_health(bridge *b, double now, bool devices);
/* One device's health (at the end of a round once health_interval has
 * passed for it: a thousand devices' health spread over the interval). */
void br_publish_device_health(bridge *b, br_dev *d, double now);
void br_publish_everything(bridge *b);
void br_clear_device(bridge *b, br_dev *d);

/* discovery.c */
void br_discovery_publish(bridge *b, br_dev *d);
/* Publish the discovery of devices that wait for it while the outbox has
 * room: a thousand devices' configs never pile up in memory, and states
 * never queue behind them. */
void br_discovery_pump(bridge *b);
/* Mark d's discovery for the pump. */
void br_discovery_due(bridge *b, br_dev *d);
void br_discovery_clear(bridge *b, br_dev *d);

/* control.c: Home Assistant commands to writable fields (docs/BRIDGE.md,
 * "Control"). */
typedef enum br_ctl_kind { BR_CTL_NONE, BR_CTL_SWITCH, BR_CTL_SELECT, BR_CTL_NUMBER } br_ctl_kind;
/* What field f of block s is for d's commands: NONE unless d has control
 * on, f is writable, and its write is confirmed (or control_unverified). */
br_ctl_kind br_ctl_offers(const br_dev *d, const bluetti_block_schema *s, const bluetti_field *f);
/* topic: the command topic of d's key */
void br_ctl_topic(const bridge *b, const br_dev *d, const char *key, br_buf *topic);
void br_ctl_on_command(void *ud, const char *topic, const void *payload, size_t len);
/* Send d's waiting command if its request slot is free: true when sent. */
bool br_ctl_kick(bridge *b, br_dev *d, double now);
void br_on_write(void *ud, bluetti_device *dv, const bluetti_write_result *r);
void br_ctl_free(br_dev *d);

/* apply.c: a config, first or reloaded, onto the running bridge. */
int br_apply(bridge *b, br_config *c, double now);

/* notify.c: systemd's sd_notify when built with libsystemd, else nothing. */
void br_notify(const char *state);
/* Microseconds between watchdog pings, 0 when there is no watchdog. */
uint64_t br_notify_watchdog_usec(void);

/* signals.c: SIGHUP, SIGTERM and SIGINT through a signalfd. */
int br_signals_open(void);
/* 'H' (reload), 'T' (stop) or 0 after draining what arrived. */
int br_signals_take(int fd);

#endif
