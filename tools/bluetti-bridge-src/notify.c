/* systemd's readiness and watchdog protocol (Type=notify): READY=1 once
 * the config is applied, WATCHDOG=1 from the loop, RELOADING=1 and
 * STOPPING=1 around a reload and the end. Without libsystemd (or outside
 * systemd, where sd_notify does nothing) these are no-ops. */
#include "config.h"

#include "runtime.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

void br_notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
    sd_notify(0, state);
#else
    (void)state;
#endif
}

uint64_t br_notify_watchdog_usec(void)
{
#ifdef HAVE_LIBSYSTEMD
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0) return usec;
#endif
    return 0;
}
