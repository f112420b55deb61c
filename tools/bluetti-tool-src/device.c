/* Opening the session, adding the device and reading blocks. Reads use the
 * asynchronous API so that Ctrl-C stops the tool promptly. */
#include "config.h"

#include "tool.h"
#include "bt_address.h"
#include "bt_clock.h"

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
                      bt_shown(t->set.model), names, no_plugins_hint(t));
}

#define GENERIC_HINT "run with -v for details"

/* The tool's hint names its own flags; when it has nothing specific, the
 * library's remedy (which may come from the transport) says what to do. */
const char *hint_or_remedy(const char *hint, const bluetti_error_info *info)
{
    if (strcmp(hint, GENERIC_HINT) == 0 && info && info->remedy[0]) return info->remedy;
    return hint;
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
    default: return GENERIC_HINT;
    }
}

/* A transport that answers any address: make one from its name and the
 * model ("SIM-EL100V2"). */
static char *made_up_serial(const char *transport, const bluetti_profile *p)
{
    char *s = xasprintf("%s-%s", transport, p->model);
    if (!s) return NULL;
    for (char *c = s; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '-') *c = '-';
        *c = (char)toupper((unsigned char)*c);
    }
    return s;
}

bool blocking_begin(void)
{
    tool_stop_at_once = 1;
    if (!tool_stop_signal()) return false;
    tool_stop_at_once = 0; /* the signal came before: stop the normal way */
    return true;
}

/* The device was added without a model: ask it (this reads the block the
 * profiles name, and the protocol version with it). */
static void detect_model(tool *t, int *rc_out)
{
    *rc_out = EXIT_OK;
    if (blocking_begin()) {
        *rc_out = tool_stop_exit();
        return;
    }
    int rc = bluetti_device_detect_protocol_version(t->dev);
    tool_stop_at_once = 0;
    if (bluetti_device_profile(t->dev)) return; /* a version failure is detect_version's */
    bluetti_error_info info;
    bluetti_device_last_error(t->dev, &info);
    *rc_out = tool_error(bluetti_err_is_transient(rc) ? EXIT_FAIL : exit_code_for(rc),
                         "cannot find out the model of device %s: %s; %s, or give --model",
                         bt_shown(bluetti_device_address(t->dev)),
                         info.detail[0] ? info.detail : bluetti_strerror(rc),
                         hint_or_remedy(read_hint(rc), &info));
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
                             bt_shown(t->set.sn ? t->set.sn : bluetti_device_address(t->dev)),
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
    if (!s->transport) {
        bluetti_registry_load_deferred(t->reg);
        char names[512];
        list_names(names, sizeof names, bluetti_registry_transport_count(t->reg), transport_at,
                   t);
        return tool_error(EXIT_USAGE, "no transport given and none is marked the default; give "
                          "--transport with one of: %s%s", names, no_plugins_hint(t));
    }
    /* asked once (topts_select): a refused plugin is not retried */
    int nrc = t->tops ? 0 : t->tops_err ? t->tops_err
                                        : bluetti_registry_need_transport(t->reg, s->transport);
    if (nrc && nrc != BLUETTI_E_NOTFOUND) {
        /* the loader has logged why the plugin file was refused */
        return tool_error(EXIT_FAIL, "transport '%s' is not available: its plugin was refused "
                          "(%s); see 'bluetti-tool plugins'", bt_shown(s->transport),
                          bluetti_strerror(nrc));
    }
    if (nrc) {
        bluetti_registry_load_deferred(t->reg); /* to list every transport */
        char names[512];
        list_names(names, sizeof names, bluetti_registry_transport_count(t->reg), transport_at,
                   t);
        return tool_error(EXIT_USAGE, "unknown transport '%s'; give --transport with one of: "
                          "%s%s", bt_shown(s->transport), names, no_plugins_hint(t));
    }
    const bluetti_profile *p;
    int rc = find_model(t, &p);
    if (rc) return rc;
    bool any_address = t->tops && (t->tops->flags & BLUETTI_TRANSPORT_F_ANY_ADDRESS);
    if (s->sn && !bt_address_valid(s->sn))
        return tool_error(EXIT_USAGE, "serial number '%s' is not valid; it must be 1 to 128 "
                          "printable characters without spaces, '+', '#' or '/'", bt_shown(s->sn));
    char *serial = NULL;
    if (!s->sn && !t->session_only) {
        if (!any_address)
            return tool_error(EXIT_USAGE, "the %s transport needs the device's serial number; "
                              "give --sn SERIAL (shown in the Bluetti app)", bt_shown(s->transport));
        if (!(serial = made_up_serial(s->transport, p))) return tool_error(EXIT_FAIL, "out of memory");
    }
    bluetti_options *o = NULL;
    /* only a model the user named goes into the transport's model option
     * (the simulator serves an image of it); else the transport picks and
     * the library asks the device */
    rc = topts_build(t, s->model_given ? p->model : NULL, &o);
    char *cloud_address = NULL, *cloud_model = NULL;
    if (rc == EXIT_OK && s->sn && topts_wants_cloud_login(t, o))
        rc = cloud_profile_resolve(t, o, &cloud_address, &cloud_model);
    if (rc) {
        bluetti_options_free(o); /* NULL when topts_build failed */
        free(serial);
        free(cloud_address);
        free(cloud_model);
        return rc;
    }
    bool model_known = s->model_given;
    t->cloud_station = cloud_address != NULL;
    if (cloud_address) { /* the session addresses the station as MODEL:SUBSN */
        free(serial);
        serial = cloud_address;
        /* the cloud's model names a loaded profile: decode with it unless --model */
        const bluetti_profile *cp = bluetti_registry_find_profile(t->reg, cloud_model);
        if (cp && !s->model_given) {
            p = cp;
            model_known = true;
        }
    }
    free(cloud_model);
    bluetti_session_config cfg;
    bluetti_session_config_default(&cfg);
    cfg.timeout_s = s->timeout;
    cfg.connect_timeout_s = s->connect_timeout;
    cfg.retry.max_attempts = (unsigned)s->retries;
    cfg.retry.initial_delay = s->retry_initial;
    cfg.retry.max_delay = s->retry_max;
    if (s->modbus_address >= 0) cfg.modbus_address = (uint8_t)s->modbus_address;
    bluetti_error_info info = { 0 };
    int err = BLUETTI_E_INVAL;
    if (!blocking_begin()) {
        err = bluetti_session_open_ex(t->reg, s->transport, o, &cfg, &t->session, &info);
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
                          bt_shown(s->transport), info.detail[0] ? info.detail : bluetti_strerror(err),
                          hint_or_remedy(topts_hint(t, err), &info));
    }
    if (t->session_only) { /* the transport only (scan) */
        free(serial);
        return EXIT_OK;
    }
    /* the address the session knows the device by: the cloud's MODEL:SUBSN,
     * --sn, or one made up for a transport that answers any */
    const char *sn = cloud_address ? serial : s->sn ? s->sn : serial;
    /* without --model, the library asks the device */
    bool detect = !model_known && !t->raw_only;
    err = bluetti_session_add_device(t->session, sn, detect ? NULL : p->model, &t->dev);
    if (detect && err == BLUETTI_E_UNSUPPORTED) {
        detect = false; /* no profile says where the model is: take the default */
        err = bluetti_session_add_device(t->session, sn, p->model, &t->dev);
    }
    if (err == BLUETTI_E_INVAL)
        rc = tool_error(EXIT_USAGE, "serial number '%s' is not valid; it must be 1 to 128 "
                        "printable characters without spaces, '+', '#' or '/'", bt_shown(sn));
    else if (err)
        rc = tool_error(exit_code_for(err), "cannot add device %s: %s; %s", bt_shown(sn),
                        bluetti_strerror(err), topts_hint(t, err));
    free(serial);
    if (rc) return rc;
    /* a given address wins over the one the model names */
    if (s->modbus_address >= 0) bluetti_device_set_modbus_address(t->dev, (unsigned)s->modbus_address);
    if (detect) {
        detect_model(t, &rc); /* the protocol version comes along */
        if (rc) return rc;
        p = bluetti_device_profile(t->dev);
        if (!t->set.protocol_version) return EXIT_OK;
    }
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
    double end = bt_now() + seconds;
    for (;;) {
        if (tool_stop_signal()) return false;
        double left = end - bt_now();
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
                                p->model, bt_shown(g), names);
                break;
            }
            for (uint16_t k = 0; k < grp->n_blocks; k++)
                if (add_block(ids, n, &cap, grp->blocks[k])) rc = tool_error(EXIT_FAIL, "out of memory");
        }
        free(copy);
        if (!rc && *n == 0) rc = tool_error(EXIT_USAGE, "--group '%s' names no group; give names like core,grid",
                            bt_shown(groups));
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
