/* Declared transport options: checking values and bags against a
 * transport's table before it is opened, so every transport gets the same
 * checks and the same messages, and applications can offer the keys. */
#include "config.h"

#include "internal.h"
#include "bt_numbers.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longest value quoted in a message; longer ones are cut with "...". */
#define QUOTE_MAX 64

static bool name_is(const bluetti_option_decl *d, const char *key)
{
    if (d->name && strcmp(d->name, key) == 0) return true;
    for (const char *const *a = d->aliases; a && *a; a++)
        if (strcmp(*a, key) == 0) return true;
    return false;
}

const bluetti_option_decl *bluetti_option_find(const bluetti_option_decl *table, size_t n,
                                               const char *key)
{
    if (!table || !key) return NULL;
    for (size_t i = 0; i < n; i++)
        if (name_is(&table[i], key)) return &table[i];
    return NULL;
}

static bool bounded(const bluetti_option_decl *d)
{
    return !(d->min == 0 && d->max == 0);
}

static void fmt_num(double v, char *buf, size_t cap)
{
    bt_fmt(buf, cap, "%.10g", v);
}

/* "a whole number from 1 to 65535" */
static void range_text(const bluetti_option_decl *d, char *buf, size_t cap)
{
    const char *what = d->type == BLUETTI_OPT_INT ? "a whole number" : "a number";
    if (!bounded(d)) {
        bt_fmt(buf, cap, "%s", what);
        return;
    }
    char lo[32], hi[32];
    fmt_num(d->min, lo, sizeof lo);
    fmt_num(d->max, hi, sizeof hi);
    bt_fmt(buf, cap, "%s from %s to %s", what, lo, hi);
}

/* The value as quoted in messages: cut, control bytes as \xNN (a message
 * must not carry terminal escapes from a config file to a screen). */
static void quote(const char *v, char *buf, size_t cap)
{
    size_t w = 0, i = 0;
    for (; i < QUOTE_MAX && v[i] && w + 5 < cap; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f) w += (size_t)snprintf(buf + w, cap - w, "\\x%02x", c);
        else buf[w++] = (char)c;
    }
    buf[w] = '\0';
    if (v[i] && w + 4 < cap) memcpy(buf + w, "...", 4);
}

static int check_allowed(const bluetti_option_decl *d, const char *value, const char *q,
                         char *detail, size_t len)
{
    if (!d->allowed) return 0;
    for (const char *const *a = d->allowed; *a; a++)
        if (strcmp(*a, value) == 0) return 0;
    char list[256] = "";
    size_t w = 0;
    for (const char *const *a = d->allowed; *a && w + 1 < sizeof list; a++) {
        int k = snprintf(list + w, sizeof list - w, "%s%s", a == d->allowed ? "" : ", ", *a);
        if (k < 0) break;
        w += (size_t)k;
    }
    bt_fmt(detail, len, "'%s' is not accepted; give one of: %s", q, list);
    return BLUETTI_E_INVAL;
}

static int check(const bluetti_option_decl *d, const char *value, bool look_at_files,
                 char *detail, size_t detail_len)
{
    if (detail && detail_len) detail[0] = '\0';
    if (!d || !value) return BLUETTI_E_INVAL;
    char q[QUOTE_MAX * 4 + 8];
    quote(value, q, sizeof q);
    if (d->type == BLUETTI_OPT_SECRET) return 0; /* any text, never quoted */
    if (!*value) {
        bt_fmt(detail, detail_len, "is empty; give a value or leave the option out");
        return BLUETTI_E_INVAL;
    }
    bluetti_options *one = bluetti_options_new();
    if (!one) return BLUETTI_E_NOMEM;
    int rc = bluetti_options_set(one, "v", value);
    char range[128];
    switch (rc ? -1 : d->type) {
    case -1:
        break;
    case BLUETTI_OPT_STRING:
        rc = check_allowed(d, value, q, detail, detail_len);
        break;
    case BLUETTI_OPT_INT: {
        long x;
        range_text(d, range, sizeof range);
        double lo = bounded(d) ? d->min : -HUGE_VAL, hi = bounded(d) ? d->max : HUGE_VAL;
        rc = bluetti_options_get_long(one, "v", lo <= (double)LONG_MIN ? LONG_MIN : (long)lo,
                                      hi >= (double)LONG_MAX ? LONG_MAX : (long)hi, &x);
        if (rc) {
            bool syntax = bt_parse_whole(value, false, &x) == BT_NUM_SYNTAX;
            bt_fmt(detail, detail_len, syntax ? "'%s' is not a whole number in decimal digits; "
                   "give %s" : "'%s' is out of range; give %s", q, range);
        }
        break;
    }
    case BLUETTI_OPT_REAL: {
        double x;
        range_text(d, range, sizeof range);
        double lo = bounded(d) ? d->min : -HUGE_VAL, hi = bounded(d) ? d->max : HUGE_VAL;
        rc = bluetti_options_get_double(one, "v", lo, hi, &x);
        if (rc) {
            bool syntax = bluetti_options_get_double(one, "v", -HUGE_VAL, HUGE_VAL, &x) != 0;
            bt_fmt(detail, detail_len, syntax ? "'%s' is not a decimal number; give %s, written "
                   "like 2 or 0.5" : "'%s' is out of range; give %s", q, range);
        }
        break;
    }
    case BLUETTI_OPT_BOOL: {
        bool b;
        rc = bluetti_options_get_bool(one, "v", &b);
        if (rc) bt_fmt(detail, detail_len, "'%s' is not a yes/no value; give true or false", q);
        break;
    }
    case BLUETTI_OPT_FILE:
        if (look_at_files && access(value, R_OK) != 0) {
            bt_fmt(detail, detail_len, "'%s' cannot be read (%s); check the path and its "
                   "permissions", q, strerror(errno));
            rc = BLUETTI_E_INVAL;
        }
        break;
    default:
        bt_fmt(detail, detail_len, "has an unknown type %d in the transport's table", d->type);
        rc = BLUETTI_E_INVAL;
        break;
    }
    bluetti_options_free(one);
    return rc;
}

int bluetti_option_check(const bluetti_option_decl *d, const char *value, char *detail,
                         size_t detail_len)
{
    return check(d, value, true, detail, detail_len);
}

/* "broker, port, ..." into buf. */
static void known_keys(const bluetti_option_decl *t, size_t n, char *buf, size_t cap)
{
    size_t w = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && w + 1 < cap; i++) {
        int k = snprintf(buf + w, cap - w, "%s%s", i ? ", " : "", t[i].name);
        if (k < 0) break;
        w += (size_t)k;
    }
    if (n == 0) bt_fmt(buf, cap, "none");
}

static int put(bluetti_options *o, const bluetti_option_decl *d, const char *value)
{
    if (d->type == BLUETTI_OPT_SECRET) return bluetti_options_set_secret(o, d->name, value);
    if (d->repeatable) return bluetti_options_add(o, d->name, value);
    return bluetti_options_set(o, d->name, value);
}

int bluetti_options_apply_decls(const bluetti_option_decl *table, size_t n, const char *transport,
                                const bluetti_options *in, bluetti_options **out, char *detail,
                                size_t detail_len)
{
    if (detail && detail_len) detail[0] = '\0';
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    if ((!table && n) || !transport) return BLUETTI_E_INVAL;
    bluetti_options *o = bluetti_options_new();
    if (!o) return BLUETTI_E_NOMEM;
    int rc = 0;
    if (!table) { /* a transport that declares nothing gets the bag as it is */
        const char *k, *v;
        for (size_t i = 0; rc == 0 && bluetti_options_entry(in, i, &k, &v); i++) {
            size_t nth = 0;
            const char *k2;
            for (size_t j = 0; j < i; j++)
                if (bluetti_options_entry(in, j, &k2, NULL) && strcmp(k2, k) == 0) nth++;
            const char *value = bluetti_options_get_nth(in, k, nth);
            rc = bluetti_options_entry_secret(in, i) ? bluetti_options_set_secret(o, k, value)
                                                     : bluetti_options_add(o, k, value);
        }
        if (rc) bluetti_options_free(o);
        else *out = o;
        return rc;
    }
    const char *key, *shown;
    for (size_t i = 0; rc == 0 && bluetti_options_entry(in, i, &key, &shown); i++) {
        const bluetti_option_decl *d = bluetti_option_find(table, n, key);
        if (!d) {
            char list[512], q[QUOTE_MAX * 4 + 8];
            known_keys(table, n, list, sizeof list);
            quote(key, q, sizeof q);
            bt_fmt(detail, detail_len, "unknown option '%s' for transport '%s'; known: %s", q,
                   transport, list);
            rc = BLUETTI_E_INVAL;
            break;
        }
        /* the i-th entry's real value: entries keep their order per key */
        size_t nth = 0;
        const char *k2;
        for (size_t j = 0; j < i; j++)
            if (bluetti_options_entry(in, j, &k2, NULL) && strcmp(k2, key) == 0) nth++;
        const char *value = bluetti_options_get_nth(in, key, nth);
        char why[384];
        /* files are left to the transport, whose error says more
         * (BLUETTI_E_CERT_READ rather than BLUETTI_E_INVAL) */
        rc = check(d, value, false, why, sizeof why);
        if (rc == BLUETTI_E_INVAL)
            bt_fmt(detail, detail_len, "option %s of transport '%s': %s", d->name, transport,
                   why);
        if (rc == 0) rc = put(o, d, value);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const bluetti_option_decl *d = &table[i];
        if (bluetti_options_count(o, d->name)) continue;
        if (d->default_value) {
            rc = put(o, d, d->default_value);
        } else if (d->required) {
            bt_fmt(detail, detail_len, "transport '%s' needs the option %s (%s); give it",
                   transport, d->name, d->help ? d->help : "no description");
            rc = BLUETTI_E_INVAL;
        }
    }
    if (rc) {
        bluetti_options_free(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* A table that cannot be checked against is refused when registered. */
int bt_option_table_check(const bluetti_option_decl *t, size_t n, char *why, size_t len)
{
    if (n && !t) {
        bt_fmt(why, len, "n_options is %zu but options is NULL", n);
        return BLUETTI_E_SCHEMA;
    }
    for (size_t i = 0; i < n; i++) {
        const bluetti_option_decl *d = &t[i];
        if (!d->name || !*d->name || strspn(d->name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
                                         strlen(d->name)) {
            bt_fmt(why, len, "option %zu has no name or one with characters other than a-z, "
                   "0-9 and '_'", i);
            return BLUETTI_E_SCHEMA;
        }
        if (d->type < BLUETTI_OPT_STRING || d->type > BLUETTI_OPT_SECRET) {
            bt_fmt(why, len, "option %s has an unknown type %d", d->name, d->type);
            return BLUETTI_E_SCHEMA;
        }
        if (d->min > d->max || !isfinite(d->min) || !isfinite(d->max)) {
            bt_fmt(why, len, "option %s has min above max, or a bound that is not finite",
                   d->name);
            return BLUETTI_E_SCHEMA;
        }
        for (size_t j = 0; j < i; j++) {
            bool clash = name_is(&t[j], d->name);
            for (const char *const *a = d->aliases; a && *a; a++) clash |= name_is(&t[j], *a);
            if (clash) {
                bt_fmt(why, len, "option %s is declared twice (by name or alias)", d->name);
                return BLUETTI_E_SCHEMA;
            }
        }
        /* a default must pass the option's own check (files are looked at
         * when used, not when the plugin loads) */
        char w[256];
        if (d->default_value && d->type != BLUETTI_OPT_FILE &&
            bluetti_option_check(d, d->default_value, w, sizeof w) != 0) {
            bt_fmt(why, len, "option %s: default %s", d->name, w);
            return BLUETTI_E_SCHEMA;
        }
    }
    return 0;
}
