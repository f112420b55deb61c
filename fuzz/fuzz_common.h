/* Shared helpers for the fuzz targets. */
#ifndef BLUETTI_FUZZ_COMMON_H
#define BLUETTI_FUZZ_COMMON_H

#include <bluetti/bluetti.h>

#include <stddef.h>
#include <stdint.h>

/* A registry holding every blocks-* plugin and the Elite V2 profiles,
 * linked statically into the fuzz binary (created once, kept for the run). */
bluetti_registry *fz_registry(void);

/* Read every value of r the way a consumer would (strings walked to their
 * NUL, arrays to their count, warnings read), so bad pointers trip ASan. */
void fz_walk_result(const bluetti_result *r);

/* Decode data[0..len) with schema s at protocol version pv into a result
 * kept per schema (so in-place reuse, as the session does, is exercised). */
void fz_decode(const bluetti_block_schema *s, const uint8_t *data, size_t len, uint16_t pv);

#endif
