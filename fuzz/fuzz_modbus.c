/* libFuzzer target: Modbus read-reply parsing (bluetti_modbus_parse_read).
 * Input: byte 0 = expected address, byte 1 = register count (any value,
 * including the invalid 0 and >125), the rest = the frame. */
#include "config.h"

#include <bluetti/bluetti.h>

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    uint8_t address = data[0];
    uint16_t count = data[1];
    const uint8_t *frame = data + 2;
    size_t len = size - 2;
    /* copy so ASan sees the exact frame bounds */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) return 0;
    for (size_t i = 0; i < len; i++) copy[i] = frame[i];

    const uint8_t *payload = NULL;
    size_t payload_len = 0;
    uint8_t exc = 0;
    int rc = bluetti_modbus_parse_read(copy, len, address, count, &payload, &payload_len, &exc);
    if (rc == 0) {
        /* the payload must lie inside the frame and match the request */
        if (!payload || payload < copy || payload + payload_len > copy + len ||
            payload_len != (size_t)count * 2)
            abort();
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < payload_len; i++) sink ^= payload[i];
        (void)sink;
    } else if (payload || payload_len) {
        abort();
    }
    /* also with NULL out-pointers */
    (void)bluetti_modbus_parse_read(copy, len, address, count, NULL, NULL, NULL);
    free(copy);
    return 0;
}
