/* The scheduler: which device does something next, without looking at
 * every device on every pass of the loop. Devices waiting for their next
 * round sit in a due-time queue (the helper library's); devices whose
 * round goes on (a reply came, the next block is to be asked for) are on a
 * ready list. A reload rebuilds both from the devices. */
#include "config.h"

#include "runtime.h"

#include "bt_clock.h"

#include <math.h>
#include <stdlib.h>

typedef struct due_item {
    br_dev *d;
} due_item;

void br_sched_due(bridge *b, br_dev *d)
{
    if (!isfinite(d->due)) return;
    due_item *it = bt_dueq_push(&b->dueq, d->due);
    if (it) it->d = d;
    else br_log(BR_ERROR, "out of memory scheduling %s", d->serial);
}

void br_sched_ready(bridge *b, br_dev *d)
{
    if (d->ready) return;
    if (b->n_ready == b->cap_ready) {
        size_t nc = b->cap_ready ? b->cap_ready * 2 : 64;
        br_dev **nr = realloc(b->ready, nc * sizeof(br_dev *));
        if (!nr) {
            br_log(BR_ERROR, "out of memory scheduling %s", d->serial);
            return;
        }
        b->ready = nr;
        b->cap_ready = nc;
    }
    d->ready = true;
    b->ready[b->n_ready++] = d;
}

void br_sched_rebuild(bridge *b)
{
    if (!b->dueq.size) bt_dueq_init(&b->dueq, sizeof(due_item));
    bt_dueq_clear(&b->dueq);
    b->n_ready = 0;
    for (size_t i = 0; i < b->n_devs; i++) {
        br_dev *d = b->devs[i];
        d->ready = false;
        if (d->round) {
            if (!d->in_flight) br_sched_ready(b, d);
        } else {
            br_sched_due(b, d);
        }
    }
}

void br_sched_run(bridge *b, double now)
{
    due_item it;
    while (bt_dueq_pop_due(&b->dueq, now, &it)) br_dev_start(b, it.d, now);
    /* submissions may finish rounds and schedule again; take the list as it is */
    while (b->n_ready) {
        br_dev *d = b->ready[--b->n_ready];
        d->ready = false;
        br_dev_continue(b, d, now);
    }
}

int br_sched_timeout_ms(const bridge *b, double now)
{
    if (b->n_ready) return 0;
    double due;
    return bt_dueq_next(&b->dueq, &due) ? bt_ms_until(due, now, 3600000) : -1;
}

void br_sched_free(bridge *b)
{
    bt_dueq_free(&b->dueq);
    free(b->ready);
    b->ready = NULL;
    b->n_ready = b->cap_ready = 0;
}
