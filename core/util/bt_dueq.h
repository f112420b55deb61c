/* A due-time queue (core/util/dueq.c): items of one fixed size, each with
 * the time it falls due; taken earliest first, items due at the same time
 * in the order they were pushed. Both simulators keep their delayed
 * replies in one, bluetti-bridge every device waiting for its next round.
 * Times are whatever clock the caller uses (bt_now()). */
#ifndef BT_UTIL_DUEQ_H
#define BT_UTIL_DUEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One entry of the binary min-heap: when, the push order (ties), and the
 * item's index in the item array. */
typedef struct bt_dueq_entry {
    double due;
    uint64_t seq;
    size_t slot;
} bt_dueq_entry;

/* Set up with bt_dueq_init; the items are bytes the caller owns the
 * contents of (free what they point to before removing them). Items stay
 * in a plain array (index 0..n-1, what bt_dueq_item takes); a heap of
 * entries orders them, so a push or a pop costs O(log n) whether a
 * simulator holds a handful of replies or the bridge a thousand devices. */
typedef struct bt_dueq {
    bt_dueq_entry *at;          /* the heap, earliest first */
    size_t *pos;                /* per item: its entry's place in the heap */
    unsigned char *items;
    size_t size;                /* bytes of one item */
    size_t n, cap;
    uint64_t seq;
} bt_dueq;

void bt_dueq_init(bt_dueq *q, size_t item_size);
/* Free the queue's memory (not what items point to); q can be reused. */
void bt_dueq_free(bt_dueq *q);
/* A new item due at `due`: its (uninitialised) bytes, to fill in; NULL
 * when out of memory (the queue is then as it was). */
void *bt_dueq_push(bt_dueq *q, double due);
/* Item i (0 <= i < q->n, in no particular order), to look at or clean up
 * before bt_dueq_remove. */
void *bt_dueq_item(const bt_dueq *q, size_t i);
/* Take item i off the queue (the last item moves into its place). */
void bt_dueq_remove(bt_dueq *q, size_t i);
/* Empty the queue, keeping its memory. */
void bt_dueq_clear(bt_dueq *q);
/* The earliest due time: false when the queue is empty. */
bool bt_dueq_next(const bt_dueq *q, double *due);
/* Move the earliest item due by `now` into out (q->size bytes): false
 * when none is due. */
bool bt_dueq_pop_due(bt_dueq *q, double now, void *out);

#endif
