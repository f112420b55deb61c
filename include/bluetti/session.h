/* bluetti — sessions (one transport connection) and devices on them.
 *
 * A session owns its devices. Each device has at most one request in
 * flight; different devices proceed in parallel over the same connection.
 * The blocking calls (read_block, read_group, read_raw) are built on the
 * asynchronous ones (submit_read + process) and may be mixed with them
 * for other devices.
 *
 * Retries: only transient errors (timeout, disconnect, not connected) are
 * retried, with the session's retry policy; a disconnect fails the waiting
 * request at once (no waiting for the timeout). Protocol and parse errors
 * are never retried.
 *
 * Reply matching: the wire has no request id. A reply must come from the
 * device's topic/address, carry the Modbus address, function 0x03 and the
 * byte count of the outstanding request (a write's reply: its echo). After a timeout, the abandoned
 * request is remembered for a while: a reply that could belong to it is
 * dropped rather than taken as the answer to the next request.
 */
#ifndef BLUETTI_SESSION_H
#define BLUETTI_SESSION_H

#include <bluetti/common.h>
#include <bluetti/retry.h>
#include <bluetti/decode.h>
#include <bluetti/profile.h>
#include <bluetti/error.h>
#include <bluetti/transport.h>

BLUETTI_BEGIN_DECLS

/* Session settings. Always start from bluetti_session_config_default(),
 * which sets `size`: the library reads only the first `size` bytes and
 * takes defaults for members added later, so the structure can grow
 * without breaking programs built against an older header. */
typedef struct bluetti_session_config {
    size_t size;               /* sizeof(bluetti_session_config), set by _default */
    double timeout_s;          /* per attempt (request + reply), default 5 */
    double connect_timeout_s;  /* default 10 */
    bluetti_retry_policy retry;/* default BLUETTI_RETRY_DEFAULT */
    uint8_t modbus_address;    /* default for new devices, 0..247, default 1 */
    uint8_t reserved8[7];
    const void *reserved[4];
} bluetti_session_config;

BLUETTI_API void bluetti_session_config_default(bluetti_session_config *c);

/* Open a session on the transport named `transport` (from the registry).
 * opts is read during the call only. cfg may be NULL for defaults.
 * On failure returns the error and, when detail is not NULL, writes a
 * human-readable reason (never a secret) into detail[0..detail_len).
 * Caller owns *out; close with bluetti_session_close. The registry must
 * outlive the session. */
BLUETTI_API int bluetti_session_open(bluetti_registry *reg, const char *transport,
                                     const bluetti_options *opts,
                                     const bluetti_session_config *cfg,
                                     bluetti_session **out, char *detail, size_t detail_len);
/* Close the connection, free every device and result. Accepts NULL. */
BLUETTI_API void bluetti_session_close(bluetti_session *s);

/* List the devices the session's transport can reach (a Bluetooth scan,
 * the simulator's images), for up to timeout_s seconds (0: the
 * transport's default); found() runs once per device, from inside this
 * call. BLUETTI_E_UNSUPPORTED when the transport cannot list devices. */
BLUETTI_API int bluetti_session_discover(bluetti_session *s, double timeout_s,
                                         bluetti_discover_cb found, void *userdata);

/* bluetti_session_open with the failure described in *err (may be NULL):
 * code, class, detail and a remedy (see error.h). */
BLUETTI_API int bluetti_session_open_ex(bluetti_registry *reg, const char *transport,
                                        const bluetti_options *opts,
                                        const bluetti_session_config *cfg,
                                        bluetti_session **out, bluetti_error_info *err);
/* The session's last connection-level error (a lost connection, a failed
 * reconnect, a permanent transport error from process()); returns its
 * code, 0 when there was none. *err (may be NULL) gets the details. */
BLUETTI_API int bluetti_session_last_error(const bluetti_session *s, bluetti_error_info *err);

/* Add a device: address = serial number, model = profile model or alias,
 * or NULL to detect the model on the first read (from the field a profile
 * names in model_block / model_field; the read then fails with
 * BLUETTI_E_NOTFOUND if no profile knows the reported model).
 * *out is owned by the session. BLUETTI_E_NOTFOUND for an unknown model,
 * BLUETTI_E_EXISTS for an address already added, BLUETTI_E_INVAL for an
 * address that is empty or contains '+', '#', '/', NUL or spaces. */
BLUETTI_API int bluetti_session_add_device(bluetti_session *s, const char *address,
                                           const char *model, bluetti_device **out);
/* Whether address passes the session's rule for device addresses (the
 * rule bluetti_session_add_device applies): 1 to 128 bytes of printable
 * ASCII without spaces, '+', '#' or '/'. NULL is not valid. Borrows
 * address; no allocation. */
BLUETTI_API bool bluetti_address_valid(const char *address);
BLUETTI_API size_t bluetti_session_device_count(const bluetti_session *s);
BLUETTI_API bluetti_device *bluetti_session_device_at(bluetti_session *s, size_t i);

/* ---- asynchronous use ------------------------------------------------- */

/* Called when an asynchronous read completes (result owned by the device,
 * valid until that block is read again; NULL on error). */
typedef void (*bluetti_read_cb)(void *userdata, bluetti_device *d, uint16_t block,
                                int err, const bluetti_result *r);
BLUETTI_API void bluetti_session_set_read_callback(bluetti_session *s, bluetti_read_cb cb,
                                                   void *userdata);

/* Start reading a block (registers 0 = the profile/schema size). Returns 0,
 * BLUETTI_E_BUSY while another request of this device is in flight, or
 * BLUETTI_E_NO_SCHEMA. Completion comes through the read callback. */
BLUETTI_API int bluetti_device_submit_read(bluetti_device *d, uint16_t block, uint16_t registers);
BLUETTI_API bool bluetti_device_busy(const bluetti_device *d);

/* The event-loop contract. An application drives any number of sessions
 * from its own poll() loop:
 *
 *   for each session: fds[i] = { bluetti_session_fd(s),
 *                                bluetti_session_poll_events(s) };
 *   timeout = the smallest bluetti_session_next_timeout_ms() (-1: none);
 *   poll(fds, n, timeout);
 *   for each session whose fd is ready, or whose timeout has expired:
 *       bluetti_session_process(s, 0);
 *
 * bluetti_session_fd() is one descriptor owned by the session (an epoll
 * set holding the transport's current descriptor) that stays the same for
 * the session's life, across reconnects; -1 only if the platform has no
 * epoll and the transport offers no descriptor. Do not read it or close
 * it. bluetti_session_next_timeout_ms() includes the transport's own
 * deadlines (keepalive, reconnect backoff) as well as request timeouts and
 * retries, so nothing is missed and nothing busy-polls. */
BLUETTI_API int bluetti_session_fd(const bluetti_session *s);
/* The poll() events to wait for on bluetti_session_fd (POLLIN). */
BLUETTI_API short bluetti_session_poll_events(const bluetti_session *s);
/* Drive I/O, timeouts and retries for up to timeout_ms (0: no wait, -1:
 * until something completes). Returns 0 or a permanent transport error. */
BLUETTI_API int bluetti_session_process(bluetti_session *s, int timeout_ms);
/* Milliseconds until the next deadline (request timeout, retry, or the
 * transport's keepalive / reconnect), 0 when work is due, -1 if none. */
BLUETTI_API int bluetti_session_next_timeout_ms(const bluetti_session *s);

/* Frame tracing (for `raw` and debugging): called with every request sent
 * (outgoing = true) and every reply frame received for a device. */
typedef void (*bluetti_trace_cb)(void *userdata, const bluetti_device *d, bool outgoing,
                                 const uint8_t *frame, size_t len);
BLUETTI_API void bluetti_session_set_trace(bluetti_session *s, bluetti_trace_cb cb, void *userdata);

/* ---- blocking use ----------------------------------------------------- */

/* Read and decode one block. *out (may be NULL) receives the device's
 * latest result for the block, owned by the device and valid until the
 * block is read again or the session closes. registers 0 = default. */
BLUETTI_API int bluetti_device_read_block(bluetti_device *d, uint16_t block, uint16_t registers,
                                          const bluetti_result **out);

/* Read every block of a group in order; cb (may be NULL) is called for each
 * block with its error or result. Every block is attempted. Returns 0 when
 * all succeeded, else the error of the last failing block. */
BLUETTI_API int bluetti_device_read_group(bluetti_device *d, const char *group,
                                          bluetti_read_cb cb, void *userdata);

/* Read registers without decoding (blocks larger than 125 registers are
 * read in several requests and joined). Writes up to cap bytes into buf;
 * *len gets the number of bytes written (at most cap; 2*registers when
 * cap is large enough). */
BLUETTI_API int bluetti_device_read_raw(bluetti_device *d, uint16_t start, uint16_t registers,
                                        uint8_t *buf, size_t cap, size_t *len);

/* ---- writes ----------------------------------------------------------- */

/* A write is deliberate and checked (docs/CONTROL.md, docs/API.md):
 * only registers a registered schema field declares writable
 * (bluetti_field.write) can be written; values are validated before
 * anything is sent; a write takes the device's one request slot like a
 * read, goes through the same transport, envelope and Modbus address,
 * and is never retried. The sequence is: read the registers (the value
 * before), send the write (0x06 for one register, 0x10 for several),
 * then read them back. A timeout, a lost connection or a reply that does
 * not echo the request does not resend the write: the read-back decides
 * whether it took effect. A Modbus exception ends the write (the device
 * refused it; nothing changed). */

#define BLUETTI_WRITE_MAX_REGISTERS 16u

typedef enum bluetti_write_outcome {
    BLUETTI_WRITE_APPLIED = 0,     /* the read-back shows the value (or the device echoed
                                    * the write and the read-back failed) */
    BLUETTI_WRITE_NOT_APPLIED = 1, /* refused, never sent, or the read-back shows another value */
    BLUETTI_WRITE_UNKNOWN = 2,     /* no echo and no read-back: it may or may not have taken effect */
} bluetti_write_outcome;

/* The verdict on one write. */
typedef struct bluetti_write_result {
    int err;                  /* 0 when applied; else BLUETTI_E_EXCEPTION (refused),
                               * BLUETTI_E_NOT_APPLIED (read back another value), the
                               * reply's error when the outcome is unknown, or the error of
                               * the read before (then nothing was sent) */
    bluetti_write_outcome outcome;
    int reply_err;            /* the write's own reply: 0 the echo, or BLUETTI_E_TIMEOUT,
                               * _EXCEPTION, _ECHO, _CRC, _DISCONNECTED, ...; 0 also when the
                               * write was never sent (sent == false) */
    uint8_t exception_code;   /* reply_err == BLUETTI_E_EXCEPTION: the device's code */
    bool sent;                /* the write frame went out */
    bool have_before, have_after;  /* before[] / after[] are valid */
    uint16_t start, count;    /* registers written */
    uint16_t written[BLUETTI_WRITE_MAX_REGISTERS];
    uint16_t before[BLUETTI_WRITE_MAX_REGISTERS];  /* read before the write */
    uint16_t after[BLUETTI_WRITE_MAX_REGISTERS];   /* read back after it */
    /* Field writes (bluetti_device_set): the names of the values as this
     * model reads them (profile overrides applied), NULL when unnamed.
     * Static strings from the plugins' tables (valid while the registry lives). */
    const char *written_name, *before_name, *after_name;
    const void *reserved[4];
} bluetti_write_result;

/* Called when an asynchronous write completes. r is owned by the device
 * and valid until its next write starts. */
typedef void (*bluetti_write_cb)(void *userdata, bluetti_device *d, const bluetti_write_result *r);
BLUETTI_API void bluetti_session_set_write_callback(bluetti_session *s, bluetti_write_cb cb,
                                                    void *userdata);

/* Start writing values[0..count) to registers start.. (count
 * 1..BLUETTI_WRITE_MAX_REGISTERS); values is copied. Returns 0 (completion
 * through the write callback), BLUETTI_E_BUSY while another request of
 * this device is in flight, BLUETTI_E_NOT_WRITABLE when a register is not
 * declared writable by a registered schema, BLUETTI_E_INVAL. Nothing is
 * sent on an error. */
BLUETTI_API int bluetti_device_submit_write(bluetti_device *d, uint16_t start,
                                            const uint16_t *values, uint16_t count);

/* Start setting field `field` of block `block` to the value `value` (text,
 * as bluetti_field_parse_write takes it). The read-back is judged by
 * meaning: for a named value, by the name this model reads back (a model
 * may read 3 for "off"). Returns 0, BLUETTI_E_BUSY, BLUETTI_E_NO_SCHEMA,
 * BLUETTI_E_NOTFOUND (no such field), BLUETTI_E_NOT_WRITABLE or
 * BLUETTI_E_WRITE_VALUE (bluetti_device_error_detail says why and which
 * values are allowed). Nothing is sent on an error. */
BLUETTI_API int bluetti_device_submit_set(bluetti_device *d, uint16_t block, const char *field,
                                          const char *value);

/* Blocking forms: run the write to its end. *out (may be NULL;
 * caller-owned) gets the verdict. Returns out->err, or the submit error
 * (then *out is cleared and outcome is BLUETTI_WRITE_NOT_APPLIED). */
BLUETTI_API int bluetti_device_write(bluetti_device *d, uint16_t start, const uint16_t *values,
                                     uint16_t count, bluetti_write_result *out);
BLUETTI_API int bluetti_device_set(bluetti_device *d, uint16_t block, const char *field,
                                   const char *value, bluetti_write_result *out);

/* Name of an outcome: "applied", "not_applied", "unknown" (static). */
BLUETTI_API const char *bluetti_write_outcome_name(int outcome);

/* ---- device state ----------------------------------------------------- */

BLUETTI_API const char *bluetti_device_address(const bluetti_device *d);
/* The device's profile; NULL while the model of a device added without one
 * has not been detected yet. */
BLUETTI_API const bluetti_profile *bluetti_device_profile(const bluetti_device *d);

/* Modbus unit address used in this device's requests and expected in its
 * replies: 0..247 (0 is a valid unicast address here: second-generation
 * cloud devices answer at 0). Defaults to the session config's
 * modbus_address. Returns 0, BLUETTI_E_INVAL for an address above 247, or
 * BLUETTI_E_BUSY while a request is in flight. */
BLUETTI_API int bluetti_device_set_modbus_address(bluetti_device *d, unsigned address);
BLUETTI_API unsigned bluetti_device_modbus_address(const bluetti_device *d);
BLUETTI_API bluetti_session *bluetti_device_session(const bluetti_device *d);

/* Protocol version used for decoding: the override if set, else the
 * version detected from the device, else the profile's. The first decoded
 * read of a block whose fields depend on the protocol version detects it
 * by itself (from the profile's version_block) when it is neither set nor
 * detected yet; if the device cannot say, the profile's is used. */
BLUETTI_API uint16_t bluetti_device_protocol_version(const bluetti_device *d);
/* Force a protocol version (0 clears the override). */
BLUETTI_API void bluetti_device_set_protocol_version(bluetti_device *d, uint16_t version);
/* Read the version from the profile's version_block. Returns 0 (and stores
 * it), BLUETTI_E_UNSUPPORTED when the profile names no such block, or the
 * read error. */
BLUETTI_API int bluetti_device_detect_protocol_version(bluetti_device *d);

/* Latest successful result for a block, or NULL (owned by the device). */
BLUETTI_API const bluetti_result *bluetti_device_last(const bluetti_device *d, uint16_t block);
/* Text describing the device's last failure (e.g. "Modbus exception 2:
 * Illegal data address"), "" when none. Owned by the device. */
BLUETTI_API const char *bluetti_device_error_detail(const bluetti_device *d);
/* The device's last failure: returns its code (0 when the last read
 * succeeded); *err (may be NULL) gets code, class, detail and remedy. */
BLUETTI_API int bluetti_device_last_error(const bluetti_device *d, bluetti_error_info *err);

/* Counters since the session opened. */
typedef struct bluetti_session_stats {
    uint64_t requests;         /* frames submitted */
    uint64_t replies;          /* frames that answered a request */
    uint64_t retries;
    uint64_t timeouts;
    uint64_t dropped;          /* frames dropped: unexpected, late, or mismatched */
} bluetti_session_stats;
BLUETTI_API void bluetti_session_get_stats(const bluetti_session *s, bluetti_session_stats *out);

BLUETTI_END_DECLS
#endif
