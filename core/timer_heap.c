/* The session's deadline heap: devices waiting for a reply or a retry,
 * earliest deadline on top, so process() never walks idle devices. */
#include "config.h"

#include "session_int.h"

static void place(struct bt_timer_heap *h, size_t i, bluetti_device *d)
{
    h->items[i] = d;
    d->timer = i + 1;
}

static void sift_up(struct bt_timer_heap *h, size_t i)
{
    bluetti_device *d = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!(d->p.deadline < h->items[parent]->p.deadline)) break;
        place(h, i, h->items[parent]);
        i = parent;
    }
    place(h, i, d);
}

static void sift_down(struct bt_timer_heap *h, size_t i)
{
    bluetti_device *d = h->items[i];
    size_t n = h->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && h->items[c + 1]->p.deadline < h->items[c]->p.deadline) c++;
        if (!(h->items[c]->p.deadline < d->p.deadline)) break;
        place(h, i, h->items[c]);
        i = c;
    }
    place(h, i, d);
}

void bt_timer_heap_set(struct bt_timer_heap *h, bluetti_device *d)
{
    if (!d->timer) {
        h->items[h->n++] = d; /* room for every device, see bluetti_session_add_device */
        sift_up(h, h->n - 1);
        return;
    }
    sift_up(h, d->timer - 1);
    sift_down(h, d->timer - 1);
}

void bt_timer_heap_remove(struct bt_timer_heap *h, bluetti_device *d)
{
    if (!d->timer) return;
    size_t i = d->timer - 1;
    d->timer = 0;
    bluetti_device *last = h->items[--h->n];
    if (i == h->n) return;
    h->items[i] = last;
    last->timer = i + 1;
    sift_up(h, i);
    sift_down(h, last->timer - 1);
}
