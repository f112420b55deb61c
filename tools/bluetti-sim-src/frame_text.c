/* Naming Modbus requests for the simulator's logs: see frame_text.h. */
#include "config.h"

#include "frame_text.h"

#include <bluetti/modbus.h>

#include <stdio.h>

void sim_frame_text(const uint8_t *f, size_t len, char *buf, size_t cap)
{
    if (len >= 6 && f[1] == 0x03)
        snprintf(buf, cap, "read of %u register(s) at %u", (unsigned)(f[4] << 8 | f[5]),
                 (unsigned)(f[2] << 8 | f[3]));
    else if (len >= 6 && f[1] == BLUETTI_MODBUS_WRITE_ONE)
        snprintf(buf, cap, "write of register %u = %u", (unsigned)(f[2] << 8 | f[3]),
                 (unsigned)(f[4] << 8 | f[5]));
    else if (len >= 6 && f[1] == BLUETTI_MODBUS_WRITE_MANY)
        snprintf(buf, cap, "write of %u register(s) at %u", (unsigned)(f[4] << 8 | f[5]),
                 (unsigned)(f[2] << 8 | f[3]));
    else
        snprintf(buf, cap, "%zu-byte frame (function 0x%02x)", len, len >= 2 ? f[1] : 0);
}

bool sim_frame_is_write(const uint8_t *f, size_t len)
{
    return len >= 2 && (f[1] == BLUETTI_MODBUS_WRITE_ONE || f[1] == BLUETTI_MODBUS_WRITE_MANY);
}
