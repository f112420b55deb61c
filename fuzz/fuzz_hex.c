/* libFuzzer target: hex text parsing (bluetti_hex_parse) and formatting.
 * Input: byte 0 selects the output capacity, the rest is the text. */
#include "config.h"

#include <bluetti/bluetti.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t cap = data[0];
    size_t len = size - 1;
    char *text = malloc(len ? len : 1);
    uint8_t *out = malloc(cap ? cap : 1);
    if (!text || !out) { free(text); free(out); return 0; }
    memcpy(text, data + 1, len);
    size_t bad = (size_t)-1;
    long n = bluetti_hex_parse(text, len, cap ? out : NULL, cap, &bad);
    if (n >= 0) {
        if ((size_t)n > cap) abort();
        size_t m = (size_t)n <= cap ? (size_t)n : 0;
        /* round trip: format then parse again must give the same bytes */
        size_t fcap = m * 3 + 1;
        char *fmt = malloc(fcap);
        uint8_t *back = malloc(m ? m : 1);
        if (fmt && back) {
            size_t fl = bluetti_hex_format(out, m, ' ', fmt, fcap);
            if (fl >= fcap) abort();
            long k = bluetti_hex_parse(fmt, fl, back, m, NULL);
            if (k != (long)m || memcmp(back, out, m) != 0) abort();
        }
        free(fmt);
        free(back);
    } else if (bad != (size_t)-1 && bad > len) {
        abort();
    }
    free(text);
    free(out);
    return 0;
}
