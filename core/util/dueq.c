/* Due-time queue: a binary min-heap of (due, push order) entries over a
 * plain item array. The simulators hold a handful of pending replies; the
 * bridge holds every device waiting for its next round (a thousand and
 * more), so the earliest is kept at the top instead of searched for. */
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
    free(q->pos);
    free(q->items);
    bt_dueq_init(q, q->size);
}

static bool before(const bt_dueq_entry *a, const bt_dueq_entry *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

/* Put entry e at heap place h and tell its item where it is. */
static void place(bt_dueq *q, size_t h, bt_dueq_entry e)
{
    q->at[h] = e;
    q->pos[e.slot] = h;
}

static void sift_up(bt_dueq *q, size_t h)
{
    bt_dueq_entry e = q->at[h];
    while (h > 0) {
        size_t parent = (h - 1) / 2;
        if (!before(&e, &q->at[parent])) break;
        place(q, h, q->at[parent]);
        h = parent;
    }
    place(q, h, e);
}

static void sift_down(bt_dueq *q, size_t h)
{
    bt_dueq_entry e = q->at[h];
    for (;;) {
        size_t c = 2 * h + 1;
        if (c >= q->n) break;
        if (c + 1 < q->n && before(&q->at[c + 1], &q->at[c])) c++;
        if (!before(&q->at[c], &e)) break;
        place(q, h, q->at[c]);
        h = c;
    }
    place(q, h, e);
}

static int grow(bt_dueq *q)
{
    size_t nc = q->cap ? q->cap * 2 : 8;
    bt_dueq_entry *at = realloc(q->at, nc * sizeof *at);
    if (!at) return -1;
    q->at = at;
    size_t *pos = realloc(q->pos, nc * sizeof *pos);
    if (!pos) return -1; /* q->at grew; q->cap says what all three hold */
    q->pos = pos;
    unsigned char *items = realloc(q->items, nc * q->size);
    if (!items) return -1;
    q->items = items;
    q->cap = nc;
    return 0;
}

void *bt_dueq_push(bt_dueq *q, double due)
{
    if (q->n == q->cap && grow(q) != 0) return NULL;
    size_t slot = q->n++;
    q->at[slot] = (bt_dueq_entry){ due, q->seq++, slot };
    q->pos[slot] = slot;
    sift_up(q, slot);
    return q->items + slot * q->size;
}

void *bt_dueq_item(const bt_dueq *q, size_t i)
{
    return q->items + i * q->size;
}

void bt_dueq_remove(bt_dueq *q, size_t i)
{
    if (i >= q->n) return;
    size_t last = --q->n;
    /* the heap: the last entry fills the hole and moves up or down */
    size_t h = q->pos[i];
    if (h != last) {
        place(q, h, q->at[last]);
        if (h > 0 && before(&q->at[h], &q->at[(h - 1) / 2])) sift_up(q, h);
        else sift_down(q, h);
    }
    /* the items: the last item fills item i's place */
    if (i != last) {
        memcpy(q->items + i * q->size, q->items + last * q->size, q->size);
        size_t hl = q->pos[last];
        q->at[hl].slot = i;
        q->pos[i] = hl;
    }
}

void bt_dueq_clear(bt_dueq *q)
{
    q->n = 0;
}

bool bt_dueq_next(const bt_dueq *q, double *due)
{
    if (!q->n) return false;
    *due = q->at[0].due;
    return true;
}

bool bt_dueq_pop_due(bt_dueq *q, double now, void *out)
{
    if (!q->n || q->at[0].due > now) return false;
    size_t slot = q->at[0].slot;
    memcpy(out, q->items + slot * q->size, q->size);
    bt_dueq_remove(q, slot);
    return true;
}
