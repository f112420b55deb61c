/* Strict number parsing, shared by bluetti-tool and bluetti-sim. */
#include "config.h"

#include "numbers.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex_digit(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

num_status parse_whole(const char *s, bool hex_ok, long *out)
{
    if (!s) return NUM_SYNTAX;
    const char *digits = s;
    int base = 10;
    if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        digits = s + 2;
        base = 16;
        for (const char *p = digits; *p; p++)
            if (!is_hex_digit(*p)) return NUM_SYNTAX;
    } else {
        const char *p = s[0] == '-' ? s + 1 : s;
        for (const char *q = p; *q; q++)
            if (!is_digit(*q)) return NUM_SYNTAX;
        if (!*p) return NUM_SYNTAX;
    }
    if (!*digits) return NUM_SYNTAX;
    char *end = NULL;
    errno = 0;
    long x = strtol(digits, &end, base);
    if (errno == ERANGE) return NUM_RANGE;
    if (errno || *end) return NUM_SYNTAX;
    *out = x;
    return NUM_OK;
}

num_status parse_decimal(const char *s, double *out)
{
    if (!s) return NUM_SYNTAX;
    const char *p = s[0] == '-' ? s + 1 : s;
    if (!is_digit(*p)) return NUM_SYNTAX;
    bool dot = false;
    for (; *p; p++) {
        if (is_digit(*p)) continue;
        if (*p == '.' && !dot && is_digit(p[1])) {
            dot = true;
            continue;
        }
        return NUM_SYNTAX;
    }
    char *end = NULL;
    errno = 0;
    double x = strtod(s, &end);
    if (*end) return NUM_SYNTAX; /* a locale with another decimal point */
    if (errno == ERANGE || !isfinite(x)) return NUM_RANGE;
    *out = x;
    return NUM_OK;
}
