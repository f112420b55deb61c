/* Clocks shared by the core, the plugins, the tools and the tests. */
#include "config.h"

#include "bt_clock.h"

#include <math.h>
#include <time.h>

static double seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bt_now(void)
{
    return seconds(CLOCK_MONOTONIC);
}

double bt_wall(void)
{
    return seconds(CLOCK_REALTIME);
}

static int64_t milliseconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t bt_wall_ms(void)
{
    return milliseconds(CLOCK_REALTIME);
}

int64_t bt_now_ms(void)
{
    return milliseconds(CLOCK_MONOTONIC);
}

int bt_ms_until(double t, double now, int max_ms)
{
    double ms = ceil((t - now) * 1000.0);
    if (ms <= 0) return 0;
    return ms > (double)max_ms ? max_ms : (int)ms;
}

double bt_next_slot(double slot, double interval, double now)
{
    if (!(interval > 0)) return now;
    if (slot > now) return slot;
    double next = slot + interval * (floor((now - slot) / interval) + 1.0);
    /* now on the grid: the division can round down a step short */
    return next > now ? next : next + interval;
}
