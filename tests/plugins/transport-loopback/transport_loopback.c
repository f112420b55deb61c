/* Test plugin: a third transport, built outside the tool and the core, to
 * show that transport options come from the plugin alone. Every read is
 * answered at once from a fixed buffer: each register holds `fill`.
 *
 * Options: fill (INT 0..65535, default 4660 = 0x1234), mode ("fill" or
 * "exception": answer with Modbus exception 2), token (SECRET, required,
 * also from $LOOPBACK_TOKEN: open fails unless it is "open-sesame"), and
 * tag (repeatable text, only counted). The cloud keys (login, relay,
 * relay_port, framing) carry the BLUETTI_OPTION_F_CLOUD_* flags, so an
 * application with a stored cloud login fills them (tests/integration/cloud/
 * tool_errors.sh); open logs what it got. */
#include "config.h"

#include <bluetti/bluetti.h>
#include <bluetti/plugin.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QMAX 16

struct lb {
    bluetti_transport_env env;
    uint16_t fill;
    bool exception;
    size_t n_q;
    char addr[QMAX][129];
    uint8_t frame[QMAX][BLUETTI_MODBUS_MAX_FRAME];
    size_t len[QMAX];
    uint64_t frames_in;
};

static const int token_causes[] = { BLUETTI_E_CERT_PASSWORD, 0 };
static const char *const modes[] = { "fill", "exception", NULL };

static const bluetti_option_decl lb_options[] = {
    { .name = "fill", .type = BLUETTI_OPT_INT, .default_value = "4660", .min = 0, .max = 65535,
      .metavar = "N", .help = "value of every register read" },
    { .name = "mode", .type = BLUETTI_OPT_STRING, .default_value = "fill", .allowed = modes,
      .metavar = "MODE", .help = "how reads are answered" },
    { .name = "token", .type = BLUETTI_OPT_SECRET, .required = true, .metavar = "T",
      .env = "LOOPBACK_TOKEN", .help = "the access token", .causes = token_causes },
    { .name = "tag", .type = BLUETTI_OPT_STRING, .repeatable = true, .metavar = "TEXT",
      .help = "a label" },
    { .name = "login", .type = BLUETTI_OPT_FILE, .metavar = "FILE",
      .flags = BLUETTI_OPTION_F_CLOUD_LOGIN, .help = "a stored cloud login (only logged)" },
    { .name = "relay", .type = BLUETTI_OPT_STRING, .metavar = "HOST",
      .flags = BLUETTI_OPTION_F_CLOUD_HOST, .help = "the cloud's broker host (only logged)" },
    { .name = "relay_port", .type = BLUETTI_OPT_INT, .min = 1, .max = 65535, .metavar = "N",
      .flags = BLUETTI_OPTION_F_CLOUD_PORT, .help = "the cloud's broker port (only logged)" },
    { .name = "framing", .type = BLUETTI_OPT_STRING, .metavar = "KIND",
      .flags = BLUETTI_OPTION_F_CLOUD_ENVELOPE, .help = "the station's envelope (only logged)" },
};

static int lb_open(const bluetti_transport_env *env, const bluetti_options *opts, void **state,
                   char *detail, size_t detail_len)
{
    *state = NULL;
    long fill = 0;
    /* the core has checked and defaulted everything */
    if (bluetti_options_get_long(opts, "fill", 0, 65535, &fill) != 0) return BLUETTI_E_INVAL;
    const char *token = bluetti_options_get(opts, "token");
    if (!token || strcmp(token, "open-sesame") != 0) {
        snprintf(detail, detail_len, "the token was not accepted");
        return BLUETTI_E_CERT_PASSWORD;
    }
    struct lb *t = calloc(1, sizeof *t);
    if (!t) return BLUETTI_E_NOMEM;
    t->env = *env;
    t->fill = (uint16_t)fill;
    t->exception = strcmp(bluetti_options_get(opts, "mode"), "exception") == 0;
    bluetti_log(env->log, BLUETTI_LOG_INFO, "transport-loopback", "fill %ld, %zu tag(s)", fill,
                bluetti_options_count(opts, "tag"));
    if (bluetti_options_get(opts, "login"))
        bluetti_log(env->log, BLUETTI_LOG_INFO, "transport-loopback",
                    "through a cloud login: relay %s:%s, framing %s",
                    bluetti_options_get(opts, "relay") ? bluetti_options_get(opts, "relay") : "-",
                    bluetti_options_get(opts, "relay_port") ? bluetti_options_get(opts, "relay_port")
                                                            : "-",
                    bluetti_options_get(opts, "framing") ? bluetti_options_get(opts, "framing")
                                                         : "-");
    *state = t;
    return 0;
}

static void lb_close(void *state)
{
    free(state);
}

static int lb_attach(void *state, const char *address)
{
    (void)state;
    return address && *address && strlen(address) < 129 ? 0 : BLUETTI_E_INVAL;
}

static int lb_submit(void *state, const char *address, const uint8_t *f, size_t len)
{
    struct lb *t = state;
    if (len != BLUETTI_MODBUS_REQUEST_LEN || f[1] != 0x03) return BLUETTI_E_INVAL;
    if (t->n_q == QMAX) return BLUETTI_E_BUSY;
    uint8_t *out = t->frame[t->n_q];
    size_t n = 0;
    out[n++] = f[0];
    if (t->exception) {
        out[n++] = 0x83;
        out[n++] = 2;
    } else {
        unsigned count = ((unsigned)f[4] << 8) | f[5];
        if (count == 0 || count > BLUETTI_MODBUS_MAX_REGISTERS) return BLUETTI_E_INVAL;
        out[n++] = 0x03;
        out[n++] = (uint8_t)(2 * count);
        for (unsigned i = 0; i < count; i++) {
            out[n++] = (uint8_t)(t->fill >> 8);
            out[n++] = (uint8_t)t->fill;
        }
    }
    uint16_t crc = bluetti_crc16(out, n);
    out[n++] = (uint8_t)crc;
    out[n++] = (uint8_t)(crc >> 8);
    t->len[t->n_q] = n;
    snprintf(t->addr[t->n_q], sizeof t->addr[0], "%s", address);
    t->n_q++;
    return 0;
}

static int lb_detach(void *state, const char *address)
{
    (void)state;
    (void)address;
    return 0;
}

static int lb_process(void *state, int timeout_ms)
{
    struct lb *t = state;
    size_t n = t->n_q;
    /* replies are ready at once; with none queued nothing can arrive */
    if (n == 0 && timeout_ms != 0) poll(NULL, 0, timeout_ms < 0 ? 1000 : timeout_ms);
    t->n_q = 0;
    for (size_t i = 0; i < n; i++) {
        bluetti_transport_event ev = { .type = BLUETTI_EV_FRAME, .address = t->addr[i],
                                       .data = t->frame[i], .len = t->len[i] };
        t->frames_in++;
        t->env.on_event(t->env.userdata, &ev);
    }
    return 0;
}

static int lb_fd(void *state)
{
    (void)state;
    return -1;
}

static void lb_stats(void *state, uint64_t *in, uint64_t *dropped)
{
    struct lb *t = state;
    if (in) *in = t ? t->frames_in : 0;
    if (dropped) *dropped = 0;
}

static const bluetti_transport_ops lb_ops = {
    .name = "loopback",
    .description = "test transport answering every read from a fixed buffer",
    .open = lb_open,
    .close = lb_close,
    .attach = lb_attach,
    .detach = lb_detach,
    .submit = lb_submit,
    .fd = lb_fd,
    .process = lb_process,
    .stats = lb_stats,
    .options = lb_options,
    .n_options = sizeof lb_options / sizeof lb_options[0],
    .flags = BLUETTI_TRANSPORT_F_ANY_ADDRESS,
};

static int init(bluetti_registry *reg)
{
    return bluetti_registry_add_transport(reg, &lb_ops);
}

BLUETTI_PLUGIN_DEFINE("transport-loopback", "0.1", "test transport with declared options", init);
