/* Bounded text helpers: one snprintf-into-a-detail for every layer. */
#include "config.h"

#include "bt_text.h"

#include <stdio.h>
#include <string.h>

void bt_vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
{
    if (!dst || cap == 0) return;
    vsnprintf(dst, cap, fmt, ap);
}

void bt_fmt(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bt_vfmt(dst, cap, fmt, ap);
    va_end(ap);
}

void bt_strlcpy(char *dst, const char *src, size_t cap)
{
    if (!dst || cap == 0) return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

void bt_wipe(void *p, size_t n)
{
    /* volatile stores so the wipe survives dead-store elimination */
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}
