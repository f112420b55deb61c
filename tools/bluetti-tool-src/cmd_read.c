/* Commands that talk to a device: read, raw, listen. */
#include "config.h"

#include "tool.h"
#include "bt_clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The serial to show: the session addresses a station of the stored cloud
 * login as MODEL:SUBSN (the live topics need both), but it is the model
 * followed by the sub-serial that the station and the Bluetti app call its
 * serial. Any other address is the serial as given. */
static json_t *serial_json(const tool *t)
{
    const char *a = bluetti_device_address(t->dev);
    const char *colon = a ? strchr(a, ':') : NULL;
    if (!colon || !t->cloud_station) return json_string(a);
    size_t ml = (size_t)(colon - a);
    char *sn = malloc(strlen(a));
    if (!sn) return json_null();
    memcpy(sn, a, ml);
    strcpy(sn + ml, colon + 1);
    json_t *j = json_string(sn);
    free(sn);
    return j;
}

static json_t *device_json(const tool *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "sn", serial_json(t));
    const bluetti_profile *p = bluetti_device_profile(t->dev);
    json_object_set_new(o, "model", p ? json_string(p->model) : json_null());
    json_object_set_new(o, "transport", json_string(t->set.transport));
    json_object_set_new(o, "protocol_version",
                        json_integer(bluetti_device_protocol_version(t->dev)));
    return o;
}

static json_t *error_json(const tool *t, uint16_t block, const char *name, int err,
                          const char *detail)
{
    json_t *o = json_object();
    json_object_set_new(o, "block", json_integer(block));
    if (name) json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "error", json_string(bluetti_err_name(err)));
    json_object_set_new(o, "class", json_string(bluetti_err_class_name(bluetti_err_class(err))));
    json_object_set_new(o, "message", json_string(detail && *detail ? detail
                                                                    : bluetti_strerror(err)));
    /* the device's remedy (the transport's own when it has one) */
    bluetti_error_info info;
    bool same = t->dev && bluetti_device_last_error(t->dev, &info) == err && info.remedy[0];
    json_object_set_new(o, "remedy", json_string(same ? info.remedy : bluetti_err_remedy(err)));
    return o;
}

static void report_failure(const tool *t, uint16_t block, const char *name, int err)
{
    bluetti_error_info info;
    bluetti_device_last_error(t->dev, &info);
    const char *detail = bluetti_device_error_detail(t->dev);
    tool_error(EXIT_FAIL, "block %u (%s) failed: %s; %s", (unsigned)block, name ? name : "?",
               *detail ? detail : bluetti_strerror(err), hint_or_remedy(read_hint(err), &info));
}

/* Read each block; print it (text) or collect it (JSON). Returns 0, the
 * exit code of a stop signal, or EXIT_FAIL when stdout cannot be written
 * (message printed). *failed counts the blocks that failed. */
static int read_blocks(tool *t, const uint16_t *ids, size_t n, json_t *blocks, json_t *errors,
                       size_t *failed)
{
    out_opts oo = { t->set.show_secrets, t->set.evidence };
    bool printed = false;
    for (size_t i = 0; i < n; i++) {
        const bluetti_result *r = NULL;
        int err = device_read(t, ids[i], 0, &r);
        if (err == 1) return tool_stop_exit();
        const bluetti_block_schema *s = bluetti_registry_find_block(t->reg, ids[i]);
        const char *name = s ? s->name : NULL;
        if (r) {
            if (blocks) {
                json_array_append_new(blocks, result_json(r, &oo));
            } else {
                if (printed) putchar('\n');
                result_print(r, &oo, stdout);
                if (output_error()) return EXIT_FAIL;
                printed = true;
            }
        }
        if (err) {
            (*failed)++;
            if (errors)
                json_array_append_new(errors, error_json(t, ids[i], name, err,
                                                         bluetti_device_error_detail(t->dev)));
            report_failure(t, ids[i], name, err);
        }
    }
    return 0;
}

/* Without --blocks and --model the blocks were chosen (and checked) for the
 * default model before the device was known; once the stored cloud login or
 * the device itself named another model, choose them again for that one. */
static int blocks_for_device(tool *t, const char *blocks, const char *groups, uint16_t **ids,
                             size_t *n)
{
    const bluetti_profile *p = bluetti_device_profile(t->dev);
    if (blocks || t->set.model_given || !p || !strcmp(p->model, t->set.model)) return 0;
    t->set.model = p->model; /* the registry's, alive as long as the tool */
    free(*ids);
    return select_blocks(t, blocks, groups, ids, n);
}

/* ---- read ---------------------------------------------------------------------- */

enum { R_HELP, R_BLOCKS, R_GROUP, R_N };

const optdef read_opts[R_N + 1] = {
    [R_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    [R_BLOCKS] = { "blocks", 'b', OPT_STRING, "LIST", 0, 0, false, false },
    [R_GROUP] = { "group", 'g', OPT_STRING, "NAME", 0, 0, false, false },
    [R_N] = { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

int cmd_read(tool *t, int argc, char **argv)
{
    optval v[R_N];
    memset(v, 0, sizeof v);
    bool done = false;
    uint16_t *ids = NULL;
    size_t n = 0, failed = 0;
    int rc = cmd_opts_no_args("read", v, argc, argv, &done);
    if (!rc && !done) rc = select_blocks(t, opt_str(&v[R_BLOCKS]), opt_str(&v[R_GROUP]), &ids, &n);
    if (!rc && !done) rc = device_open(t);
    if (!rc && !done) rc = blocks_for_device(t, opt_str(&v[R_BLOCKS]), opt_str(&v[R_GROUP]), &ids, &n);
    if (!rc && !done) {
        json_t *blocks = t->set.json ? json_array() : NULL;
        json_t *errors = t->set.json ? json_array() : NULL;
        rc = read_blocks(t, ids, n, blocks, errors, &failed);
        if (!rc && t->set.json) {
            json_t *doc = json_object();
            json_object_set_new(doc, "device", device_json(t));
            json_object_set_new(doc, "blocks", json_incref(blocks));
            json_object_set_new(doc, "errors", json_incref(errors));
            json_object_set_new(doc, "ok", json_boolean(failed == 0));
            rc = json_print(doc);
        }
        json_decref(blocks);
        json_decref(errors);
        if (!rc && failed && failed < n)
            rc = tool_error(EXIT_FAIL, "%zu of %zu blocks failed; the others are printed", failed,
                            n);
        else if (!rc && failed && n > 1)
            rc = tool_error(EXIT_FAIL, "all %zu blocks failed; see the messages above", n);
        else if (!rc && failed)
            rc = EXIT_FAIL;
    }
    device_close(t);
    free(ids);
    optvals_free(v, R_N, read_opts);
    return rc;
}

/* ---- raw ----------------------------------------------------------------------- */

enum { W_HELP, W_BLOCK, W_COUNT, W_N };

const optdef raw_opts[W_N + 1] = {
    [W_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    [W_BLOCK] = { "block", 'b', OPT_STRING, "ID", 0, 0, false, false },
    [W_COUNT] = { "register-count", 'n', OPT_INT, "N", 1, 32768, false, false },
    [W_N] = { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

typedef struct frames {
    json_t *list;   /* [{direction, hex}] */
} frames;

static void on_trace(void *ud, const bluetti_device *d, bool outgoing, const uint8_t *f,
                     size_t len)
{
    (void)d;
    frames *fr = ud;
    char *hex = hex_string(f, len, ' ');
    json_t *o = json_object();
    json_object_set_new(o, "direction", json_string(outgoing ? "request" : "reply"));
    json_object_set_new(o, "hex", json_string(hex ? hex : ""));
    json_array_append_new(fr->list, o);
    free(hex);
}

static void print_frames(const frames *fr)
{
    size_t i;
    json_t *o;
    json_array_foreach(fr->list, i, o) {
        printf("%-8s %s\n", json_string_value(json_object_get(o, "direction")),
               json_string_value(json_object_get(o, "hex")));
    }
}

int cmd_raw(tool *t, int argc, char **argv)
{
    optval v[W_N];
    memset(v, 0, sizeof v);
    bool done = false;
    long count = 0;
    uint16_t id = 0;
    const bluetti_block_schema *s = NULL;
    frames fr = { json_array() };
    uint8_t *buf = NULL;
    int rc = cmd_opts_no_args("raw", v, argc, argv, &done);
    if (rc || done) goto out;
    if (!opt_str(&v[W_BLOCK])) {
        rc = tool_error(EXIT_USAGE, "raw needs --block ID; e.g. '" TOOL_NAME " raw --block 100'");
        goto out;
    }
    if ((rc = opt_long(&raw_opts[W_COUNT], &v[W_COUNT], &count))) goto out;
    if ((rc = parse_block_ref(t->reg, opt_str(&v[W_BLOCK]), &id))) goto out;
    s = bluetti_registry_find_block(t->reg, id);
    if (!s && !count) {
        rc = tool_error(EXIT_USAGE, "unknown block %u: no loaded plugin decodes it; give "
                        "--register-count N to read its registers without decoding%s",
                        (unsigned)id, no_plugins_hint(t));
        goto out;
    }
    if ((uint32_t)id + (uint32_t)count > 0x10000u) {
        rc = tool_error(EXIT_USAGE, "--register-count %ld reaches past register 65535; give "
                        "fewer registers", count);
        goto out;
    }
    t->raw_only = true;
    if ((rc = device_open(t))) goto out;
    bluetti_session_set_trace(t->session, on_trace, &fr);

    out_opts oo = { t->set.show_secrets, t->set.evidence };
    const bluetti_result *r = NULL;
    size_t plen = 0;
    int err;
    if (s) {
        err = device_read(t, id, (uint16_t)count, &r);
        if (err == 1) {
            rc = tool_stop_exit();
            goto out;
        }
    } else {
        buf = malloc((size_t)count * 2);
        if (blocking_begin()) {
            rc = tool_stop_exit();
            goto out;
        }
        err = buf ? bluetti_device_read_raw(t->dev, id, (uint16_t)count, buf, (size_t)count * 2,
                                            &plen)
                  : BLUETTI_E_NOMEM;
        tool_stop_at_once = 0;
    }
    if (t->set.json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "device", device_json(t));
        json_object_set_new(doc, "block", json_integer(id));
        if (count) json_object_set_new(doc, "register_count", json_integer(count));
        json_object_set_new(doc, "frames", json_incref(fr.list));
        if (r) json_object_set_new(doc, "decoded", result_json(r, &oo));
        if (!s && !err) {
            char *hex = hex_string(buf, plen, 0);
            json_object_set_new(doc, "payload", json_string(hex ? hex : ""));
            free(hex);
        }
        if (err)
            json_object_set_new(doc, "error", error_json(t, id, s ? s->name : NULL, err,
                                                         bluetti_device_error_detail(t->dev)));
        rc = json_print(doc);
    } else {
        print_frames(&fr);
        if (!s && !err) {
            char *hex = hex_string(buf, plen, ' ');
            printf("payload  %s\n", hex ? hex : "");
            free(hex);
        }
        if (r) {
            putchar('\n');
            result_print(r, &oo, stdout);
        }
    }
    if (err) {
        report_failure(t, id, s ? s->name : NULL, err);
        rc = EXIT_FAIL;
    }
out:
    if (t->session) bluetti_session_set_trace(t->session, NULL, NULL);
    device_close(t);
    free(buf);
    json_decref(fr.list);
    optvals_free(v, W_N, raw_opts);
    return rc;
}

/* ---- listen -------------------------------------------------------------------- */

enum { L_HELP, L_BLOCKS, L_GROUP, L_INTERVAL, L_COUNT, L_N };

const optdef listen_opts[L_N + 1] = {
    [L_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    [L_BLOCKS] = { "blocks", 'b', OPT_STRING, "LIST", 0, 0, false, false },
    [L_GROUP] = { "group", 'g', OPT_STRING, "NAME", 0, 0, false, false },
    [L_INTERVAL] = { "interval", 'i', OPT_REAL, "S", 0, 86400, true, false },
    [L_COUNT] = { "count", 'c', OPT_INT, "N", 0, 1e9, false, false },
    [L_N] = { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

static void utc_now(char *buf, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cmd_listen(tool *t, int argc, char **argv)
{
    optval v[L_N];
    memset(v, 0, sizeof v);
    bool done = false;
    uint16_t *ids = NULL;
    size_t n = 0, failed_total = 0;
    double interval = 5.0;
    long count = 0;
    int rc = cmd_opts_no_args("listen", v, argc, argv, &done);
    if (!rc && !done)
        rc = opt_double(&listen_opts[L_INTERVAL], &v[L_INTERVAL], &interval);
    if (!rc && !done) rc = opt_long(&listen_opts[L_COUNT], &v[L_COUNT], &count);
    if (!rc && !done) rc = select_blocks(t, opt_str(&v[L_BLOCKS]), opt_str(&v[L_GROUP]), &ids, &n);
    if (!rc && !done) rc = device_open(t);
    if (!rc && !done) rc = blocks_for_device(t, opt_str(&v[L_BLOCKS]), opt_str(&v[L_GROUP]), &ids, &n);
    for (long round = 1; !rc && !done; round++) {
        double start = bt_now();
        char when[32];
        utc_now(when, sizeof when);
        json_t *blocks = t->set.json ? json_array() : NULL;
        json_t *errors = t->set.json ? json_array() : NULL;
        size_t failed = 0;
        if (!t->set.json) {
            if (round > 1) putchar('\n');
            printf("--- round %ld at %s ---\n", round, when);
        }
        rc = read_blocks(t, ids, n, blocks, errors, &failed);
        if (!rc && t->set.json) {
            json_t *doc = json_object();
            json_object_set_new(doc, "round", json_integer(round));
            json_object_set_new(doc, "time", json_string(when));
            json_object_set_new(doc, "device", device_json(t));
            json_object_set_new(doc, "blocks", json_incref(blocks));
            json_object_set_new(doc, "errors", json_incref(errors));
            json_object_set_new(doc, "ok", json_boolean(failed == 0));
            rc = json_print(doc);
        }
        if (!rc) rc = output_error(); /* stop rather than read on for nobody */
        json_decref(blocks);
        json_decref(errors);
        failed_total += failed;
        if (rc || (count && round >= count)) break;
        double left = start + interval - bt_now();
        if ((left > 0 && !device_idle(t, left)) || tool_stop_signal()) rc = tool_stop_exit();
    }
    if (!rc && !done && failed_total)
        rc = tool_error(EXIT_FAIL, "%zu block read%s failed while listening; see the "
                        "messages above", failed_total,
                        failed_total == 1 ? "" : "s");
    device_close(t);
    free(ids);
    optvals_free(v, L_N, listen_opts);
    return rc;
}
