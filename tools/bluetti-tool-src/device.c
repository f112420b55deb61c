/* Opening the session, adding the device and reading blocks. Reads use the
 * asynchronous API so that Ctrl-C stops the tool promptly. */
#include "config.h"

#include "tool.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void list_names(char *buf, size_t cap, size_t n, const char *(*name_at)(const tool *, size_t),
                       const tool *t)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", name_at(t, i));
        if (w < 0) break;
        len += (size_t)w;
    }
    if (n == 0) snprintf(buf, cap, "none");
}

static const char *transport_at(const tool *t, size_t i)
{
    return bluetti_registry_transport_at(t->reg, i)->name;
}

static const char *model_at(const tool *t, size_t i)
{
    return bluetti_registry_profile_at(t->reg, i)->model;
}

static int find_model(tool *t, const bluetti_profile **out)
{
    *out = bluetti_registry_find_profile(t->reg, t->set.model);
    if (*out) return EXIT_OK;
    char names[512];
    list_names(names, sizeof names, bluetti_registry_profile_count(t->reg), model_at, t);
    return tool_error(EXIT_USAGE, "unknown model '%s'; give --model with one of: %s%s",
                      shown(t->set.model), names, no_plugins_hint(t));
}

static void set_opt(bluetti_options *o, const char *key, const char *value, int *fail)
{
    if (value && bluetti_options_set(o, key, value) != 0) *fail = 1;
}

static void set_num(bluetti_options *o, const char *key, long v, int *fail)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    set_opt(o, key, buf, fail);
}

static const char *open_hint(int err, const char *transport)
{
    if ((err == BLUETTI_E_INVAL || err == BLUETTI_E_IO) && strcmp(transport, "sim") == 0)
        return "check --sim-device (a device image such as data/devices/el100v2.json) and "
               "--sim-faults";
    switch (err) {
    case BLUETTI_E_CERT_PASSWORD: return "check --password or BLUETTI_CERT_PASSWORD";
    case BLUETTI_E_CERT_READ:
    case BLUETTI_E_CERT_FORMAT:
    case BLUETTI_E_CERT_NO_KEY:
        return "give the PKCS#12 (.pfx/.p12) file that belongs to your Bluetti account";
    case BLUETTI_E_CERT_EXPIRED: return "get a fresh certificate from your Bluetti account";
    case BLUETTI_E_CERT_NOT_YET_VALID: return "check this computer's clock";
    case BLUETTI_E_CONNECT:
    case BLUETTI_E_TIMEOUT:
    case BLUETTI_E_DISCONNECTED:
    case BLUETTI_E_NOT_CONNECTED:
        return "check --broker, --port and the network, then try again";
    case BLUETTI_E_TLS_VERIFY: return "check --cafile (or use --insecure with a test broker only)";
    case BLUETTI_E_BROKER_REFUSED:
        return "check that the certificate belongs to the account that owns the device";
    case BLUETTI_E_INVAL:
    case BLUETTI_E_IO:
        return "check the transport options ('" TOOL_NAME " --help')";
    default: return "run with -v for details";
    }
}

const char *read_hint(int err)
{
    switch (err) {
    case BLUETTI_E_TIMEOUT:
    case BLUETTI_E_NOT_CONNECTED:
    case BLUETTI_E_DISCONNECTED:
    case BLUETTI_E_CONNECT:
        return "check --sn and that the device is online, or raise --timeout / --retries";
    case BLUETTI_E_EXCEPTION: return "the device does not provide these registers";
    case BLUETTI_E_CRC:
    case BLUETTI_E_FRAME:
    case BLUETTI_E_BYTE_COUNT:
    case BLUETTI_E_FUNCTION:
    case BLUETTI_E_ADDRESS:
        return "the reply was damaged or answered another request; try again (-v shows more)";
    case BLUETTI_E_SHORT:
    case BLUETTI_E_BAD_VALUE:
        return "the data does not fit the block's schema; see the warnings or try "
               "--protocol-version";
    case BLUETTI_E_NO_SCHEMA: return "no loaded plugin decodes this block";
    default: return "run with -v for details";
    }
}

/* The rules the session applies to addresses, checked before connecting. */
static bool valid_serial(const char *sn)
{
    size_t n = 0;
    for (; sn[n]; n++) {
        unsigned char c = (unsigned char)sn[n];
        if (c <= ' ' || c == '+' || c == '#' || c == '/' || c >= 0x7f) return false;
    }
    return n > 0 && n <= 128;
}

/* The simulated device answers any serial; make one from the model. */
static char *sim_serial(const bluetti_profile *p)
{
    char *s = xasprintf("SIM-%s", p->model);
    if (!s) return NULL;
    for (char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-') *c = '-';
    return s;
}

/* *address and *cloud_model (malloc'd) are set when the stored cloud
 * login resolved --sn. */
static int build_options(tool *t, const bluetti_profile *p, bool mqtt, bool sim,
                         bluetti_options *o, char **address, char **cloud_model)
{
    const settings *s = &t->set;
    int fail = 0;
    *address = *cloud_model = NULL;
    if (mqtt) {
        set_opt(o, "broker", s->broker, &fail);
        set_num(o, "port", s->port, &fail);
        set_num(o, "keepalive", s->keepalive, &fail);
        set_opt(o, "cert", s->cert, &fail);
        set_opt(o, "cafile", s->cafile, &fail);
        set_opt(o, "client_id", s->client_id, &fail);
        if (s->insecure) set_opt(o, "insecure", "1", &fail);
        if (!s->cert && s->sn && !fail) { /* no certificate: the stored login */
            int rc = cloud_profile_resolve(t, o, address, cloud_model);
            if (rc) return rc;
        }
    } else if (sim) {
        for (size_t i = 0; i < s->n_sim_devices; i++)
            if (bluetti_options_add(o, "device", s->sim_devices[i]) != 0) fail = 1;
        set_opt(o, "model", p->model, &fail);
        set_opt(o, "faults", s->sim_faults, &fail);
    }
    for (size_t i = 0; i < s->n_options; i++) {
        const char *kv = s->options[i];
        const char *eq = strchr(kv, '=');
        /* the whole key: a cut one would set some other option */
        char *key = strndup(kv, (size_t)(eq - kv));
        if (!key) fail = 1;
        else set_opt(o, key, eq + 1, &fail);
        free(key);
    }
    if (fail) return tool_error(EXIT_FAIL, "out of memory");
    if (!mqtt || *address) return EXIT_OK;

    if (!s->cert)
        return tool_error(EXIT_USAGE, "the mqtt transport needs the client certificate; give "
                          "--cert FILE (the PKCS#12 file of your Bluetti account), or use "
                          "--transport sim to try the tool");
    if (access(s->cert, R_OK) != 0)
        return tool_error(EXIT_USAGE, "cannot read certificate %s: %s; check the path and its "
                          "permissions", shown_path(s->cert), strerror(errno));
    char *pw = NULL;
    int rc = password_get(t, &pw);
    if (rc) return rc;
    if (bluetti_options_set_secret(o, "password", pw) != 0)
        rc = tool_error(EXIT_FAIL, "out of memory");
    password_free(pw);
    return rc;
}

bool blocking_begin(void)
{
    tool_stop_at_once = 1;
    if (!tool_stop_signal()) return false;
    tool_stop_at_once = 0; /* the signal came before: stop the normal way */
    return true;
}

static void detect_version(tool *t, const bluetti_profile *p, int *rc_out)
{
    *rc_out = EXIT_OK;
    if (t->set.protocol_version) {
        bluetti_device_set_protocol_version(t->dev, (uint16_t)t->set.protocol_version);
        return;
    }
    if (!p->version_block) return;
    if (blocking_begin()) {
        *rc_out = tool_stop_exit();
        return;
    }
    int rc = bluetti_device_detect_protocol_version(t->dev);
    tool_stop_at_once = 0;
    const bluetti_logger *lg = bluetti_registry_logger(t->reg);
    if (rc == 0) {
        bluetti_log(lg, BLUETTI_LOG_INFO, TOOL_NAME, "device reports protocol version %u",
                    (unsigned)bluetti_device_protocol_version(t->dev));
    } else if (bluetti_err_is_transient(rc)) {
        *rc_out = tool_error(EXIT_FAIL, "device %s did not answer: %s; check --sn and that the "
                             "device is online, or raise --timeout / --retries",
                             shown(t->set.sn ? t->set.sn : bluetti_device_address(t->dev)),
                             bluetti_device_error_detail(t->dev)[0]
                                 ? bluetti_device_error_detail(t->dev)
                                 : bluetti_strerror(rc));
    } else {
        bluetti_log(lg, BLUETTI_LOG_INFO, TOOL_NAME,
                    "could not read the protocol version (%s); using the profile's %u",
                    bluetti_device_error_detail(t->dev)[0] ? bluetti_device_error_detail(t->dev)
                                                           : bluetti_strerror(rc),
                    (unsigned)p->protocol_version);
    }
}

int device_open(tool *t)
{
    const settings *s = &t->set;
    int nrc = bluetti_registry_need_transport(t->reg, s->transport);
    if (nrc && nrc != BLUETTI_E_NOTFOUND) {
        /* the loader has logged why the plugin file was refused */
        return tool_error(EXIT_FAIL, "transport '%s' is not available: its plugin was refused "
                          "(%s); see 'bluetti-tool plugins'", shown(s->transport),
                          bluetti_strerror(nrc));
    }
    if (nrc) {
        bluetti_registry_load_deferred(t->reg); /* to list every transport */
        char names[512];
        list_names(names, sizeof names, bluetti_registry_transport_count(t->reg), transport_at,
                   t);
        return tool_error(EXIT_USAGE, "unknown transport '%s'; give --transport with one of: "
                          "%s%s", shown(s->transport), names, no_plugins_hint(t));
    }
    const bluetti_profile *p;
    int rc = find_model(t, &p);
    if (rc) return rc;
    bool mqtt = strcmp(s->transport, "mqtt") == 0, sim = strcmp(s->transport, "sim") == 0;
    if (s->sn && !valid_serial(s->sn))
        return tool_error(EXIT_USAGE, "serial number '%s' is not valid; it must be 1 to 128 "
                          "printable characters without spaces, '+', '#' or '/'", shown(s->sn));
    char *serial = NULL;
    if (!s->sn) {
        if (!sim)
            return tool_error(EXIT_USAGE, "the %s transport needs the device's serial number; "
                              "give --sn SERIAL (shown in the Bluetti app)", shown(s->transport));
        if (!(serial = sim_serial(p))) return tool_error(EXIT_FAIL, "out of memory");
    }
    bluetti_options *o = bluetti_options_new();
    if (!o) {
        free(serial);
        return tool_error(EXIT_FAIL, "out of memory");
    }
    char *cloud_address = NULL, *cloud_model = NULL;
    rc = build_options(t, p, mqtt, sim, o, &cloud_address, &cloud_model);
    if (rc) {
        bluetti_options_free(o);
        free(serial);
        free(cloud_address);
        free(cloud_model);
        return rc;
    }
    if (cloud_address) { /* the session addresses the station as MODEL:SUBSN */
        free(serial);
        serial = cloud_address;
        /* the cloud's model names a loaded profile: decode with it unless --model */
        const bluetti_profile *cp = bluetti_registry_find_profile(t->reg, cloud_model);
        if (cp && !s->model_given) p = cp;
    }
    free(cloud_model);
    bluetti_session_config cfg;
    bluetti_session_config_default(&cfg);
    cfg.timeout_s = s->timeout;
    cfg.connect_timeout_s = s->connect_timeout;
    cfg.retry.max_attempts = (unsigned)s->retries;
    cfg.retry.initial_delay = s->retry_initial;
    cfg.retry.max_delay = s->retry_max;
    cfg.modbus_address = (uint8_t)s->modbus_address;
    char detail[512] = "";
    int err = BLUETTI_E_INVAL;
    if (!blocking_begin()) {
        err = bluetti_session_open(t->reg, s->transport, o, &cfg, &t->session, detail,
                                   sizeof detail);
        tool_stop_at_once = 0;
    }
    bluetti_options_free(o);
    if (tool_stop_signal()) {
        free(serial);
        return tool_stop_exit();
    }
    if (err) {
        free(serial);
        return tool_error(exit_code_for(err), "cannot open the %s transport: %s; %s",
                          shown(s->transport), detail[0] ? detail : bluetti_strerror(err),
                          open_hint(err, s->transport));
    }
    const char *sn = serial ? serial : s->sn;
    err = bluetti_session_add_device(t->session, sn, p->model, &t->dev);
    if (err == BLUETTI_E_INVAL)
        rc = tool_error(EXIT_USAGE, "serial number '%s' is not valid; it must be 1 to 128 "
                        "printable characters without spaces, '+', '#' or '/'", shown(sn));
    else if (err)
        rc = tool_error(exit_code_for(err), "cannot add device %s: %s; %s", shown(sn),
                        bluetti_strerror(err), open_hint(err, s->transport));
    free(serial);
    if (rc) return rc;
    detect_version(t, p, &rc);
    return rc;
}

void device_close(tool *t)
{
    bluetti_session_close(t->session);
    t->session = NULL;
    t->dev = NULL;
}

struct wait_read {
    bool done;
    int err;
    const bluetti_result *r;
};

static void on_read(void *ud, bluetti_device *d, uint16_t block, int err, const bluetti_result *r)
{
    (void)d;
    (void)block;
    struct wait_read *w = ud;
    w->done = true;
    w->err = err;
    w->r = r;
}

int device_read(tool *t, uint16_t block, uint16_t registers, const bluetti_result **out)
{
    *out = NULL;
    struct wait_read w = { false, 0, NULL };
    bluetti_session_set_read_callback(t->session, on_read, &w);
    int rc = bluetti_device_submit_read(t->dev, block, registers);
    while (rc == 0 && !w.done) {
        if (tool_stop_signal()) {
            rc = 1;
            break;
        }
        rc = bluetti_session_process(t->session, 100);
    }
    bluetti_session_set_read_callback(t->session, NULL, NULL);
    if (rc) return rc;
    *out = w.r;
    if (w.err == BLUETTI_E_SHORT) *out = bluetti_device_last(t->dev, block);
    return w.err;
}

bool device_idle(tool *t, double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double end = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + seconds;
    for (;;) {
        if (tool_stop_signal()) return false;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double left = end - ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
        if (left <= 0) return true;
        int ms = left > 0.2 ? 200 : (int)ceil(left * 1000.0);
        if (bluetti_session_process(t->session, ms) < 0) {
            struct timespec nap = { 0, (long)ms * 1000000L };
            nanosleep(&nap, NULL);
        }
    }
}

static int add_block(uint16_t **ids, size_t *n, size_t *cap, uint16_t id)
{
    for (size_t i = 0; i < *n; i++)
        if ((*ids)[i] == id) return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        uint16_t *nv = realloc(*ids, nc * sizeof *nv);
        if (!nv) return -1;
        *ids = nv;
        *cap = nc;
    }
    (*ids)[(*n)++] = id;
    return 0;
}

static int group_names(const bluetti_profile *p, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (uint16_t i = 0; i < p->n_groups && len + 1 < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", p->groups[i].name);
        if (w < 0) break;
        len += (size_t)w;
    }
    return 0;
}

int select_blocks(tool *t, const char *blocks, const char *groups, uint16_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (blocks && groups)
        return tool_error(EXIT_USAGE, "--blocks and --group exclude each other; give one of them");
    if (blocks) {
        int rc = parse_block_list(t->reg, blocks, ids, n);
        if (rc) return rc;
        for (size_t i = 0; i < *n; i++)
            if (!bluetti_registry_find_block(t->reg, (*ids)[i])) {
                rc = tool_error(EXIT_USAGE, "unknown block %u: no loaded plugin decodes it; '"
                                TOOL_NAME " blocks' lists the known blocks%s",
                                (unsigned)(*ids)[i], no_plugins_hint(t));
                free(*ids);
                *ids = NULL;
                *n = 0;
                return rc;
            }
        return EXIT_OK;
    }
    const bluetti_profile *p;
    int rc = find_model(t, &p);
    if (rc) return rc;
    size_t cap = 0;
    if (groups) {
        char *copy = strdup(groups);
        if (!copy) return tool_error(EXIT_FAIL, "out of memory");
        char *save = NULL;
        for (char *g = strtok_r(copy, ", ", &save); g && !rc; g = strtok_r(NULL, ", ", &save)) {
            const bluetti_block_group *grp = bluetti_profile_group(p, g);
            if (!grp) {
                char names[512];
                group_names(p, names, sizeof names);
                rc = tool_error(EXIT_USAGE, "model %s has no group '%s'; its groups are: %s",
                                p->model, shown(g), names);
                break;
            }
            for (uint16_t k = 0; k < grp->n_blocks; k++)
                if (add_block(ids, n, &cap, grp->blocks[k])) rc = tool_error(EXIT_FAIL, "out of memory");
        }
        free(copy);
        if (!rc && *n == 0) rc = tool_error(EXIT_USAGE, "--group '%s' names no group; give names like core,grid",
                            shown(groups));
    } else {
        for (uint16_t i = 0; i < p->n_groups && !rc; i++) {
            const bluetti_block_group *grp = &p->groups[i];
            if (!grp->is_default) continue;
            for (uint16_t k = 0; k < grp->n_blocks; k++)
                if (add_block(ids, n, &cap, grp->blocks[k])) rc = tool_error(EXIT_FAIL, "out of memory");
        }
        if (!rc && *n == 0 && p->n_groups > 0)
            for (uint16_t k = 0; k < p->groups[0].n_blocks; k++)
                if (add_block(ids, n, &cap, p->groups[0].blocks[k])) rc = tool_error(EXIT_FAIL, "out of memory");
        if (!rc && *n == 0)
            rc = tool_error(EXIT_USAGE, "model %s has no block groups; give --blocks", p->model);
    }
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}
