/* Name folding (core/util/name.c): model names, aliases and Bluetooth
 * names are written "EL100V2", "el100-v2" or "EL100 V2" alike. */
#ifndef BT_UTIL_NAME_H
#define BT_UTIL_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* True when a separator the folding skips: ' ', '-' or '_'. */
bool bt_name_sep(char c);
/* a and b are the same name ignoring ASCII case, spaces, '-' and '_'. */
bool bt_name_eq(const char *a, const char *b);
/* When all of name matches the start of text (same folding), the bytes of
 * text it took (separators before the last matched letter included); 0
 * when it does not match. */
size_t bt_name_prefix_len(const char *name, const char *text);
/* Option keys: "strict_serial" and "strict-serial" are one key (case is
 * kept). True when a equals the first blen bytes of b so folded. */
bool bt_key_eq_n(const char *a, const char *b, size_t blen);

#endif
