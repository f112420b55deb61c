/* Clocks (core/util/clock.c). */
#ifndef BT_UTIL_CLOCK_H
#define BT_UTIL_CLOCK_H

#include <stdint.h>

/* Monotonic clock in seconds: for timeouts and due times. */
double bt_now(void);
/* Wall clock in seconds since the epoch: for what is compared with other
 * machines (token expiry, TOTP, timestamps). */
double bt_wall(void);
/* Wall clock in whole milliseconds since the epoch. */
int64_t bt_wall_ms(void);
/* Monotonic clock in whole milliseconds. */
int64_t bt_now_ms(void);
/* Milliseconds from now to t (both bt_now() seconds), rounded up: 0 when t
 * has passed, at most max_ms. For poll() timeouts. */
int bt_ms_until(double t, double now, int max_ms);
/* The first time on the grid slot + k * interval (k = 0, 1, 2, ...) that
 * is after now: a periodic job that ran late keeps its phase. now when
 * interval is not positive. */
double bt_next_slot(double slot, double interval, double now);

#endif
