/* The logger behind bluetti_log(): a callback, its userdata and a level.
 * Not installed. Logging needs nothing else: a registry, a session or a
 * plugin environment holds one of these and hands a pointer to whoever
 * logs, and core/log.c only ever sees that pointer. */
#ifndef BLUETTI_LOGGER_H
#define BLUETTI_LOGGER_H

#include <bluetti/log.h>

struct bluetti_logger {
    bluetti_log_fn fn;
    void *userdata;
    bluetti_log_level level;
};

#endif
