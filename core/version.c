/* Library version and small internal utilities shared by the core. */
#include "config.h"

#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *bluetti_version(void)
{
    return PACKAGE_VERSION;
}

double bt_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bt_strlcpy(char *dst, const char *src, size_t cap)
{
    if (!dst || cap == 0) return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

void bt_fmt(char *dst, size_t cap, const char *fmt, ...)
{
    if (!dst || cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

void bt_wipe(void *p, size_t n)
{
    /* volatile stores so the wipe survives dead-store elimination */
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}
