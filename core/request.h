/* The per-device request state machine (request.c). Not installed. */
#ifndef BLUETTI_REQUEST_H
#define BLUETTI_REQUEST_H

#include "session_int.h"

struct bt_reply_verdict;

/* Start a read of `registers` (0: the block's size) at `start`, decoded
 * unless raw, reported to the blocking caller or the read callback.
 * Issues the model / protocol-version pre-reads the block needs first.
 * 0, BLUETTI_E_BUSY (a request is outstanding) or the reason it cannot. */
int bt_request_start(bluetti_device *d, uint16_t start, uint16_t registers, bool raw,
                     bool blocking);
/* Queue a raw read of `registers` at `start` (no pre-reads), for a
 * write's read before and read-back. 0 or BLUETTI_E_NOMEM / _INVAL. */
int bt_request_issue_raw(bluetti_device *d, uint16_t start, uint16_t registers, bool blocking);
/* Drive the session until d's blocking request is done; its result. */
int bt_request_wait(bluetti_device *d);
/* A frame answering d's current request (bt_reply_match said so). */
void bt_request_on_reply(bluetti_device *d, const struct bt_reply_verdict *v);
/* A transient error for d's current request: retry it, or give up. */
void bt_request_retry(bluetti_device *d, int err, double now);
/* End d's current request with err (0: success). */
void bt_request_finish(bluetti_device *d, int err, const char *extra);
/* End d's current request with err for good (no write step, no prelude). */
void bt_request_done(bluetti_device *d, int err, const char *extra);
/* Timeouts and due retries at `now`: the devices at the top of the heap. */
void bt_request_check_deadlines(bluetti_session *s, double now);
/* Send what is due and report what completed (the work list). */
void bt_request_flush(bluetti_session *s);
/* Free the per-block results d keeps. */
void bt_request_free_states(bluetti_device *d);
/* The first profile that says where a device names its model, or NULL. */
const bluetti_profile *bt_model_source(const bluetti_registry *reg);

#endif
