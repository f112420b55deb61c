/* Strict number parsing: the one implementation behind the tools' options,
 * bluetti_options_get_long/_double and the simulators' fault specs. */
#include "config.h"

#include "bt_numbers.h"

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

bt_num_status bt_parse_whole(const char *s, bool hex_ok, long *out)
{
    if (!s) return BT_NUM_SYNTAX;
    const char *digits = s;
    int base = 10;
    if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        digits = s + 2;
        base = 16;
        for (const char *p = digits; *p; p++)
            if (!is_hex_digit(*p)) return BT_NUM_SYNTAX;
    } else {
        const char *p = s[0] == '-' ? s + 1 : s;
        for (const char *q = p; *q; q++)
            if (!is_digit(*q)) return BT_NUM_SYNTAX;
        if (!*p) return BT_NUM_SYNTAX;
    }
    if (!*digits) return BT_NUM_SYNTAX;
    char *end = NULL;
    errno = 0;
    long x = strtol(digits, &end, base);
    if (errno == ERANGE) return BT_NUM_RANGE;
    if (errno || *end) return BT_NUM_SYNTAX;
    *out = x;
    return BT_NUM_OK;
}

bt_num_status bt_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s) return BT_NUM_SYNTAX;
    uint64_t v = 0;
    bool over = false;
    for (; *s; s++) {
        if (!is_digit(*s)) return BT_NUM_SYNTAX;
        unsigned dgt = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - dgt) / 10) over = true;
        else v = v * 10 + dgt;
    }
    if (over) return BT_NUM_RANGE;
    *out = v;
    return BT_NUM_OK;
}

bt_num_status bt_parse_decimal(const char *s, double *out)
{
    if (!s) return BT_NUM_SYNTAX;
    const char *p = s[0] == '-' ? s + 1 : s;
    if (!is_digit(*p)) return BT_NUM_SYNTAX;
    bool dot = false;
    for (; *p; p++) {
        if (is_digit(*p)) continue;
        if (*p == '.' && !dot && is_digit(p[1])) {
            dot = true;
            continue;
        }
        return BT_NUM_SYNTAX;
    }
    char *end = NULL;
    errno = 0;
    double x = strtod(s, &end);
    if (*end) return BT_NUM_SYNTAX; /* a locale with another decimal point */
    if (errno == ERANGE || !isfinite(x)) return BT_NUM_RANGE;
    *out = x;
    return BT_NUM_OK;
}
