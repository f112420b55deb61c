/* Test plugin: a well-formed plugin with one block and one profile. */
#include "config.h"

#include <bluetti/plugin.h>

static const bluetti_field fields[] = {
    { .name = "value", .unit = "W", .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
};
static const bluetti_block_schema block = {
    .id = 65001, .min_length = 2, .name = "TEST_GOOD", .description = "test block",
    .fields = fields, .n_fields = 1,
};
static const uint16_t group_blocks[] = { 65001 };
static const bluetti_block_group groups[] = {
    { .name = "core", .blocks = group_blocks, .n_blocks = 1, .poll_interval_s = 5, .is_default = 1 },
};
static const char *const aliases[] = { "Test Model One", NULL };
static const bluetti_profile profile = {
    .model = "TESTMODEL1", .aliases = aliases, .type_id = "0", .protocol_version = 2000,
    .n_groups = 1, .groups = groups,
};

static int init(bluetti_registry *reg)
{
    int rc = bluetti_registry_add_block(reg, &block);
    return rc ? rc : bluetti_registry_add_profile(reg, &profile);
}

BLUETTI_PLUGIN_DEFINE("test-good", "1.2.3", "test plugin that loads", init);
