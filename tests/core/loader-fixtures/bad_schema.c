/* Test plugin: a schema with a transform that makes no sense (scale 0). */
#include "config.h"

#include <bluetti/plugin.h>

static const bluetti_field fields[] = {
    { .name = "z", .offset = 0, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.0) } },
};
static const bluetti_block_schema block = {
    .id = 65004, .min_length = 2, .name = "TEST_BAD_SCHEMA", .fields = fields, .n_fields = 1,
};

static int init(bluetti_registry *reg) { return bluetti_registry_add_block(reg, &block); }

BLUETTI_PLUGIN_DEFINE("test-bad-schema", "0", "schema fails validation", init);
