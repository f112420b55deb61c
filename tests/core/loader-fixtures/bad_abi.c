/* Test plugin: claims a future plugin ABI; must be refused before init runs. */
#include "config.h"

#include <bluetti/plugin.h>
#include <stdlib.h>

static int init(bluetti_registry *reg)
{
    (void)reg;
    abort(); /* the loader must never get here */
}

BLUETTI_PLUGIN_EXPORT extern const bluetti_plugin bluetti_plugin_descriptor;
BLUETTI_PLUGIN_EXPORT const bluetti_plugin bluetti_plugin_descriptor = {
    .abi_major = BLUETTI_PLUGIN_ABI_MAJOR + 98, .abi_minor = 0,
    .struct_size = sizeof(bluetti_plugin), .name = "test-bad-abi", .version = "0",
    .description = "wrong ABI", .init = init,
};
