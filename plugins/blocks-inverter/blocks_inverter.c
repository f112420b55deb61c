/* blocks-inverter: the inverter blocks 1100 INV_BASE_INFO, 1200 INV_PV_INFO, 1300
 * INV_GRID_INFO, 1400 INV_LOAD_INFO and 1500 INV_INV_INFO.
 * Layouts from the older protocol reference (docs/protocol/README.md), corrected by real-device
 * evidence (docs/protocol/wire-rules.md: 32-bit values low word first; Bluetooth
 * decoders read against real units, docs/protocol/reference-issues.md). Decisions in each
 * block's `notes` and in the fields' notes. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define CDAB "32-bit, low word first (EVIDENCE rule 1); the reference read it high word first"

/* ---- 1100 INV_BASE_INFO -------------------------------------------------- */

#define SW_MODULE(k, off)                                                           \
    { .name = "software_" #k "_module_id", .description = "Firmware module " #k ": module id", \
      .offset = (off), .type = BLUETTI_U16 },                                       \
    { .name = "software_" #k "_version", .description = "Firmware module " #k ": version (raw)", \
      .offset = (off) + 2, .type = BLUETTI_U32, .note = CDAB }

#define INV_TEMP(name_, desc_, off)                                                 \
    { .name = (name_), .unit = "°C", .description = (desc_), .offset = (off),       \
      .type = BLUETTI_U16, .min_protocol = 2005, .xf = { BLUETTI_XF_MINUS_(40) },   \
      .flags = BLUETTI_F_ZERO_UNREPORTED,                                           \
      .note = "protocol >= 2005 only (older firmware keeps other data here); raw 0 means " \
              "no reading (absent)" }

static const bluetti_field inv_base_fields[] = {
    { .name = "inv_id", .description = "Inverter number",
      .offset = 1, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "inv_type", .description = "Inverter type text",
      .offset = 2, .size = 12, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "12-byte model text: bytes of every register swapped as real units send the "
              "block 100 model (EVIDENCE rule 2; reference-issues.md item E2 'probably all "
              "12-byte model fields')" },
    { .name = "inv_sn", .description = "Inverter serial number (decimal)",
      .offset = 14, .type = BLUETTI_U64, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "one u64, low word first, like the block 100 serial: three decoders (AC60, "
              "EP600, a user's AC180); the reference read 8 plain text bytes" },
    { .name = "inv_power_type", .description = "Inverter power class code",
      .offset = 23, .type = BLUETTI_U8 },
    { .name = "software_number", .description = "Firmware module entries that follow (normally 6)",
      .offset = 25, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    SW_MODULE(0, 26), SW_MODULE(1, 32), SW_MODULE(2, 38),
    SW_MODULE(3, 44), SW_MODULE(4, 50), SW_MODULE(5, 56),
    INV_TEMP("ambient_temp", "Ambient temperature", 102),
    INV_TEMP("inv_max_temp", "Hottest inverter temperature", 104),
    INV_TEMP("pv_dcdc_max_temp", "Hottest PV DC-DC temperature", 106),
    { .name = "fault_code", .description = "Inverter fault code",
      .offset = 108, .type = BLUETTI_U16, .min_protocol = 2005,
      .note = "protocol >= 2005 only, as in the reference" },
};

static const bluetti_block_schema inv_base_info = {
    .id = 1100, .min_length = 62, .read_length = 110, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "INV_BASE_INFO", .description = "Inverter identity and firmware module list",
    .fields = inv_base_fields, .n_fields = N_OF(inv_base_fields),
    .notes =
        "Reference layout; 32-bit versions low word first (rule 1, reference-issues.md item E1). "
        "The six firmware "
        "modules stay six fixed entries as in the reference (software_number is decoded but "
        "not used as a count: the app always lays out six). Temperatures and fault code keep "
        "the reference's protocol 2005 gate (reference-issues.md item 21): they decode when the "
        "device reports "
        "its version; read_length 110 covers them. inv_type is read byte-swapped (E2); inv_sn is a u64 "
        "low word first (docs/protocol/blocks-inverter.md).",
};

/* ---- 1200 INV_PV_INFO ---------------------------------------------------- */

/* Each PV string takes 16 bytes from byte 20: +1 status, +3 type, +4 power,
 * +6 voltage x0.1, +8 current x0.1 (docs/protocol/blocks-inverter.md). */
#define PV_STRING_NOTE "string k at 20 + 16k (+4 power, +6 voltage, +8 current); strings 1-2 " \
    "in several Bluetooth decoders (AC180, AC70, EL10, EP760, AP300) and a cloud decoder"

static const bluetti_field inv_pv_fields[] = {
    { .name = "pv_total_power", .unit = "W", .description = "Total PV input power",
      .offset = 0, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .note = CDAB "; two decoders" },
    { .name = "pv_charge_energy", .unit = "kWh", .description = "Lifetime PV charge energy",
      .offset = 4, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = CDAB "; equals block 100 byte 108 on a probed Elite 200 V2" },
    { .name = "pv_channel_count", .description = "PV channel count (raw)",
      .offset = 19, .type = BLUETTI_U8, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "two decoders; one reads the high nibble as AC-coupled and the low nibble as DC "
              "strings, so it is kept raw and the string count taken from the low nibble" },
    { .name = "pv_dc_strings", .description = "DC PV strings (low nibble of the channel count)",
      .offset = 19, .type = BLUETTI_U8, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_BITMASK_(0x0F) }, .note = "one app-derived decoder" },
    { .name = "pv_status", .description = "PV string status (per string, raw)",
      .offset = 21, .size = 3, .stride = 16, .type = BLUETTI_U8, .flags = BLUETTI_F_ARRAY,
      .evidence = BLUETTI_EV_UNVERIFIED, .note = PV_STRING_NOTE "; status byte +1" },
    { .name = "pv_power", .unit = "W", .description = "PV string power",
      .offset = 24, .size = 3, .stride = 16, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .evidence = BLUETTI_EV_CONFIRMED, .note = PV_STRING_NOTE },
    { .name = "pv_voltage", .unit = "V", .description = "PV string voltage",
      .offset = 26, .size = 3, .stride = 16, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = PV_STRING_NOTE },
    { .name = "pv_current", .unit = "A", .description = "PV string current",
      .offset = 28, .size = 3, .stride = 16, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = PV_STRING_NOTE },
};

static const bluetti_block_schema inv_pv_info = {
    .id = 1200, .min_length = 30, .read_length = 62, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_CONFIRMED,
    .name = "INV_PV_INFO", .description = "PV input: total power, energy, per-string measurements",
    .fields = inv_pv_fields, .n_fields = N_OF(inv_pv_fields),
    .notes =
        "Not in the protocol reference's catalog; laid out as decoders run against real "
        "units read it (docs/protocol/blocks-inverter.md). Strings are 16 bytes each from "
        "byte 20; three are modelled (read_length 62 covers them; a unit with fewer strings "
        "reports zeros or answers short, and strings beyond the data are absent). On an EP600 "
        "the third string's registers hold an external meter phase instead.",
};

/* ---- 1300 INV_GRID_INFO -------------------------------------------------- */

#define MAGNITUDE_NOTE "; two cloud decoders show the magnitude, as the app does: a profile " \
    "may declare magnitude only"

static const bluetti_field inv_grid_fields[] = {
    { .name = "frequency", .unit = "Hz", .description = "Grid frequency",
      .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "every decoder" },
    { .name = "grid_power", .unit = "W", .description = "Total grid power (negative = export)",
      .offset = 2, .type = BLUETTI_I32, .evidence = BLUETTI_EV_CONFIRMED,
      .note = CDAB "; signed (two cloud decoders, one live on an EP760); equals the phase-0 "
              "power on an AC180. The reference's phase_1_voltage and phase_2_voltage at 2 "
              "and 4 are contradicted: those bytes hold this power" MAGNITUDE_NOTE },
    { .name = "total_charge_energy", .unit = "kWh",
      .description = "Lifetime energy drawn from the grid for charging",
      .offset = 6, .type = BLUETTI_U32, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = CDAB "; four decoders" },
    { .name = "total_feedback_energy", .unit = "kWh",
      .description = "Lifetime energy exported to the grid",
      .offset = 10, .type = BLUETTI_U32, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = CDAB "; word order disputed (one cloud decoder reads it high word first, as the "
              "app does): a profile can override the order" },
    { .name = "sys_phase_number", .description = "Grid phase count",
      .offset = 25, .type = BLUETTI_U8, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "four decoders" },
    { .name = "phase_0_power", .unit = "W", .description = "Phase 0 grid power (negative = export)",
      .offset = 26, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .note = "i16, two's complement" MAGNITUDE_NOTE },
    { .name = "phase_0_voltage", .unit = "V", .description = "Phase 0 grid voltage",
      .offset = 28, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "every decoder; an AP300 on a split-phase supply reports one leg" },
    { .name = "phase_0_current", .unit = "A", .description = "Phase 0 grid current (signed)",
      .offset = 30, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "i16 x0.1 A" MAGNITUDE_NOTE },
    { .name = "phase_0_apparent", .unit = "VA", .description = "Phase 0 apparent power",
      .offset = 32, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "two cloud decoders; beyond the default 32-byte read (absent then), profiles "
              "that read more get it" },
    { .name = "phase_power", .unit = "W", .description = "Grid power per phase",
      .offset = 26, .size = 3, .stride = 12, .type = BLUETTI_I16, .flags = BLUETTI_F_ARRAY,
      .count_from = "sys_phase_number", .evidence = BLUETTI_EV_CONFIRMED,
      .note = "12-byte stride from 26 (registers 1313, 1319, 1325 on an EP600)" },
    { .name = "phase_voltage", .unit = "V", .description = "Grid voltage per phase",
      .offset = 28, .size = 3, .stride = 12, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .count_from = "sys_phase_number", .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = "12-byte stride from 28" },
    { .name = "phase_current", .unit = "A", .description = "Grid current per phase",
      .offset = 30, .size = 3, .stride = 12, .type = BLUETTI_I16, .flags = BLUETTI_F_ARRAY,
      .count_from = "sys_phase_number", .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = "12-byte stride from 30" },
};

static const bluetti_block_schema inv_grid_info = {
    .id = 1300, .min_length = 32, .read_length = 32, .protocol_version = 2000,
    .strict = 1, .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_CONFIRMED,
    .name = "INV_GRID_INFO",
    .description = "Grid input: frequency, power, energy, per-phase measurements",
    .fields = inv_grid_fields, .n_fields = N_OF(inv_grid_fields),
    .notes =
        "Strict, as the reference: a payload under 32 bytes is rejected. Energy counters low "
        "word first. Bytes 2-5 are the signed total grid power (an AC180 shows it equal to "
        "the phase-0 power); the reference's phase_1_voltage / phase_2_voltage there are "
        "contradicted and dropped. Phases are 12 bytes apart from byte 26 (power, voltage, "
        "current, apparent power); phase-0 power and current are signed, no abs. The phase "
        "arrays take their count from sys_phase_number: on a 3-phase unit a profile must read "
        "at least 56 bytes, or the arrays are absent (count past the data).",
};

/* ---- 1400 INV_LOAD_INFO -------------------------------------------------- */

static const bluetti_field inv_load_fields[] = {
    { .name = "dc_total_power", .unit = "W", .description = "All DC outputs: power",
      .offset = 0, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED, .note = CDAB },
    { .name = "dc_total_energy", .unit = "kWh", .description = "All DC outputs: lifetime energy",
      .offset = 4, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = CDAB },
    { .name = "load_5v_power", .unit = "W", .description = "5 V (USB) outputs: power",
      .offset = 8, .type = BLUETTI_U16 },
    { .name = "load_5v_current", .unit = "A", .description = "5 V outputs: current",
      .offset = 10, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "load_12v_power", .unit = "W", .description = "12 V outputs: power",
      .offset = 12, .type = BLUETTI_U16 },
    { .name = "load_12v_current", .unit = "A", .description = "12 V outputs: current",
      .offset = 14, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "load_24v_power", .unit = "W", .description = "24 V outputs: power",
      .offset = 16, .type = BLUETTI_U16 },
    { .name = "load_24v_current", .unit = "A", .description = "24 V outputs: current",
      .offset = 18, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "dc_total_voltage", .unit = "V", .description = "DC outputs: aggregate voltage",
      .offset = 24, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "dc_total_current", .unit = "A", .description = "DC outputs: aggregate current",
      .offset = 26, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "ac_total_power", .unit = "W", .description = "AC load: total power",
      .offset = 40, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .note = CDAB "; one real-unit decoder labels 40-47 a second DC total instead" },
    { .name = "ac_total_energy", .unit = "kWh", .description = "AC load: lifetime energy",
      .offset = 44, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = CDAB },
    { .name = "sys_phase_number", .description = "Phase count (1 or 3)",
      .offset = 59, .type = BLUETTI_U8 },
    { .name = "phase_0_power", .unit = "W", .description = "AC load phase 0: power (signed)",
      .offset = 60, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "i16: an EP600/EP760 decoder tested in production reads it signed; others read "
              "it unsigned, which agrees while the power is below 32768 W" },
    { .name = "phase_0_voltage", .unit = "V", .description = "AC load phase 0: voltage",
      .offset = 62, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "phase_0_current", .unit = "A", .description = "AC load phase 0: current",
      .offset = 64, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "register 1432 x0.1 A (AC output current) in a user-tested Bluetooth library" },
    { .name = "phase_0_apparent", .unit = "VA", .description = "AC load phase 0: apparent power",
      .offset = 66, .type = BLUETTI_U16 },
    { .name = "phase_power", .unit = "W", .description = "AC load power per phase",
      .offset = 60, .size = 3, .stride = 12, .type = BLUETTI_I16, .flags = BLUETTI_F_ARRAY,
      .count_from = "sys_phase_number", .evidence = BLUETTI_EV_CONFIRMED,
      .note = "12-byte stride from 60 (registers 1430, 1436, 1442 on an EP600)" },
};

static const bluetti_block_schema inv_load_info = {
    .id = 1400, .min_length = 68, .read_length = 68, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "INV_LOAD_INFO", .description = "Load side: DC outputs (5/12/24 V) and AC load phase 0",
    .fields = inv_load_fields, .n_fields = N_OF(inv_load_fields),
    .notes =
        "Reference layout, confirmed by decoders; 32-bit values low word first. Bytes 40-47 are "
        "the AC load total (one decoder's 'second DC total' label is wrong). Phase-0 power "
        "is signed (EP600-class units). Phases are 12 bytes apart from byte 60 (phase_power; "
        "a 3-phase unit needs a read of at least 92 bytes). The AC output frequency of the "
        "Elite 200 V2 at byte 140 lies beyond this read (other models report it in 1500).",
};

/* ---- 1500 INV_INV_INFO --------------------------------------------------- */

static const bluetti_field inv_inv_fields[] = {
    { .name = "frequency", .unit = "Hz", .description = "Inverter output frequency",
      .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "probed on a real Elite 200 V2: 49.9 Hz" },
    { .name = "total_energy", .unit = "kWh", .description = "Inverter lifetime output energy",
      .offset = 2, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = CDAB },
    { .name = "sys_phase_number", .description = "Phase count (1 or 3)",
      .offset = 17, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "phase_0_work_status", .description = "Phase 0 working state code",
      .offset = 19, .type = BLUETTI_U8 },
    { .name = "phase_0_power", .unit = "W",
      .description = "Phase 0 inverter power (negative while charging or exporting)",
      .offset = 20, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "i16: negative while charging from the grid or exporting (EP760 and EP600 "
              "reports, two decoders, a cloud decoder live on an EP760 where an unsigned read "
              "gave impossible tens of kW); equals V x I on a probed Elite 200 V2" },
    { .name = "phase_0_voltage", .unit = "V", .description = "Phase 0 output voltage",
      .offset = 22, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "probed on a real Elite 200 V2 (229.6 V); register 1511 in an Elite 100 V2 map" },
    { .name = "phase_0_current", .unit = "A", .description = "Phase 0 output current",
      .offset = 24, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = "probed on a real Elite 200 V2 (0.9 A)" },
    { .name = "phase_power", .unit = "W", .description = "Inverter power per phase (signed)",
      .offset = 20, .size = 3, .stride = 14, .type = BLUETTI_I16, .flags = BLUETTI_F_ARRAY,
      .count_from = "sys_phase_number", .evidence = BLUETTI_EV_CONFIRMED,
      .note = "14-byte stride from 20 (registers 1510, 1517, 1524 on an EP600 tested in "
              "production), not the 12 bytes of blocks 1300 and 1400" },
    { .name = "phase_voltage", .unit = "V", .description = "Inverter voltage per phase",
      .offset = 22, .size = 3, .stride = 14, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .count_from = "sys_phase_number", .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = "14-byte stride from 22 (1511, 1518, 1525)" },
    { .name = "phase_current", .unit = "A", .description = "Inverter current per phase",
      .offset = 24, .size = 3, .stride = 14, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .count_from = "sys_phase_number", .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = "14-byte stride from 24 (1512, 1519, 1526)" },
};

static const bluetti_block_schema inv_inv_info = {
    .id = 1500, .min_length = 30, .read_length = 30, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "INV_INV_INFO", .description = "Inverter output: frequency, energy, phase 0",
    .fields = inv_inv_fields, .n_fields = N_OF(inv_inv_fields),
    .notes =
        "Reference layout, confirmed at 0, 20, 22 and 24 by probing a real unit and by decoders; "
        "total_energy low word first. Phase-0 power is signed. Phases are 14 bytes apart "
        "from byte 18 (power at 20, 34, 48), not the reference's 12 (phases at 30 and 42): "
        "an EP600 decoder tested in production reads them there. min_length 30 kept; a "
        "3-phase unit needs a read of at least 54 bytes for the phase arrays.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &inv_base_info, &inv_pv_info, &inv_grid_info, &inv_load_info, &inv_inv_info,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-inverter", "1.0.0",
                      "Inverter blocks 1100, 1200, 1300, 1400, 1500: identity, PV, grid, load, output", init);
