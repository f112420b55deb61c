/* Catalog A block plugins, the remaining fifteen blocks: one hand-checked
 * vector each, plus truncated and malformed variants. Payload conventions
 * as in test_blocks_a.c (32-bit values low word first, model texts
 * byte-swapped per register); expected values worked out in comments. */
#include "config.h"

#include "blocks_catalog_a_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy a payload and overwrite the hex at the first occurrence of `at`. */
static char *patch(const char *hex, const char *at, const char *with)
{
    char *out = strdup(hex);
    if (!out) abort();
    char *p = strstr(out, at);
    if (!p || strlen(with) != strlen(at)) abort();   /* a broken test, not a failure */
    memcpy(p, with, strlen(with));
    return out;
}

/* ---- 1400 INV_LOAD_INFO -------------------------------------------------- */

/* 0: 86a0 0001 = 0x186a0 = 100000 W; 4: 2774 0000 = 10100 -> 1010.0 kWh;
 * 8..19: 1014 W, 102.1 A, 1028 W, 103.5 A, 1042 W, 104.9 A; 24: 105.6 V;
 * 26: 106.3 A; 40: adb0 0001 = 110000 W; 44: b198 0001 = 111000 -> 11100.0;
 * 59: 1 phase; 60: 0443 = 1091 W; 62: 08fc = 230.0 V; 64: 0015 = 2.1 A;
 * 66: 0483 = 1155 VA. */
#define INV_LOAD                                                                     \
    "86A0 0001 2774 0000 03F6 03FD 0404 040B 0412 0419 0000 0000 0420 0427 0000 0000"\
    "0000 0000 0000 0000 ADB0 0001 B198 0001 0000 0000 0000 0000 0000 0001 0443 08FC"\
    "0015 0483"

static void test_inv_load(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(1400, INV_LOAD, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "dc_total_power", 100000);
    BA_FLOAT(r, "dc_total_energy", 1010.0);
    BA_INT(r, "load_5v_power", 1014);
    BA_FLOAT(r, "load_5v_current", 102.1);
    BA_INT(r, "load_12v_power", 1028);
    BA_FLOAT(r, "load_12v_current", 103.5);
    BA_INT(r, "load_24v_power", 1042);
    BA_FLOAT(r, "load_24v_current", 104.9);
    BA_FLOAT(r, "dc_total_voltage", 105.6);
    BA_FLOAT(r, "dc_total_current", 106.3);
    BA_INT(r, "ac_total_power", 110000);
    BA_FLOAT(r, "ac_total_energy", 11100.0);
    BA_INT(r, "sys_phase_number", 1);
    BA_INT(r, "phase_0_power", 1091);
    BA_FLOAT(r, "phase_0_voltage", 230.0);
    BA_FLOAT(r, "phase_0_current", 2.1);
    BA_INT(r, "phase_0_apparent", 1155);
    bluetti_result_free(r);
}

static void test_inv_load_truncated(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(1400, INV_LOAD, 64, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));    /* required phase_0_current missing */
    BA_FLOAT(r, "phase_0_voltage", 230.0);
    BA_ABSENT(r, "phase_0_current", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "phase_0_apparent", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_inv_load_malformed(void)
{
    /* odd length 65: the current would straddle the end; a full 32-bit
     * power ffff ffff reads 4294967295 (unsigned) */
    char *hex = patch(INV_LOAD, "86A0 0001", "FFFF FFFF");
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(1400, hex, 65, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "dc_total_power", 4294967295LL);
    BA_ABSENT(r, "phase_0_current", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
    free(hex);
}

/* ---- 1500 INV_INV_INFO --------------------------------------------------- */

/* 0: 01f3 = 49.9 Hz; 2: 8a88 0001 = 101000 -> 10100.0 kWh; 17: 1 phase;
 * 19: status 3; 20: 00ce = 206 W; 22: 08f8 = 229.6 V; 24: 0009 = 0.9 A. */
#define INV_INV "01F3 8A88 0001 0000 0000 0000 0000 0000 0001 0003 00CE 08F8 0009 0000 0000"

static void test_inv_inv(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(1500, INV_INV, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_FLOAT(r, "frequency", 49.9);
    BA_FLOAT(r, "total_energy", 10100.0);
    BA_INT(r, "sys_phase_number", 1);
    BA_INT(r, "phase_0_work_status", 3);
    BA_INT(r, "phase_0_power", 206);
    BA_FLOAT(r, "phase_0_voltage", 229.6);
    BA_FLOAT(r, "phase_0_current", 0.9);
    bluetti_result_free(r);
}

static void test_inv_inv_truncated(void)
{
    int rc = -1;
    /* 26 bytes (what one real-unit decoder reads): every field, but short of min_length */
    bluetti_result *r = BA_DECODE_N(1500, INV_INV, 26, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    CU_ASSERT(bluetti_result_warning_count(r) > 0);
    BA_FLOAT(r, "phase_0_current", 0.9);
    bluetti_result_free(r);

    r = BA_DECODE_N(1500, INV_INV, 24, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_FLOAT(r, "phase_0_voltage", 229.6);
    BA_ABSENT(r, "phase_0_current", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_inv_inv_malformed(void)
{
    /* 3 bytes: the frequency decodes, the energy straddles the end */
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(1500, INV_INV, 3, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_FLOAT(r, "frequency", 49.9);
    BA_ABSENT(r, "total_energy", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "sys_phase_number", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

/* ---- 1700 METER_INFO ----------------------------------------------------- */

/* 0: "5444 5553 3636 0036" swapped = "DTSU666"; 12: "SN001700"; 20: status 6
 * (state 2, online 1); 22: 5678 1234 = 0x12345678 = 305419896; floats low word
 * first: 26: 8000 4366 = 0x43668000 = 230.5; 30: 0000 40a8 = 5.25;
 * 34: 4000 c497 = -1210.0; 114: c800 455a = 3500.5; 130: 0000 4248 = 50.0;
 * 134: 5000 449a = 1234.5. */
#define METER                                                                        \
    "5444 5553 3636 0036 0000 0000 534E 3030 3137 3030 0006 5678 1234 8000 4366 0000"\
    "40A8 4000 C497 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"\
    "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"\
    "0000 0000 0000 0000 0000 0000 0000 0000 0000 C800 455A 0000 0000 0000 0000 0000"\
    "0000 0000 4248 5000 449A"

static void test_meter(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(1700, METER, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_TEXT(r, "model", "DTSU666");
    BA_TEXT(r, "sn", "SN001700");
    BA_INT(r, "status", 6);
    BA_INT(r, "status.state", 2);
    BA_INT(r, "status.online", 1);
    BA_INT(r, "sys_time", 305419896);
    BA_FLOAT(r, "phase0_voltage", 230.5);
    BA_FLOAT(r, "phase0_current", 5.25);
    BA_FLOAT(r, "phase0_active_power", -1210.0);
    BA_FLOAT(r, "total_active_power", 3500.5);
    BA_FLOAT(r, "frequency", 50.0);
    BA_FLOAT(r, "total_import_energy", 1234.5);
    bluetti_result_free(r);
}

static void test_meter_truncated(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(1700, METER, 120, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_FLOAT(r, "total_active_power", 3500.5);
    BA_ABSENT(r, "frequency", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "total_import_energy", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_meter_malformed(void)
{
    /* a NaN voltage (0x7fc00000, low word first) is not a measurement; status
     * ffff = state 3, online 1; model with a tab: "5444 0955" swaps to "DTU\t" (escaped) */
    char *a = patch(METER, "8000 4366", "0000 7FC0");
    char *b = patch(a, "0006 5678", "FFFF 5678");
    char *c = patch(b, "5444 5553", "5444 0955");
    int rc = -1;
    bluetti_result *r = BA_DECODE(1700, c, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_ABSENT(r, "phase0_voltage", BLUETTI_ABSENT_BAD_VALUE);
    BA_FLOAT(r, "phase0_current", 5.25);
    BA_INT(r, "status", 65535);
    BA_INT(r, "status.state", 3);
    BA_INT(r, "status.online", 1);
    BA_TEXT(r, "model", "DTU\\x09666");
    bluetti_result_free(r);
    free(a);
    free(b);
    free(c);
}

/* ---- 3500 TOTAL_ENERGY_INFO ---------------------------------------------- */

/* 1: type 2; 2: e240 0001 = 123456 -> 12345.6 kWh; entries at 6+6k:
 * 07e6 = 2022 with 3a98 0000 = 15000 -> 1500.0; 2023 with 1170 0001 = 70000
 * -> 7000.0; 2024 with 0005 0000 -> 0.5; the other 12 entries zero. */
#define TOTAL_ENERGY                                                                 \
    "0002 E240 0001 07E6 3A98 0000 07E7 1170 0001 07E8 0005 0000 0000 0000 0000 0000"\
    "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"\
    "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"

static void test_total_energy(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(3500, TOTAL_ENERGY, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "energy_type", 2);
    BA_FLOAT(r, "total_energy", 12345.6);
    BA_INTS(r, "year", 2022, 2023, 2024, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    BA_FLOATS(r, "year_energy", 1500.0, 7000.0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    bluetti_result_free(r);
}

static void test_total_energy_truncated(void)
{
    int rc = -1;
    /* 24 bytes (where the reference's three entries end): the 15-entry
     * history is beyond the data as a whole, the totals decode */
    bluetti_result *r = BA_DECODE_N(3500, TOTAL_ENERGY, 24, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_FLOAT(r, "total_energy", 12345.6);
    BA_ABSENT(r, "year", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "year_energy", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_total_energy_malformed(void)
{
    /* 94 bytes: the last year (90-91) is in, the last energy (92-95) is not,
     * so the energy array is absent rather than read past the end */
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(3500, TOTAL_ENERGY, 94, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INTS(r, "year", 2022, 2023, 2024, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    BA_ABSENT(r, "year_energy", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

/* ---- 3600 CURR_YEAR_ENERGY ----------------------------------------------- */

/* 1: type 1; 2: 07e8 = 2024; 4: 2345 0001 = 0x12345 = 74565 -> 7456.5 kWh;
 * months from 8: 03e8 0000 = 100.0, 0000 0001 = 65536 -> 6553.6, ..., month 11
 * 0001 0000 = 0.1; days from 56: 000c = 1.2, ..., day 31 ffff = 6553.5. */
#define YEAR_ENERGY                                                                  \
    "0001 07E8 2345 0001 03E8 0000 0000 0001 0000 0000 0000 0000 0000 0000 0000 0000"\
    "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0001 0000 000C 0000 0000 0000"\
    "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"\
    "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 FFFF"

static void test_year_energy(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(3600, YEAR_ENERGY, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "energy_type", 1);
    BA_INT(r, "year", 2024);
    BA_FLOAT(r, "total_year_energy", 7456.5);
    BA_FLOATS(r, "month_energy", 100.0, 6553.6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1);
    BA_FLOATS(r, "day_energy", 1.2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6553.5);
    bluetti_result_free(r);
}

static void test_year_energy_truncated(void)
{
    int rc = -1;
    /* 56 bytes = min_length (what the reference requests): valid, no days */
    bluetti_result *r = BA_DECODE_N(3600, YEAR_ENERGY, 56, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_FLOATS(r, "month_energy", 100.0, 6553.6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1);
    BA_ABSENT(r, "day_energy", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);

    r = BA_DECODE_N(3600, YEAR_ENERGY, 6, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "year", 2024);
    BA_ABSENT(r, "total_year_energy", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "month_energy", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_year_energy_malformed(void)
{
    /* 117 bytes (odd): the last day straddles the end, so the daily array
     * is absent as a whole; the months are untouched */
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(3600, YEAR_ENERGY, 117, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_ABSENT(r, "day_energy", BLUETTI_ABSENT_BEYOND_DATA);
    BA_FLOAT(r, "total_year_energy", 7456.5);
    bluetti_result_free(r);
}

/* ---- 6300 PACK_SUB_PACK_INFO (cell data, as a real unit answers) --------- */

/* 0: 12 cells; 2: 4 sensors; 4..27: 0ce4..0cef = 3300..3311 mV; 28..31:
 * 41 42 43 44 -> 25..28 C; 32..39: the same as registers. 40 bytes. */
#define SUB_PACK                                                                     \
    "000C 0004 0CE4 0CE5 0CE6 0CE7 0CE8 0CE9 0CEA 0CEB 0CEC 0CED 0CEE 0CEF 4142 4344"\
    "0041 0042 0043 0044"

static void test_sub_pack(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(6300, SUB_PACK, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(r), 0);
    BA_INT(r, "cell_count", 12);
    BA_INT(r, "temp_sensor_count", 4);
    BA_FLOATS(r, "cell_voltage", 3.300, 3.301, 3.302, 3.303, 3.304, 3.305, 3.306, 3.307,
              3.308, 3.309, 3.310, 3.311);
    BA_INTS(r, "cell_status", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    BA_INTS(r, "cell_temp", 25, 26, 27, 28);
    BA_INTS(r, "cell_temp_word", 25, 26, 27, 28);
    bluetti_result_free(r);
}

static void test_sub_pack_truncated(void)
{
    int rc = -1;
    /* 30 bytes: cells in; the four sensor bytes (28-31) point past the data */
    bluetti_result *r = BA_DECODE_N(6300, SUB_PACK, 30, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_FLOATS(r, "cell_voltage", 3.300, 3.301, 3.302, 3.303, 3.304, 3.305, 3.306, 3.307,
              3.308, 3.309, 3.310, 3.311);
    BA_ABSENT(r, "cell_temp", BLUETTI_ABSENT_COUNT);
    BA_ABSENT(r, "cell_temp_word", BLUETTI_ABSENT_COUNT);
    bluetti_result_free(r);

    /* 2 bytes: the sensor count is missing; the arrays start past the end */
    r = BA_DECODE_N(6300, SUB_PACK, 2, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "cell_count", 12);
    BA_ABSENT(r, "temp_sensor_count", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "cell_voltage", BLUETTI_ABSENT_BEYOND_DATA);   /* starts past the end */
    BA_ABSENT(r, "cell_temp", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_sub_pack_malformed(void)
{
    int rc = -1;
    /* 20 cells claimed in 40 bytes: 4 + 40 > 40, the count points past the data */
    char *hex = patch(SUB_PACK, "000C 0004", "0014 0004");
    bluetti_result *r = BA_DECODE(6300, hex, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_warning_count(r) > 0);
    BA_ABSENT(r, "cell_voltage", BLUETTI_ABSENT_COUNT);
    BA_ABSENT(r, "cell_status", BLUETTI_ABSENT_COUNT);
    BA_ABSENT(r, "cell_temp", BLUETTI_ABSENT_COUNT);
    bluetti_result_free(r);
    free(hex);

    /* 0xffff cells: above the maximum, refused before any bound is computed */
    hex = patch(SUB_PACK, "000C 0004", "FFFF 0004");
    r = BA_DECODE(6300, hex, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_ABSENT(r, "cell_voltage", BLUETTI_ABSENT_BAD_COUNT);
    bluetti_result_free(r);
    free(hex);

    /* status bits set on the first two cells: cce4 = status 3, 3.300 V;
     * 4ce5 = status 1, 3.301 V */
    hex = patch(SUB_PACK, "0CE4 0CE5", "CCE4 4CE5");
    r = BA_DECODE(6300, hex, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_FLOATS(r, "cell_voltage", 3.300, 3.301, 3.302, 3.303, 3.304, 3.305, 3.306, 3.307,
              3.308, 3.309, 3.310, 3.311);
    BA_INTS(r, "cell_status", 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    bluetti_result_free(r);
    free(hex);
}

/* ---- 7000 PACK_SETTINGS -------------------------------------------------- */

/* 0: pack 10; 1-2: 03ef = 1007 (straddling); 3: 12; 11: 13 */
#define PACK_SETTINGS "0A03 EF0C 0000 0000 0000 000D"

static void test_pack_settings(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(7000, PACK_SETTINGS, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "pack_id", 10);
    BA_INT(r, "pack_parallel_number", 1007);
    BA_INT(r, "start_heating_enable", 12);
    BA_INT(r, "bms_comm_interface_type", 13);
    bluetti_result_free(r);
}

static void test_pack_settings_truncated(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(7000, PACK_SETTINGS, 2, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "pack_id", 10);
    BA_ABSENT(r, "pack_parallel_number", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "bms_comm_interface_type", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_pack_settings_malformed(void)
{
    /* 11 bytes: everything but the interface type (byte 11) */
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(7000, PACK_SETTINGS, 11, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "start_heating_enable", 12);
    BA_ABSENT(r, "bms_comm_interface_type", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

/* ---- 2000 INV_BASE_SETTINGS (whole registers) ----------------------------- */

/* register 2005 = 2 (working mode self_consumption, a whole register); 2007 LED 1; 2008 grid charge 1;
 * 2009 PV 0; 2010 inverter 1; 2011 AC 1; 2012 DC 0; 2014 DC ECO 1; 2015 2 h;
 * 2016 30 W; 2017 AC ECO 0; 2018 4 h; 2019 100 W; 2020 mode 2 (turbo);
 * 2021 lifting 1; 2022 10 %; 2023 90 %. */
#define BASE_SETTINGS                                                                \
    "0000 0000 0000 0000 0000 0002 0000 0001 0001 0000 0001 0001 0000 0000 0001 0002"\
    "001E 0000 0004 0064 0002 0001 000A 005A"

static void test_base_settings(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(2000, BASE_SETTINGS, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    CU_ASSERT_PTR_NULL(bluetti_result_find(r, "inv_address"));
    BA_INT(r, "working_mode", 2);
    BA_ENUM(r, "working_mode", "self_consumption");
    BA_INT(r, "ctrl_led", 1);
    BA_INT(r, "ctrl_grid_chg", 1);
    BA_INT(r, "ctrl_pv", 0);
    BA_INT(r, "ctrl_inverter", 1);
    BA_INT(r, "ctrl_ac", 1);
    BA_ENUM(r, "ctrl_ac", "on");
    BA_INT(r, "ctrl_dc", 0);
    BA_ENUM(r, "ctrl_dc", "off");
    BA_INT(r, "dc_eco_ctrl", 1);
    BA_INT(r, "dc_eco_off_time", 2);
    BA_INT(r, "dc_eco_power", 30);
    BA_INT(r, "ac_eco_ctrl", 0);
    BA_INT(r, "ac_eco_off_time", 4);
    BA_INT(r, "ac_eco_power", 100);
    BA_INT(r, "charging_mode", 2);
    BA_ENUM(r, "charging_mode", "turbo");
    BA_INT(r, "power_lifting_mode", 1);
    BA_INT(r, "soc_low_limit", 10);
    BA_INT(r, "soc_high_limit", 90);
    bluetti_result_free(r);
}

static void test_base_settings_truncated(void)
{
    int rc = -1;
    /* 36 bytes (the reference's read): short; AC ECO time onward beyond */
    bluetti_result *r = BA_DECODE_N(2000, BASE_SETTINGS, 36, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "ac_eco_ctrl", 0);
    BA_ABSENT(r, "ac_eco_off_time", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "charging_mode", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_base_settings_malformed(void)
{
    /* an unknown charging mode (7) has no name; a switch register holding 2 neither */
    char *a = patch(BASE_SETTINGS, "0002 0001 000A", "0007 0001 000A");
    char *b = patch(a, "0001 0001 0000 0000 0001 0002", "0001 0002 0000 0000 0001 0002");
    int rc = -1;
    bluetti_result *r = BA_DECODE(2000, b, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "charging_mode", 7);
    BA_ENUM(r, "charging_mode", NULL);
    BA_INT(r, "ctrl_ac", 2);
    BA_ENUM(r, "ctrl_ac", NULL);
    bluetti_result_free(r);
    free(a);
    free(b);
}

/* ---- 2400 CERT_SETTINGS -------------------------------------------------- */

/* 0: 10; 1-2: 03ef = 100.7 V; 3-4: 03f6 = 1014 ms; 5-6: 03fd = 1021;
 * 7-8: 0404 = 1028; 9: 15 */
#define CERT_SETTINGS "0A03 EF03 F603 FD04 040F"

static void test_cert_settings(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(2400, CERT_SETTINGS, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "adv_enable", 10);
    BA_ENUM(r, "adv_enable", NULL);
    BA_FLOAT(r, "grid_uv2_value", 100.7);
    BA_INT(r, "grid_uv2_time", 1014);
    BA_INT(r, "power_factor", 1021);
    BA_INT(r, "grid_cert_division", 1028);
    BA_INT(r, "vvar_and_volt_watt_resp_mode", 15);
    bluetti_result_free(r);
}

static void test_cert_settings_truncated(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(2400, CERT_SETTINGS, 5, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "grid_uv2_time", 1014);
    BA_ABSENT(r, "power_factor", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "vvar_and_volt_watt_resp_mode", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_cert_settings_malformed(void)
{
    /* switch on (01), all-ones threshold 0xffff = 6553.5 V */
    int rc = -1;
    bluetti_result *r = BA_DECODE(2400, "01FF FF03 F603 FD04 040F", 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_ENUM(r, "adv_enable", "on");
    BA_FLOAT(r, "grid_uv2_value", 6553.5);
    bluetti_result_free(r);
}

/* ---- 19000 SOC_SETTINGS -------------------------------------------------- */

/* 9e14: on_enable 1, on_soc 0x1e = 30, off_enable 0, off_soc 0x14 = 20;
 * 5a8a: 0, 90, 1, 10; ffff: 1, 127, 1, 127; 0000; 0102: 0, 1, 0, 2;
 * 8000: 1, 0, 0, 0. */
#define SOC_SETTINGS "9E14 5A8A FFFF 0000 0102 8000"

static void test_soc_settings(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(19000, SOC_SETTINGS, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "grid_charge_threshold", 0x9E14);
    BA_INT(r, "grid_charge_threshold.off_soc", 20);
    BA_INT(r, "grid_charge_threshold.off_enable", 0);
    BA_INT(r, "grid_charge_threshold.on_soc", 30);
    BA_INT(r, "grid_charge_threshold.on_enable", 1);
    BA_INT(r, "ups_mode_threshold", 0x5A8A);
    BA_INT(r, "ups_mode_threshold.off_soc", 10);
    BA_INT(r, "ups_mode_threshold.off_enable", 1);
    BA_INT(r, "ups_mode_threshold.on_soc", 90);
    BA_INT(r, "ups_mode_threshold.on_enable", 0);
    BA_INT(r, "battery_protect_threshold.off_soc", 127);
    BA_INT(r, "battery_protect_threshold.off_enable", 1);
    BA_INT(r, "battery_protect_threshold.on_soc", 127);
    BA_INT(r, "battery_protect_threshold.on_enable", 1);
    BA_INT(r, "threshold_pair_3", 0);
    BA_INT(r, "threshold_pair_3.on_enable", 0);
    BA_INT(r, "threshold_pair_4.off_soc", 2);
    BA_INT(r, "threshold_pair_4.on_soc", 1);
    BA_INT(r, "threshold_pair_4.on_enable", 0);
    BA_INT(r, "threshold_pair_5", 32768);
    BA_INT(r, "threshold_pair_5.on_enable", 1);
    BA_INT(r, "threshold_pair_5.on_soc", 0);
    bluetti_result_free(r);
}

static void test_soc_settings_truncated(void)
{
    int rc = -1;
    /* 6 bytes = min_length: valid; pairs 3-5 beyond the data */
    bluetti_result *r = BA_DECODE_N(19000, SOC_SETTINGS, 6, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "battery_protect_threshold.on_soc", 127);
    BA_ABSENT(r, "threshold_pair_3", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "threshold_pair_5.on_enable", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);

    r = BA_DECODE_N(19000, SOC_SETTINGS, 3, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "grid_charge_threshold.on_soc", 30);
    BA_ABSENT(r, "ups_mode_threshold", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "ups_mode_threshold.on_soc", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_soc_settings_malformed(void)
{
    /* an odd 11 bytes: the last pair straddles the end */
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(19000, SOC_SETTINGS, 11, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "threshold_pair_4", 0x0102);
    BA_ABSENT(r, "threshold_pair_5", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "threshold_pair_5.off_soc", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

/* ---- 19100 COMM_DELAY_SETTINGS (enable lists) ----------------------------- */

/* 2-bit chunks from the top, first bit = result bit 0: 1234 -> 0 2 0 1;
 * a000 -> 1 1 0 0; ffff -> 3 3 3 3; 0000 -> 0; actions 4000 -> 2 0 0 0;
 * 0000; c000 -> 3 0 0 0; 3000 -> 0 3 0 0. */
#define COMM_DELAY "1234 A000 FFFF 0000 4000 0000 C000 3000"

static void test_comm_delay(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(19100, COMM_DELAY, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "enable_flags_01", 0x1234);
    BA_INT(r, "enable_flags_02", 0xA000);
    BA_INT(r, "enable_flags_03", 0xFFFF);
    BA_INT(r, "enable_flags_04", 0);
    BA_INT(r, "action_flags_01", 0x4000);
    BA_INT(r, "action_flags_04", 0x3000);
    static const int64_t en[16] = { 0, 2, 0, 1, 1, 1, 0, 0, 3, 3, 3, 3, 0, 0, 0, 0 };
    static const int64_t ac[16] = { 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0 };
    for (int k = 0; k < 16; k++) {
        char name[32];
        snprintf(name, sizeof name, "delay_%d.enable", k);
        BA_INT(r, name, en[k]);
        snprintf(name, sizeof name, "delay_%d.action", k);
        BA_INT(r, name, ac[k]);
    }
    bluetti_result_free(r);
}

static void test_comm_delay_truncated(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(19100, COMM_DELAY, 8, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "delay_15.enable", 0);
    BA_ABSENT(r, "action_flags_01", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "delay_0.action", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_comm_delay_malformed(void)
{
    /* enable-list input at the edges: 0x8000 sets only the first bit of the
     * first chunk (value 1), 0x0001 only the last bit of the word, which no
     * entry covers (entries 0-3 use the top 8 bits) */
    int rc = -1;
    bluetti_result *r = BA_DECODE(19100, "8000 0001 5555 AAAA 0000 0000 0000 0000", 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    BA_INT(r, "delay_0.enable", 1);
    BA_INT(r, "delay_1.enable", 0);
    BA_INT(r, "delay_4.enable", 0);
    BA_INT(r, "delay_7.enable", 0);
    /* 5555: every chunk (0,1) -> 2; aaaa: every chunk (1,0) -> 1 */
    BA_INT(r, "delay_8.enable", 2);
    BA_INT(r, "delay_11.enable", 2);
    BA_INT(r, "delay_12.enable", 1);
    BA_INT(r, "delay_15.enable", 1);
    bluetti_result_free(r);
}

/* ---- 40127 HOME_STORAGE_SETTINGS ----------------------------------------- */

/* 2: 7; 4/6/8: 0bb8 = 3000 W; 10: 1; 12: 07a3 = 195.5 V; 14: 3000 ms;
 * 16: 0672 = 165.0 V; 18: 00a0 = 160 ms; 20: 0a28 = 260.0 V; 22: 0064 = 100 ms */
#define HOME_STORAGE "0000 0007 0BB8 0BB8 0BB8 0001 07A3 0BB8 0672 00A0 0A28 0064"

static void test_home_storage(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE(40127, HOME_STORAGE, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(bluetti_result_valid(r));
    BA_INT(r, "setting_enable_1", 7);
    BA_INT(r, "grid_power_l1", 3000);
    BA_INT(r, "grid_power_l2", 3000);
    BA_INT(r, "grid_power_l3", 3000);
    BA_INT(r, "auto_test_enable", 1);
    BA_FLOAT(r, "grid_uv1_value", 195.5);
    BA_INT(r, "grid_uv1_time", 3000);
    BA_FLOAT(r, "grid_uv2_value", 165.0);
    BA_INT(r, "grid_uv2_time", 160);
    BA_FLOAT(r, "grid_ov1_value", 260.0);
    BA_INT(r, "grid_ov1_time", 100);
    bluetti_result_free(r);
}

static void test_home_storage_truncated(void)
{
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(40127, HOME_STORAGE, 12, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "auto_test_enable", 1);
    BA_ABSENT(r, "grid_uv1_value", BLUETTI_ABSENT_BEYOND_DATA);
    BA_ABSENT(r, "grid_ov1_time", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
}

static void test_home_storage_malformed(void)
{
    /* reserved bytes 0-1 set: ignored; 23 bytes: the last time straddles the end */
    char *hex = patch(HOME_STORAGE, "0000 0007", "FFFF 0007");
    int rc = -1;
    bluetti_result *r = BA_DECODE_N(40127, hex, 23, 2000, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    BA_INT(r, "setting_enable_1", 7);
    BA_FLOAT(r, "grid_ov1_value", 260.0);
    BA_ABSENT(r, "grid_ov1_time", BLUETTI_ABSENT_BEYOND_DATA);
    bluetti_result_free(r);
    free(hex);
}

/* ---- registration of the suites ------------------------------------------ */

struct block_tests {
    const char *suite;
    CU_TestFunc vector, truncated, malformed;
};

static const struct block_tests suites[] = {
    { "block_1400", test_inv_load, test_inv_load_truncated, test_inv_load_malformed },
    { "block_1500", test_inv_inv, test_inv_inv_truncated, test_inv_inv_malformed },
    { "block_1700", test_meter, test_meter_truncated, test_meter_malformed },
    { "block_2000",
      test_base_settings, test_base_settings_truncated, test_base_settings_malformed },
    { "block_2400",
      test_cert_settings, test_cert_settings_truncated, test_cert_settings_malformed },
    { "block_3500", test_total_energy, test_total_energy_truncated, test_total_energy_malformed },
    { "block_3600", test_year_energy, test_year_energy_truncated, test_year_energy_malformed },
    { "block_6300", test_sub_pack, test_sub_pack_truncated, test_sub_pack_malformed },
    { "block_7000",
      test_pack_settings, test_pack_settings_truncated, test_pack_settings_malformed },
    { "block_19000", test_soc_settings, test_soc_settings_truncated, test_soc_settings_malformed },
    { "block_19100", test_comm_delay, test_comm_delay_truncated, test_comm_delay_malformed },
    { "block_40127", test_home_storage, test_home_storage_truncated, test_home_storage_malformed },
};

static int add_suites(void)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        CU_pSuite s = CU_add_suite(suites[i].suite, ba_suite_init, ba_suite_clean);
        if (!s || !CU_add_test(s, "vector", suites[i].vector)
            || !CU_add_test(s, "truncated", suites[i].truncated)
            || !CU_add_test(s, "malformed", suites[i].malformed))
            return (int)CU_get_error();
    }
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add_suites);
}
