/* Strict numbers (core/util/numbers.c): what a person writes in an option,
 * a config file or a fault spec, never what strtol/strtod also take
 * (spaces, '+', exponents, hex unless asked for, inf, nan). */
#ifndef BT_UTIL_NUMBERS_H
#define BT_UTIL_NUMBERS_H

#include <stdbool.h>
#include <stdint.h>

/* BT_NUM_RANGE: well written, but the value does not fit. */
typedef enum bt_num_status { BT_NUM_OK, BT_NUM_SYNTAX, BT_NUM_RANGE } bt_num_status;

/* Decimal digits with at most a leading '-'; with hex_ok also 0x / 0X
 * followed by hex digits (no sign). *out is set only on BT_NUM_OK. */
bt_num_status bt_parse_whole(const char *s, bool hex_ok, long *out);
/* Decimal digits only (no sign), fitting 64 bits. */
bt_num_status bt_parse_u64(const char *s, uint64_t *out);
/* A '-' at most, digits, and optionally '.' and digits: 5, -2, 0.5 (not
 * .5, 5., 1e3 or 0x10); finite. *out is set only on BT_NUM_OK. */
bt_num_status bt_parse_decimal(const char *s, double *out);

#endif
