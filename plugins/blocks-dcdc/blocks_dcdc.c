/* blocks-dcdc: DC-DC charger and DC hub blocks (15500 DC_DC_INFO,
 * 15600 DC_DC_SETTINGS, 15700 DC_HUB_INFO, 15750 DC_HUB_SETTINGS).
 * Layouts from the older protocol reference (docs/protocol/README.md); decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define UNV BLUETTI_EV_UNVERIFIED

static const bluetti_enum_name off_on[] = {
    { 0, "off" }, { 1, "on" }, { 0, NULL },
};

/* ---- 15500 DC_DC_INFO --------------------------------------------------- */

static const bluetti_field dcdc_info_fields[] = {
    { .name = "model", .description = "DC-DC charger model text",
      .offset = 0, .size = 12, .type = BLUETTI_TEXT, .flags = BLUETTI_F_TEXT_SWAP, .evidence = UNV,
      .note = "12-byte model text read with the bytes of every register swapped (EVIDENCE "
              "rule 2, reference-issues.md item E2 'probably all 12-byte model fields'); not "
              "confirmed for this block" },
    { .name = "serial_number", .description = "DC-DC charger serial text",
      .offset = 12, .size = 8, .type = BLUETTI_TEXT, .evidence = UNV,
      .note = "kept as plain text per the reference; the main unit's serial is a 64-bit "
              "integer on real devices (EVIDENCE rule 3), which may hold here too" },
    { .name = "dc_input_volt", .unit = "V", .description = "Input voltage",
      .offset = 20, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "dc_output_volt", .unit = "V", .description = "Output voltage",
      .offset = 22, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "dc_output_current", .unit = "A", .description = "Output current",
      .offset = 24, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "dc_output_power", .unit = "W", .description = "Output power",
      .offset = 26, .type = BLUETTI_U16 },
    { .name = "energy_line_car_to_charger", .description = "Energy-flow flag car to charger (bit 15 of bytes 28-29)",
      .offset = 28, .type = BLUETTI_U16, .evidence = UNV, .enums = off_on,
      .xf = { BLUETTI_XF_SHIFT_(15), BLUETTI_XF_BITMASK_(0x1) },
      .note = "reference-issues.md item 11: the app reads this word as a binary list (one bit "
              "per element); the "
              "reference substituted 2-bit enable-list chunks. Decoded like the app: element 0 "
              "= bit 15 (the list is walked most significant bit first, as hexStrToEnableList does)" },
    { .name = "energy_line_charger_to_device", .description = "Energy-flow flag charger to device (bit 14 of bytes 28-29)",
      .offset = 28, .type = BLUETTI_U16, .evidence = UNV, .enums = off_on,
      .xf = { BLUETTI_XF_SHIFT_(14), BLUETTI_XF_BITMASK_(0x1) },
      .note = "reference-issues.md item 11: one bit per element like the app, element 1 = bit 14 "
              "(the reference "
              "used 2-bit chunk 1, i.e. bits 13-12)" },
};

static const bluetti_block_schema dcdc_info = {
    .id = 15500, .min_length = 30, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "DC_DC_INFO", .description = "DC-DC charger status",
    .fields = dcdc_info_fields, .n_fields = N_OF(dcdc_info_fields),
    .notes = "reference-issues.md item 11 (1-bit vs 2-bit list): bytes 28-29 are decoded as the "
             "app does, one bit per "
             "element taken most significant bit first (car_to_charger = bit 15, "
             "charger_to_device = bit 14), not as the reference's 2-bit chunks; unverified. "
             "Model text byte-swapped per register (E2, unverified here).",
};

/* ---- 15600 DC_DC_SETTINGS ----------------------------------------------- */

static const bluetti_field dcdc_settings_fields[] = {
    { .name = "dc_ctrl", .description = "DC-DC enable (enable-list chunk 0 of bytes 0-1)",
      .offset = 0, .type = BLUETTI_U16, .evidence = UNV, .xf = { BLUETTI_XF_ENABLE_LIST_(0, 0) } },
    { .name = "silent_mode_ctrl", .description = "Silent mode (enable-list chunk 1)",
      .offset = 0, .type = BLUETTI_U16, .evidence = UNV, .xf = { BLUETTI_XF_ENABLE_LIST_(0, 1) } },
    { .name = "factory_set", .description = "Factory-settings flag (enable-list chunk 2)",
      .offset = 0, .type = BLUETTI_U16, .evidence = UNV, .xf = { BLUETTI_XF_ENABLE_LIST_(0, 2) } },
    { .name = "self_adaption_enable", .description = "Self-adaption (enable-list chunk 3)",
      .offset = 0, .type = BLUETTI_U16, .evidence = UNV, .xf = { BLUETTI_XF_ENABLE_LIST_(0, 3) } },
    { .name = "volt_set_dc1", .unit = "V", .description = "Channel 1 voltage setpoint",
      .offset = 2, .type = BLUETTI_U16, .evidence = UNV, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "reference-issues.md item 12: x0.1 kept (the charger's measured volts in 15500 use "
              "x0.1); the app "
              "parser itself applies no division, so the scale is unverified. Never write it back" },
    { .name = "output_current_dc1", .description = "Channel 1 current limit, raw (scale unknown)",
      .offset = 4, .type = BLUETTI_U16, .evidence = UNV,
      .note = "reference-issues.md item 12: no known scale, so no unit (the reference's unit was "
              "'UNKNOWN'); raw integer" },
    { .name = "volt_set_dc2", .unit = "V", .description = "Channel 2 voltage setpoint",
      .offset = 6, .type = BLUETTI_U16, .evidence = UNV, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "reference-issues.md item 12: x0.1 as for volt_set_dc1; unverified" },
    { .name = "output_current_dc2", .description = "Channel 2 current limit, raw (scale unknown)",
      .offset = 8, .type = BLUETTI_U16, .evidence = UNV,
      .note = "not in the reference's table (its note says bytes 8-9 hold it but leaves it out); "
              "added raw, without unit, like output_current_dc1" },
    { .name = "volt_set_dc3", .unit = "V", .description = "Channel 3 voltage setpoint",
      .offset = 10, .type = BLUETTI_U16, .evidence = UNV, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "reference-issues.md item 12: x0.1 as for volt_set_dc1; unverified" },
    { .name = "output_current_dc3", .unit = "A", .description = "Channel 3 current limit",
      .offset = 12, .type = BLUETTI_U16, .evidence = UNV, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "reference-issues.md item 12: x0.1 A per the reference's schema; the app applies "
              "no division; unverified" },
};

static const bluetti_block_schema dcdc_settings = {
    .id = 15600, .min_length = 36, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = UNV,
    .name = "DC_DC_SETTINGS", .description = "DC-DC charger settings",
    .fields = dcdc_settings_fields, .n_fields = N_OF(dcdc_settings_fields),
    .notes = "Partial in the reference; every field unverified. reference-issues.md item 12 "
             "(unscaled setpoints): the "
             "voltage setpoints and channel 3 current keep the reference's x0.1 (consistent with "
             "the x0.1 V readings of 15500) although the app parser divides nothing; channel 1/2 "
             "currents stay raw without a unit. Safety-critical: read only, never write these. "
             "Channel 2 current (bytes 8-9) added; bytes 14-35 are not modelled.",
};

/* ---- 15700 DC_HUB_INFO -------------------------------------------------- */

#define RAW_NOTE "the reference labels it 'raw' and gives no scale: raw integer, no unit " \
                 "(reference-issues.md item 17)"
#define GAP_NOTE "status word inferred by the reference from a gap between ports"

static const bluetti_field hub_info_fields[] = {
    { .name = "model", .description = "DC hub model text",
      .offset = 0, .size = 12, .type = BLUETTI_TEXT, .flags = BLUETTI_F_TEXT_SWAP, .evidence = UNV,
      .note = "12-byte model text read with the bytes of every register swapped (EVIDENCE "
              "rule 2, reference-issues.md item E2 'probably all 12-byte model fields'); not "
              "confirmed for this block" },
    { .name = "serial_number", .description = "DC hub serial text",
      .offset = 12, .size = 8, .type = BLUETTI_TEXT, .evidence = UNV,
      .note = "kept as plain text per the reference; the main unit's serial is a 64-bit "
              "integer on real devices (EVIDENCE rule 3), which may hold here too" },
    { .name = "dc_input_power", .unit = "W", .description = "Input power",
      .offset = 20, .type = BLUETTI_U16, .evidence = UNV },
    { .name = "dc_input_voltage", .description = "Input voltage (raw, scale unknown)",
      .offset = 22, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "dc_input_current", .description = "Input current (raw, scale unknown)",
      .offset = 24, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "dc_output_power", .unit = "W", .description = "Total output power",
      .offset = 26, .type = BLUETTI_U16, .evidence = UNV },
    { .name = "dc_output_voltage", .description = "Output voltage (raw, scale unknown)",
      .offset = 28, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "dc_output_current", .description = "Output current (raw, scale unknown)",
      .offset = 30, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "cigarette_lighter_1_power", .unit = "W", .description = "Car socket 1: power",
      .offset = 32, .type = BLUETTI_U16, .evidence = UNV },
    { .name = "cigarette_lighter_1_voltage", .description = "Car socket 1: voltage (raw, scale unknown)",
      .offset = 34, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "cigarette_lighter_1_status", .description = "Car socket 1: status word",
      .offset = 36, .type = BLUETTI_U16, .evidence = UNV, .note = GAP_NOTE },
    { .name = "cigarette_lighter_2_power", .unit = "W", .description = "Car socket 2: power",
      .offset = 38, .type = BLUETTI_U16, .evidence = UNV },
    { .name = "cigarette_lighter_2_voltage", .description = "Car socket 2: voltage (raw, scale unknown)",
      .offset = 40, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "cigarette_lighter_2_status", .description = "Car socket 2: status word",
      .offset = 42, .type = BLUETTI_U16, .evidence = UNV, .note = GAP_NOTE },
    { .name = "usb_a_power", .unit = "W", .description = "USB-A: power",
      .offset = 44, .type = BLUETTI_U16, .evidence = UNV },
    { .name = "usb_a_voltage", .description = "USB-A: voltage (raw, scale unknown)",
      .offset = 46, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "usb_a_status", .description = "USB-A: status word",
      .offset = 48, .type = BLUETTI_U16, .evidence = UNV, .note = GAP_NOTE },
    { .name = "type_c_1_power", .unit = "W", .description = "USB-C 1: power",
      .offset = 50, .type = BLUETTI_U16, .evidence = UNV },
    { .name = "type_c_1_voltage", .description = "USB-C 1: voltage (raw, scale unknown)",
      .offset = 52, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "type_c_1_status", .description = "USB-C 1: status word",
      .offset = 54, .type = BLUETTI_U16, .evidence = UNV, .note = GAP_NOTE },
    { .name = "type_c_2_power", .unit = "W", .description = "USB-C 2: power",
      .offset = 56, .type = BLUETTI_U16, .evidence = UNV },
    { .name = "type_c_2_voltage", .description = "USB-C 2: voltage (raw, scale unknown)",
      .offset = 58, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "type_c_2_status", .description = "USB-C 2: status word",
      .offset = 60, .type = BLUETTI_U16, .evidence = UNV, .note = GAP_NOTE },
    { .name = "anderson_power", .unit = "W", .description = "Anderson port: power",
      .offset = 62, .type = BLUETTI_U16, .evidence = UNV },
    { .name = "anderson_voltage", .description = "Anderson port: voltage (raw, scale unknown)",
      .offset = 64, .type = BLUETTI_U16, .evidence = UNV, .note = RAW_NOTE },
    { .name = "anderson_status", .description = "Anderson port: status word",
      .offset = 66, .type = BLUETTI_U16, .evidence = UNV, .note = GAP_NOTE },
};

static const bluetti_block_schema hub_info = {
    .id = 15700, .min_length = 68, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = UNV,
    .name = "DC_HUB_INFO", .description = "DC hub port monitor",
    .fields = hub_info_fields, .n_fields = N_OF(hub_info_fields),
    .notes = "Partial in the reference; every field unverified. reference-issues.md item 17 "
             "(units without scales): "
             "voltages and currents labelled 'raw' have no known scale, so they are returned as "
             "raw integers with no unit rather than a unit that would lie. Status words at "
             "36/42/48/54/60/66 are inferred from gaps. Model text byte-swapped per register (E2).",
};

/* ---- 15750 DC_HUB_SETTINGS ---------------------------------------------- */

static const bluetti_bit_name hub_enable_bits[] = {
    { 0, "dc_enable" }, { 1, "switch_recovery_enable" }, { 0, NULL },
};

static const bluetti_field hub_settings_fields[] = {
    { .name = "enable_flags", .description = "Enable bits: bit0 DC enable, bit1 switch-recovery enable",
      .offset = 0, .type = BLUETTI_U16, .evidence = UNV, .bits = hub_enable_bits,
      .note = "provisional in the reference; overlaps dc_voltage_set (reference-issues.md item "
              "2)" },
    { .name = "dc_voltage_set", .description = "DC voltage setting (raw; same byte as the high byte of enable_flags)",
      .offset = 0, .type = BLUETTI_U8, .evidence = UNV,
      .note = "reference-issues.md item 2: shares byte 0 with enable_flags. Kept where the "
              "reference puts it so "
              "neither reading is lost; at most one of the two can be right. No unit: scale unknown" },
};

static const bluetti_block_schema hub_settings = {
    .id = 15750, .min_length = 2, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = UNV,
    .name = "DC_HUB_SETTINGS", .description = "DC hub settings",
    .fields = hub_settings_fields, .n_fields = N_OF(hub_settings_fields),
    .notes = "Partial in the reference. reference-issues.md item 2 (overlapping fields): "
             "enable_flags (u16 @0) and "
             "dc_voltage_set (u8 @0, the high byte of the same register) are both decoded and "
             "both unverified; the layout is unresolved and nothing here should be written back.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &dcdc_info, &dcdc_settings, &hub_info, &hub_settings,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-dcdc", "1.0.0",
                      "DC-DC charger and DC hub blocks (15500, 15600, 15700, 15750)", init);
