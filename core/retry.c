/* Retry policy: validation and the capped exponential delay sequence. */
#include "config.h"

#include "internal.h"

#include <math.h>

void bluetti_retry_default(bluetti_retry_policy *p)
{
    if (!p) return;
    *p = (bluetti_retry_policy)BLUETTI_RETRY_DEFAULT;
}

int bluetti_retry_validate(const bluetti_retry_policy *p, const char **why)
{
    const char *w = NULL;
    if (!p)
        w = "no retry policy given";
    else if (p->max_attempts < 1)
        w = "retry: max_attempts must be at least 1";
    else if (!isfinite(p->initial_delay) || !(p->initial_delay > 0))
        w = "retry: initial_delay must be a finite number of seconds above 0";
    else if (!isfinite(p->backoff_factor) || !(p->backoff_factor >= 1))
        w = "retry: backoff_factor must be finite and at least 1";
    else if (!isfinite(p->max_delay) || !(p->max_delay >= p->initial_delay))
        w = "retry: max_delay must be finite and at least initial_delay";
    if (why) *why = w;
    return w ? BLUETTI_E_INVAL : 0;
}

double bluetti_retry_delay(const bluetti_retry_policy *p, unsigned retry_index)
{
    if (bluetti_retry_validate(p, NULL) != 0) return 0;
    double initial = p->initial_delay, factor = p->backoff_factor, cap = p->max_delay;
    if (retry_index == 0 || factor == 1) return initial;
    /* Compare exponents in the log domain first, so initial * factor^k is
     * only computed when it stays below the cap and cannot overflow. */
    if ((double)retry_index * log(factor) >= log(cap) - log(initial)) return cap;
    double d = initial * pow(factor, (double)retry_index);
    return d < cap ? d : cap;
}
