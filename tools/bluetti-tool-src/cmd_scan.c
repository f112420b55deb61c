/* bluetti-tool scan: the devices the selected transport can reach
 * (bluetti_session_discover), whatever the transport is. */
#include "config.h"

#include "tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SC_HELP, SC_SECONDS, SC_N };

const optdef scan_opts[SC_N + 1] = {
    [SC_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    [SC_SECONDS] = { "seconds", 's', OPT_REAL, "S", 0, 600, true, false },
    [SC_N] = { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

struct found {
    json_t *list;
    size_t n;
};

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void on_found(void *userdata, const bluetti_discovered *d)
{
    struct found *f = userdata;
    json_t *o = json_object();
    json_object_set_new(o, "address", str_or_null(d->address));
    json_object_set_new(o, "name", str_or_null(d->name));
    json_object_set_new(o, "model_hint", str_or_null(d->model_hint));
    json_object_set_new(o, "encrypted", d->encrypted < 0 ? json_null() : json_boolean(d->encrypted));
    json_object_set_new(o, "rssi", d->has_rssi ? json_integer(d->rssi) : json_null());
    json_array_append_new(f->list, o);
    f->n++;
}

static const char *text_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? bt_shown(s) : "-";
}

static void print_table(const struct found *f)
{
    printf("%-20s %-28s %-14s %-9s %s\n", "ADDRESS", "NAME", "MODEL HINT", "ENCRYPTED", "SIGNAL");
    size_t i;
    json_t *o;
    json_array_foreach(f->list, i, o) {
        json_t *enc = json_object_get(o, "encrypted"), *rssi = json_object_get(o, "rssi");
        char sig[24] = "-";
        if (json_is_integer(rssi)) snprintf(sig, sizeof sig, "%lld dBm", (long long)json_integer_value(rssi));
        /* one field per printf: bt_shown() has only a few buffers in turn */
        printf("%-20s ", text_of(o, "address"));
        printf("%-28s ", text_of(o, "name"));
        printf("%-14s ", text_of(o, "model_hint"));
        printf("%-9s %s\n", json_is_null(enc) ? "unknown" : json_is_true(enc) ? "yes" : "no", sig);
    }
}

int cmd_scan(tool *t, int argc, char **argv)
{
    optval v[SC_N];
    memset(v, 0, sizeof v);
    bool done = false;
    double seconds = 0; /* the transport's default */
    int rc = cmd_opts_no_args("scan", v, argc, argv, &done);
    if (!rc && !done) rc = opt_double(&scan_opts[SC_SECONDS], &v[SC_SECONDS], &seconds);
    struct found f = { .list = json_array(), .n = 0 };
    if (!rc && !done) {
        t->session_only = true;
        t->raw_only = true;
        rc = device_open(t);
    }
    if (!rc && !done) {
        int err = bluetti_session_discover(t->session, seconds, on_found, &f);
        if (err == BLUETTI_E_UNSUPPORTED)
            rc = tool_error(EXIT_USAGE, "the %s transport cannot list devices; scan with a "
                            "transport that can (see '" TOOL_NAME " transports')",
                            bt_shown(t->set.transport));
        else if (err)
            rc = tool_error(exit_code_for(err), "the scan failed: %s; %s", bluetti_strerror(err),
                            topts_hint(t, err));
    }
    if (!rc && !done) {
        if (t->set.json) {
            json_t *doc = json_object();
            json_object_set_new(doc, "transport", json_string(t->set.transport));
            json_object_set_new(doc, "devices", json_incref(f.list));
            rc = json_print(doc);
        } else if (f.n == 0) {
            printf("no devices found\n");
        } else {
            print_table(&f);
        }
    }
    json_decref(f.list);
    device_close(t);
    optvals_free(v, SC_N, scan_opts);
    return rc;
}

void help_scan(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] scan [--seconds S]\n"
          "\n"
          "List the devices the transport can reach: the address it knows each one by,\n"
          "the advertised name, the model the name suggests, whether the link is\n"
          "encrypted, and the signal strength. How a transport looks is its own: a\n"
          "Bluetooth one scans, the simulator lists its device images; one that cannot\n"
          "says so. --json prints one document.\n"
          "\n"
          "  -s, --seconds S   how long to look (default: the transport's own, e.g. its\n"
          "                    --scan-timeout)\n"
          "  -h, --help        this help\n"
          "\n"
          "Exit status: 0 listed (also when nothing was found); 1 the scan failed; 2 usage\n"
          "error, or a transport that cannot list devices.\n"
          "\n"
          "Examples:\n"
          "  " TOOL_NAME " --transport ble scan --seconds 5\n"
          "  " TOOL_NAME " --transport sim scan\n", out);
}
