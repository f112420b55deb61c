/* Strict numbers for the tools' options (tools/common/numbers.c). */
#ifndef BLUETTI_TOOLS_NUMBERS_H
#define BLUETTI_TOOLS_NUMBERS_H

#include <stdbool.h>

/* Decimal digits only, a '-' sign at most (callers refuse negatives where
 * they mean nothing), no spaces, '+', exponents, inf or nan. NUM_RANGE:
 * the value does not fit. */
typedef enum num_status { NUM_OK, NUM_SYNTAX, NUM_RANGE } num_status;
/* Whole number; with hex_ok also 0x hex (block ids). */
num_status parse_whole(const char *s, bool hex_ok, long *out);
/* Number with an optional fraction: 5, 0.5 (not .5, 5., 1e3 or 0x10). */
num_status parse_decimal(const char *s, double *out);

#endif
