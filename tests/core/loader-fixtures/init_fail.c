/* Test plugin: registers a block, then fails; the block must be rolled back. */
#include "config.h"

#include <bluetti/plugin.h>
#include <bluetti/error.h>

static const bluetti_field fields[] = {
    { .name = "x", .offset = 0, .type = BLUETTI_U16 },
};
static const bluetti_block_schema block = {
    .id = 65002, .min_length = 2, .name = "TEST_ROLLBACK", .fields = fields, .n_fields = 1,
};

static int init(bluetti_registry *reg)
{
    int rc = bluetti_registry_add_block(reg, &block);
    if (rc) return rc;
    return BLUETTI_E_PLUGIN_INIT;
}

BLUETTI_PLUGIN_DEFINE("test-init-fail", "0", "init fails after registering", init);
