/* libFuzzer target: the variable-length blocks (6100 PACK_ITEM_INFO and
 * 6300 PACK_SUB_PACK_INFO, arrays whose counts come from the payload).
 * Input: byte 0 bit 0 selects the block, byte 1 the protocol version
 * (0..255, covering every version gate), rest = payload. */
#include "config.h"

#include "fuzz_common.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    bluetti_registry *reg = fz_registry();
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, (data[0] & 1) ? 6300 : 6100);
    if (!s) abort();
    fz_decode(s, data + 2, size - 2, data[1]);
    return 0;
}
