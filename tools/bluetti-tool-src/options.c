/* Command-line parsing shared by the global and the command options.
 * A small parser of our own (rather than getopt_long) so that the same
 * option table drives the command line, the config file and the messages. */
#include "config.h"

#include "tool.h"
#include "bt_name.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int opts_find(const optdef *defs, size_t n_defs, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n_defs; i++)
        if (bt_key_eq_n(defs[i].name, name, len)) return (int)i;
    return -1;
}

static int find_len(const optdef *defs, size_t n_defs, const char *name, size_t len)
{
    for (size_t i = 0; i < n_defs; i++)
        if (bt_key_eq_n(defs[i].name, name, len)) return (int)i;
    return -1;
}

static void free_value(const optdef *d, char *s)
{
    if (!s) return;
    if (d->kind == OPT_SECRET) wipe(s, strlen(s));
    free(s);
}

int optval_add(optval *v, const optdef *d, const char *value, const char *file, int line)
{
    char *copy = strdup(value);
    if (!copy) return -1;
    char *fcopy = NULL;
    if (file && !(fcopy = strdup(file))) {
        free_value(d, copy);
        return -1;
    }
    bool append = d->kind == OPT_LIST || (d->kind == OPT_COUNT && !file);
    if (!append) {
        for (size_t i = 0; i < v->n; i++) free_value(d, v->vals[i]);
        v->n = 0;
    }
    char **nv = realloc(v->vals, (v->n + 1) * sizeof *nv);
    if (!nv) {
        free_value(d, copy);
        free(fcopy);
        return -1;
    }
    v->vals = nv;
    v->vals[v->n++] = copy;
    free(v->file);
    v->file = fcopy;
    v->line = line;
    if (!file) v->cli = true;
    return 0;
}

void optvals_free(optval *vals, size_t n, const optdef *defs)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < vals[i].n; k++) free_value(&defs[i], vals[i].vals[k]);
        free(vals[i].vals);
        free(vals[i].file);
        memset(&vals[i], 0, sizeof vals[i]);
    }
}

static bool takes_value(const optdef *d)
{
    return d->kind != OPT_FLAG && d->kind != OPT_COUNT;
}

static int help_ref(const char *ctx, char *buf, size_t cap)
{
    return snprintf(buf, cap, "run '" TOOL_NAME "%s%s --help' for the options", *ctx ? " " : "",
                    ctx);
}

static int store(const optdef *d, optval *v, const char *value, char *argv_value)
{
    if (optval_add(v, d, value, NULL, 0) != 0)
        return tool_error(EXIT_FAIL, "out of memory; close other programs and retry");
    /* keep secrets out of `ps` output from now on */
    if (d->kind == OPT_SECRET && argv_value) wipe(argv_value, strlen(argv_value));
    return EXIT_OK;
}

static tool *lenient_tool;

bool looks_like_value(const char *s)
{
    if (s[0] == '-') return s[1] == '.' || (s[1] >= '0' && s[1] <= '9'); /* -5, -0.5 */
    return !command_find(s);
}

void opts_set_lenient(tool *t)
{
    lenient_tool = t;
}

int opts_parse(const optdef *defs, size_t n_defs, optval *vals, int argc, char **argv, int start,
               bool stop_at_positional, int *next, char **pos, size_t *n_pos, const char *ctx)
{
    /* collecting positionals (see tool.h) needs both pos and n_pos */
    assert(stop_at_positional || (pos && n_pos));
    char ref[128];
    help_ref(ctx, ref, sizeof ref);
    if (n_pos) *n_pos = 0;
    if (next) *next = argc;
    bool only_pos = false;
    for (int i = start; i < argc; i++) {
        char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            if (stop_at_positional) {
                if (next) *next = i + 1;
                return EXIT_OK;
            }
            only_pos = true;
            continue;
        }
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (stop_at_positional) {
                if (next) *next = i;
                return EXIT_OK;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        if (a[1] == '-') {
            char *name = a + 2;
            char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int k = find_len(defs, n_defs, name, len);
            if (k < 0 && lenient_tool) {
                /* first pass: a transport option, perhaps; guess whether the
                 * next word is its value (the second pass knows) */
                if (tool_note_unknown(lenient_tool, name, len) != 0)
                    return tool_error(EXIT_FAIL, "out of memory");
                if (!eq && i + 1 < argc && looks_like_value(argv[i + 1])) i++;
                continue;
            }
            if (k < 0) {
                /* the name alone, without "=value" (which may be a secret) */
                char shortname[BT_SHOWN_MAX + 2];
                snprintf(shortname, sizeof shortname, "%.*s",
                         (int)(len < BT_SHOWN_MAX + 1 ? len : BT_SHOWN_MAX + 1), name);
                return tool_error(EXIT_USAGE, "unknown option '--%s'%s%s; %s", bt_shown(shortname),
                                  *ctx ? " for " : "", ctx, ref);
            }
            const optdef *d = &defs[k];
            if (!takes_value(d)) {
                if (eq)
                    return tool_error(EXIT_USAGE, "option --%s takes no value; %s", d->name, ref);
                if (store(d, &vals[k], "true", NULL)) return EXIT_FAIL;
                continue;
            }
            char *value = eq ? eq + 1 : NULL;
            if (!value) {
                if (i + 1 >= argc)
                    return tool_error(EXIT_USAGE, "option --%s needs a value (%s); %s", d->name,
                                      d->metavar ? d->metavar : "VALUE", ref);
                value = argv[++i];
            }
            int rc = store(d, &vals[k], value, value);
            if (rc) return rc;
            continue;
        }
        /* short options, possibly clustered: -vv, -qv */
        for (char *c = a + 1; *c; c++) {
            int k = -1;
            for (size_t j = 0; j < n_defs; j++)
                if (defs[j].short_name && defs[j].short_name == *c) k = (int)j;
            if (k < 0) {
                char letter[2] = { *c, '\0' };
                return tool_error(EXIT_USAGE, "unknown option '-%s'%s%s; %s", bt_shown(letter),
                                  *ctx ? " for " : "", ctx, ref);
            }
            const optdef *d = &defs[k];
            if (!takes_value(d)) {
                if (store(d, &vals[k], "true", NULL)) return EXIT_FAIL;
                continue;
            }
            char *value = c[1] ? c + 1 : NULL;
            if (!value) {
                if (i + 1 >= argc)
                    return tool_error(EXIT_USAGE, "option -%c needs a value (%s); %s", *c,
                                      d->metavar ? d->metavar : "VALUE", ref);
                value = argv[++i];
            }
            int rc = store(d, &vals[k], value, value);
            if (rc) return rc;
            break;
        }
    }
    return EXIT_OK;
}

/* ---- typed access ---------------------------------------------------------- */

const char *opt_where(const optdef *d, const optval *v)
{
    static char buf[BT_SHOWN_PATH_MAX * 4 + 128]; /* an escaped file name, line, option */
    if (v->file) snprintf(buf, sizeof buf, "%s:%d: %s", bt_shown_path(v->file), v->line, d->name);
    else snprintf(buf, sizeof buf, "--%s", d->name);
    return buf;
}

const char *opt_str(const optval *v)
{
    return v->n ? v->vals[v->n - 1] : NULL;
}

static void range_text(const optdef *d, bool whole, char *buf, size_t cap)
{
    char lo[32], hi[32];
    format_double(d->min, lo, sizeof lo);
    format_double(d->max, hi, sizeof hi);
    if (whole) snprintf(buf, cap, "a whole number from %s to %s", lo, hi);
    else if (d->min_open && isinf(d->max)) snprintf(buf, cap, "a number greater than %s", lo);
    else if (d->min_open) snprintf(buf, cap, "a number greater than %s, at most %s", lo, hi);
    else snprintf(buf, cap, "a number from %s to %s", lo, hi);
}

/* A value written with a '-' where the option takes no negative number. */
static bool negative_refused(const optdef *d, const char *s)
{
    return s[0] == '-' && d->min >= 0;
}

int opt_long(const optdef *d, const optval *v, long *out)
{
    const char *s = opt_str(v);
    if (!s) return EXIT_OK;
    char range[128];
    range_text(d, true, range, sizeof range);
    long x = 0;
    bt_num_status st = bt_parse_whole(s, false, &x);
    if (st == BT_NUM_SYNTAX)
        return tool_error(EXIT_USAGE, "%s '%s' is not a whole number in decimal digits; give "
                          "%s", opt_where(d, v), bt_shown(s), range);
    if (st == BT_NUM_RANGE || negative_refused(d, s) || (double)x < d->min || (double)x > d->max)
        return tool_error(EXIT_USAGE, "%s '%s' is out of range; give %s", opt_where(d, v),
                          bt_shown(s), range);
    *out = x;
    return EXIT_OK;
}

int opt_double(const optdef *d, const optval *v, double *out)
{
    const char *s = opt_str(v);
    if (!s) return EXIT_OK;
    char range[128];
    range_text(d, false, range, sizeof range);
    double x = 0;
    bt_num_status st = bt_parse_decimal(s, &x);
    if (st == BT_NUM_SYNTAX)
        return tool_error(EXIT_USAGE, "%s '%s' is not a decimal number; give %s, written "
                          "like 2 or 0.5", opt_where(d, v), bt_shown(s), range);
    if (st == BT_NUM_RANGE || negative_refused(d, s) ||
        (d->min_open ? !(x > d->min) : !(x >= d->min)) || x > d->max)
        return tool_error(EXIT_USAGE, "%s '%s' is out of range; give %s", opt_where(d, v),
                          bt_shown(s), range);
    *out = x;
    return EXIT_OK;
}

int opt_bool(const optdef *d, const optval *v, bool *out)
{
    const char *s = opt_str(v);
    if (!s) return EXIT_OK;
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[] = { "0", "false", "no", "off" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) { *out = true; return EXIT_OK; }
        if (strcasecmp(s, no[i]) == 0) { *out = false; return EXIT_OK; }
    }
    return tool_error(EXIT_USAGE, "%s '%s' is not a yes/no value; give true or false",
                      opt_where(d, v), bt_shown(s));
}

int opt_count(const optdef *d, const optval *v, int *out)
{
    if (!v->n) return EXIT_OK;
    if (v->cli) {
        *out = (int)v->n;
        return EXIT_OK;
    }
    long x = 0;
    const char *s = opt_str(v);
    if (bt_parse_whole(s, false, &x) != BT_NUM_OK || x < 0 || x > 9 || s[0] == '-')
        return tool_error(EXIT_USAGE, "%s '%s' is not a level; give a whole number from 0 to 9",
                          opt_where(d, v), bt_shown(s));
    *out = (int)x;
    return EXIT_OK;
}
