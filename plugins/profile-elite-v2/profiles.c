/* profile-elite-v2: the Bluetti Elite 30 V2, Elite 100 V2 and Elite 200 V2.
 *
 * Models, type ids, groups and poll intervals follow the protocol
 * reference (sections 5.1 and 5.2). Where real units differ, they win:
 *  - the protocol version is read from the device (block 1 bytes 30-31,
 *    as Bluetooth decoders tested on these models do); 2000 is only the
 *    fallback;
 *  - block 100 is read as 160 bytes: units answer at least 80 registers
 *    there and carry fields up to byte 141 (reference section 9.2, E9),
 *    where the reference requests only 132 bytes;
 *  - block 6300 (cell data) is as long as the model's cells need;
 *  - the Elite 30 V2 holds 288 Wh and the Elite 200 V2 has a 12-cell 38.4 V
 *    pack and reports "Elite 200 V2" (docs/protocol/profiles.md).
 */
#include "config.h"

#include <bluetti/plugin.h>

static const uint16_t core_blocks[] = { 100 };
static const uint16_t grid_blocks[] = { 1300 };
static const uint16_t battery_blocks[] = { 6000 };
static const uint16_t cells_blocks[] = { 6100 };
static const uint16_t inverter_blocks[] = { 1100, 1400, 1500 };
/* the output switches, ECO and charging mode: user-tested Bluetooth maps of
 * the Elite 30 V2 and 100 V2 read and write them there (blocks-settings) */
static const uint16_t settings_blocks[] = { 2000 };

#define GROUP(name_, blocks_, poll_, dflt_, desc_)                                  \
    { .name = (name_), .blocks = (blocks_),                                         \
      .n_blocks = (uint16_t)(sizeof(blocks_) / sizeof((blocks_)[0])),               \
      .poll_interval_s = (poll_), .is_default = (dflt_), .description = (desc_) }

#define G_CORE GROUP("core", core_blocks, 5, 1, "dashboard: battery, power flows, identity")
#define G_GRID GROUP("grid", grid_blocks, 5, 1, "grid input: frequency, voltage, current, energy")
#define G_BATTERY GROUP("battery", battery_blocks, 10, 1, "battery packs: summary")
#define G_CELLS GROUP("cells", cells_blocks, 60, 0, "one battery pack in detail (expensive: poll rarely)")
#define G_INVERTER GROUP("inverter", inverter_blocks, 10, 0, "inverter: identity, load and output")
#define G_SETTINGS GROUP("settings", settings_blocks, 30, 0, "output switches, ECO, charging mode")

static const bluetti_block_group groups_basic[] = { G_CORE, G_GRID, G_BATTERY };
static const bluetti_block_group groups_el30[] = { G_CORE, G_GRID, G_BATTERY, G_SETTINGS };
static const bluetti_block_group groups_full[] = { G_CORE, G_GRID, G_BATTERY, G_CELLS, G_INVERTER,
                                                   G_SETTINGS };

/* Block 6300 holds the cell data of a sub-pack, so its length follows the
 * cell and sensor counts (4 + 2 x cells + 3 x sensors bytes: 20 registers
 * for the probed 12-cell, 4-sensor Elite 200 V2); reading past it gets
 * exception 2. */
static const bluetti_block_size sizes_el30[] = {
    { 100, 160 },
    { 1300, 34 },   /* up to phase_0_apparent; real units answer 62 bytes (31 registers) */
    { 6300, 26 },   /* 8 cells, 2 sensors */
    { 0, 0 },
};
static const bluetti_block_size sizes_el100[] = {
    { 100, 160 },
    { 1300, 34 },   /* up to phase_0_apparent; real units answer 62 bytes (31 registers) */
    { 6300, 48 },   /* 16 cells, 4 sensors */
    { 0, 0 },
};
static const bluetti_block_size sizes_el200[] = {
    { 100, 160 },
    { 1300, 34 },   /* up to phase_0_apparent; real units answer 62 bytes (31 registers) */
    { 6300, 40 },   /* 12 cells, 4 sensors, as probed */
    { 0, 0 },
};

static const char *const aliases_el30[] = { "Elite 30 V2", NULL };
static const char *const aliases_el100[] = { "Elite 100 V2", NULL };
/* the Elite 200 V2 reports "Elite 200 V2" as its model and advertises
 * "E200V2..." over Bluetooth (bt-lib PR #49) */
static const char *const aliases_el200[] = { "Elite 200 V2", "E200V2", NULL };

static const bluetti_field_override ov_el200[] = {
    { .block = 100, .field = "pack_voltage", .what = BLUETTI_OV_XF,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.01) },
      .note = "x0.01 V in the Elite 200 V2 decoder built from probes of a real unit; its "
              "12S 38.4 V pack reads plausibly only so" },
};

#define N_OF(a) ((uint16_t)(sizeof(a) / sizeof((a)[0])))

static const bluetti_profile el30v2 = {
    .model = "EL30V2",
    .aliases = aliases_el30,
    .type_id = "32",
    .description = "Elite 30 V2: 288 Wh, 25.6 V pack, 600 W inverter",
    .protocol_version = 2000,
    .version_block = 1,
    .version_offset = 30,
    .model_block = 100,            /* HOME_DATA: the model, as TEXT */
    .model_field = "device_model",
    .n_groups = N_OF(groups_el30),
    .groups = groups_el30,
    .sizes = sizes_el30,
    .evidence = BLUETTI_EV_CONFIRMED,
    .evidence_note = "a register dump of a real unit (bt-lib issue #8) and Bluetooth decoders "
                     "tested by users; 288 Wh per bt-lib PR #36 (the reference said 336)",
};

static const bluetti_profile el100v2 = {
    .model = "EL100V2",
    .aliases = aliases_el100,
    .type_id = "31",
    .description = "Elite 100 V2: 1056 Wh, 51.2 V pack, 1000 W inverter",
    .protocol_version = 2000,
    .version_block = 1,
    .version_offset = 30,
    .model_block = 100,            /* HOME_DATA: the model, as TEXT */
    .model_field = "device_model",
    .n_groups = N_OF(groups_full),
    .groups = groups_full,
    .sizes = sizes_el100,
    .evidence = BLUETTI_EV_CONFIRMED,
    .evidence_note = "Bluetooth decoders tested by users against the app",
};

static const bluetti_profile elite200v2 = {
    .model = "ELITE200V2",
    .aliases = aliases_el200,
    .type_id = "8",
    .description = "Elite 200 V2: 2073.6 Wh, 12-cell 38.4 V pack, 2400 W inverter",
    .protocol_version = 2000,
    .version_block = 1,
    .version_offset = 30,
    .model_block = 100,            /* HOME_DATA: the model, as TEXT */
    .model_field = "device_model",
    .n_groups = N_OF(groups_basic),
    .groups = groups_basic,
    .sizes = sizes_el200,
    .overrides = ov_el200,
    .n_overrides = N_OF(ov_el200),
    .evidence = BLUETTI_EV_CONFIRMED,
    .evidence_note = "probes of a real unit (12 cells in block 6300, a 12S charge limit) and "
                     "a Bluetooth library; the reference's 51.2 V pack is contradicted",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_profile *const all[] = { &el30v2, &el100v2, &elite200v2 };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        int rc = bluetti_registry_add_profile(reg, all[i]);
        if (rc) return rc;
    }
    return 0;
}

BLUETTI_PLUGIN_DEFINE("profile-elite-v2", PACKAGE_VERSION,
                      "Bluetti Elite 30 V2, Elite 100 V2 and Elite 200 V2 device profiles", init);
