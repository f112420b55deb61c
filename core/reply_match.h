/* Matching a reply frame to a device's outstanding request. Not installed. */
#ifndef BLUETTI_REPLY_MATCH_H
#define BLUETTI_REPLY_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bluetti_device bluetti_device;
struct bt_reply_verdict;

/* d's current request timed out at `now`: remember it, so that its late
 * reply is not taken for the next request's. */
void bt_reply_remember_stale(bluetti_device *d, double now);

/* True when frame f answers d's current request; *v then holds the
 * framing verdict (rc 0 with the payload, or the error that ends the
 * request). False: the frame was dropped (counted and logged). */
bool bt_reply_match(bluetti_device *d, const uint8_t *f, size_t len, double now,
                    struct bt_reply_verdict *v);

#endif
