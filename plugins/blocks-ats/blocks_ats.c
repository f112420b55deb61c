/* blocks-ats: automatic transfer switch blocks (17000 ATS_INFO,
 * 17100 AT1_BASE_INFO, 17400 ATS_EVENT_EXT).
 * Layouts from the older protocol reference (docs/protocol/README.md); decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define REF BLUETTI_EV_REFERENCE
#define UNV BLUETTI_EV_UNVERIFIED

#define MODEL_NOTE "12-byte model text read with the bytes of every register swapped (EVIDENCE " \
    "rule 2, reference-issues.md item E2 'probably all 12-byte model fields'); not confirmed for " \
    "this block"
#define SERIAL_NOTE "kept as plain text per the reference; the main unit's serial is a 64-bit " \
    "integer on real devices (EVIDENCE rule 3), which may hold here too"
#define U32_NOTE "low word first (EVIDENCE rule 1); the reference read it high word first"

/* ---- 17000 ATS_INFO ----------------------------------------------------- */

static const bluetti_field ats_info_fields[] = {
    { .name = "model", .description = "ATS model text",
      .offset = 0, .size = 12, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP, .evidence = UNV, .note = MODEL_NOTE },
    { .name = "serial_number", .description = "ATS serial text",
      .offset = 12, .size = 8, .type = BLUETTI_TEXT, .flags = BLUETTI_F_REQUIRED,
      .evidence = UNV, .note = SERIAL_NOTE },
    { .name = "software_type", .description = "Firmware type code",
      .offset = 21, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED,
      .note = "low byte of register 17010 (byte 20 is not used)" },
    { .name = "software_version", .description = "Firmware version (raw)",
      .offset = 22, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED, .note = U32_NOTE },
};

static const bluetti_block_schema ats_info = {
    .id = 17000, .min_length = 26, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = REF,
    .name = "ATS_INFO", .description = "ATS identity",
    .fields = ats_info_fields, .n_fields = N_OF(ats_info_fields),
    .notes = "Version low word first (EVIDENCE rule 1); model text byte-swapped per register "
             "(E2, unverified here); serial kept as text.",
};

/* ---- 17100 AT1_BASE_INFO ------------------------------------------------ */

static const bluetti_field at1_info_fields[] = {
    { .name = "model", .description = "AT1 model text",
      .offset = 0, .size = 12, .type = BLUETTI_TEXT, .flags = BLUETTI_F_TEXT_SWAP,
      .evidence = UNV, .note = MODEL_NOTE },
    { .name = "serial_number", .description = "AT1 serial text",
      .offset = 12, .size = 8, .type = BLUETTI_TEXT, .evidence = UNV, .note = SERIAL_NOTE },
    { .name = "software_version", .description = "Firmware version (raw)",
      .offset = 22, .type = BLUETTI_U32, .note = U32_NOTE },
};

static const bluetti_block_schema at1_base_info = {
    .id = 17100, .min_length = 26, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = REF,
    .name = "AT1_BASE_INFO", .description = "AT1 transfer switch identity",
    .fields = at1_info_fields, .n_fields = N_OF(at1_info_fields),
    .notes = "Bytes 20-21 and 26-71 are not parsed by the app; per-phase data starts at 72 "
             "(not modelled). Version low word first; model text byte-swapped (E2, unverified).",
};

/* ---- 17400 ATS_EVENT_EXT ------------------------------------------------ */

/* The reference's FieldGroups become flat "group.member" fields with
 * absolute offsets. Members of groups the reference marks verified_reference
 * keep REFERENCE; members of its `partial` groups are UNVERIFIED. */
#define EL(mode, idx) { BLUETTI_XF_ENABLE_LIST_(mode, idx) }
#define SHARED_NOTE "reads the same word as its sibling chunks by design (reference-issues.md " \
                    "item 3)"
#define PORT_NOTE "reference-issues.md item 3: offset from the reference's code (type word at " \
                  "20, linkage at 22); " \
    "its docstring still gives the older 18 / 32"

static const bluetti_field ats_ext_fields[] = {
    { .name = "top_level_enables.chg_from_grid_enable", .description = "Charge-from-grid enable (chunk 3 of bytes 0-1)",
      .offset = 0, .type = BLUETTI_U16, .evidence = REF, .xf = EL(0, 3), .note = SHARED_NOTE },
    { .name = "top_level_enables.feed_to_grid_enable", .description = "Feed-to-grid enable (chunk 4 of bytes 2-3)",
      .offset = 2, .type = BLUETTI_U16, .evidence = REF, .xf = EL(0, 4), .note = SHARED_NOTE },

    { .name = "startup_flags.black_start_enable", .description = "Black-start enable (chunk 2 of bytes 174-175)",
      .offset = 174, .type = BLUETTI_U16, .evidence = REF, .xf = EL(0, 2), .note = SHARED_NOTE },
    { .name = "startup_flags.black_start_mode", .description = "Black-start mode (chunk 3 of bytes 174-175)",
      .offset = 174, .type = BLUETTI_U16, .evidence = REF, .xf = EL(0, 3), .note = SHARED_NOTE },
    { .name = "startup_flags.generator_auto_start_enable", .description = "Generator auto-start enable (chunk 4 of bytes 174-175)",
      .offset = 174, .type = BLUETTI_U16, .evidence = REF, .xf = EL(0, 4), .note = SHARED_NOTE },
    { .name = "startup_flags.off_grid_power_priority", .description = "Off-grid power priority (chunk 5 of bytes 174-175)",
      .offset = 174, .type = BLUETTI_U16, .evidence = REF, .xf = EL(0, 5), .note = SHARED_NOTE },

    { .name = "config_grid.type", .description = "Grid port: type (chunk 0 of bytes 20-21)",
      .offset = 20, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 0), .note = PORT_NOTE },
    { .name = "config_grid.linkage_enable", .description = "Grid port: linkage enable (chunk 0 of bytes 22-23)",
      .offset = 22, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 0), .note = PORT_NOTE },
    { .name = "config_grid.force_enable_0", .description = "Grid port: force-enable element 0 (bytes 12-13)",
      .offset = 12, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 0), .note = SHARED_NOTE },
    { .name = "config_grid.force_enable_1", .description = "Grid port: force-enable element 1 (bytes 12-13)",
      .offset = 12, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 1), .note = SHARED_NOTE },
    { .name = "config_grid.force_enable_2", .description = "Grid port: force-enable element 2 (bytes 12-13)",
      .offset = 12, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 2), .note = SHARED_NOTE },
    { .name = "config_grid.max_current", .description = "Grid port: current limit (raw, scale unknown)",
      .offset = 84, .type = BLUETTI_U16, .evidence = UNV,
      .note = "no unit: the reference gives no scale" },

    { .name = "config_sl1.type", .description = "Smart load 1: type (chunk 1 of bytes 20-21)",
      .offset = 20, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 1), .note = PORT_NOTE },
    { .name = "config_sl1.linkage_enable", .description = "Smart load 1: linkage enable (chunk 1 of bytes 22-23)",
      .offset = 22, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 1), .note = PORT_NOTE },
    { .name = "config_sl1.force_enable_0", .description = "Smart load 1: force-enable element 0 (bytes 2-3)",
      .offset = 2, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 0),
      .note = "reference-issues.md item 3: same word as top_level_enables.feed_to_grid_enable "
              "(another chunk)" },
    { .name = "config_sl1.force_enable_1", .description = "Smart load 1: force-enable element 1 (bytes 2-3)",
      .offset = 2, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 1), .note = SHARED_NOTE },
    { .name = "config_sl1.force_enable_2", .description = "Smart load 1: force-enable element 2 (bytes 2-3)",
      .offset = 2, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 2), .note = SHARED_NOTE },
    { .name = "config_sl1.max_current", .description = "Smart load 1: current limit (raw, scale unknown)",
      .offset = 86, .type = BLUETTI_U16, .evidence = UNV, .note = "no unit: the reference gives no scale" },

    { .name = "config_sl2.max_current", .description = "Smart load 2: current limit (raw, scale unknown)",
      .offset = 88, .type = BLUETTI_U16, .evidence = UNV, .note = "no unit: the reference gives no scale" },
    { .name = "config_sl3.max_current", .description = "Smart load 3: current limit (raw, scale unknown)",
      .offset = 90, .type = BLUETTI_U16, .evidence = UNV, .note = "no unit: the reference gives no scale" },
    { .name = "config_sl4.max_current", .description = "Smart load 4: current limit (raw, scale unknown)",
      .offset = 92, .type = BLUETTI_U16, .evidence = UNV, .note = "no unit: the reference gives no scale" },

    { .name = "config_pcs1.type", .description = "PCS 1: type (chunk 0 of bytes 18-19)",
      .offset = 18, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 0),
      .note = "reference-issues.md item 3: PCS types use the word at 18 (the grid/load types "
              "moved to 20)" },
    { .name = "config_pcs1.max_current", .description = "PCS 1: current limit, single byte (raw)",
      .offset = 95, .type = BLUETTI_U8, .evidence = UNV,
      .note = "low byte of the register at 94; PCS 2 has the high byte. No unit: scale unknown" },
    { .name = "config_pcs2.type", .description = "PCS 2: type (chunk 1 of bytes 18-19)",
      .offset = 18, .type = BLUETTI_U16, .evidence = UNV, .xf = EL(0, 1), .note = SHARED_NOTE },
    { .name = "config_pcs2.max_current", .description = "PCS 2: current limit, single byte (raw)",
      .offset = 94, .type = BLUETTI_U8, .evidence = UNV,
      .note = "high byte of the register at 94. No unit: scale unknown" },

    { .name = "simple_end_fields.volt_level_set", .description = "Voltage level (bits 0-2 of bytes 176-177)",
      .offset = 176, .type = BLUETTI_U16, .evidence = REF, .xf = { BLUETTI_XF_BITMASK_(0x7) },
      .note = "shares bytes 176-177 with ac_supply_phase_num by design (reference-issues.md item "
              "3)" },
    { .name = "simple_end_fields.ac_supply_phase_num", .description = "AC supply phase count (bits 3-5 of bytes 176-177)",
      .offset = 176, .type = BLUETTI_U16, .evidence = REF,
      .xf = { BLUETTI_XF_SHIFT_(3), BLUETTI_XF_BITMASK_(0x7) },
      .note = "shares bytes 176-177 with volt_level_set by design (reference-issues.md item 3)" },
    { .name = "simple_end_fields.soc_gen_auto_stop", .unit = "%", .description = "SOC at which the generator auto-stops (clamped 0-100)",
      .offset = 178, .type = BLUETTI_U8, .evidence = REF, .xf = { BLUETTI_XF_CLAMP_(0, 100) },
      .note = "unit % inferred from the name (a state of charge); the reference names none" },
    { .name = "simple_end_fields.soc_gen_auto_start", .unit = "%", .description = "SOC at which the generator auto-starts",
      .offset = 179, .type = BLUETTI_U8, .evidence = REF,
      .note = "unit % inferred from the name (a state of charge); the reference names none" },
    { .name = "simple_end_fields.soc_black_start", .unit = "%", .description = "SOC threshold for black start",
      .offset = 181, .type = BLUETTI_U8, .evidence = REF,
      .note = "unit % inferred from the name (a state of charge); the reference names none" },
};

static const bluetti_block_schema ats_event_ext = {
    .id = 17400, .min_length = 96, .read_length = 182, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = UNV,
    .name = "ATS_EVENT_EXT", .description = "AT1 transfer switch settings",
    .fields = ats_ext_fields, .n_fields = N_OF(ats_ext_fields),
    .notes = "Partial in the reference. Its FieldGroups are flat fields named group.member with "
             "absolute offsets; members of the groups it calls verified_reference "
             "(top_level_enables, startup_flags, simple_end_fields) keep that evidence, members of "
             "its partial config_* groups are unverified. reference-issues.md item 3 (shared "
             "words): several members "
             "read the same word on purpose (enable-list chunks; volt_level_set and "
             "ac_supply_phase_num share 176-177); offsets follow the code (port types at 20, "
             "linkage at 22, PCS types at 18), not the stale docstring (18 / 32). The name "
             "ATS_EVENT_EXT is kept although the source calls it AT1 settings. min_length 96 "
             "is kept but 182 bytes (91 registers) are requested so the fields at 174-181 arrive.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &ats_info, &at1_base_info, &ats_event_ext,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-ats", "1.0.0",
                      "Automatic transfer switch blocks (17000, 17100, 17400)", init);
