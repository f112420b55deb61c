/* external-loop: drive several bluetti sessions from the program's own
 * poll() loop (the event-loop contract of bluetti/session.h).
 *
 *   external-loop [--plugin-dir DIR] [--sessions N] [--block B]
 *                 [--interval MS] [--reads N] [--field NAME]...
 *                 [-o KEY=VALUE]... TRANSPORT SERIAL[=MODEL]...
 *
 * Opens N sessions (default 2) on TRANSPORT with the same options and
 * spreads the devices over them. Every device reads block B (default 100)
 * every MS milliseconds (default 500). A device given without =MODEL has
 * its model detected on the first read. One line per read goes to stdout:
 *
 *   SERIAL read BLOCK ok MODEL [NAME=VALUE]...
 *   SERIAL read BLOCK failed CLASS: DETAIL; REMEDY
 *
 * with the decoded value of each --field NAME (up to 8) after a good read.
 * It stops after every device has N successful reads (0, the default:
 * run until SIGINT or SIGTERM) and prints a summary. The certificate
 * password of the mqtt transport comes from $BLUETTI_CERT_PASSWORD.
 *
 * Exit status: 0 done, 1 a session could not be opened or failed, 2 usage.
 *
 * The loop never busy-polls: it sleeps in poll() until a session's
 * descriptor is readable, a session's next timeout expires (request
 * timeouts, retries, the transport's keepalive and reconnects) or the next
 * read is due, and then calls bluetti_session_process(s, 0).
 */
#include "config.h"

#include <bluetti/bluetti.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SESSIONS 16
#define MAX_DEVICES 64
#define MAX_OPTIONS 32
#define MAX_FIELDS 8

struct dev {
    bluetti_device *d;
    double next_read;           /* monotonic seconds */
    unsigned ok, failed;
};

static struct dev devs[MAX_DEVICES];
static size_t n_devs;
static unsigned want_reads;
static double interval_s = 0.5;
static uint16_t block = 100;
static volatile sig_atomic_t stop;
static const char *fields[MAX_FIELDS];
static size_t n_fields;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct dev *find_dev(const bluetti_device *d)
{
    for (size_t i = 0; i < n_devs; i++)
        if (devs[i].d == d) return &devs[i];
    return NULL;
}

/* " NAME=VALUE": the decoded value as text, a number, or "absent". */
static void print_field(const bluetti_result *r, const char *name)
{
    const bluetti_value *v = r ? bluetti_result_find(r, name) : NULL;
    if (!v) printf(" %s=(no such field)", name);
    else if (v->kind == BLUETTI_VAL_TEXT) printf(" %s=%s", name, v->v.s);
    else if (v->kind == BLUETTI_VAL_ABSENT || v->kind == BLUETTI_VAL_ARRAY)
        printf(" %s=(%s)", name, v->kind == BLUETTI_VAL_ARRAY ? "array" : "absent");
    else printf(" %s=%.10g", name, bluetti_value_as_double(v));
}

static void on_read(void *ud, bluetti_device *d, uint16_t b, int err, const bluetti_result *r)
{
    (void)ud;
    struct dev *v = find_dev(d);
    if (!v) return;
    v->next_read = now_s() + interval_s;
    if (err == 0) {
        v->ok++;
        const bluetti_profile *p = bluetti_device_profile(d);
        printf("%s read %u ok %s", bluetti_device_address(d), (unsigned)b, p ? p->model : "?");
        for (size_t k = 0; k < n_fields; k++) print_field(r, fields[k]);
        putchar('\n');
    } else {
        v->failed++;
        bluetti_error_info e;
        bluetti_device_last_error(d, &e);
        printf("%s read %u failed %s: %s; %s\n", bluetti_device_address(d), (unsigned)b,
               bluetti_err_class_name(e.cls), e.detail, e.remedy);
    }
    fflush(stdout);
}

static bool all_done(void)
{
    if (!want_reads) return false;
    for (size_t i = 0; i < n_devs; i++)
        if (devs[i].ok < want_reads) return false;
    return true;
}

static int usage(const char *why)
{
    fprintf(stderr, "external-loop: %s\n"
            "usage: external-loop [--plugin-dir DIR] [--sessions N] [--block B] "
            "[--interval MS] [--reads N] [--field NAME]... [-o KEY=VALUE]... "
            "TRANSPORT SERIAL[=MODEL]...\n", why);
    return 2;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > max || s[0] == '-') return false;
    *out = v;
    return true;
}

static void log_cb(void *ud, bluetti_log_level level, const char *src, const char *msg)
{
    (void)ud;
    if (level <= BLUETTI_LOG_WARN) fprintf(stderr, "[%s] %s\n", src, msg);
}

int main(int argc, char **argv)
{
    const char *dirs[8];
    size_t n_dirs = 0;
    const char *opts[MAX_OPTIONS];
    size_t n_opts = 0;
    unsigned long n_sessions = 2, v;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) { /* an option and its value */
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return usage("an option needs a value");
        if (!strcmp(a, "--plugin-dir") && n_dirs < 8) dirs[n_dirs++] = val;
        else if (!strcmp(a, "--sessions") && parse_uint(val, MAX_SESSIONS, &v) && v) n_sessions = v;
        else if (!strcmp(a, "--block") && parse_uint(val, 65535, &v)) block = (uint16_t)v;
        else if (!strcmp(a, "--interval") && parse_uint(val, 3600000, &v)) interval_s = (double)v / 1000;
        else if (!strcmp(a, "--reads") && parse_uint(val, 1000000, &v)) want_reads = (unsigned)v;
        else if (!strcmp(a, "--field") && n_fields < MAX_FIELDS) fields[n_fields++] = val;
        else if (!strcmp(a, "-o") && strchr(val, '=') && n_opts < MAX_OPTIONS) opts[n_opts++] = val;
        else return usage("bad option or value");
    }
    if (argc - i < 2) return usage("give a transport and at least one serial number");
    const char *transport = argv[i++];
    if ((size_t)(argc - i) > MAX_DEVICES) return usage("too many devices");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns with EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    bluetti_registry *reg = NULL;
    if (bluetti_registry_new(&reg) != 0) return 1;
    bluetti_registry_set_log(reg, log_cb, NULL, BLUETTI_LOG_WARN);
    int lrc = bluetti_registry_load_search_path(reg, n_dirs ? dirs : NULL, n_dirs,
                                                n_dirs ? BLUETTI_LOAD_NO_ENV | BLUETTI_LOAD_NO_SYSTEM
                                                       : 0);
    if (lrc < 0) {
        fprintf(stderr, "external-loop: cannot load the plugins: %s\n", bluetti_strerror(lrc));
        bluetti_registry_free(reg);
        return 1;
    }
    bluetti_options *o = bluetti_options_new();
    int status = 0;
    for (size_t k = 0; o && k < n_opts; k++) {
        const char *eq = strchr(opts[k], '=');
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - opts[k]), opts[k]);
        bluetti_options_add(o, key, eq + 1); /* repeatable, e.g. device= of the sim */
    }
    const char *pw = getenv("BLUETTI_CERT_PASSWORD");
    if (o && pw && *pw) bluetti_options_set_secret(o, "password", pw);

    bluetti_session *sessions[MAX_SESSIONS] = { 0 };
    for (unsigned long k = 0; o && k < n_sessions && !status; k++) {
        bluetti_error_info e;
        if (bluetti_session_open_ex(reg, transport, o, NULL, &sessions[k], &e) != 0) {
            fprintf(stderr, "external-loop: session %lu: %s (%s); %s\n", k + 1, e.detail,
                    bluetti_err_class_name(e.cls), e.remedy);
            status = 1;
        } else {
            bluetti_session_set_read_callback(sessions[k], on_read, NULL);
        }
    }
    bluetti_options_free(o);
    if (!o) status = 1;
    for (; i < argc && !status; i++) {
        char serial[160];
        snprintf(serial, sizeof serial, "%s", argv[i]);
        char *model = strchr(serial, '=');
        if (model) *model++ = '\0';
        bluetti_session *s = sessions[n_devs % n_sessions];
        int rc = bluetti_session_add_device(s, serial, model, &devs[n_devs].d);
        if (rc) {
            fprintf(stderr, "external-loop: cannot add %s: %s; %s\n", serial, bluetti_strerror(rc),
                    bluetti_err_remedy(rc));
            status = 2;
            break;
        }
        n_devs++;
    }

    unsigned long wakeups = 0;
    while (!status && !stop && !all_done()) {
        double now = now_s();
        for (size_t k = 0; k < n_devs; k++) {
            struct dev *dv = &devs[k];
            if (bluetti_device_busy(dv->d) || now < dv->next_read) continue;
            int rc = bluetti_device_submit_read(dv->d, block, 0);
            if (rc) {
                printf("%s read %u failed %s: %s\n", bluetti_device_address(dv->d),
                       (unsigned)block, bluetti_err_class_name(bluetti_err_class(rc)),
                       bluetti_strerror(rc));
                dv->next_read = now + interval_s;
            }
        }
        /* what to wait for: every session's descriptor, until the earliest
         * of the sessions' timeouts and the next due read */
        struct pollfd fds[MAX_SESSIONS];
        double due[MAX_SESSIONS];
        double wake = INFINITY;
        for (unsigned long k = 0; k < n_sessions; k++) {
            fds[k] = (struct pollfd){ .fd = bluetti_session_fd(sessions[k]),
                                      .events = bluetti_session_poll_events(sessions[k]) };
            int t = bluetti_session_next_timeout_ms(sessions[k]);
            due[k] = t < 0 ? INFINITY : now + t / 1000.0;
            if (due[k] < wake) wake = due[k];
        }
        for (size_t k = 0; k < n_devs; k++)
            if (!bluetti_device_busy(devs[k].d) && devs[k].next_read < wake)
                wake = devs[k].next_read;
        int timeout = -1;
        if (isfinite(wake)) {
            double ms = ceil((wake - now) * 1000.0);
            timeout = ms <= 0 ? 0 : (ms > 3600000 ? 3600000 : (int)ms);
        }
        int n = poll(fds, (nfds_t)n_sessions, timeout);
        if (n < 0 && errno != EINTR) {
            perror("external-loop: poll");
            status = 1;
            break;
        }
        wakeups++;
        now = now_s();
        for (unsigned long k = 0; k < n_sessions; k++) {
            if ((n > 0 && fds[k].revents) || now >= due[k]) {
                int rc = bluetti_session_process(sessions[k], 0);
                if (rc) {
                    bluetti_error_info e;
                    bluetti_session_last_error(sessions[k], &e);
                    fprintf(stderr, "external-loop: session %lu failed: %s; %s\n", k + 1,
                            e.detail, e.remedy);
                    status = 1;
                }
            }
        }
    }
    unsigned ok = 0, failed = 0;
    for (size_t k = 0; k < n_devs; k++) {
        ok += devs[k].ok;
        failed += devs[k].failed;
    }
    printf("external-loop: %zu devices on %lu sessions: %u reads ok, %u failed, %lu wake-ups\n",
           n_devs, n_sessions, ok, failed, wakeups);
    for (unsigned long k = 0; k < n_sessions; k++) bluetti_session_close(sessions[k]);
    bluetti_registry_free(reg);
    return status;
}
