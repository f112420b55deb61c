/* Log lines to stderr (journald adds the time under systemd): one line
 * each, untrusted text escaped. The library's messages come through
 * br_lib_log at the same verbosity. */
#include "config.h"

#include "bridge.h"

#include "bt_escape.h"

#include <stdarg.h>

int br_verbosity = BR_INFO;

void br_log(br_level level, const char *fmt, ...)
{
    if ((int)level > br_verbosity) return;
    static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fputs(BRIDGE_NAME ": ", stderr);
    fputs(tag[level], stderr);
    bt_fput_safe(msg, stderr);
    fputc('\n', stderr);
}

void br_lib_log(void *ud, bluetti_log_level level, const char *src, const char *msg)
{
    (void)ud;
    br_level l = level <= BLUETTI_LOG_ERROR ? BR_ERROR
                 : level == BLUETTI_LOG_WARN ? BR_WARN
                 : level == BLUETTI_LOG_INFO ? BR_INFO : BR_DEBUG;
    if (l == BR_INFO) l = BR_DEBUG; /* the library's chatter is debug output here */
    br_log(l, "[%s] %s", src, msg);
}
