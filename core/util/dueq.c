/* Due-time queue. The simulators hold a handful of pending replies, so a
 * linear scan for the earliest beats keeping a heap in order. */
#include "config.h"

#include "bt_dueq.h"

#include <stdlib.h>
#include <string.h>

void bt_dueq_init(bt_dueq *q, size_t item_size)
{
    memset(q, 0, sizeof *q);
    q->size = item_size;
}

void bt_dueq_free(bt_dueq *q)
{
    free(q->at);
    free(q->items);
    bt_dueq_init(q, q->size);
}

static size_t earliest(const bt_dueq *q)
{
    size_t best = 0;
    for (size_t i = 1; i < q->n; i++)
        if (q->at[i].due < q->at[best].due ||
            (q->at[i].due == q->at[best].due && q->at[i].seq < q->at[best].seq))
            best = i;
    return best;
}

void *bt_dueq_push(bt_dueq *q, double due)
{
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap * 2 : 8;
        bt_dueq_entry *at = realloc(q->at, nc * sizeof *at);
        if (!at) return NULL;
        q->at = at;
        unsigned char *items = realloc(q->items, nc * q->size);
        if (!items) return NULL; /* q->at grew; q->cap says what both hold */
        q->items = items;
        q->cap = nc;
    }
    q->at[q->n].due = due;
    q->at[q->n].seq = q->seq++;
    return q->items + q->n++ * q->size;
}

void *bt_dueq_item(const bt_dueq *q, size_t i)
{
    return q->items + i * q->size;
}

void bt_dueq_remove(bt_dueq *q, size_t i)
{
    if (i >= q->n) return;
    q->n--;
    if (i == q->n) return;
    q->at[i] = q->at[q->n];
    memcpy(q->items + i * q->size, q->items + q->n * q->size, q->size);
}

void bt_dueq_clear(bt_dueq *q)
{
    q->n = 0;
}

bool bt_dueq_next(const bt_dueq *q, double *due)
{
    if (!q->n) return false;
    *due = q->at[earliest(q)].due;
    return true;
}

bool bt_dueq_pop_due(bt_dueq *q, double now, void *out)
{
    if (!q->n) return false;
    size_t i = earliest(q);
    if (q->at[i].due > now) return false;
    memcpy(out, q->items + i * q->size, q->size);
    bt_dueq_remove(q, i);
    return true;
}
