/* bluetti-sim: the event loop.
 *
 * One poll() waits on the broker socket, a self-pipe written by the signal
 * handler, and the earliest of: a delayed reply falling due, a reconnect
 * attempt, the keepalive. Replies wait in a queue with their due time, so
 * a slow (delayed) device never holds up the others.
 */
#include "config.h"

#include "sim.h"
#include "conn.h"
#include "process.h"
#include "frame_text.h"

#include "bt_clock.h"
#include "bt_dueq.h"

#include <bluetti/cloud.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define SRC "bluetti-sim"

#define LIVE_RSSI (-60) /* dBm, header byte 7 of the new envelope */

struct dev {
    bt_simdev *d;
    int envelope;               /* what it answers in (raw without --live) */
    char *req_topic;            /* SUB/<serial>: requests arrive here */
    char *rep_topic;            /* PUB/<serial>: answers go here */
    bool granted;
};

/* A delayed reply (in a bt_dueq: equal due times keep arrival order). */
struct reply {
    size_t dev;
    size_t len;
    uint8_t frame[BLUETTI_MODBUS_MAX_FRAME + BLUETTI_ENVELOPE_NEW_HEADER];
};

struct sim {
    sim_args *a;
    bluetti_registry *reg;      /* only for its logger */
    const bluetti_logger *log;
    struct dev *devs;
    size_t n_devs;
    unsigned prng;
    unsigned since_disconnect;
    bt_dueq q;                  /* of struct reply */
    mqc *c;
    bool ready, ready_written, drop_now;
    int fatal;
    uint64_t requests, replies;
};


static void log_cb(void *ud, bluetti_log_level level, const char *src, const char *msg)
{
    (void)ud;
    (void)src;
    static const char *const names[] = { "error", "warning", "info", "debug" };
    fprintf(stderr, "bluetti-sim: %s: ", names[level <= BLUETTI_LOG_DEBUG ? level : 3]);
    /* messages quote topics and what the broker sent: no control characters */
    bt_fput_safe(msg ? msg : "", stderr);
    fputc('\n', stderr);
}

/* prefix + [model "/"] + serial */
static char *topic_for(const char *prefix, const char *model, const char *serial)
{
    size_t n = strlen(prefix) + (model ? strlen(model) + 1 : 0) + strlen(serial) + 1;
    char *t = malloc(n);
    if (t) snprintf(t, n, "%s%s%s%s", prefix, model ? model : "", model ? "/" : "", serial);
    return t;
}

/* ---- reply queue ----------------------------------------------------------- */

static void queue_reply(struct sim *s, size_t dev, const uint8_t *f, size_t len, double due)
{
    struct reply *r = bt_dueq_push(&s->q, due);
    if (!r) {
        bluetti_log(s->log, BLUETTI_LOG_ERROR, SRC, "out of memory: a reply is lost");
        return;
    }
    r->dev = dev;
    r->len = len;
    memcpy(r->frame, f, len);
}

/* Publish every reply that is due. */
static void send_due(struct sim *s)
{
    double now = bt_now();
    struct reply r;
    while (bt_dueq_pop_due(&s->q, now, &r)) {
        struct dev *d = &s->devs[r.dev];
        int rc = mqc_publish(s->c, d->rep_topic, r.frame, r.len);
        if (rc == 0) s->replies++;
        else bluetti_log(s->log, BLUETTI_LOG_WARN, SRC, "%s: a reply is lost: %s",
                         bt_simdev_serial(d->d), bluetti_strerror(rc));
    }
}

static int ms_to_next_reply(const struct sim *s)
{
    double due;
    if (!bt_dueq_next(&s->q, &due)) return -1;
    return bt_ms_until(due, bt_now(), 86400000);
}

/* ---- connection handlers --------------------------------------------------- */

static struct dev *dev_by_topic(struct sim *s, const char *topic, size_t *idx)
{
    for (size_t i = 0; i < s->n_devs; i++)
        if (strcmp(s->devs[i].req_topic, topic) == 0) {
            if (idx) *idx = i;
            return &s->devs[i];
        }
    return NULL;
}

static void h_message(void *ud, const char *topic, const uint8_t *data, size_t len, bool retained)
{
    struct sim *s = ud;
    size_t idx = 0;
    struct dev *d = dev_by_topic(s, topic, &idx);
    char what[96];
    sim_frame_text(data, len, what, sizeof what);
    if (!d || retained) {
        bluetti_log(s->log, BLUETTI_LOG_DEBUG, SRC, "ignored a %s message on %s",
                    retained ? "retained" : "stray", topic);
        return;
    }
    s->requests++;
    if (s->a->faults.disconnect_after &&
        ++s->since_disconnect >= s->a->faults.disconnect_after) {
        s->since_disconnect = 0;
        s->drop_now = true; /* done after mqc_process returns */
        bluetti_log(s->log, BLUETTI_LOG_INFO, SRC,
                    "%s: %s: fault: dropping the broker connection instead of answering",
                    bt_simdev_serial(d->d), what);
        return;
    }
    /* the request arrives in the device's envelope; the answer goes back
     * in it, naming the request's start register (new envelope) */
    const uint8_t *req = data;
    size_t req_len = len;
    bluetti_envelope_info info = { 0 };
    if (d->envelope != BLUETTI_ENVELOPE_RAW &&
        (bluetti_envelope_unwrap(data, len, d->envelope, &info, &req, &req_len) != 0 ||
         info.kind != d->envelope)) {
        bluetti_log(s->log, BLUETTI_LOG_DEBUG, SRC, "%s: ignored a payload that is not in the "
                    "%s envelope", bt_simdev_serial(d->d), bluetti_envelope_name(d->envelope));
        return;
    }
    sim_frame_text(req, req_len, what, sizeof what);
    uint8_t out[BLUETTI_MODBUS_MAX_FRAME];
    double delay = 0;
    size_t n = bt_simdev_answer(d->d, &s->a->faults, &s->prng, req, req_len, out, sizeof out,
                                &delay);
    if (n == 0) {
        bool wr = sim_frame_is_write(req, req_len);
        bluetti_log(s->log, wr ? BLUETTI_LOG_INFO : BLUETTI_LOG_DEBUG, SRC, "%s: %s: no answer",
                    bt_simdev_serial(d->d), what);
        return;
    }
    /* writes change the device: always worth a line in the log */
    bool write = sim_frame_is_write(req, req_len);
    bluetti_log(s->log, write ? BLUETTI_LOG_INFO : BLUETTI_LOG_DEBUG, SRC,
                "%s: %s: %zu-byte answer%s in %.3g s", bt_simdev_serial(d->d), what, n,
                (out[1] & 0x80) ? " (exception)" : "", delay);
    uint8_t wrapped[sizeof out + BLUETTI_ENVELOPE_NEW_HEADER];
    size_t wn = 0;
    uint16_t reg = (uint16_t)(req_len >= 4 ? req[2] << 8 | req[3] : 0);
    if (bluetti_envelope_wrap(d->envelope, reg, out, n, wrapped, sizeof wrapped, &wn) != 0) return;
    if (d->envelope == BLUETTI_ENVELOPE_NEW) wrapped[7] = (uint8_t)(int8_t)LIVE_RSSI;
    queue_reply(s, idx, wrapped, wn, bt_now() + (delay > 0 ? delay : 0));
}

static void h_disconnected(void *ud, int err)
{
    struct sim *s = ud;
    (void)err;
    bt_dueq_clear(&s->q); /* a device that loses its connection loses what it was about to send */
}

static void h_subscribed(void *ud, const char *topic, bool granted)
{
    struct sim *s = ud;
    struct dev *d = dev_by_topic(s, topic, NULL);
    if (!d) return;
    if (!granted) {
        bluetti_log(s->log, BLUETTI_LOG_ERROR, SRC,
                    "the broker refused the subscription to %s: check its ACL for this "
                    "certificate", topic);
        s->fatal = 1;
        return;
    }
    d->granted = true;
}

static const mqc_handlers handlers = {
    .message = h_message,
    .disconnected = h_disconnected,
    .subscribed = h_subscribed,
};

/* ---- readiness ------------------------------------------------------------- */

static int write_ready_file(struct sim *s)
{
    const char *path = s->a->ready_file;
    size_t cap = 32, len = 0;
    for (size_t i = 0; i < s->n_devs; i++)
        cap += 16 + strlen(bt_shown(bt_simdev_serial(s->devs[i].d))) +
               strlen(bt_shown(bt_simdev_model(s->devs[i].d)));
    char *text = malloc(cap);
    if (!text) return -1;
    len += (size_t)snprintf(text, cap, "pid %ld\n", (long)getpid());
    for (size_t i = 0; i < s->n_devs && len < cap; i++)
        len += (size_t)snprintf(text + len, cap - len, "device %s %s\n",
                                bt_shown(bt_simdev_serial(s->devs[i].d)),
                                bt_shown(bt_simdev_model(s->devs[i].d)));
    int rc = sim_ready_write(path, text);
    if (rc != 0)
        bluetti_log(s->log, BLUETTI_LOG_ERROR, SRC, "cannot write the ready file %s: %s",
                    bt_shown_path(path), strerror(errno));
    free(text);
    return rc;
}

static void check_ready(struct sim *s)
{
    if (s->ready) return;
    for (size_t i = 0; i < s->n_devs; i++)
        if (!s->devs[i].granted) return;
    s->ready = true;
    printf("bluetti-sim: ready: %zu device%s on %s:%d:", s->n_devs, s->n_devs == 1 ? "" : "s",
           bt_shown(s->a->broker), s->a->port);
    for (size_t i = 0; i < s->n_devs; i++)
        printf(" %s (%s)", bt_shown(bt_simdev_serial(s->devs[i].d)),
               bt_shown(bt_simdev_model(s->devs[i].d)));
    printf("\n");
    fflush(stdout);
    if (s->a->ready_file) {
        if (write_ready_file(s) == 0) s->ready_written = true;
        else s->fatal = 1;
    }
}

/* ---- set-up and the loop --------------------------------------------------- */

static int load_devices(struct sim *s)
{
    s->devs = calloc(s->a->n_devices, sizeof *s->devs);
    if (!s->devs) return 1;
    for (size_t i = 0; i < s->a->n_devices; i++) {
        const sim_device_arg *arg = &s->a->devices[i];
        char why[256] = "";
        struct dev *d = &s->devs[s->n_devs];
        if (bt_simdev_load(arg->path, &d->d, why, sizeof why) != 0) {
            fprintf(stderr, "bluetti-sim: cannot load the device image %s: %s\n",
                    bt_shown_path(arg->path), why[0] ? bt_shown_path(why) : "unknown error");
            return 1;
        }
        s->n_devs++;
        if (arg->serial && bt_simdev_set_serial(d->d, arg->serial) != 0) {
            fprintf(stderr, "bluetti-sim: --sn %s: not a usable serial (printable, no spaces, "
                    "'+', '#' or '/', at most 64 characters)\n", bt_shown(arg->serial));
            return EXIT_USAGE;
        }
        const char *sn = bt_simdev_serial(d->d);
        for (size_t j = 0; j + 1 < s->n_devs; j++)
            if (strcmp(bt_simdev_serial(s->devs[j].d), sn) == 0) {
                fprintf(stderr, "bluetti-sim: two devices have the serial %s: give one of them "
                        "another with --sn\n", bt_shown(sn));
                return EXIT_USAGE;
            }
        const char *model = s->a->live ? bt_simdev_model(d->d) : NULL;
        d->envelope = s->a->live ? bt_simdev_envelope(d->d) : BLUETTI_ENVELOPE_RAW;
        d->req_topic = topic_for("SUB/", model, sn);
        d->rep_topic = topic_for("PUB/", model, sn);
        if (!d->req_topic || !d->rep_topic) return 1;
    }
    return 0;
}

static int serve(struct sim *s)
{
    while (!sim_stop_signal() && !s->fatal) {
        int wait = mqc_timeout_ms(s->c);
        int next = ms_to_next_reply(s);
        if (next >= 0 && (wait < 0 || next < wait)) wait = next;
        struct pollfd p[2] = { { .fd = sim_signals_fd(), .events = POLLIN },
                               { .fd = mqc_fd(s->c), .events = mqc_events(s->c) } };
        nfds_t n = p[1].fd >= 0 ? 2 : 1;
        if (poll(p, n, wait) < 0 && errno != EINTR) {
            bluetti_log(s->log, BLUETTI_LOG_ERROR, SRC, "poll: %s", strerror(errno));
            return 1;
        }
        if (sim_stop_signal()) break;
        mqc_process(s->c, 0);
        if (s->drop_now) {
            s->drop_now = false;
            bt_dueq_clear(&s->q);
            mqc_drop(s->c);
        }
        check_ready(s);
        send_due(s);
    }
    if (sim_stop_signal())
        bluetti_log(s->log, BLUETTI_LOG_INFO, SRC, "stopping (%s): %llu request%s, %llu repl%s",
                    sim_stop_signal() == SIGINT ? "SIGINT" : "SIGTERM",
                    (unsigned long long)s->requests, s->requests == 1 ? "" : "s",
                    (unsigned long long)s->replies, s->replies == 1 ? "y" : "ies");
    return s->fatal ? 1 : 0;
}

int sim_run(sim_args *a)
{
    struct sim s;
    memset(&s, 0, sizeof s);
    bt_dueq_init(&s.q, sizeof(struct reply));
    s.a = a;
    int status = 1;
    if (bluetti_registry_new(&s.reg) != 0) {
        fprintf(stderr, "bluetti-sim: out of memory\n");
        return 1;
    }
    bluetti_log_level level = a->verbosity <= 0   ? BLUETTI_LOG_ERROR
                              : a->verbosity == 1 ? BLUETTI_LOG_INFO
                                                  : BLUETTI_LOG_DEBUG;
    bluetti_registry_set_log(s.reg, log_cb, NULL, level);
    s.log = bluetti_registry_logger(s.reg);

    status = load_devices(&s);
    if (status) goto out;
    status = 1;
    if (sim_signals_open(false) != 0) {
        fprintf(stderr, "bluetti-sim: cannot set up signal handling: %s\n", strerror(errno));
        goto out;
    }

    mqc_config c = {
        .host = a->broker, .port = a->port, .keepalive = a->keepalive, .qos = a->qos,
        .client_id = a->client_id, .client_id_prefix = "bluetti-sim_",
        .cert = a->cert, .password = a->password, .cafile = a->cafile, .insecure = a->insecure,
        .connect_timeout_s = a->connect_timeout_s,
        .username = a->mqtt_username, .mqtt_password = a->mqtt_password,
        /* a device comes back quickly after a broker restart */
        .reconnect = { .max_attempts = 1u, .initial_delay = 0.2, .backoff_factor = 2.0,
                       .max_delay = 2.0 },
        .log = s.log, .src = SRC,
    };
    char why[512] = "";
    int rc = mqc_open(&c, &handlers, &s, &s.c, why, sizeof why);
    /* the key is in memory now; the password is not needed any more */
    OPENSSL_cleanse(a->password, strlen(a->password));
    if (rc != 0) {
        fprintf(stderr, "bluetti-sim: cannot connect to %s:%d: %s\n", bt_shown(a->broker),
                a->port, why[0] ? bt_shown_path(why) : bluetti_strerror(rc));
        goto out;
    }
    for (size_t i = 0; i < s.n_devs; i++) {
        rc = mqc_subscribe(s.c, s.devs[i].req_topic);
        if (rc) {
            fprintf(stderr, "bluetti-sim: cannot subscribe to %s: %s\n",
                    bt_shown(s.devs[i].req_topic), bluetti_strerror(rc));
            goto out;
        }
    }
    if (a->faults_spec)
        bluetti_log(s.log, BLUETTI_LOG_INFO, SRC, "injecting faults: %s", a->faults_spec);
    status = serve(&s);
out:
    mqc_close(s.c);
    if (s.ready_written) unlink(a->ready_file);
    for (size_t i = 0; i < s.n_devs; i++) {
        bt_simdev_free(s.devs[i].d);
        free(s.devs[i].req_topic);
        free(s.devs[i].rep_topic);
    }
    free(s.devs);
    bt_dueq_free(&s.q);
    bluetti_registry_free(s.reg);
    sim_signals_close();
    return status;
}
