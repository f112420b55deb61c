/* Hex text <-> bytes, for frames typed or pasted by people and for output. */
#include "config.h"

#include "internal.h"

static int nibble(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool is_separator(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ':' ||
           c == ';' || c == '-';
}

/* Digits pair up inside each token (a run of hex digits, optionally after
 * "0x"), so "0 1" or "0x1" is refused rather than silently re-paired. */
long bluetti_hex_parse(const char *text, size_t text_len, uint8_t *out, size_t cap,
                       size_t *bad_pos)
{
    if (!text && text_len) return BLUETTI_E_INVAL;
    if (!out) cap = 0;
    size_t n = 0, i = 0;
    while (i < text_len) {
        unsigned char c = (unsigned char)text[i];
        if (is_separator(c)) {
            i++;
            continue;
        }
        /* start of a token */
        if (c == '0' && i + 1 < text_len && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
            i += 2;
            if (i >= text_len || nibble((unsigned char)text[i]) < 0) {
                if (bad_pos) *bad_pos = i;
                return BLUETTI_E_HEX;
            }
        }
        while (i < text_len && !is_separator((unsigned char)text[i])) {
            int hi = nibble((unsigned char)text[i]);
            if (hi < 0) {
                if (bad_pos) *bad_pos = i;
                return BLUETTI_E_HEX;
            }
            if (i + 1 >= text_len || is_separator((unsigned char)text[i + 1])) {
                if (bad_pos) *bad_pos = i;  /* the unpaired digit */
                return BLUETTI_E_HEX;
            }
            int lo = nibble((unsigned char)text[i + 1]);
            if (lo < 0) {
                if (bad_pos) *bad_pos = i + 1;
                return BLUETTI_E_HEX;
            }
            if (n >= cap) {
                if (bad_pos) *bad_pos = i;
                return BLUETTI_E_INVAL;
            }
            out[n++] = (uint8_t)(hi << 4 | lo);
            i += 2;
        }
    }
    return (long)n;
}

size_t bluetti_hex_format(const uint8_t *data, size_t len, char sep, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    if (!data) len = 0;
    size_t need = len * 2 + (sep && len ? len - 1 : 0);
    if (!out || cap == 0) return need;
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < cap; i++) {
        if (sep && i) {
            out[o++] = sep;
            if (o + 1 >= cap) break;
        }
        out[o++] = digits[data[i] >> 4];
        if (o + 1 >= cap) break;
        out[o++] = digits[data[i] & 15];
    }
    out[o] = '\0';
    return need;
}
