/* blocks-smartplug: smart plug identity and settings
 * (14500 SMART_PLUG_INFO, 14700 SMART_PLUG_SETTINGS).
 * Layouts from the older protocol reference (docs/protocol/README.md); decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* ---- 14500 SMART_PLUG_INFO ---------------------------------------------- */

static const bluetti_field plug_info_fields[] = {
    { .name = "model", .description = "Smart plug model text",
      .offset = 0, .size = 12, .type = BLUETTI_TEXT, .flags = BLUETTI_F_TEXT_SWAP,
      .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "12-byte model text read with the bytes of every register swapped (EVIDENCE "
              "rule 2, reference-issues.md item E2 'probably all 12-byte model fields'); not "
              "confirmed for this block" },
    { .name = "serial_number", .description = "Smart plug serial text",
      .offset = 12, .size = 8, .type = BLUETTI_TEXT, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "kept as plain text per the reference; the main unit's serial is a 64-bit "
              "integer on real devices (EVIDENCE rule 3), which may hold here too" },
    { .name = "software_version", .description = "Smart plug firmware version (raw)",
      .offset = 20, .type = BLUETTI_U32,
      .note = "low word first (EVIDENCE rule 1); the reference read it high word first" },
    { .name = "plug_count", .description = "Number of plug channels",
      .offset = 24, .type = BLUETTI_U16 },
};

static const bluetti_block_schema smart_plug_info = {
    .id = 14500, .min_length = 26, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "SMART_PLUG_INFO", .description = "Smart plug identity",
    .fields = plug_info_fields, .n_fields = N_OF(plug_info_fields),
    .notes = "Only bytes 0-25 are modelled; the app parses more (power, faults, statistics). "
             "Model text byte-swapped per register (E2, unverified here); version low word first.",
};

/* ---- 14700 SMART_PLUG_SETTINGS ------------------------------------------ */

static const bluetti_field plug_settings_fields[] = {
    { .name = "protection_ctrl", .description = "Protection enable bits (the app expands them as an enable list)",
      .offset = 0, .type = BLUETTI_U16,
      .note = "raw word: the reference does not say which enable-list chunks mean what" },
    { .name = "set_enable_1", .description = "Output enable bits set 1",
      .offset = 2, .type = BLUETTI_U16 },
    { .name = "set_enable_2", .description = "Output enable bits set 2",
      .offset = 4, .type = BLUETTI_U16 },
    { .name = "time_set_ctrl", .description = "Timer enable bits for the 8 timers",
      .offset = 8, .type = BLUETTI_U32, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "read as one 32-bit value low word first (EVIDENCE rule 1); bytes 6-7 are unused. "
              "Which bit belongs to which timer is not known" },
    { .name = "overload_protection_power", .unit = "W", .description = "Overload cut-off power",
      .offset = 12, .type = BLUETTI_U16 },
    { .name = "underload_protection_power", .unit = "W", .description = "Under-load detection power",
      .offset = 14, .type = BLUETTI_U16 },
    { .name = "indicator_light", .description = "Indicator LED setting",
      .offset = 16, .type = BLUETTI_U16 },
    { .name = "timer_set", .unit = "s", .description = "Countdown timer",
      .offset = 18, .type = BLUETTI_U32,
      .note = "low word first (EVIDENCE rule 1); the reference read it high word first" },
    { .name = "delay_hour_set", .unit = "h", .description = "Delay timer: hours",
      .offset = 22, .type = BLUETTI_U8 },
    { .name = "delay_min_set", .unit = "min", .description = "Delay timer: minutes",
      .offset = 23, .type = BLUETTI_U8 },
    { .name = "timer_list_raw", .description = "First 4-byte timer item, raw (weekday bits + action bit 7, hour, minute)",
      .offset = 24, .type = BLUETTI_U32, .order = BLUETTI_ORDER_BE,
      .note = "a record, not a number: bytes 0-1 weekday bits plus action bit 7, byte 2 hour, "
              "byte 3 minute. Read high word first (ABCD) so the value's hex digits follow the "
              "wire bytes; EVIDENCE rule 1 is about 32-bit integers and does not apply" },
};

static const bluetti_block_schema smart_plug_settings = {
    .id = 14700, .min_length = 56, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "SMART_PLUG_SETTINGS", .description = "Smart plug settings and timers",
    .fields = plug_settings_fields, .n_fields = N_OF(plug_settings_fields),
    .notes = "8 timer items of 4 bytes at 24+4k; only the first is exposed, as a raw value "
             "read high word first (a record, not a 32-bit integer). time_set_ctrl and "
             "timer_set are 32-bit integers read low word first (EVIDENCE rule 1). Bytes 6-7 unused.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &smart_plug_info, &smart_plug_settings,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-smartplug", "1.0.0",
                      "Smart plug identity and settings (14500, 14700)", init);
