/* blocks-boot: firmware update status and boot-loader inventory blocks
 * (720 OTA_STATUS, 29770 BOOT_UPGRADE_SUPPORT, 29772 BOOT_SOFTWARE_INFO).
 * Layouts from the older protocol reference (docs/protocol/README.md); decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* ---- 720 OTA_STATUS ---------------------------------------------------- */

static const bluetti_enum_name ota_error_names[] = {
    { 0, "none" }, { 0, NULL },
};

static const bluetti_field ota_fields[] = {
    { .name = "ota_group", .description = "OTA group number",
      .offset = 0, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "file0_ota_status", .description = "OTA file slot 0: status code",
      .offset = 2, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "file0_ota_step", .description = "OTA file slot 0: step",
      .offset = 3, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "file0_mcu_type", .description = "OTA file slot 0: target MCU type",
      .offset = 4, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "file0_depth", .description = "OTA file slot 0: depth/level",
      .offset = 5, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED },
    { .name = "file0_progress", .unit = "%", .description = "OTA file slot 0: progress 0-100",
      .offset = 6, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED,
      .note = "unit % from the reference's meaning (progress 0-100 %); the table itself gives none" },
    { .name = "file0_error_code", .description = "OTA file slot 0: error code, 0 = none",
      .offset = 7, .type = BLUETTI_U8, .flags = BLUETTI_F_REQUIRED, .enums = ota_error_names },
};

static const bluetti_block_schema ota_status = {
    .id = 720, .min_length = 8, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "OTA_STATUS", .description = "Firmware-update (OTA) progress",
    .fields = ota_fields, .n_fields = N_OF(ota_fields),
    .notes = "Only file slot 0 is modelled; the app reads 16 slots of 6 bytes from offset 2 "
             "(slot k at 2+6k). Byte 1 is not used by the app.",
};

/* ---- 29770 BOOT_UPGRADE_SUPPORT ----------------------------------------- */

static const bluetti_enum_name yes_no[] = {
    { 0, "no" }, { 1, "yes" }, { 0, NULL },
};

static const bluetti_field upgrade_fields[] = {
    { .name = "is_supported", .description = "Boot-loader upgrade supported (bit 0 of the word)",
      .offset = 0, .type = BLUETTI_U16, .enums = yes_no,
      .xf = { BLUETTI_XF_BITMASK_(0x1) },
      .note = "reference-issues.md item 13: the app keeps only bit 0; the reference returned the "
              "whole word. "
              "Decoded like the app (0/1); the other bits stay in the raw payload" },
    { .name = "software_version_total", .description = "Number of software components",
      .offset = 2, .type = BLUETTI_U16 },
};

static const bluetti_block_schema boot_upgrade_support = {
    .id = 29770, .min_length = 4, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "BOOT_UPGRADE_SUPPORT", .description = "Boot-loader upgrade support",
    .fields = upgrade_fields, .n_fields = N_OF(upgrade_fields),
    .notes = "reference-issues.md item 13 resolved for the app: is_supported is bit 0 only "
             "(bitmask 0x1).",
};

/* ---- 29772 BOOT_SOFTWARE_INFO ------------------------------------------- */

static const bluetti_field software_fields[] = {
    { .name = "software_type", .description = "First component: type code",
      .offset = 0, .type = BLUETTI_U16 },
    { .name = "software_version", .description = "First component: version (raw 32-bit)",
      .offset = 2, .type = BLUETTI_U32,
      .note = "32-bit value read low word first (EVIDENCE rule 1); the reference read it high word first" },
    { .name = "unused_byte_0", .description = "Unused by the app parser",
      .offset = 6, .type = BLUETTI_U8 },
    { .name = "unused_byte_1", .description = "Unused by the app parser",
      .offset = 7, .type = BLUETTI_U8 },
    { .name = "unused_byte_2", .description = "Unused by the app parser",
      .offset = 8, .type = BLUETTI_U8 },
    { .name = "unused_byte_3", .description = "Unused by the app parser",
      .offset = 9, .type = BLUETTI_U8 },
};

static const bluetti_block_schema boot_software_info = {
    .id = 29772, .min_length = 10, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_INFO, .evidence = BLUETTI_EV_REFERENCE,
    .name = "BOOT_SOFTWARE_INFO", .description = "Boot-loader software inventory (first item)",
    .fields = software_fields, .n_fields = N_OF(software_fields),
    .notes = "Items are 10 bytes and the app takes count = payload length / 10; only the "
             "first item is modelled. The version is read low word first (EVIDENCE rule 1).",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &ota_status, &boot_upgrade_support, &boot_software_info,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-boot", "1.0.0",
                      "OTA status and boot-loader blocks (720, 29770, 29772)", init);
