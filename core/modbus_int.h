/* The framing verdict on a reply frame with what its header announces,
 * for the session's reply matching (core/reply_match.c). Not installed. */
#ifndef BLUETTI_MODBUS_INT_H
#define BLUETTI_MODBUS_INT_H

#include <bluetti/modbus.h>

struct bt_reply_verdict {
    int rc;                    /* what bluetti_modbus_parse_reply returns */
    bluetti_modbus_reply rep;  /* ... and fills */
    bool exception;            /* the header says: an exception reply */
    unsigned byte_count;       /* the byte count the header announces (0: none) */
};

/* bluetti_modbus_parse_reply(f, len, address, count) plus the header's
 * shape, which is filled even when count is not a valid register count
 * (rc is then BLUETTI_E_INVAL). */
void bt_modbus_judge_reply(const uint8_t *f, size_t len, uint8_t address, uint16_t count,
                           struct bt_reply_verdict *v);

#endif
