/* Catalog A block plugins: registration, schema checks, and the blocks the
 * rest of the tree leans on (100, 1300, 6000). Payloads are built by hand
 * from the layouts in the plugins' notes: 32-bit values low word first
 * ("000f 0000" = 15), model text byte-swapped per register, the serial a
 * u64 low word first. Expected values are worked out in the comments. */
#include "config.h"

#include "blocks_catalog_a_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- which plugin registers what ----------------------------------------- */

struct plugin_blocks { const char *plugin; size_t n; uint16_t ids[6]; };

static const struct plugin_blocks owned[] = {
    { "blocks-home", 2, { 1, 100 } },
    { "blocks-inverter", 5, { 1100, 1200, 1300, 1400, 1500 } },
    { "blocks-meter", 3, { 1700, 3500, 3600 } },
    { "blocks-pack", 4, { 6000, 6100, 6300, 7000 } },
    { "blocks-settings", 6, { 2000, 2200, 2400, 19000, 19100, 40127 } },
};

static void test_registration(void)
{
    for (size_t p = 0; p < sizeof owned / sizeof owned[0]; p++) {
        /* the plugin loaded and says it registered exactly n blocks */
        int found = 0;
        for (size_t i = 0; i < bluetti_registry_plugin_count(ba_reg); i++) {
            bluetti_plugin_info info;
            CU_ASSERT_EQUAL_FATAL(bluetti_registry_plugin_info(ba_reg, i, &info), 0);
            if (!info.name || strcmp(info.name, owned[p].plugin) != 0) continue;
            found = 1;
            CU_ASSERT_EQUAL(info.status, 0);
            CU_ASSERT_EQUAL(info.n_blocks, owned[p].n);
            CU_ASSERT_EQUAL(info.n_profiles, 0);
            CU_ASSERT_EQUAL(info.n_transports, 0);
        }
        CU_ASSERT(found);
        /* each of its blocks is attributed to it */
        for (size_t k = 0; k < owned[p].n; k++) {
            const char *who = bluetti_registry_block_plugin(ba_reg, owned[p].ids[k]);
            CU_ASSERT_PTR_NOT_NULL(who);
            if (who) CU_ASSERT_STRING_EQUAL(who, owned[p].plugin);
        }
    }
    /* and nothing else in the registry claims to come from these plugins */
    for (size_t i = 0; i < bluetti_registry_block_count(ba_reg); i++) {
        const bluetti_block_schema *s = bluetti_registry_block_at(ba_reg, i);
        const char *who = bluetti_registry_block_plugin(ba_reg, s->id);
        for (size_t p = 0; who && p < sizeof owned / sizeof owned[0]; p++) {
            if (strcmp(who, owned[p].plugin) != 0) continue;
            int listed = 0;
            for (size_t k = 0; k < owned[p].n; k++) listed |= owned[p].ids[k] == s->id;
            CU_ASSERT(listed);
        }
    }
}

/* ---- schema sanity ------------------------------------------------------- */

struct read_len { uint16_t id; size_t bytes; };

/* What a full read asks for (decisions recorded in each block's notes). */
static const struct read_len read_lengths[] = {
    { 1, 32 }, { 100, 142 }, { 1100, 110 }, { 1200, 62 }, { 1300, 32 }, { 1400, 68 },
    { 1500, 30 }, { 1700, 138 }, { 2000, 48 }, { 2200, 52 }, { 2400, 10 }, { 3500, 96 },
    { 3600, 118 }, { 6000, 64 }, { 6100, 172 }, { 6300, 40 }, { 7000, 12 },
    { 19000, 12 }, { 19100, 16 }, { 40127, 24 },
};

static void test_schemas_valid(void)
{
    for (size_t i = 0; i < sizeof read_lengths / sizeof read_lengths[0]; i++) {
        const bluetti_block_schema *s = bluetti_registry_find_block(ba_reg, read_lengths[i].id);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        char why[256] = "";
        int rc = bluetti_schema_validate(s, why, sizeof why);
        if (rc) fprintf(stderr, "block %u: %s\n", (unsigned)s->id, why);
        CU_ASSERT_EQUAL(rc, 0);
        if (bluetti_schema_read_length(s) != read_lengths[i].bytes)
            fprintf(stderr, "block %u: read length %zu\n", (unsigned)s->id, bluetti_schema_read_length(s));
        CU_ASSERT_EQUAL(bluetti_schema_read_length(s), read_lengths[i].bytes);
        CU_ASSERT_EQUAL(s->protocol_version, 2000);
        CU_ASSERT(s->name && *s->name);
        CU_ASSERT(s->description && *s->description);
        CU_ASSERT(s->notes && *s->notes);
        /* only 1300 is strict, as in the reference */
        CU_ASSERT_EQUAL(s->strict, s->id == 1300);
        for (size_t f = 0; f < s->n_fields; f++)
            CU_ASSERT(s->fields[f].description && *s->fields[f].description);
    }
}

/* Every field of the reference's tables (§6.5) is still a field, or the
 * block's notes or a field's note name it (renamed / replaced, with why). */
struct ref_fields { uint16_t id; const char *names[28]; };

static const struct ref_fields reference[] = {
    { 100, { "pack_voltage", "pack_current", "soc", "pack_power", "load_power", "pack_online",
             "device_model", "device_serial", "pack_temp_avg", "pack_temp_max", "pack_temp_min",
             "dc_input_power", "ac_input_power", "pv_power", "grid_power", "total_energy_charge",
             "ac_output_power", "pv_charge_energy", "total_energy_discharge",
             "total_feedback_energy", "soh", "pv1_voltage", "pv1_current", "pv2_voltage",
             "pv2_current" } },
    { 1100, { "inv_id", "inv_type", "inv_sn", "inv_power_type", "software_number",
              "software_0_module_id", "software_0_version", "software_1_module_id",
              "software_1_version", "software_2_module_id", "software_2_version",
              "software_3_module_id", "software_3_version", "software_4_module_id",
              "software_4_version", "software_5_module_id", "software_5_version", "ambient_temp",
              "inv_max_temp", "pv_dcdc_max_temp", "fault_code" } },
    { 1300, { "frequency", "phase_1_voltage", "phase_2_voltage", "total_charge_energy",
              "total_feedback_energy", "phase_0_power", "phase_0_voltage", "phase_0_current" } },
    { 1400, { "dc_total_power", "dc_total_energy", "load_5v_power", "load_5v_current",
              "load_12v_power", "load_12v_current", "load_24v_power", "load_24v_current",
              "dc_total_voltage", "dc_total_current", "ac_total_power", "ac_total_energy",
              "sys_phase_number", "phase_0_power", "phase_0_voltage", "phase_0_current",
              "phase_0_apparent" } },
    { 1500, { "frequency", "total_energy", "sys_phase_number", "phase_0_work_status",
              "phase_0_power", "phase_0_voltage", "phase_0_current" } },
    { 1700, { "model", "sn", "status", "sys_time", "phase0_voltage_raw_bits",
              "phase0_current_raw_bits", "phase0_active_power_raw_bits",
              "total_active_power_raw_bits", "frequency_raw_bits",
              "total_import_energy_raw_bits" } },
    { 2000, { "inv_address", "working_mode", "ctrl_led", "ctrl_grid_chg", "ctrl_pv",
              "ctrl_inverter", "ctrl_ac", "ctrl_dc", "dc_eco_ctrl", "dc_eco_off_time",
              "dc_eco_power", "ac_eco_ctrl", "ac_eco_off_time", "ac_eco_power", "charging_mode",
              "power_lifting_mode" } },
    { 2200, { "adv_login_password", "factory_reset", "ctrl_grid", "ctrl_feedback", "inv_voltage",
              "inv_freq", "chg_max_voltage", "pv_chg_max_current", "grid_max_power",
              "grid_max_current", "feedback_max_power" } },
    { 2400, { "adv_enable", "grid_uv2_value", "grid_uv2_time", "power_factor",
              "grid_cert_division", "vvar_and_volt_watt_resp_mode" } },
    { 3500, { "energy_type", "total_energy", "year0_year", "year0_energy", "year1_year",
              "year1_energy", "year2_year", "year2_energy" } },
    { 3600, { "energy_type", "year", "total_year_energy", "month0_energy", "month1_energy",
              "month2_energy" } },
    { 6000, { "pack_volt_type", "pack_count", "pack_online", "voltage", "current", "power", "soc",
              "soh", "temp_avg", "running_status", "charging_status", "max_charge_voltage",
              "max_charge_current", "max_discharge_current", "pack_mos", "time_to_full",
              "time_to_empty", "cell_count", "cycles", "temp_max", "temp_min",
              "pack_fault_bits" } },
    { 6100, { "pack_id", "pack_type", "pack_sn", "voltage", "current", "pack_soc", "pack_soh",
              "average_temp", "running_status", "charging_status", "pack_cap_online",
              "total_cell_cnt", "ntc_cell_cnt", "bmu_cnt", "bmu_fault_bit", "bmu_type",
              "dcdc_protect", "fm_ver_diff", "mcu_status", "pack_type_diff",
              "software_number" } },
    { 6300, { "bmu0_serial_number", "bmu0_fault_data", "bmu0_ntc_count", "bmu0_cell_count",
              "bmu0_model_type", "bmu0_software_version" } },
    { 7000, { "pack_id", "pack_parallel_number", "start_heating_enable",
              "bms_comm_interface_type" } },
    { 19000, { "grid_charge_threshold", "ups_mode_threshold", "battery_protect_threshold",
               "threshold_pair_3", "threshold_pair_4", "threshold_pair_5" } },
    { 19100, { "enable_flags_01", "enable_flags_02", "enable_flags_03", "enable_flags_04",
               "action_flags_01", "action_flags_02", "action_flags_03", "action_flags_04" } },
    { 40127, { "setting_enable_1", "grid_power_l1", "grid_power_l2", "grid_power_l3",
               "auto_test_enable", "grid_uv1_value", "grid_uv1_time", "grid_uv2_value",
               "grid_uv2_time", "grid_ov1_value", "grid_ov1_time" } },
};

static int mentioned(const bluetti_block_schema *s, const char *name)
{
    if (bluetti_schema_field_index(s, name) >= 0) return 1;
    if (s->notes && strstr(s->notes, name)) return 1;
    for (size_t f = 0; f < s->n_fields; f++)
        if (s->fields[f].note && strstr(s->fields[f].note, name)) return 1;
    return 0;
}

static void test_reference_fields_accounted(void)
{
    for (size_t b = 0; b < sizeof reference / sizeof reference[0]; b++) {
        const bluetti_block_schema *s = bluetti_registry_find_block(ba_reg, reference[b].id);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        for (size_t k = 0; k < 28 && reference[b].names[k]; k++) {
            int ok = mentioned(s, reference[b].names[k]);
            if (!ok) fprintf(stderr, "block %u: reference field %s dropped silently\n",
                             (unsigned)s->id, reference[b].names[k]);
            CU_ASSERT(ok);
        }
    }
}

/* ---- block 100 APP_HOME_DATA --------------------------------------------- */

/* 132 bytes. 0: 0214 = 53.2 V; 2: 007b = 12.3 A; 4: soc 85; 6: charging status 2;
 * 8: time remaining 0; 10: 01a4 = 420 min to empty; 12: ageing 1; 16: packs 1;
 * 20: "4c45 3033 3256" = "EL30V2" swapped; 32: serial words 8ff2 255b 0222 0000,
 * low first = 0x0222255b8ff2 = 2345678901234; 48: control 6 (AC + DC on);
 * 50: counter 0x44 = 68; 80: 012c 0000 = 300 W; 84: 1170 0001 =
 * 0x11170 = 70000 W; 88: 01a4 0000 = 420 W; 92: 86a0 0001 = 100000 W;
 * 100: 3039 0000 = 12345 -> 1234.5 kWh; 104: 0001 0002 = 0x20001 -> 13107.3 kWh;
 * 108: 1a85 0000 = 6789 -> 678.9; 112: 2fd1 0001 = 77777 -> 7777.7;
 * 116: 00de 0000 = 222 -> 22.2; 120: charging mode 0x62 = 98 (no name);
 * 124: 0181 004e = 0x4e0181 = 5112193 -> 511219.3 kWh; 128: 0000 0000. */
#define HOME_A                                                                       \
    "0214 007B 0055 0002 0000 01A4 0001 0000 0001 0000"                              \
    "4C45 3033 3256 0000 0000 0000 8FF2 255B 0222 0000"                              \
    "0000 0000 0000 0000 0006 0044 003E 0000 0000 0000"                              \
    "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"                              \
    "012C 0000 1170 0001 01A4 0000 86A0 0001 0000 0000"                              \
    "3039 0000 0001 0002 1A85 0000 2FD1 0001 00DE 0000"                              \
    "0062 0000 0181 004E 0000 0000"

static void check_home_common(const bluetti_result *r)
{
    BA_FLOAT(r, "pack_voltage", 53.2);
    BA_INT(r, "soc", 85);
    BA_INT(r, "charging_status", 2);
    BA_ENUM(r, "charging_status", "discharging");
    BA_INT(r, "time_remaining", 0);
    BA_INT(r, "time_to_empty", 420);
    BA_INT(r, "ageing_flags", 1);
    BA_INT(r, "pack_online", 1);
    BA_TEXT(r, "device_model", "EL30V2");
    BA_UINT(r, "device_serial", 2345678901234ULL);
    BA_INT(r, "control_status", 6);
    BA_INT(r, "counter_50", 68);
    BA_INT(r, "dc_output_power", 300);
    BA_INT(r, "ac_output_power", 70000);
    BA_INT(r, "dc_input_power", 420);
    BA_INT(r, "ac_input_power", 100000);
    BA_FLOAT(r, "pv_charge_energy", 678.9);
    BA_FLOAT(r, "dc_energy_total", 1234.5);
    BA_FLOAT(r, "ac_energy_total", 13107.3);
    BA_FLOAT(r, "grid_charge_energy", 7777.7);
    BA_FLOAT(r, "feedback_energy", 22.2);
    BA_INT(r, "charging_mode", 98);
    BA_ENUM(r, "charging_mode", NULL);
    BA_FLOAT(r, "pv_to_ac_energy", 511219.3);
    BA_INT(r, "self_sufficiency", 0);
    /* beyond the 132 bytes of this payload */
    BA_ABSENT(r, "pack_discharge_energy", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "rated_frequency", BLUETTI_ABSENT_BEYOND_DATA);
}

static void test_home_vector(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(100, HOME_A, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    CU_ASSERT_EQUAL(bluetti_result_count(r), bluetti_result_schema(r)->n_fields);
    check_home_common(r);
    BA_FLOAT(r, "pack_current", 12.3);
    /* the reference's names that real units contradict are gone */
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "total_energy_charge"));
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "soh"));
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "pv1_voltage"));
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "pack_power"));
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "load_power"));
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "pack_temp_avg"));
    bluetti_result_free(r);
}

static void test_home_protocol_2001(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(100, HOME_A, 2001, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(bluetti_result_protocol_version(r), 2001);
    /* nothing in block 100 is gated: the same values at any version */
    check_home_common(r);
    bluetti_result_free(r);
}

static void test_home_charging(void)
{
    /* pack current ff9c = -100 -> -10.0 A while charging */
    char hex[sizeof HOME_A];
    memcpy(hex, HOME_A, sizeof hex);
    memcpy(hex + 5, "FF9C", 4);
    int rc = -1;
    bluetti_result *r = BA_DECODE(100, hex, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_FLOAT(r, "pack_current", -10.0);
    BA_FLOAT(r, "pack_voltage", 53.2);
    bluetti_result_free(r);
}

static void test_home_truncated(void)
{
    int rc = -1;
    /* 120 bytes (the reference's old min_length): soh and PV fields beyond */
    bluetti_result *r = BA_DECODE_N(100, HOME_A, 120, 2001, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);                       /* not strict: decoded */
    CU_ASSERT_FALSE(bluetti_result_valid(r));     /* shorter than min_length */
    CU_ASSERT(bluetti_result_warning_count(r) > 0);
    BA_FLOAT(r, "feedback_energy", 22.2);   /* ends at 120 exactly */
    BA_ABSENT(r, "charging_mode", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "pv_to_ac_energy", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "self_sufficiency", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);

    /* 94 bytes: the AC input power (92-95) straddles the end */
    r = BA_DECODE_N(100, HOME_A, 94, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "dc_input_power", 420);
    BA_ABSENT(r, "ac_input_power", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);

    /* nothing at all: every field absent, no error (not strict) */
    r = BA_DECODE_N(100, HOME_A, 0, 2001, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    for (size_t i = 0; i < bluetti_result_count(r); i++) {
        const bluetti_value *v = bluetti_result_value(r, i);
        CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_ABSENT);
        CU_ASSERT_EQUAL(v->absent, BLUETTI_ABSENT_BEYOND_DATA);
    }
    bluetti_result_free(r);
}

static void test_home_malformed(void)
{
    /* model registers "4c45 3001": swapped "EL" then 0x01 '0' -> the control
     * byte is escaped; serial all ones = the largest u64 */
    char hex[sizeof HOME_A];
    memcpy(hex, HOME_A, sizeof hex);
    char *model = strstr(hex, "4C45 3033 3256");
    CU_ASSERT_PTR_NOT_NULL_FATAL(model);
    memcpy(model, "4C45 3001 0000", 14);
    char *serial = strstr(hex, "8FF2 255B 0222 0000");
    CU_ASSERT_PTR_NOT_NULL_FATAL(serial);
    memcpy(serial, "FFFF FFFF FFFF FFFF", 19);
    int rc = -1;
    bluetti_result *r = BA_DECODE(100, hex, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_TEXT(r, "device_model", "EL\\x010");
    BA_UINT(r, "device_serial", UINT64_MAX);
    BA_INT(r, "soc", 85);
    bluetti_result_free(r);
}

/* ---- block 1300 INV_GRID_INFO (strict) ----------------------------------- */

/* 0: 0258 = 60.0 Hz; 2: 04b0 0000 = 1200 W grid power; 6: e240 0001 = 0x1e240 = 123456 -> 12345.6;
 * 10: 0315 0000 = 789 -> 78.9; 25: 1 phase; 26: 04ac = 1196 W; 28: 0900 = 230.4 V;
 * 30: 0034 = 5.2 A. */
#define GRID_B                                                                       \
    "0258 04B0 0000 E240 0001 0315 0000 0000 0000 0000 0000 0000 0001 04AC 0900 0034"
/* export: 01f3 = 49.9 Hz; fcae = -850 W; 096c = 241.2 V; ffdb = -3.7 A */
#define GRID_C                                                                       \
    "01F3 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 FCAE 096C FFDB"

static void test_grid_vector(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(1300, GRID_B, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_FLOAT(r, "frequency", 60.0);
    BA_INT(r, "grid_power", 1200);
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "phase_1_voltage"));
    BA_FLOAT(r, "total_charge_energy", 12345.6);
    BA_FLOAT(r, "total_feedback_energy", 78.9);
    BA_INT(r, "sys_phase_number", 1);
    BA_INT(r, "phase_0_power", 1196);
    BA_FLOAT(r, "phase_0_voltage", 230.4);
    BA_FLOAT(r, "phase_0_current", 5.2);
    /* optional, beyond the 32 bytes a default read returns */
    BA_ABSENT(r, "phase_0_apparent", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);

    r = BA_DECODE(1300, GRID_C, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_FLOAT(r, "frequency", 49.9);
    BA_INT(r, "grid_power", 0);
    BA_FLOAT(r, "total_charge_energy", 0.0);
    BA_INT(r, "phase_0_power", -850);          /* sign kept: exporting */
    BA_FLOAT(r, "phase_0_voltage", 241.2);
    BA_FLOAT(r, "phase_0_current", -3.7);
    bluetti_result_free(r);

    /* a longer read (as some profiles do) also gets the apparent power: 04b4 = 1204 VA */
    r = BA_DECODE(1300, GRID_B "04B4", 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "phase_0_apparent", 1204);
    BA_FLOAT(r, "phase_0_current", 5.2);
    bluetti_result_free(r);
}

static void test_grid_truncated(void)
{
    /* 30 bytes: shorter than min_length and phase_0_current (required) missing:
     * the strict block is rejected and nothing is decoded */
    int rc = 0;
    bluetti_result *r = BA_DECODE_N(1300, GRID_B, 30, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, BLUETTI_E_SHORT);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    CU_ASSERT(bluetti_result_warning_count(r) > 0);
    for (size_t i = 0; i < bluetti_result_count(r); i++)
        CU_ASSERT_EQUAL(bluetti_result_value(r, i)->kind, BLUETTI_VAL_ABSENT);
    bluetti_result_free(r);

    /* empty */
    r = BA_DECODE_N(1300, GRID_B, 0, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, BLUETTI_E_SHORT);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    bluetti_result_free(r);
}

static void test_grid_malformed(void)
{
    /* 33 bytes (odd length): valid, and the apparent power that would straddle
     * the end is reported absent, not read past the data */
    int rc = -1;
    bluetti_result *r = BA_DECODE(1300, GRID_B "04", 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_ABSENT(r, "phase_0_apparent", BLUETTI_ABSENT_BEYOND_DATA);
    BA_INT(r, "phase_0_power", 1196);
    bluetti_result_free(r);

    /* the decoder reuses a result: a valid decode after a rejected one is whole again */
    const bluetti_block_schema *s = bluetti_registry_find_block(ba_reg, 1300);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(s, &r), 0);
    size_t len;
    uint8_t *buf = bt_hex(GRID_C, &len);
    CU_ASSERT_EQUAL(bluetti_decode(r, buf, 20, 2000), BLUETTI_E_SHORT);
    CU_ASSERT_EQUAL(bluetti_decode(r, buf, len, 2000), 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "phase_0_power", -850);
    free(buf);
    bluetti_result_free(r);
}

/* ---- block 6000 PACK_MAIN_INFO ------------------------------------------- */

/* 0: volt type 2; 3: 2 packs; 4: online 3; 6: 0200 = 51.2 V; 8: ff85 = -12.3 A;
 * 11: soc 0x57 = 87; 13: soh 0x64 = 100; 14: 0041 - 40 = 25 C; 17: running 1;
 * 19: charging 1; 20: 0248 = 58.4 V; 22: 00c8 = 20.0 A; 24: 012c = 30.0 A;
 * 32: mos 3; 34: 005f = 95 min; 38: 16 cells; 40: 002a = 42 cycles;
 * 50/52: 68/62 -> 28/22 C; 62: 8001 = 32769. */
#define PACK_A                                                                       \
    "0002 0002 0003 0200 FF85 0057 0064 0041 0001 0001 0248 00C8 012C 0000 0000 0000"\
    "0003 005F 0000 0010 002A 0000 0000 0000 0000 0044 003E 0000 0000 0000 0000 8001"

static void test_pack_main_vector(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(6000, PACK_A, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "pack_volt_type", 2);
    BA_INT(r, "pack_count", 2);
    BA_INT(r, "pack_online", 3);
    BA_FLOAT(r, "voltage", 51.2);
    BA_FLOAT(r, "current", -12.3);
    BA_INT(r, "soc", 87);
    BA_INT(r, "soh", 100);
    BA_INT(r, "temp_avg", 25);
    BA_INT(r, "running_status", 1);
    BA_INT(r, "charging_status", 1);
    BA_ENUM(r, "charging_status", "charging");
    BA_FLOAT(r, "max_charge_voltage", 58.4);
    BA_FLOAT(r, "max_charge_current", 20.0);
    BA_FLOAT(r, "max_discharge_current", 30.0);
    BA_INT(r, "pack_mos", 3);
    BA_INT(r, "time_to_full", 95);
    BA_INT(r, "time_to_empty", 0);
    BA_INT(r, "cell_count", 16);
    BA_INT(r, "cycles", 42);
    BA_INT(r, "temp_max", 28);
    BA_INT(r, "temp_min", 22);
    BA_INT(r, "pack_fault_bits", 32769);
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "power"));   /* overlapped soc: not decoded */
    bluetti_result_free(r);
}

static void test_pack_main_truncated(void)
{
    int rc = -1;
    /* 40 bytes: cycles (40-41) and everything after are beyond the data */
    bluetti_result *r = BA_DECODE_N(6000, PACK_A, 40, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "cell_count", 16);
    BA_ABSENT(r, "cycles", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "temp_max", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "pack_fault_bits", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);

    /* 12 bytes: soc (byte 11) is in, soh (byte 13) is not */
    r = BA_DECODE_N(6000, PACK_A, 12, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "soc", 87);
    BA_ABSENT(r, "soh", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_pack_main_malformed(void)
{
    /* byte 10 and byte 12 hold junk (ff): soc still comes from byte 11 alone;
     * temperatures below zero: 001e/0023/0014 - 40 = -10/-5/-20 C */
    char hex[sizeof PACK_A];
    memcpy(hex, PACK_A, sizeof hex);
    memcpy(hex + 25, "FF57 FF64 001E", 14);
    char *tmax = strstr(hex, "0044 003E");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmax);
    memcpy(tmax, "0023 0014", 9);
    int rc = -1;
    bluetti_result *r = BA_DECODE(6000, hex, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "soc", 87);
    BA_INT(r, "soh", 100);
    BA_INT(r, "temp_avg", -10);
    BA_INT(r, "temp_max", -5);
    BA_INT(r, "temp_min", -20);
    BA_FLOAT(r, "current", -12.3);
    bluetti_result_free(r);
}

static int add_suites(void)
{
    CU_pSuite s = CU_add_suite("blocks_a_registry", ba_suite_init, ba_suite_clean);
    if (!s
        || !CU_add_test(s, "each plugin registers exactly its blocks", test_registration)
        || !CU_add_test(s, "every schema validates", test_schemas_valid)
        || !CU_add_test(s, "no reference field dropped silently", test_reference_fields_accounted))
        return (int)CU_get_error();
    s = CU_add_suite("block_100", ba_suite_init, ba_suite_clean);
    if (!s
        || !CU_add_test(s, "vector at protocol 2000", test_home_vector)
        || !CU_add_test(s, "vector at protocol 2001", test_home_protocol_2001)
        || !CU_add_test(s, "charging (negative current)", test_home_charging)
        || !CU_add_test(s, "truncated", test_home_truncated)
        || !CU_add_test(s, "malformed", test_home_malformed))
        return (int)CU_get_error();
    s = CU_add_suite("block_1300", ba_suite_init, ba_suite_clean);
    if (!s
        || !CU_add_test(s, "import and export vectors", test_grid_vector)
        || !CU_add_test(s, "truncated (strict)", test_grid_truncated)
        || !CU_add_test(s, "malformed", test_grid_malformed))
        return (int)CU_get_error();
    s = CU_add_suite("block_6000", ba_suite_init, ba_suite_clean);
    if (!s
        || !CU_add_test(s, "vector", test_pack_main_vector)
        || !CU_add_test(s, "truncated", test_pack_main_truncated)
        || !CU_add_test(s, "malformed", test_pack_main_malformed))
        return (int)CU_get_error();
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add_suites);
}
