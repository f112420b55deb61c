/* bluetti-tool: global options, plugin loading, signals, dispatch. */
#include "config.h"

#include "tool.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
    /* inside a blocking library call (see tool.h): no cleanup is needed */
    if (tool_stop_at_once) _exit(sig == SIGTERM ? EXIT_TERMINATED : EXIT_INTERRUPTED);
    stop_sig = sig;
}

int tool_stop_signal(void)
{
    return stop_sig;
}

int tool_stop_exit(void)
{
    return stop_sig == SIGTERM ? EXIT_TERMINATED : EXIT_INTERRUPTED;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking wait returns and sees the flag */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void log_cb(void *ud, bluetti_log_level level, const char *source, const char *msg)
{
    (void)ud;
    static const char *const names[] = { "error", "warning", "info", "debug" };
    const char *name = (unsigned)level < 4 ? names[level] : "log";
    fflush(stdout);
    /* messages can quote what came from files, the broker or the device */
    fprintf(stderr, TOOL_NAME ": %s: ", name);
    if (source && strcmp(source, TOOL_NAME) != 0) {
        bt_fput_safe(source, stderr);
        fputs(": ", stderr);
    }
    bt_fput_safe(msg ? msg : "", stderr);
    fputc('\n', stderr);
}

static int check_plugin_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return tool_error(EXIT_USAGE, "plugin directory %s: %s; check --plugin-dir",
                          bt_shown_path(dir), strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return tool_error(EXIT_USAGE, "plugin directory %s is not a directory; give the "
                          "directory holding the plugin files (*.so)", bt_shown_path(dir));
    if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
        return tool_error(EXIT_USAGE, "plugin directory %s is writable by other users, so "
                          "anyone could put code into this program; run 'chmod o-w %s'",
                          bt_shown_path(dir), bt_shown_path(dir));
    return EXIT_OK;
}

static int load_plugins(tool *t)
{
    const settings *s = &t->set;
    bluetti_log_level level = s->quiet ? BLUETTI_LOG_ERROR
                            : s->verbose >= 2 ? BLUETTI_LOG_DEBUG
                            : s->verbose == 1 ? BLUETTI_LOG_INFO
                                              : BLUETTI_LOG_WARN;
    int err = bluetti_registry_new(&t->reg);
    if (err) return tool_error(EXIT_FAIL, "cannot start: %s; try again", bluetti_strerror(err));
    bluetti_registry_set_log(t->reg, log_cb, t, level);
    for (size_t i = 0; i < s->n_plugin_dirs; i++) {
        int rc = check_plugin_dir(s->plugin_dirs[i]);
        if (rc) return rc;
    }
    /* transport plugins are opened when a command asks for one (mqtt pulls
     * in libssl and libcrypto, which a decode or a sim read never needs) */
    unsigned flags = BLUETTI_LOAD_DEFER_TRANSPORTS;
    if (s->no_plugin_search) flags |= BLUETTI_LOAD_NO_ENV | BLUETTI_LOAD_NO_SYSTEM;
    int n = bluetti_registry_load_search_path(t->reg, s->plugin_dirs, s->n_plugin_dirs, flags);
    if (n < 0)
        return tool_error(exit_code_for(n) == EXIT_OK ? EXIT_FAIL : EXIT_USAGE,
                          "cannot load plugins: %s; check --plugin-dir and BLUETTI_PLUGIN_PATH",
                          bluetti_strerror(n));
    t->n_loaded = n;
    return EXIT_OK;
}

static bool takes_value(const optdef *d)
{
    return d->kind != OPT_FLAG && d->kind != OPT_COUNT;
}

static const optdef *find_short(const optdef *defs, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (defs[i].short_name && defs[i].short_name == c) return &defs[i];
    return NULL;
}

int lift_global_opts(tool *t, const command *c, int *argc, char **argv)
{
    size_t nc = opts_count(c->opts);
    int w = 1, n = *argc;
    for (int i = 1; i < n; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (i < n) argv[w++] = argv[i++];
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            argv[w++] = a;
            continue;
        }
        const optdef *cd = NULL, *gd = NULL;
        bool inline_value;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            char key[64];
            inline_value = eq != NULL;
            if (len < sizeof key) {
                memcpy(key, name, len);
                key[len] = '\0';
                int k = opts_find(c->opts, nc, key);
                if (k >= 0) cd = &c->opts[k];
                else if ((k = opts_find(t->defs, t->n_defs, key)) >= 0) gd = &t->defs[k];
            }
        } else {
            inline_value = a[2] != '\0';
            if (!(cd = find_short(c->opts, nc, a[1]))) gd = find_short(t->defs, t->n_defs, a[1]);
        }
        if (!cd && !gd && t->lenient && a[1] == '-') {
            /* perhaps a transport option (the first pass notes it) */
            size_t len = strcspn(a + 2, "=");
            if (tool_note_unknown(t, a + 2, len) != 0) return tool_error(EXIT_FAIL, "out of memory");
            if (!inline_value && i + 1 < n && looks_like_value(argv[i + 1])) i++;
            continue;
        }
        if (cd || !gd) { /* the command's own (or unknown: the command reports it) */
            argv[w++] = a;
            if (cd && takes_value(cd) && !inline_value && i + 1 < n) argv[w++] = argv[++i];
            continue;
        }
        char *mini[3] = { argv[0], a, NULL };
        int mn = 2;
        if (takes_value(gd) && !inline_value && i + 1 < n) mini[mn++] = argv[++i];
        char *pos[3];
        size_t n_pos = 0;
        int rc = opts_parse(t->defs, t->n_defs, t->gv, mn, mini, 1, false, NULL, pos, &n_pos, "");
        if (rc) return rc;
    }
    argv[w] = NULL;
    *argc = w;
    return EXIT_OK;
}

/* "COMMAND ... --help" (before any "--"): help needs no plugins. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return true;
    }
    return false;
}

/* One pass over the command line and the config file: the global options
 * up to the command, the command, global options after it (into *cargv,
 * a copy of the command's words). */
static int parse_all(tool *t, int argc, char **argv, const command **c, int *next, char ***cargv,
                     int *cargc)
{
    *c = NULL;
    free(*cargv);
    *cargv = NULL;
    *cargc = 0;
    int rc = opts_parse(t->defs, t->n_defs, t->gv, argc, argv, 1, true, next, NULL, NULL, "");
    if (rc) return rc;
    bool help = t->gv[G_HELP].n > 0;
    if (!help && !t->gv[G_VERSION].n && *next < argc) {
        *c = command_find(argv[*next]);
        /* help needs no plugins and no settings */
        if (*c && ((*c)->run == cmd_help || wants_help(argc - *next, argv + *next)))
            return EXIT_OK;
        if (*c) {
            *cargc = argc - *next;
            if (!(*cargv = calloc((size_t)*cargc + 1, sizeof **cargv)))
                return tool_error(EXIT_FAIL, "out of memory");
            memcpy(*cargv, argv + *next, (size_t)*cargc * sizeof **cargv);
            if ((rc = lift_global_opts(t, *c, cargc, *cargv))) return rc;
        }
    }
    if (!help && t->gv[G_VERSION].n) return EXIT_OK;
    if (!t->cfg_path && !t->n_cfg) rc = settings_load_config(t);
    else rc = settings_apply_config(t);
    return rc ? rc : settings_resolve(t);
}

int main(int argc, char **argv)
{
    tool t;
    memset(&t, 0, sizeof t);
    t.defs = global_opts;
    t.n_defs = G_COUNT;
    t.gv = calloc(G_COUNT, sizeof *t.gv);
    int next = argc, cargc = 0, rc = EXIT_OK;
    char **cargv = NULL;
    const command *c = NULL;
    if (!t.gv) return tool_error(EXIT_FAIL, "out of memory");
    /* First pass: the tool's own options; names it does not know may be
     * the transport's, whose plugin is not loaded yet. */
    t.lenient = true;
    opts_set_lenient(&t);
    rc = parse_all(&t, argc, argv, &c, &next, &cargv, &cargc);
    opts_set_lenient(NULL);
    t.lenient = false;
    if (rc) goto out;
    bool help = t.gv[G_HELP].n > 0;
    if (!help && t.gv[G_VERSION].n) {
        printf(TOOL_NAME " %s (libbluetti %s, plugin ABI %d.%d)\n", PACKAGE_VERSION,
               bluetti_version(), BLUETTI_PLUGIN_ABI_MAJOR, BLUETTI_PLUGIN_ABI_MINOR);
        goto out;
    }
    bool help_only = !help && c && (c->run == cmd_help || wants_help(argc - next, argv + next));
    if (!help_only && (help || t.n_unknown || command_uses_device(c))) {
        /* Second pass, with the transport's options as flags and keys:
         * bad options are reported before a missing or unknown command. */
        install_signals();
        if ((rc = load_plugins(&t)) || (rc = topts_select(&t))) goto out;
        rc = parse_all(&t, argc, argv, &c, &next, &cargv, &cargc);
        if (!rc) rc = topts_resolve(&t, command_uses_device(c));
        if (rc) goto out;
    }
    if (help) {
        print_global_help(stdout);
        topts_print_help(&t, stdout);
        goto out;
    }
    if (next >= argc) {
        rc = tool_error(EXIT_USAGE, "no command given; run '" TOOL_NAME " --help' for the "
                        "commands, or try '" TOOL_NAME " --transport sim read'");
        goto out;
    }
    if (!c) {
        rc = tool_error(EXIT_USAGE, "unknown command '%s'; run '" TOOL_NAME " --help' for the "
                        "list of commands", bt_shown(argv[next]));
        goto out;
    }
    if (c->run == cmd_help) {
        rc = cmd_help(&t, argc - next, argv + next);
        goto out;
    }
    if (wants_help(argc - next, argv + next)) {
        c->help(stdout);
        goto out;
    }
    install_signals();
    if (!t.reg && (rc = load_plugins(&t))) goto out;
    rc = c->run(&t, cargc, cargv);
out:
    device_close(&t);
    bluetti_registry_free(t.reg);
    optvals_free(t.gv, t.n_defs, t.defs);
    free(t.gv);
    topts_free(&t);
    settings_free(&t);
    free(cargv);
    if (output_error() && rc == EXIT_OK) rc = EXIT_FAIL;
    return rc;
}
