/* The outbox: one slot per topic holding its newest unsent payload, and a
 * FIFO of the slots with something pending. A broker outage therefore
 * costs at most one message per topic of memory, and what goes out when
 * it is back is the newest state, not a backlog. */
#include "config.h"

#include "runtime.h"

#include <stdlib.h>
#include <string.h>

static const char *msg_key(const void *ctx, size_t i)
{
    return ((const br_outbox *)ctx)->m[i].topic;
}

static int ring_push(br_outbox *o, size_t i)
{
    if (o->count == o->ring_cap) {
        size_t nc = o->ring_cap ? o->ring_cap * 2 : 64;
        size_t *nr = malloc(nc * sizeof *nr);
        if (!nr) return -1;
        for (size_t k = 0; k < o->count; k++) nr[k] = o->ring[(o->head + k) % o->ring_cap];
        free(o->ring);
        o->ring = nr;
        o->ring_cap = nc;
        o->head = 0;
    }
    o->ring[(o->head + o->count) % o->ring_cap] = i;
    o->count++;
    return 0;
}

int br_outbox_put(br_outbox *o, const char *topic, const char *payload, size_t len, bool retain)
{
    size_t i;
    if (!bt_strindex_find(&o->idx, topic, msg_key, o, &i)) {
        if (o->limit && o->n >= o->limit) {
            o->dropped++;
            return -1;
        }
        if (o->n == o->cap) {
            size_t nc = o->cap ? o->cap * 2 : 64;
            br_msg *nm = realloc(o->m, nc * sizeof *nm);
            if (!nm) return -1;
            o->m = nm;
            o->cap = nc;
        }
        if (bt_strindex_reserve(&o->idx, o->n + 1, o->n, msg_key, o) != 0) return -1;
        char *t = strdup(topic);
        if (!t) return -1;
        o->m[o->n] = (br_msg){ t, NULL, 0, false, false };
        bt_strindex_add(&o->idx, t, o->n);
        i = o->n++;
    }
    br_msg *m = &o->m[i];
    char *p = malloc(len + 1);
    if (!p) return -1;
    memcpy(p, payload, len);
    p[len] = '\0';
    if (m->payload) o->replaced++;
    free(m->payload);
    m->payload = p;
    m->len = len;
    m->retain = retain;
    if (!m->queued) {
        if (ring_push(o, i) != 0) {
            free(m->payload);
            m->payload = NULL;
            return -1;
        }
        m->queued = true;
    }
    return 0;
}

br_msg *br_outbox_peek(br_outbox *o)
{
    return o->count ? &o->m[o->ring[o->head]] : NULL;
}

/* Slots of sent messages kept beyond this are dropped once nothing is
 * pending: a slot matters only while its message waits. */
#define IDLE_SLOTS 1024

static void forget_sent(br_outbox *o)
{
    for (size_t i = 0; i < o->n; i++) free(o->m[i].topic);
    o->n = 0;
    bt_strindex_refill(&o->idx, 0, msg_key, o);
}

void br_outbox_done(br_outbox *o)
{
    if (!o->count) return;
    br_msg *m = &o->m[o->ring[o->head]];
    free(m->payload);
    m->payload = NULL;
    m->queued = false;
    o->head = (o->head + 1) % o->ring_cap;
    o->count--;
    if (!o->count && o->n > IDLE_SLOTS) forget_sent(o);
}

void br_outbox_free(br_outbox *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->m[i].topic);
        free(o->m[i].payload);
    }
    free(o->m);
    free(o->ring);
    bt_strindex_free(&o->idx);
    *o = (br_outbox){ 0 };
}
