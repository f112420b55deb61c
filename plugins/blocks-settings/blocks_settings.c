/* blocks-settings: configuration blocks the vendor app can change —
 * 2000 INV_BASE_SETTINGS, 2200 INV_ADV_SETTINGS, 2400 CERT_SETTINGS,
 * 19000 SOC_SETTINGS, 19100 COMM_DELAY_SETTINGS, 40127 HOME_STORAGE_SETTINGS.
 * Block 2000 declares its writable fields (bluetti_write_spec); the rest
 * is read only. Layouts from the older protocol reference (docs/protocol/README.md), with
 * block 2000 moved onto the whole registers real units use (reference-issues.md item 4).
 * Decisions in each `notes`. */
#include "config.h"

#include <bluetti/plugin.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static const bluetti_enum_name switch_names[] = {
    { 0, "off" }, { 1, "on" }, { 0, NULL },
};

/* ---- 2000 INV_BASE_SETTINGS ---------------------------------------------- */

static const bluetti_enum_name charging_mode_names[] = {
    { 0, "standard" }, { 1, "silent" }, { 2, "turbo" }, { 4, "custom" }, { 0, NULL },
};

static const bluetti_enum_name working_mode_names[] = {
    { 1, "custom" }, { 2, "self_consumption" }, { 4, "backup" }, { 5, "time_of_use" },
    { 0, NULL },
};

static const bluetti_enum_name display_timeout_names[] = {
    { 2, "30s" }, { 3, "1min" }, { 4, "5min" }, { 5, "never" }, { 0, NULL },
};

/* ---- write metadata (docs/CONTROL.md lists every writable field) --------
 * Only two writes are confirmed on real units: the AC and DC output
 * switches, 1 on / 0 off, function 0x06 echoed (many models over
 * Bluetooth, an AP300 live over the cloud). The others follow the
 * reference's and the decoders' write tables and stay unverified: the
 * tool refuses them without --allow-unverified. Ranges are the widest
 * the sources give; models may accept less (the device then answers with
 * an exception, or keeps its value, and the read-back says so). */

#define W_SWITCH(reg_, ev_, note_) \
    { .reg = (reg_), .evidence = (ev_), .values = switch_names, .note = (note_) }
#define W_NUMBER(reg_, lo_, hi_, note_) \
    { .reg = (reg_), .evidence = BLUETTI_EV_UNVERIFIED, .min = (lo_), .max = (hi_), .step = 1, \
      .note = (note_) }

static const bluetti_write_spec w_ctrl_ac = W_SWITCH(2011, BLUETTI_EV_CONFIRMED,
    "1 on / 0 off with function 0x06, echoed: confirmed on many models over Bluetooth and live "
    "over the cloud on an AP300");
static const bluetti_write_spec w_ctrl_dc = W_SWITCH(2012, BLUETTI_EV_CONFIRMED,
    "1 on / 0 off with function 0x06, echoed: the same sources as the AC switch");
static const bluetti_write_spec w_dc_eco_ctrl = W_SWITCH(2014, BLUETTI_EV_UNVERIFIED,
    "write tables of Bluetooth decoders and a cloud decoder; not seen written");
static const bluetti_write_spec w_ac_eco_ctrl = W_SWITCH(2017, BLUETTI_EV_UNVERIFIED,
    "write tables of Bluetooth decoders and a cloud decoder; not seen written");
static const bluetti_write_spec w_dc_eco_off_time = W_NUMBER(2015, 1, 4,
    "1-4 hours in a cloud decoder's write table");
static const bluetti_write_spec w_ac_eco_off_time = W_NUMBER(2018, 1, 4,
    "1-4 hours in a cloud decoder's write table");
static const bluetti_write_spec w_dc_eco_power = W_NUMBER(2016, 5, 20,
    "the app's range per a cloud decoder (the EL10 takes 5-10 W only)");
static const bluetti_write_spec w_ac_eco_power = W_NUMBER(2019, 10, 40,
    "the app's range per a cloud decoder (the EL10 takes 15-30 W only)");
static const bluetti_write_spec w_charging_mode = {
    .reg = 2020, .evidence = BLUETTI_EV_UNVERIFIED, .values = charging_mode_names,
    .note = "value names from Bluetooth decoders, 4 (custom) from a cloud decoder" };
static const bluetti_write_spec w_power_lifting = W_SWITCH(2021, BLUETTI_EV_UNVERIFIED,
    "a switch in two decoders' write tables");
static const bluetti_write_spec w_soc_low_limit = W_NUMBER(2022, 0, 100,
    "writable on the AP300 per four decoders; no write seen confirmed");
static const bluetti_write_spec w_soc_high_limit = W_NUMBER(2023, 1, 100,
    "1-100 % in a cloud decoder's write table (AP300); no write seen confirmed");

#define REG_CONFIRMED(reg_) "whole register " #reg_ ", as user-tested Bluetooth maps of the " \
    "Elite 30/100 V2 address it (the reference's odd byte offset + 9, see notes)"
#define REG_INFERRED(reg_, ref_) "whole register " #reg_ ": the reference's byte offset " #ref_ \
    " + 9, the shift that maps every confirmed field of this block (see notes); unconfirmed"

static const bluetti_field inv_base_settings_fields[] = {
    { .name = "working_mode", .description = "Working-mode selector",
      .offset = 10, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = working_mode_names,
      .note = "whole register 2005 (an AP300 decoder); the reference's inv_address (high "
              "byte) and working_mode u8 (low byte) read the same number below 256" },
    { .name = "ctrl_led", .description = "LED switch", .offset = 14, .type = BLUETTI_U16,
      .evidence = BLUETTI_EV_UNVERIFIED, .note = REG_INFERRED(2007, 5) },
    { .name = "ctrl_grid_chg", .description = "Grid-charging switch", .offset = 16,
      .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED, .enums = switch_names,
      .note = REG_INFERRED(2008, 7) },
    { .name = "ctrl_pv", .description = "PV input switch", .offset = 18, .type = BLUETTI_U16,
      .evidence = BLUETTI_EV_UNVERIFIED, .enums = switch_names, .note = REG_INFERRED(2009, 9) },
    { .name = "ctrl_inverter", .description = "Inverter switch", .offset = 20, .type = BLUETTI_U16,
      .evidence = BLUETTI_EV_UNVERIFIED, .enums = switch_names,
      .note = REG_INFERRED(2010, 11) "; one cloud decoder reads the inverter switch there" },
    { .name = "ctrl_ac", .description = "AC output switch", .offset = 22, .type = BLUETTI_U16,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = switch_names,
      .write = &w_ctrl_ac,
      .note = REG_CONFIRMED(2011) "; writing 1/0 there turns the AC output on/off" },
    { .name = "ctrl_dc", .description = "DC output switch", .offset = 24, .type = BLUETTI_U16,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = switch_names,
      .write = &w_ctrl_dc,
      .note = REG_CONFIRMED(2012) "; writing 1/0 there turns the DC output on/off" },
    { .name = "dc_eco_ctrl", .description = "DC ECO switch", .offset = 28, .type = BLUETTI_U16,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = switch_names, .write = &w_dc_eco_ctrl,
      .note = REG_CONFIRMED(2014) },
    { .name = "dc_eco_off_time", .unit = "h", .description = "DC ECO switch-off delay",
      .offset = 30, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .write = &w_dc_eco_off_time,
      .note = REG_CONFIRMED(2015) "; those maps give it values 1-4 meaning 1-4 hours (the "
              "reference said minutes)" },
    { .name = "dc_eco_power", .unit = "W", .description = "DC ECO power threshold",
      .offset = 32, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .write = &w_dc_eco_power,
      .note = REG_INFERRED(2016, 23) },
    { .name = "ac_eco_ctrl", .description = "AC ECO switch", .offset = 34, .type = BLUETTI_U16,
      .evidence = BLUETTI_EV_CONFIRMED, .enums = switch_names, .write = &w_ac_eco_ctrl,
      .note = REG_CONFIRMED(2017) },
    { .name = "ac_eco_off_time", .unit = "h", .description = "AC ECO switch-off delay",
      .offset = 36, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .write = &w_ac_eco_off_time,
      .note = REG_CONFIRMED(2018) "; values 1-4 mean 1-4 hours (the reference said minutes)" },
    { .name = "ac_eco_power", .unit = "W", .description = "AC ECO power threshold",
      .offset = 38, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .write = &w_ac_eco_power,
      .note = REG_INFERRED(2019, 29) },
    { .name = "charging_mode", .description = "Charging-mode selector",
      .offset = 40, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .enums = charging_mode_names,
      .write = &w_charging_mode,
      .note = REG_CONFIRMED(2020) "; value names from those maps, 4 custom from a cloud "
              "decoder" },
    { .name = "power_lifting_mode", .description = "Power-lifting switch",
      .offset = 42, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .enums = switch_names, .write = &w_power_lifting,
      .note = REG_CONFIRMED(2021) "; a switch there" },
    { .name = "soc_low_limit", .unit = "%", .description = "Battery SOC lower limit",
      .offset = 44, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .write = &w_soc_low_limit,
      .note = "register 2022, writable on the AP300 (four decoders, EL10/AP300/EP600)" },
    { .name = "soc_high_limit", .unit = "%", .description = "Battery SOC upper limit",
      .offset = 46, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .write = &w_soc_high_limit,
      .note = "register 2023 (1-100), writable on the AP300 (four decoders)" },
    { .name = "display_timeout", .description = "Display timeout",
      .offset = 134, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .enums = display_timeout_names,
      .note = "register 2067 on the AP300 (a Bluetooth decoder); beyond the default 48-byte "
              "read: profiles that have it read 136 bytes" },
};

static const bluetti_block_schema inv_base_settings = {
    .id = 2000, .min_length = 44, .read_length = 48, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_UNVERIFIED,
    .name = "INV_BASE_SETTINGS",
    .description = "Inverter base settings: output switches, ECO, modes",
    .fields = inv_base_settings_fields, .n_fields = N_OF(inv_base_settings_fields),
    .notes =
        "reference-issues.md item 4, decided by moving every field onto whole registers. "
        "User-tested Bluetooth "
        "maps (Elite 30/100 V2) address AC output 2011, DC output 2012, DC ECO 2014/2015, AC "
        "ECO 2017/2018, charging mode 2020, power lifting 2021: each is register 2000 + (o + "
        "9) / 2 for the reference's odd byte offset o (13, 15, 19, 21, 25, 27, 31, 33), and "
        "the same shift turns the reference's straddling u16 fields (21, 23, 27, 29) into "
        "whole registers. The fields without external evidence were moved by the same rule "
        "and are marked unverified; the reference's inv_address/working_mode (bytes 0/1) became "
        "the whole register 2005 (working_mode, value names from an AP300 decoder). ECO off times are 1-4 hours per those maps. Added "
        "soc_low/high_limit (2022/2023). min_length 44 ends at power lifting; read_length 48.",
};

/* ---- 2200 INV_ADV_SETTINGS ----------------------------------------------- */

#define ODD_NOTE "u16 at an odd offset straddling two registers (reference-issues.md item 4): " \
                 "kept as the " \
    "reference has it, no external evidence to relocate it"

static const bluetti_field inv_adv_settings_fields[] = {
    { .name = "adv_login_password", .description = "Password protecting the advanced settings",
      .offset = 0, .size = 8, .type = BLUETTI_TEXT,
      .flags = BLUETTI_F_SENSITIVE | BLUETTI_F_KEEP_SPACES,
      .note = "secret: tools mask it; trailing spaces kept (they belong to a password)" },
    { .name = "factory_reset", .description = "Factory reset (never write)",
      .offset = 12, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "whole register 2206 per an app-derived cloud decoder (the reference had a u8 at "
              "8); writing it resets the unit, so it belongs on any write deny list" },
    { .name = "grid_charge", .description = "Charge-from-grid switch",
      .offset = 14, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED, .enums = switch_names,
      .note = "whole register 2207 on the AP300 (a Bluetooth decoder and a cloud decoder). The "
              "reference's inv_freq (u16 at 15) straddled 2207/2208" },
    { .name = "setting_2208", .description = "Model-dependent switch (register 2208)",
      .offset = 16, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED, .enums = switch_names,
      .note = "whole register 2208: the AC output switch on the EP760 (found by toggling it in "
              "the app, written both ways), feed-in enable on the AP300; profiles name it. The "
              "reference's chg_max_voltage (u16 at 17) straddled 2208/2209" },
    { .name = "max_ac_input_power", .unit = "W",
      .description = "Maximum AC input (grid charge) power",
      .offset = 26, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "register 2213 (EP600 decoders; a cloud decoder: max grid charge power, "
              "300-6000 W). The reference's feedback_max_power (u16 at 25) straddled 2212/2213" },
    { .name = "max_ac_input_current", .unit = "A",
      .description = "Maximum AC input current (raw)",
      .offset = 28, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 2214 (EP600 decoders); no source gives a scale" },
    { .name = "max_ac_output_power", .unit = "W",
      .description = "Maximum AC output / export power",
      .offset = 30, .type = BLUETTI_U16, .evidence = BLUETTI_EV_CONFIRMED,
      .note = "register 2215 (EP600 decoders: max AC output; a cloud decoder: max export "
              "power, 0-6000 W)" },
    { .name = "max_ac_output_current", .unit = "A",
      .description = "Maximum AC output current (raw)",
      .offset = 32, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .note = "register 2216 (EP600 decoders); no source gives a scale" },
    { .name = "grid_enhancement", .description = "Grid enhancement mode",
      .offset = 50, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED, .enums = switch_names,
      .note = "register 2225 in one decoder (AC180P, AC60)" },
};

static const bluetti_block_schema inv_adv_settings = {
    .id = 2200, .min_length = 18, .read_length = 52, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_CONFIRMED,
    .name = "INV_ADV_SETTINGS", .description = "Inverter advanced settings (password-protected)",
    .fields = inv_adv_settings_fields, .n_fields = N_OF(inv_adv_settings_fields),
    .notes =
        "Settings are whole registers at even offsets (docs/protocol/blocks-settings.md): "
        "every real-unit decoder reads and writes them so. The reference's u8 and u16 fields "
        "at odd offsets (factory_reset at 8, ctrl_grid 9, ctrl_feedback 11, inv_voltage 13, "
        "inv_freq 15, chg_max_voltage 17, pv_chg_max_current 19, grid_max_power 21, "
        "grid_max_current 23, feedback_max_power 25) straddle registers and are contradicted "
        "where decoders address those registers; they are dropped. Registers 2206 (factory "
        "reset) and 2233 (battery-ageing routine) must never be written. The password stays "
        "flagged sensitive.",
};

/* ---- 2400 CERT_SETTINGS -------------------------------------------------- */

static const bluetti_field cert_settings_fields[] = {
    { .name = "adv_enable", .description = "Advanced certification switch",
      .offset = 0, .type = BLUETTI_U8, .enums = switch_names },
    { .name = "grid_uv2_value", .unit = "V", .description = "Grid under-voltage stage 2 threshold",
      .offset = 1, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) },
      .note = ODD_NOTE "; x0.1 V as the same threshold in block 40127 (reference-issues.md item "
                       "17)" },
    { .name = "grid_uv2_time", .unit = "ms", .description = "Grid under-voltage stage 2 trip time",
      .offset = 3, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED, .note = ODD_NOTE },
    { .name = "power_factor", .description = "Power-factor setting (raw)",
      .offset = 5, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED, .note = ODD_NOTE },
    { .name = "grid_cert_division", .description = "Grid code / region selector",
      .offset = 7, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED, .note = ODD_NOTE },
    { .name = "vvar_and_volt_watt_resp_mode", .description = "Volt-VAr / volt-watt response mode",
      .offset = 9, .type = BLUETTI_U8 },
};

static const bluetti_block_schema cert_settings = {
    .id = 2400, .min_length = 10, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_UNVERIFIED,
    .name = "CERT_SETTINGS", .description = "Grid-code / certification settings",
    .fields = cert_settings_fields, .n_fields = N_OF(cert_settings_fields),
    .notes =
        "reference-issues.md item 4: u16 fields at odd offsets 1, 3, 5, 7 straddle registers; no "
        "real-unit map "
        "covers this block, so the reference's offsets are kept, marked unverified. "
        "reference-issues.md item 17: "
        "grid_uv2_value scaled x0.1 V like the same threshold in 40127.",
};

/* ---- 19000 SOC_SETTINGS -------------------------------------------------- */

/* Each word packs two thresholds: off_soc = v & 0x7F, off_enable = bit 7,
 * on_soc = (v >> 8) & 0x7F, on_enable = bit 15 (reference §6.5). */
#define SOC_PAIR(name_, desc_, off, flags_)                                            \
    { .name = (name_), .description = desc_ " (packed word)", .offset = (off),        \
      .type = BLUETTI_U16, .flags = (flags_) },                                       \
    { .name = name_ ".off_soc", .unit = "%", .description = desc_ ": switch-off SOC",  \
      .offset = (off), .type = BLUETTI_U16, .xf = { BLUETTI_XF_BITMASK_(0x7F) },     \
      .note = "bits 0-6 of the word (reference note)" },                              \
    { .name = name_ ".off_enable", .description = desc_ ": switch-off threshold enabled", \
      .offset = (off), .type = BLUETTI_U16,                                           \
      .xf = { BLUETTI_XF_SHIFT_(7), BLUETTI_XF_BITMASK_(0x1) },                       \
      .note = "bit 7 of the word (reference note)" },                                  \
    { .name = name_ ".on_soc", .unit = "%", .description = desc_ ": switch-on SOC",    \
      .offset = (off), .type = BLUETTI_U16,                                           \
      .xf = { BLUETTI_XF_SHIFT_(8), BLUETTI_XF_BITMASK_(0x7F) },                      \
      .note = "bits 8-14 of the word (reference note)" },                              \
    { .name = name_ ".on_enable", .description = desc_ ": switch-on threshold enabled", \
      .offset = (off), .type = BLUETTI_U16, .xf = { BLUETTI_XF_SHIFT_(15) },          \
      .note = "bit 15 of the word (reference note)" }

static const bluetti_field soc_settings_fields[] = {
    SOC_PAIR("grid_charge_threshold", "Grid-charge SOC pair", 0, BLUETTI_F_REQUIRED),
    SOC_PAIR("ups_mode_threshold", "UPS-mode SOC pair", 2, BLUETTI_F_REQUIRED),
    SOC_PAIR("battery_protect_threshold", "Battery-protection SOC pair", 4, 0),
    SOC_PAIR("threshold_pair_3", "SOC pair 3", 6, 0),
    SOC_PAIR("threshold_pair_4", "SOC pair 4", 8, 0),
    SOC_PAIR("threshold_pair_5", "SOC pair 5", 10, 0),
};

static const bluetti_block_schema soc_settings = {
    .id = 19000, .min_length = 6, .read_length = 12, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "SOC_SETTINGS", .description = "SOC threshold pairs",
    .fields = soc_settings_fields, .n_fields = N_OF(soc_settings_fields),
    .notes =
        "Reference layout. Each packed word is kept raw (as the reference returns it) and "
        "also split into off_soc (bits 0-6), off_enable (bit 7), on_soc (bits 8-14) and "
        "on_enable (bit 15) as the reference's note describes. min_length 6 with a 12-byte "
        "read, as the reference's client does.",
};

/* ---- 19100 COMM_DELAY_SETTINGS ------------------------------------------- */

#define DELAY_WORD(name_, desc_, off)                                                  \
    { .name = (name_), .description = (desc_), .offset = (off), .type = BLUETTI_U16,  \
      .flags = BLUETTI_F_REQUIRED }
#define DELAY_ITEM(n_, what_, off, idx)                                                \
    { .name = "delay_" #n_ "." what_, .description = "Delay entry " #n_ ": " what_ " (2-bit)", \
      .offset = (off), .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,        \
      .xf = { BLUETTI_XF_ENABLE_LIST_(0, idx) },                                      \
      .note = "2-bit chunk " #idx " of the word, read like the app's hexStrToEnableList; " \
              "which four of the word's eight chunks hold the entries is inferred" }
#define DELAY_ITEMS(what_, off, a, b, c, d)                                            \
    DELAY_ITEM(a, what_, off, 0), DELAY_ITEM(b, what_, off, 1),                        \
    DELAY_ITEM(c, what_, off, 2), DELAY_ITEM(d, what_, off, 3)

static const bluetti_field comm_delay_fields[] = {
    DELAY_WORD("enable_flags_01", "Enable bits for delay entries 0-3", 0),
    DELAY_WORD("enable_flags_02", "Enable bits for delay entries 4-7", 2),
    DELAY_WORD("enable_flags_03", "Enable bits for delay entries 8-11", 4),
    DELAY_WORD("enable_flags_04", "Enable bits for delay entries 12-15", 6),
    DELAY_WORD("action_flags_01", "Action bits for delay entries 0-3", 8),
    DELAY_WORD("action_flags_02", "Action bits for delay entries 4-7", 10),
    DELAY_WORD("action_flags_03", "Action bits for delay entries 8-11", 12),
    DELAY_WORD("action_flags_04", "Action bits for delay entries 12-15", 14),
    DELAY_ITEMS("enable", 0, 0, 1, 2, 3), DELAY_ITEMS("enable", 2, 4, 5, 6, 7),
    DELAY_ITEMS("enable", 4, 8, 9, 10, 11), DELAY_ITEMS("enable", 6, 12, 13, 14, 15),
    DELAY_ITEMS("action", 8, 0, 1, 2, 3), DELAY_ITEMS("action", 10, 4, 5, 6, 7),
    DELAY_ITEMS("action", 12, 8, 9, 10, 11), DELAY_ITEMS("action", 14, 12, 13, 14, 15),
};

static const bluetti_block_schema comm_delay_settings = {
    .id = 19100, .min_length = 16, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "COMM_DELAY_SETTINGS", .description = "Grid-charge delay settings",
    .fields = comm_delay_fields, .n_fields = N_OF(comm_delay_fields),
    .notes =
        "Reference layout: eight raw flag words. Each word holds four entries of 2 bits; "
        "they are also decoded per entry (delay_N.enable / delay_N.action) with the app's "
        "enable-list reading, chunks 0-3 from the most significant bit (which chunks is "
        "inferred, marked unverified). Delay items after 16 are not modelled.",
};

/* ---- 40127 HOME_STORAGE_SETTINGS ----------------------------------------- */

#define VOLT_NOTE "x0.1 V: the reference labels these thresholds 'V x10' but applied no " \
    "scale (reference-issues.md item 17)"

static const bluetti_field home_storage_fields[] = {
    { .name = "setting_enable_1", .description = "Feature enable bits",
      .offset = 2, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "grid_power_l1", .unit = "W", .description = "Grid power limit, phase L1",
      .offset = 4, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "grid_power_l2", .unit = "W", .description = "Grid power limit, phase L2",
      .offset = 6, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "grid_power_l3", .unit = "W", .description = "Grid power limit, phase L3",
      .offset = 8, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    { .name = "auto_test_enable", .description = "Auto-test enable bits",
      .offset = 10, .type = BLUETTI_U16 },
    { .name = "grid_uv1_value", .unit = "V", .description = "Under-voltage stage 1 threshold",
      .offset = 12, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = VOLT_NOTE },
    { .name = "grid_uv1_time", .unit = "ms", .description = "Under-voltage stage 1 trip time",
      .offset = 14, .type = BLUETTI_U16 },
    { .name = "grid_uv2_value", .unit = "V", .description = "Under-voltage stage 2 threshold",
      .offset = 16, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = VOLT_NOTE },
    { .name = "grid_uv2_time", .unit = "ms", .description = "Under-voltage stage 2 trip time",
      .offset = 18, .type = BLUETTI_U16 },
    { .name = "grid_ov1_value", .unit = "V", .description = "Over-voltage stage 1 threshold",
      .offset = 20, .type = BLUETTI_U16, .evidence = BLUETTI_EV_UNVERIFIED,
      .xf = { BLUETTI_XF_SCALE_(0.1) }, .note = VOLT_NOTE },
    { .name = "grid_ov1_time", .unit = "ms", .description = "Over-voltage stage 1 trip time",
      .offset = 22, .type = BLUETTI_U16 },
};

static const bluetti_block_schema home_storage_settings = {
    .id = 40127, .min_length = 24, .protocol_version = 2000,
    .block_class = BLUETTI_BLOCK_SETTINGS, .evidence = BLUETTI_EV_REFERENCE,
    .name = "HOME_STORAGE_SETTINGS",
    .description = "Home-storage / grid-protection settings (first 24 bytes)",
    .fields = home_storage_fields, .n_fields = N_OF(home_storage_fields),
    .notes =
        "Reference layout (bytes 0-1 reserved; the 30+ fields after 24 not modelled). "
        "reference-issues.md "
        "item 17: the voltage thresholds are scaled x0.1 V (the reference labels them 'V x10' "
        "but returned raw numbers), marked unverified.",
};

static int init(bluetti_registry *reg)
{
    static const bluetti_block_schema *const blocks[] = {
        &inv_base_settings, &inv_adv_settings, &cert_settings,
        &soc_settings, &comm_delay_settings, &home_storage_settings,
    };
    return bluetti_registry_add_blocks(reg, blocks, N_OF(blocks));
}

BLUETTI_PLUGIN_DEFINE("blocks-settings", "1.0.0",
                      "Settings blocks 2000, 2200, 2400, 19000, 19100, 40127 (block 2000 writable)", init);
