/* Value checks shared by the catalog A block suites (test_blocks_a*.c).
 * Every check reports the caller's file and line and the field name on
 * failure. */
#ifndef BLUETTI_BLOCKS_A_CHECK_H
#define BLUETTI_BLOCKS_A_CHECK_H

#include "testutil.h"

#include <stdint.h>

/* The registry every suite of a program shares (created in suite init). */
extern bluetti_registry *ba_reg;
int ba_suite_init(void);
int ba_suite_clean(void);

/* Decode the first `n` bytes of hex (n = SIZE_MAX: all of it) for block
 * `id` at protocol version pv. *rc gets bluetti_decode's return. The
 * result is the caller's (bluetti_result_free). */
bluetti_result *ba_decode_n(uint16_t id, const char *hex, size_t n, uint16_t pv, int *rc,
                            const char *file, int line);
#define BA_DECODE(id, hex, pv, rc) \
    ba_decode_n((id), (hex), SIZE_MAX, (pv), (rc), __FILE__, __LINE__)
#define BA_DECODE_N(id, hex, n, pv, rc) \
    ba_decode_n((id), (hex), (n), (pv), (rc), __FILE__, __LINE__)

void ba_int(const bluetti_result *r, const char *name, int64_t want, const char *file, int line);
void ba_uint(const bluetti_result *r, const char *name, uint64_t want, const char *file, int line);
void ba_float(const bluetti_result *r, const char *name, double want, const char *file, int line);
void ba_text(const bluetti_result *r, const char *name, const char *want,
             const char *file, int line);
void ba_absent(const bluetti_result *r, const char *name, int reason, const char *file, int line);
void ba_int_items(const bluetti_result *r, const char *name, size_t n, const int64_t *want,
                  const char *file, int line);
void ba_float_items(const bluetti_result *r, const char *name, size_t n, const double *want,
                    const char *file, int line);
/* The enum name the schema gives the field's decoded integer value. */
void ba_enum(const bluetti_result *r, const char *name, const char *want,
             const char *file, int line);

#define BA_INT(r, n, w) ba_int((r), (n), (w), __FILE__, __LINE__)
#define BA_UINT(r, n, w) ba_uint((r), (n), (w), __FILE__, __LINE__)
#define BA_FLOAT(r, n, w) ba_float((r), (n), (w), __FILE__, __LINE__)
#define BA_TEXT(r, n, w) ba_text((r), (n), (w), __FILE__, __LINE__)
#define BA_ABSENT(r, n, why) ba_absent((r), (n), (why), __FILE__, __LINE__)
#define BA_INTS(r, n, ...) do { const int64_t w_[] = { __VA_ARGS__ };                  \
        ba_int_items((r), (n), sizeof w_ / sizeof w_[0], w_, __FILE__, __LINE__); } while (0)
#define BA_FLOATS(r, n, ...) do { const double w_[] = { __VA_ARGS__ };                 \
        ba_float_items((r), (n), sizeof w_ / sizeof w_[0], w_, __FILE__, __LINE__); } while (0)
#define BA_ENUM(r, n, w) ba_enum((r), (n), (w), __FILE__, __LINE__)

#endif
