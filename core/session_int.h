/* The session's and device's state, shared by the files that make up a
 * session: session.c (the object, its epoll fd, the public entry points),
 * request.c (the per-device request state machine), reply_match.c
 * (which request a frame answers), timer_heap.c (deadlines) and
 * address_index.c (address -> device). Not installed. */
#ifndef BLUETTI_SESSION_INT_H
#define BLUETTI_SESSION_INT_H

#include "internal.h"

#include "address_index.h"
#include "clock.h"
#include "timer_heap.h"
#include "write_int.h"

#define BT_MAX_STALE 4

/* A request abandoned after a timeout: its reply may still arrive. */
struct bt_stale {
    uint16_t start, regs;
    double expires;
};

struct bt_block_state {
    uint16_t block;
    bluetti_result *result;
};

enum bt_pstate { P_IDLE = 0, P_WAIT_REPLY, P_WAIT_RETRY, P_NEED_SEND, P_DONE };

/* What a device learns about itself before the read it was asked for:
 * its model (added without one) and its protocol version (the block read
 * has version-gated fields). */
enum bt_prelude { PRE_NONE = 0, PRE_MODEL, PRE_VERSION };

/* The read a prelude stands in front of. */
struct bt_wanted {
    uint16_t block, registers;
    bool blocking;
};

struct bt_pending {
    enum bt_pstate st;
    bool raw;              /* no decode */
    bool blocking;         /* completion goes to the blocking caller, not the callback */
    uint16_t block;        /* block id (= start register) */
    uint16_t total_regs;
    uint16_t done_regs;
    uint16_t chunk_regs;
    unsigned attempt;      /* attempts made for the current chunk */
    double deadline;       /* reply deadline or retry time */
    int err;               /* P_DONE: result */
    int last_err;          /* last transient error (for the final report) */
    const bluetti_result *result;
    enum bt_prelude prelude; /* this request only finds out model or version */
};

struct bluetti_device {
    bluetti_session *s;
    char *address;
    const bluetti_profile *profile;
    uint16_t version_override, version_detected;
    bool version_tried;    /* the device could not say: use the profile's */
    uint8_t modbus_address;
    struct bt_wanted want; /* valid while p.prelude != PRE_NONE */
    int last_code;         /* last failure, 0 after a success */
    const char *remedy;    /* a remedy for last_code more specific than the generic one, or NULL */
    struct bt_pending p;
    struct bt_write w;     /* the write in progress, or the last one's verdict */
    struct bt_stale stale[BT_MAX_STALE];
    uint8_t *buf;          /* assembled payload */
    size_t buf_cap;
    struct bt_block_state *states;
    size_t n_states, cap_states;
    bool queued;           /* in the session's work list */
    size_t timer;          /* position + 1 in the session's deadline heap, 0 = none */
    char detail[256];
};

struct bluetti_session {
    bluetti_registry *reg;
    const bluetti_logger *log;
    const bluetti_transport_ops *ops;
    void *tstate;
    bluetti_transport_env env;
    bluetti_session_config cfg;
    bluetti_device **devs;
    size_t n_devs, cap_devs;
    struct bt_address_index index;
    bluetti_device **work; /* devices with something to send or report */
    size_t n_work;
    /* Devices in P_WAIT_REPLY / P_WAIT_RETRY, so process() never walks
     * idle devices. work and timers hold each device at most once and are
     * sized with devs, so adding to them cannot fail. */
    struct bt_timer_heap timers;
    bluetti_read_cb cb;
    void *cb_ud;
    bluetti_write_cb wcb;
    void *wcb_ud;
    bluetti_trace_cb trace;
    void *trace_ud;
    bluetti_session_stats stats;
    unsigned completions;  /* completed during the current process() call */
    /* The one descriptor bluetti_session_fd() hands out: an epoll set
     * holding the transport's current descriptor, re-registered whenever
     * the transport's descriptor or the events it needs change. */
    int epfd;
    int reg_fd;            /* transport descriptor in epfd, -1 none */
    short reg_events;
    int last_code;         /* connection-level error, 0 none */
    char last_detail[320];
};

/* Keep the transport's current descriptor in the session's epoll set
 * (session.c); after a submit, the transport may want POLLOUT. */
void bt_session_sync_fd(bluetti_session *s);

/* Put d on the session's work list, once (request.c; room for every device). */
void bt_request_enqueue(bluetti_device *d);

#endif
