/* Logging through the application's callback. Needs only the logger it
 * is handed (logger.h), never the registry or session that holds it. */
#include "config.h"

#include "logger.h"

#include <stdarg.h>
#include <stdio.h>

bool bluetti_log_enabled(const bluetti_logger *lg, bluetti_log_level level)
{
    return lg && lg->fn && level <= lg->level;
}

void bluetti_log(const bluetti_logger *lg, bluetti_log_level level, const char *source,
                 const char *fmt, ...)
{
    if (!bluetti_log_enabled(lg, level)) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lg->fn(lg->userdata, level, source ? source : "core", buf);
}
