/* Small helpers: messages, number parsing, block references, tables. */
#include "config.h"

#include "tool.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int tool_error(int code, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs(TOOL_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

void tool_warn(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs(TOOL_NAME ": warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
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
    default:
        return err == 0 ? EXIT_OK : EXIT_FAIL;
    }
}

void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}

bool parse_long(const char *s, long *out)
{
    if (!s || !*s) return false;
    char *end = NULL;
    errno = 0;
    const char *p = s;
    while (*p == ' ' || *p == '\t') p++;
    bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    long x = strtol(s, &end, hex ? 16 : 10);
    if (errno || end == s) return false;
    while (*end == ' ' || *end == '\t') end++;
    if (*end) return false;
    *out = x;
    return true;
}

bool parse_double(const char *s, double *out)
{
    if (!s || !*s) return false;
    char *end = NULL;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || !isfinite(x)) return false;
    while (*end == ' ' || *end == '\t') end++;
    if (*end) return false;
    *out = x;
    return true;
}

const char *no_plugins_hint(const tool *t)
{
    if (bluetti_registry_block_count(t->reg) == 0 && bluetti_registry_profile_count(t->reg) == 0)
        return " (no plugins are loaded: give --plugin-dir DIR or set BLUETTI_PLUGIN_PATH)";
    return "";
}

int parse_block_ref(const bluetti_registry *reg, const char *text, uint16_t *id)
{
    long x;
    if (parse_long(text, &x)) {
        if (x < 0 || x > 65535)
            return tool_error(EXIT_USAGE, "block '%s' is out of range; block ids are 0..65535",
                              text);
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
                      " blocks' lists them)", text);
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
                        text);
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

int json_print(json_t *doc)
{
    if (!doc) return tool_error(EXIT_FAIL, "out of memory while building the JSON output");
    char *s = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12) | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (!s) return tool_error(EXIT_FAIL, "out of memory while writing the JSON output");
    puts(s);
    free(s);
    fflush(stdout);
    return EXIT_OK;
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
