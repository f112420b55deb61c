/* Catalog B block plugins: blocks-iot, blocks-smartplug, blocks-dcdc,
 * blocks-ats, blocks-epad, blocks-schedule, blocks-boot (27 blocks).
 *
 * Every vector's payload was written by hand for this file and every
 * expected value computed by hand from the layout decisions in the plugins
 * (32-bit values low word first, 12-byte model text byte-swapped per
 * register, enable-list chunks taken most significant bit first). A "full"
 * vector must name every field of its block. */
#include "config.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { X_INT = 1, X_FLOAT, X_TEXT, X_ABSENT };

typedef struct expect {
    const char *name;
    int kind;
    long long i;
    double f;
    const char *s;
} expect;

#define EI(n, v) { (n), X_INT, (v), 0, NULL }
#define EF(n, v) { (n), X_FLOAT, 0, (v), NULL }
#define ES(n, v) { (n), X_TEXT, 0, 0, (v) }
#define EA(n)    { (n), X_ABSENT, 0, 0, NULL }
#define EEND     { NULL, 0, 0, 0, NULL }

enum { V_FULL, V_SHORT, V_ODD };

typedef struct vec {
    uint16_t block;
    int variant;     /* V_FULL: every field named, valid, no warning;
                      * V_SHORT: shorter than min_length (flagged, not fatal: non-strict);
                      * V_ODD: other malformed input, judged by its expectations */
    const char *what;
    const char *hex;
    const expect *ex;
} vec;

#define EX(...) ((const expect[]){ __VA_ARGS__, EEND })

static bluetti_registry *reg;

/* ---- the vectors -------------------------------------------------------- */

static const vec vectors[] = {
    /* ---- 720 OTA_STATUS ---- */
    { 720, V_FULL, "slot 0 at 100 %", "0500 0203 0104 6400",
      EX(EI("ota_group", 5), EI("file0_ota_status", 2), EI("file0_ota_step", 3),
         EI("file0_mcu_type", 1), EI("file0_depth", 4), EI("file0_progress", 100),
         EI("file0_error_code", 0)) },
    { 720, V_SHORT, "5 bytes", "0500 0203 01",
      EX(EI("ota_group", 5), EI("file0_ota_status", 2), EI("file0_ota_step", 3),
         EI("file0_mcu_type", 1), EA("file0_depth"), EA("file0_progress"),
         EA("file0_error_code")) },
    { 720, V_SHORT, "odd length 7", "0500 0203 0104 64",
      EX(EI("file0_progress", 100), EA("file0_error_code")) },

    /* ---- 11000 IOT_INFO ---- */
    { 11000, V_FULL, "swapped model, CDAB versions",
      "4f49 4d54 302d 0031 0000 0000 534e 3132 3334 3536 4142 3132 0000 0000 0203 0001 0000 0001 0005",
      EX(ES("iot_model", "IOTM-01"), ES("iot_sn", "SN123456"), ES("safety_code", "AB12"),
         EI("iot_software_ver", 66051), EI("rf_ver", 65536), EI("ctrl_status", 5)) },
    { 11000, V_SHORT, "cut inside iot_software_ver (30 bytes)",
      "4f49 4d54 302d 0031 0000 0000 534e 3132 3334 3536 4142 3132 0000 0000 0203",
      EX(ES("iot_model", "IOTM-01"), ES("iot_sn", "SN123456"), ES("safety_code", "AB12"),
         EA("iot_software_ver"), EA("rf_ver"), EA("ctrl_status")) },
    { 11000, V_ODD, "non-printable text bytes are escaped",
      "494f 7f01 0000 0000 0000 0000 534e 80ff 3334 3536 4142 3132 0000 0000 0203 0001 0000 0001 0005",
      EX(ES("iot_model", "OI\\x01\\x7f"), ES("iot_sn", "SN\\x80\\xff3456"),
         EI("iot_software_ver", 66051)) },

    /* ---- 12002 IOT_WIFI_SETTINGS ---- */
    { 12002, V_FULL, "credentials keep trailing spaces",
      "486f 6d65 204e 6574 2000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "7040 7373 2077 3072 6420 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0001",
      EX(ES("wifi_ssid", "Home Net "), ES("wifi_password", "p@ss w0rd "),
         EI("wifi_no_password_enable", 0), EI("wifi_password_h32b_enable", 1)) },
    { 12002, V_SHORT, "80 bytes: password cut",
      "486f 6d65 204e 6574 2000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "7040 7373 2077 3072 6420 0000 0000 0000",
      EX(ES("wifi_ssid", "Home Net "), EA("wifi_password"), EA("wifi_no_password_enable"),
         EA("wifi_password_h32b_enable")) },
    { 12002, V_ODD, "SSID fills all 64 bytes, password with UTF-8 and a tab",
      "4142 4344 4546 4748 494a 4b4c 4d4e 4f50 5152 5354 5556 5758 595a 3031 3233 3435"
      "3637 3839 6162 6364 6566 6768 696a 6b6c 6d6e 6f70 7172 7374 7576 7778 797a 2d5f"
      "6361 66c3 a909 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0100",
      EX(ES("wifi_ssid", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz-_"),
         ES("wifi_password", "caf\\xc3\\xa9\\x09"), EI("wifi_no_password_enable", 1),
         EI("wifi_password_h32b_enable", 0)) },

    /* ---- 12161 IOT_ENABLE_INFO ---- */
    { 12161, V_FULL, "bits 0,6 and 0,1,3,5", "0041 002b",
      EX(EI("control_flags_1", 65), EI("control_flags_2", 43)) },
    { 12161, V_SHORT, "one register", "0041",
      EX(EI("control_flags_1", 65), EA("control_flags_2")) },
    { 12161, V_ODD, "a single byte", "ff",
      EX(EA("control_flags_1"), EA("control_flags_2")) },

    /* ---- 14500 SMART_PLUG_INFO ---- */
    { 14500, V_FULL, "swapped model, CDAB version",
      "4c50 4755 582d 0000 0000 0000 5350 3030 3030 3031 0001 0002 0004",
      EX(ES("model", "PLUG-X"), ES("serial_number", "SP000001"),
         EI("software_version", 131073), EI("plug_count", 4)) },
    { 14500, V_SHORT, "24 bytes",
      "4c50 4755 582d 0000 0000 0000 5350 3030 3030 3031 0001 0002",
      EX(ES("model", "PLUG-X"), EI("software_version", 131073), EA("plug_count")) },
    { 14500, V_ODD, "control byte inside the model",
      "4c50 0147 582d 0000 0000 0000 5350 3030 3030 3031 0001 0002 0004",
      EX(ES("model", "PLG\\x01-X"), EI("plug_count", 4)) },

    /* ---- 14700 SMART_PLUG_SETTINGS ---- */
    { 14700, V_FULL, "settings, unused bytes 6-7 set",
      "0003 0101 0000 ffff 00ff 0001 0708 0005 0001 0e10 0000 021e 7f80 081e"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000",
      EX(EI("protection_ctrl", 3), EI("set_enable_1", 257), EI("set_enable_2", 0),
         EI("time_set_ctrl", 65791), EI("overload_protection_power", 1800),
         EI("underload_protection_power", 5), EI("indicator_light", 1),
         EI("timer_set", 3600), EI("delay_hour_set", 2), EI("delay_min_set", 30),
         EI("timer_list_raw", 2139097118)) },
    { 14700, V_SHORT, "22 bytes",
      "0003 0101 0000 ffff 00ff 0001 0708 0005 0001 0e10 0000",
      EX(EI("timer_set", 3600), EA("delay_hour_set"), EA("delay_min_set"),
         EA("timer_list_raw")) },
    { 14700, V_SHORT, "odd length 23",
      "0003 0101 0000 ffff 00ff 0001 0708 0005 0001 0e10 0000 02",
      EX(EI("delay_hour_set", 2), EA("delay_min_set"), EA("timer_list_raw")) },

    /* ---- 15500 DC_DC_INFO ---- */
    { 15500, V_FULL, "charging car to device",
      "4344 3035 0030 0000 0000 0000 4444 3030 3030 3432 0087 008c 0190 0230 8000",
      EX(ES("model", "DC500"), ES("serial_number", "DD000042"), EF("dc_input_volt", 13.5),
         EF("dc_output_volt", 14.0), EF("dc_output_current", 40.0),
         EI("dc_output_power", 560), EI("energy_line_car_to_charger", 1),
         EI("energy_line_charger_to_device", 0)) },
    { 15500, V_SHORT, "27 bytes",
      "4344 3035 0030 0000 0000 0000 4444 3030 3030 3432 0087 008c 0190 02",
      EX(EF("dc_output_current", 40.0), EA("dc_output_power"),
         EA("energy_line_car_to_charger"), EA("energy_line_charger_to_device")) },
    { 15500, V_ODD, "flag word 0x3fff: one bit per element (2-bit chunks would give 0, 3)",
      "4344 3035 0030 0000 0000 0000 4444 3030 3030 3432 0087 008c 0190 0230 3fff",
      EX(EI("energy_line_car_to_charger", 0), EI("energy_line_charger_to_device", 0)) },
    { 15500, V_ODD, "flag word 0x4000",
      "4344 3035 0030 0000 0000 0000 4444 3030 3030 3432 0087 008c 0190 0230 4000",
      EX(EI("energy_line_car_to_charger", 0), EI("energy_line_charger_to_device", 1)) },

    /* ---- 15600 DC_DC_SETTINGS ---- */
    { 15600, V_FULL, "enable word 0x1234",
      "1234 0090 0019 0078 000a 01e0 0064 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000",
      EX(EI("dc_ctrl", 0), EI("silent_mode_ctrl", 2), EI("factory_set", 0),
         EI("self_adaption_enable", 1), EF("volt_set_dc1", 14.4), EI("output_current_dc1", 25),
         EF("volt_set_dc2", 12.0), EI("output_current_dc2", 10), EF("volt_set_dc3", 48.0),
         EF("output_current_dc3", 10.0)) },
    { 15600, V_SHORT, "9 bytes",
      "1234 0090 0019 0078 00",
      EX(EI("silent_mode_ctrl", 2), EF("volt_set_dc2", 12.0), EA("output_current_dc2"),
         EA("volt_set_dc3"), EA("output_current_dc3")) },
    { 15600, V_ODD, "enable word 0xa5c3",
      "a5c3 0090 0019 0078 000a 01e0 0064 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000",
      EX(EI("dc_ctrl", 1), EI("silent_mode_ctrl", 1), EI("factory_set", 2),
         EI("self_adaption_enable", 2)) },

    /* ---- 15700 DC_HUB_INFO ---- */
    { 15700, V_FULL, "all ports",
      "5548 2d42 0031 0000 0000 0000 4842 3132 3334 3536"
      "0064 00f0 0023 005a 0078 004b 0032 0079 0001 0000 0000 0000"
      "000a 0032 0002 0041 00c8 0003 ffff 8000 1234 0190 0078 0001",
      EX(ES("model", "HUB-1"), ES("serial_number", "HB123456"), EI("dc_input_power", 100),
         EI("dc_input_voltage", 240), EI("dc_input_current", 35), EI("dc_output_power", 90),
         EI("dc_output_voltage", 120), EI("dc_output_current", 75),
         EI("cigarette_lighter_1_power", 50), EI("cigarette_lighter_1_voltage", 121),
         EI("cigarette_lighter_1_status", 1), EI("cigarette_lighter_2_power", 0),
         EI("cigarette_lighter_2_voltage", 0), EI("cigarette_lighter_2_status", 0),
         EI("usb_a_power", 10), EI("usb_a_voltage", 50), EI("usb_a_status", 2),
         EI("type_c_1_power", 65), EI("type_c_1_voltage", 200), EI("type_c_1_status", 3),
         EI("type_c_2_power", 65535), EI("type_c_2_voltage", 32768),
         EI("type_c_2_status", 4660), EI("anderson_power", 400), EI("anderson_voltage", 120),
         EI("anderson_status", 1)) },
    { 15700, V_SHORT, "odd length 45",
      "5548 2d42 0031 0000 0000 0000 4842 3132 3334 3536"
      "0064 00f0 0023 005a 0078 004b 0032 0079 0001 0000 0000 0000 00",
      EX(EI("cigarette_lighter_2_status", 0), EA("usb_a_power"), EA("usb_a_voltage"),
         EA("anderson_status")) },
    { 15700, V_ODD, "non-ASCII serial byte",
      "5548 2d42 0031 0000 0000 0000 48ff 3132 3334 3536"
      "0064 00f0 0023 005a 0078 004b 0032 0079 0001 0000 0000 0000"
      "000a 0032 0002 0041 00c8 0003 ffff 8000 1234 0190 0078 0001",
      EX(ES("model", "HUB-1"), ES("serial_number", "H\\xff123456"),
         EI("dc_input_power", 100)) },

    /* ---- 15750 DC_HUB_SETTINGS ---- */
    { 15750, V_FULL, "0x03e8", "03e8",
      EX(EI("enable_flags", 1000), EI("dc_voltage_set", 3)) },
    { 15750, V_SHORT, "a single byte", "05",
      EX(EA("enable_flags"), EI("dc_voltage_set", 5)) },
    { 15750, V_SHORT, "empty payload", "",
      EX(EA("enable_flags"), EA("dc_voltage_set")) },
    { 15750, V_ODD, "high bit set", "8001",
      EX(EI("enable_flags", 32769), EI("dc_voltage_set", 128)) },

    /* ---- 17000 ATS_INFO ---- */
    { 17000, V_FULL, "odd-length model, type in the low byte",
      "5441 2d53 5250 004f 0000 0000 4154 3938 3736 3534 ee07 0002 0003",
      EX(ES("model", "ATS-PRO"), ES("serial_number", "AT987654"), EI("software_type", 7),
         EI("software_version", 196610)) },
    { 17000, V_SHORT, "24 bytes",
      "5441 2d53 5250 004f 0000 0000 4154 3938 3736 3534 ee07 0002",
      EX(EI("software_type", 7), EA("software_version")) },
    { 17000, V_SHORT, "odd length 21",
      "5441 2d53 5250 004f 0000 0000 4154 3938 3736 3534 ee",
      EX(ES("serial_number", "AT987654"), EA("software_type"), EA("software_version")) },

    /* ---- 17100 AT1_BASE_INFO ---- */
    { 17100, V_FULL, "bytes 20-21 ignored",
      "5441 0031 0000 0000 0000 0000 4131 3030 3030 3031 ffff 0100 0000",
      EX(ES("model", "AT1"), ES("serial_number", "A1000001"), EI("software_version", 256)) },
    { 17100, V_SHORT, "20 bytes",
      "5441 0031 0000 0000 0000 0000 4131 3030 3030 3031",
      EX(ES("model", "AT1"), ES("serial_number", "A1000001"), EA("software_version")) },
    { 17100, V_ODD, "escape byte in the serial",
      "5441 0031 0000 0000 0000 0000 4131 1b30 3030 3031 ffff 0100 0000",
      EX(ES("serial_number", "A1\\x1b00001"), EI("software_version", 256)) },

    /* ---- 17400 ATS_EVENT_EXT ---- */
    { 17400, V_FULL, "182 bytes, SOC stop clamped",
      "0200 9c40 0000 0000 0000 0000 8c00 0000 0000 d000 6000 3000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0020 0010 000f 0001 0100 2832"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 09c0 011d 9614 aa0f",
      EX(EI("top_level_enables.chg_from_grid_enable", 1),
         EI("top_level_enables.feed_to_grid_enable", 2),
         EI("startup_flags.black_start_enable", 1), EI("startup_flags.black_start_mode", 2),
         EI("startup_flags.generator_auto_start_enable", 3),
         EI("startup_flags.off_grid_power_priority", 0),
         EI("config_grid.type", 2), EI("config_grid.linkage_enable", 0),
         EI("config_grid.force_enable_0", 1), EI("config_grid.force_enable_1", 0),
         EI("config_grid.force_enable_2", 3), EI("config_grid.max_current", 32),
         EI("config_sl1.type", 1), EI("config_sl1.linkage_enable", 3),
         EI("config_sl1.force_enable_0", 1), EI("config_sl1.force_enable_1", 2),
         EI("config_sl1.force_enable_2", 3), EI("config_sl1.max_current", 16),
         EI("config_sl2.max_current", 15), EI("config_sl3.max_current", 1),
         EI("config_sl4.max_current", 256), EI("config_pcs1.type", 3),
         EI("config_pcs1.max_current", 50), EI("config_pcs2.type", 2),
         EI("config_pcs2.max_current", 40), EI("simple_end_fields.volt_level_set", 5),
         EI("simple_end_fields.ac_supply_phase_num", 3),
         EI("simple_end_fields.soc_gen_auto_stop", 100),
         EI("simple_end_fields.soc_gen_auto_start", 20),
         EI("simple_end_fields.soc_black_start", 15)) },
    { 17400, V_ODD, "96 bytes (min_length): the fields at 174-181 are beyond the data",
      "0200 9c40 0000 0000 0000 0000 8c00 0000 0000 d000 6000 3000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0020 0010 000f 0001 0100 2832",
      EX(EI("config_pcs1.max_current", 50), EI("config_pcs2.max_current", 40),
         EI("config_sl4.max_current", 256), EA("startup_flags.black_start_enable"),
         EA("startup_flags.off_grid_power_priority"), EA("simple_end_fields.volt_level_set"),
         EA("simple_end_fields.soc_gen_auto_stop"), EA("simple_end_fields.soc_black_start")) },
    { 17400, V_SHORT, "91 bytes: shorter than min_length",
      "0200 9c40 0000 0000 0000 0000 8c00 0000 0000 d000 6000 3000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0020 0010 000f 00",
      EX(EI("config_sl2.max_current", 15), EA("config_sl3.max_current"),
         EA("config_sl4.max_current"), EA("config_pcs1.max_current"),
         EA("config_pcs2.max_current"), EI("config_grid.type", 2)) },
    { 17400, V_ODD, "odd length 177, SOC stop inside the clamp range",
      "0200 9c40 0000 0000 0000 0000 8c00 0000 0000 d000 6000 3000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0020 0010 000f 0001 0100 2832"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 09c0 01",
      EX(EI("startup_flags.generator_auto_start_enable", 3),
         EA("simple_end_fields.volt_level_set"), EA("simple_end_fields.ac_supply_phase_num"),
         EA("simple_end_fields.soc_gen_auto_stop")) },
    { 17400, V_ODD, "SOC stop 80 is kept",
      "0200 9c40 0000 0000 0000 0000 8c00 0000 0000 d000 6000 3000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0020 0010 000f 0001 0100 2832"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 ffff 0038 5014 aa0f",
      EX(EI("simple_end_fields.soc_gen_auto_stop", 80),
         EI("simple_end_fields.volt_level_set", 0), EI("simple_end_fields.ac_supply_phase_num", 7),
         EI("startup_flags.black_start_enable", 3), EI("startup_flags.off_grid_power_priority", 3)) },

    /* ---- 18000 EPAD_INFO ---- */
    { 18000, V_FULL, "levels and temperatures",
      "ffff ffff ffff ffff ffff ffff 0064 0032 0000 00fa 0000 0401 0050 002d 0064 0007 00c8 0123 ffff",
      EX(EI("liquid_level_1", 100), EI("liquid_level_2", 50), EI("liquid_level_3", 0),
         EF("sensor_temp_1", 25.0), EF("sensor_temp_2", 0.0), EF("sensor_temp_3", 102.5),
         EI("remaining_capacity_1", 80), EI("remaining_capacity_2", 45),
         EI("remaining_capacity_3", 100), EI("connection_status", 7),
         EF("ambient_temp_1", 20.0), EF("ambient_temp_2", 29.1), EF("ambient_temp_3", 6553.5)) },
    { 18000, V_SHORT, "20 bytes",
      "ffff ffff ffff ffff ffff ffff 0064 0032 0000 00fa",
      EX(EI("liquid_level_3", 0), EF("sensor_temp_1", 25.0), EA("sensor_temp_2"),
         EA("remaining_capacity_1"), EA("ambient_temp_3")) },
    { 18000, V_SHORT, "odd length 37",
      "ffff ffff ffff ffff ffff ffff 0064 0032 0000 00fa 0000 0401 0050 002d 0064 0007 00c8 0123 ff",
      EX(EF("ambient_temp_2", 29.1), EA("ambient_temp_3")) },

    /* ---- 18300 EPAD_SETTINGS: u16 at offset o holds 2000 + o ---- */
    { 18300, V_FULL, "every field distinct, bytes 128-149 ignored",
      "07d0 07d2 07d4 07d6 07d8 07da 07dc 07de 07e0 07e2 07e4 07e6 07e8 07ea 07ec 07ee"
      "07f0 07f2 07f4 07f6 07f8 07fa 07fc 07fe 0800 0802 0804 0806 0808 080a 080c 080e"
      "0810 0812 0814 0816 0818 081a 081c 081e 0820 0822 0824 0826 0828 082a 082c 082e"
      "0830 fff6 0834 0836 0838 083a 0005 083e 0840 0842 0844 8000 0848 084a 084c 084e"
      "eeee eeee eeee eeee eeee eeee eeee eeee eeee eeee eeee 0866",
      EX(EI("sensor_type", 2000), EI("liquid_1_sensor_spec", 2002),
         EI("liquid_1_fluid_type", 2004), EI("liquid_1_volume_unit", 2006),
         EI("liquid_1_volume_total", 2008), EI("liquid_1_sampling_period", 2010),
         EI("liquid_1_calibration_empty", 2012), EI("liquid_1_calibration_full", 2014),
         EI("liquid_2_sensor_spec", 2016), EI("liquid_2_fluid_type", 2018),
         EI("liquid_2_volume_unit", 2020), EI("liquid_2_volume_total", 2022),
         EI("liquid_2_sampling_period", 2024), EI("liquid_2_calibration_empty", 2026),
         EI("liquid_2_calibration_full", 2028), EI("liquid_3_sensor_spec", 2030),
         EI("liquid_3_fluid_type", 2032), EI("liquid_3_volume_unit", 2034),
         EI("liquid_3_volume_total", 2036), EI("liquid_3_sampling_period", 2038),
         EI("liquid_3_calibration_empty", 2040), EI("liquid_3_calibration_full", 2042),
         EI("liquid_1_alarm_enable", 2044), EI("liquid_1_alarm_value_high", 2046),
         EI("liquid_1_alarm_clean_value_high", 2048), EI("liquid_1_alarm_delay_high", 2050),
         EI("liquid_1_alarm_clean_delay_high", 2052), EI("liquid_1_alarm_value_low", 2054),
         EI("liquid_1_alarm_clean_value_low", 2056), EI("liquid_1_alarm_delay_low", 2058),
         EI("liquid_1_alarm_clean_delay_low", 2060), EI("liquid_2_alarm_enable", 2062),
         EI("liquid_2_alarm_value_high", 2064), EI("liquid_2_alarm_clean_value_high", 2066),
         EI("liquid_2_alarm_delay_high", 2068), EI("liquid_2_alarm_clean_delay_high", 2070),
         EI("liquid_2_alarm_value_low", 2072), EI("liquid_2_alarm_clean_value_low", 2074),
         EI("liquid_2_alarm_delay_low", 2076), EI("liquid_2_alarm_clean_delay_low", 2078),
         EI("liquid_3_alarm_enable", 2080), EI("liquid_3_alarm_value_high", 2082),
         EI("liquid_3_alarm_clean_value_high", 2084), EI("liquid_3_alarm_delay_high", 2086),
         EI("liquid_3_alarm_clean_delay_high", 2088), EI("liquid_3_alarm_value_low", 2090),
         EI("liquid_3_alarm_clean_value_low", 2092), EI("liquid_3_alarm_delay_low", 2094),
         EI("liquid_3_alarm_clean_delay_low", 2096), EI("temp_1_calibration_offset", -10),
         EI("temp_1_calibration_ratio", 2100), EI("temp_1_temp_unit", 2102),
         EI("temp_1_nominal_resistance", 2104), EI("temp_1_beta", 2106),
         EI("temp_2_calibration_offset", 5), EI("temp_2_calibration_ratio", 2110),
         EI("temp_2_temp_unit", 2112), EI("temp_2_nominal_resistance", 2114),
         EI("temp_2_beta", 2116), EI("temp_3_calibration_offset", -32768),
         EI("temp_3_calibration_ratio", 2120), EI("temp_3_temp_unit", 2122),
         EI("temp_3_nominal_resistance", 2124), EI("temp_3_beta", 2126),
         EI("lcd_active_time", 2150)) },
    { 18300, V_SHORT, "100 bytes",
      "07d0 07d2 07d4 07d6 07d8 07da 07dc 07de 07e0 07e2 07e4 07e6 07e8 07ea 07ec 07ee"
      "07f0 07f2 07f4 07f6 07f8 07fa 07fc 07fe 0800 0802 0804 0806 0808 080a 080c 080e"
      "0810 0812 0814 0816 0818 081a 081c 081e 0820 0822 0824 0826 0828 082a 082c 082e"
      "0830 fff6",
      EX(EI("liquid_3_alarm_clean_delay_low", 2096), EI("temp_1_calibration_offset", -10),
         EA("temp_1_calibration_ratio"), EA("temp_3_beta"), EA("lcd_active_time")) },
    { 18300, V_SHORT, "odd length 151",
      "07d0 07d2 07d4 07d6 07d8 07da 07dc 07de 07e0 07e2 07e4 07e6 07e8 07ea 07ec 07ee"
      "07f0 07f2 07f4 07f6 07f8 07fa 07fc 07fe 0800 0802 0804 0806 0808 080a 080c 080e"
      "0810 0812 0814 0816 0818 081a 081c 081e 0820 0822 0824 0826 0828 082a 082c 082e"
      "0830 fff6 0834 0836 0838 083a 0005 083e 0840 0842 0844 8000 0848 084a 084c 084e"
      "eeee eeee eeee eeee eeee eeee eeee eeee eeee eeee eeee 08",
      EX(EI("temp_3_calibration_offset", -32768), EI("temp_3_beta", 2126),
         EA("lcd_active_time")) },

    /* ---- 18400 / 18500 / 18600 EPAD_LIQUID_POINT1..3 ---- */
    { 18400, V_FULL, "first point", "0a0b", EX(EI("volume", 10), EI("liquid", 11)) },
    { 18400, V_SHORT, "a single byte", "0a", EX(EI("volume", 10), EA("liquid")) },
    { 18400, V_ODD, "more points than modelled", "0102 0304", EX(EI("volume", 1), EI("liquid", 2)) },
    { 18500, V_FULL, "first point", "ff00", EX(EI("volume", 255), EI("liquid", 0)) },
    { 18500, V_SHORT, "a single byte", "ff", EX(EI("volume", 255), EA("liquid")) },
    { 18500, V_SHORT, "empty payload", "", EX(EA("volume"), EA("liquid")) },
    { 18600, V_FULL, "first point", "6432", EX(EI("volume", 100), EI("liquid", 50)) },
    { 18600, V_SHORT, "a single byte", "64", EX(EI("volume", 100), EA("liquid")) },
    { 18600, V_ODD, "odd length 3", "6432 07", EX(EI("volume", 100), EI("liquid", 50)) },

    /* ---- 19200 SCHEDULED_BACKUP ---- */
    { 19200, V_FULL, "times low word first",
      "0003 4321 1111 0708 0000 0000 0001 ffff 0000 0000 ffff 1234 5678 0001 0000 0000 0000 ffff ffff",
      EX(EI("enable_flags", 3), EI("mode_config", 17185), EI("schedule_type_enable", 4369),
         EI("schedule0_start_time", 1800), EI("schedule0_end_time", 65536),
         EI("schedule1_start_time", 65535), EI("schedule1_end_time", 4294901760LL),
         EI("schedule2_start_time", 1450709556), EI("schedule2_end_time", 1),
         EI("schedule3_start_time", 0), EI("schedule3_end_time", 4294967295LL)) },
    { 19200, V_SHORT, "12 bytes",
      "0003 4321 1111 0708 0000 0000",
      EX(EI("schedule0_start_time", 1800), EA("schedule0_end_time"), EA("schedule3_end_time")) },
    { 19200, V_SHORT, "odd length 37",
      "0003 4321 1111 0708 0000 0000 0001 ffff 0000 0000 ffff 1234 5678 0001 0000 0000 0000 ffff ff",
      EX(EI("schedule3_start_time", 0), EA("schedule3_end_time")) },

    /* ---- 19300 TIMER_SETTINGS ---- */
    { 19300, V_FULL, "reserved byte 8 set",
      "0003 000c 0030 00c0 aa05 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000 0000 0000 0000 0000 0000",
      EX(EI("enable_flags_01", 3), EI("enable_flags_02", 12), EI("enable_flags_03", 48),
         EI("enable_flags_04", 192), EI("timer_count", 5)) },
    { 19300, V_SHORT, "8 bytes", "0003 000c 0030 00c0",
      EX(EI("enable_flags_04", 192), EA("timer_count")) },
    { 19300, V_SHORT, "odd length 7", "0003 000c 0030 00",
      EX(EI("enable_flags_03", 48), EA("enable_flags_04"), EA("timer_count")) },

    /* ---- 19305 TIMER_TASK_LIST: the bytes after each u8 hold 0x99 ---- */
    { 19305, V_FULL, "weekdays 08:30-17:45, 500 W",
      "0001 0899 1e99 1199 2d99 003e 0299 01f4 0399 0000 0000 0000 0000 0000 0000 0000"
      "0000 0000 0000 0000",
      EX(EI("timer0_enable", 1), EI("timer0_start_hour", 8), EI("timer0_start_minute", 30),
         EI("timer0_end_hour", 17), EI("timer0_end_minute", 45),
         EI("timer0_days_of_week", 62), EI("timer0_mode", 2), EI("timer0_power", 500),
         EI("timer0_priority", 3)) },
    { 19305, V_SHORT, "16 bytes", "0001 0899 1e99 1199 2d99 003e 0299 01f4",
      EX(EI("timer0_power", 500), EA("timer0_priority")) },
    { 19305, V_SHORT, "odd length 13", "0001 0899 1e99 1199 2d99 003e 02",
      EX(EI("timer0_mode", 2), EA("timer0_power"), EA("timer0_priority")) },

    /* ---- 19365 / 19425 / 19485 AT1_TIMER_EVENT_A..C ---- */
    { 19365, V_FULL, "slots 1-2", "40ff 0a0b 0281 0c0d",
      EX(EI("slot1_flags", 16639), EI("slot1_weekdays", 127), EI("slot1_value1", 10),
         EI("slot1_value2", 11), EI("slot2_flags", 641), EI("slot2_weekdays", 1),
         EI("slot2_value1", 12), EI("slot2_value2", 13)) },
    { 19365, V_SHORT, "4 bytes", "40ff 0a0b",
      EX(EI("slot1_value2", 11), EA("slot2_flags"), EA("slot2_weekdays"), EA("slot2_value1"),
         EA("slot2_value2")) },
    { 19365, V_SHORT, "odd length 5", "40ff 0a0b 02",
      EX(EA("slot2_flags"), EA("slot2_weekdays"), EA("slot2_value1")) },
    { 19425, V_FULL, "slots 3-4", "0f80 1415 7fff 1617",
      EX(EI("slot3_flags", 3968), EI("slot3_weekdays", 0), EI("slot3_value1", 20),
         EI("slot3_value2", 21), EI("slot4_flags", 32767), EI("slot4_weekdays", 127),
         EI("slot4_value1", 22), EI("slot4_value2", 23)) },
    { 19425, V_SHORT, "4 bytes", "0f80 1415",
      EX(EI("slot3_weekdays", 0), EA("slot4_flags"), EA("slot4_value2")) },
    { 19425, V_SHORT, "odd length 7", "0f80 1415 7fff 16",
      EX(EI("slot4_flags", 32767), EI("slot4_value1", 22), EA("slot4_value2")) },
    { 19485, V_FULL, "slots 5-6", "0155 6465 8000 0000",
      EX(EI("slot5_flags", 341), EI("slot5_weekdays", 85), EI("slot5_value1", 100),
         EI("slot5_value2", 101), EI("slot6_flags", 32768), EI("slot6_weekdays", 0),
         EI("slot6_value1", 0), EI("slot6_value2", 0)) },
    { 19485, V_SHORT, "4 bytes", "0155 6465",
      EX(EI("slot5_flags", 341), EA("slot6_flags"), EA("slot6_weekdays")) },
    { 19485, V_SHORT, "odd length 1", "01",
      EX(EA("slot5_flags"), EA("slot5_weekdays"), EA("slot5_value1")) },

    /* ---- 26001 TOU_TIME_INFO ---- */
    { 26001, V_FULL, "first record", "a8c0 0000 0001 ffff 007f 07d0 0001",
      EX(EI("word0", 43200), EI("word1", 0), EI("word2", 1), EI("word3", 65535),
         EI("word4", 127), EI("target_reg", 2000), EI("target_value", 1)) },
    { 26001, V_SHORT, "10 bytes", "a8c0 0000 0001 ffff 007f",
      EX(EI("word4", 127), EA("target_reg"), EA("target_value")) },
    { 26001, V_SHORT, "odd length 13", "a8c0 0000 0001 ffff 007f 07d0 00",
      EX(EI("target_reg", 2000), EA("target_value")) },

    /* ---- 29770 BOOT_UPGRADE_SUPPORT ---- */
    { 29770, V_FULL, "bit 0 set among others", "8001 0003",
      EX(EI("is_supported", 1), EI("software_version_total", 3)) },
    { 29770, V_ODD, "every bit but bit 0", "fffe 0000",
      EX(EI("is_supported", 0), EI("software_version_total", 0)) },
    { 29770, V_SHORT, "2 bytes", "0001", EX(EI("is_supported", 1), EA("software_version_total")) },
    { 29770, V_SHORT, "odd length 3", "0000 00",
      EX(EI("is_supported", 0), EA("software_version_total")) },

    /* ---- 29772 BOOT_SOFTWARE_INFO ---- */
    { 29772, V_FULL, "version 0x12345678 low word first", "0002 5678 1234 0a0b 0c0d",
      EX(EI("software_type", 2), EI("software_version", 305419896), EI("unused_byte_0", 10),
         EI("unused_byte_1", 11), EI("unused_byte_2", 12), EI("unused_byte_3", 13)) },
    { 29772, V_SHORT, "5 bytes", "0002 5678 12",
      EX(EI("software_type", 2), EA("software_version"), EA("unused_byte_0"),
         EA("unused_byte_3")) },
    { 29772, V_SHORT, "odd length 9", "0002 5678 1234 0a0b 0c",
      EX(EI("software_version", 305419896), EI("unused_byte_2", 12), EA("unused_byte_3")) },
};

#define N_VECTORS (sizeof vectors / sizeof vectors[0])

/* ---- checking ----------------------------------------------------------- */

static void report(const vec *v, const char *field, const char *msg)
{
    fprintf(stderr, "  block %u (%s): %s: %s\n", (unsigned)v->block, v->what, field, msg);
}

/* Check one expectation; returns 1 when it holds. */
static int check_value(const vec *v, const bluetti_value *val, const expect *e)
{
    char buf[200];
    if (!val) {
        report(v, e->name, "no such field");
        return 0;
    }
    switch (e->kind) {
    case X_ABSENT:
        if (val->kind != BLUETTI_VAL_ABSENT || val->absent != BLUETTI_ABSENT_BEYOND_DATA) {
            snprintf(buf, sizeof buf, "expected absent (beyond data), got kind %d reason %d",
                     val->kind, val->absent);
            report(v, e->name, buf);
            return 0;
        }
        return 1;
    case X_INT:
        if (val->kind == BLUETTI_VAL_INT && val->v.i == e->i) return 1;
        if (val->kind == BLUETTI_VAL_UINT && e->i >= 0 && val->v.u == (uint64_t)e->i) return 1;
        snprintf(buf, sizeof buf, "expected integer %lld, got kind %d (%g)", e->i, val->kind,
                 bluetti_value_as_double(val));
        report(v, e->name, buf);
        return 0;
    case X_FLOAT:
        if (val->kind == BLUETTI_VAL_FLOAT && fabs(val->v.f - e->f) <= 1e-6) return 1;
        snprintf(buf, sizeof buf, "expected float %.9g, got kind %d (%.9g)", e->f, val->kind,
                 bluetti_value_as_double(val));
        report(v, e->name, buf);
        return 0;
    case X_TEXT:
        if (val->kind == BLUETTI_VAL_TEXT && val->v.s && strcmp(val->v.s, e->s) == 0) return 1;
        snprintf(buf, sizeof buf, "expected text \"%s\", got kind %d \"%s\"", e->s, val->kind,
                 val->kind == BLUETTI_VAL_TEXT && val->v.s ? val->v.s : "");
        report(v, e->name, buf);
        return 0;
    default:
        report(v, e->name, "bad expectation");
        return 0;
    }
}

static void run_vector(const vec *v)
{
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, v->block);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(s, &r), 0);
    size_t len = 0;
    uint8_t *data = bt_hex(v->hex, &len);

    int rc = bluetti_decode(r, data, len, 2000);
    /* every catalog B block is non-strict: bad input never fails the decode */
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(s->strict, 0);
    CU_ASSERT_EQUAL(bluetti_result_count(r), s->n_fields);

    size_t n_ex = 0;
    for (const expect *e = v->ex; e->name; e++, n_ex++) {
        int ok = check_value(v, bluetti_result_find(r, e->name), e);
        CU_ASSERT(ok);
    }

    switch (v->variant) {
    case V_FULL:
        /* a full vector names every field exactly once */
        CU_ASSERT_EQUAL(n_ex, s->n_fields);
        if (n_ex != s->n_fields)
            fprintf(stderr, "  block %u (%s): %zu expectations for %u fields\n",
                    (unsigned)v->block, v->what, n_ex, (unsigned)s->n_fields);
        CU_ASSERT_EQUAL(len, bluetti_schema_read_length(s));
        CU_ASSERT(bluetti_result_valid(r));
        CU_ASSERT_EQUAL(bluetti_result_warning_count(r), 0);
        break;
    case V_SHORT:
        /* shorter than min_length: flagged (warning, not valid) but decoded */
        CU_ASSERT(len < s->min_length);
        CU_ASSERT(bluetti_result_warning_count(r) > 0);
        CU_ASSERT(!bluetti_result_valid(r));
        break;
    default:
        break;
    }

    size_t raw_len = 0;
    const uint8_t *raw = bluetti_result_raw(r, &raw_len);
    CU_ASSERT_EQUAL(raw_len, len);
    if (len) CU_ASSERT(raw && memcmp(raw, data, len) == 0);

    free(data);
    bluetti_result_free(r);
}

static void test_vectors(void)
{
    for (size_t i = 0; i < N_VECTORS; i++) {
        unsigned before = CU_get_number_of_failures();
        run_vector(&vectors[i]);
        if (CU_get_number_of_failures() != before)
            fprintf(stderr, "  ^ vector %zu failed\n", i);
    }
}

/* ---- plugins, registration, schema checks ------------------------------- */

static const struct {
    const char *plugin;
    size_t n;
    uint16_t ids[8];
} plugins[] = {
    { "blocks-iot", 3, { 11000, 12002, 12161 } },
    { "blocks-smartplug", 2, { 14500, 14700 } },
    { "blocks-dcdc", 4, { 15500, 15600, 15700, 15750 } },
    { "blocks-ats", 3, { 17000, 17100, 17400 } },
    { "blocks-epad", 5, { 18000, 18300, 18400, 18500, 18600 } },
    { "blocks-schedule", 7, { 19200, 19300, 19305, 19365, 19425, 19485, 26001 } },
    { "blocks-boot", 3, { 720, 29770, 29772 } },
};
#define N_PLUGINS (sizeof plugins / sizeof plugins[0])

static void test_registration(void)
{
    size_t total = 0;
    for (size_t p = 0; p < N_PLUGINS; p++) {
        int found = 0;
        for (size_t i = 0; i < bluetti_registry_plugin_count(reg); i++) {
            bluetti_plugin_info info;
            CU_ASSERT_EQUAL_FATAL(bluetti_registry_plugin_info(reg, i, &info), 0);
            if (!info.name || strcmp(info.name, plugins[p].plugin) != 0) continue;
            found++;
            CU_ASSERT_EQUAL(info.status, 0);
            CU_ASSERT_EQUAL(info.n_blocks, plugins[p].n);
            CU_ASSERT_EQUAL(info.n_profiles, 0);
            CU_ASSERT_EQUAL(info.n_transports, 0);
            CU_ASSERT_STRING_EQUAL(info.version, "1.0.0");
            CU_ASSERT(info.description && *info.description);
        }
        CU_ASSERT_EQUAL(found, 1);
        if (found != 1) fprintf(stderr, "  plugin %s loaded %d times\n", plugins[p].plugin, found);
        for (size_t k = 0; k < plugins[p].n; k++) {
            uint16_t id = plugins[p].ids[k];
            const bluetti_block_schema *s = bluetti_registry_find_block(reg, id);
            CU_ASSERT_PTR_NOT_NULL(s);
            if (s) CU_ASSERT_EQUAL(s->id, id);
            const char *owner = bluetti_registry_block_plugin(reg, id);
            CU_ASSERT(owner && strcmp(owner, plugins[p].plugin) == 0);
            total++;
        }
    }
    CU_ASSERT_EQUAL(total, 27);
}

static const char *const forbidden_units[] = { "raw", "UNKNOWN", "unknown", "0.1°C", "0.1 °C", "" };

static void test_schemas(void)
{
    for (size_t p = 0; p < N_PLUGINS; p++) {
        for (size_t k = 0; k < plugins[p].n; k++) {
            const bluetti_block_schema *s = bluetti_registry_find_block(reg, plugins[p].ids[k]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(s);
            char why[256] = "";
            int rc = bluetti_schema_validate(s, why, sizeof why);
            CU_ASSERT_EQUAL(rc, 0);
            if (rc) fprintf(stderr, "  block %u: %s\n", (unsigned)s->id, why);
            CU_ASSERT(s->name && *s->name);
            CU_ASSERT(s->description && *s->description);
            CU_ASSERT(s->notes && *s->notes);
            CU_ASSERT_EQUAL(s->protocol_version, 2000);
            CU_ASSERT(s->n_fields > 0);
            for (size_t f = 0; f < s->n_fields; f++) {
                const bluetti_field *fd = &s->fields[f];
                CU_ASSERT(fd->description && *fd->description);
                CU_ASSERT_EQUAL(fd->min_protocol, 0);
                /* 32-bit fields use the default (CDAB) order unless the note says why not */
                if (fd->type == BLUETTI_U32 && fd->order != BLUETTI_ORDER_DEFAULT)
                    CU_ASSERT(fd->note && *fd->note);
                if (fd->evidence == BLUETTI_EV_UNVERIFIED)
                    CU_ASSERT((fd->note && *fd->note) || s->evidence == BLUETTI_EV_UNVERIFIED);
                for (size_t u = 0; fd->unit && u < sizeof forbidden_units / sizeof *forbidden_units; u++)
                    CU_ASSERT(strcmp(fd->unit, forbidden_units[u]) != 0);
            }
        }
    }
}

static const bluetti_field *field_of(uint16_t id, const char *name)
{
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, id);
    if (!s) return NULL;
    int i = bluetti_schema_field_index(s, name);
    return i < 0 ? NULL : &s->fields[i];
}

/* The decisions that are data rather than decoding behaviour. */
static void test_decisions(void)
{
    /* request sizes: max(min_length, last field end) */
    static const struct { uint16_t id; size_t bytes; } sizes[] = {
        { 720, 8 }, { 11000, 38 }, { 12002, 98 }, { 12161, 4 }, { 14500, 26 }, { 14700, 56 },
        { 15500, 30 }, { 15600, 36 }, { 15700, 68 }, { 15750, 2 }, { 17000, 26 },
        { 17100, 26 }, { 17400, 182 }, { 18000, 38 }, { 18300, 152 }, { 18400, 2 },
        { 18500, 2 }, { 18600, 2 }, { 19200, 38 }, { 19300, 50 }, { 19305, 40 },
        { 19365, 8 }, { 19425, 8 }, { 19485, 8 }, { 26001, 14 }, { 29770, 4 }, { 29772, 10 },
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const bluetti_block_schema *s = bluetti_registry_find_block(reg, sizes[i].id);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(bluetti_schema_read_length(s), sizes[i].bytes);
    }

    /* secrets are flagged, and their spaces kept */
    const bluetti_field *f = field_of(12002, "wifi_password");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT(f->flags & BLUETTI_F_SENSITIVE);
    CU_ASSERT(f->flags & BLUETTI_F_KEEP_SPACES);
    f = field_of(12002, "wifi_ssid");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT(f->flags & BLUETTI_F_SENSITIVE);

    /* every 12-byte model text is byte-swapped (E2), unverified */
    static const struct { uint16_t id; const char *name; } models[] = {
        { 11000, "iot_model" }, { 14500, "model" }, { 15500, "model" },
        { 15700, "model" }, { 17000, "model" }, { 17100, "model" },
    };
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        f = field_of(models[i].id, models[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_EQUAL(f->type, BLUETTI_TEXT);
        CU_ASSERT_EQUAL(f->size, 12);
        CU_ASSERT(f->flags & BLUETTI_F_TEXT_SWAP);
        CU_ASSERT_EQUAL(f->evidence, BLUETTI_EV_UNVERIFIED);
    }

    /* the reference's partial blocks are unverified as a whole */
    static const uint16_t partial[] = { 15600, 15700, 15750, 17400 };
    for (size_t i = 0; i < sizeof partial / sizeof partial[0]; i++)
        CU_ASSERT_EQUAL(bluetti_registry_find_block(reg, partial[i])->evidence,
                        BLUETTI_EV_UNVERIFIED);

    /* units that the reference stated without a scale now tell the truth */
    f = field_of(18000, "sensor_temp_1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->unit, "°C");
    CU_ASSERT_EQUAL(f->xf[0].op, BLUETTI_XF_SCALE);
    CU_ASSERT_PTR_NULL(field_of(15700, "dc_input_voltage")->unit);
    CU_ASSERT_PTR_NULL(field_of(15600, "output_current_dc1")->unit);

    /* required flags follow the reference */
    CU_ASSERT(field_of(11000, "iot_model")->flags & BLUETTI_F_REQUIRED);
    CU_ASSERT(!(field_of(11000, "safety_code")->flags & BLUETTI_F_REQUIRED));
    CU_ASSERT(field_of(19365, "slot1_flags")->flags & BLUETTI_F_REQUIRED);
    CU_ASSERT(!(field_of(19365, "slot2_flags")->flags & BLUETTI_F_REQUIRED));
    CU_ASSERT(!(field_of(19305, "timer0_priority")->flags & BLUETTI_F_REQUIRED));
}

/* Extreme payloads for every block: all zero bytes decode to 0 / 0.0 / "";
 * all 0xff bytes with two extra bytes decode every field (none absent, no
 * warning: the blocks are non-strict), text as escaped 0xff bytes. */
static void test_extremes(void)
{
    for (size_t p = 0; p < N_PLUGINS; p++) {
        for (size_t k = 0; k < plugins[p].n; k++) {
            const bluetti_block_schema *s = bluetti_registry_find_block(reg, plugins[p].ids[k]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(s);
            size_t len = bluetti_schema_read_length(s) + 2;
            uint8_t *buf = malloc(len);
            CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
            bluetti_result *r = NULL;
            CU_ASSERT_EQUAL_FATAL(bluetti_result_new(s, &r), 0);

            memset(buf, 0, len);
            CU_ASSERT_EQUAL(bluetti_decode(r, buf, len - 2, 2000), 0);
            CU_ASSERT(bluetti_result_valid(r));
            CU_ASSERT_EQUAL(bluetti_result_warning_count(r), 0);
            for (size_t f = 0; f < s->n_fields; f++) {
                const bluetti_value *v = bluetti_result_value(r, f);
                if (s->fields[f].type == BLUETTI_TEXT) {
                    CU_ASSERT(v->kind == BLUETTI_VAL_TEXT && strcmp(v->v.s, "") == 0);
                } else {
                    CU_ASSERT(v->kind != BLUETTI_VAL_ABSENT && bluetti_value_as_double(v) == 0.0);
                }
            }

            memset(buf, 0xff, len);
            CU_ASSERT_EQUAL(bluetti_decode(r, buf, len, 2000), 0);
            CU_ASSERT(bluetti_result_valid(r));
            CU_ASSERT_EQUAL(bluetti_result_warning_count(r), 0);
            for (size_t f = 0; f < s->n_fields; f++) {
                const bluetti_value *v = bluetti_result_value(r, f);
                CU_ASSERT(v->kind != BLUETTI_VAL_ABSENT);
                if (s->fields[f].type == BLUETTI_TEXT) {
                    CU_ASSERT_EQUAL_FATAL(v->kind, BLUETTI_VAL_TEXT);
                    CU_ASSERT_EQUAL(strlen(v->v.s), 4u * s->fields[f].size);
                    CU_ASSERT(strncmp(v->v.s, "\\xff\\xff", 8) == 0);
                }
            }
            free(buf);
            bluetti_result_free(r);
        }
    }
    /* spot checks of the all-0xff decode, computed by hand */
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, 15500);
    bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(s, &r), 0);
    uint8_t ff[30];
    memset(ff, 0xff, sizeof ff);
    CU_ASSERT_EQUAL(bluetti_decode(r, ff, sizeof ff, 2000), 0);
    BT_ASSERT_NEAR(bluetti_value_as_double(bluetti_result_find(r, "dc_input_volt")), 6553.5);
    CU_ASSERT_EQUAL(bluetti_result_find(r, "energy_line_car_to_charger")->v.i, 1);
    CU_ASSERT_EQUAL(bluetti_result_find(r, "energy_line_charger_to_device")->v.i, 1);
    bluetti_result_free(r);
}

/* A result is reused: a short payload after a full one leaves nothing stale. */
static void test_reuse(void)
{
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, 29772);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(s, &r), 0);
    size_t len;
    uint8_t *full = bt_hex("0002 5678 1234 0a0b 0c0d", &len);
    CU_ASSERT_EQUAL(bluetti_decode(r, full, len, 2000), 0);
    CU_ASSERT_EQUAL(bluetti_result_find(r, "unused_byte_3")->kind, BLUETTI_VAL_INT);
    uint8_t *cut = bt_hex("0003", &len);
    CU_ASSERT_EQUAL(bluetti_decode(r, cut, len, 2000), 0);
    const bluetti_value *v = bluetti_result_find(r, "software_type");
    CU_ASSERT(v && bluetti_value_as_double(v) == 3.0);
    v = bluetti_result_find(r, "unused_byte_3");
    CU_ASSERT(v && v->kind == BLUETTI_VAL_ABSENT && v->absent == BLUETTI_ABSENT_BEYOND_DATA);
    free(full);
    free(cut);
    bluetti_result_free(r);
}

static int suite_init(void)
{
    reg = bt_registry();
    return reg ? 0 : 1;
}

static int suite_clean(void)
{
    bluetti_registry_free(reg);
    reg = NULL;
    return 0;
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("blocks_b", suite_init, suite_clean);
    if (!s) return -1;
    if (!CU_add_test(s, "registration", test_registration)) return -1;
    if (!CU_add_test(s, "schemas validate", test_schemas)) return -1;
    if (!CU_add_test(s, "decisions", test_decisions)) return -1;
    if (!CU_add_test(s, "vectors", test_vectors)) return -1;
    if (!CU_add_test(s, "extreme payloads", test_extremes)) return -1;
    if (!CU_add_test(s, "result reuse", test_reuse)) return -1;
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add);
}
