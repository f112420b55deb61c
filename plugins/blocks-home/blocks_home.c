/* blocks-home: block 100 APP_HOME_DATA, the dashboard summary every model
 * answers. The layout follows what real devices send (EVIDENCE.md, "Block
 * 100, as real devices lay it out") where it differs from the reference
 * (BLUETTI-V2-PROTOCOL.md §6.5); every decision is written in `notes` and
 * in the note of the field it touches. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static const bluetti_enum_name charging_status_names[] = {
    { 0, "idle" }, { 1, "charging" }, { 2, "discharging" }, { 0, NULL },
};

/* Bits 1 and 2 are confirmed (EVIDENCE.md); the others are the mask table
 * of a Bluetooth decoder used on an Elite 200 V2. */
static const bluetti_bit_name control_status_bits[] = {
    { 0, "power_on" }, { 1, "ac_output_on" }, { 2, "dc_output_on" },
    { 3, "inverter_on" }, { 4, "grid_on" }, { 5, "pv_on" },
    { 6, "feedback_on" }, { 7, "meter_on" }, { 8, "led_on" },
    { 9, "eco_on" }, { 10, "power_lifting_on" }, { 0, NULL },
};

#define CDAB_NOTE "32-bit, low word first (EVIDENCE rule 1)"

static const bluetti_field home_fields[] = {
    { .name = "pack_voltage", .unit = "V", .description = "Battery pack voltage",
      .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "x0.1 V per the reference; one Elite 200 V2 decoder scales it x0.01 "
              "(EVIDENCE table, reference §9 E8), so the scale is doubtful" },
    { .name = "pack_current", .unit = "A",
      .description = "Battery pack current (negative while charging)",
      .offset = 2, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "signed as in the reference's head version (the seed read it unsigned)" },
    { .name = "soc", .unit = "%", .description = "Battery state of charge",
      .offset = 4, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "confirmed by a register dump and by users (EVIDENCE.md: C)" },
    { .name = "charging_status", .description = "Battery charging state",
      .offset = 6, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = charging_status_names,
      .note = "EVIDENCE.md (B): replaces the reference's u32 pack_power at 6-9, which reads "
              "absurd values on a real dump; value names from a community register map's "
              "pack charging status" },
    { .name = "time_remaining", .unit = "min", .description = "Estimated time to full charge",
      .offset = 8, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "EVIDENCE.md (B): minutes; one community map for the Elite 30 V2 reads this "
              "register as hours x0.1 instead" },
    { .name = "time_to_empty", .unit = "min", .description = "Estimated time to empty",
      .offset = 10, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "EVIDENCE.md (B): replaces the low half of the reference's u32 load_power at 10-13" },
    { .name = "ageing_flags", .description = "Battery ageing flag bits",
      .offset = 12, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "EVIDENCE.md (B): replaces the high half of the reference's u32 load_power" },
    { .name = "pack_online", .description = "Bit set of battery packs that are online",
      .offset = 16, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "device_model", .description = "Model name (e.g. EL30V2)",
      .offset = 20, .size = 12, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "the two bytes of every register are swapped; trailing NULs and spaces trimmed "
              "(EVIDENCE rule 2, C)" },
    { .name = "device_serial", .description = "Serial number (decimal)",
      .offset = 32, .type = BLUETTI_U64, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "one unsigned 64-bit integer, low word first, printed in decimal (EVIDENCE "
              "rule 3, C); the reference read 8 ASCII bytes" },
    { .name = "control_status", .description = "Output / control state bits",
      .offset = 48, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .bits = control_status_bits,
      .note = "EVIDENCE.md (B): bit 1 AC output on, bit 2 DC output on; replaces the "
              "reference's pack_temp_avg, which reads > 1000 C on a real dump" },
    { .name = "pack_temp_max", .unit = "°C", .description = "Highest pack temperature (doubtful)",
      .offset = 50, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_MINUS_(40) },
      .note = "kept from the reference, not required: on a real Elite 200 V2 this register "
              "held 404, an energy-like counter (§9 E5)" },
    { .name = "pack_temp_min", .unit = "°C", .description = "Lowest pack temperature (doubtful)",
      .offset = 52, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_MINUS_(40) },
      .note = "kept from the reference, not required; its neighbours at 48-51 are not "
              "temperatures on real units (§9 E5)" },
    { .name = "dc_output_power", .unit = "W", .description = "DC output power",
      .offset = 80, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE "; EVIDENCE.md (C). The reference called these bytes dc_input_power "
              "and gated them at protocol 2001: not gated here" },
    { .name = "ac_output_power", .unit = "W", .description = "AC output power",
      .offset = 84, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE "; EVIDENCE.md (C). The reference called these bytes ac_input_power "
              "(gated at 2001); not gated here" },
    { .name = "dc_input_power", .unit = "W", .description = "DC input power (solar / DC charging)",
      .offset = 88, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE "; EVIDENCE.md (C). The reference called these bytes pv_power "
              "(gated at 2001); not gated here" },
    { .name = "ac_input_power", .unit = "W", .description = "AC input power (grid)",
      .offset = 92, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE ", unsigned per EVIDENCE.md (C). The reference called these bytes "
              "grid_power (signed i32, gated at 2001); not gated here" },
    { .name = "total_energy_charge", .unit = "kWh",
      .description = "Lifetime charge energy (doubtful)",
      .offset = 100, .type = BLUETTI_U32, .evidence = BLUETTI_EV_UNVERIFIED,
      .min_protocol = 2001, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = CDAB_NOTE "; reference field, gate at 2001 kept: decodes once the device reports "
              "protocol >= 2001 (block 1) or the user overrides it. A real-unit decoder calls "
              "it total DC energy" },
    { .name = "ac_output_power_ref", .unit = "W",
      .description = "The reference's AC output power at 104 (doubtful)",
      .offset = 104, .type = BLUETTI_U32, .evidence = BLUETTI_EV_UNVERIFIED,
      .min_protocol = 2001,
      .note = "the reference's ac_output_power, renamed because the confirmed AC output power "
              "is at 84. Real-unit decoders read an energy counter (x0.1 kWh) or, on the "
              "Elite 200 V2, the battery voltage x0.01 here (§9 E7); gate 2001 kept" },
    { .name = "pv_charge_energy", .unit = "kWh", .description = "Lifetime energy charged from PV",
      .offset = 108, .type = BLUETTI_U32, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = CDAB_NOTE "; on a real Elite 200 V2 it matched the PV charge counter of block "
              "1200 (2.1 kWh), so the reference's 2001 gate is dropped" },
    { .name = "total_energy_discharge", .unit = "kWh",
      .description = "Lifetime discharge energy (doubtful)",
      .offset = 112, .type = BLUETTI_U32, .evidence = BLUETTI_EV_UNVERIFIED,
      .min_protocol = 2001, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = CDAB_NOTE "; reference field, gate 2001 kept; a real-unit decoder calls it grid "
              "charging energy" },
    { .name = "total_feedback_energy", .unit = "kWh",
      .description = "Lifetime energy fed to the grid (doubtful)",
      .offset = 116, .type = BLUETTI_U32, .evidence = BLUETTI_EV_UNVERIFIED,
      .min_protocol = 2001, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = CDAB_NOTE "; reference field, gate 2001 kept; portable units cannot export, so "
              "the meaning is doubtful" },
    { .name = "soh", .unit = "%", .description = "Battery state of health (doubtful)",
      .offset = 120, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "reference field, not required: real-unit decoders read a charging-mode enum "
              "at 120 (§9 E7)" },
    { .name = "pv1_voltage", .unit = "V", .description = "PV string 1 voltage (doubtful)",
      .offset = 124, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "reference field, not required: a real Elite 200 V2 shows an energy counter "
              "at 124 (§9 E7)" },
    { .name = "pv1_current", .unit = "A", .description = "PV string 1 current (doubtful)",
      .offset = 126, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = "reference field, not required (§9 E7)" },
    { .name = "pv2_voltage", .unit = "V", .description = "PV string 2 voltage (doubtful)",
      .offset = 128, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "reference field, not required: a real Elite 200 V2 held a counter (404) "
              "here (§9 E7)" },
    { .name = "pv2_current", .unit = "A", .description = "PV string 2 current (doubtful)",
      .offset = 130, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = "reference field, not required (§9 E7)" },
};

static const bluetti_block_schema home_data = {
    .id = 100, .min_length = 132, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_CONFIRMED,
    .name = "APP_HOME_DATA",
    .description = "Dashboard summary: battery, output/input powers, identity",
    .fields = home_fields, .n_fields = N_OF(home_fields),
    .notes =
        "Follows EVIDENCE.md where real units contradict the reference. "
        "(1) 32/64-bit values low word first (rule 1, §9 E1). "
        "(2) Bytes 6-13: the reference's u32 pack_power and load_power are replaced by "
        "charging_status, time_remaining, time_to_empty, ageing_flags (u16 each, §9 E4). "
        "(3) device_model byte-swapped per register (rule 2, E2); device_serial a u64 "
        "printed in decimal (rule 3, E3). "
        "(4) Byte 48: control_status bits replace pack_temp_avg (E5); pack_temp_max/min "
        "kept as unverified, optional. "
        "(5) Bytes 80-95 carry the confirmed DC output, AC output, DC input and AC input "
        "powers (E6) and are not gated at protocol 2001 (§9.1 #7); the reference's names "
        "for these bytes moved with them, and its ac_output_power at 104 became "
        "ac_output_power_ref. "
        "(6) Bytes 100-131: the reference's fields kept, unverified and optional (E7); the "
        "2001 gate stays on the four whose meaning is unknown and is dropped for "
        "pv_charge_energy, which matched another counter on a real unit. "
        "(7) min_length 132 as the reference's head version (§9.1 #8); profiles may read "
        "more (real units answer at least 160 bytes, E9).",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = { &home_data };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-home", "1.0.0",
                      "Block 100 APP_HOME_DATA: the dashboard summary", init);
