/* The session's injectable monotonic clock (see clock.h). */
#include "config.h"

#include "clock.h"

#include <time.h>

double bt_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

double (*bt_clock_ms)(void) = bt_monotonic_ms;
