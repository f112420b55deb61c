/* blocks-epad: energy pad (tank level / temperature monitor) blocks
 * (18000 EPAD_INFO, 18300 EPAD_SETTINGS, 18400/18500/18600
 * EPAD_LIQUID_POINT1..3). Layouts from the older protocol reference (docs/protocol/README.md);
 * decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* ---- 18000 EPAD_INFO ---------------------------------------------------- */

#define TEMP_NOTE "reference-issues.md item 17: the reference labels it 0.1 °C but applied no " \
                  "scale; x0.1 applied so " \
    "the value is in °C. Kept unsigned as the reference reads it (a sub-zero reading would " \
    "need i16; unverified)"

static const bluetti_field epad_info_fields[] = {
    { .name = "liquid_level_1", .description = "Liquid level sensor 1 reading (unit unknown)",
      .offset = 12, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "liquid_level_2", .description = "Liquid level sensor 2 reading (unit unknown)",
      .offset = 14, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "liquid_level_3", .description = "Liquid level sensor 3 reading (unit unknown)",
      .offset = 16, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "sensor_temp_1", .unit = "°C", .description = "Temperature sensor 1",
      .offset = 18, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = TEMP_NOTE },
    { .name = "sensor_temp_2", .unit = "°C", .description = "Temperature sensor 2",
      .offset = 20, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = TEMP_NOTE },
    { .name = "sensor_temp_3", .unit = "°C", .description = "Temperature sensor 3",
      .offset = 22, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = TEMP_NOTE },
    { .name = "remaining_capacity_1", .unit = "%", .description = "Remaining capacity, sensor 1",
      .offset = 24, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "remaining_capacity_2", .unit = "%", .description = "Remaining capacity, sensor 2",
      .offset = 26, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "remaining_capacity_3", .unit = "%", .description = "Remaining capacity, sensor 3",
      .offset = 28, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "connection_status", .description = "EPAD connection bits",
      .offset = 30, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "ambient_temp_1", .unit = "°C", .description = "Ambient temperature 1",
      .offset = 32, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = TEMP_NOTE },
    { .name = "ambient_temp_2", .unit = "°C", .description = "Ambient temperature 2",
      .offset = 34, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = TEMP_NOTE },
    { .name = "ambient_temp_3", .unit = "°C", .description = "Ambient temperature 3",
      .offset = 36, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED, .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = TEMP_NOTE },
};

static const bluetti_block_schema epad_info = {
    .id = 18000, .min_length = 38, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "EPAD_INFO", .description = "Energy pad (EPAD) monitor",
    .fields = epad_info_fields, .n_fields = N_OF(epad_info_fields),
    .notes = "reference-issues.md item 17 (unit without scale): the six temperatures, labelled "
             "0.1 °C with no scale "
             "in the reference, get x0.1 and unit °C (unverified; still unsigned as the reference "
             "reads them). Bytes 0-11 and the alarm history from 38 (the app's packet is 2019 "
             "bytes) are not modelled.",
};

/* ---- 18300 EPAD_SETTINGS ------------------------------------------------ */

static const bluetti_enum_name temp_units[] = {
    { 1, "celsius" }, { 0, NULL },
};

/* Liquid sensor k: base part at 2+14(k-1), alarm part at 44+18(k-1);
 * temperature sensor k at 98+10(k-1). Units of volumes, periods and delays
 * are not known, so none is given. */
static const bluetti_field epad_settings_fields[] = {
    { .name = "sensor_type", .description = "Sensor-type enable bits",
      .offset = 0, .type = BLUETTI_U16 },
    { .name = "liquid_1_sensor_spec", .description = "Liquid sensor 1: sensor model/spec",
      .offset = 2, .type = BLUETTI_U16 },
    { .name = "liquid_1_fluid_type", .description = "Liquid sensor 1: fluid type",
      .offset = 4, .type = BLUETTI_U16 },
    { .name = "liquid_1_volume_unit", .description = "Liquid sensor 1: volume unit",
      .offset = 6, .type = BLUETTI_U16 },
    { .name = "liquid_1_volume_total", .description = "Liquid sensor 1: tank capacity",
      .offset = 8, .type = BLUETTI_U16 },
    { .name = "liquid_1_sampling_period", .description = "Liquid sensor 1: sampling interval",
      .offset = 10, .type = BLUETTI_U16 },
    { .name = "liquid_1_calibration_empty", .description = "Liquid sensor 1: calibration value at empty",
      .offset = 12, .type = BLUETTI_U16 },
    { .name = "liquid_1_calibration_full", .description = "Liquid sensor 1: calibration value at full",
      .offset = 14, .type = BLUETTI_U16 },
    { .name = "liquid_2_sensor_spec", .description = "Liquid sensor 2: sensor model/spec",
      .offset = 16, .type = BLUETTI_U16 },
    { .name = "liquid_2_fluid_type", .description = "Liquid sensor 2: fluid type",
      .offset = 18, .type = BLUETTI_U16 },
    { .name = "liquid_2_volume_unit", .description = "Liquid sensor 2: volume unit",
      .offset = 20, .type = BLUETTI_U16 },
    { .name = "liquid_2_volume_total", .description = "Liquid sensor 2: tank capacity",
      .offset = 22, .type = BLUETTI_U16 },
    { .name = "liquid_2_sampling_period", .description = "Liquid sensor 2: sampling interval",
      .offset = 24, .type = BLUETTI_U16 },
    { .name = "liquid_2_calibration_empty", .description = "Liquid sensor 2: calibration value at empty",
      .offset = 26, .type = BLUETTI_U16 },
    { .name = "liquid_2_calibration_full", .description = "Liquid sensor 2: calibration value at full",
      .offset = 28, .type = BLUETTI_U16 },
    { .name = "liquid_3_sensor_spec", .description = "Liquid sensor 3: sensor model/spec",
      .offset = 30, .type = BLUETTI_U16 },
    { .name = "liquid_3_fluid_type", .description = "Liquid sensor 3: fluid type",
      .offset = 32, .type = BLUETTI_U16 },
    { .name = "liquid_3_volume_unit", .description = "Liquid sensor 3: volume unit",
      .offset = 34, .type = BLUETTI_U16 },
    { .name = "liquid_3_volume_total", .description = "Liquid sensor 3: tank capacity",
      .offset = 36, .type = BLUETTI_U16 },
    { .name = "liquid_3_sampling_period", .description = "Liquid sensor 3: sampling interval",
      .offset = 38, .type = BLUETTI_U16 },
    { .name = "liquid_3_calibration_empty", .description = "Liquid sensor 3: calibration value at empty",
      .offset = 40, .type = BLUETTI_U16 },
    { .name = "liquid_3_calibration_full", .description = "Liquid sensor 3: calibration value at full",
      .offset = 42, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_enable", .description = "Liquid sensor 1: alarm enable bits (bits 0-1 low alarm, 2-3 high alarm)",
      .offset = 44, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_value_high", .description = "Liquid sensor 1: high-alarm threshold",
      .offset = 46, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_clean_value_high", .description = "Liquid sensor 1: high-alarm clear threshold",
      .offset = 48, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_delay_high", .description = "Liquid sensor 1: high-alarm delay",
      .offset = 50, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_clean_delay_high", .description = "Liquid sensor 1: high-alarm clear delay",
      .offset = 52, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_value_low", .description = "Liquid sensor 1: low-alarm threshold",
      .offset = 54, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_clean_value_low", .description = "Liquid sensor 1: low-alarm clear threshold",
      .offset = 56, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_delay_low", .description = "Liquid sensor 1: low-alarm delay",
      .offset = 58, .type = BLUETTI_U16 },
    { .name = "liquid_1_alarm_clean_delay_low", .description = "Liquid sensor 1: low-alarm clear delay",
      .offset = 60, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_enable", .description = "Liquid sensor 2: alarm enable bits (bits 0-1 low alarm, 2-3 high alarm)",
      .offset = 62, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_value_high", .description = "Liquid sensor 2: high-alarm threshold",
      .offset = 64, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_clean_value_high", .description = "Liquid sensor 2: high-alarm clear threshold",
      .offset = 66, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_delay_high", .description = "Liquid sensor 2: high-alarm delay",
      .offset = 68, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_clean_delay_high", .description = "Liquid sensor 2: high-alarm clear delay",
      .offset = 70, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_value_low", .description = "Liquid sensor 2: low-alarm threshold",
      .offset = 72, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_clean_value_low", .description = "Liquid sensor 2: low-alarm clear threshold",
      .offset = 74, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_delay_low", .description = "Liquid sensor 2: low-alarm delay",
      .offset = 76, .type = BLUETTI_U16 },
    { .name = "liquid_2_alarm_clean_delay_low", .description = "Liquid sensor 2: low-alarm clear delay",
      .offset = 78, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_enable", .description = "Liquid sensor 3: alarm enable bits (bits 0-1 low alarm, 2-3 high alarm)",
      .offset = 80, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_value_high", .description = "Liquid sensor 3: high-alarm threshold",
      .offset = 82, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_clean_value_high", .description = "Liquid sensor 3: high-alarm clear threshold",
      .offset = 84, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_delay_high", .description = "Liquid sensor 3: high-alarm delay",
      .offset = 86, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_clean_delay_high", .description = "Liquid sensor 3: high-alarm clear delay",
      .offset = 88, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_value_low", .description = "Liquid sensor 3: low-alarm threshold",
      .offset = 90, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_clean_value_low", .description = "Liquid sensor 3: low-alarm clear threshold",
      .offset = 92, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_delay_low", .description = "Liquid sensor 3: low-alarm delay",
      .offset = 94, .type = BLUETTI_U16 },
    { .name = "liquid_3_alarm_clean_delay_low", .description = "Liquid sensor 3: low-alarm clear delay",
      .offset = 96, .type = BLUETTI_U16 },
    { .name = "temp_1_calibration_offset", .description = "Temperature sensor 1: signed calibration offset",
      .offset = 98, .type = BLUETTI_I16 },
    { .name = "temp_1_calibration_ratio", .description = "Temperature sensor 1: calibration ratio",
      .offset = 100, .type = BLUETTI_U16 },
    { .name = "temp_1_temp_unit", .description = "Temperature sensor 1: temperature unit (1 = Celsius)",
      .offset = 102, .type = BLUETTI_U16, .enums = temp_units },
    { .name = "temp_1_nominal_resistance", .description = "Temperature sensor 1: thermistor nominal resistance",
      .offset = 104, .type = BLUETTI_U16 },
    { .name = "temp_1_beta", .description = "Temperature sensor 1: thermistor beta coefficient",
      .offset = 106, .type = BLUETTI_U16 },
    { .name = "temp_2_calibration_offset", .description = "Temperature sensor 2: signed calibration offset",
      .offset = 108, .type = BLUETTI_I16 },
    { .name = "temp_2_calibration_ratio", .description = "Temperature sensor 2: calibration ratio",
      .offset = 110, .type = BLUETTI_U16 },
    { .name = "temp_2_temp_unit", .description = "Temperature sensor 2: temperature unit (1 = Celsius)",
      .offset = 112, .type = BLUETTI_U16, .enums = temp_units },
    { .name = "temp_2_nominal_resistance", .description = "Temperature sensor 2: thermistor nominal resistance",
      .offset = 114, .type = BLUETTI_U16 },
    { .name = "temp_2_beta", .description = "Temperature sensor 2: thermistor beta coefficient",
      .offset = 116, .type = BLUETTI_U16 },
    { .name = "temp_3_calibration_offset", .description = "Temperature sensor 3: signed calibration offset",
      .offset = 118, .type = BLUETTI_I16 },
    { .name = "temp_3_calibration_ratio", .description = "Temperature sensor 3: calibration ratio",
      .offset = 120, .type = BLUETTI_U16 },
    { .name = "temp_3_temp_unit", .description = "Temperature sensor 3: temperature unit (1 = Celsius)",
      .offset = 122, .type = BLUETTI_U16, .enums = temp_units },
    { .name = "temp_3_nominal_resistance", .description = "Temperature sensor 3: thermistor nominal resistance",
      .offset = 124, .type = BLUETTI_U16 },
    { .name = "temp_3_beta", .description = "Temperature sensor 3: thermistor beta coefficient",
      .offset = 126, .type = BLUETTI_U16 },
    { .name = "lcd_active_time", .description = "Display backlight on-time (unit unknown)",
      .offset = 150, .type = BLUETTI_U16 },
};

static const bluetti_block_schema epad_settings = {
    .id = 18300, .min_length = 152, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "EPAD_SETTINGS", .description = "Energy pad settings",
    .fields = epad_settings_fields, .n_fields = N_OF(epad_settings_fields),
    .notes = "Liquid sensor k: base part at 2+14(k-1), alarm part at 44+18(k-1); temperature "
             "sensor k at 98+10(k-1); bytes 128-149 unused. No units: the reference names none "
             "for volumes, periods, delays or the LCD time.",
};

/* ---- 18400 / 18500 / 18600 EPAD_LIQUID_POINT1..3 ------------------------ */

/* The three lists share one layout; only the first point is modelled. */
static const bluetti_field liquid_point_fields[] = {
    { .name = "volume", .description = "First calibration point: volume value (unit unknown)",
      .offset = 0, .type = BLUETTI_U8 },
    { .name = "liquid", .description = "First calibration point: level value (unit unknown)",
      .offset = 1, .type = BLUETTI_U8 },
};

#define LIQUID_POINT_NOTES "The app returns a list of 2-byte points (volume, level); only " \
    "the first point is modelled. Same layout for lists 1-3."

static const bluetti_block_schema liquid_point1 = {
    .id = 18400, .min_length = 2, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "EPAD_LIQUID_POINT1", .description = "EPAD liquid calibration list 1 (first point)",
    .fields = liquid_point_fields, .n_fields = N_OF(liquid_point_fields),
    .notes = LIQUID_POINT_NOTES,
};

static const bluetti_block_schema liquid_point2 = {
    .id = 18500, .min_length = 2, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "EPAD_LIQUID_POINT2", .description = "EPAD liquid calibration list 2 (first point)",
    .fields = liquid_point_fields, .n_fields = N_OF(liquid_point_fields),
    .notes = LIQUID_POINT_NOTES,
};

static const bluetti_block_schema liquid_point3 = {
    .id = 18600, .min_length = 2, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "EPAD_LIQUID_POINT3", .description = "EPAD liquid calibration list 3 (first point)",
    .fields = liquid_point_fields, .n_fields = N_OF(liquid_point_fields),
    .notes = LIQUID_POINT_NOTES,
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &epad_info, &epad_settings, &liquid_point1, &liquid_point2, &liquid_point3,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-epad", "1.0.0",
                      "Energy pad blocks (18000, 18300, 18400, 18500, 18600)", init);
