/* The session's clock: monotonic milliseconds through one function
 * pointer. Not installed and not exported (the library is built with
 * hidden visibility and exports only bluetti_*): a test compiled against
 * the core's own objects (tests/core/test_session) sets bt_clock_ms to a clock
 * it advances by hand, so timeouts and retries run without sleeping. */
#ifndef BLUETTI_CLOCK_H
#define BLUETTI_CLOCK_H

/* CLOCK_MONOTONIC in milliseconds (the default behind bt_clock_ms). */
double bt_monotonic_ms(void);

/* The clock every deadline in core/session.c, core/request.c and
 * core/reply_match.c is measured on. */
extern double (*bt_clock_ms)(void);

/* Now, in seconds, on that clock (deadlines are kept in seconds). */
static inline double bt_session_now(void)
{
    return bt_clock_ms() / 1000.0;
}

#endif
