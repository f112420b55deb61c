/* blocks-meter: metering and energy statistics — 1700 METER_INFO (external
 * CT meter), 3500 TOTAL_ENERGY_INFO, 3600 CURR_YEAR_ENERGY.
 * Layouts from the older protocol reference (docs/protocol/README.md); decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define CDAB "32-bit, low word first (EVIDENCE rule 1); the reference read it high word first"

/* ---- 1700 METER_INFO ----------------------------------------------------- */

#define METER_FLOAT(name_, unit_, desc_, off, ref_)                                   \
    { .name = (name_), .unit = (unit_), .description = (desc_), .offset = (off),       \
      .type = BLUETTI_F32, .order = BLUETTI_ORDER_WORDS_LE,                           \
      .evidence = BLUETTI_EV_UNVERIFIED,                                              \
      .note = "IEEE-754 float32, registers swapped as the app does (bit32HexSwap + "    \
              "hexToFloat), i.e. low word first; the reference returned the raw bits as " \
              "u32 '" ref_ "'" }

static const bluetti_field meter_fields[] = {
    { .name = "model", .description = "Meter model text",
      .offset = 0, .size = 12, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "12-byte model text read byte-swapped per register like the block 100 model "
              "(EVIDENCE rule 2; reference-issues.md item E2 'probably all 12-byte model "
              "fields')" },
    { .name = "sn", .description = "Meter serial text",
      .offset = 12, .size = 8, .type = BLUETTI_TEXT, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "plain text per the reference; may be a u64 like the main serial (rule 3)" },
    { .name = "status", .description = "Meter status bits (bits 0-1 state, bit 2 online)",
      .offset = 20, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "status.state", .description = "Meter state (status bits 0-1)",
      .offset = 20, .type = BLUETTI_U16, .xf = { BLUETTI_XF_BITMASK_(0x3) },
      .note = "derived from status as the reference describes it" },
    { .name = "status.online", .description = "Meter online (status bit 2)",
      .offset = 20, .type = BLUETTI_U16, .xf = { BLUETTI_XF_SHIFT_(2), BLUETTI_XF_BITMASK_(0x1) },
      .note = "derived from status as the reference describes it" },
    { .name = "sys_time", .description = "Meter clock value (raw)",
      .offset = 22, .type = BLUETTI_U32, .note = CDAB },
    METER_FLOAT("phase0_voltage", "V", "Phase 0 voltage", 26, "phase0_voltage_raw_bits"),
    METER_FLOAT("phase0_current", "A", "Phase 0 current", 30, "phase0_current_raw_bits"),
    METER_FLOAT("phase0_active_power", "W", "Phase 0 active power",
                34, "phase0_active_power_raw_bits"),
    METER_FLOAT("total_active_power", "W", "Total active power",
                114, "total_active_power_raw_bits"),
    METER_FLOAT("frequency", "Hz", "Grid frequency", 130, "frequency_raw_bits"),
    METER_FLOAT("total_import_energy", "kWh", "Total imported energy",
                134, "total_import_energy_raw_bits"),
};

static const bluetti_block_schema meter_info = {
    .id = 1700, .min_length = 138, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_UNVERIFIED,
    .name = "METER_INFO", .description = "External CT meter readings",
    .fields = meter_fields, .n_fields = N_OF(meter_fields),
    .notes =
        "reference-issues.md item 14: the measurements are decoded as float32 (the *_raw_bits "
        "fields of the "
        "reference, renamed without the suffix) with the registers swapped as the app's "
        "bit32HexSwap does, which is also the CDAB order real units use for integers (rule "
        "1). Offsets 26/30/34 and 114/130/134 kept although the docs disagree on the per-phase "
        "item size (12 vs 24 bytes). status split into state (bits 0-1) and online (bit 2). "
        "Partial in the reference; no real-unit evidence for this block.",
};

/* ---- 3500 TOTAL_ENERGY_INFO ---------------------------------------------- */

static const bluetti_field total_energy_fields[] = {
    { .name = "energy_type", .description = "Which energy counter this block describes",
      .offset = 1, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "total_energy", .unit = "kWh", .description = "Lifetime total for that counter",
      .offset = 2, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = CDAB },
    { .name = "year", .description = "Yearly entries: calendar year",
      .offset = 6, .size = 15, .stride = 6, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .note = "15 entries of 6 bytes from 6 (min_length 96 = 6 + 15 x 6); replaces the "
              "reference's year0_year, year1_year, year2_year (element k = entry k)" },
    { .name = "year_energy", .unit = "kWh", .description = "Yearly entries: energy in that year",
      .offset = 8, .size = 15, .stride = 6, .type = BLUETTI_U32, .flags = BLUETTI_F_ARRAY,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = CDAB "; replaces the reference's year0_energy, year1_energy, year2_energy "
              "(element k = entry k)" },
};

static const bluetti_block_schema total_energy_info = {
    .id = 3500, .min_length = 96, .read_length = 96, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "TOTAL_ENERGY_INFO", .description = "Lifetime energy with per-year history",
    .fields = total_energy_fields, .n_fields = N_OF(total_energy_fields),
    .notes =
        "32-bit counters low word first (rule 1, reference-issues.md item E1). All 15 yearly "
        "entries the block "
        "holds are decoded as two arrays (year, year_energy) instead of the reference's "
        "three pairs of single fields year0..year2; element k is the reference's entry k. "
        "read_length 96 set explicitly: the default counts the last entry's stride padding "
        "(98 bytes, one register past the block).",
};

/* ---- 3600 CURR_YEAR_ENERGY ----------------------------------------------- */

static const bluetti_field year_energy_fields[] = {
    { .name = "energy_type", .description = "Which energy counter this block describes",
      .offset = 1, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "year", .description = "Calendar year of the statistics",
      .offset = 2, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "total_year_energy", .unit = "kWh", .description = "Energy so far this year",
      .offset = 4, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = CDAB },
    { .name = "month_energy", .unit = "kWh", .description = "Energy per month (January first)",
      .offset = 8, .size = 12, .type = BLUETTI_U32, .flags = BLUETTI_F_ARRAY,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = CDAB "; replaces the reference's month0_energy, month1_energy, month2_energy "
              "(element k = month k)" },
    { .name = "day_energy", .unit = "kWh", .description = "Energy per day of the current month",
      .offset = 56, .size = 31, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = "the docs place 31 daily u16 counters at 56-117 (reference-issues.md item 20); "
              "x0.1 kWh assumed "
              "like every other energy counter" },
};

static const bluetti_block_schema year_energy_info = {
    .id = 3600, .min_length = 56, .read_length = 118, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "CURR_YEAR_ENERGY", .description = "Current-year energy with monthly and daily history",
    .fields = year_energy_fields, .n_fields = N_OF(year_energy_fields),
    .notes =
        "32-bit counters low word first (rule 1). All 12 monthly counters decoded as one array "
        "(the reference modelled months 0-2 as single fields). reference-issues.md item 20: the "
        "31 daily counters "
        "at 56-117 are modelled too and read_length is 118; min_length stays 56, so a device "
        "that answers only 56 bytes is valid and day_energy is absent (beyond the data).",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &meter_info, &total_energy_info, &year_energy_info,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-meter", "1.0.0",
                      "Meter and energy statistics blocks 1700, 3500, 3600", init);
