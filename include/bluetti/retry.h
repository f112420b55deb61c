/* bluetti — retry policy for transient errors. */
#ifndef BLUETTI_RETRY_H
#define BLUETTI_RETRY_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

typedef struct bluetti_retry_policy {
    unsigned max_attempts;   /* >= 1; counts the first attempt (default 3) */
    double initial_delay;    /* seconds, > 0 and finite (default 0.5) */
    double backoff_factor;   /* >= 1 and finite (default 2.0) */
    double max_delay;        /* seconds, >= initial_delay and finite (default 5.0) */
    /* Room for later members (zero means "default"); BLUETTI_RETRY_DEFAULT
     * and bluetti_retry_default() leave it zero. */
    double reserved[4];
} bluetti_retry_policy;

#define BLUETTI_RETRY_DEFAULT \
    { .max_attempts = 3u, .initial_delay = 0.5, .backoff_factor = 2.0, .max_delay = 5.0 }

/* Fill *p with the defaults above. */
BLUETTI_API void bluetti_retry_default(bluetti_retry_policy *p);

/* 0 when *p is valid, else BLUETTI_E_INVAL; when `why` is not NULL it is
 * set to a static text naming the rule that failed. */
BLUETTI_API int bluetti_retry_validate(const bluetti_retry_policy *p, const char **why);

/* Delay in seconds before attempt `retry_index + 2` (retry_index 0 is the
 * delay after the first failure): min(initial * factor^k, max_delay).
 * Never overflows; a NULL or invalid policy gives 0. */
BLUETTI_API double bluetti_retry_delay(const bluetti_retry_policy *p, unsigned retry_index);

BLUETTI_END_DECLS
#endif
