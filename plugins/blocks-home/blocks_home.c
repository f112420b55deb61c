/* blocks-home: block 1 BASE_CONFIG (protocol version, guest mode, Bluetooth
 * PIN) and block 100 APP_HOME_DATA, the dashboard summary every model
 * answers. Layouts follow what real units send where they differ from the
 * protocol reference (docs/protocol/blocks-home.md); every decision is
 * written in `notes` and in the note of the field it touches. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static const bluetti_enum_name charging_status_names[] = {
    { 0, "standby" }, { 1, "charging" }, { 2, "discharging" }, { 3, "idle" },
    { 4, "ac_charging" }, { 5, "solar_charging" }, { 0, NULL },
};

static const bluetti_enum_name charging_mode_names[] = {
    { 0, "standard" }, { 1, "silent" }, { 2, "turbo" }, { 0, NULL },
};

/* The layout of two decoders that fits a real Elite 30 V2 dump; another
 * decoder's app-derived map differs and on an AP300 the bits did not follow
 * a confirmed switch (docs/protocol/blocks-home.md). */
static const bluetti_bit_name control_status_bits[] = {
    { 0, "power_on" }, { 1, "ac_output_on" }, { 2, "dc_output_on" },
    { 3, "inverter_on" }, { 4, "grid_on" }, { 5, "pv_on" },
    { 6, "feedback_on" }, { 7, "meter_on" }, { 8, "led_on" },
    { 9, "eco_on" }, { 10, "power_lifting_on" }, { 0, NULL },
};

/* The dashboard's flow arrows and icons; bits 3 and 4 followed the AC and DC
 * outputs on a real AC180. */
static const bluetti_bit_name energy_line_bits[] = {
    { 0, "pv_to_battery" }, { 1, "grid_to_battery" }, { 2, "battery_to_grid" },
    { 3, "ac_load" }, { 4, "dc_load" }, { 5, "battery_to_inverter" },
    { 6, "inverter_to_battery" }, { 7, "grid_to_load" }, { 8, "pv_icon" },
    { 9, "grid_icon" }, { 10, "ac_load_icon" }, { 11, "pv_to_grid" },
    { 12, "pv_to_ac_load" }, { 13, "battery_to_ac_load" }, { 0, NULL },
};

#define CDAB_NOTE "32-bit, low word first (docs/protocol/blocks-home.md, word order)"
#define SIGNED_NOTE "; signed (two's complement): negative when energy flows the other way " \
    "on units that can export (two cloud decoders, one live on an EP760); an unsigned read " \
    "would show about 4.29 GW for a small negative power. A profile may declare magnitude only"
#define ENERGY(name_, desc_, off, ev, note_)                                            \
    { .name = (name_), .unit = "kWh", .description = (desc_), .offset = (off),          \
      .type = BLUETTI_U32, .evidence = (ev), .xf = { BLUETTI_XF_SCALE_(0.1) },          \
      .note = CDAB_NOTE "; x0.1 kWh. " note_ }

/* ---- block 1: base configuration ----------------------------------------- */

static const bluetti_field base_config_fields[] = {
    { .name = "specs", .description = "Specification code",
      .offset = 0, .type = BLUETTI_U8, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "high byte of register 1 in two Bluetooth decoders; meaning of the values unknown" },
    { .name = "voltage_type", .description = "Output voltage class code",
      .offset = 1, .type = BLUETTI_U8, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "low byte of register 1 in two Bluetooth decoders" },
    { .name = "guest_mode", .description = "Guest mode enabled",
      .offset = 2, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 2, whole register, in two Bluetooth decoders" },
    { .name = "bt_pin_enabled", .description = "Bluetooth PIN required",
      .offset = 10, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 6 in a decoder run against an AC180" },
    { .name = "bt_pin", .description = "Bluetooth PIN (secret: masked unless --show-secrets)",
      .offset = 12, .size = 16, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_TEXT_SWAP | BLUETTI_F_SENSITIVE, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "registers 7-14, text with the bytes of every register swapped like every "
              "model text (AC180 decoder); a secret: tools mask it and the library never "
              "logs it" },
    { .name = "modbus_version", .description = "Modbus implementation version",
      .offset = 28, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 15 in one decoder" },
    { .name = "protocol_version", .description = "Protocol version the unit speaks",
      .offset = 30, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "register 16: three decoders read it there and real units report 2004 (AC180) "
              "and 2005 (AC50B); it gates the fields that need a newer protocol, with the "
              "profile's value as the fallback" },
};

static const bluetti_block_schema base_config = {
    .id = 1, .min_length = 32, .read_length = 32, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_CONFIRMED,
    .name = "BASE_CONFIG",
    .description = "Base configuration: protocol version, guest mode, Bluetooth PIN",
    .fields = base_config_fields, .n_fields = N_OF(base_config_fields),
    .notes =
        "Not in the protocol reference's catalog; laid out as Bluetooth decoders read it "
        "(docs/protocol/blocks-home.md). The protocol version at byte 30 is what the "
        "profiles' version detection reads. The Bluetooth PIN is flagged sensitive.",
};

/* ---- block 100: APP_HOME_DATA -------------------------------------------- */

static const bluetti_field home_fields[] = {
    { .name = "pack_voltage", .unit = "V", .description = "Battery pack voltage",
      .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "scale differs by device: x0.1 V on the EP760 (live over the cloud) and the "
              "AP300, x0.01 V in two Bluetooth decoders and on an AC50B dump; x0.1 here, "
              "profiles override it" },
    { .name = "pack_current", .unit = "A",
      .description = "Battery pack current (negative while charging)",
      .offset = 2, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "i16 x0.1 A in four decoders; consistent with an Elite 30 V2 dump" },
    { .name = "soc", .unit = "%", .description = "Battery state of charge",
      .offset = 4, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "every source; confirmed by a register dump" },
    { .name = "charging_status", .description = "Battery charging state",
      .offset = 6, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = charging_status_names,
      .note = "replaces the reference's u32 pack_power at 6-9, which reads absurd values on a "
              "real dump; 0-2 in four decoders, 3-5 from an app-derived cloud decoder" },
    { .name = "time_remaining", .unit = "min", .description = "Estimated time to full charge",
      .offset = 8, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "minutes on the Elite V2 and EL10 (decoders tested by users); hours x0.1 on the "
              "AC70, AP300 and AC50B: those profiles override scale and unit" },
    { .name = "time_to_empty", .unit = "min", .description = "Estimated time to empty",
      .offset = 10, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "three decoders; replaces the low half of the reference's u32 load_power at 10-13" },
    { .name = "ageing_flags", .description = "Battery ageing flag bits",
      .offset = 12, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "three decoders; replaces the high half of the reference's u32 load_power" },
    { .name = "pack_count", .description = "Number of battery packs",
      .offset = 15, .type = BLUETTI_U8, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "low byte of register 107 in three decoders" },
    { .name = "pack_online", .description = "Bit set of battery packs that are online",
      .offset = 16, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .note = "register 108 in three decoders" },
    { .name = "can_fault_bits", .description = "CAN-bus fault bits",
      .offset = 18, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 109 in two related decoders" },
    { .name = "device_model", .description = "Model name (e.g. EL30V2)",
      .offset = 20, .size = 12, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "the two bytes of every register are swapped; trailing NULs and spaces trimmed "
              "(every source, a real dump)" },
    { .name = "device_serial", .description = "Serial number (decimal)",
      .offset = 32, .type = BLUETTI_U64, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "one unsigned 64-bit integer, low word first, printed in decimal (every source, "
              "a real dump); the reference read 8 ASCII bytes" },
    { .name = "inverter_count", .description = "Number of inverters",
      .offset = 41, .type = BLUETTI_U8, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "low byte of register 120 in three decoders" },
    { .name = "inverters_online", .description = "Bit set of inverters that are online",
      .offset = 42, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 121 in two related decoders" },
    { .name = "inverter_power_type", .description = "Inverter power class code",
      .offset = 45, .type = BLUETTI_U8, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "low byte of register 122 in three decoders" },
    { .name = "energy_lines", .description = "Energy-flow arrows and icons of the dashboard",
      .offset = 46, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .bits = energy_line_bits,
      .note = "register 123 in three decoders; the AC and DC load bits followed the outputs on "
              "a real AC180" },
    { .name = "control_status", .description = "Output / control state bits (unreliable)",
      .offset = 48, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .bits = control_status_bits,
      .note = "bit layout disputed between decoders; on an AP300 the bits did not follow a "
              "confirmed switch: read the output switches from block 2000 (ctrl_ac, ctrl_dc). "
              "Replaces the reference's pack_temp_avg, which reads > 1000 C on a real dump" },
    { .name = "counter_50", .description = "Unidentified counter (raw)",
      .offset = 50, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "an energy-like counter on a probed Elite 200 V2; replaces the reference's "
              "pack_temp_max here and pack_temp_min at 52, which no source supports" },
    { .name = "dc_output_power", .unit = "W", .description = "DC output power",
      .offset = 80, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE "; five decoders and a real dump. Not gated at protocol 2001 as the "
              "reference did (it called these bytes dc_input_power)" },
    { .name = "ac_output_power", .unit = "W", .description = "AC output power",
      .offset = 84, .type = BLUETTI_I32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE SIGNED_NOTE ". The reference called these bytes ac_input_power" },
    { .name = "dc_input_power", .unit = "W", .description = "DC input power (solar / DC charging)",
      .offset = 88, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE "; every source. The reference called these bytes pv_power" },
    { .name = "ac_input_power", .unit = "W",
      .description = "AC input (grid) power, negative when exporting",
      .offset = 92, .type = BLUETTI_I32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE SIGNED_NOTE ". The reference called these bytes grid_power" },
    { .name = "inverter_power", .unit = "W", .description = "Total inverter power (signed)",
      .offset = 96, .type = BLUETTI_I32, .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB_NOTE SIGNED_NOTE "; four decoders, non-zero on a real Elite 30 V2 dump" },
    ENERGY("dc_energy_total", "Lifetime DC energy", 100, BLUETTI_EV_CONFIRMED,
           "Three decoders; the reference called it total_energy_charge and gated it at "
           "protocol 2001 (no gate here: units reporting 2004 carry it)"),
    ENERGY("ac_energy_total", "Lifetime AC energy", 104, BLUETTI_EV_CONFIRMED,
           "Five decoders read an energy counter here (one EP600 decoder: total AC "
           "consumption); the reference's ac_output_power (called ac_output_power_ref "
           "before) is contradicted. An Elite 200 V2 decoder reads the battery voltage "
           "x0.01 here instead"),
    ENERGY("pv_charge_energy", "Lifetime energy charged from PV", 108, BLUETTI_EV_CONFIRMED,
           "Every decoder; matched block 1200's PV charge counter on a real Elite 200 V2"),
    ENERGY("grid_charge_energy", "Lifetime energy charged from the grid", 112,
           BLUETTI_EV_CONFIRMED,
           "Three decoders (EP600: total grid consumption); the reference's name "
           "total_energy_discharge is wrong"),
    ENERGY("feedback_energy", "Lifetime energy fed to the grid", 116, BLUETTI_EV_CONFIRMED,
           "Five decoders; the reference called it total_feedback_energy"),
    { .name = "charging_mode", .description = "Charging-mode selector",
      .offset = 120, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .enums = charging_mode_names,
      .note = "register 160 in four decoders; an AC50B dump holds a valid mode here that would "
              "be an impossible value for the reference's soh" },
    { .name = "inverter_work_status", .description = "Inverter working state code",
      .offset = 123, .type = BLUETTI_U8, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "low byte of register 161 in three decoders" },
    ENERGY("pv_to_ac_energy", "Lifetime energy from PV to the AC side", 124,
           BLUETTI_EV_UNVERIFIED,
           "Two related decoders; a counter on a real Elite 200 V2. Replaces the reference's "
           "pv1_voltage / pv1_current"),
    { .name = "self_sufficiency", .unit = "%", .description = "Self-sufficiency rate",
      .offset = 129, .type = BLUETTI_U8, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "one decoder; the reference's pv2_voltage / pv2_current here are contradicted. "
              "The PV-to-AC power that decoder reads at 130 holds a counter even with no PV, "
              "so it is not decoded" },
    ENERGY("pack_discharge_energy", "Lifetime battery discharge energy", 134,
           BLUETTI_EV_UNVERIFIED, "Two related decoders"),
    { .name = "rated_voltage", .description = "Rated output voltage (raw)",
      .offset = 138, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 169 in two related decoders, which give no scale" },
    { .name = "rated_frequency", .description = "Rated output frequency (raw)",
      .offset = 140, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 170 in two related decoders, which give no scale" },
};

static const bluetti_block_schema home_data = {
    .id = 100, .min_length = 132, .read_length = 142, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_CONFIRMED,
    .name = "APP_HOME_DATA",
    .description = "Dashboard summary: battery, output/input powers, identity",
    .fields = home_fields, .n_fields = N_OF(home_fields),
    .notes =
        "Laid out as real units send it where they contradict the reference "
        "(docs/protocol/blocks-home.md). (1) 32/64-bit values low word first. "
        "(2) Bytes 6-13: the reference's u32 pack_power and load_power are replaced by "
        "charging_status, time_remaining, time_to_empty, ageing_flags. (3) device_model "
        "byte-swapped per register; device_serial a u64 printed in decimal. (4) Byte 48: "
        "control_status replaces pack_temp_avg but is unreliable (use block 2000); the "
        "reference's pack_temp_max / pack_temp_min at 50/52 are contradicted (counter_50). "
        "(5) Powers at 84, 92 and 96 are signed. (6) No field is gated at protocol 2001: "
        "the energy counters at 100-119 are named for what they count (dc_energy_total, "
        "ac_energy_total, pv_charge_energy, grid_charge_energy, feedback_energy; the "
        "reference's total_energy_charge, ac_output_power, total_energy_discharge and "
        "total_feedback_energy). (7) Byte 120 is the charging mode, not the reference's soh; "
        "124-131 are counters, not the reference's pv1_voltage, pv1_current, pv2_voltage, "
        "pv2_current. (8) read_length 142 reaches the rated frequency; units answer at least "
        "142 bytes (reads of 67-92 registers succeed).",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = { &base_config, &home_data };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-home", "1.0.0",
                      "Blocks 1 BASE_CONFIG and 100 APP_HOME_DATA: protocol version and the dashboard", init);
