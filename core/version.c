/* Library version. (The core's small utilities live in core/util.) */
#include "config.h"

#include "internal.h"

const char *bluetti_version(void)
{
    return PACKAGE_VERSION;
}
