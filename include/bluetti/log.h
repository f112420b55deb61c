/* bluetti — logging.
 *
 * The library never prints. Messages go to one callback that the
 * application installs on a registry (bluetti_registry_set_log); sessions
 * and plugins log through the registry's logger. Secrets (passwords, keys)
 * are never passed to the callback.
 */
#ifndef BLUETTI_LOG_H
#define BLUETTI_LOG_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

typedef enum bluetti_log_level {
    BLUETTI_LOG_ERROR = 0,
    BLUETTI_LOG_WARN  = 1,
    BLUETTI_LOG_INFO  = 2,
    BLUETTI_LOG_DEBUG = 3,
} bluetti_log_level;

/* `msg` is valid only during the call; `source` names the emitter
 * ("core", "loader", a plugin name). */
typedef void (*bluetti_log_fn)(void *userdata, bluetti_log_level level,
                               const char *source, const char *msg);

/* Emit through a logger (plugins get one in their environment).
 * Messages above the logger's level are skipped cheaply; lg may be NULL. */
BLUETTI_API void bluetti_log(const bluetti_logger *lg, bluetti_log_level level,
                             const char *source, const char *fmt, ...)
    BLUETTI_PRINTF(4, 5);

/* True when a message at `level` would be delivered (skip costly formatting). */
BLUETTI_API bool bluetti_log_enabled(const bluetti_logger *lg, bluetti_log_level level);

BLUETTI_END_DECLS
#endif
