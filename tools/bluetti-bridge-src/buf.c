/* A growable text buffer and the few JSON pieces the bridge writes: its
 * payloads are built straight into one buffer per message, without a
 * tree in between (a state message is written at every poll). */
#include "config.h"

#include "bridge.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void br_buf_reset(br_buf *b)
{
    b->len = 0;
    if (b->s) b->s[0] = '\0';
}

void br_buf_free(br_buf *b)
{
    free(b->s);
    *b = (br_buf){ 0 };
}

static bool grow(br_buf *b, size_t extra)
{
    if (b->oom) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t nc = b->cap ? b->cap : 256;
    while (nc < b->len + extra + 1) nc *= 2;
    char *ns = realloc(b->s, nc);
    if (!ns) {
        b->oom = true;
        return false;
    }
    b->s = ns;
    b->cap = nc;
    return true;
}

void br_buf_put(br_buf *b, const char *s, size_t n)
{
    if (!grow(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void br_buf_puts(br_buf *b, const char *s)
{
    br_buf_put(b, s, strlen(s));
}

void br_buf_printf(br_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        br_buf_put(b, tmp, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void br_buf_json_str(br_buf *b, const char *s)
{
    br_buf_put(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c != '"' && c != '\\' && c >= 0x20) continue;
        br_buf_put(b, run, (size_t)(s - run));
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            br_buf_put(b, e, 2);
        } else {
            br_buf_printf(b, "\\u%04x", c);
        }
        run = s + 1;
    }
    br_buf_put(b, run, (size_t)(s - run));
    br_buf_put(b, "\"", 1);
}

void br_buf_json_num(br_buf *b, double v)
{
    if (!isfinite(v)) {
        br_buf_puts(b, "null");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        br_buf_printf(b, "%.0f", v);
        return;
    }
    char tmp[40];
    for (int prec = 6; prec <= 17; prec++) { /* the shortest text that reads back the same */
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    br_buf_puts(b, tmp);
}

void br_iso_time(double wall, char *out, size_t cap)
{
    time_t t = (time_t)wall;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, cap, "%s", "1970-01-01T00:00:00Z");
}
