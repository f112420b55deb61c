/* libFuzzer target: table-driven decoding over every registered schema,
 * and over every model's patched copy of it (profile overrides).
 * Input: bytes 0-1 = block id (big-endian; an id that is not registered
 * selects schema id % count), bytes 2-3 = protocol version, rest = payload. */
#include "config.h"

#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One result per (profile, block) with overrides, built once as a device would. */
#define FZ_MAX_PATCHED 64
static struct { const bluetti_profile *p; uint16_t id; bluetti_result *r; } patched[FZ_MAX_PATCHED];
static size_t n_patched;

static void free_patched(void)
{
    for (size_t i = 0; i < n_patched; i++) bluetti_result_free(patched[i].r);
    n_patched = 0;
}

static bluetti_result *patched_result(const bluetti_profile *p, const bluetti_block_schema *s)
{
    for (size_t i = 0; i < n_patched; i++)
        if (patched[i].p == p && patched[i].id == s->id) return patched[i].r;
    if (n_patched == FZ_MAX_PATCHED) return NULL;
    bluetti_result *r = NULL;
    if (bluetti_result_new_for_profile(s, p, &r, NULL, 0) != 0) abort(); /* the tests check them */
    if (n_patched == 0) atexit(free_patched);
    patched[n_patched].p = p;
    patched[n_patched].id = s->id;
    patched[n_patched++].r = r;
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    bluetti_registry *reg = fz_registry();
    uint16_t id = (uint16_t)(data[0] << 8 | data[1]);
    uint16_t pv = (uint16_t)(data[2] << 8 | data[3]);
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, id);
    if (!s) s = bluetti_registry_block_at(reg, id % bluetti_registry_block_count(reg));
    fz_decode(s, data + 4, size - 4, pv);
    for (size_t i = 0; i < bluetti_registry_profile_count(reg); i++) {
        const bluetti_profile *p = bluetti_registry_profile_at(reg, i);
        if (bluetti_profile_override_count(p, s->id) == 0) continue;
        bluetti_result *r = patched_result(p, s);
        if (!r) continue;
        size_t len = size - 4;
        uint8_t *copy = malloc(len ? len : 1);   /* exact size: over-reads are caught */
        if (!copy) abort();
        if (len) memcpy(copy, data + 4, len);
        if (bluetti_decode(r, copy, len, pv) == 0) fz_walk_result(r);
        free(copy);
    }
    return 0;
}
