/* bluetti — key/value options handed to transports.
 *
 * The core does not interpret transport options; each transport documents
 * its keys (e.g. transport-mqtt: broker, port, cert, password, cafile,
 * insecure, keepalive, client_id, qos; transport-sim: device, fault, ...).
 * Keys may repeat (bluetti_options_add); bluetti_options_get returns the
 * last value. Secret values are wiped from memory when replaced or freed.
 */
#ifndef BLUETTI_OPTIONS_H
#define BLUETTI_OPTIONS_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

/* Caller owns the result; free with bluetti_options_free. NULL on OOM. */
BLUETTI_API bluetti_options *bluetti_options_new(void);
BLUETTI_API void bluetti_options_free(bluetti_options *o);

/* Replace every value of key with a copy of value. */
BLUETTI_API int bluetti_options_set(bluetti_options *o, const char *key, const char *value);
/* Append another value for key (for repeatable keys such as "device"). */
BLUETTI_API int bluetti_options_add(bluetti_options *o, const char *key, const char *value);
/* Like set, but the copy is marked secret: wiped on free, never logged. */
BLUETTI_API int bluetti_options_set_secret(bluetti_options *o, const char *key, const char *value);

/* Last value of key, or NULL. Owned by o. */
BLUETTI_API const char *bluetti_options_get(const bluetti_options *o, const char *key);
/* Number of values of key, and the i-th of them (owned by o). */
BLUETTI_API size_t bluetti_options_count(const bluetti_options *o, const char *key);
BLUETTI_API const char *bluetti_options_get_nth(const bluetti_options *o, const char *key, size_t i);

/* Typed getters: 0 and *out set when the key is present and valid;
 * BLUETTI_E_NOTFOUND (and *out untouched) when absent; BLUETTI_E_INVAL when
 * the value does not parse or lies outside [min, max]. Numbers are plain
 * decimal: an optional '-', digits and, for doubles, an optional '.' and
 * digits (no spaces, '+', hex, exponent, inf or nan). */
BLUETTI_API int bluetti_options_get_long(const bluetti_options *o, const char *key,
                                         long min, long max, long *out);
BLUETTI_API int bluetti_options_get_double(const bluetti_options *o, const char *key,
                                           double min, double max, double *out);
/* "1", "true", "yes", "on" / "0", "false", "no", "off". */
BLUETTI_API int bluetti_options_get_bool(const bluetti_options *o, const char *key, bool *out);

/* Iterate all entries: index 0..n-1; returns false past the end. Secret
 * values are reported as "***". */
BLUETTI_API bool bluetti_options_entry(const bluetti_options *o, size_t i,
                                       const char **key, const char **value);

BLUETTI_END_DECLS
#endif
