/* blocks-iot: the IoT (Wi-Fi) module's identity, credentials and enable
 * bits (11000 IOT_INFO, 12002 IOT_WIFI_SETTINGS, 12161 IOT_ENABLE_INFO).
 * Layouts from the older protocol reference (docs/protocol/README.md); decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* ---- 11000 IOT_INFO ----------------------------------------------------- */

static const bluetti_field iot_info_fields[] = {
    { .name = "iot_model", .description = "IoT module model text",
      .offset = 0, .size = 12, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "12-byte model text read with the bytes of every register swapped, as real "
              "units send the block 100 model (EVIDENCE rule 2, reference-issues.md item E2 "
              "'probably all 12-byte "
              "model fields'); not yet confirmed for this block" },
    { .name = "iot_sn", .description = "IoT module serial text",
      .offset = 12, .size = 8, .type = BLUETTI_TEXT, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "kept as plain text per the reference; the main unit's serial is a 64-bit "
              "integer on real devices (EVIDENCE rule 3), which may hold here too" },
    { .name = "safety_code", .description = "Safety code text (8 bytes)",
      .offset = 20, .size = 8, .type = BLUETTI_TEXT },
    { .name = "iot_software_ver", .description = "IoT firmware version (raw)",
      .offset = 28, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED,
      .note = "low word first (EVIDENCE rule 1); the reference read it high word first" },
    { .name = "rf_ver", .description = "Radio module version (raw)",
      .offset = 32, .type = BLUETTI_U32,
      .note = "low word first (EVIDENCE rule 1); the reference read it high word first" },
    { .name = "ctrl_status", .description = "IoT control bits",
      .offset = 36, .type = BLUETTI_U16 },
};

static const bluetti_block_schema iot_info = {
    .id = 11000, .min_length = 38, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "IOT_INFO", .description = "IoT (Wi-Fi) module identity and versions",
    .fields = iot_info_fields, .n_fields = N_OF(iot_info_fields),
    .notes = "32-bit versions low word first (EVIDENCE rule 1). The 12-byte model text is "
             "byte-swapped per register (EVIDENCE rule 2 / reference-issues.md item E2, "
             "unverified here); the serial "
             "stays text (rule 3 is only confirmed for block 100).",
};

/* ---- 12002 IOT_WIFI_SETTINGS -------------------------------------------- */

static const bluetti_enum_name flag_names[] = {
    { 0, "off" }, { 1, "on" }, { 0, NULL },
};

static const bluetti_field wifi_fields[] = {
    { .name = "wifi_ssid", .description = "Wi-Fi network name",
      .offset = 0, .size = 64, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_REQUIRED | BLUETTI_F_SENSITIVE | BLUETTI_F_KEEP_SPACES,
      .note = "sensitive as the reference marks it (tools mask it); trailing spaces kept "
              "because they are part of a network name" },
    { .name = "wifi_password", .description = "Wi-Fi password (32-byte variant)",
      .offset = 64, .size = 32, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_SENSITIVE | BLUETTI_F_KEEP_SPACES,
      .note = "secret: tools mask it; trailing spaces kept (they belong to the password). "
              "Layout assumes the short variant: when wifi_password_h32b_enable is set the "
              "app stores the password elsewhere and this field is not the password" },
    { .name = "wifi_no_password_enable", .description = "Open network flag",
      .offset = 96, .type = BLUETTI_U8, .enums = flag_names },
    { .name = "wifi_password_h32b_enable", .description = "Selects the long (hex) password encoding",
      .offset = 97, .type = BLUETTI_U8, .enums = flag_names },
};

static const bluetti_block_schema iot_wifi_settings = {
    .id = 12002, .min_length = 98, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "IOT_WIFI_SETTINGS", .description = "Wi-Fi credentials of the IoT module",
    .fields = wifi_fields, .n_fields = N_OF(wifi_fields),
    .notes = "SSID and password are in clear on the wire: both are flagged sensitive. The "
             "layout assumes the 32-byte password variant; the long variant (flag at 97) "
             "moves the password.",
};

/* ---- 12161 IOT_ENABLE_INFO ---------------------------------------------- */

static const bluetti_bit_name flags1_bits[] = {
    { 0, "wifi_station" }, { 6, "cellular_4g" }, { 0, NULL },
};
static const bluetti_bit_name flags2_bits[] = {
    { 0, "ethernet" }, { 1, "wifi_mesh" }, { 3, "default_mode" }, { 5, "ble_pairing_mode" },
    { 0, NULL },
};

static const bluetti_field enable_fields[] = {
    { .name = "control_flags_1", .description = "Enable bits group 1: bit0 Wi-Fi station, bit6 4G",
      .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED, .bits = flags1_bits },
    { .name = "control_flags_2",
      .description = "Enable bits group 2: bit0 Ethernet, bit1 Wi-Fi mesh, bit3 default mode, bit5 BLE pairing",
      .offset = 2, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED, .bits = flags2_bits },
};

static const bluetti_block_schema iot_enable_info = {
    .id = 12161, .min_length = 4, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "IOT_ENABLE_INFO", .description = "IoT module enable bits",
    .fields = enable_fields, .n_fields = N_OF(enable_fields),
    .notes = "Both words are returned whole; the named bits are those the reference lists.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &iot_info, &iot_wifi_settings, &iot_enable_info,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-iot", "1.0.0",
                      "IoT module identity, Wi-Fi settings and enable bits (11000, 12002, 12161)",
                      init);
