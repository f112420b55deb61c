/* profile-v2-models: the V2 models beyond the Elite V2 line, each as far as
 * public evidence carries it (docs/protocol/profiles.md). A model claims a
 * block only where a decoder run against that model reads it; its
 * differences from the block tables (scales, units, value names, the
 * meaning of a register, the Modbus address) are override data with their
 * source, never code. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) ((uint16_t)(sizeof(a) / sizeof((a)[0])))

/* ---- groups -------------------------------------------------------------- */

static const uint16_t b_core[] = { 100 };
static const uint16_t b_pv[] = { 1200 };
static const uint16_t b_grid[] = { 1300 };
static const uint16_t b_battery[] = { 6000 };
static const uint16_t b_pack[] = { 6100 };
static const uint16_t b_cells[] = { 6300 };
static const uint16_t b_output[] = { 1500 };
static const uint16_t b_inverter[] = { 1100, 1400, 1500 };
static const uint16_t b_inv_id[] = { 1100 };
static const uint16_t b_settings[] = { 2000 };
static const uint16_t b_adv[] = { 2200 };
static const uint16_t b_settings_adv[] = { 2000, 2200 };

#define GROUP(name_, blocks_, poll_, dflt_, desc_)                                  \
    { .name = (name_), .blocks = (blocks_), .n_blocks = N_OF(blocks_),              \
      .poll_interval_s = (poll_), .is_default = (dflt_), .description = (desc_) }

#define G_CORE GROUP("core", b_core, 5, 1, "dashboard: battery, power flows, identity")
#define G_PV GROUP("pv", b_pv, 5, 1, "PV input: total and per string")
#define G_GRID GROUP("grid", b_grid, 5, 1, "grid input: frequency, power, energy, phases")
#define G_BATTERY GROUP("battery", b_battery, 10, 1, "battery packs: summary")
#define G_PACK GROUP("pack", b_pack, 60, 0, "one battery pack: serial, firmware versions")
#define G_CELLS GROUP("cells", b_cells, 60, 0, "cell voltages and temperatures")
#define G_OUTPUT GROUP("output", b_output, 10, 1, "inverter output: frequency, phases")
#define G_INVERTER GROUP("inverter", b_inverter, 10, 0, "inverter: identity, load and output")
#define G_INV_ID GROUP("inverter", b_inv_id, 60, 0, "inverter identity and serial")
#define G_SETTINGS GROUP("settings", b_settings, 30, 0, "output switches, ECO, charging mode")
#define G_ADV GROUP("settings", b_adv, 30, 0, "advanced settings")
#define G_SETTINGS_ADV GROUP("settings", b_settings_adv, 30, 0, "base and advanced settings")

/* ---- overrides ------------------------------------------------------------ */

#define OV_SCALE(blk, fld, k, note_)                                                \
    { .block = (blk), .field = (fld), .what = BLUETTI_OV_XF,                        \
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(k) }, .note = (note_) }
#define OV_HOURS(note_)                                                             \
    { .block = 100, .field = "time_remaining", .what = BLUETTI_OV_XF | BLUETTI_OV_UNIT, \
      .evidence = BLUETTI_EV_CONFIRMED, .unit = "h", .xf = { BLUETTI_XF_SCALE_(0.1) }, \
      .note = (note_) }

static const bluetti_enum_name ac2p_switch[] = { { 1, "on" }, { 3, "off" }, { 0, NULL } };
static const bluetti_enum_name el10_light[] = {
    { 0, "off" }, { 1, "cold" }, { 2, "warm" }, { 3, "sos" }, { 0, NULL },
};

static const bluetti_field_override ov_ac180[] = {
    OV_SCALE(100, "pack_voltage", 0.01, "x0.01 V on the AC180 (a decoder whose logger output "
             "from an AC180 is public)"),
    OV_SCALE(6000, "voltage", 0.01, "x0.01 V on the AC180: x0.1 would read ten times the pack "
             "voltage (same decoder)"),
    OV_SCALE(6000, "max_charge_voltage", 0.01, "x0.01 V on the AC180 (same decoder)"),
};
static const bluetti_field_override ov_ac50b[] = {
    OV_SCALE(100, "pack_voltage", 0.01, "x0.01 V: the only plausible reading of an AC50B "
             "register dump"),
    OV_HOURS("hours x0.1 on the AC50B in a Bluetooth library tested by users"),
};
static const bluetti_field_override ov_ac70[] = {
    OV_HOURS("hours x0.1 on the AC70 in a Bluetooth library tested by users"),
};
static const bluetti_field_override ov_ap300[] = {
    OV_HOURS("hours x0.1 on the AP300 in a Bluetooth library tested by users"),
    { .block = 2200, .field = "setting_2208", .what = BLUETTI_OV_DESCRIPTION,
      .evidence = BLUETTI_EV_CONFIRMED, .description = "Feed-in (export) enable",
      .note = "register 2208 is the feed-in switch on the AP300 (a cloud decoder)" },
};
static const bluetti_field_override ov_ep760[] = {
    { .block = 2200, .field = "setting_2208", .what = BLUETTI_OV_DESCRIPTION,
      .evidence = BLUETTI_EV_CONFIRMED, .description = "AC output switch",
      .note = "register 2208 switches the AC output on the EP760: found by comparing reads with "
              "AC toggled in the app, written both ways (bt-lib PR #72)" },
};
static const bluetti_field_override ov_ac2p[] = {
    { .block = 2000, .field = "ctrl_ac", .what = BLUETTI_OV_ENUMS,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = ac2p_switch,
      .note = "the AC2P reads 1 for on and 3 for off (bt-lib PR #40)" },
};
static const bluetti_field_override ov_ac2a[] = {
    { .block = 1500, .field = "phase_0_work_status", .what = BLUETTI_OV_DESCRIPTION,
      .evidence = BLUETTI_EV_CONFIRMED, .description = "AC output on (phase 0 work status)",
      .note = "the AC2A and AC2P report their AC output state in register 1509 (a Bluetooth "
              "library)" },
};
static const bluetti_field_override ov_el10[] = {
    { .block = 2000, .field = "ctrl_led", .what = BLUETTI_OV_ENUMS | BLUETTI_OV_DESCRIPTION,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = el10_light, .description = "Light / torch mode",
      .note = "register 2007 is the light mode on the EL10, read and write confirmed "
              "(a Bluetooth library, 4612716)" },
};

/* ---- read sizes ------------------------------------------------------------ */

static const bluetti_block_size sizes_portable[] = { { 100, 142 }, { 0, 0 } };
/* reply sizes an EP760 gives over the cloud */
static const bluetti_block_size sizes_ep760[] = {
    { 100, 184 }, { 1300, 38 }, { 1400, 72 }, { 1500, 30 }, { 6000, 84 }, { 6100, 208 },
    { 0, 0 },
};
/* three phases: 1300 to phase 2 apparent, 1400 to phase 2, 1500 to phase 2 current */
static const bluetti_block_size sizes_ep600[] = {
    { 100, 142 }, { 1300, 58 }, { 1400, 92 }, { 1500, 54 }, { 6100, 208 }, { 0, 0 },
};
static const bluetti_block_size sizes_ap300[] = {
    { 100, 142 }, { 1300, 34 }, { 2000, 136 }, { 6100, 208 }, { 0, 0 },
};

/* ---- models ------------------------------------------------------------------ */

#define COMMON(model_, desc_)                                                        \
    .model = (model_), .description = (desc_), .protocol_version = 2000,            \
    .version_block = 1, .version_offset = 30

#define GROUPS(g) .n_groups = N_OF(g), .groups = (g)
#define OVERRIDES(o) .overrides = (o), .n_overrides = N_OF(o)

static const bluetti_block_group gr_premium[] = { G_CORE, G_SETTINGS };
static const bluetti_block_group gr_el10[] = { G_CORE, G_PV, G_GRID, G_OUTPUT, G_PACK, G_SETTINGS };
static const bluetti_block_group gr_ac180[] = {
    G_CORE, G_PV, G_GRID, G_BATTERY, G_OUTPUT, G_PACK, G_INV_ID, G_SETTINGS,
};
static const bluetti_block_group gr_ac180p[] = { G_CORE, G_PV, G_GRID, G_OUTPUT, G_ADV };
static const bluetti_block_group gr_ac2[] = { G_CORE, G_OUTPUT, G_SETTINGS };
static const bluetti_block_group gr_core[] = { G_CORE };
static const bluetti_block_group gr_ac60[] = { G_CORE, G_PACK, G_INV_ID, G_ADV };
static const bluetti_block_group gr_ac70[] = { G_CORE, G_PV, G_GRID, G_OUTPUT, G_PACK, G_SETTINGS };
static const bluetti_block_group gr_ep600[] = {
    G_CORE, G_PV, G_GRID, G_INVERTER, G_PACK, G_SETTINGS_ADV,
};
static const bluetti_block_group gr_ep760[] = {
    G_CORE, G_PV, G_GRID, G_BATTERY, G_INVERTER, G_PACK, G_ADV,
};
static const bluetti_block_group gr_ap300[] = {
    G_CORE, G_PV, G_GRID, G_BATTERY, G_OUTPUT, G_PACK, G_CELLS, G_INV_ID, G_SETTINGS_ADV,
};
static const bluetti_block_group gr_handsfree[] = { G_CORE, G_OUTPUT, G_SETTINGS };

static const char *const al_pr30[] = { "Premium 30 V2", NULL };
static const char *const al_pr100[] = { "Premium 100 V2", NULL };
static const char *const al_el10[] = { "Elite 10", NULL };
static const char *const al_ac2a[] = { "AC2", NULL };
static const char *const al_hf2[] = { "Handsfree 2", "HF2", NULL };

static const bluetti_profile models[] = {
    { COMMON("PR30V2", "Premium 30 V2: 320 Wh (the Elite 30 V2 with a larger pack)"),
      .aliases = al_pr30, GROUPS(gr_premium), .sizes = sizes_portable,
      .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "users' runs of a Bluetooth library against the app; 320 Wh per bt-lib "
                       "PR #36" },
    { COMMON("PR100V2", "Premium 100 V2"), .aliases = al_pr100, GROUPS(gr_premium),
      .sizes = sizes_portable, .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "users' runs of a Bluetooth library; block 100 byte 8 in minutes fits a "
                       "reading near full charge (bt-lib PR #87)" },
    { COMMON("EL10", "Elite 10"), .aliases = al_el10, GROUPS(gr_el10), .sizes = sizes_portable,
      OVERRIDES(ov_el10), .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "a Bluetooth library tested by users (bt-lib PR #89, 4612716)" },
    { COMMON("AC180", "AC180: reports protocol version 2004"), GROUPS(gr_ac180),
      .sizes = sizes_portable, OVERRIDES(ov_ac180), .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "a decoder's AC180 logger output, a user's AC180 in wk PR #109, a "
                       "Bluetooth library" },
    { COMMON("AC180P", "AC180P"), GROUPS(gr_ac180p), .sizes = sizes_portable,
      OVERRIDES(ov_ac180), .evidence = BLUETTI_EV_UNVERIFIED,
      .evidence_note = "a Bluetooth library's AC180(P/T) device and one decoder's AC180P map "
                       "(grid enhancement at 2225); the AC180 scales are assumed" },
    { COMMON("AC2A", "AC2A"), .aliases = al_ac2a, GROUPS(gr_ac2), .sizes = sizes_portable,
      OVERRIDES(ov_ac2a), .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "a Bluetooth library tested by users" },
    { COMMON("AC2P", "AC2P: the AC switch reads 3 for off"), GROUPS(gr_ac2),
      .sizes = sizes_portable, OVERRIDES(ov_ac2p), .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "a Bluetooth library tested by users (bt-lib PR #40)" },
    { COMMON("AC50B", "AC50B: reports protocol version 2005"), GROUPS(gr_core),
      .sizes = sizes_portable, OVERRIDES(ov_ac50b), .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "a raw register dump (bt-lib issue #5) and a Bluetooth library" },
    { COMMON("AC60", "AC60"), GROUPS(gr_ac60), .sizes = sizes_portable,
      .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "discovery logs of one decoder and a production decoder's AC60 map" },
    { COMMON("AC70", "AC70"), GROUPS(gr_ac70), .sizes = sizes_portable, OVERRIDES(ov_ac70),
      .evidence = BLUETTI_EV_CONFIRMED, .evidence_note = "a Bluetooth library tested by users" },
    { COMMON("AC200L", "AC200L: no real-unit evidence; block 100 only"), GROUPS(gr_core),
      .sizes = sizes_portable, .evidence = BLUETTI_EV_REFERENCE,
      .evidence_note = "none of our sources covers it: only the dashboard block every V2 unit "
                       "answers is claimed" },
    { COMMON("AC300", "AC300: no real-unit evidence; block 100 only"), GROUPS(gr_core),
      .sizes = sizes_portable, .evidence = BLUETTI_EV_REFERENCE,
      .evidence_note = "none of our sources covers it: only block 100 is claimed" },
    { COMMON("AC500", "AC500: no real-unit evidence; block 100 only"), GROUPS(gr_core),
      .sizes = sizes_portable, .evidence = BLUETTI_EV_REFERENCE,
      .evidence_note = "none of our sources covers it: only block 100 is claimed" },
    { COMMON("EP600", "EP600: three-phase inverter"), GROUPS(gr_ep600), .sizes = sizes_ep600,
      .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "discovery logs and a decoder whose EP600 fields are tested in "
                       "production (bt-lib issue #55)" },
    { COMMON("EP760", "EP760 (PBOX): answers at Modbus address 0"), GROUPS(gr_ep760),
      .sizes = sizes_ep760, OVERRIDES(ov_ep760), .modbus_address = 0,
      .has_modbus_address = 1, .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "a cloud gateway live for days on an EP760, a Bluetooth library, a "
                       "production decoder; address 0 as the app's second-generation IoT rule" },
    { COMMON("AP300", "Apex 300: answers at Modbus address 0"), GROUPS(gr_ap300),
      .sizes = sizes_ap300, OVERRIDES(ov_ap300), .modbus_address = 0,
      .has_modbus_address = 1, .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "a cloud integration with live checks and fixtures, a Bluetooth "
                       "library; address 0 as the app's second-generation IoT rule" },
    { COMMON("HANDSFREE2", "Handsfree 2"), .aliases = al_hf2, GROUPS(gr_handsfree),
      .sizes = sizes_portable, .evidence = BLUETTI_EV_CONFIRMED,
      .evidence_note = "a Bluetooth library tested by users (bt-lib PR #83)" },
};

static int init(bluetti_registry *reg)
{
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        int rc = bluetti_registry_add_profile(reg, &models[i]);
        if (rc) return rc;
    }
    return 0;
}

BLUETTI_PLUGIN_DEFINE("profile-v2-models", PACKAGE_VERSION,
                      "Premium V2, Elite 10, AC, EP, Apex and Handsfree V2 device profiles", init);
