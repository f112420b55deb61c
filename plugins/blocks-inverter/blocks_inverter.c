/* blocks-inverter: the inverter blocks 1100 INV_BASE_INFO, 1300
 * INV_GRID_INFO, 1400 INV_LOAD_INFO and 1500 INV_INV_INFO.
 * Layouts from BLUETTI-V2-PROTOCOL.md §6.5, corrected by real-device
 * evidence (EVIDENCE.md rule 1: 32-bit values low word first; Bluetooth
 * decoders read against real units, reference §9.2/§10). Decisions in each
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
      .note = "protocol >= 2005 only (older firmware keeps other data here); raw 0 means " \
              "no reading, which shows as -40" }

static const bluetti_field inv_base_fields[] = {
    { .name = "inv_id", .description = "Inverter number",
      .offset = 1, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "inv_type", .description = "Inverter type text",
      .offset = 2, .size = 12, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "12-byte model text: bytes of every register swapped as real units send the "
              "block 100 model (EVIDENCE rule 2; §9 E2 'probably all 12-byte model fields')" },
    { .name = "inv_sn", .description = "Inverter serial text",
      .offset = 14, .size = 8, .type = BLUETTI_TEXT, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "plain text per the reference (optional there because it often is not ASCII); "
              "the main serial is a u64 on real units (rule 3), which may hold here too: "
              "non-printable bytes show escaped" },
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
        "Reference layout; 32-bit versions low word first (rule 1, §9 E1). The six firmware "
        "modules stay six fixed entries as in the reference (software_number is decoded but "
        "not used as a count: the app always lays out six). Temperatures and fault code keep "
        "the reference's protocol 2005 gate (§9.1 #21): they decode when the device reports "
        "its version; read_length 110 covers them. inv_type is read byte-swapped (E2).",
};

/* ---- 1300 INV_GRID_INFO -------------------------------------------------- */

static const bluetti_field inv_grid_fields[] = {
    { .name = "frequency", .unit = "Hz", .description = "Grid frequency",
      .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "grid_power", .unit = "W", .description = "Total grid (charge) power",
      .offset = 2, .type = BLUETTI_U32, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "not in the reference's schema: its own block doc and a real-unit Bluetooth "
              "decoder read a u32 here (§9.1 #5); low word first. Overlaps phase_1/2_voltage" },
    { .name = "phase_1_voltage", .unit = "V", .description = "Second-phase voltage (doubtful)",
      .offset = 2, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "reference schema field kept; bytes 2-5 are more likely grid_power (§9.1 #5)" },
    { .name = "phase_2_voltage", .unit = "V", .description = "Third-phase voltage (doubtful)",
      .offset = 4, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "reference schema field kept; bytes 2-5 are more likely grid_power (§9.1 #5)" },
    { .name = "total_charge_energy", .unit = "kWh",
      .description = "Lifetime energy drawn from the grid for charging",
      .offset = 6, .type = BLUETTI_U32, .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = CDAB },
    { .name = "total_feedback_energy", .unit = "kWh",
      .description = "Lifetime energy exported to the grid",
      .offset = 10, .type = BLUETTI_U32, .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = CDAB },
    { .name = "sys_phase_number", .description = "Grid phase count",
      .offset = 25, .type = BLUETTI_U8, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "not in the reference's schema: its block doc and a real-unit decoder place "
              "the phase count here (§9.1 #5)" },
    { .name = "phase_0_power", .unit = "W", .description = "Phase 0 grid power (negative = export)",
      .offset = 26, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .note = "signed, no abs (reference head; the seed and the app take abs, §9.1 #6): "
              "the sign carries the direction" },
    { .name = "phase_0_voltage", .unit = "V", .description = "Phase 0 grid voltage",
      .offset = 28, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "register 1314 x0.1 V in user-tested Bluetooth maps of the Elite 30/100 V2" },
    { .name = "phase_0_current", .unit = "A", .description = "Phase 0 grid current (signed)",
      .offset = 30, .type = BLUETTI_I16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "register 1315 x0.1 A in a user-tested Bluetooth library; signed as in the "
              "reference's head version (§9.1 #6)" },
    { .name = "phase_0_apparent", .unit = "VA", .description = "Phase 0 apparent power",
      .offset = 32, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "beyond the 32 bytes requested by default (absent then): per the block doc each "
              "phase is 12 bytes from 26 with apparent power at +6 (§9.1 #5); a profile that "
              "reads more (a real unit answers 62 bytes) gets it" },
};

static const bluetti_block_schema inv_grid_info = {
    .id = 1300, .min_length = 32, .read_length = 32, .protocol_version = 2000,
    .strict = 1, .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "INV_GRID_INFO",
    .description = "Grid input: frequency, power, energy, phase-0 measurements",
    .fields = inv_grid_fields, .n_fields = N_OF(inv_grid_fields),
    .notes =
        "Strict, as the reference: a payload under 32 bytes is rejected. Energy counters low "
        "word first (rule 1, §9 E1). §9.1 #5: bytes 2-5 get both readings (the reference's "
        "phase_1/2_voltage and the u32 grid_power of its block doc and of a real-unit "
        "decoder), all unverified; the phase count at 25 and phase-0 apparent power at 32 "
        "are added from the same sources (optional; 32 lies beyond the default 32-byte read, "
        "kept so the F1 request stays 16 registers). §9.1 #6: phase-0 power and current stay "
        "signed, no abs.",
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
    { .name = "phase_0_power", .unit = "W", .description = "AC load phase 0: power",
      .offset = 60, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "phase_0_voltage", .unit = "V", .description = "AC load phase 0: voltage",
      .offset = 62, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "phase_0_current", .unit = "A", .description = "AC load phase 0: current",
      .offset = 64, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "register 1432 x0.1 A (AC output current) in a user-tested Bluetooth library" },
    { .name = "phase_0_apparent", .unit = "VA", .description = "AC load phase 0: apparent power",
      .offset = 66, .type = BLUETTI_U16 },
};

static const bluetti_block_schema inv_load_info = {
    .id = 1400, .min_length = 68, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "INV_LOAD_INFO", .description = "Load side: DC outputs (5/12/24 V) and AC load phase 0",
    .fields = inv_load_fields, .n_fields = N_OF(inv_load_fields),
    .notes =
        "Reference layout; 32-bit values low word first (rule 1, §9 E1). Phases 1 and 2 "
        "(12 bytes each at 72 and 84) are not modelled, as in the reference.",
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
    { .name = "phase_0_power", .unit = "W", .description = "Phase 0 output power",
      .offset = 20, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED,
      .note = "probed on a real Elite 200 V2, where it equalled voltage x current: it may be "
              "the apparent power (VA)" },
    { .name = "phase_0_voltage", .unit = "V", .description = "Phase 0 output voltage",
      .offset = 22, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "probed on a real Elite 200 V2 (229.6 V); register 1511 in an Elite 100 V2 map" },
    { .name = "phase_0_current", .unit = "A", .description = "Phase 0 output current",
      .offset = 24, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = "probed on a real Elite 200 V2 (0.9 A)" },
};

static const bluetti_block_schema inv_inv_info = {
    .id = 1500, .min_length = 30, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "INV_INV_INFO", .description = "Inverter output: frequency, energy, phase 0",
    .fields = inv_inv_fields, .n_fields = N_OF(inv_inv_fields),
    .notes =
        "Reference layout, confirmed at 0, 20, 22 and 24 by probing a real unit; total_energy "
        "low word first (rule 1). min_length 30 (beyond the last field, 26) kept from the "
        "reference; phases 1/2 (at 30 and 42) not modelled.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &inv_base_info, &inv_grid_info, &inv_load_info, &inv_inv_info,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-inverter", "1.0.0",
                      "Inverter blocks 1100, 1300, 1400, 1500: identity, grid, load, output", init);
