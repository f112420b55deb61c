/* Bounded text: details, copies, wiping (core/util/text.c). */
#ifndef BT_UTIL_TEXT_H
#define BT_UTIL_TEXT_H

#include <stdarg.h>
#include <stddef.h>

#include <bluetti/common.h>

/* snprintf into dst[cap], truncating; nothing when dst is NULL or cap 0
 * (a caller that wants no detail passes NULL). */
void bt_fmt(char *dst, size_t cap, const char *fmt, ...) BLUETTI_PRINTF(3, 4);
void bt_vfmt(char *dst, size_t cap, const char *fmt, va_list ap) BLUETTI_PRINTF(3, 0);
/* Copy src (NULL: "") into dst[cap], always NUL-terminated, truncating. */
void bt_strlcpy(char *dst, const char *src, size_t cap);
/* Overwrite n bytes at p so the compiler cannot elide it. */
void bt_wipe(void *p, size_t n);

#endif
