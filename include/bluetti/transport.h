/* bluetti — the transport interface (implemented by transport plugins).
 *
 * A transport carries raw Modbus frames to and from devices named by an
 * address (the serial number). It is asynchronous: submit() queues a
 * frame; replies, connection changes and errors come back as events
 * through env->on_event, delivered only from inside process(). One
 * transport instance (one connection) serves many devices.
 *
 * Threading: an instance is used from one thread at a time.
 */
#ifndef BLUETTI_TRANSPORT_H
#define BLUETTI_TRANSPORT_H

#include <bluetti/common.h>
#include <bluetti/options.h>
#include <bluetti/retry.h>

BLUETTI_BEGIN_DECLS

typedef enum bluetti_transport_event_type {
    BLUETTI_EV_FRAME = 1,       /* a frame arrived from `address` (data, len) */
    BLUETTI_EV_CONNECTED,       /* (re)connected; address NULL */
    BLUETTI_EV_DISCONNECTED,    /* connection lost; err says why; address NULL */
    BLUETTI_EV_ERROR,           /* a submit failed later (err) for `address` */
} bluetti_transport_event_type;

typedef struct bluetti_transport_event {
    int type;                   /* bluetti_transport_event_type */
    int err;                    /* bluetti_err for DISCONNECTED / ERROR */
    const char *address;        /* device address, valid during the callback */
    const uint8_t *data;        /* FRAME payload, valid during the callback */
    size_t len;
} bluetti_transport_event;

/* What the core hands a transport when opening it. Valid until close. */
typedef struct bluetti_transport_env {
    const bluetti_logger *log;
    void (*on_event)(void *userdata, const bluetti_transport_event *ev);
    void *userdata;
    bluetti_retry_policy reconnect;   /* backoff for automatic reconnects */
    double connect_timeout_s;         /* default 10 */
} bluetti_transport_env;

/* One device a transport found (bluetti_transport_ops.discover). Every
 * pointer is valid during the callback only. */
typedef struct bluetti_discovered {
    const char *address;        /* what to pass as the device's address or transport option */
    const char *name;           /* the name it advertises, or NULL */
    const char *model_hint;     /* the model its name suggests (a hint, not a profile), or NULL */
    int encrypted;              /* 1 it encrypts its link, 0 it does not, -1 unknown */
    bool has_rssi;
    int rssi;                   /* signal strength in dBm, when has_rssi */
    const void *reserved[4];    /* zero */
} bluetti_discovered;

typedef void (*bluetti_discover_cb)(void *userdata, const bluetti_discovered *d);

/* Any address works (the transport makes a device up for it): an
 * application without a serial number may invent one. */
#define BLUETTI_TRANSPORT_F_ANY_ADDRESS 0x1u
/* The transport an application uses when its user names none (the first
 * loaded transport with this flag wins). */
#define BLUETTI_TRANSPORT_F_DEFAULT 0x2u

typedef struct bluetti_transport_ops {
    const char *name;           /* "mqtt", "sim" */
    const char *description;

    /* Create an instance and connect (blocking up to env->connect_timeout_s).
     * opts is only valid during the call (copy what you keep; wipe secrets).
     * On success *state owns everything; on failure nothing is left behind.
     * If detail is not NULL, a human-readable reason is written into
     * detail[0..detail_len) on failure (never containing secrets). */
    int (*open)(const bluetti_transport_env *env, const bluetti_options *opts,
                void **state, char *detail, size_t detail_len);
    /* Disconnect and free everything (accepts NULL). */
    void (*close)(void *state);
    /* Start / stop receiving frames for a device address. */
    int (*attach)(void *state, const char *address);
    int (*detach)(void *state, const char *address);
    /* Queue a frame for address. Returns 0, or an error (transient
     * BLUETTI_E_NOT_CONNECTED while reconnecting). */
    int (*submit)(void *state, const char *address, const uint8_t *frame, size_t len);
    /* A file descriptor that becomes readable when process() has work,
     * or -1 when the transport cannot offer one. */
    int (*fd)(void *state);
    /* Wait up to timeout_ms (0 = do not wait, -1 = no limit) for I/O and
     * deliver events. Returns 0 or a permanent error. Also drives
     * reconnects. */
    int (*process)(void *state, int timeout_ms);
    /* Bytes of reply frames that were unexpected / dropped so far, for
     * diagnostics (may be NULL). */
    void (*stats)(void *state, uint64_t *frames_in, uint64_t *frames_dropped);
    /* The keys open() accepts (static, owned by the plugin; NULL when
     * n_options is 0). The core checks every bag against them before
     * open() (bluetti_options_apply_decls), so open() sees only declared
     * keys, valid values and the defaults. */
    const bluetti_option_decl *options;
    size_t n_options;
    /* BLUETTI_TRANSPORT_F_* */
    size_t flags;
    /* Optional (may be NULL). Milliseconds until the
     * transport has timed work in process() (a keepalive ping due, the
     * next reconnect attempt), 0 when it is due now, -1 when none. The
     * session folds it into bluetti_session_next_timeout_ms(), so an
     * application's own poll() loop wakes up for it without busy polling. */
    int (*next_timeout_ms)(void *state);
    /* Optional (may be NULL: POLLIN). The poll() events fd() needs now,
     * e.g. POLLIN | POLLOUT while output is queued. */
    short (*poll_events)(void *state);
    /* Optional (may be NULL). What a user can do about err (a bluetti_err
     * this transport returned or reported), as one static sentence, e.g.
     * "check the password of the PKCS#12 certificate"; NULL when the
     * transport has nothing specific to say (the core then gives a
     * generic remedy for the error's class). */
    const char *(*remedy)(int err);
    /* Optional (may be NULL: the transport cannot list devices). Look
     * for devices for up to timeout_s seconds (0: the transport's own
     * default, e.g. its scan-time option) and call found() once for each,
     * from inside the call. Returns 0 or an error. */
    int (*discover)(void *state, double timeout_s, bluetti_discover_cb found, void *userdata);
    const void *reserved[7];
} bluetti_transport_ops;

BLUETTI_END_DECLS
#endif
