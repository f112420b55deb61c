/* The catalog as real units show it: one vector per corrected or added
 * field, built here from the rule the field follows (docs/protocol/blocks-FAMILY.md),
 * not copied from a capture. The builder writes registers big-endian,
 * wider integers low word first, texts with the two bytes of every
 * register swapped; each check states the value the rule gives. */
#include "config.h"

#include "blocks_catalog_a_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a payload built from the wire rules --------------------------------- */

typedef struct payload { uint8_t b[256]; size_t len; } payload;

static void grow(payload *p, size_t end) { if (end > p->len) p->len = end; }

static void put16(payload *p, size_t off, uint16_t v)
{
    p->b[off] = (uint8_t)(v >> 8);
    p->b[off + 1] = (uint8_t)v;
    grow(p, off + 2);
}

static void put8(payload *p, size_t off, uint8_t v) { p->b[off] = v; grow(p, (off | 1) + 1); }

/* n registers, least significant first (low word first) */
static void put_words(payload *p, size_t off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) put16(p, off + 2 * i, (uint16_t)(v >> (16 * i)));
}
static void put32(payload *p, size_t off, uint32_t v) { put_words(p, off, v, 2); }
static void put_s32(payload *p, size_t off, int32_t v) { put32(p, off, (uint32_t)v); }
static void put64(payload *p, size_t off, uint64_t v) { put_words(p, off, v, 4); }

/* text, NUL padded to size bytes, the two bytes of every register swapped */
static void put_text_swapped(payload *p, size_t off, size_t size, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < size; i++) p->b[off + (i ^ 1)] = i < n ? (uint8_t)s[i] : 0;
    grow(p, off + size);
}

static bluetti_result *decode(uint16_t id, const payload *p, uint16_t pv, int *rc)
{
    const bluetti_block_schema *s = bluetti_registry_find_block(ba_reg, id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(s, &r), 0);
    *rc = bluetti_decode(r, p->b, p->len, pv);
    return r;
}

static const bluetti_field *field(uint16_t id, const char *name)
{
    const bluetti_block_schema *s = bluetti_registry_find_block(ba_reg, id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    int i = bluetti_schema_field_index(s, name);
    if (i < 0) fprintf(stderr, "block %u has no field %s\n", (unsigned)id, name);
    CU_ASSERT_FATAL(i >= 0);
    return &s->fields[i];
}

/* every corrected field carries its evidence level and a note naming the source */
static void test_evidence_and_notes(void)
{
    static const struct { uint16_t id; const char *name; int ev; } fields[] = {
        { 1, "protocol_version", BLUETTI_EV_CONFIRMED },
        { 100, "ac_input_power", BLUETTI_EV_CONFIRMED },
        { 100, "inverter_power", BLUETTI_EV_CONFIRMED },
        { 100, "charging_mode", BLUETTI_EV_CONFIRMED },
        { 100, "ac_energy_total", BLUETTI_EV_CONFIRMED },
        { 100, "grid_charge_energy", BLUETTI_EV_CONFIRMED },
        { 100, "energy_lines", BLUETTI_EV_CONFIRMED },
        { 100, "control_status", BLUETTI_EV_UNVERIFIED },
        { 1100, "inv_sn", BLUETTI_EV_CONFIRMED },
        { 1300, "grid_power", BLUETTI_EV_CONFIRMED },
        { 1500, "phase_power", BLUETTI_EV_CONFIRMED },
        { 2200, "grid_charge", BLUETTI_EV_CONFIRMED },
        { 6100, "pack_sn", BLUETTI_EV_CONFIRMED },
        { 6100, "bcu_version", BLUETTI_EV_CONFIRMED },
        { 6100, "bmu_version", BLUETTI_EV_CONFIRMED },
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const bluetti_field *f = field(fields[i].id, fields[i].name);
        CU_ASSERT_EQUAL(f->evidence, fields[i].ev);
        CU_ASSERT(f->note && strlen(f->note) > 10);
    }
    /* powers that flow both ways are signed wire types */
    CU_ASSERT_EQUAL(field(100, "ac_output_power")->type, BLUETTI_I32);
    CU_ASSERT_EQUAL(field(100, "ac_input_power")->type, BLUETTI_I32);
    CU_ASSERT_EQUAL(field(1300, "grid_power")->type, BLUETTI_I32);
    CU_ASSERT_EQUAL(field(1400, "phase_0_power")->type, BLUETTI_I16);
    CU_ASSERT_EQUAL(field(1500, "phase_0_power")->type, BLUETTI_I16);
    /* serials are 64-bit integers */
    CU_ASSERT_EQUAL(field(100, "device_serial")->type, BLUETTI_U64);
    CU_ASSERT_EQUAL(field(1100, "inv_sn")->type, BLUETTI_U64);
    CU_ASSERT_EQUAL(field(6100, "pack_sn")->type, BLUETTI_U64);
}

/* settings are whole registers: no multi-byte field at an odd offset in the
 * settings blocks that real units address (2000, 2200) */
static void test_settings_whole_registers(void)
{
    const uint16_t ids[] = { 2000, 2200 };
    for (size_t k = 0; k < 2; k++) {
        const bluetti_block_schema *s = bluetti_registry_find_block(ba_reg, ids[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        for (uint16_t i = 0; i < s->n_fields; i++) {
            const bluetti_field *f = &s->fields[i];
            if (f->type == BLUETTI_TEXT) continue;
            CU_ASSERT_EQUAL(f->offset % 2, 0);
            CU_ASSERT(bluetti_wire_type_size(f->type) == 2);
        }
    }
}

/* ---- block 1 ------------------------------------------------------------- */

static void test_base_config(void)
{
    payload p = { { 0 }, 0 };
    put8(&p, 0, 1);
    put8(&p, 1, 2);
    put16(&p, 2, 1);                       /* guest mode on */
    put16(&p, 10, 1);                      /* PIN required */
    put_text_swapped(&p, 12, 16, "123456");
    put16(&p, 28, 3);
    put16(&p, 30, 2004);                   /* as an AC180 reports */
    int rc = -1;
    bluetti_result *r = decode(1, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "specs", 1);
    BA_INT(r, "voltage_type", 2);
    BA_INT(r, "guest_mode", 1);
    BA_INT(r, "bt_pin_enabled", 1);
    BA_TEXT(r, "bt_pin", "123456");        /* decoded: the tool masks it */
    BA_INT(r, "modbus_version", 3);
    BA_INT(r, "protocol_version", 2004);
    CU_ASSERT(field(1, "bt_pin")->flags & BLUETTI_F_SENSITIVE);
    bluetti_result_free(r);

    /* 30 bytes: the protocol version is missing, reported absent */
    p.len = 30;
    r = decode(1, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_ABSENT(r, "protocol_version", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

/* ---- block 100 ----------------------------------------------------------- */

static void test_home_rules(void)
{
    payload p = { { 0 }, 0 };
    put16(&p, 0, 532);
    put16(&p, 2, (uint16_t)-25);          /* -2.5 A: charging */
    put16(&p, 4, 61);
    put16(&p, 6, 5);                       /* solar charging */
    put8(&p, 15, 2);                       /* two packs */
    put16(&p, 16, 3);
    put_text_swapped(&p, 20, 12, "EP760");
    put64(&p, 32, 2345000223861ULL);
    put8(&p, 41, 1);
    put16(&p, 42, 1);
    put8(&p, 45, 7);
    put16(&p, 46, (1u << 0) | (1u << 3) | (1u << 11));
    put32(&p, 80, 12);
    put_s32(&p, 84, -40);                 /* AC side feeding back */
    put32(&p, 88, 1500);
    put_s32(&p, 92, -1200);               /* exporting 1200 W */
    put_s32(&p, 96, -1250);
    put32(&p, 100, 1001);
    put32(&p, 104, 70000);                 /* 7000.0 kWh: a counter, not a power */
    put32(&p, 108, 123);
    put32(&p, 112, 456);
    put32(&p, 116, 789);
    put16(&p, 120, 2);                     /* turbo */
    put8(&p, 123, 4);
    put32(&p, 124, 55);
    put8(&p, 129, 87);
    put32(&p, 134, 99999);
    put16(&p, 138, 2300);
    put16(&p, 140, 500);
    int rc = -1;
    bluetti_result *r = decode(100, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_FLOAT(r, "pack_current", -2.5);
    BA_ENUM(r, "charging_status", "solar_charging");
    BA_INT(r, "pack_count", 2);
    BA_TEXT(r, "device_model", "EP760");
    BA_UINT(r, "device_serial", 2345000223861ULL);
    BA_INT(r, "inverter_count", 1);
    BA_INT(r, "inverters_online", 1);
    BA_INT(r, "inverter_power_type", 7);
    BA_INT(r, "energy_lines", 0x809);
    BA_INT(r, "ac_output_power", -40);
    BA_INT(r, "ac_input_power", -1200);    /* an unsigned read would give 4294966096 */
    BA_INT(r, "inverter_power", -1250);
    /* the counters decode at protocol 2000: no gate */
    BA_FLOAT(r, "dc_energy_total", 100.1);
    BA_FLOAT(r, "ac_energy_total", 7000.0);
    BA_FLOAT(r, "pv_charge_energy", 12.3);
    BA_FLOAT(r, "grid_charge_energy", 45.6);
    BA_FLOAT(r, "feedback_energy", 78.9);
    BA_INT(r, "charging_mode", 2);
    BA_ENUM(r, "charging_mode", "turbo");
    BA_INT(r, "inverter_work_status", 4);
    BA_FLOAT(r, "pv_to_ac_energy", 5.5);
    BA_INT(r, "self_sufficiency", 87);
    BA_FLOAT(r, "pack_discharge_energy", 9999.9);
    BA_INT(r, "rated_voltage", 2300);
    BA_INT(r, "rated_frequency", 500);
    bluetti_result_free(r);

    /* the largest positive power stays positive; one below zero is -1 */
    put_s32(&p, 92, INT32_MAX);
    put_s32(&p, 96, -1);
    r = decode(100, &p, 2000, &rc);
    BA_INT(r, "ac_input_power", INT32_MAX);
    BA_INT(r, "inverter_power", -1);
    bluetti_result_free(r);
}

/* ---- 1100 / 6100 serials and versions ------------------------------------ */

static void test_inverter_serial(void)
{
    payload p = { { 0 }, 0 };
    put8(&p, 1, 1);
    put_text_swapped(&p, 2, 12, "AC180");
    put64(&p, 14, 2237000012345ULL);
    put8(&p, 25, 6);
    p.len = 62;
    int rc = -1;
    bluetti_result *r = decode(1100, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    BA_TEXT(r, "inv_type", "AC180");
    BA_UINT(r, "inv_sn", 2237000012345ULL);
    bluetti_result_free(r);
    /* 20 bytes: the serial straddles the end and is absent, not half-read */
    p.len = 20;
    r = decode(1100, &p, 2000, &rc);
    BA_ABSENT(r, "inv_sn", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_pack_item_rules(void)
{
    payload p = { { 0 }, 0 };
    put8(&p, 1, 1);
    put_text_swapped(&p, 2, 12, "B300K");
    put64(&p, 14, 2339000555111ULL);
    put16(&p, 22, 5120);                   /* x0.01 -> 51.20 V */
    put16(&p, 24, 100);
    put8(&p, 27, 80);
    put8(&p, 29, 99);
    put16(&p, 30, 65);
    put8(&p, 105, 16);
    put8(&p, 107, 4);
    put8(&p, 109, 1);
    put16(&p, 148, 1);                     /* entry ids, then versions / 100 */
    put32(&p, 150, 1023);
    put16(&p, 154, 2);
    put32(&p, 156, 2005);
    put16(&p, 160, 3);
    put32(&p, 162, 101);
    put16(&p, 166, 4);
    put32(&p, 168, 70000);
    int rc = -1;
    bluetti_result *r = decode(6100, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_TEXT(r, "pack_type", "B300K");
    BA_UINT(r, "pack_sn", 2339000555111ULL);
    BA_FLOAT(r, "voltage", 51.2);
    BA_INT(r, "average_temp", 25);
    BA_FLOAT(r, "bcu_version", 10.23);
    BA_FLOAT(r, "bmu_version", 20.05);
    BA_FLOAT(r, "safety_version", 1.01);
    BA_FLOAT(r, "hv_version", 700.0);
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "fm_ver_diff"));
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "software_number"));
    bluetti_result_free(r);
    /* an AP300 pack answering 112 bytes: valid, the versions absent */
    p.len = 112;
    r = decode(6100, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_ABSENT(r, "bcu_version", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

/* ---- 1200 PV strings ----------------------------------------------------- */

static void test_pv_info(void)
{
    payload p = { { 0 }, 0 };
    put32(&p, 0, 70000);                  /* over 65535 W: needs both words */
    put32(&p, 4, 21);
    put8(&p, 19, 0x12);                    /* one AC-coupled, two DC strings */
    for (unsigned k = 0; k < 3; k++) {     /* string k at 20 + 16k */
        put8(&p, 21 + 16 * k, (uint8_t)(k + 1));
        put16(&p, 24 + 16 * k, (uint16_t)(100 * (k + 1)));
        put16(&p, 26 + 16 * k, (uint16_t)(400 + k));
        put16(&p, 28 + 16 * k, (uint16_t)(25 + k));
    }
    int rc = -1;
    bluetti_result *r = decode(1200, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "pv_total_power", 70000);
    BA_FLOAT(r, "pv_charge_energy", 2.1);
    BA_INT(r, "pv_channel_count", 0x12);
    BA_INT(r, "pv_dc_strings", 2);
    BA_INTS(r, "pv_status", 1, 2, 3);
    BA_INTS(r, "pv_power", 100, 200, 300);
    BA_FLOATS(r, "pv_voltage", 40.0, 40.1, 40.2);
    BA_FLOATS(r, "pv_current", 2.5, 2.6, 2.7);
    bluetti_result_free(r);
    /* 30 bytes (one string): valid, the string arrays beyond the data are absent */
    p.len = 30;
    r = decode(1200, &p, 2000, &rc);
    CU_ASSERT(bluetti_result_valid(r));
    CU_ASSERT_EQUAL(bluetti_result_find(r, "pv_power")->kind, BLUETTI_VAL_ABSENT);
    bluetti_result_free(r);
}

/* ---- phases: 12 bytes apart in 1300 and 1400, 14 in 1500 ----------------- */

static void test_grid_phases(void)
{
    payload p = { { 0 }, 0 };
    put16(&p, 0, 500);
    put_s32(&p, 2, -3000);                 /* total grid power, exporting */
    put8(&p, 25, 3);
    for (unsigned k = 0; k < 3; k++) {     /* phase k at 26 + 12k */
        put16(&p, 26 + 12 * k, (uint16_t)(int16_t)(-1000 - (int)k));
        put16(&p, 28 + 12 * k, (uint16_t)(2300 + k));
        put16(&p, 30 + 12 * k, (uint16_t)(int16_t)(-43 - (int)k));
        put16(&p, 32 + 12 * k, 1000);
    }
    int rc = -1;
    bluetti_result *r = decode(1300, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "grid_power", -3000);
    BA_INT(r, "phase_0_power", -1000);
    BA_INTS(r, "phase_power", -1000, -1001, -1002);
    BA_FLOATS(r, "phase_voltage", 230.0, 230.1, 230.2);
    BA_FLOATS(r, "phase_current", -4.3, -4.4, -4.5);
    bluetti_result_free(r);
    /* the default 32-byte read of a 3-phase unit: the arrays say why they are absent */
    p.len = 32;
    r = decode(1300, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "phase_0_power", -1000);
    BA_ABSENT(r, "phase_power", BLUETTI_ABSENT_COUNT);
    bluetti_result_free(r);
}

static void test_load_phases(void)
{
    payload p = { { 0 }, 0 };
    put8(&p, 59, 3);
    for (unsigned k = 0; k < 3; k++) {     /* phase k at 60 + 12k */
        put16(&p, 60 + 12 * k, (uint16_t)(int16_t)(k == 1 ? -20 : 300));
        put16(&p, 62 + 12 * k, 2300);
    }
    p.len = 96;
    int rc = -1;
    bluetti_result *r = decode(1400, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "phase_0_power", 300);
    BA_INTS(r, "phase_power", 300, -20, 300);
    bluetti_result_free(r);
}

static void test_inverter_phases(void)
{
    payload p = { { 0 }, 0 };
    put16(&p, 0, 600);
    put8(&p, 17, 3);
    for (unsigned k = 0; k < 3; k++) {     /* phase k at 18 + 14k: power +2 */
        put16(&p, 20 + 14 * k, (uint16_t)(int16_t)(-500 * (int)(k + 1)));
        put16(&p, 22 + 14 * k, (uint16_t)(2400 + k));
        put16(&p, 24 + 14 * k, (uint16_t)(20 + k));
    }
    int rc = -1;
    bluetti_result *r = decode(1500, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "phase_0_power", -500);      /* charging from the grid */
    BA_INTS(r, "phase_power", -500, -1000, -1500);
    BA_FLOATS(r, "phase_voltage", 240.0, 240.1, 240.2);
    BA_FLOATS(r, "phase_current", 2.0, 2.1, 2.2);
    bluetti_result_free(r);
}

/* ---- settings ------------------------------------------------------------ */

static void test_adv_settings_rules(void)
{
    payload p = { { 0 }, 0 };
    memcpy(p.b, "pw123456", 8);
    put16(&p, 14, 1);                      /* 2207 grid charge on */
    put16(&p, 16, 0);                      /* 2208 off */
    put16(&p, 26, 3000);                   /* 2213: above 255, needs the whole register */
    put16(&p, 28, 160);
    put16(&p, 30, 6000);
    put16(&p, 32, 250);
    put16(&p, 50, 1);
    int rc = -1;
    bluetti_result *r = decode(2200, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_TEXT(r, "adv_login_password", "pw123456");
    BA_INT(r, "grid_charge", 1);
    BA_ENUM(r, "grid_charge", "on");
    BA_INT(r, "setting_2208", 0);
    BA_INT(r, "max_ac_input_power", 3000);
    BA_INT(r, "max_ac_input_current", 160);
    BA_INT(r, "max_ac_output_power", 6000);
    BA_INT(r, "max_ac_output_current", 250);
    BA_INT(r, "grid_enhancement", 1);
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "inv_freq"));
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "chg_max_voltage"));
    bluetti_result_free(r);
    /* the default read of a unit that answers 18 bytes: limits absent, valid */
    p.len = 18;
    r = decode(2200, &p, 2000, &rc);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "grid_charge", 1);
    BA_ABSENT(r, "max_ac_input_power", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_base_settings_rules(void)
{
    payload p = { { 0 }, 0 };
    put16(&p, 10, 5);                      /* time of use */
    put16(&p, 22, 1);
    put16(&p, 40, 4);                      /* custom charging */
    put16(&p, 134, 3);                     /* display timeout 1 min */
    int rc = -1;
    bluetti_result *r = decode(2000, &p, 2000, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    BA_ENUM(r, "working_mode", "time_of_use");
    BA_ENUM(r, "charging_mode", "custom");
    BA_INT(r, "display_timeout", 3);
    BA_ENUM(r, "display_timeout", "1min");
    bluetti_result_free(r);
}

static int add_suites(void)
{
    CU_pSuite s = CU_add_suite("catalog_v2", ba_suite_init, ba_suite_clean);
    if (!s || !CU_add_test(s, "evidence levels, notes and wire types", test_evidence_and_notes)
        || !CU_add_test(s, "settings are whole registers", test_settings_whole_registers)
        || !CU_add_test(s, "block 1: protocol version, PIN (secret)", test_base_config)
        || !CU_add_test(s, "block 100: signed powers, counters, mode", test_home_rules)
        || !CU_add_test(s, "block 1100: serial is a u64", test_inverter_serial)
        || !CU_add_test(s, "block 6100: serial, x0.01 V, versions", test_pack_item_rules)
        || !CU_add_test(s, "block 1200: PV strings 16 bytes apart", test_pv_info)
        || !CU_add_test(s, "block 1300: signed power, 12-byte phases", test_grid_phases)
        || !CU_add_test(s, "block 1400: signed phase power, 12-byte phases", test_load_phases)
        || !CU_add_test(s, "block 1500: 14-byte phases", test_inverter_phases)
        || !CU_add_test(s, "block 2200: whole-register settings", test_adv_settings_rules)
        || !CU_add_test(s, "block 2000: modes and display timeout", test_base_settings_rules))
        return (int)CU_get_error();
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add_suites);
}
