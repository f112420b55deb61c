/* Internal helpers shared by the core's files; not installed. */
#ifndef BLUETTI_INTERNAL_H
#define BLUETTI_INTERNAL_H

#include <bluetti/bluetti.h>

#include "logger.h"

/* Wall clock in seconds since the epoch. */
double bt_wall(void);

/* Copy src into dst (always NUL-terminated, truncating). */
void bt_strlcpy(char *dst, const char *src, size_t cap);
/* snprintf into dst ignoring truncation. */
void bt_fmt(char *dst, size_t cap, const char *fmt, ...) BLUETTI_PRINTF(3, 4);
/* Overwrite memory so the compiler cannot elide it. */
void bt_wipe(void *p, size_t n);

/* Refuse an option table that cannot be checked against (option_decl.c):
 * 0, or BLUETTI_E_SCHEMA with the reason in why. */
int bt_option_table_check(const bluetti_option_decl *t, size_t n, char *why, size_t len);
/* bluetti_result_new for a schema already validated (one the registry
 * holds), without validating it again. */
int bt_result_new_valid(const bluetti_block_schema *s, bluetti_result **out);
/* Give r ownership of mem (a patched schema r decodes with); freed with r. */
void bt_result_adopt(bluetti_result *r, void *mem);

#endif
