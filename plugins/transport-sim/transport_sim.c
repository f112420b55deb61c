/* transport-sim: simulated devices served in-process, no broker.
 *
 * Options (all optional; the table sim_options below, checked by the core):
 *   device=PATH     a device image (repeatable). Without any, every *.json
 *                   in $BLUETTI_SIM_DEVICES, else in the installed
 *                   BLUETTI_DATADIR/devices, is loaded. A build without
 *                   jansson reads no image files: it refuses device= and
 *                   serves the built-in images (the shipped ones, compiled in).
 *   model=NAME      image model to serve for an address that no image has
 *                   as its serial (the image is copied and given that serial)
 *   strict_serial=BOOL   refuse addresses no image has as its serial
 *   faults=SPEC     fault injection (simdev.h: delay, drop, crc, short,
 *                   exception, disconnect, seed, and for writes
 *                   write_exception, write_drop, write_lost, write_ignore,
 *                   write_bad_echo);
 *                   "fault" is accepted too
 *   frame_log=FILE  append every request frame the devices receive, one
 *                   line "ADDRESS HEX" each (tests check what arrived)
 *
 * Each attached address has its own copy of an image, and writes change
 * it: later reads in the same session return what was written.
 *
 * Replies wait in a queue until their due time (now + the fault delay). A
 * timerfd armed for the earliest due time is the pollable descriptor, and
 * process() sleeps on it, so waiting costs no CPU.
 */
#include "config.h"

#include "simdev.h"

#include "bt_clock.h"
#include "bt_dueq.h"
#include "bt_text.h"

#include <bluetti/plugin.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#ifdef __linux__
#include <sys/timerfd.h>
#define HAVE_TIMERFD 1
#endif

#define SRC "transport-sim"

enum item_kind { IT_FRAME, IT_DISCONNECTED, IT_CONNECTED };

/* A queued reply or link event (in a bt_dueq: equal due times keep
 * submission order). */
struct item {
    enum item_kind kind;
    char *address;                /* FRAME: copy of the attachment's address */
    size_t len;
    uint8_t frame[BLUETTI_MODBUS_MAX_FRAME];
};

struct attachment {
    char *address;
    bt_simdev *dev;               /* this address's own copy of an image */
};

struct sim {
    bluetti_transport_env env;
    bt_simdev **images;
    size_t n_images;
    char *model;                  /* option "model", or NULL */
    bool strict;
    bt_sim_faults faults;
    unsigned prng;
    unsigned since_disconnect;
    struct attachment *att;
    size_t n_att, cap_att;
    bt_dueq q;                    /* of struct item */
    int tfd;
    FILE *frame_log;              /* option frame_log, or NULL */
    uint64_t frames_in, frames_dropped;
};

/* ---- the reply queue ------------------------------------------------------- */

/* Arm the timer for the earliest due item (or disarm it). */
static void rearm(struct sim *s)
{
#ifdef HAVE_TIMERFD
    if (s->tfd < 0) return;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    double due;
    if (bt_dueq_next(&s->q, &due)) {
        if (due <= 0) due = 1e-9; /* a zero it_value would disarm */
        its.it_value.tv_sec = (time_t)due;
        its.it_value.tv_nsec = (long)((due - (double)its.it_value.tv_sec) * 1e9);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
    }
    timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL);
#else
    (void)s;
#endif
}

static void drain_timer(struct sim *s)
{
#ifdef HAVE_TIMERFD
    uint64_t ticks;
    if (s->tfd >= 0 && read(s->tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN) {
        /* nothing to do: rearm() sets the next expiry anyway */
    }
#else
    (void)s;
#endif
}

static int push(struct sim *s, enum item_kind kind, const char *address, const uint8_t *f,
                size_t len, double due)
{
    char *copy = NULL;
    if (address && !(copy = strdup(address))) return BLUETTI_E_NOMEM;
    struct item *it = bt_dueq_push(&s->q, due);
    if (!it) {
        free(copy);
        return BLUETTI_E_NOMEM;
    }
    it->address = copy;
    it->kind = kind;
    it->len = len;
    if (len) memcpy(it->frame, f, len);
    rearm(s);
    return 0;
}

/* Forget queued replies (all, or those for one address). */
static void discard_frames(struct sim *s, const char *address)
{
    for (size_t i = 0; i < s->q.n;) {
        struct item *it = bt_dueq_item(&s->q, i);
        if (it->kind == IT_FRAME && (!address || !strcmp(it->address, address))) {
            s->frames_dropped++;
            free(it->address);
            bt_dueq_remove(&s->q, i);
        } else {
            i++;
        }
    }
    rearm(s);
}

/* Deliver every item due by `now`, earliest first. Each is taken off the
 * queue before the callback runs, so a callback may submit again. */
static unsigned deliver_due(struct sim *s, double now)
{
    unsigned delivered = 0;
    drain_timer(s);
    struct item it;
    /* 1 us of slack: the timer's expiry is the due time rounded to ns */
    while (bt_dueq_pop_due(&s->q, now + 1e-6, &it)) {
        bluetti_transport_event ev = { .type = 0 };
        switch (it.kind) {
        case IT_FRAME:
            ev.type = BLUETTI_EV_FRAME;
            ev.address = it.address;
            ev.data = it.frame;
            ev.len = it.len;
            s->frames_in++;
            break;
        case IT_DISCONNECTED:
            ev.type = BLUETTI_EV_DISCONNECTED;
            ev.err = BLUETTI_E_DISCONNECTED;
            break;
        case IT_CONNECTED:
            ev.type = BLUETTI_EV_CONNECTED;
            break;
        }
        if (s->env.on_event) s->env.on_event(s->env.userdata, &ev);
        free(it.address); /* `it` owns the address once popped */
        delivered++;
    }
    rearm(s);
    return delivered;
}

/* ---- images ------------------------------------------------------------------ */

/* Serve d (taken over, freed on failure) unless its serial is taken. */
static int keep_image(struct sim *s, bt_simdev *d, char *detail, size_t detail_len)
{
    const char *path = bt_simdev_path(d);
    for (size_t i = 0; i < s->n_images; i++) {
        if (!strcmp(bt_simdev_serial(s->images[i]), bt_simdev_serial(d))) {
            bt_fmt(detail, detail_len, "%s: serial %s is already used by %s", path,
                   bt_simdev_serial(d), bt_simdev_path(s->images[i]));
            bt_simdev_free(d);
            return BLUETTI_E_INVAL;
        }
    }
    // NOLINTNEXTLINE(bugprone-sizeof-expression): *nv is the element, a pointer
    bt_simdev **nv = realloc(s->images, (s->n_images + 1) * sizeof *nv);
    if (!nv) {
        bt_simdev_free(d);
        return BLUETTI_E_NOMEM;
    }
    s->images = nv;
    s->images[s->n_images++] = d;
    bluetti_log(s->env.log, BLUETTI_LOG_DEBUG, SRC, "loaded %s: %s, serial %s, protocol %u", path,
                bt_simdev_model(d), bt_simdev_serial(d), (unsigned)bt_simdev_protocol_version(d));
    return 0;
}

static int add_image(struct sim *s, const char *path, char *detail, size_t detail_len)
{
    bt_simdev *d = NULL;
    int rc = bt_simdev_load(path, &d, detail, detail_len);
    return rc ? rc : keep_image(s, d, detail, detail_len);
}

/* A build that reads no image files (no jansson), or one whose images are
 * not installed, serves the built-in ones. */
static int load_builtin(struct sim *s, const char *dir, char *detail, size_t dlen)
{
    if (dir && *dir)
        bluetti_log(s->env.log, BLUETTI_LOG_INFO, SRC, "BLUETTI_SIM_DEVICES (%s) is not read: "
                    "this build has no jansson and serves its built-in images", dir);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < bt_simdev_builtin_count(); i++) {
        bt_simdev *d = NULL;
        rc = bt_simdev_builtin_load(i, &d, detail, dlen);
        if (rc == 0) rc = keep_image(s, d, detail, dlen);
    }
    return rc;
}

static int json_name(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".json");
}

static int load_dir(struct sim *s, const char *dir, const char *origin, char *detail, size_t dlen)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, json_name, alphasort);
    if (n < 0) {
        bt_fmt(detail, dlen, "cannot read the device image directory %s (%s): %s; pass "
               "device=PATH or set BLUETTI_SIM_DEVICES", dir, origin, strerror(errno));
        return BLUETTI_E_IO;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0) {
            size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
            char *path = malloc(len);
            if (!path) {
                rc = BLUETTI_E_NOMEM;
            } else {
                snprintf(path, len, "%s/%s", dir, names[i]->d_name);
                rc = add_image(s, path, detail, dlen);
                free(path);
            }
        }
        free(names[i]);
    }
    free(names);
    if (rc == 0 && s->n_images == 0) {
        bt_fmt(detail, dlen, "no device images (*.json) in %s (%s); pass device=PATH or set "
               "BLUETTI_SIM_DEVICES", dir, origin);
        rc = BLUETTI_E_NOTFOUND;
    }
    return rc;
}

/* ---- transport operations ------------------------------------------------ */

static void sim_close(void *state)
{
    struct sim *s = state;
    if (!s) return;
    for (size_t i = 0; i < s->q.n; i++) free(((struct item *)bt_dueq_item(&s->q, i))->address);
    bt_dueq_free(&s->q);
    for (size_t i = 0; i < s->n_att; i++) {
        free(s->att[i].address);
        bt_simdev_free(s->att[i].dev);
    }
    free(s->att);
    for (size_t i = 0; i < s->n_images; i++) bt_simdev_free(s->images[i]);
    free(s->images);
    free(s->model);
    if (s->tfd >= 0) close(s->tfd);
    if (s->frame_log) fclose(s->frame_log);
    free(s);
}

static int sim_open(const bluetti_transport_env *env, const bluetti_options *opts, void **state,
                    char *detail, size_t detail_len)
{
    if (detail && detail_len) detail[0] = '\0';
    if (!state || !env) return BLUETTI_E_INVAL;
    *state = NULL;
    struct sim *s = calloc(1, sizeof *s);
    if (!s) return BLUETTI_E_NOMEM;
    s->env = *env;
    s->tfd = -1;
    bt_dueq_init(&s->q, sizeof(struct item));
    int rc = 0;

    const char *spec = bluetti_options_get(opts, "faults");
    if (spec) rc = bt_sim_faults_parse(spec, &s->faults, detail, detail_len);
    /* checked by the core; a direct caller's bad value reads as false */
    if (rc == 0) bluetti_options_get_bool(opts, "strict_serial", &s->strict);
    const char *model = bluetti_options_get(opts, "model");
    if (rc == 0 && model && *model && !(s->model = strdup(model))) rc = BLUETTI_E_NOMEM;
    const char *flog = bluetti_options_get(opts, "frame_log");
    if (rc == 0 && flog && *flog && !(s->frame_log = fopen(flog, "a"))) {
        bt_fmt(detail, detail_len, "frame_log %s: %s", flog, strerror(errno));
        rc = BLUETTI_E_IO;
    }

    size_t n_dev = bluetti_options_count(opts, "device");
    for (size_t i = 0; rc == 0 && i < n_dev; i++)
        rc = add_image(s, bluetti_options_get_nth(opts, "device", i), detail, detail_len);
    if (rc == 0 && n_dev == 0) {
        const char *dir = getenv("BLUETTI_SIM_DEVICES");
        struct stat st;
        if (!bt_simdev_reads_files()) {
            rc = load_builtin(s, dir, detail, detail_len);
        } else if (dir && *dir) {
            rc = load_dir(s, dir, "from BLUETTI_SIM_DEVICES", detail, detail_len);
        } else if (stat(BLUETTI_DATADIR "/devices", &st) != 0 && errno == ENOENT) {
            /* not installed (a build tree): the same images, built in */
            bluetti_log(env->log, BLUETTI_LOG_INFO, SRC, "%s is not there (not installed): "
                        "serving the built-in images", BLUETTI_DATADIR "/devices");
            rc = load_builtin(s, NULL, detail, detail_len);
        } else {
            rc = load_dir(s, BLUETTI_DATADIR "/devices", "the installed images", detail, detail_len);
        }
    }
#ifdef HAVE_TIMERFD
    if (rc == 0) {
        s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (s->tfd < 0) {
            bt_fmt(detail, detail_len, "timerfd_create: %s", strerror(errno));
            rc = BLUETTI_E_IO;
        }
    }
#endif
    if (rc) {
        sim_close(s);
        return rc;
    }
    bluetti_log(env->log, BLUETTI_LOG_INFO, SRC, "%zu simulated device image%s ready",
                s->n_images, s->n_images == 1 ? "" : "s");
    *state = s;
    return 0;
}

static struct attachment *find_att(struct sim *s, const char *address)
{
    for (size_t i = 0; i < s->n_att; i++)
        if (!strcmp(s->att[i].address, address)) return &s->att[i];
    return NULL;
}

/* What an address no image has as its serial gets when several images are
 * loaded and no model option says which. */
#define SIM_DEFAULT_MODEL "EL100V2"

static const bt_simdev *pick_image(struct sim *s, const char *address)
{
    for (size_t i = 0; i < s->n_images; i++)
        if (!strcmp(bt_simdev_serial(s->images[i]), address)) return s->images[i];
    if (s->strict) {
        bluetti_log(s->env.log, BLUETTI_LOG_WARN, SRC,
                    "no device image has serial %s (strict_serial is on)", address);
        return NULL;
    }
    if (s->model) {
        for (size_t i = 0; i < s->n_images; i++)
            if (bt_simdev_matches_model(s->images[i], s->model)) return s->images[i];
        bluetti_log(s->env.log, BLUETTI_LOG_WARN, SRC,
                    "no device image has serial %s or model \"%s\"", address, s->model);
        return NULL;
    }
    if (s->n_images == 1) return s->images[0];
    /* several images and nothing chosen: the Elite 100 V2, as documented
     * ("bluetti-tool --transport sim read" is a simulated Elite 100 V2) */
    for (size_t i = 0; i < s->n_images; i++)
        if (bt_simdev_matches_model(s->images[i], SIM_DEFAULT_MODEL)) return s->images[i];
    bluetti_log(s->env.log, BLUETTI_LOG_WARN, SRC,
                "no device image has serial %s and none is an " SIM_DEFAULT_MODEL
                "; set the option model=NAME to serve one anyway", address);
    return NULL;
}

static int sim_attach(void *state, const char *address)
{
    struct sim *s = state;
    if (!s || !address || !*address) return BLUETTI_E_INVAL;
    if (find_att(s, address)) return BLUETTI_E_EXISTS;
    const bt_simdev *img = pick_image(s, address);
    if (!img) return BLUETTI_E_NOTFOUND;
    if (s->n_att == s->cap_att) {
        size_t nc = s->cap_att ? s->cap_att * 2 : 8;
        struct attachment *na = realloc(s->att, nc * sizeof *na);
        if (!na) return BLUETTI_E_NOMEM;
        s->att = na;
        s->cap_att = nc;
    }
    bt_simdev *dev = NULL;
    int rc = bt_simdev_clone(img, &dev);
    if (rc) return rc;
    if (strcmp(bt_simdev_serial(img), address) != 0) {
        /* an address that is not a valid serial keeps the image's registers */
        if (bt_simdev_set_serial(dev, address) != 0)
            bluetti_log(s->env.log, BLUETTI_LOG_DEBUG, SRC,
                        "%s is not a serial number; the device reports %s", address,
                        bt_simdev_serial(img));
        bluetti_log(s->env.log, BLUETTI_LOG_INFO, SRC, "%s: serving %s (%s)", address,
                    bt_simdev_model(img), bt_simdev_path(img));
    }
    char *copy = strdup(address);
    if (!copy) {
        bt_simdev_free(dev);
        return BLUETTI_E_NOMEM;
    }
    s->att[s->n_att++] = (struct attachment){ copy, dev };
    /* cppcheck-suppress memleak ; owned by s->att now */
    return 0;
}

static int sim_detach(void *state, const char *address)
{
    struct sim *s = state;
    if (!s || !address) return BLUETTI_E_INVAL;
    struct attachment *a = find_att(s, address);
    if (!a) return BLUETTI_E_NOTFOUND;
    discard_frames(s, address);
    free(a->address);
    bt_simdev_free(a->dev);
    *a = s->att[--s->n_att];
    return 0;
}

static int sim_submit(void *state, const char *address, const uint8_t *frame, size_t len)
{
    struct sim *s = state;
    if (!s || !address || !frame) return BLUETTI_E_INVAL;
    struct attachment *a = find_att(s, address);
    if (!a) return BLUETTI_E_NOTFOUND;
    double now = bt_now();
    /* logged as it arrives, whatever the faults then do with it */
    if (s->frame_log) {
        char hex[2 * BLUETTI_MODBUS_MAX_WRITE_FRAME + 1];
        bluetti_hex_format(frame, len, 0, hex, sizeof hex);
        fprintf(s->frame_log, "%s %s\n", address, hex);
        fflush(s->frame_log);
    }
    if (s->faults.disconnect_after && ++s->since_disconnect >= s->faults.disconnect_after) {
        /* The request went out, then the connection dropped: its reply and
         * every other pending one are lost. The link comes straight back. */
        s->since_disconnect = 0;
        discard_frames(s, NULL);
        bluetti_log(s->env.log, BLUETTI_LOG_INFO, SRC, "fault: disconnecting");
        int rc = push(s, IT_DISCONNECTED, NULL, NULL, 0, now);
        return rc ? rc : push(s, IT_CONNECTED, NULL, NULL, 0, now);
    }
    uint8_t out[BLUETTI_MODBUS_MAX_FRAME];
    double delay = 0;
    size_t n = bt_simdev_answer(a->dev, &s->faults, &s->prng, frame, len, out, sizeof out, &delay);
    if (n == 0) return 0; /* a device that does not answer */
    return push(s, IT_FRAME, address, out, n, now + delay);
}

static int sim_fd(void *state)
{
    struct sim *s = state;
    return s ? s->tfd : -1;
}

static int sim_process(void *state, int timeout_ms)
{
    struct sim *s = state;
    if (!s) return BLUETTI_E_INVAL;
    if (deliver_due(s, bt_now()) || timeout_ms == 0) return 0;
    /* Sleep until the earliest item is due or the caller's limit. */
    int wait = timeout_ms;
    double due;
    if (bt_dueq_next(&s->q, &due)) {
        int due_ms = bt_ms_until(due, bt_now(), 2000000000);
        if (wait < 0 || due_ms < wait) wait = due_ms;
    }
    if (wait != 0) {
        struct pollfd pfd = { .fd = s->tfd, .events = POLLIN };
        if (poll(s->tfd >= 0 ? &pfd : NULL, s->tfd >= 0 ? 1 : 0, wait) < 0 && errno != EINTR)
            return BLUETTI_E_IO;
    }
    deliver_due(s, bt_now());
    return 0;
}

/* The earliest queued reply or event; the timerfd fires then as well,
 * but without one (other systems) this is what wakes a poll() loop. */
static int sim_next_timeout_ms(void *state)
{
    struct sim *s = state;
    double due;
    if (!s || !bt_dueq_next(&s->q, &due)) return -1;
    return bt_ms_until(due, bt_now(), 2000000000);
}

static void sim_stats(void *state, uint64_t *frames_in, uint64_t *frames_dropped)
{
    struct sim *s = state;
    if (frames_in) *frames_in = s ? s->frames_in : 0;
    if (frames_dropped) *frames_dropped = s ? s->frames_dropped : 0;
}

/* The images this instance serves, as devices a scan would find. */
static int sim_discover(void *state, double timeout_s, bluetti_discover_cb found, void *userdata)
{
    (void)timeout_s; /* the list is known at once */
    struct sim *s = state;
    if (!s || !found) return BLUETTI_E_INVAL;
    for (size_t i = 0; i < s->n_images; i++) {
        bluetti_discovered d = { .address = bt_simdev_serial(s->images[i]),
                                 .name = bt_simdev_model(s->images[i]),
                                 .model_hint = bt_simdev_model(s->images[i]), .encrypted = 0 };
        found(userdata, &d);
    }
    return 0;
}

/* Every key open() accepts (checked by the core before open runs). */
static const char *const device_aliases[] = { "sim_device", NULL };
static const char *const faults_aliases[] = { "fault", "sim_faults", NULL };
static const int image_causes[] = { BLUETTI_E_INVAL, BLUETTI_E_IO, BLUETTI_E_NOTFOUND,
                                     BLUETTI_E_UNSUPPORTED, 0 };
static const int faults_causes[] = { BLUETTI_E_INVAL, 0 };

static const bluetti_option_decl sim_options[] = {
    { .name = "device", .type = BLUETTI_OPT_FILE, .repeatable = true, .metavar = "FILE",
      .aliases = device_aliases, .causes = image_causes,
      .help = "device image to serve (default: every image in $BLUETTI_SIM_DEVICES, else "
              "the installed ones, else the built-in copies of them)" },
    { .name = "model", .type = BLUETTI_OPT_STRING, .metavar = "MODEL",
      .flags = BLUETTI_OPTION_F_DEVICE_MODEL,
      .help = "image model to serve for an address no image has as its serial (default: "
              "the only image, else the " SIM_DEFAULT_MODEL ")" },
    { .name = "strict_serial", .type = BLUETTI_OPT_BOOL, .default_value = "false",
      .help = "refuse addresses that no image has as its serial" },
    { .name = "faults", .type = BLUETTI_OPT_STRING, .metavar = "SPEC",
      .aliases = faults_aliases, .causes = faults_causes,
      .help = "fault injection, e.g. delay=0.2,drop=0.1,crc=1,short=1,exception=1300:2,"
              "disconnect=5,seed=7; for writes write_exception=2011:3, write_drop=1 (applied, "
              "no reply), write_lost=1 (not applied, no reply), write_ignore=1 (echoed, not "
              "applied), write_bad_echo=1 (applied, another value echoed)" },
    { .name = "frame_log", .type = BLUETTI_OPT_STRING, .metavar = "FILE",
      .help = "append every request frame the simulated devices receive to FILE (one "
              "\"ADDRESS HEX\" line each)" },
};

static const bluetti_transport_ops sim_ops = {
    .name = "sim",
    .description = "simulated devices from device images, in-process (no broker)",
    .open = sim_open,
    .close = sim_close,
    .attach = sim_attach,
    .detach = sim_detach,
    .submit = sim_submit,
    .fd = sim_fd,
    .process = sim_process,
    .stats = sim_stats,
    .options = sim_options,
    .n_options = sizeof sim_options / sizeof sim_options[0],
    .flags = BLUETTI_TRANSPORT_F_ANY_ADDRESS,
    .next_timeout_ms = sim_next_timeout_ms,
    .discover = sim_discover,
};

static int sim_init(bluetti_registry *reg)
{
    return bluetti_registry_add_transport(reg, &sim_ops);
}

BLUETTI_PLUGIN_DEFINE("transport-sim", PACKAGE_VERSION,
                      "in-process simulated devices (device images, fault injection)", sim_init);
