/* An out-of-tree bluetti plugin: block 1 (BASE_CONFIG).
 *
 * Build it against an installed bluetti with the Makefile next to this file
 * (it only needs `pkg-config bluetti`), then load it at run time:
 *
 *     make
 *     bluetti-tool --plugin-dir . describe 1
 *
 * Block 1 is not in the reference catalog. Bluetooth decoders that were
 * checked against real V2 units read the device's protocol version from
 * its byte 30, which is all this example decodes.
 */
#include <bluetti/plugin.h>

static const bluetti_field base_config_fields[] = {
    {
        .name = "protocol_version",
        .description = "Protocol version the firmware speaks (e.g. 2001)",
        .offset = 30,
        .type = BLUETTI_U16,
        .flags = BLUETTI_F_REQUIRED,
        .evidence = BLUETTI_EV_UNVERIFIED,
        .note = "read at byte 30 by Bluetooth decoders used on real units",
    },
};

static const bluetti_block_schema base_config = {
    .id = 1,
    .min_length = 32,
    .name = "BASE_CONFIG",
    .description = "Device base configuration (example plugin)",
    .block_class = BLUETTI_BLOCK_INFO,
    .evidence = BLUETTI_EV_UNVERIFIED,
    .fields = base_config_fields,
    .n_fields = sizeof base_config_fields / sizeof base_config_fields[0],
};

static int init(bluetti_registry *reg)
{
    return bluetti_registry_add_block(reg, &base_config);
}

BLUETTI_PLUGIN_DEFINE("example-base-config", "1.0.0",
                      "Example out-of-tree plugin: block 1 protocol version", init);
