/* blocks-pack: battery blocks 6000 PACK_MAIN_INFO, 6100 PACK_ITEM_INFO,
 * 6300 PACK_SUB_PACK_INFO (cell data) and 7000 PACK_SETTINGS.
 * Layouts from the older protocol reference (docs/protocol/README.md), corrected by real-device
 * evidence (docs/protocol/wire-rules.md and blocks-pack.md). Variable parts (cell
 * voltages, temperatures, firmware lists) are arrays whose counts come from
 * the payload, so a count pointing past the data is reported, never read. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define CDAB "32-bit, low word first (EVIDENCE rule 1); the reference read it high word first"

static const bluetti_enum_name pack_charging_names[] = {
    { 0, "idle" }, { 1, "charging" }, { 2, "discharging" }, { 0, NULL },
};

/* ---- 6000 PACK_MAIN_INFO ------------------------------------------------- */

static const bluetti_field pack_main_fields[] = {
    { .name = "pack_volt_type", .description = "Pack voltage class code",
      .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "pack_count", .description = "Number of battery packs",
      .offset = 3, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "pack_online", .description = "Bit set of online packs",
      .offset = 4, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "voltage", .unit = "V", .description = "Total pack voltage",
      .offset = 6, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "scale differs by device: x0.1 V on the EP760 (live) and AP300, x0.01 V on the "
              "AC180 (x0.1 would read ten times the pack voltage there); x0.1 here, profiles "
              "override it" },
    { .name = "current", .unit = "A", .description = "Total pack current (negative = charging)",
      .offset = 8, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "signed as in the reference's head version (the seed read it unsigned)" },
    { .name = "soc", .unit = "%", .description = "State of charge",
      .offset = 11, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "byte 11 (low byte of register 6005), reference-issues.md item 1: the app docs, "
              "the seed and a "
              "Bluetooth decoder that publishes it as the battery level of a real Elite 200 V2 "
              "agree; the head's byte 12 was an unconfirmed fix for the overlap with power" },
    { .name = "soh", .unit = "%", .description = "State of health",
      .offset = 13, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "temp_avg", .unit = "°C", .description = "Mean temperature",
      .offset = 14, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED | BLUETTI_F_ZERO_UNREPORTED,
      .xf = { BLUETTI_XF_MINUS_(40) },
      .note = "raw - 40 C (live on an EP760, fits an AC180 value); raw 0 means not reported "
              "and then reads -40" },
    { .name = "running_status", .description = "Running state code",
      .offset = 17, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "charging_status", .description = "Charging state",
      .offset = 19, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED,
      .enums = pack_charging_names,
      .note = "value names from Bluetooth decoders (1 charging, 2 discharging)" },
    { .name = "max_charge_voltage", .unit = "V", .description = "Charge voltage limit",
      .offset = 20, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "scale differs by device: x0.1 on a probed Elite 200 V2 (426 = 42.6 V, 12S), "
              "x0.01 on the AC180; x0.1 here, profiles override it" },
    { .name = "max_charge_current", .unit = "A", .description = "Charge current limit",
      .offset = 22, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "max_discharge_current", .unit = "A", .description = "Discharge current limit",
      .offset = 24, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "pack_mos", .description = "MOSFET state bits",
      .offset = 32, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "time_to_full", .unit = "min", .description = "Estimated minutes to full",
      .offset = 34, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "time_to_empty", .unit = "min", .description = "Estimated minutes to empty",
      .offset = 36, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "cell_count", .description = "Cells per pack",
      .offset = 38, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "cycles", .description = "Charge cycle count",
      .offset = 40, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "temp_max", .unit = "°C", .description = "Highest cell temperature",
      .offset = 50, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED | BLUETTI_F_ZERO_UNREPORTED,
      .xf = { BLUETTI_XF_MINUS_(40) } },
    { .name = "temp_min", .unit = "°C", .description = "Lowest cell temperature",
      .offset = 52, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED | BLUETTI_F_ZERO_UNREPORTED,
      .xf = { BLUETTI_XF_MINUS_(40) } },
    { .name = "pack_fault_bits", .description = "Pack fault bits",
      .offset = 62, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
};

static const bluetti_block_schema pack_main_info = {
    .id = 6000, .min_length = 64, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "PACK_MAIN_INFO", .description = "Battery summary across packs",
    .fields = pack_main_fields, .n_fields = N_OF(pack_main_fields),
    .notes =
        "reference-issues.md item 1: soc is byte 11 (app docs, seed, and a real-unit Bluetooth "
        "decoder), not the "
        "head's byte 12. The reference's `power` (u16 at 10-11) is not decoded: it is absent "
        "from the app docs (the seed marks it computed, the head provisional, "
        "reference-issues.md item 19) and its "
        "low byte is the soc; power = voltage x current. reference-issues.md item E8: voltage "
        "keeps x0.1, marked "
        "unverified. max_charge_voltage x0.1 confirmed by a probe. The docs' protect_status "
        "(58-61) is not modelled (bit meaning unknown).",
};

/* ---- 6100 PACK_ITEM_INFO ------------------------------------------------- */

static const bluetti_field pack_item_fields[] = {
    { .name = "pack_id", .description = "Pack number",
      .offset = 1, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "pack_type", .description = "Pack type text",
      .offset = 2, .size = 12, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "12-byte model text read byte-swapped per register like the block 100 model "
              "(EVIDENCE rule 2; reference-issues.md item E2 'probably all 12-byte model "
              "fields')" },
    { .name = "pack_sn", .description = "Pack serial number (decimal)",
      .offset = 14, .type = BLUETTI_U64, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "one u64, low word first, like the block 100 serial (four decoders, a user's "
              "AC180); the reference read 8 plain text bytes" },
    { .name = "voltage", .unit = "V", .description = "Pack voltage",
      .offset = 22, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.01) },
      .note = "x0.01 V, the app's per-pack divisor (one app-derived cloud decoder); the older "
              "reference said x0.1: profiles override it" },
    { .name = "current", .unit = "A", .description = "Pack current (negative = charging)",
      .offset = 24, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "signed as the reference's head (the docs say unsigned, reference-issues.md item "
              "9)" },
    { .name = "pack_soc", .unit = "%", .description = "Pack state of charge",
      .offset = 27, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "pack_soh", .unit = "%", .description = "Pack state of health",
      .offset = 29, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "average_temp", .unit = "°C", .description = "Pack mean temperature",
      .offset = 30, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED | BLUETTI_F_ZERO_UNREPORTED,
      .xf = { BLUETTI_XF_MINUS_(40) } },
    { .name = "running_status", .description = "Running state code",
      .offset = 49, .type = BLUETTI_U8 },
    { .name = "charging_status", .description = "Charging state",
      .offset = 51, .type = BLUETTI_U8, .enums = pack_charging_names,
      .note = "value names as for block 6000 (Bluetooth decoders)" },
    { .name = "pack_cap_online", .description = "Online capacity indicator",
      .offset = 59, .type = BLUETTI_U8 },
    { .name = "chg_protect_bits", .description = "Charge protection bits (app code group 0x11)",
      .offset = 88, .type = BLUETTI_U16,
      .note = "from the reference's 6100 docs table (§6.3), not in its schema; raw bits" },
    { .name = "dsg_protect_bits", .description = "Discharge protection bits (app code group 0x21)",
      .offset = 90, .type = BLUETTI_U16,
      .note = "from the reference's 6100 docs table (§6.3), not in its schema; raw bits" },
    { .name = "sys_error_words",
      .description = "System error bits, 4 registers (app code group 0x31)",
      .offset = 92, .size = 4, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .note = "bytes 92-99 from the docs (§6.3; the doc says '6 bytes'), as raw registers in "
              "wire order so no word order is assumed" },
    { .name = "high_volt_alarm_bits",
      .description = "High-voltage alarm bits (app code group 0x01)",
      .offset = 100, .type = BLUETTI_U16, .note = "from the reference's docs table (§6.3)" },
    { .name = "total_cell_cnt", .description = "Number of cells",
      .offset = 105, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "ntc_cell_cnt", .description = "Number of temperature sensors",
      .offset = 107, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "bmu_cnt", .description = "Number of BMUs",
      .offset = 109, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "bmu_fault_bit", .description = "BMU fault bits",
      .offset = 110, .type = BLUETTI_U16 },
    { .name = "protect2_words",
      .description = "Protection status 2, 2 registers (app code group 0x51)",
      .offset = 128, .size = 2, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .note = "bytes 128-131 from the docs (§6.3), raw registers in wire order" },
    { .name = "dcdc_alarm_bits", .description = "Pack DC-DC alarm bits (app code group 0xA1)",
      .offset = 134, .type = BLUETTI_U16, .note = "from the reference's docs table (§6.3)" },
    { .name = "dcdc_protect", .description = "Pack DC-DC protection bits",
      .offset = 138, .type = BLUETTI_U16 },
    { .name = "bmu_type", .description = "BMU type code",
      .offset = 143, .type = BLUETTI_U8 },
    /* firmware versions: 6-byte entries from 148 (u16 id, u32 version / 100) */
    { .name = "bcu_version", .description = "BCU (BMS) firmware version",
      .offset = 150, .type = BLUETTI_U32, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.01) },
      .note = CDAB "; /100; read as the BMS version by decoders on the AC180, AC70, AP300, "
              "EL10 and EP600" },
    { .name = "bmu_version", .description = "BMU firmware version",
      .offset = 156, .type = BLUETTI_U32, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.01) },
      .note = CDAB "; /100 (two EP600/EP760 decoders). The reference's fm_ver_diff, "
              "mcu_status, pack_type_diff and software_number at 156-159 are contradicted" },
    { .name = "safety_version", .description = "Safety module firmware version",
      .offset = 162, .type = BLUETTI_U32, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.01) }, .note = CDAB "; /100 (two EP600 decoders)" },
    { .name = "hv_version", .description = "High-voltage module firmware version",
      .offset = 168, .type = BLUETTI_U32, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.01) }, .note = CDAB "; /100 (two EP600 decoders)" },
};

static const bluetti_block_schema pack_item_info = {
    .id = 6100, .min_length = 112, .read_length = 172, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_CONFIRMED,
    .name = "PACK_ITEM_INFO", .description = "One battery pack in detail, with firmware versions",
    .fields = pack_item_fields, .n_fields = N_OF(pack_item_fields),
    .notes =
        "Fixed part as the reference's schema, plus the docs' protection words (88-101, "
        "128-135) as raw values. Corrected by real units (docs/protocol/blocks-pack.md): "
        "pack_sn is a u64 low word first; the pack voltage is x0.01 (the app's divisor); "
        "bytes 148-171 are a firmware version list of 6-byte entries (BCU at 150, BMU at 156, "
        "safety at 162, high-voltage at 168, each u32 / 100), which replaces the reference's "
        "fm_ver_diff, mcu_status, pack_type_diff and software_number at 156-159 and its "
        "variable part from 160 (software_module_id / software_version entries, then "
        "cell_voltage, cell_status and cell_temp): real units keep cell data in block 6300. "
        "min_length 112 (an AP300 pack answered short), read_length 172 reaches the last "
        "version; the app asks for 208 bytes.",
};

/* ---- 6300 PACK_SUB_PACK_INFO --------------------------------------------- */

static const bluetti_field sub_pack_fields[] = {
    { .name = "cell_count", .description = "Cells in this sub-pack",
      .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "probed on a real Elite 200 V2 (12 cells)" },
    { .name = "temp_sensor_count", .description = "Temperature sensors in this sub-pack",
      .offset = 2, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "probed on a real Elite 200 V2 (4 sensors)" },
    { .name = "cell_voltage", .unit = "V", .description = "Cell voltages",
      .offset = 4, .size = 32, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .count_from = "cell_count", .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_BITMASK_(0x3FFF), BLUETTI_XF_SCALE_(0.001) },
      .note = "millivolts, probed on a real unit; the app masks the top two bits (status) "
              "before scaling" },
    { .name = "cell_status", .description = "Cell status codes (0-3)",
      .offset = 4, .size = 32, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .count_from = "cell_count", .evidence = BLUETTI_EV_REFERENCE,
      .xf = { BLUETTI_XF_SHIFT_(14) },
      .note = "top two bits of the same cell words (the app's PackSubPackInfo parser)" },
    { .name = "cell_temp", .unit = "°C", .description = "Sensor temperatures",
      .offset = 0, .size = 16, .type = BLUETTI_U8, .flags = BLUETTI_F_ARRAY | BLUETTI_F_ZERO_UNREPORTED,
      .count_from = "temp_sensor_count", .after = "cell_voltage",
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_MINUS_(40) },
      .note = "one byte per sensor after the cells (28-31 on the probed unit); raw - 40 per the "
              "app docs (a Bluetooth decoder took the raw value for Fahrenheit); wire order, "
              "the app reads each register's second byte first" },
    { .name = "cell_temp_word", .unit = "°C",
      .description = "Sensor temperatures, repeated as registers",
      .offset = 0, .size = 16, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY | BLUETTI_F_ZERO_UNREPORTED,
      .count_from = "temp_sensor_count", .after = "cell_temp",
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_MINUS_(40) },
      .note = "the probed unit repeats the temperatures as one register each (32-39); same "
              "raw - 40 reading as cell_temp" },
};

static const bluetti_block_schema sub_pack_info = {
    .id = 6300, .min_length = 4, .read_length = 40, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_CONFIRMED,
    .name = "PACK_SUB_PACK_INFO", .description = "Cell voltages and temperatures of a sub-pack",
    .fields = sub_pack_fields, .n_fields = N_OF(sub_pack_fields),
    .notes =
        "reference-issues.md item 10: the cell-data layout (the app's PackSubPackInfo; hence the "
        "name, the "
        "reference's is PACK_BMU_READ) replaces the reference's BMU list "
        "(bmu0_serial_number, bmu0_fault_data, bmu0_ntc_count, "
        "bmu0_cell_count, bmu0_model_type, bmu0_software_version), because a real Elite 200 V2 "
        "answers exactly 20 registers of cell data here: cell count (u16 @0), sensor count "
        "(u16 @2), cell voltages in mV from 4, one-byte temperatures, then the same "
        "temperatures as registers. The BMU list belongs to another block (a real-unit "
        "decoder names 7200 PACK_BMU_INFO). Counts come from the payload; a count past the data "
        "or above an array's maximum leaves that array absent. read_length 40: longer reads "
        "get Modbus exception 2 on the real unit.",
};

/* ---- 7000 PACK_SETTINGS -------------------------------------------------- */

static const bluetti_field pack_settings_fields[] = {
    { .name = "pack_id", .description = "Pack number (selects the pack the pack blocks describe)",
      .offset = 0, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "reference offset; one Bluetooth library plans to write the whole register 7000 "
              "as the pack selector (untested)" },
    { .name = "pack_parallel_number", .description = "Packs in parallel",
      .offset = 1, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "odd offset straddling registers 7000/7001 (reference-issues.md item 4): kept as "
              "the reference "
              "has it, no external evidence to relocate it" },
    { .name = "start_heating_enable", .description = "Battery heater switch",
      .offset = 3, .type = BLUETTI_U8, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "reference offset (reference-issues.md item 4)" },
    { .name = "bms_comm_interface_type", .description = "BMS communication interface code",
      .offset = 11, .type = BLUETTI_U8 },
};

static const bluetti_block_schema pack_settings = {
    .id = 7000, .min_length = 12, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_UNVERIFIED,
    .name = "PACK_SETTINGS", .description = "Battery pack settings",
    .fields = pack_settings_fields, .n_fields = N_OF(pack_settings_fields),
    .notes =
        "reference-issues.md item 4: pack_parallel_number is a u16 at odd offset 1, straddling "
        "two registers, "
        "probably a list index taken as a byte offset. No real-unit map covers this block, so "
        "the reference's offsets are kept and marked unverified.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &pack_main_info, &pack_item_info, &sub_pack_info, &pack_settings,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-pack", "1.0.0",
                      "Battery blocks 6000, 6100, 6300, 7000: packs, cells, settings", init);
