/* A binary min-heap of devices on their deadline (p.deadline); each
 * device remembers its place (d->timer, position + 1, 0 = not in the
 * heap), so moving or removing one is O(log n). Not installed. */
#ifndef BLUETTI_TIMER_HEAP_H
#define BLUETTI_TIMER_HEAP_H

#include <stddef.h>

typedef struct bluetti_device bluetti_device;

struct bt_timer_heap {
    bluetti_device **items;  /* capacity is the caller's: one slot per device */
    size_t n;
};

/* d's deadline was set: add d, or move it to its new place. */
void bt_timer_heap_set(struct bt_timer_heap *h, bluetti_device *d);
/* Take d out (nothing when it is not in the heap). */
void bt_timer_heap_remove(struct bt_timer_heap *h, bluetti_device *d);
/* The device with the earliest deadline, or NULL. */
static inline bluetti_device *bt_timer_heap_top(const struct bt_timer_heap *h)
{
    return h->n ? h->items[0] : NULL;
}

#endif
