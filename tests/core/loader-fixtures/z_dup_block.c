/* Test plugin: registers a new block and one that test-good already has. */
#include "config.h"

#include <bluetti/plugin.h>

static const bluetti_field fields[] = {
    { .name = "y", .offset = 0, .type = BLUETTI_U16 },
};
static const bluetti_block_schema fresh = {
    .id = 65003, .min_length = 2, .name = "TEST_FRESH", .fields = fields, .n_fields = 1,
};
static const bluetti_block_schema clash = {
    .id = 65001, .min_length = 2, .name = "TEST_CLASH", .fields = fields, .n_fields = 1,
};

static int init(bluetti_registry *reg)
{
    const bluetti_block_schema *const list[] = { &fresh, &clash };
    return bluetti_registry_add_blocks(reg, list, 2);
}

BLUETTI_PLUGIN_DEFINE("test-dup-block", "0", "duplicates a block of test-good", init);
