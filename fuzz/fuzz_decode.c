/* libFuzzer target: table-driven decoding over every registered schema.
 * Input: bytes 0-1 = block id (big-endian; an id that is not registered
 * selects schema id % count), bytes 2-3 = protocol version, rest = payload. */
#include "config.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    bluetti_registry *reg = fz_registry();
    uint16_t id = (uint16_t)(data[0] << 8 | data[1]);
    uint16_t pv = (uint16_t)(data[2] << 8 | data[3]);
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, id);
    if (!s) s = bluetti_registry_block_at(reg, id % bluetti_registry_block_count(reg));
    fz_decode(s, data + 4, size - 4, pv);
    return 0;
}
