/* Transport options: the tool knows none of them. The selected transport's
 * plugin declares its keys (bluetti_option_decl); they become --KEY flags
 * and 'key = value' config lines here, their values are checked by the
 * core's rules, and the bag handed to the transport is built from them. */
#include "config.h"

#include "tool.h"
#include "tool_common.h"

#include <stdlib.h>
#include <string.h>

int tool_note_unknown(tool *t, const char *name, size_t len)
{
    char **nv = realloc(t->unknown, (t->n_unknown + 1) * sizeof *nv);
    if (!nv) return -1;
    t->unknown = nv;
    if (!(t->unknown[t->n_unknown] = strndup(name, len))) return -1;
    t->n_unknown++;
    return 0;
}

bool command_uses_device(const command *c)
{
    return c && c->uses_device;
}

/* "client-id" -> "client_id" (malloc'd) and back. */
static char *with(const char *s, char from, char to)
{
    char *c = strdup(s);
    for (char *p = c; p && *p; p++)
        if (*p == from) *p = to;
    return c;
}

static const bluetti_option_decl *declared(const bluetti_transport_ops *ops, const char *name)
{
    if (!ops) return NULL;
    char *key = with(name, '-', '_');
    const bluetti_option_decl *d = key ? bluetti_option_find(ops->options, ops->n_options, key)
                                       : NULL;
    free(key);
    return d;
}

static opt_kind kind_of(const bluetti_option_decl *d)
{
    if (d->type == BLUETTI_OPT_BOOL) return OPT_FLAG;
    if (d->type == BLUETTI_OPT_SECRET) return OPT_SECRET;
    return d->repeatable ? OPT_LIST : OPT_STRING;
}

typedef struct defs_buf {
    optdef *defs;
    topt *topts;
    size_t n, cap;
} defs_buf;

static int add_one(defs_buf *b, const bluetti_option_decl *d, const char *name,
                   const bluetti_transport_ops *ops, bool foreign)
{
    char *flag = with(name, '_', '-');
    if (!flag) return -1;
    if (opts_find(b->defs, b->n, flag) >= 0) { /* a tool option or taken already: -o only */
        free(flag);
        return 0;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap * 2;
        optdef *nd = realloc(b->defs, cap * sizeof *nd);
        if (nd) b->defs = nd;
        topt *nt = nd ? realloc(b->topts, (cap - G_COUNT) * sizeof *nt) : NULL;
        if (!nt) {
            free(flag);
            return -1;
        }
        b->topts = nt;
        b->cap = cap;
    }
    b->defs[b->n] = (optdef){ flag, 0, kind_of(d), d->metavar ? d->metavar : "VALUE", d->min,
                              d->max, false, false };
    b->topts[b->n - G_COUNT] = (topt){ d, flag, ops->name, foreign };
    b->n++;
    return 0;
}

static int add_decls(defs_buf *b, const bluetti_transport_ops *ops, bool foreign)
{
    for (size_t i = 0; ops && i < ops->n_options; i++) {
        const bluetti_option_decl *d = &ops->options[i];
        if (d->flags & BLUETTI_OPTION_F_DEVICE_MODEL) continue; /* filled from --model */
        if (add_one(b, d, d->name, ops, foreign)) return -1;
        for (const char *const *a = d->aliases; a && *a; a++)
            if (add_one(b, d, *a, ops, foreign)) return -1;
    }
    return 0;
}

void topts_free(tool *t)
{
    size_t n = t->n_defs > G_COUNT ? t->n_defs - G_COUNT : 0;
    for (size_t i = 0; t->topts && i < n; i++) free(t->topts[i].flag);
    free(t->topts);
    free(t->own_defs);
    t->topts = NULL;
    t->own_defs = NULL;
    for (size_t i = 0; i < t->n_unknown; i++) free(t->unknown[i]);
    free(t->unknown);
    t->unknown = NULL;
    t->n_unknown = 0;
}

int topts_select(tool *t)
{
    const bluetti_transport_ops *ops = NULL;
    if (t->set.transport) {
        t->tops_err = bluetti_registry_need_transport(t->reg, t->set.transport);
        if (t->tops_err == 0) ops = bluetti_registry_find_transport(t->reg, t->set.transport);
    } else {
        ops = tc_default_transport(t->reg);
    }
    t->tops = ops;
    /* options the selected transport does not declare may be another's:
     * then every transport is looked at (the rare case) */
    bool others = false;
    for (size_t i = 0; i < t->n_unknown; i++)
        if (!declared(ops, t->unknown[i])) others = true;
    if (others) bluetti_registry_load_deferred(t->reg);

    defs_buf b = { malloc(2 * G_COUNT * sizeof *b.defs), malloc(G_COUNT * sizeof *b.topts),
                   G_COUNT, 2 * G_COUNT };
    if (!b.defs || !b.topts) {
        free(b.defs);
        free(b.topts);
        return tool_error(EXIT_FAIL, "out of memory");
    }
    memcpy(b.defs, global_opts, G_COUNT * sizeof *b.defs);
    int fail = add_decls(&b, ops, false);
    for (size_t i = 0; !fail && others && i < bluetti_registry_transport_count(t->reg); i++) {
        const bluetti_transport_ops *o = bluetti_registry_transport_at(t->reg, i);
        if (o != ops) fail = add_decls(&b, o, true);
    }
    /* the first pass's values go; the second pass parses everything again */
    optvals_free(t->gv, t->n_defs, t->defs);
    free(t->gv);
    topts_free(t);
    t->defs = t->own_defs = b.defs;
    t->topts = b.topts;
    t->n_defs = b.n;
    t->gv = calloc(b.n, sizeof *t->gv);
    if (fail || !t->gv) return tool_error(EXIT_FAIL, "out of memory");
    return EXIT_OK;
}

int topts_resolve(tool *t, bool look_at_files)
{
    for (size_t k = G_COUNT; k < t->n_defs; k++) {
        const optval *v = &t->gv[k];
        const topt *to = &t->topts[k - G_COUNT];
        /* a decode with a certificate path in the config file does not
         * care whether that file is there */
        bool skip = !look_at_files && to->decl->type == BLUETTI_OPT_FILE;
        for (size_t i = 0; !skip && i < v->n; i++) {
            char why[512];
            int rc = bluetti_option_check(to->decl, v->vals[i], why, sizeof why);
            if (rc == BLUETTI_E_NOMEM) return tool_error(EXIT_FAIL, "out of memory");
            if (rc) return tool_error(EXIT_USAGE, "%s %s", opt_where(&t->defs[k], v), why);
        }
        if (to->foreign && v->cli)
            tool_warn("--%s is an option of transport '%s', not of '%s'; it is ignored",
                      t->defs[k].name, to->transport,
                      t->tops ? t->tops->name : bt_shown(t->set.transport ? t->set.transport : "?"));
    }
    if (!t->set.transport && t->tops) t->set.transport = t->tops->name;
    return EXIT_OK;
}

/* ---- the bag ------------------------------------------------------------------ */

static int put(bluetti_options *o, const bluetti_option_decl *d, const char *key,
               const char *value)
{
    if (d && d->type == BLUETTI_OPT_SECRET) return bluetti_options_set_secret(o, d->name, value);
    if (d && d->repeatable) return bluetti_options_add(o, d->name, value);
    return bluetti_options_set(o, d ? d->name : key, value);
}

/* "--password P or BLUETTI_CERT_PASSWORD" */
static void flag_text(const bluetti_option_decl *d, bool metavar, char *buf, size_t cap)
{
    char *flag = with(d->name, '_', '-');
    snprintf(buf, cap, "--%s%s%s%s%s", flag ? flag : d->name,
             metavar && d->type != BLUETTI_OPT_BOOL ? " " : "",
             metavar && d->type != BLUETTI_OPT_BOOL ? (d->metavar ? d->metavar : "VALUE") : "",
             d->env ? " or " : "", d->env ? d->env : "");
    free(flag);
}

/* The prompt with "{key}" replaced by that key's value (malloc'd). */
static char *prompt_text(const char *text, const bluetti_options *o)
{
    const char *open = strchr(text, '{'), *close = open ? strchr(open, '}') : NULL;
    if (!close) return strdup(text);
    char *key = strndup(open + 1, (size_t)(close - open - 1));
    const char *v = key ? bluetti_options_get(o, key) : NULL;
    char *s = xasprintf("%.*s%s%s", (int)(open - text), text, v ? bt_shown_path(v) : "", close + 1);
    free(key);
    return s;
}

/* A prompt naming a key ("{cert}") is for that key's secret: without the
 * key there is nothing to ask for. */
static bool prompt_applies(const char *text, const bluetti_options *o)
{
    const char *open = strchr(text, '{'), *close = open ? strchr(open, '}') : NULL;
    if (!close) return true;
    char *key = strndup(open + 1, (size_t)(close - open - 1));
    bool yes = key && bluetti_options_count(o, key) > 0;
    free(key);
    return yes;
}

static int ask_secret(tool *t, const bluetti_option_decl *d, bluetti_options *o)
{
    if (!d->prompt || !prompt_applies(d->prompt, o)) return EXIT_OK;
    char *text = prompt_text(d->prompt, o), *value = NULL;
    if (!text) return tool_error(EXIT_FAIL, "out of memory");
    int rc = password_prompt(text, &value);
    free(text);
    char flag[256], *dash = with(d->name, '_', '-');
    snprintf(flag, sizeof flag, "--%s %s", dash ? dash : d->name, d->metavar ? d->metavar : "VALUE");
    free(dash);
    if (rc == 0) {
        rc = bluetti_options_set_secret(o, d->name, value) ? tool_error(EXIT_FAIL, "out of memory")
                                                          : EXIT_OK;
        password_free(value);
        return rc;
    }
    if (rc == -2) return tool_stop_exit();
    if (rc == -3)
        return tool_error(EXIT_USAGE, "the value typed is longer than %d characters; give it "
                          "with %s%s%s instead", PW_MAX - 1, d->env ? "$" : "",
                          d->env ? d->env : "", d->env ? "" : flag);
    if (rc == -4) return tool_error(EXIT_FAIL, "out of memory");
    return tool_error(EXIT_USAGE, "the %s transport needs %s (%s) and there is no terminal to "
                      "ask on; give %s%s%s", t->tops->name, flag, d->help ? d->help : d->name,
                      flag, d->env ? " or set " : "", d->env ? d->env : "");
}

int topts_build(tool *t, const char *model, bluetti_options **out)
{
    *out = NULL;
    const bluetti_transport_ops *ops = t->tops;
    bluetti_options *o = bluetti_options_new();
    if (!o) return tool_error(EXIT_FAIL, "out of memory");
    int fail = 0;
    for (size_t k = G_COUNT; k < t->n_defs; k++) {
        const topt *to = &t->topts[k - G_COUNT];
        if (to->foreign) continue;
        for (size_t i = 0; i < t->gv[k].n; i++)
            if (put(o, to->decl, NULL, t->gv[k].vals[i])) fail = 1;
    }
    for (size_t i = 0; i < t->set.n_options; i++) {
        const char *kv = t->set.options[i];
        const char *eq = strchr(kv, '=');
        /* the whole key: a cut one would set some other option */
        char *key = strndup(kv, (size_t)(eq - kv));
        if (!key || put(o, bluetti_option_find(ops->options, ops->n_options, key), key, eq + 1))
            fail = 1;
        free(key);
    }
    for (size_t i = 0; i < ops->n_options; i++) {
        const bluetti_option_decl *d = &ops->options[i];
        if ((d->flags & BLUETTI_OPTION_F_DEVICE_MODEL) && model &&
            !bluetti_options_count(o, d->name) && bluetti_options_set(o, d->name, model))
            fail = 1;
    }
    if (fail) {
        bluetti_options_free(o);
        return tool_error(EXIT_FAIL, "out of memory");
    }
    int rc = EXIT_OK;
    /* secrets from the environment count as given; prompts come last, once
     * everything else is known to be there */
    for (size_t i = 0; i < ops->n_options; i++) {
        const bluetti_option_decl *d = &ops->options[i];
        const char *env = d->env ? getenv(d->env) : NULL;
        if (d->type == BLUETTI_OPT_SECRET && env && !bluetti_options_count(o, d->name) &&
            bluetti_options_set_secret(o, d->name, env))
            rc = tool_error(EXIT_FAIL, "out of memory");
    }
    for (size_t i = 0; rc == EXIT_OK && i < ops->n_options; i++) {
        const bluetti_option_decl *d = &ops->options[i];
        if (!d->required || d->default_value || bluetti_options_count(o, d->name)) continue;
        char flag[256];
        flag_text(d, true, flag, sizeof flag);
        rc = tool_error(EXIT_USAGE, "the %s transport needs %s (%s); give it, or see '" TOOL_NAME
                        " --transport %s --help'", ops->name, flag, d->help ? d->help : d->name,
                        ops->name);
    }
    for (size_t i = 0; rc == EXIT_OK && i < ops->n_options; i++) {
        const bluetti_option_decl *d = &ops->options[i];
        if (d->type == BLUETTI_OPT_SECRET && !bluetti_options_count(o, d->name))
            rc = ask_secret(t, d, o);
    }
    if (rc) bluetti_options_free(o);
    else *out = o;
    return rc;
}

bool topts_wants_cloud_login(const tool *t, const bluetti_options *o)
{
    bool has_key = false;
    for (size_t i = 0; t->tops && i < t->tops->n_options; i++) {
        const bluetti_option_decl *d = &t->tops->options[i];
        /* a key the user filled (the stored login's own, or a credential
         * such as a certificate) means the stored login is not wanted */
        if ((d->flags & (BLUETTI_OPTION_F_CLOUD_LOGIN | BLUETTI_OPTION_F_CREDENTIAL)) &&
            bluetti_options_count(o, d->name))
            return false;
        if (d->flags & BLUETTI_OPTION_F_CLOUD_LOGIN) has_key = true;
    }
    return has_key;
}

const char *topts_cloud_login_key(const tool *t)
{
    for (size_t i = 0; t->tops && i < t->tops->n_options; i++)
        if (t->tops->options[i].flags & BLUETTI_OPTION_F_CLOUD_LOGIN)
            return t->tops->options[i].name;
    return NULL;
}

int topts_fill_cloud(const tool *t, bluetti_options *o, unsigned flag, const char *value)
{
    for (size_t i = 0; t->tops && i < t->tops->n_options; i++) {
        const bluetti_option_decl *d = &t->tops->options[i];
        if (!(d->flags & flag) || bluetti_options_count(o, d->name)) continue;
        if (bluetti_options_set(o, d->name, value)) return -1;
    }
    return 0;
}

/* ---- hints and help ------------------------------------------------------------ */

static bool causes(const bluetti_option_decl *d, int err)
{
    for (const int *c = d->causes; c && *c; c++)
        if (*c == err) return true;
    return false;
}

const char *topts_hint(tool *t, int err)
{
    static char buf[1024];
    char list[512] = "";
    size_t w = 0, n = 0;
    const bluetti_option_decl *one = NULL;
    for (size_t i = 0; t->tops && i < t->tops->n_options; i++) {
        const bluetti_option_decl *d = &t->tops->options[i];
        if (!causes(d, err) || w + 1 >= sizeof list) continue;
        char flag[256];
        flag_text(d, false, flag, sizeof flag);
        int k = snprintf(list + w, sizeof list - w, "%s%s", n ? ", " : "", flag);
        if (k > 0) w += (size_t)k;
        one = d;
        n++;
    }
    if (n == 1 && one->help && one->type != BLUETTI_OPT_SECRET) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, " (%s)", one->help);
    }
    switch (err) {
    case BLUETTI_E_CERT_EXPIRED: return "get a fresh certificate from your Bluetti account";
    case BLUETTI_E_CERT_NOT_YET_VALID: return "check this computer's clock";
    case BLUETTI_E_BROKER_REFUSED:
        return "check that the certificate belongs to the account that owns the device";
    case BLUETTI_E_SESSION_TAKEN:
        /* the first connect: the tool gives up at once, it does not wait
         * out the hold-off a reconnect of a running session would */
        return "the tool does not wait for the session: close the Bluetti app (or the other "
               "client) on this account, then run the command again";
    case BLUETTI_E_CONNECT:
    case BLUETTI_E_TIMEOUT:
    case BLUETTI_E_DISCONNECTED:
    case BLUETTI_E_NOT_CONNECTED:
        snprintf(buf, sizeof buf, "check %s%sthe network, then try again", list,
                 n ? " and " : "");
        return buf;
    default:
        break;
    }
    if (n) {
        snprintf(buf, sizeof buf, "check %s", list);
        return buf;
    }
    if (err == BLUETTI_E_INVAL || err == BLUETTI_E_IO) {
        snprintf(buf, sizeof buf, "check the transport options ('" TOOL_NAME " --transport %s "
                 "--help')", t->tops ? t->tops->name : "NAME");
        return buf;
    }
    return "run with -v for details";
}

/* "(default 60; 5 to 65535)" and the like, for help and listings. */
static void notes(const bluetti_option_decl *d, bool as_flag, char *buf, size_t cap)
{
    size_t w = 0;
    buf[0] = '\0';
#define NOTE(...)                                                                  \
    do {                                                                           \
        if (w + 3 < cap) {                                                         \
            memcpy(buf + w, w ? "; " : " (", 3);                                   \
            w += 2;                                                                \
            int k_ = snprintf(buf + w, cap - w, __VA_ARGS__);                      \
            if (k_ > 0) w += (size_t)k_ < cap - w ? (size_t)k_ : cap - w - 1;      \
        }                                                                          \
    } while (0)
    if (d->required) NOTE("required");
    if (d->default_value && d->type != BLUETTI_OPT_BOOL) NOTE("default %s", d->default_value);
    if ((d->type == BLUETTI_OPT_INT || d->type == BLUETTI_OPT_REAL) && !(d->min == 0 && d->max == 0)) {
        char lo[32], hi[32];
        format_double(d->min, lo, sizeof lo);
        format_double(d->max, hi, sizeof hi);
        NOTE("%s to %s", lo, hi);
    }
    if (d->allowed) {
        char list[256] = "";
        size_t l = 0;
        for (const char *const *a = d->allowed; *a && l + 1 < sizeof list; a++) {
            int k = snprintf(list + l, sizeof list - l, "%s%s", a == d->allowed ? "" : ", ", *a);
            if (k > 0) l += (size_t)k;
        }
        NOTE("one of: %s", list);
    }
    if (d->repeatable) NOTE("repeatable");
    if (d->env && d->prompt) NOTE("else $%s, else asked on the terminal", d->env);
    else if (d->env) NOTE("else $%s", d->env);
    else if (d->prompt) NOTE("else asked on the terminal");
    for (const char *const *a = d->aliases; a && *a; a++) {
        char *flag = as_flag ? with(*a, '_', '-') : strdup(*a);
        NOTE("also %s%s", as_flag ? "--" : "", flag ? flag : *a);
        free(flag);
    }
#undef NOTE
    if (w && w + 2 < cap) memcpy(buf + w, ")", 2);
}

/* text wrapped at 79 columns, continuation lines indented by `indent`. */
static void wrapped(FILE *out, const char *text, size_t col, size_t indent)
{
    const char *s = text;
    while (*s) {
        size_t room = col < 79 ? 79 - col : 20, n = strlen(s);
        if (n > room) {
            size_t cut = room;
            while (cut > 0 && s[cut] != ' ') cut--;
            if (cut == 0) cut = strcspn(s, " ");
            n = cut;
        }
        fprintf(out, "%.*s\n", (int)n, s);
        s += n;
        while (*s == ' ') s++;
        if (*s) fprintf(out, "%*s", (int)indent, "");
        col = indent;
    }
}

static void print_decl(FILE *out, const bluetti_option_decl *d, bool as_flag)
{
    char head[128], note[512], *line;
    char *flag = with(d->name, '_', '-');
    const char *mv = d->metavar ? d->metavar : "VALUE";
    if (as_flag)
        snprintf(head, sizeof head, "--%s%s%s", flag ? flag : d->name,
                 d->type == BLUETTI_OPT_BOOL ? "" : " ", d->type == BLUETTI_OPT_BOOL ? "" : mv);
    else
        snprintf(head, sizeof head, "%s=%s", d->name, d->type == BLUETTI_OPT_BOOL ? "BOOL" : mv);
    free(flag);
    notes(d, as_flag, note, sizeof note);
    line = xasprintf("%s%s", d->help ? d->help : "", note);
    int w = fprintf(out, "  %-24s ", head);
    if (w > 27) {
        fprintf(out, "\n%27s", "");
        w = 27;
    }
    wrapped(out, line ? line : "", (size_t)w, 27);
    free(line);
}

void topts_print_help(tool *t, FILE *out)
{
    const bluetti_transport_ops *ops = t->tops;
    if (!ops) {
        fprintf(out, "\nTransport options come from the transport plugins, and none %s%s%s is "
                "available\n(see '" TOOL_NAME " plugins' and '" TOOL_NAME " transports').\n",
                t->set.transport ? "named '" : "", t->set.transport ? bt_shown(t->set.transport) : "",
                t->set.transport ? "'" : "");
        return;
    }
    fprintf(out, "\nOptions of transport '%s'%s, declared by its plugin %s\n"
            "(also 'key = value' in the config file, or -o KEY=VALUE; '--transport NAME\n"
            "--help' shows another transport's):\n",
            ops->name, (ops->flags & BLUETTI_TRANSPORT_F_DEFAULT) ? ", the default" : "",
            bluetti_registry_transport_plugin(t->reg, ops));
    for (size_t i = 0; i < ops->n_options; i++) {
        const bluetti_option_decl *d = &ops->options[i];
        if (d->flags & BLUETTI_OPTION_F_DEVICE_MODEL) continue;
        print_decl(out, d, opts_find(global_opts, G_COUNT, d->name) < 0);
    }
}

/* ---- transports ---------------------------------------------------------------- */

static json_t *str_list(const char *const *v)
{
    json_t *a = json_array();
    for (; v && *v; v++) json_array_append_new(a, json_string(*v));
    return a;
}

static json_t *decl_json(const bluetti_option_decl *d)
{
    static const char *const types[] = { "?", "string", "int", "real", "bool", "file", "secret" };
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(d->name));
    json_object_set_new(o, "type", json_string(types[d->type >= 1 && d->type <= 6 ? d->type : 0]));
    json_object_set_new(o, "default", d->default_value ? json_string(d->default_value) : json_null());
    if (d->type == BLUETTI_OPT_INT || d->type == BLUETTI_OPT_REAL) {
        json_object_set_new(o, "min", json_real(d->min));
        json_object_set_new(o, "max", json_real(d->max));
    }
    if (d->allowed) json_object_set_new(o, "allowed", str_list(d->allowed));
    json_object_set_new(o, "required", json_boolean(d->required));
    json_object_set_new(o, "repeatable", json_boolean(d->repeatable));
    json_object_set_new(o, "help", json_string(d->help ? d->help : ""));
    json_object_set_new(o, "metavar", d->metavar ? json_string(d->metavar) : json_null());
    json_object_set_new(o, "aliases", str_list(d->aliases));
    if (d->env) json_object_set_new(o, "env", json_string(d->env));
    json_object_set_new(o, "device_model", json_boolean(d->flags & BLUETTI_OPTION_F_DEVICE_MODEL));
    return o;
}

void help_transports(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] transports\n"
          "\n"
          "List every transport the plugins provide, with its description and the option\n"
          "keys it accepts (each also a --KEY flag and a config file key). With --json, one\n"
          "document with every key's type, default, range and help.\n"
          "\n"
          "Example:\n"
          "  " TOOL_NAME " --plugin-dir ./my-plugins transports\n", out);
}

int cmd_transports(tool *t, int argc, char **argv)
{
    optval v[1] = { { 0 } };
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    size_t n_pos = 0;
    bool done = false;
    if (!pos) return tool_error(EXIT_FAIL, "out of memory");
    int rc = cmd_opts(command_find("transports"), v, argc, argv, pos, &n_pos, &done);
    if (!rc && !done && n_pos)
        rc = tool_error(EXIT_USAGE, "'transports' takes no arguments, got '%s'; run '" TOOL_NAME
                        " transports --help'", bt_shown(pos[0]));
    optvals_free(v, 1, help_only_opts);
    free(pos);
    if (rc || done) return rc;
    bluetti_registry_load_deferred(t->reg);
    size_t n = bluetti_registry_transport_count(t->reg);
    json_t *arr = t->set.json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        const bluetti_transport_ops *o = bluetti_registry_transport_at(t->reg, i);
        const char *plugin = bluetti_registry_transport_plugin(t->reg, o);
        bool dflt = (o->flags & BLUETTI_TRANSPORT_F_DEFAULT) != 0;
        if (arr) {
            json_t *j = json_object(), *opts = json_array();
            json_object_set_new(j, "name", json_string(o->name));
            json_object_set_new(j, "description", json_string(o->description ? o->description : ""));
            json_object_set_new(j, "plugin", plugin ? json_string(plugin) : json_null());
            json_object_set_new(j, "default", json_boolean(dflt));
            json_object_set_new(j, "any_address",
                                json_boolean(o->flags & BLUETTI_TRANSPORT_F_ANY_ADDRESS));
            for (size_t k = 0; k < o->n_options; k++)
                json_array_append_new(opts, decl_json(&o->options[k]));
            json_object_set_new(j, "options", opts);
            json_array_append_new(arr, j);
            continue;
        }
        printf("%s%s%s: %s%s%s%s\n", i ? "\n" : "", o->name, dflt ? " (default)" : "",
               o->description ? o->description : "", plugin ? " [" : "", plugin ? plugin : "",
               plugin ? "]" : "");
        for (size_t k = 0; k < o->n_options; k++) print_decl(stdout, &o->options[k], false);
        if (!o->n_options) printf("  (no options)\n");
    }
    if (arr) {
        json_t *doc = json_object();
        json_object_set_new(doc, "transports", arr);
        return json_print(doc);
    }
    if (!n) printf("no transports are loaded%s\n", no_plugins_hint(t));
    return output_error();
}
