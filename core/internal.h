/* Internal helpers shared by the core's files; not installed. */
#ifndef BLUETTI_INTERNAL_H
#define BLUETTI_INTERNAL_H

#include <bluetti/bluetti.h>

#include "logger.h"

/* bt_now, bt_wall; bt_fmt, bt_strlcpy, bt_wipe (core/util, libbtutil). */
#include "bt_clock.h"
#include "bt_text.h"

/* Refuse an option table that cannot be checked against (option_decl.c):
 * 0, or BLUETTI_E_SCHEMA with the reason in why. */
int bt_option_table_check(const bluetti_option_decl *t, size_t n, char *why, size_t len);
/* bluetti_result_new for a schema already validated (one the registry
 * holds), without validating it again. */
int bt_result_new_valid(const bluetti_block_schema *s, bluetti_result **out);
/* Give r ownership of mem (a patched schema r decodes with); freed with r. */
void bt_result_adopt(bluetti_result *r, void *mem);

#endif
