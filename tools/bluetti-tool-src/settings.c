/* Global options: the table, the config file, and their checked values. */
#include "config.h"

#include "tool.h"
#include "tool_common.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INF HUGE_VAL
/* Longest config line read (a line is read whole before this check). */
#define CONFIG_MAX_LINE 65536

const optdef global_opts[G_COUNT] = {
    [G_PLUGIN_DIR] = { "plugin-dir", 0, OPT_LIST, "DIR", 0, 0, false, false },
    [G_NO_PLUGIN_SEARCH] = { "no-plugin-search", 0, OPT_FLAG, NULL, 0, 0, false, false },
    [G_TRANSPORT] = { "transport", 0, OPT_STRING, "NAME", 0, 0, false, false },
    [G_SN] = { "sn", 0, OPT_STRING, "SERIAL", 0, 0, false, false },
    [G_MODEL] = { "model", 0, OPT_STRING, "MODEL", 0, 0, false, false },
    [G_TIMEOUT] = { "timeout", 0, OPT_REAL, "S", 0, 3600, true, false },
    [G_CONNECT_TIMEOUT] = { "connect-timeout", 0, OPT_REAL, "S", 0, 3600, true, false },
    [G_RETRIES] = { "retries", 0, OPT_INT, "N", 1, 100, false, false },
    [G_RETRY_INITIAL] = { "retry-initial-delay", 0, OPT_REAL, "S", 0, 3600, true, false },
    [G_RETRY_MAX] = { "retry-max-delay", 0, OPT_REAL, "S", 0, 3600, true, false },
    [G_MODBUS_ADDRESS] = { "modbus-address", 0, OPT_INT, "N", 0, 247, false, false },
    [G_OPTION] = { "option", 'o', OPT_LIST, "KEY=VALUE", 0, 0, false, false },
    [G_PROTOCOL_VERSION] = { "protocol-version", 0, OPT_INT, "V", 1, 65535, false, false },
    [G_JSON] = { "json", 0, OPT_FLAG, NULL, 0, 0, false, false },
    [G_SHOW_SECRETS] = { "show-secrets", 0, OPT_FLAG, NULL, 0, 0, false, false },
    [G_EVIDENCE] = { "evidence", 0, OPT_FLAG, NULL, 0, 0, false, false },
    [G_VERBOSE] = { "verbose", 'v', OPT_COUNT, NULL, 0, 0, false, false },
    [G_QUIET] = { "quiet", 'q', OPT_FLAG, NULL, 0, 0, false, false },
    [G_CONFIG] = { "config", 0, OPT_STRING, "FILE", 0, 0, false, true },
    [G_NO_CONFIG] = { "no-config", 0, OPT_FLAG, NULL, 0, 0, false, true },
    [G_VERSION] = { "version", 0, OPT_FLAG, NULL, 0, 0, false, true },
    [G_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, true },
};

/* ---- config file ------------------------------------------------------------ */

static char *default_config_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/') return xasprintf("%s/bluetti/config", xdg);
    const char *home = getenv("HOME");
    if (home && *home) return xasprintf("%s/.config/bluetti/config", home);
    return NULL;
}

/* The entry array grows by doubling (its capacity is the next power of two
 * at or above n_cfg, at least 8): a config file of 100 000 lines costs 15
 * reallocs, not 100 000 (each of which copies the array under valgrind). */
static int push_entry(tool *t, const char *key, const char *value, int line)
{
    size_t n = t->n_cfg;
    if (n < 8 ? n == 0 : (n & (n - 1)) == 0) {
        size_t cap = n < 8 ? 8 : n * 2;
        cfg_entry *nv = realloc(t->cfg, cap * sizeof *nv);
        if (!nv) return -1;
        t->cfg = nv;
    }
    cfg_entry e = { strdup(key), strdup(value), line };
    if (!e.key || !e.value) {
        free(e.key);
        if (e.value) wipe(e.value, strlen(e.value));
        free(e.value);
        return -1;
    }
    t->cfg[t->n_cfg++] = e;
    return 0;
}

/* Read the lines; what the keys mean is settled by settings_apply_config,
 * once the transport's options are known. */
static int parse_config(tool *t, FILE *f, const char *path)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0, rc = EXIT_OK;
    while (rc == EXIT_OK && (errno = 0, got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (got > CONFIG_MAX_LINE || strlen(line) != (size_t)got) {
            rc = tool_error(EXIT_USAGE, "%s:%d: the line is longer than %d bytes or holds a "
                            "NUL byte; is this a config file?", bt_shown_path(path), lineno, CONFIG_MAX_LINE);
            break;
        }
        char *s = tc_trim(line);
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = tool_error(EXIT_USAGE, "%s:%d: expected 'key = value' or a '#' comment; fix "
                            "or remove the line", bt_shown_path(path), lineno);
            break;
        }
        *eq = '\0';
        char *key = tc_trim(s), *value = tc_trim(eq + 1);
        size_t vn = strlen(value);
        if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
            value[vn - 1] = '\0';
            value++;
        }
        if (!*key) {
            rc = tool_error(EXIT_USAGE, "%s:%d: the line has no key before '='; write "
                            "'key = value'", bt_shown_path(path), lineno);
            break;
        }
        if (push_entry(t, key, value, lineno) != 0) rc = tool_error(EXIT_FAIL, "out of memory");
    }
    if (rc == EXIT_OK && (ferror(f) || errno != 0)) /* getline's ENOMEM sets no error flag */
        rc = tool_error(EXIT_USAGE, "cannot read config file %s: %s; check the file",
                        bt_shown_path(path), strerror(errno));
    if (line) wipe(line, cap);
    free(line);
    return rc;
}

void settings_free(tool *t)
{
    for (size_t i = 0; i < t->n_cfg; i++) {
        free(t->cfg[i].key);
        wipe(t->cfg[i].value, strlen(t->cfg[i].value));
        free(t->cfg[i].value);
    }
    free(t->cfg);
    t->cfg = NULL;
    t->n_cfg = 0;
    free(t->cfg_path);
    t->cfg_path = NULL;
}

int settings_apply_config(tool *t)
{
    const char *path = t->cfg_path;
    bool has_secret = false;
    for (size_t i = 0; i < t->n_cfg; i++) {
        const cfg_entry *e = &t->cfg[i];
        int k = opts_find(t->defs, t->n_defs, e->key);
        if (k < 0) {
            if (t->lenient) {
                if (tool_note_unknown(t, e->key, strlen(e->key)) != 0)
                    return tool_error(EXIT_FAIL, "out of memory");
                continue;
            }
            return tool_error(EXIT_USAGE, "%s:%d: unknown key '%s'; keys are the long option "
                              "names without '--' (see '" TOOL_NAME " --help' and '" TOOL_NAME
                              " transports')", bt_shown_path(path), e->line, bt_shown(e->key));
        }
        const optdef *d = &t->defs[k];
        if (d->no_config)
            return tool_error(EXIT_USAGE, "%s:%d: '%s' cannot be set in a config file; remove "
                              "the line", bt_shown_path(path), e->line, d->name);
        if (d->kind == OPT_SECRET) has_secret = true;
        if (t->gv[k].cli) continue; /* the command line wins */
        if (optval_add(&t->gv[k], d, e->value, path, e->line) != 0)
            return tool_error(EXIT_FAIL, "out of memory");
    }
    if (has_secret && t->cfg_shared && !t->lenient)
        tool_warn("config file %s holds a password and other users can read it; run "
                  "'chmod 600 %s'", bt_shown_path(path), bt_shown_path(path));
    return EXIT_OK;
}

int settings_load_config(tool *t)
{
    const char *given = opt_str(&t->gv[G_CONFIG]);
    bool no_config = t->gv[G_NO_CONFIG].n > 0;
    if (no_config && !given) return EXIT_OK;
    char *path = given ? strdup(given) : default_config_path();
    if (!path) return given ? tool_error(EXIT_FAIL, "out of memory") : EXIT_OK;
    /* O_NONBLOCK: a FIFO must not block; only regular files are read */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (fd >= 0 && !f) close(fd);
    if (!f) {
        int e = errno;
        int rc = EXIT_OK;
        if (given || e != ENOENT)
            rc = tool_error(EXIT_USAGE, "cannot read config file %s: %s; check the path%s",
                            bt_shown_path(path), strerror(e), given ? "" : " or use --no-config");
        free(path);
        return rc;
    }
    struct stat st;
    int rc = EXIT_OK;
    if (fstat(fileno(f), &st) != 0)
        rc = tool_error(EXIT_USAGE, "cannot read config file %s: %s; check the file",
                        bt_shown_path(path), strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = tool_error(EXIT_USAGE, "config file %s is a directory; give a file",
                        bt_shown_path(path));
    else if (!S_ISREG(st.st_mode))
        rc = tool_error(EXIT_USAGE, "config file %s is not a regular file; give a file",
                        bt_shown_path(path));
    if (rc == EXIT_OK) rc = parse_config(t, f, path);
    fclose(f);
    t->cfg_shared = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
    t->cfg_path = path;
    return rc == EXIT_OK ? settings_apply_config(t) : rc;
}

/* ---- checked values ------------------------------------------------------------ */

static const char *const *list(const optval *v, size_t *n)
{
    *n = v->n;
    return (const char *const *)v->vals;
}

static const char *str_or(const optval *v, const char *dflt)
{
    const char *s = opt_str(v);
    return s ? s : dflt;
}

static int nonempty(tool *t, int k)
{
    const char *s = opt_str(&t->gv[k]);
    if (s && !*s)
        return tool_error(EXIT_USAGE, "%s is empty; give a value or leave the option out",
                          opt_where(&global_opts[k], &t->gv[k]));
    return EXIT_OK;
}

int settings_resolve(tool *t)
{
    settings *s = &t->set;
    optval *gv = t->gv;
    const optdef *d = global_opts;
    int rc = EXIT_OK;

    static const int must_have_text[] = { G_PLUGIN_DIR, G_TRANSPORT, G_SN, G_MODEL };
    for (size_t i = 0; i < sizeof must_have_text / sizeof must_have_text[0]; i++)
        if ((rc = nonempty(t, must_have_text[i]))) return rc;

    s->plugin_dirs = list(&gv[G_PLUGIN_DIR], &s->n_plugin_dirs);
    s->options = list(&gv[G_OPTION], &s->n_options);
    for (size_t i = 0; i < s->n_options; i++) {
        const char *o = s->options[i];
        if (!strchr(o, '=') || o[0] == '=')
            return tool_error(EXIT_USAGE, "%s '%s' is not KEY=VALUE; write e.g. --option "
                              "key=value", opt_where(&d[G_OPTION], &gv[G_OPTION]), bt_shown(o));
    }
    s->transport = opt_str(&gv[G_TRANSPORT]); /* NULL: the default (topts_select) */
    s->sn = opt_str(&gv[G_SN]);
    s->model = str_or(&gv[G_MODEL], "EL100V2");
    s->model_given = gv[G_MODEL].n > 0;
    s->timeout = 5.0;
    s->connect_timeout = 10.0;
    s->retries = 3;
    s->retry_initial = 0.5;
    s->retry_max = 5.0;
    s->modbus_address = -1; /* not given: the model's, else 1 */
    s->protocol_version = 0;

    if ((rc = opt_double(&d[G_TIMEOUT], &gv[G_TIMEOUT], &s->timeout)) ||
        (rc = opt_double(&d[G_CONNECT_TIMEOUT], &gv[G_CONNECT_TIMEOUT], &s->connect_timeout)) ||
        (rc = opt_long(&d[G_RETRIES], &gv[G_RETRIES], &s->retries)) ||
        (rc = opt_double(&d[G_RETRY_INITIAL], &gv[G_RETRY_INITIAL], &s->retry_initial)) ||
        (rc = opt_double(&d[G_RETRY_MAX], &gv[G_RETRY_MAX], &s->retry_max)) ||
        (rc = opt_long(&d[G_MODBUS_ADDRESS], &gv[G_MODBUS_ADDRESS], &s->modbus_address)) ||
        (rc = opt_long(&d[G_PROTOCOL_VERSION], &gv[G_PROTOCOL_VERSION], &s->protocol_version)) ||
        (rc = opt_bool(&d[G_NO_PLUGIN_SEARCH], &gv[G_NO_PLUGIN_SEARCH], &s->no_plugin_search)) ||
        (rc = opt_bool(&d[G_JSON], &gv[G_JSON], &s->json)) ||
        (rc = opt_bool(&d[G_SHOW_SECRETS], &gv[G_SHOW_SECRETS], &s->show_secrets)) ||
        (rc = opt_bool(&d[G_EVIDENCE], &gv[G_EVIDENCE], &s->evidence)) ||
        (rc = opt_bool(&d[G_QUIET], &gv[G_QUIET], &s->quiet)) ||
        (rc = opt_count(&d[G_VERBOSE], &gv[G_VERBOSE], &s->verbose)))
        return rc;

    if (s->retry_max < s->retry_initial) {
        char where_max[BT_SHOWN_PATH_MAX * 4 + 128];
        snprintf(where_max, sizeof where_max, "%s", opt_where(&d[G_RETRY_MAX], &gv[G_RETRY_MAX]));
        char a[32], b[32];
        format_double(s->retry_max, a, sizeof a);
        format_double(s->retry_initial, b, sizeof b);
        return tool_error(EXIT_USAGE, "%s %s is smaller than the initial retry delay %s; give a "
                          "maximum delay >= --retry-initial-delay", where_max, a, b);
    }
    bluetti_retry_policy p = { .max_attempts = (unsigned)s->retries, .initial_delay = s->retry_initial,
                               .backoff_factor = 2.0, .max_delay = s->retry_max };
    const char *why = NULL;
    if (bluetti_retry_validate(&p, &why) != 0)
        return tool_error(EXIT_USAGE, "invalid retry policy: %s; check --retries and the retry "
                          "delays", why ? why : "rejected by the library");

    /* -q and -v: the one given on the command line wins */
    if (s->quiet && s->verbose) {
        if (gv[G_QUIET].cli && gv[G_VERBOSE].cli)
            return tool_error(EXIT_USAGE, "--quiet and --verbose contradict each other; give "
                              "one of them");
        if (gv[G_QUIET].cli) s->verbose = 0;
        else s->quiet = false;
    }
    return EXIT_OK;
}
