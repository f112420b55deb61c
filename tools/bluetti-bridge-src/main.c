/* bluetti-bridge: the command line and the poll() loop that drives every
 * source session, the target connection and the timers. */
#include "config.h"

#include "runtime.h"

#include "bt_clock.h"
#include "bt_escape.h"

#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CONFIG "/etc/bluetti/bridge.conf"
#define MAX_DIRS 16

static const char usage_text[] =
"Usage: bluetti-bridge [--config FILE] [--once | --check-config] [options]\n"
"\n"
"Polls Bluetti stations (through the Bluetti cloud, your certificate, or the\n"
"simulator) and publishes their values to an MQTT broker, with Home Assistant\n"
"discovery, availability and health topics. Runs until SIGTERM; SIGHUP reloads\n"
"the config and applies added, removed and changed devices.\n"
"\n"
"  -c, --config FILE    the config file (default " DEFAULT_CONFIG ")\n"
"      --check-config   check the config (plugins, models, options, secrets)\n"
"                       and exit: 0 when it is good, 2 with FILE:LINE: what is\n"
"                       wrong and what to write instead\n"
"      --once           poll every device once and print what would be\n"
"                       published, one 'TOPIC PAYLOAD' line each, without\n"
"                       connecting to the target broker; exit 1 when a device\n"
"                       did not answer\n"
"      --shard K/N      poll only the devices whose serial hashes to K (0 to\n"
"                       N-1) of N: N bridges split a fleet with no coordination\n"
"      --plugin-dir DIR load plugins from DIR (repeatable; default: the\n"
"                       installed ones and $BLUETTI_PLUGIN_PATH)\n"
"  -v, --verbose        log more (twice: debug)\n"
"  -q, --quiet          log errors only\n"
"  -h, --help           this help;  -V, --version  the version\n"
"\n"
"A config that works as written (no broker needed for the sim source):\n"
"\n"
"  [bridge]\n"
"  prefix = bluetti\n"
"  discovery_prefix = homeassistant\n"
"\n"
"  [target]\n"
"  broker = localhost\n"
"  port = 1883\n"
"\n"
"  [source home]\n"
"  transport = sim\n"
"\n"
"  [device garage]\n"
"  source = home\n"
"  model = EL100V2\n"
"  interval = 5\n"
"\n"
"Published (retained): PREFIX/SERIAL/state (JSON: values, units, time, stale\n"
"blocks), PREFIX/SERIAL/availability, PREFIX/SERIAL/health,\n"
"PREFIX/bridge/ID/availability (the last will: offline) and .../health, and\n"
"Home Assistant discovery under DISCOVERY_PREFIX/sensor/bluetti_SERIAL/.\n"
"control = true in a [device] (and its settings group polled): its confirmed\n"
"writable fields become switch/select/number entities, commanded on\n"
"PREFIX/SERIAL/KEY/set; the state is read back from the device.\n"
"Secrets never go in the config or on the command line: password_file = PATH\n"
"(chmod 600) or password_credential = NAME (systemd LoadCredential=).\n"
"\n"
"Exit status: 0 ok, 1 failure, 2 usage or configuration error.\n"
"See man bluetti-bridge and docs/BRIDGE.md for every key and topic.\n";

typedef struct cli {
    const char *config;
    bool check, once;
    const char *shard;
    const char *dirs[MAX_DIRS];
    size_t n_dirs;
} cli;

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, BRIDGE_NAME ": %s%s%s\nTry 'bluetti-bridge --help' for more information.\n",
            what, arg ? " " : "", arg ? bt_shown(arg) : "");
    return BR_EXIT_CONFIG;
}

static int parse_cli(int argc, char **argv, cli *c)
{
    static const struct option longs[] = {
        { "config", required_argument, NULL, 'c' }, { "check-config", no_argument, NULL, 'C' },
        { "once", no_argument, NULL, 'O' },        { "shard", required_argument, NULL, 'S' },
        { "plugin-dir", required_argument, NULL, 'P' }, { "verbose", no_argument, NULL, 'v' },
        { "quiet", no_argument, NULL, 'q' },       { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },     { NULL, 0, NULL, 0 },
    };
    c->config = DEFAULT_CONFIG;
    int o;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":c:vqhV", longs, NULL)) != -1) {
        switch (o) {
        case 'c': c->config = optarg; break;
        case 'C': c->check = true; break;
        case 'O': c->once = true; break;
        case 'S': {
            unsigned k, n;
            const char *why;
            if (br_shard_parse(optarg, &k, &n, &why)) {
                fprintf(stderr, BRIDGE_NAME ": --shard %s: %s\n", bt_shown(optarg), why);
                return BR_EXIT_CONFIG;
            }
            c->shard = optarg;
            break;
        }
        case 'P':
            if (c->n_dirs == MAX_DIRS) return usage_error("at most 16 --plugin-dir", NULL);
            c->dirs[c->n_dirs++] = optarg;
            break;
        case 'v': br_verbosity = br_verbosity < BR_DEBUG ? br_verbosity + 1 : BR_DEBUG; break;
        case 'q': br_verbosity = BR_ERROR; break;
        case 'h': fputs(usage_text, stdout); return -1;
        case 'V': printf("bluetti-bridge %s\n", PACKAGE_VERSION); return -1;
        case ':': return usage_error("this option needs a value:", argv[optind - 1]);
        default: return usage_error("unknown option", argv[optind - 1]);
        }
    }
    if (optind < argc) return usage_error("the config is given with --config FILE, not as an argument:", argv[optind]);
    if (c->check && c->once) return usage_error("--check-config and --once: give one of them", NULL);
    return 0;
}

static int load_plugins(bridge *b, const cli *c)
{
    if (bluetti_registry_new(&b->reg) != 0) {
        br_log(BR_ERROR, "out of memory");
        return BR_EXIT_FAIL;
    }
    bluetti_registry_set_log(b->reg, br_lib_log, NULL,
                             br_verbosity >= BR_DEBUG ? BLUETTI_LOG_DEBUG : BLUETTI_LOG_WARN);
    int rc = bluetti_registry_load_search_path(b->reg, c->n_dirs ? c->dirs : NULL, c->n_dirs,
                                               BLUETTI_LOAD_DEFER_TRANSPORTS |
                                               (c->n_dirs ? BLUETTI_LOAD_NO_ENV | BLUETTI_LOAD_NO_SYSTEM : 0));
    if (rc < 0 || !bluetti_registry_profile_count(b->reg)) {
        br_log(BR_ERROR, "no plugins loaded (%s); check --plugin-dir or the installation",
               rc < 0 ? bluetti_strerror(rc) : "no device profiles");
        return BR_EXIT_FAIL;
    }
    /* the block a device without a model is read first: where profiles
     * say the model is */
    for (size_t i = 0; i < bluetti_registry_profile_count(b->reg) && !b->probe_block; i++)
        b->probe_block = bluetti_registry_profile_at(b->reg, i)->model_block;
    return 0;
}

static int load_config(bridge *b, const cli *c, br_config **out)
{
    char err[BR_ERR_MAX];
    br_overrides ov = { c->shard };
    int rc = br_config_load(c->config, b->reg, &ov, out, err, sizeof err);
    if (rc) br_log(BR_ERROR, "%s", err);
    return rc;
}

static void reload(bridge *b, const cli *c)
{
    br_notify("RELOADING=1");
    br_log(BR_INFO, "SIGHUP: reloading %s", bt_shown_path(c->config));
    br_config *nc = NULL;
    if (load_config(b, c, &nc) != 0) {
        br_log(BR_ERROR, "the new config is not applied; the bridge runs on with the one it had");
    } else if (br_apply(b, nc, bt_now()) != 0) {
        br_log(BR_ERROR, "applying the new config failed");
    }
    br_notify("READY=1");
}

static int min_timeout(int a, int b)
{
    return a < 0 ? b : (b < 0 ? a : (a < b ? a : b));
}

static int run(bridge *b, const cli *c, int sigfd)
{
    /* --once is a command, not the service: it notifies nothing (no
     * READY=1, so no watchdog either) */
    uint64_t wd_usec = b->once ? 0 : br_notify_watchdog_usec();
    double next_wd = 0;
    b->next_health = bt_now() + (b->once ? INFINITY : 1.0);
    if (!b->once) br_notify("READY=1");
    struct pollfd *fds = NULL;
    size_t cap = 0;
    int status = BR_EXIT_OK;
    for (;;) {
        double now = bt_now();
        br_sess_open_due(b, now);
        br_sched_run(b, now);
        if (b->mqtt.connected || b->mqtt.print_only) br_mqtt_io(&b->mqtt, 0, now);
        br_discovery_pump(b);
        if (b->once && !b->once_pending) break;
        if (now >= b->next_health) {
            br_publish_health(b, now, false);
            b->next_health = now + b->cfg->health_interval;
#ifdef __GLIBC__
            /* give back what bursts (discovery, a reconnect's republishing)
             * left free in the heap: a daemon's footprint should not keep
             * its peak */
            malloc_trim(0);
#endif
        }
        if (wd_usec && now >= next_wd) {
            br_notify("WATCHDOG=1");
            next_wd = now + (double)wd_usec / 2e6;
        }
        size_t need = 2 + b->n_sess;
        if (need > cap || !fds) {
            /* (need < 2: the count wrapped, which can only be out of memory) */
            struct pollfd *nf = need >= 2 ? realloc(fds, need * sizeof *nf) : NULL;
            if (!nf) {
                br_log(BR_ERROR, "out of memory");
                status = BR_EXIT_FAIL;
                break;
            }
            fds = nf;
            cap = need;
        }
        fds[0] = (struct pollfd){ sigfd, POLLIN, 0 };
        br_mqtt_pollfd(&b->mqtt, &fds[1]);
        int timeout = min_timeout(br_mqtt_timeout_ms(&b->mqtt, now), br_sess_timeout_ms(b, now));
        for (size_t i = 0; i < b->n_sess; i++) {
            bluetti_session *s = b->sess[i]->s;
            fds[2 + i] = (struct pollfd){ s ? bluetti_session_fd(s) : -1,
                                          s ? bluetti_session_poll_events(s) : 0, 0 };
        }
        timeout = min_timeout(timeout, br_sched_timeout_ms(b, now));
        timeout = min_timeout(timeout, bt_ms_until(b->next_health, now, 3600000));
        if (wd_usec) timeout = min_timeout(timeout, bt_ms_until(next_wd, now, 3600000));
        if (br_mqtt_can_send(&b->mqtt)) timeout = 0;
        int n = poll(fds, (nfds_t)(2 + b->n_sess), timeout);
        if (n < 0 && errno != EINTR) {
            br_log(BR_ERROR, "poll: %s", strerror(errno));
            status = BR_EXIT_FAIL;
            break;
        }
        now = bt_now();
        if (n > 0 && fds[0].revents) {
            int sig = br_signals_take(sigfd);
            if (sig == 'T') {
                br_log(BR_INFO, "stopping");
                break;
            }
            if (sig == 'H') {
                reload(b, c);
                continue; /* the sessions and descriptors may have changed */
            }
        }
        br_mqtt_io(&b->mqtt, n > 0 ? fds[1].revents : 0, now);
        if (b->mqtt.just_connected) {
            b->mqtt.just_connected = false;
            br_publish_everything(b);
        }
        if (b->mqtt.ha_online) {
            b->mqtt.ha_online = false;
            br_log(BR_INFO, "Home Assistant is online: sending discovery again");
            for (size_t i = 0; i < b->n_devs; i++)
                if (b->cfg->discovery && b->devs[i]->disc_mask) br_discovery_due(b, b->devs[i]);
        }
        for (size_t i = 0; i < b->n_sess; i++) {
            br_sess *s = b->sess[i];
            if (!s->s) continue;
            int due = bluetti_session_next_timeout_ms(s->s);
            if (!(n > 0 && fds[2 + i].revents) && due != 0) continue;
            /* A transport may take one message per call (transport-mqtt
             * reads one MQTT packet): call again while calls complete reads
             * or the descriptor is readable, so a busy session costs one
             * pass of the loop, not one per reply. */
            int rc = 0;
            for (int k = 0, idle = 0; k < 1024 && !rc; k++) {
                uint64_t before = b->all.reads;
                rc = bluetti_session_process(s->s, 0);
                /* acknowledgements complete no read: a few calls without one
                 * before the descriptor decides */
                idle = b->all.reads != before ? 0 : idle + 1;
                if (b->n_ready) br_sched_run(b, bt_now()); /* the next blocks go out at once */
                /* states finished in this drain go to the target now, not
                 * when a long drain ends */
                if (br_mqtt_can_send(&b->mqtt)) br_mqtt_io(&b->mqtt, 0, bt_now());
                if (rc || idle < 4 || bluetti_session_next_timeout_ms(s->s) == 0) continue;
                struct pollfd p = { bluetti_session_fd(s->s), bluetti_session_poll_events(s->s), 0 };
                if (poll(&p, 1, 0) <= 0) break;
            }
            if (rc) {
                bluetti_error_info e;
                bluetti_session_last_error(s->s, &e);
                br_sess_reset(b, s, e.detail[0] ? e.detail : "the session failed");
            }
        }
    }
    free(fds);
    return status;
}

static void bridge_free(bridge *b)
{
    for (size_t i = 0; i < b->n_devs; i++) br_dev_free(b, b->devs[i], false);
    free(b->devs);
    br_sched_free(b);
    bt_strindex_free(&b->by_serial);
    free(b->sess);
    br_buf_free(&b->buf);
    br_buf_free(&b->topic);
    br_config_free(b->cfg);
    bluetti_registry_free(b->reg);
}

int main(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    int rc = parse_cli(argc, argv, &c);
    if (rc) return rc < 0 ? BR_EXIT_OK : rc;
    bridge b;
    memset(&b, 0, sizeof b);
    b.once = c.once;
    b.mqtt.print_only = c.once;
    if ((rc = load_plugins(&b, &c))) {
        bridge_free(&b);
        return rc;
    }
    br_config *cfg = NULL;
    if ((rc = load_config(&b, &c, &cfg))) {
        bridge_free(&b);
        return rc;
    }
    if (c.check) {
        printf("%s: good: %zu device%s on %zu source%s, target %s:%d\n", bt_shown_path(c.config),
               cfg->n_devices, cfg->n_devices == 1 ? "" : "s", cfg->n_sources,
               cfg->n_sources == 1 ? "" : "s", bt_shown(cfg->target.broker), cfg->target.port);
        br_config_free(cfg);
        bridge_free(&b);
        return BR_EXIT_OK;
    }
    int sigfd = br_signals_open();
    if (sigfd < 0) {
        br_log(BR_ERROR, "cannot set up signal handling: %s", strerror(errno));
        br_config_free(cfg);
        bridge_free(&b);
        return BR_EXIT_FAIL;
    }
    b.started = bt_now();
    b.started_wall = bt_wall();
    if (br_apply(&b, cfg, b.started) != 0) {
        br_config_free(b.cfg == cfg ? NULL : cfg);
        bridge_free(&b);
        close(sigfd);
        return BR_EXIT_CONFIG;
    }
    if (b.once) {
        b.once_pending = b.n_devs;
        for (size_t i = 0; i < b.n_devs; i++) b.devs[i]->due = b.started;
        br_sched_rebuild(&b);
        br_mqtt_puts(&b.mqtt, b.mqtt.avail_topic, "online", true);
    }
    rc = run(&b, &c, sigfd);
    if (b.once) {
        br_publish_health(&b, bt_now(), true);
        if (rc == BR_EXIT_OK && b.once_failed) rc = BR_EXIT_FAIL;
    } else {
        br_notify("STOPPING=1");
    }
    br_mqtt_close(&b.mqtt, 2.0);
    bridge_free(&b);
    close(sigfd);
    return rc;
}
