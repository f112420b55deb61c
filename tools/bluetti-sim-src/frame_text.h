/* One line naming a Modbus request, for the simulator's logs (the MQTT
 * device mode and the Bluetooth station alike). */
#ifndef BLUETTI_SIM_FRAME_TEXT_H
#define BLUETTI_SIM_FRAME_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "read of N register(s) at R", "write of register R = V", "write of N
 * register(s) at R", or "<len>-byte frame (function 0xNN)" into buf (cap
 * bytes, always terminated). */
void sim_frame_text(const uint8_t *f, size_t len, char *buf, size_t cap);

/* A write request (function 0x06 or 0x10): it changes the device. */
bool sim_frame_is_write(const uint8_t *f, size_t len);

#endif
