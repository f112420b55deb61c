/* Small helpers: messages, untrusted text, number parsing, block references,
 * tables. */
#include "config.h"

#include "tool.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

volatile sig_atomic_t tool_stop_at_once;

/* ---- untrusted text ----------------------------------------------------------- */

/* ---- messages -------------------------------------------------------------------- */

/* Format and print one message line; control characters that reached the
 * text in spite of bt_shown() are escaped too. */
static void message(const char *prefix, const char *fmt, va_list ap) BLUETTI_PRINTF(2, 0);
static void message(const char *prefix, const char *fmt, va_list ap)
{
    char small[1024];
    char *text = small;
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    if (len >= (int)sizeof small) {
        char *big = malloc((size_t)len + 1);
        if (big) {
            vsnprintf(big, (size_t)len + 1, fmt, ap2);
            text = big;
        }
    }
    va_end(ap2);
    fflush(stdout);
    fputs(prefix, stderr);
    if (len >= 0) bt_fput_safe(text, stderr);
    if (text != small) free(text);
    else if (len >= (int)sizeof small) fputs("...", stderr);
    fputc('\n', stderr);
}

int tool_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message(TOOL_NAME ": ", fmt, ap);
    va_end(ap);
    return code;
}

void tool_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message(TOOL_NAME ": warning: ", fmt, ap);
    va_end(ap);
}

int exit_code_for(int err)
{
    switch (err) {
    case BLUETTI_E_INVAL:
    case BLUETTI_E_NOTFOUND:
    case BLUETTI_E_EXISTS:
    case BLUETTI_E_UNSUPPORTED:
    case BLUETTI_E_IO:
    case BLUETTI_E_NO_SCHEMA:
    case BLUETTI_E_HEX:
    case BLUETTI_E_CERT_READ:
    case BLUETTI_E_CERT_FORMAT:
    case BLUETTI_E_CERT_PASSWORD:
    case BLUETTI_E_CERT_NO_KEY:
    case BLUETTI_E_CERT_EXPIRED:
    case BLUETTI_E_CERT_NOT_YET_VALID:
        return EXIT_USAGE;
    case BLUETTI_E_ACCOUNT_PASSWORD:
    case BLUETTI_E_ACCOUNT_UNKNOWN:
    case BLUETTI_E_TOKEN_EXPIRED:
    case BLUETTI_E_CERT_REVOKED:
        return EXIT_AUTH;
    case BLUETTI_E_NOT_LOGGED_IN:
    case BLUETTI_E_NO_SUCH_STATION:
        return EXIT_NO_LOGIN;
    case BLUETTI_E_SESSION_TAKEN:
    case BLUETTI_E_BROKER_REFUSED:
        return EXIT_REFUSED;
    default:
        return err == 0 ? EXIT_OK : EXIT_FAIL;
    }
}

void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}

/* ---- numbers ------------------------------------------------------------------- */

const char *no_plugins_hint(const tool *t)
{
    if (bluetti_registry_block_count(t->reg) == 0 && bluetti_registry_profile_count(t->reg) == 0)
        return " (no plugins are loaded: give --plugin-dir DIR or set BLUETTI_PLUGIN_PATH)";
    return "";
}

int parse_block_ref(const bluetti_registry *reg, const char *text, uint16_t *id)
{
    long x = 0;
    bt_num_status st = bt_parse_whole(text, true, &x);
    if (st == BT_NUM_RANGE || (st == BT_NUM_OK && (x < 0 || x > 65535 || text[0] == '-')))
        return tool_error(EXIT_USAGE, "block '%s' is out of range; block ids are 0..65535 "
                          "(decimal, or hex like 0x64)", bt_shown(text));
    if (st == BT_NUM_OK) {
        *id = (uint16_t)x;
        return EXIT_OK;
    }
    size_t n = bluetti_registry_block_count(reg);
    for (size_t i = 0; i < n; i++) {
        const bluetti_block_schema *s = bluetti_registry_block_at(reg, i);
        if (s->name && strcasecmp(s->name, text) == 0) {
            *id = s->id;
            return EXIT_OK;
        }
    }
    return tool_error(EXIT_USAGE, "unknown block '%s'; give a block id or name ('" TOOL_NAME
                      " blocks' lists them)", bt_shown(text));
}

int parse_block_list(const bluetti_registry *reg, const char *text, uint16_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    char *copy = strdup(text);
    size_t cap = strlen(text) / 2 + 1;
    uint16_t *v = malloc(cap * sizeof *v);
    if (!copy || !v) {
        free(copy);
        free(v);
        return tool_error(EXIT_FAIL, "out of memory");
    }
    char *save = NULL;
    int rc = EXIT_OK;
    for (char *tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        uint16_t id = 0; /* set whenever rc == EXIT_OK; the analyzer cannot see that */
        rc = parse_block_ref(reg, tok, &id);
        if (rc) break;
        if (*n < cap) v[(*n)++] = id;
    }
    free(copy);
    if (rc == EXIT_OK && *n == 0)
        rc = tool_error(EXIT_USAGE, "--blocks '%s' names no block; give ids like 100,1300",
                        bt_shown(text));
    if (rc) {
        free(v);
        *n = 0;
        return rc;
    }
    *ids = v;
    return EXIT_OK;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) return NULL;
    char *s = malloc((size_t)len + 1);
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *hex_string(const uint8_t *data, size_t len, char sep)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(len * 3 + 1);
    if (!s) return NULL;
    char *w = s;
    for (size_t i = 0; i < len; i++) {
        if (i && sep) *w++ = sep;
        *w++ = digits[data[i] >> 4];
        *w++ = digits[data[i] & 15];
    }
    *w = '\0';
    return s;
}

int output_error(void)
{
    static bool reported;
    int e = fflush(stdout) != 0 ? errno : 0;
    if (!ferror(stdout)) return EXIT_OK;
    if (!reported)
        tool_error(EXIT_FAIL, "cannot write the output%s%s; check the disk space and "
                   "where the output goes", e ? ": " : "", e ? strerror(e) : "");
    reported = true;
    return EXIT_FAIL;
}

int json_print(json_t *doc)
{
    if (!doc) return tool_error(EXIT_FAIL, "out of memory while building the JSON output");
    char *s = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12) | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (!s) return tool_error(EXIT_FAIL, "out of memory while writing the JSON output");
    puts(s);
    free(s);
    return output_error();
}

void format_double(double v, char *buf, size_t cap)
{
    if (isinf(v)) {
        snprintf(buf, cap, "%s", v > 0 ? "inf" : "-inf");
        return;
    }
    snprintf(buf, cap, "%.10g", v);
}

/* ---- tables ---------------------------------------------------------------- */

struct table {
    size_t ncols, nrows, cap;
    char **cells;   /* nrows * ncols */
};

table *table_new(size_t ncols)
{
    table *tb = calloc(1, sizeof *tb);
    if (tb) tb->ncols = ncols;
    return tb;
}

void table_add(table *tb, const char *const *cells)
{
    if (!tb) return;
    if (tb->nrows == tb->cap) {
        size_t nc = tb->cap ? tb->cap * 2 : 16;
        char **nv = realloc(tb->cells, nc * tb->ncols * sizeof *nv);
        if (!nv) return;
        tb->cells = nv;
        tb->cap = nc;
    }
    for (size_t c = 0; c < tb->ncols; c++)
        tb->cells[tb->nrows * tb->ncols + c] = strdup(cells[c] ? cells[c] : "");
    tb->nrows++;
}

/* Display width: UTF-8 continuation bytes take no column ("°C"). */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

void table_print(const table *tb, FILE *out, const char *indent)
{
    if (!tb || !tb->nrows) return;
    size_t *wd = calloc(tb->ncols, sizeof *wd);
    if (!wd) return;
    for (size_t r = 0; r < tb->nrows; r++)
        for (size_t c = 0; c < tb->ncols; c++) {
            size_t w = width(tb->cells[r * tb->ncols + c]);
            if (w > wd[c]) wd[c] = w;
        }
    /* columns empty in every row are left out */
    for (size_t r = 0; r < tb->nrows; r++) {
        fputs(indent ? indent : "", out);
        size_t last = tb->ncols;
        while (last > 0) {
            const char *s = tb->cells[r * tb->ncols + last - 1];
            if (s && *s) break;
            last--;
        }
        bool first = true;
        for (size_t c = 0; c < last; c++) {
            if (!wd[c]) continue;
            const char *s = tb->cells[r * tb->ncols + c];
            if (!first) fputs("  ", out);
            first = false;
            fputs(s ? s : "", out);
            if (c + 1 < last)
                for (size_t k = width(s); k < wd[c]; k++) fputc(' ', out);
        }
        fputc('\n', out);
    }
    free(wd);
}

void table_free(table *tb)
{
    if (!tb) return;
    for (size_t i = 0; i < tb->nrows * tb->ncols; i++) free(tb->cells[i]);
    free(tb->cells);
    free(tb);
}
