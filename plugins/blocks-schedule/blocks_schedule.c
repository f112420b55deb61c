/* blocks-schedule: schedules, timers and time-of-use records
 * (19200 SCHEDULED_BACKUP, 19300 TIMER_SETTINGS, 19305 TIMER_TASK_LIST,
 * 19365/19425/19485 AT1_TIMER_EVENT_A..C, 26001 TOU_TIME_INFO).
 * Layouts from the older protocol reference (docs/protocol/README.md); decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define REQ BLUETTI_F_REQUIRED
#define UNV BLUETTI_EV_UNVERIFIED

/* ---- 19200 SCHEDULED_BACKUP --------------------------------------------- */

#define SCHED_NOTE "reference-issues.md item 15: layout of the reference's code (8-byte " \
                   "start/end pairs from 6), not " \
    "of its prose (8-byte schedules with their own type word). Raw 32-bit value, read low word " \
    "first (EVIDENCE rule 1); its time encoding is not known"

static const bluetti_field backup_fields[] = {
    { .name = "enable_flags", .description = "Backup enable bits (bits 0-1)",
      .offset = 0, .type = BLUETTI_U16, .flags = REQ },
    { .name = "mode_config", .description = "Mode bits, 4 bits per schedule",
      .offset = 2, .type = BLUETTI_U16, .flags = REQ },
    { .name = "schedule_type_enable", .description = "Type/enable nibble per schedule: schedule i = (value >> 4i) & 0xF",
      .offset = 4, .type = BLUETTI_U16, .evidence = UNV,
      .note = "reference-issues.md item 15: one type word for all schedules (the code); the "
              "prose puts a type word "
              "inside each schedule" },
    { .name = "schedule0_start_time", .description = "Schedule 0: start time (raw 32-bit)",
      .offset = 6, .type = BLUETTI_U32, .evidence = UNV, .note = SCHED_NOTE },
    { .name = "schedule0_end_time", .description = "Schedule 0: end time (raw 32-bit)",
      .offset = 10, .type = BLUETTI_U32, .evidence = UNV, .note = SCHED_NOTE },
    { .name = "schedule1_start_time", .description = "Schedule 1: start time (raw 32-bit)",
      .offset = 14, .type = BLUETTI_U32, .evidence = UNV, .note = SCHED_NOTE },
    { .name = "schedule1_end_time", .description = "Schedule 1: end time (raw 32-bit)",
      .offset = 18, .type = BLUETTI_U32, .evidence = UNV, .note = SCHED_NOTE },
    { .name = "schedule2_start_time", .description = "Schedule 2: start time (raw 32-bit)",
      .offset = 22, .type = BLUETTI_U32, .evidence = UNV, .note = SCHED_NOTE },
    { .name = "schedule2_end_time", .description = "Schedule 2: end time (raw 32-bit)",
      .offset = 26, .type = BLUETTI_U32, .evidence = UNV, .note = SCHED_NOTE },
    { .name = "schedule3_start_time", .description = "Schedule 3: start time (raw 32-bit)",
      .offset = 30, .type = BLUETTI_U32, .evidence = UNV, .note = SCHED_NOTE },
    { .name = "schedule3_end_time", .description = "Schedule 3: end time (raw 32-bit)",
      .offset = 34, .type = BLUETTI_U32, .evidence = UNV, .note = SCHED_NOTE },
};

static const bluetti_block_schema scheduled_backup = {
    .id = 19200, .min_length = 38, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = UNV,
    .name = "SCHEDULED_BACKUP", .description = "Scheduled backup settings",
    .fields = backup_fields, .n_fields = N_OF(backup_fields),
    .notes = "reference-issues.md item 15 (layout): follows the reference's code (one type word "
             "at 4, 8-byte "
             "start/end pairs from 6) rather than its prose (8-byte schedules each with a type "
             "word); everything from byte 4 on is unverified, and the block too since its own "
             "source calls it partial. 32-bit times read low word first (EVIDENCE rule 1).",
};

/* ---- 19300 TIMER_SETTINGS ----------------------------------------------- */

static const bluetti_field timer_settings_fields[] = {
    { .name = "enable_flags_01", .description = "Enable bits for timers 0-3 (2 bits each)",
      .offset = 0, .type = BLUETTI_U16, .flags = REQ },
    { .name = "enable_flags_02", .description = "Enable bits for timers 4-7 (2 bits each)",
      .offset = 2, .type = BLUETTI_U16, .flags = REQ },
    { .name = "enable_flags_03", .description = "Enable bits for timers 8-11 (2 bits each)",
      .offset = 4, .type = BLUETTI_U16, .flags = REQ },
    { .name = "enable_flags_04", .description = "Enable bits for timers 12-15 (2 bits each)",
      .offset = 6, .type = BLUETTI_U16, .flags = REQ },
    { .name = "timer_count", .description = "Number of active timers",
      .offset = 9, .type = BLUETTI_U8, .flags = REQ,
      .note = "low byte of register 19304; byte 8 is reserved" },
};

static const bluetti_block_schema timer_settings = {
    .id = 19300, .min_length = 50, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "TIMER_SETTINGS", .description = "Timer settings header",
    .fields = timer_settings_fields, .n_fields = N_OF(timer_settings_fields),
    .notes = "Enable words returned whole (2 bits per timer, not split). Byte 8 reserved; the "
             "timer tasks that follow from offset 10 are not modelled here (see 19305).",
};

/* ---- 19305 TIMER_TASK_LIST ---------------------------------------------- */

static const bluetti_enum_name timer_enable_names[] = {
    { 0, "disabled" }, { 1, "enabled" }, { 0, NULL },
};
static const bluetti_bit_name weekday_bits[] = {
    { 0, "sunday" }, { 1, "monday" }, { 2, "tuesday" }, { 3, "wednesday" },
    { 4, "thursday" }, { 5, "friday" }, { 6, "saturday" }, { 0, NULL },
};
static const bluetti_enum_name timer_modes[] = {
    { 0, "off" }, { 1, "grid_charge" }, { 2, "pv_charge" }, { 3, "discharge" },
    { 4, "load_priority" }, { 5, "battery_priority" }, { 6, "custom" }, { 0, NULL },
};

#define HIGH_BYTE_NOTE "u8 at an even offset, i.e. the high byte of a register, as the " \
    "reference places it; if the device keeps the value in a whole register it sits in the " \
    "low byte instead (not verified)"

static const bluetti_field timer_task_fields[] = {
    { .name = "timer0_enable", .description = "Timer 0: enabled (0/1)",
      .offset = 0, .type = BLUETTI_U16, .flags = REQ, .enums = timer_enable_names },
    { .name = "timer0_start_hour", .description = "Timer 0: start hour",
      .offset = 2, .type = BLUETTI_U8, .flags = REQ, .note = HIGH_BYTE_NOTE },
    { .name = "timer0_start_minute", .description = "Timer 0: start minute",
      .offset = 4, .type = BLUETTI_U8, .flags = REQ, .note = HIGH_BYTE_NOTE },
    { .name = "timer0_end_hour", .description = "Timer 0: end hour",
      .offset = 6, .type = BLUETTI_U8, .flags = REQ, .note = HIGH_BYTE_NOTE },
    { .name = "timer0_end_minute", .description = "Timer 0: end minute",
      .offset = 8, .type = BLUETTI_U8, .flags = REQ, .note = HIGH_BYTE_NOTE },
    { .name = "timer0_days_of_week", .description = "Timer 0: weekday bits (bit0 Sunday ... bit6 Saturday)",
      .offset = 10, .type = BLUETTI_U16, .flags = REQ, .bits = weekday_bits },
    { .name = "timer0_mode", .description = "Timer 0: mode",
      .offset = 12, .type = BLUETTI_U8, .flags = REQ, .enums = timer_modes, .note = HIGH_BYTE_NOTE },
    { .name = "timer0_power", .unit = "W", .description = "Timer 0: power level",
      .offset = 14, .type = BLUETTI_U16, .flags = REQ },
    { .name = "timer0_priority", .description = "Timer 0: priority",
      .offset = 16, .type = BLUETTI_U8, .note = HIGH_BYTE_NOTE },
};

static const bluetti_block_schema timer_task_list = {
    .id = 19305, .min_length = 40, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "TIMER_TASK_LIST", .description = "Timer task list (first task)",
    .fields = timer_task_fields, .n_fields = N_OF(timer_task_fields),
    .notes = "Task k starts at 40k; only task 0 is modelled. The single-byte fields sit at even "
             "offsets (register high bytes) exactly as the reference places them; unconfirmed. "
             "Clock hours and minutes carry no unit (they are times of day, not durations).",
};

/* ---- 19365 / 19425 / 19485 AT1_TIMER_EVENT_A..C --------------------------- */

#define FLAGS_NOTE "reference-issues.md item 16: weekday bits 0-6 (agreed) and a mode whose bits " \
                   "are disputed " \
    "(7-10 or 8-11); the word is returned whole and the mode is not split out"
#define DAYS_NOTE "derived: bits 0-6 of the flags word, where every source puts the weekdays; " \
    "which bit is which day is not stated for AT1 timers"

#define AT1_SLOT_FIELDS(n, req)                                                          \
    { .name = "slot" #n "_flags", .description = "Slot " #n ": packed weekday/mode bits",  \
      .offset = (uint16_t)(((n) - 1) % 2 * 4), .type = BLUETTI_U16, .flags = (req),       \
      .note = FLAGS_NOTE },                                                              \
    { .name = "slot" #n "_weekdays", .description = "Slot " #n ": weekday bits (bits 0-6 of the flags)", \
      .offset = (uint16_t)(((n) - 1) % 2 * 4), .type = BLUETTI_U16,                       \
      .xf = { BLUETTI_XF_BITMASK_(0x7F) }, .note = DAYS_NOTE },                           \
    { .name = "slot" #n "_value1", .description = "Slot " #n ": first setting value",      \
      .offset = (uint16_t)(((n) - 1) % 2 * 4 + 2), .type = BLUETTI_U8, .flags = (req) },  \
    { .name = "slot" #n "_value2", .description = "Slot " #n ": second setting value",     \
      .offset = (uint16_t)(((n) - 1) % 2 * 4 + 3), .type = BLUETTI_U8, .flags = (req) }

static const bluetti_field at1_event_a_fields[] = { AT1_SLOT_FIELDS(1, REQ), AT1_SLOT_FIELDS(2, 0) };
static const bluetti_field at1_event_b_fields[] = { AT1_SLOT_FIELDS(3, REQ), AT1_SLOT_FIELDS(4, 0) };
static const bluetti_field at1_event_c_fields[] = { AT1_SLOT_FIELDS(5, REQ), AT1_SLOT_FIELDS(6, 0) };

#define AT1_NOTES "Two 4-byte timer slots: a flags word (weekdays in bits 0-6; the mode in bits " \
    "7-10 or 8-11, reference-issues.md item 16) and two setting bytes. reference-issues.md item " \
    "16 resolved by not guessing: the flags " \
    "word is returned whole, a derived slotN_weekdays (bits 0-6) is added, the mode is left " \
    "to the raw word."

static const bluetti_block_schema at1_event_a = {
    .id = 19365, .min_length = 8, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "AT1_TIMER_EVENT_A", .description = "AT1 timer slots 1-2",
    .fields = at1_event_a_fields, .n_fields = N_OF(at1_event_a_fields),
    .notes = AT1_NOTES,
};
static const bluetti_block_schema at1_event_b = {
    .id = 19425, .min_length = 8, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "AT1_TIMER_EVENT_B", .description = "AT1 timer slots 3-4",
    .fields = at1_event_b_fields, .n_fields = N_OF(at1_event_b_fields),
    .notes = AT1_NOTES,
};
static const bluetti_block_schema at1_event_c = {
    .id = 19485, .min_length = 8, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "AT1_TIMER_EVENT_C", .description = "AT1 timer slots 5-6",
    .fields = at1_event_c_fields, .n_fields = N_OF(at1_event_c_fields),
    .notes = AT1_NOTES,
};

/* ---- 26001 TOU_TIME_INFO ------------------------------------------------ */

#define TOU_WORD_NOTE "packed bit field (seconds of day, weekday/day/month masks, register " \
    "type, target id, time type) whose bit positions the reference does not give: raw word"

static const bluetti_field tou_fields[] = {
    { .name = "word0", .description = "First TOU record: packed word 0",
      .offset = 0, .type = BLUETTI_U16, .note = TOU_WORD_NOTE },
    { .name = "word1", .description = "First TOU record: packed word 1",
      .offset = 2, .type = BLUETTI_U16, .note = TOU_WORD_NOTE },
    { .name = "word2", .description = "First TOU record: packed word 2",
      .offset = 4, .type = BLUETTI_U16, .note = TOU_WORD_NOTE },
    { .name = "word3", .description = "First TOU record: packed word 3",
      .offset = 6, .type = BLUETTI_U16, .note = TOU_WORD_NOTE },
    { .name = "word4", .description = "First TOU record: packed word 4",
      .offset = 8, .type = BLUETTI_U16, .note = TOU_WORD_NOTE },
    { .name = "target_reg", .description = "First TOU record: register the schedule acts on",
      .offset = 10, .type = BLUETTI_U16 },
    { .name = "target_value", .description = "First TOU record: value to apply",
      .offset = 12, .type = BLUETTI_U16 },
};

static const bluetti_block_schema tou_time_info = {
    .id = 26001, .min_length = 14, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "TOU_TIME_INFO", .description = "Time-of-use control records (first record)",
    .fields = tou_fields, .n_fields = N_OF(tou_fields),
    .notes = "Records are 14 bytes; only the first is modelled. Its first 10 bytes are a packed "
             "bit field left as five raw words, as in the reference.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &scheduled_backup, &timer_settings, &timer_task_list,
        &at1_event_a, &at1_event_b, &at1_event_c, &tou_time_info,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-schedule", "1.0.0",
                      "Schedule, timer and time-of-use blocks (19200-19485, 26001)", init);
