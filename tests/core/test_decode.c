/* The table-driven decoder: wire types and orders (docs/protocol/modbus.md, wire-rules.md),
 * transforms (§8.2), parser behaviour with small schemas (§8.3), schema
 * validation and result reuse. */
#include "config.h"

#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* ---- harness: one result at a time, freed by the next call or cleanup ---- */

static bluetti_result *R;
static bluetti_field F1;
static bluetti_block_schema S1;

static int cleanup(void)
{
    bluetti_result_free(R);
    R = NULL;
    return 0;
}

/* Decode hex with schema s at protocol pv; returns bluetti_decode's code. */
static int run(const bluetti_block_schema *s, const char *hex, uint16_t pv)
{
    cleanup();
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(s, &R), 0);
    size_t len;
    uint8_t *d = bt_hex(hex, &len);
    int rc = bluetti_decode(R, d, len, pv);
    free(d);
    return rc;
}

static const bluetti_value *val(const char *name)
{
    const bluetti_value *v = bluetti_result_find(R, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    return v;
}

/* Decode one field f over hex and return its value. */
static const bluetti_value *one(bluetti_field f, const char *hex)
{
    cleanup();
    if (!f.name) f.name = "f";
    F1 = f;
    S1 = (bluetti_block_schema){ .id = 1, .name = "ONE", .fields = &F1, .n_fields = 1,
                                 .protocol_version = 2000 };
    CU_ASSERT_EQUAL(run(&S1, hex, 0), 0);
    return bluetti_result_value(R, 0);
}

static bool is_int(const bluetti_value *v, int64_t want)
{
    if (v->kind != BLUETTI_VAL_INT || v->v.i != want) {
        fprintf(stderr, "\n    want INT %lld, got kind %d (%lld / %g, absent %d)\n",
                (long long)want, v->kind, (long long)v->v.i, bluetti_value_as_double(v),
                v->absent);
        return false;
    }
    return true;
}

static bool is_float(const bluetti_value *v, double want)
{
    if (v->kind != BLUETTI_VAL_FLOAT || fabs(v->v.f - want) > 1e-6) {
        fprintf(stderr, "\n    want FLOAT %g, got kind %d (%g)\n", want, v->kind,
                bluetti_value_as_double(v));
        return false;
    }
    return true;
}

static bool is_absent(const bluetti_value *v, int reason)
{
    if (v->kind != BLUETTI_VAL_ABSENT || v->absent != reason) {
        fprintf(stderr, "\n    want ABSENT %d, got kind %d absent %d\n", reason, v->kind,
                v->absent);
        return false;
    }
    return true;
}

static bool is_text(const bluetti_value *v, const char *want)
{
    if (v->kind != BLUETTI_VAL_TEXT || strcmp(v->v.s, want) != 0) {
        fprintf(stderr, "\n    want TEXT \"%s\", got kind %d \"%s\"\n", want, v->kind,
                v->kind == BLUETTI_VAL_TEXT ? v->v.s : "");
        return false;
    }
    return true;
}

static bool has_warning(const char *text)
{
    for (size_t i = 0; i < bluetti_result_warning_count(R); i++)
        if (strstr(bluetti_result_warning(R, i), text)) return true;
    fprintf(stderr, "\n    no warning contains \"%s\"\n", text);
    return false;
}

#define FIELD(t, o, off) ((bluetti_field){ .type = (t), .order = (o), .offset = (off) })

/* ---- wire types and orders ------------------------------------------------ */

/* BLUETTI_F_ZERO_UNREPORTED: a raw 0 (a temperature sensor that reports
 * nothing) is absent, not -40 °C; any other raw value decodes as usual. */
static void test_zero_unreported(void)
{
    bluetti_field t = { .type = BLUETTI_U16, .flags = BLUETTI_F_ZERO_UNREPORTED,
                        .xf = { BLUETTI_XF_MINUS_(40) } };
    CU_ASSERT(is_absent(one(t, "0000"), BLUETTI_ABSENT_NOT_REPORTED));
    CU_ASSERT_STRING_EQUAL(bluetti_absent_text(BLUETTI_ABSENT_NOT_REPORTED),
                           "not reported by the device");
    CU_ASSERT(is_int(one(t, "0041"), 25));
    CU_ASSERT(is_int(one(t, "0001"), -39));
    /* without the flag a raw 0 is -40 */
    t.flags = 0;
    CU_ASSERT(is_int(one(t, "0000"), -40));
    /* arrays: element by element */
    bluetti_field a = { .type = BLUETTI_U8, .size = 4,
                        .flags = BLUETTI_F_ARRAY | BLUETTI_F_ZERO_UNREPORTED,
                        .xf = { BLUETTI_XF_MINUS_(40) } };
    const bluetti_value *v = one(a, "41 00 3c 00");
    CU_ASSERT_EQUAL_FATAL(v->kind, BLUETTI_VAL_ARRAY);
    CU_ASSERT_EQUAL_FATAL(v->count, 4);
    CU_ASSERT(is_int(&v->v.items[0], 25));
    CU_ASSERT(is_absent(&v->v.items[1], BLUETTI_ABSENT_NOT_REPORTED));
    CU_ASSERT(is_int(&v->v.items[2], 20));
    CU_ASSERT(is_absent(&v->v.items[3], BLUETTI_ABSENT_NOT_REPORTED));
}

static void test_u8_i8(void)
{
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U8, 0, 0), "00 2A FF"), 0));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U8, 0, 1), "00 2A FF"), 42));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U8, 0, 2), "00 2A FF"), 255));
    const int64_t want[] = { 0, 127, -128, -1 };
    for (uint16_t k = 0; k < 4; k++)
        CU_ASSERT(is_int(one(FIELD(BLUETTI_I8, 0, k), "00 7F 80 FF"), want[k]));
}

static void test_16(void)
{
    const int64_t u[] = { 0, 4660, 65535 };
    for (uint16_t k = 0; k < 3; k++)
        CU_ASSERT(is_int(one(FIELD(BLUETTI_U16, 0, 2 * k), "00 00 12 34 FF FF"), u[k]));
    const int64_t s[] = { 0, 32767, -32768, -1 };
    for (uint16_t k = 0; k < 4; k++)
        CU_ASSERT(is_int(one(FIELD(BLUETTI_I16, 0, 2 * k), "00 00 7F FF 80 00 FF FF"), s[k]));
    /* one register: word order does not matter, byte order does */
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U16, BLUETTI_ORDER_WORDS_LE, 0), "12 34"), 0x1234));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U16, BLUETTI_ORDER_BE, 0), "12 34"), 0x1234));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U16, BLUETTI_ORDER_LE, 0), "12 34"), 0x3412));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U16, BLUETTI_ORDER_BYTES_SWAPPED, 0), "12 34"), 0x3412));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_I16, BLUETTI_ORDER_LE, 0), "FE FF"), -2));
    /* a 16-bit field at an odd offset straddles two registers */
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U16, 0, 1), "00 AB CD 00"), 0xABCD));
}

static void test_32(void)
{
    /* EVIDENCE rule 1: registers 000f 0000 hold 15 */
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U32, BLUETTI_ORDER_DEFAULT, 0), "000f 0000"), 15));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U32, BLUETTI_ORDER_WORDS_LE, 0), "000f 0000"), 15));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U32, BLUETTI_ORDER_BE, 0), "000f 0000"), 983040));
    /* §8.2 read as the reference does (ABCD) */
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U32, BLUETTI_ORDER_BE, 0), "12 34 56 78"), 305419896));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U32, 0, 0), "12 34 56 78"), 0x56781234));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U32, BLUETTI_ORDER_LE, 0), "12 34 56 78"), 0x78563412));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U32, BLUETTI_ORDER_BYTES_SWAPPED, 0), "12 34 56 78"),
                     0x34127856));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_U32, 0, 0), "FFFF FFFF"), 4294967295LL));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_I32, BLUETTI_ORDER_BE, 0), "FF FF FF FF"), -1));
    /* -2 low word first */
    CU_ASSERT(is_int(one(FIELD(BLUETTI_I32, 0, 0), "fffe ffff"), -2));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_I32, BLUETTI_ORDER_LE, 0), "fe ff ff ff"), -2));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_I32, BLUETTI_ORDER_BYTES_SWAPPED, 0), "ff ff fe ff"), -2));
}

static void test_64(void)
{
    /* EVIDENCE rule 3: the serial is a u64, low word first */
    const bluetti_value *v = one(FIELD(BLUETTI_U64, 0, 0), "8ff2 255b 0222 0000");
    CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_UINT);
    CU_ASSERT_EQUAL(v->v.u, 2345678901234ULL);
    v = one(FIELD(BLUETTI_U64, BLUETTI_ORDER_BE, 0), "0000 0222 255b 8ff2");
    CU_ASSERT_EQUAL(v->v.u, 2345678901234ULL);
    v = one(FIELD(BLUETTI_U64, BLUETTI_ORDER_LE, 0), "f28f 5b25 2202 0000");
    CU_ASSERT_EQUAL(v->v.u, 2345678901234ULL);
    v = one(FIELD(BLUETTI_U64, BLUETTI_ORDER_BYTES_SWAPPED, 0), "0000 2202 5b25 f28f");
    CU_ASSERT_EQUAL(v->v.u, 2345678901234ULL);
    v = one(FIELD(BLUETTI_U64, 0, 0), "ffff ffff ffff ffff");
    CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_UINT);
    CU_ASSERT_EQUAL(v->v.u, UINT64_MAX);
    CU_ASSERT(is_int(one(FIELD(BLUETTI_I64, 0, 0), "fffe ffff ffff ffff"), -2));
    CU_ASSERT(is_int(one(FIELD(BLUETTI_I64, BLUETTI_ORDER_BE, 0), "8000 0000 0000 0000"),
                     INT64_MIN));
}

static void test_f32(void)
{
    CU_ASSERT(is_float(one(FIELD(BLUETTI_F32, 0, 0), "0000 3fc0"), 1.5));
    CU_ASSERT(is_float(one(FIELD(BLUETTI_F32, BLUETTI_ORDER_BE, 0), "c010 0000"), -2.25));
    CU_ASSERT(is_float(one(FIELD(BLUETTI_F32, BLUETTI_ORDER_LE, 0), "0000 c03f"), 1.5));
    CU_ASSERT(is_float(one(FIELD(BLUETTI_F32, BLUETTI_ORDER_BYTES_SWAPPED, 0), "c03f 0000"), 1.5));
    /* NaN and infinity from a device are not values */
    CU_ASSERT(is_absent(one(FIELD(BLUETTI_F32, BLUETTI_ORDER_BE, 0), "7fc0 0000"),
                        BLUETTI_ABSENT_BAD_VALUE));
    CU_ASSERT(is_absent(one(FIELD(BLUETTI_F32, BLUETTI_ORDER_BE, 0), "ff80 0000"),
                        BLUETTI_ABSENT_BAD_VALUE));
}

static bluetti_field text_field(uint16_t size, uint8_t flags)
{
    return (bluetti_field){ .type = BLUETTI_TEXT, .size = size, .flags = flags };
}

static void test_text(void)
{
    /* §8.2 */
    CU_ASSERT(is_text(one(text_field(10, 0), "48656C6C6F 0000000000 54657374"), "Hello"));
    CU_ASSERT(is_text(one(text_field(10, 0), "48656C6C6F576F726C64"), "HelloWorld"));
    CU_ASSERT(is_text(one(text_field(10, 0), "FF 000000000000000000"), "\\xff"));
    CU_ASSERT(is_text(one(text_field(4, 0), "00 41 42 43"), ""));
    /* EVIDENCE rule 2: swapped per register, NULs trimmed */
    CU_ASSERT(is_text(one(text_field(12, BLUETTI_F_TEXT_SWAP), "4c45 3033 3256 0000 0000 0000"),
                      "EL30V2"));
    CU_ASSERT(is_text(one(text_field(4, BLUETTI_F_TEXT_SWAP), "4241 0044"), "ABD"));
    /* trailing spaces trimmed unless kept; leading ones stay */
    CU_ASSERT(is_text(one(text_field(6, 0), "20 41 20 20 20 00"), " A"));
    CU_ASSERT(is_text(one(text_field(6, BLUETTI_F_KEEP_SPACES), "20 41 20 20 20 00"), " A   "));
    CU_ASSERT(is_text(one(text_field(4, BLUETTI_F_TEXT_SWAP), "4120 2020"), " A"));
    /* never trust device bytes: controls, high bytes and backslash are escaped */
    CU_ASSERT(is_text(one(text_field(6, 0), "41 0A 5C 7F 80 42"), "A\\x0a\\x5c\\x7f\\x80B"));
    /* a text of only escapes fills the buffer exactly (4 per byte + NUL) */
    CU_ASSERT(is_text(one(text_field(4, 0), "01 FE 02 FD"), "\\x01\\xfe\\x02\\xfd"));
    /* text beyond the data */
    CU_ASSERT(is_absent(one(text_field(8, 0), "41 42"), BLUETTI_ABSENT_BEYOND_DATA));
}

/* ---- transforms (§8.2) ------------------------------------------------------ */

static bluetti_field xf_field(int type, bluetti_xform a, bluetti_xform b, bluetti_xform c)
{
    return (bluetti_field){ .type = (uint8_t)type, .order = BLUETTI_ORDER_BE, .xf = { a, b, c } };
}

static const bluetti_xform END = { .op = BLUETTI_XF_END };
static const bluetti_xform ABS = BLUETTI_XF_ABS_();

static void test_single_transforms(void)
{
    CU_ASSERT(is_int(one(xf_field(BLUETTI_I16, ABS, END, END), "FFCC"), 52));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_I16, ABS, END, END), "0034"), 52));
    bluetti_xform s01 = BLUETTI_XF_SCALE_(0.1), s10 = BLUETTI_XF_SCALE_(10),
                  s0001 = BLUETTI_XF_SCALE_(0.001);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, s01, END, END), "0208"), 52.0));
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, s10, END, END), "0005"), 50.0));
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, s0001, END, END), "0CAD"), 3.245));
    /* decimal factors give the correctly rounded quotient, not 0.30000000000000004 */
    const bluetti_value *v = one(xf_field(BLUETTI_U16, s01, END, END), "0003");
    CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_FLOAT);
    CU_ASSERT_EQUAL(v->v.f, 0.3);
    bluetti_xform m40 = BLUETTI_XF_MINUS_(40), m27315 = BLUETTI_XF_MINUS_(273.15);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, m40, END, END), "0050"), 40));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, m40, END, END), "0000"), -40));
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, m27315, END, END), "012C"), 26.85));
    bluetti_xform mask = BLUETTI_XF_BITMASK_(0x3FFF);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, mask, END, END), "FFFF"), 0x3FFF));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, mask, END, END), "C000"), 0));
    bluetti_xform sh14 = BLUETTI_XF_SHIFT_(14), sh8 = BLUETTI_XF_SHIFT_(8),
                  sh1 = BLUETTI_XF_SHIFT_(1);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, sh14, END, END), "C000"), 3));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, sh8, END, END), "1234"), 0x12));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, sh1, END, END), "0008"), 4));
    bluetti_xform cl = BLUETTI_XF_CLAMP_(0, 100);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_I16, cl, END, END), "0096"), 100));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_I16, cl, END, END), "FFCE"), 0));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_I16, cl, END, END), "0032"), 50));
}

static void test_chains(void)
{
    bluetti_xform s01 = BLUETTI_XF_SCALE_(0.1), s0001 = BLUETTI_XF_SCALE_(0.001);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_I16, ABS, s01, END), "FFCC"), 5.2));
    CU_ASSERT(is_float(one(xf_field(BLUETTI_I16, ABS, s01, END), "0208"), 52.0));
    bluetti_xform m3fff = BLUETTI_XF_BITMASK_(0x3FFF), mc000 = BLUETTI_XF_BITMASK_(0xC000),
                  sh14 = BLUETTI_XF_SHIFT_(14);
    /* 0xC000 + 3245 */
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, m3fff, s0001, END), "CCAD"), 3.245));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, sh14, END, END), "CCAD"), 3));
    /* 0x8000 + 3245 */
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, mc000, sh14, END), "8CAD"), 2));
    /* -520: abs, scale 0.1, clamp 0..10 -> 10 (a float after the scale) */
    bluetti_xform cl = BLUETTI_XF_CLAMP_(0, 10);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_I16, ABS, s01, cl), "FDF8"), 10.0));
    CU_ASSERT(is_float(one(xf_field(BLUETTI_I16, ABS, s01, cl), "0023"), 3.5));
    /* minus after scale works on the float */
    bluetti_xform m40 = BLUETTI_XF_MINUS_(40);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, s01, m40, END), "01F4"), 10.0));
    /* four transforms: the whole chain runs */
    bluetti_field f = { .type = BLUETTI_U16, .order = BLUETTI_ORDER_BE,
                        .xf = { mc000, sh14, BLUETTI_XF_MINUS_(1), BLUETTI_XF_SCALE_(2) } };
    CU_ASSERT(is_float(one(f, "8CAD"), 2.0));
}

static void test_enable_list(void)
{
    for (int i = 0; i < 8; i++) {
        bluetti_xform e = BLUETTI_XF_ENABLE_LIST_(0, i);
        CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, e, END, END), "FFFF"), 3));
    }
    const int64_t want[] = { 0, 2, 0, 1, 0, 3, 2, 0 };
    for (int i = 0; i < 8; i++) {
        bluetti_xform e = BLUETTI_XF_ENABLE_LIST_(0, i);
        CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, e, END, END), "1234"), want[i]));
    }
    /* modes other than 3 are 2-bit */
    bluetti_xform e15 = BLUETTI_XF_ENABLE_LIST_(1, 5);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, e15, END, END), "1234"), 3));
    for (int i = 0; i < 5; i++) {
        bluetti_xform e = BLUETTI_XF_ENABLE_LIST_(3, i);
        CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, e, END, END), "FFFF"), 7));
    }
    const int64_t want3[] = { 5, 4, 6, 1, 4 };
    for (int i = 0; i < 5; i++) {
        bluetti_xform e = BLUETTI_XF_ENABLE_LIST_(3, i);
        CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, e, END, END), "A5C3"), want3[i]));
    }
    bluetti_xform e0 = BLUETTI_XF_ENABLE_LIST_(0, 0), e7 = BLUETTI_XF_ENABLE_LIST_(0, 7);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, e0, END, END), "A000"), 1));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, e7, END, END), "A000"), 0));
    /* input outside 0..65535 is a bad value */
    CU_ASSERT(is_absent(one(xf_field(BLUETTI_U32, e0, END, END), "0001 0000"),
                        BLUETTI_ABSENT_BAD_VALUE));
    CU_ASSERT(is_absent(one(xf_field(BLUETTI_I16, e0, END, END), "FFFF"),
                        BLUETTI_ABSENT_BAD_VALUE));
    bluetti_xform half = BLUETTI_XF_SCALE_(0.5);
    CU_ASSERT(is_absent(one(xf_field(BLUETTI_U16, half, e0, END), "0003"),
                        BLUETTI_ABSENT_BAD_VALUE));
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, half, e0, END), "0002"), 0));
}

static void test_transform_kinds(void)
{
    /* minus by a fraction, or on an unsigned 64-bit value, gives a float */
    bluetti_xform mhalf = BLUETTI_XF_MINUS_(0.5), m1 = BLUETTI_XF_MINUS_(1);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, mhalf, END, END), "0002"), 1.5));
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U64, m1, END, END), "0000 0000 0000 0003"), 2.0));
    /* minus that would overflow int64 falls back to a float */
    const bluetti_value *v = one(xf_field(BLUETTI_I64, m1, END, END), "8000 0000 0000 0000");
    CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_FLOAT);
    CU_ASSERT(v->v.f < -9.2e18);
    /* |INT64_MIN| does not exist */
    CU_ASSERT(is_absent(one(xf_field(BLUETTI_I64, ABS, END, END), "8000 0000 0000 0000"),
                        BLUETTI_ABSENT_BAD_VALUE));
    /* abs keeps floats floats */
    bluetti_xform s1 = BLUETTI_XF_SCALE_(1);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_I16, s1, ABS, END), "FFFE"), 2.0));
    /* clamp: fractional bounds make an integer a float; floats stay floats */
    bluetti_xform cf = BLUETTI_XF_CLAMP_(0.5, 99.5);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, cf, END, END), "0096"), 99.5));
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, cf, END, END), "0032"), 50.0));
    bluetti_xform ci = BLUETTI_XF_CLAMP_(10, 20);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U16, s1, ci, END), "0005"), 10.0));
    /* clamp on u64 stays unsigned */
    v = one(xf_field(BLUETTI_U64, ci, END, END), "ffff ffff ffff ffff");
    CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_UINT);
    CU_ASSERT_EQUAL(v->v.u, 20);
    bluetti_xform cneg = BLUETTI_XF_CLAMP_(-20, -10);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U64, cneg, END, END), "0000 0000 0000 0005"), -10));
    /* bit operations on u64 keep values above INT64_MAX unsigned */
    bluetti_xform all = BLUETTI_XF_BITMASK_(UINT64_MAX), lo = BLUETTI_XF_BITMASK_(0xFF);
    v = one(xf_field(BLUETTI_U64, all, END, END), "ffff ffff ffff fff0");
    CU_ASSERT_EQUAL(v->kind, BLUETTI_VAL_UINT);
    CU_ASSERT_EQUAL(v->v.u, 0xFFFFFFFFFFFFFFF0ULL);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U64, lo, END, END), "ffff ffff ffff fff0"), 0xF0));
    /* a bitmask on a float truncates it first */
    bluetti_xform s05 = BLUETTI_XF_SCALE_(0.5);
    CU_ASSERT(is_int(one(xf_field(BLUETTI_U16, s05, lo, END), "0203"), 1));  /* 257.5 */
    /* signed values keep their sign through a mask that keeps bit 63 */
    CU_ASSERT(is_int(one(xf_field(BLUETTI_I16, all, END, END), "FFFE"), -2));
    /* scale on u64 */
    bluetti_xform s2 = BLUETTI_XF_SCALE_(2);
    CU_ASSERT(is_float(one(xf_field(BLUETTI_U64, s2, END, END), "0000 0000 0000 0015"), 42.0));
}

/* ---- parser behaviour (§8.3) ------------------------------------------------ */

static void test_basic_schema(void)
{
    static const bluetti_field f[] = {
        { .name = "soc", .unit = "%", .offset = 0, .type = BLUETTI_U16 },
        { .name = "voltage", .unit = "V", .offset = 2, .type = BLUETTI_U16,
          .xf = { BLUETTI_XF_SCALE_(0.1) } },
    };
    static const bluetti_block_schema s = { .id = 100, .min_length = 4, .name = "T",
                                            .fields = f, .n_fields = 2, .protocol_version = 2000 };
    CU_ASSERT_EQUAL(run(&s, "00 55 02 08", 2000), 0);
    CU_ASSERT(is_int(val("soc"), 85));
    CU_ASSERT(is_float(val("voltage"), 52.0));
    CU_ASSERT(bluetti_result_valid(R));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 0);
    CU_ASSERT_PTR_NULL(bluetti_result_warning(R, 0));
    CU_ASSERT_EQUAL(bluetti_result_count(R), 2);
    CU_ASSERT_PTR_EQUAL(bluetti_result_schema(R), &s);
    CU_ASSERT_PTR_EQUAL(bluetti_result_value(R, 1), val("voltage"));
    CU_ASSERT_PTR_NULL(bluetti_result_value(R, 2));
    CU_ASSERT_PTR_NULL(bluetti_result_find(R, "nope"));
    size_t len = 0;
    const uint8_t *raw = bluetti_result_raw(R, &len);
    CU_ASSERT_EQUAL(len, 4);
    CU_ASSERT_EQUAL(memcmp(raw, "\x00\x55\x02\x08", 4), 0);
    CU_ASSERT(bluetti_result_timestamp(R) > 1.6e9);  /* wall clock, after 2020 */
    CU_ASSERT_EQUAL(bluetti_result_protocol_version(R), 2000);
}

static void test_strict_short(void)
{
    static const bluetti_field f[] = {
        { .name = "a", .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
        { .name = "b", .offset = 2, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
    };
    static const bluetti_block_schema s = { .id = 7, .min_length = 4, .strict = 1, .name = "T",
                                            .fields = f, .n_fields = 2 };
    CU_ASSERT_EQUAL(run(&s, "00 01", 0), BLUETTI_E_SHORT);
    CU_ASSERT_FALSE(bluetti_result_valid(R));
    /* the block as a whole is rejected: nothing is reported as decoded */
    CU_ASSERT(is_absent(val("a"), BLUETTI_ABSENT_BEYOND_DATA));
    CU_ASSERT(is_absent(val("b"), BLUETTI_ABSENT_BEYOND_DATA));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 2);
    CU_ASSERT_STRING_EQUAL(bluetti_result_warning(R, 0), "data length 2 is below the minimum 4");
    CU_ASSERT_STRING_EQUAL(bluetti_result_warning(R, 1),
                           "required field 'b' (offset 2) lies beyond the received data (2 bytes)");
    /* long enough: valid again in the same result */
    uint8_t ok[] = { 0, 1, 0, 2 };
    CU_ASSERT_EQUAL(bluetti_decode(R, ok, 4, 0), 0);
    CU_ASSERT(bluetti_result_valid(R));
    CU_ASSERT(is_int(val("b"), 2));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 0);
}

static void test_strict_required_only(void)
{
    /* min_length met, but a required field lies beyond the data */
    static const bluetti_field f[] = {
        { .name = "a", .offset = 0, .type = BLUETTI_U16 },
        { .name = "b", .offset = 4, .type = BLUETTI_U32, .flags = BLUETTI_F_REQUIRED },
    };
    static const bluetti_block_schema s = { .id = 7, .min_length = 2, .strict = 1, .name = "T",
                                            .fields = f, .n_fields = 2 };
    CU_ASSERT_EQUAL(run(&s, "00 01 00 02 00 03", 0), BLUETTI_E_SHORT);
    CU_ASSERT(is_absent(val("a"), BLUETTI_ABSENT_BEYOND_DATA));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 1);
    CU_ASSERT(has_warning("required field 'b' (offset 4)"));
    /* the same in a lenient block decodes what is there */
    static const bluetti_block_schema lax = { .id = 7, .min_length = 2, .name = "T",
                                              .fields = f, .n_fields = 2 };
    CU_ASSERT_EQUAL(run(&lax, "00 01 00 02 00 03", 0), 0);
    CU_ASSERT_FALSE(bluetti_result_valid(R));
    CU_ASSERT(is_int(val("a"), 1));
    CU_ASSERT(is_absent(val("b"), BLUETTI_ABSENT_BEYOND_DATA));
}

static void test_optional_beyond(void)
{
    static const bluetti_field f[] = {
        { .name = "required", .offset = 0, .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED },
        { .name = "optional", .offset = 2, .type = BLUETTI_U16 },
    };
    static const bluetti_block_schema s = { .id = 7, .min_length = 2, .name = "T",
                                            .fields = f, .n_fields = 2 };
    CU_ASSERT_EQUAL(run(&s, "00 42", 0), 0);
    CU_ASSERT(is_int(val("required"), 66));
    CU_ASSERT(is_absent(val("optional"), BLUETTI_ABSENT_BEYOND_DATA));
    CU_ASSERT(bluetti_result_valid(R));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 0);
}

static void test_protocol_gate(void)
{
    static const bluetti_field f[] = {
        { .name = "a", .offset = 0, .type = BLUETTI_U16 },
        { .name = "b", .offset = 2, .type = BLUETTI_U16, .min_protocol = 2003,
          .flags = BLUETTI_F_REQUIRED },
    };
    static const bluetti_block_schema s = { .id = 7, .min_length = 2, .strict = 1, .name = "T",
                                            .fields = f, .n_fields = 2, .protocol_version = 2000 };
    CU_ASSERT_EQUAL(run(&s, "00 01 00 02", 2000), 0);
    CU_ASSERT(is_int(val("a"), 1));
    CU_ASSERT(is_absent(val("b"), BLUETTI_ABSENT_PROTOCOL));
    CU_ASSERT_EQUAL(bluetti_result_protocol_version(R), 2000);
    CU_ASSERT_EQUAL(run(&s, "00 01 00 02", 2003), 0);
    CU_ASSERT(is_int(val("b"), 2));
    CU_ASSERT_EQUAL(bluetti_result_protocol_version(R), 2003);
    /* 0 means the schema's own version */
    CU_ASSERT_EQUAL(run(&s, "00 01 00 02", 0), 0);
    CU_ASSERT(is_absent(val("b"), BLUETTI_ABSENT_PROTOCOL));
    CU_ASSERT_EQUAL(bluetti_result_protocol_version(R), 2000);
    /* a gated required field is not missing data: a short strict block stays valid */
    CU_ASSERT_EQUAL(run(&s, "00 01", 2000), 0);
    CU_ASSERT(bluetti_result_valid(R));
    CU_ASSERT(is_absent(val("b"), BLUETTI_ABSENT_PROTOCOL));
}

/* §8.4 vector 1300-A and the §8.3 test schema for it */
static const bluetti_field grid_fields[] = {
    { .name = "frequency", .unit = "Hz", .offset = 0, .type = BLUETTI_U16,
      .flags = BLUETTI_F_REQUIRED, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "phase_0_voltage", .unit = "V", .offset = 28, .type = BLUETTI_U16,
      .flags = BLUETTI_F_REQUIRED, .xf = { BLUETTI_XF_SCALE_(0.1) } },
    { .name = "phase_0_current", .unit = "A", .offset = 30, .type = BLUETTI_I16,
      .flags = BLUETTI_F_REQUIRED, .xf = { BLUETTI_XF_ABS_(), BLUETTI_XF_SCALE_(0.1) } },
};
static const bluetti_block_schema grid = { .id = 1300, .min_length = 32, .strict = 1,
                                           .name = "INV_GRID_INFO", .fields = grid_fields,
                                           .n_fields = 3, .protocol_version = 2000 };
#define V1300A "01F4000000000000000000000000000000000000000000000000000008FCFFCC"

static void test_grid_vectors(void)
{
    CU_ASSERT_EQUAL(run(&grid, V1300A, 2000), 0);
    CU_ASSERT(is_float(val("frequency"), 50.0));
    CU_ASSERT(is_float(val("phase_0_voltage"), 230.0));
    CU_ASSERT(is_float(val("phase_0_current"), 5.2));
    CU_ASSERT(bluetti_result_valid(R));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 0);
    /* 34 bytes: valid, with a warning about the extra 2 */
    CU_ASSERT_EQUAL(run(&grid, V1300A "0000", 2000), 0);
    CU_ASSERT(bluetti_result_valid(R));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 1);
    CU_ASSERT_STRING_EQUAL(bluetti_result_warning(R, 0), "extra data beyond defined fields: 2 bytes");
    /* 1300-D: 30 bytes, strict -> short */
    CU_ASSERT_EQUAL(run(&grid, "01F400000000000000000000000000000000000000000000000000000000", 2000),
                    BLUETTI_E_SHORT);
    CU_ASSERT(has_warning("data length 30 is below the minimum 32"));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 2);  /* phase_0_voltage ends at 30 */
    CU_ASSERT(has_warning("required field 'phase_0_current' (offset 30)"));
    CU_ASSERT(is_absent(val("frequency"), BLUETTI_ABSENT_BEYOND_DATA));
}

static void test_warning_cap(void)
{
    /* 12 required fields and no data: 1 length warning + 12 -> 8 kept + "and 5 more" */
    static bluetti_field f[12];
    static char names[12][8];
    for (int i = 0; i < 12; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        f[i] = (bluetti_field){ .name = names[i], .offset = (uint16_t)(2 * i),
                                .type = BLUETTI_U16, .flags = BLUETTI_F_REQUIRED };
    }
    static const bluetti_block_schema s = { .id = 9, .min_length = 24, .name = "T", .fields = f,
                                            .n_fields = 12 };
    CU_ASSERT_EQUAL(run(&s, "", 0), 0);
    CU_ASSERT_FALSE(bluetti_result_valid(R));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 9);
    CU_ASSERT_STRING_EQUAL(bluetti_result_warning(R, 0), "data length 0 is below the minimum 24");
    CU_ASSERT(has_warning("required field 'f6' (offset 12)"));
    CU_ASSERT_STRING_EQUAL(bluetti_result_warning(R, 8), "and 5 more");
    CU_ASSERT_PTR_NULL(bluetti_result_warning(R, 9));
    for (int i = 0; i < 12; i++)
        CU_ASSERT(is_absent(bluetti_result_value(R, (size_t)i), BLUETTI_ABSENT_BEYOND_DATA));
}

/* ---- arrays ------------------------------------------------------------------- */

static bool items_are(const bluetti_value *v, const int64_t *want, size_t n)
{
    if (v->kind != BLUETTI_VAL_ARRAY || v->count != n) {
        fprintf(stderr, "\n    want ARRAY of %zu, got kind %d count %u absent %d\n", n, v->kind,
                v->count, v->absent);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_int(&v->v.items[i], want[i])) return false;
    return true;
}

static void test_array_fixed(void)
{
    static const bluetti_field f[] = {
        { .name = "temps", .offset = 0, .size = 4, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
          .xf = { BLUETTI_XF_MINUS_(40) } },
    };
    static const bluetti_block_schema s = { .id = 7, .name = "T", .fields = f, .n_fields = 1 };
    CU_ASSERT_EQUAL(run(&s, "00 50 00 4B 00 46 00 41", 0), 0);
    const int64_t want[] = { 40, 35, 30, 25 };
    CU_ASSERT(items_are(val("temps"), want, 4));
    /* one element short: the whole fixed array is beyond the data */
    CU_ASSERT_EQUAL(run(&s, "00 50 00 4B 00 46", 0), 0);
    CU_ASSERT(is_absent(val("temps"), BLUETTI_ABSENT_BEYOND_DATA));
}

static void test_array_packed(void)
{
    /* §8.3 packed 2 x u16: voltage = bits 0..13 x 0.001, status = bits 14..15 */
    static const bluetti_field f[] = {
        { .name = "voltage", .offset = 0, .size = 2, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
          .xf = { BLUETTI_XF_BITMASK_(0x3FFF), BLUETTI_XF_SCALE_(0.001) } },
        { .name = "status", .offset = 0, .size = 2, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
          .xf = { BLUETTI_XF_SHIFT_(14) } },
    };
    static const bluetti_block_schema s = { .id = 7, .name = "T", .fields = f, .n_fields = 2 };
    CU_ASSERT_EQUAL(run(&s, "8C AD 4C B8", 0), 0);
    const bluetti_value *v = val("voltage");
    CU_ASSERT_EQUAL_FATAL(v->kind, BLUETTI_VAL_ARRAY);
    CU_ASSERT_EQUAL_FATAL(v->count, 2);
    CU_ASSERT(is_float(&v->v.items[0], 3.245));
    CU_ASSERT(is_float(&v->v.items[1], 3.256));
    const int64_t st[] = { 2, 1 };
    CU_ASSERT(items_are(val("status"), st, 2));
}

/* count u8, then up to 4 u16 cells, then a trailer placed after the cells */
static const bluetti_field counted_fields[] = {
    { .name = "n", .offset = 0, .type = BLUETTI_U8 },
    { .name = "cells", .offset = 2, .size = 4, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
      .count_from = "n" },
    { .name = "trailer", .offset = 0, .type = BLUETTI_U16, .after = "cells" },
    { .name = "tail_text", .offset = 2, .size = 2, .type = BLUETTI_TEXT, .after = "cells" },
};
static const bluetti_block_schema counted = { .id = 7, .name = "T", .fields = counted_fields,
                                              .n_fields = 4 };

static void test_array_count_from(void)
{
    /* n = 3: cells at 2..7, trailer at 8, text at 10 */
    CU_ASSERT_EQUAL(run(&counted, "03 00  0001 0002 0003  BEEF 4142", 0), 0);
    const int64_t want[] = { 1, 2, 3 };
    CU_ASSERT(items_are(val("cells"), want, 3));
    CU_ASSERT(is_int(val("trailer"), 0xBEEF));
    CU_ASSERT(is_text(val("tail_text"), "AB"));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 0);
    /* n = 1 moves the trailer */
    CU_ASSERT_EQUAL(run(&counted, "01 00  0009  CAFE", 0), 0);
    const int64_t one9[] = { 9 };
    CU_ASSERT(items_are(val("cells"), one9, 1));
    CU_ASSERT(is_int(val("trailer"), 0xCAFE));
    CU_ASSERT(is_absent(val("tail_text"), BLUETTI_ABSENT_BEYOND_DATA));
    /* n = 0: an empty array */
    CU_ASSERT_EQUAL(run(&counted, "00 00 1234", 0), 0);
    CU_ASSERT(items_are(val("cells"), NULL, 0));
    CU_ASSERT(is_int(val("trailer"), 0x1234));
}

static void test_array_count_past_data(void)
{
    /* n = 4 but only 3 cells arrived: never read past the buffer */
    CU_ASSERT_EQUAL(run(&counted, "04 00  0001 0002 0003", 0), 0);
    CU_ASSERT(is_absent(val("cells"), BLUETTI_ABSENT_COUNT));
    CU_ASSERT(has_warning("field 'cells': 4 elements (from 'n') at offset 2 need 10 bytes"));
    /* what comes after an absent array is absent for the same reason */
    CU_ASSERT(is_absent(val("trailer"), BLUETTI_ABSENT_COUNT));
    CU_ASSERT(is_absent(val("tail_text"), BLUETTI_ABSENT_COUNT));
}

static void test_array_count_over_max(void)
{
    CU_ASSERT_EQUAL(run(&counted, "05 00  0001 0002 0003 0004 0005 0006", 0), 0);
    CU_ASSERT(is_absent(val("cells"), BLUETTI_ABSENT_BAD_COUNT));
    CU_ASSERT(has_warning("field 'cells': element count 5 (from 'n') exceeds the maximum of 4"));
    CU_ASSERT(is_absent(val("trailer"), BLUETTI_ABSENT_BAD_COUNT));
    /* the count field itself beyond the data */
    CU_ASSERT_EQUAL(run(&counted, "", 0), 0);
    CU_ASSERT(is_absent(val("n"), BLUETTI_ABSENT_BEYOND_DATA));
    CU_ASSERT(is_absent(val("cells"), BLUETTI_ABSENT_BEYOND_DATA));
}

static void test_array_count_kinds(void)
{
    /* a count that went through a transform must still be a whole number */
    static const bluetti_field f[] = {
        { .name = "n", .offset = 0, .type = BLUETTI_I8, .xf = { BLUETTI_XF_SCALE_(0.5) } },
        { .name = "a", .offset = 1, .size = 3, .type = BLUETTI_U8, .flags = BLUETTI_F_ARRAY,
          .count_from = "n" },
    };
    static const bluetti_block_schema s = { .id = 7, .name = "T", .fields = f, .n_fields = 2 };
    CU_ASSERT_EQUAL(run(&s, "04 0A 0B 0C", 0), 0);
    const int64_t want[] = { 10, 11 };
    CU_ASSERT(items_are(val("a"), want, 2));
    CU_ASSERT_EQUAL(run(&s, "03 0A 0B 0C", 0), 0);
    CU_ASSERT(is_absent(val("a"), BLUETTI_ABSENT_BAD_COUNT));
    CU_ASSERT(has_warning("not a usable number"));
    CU_ASSERT_EQUAL(run(&s, "FE 0A 0B 0C", 0), 0);  /* -1 */
    CU_ASSERT(is_absent(val("a"), BLUETTI_ABSENT_BAD_COUNT));
}

static void test_array_stride(void)
{
    /* entries of 6 bytes (u16 id + u32 version); the version array starts 2 in */
    static const bluetti_field f[] = {
        { .name = "n", .offset = 0, .type = BLUETTI_U16 },
        { .name = "id", .offset = 2, .size = 3, .stride = 6, .type = BLUETTI_U16,
          .flags = BLUETTI_F_ARRAY, .count_from = "n" },
        { .name = "ver", .offset = 4, .size = 3, .stride = 6, .type = BLUETTI_U32,
          .flags = BLUETTI_F_ARRAY, .count_from = "n" },
        { .name = "next", .offset = 0, .type = BLUETTI_U16, .after = "id" },
    };
    static const bluetti_block_schema s = { .id = 7, .name = "T", .fields = f, .n_fields = 4,
                                            .strict = 1 };
    /* the data ends right after the last version: all present */
    CU_ASSERT_EQUAL(run(&s, "0002  0001 0005 0000  0002 0007 0000", 0), 0);
    const int64_t ids[] = { 1, 2 }, vers[] = { 5, 7 };
    CU_ASSERT(items_are(val("id"), ids, 2));
    CU_ASSERT(items_are(val("ver"), vers, 2));
    CU_ASSERT(is_absent(val("next"), BLUETTI_ABSENT_BEYOND_DATA));
    CU_ASSERT(bluetti_result_valid(R));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(R), 0);
    /* one more register: `next` follows the id array's full extent (2 + 2 x 6) */
    CU_ASSERT_EQUAL(run(&s, "0002  0001 0005 0000  0002 0007 0000  0042", 0), 0);
    CU_ASSERT(is_int(val("next"), 0x42));
    /* and then extra data in a strict block */
    CU_ASSERT_EQUAL(run(&s, "0002  0001 0005 0000  0002 0007 0000  0042 0000", 0), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_result_warning(R, 0), "extra data beyond defined fields: 2 bytes");
}

static void test_array_f32_and_required(void)
{
    static const bluetti_field f[] = {
        { .name = "n", .offset = 0, .type = BLUETTI_U16 },
        { .name = "vals", .offset = 2, .size = 2, .type = BLUETTI_F32,
          .order = BLUETTI_ORDER_BE, .flags = BLUETTI_F_ARRAY | BLUETTI_F_REQUIRED,
          .count_from = "n" },
    };
    static const bluetti_block_schema s = { .id = 7, .name = "T", .fields = f, .n_fields = 2,
                                            .strict = 1 };
    /* a NaN element is absent on its own; the array stays */
    CU_ASSERT_EQUAL(run(&s, "0002 3fc00000 7fc00000", 0), 0);
    const bluetti_value *v = val("vals");
    CU_ASSERT_EQUAL_FATAL(v->kind, BLUETTI_VAL_ARRAY);
    CU_ASSERT_EQUAL_FATAL(v->count, 2);
    CU_ASSERT(is_float(&v->v.items[0], 1.5));
    CU_ASSERT(is_absent(&v->v.items[1], BLUETTI_ABSENT_BAD_VALUE));
    /* a required array whose count points past the data makes a strict block short */
    CU_ASSERT_EQUAL(run(&s, "0002 3fc00000", 0), BLUETTI_E_SHORT);
    CU_ASSERT_FALSE(bluetti_result_valid(R));
    CU_ASSERT(has_warning("field 'vals': 2 elements"));
}

/* ---- array element fast paths ---------------------------------------------- */

/* Bit for bit, header included (a value has no padding). */
static bool same_value(const bluetti_value *a, const bluetti_value *b, const char *what, size_t k)
{
    if (memcmp(a, b, sizeof *a) == 0) return true;
    uint64_t ab, bb;
    memcpy(&ab, &a->v, sizeof ab);
    memcpy(&bb, &b->v, sizeof bb);
    fprintf(stderr, "\n    %s, element %zu: kind %d absent %d count %u bits %016llx (%.17g) vs "
            "kind %d absent %d count %u bits %016llx (%.17g)\n", what, k, a->kind, a->absent,
            a->count, (unsigned long long)ab, bluetti_value_as_double(a), b->kind, b->absent,
            b->count, (unsigned long long)bb, bluetti_value_as_double(b));
    return false;
}

static const int all_orders[] = { BLUETTI_ORDER_DEFAULT, BLUETTI_ORDER_WORDS_LE, BLUETTI_ORDER_BE,
                                  BLUETTI_ORDER_LE, BLUETTI_ORDER_BYTES_SWAPPED };

static void test_array_scale16(void)
{
    /* u16 and i16 elements scaled by a decimal factor: every element is the
     * correctly rounded quotient of the register and the divisor, worked out
     * here independently of the decoder */
    static const uint16_t words[] = { 0, 1, 2, 3, 5, 9, 10, 99, 0x1234, 12345, 0x7ffe, 0x7fff,
                                      0x8000, 0x8001, 0xabcd, 0xfffe, 0xffff };
    enum { N = N_OF(words), STRIDE = 4, OFF = 1 };
    static const struct { double factor, divisor; } scales[] = {
        { 0.1, 10 }, { 0.01, 100 }, { 0.001, 1000 }, { 0.5, 2 }, { 1e-6, 1e6 },
    };
    static const int types[] = { BLUETTI_U16, BLUETTI_I16 };
    static bluetti_field f[1];
    static bluetti_block_schema s;
    uint8_t d[OFF + N * STRIDE];
    unsigned bad = 0, checked = 0;
    for (size_t t = 0; t < N_OF(types); t++)
        for (size_t o = 0; o < N_OF(all_orders); o++)
            for (size_t sc = 0; sc < N_OF(scales); sc++) {
                int order = all_orders[o];
                f[0] = (bluetti_field){ .name = "a", .offset = OFF, .size = N, .stride = STRIDE,
                                        .type = (uint8_t)types[t], .order = (uint8_t)order,
                                        .flags = BLUETTI_F_ARRAY,
                                        .xf = { BLUETTI_XF_SCALE_(scales[sc].factor) } };
                s = (bluetti_block_schema){ .id = 7, .name = "T", .fields = f, .n_fields = 1 };
                /* one register per element, bytes swapped for dcba and badc */
                bool sw = order == BLUETTI_ORDER_LE || order == BLUETTI_ORDER_BYTES_SWAPPED;
                memset(d, 0xEE, sizeof d);
                for (size_t k = 0; k < N; k++) {
                    d[OFF + k * STRIDE + sw] = (uint8_t)(words[k] >> 8);
                    d[OFF + k * STRIDE + !sw] = (uint8_t)words[k];
                }
                cleanup();
                CU_ASSERT_EQUAL_FATAL(bluetti_result_new(&s, &R), 0);
                CU_ASSERT_EQUAL_FATAL(bluetti_decode(R, d, sizeof d, 0), 0);
                const bluetti_value *v = bluetti_result_value(R, 0);
                CU_ASSERT_EQUAL_FATAL(v->kind, BLUETTI_VAL_ARRAY);
                CU_ASSERT_EQUAL_FATAL(v->count, N);
                for (size_t k = 0; k < N; k++) {
                    int64_t x = words[k];
                    if (types[t] == BLUETTI_I16 && x >= 0x8000) x -= 0x10000;
                    bluetti_value want = { .kind = BLUETTI_VAL_FLOAT,
                                           .v.f = (double)x / scales[sc].divisor };
                    char what[64];
                    snprintf(what, sizeof what, "%s order %d / %g word %04x",
                             types[t] == BLUETTI_U16 ? "u16" : "i16", order, scales[sc].divisor,
                             (unsigned)words[k]);
                    if (!same_value(&v->v.items[k], &want, what, k)) bad++;
                    checked++;
                }
            }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(checked, 2 * 5 * 5 * N);
    /* the edges, spelt out: 0x7fff, 0x8000 and 0xffff as u16 and as i16 */
    f[0] = (bluetti_field){ .name = "a", .size = 3, .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY,
                            .xf = { BLUETTI_XF_SCALE_(0.1) } };
    s = (bluetti_block_schema){ .id = 7, .name = "T", .fields = f, .n_fields = 1 };
    CU_ASSERT_EQUAL(run(&s, "7fff 8000 ffff", 0), 0);
    const bluetti_value *v = val("a");
    CU_ASSERT_EQUAL_FATAL(v->count, 3);
    CU_ASSERT(v->v.items[0].kind == BLUETTI_VAL_FLOAT && v->v.items[0].v.f == 3276.7);
    CU_ASSERT(v->v.items[1].kind == BLUETTI_VAL_FLOAT && v->v.items[1].v.f == 3276.8);
    CU_ASSERT(v->v.items[2].kind == BLUETTI_VAL_FLOAT && v->v.items[2].v.f == 6553.5);
    f[0].type = BLUETTI_I16;
    f[0].order = BLUETTI_ORDER_LE;
    CU_ASSERT_EQUAL(run(&s, "ff7f 0080 ffff", 0), 0);
    v = val("a");
    CU_ASSERT_EQUAL_FATAL(v->count, 3);
    CU_ASSERT(v->v.items[0].kind == BLUETTI_VAL_FLOAT && v->v.items[0].v.f == 3276.7);
    CU_ASSERT(v->v.items[1].kind == BLUETTI_VAL_FLOAT && v->v.items[1].v.f == -3276.8);
    CU_ASSERT(v->v.items[2].kind == BLUETTI_VAL_FLOAT && v->v.items[2].v.f == -0.1);
}

static void test_array_same_as_fields(void)
{
    /* Every array element must be bit for bit the value the same bytes give
     * as a scalar field, through both scalar paths: the hot loop (plain
     * fields) and read_scalar() + apply_xf() (fields gated by a protocol
     * version); for a single scale also the same array with a no-op
     * transform added (a chain the element loop does not special-case). */
    static const int types[] = { BLUETTI_U8, BLUETTI_I8, BLUETTI_U16, BLUETTI_I16, BLUETTI_U32,
                                 BLUETTI_I32, BLUETTI_U64, BLUETTI_I64, BLUETTI_F32 };
    static const bluetti_xform chains[][BLUETTI_MAX_XF] = {
        { { .op = BLUETTI_XF_END } },
        { BLUETTI_XF_SCALE_(0.1) },
        { BLUETTI_XF_SCALE_(0.001) },
        { BLUETTI_XF_SCALE_(0.5) },
        { BLUETTI_XF_SCALE_(10) },
        { BLUETTI_XF_SCALE_(0.3) },
        { BLUETTI_XF_SCALE_(-0.01) },
        { BLUETTI_XF_BITMASK_(0x3FFF), BLUETTI_XF_SCALE_(0.001) },
        { BLUETTI_XF_BITMASK_(UINT64_MAX), BLUETTI_XF_SCALE_(0.1) },
        { BLUETTI_XF_BITMASK_(0x8000000000000000ULL), BLUETTI_XF_SCALE_(0.01) },
        { BLUETTI_XF_BITMASK_(0x3FFF), BLUETTI_XF_SCALE_(3) },
        { BLUETTI_XF_BITMASK_(0xFF00) },
        { BLUETTI_XF_BITMASK_(UINT64_MAX) },
        { BLUETTI_XF_SHIFT_(14) },
        { BLUETTI_XF_SHIFT_(0) },
        { BLUETTI_XF_SHIFT_(63) },
        { BLUETTI_XF_MINUS_(40) },
        { BLUETTI_XF_MINUS_(0.5) },
        { BLUETTI_XF_ABS_(), BLUETTI_XF_SCALE_(0.1) },
        { BLUETTI_XF_SCALE_(0.1), BLUETTI_XF_CLAMP_(0, 100) },
        { BLUETTI_XF_ENABLE_LIST_(0, 7) },
        { BLUETTI_XF_BITMASK_(0x3FFF), BLUETTI_XF_SCALE_(0.001), BLUETTI_XF_MINUS_(1) },
    };
    enum { N = 12, MAXF = 4 + 2 * N };
    static bluetti_field f[MAXF];
    static char names[MAXF][8];
    static bluetti_block_schema s;
    static const struct { uint16_t off, pad; } layouts[] = { { 0, 0 }, { 1, 3 } };
    uint8_t d[1 + N * (8 + 3)];
    uint32_t lcg = 2024;
    unsigned bad = 0, checked = 0;
    for (size_t t = 0; t < N_OF(types); t++)
        for (size_t o = 0; o < N_OF(all_orders); o++)
            for (size_t c = 0; c < N_OF(chains); c++)
                for (size_t l = 0; l < N_OF(layouts); l++) {
                    size_t es = bluetti_wire_type_size(types[t]);
                    uint16_t off = layouts[l].off, stride = (uint16_t)(es + layouts[l].pad);
                    bluetti_field a = { .name = "a", .offset = off, .size = N, .stride = stride,
                                        .type = (uint8_t)types[t],
                                        .order = (uint8_t)all_orders[o],
                                        .flags = BLUETTI_F_ARRAY };
                    memcpy(a.xf, chains[c], sizeof a.xf);
                    size_t n = 0;
                    f[n++] = a;
                    /* a single scale, with a transform added that changes nothing */
                    bool one_scale = chains[c][0].op == BLUETTI_XF_SCALE &&
                                     chains[c][1].op == BLUETTI_XF_END;
                    bool integer = types[t] != BLUETTI_F32;
                    if (one_scale) {
                        f[n] = a;
                        f[n].name = "a_x1";
                        f[n++].xf[1] = (bluetti_xform)BLUETTI_XF_SCALE_(1);
                        if (integer) {  /* masking all bits keeps an integer as it is */
                            f[n] = a;
                            f[n].name = "a_mask";
                            f[n].xf[0] = (bluetti_xform)BLUETTI_XF_BITMASK_(UINT64_MAX);
                            f[n++].xf[1] = chains[c][0];
                        }
                    }
                    size_t n_arrays = n;
                    for (size_t k = 0; k < 2 * N; k++) {
                        bluetti_field e = a;
                        snprintf(names[n], sizeof names[n], "%c%zu", k < N ? 'g' : 'h', k % N);
                        e.name = names[n];
                        e.offset = (uint16_t)(off + (k % N) * stride);
                        e.size = 0;
                        e.stride = 0;
                        e.flags = 0;
                        e.min_protocol = k < N ? 1 : 0;
                        f[n++] = e;
                    }
                    s = (bluetti_block_schema){ .id = 7, .name = "T", .fields = f,
                                                .n_fields = (uint16_t)n, .protocol_version = 2000 };
                    /* edge patterns first, then pseudo-random bytes */
                    size_t len = (size_t)off + (size_t)N * stride;
                    for (size_t i = 0; i < len; i++) {
                        lcg = lcg * 1103515245u + 12345u;
                        d[i] = (uint8_t)(lcg >> 16);
                    }
                    static const uint8_t edge[][2] = { { 0x00, 0x00 }, { 0xFF, 0xFF },
                                                       { 0x7F, 0xFF }, { 0x80, 0x00 },
                                                       { 0xFF, 0x7F }, { 0x00, 0x80 } };
                    for (size_t k = 0; k < N_OF(edge); k++)
                        for (size_t b = 0; b < es; b++)
                            d[off + k * stride + b] = b == 0 ? edge[k][0] : edge[k][1];
                    cleanup();
                    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(&s, &R), 0);
                    CU_ASSERT_EQUAL_FATAL(bluetti_decode(R, d, len, 0), 0);
                    const bluetti_value *v = bluetti_result_value(R, 0);
                    CU_ASSERT_EQUAL_FATAL(v->kind, BLUETTI_VAL_ARRAY);
                    CU_ASSERT_EQUAL_FATAL(v->count, N);
                    char what[96];
                    for (size_t k = 0; k < N; k++) {
                        const bluetti_value *gated = bluetti_result_value(R, n_arrays + k);
                        const bluetti_value *hot = bluetti_result_value(R, n_arrays + N + k);
                        snprintf(what, sizeof what, "%s order %d chain %zu layout %zu",
                                 bluetti_wire_type_name(types[t]), all_orders[o], c, l);
                        if (!same_value(&v->v.items[k], gated, what, k)) bad++;
                        if (!same_value(&v->v.items[k], hot, what, k)) bad++;
                        for (size_t j = 1; j < n_arrays; j++) {
                            const bluetti_value *w = bluetti_result_value(R, j);
                            CU_ASSERT_EQUAL_FATAL(w->kind, BLUETTI_VAL_ARRAY);
                            if (!same_value(&v->v.items[k], &w->v.items[k], f[j].name, k)) bad++;
                        }
                        checked++;
                    }
                }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(checked, N_OF(types) * N_OF(all_orders) * N_OF(chains) * N_OF(layouts) * N);
}

/* ---- results: reuse, arguments ---------------------------------------------- */

static void test_result_reuse(void)
{
    static const bluetti_field f[] = {
        { .name = "model", .offset = 0, .size = 4, .type = BLUETTI_TEXT },
        { .name = "power", .offset = 4, .type = BLUETTI_U32 },
        { .name = "n", .offset = 8, .type = BLUETTI_U8 },
        { .name = "list", .offset = 9, .size = 3, .type = BLUETTI_U8, .flags = BLUETTI_F_ARRAY,
          .count_from = "n" },
    };
    static const bluetti_block_schema s = { .id = 7, .name = "T", .fields = f, .n_fields = 4,
                                            .min_length = 10 };
    bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(&s, &r), 0);
    /* before any decode: every value absent, not valid */
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    CU_ASSERT_EQUAL(bluetti_result_value(r, 0)->kind, BLUETTI_VAL_ABSENT);
    size_t len = 99;
    CU_ASSERT_PTR_NOT_NULL(bluetti_result_raw(r, &len));
    CU_ASSERT_EQUAL(len, 0);

    const uint8_t a[] = { 'A', 'B', 'C', 'D', 0x00, 0x0f, 0x00, 0x00, 2, 7, 8, 0 };
    CU_ASSERT_EQUAL(bluetti_decode(r, a, sizeof a, 0), 0);
    const bluetti_value *model = bluetti_result_find(r, "model");
    const char *text_at = model->v.s;
    CU_ASSERT(is_text(model, "ABCD"));
    CU_ASSERT(is_int(bluetti_result_find(r, "power"), 15));
    const int64_t la[] = { 7, 8 };
    CU_ASSERT(items_are(bluetti_result_find(r, "list"), la, 2));

    /* a longer payload grows the raw buffer; a short one then invalidates */
    uint8_t b[300];
    memset(b, 0, sizeof b);
    memcpy(b, "XY\0\0\x00\x01\x00\x02\x03\x01\x02\x03", 12);
    CU_ASSERT_EQUAL(bluetti_decode(r, b, sizeof b, 0), 0);
    CU_ASSERT(is_text(model, "XY"));
    CU_ASSERT_PTR_EQUAL(model->v.s, text_at);  /* same storage, new content */
    CU_ASSERT(is_int(bluetti_result_find(r, "power"), 0x00020001));
    const int64_t lb[] = { 1, 2, 3 };
    CU_ASSERT(items_are(bluetti_result_find(r, "list"), lb, 3));
    CU_ASSERT(bluetti_result_valid(r));
    bluetti_result_raw(r, &len);
    CU_ASSERT_EQUAL(len, 300);

    CU_ASSERT_EQUAL(bluetti_decode(r, a, 6, 0), 0);
    CU_ASSERT_FALSE(bluetti_result_valid(r));
    CU_ASSERT(is_text(model, "ABCD"));
    CU_ASSERT(is_absent(bluetti_result_find(r, "power"), BLUETTI_ABSENT_BEYOND_DATA));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(r), 1);

    /* decoding the result's own raw bytes again is allowed */
    const uint8_t *raw = bluetti_result_raw(r, &len);
    CU_ASSERT_EQUAL(bluetti_decode(r, raw, len, 0), 0);
    CU_ASSERT(is_text(model, "ABCD"));
    /* and an empty payload */
    CU_ASSERT_EQUAL(bluetti_decode(r, NULL, 0, 0), 0);
    CU_ASSERT(is_absent(model, BLUETTI_ABSENT_BEYOND_DATA));
    bluetti_result_free(r);
}

static void test_bad_arguments(void)
{
    bluetti_result *r = (bluetti_result *)&r;
    CU_ASSERT_EQUAL(bluetti_result_new(NULL, &r), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(bluetti_result_new(&grid, NULL), BLUETTI_E_INVAL);
    static const bluetti_field bad[] = { { .name = "x", .type = 99 } };
    static const bluetti_block_schema sbad = { .id = 1, .name = "B", .fields = bad, .n_fields = 1 };
    CU_ASSERT_EQUAL(bluetti_result_new(&sbad, &r), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(bluetti_decode(NULL, (const uint8_t *)"", 0, 0), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_result_new(&grid, &r), 0);
    CU_ASSERT_EQUAL(bluetti_decode(r, NULL, 4, 0), BLUETTI_E_INVAL);
    bluetti_result_free(r);
    bluetti_result_free(NULL);
    /* accessors on NULL */
    CU_ASSERT_EQUAL(bluetti_result_count(NULL), 0);
    CU_ASSERT_PTR_NULL(bluetti_result_value(NULL, 0));
    CU_ASSERT_PTR_NULL(bluetti_result_find(NULL, "x"));
    CU_ASSERT_PTR_NULL(bluetti_result_schema(NULL));
    CU_ASSERT_FALSE(bluetti_result_valid(NULL));
    CU_ASSERT_EQUAL(bluetti_result_warning_count(NULL), 0);
    CU_ASSERT_PTR_NULL(bluetti_result_warning(NULL, 0));
    size_t len = 5;
    CU_ASSERT_PTR_NULL(bluetti_result_raw(NULL, &len));
    CU_ASSERT_EQUAL(len, 0);
    /* value helpers */
    bluetti_value v = { .kind = BLUETTI_VAL_INT, .v.i = -3 };
    CU_ASSERT_EQUAL(bluetti_value_as_double(&v), -3.0);
    v = (bluetti_value){ .kind = BLUETTI_VAL_UINT, .v.u = 7 };
    CU_ASSERT_EQUAL(bluetti_value_as_double(&v), 7.0);
    v = (bluetti_value){ .kind = BLUETTI_VAL_TEXT, .v.s = "1" };
    CU_ASSERT(isnan(bluetti_value_as_double(&v)));
    CU_ASSERT(isnan(bluetti_value_as_double(NULL)));
    CU_ASSERT_STRING_EQUAL(bluetti_absent_text(BLUETTI_ABSENT_BEYOND_DATA), "beyond received data");
    CU_ASSERT_STRING_EQUAL(bluetti_absent_text(BLUETTI_ABSENT_PROTOCOL),
                           "needs a newer protocol version");
    CU_ASSERT_STRING_EQUAL(bluetti_absent_text(BLUETTI_ABSENT_COUNT),
                           "element count points past the data");
    CU_ASSERT_STRING_EQUAL(bluetti_absent_text(BLUETTI_ABSENT_BAD_COUNT),
                           "element count exceeds the schema's maximum");
    CU_ASSERT_STRING_EQUAL(bluetti_absent_text(BLUETTI_ABSENT_BAD_VALUE),
                           "value could not be decoded");
    CU_ASSERT_STRING_EQUAL(bluetti_absent_text(77), "unknown reason");
}

/* Every payload length and many byte patterns over a schema that uses every
 * feature: values are always absent or of their declared kind, counts stay
 * within their maximum and text stays printable (valgrind/ASan check reads). */
static void test_robust(void)
{
    static const bluetti_field f[] = {
        { .name = "n", .offset = 0, .type = BLUETTI_U8 },
        { .name = "m", .offset = 1, .type = BLUETTI_U8, .xf = { BLUETTI_XF_BITMASK_(7) } },
        { .name = "a", .offset = 2, .size = 8, .stride = 3, .type = BLUETTI_U16,
          .flags = BLUETTI_F_ARRAY | BLUETTI_F_REQUIRED, .count_from = "n" },
        { .name = "t", .offset = 1, .size = 6, .type = BLUETTI_TEXT, .after = "a",
          .flags = BLUETTI_F_TEXT_SWAP },
        { .name = "b", .offset = 0, .size = 7, .type = BLUETTI_F32, .flags = BLUETTI_F_ARRAY,
          .count_from = "m", .after = "a" },
        { .name = "c", .offset = 3, .type = BLUETTI_I64, .after = "b",
          .xf = { BLUETTI_XF_ABS_(), BLUETTI_XF_MINUS_(3), BLUETTI_XF_CLAMP_(-5, 1e12) } },
        { .name = "d", .offset = 40, .type = BLUETTI_U16, .min_protocol = 2001,
          .xf = { BLUETTI_XF_ENABLE_LIST_(3, 4), BLUETTI_XF_SCALE_(0.25) } },
        { .name = "e", .offset = 60, .size = 20, .type = BLUETTI_TEXT, .flags = BLUETTI_F_REQUIRED },
    };
    static const bluetti_block_schema s = { .id = 7, .name = "T", .fields = f,
                                            .n_fields = N_OF(f), .min_length = 16 };
    static const uint8_t want_kind[] = {
        BLUETTI_VAL_INT, BLUETTI_VAL_INT, BLUETTI_VAL_ARRAY, BLUETTI_VAL_TEXT, BLUETTI_VAL_ARRAY,
        BLUETTI_VAL_INT, BLUETTI_VAL_FLOAT, BLUETTI_VAL_TEXT,
    };
    bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(&s, &r), 0);
    uint32_t seed = 12345;
    unsigned bad = 0, present = 0;
    for (int round = 0; round < 4000; round++) {
        size_t len = (size_t)(round % 97);
        uint8_t *d = malloc(len ? len : 1);  /* exact size: any over-read is caught */
        for (size_t k = 0; k < len; k++) {
            seed = seed * 1103515245u + 12345u;
            d[k] = (uint8_t)(seed >> 16);
        }
        if (len) d[0] &= 7;  /* keep counts plausible half the time */
        if (len && (round & 1)) d[0] = (uint8_t)(d[0] * 37);
        int rc = bluetti_decode(r, d, len, (uint16_t)(round & 2 ? 2001 : 2000));
        if (rc != 0) bad++;
        for (size_t i = 0; i < N_OF(f); i++) {
            const bluetti_value *v = bluetti_result_value(r, i);
            if (v->kind == BLUETTI_VAL_ABSENT) {
                if (v->absent < BLUETTI_ABSENT_BEYOND_DATA || v->absent > BLUETTI_ABSENT_BAD_VALUE)
                    bad++;
                continue;
            }
            present++;
            if (v->kind != want_kind[i]) bad++;
            if (v->kind == BLUETTI_VAL_ARRAY && v->count > f[i].size) bad++;
            if (v->kind == BLUETTI_VAL_TEXT)
                for (const char *c = v->v.s; *c; c++)
                    if (*c < 0x20 || *c > 0x7E) bad++;
        }
        free(d);
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(present > 4000);  /* the data did decode, not only fail */
    bluetti_result_free(r);
}

/* ---- schema validation -------------------------------------------------------- */

static char why[512];

/* Validate a one- or two-field schema; expect rejection mentioning `word`. */
static void expect_bad(const bluetti_field *f, uint16_t n, const char *word)
{
    bluetti_block_schema s = { .id = 4242, .name = "BAD_BLOCK", .fields = f, .n_fields = n };
    why[0] = '\0';
    int rc = bluetti_schema_validate(&s, why, sizeof why);
    CU_ASSERT_EQUAL(rc, BLUETTI_E_SCHEMA);
    if (!strstr(why, word) || !strstr(why, "block 4242 (BAD_BLOCK)")) {
        fprintf(stderr, "\n    why \"%s\" lacks \"%s\"\n", why, word);
        CU_FAIL("message");
    }
}

#define BAD1(word, ...)                                                     \
    do {                                                                    \
        static const bluetti_field fs_[] = { __VA_ARGS__ };                 \
        expect_bad(fs_, (uint16_t)N_OF(fs_), word);                         \
    } while (0)

static void test_validate_ok(void)
{
    CU_ASSERT_EQUAL(bluetti_schema_validate(&grid, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "");
    CU_ASSERT_EQUAL(bluetti_schema_validate(&counted, NULL, 0), 0);
}

static void test_validate_types(void)
{
    BAD1("unknown wire type 0", { .name = "x", .type = 0 });
    BAD1("unknown wire type 11", { .name = "x", .type = 11 });
    BAD1("unknown byte order 5", { .name = "x", .type = BLUETTI_U32, .order = 5 });
    BAD1("unknown operation 8", { .name = "x", .type = BLUETTI_U16, .xf = { { .op = 8 } } });
    BAD1("unknown flag bits 0x40", { .name = "x", .type = BLUETTI_U16, .flags = 0x40 });
}

static void test_validate_names(void)
{
    BAD1("field 0 '': the field has no name", { .type = BLUETTI_U16 });
    BAD1("field 1 '': the field has no name", { .name = "a", .type = BLUETTI_U16 },
         { .name = "", .type = BLUETTI_U16 });
    BAD1("field 1 'a': name already used by field 0", { .name = "a", .type = BLUETTI_U16 },
         { .name = "a", .offset = 2, .type = BLUETTI_U16 });
    bluetti_field f = { .name = "x", .type = BLUETTI_U16 };
    bluetti_block_schema s = { .id = 5, .fields = &f, .n_fields = 1 };
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "block 5 (unnamed): the block has no name"));
    CU_ASSERT_EQUAL(bluetti_schema_validate(NULL, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_STRING_EQUAL(why, "no schema given");
}

static void test_validate_text(void)
{
    BAD1("text needs a size", { .name = "t", .type = BLUETTI_TEXT });
    BAD1("text fields take no transforms",
         { .name = "t", .type = BLUETTI_TEXT, .size = 4, .xf = { BLUETTI_XF_ABS_() } });
    BAD1("arrays of text", { .name = "t", .type = BLUETTI_TEXT, .size = 4,
                             .flags = BLUETTI_F_ARRAY });
    BAD1("whole registers", { .name = "t", .type = BLUETTI_TEXT, .size = 5,
                              .flags = BLUETTI_F_TEXT_SWAP });
    BAD1("whole registers", { .name = "t", .type = BLUETTI_TEXT, .size = 4, .offset = 1,
                              .flags = BLUETTI_F_TEXT_SWAP });
    BAD1("text flags on a u16", { .name = "t", .type = BLUETTI_U16,
                                  .flags = BLUETTI_F_KEEP_SPACES });
    BAD1("size 2 is only for text and arrays", { .name = "x", .type = BLUETTI_U16, .size = 2 });
}

static void test_validate_arrays(void)
{
    BAD1("maximum of 0 elements", { .name = "a", .type = BLUETTI_U16, .flags = BLUETTI_F_ARRAY });
    BAD1("stride 3 is smaller than a u32", { .name = "a", .type = BLUETTI_U32, .size = 2,
                                             .stride = 3, .flags = BLUETTI_F_ARRAY });
    BAD1("only for arrays", { .name = "a", .type = BLUETTI_U16, .stride = 2 });
    BAD1("only for arrays", { .name = "n", .type = BLUETTI_U8 },
         { .name = "a", .offset = 2, .type = BLUETTI_U16, .count_from = "n" });
    /* count_from: unknown, later, an array, text, a float */
    BAD1("count_from 'zz' must name an earlier integer field",
         { .name = "a", .type = BLUETTI_U16, .size = 2, .flags = BLUETTI_F_ARRAY, .count_from = "zz" });
    BAD1("count_from 'n' must name an earlier",
         { .name = "a", .type = BLUETTI_U16, .size = 2, .flags = BLUETTI_F_ARRAY, .count_from = "n" },
         { .name = "n", .offset = 10, .type = BLUETTI_U8 });
    BAD1("count_from 'b'",
         { .name = "b", .type = BLUETTI_U8, .size = 2, .flags = BLUETTI_F_ARRAY },
         { .name = "a", .offset = 4, .type = BLUETTI_U16, .size = 2, .flags = BLUETTI_F_ARRAY,
           .count_from = "b" });
    BAD1("count_from 't'", { .name = "t", .type = BLUETTI_TEXT, .size = 2 },
         { .name = "a", .offset = 4, .type = BLUETTI_U16, .size = 2, .flags = BLUETTI_F_ARRAY,
           .count_from = "t" });
    BAD1("count_from 'f'", { .name = "f", .type = BLUETTI_F32 },
         { .name = "a", .offset = 4, .type = BLUETTI_U16, .size = 2, .flags = BLUETTI_F_ARRAY,
           .count_from = "f" });
    BAD1("count_from 'a' must name", { .name = "a", .type = BLUETTI_U16, .size = 2,
                                       .flags = BLUETTI_F_ARRAY, .count_from = "a" });
    /* after: unknown, not an array, later */
    BAD1("after 'zz' must name an earlier array field",
         { .name = "x", .type = BLUETTI_U16, .after = "zz" });
    BAD1("after 'n' must name an earlier array field", { .name = "n", .type = BLUETTI_U8 },
         { .name = "x", .type = BLUETTI_U16, .after = "n" });
    BAD1("after 'a' must name an earlier array field",
         { .name = "x", .type = BLUETTI_U16, .after = "a" },
         { .name = "a", .offset = 2, .type = BLUETTI_U16, .size = 2, .flags = BLUETTI_F_ARRAY });
}

static void test_validate_transforms(void)
{
    BAD1("scale factor 0", { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(0) } });
    BAD1("scale factor inf",
         { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(INFINITY) } });
    BAD1("scale factor nan", { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_SCALE_(NAN) } });
    BAD1("minus needs a finite",
         { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_MINUS_(NAN) } });
    BAD1("transform 2: clamp bounds 5..5",
         { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_ABS_(), BLUETTI_XF_CLAMP_(5, 5) } });
    BAD1("clamp bounds 9..1", { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_CLAMP_(9, 1) } });
    BAD1("clamp bounds", { .name = "x", .type = BLUETTI_U16,
                           .xf = { BLUETTI_XF_CLAMP_(0, INFINITY) } });
    BAD1("shift by 64 bits", { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_SHIFT_(64) } });
    BAD1("enable-list index 8 is out of range 0..7",
         { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_ENABLE_LIST_(0, 8) } });
    BAD1("enable-list index -1",
         { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_ENABLE_LIST_(0, -1) } });
    BAD1("enable-list index 5 is out of range 0..4 for mode 3",
         { .name = "x", .type = BLUETTI_U16, .xf = { BLUETTI_XF_ENABLE_LIST_(3, 5) } });
    /* the last legal values pass */
    static const bluetti_field ok[] = {
        { .name = "a", .type = BLUETTI_U16, .xf = { BLUETTI_XF_ENABLE_LIST_(3, 4) } },
        { .name = "b", .type = BLUETTI_U16, .xf = { BLUETTI_XF_ENABLE_LIST_(2, 7) } },
        { .name = "c", .type = BLUETTI_U64, .xf = { BLUETTI_XF_SHIFT_(63) } },
        /* entries after END are not part of the chain */
        { .name = "d", .type = BLUETTI_U16, .xf = { { .op = BLUETTI_XF_END }, BLUETTI_XF_SCALE_(0) } },
    };
    bluetti_block_schema s = { .id = 1, .name = "OK", .fields = ok, .n_fields = 4 };
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), 0);
}

static void test_validate_sizes(void)
{
    BAD1("field 1 'y': ends at byte 65536", { .name = "x", .type = BLUETTI_U16, .offset = 65533 },
         { .name = "y", .type = BLUETTI_U32, .offset = 65532 });
    BAD1("field 1 'z': ends at byte 95536", { .name = "y", .type = BLUETTI_U32 },
         { .name = "z", .type = BLUETTI_U16, .size = 3, .stride = 30000, .flags = BLUETTI_F_ARRAY,
           .offset = 5536 });
    BAD1("ends at byte 65537", { .name = "t", .type = BLUETTI_TEXT, .size = 65535, .offset = 2 });
    bluetti_field f = { .name = "x", .type = BLUETTI_U16 };
    bluetti_block_schema s = { .id = 3, .name = "S", .fields = &f, .n_fields = 0 };
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "0 fields (must be 1..4096)"));
    s.n_fields = 4097;
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "4097 fields"));
    s.n_fields = 1;
    s.fields = NULL;
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "fields missing"));
    s.fields = &f;
    s.read_length = 7;
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "read_length 7 is odd"));
    s.read_length = 8;
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), 0);
    /* a small buffer truncates the message, never overflows */
    s.read_length = 7;
    char tiny[8];
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, tiny, sizeof tiny), BLUETTI_E_SCHEMA);
    CU_ASSERT_EQUAL(strlen(tiny), 7);
}

static void test_validate_many_fields(void)
{
    /* 4096 fields validate (linear name check), a duplicate at the end is found */
    static bluetti_field f[4096];
    static char names[4096][8];
    for (int i = 0; i < 4096; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        f[i] = (bluetti_field){ .name = names[i], .offset = (uint16_t)(i * 2), .type = BLUETTI_U16 };
    }
    bluetti_block_schema s = { .id = 3, .name = "BIG", .fields = f, .n_fields = 4096 };
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), 0);
    CU_ASSERT_EQUAL(bluetti_schema_read_length(&s), 8192);
    bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new(&s, &r), 0);
    uint8_t data[8192];
    for (int i = 0; i < 8192; i++) data[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(bluetti_decode(r, data, sizeof data, 0), 0);
    CU_ASSERT(is_int(bluetti_result_value(r, 4095), 0xFEFF));
    bluetti_result_free(r);
    f[4095].name = "f17";
    CU_ASSERT_EQUAL(bluetti_schema_validate(&s, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "field 4095 'f17': name already used by field 17"));
    f[4095].name = names[4095];
}

static void test_schema_helpers(void)
{
    CU_ASSERT_EQUAL(bluetti_wire_type_size(BLUETTI_U8), 1);
    CU_ASSERT_EQUAL(bluetti_wire_type_size(BLUETTI_I16), 2);
    CU_ASSERT_EQUAL(bluetti_wire_type_size(BLUETTI_F32), 4);
    CU_ASSERT_EQUAL(bluetti_wire_type_size(BLUETTI_I64), 8);
    CU_ASSERT_EQUAL(bluetti_wire_type_size(BLUETTI_TEXT), 1);
    CU_ASSERT_EQUAL(bluetti_wire_type_size(0), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_wire_type_name(BLUETTI_U16), "u16");
    CU_ASSERT_STRING_EQUAL(bluetti_wire_type_name(BLUETTI_I32), "i32");
    CU_ASSERT_STRING_EQUAL(bluetti_wire_type_name(BLUETTI_TEXT), "text");
    CU_ASSERT_STRING_EQUAL(bluetti_wire_type_name(42), "?");
    CU_ASSERT_STRING_EQUAL(bluetti_order_name(BLUETTI_ORDER_DEFAULT), "default");
    CU_ASSERT_STRING_EQUAL(bluetti_order_name(BLUETTI_ORDER_WORDS_LE), "cdab");
    CU_ASSERT_STRING_EQUAL(bluetti_order_name(BLUETTI_ORDER_BE), "abcd");
    CU_ASSERT_STRING_EQUAL(bluetti_order_name(BLUETTI_ORDER_LE), "dcba");
    CU_ASSERT_STRING_EQUAL(bluetti_order_name(BLUETTI_ORDER_BYTES_SWAPPED), "badc");
    CU_ASSERT_STRING_EQUAL(bluetti_order_name(9), "?");
    CU_ASSERT_STRING_EQUAL(bluetti_evidence_name(BLUETTI_EV_CONFIRMED), "device-confirmed");
    CU_ASSERT_STRING_EQUAL(bluetti_evidence_name(BLUETTI_EV_REFERENCE), "reference");
    CU_ASSERT_STRING_EQUAL(bluetti_evidence_name(BLUETTI_EV_UNVERIFIED), "unverified");
    CU_ASSERT_STRING_EQUAL(bluetti_xf_op_name(BLUETTI_XF_SCALE), "scale");
    CU_ASSERT_STRING_EQUAL(bluetti_xf_op_name(BLUETTI_XF_MINUS), "minus");
    CU_ASSERT_STRING_EQUAL(bluetti_xf_op_name(BLUETTI_XF_ENABLE_LIST), "enable_list");
    CU_ASSERT_STRING_EQUAL(bluetti_xf_op_name(99), "?");

    bluetti_field t = { .type = BLUETTI_TEXT, .size = 12 };
    CU_ASSERT_EQUAL(bluetti_field_span(&t), 12);
    bluetti_field a = { .type = BLUETTI_U32, .size = 3, .flags = BLUETTI_F_ARRAY };
    CU_ASSERT_EQUAL(bluetti_field_span(&a), 12);
    a.stride = 6;
    CU_ASSERT_EQUAL(bluetti_field_span(&a), 18);
    bluetti_field u = { .type = BLUETTI_U64 };
    CU_ASSERT_EQUAL(bluetti_field_span(&u), 8);
    CU_ASSERT_EQUAL(bluetti_field_span(NULL), 0);

    /* read length: explicit, or max(min_length, last fixed end) rounded to even */
    CU_ASSERT_EQUAL(bluetti_schema_read_length(&grid), 32);
    static const bluetti_field odd[] = { { .name = "b", .offset = 6, .type = BLUETTI_U8 } };
    bluetti_block_schema s = { .id = 1, .name = "S", .fields = odd, .n_fields = 1, .min_length = 2 };
    CU_ASSERT_EQUAL(bluetti_schema_read_length(&s), 8);
    s.min_length = 11;
    CU_ASSERT_EQUAL(bluetti_schema_read_length(&s), 12);
    s.read_length = 40;
    CU_ASSERT_EQUAL(bluetti_schema_read_length(&s), 40);
    /* fields placed after an array do not count */
    CU_ASSERT_EQUAL(bluetti_schema_read_length(&counted), 10);
    CU_ASSERT_EQUAL(bluetti_schema_read_length(NULL), 0);

    static const bluetti_enum_name names[] = { { 0, "idle" }, { -3, "fault" }, { 0, NULL } };
    bluetti_field e = { .name = "e", .type = BLUETTI_I16, .enums = names };
    CU_ASSERT_STRING_EQUAL(bluetti_field_enum_name(&e, -3), "fault");
    CU_ASSERT_STRING_EQUAL(bluetti_field_enum_name(&e, 0), "idle");
    CU_ASSERT_PTR_NULL(bluetti_field_enum_name(&e, 1));
    CU_ASSERT_PTR_NULL(bluetti_field_enum_name(&t, 0));
    CU_ASSERT_EQUAL(bluetti_schema_field_index(&grid, "phase_0_current"), 2);
    CU_ASSERT_EQUAL(bluetti_schema_field_index(&grid, "frequency"), 0);
    CU_ASSERT_EQUAL(bluetti_schema_field_index(&grid, "nope"), -1);
    CU_ASSERT_EQUAL(bluetti_schema_field_index(NULL, "x"), -1);
}

/* ---- profiles ------------------------------------------------------------------ */

static const uint16_t blocks_a[] = { 100, 1300 };

static void expect_bad_profile(const bluetti_profile *p, const char *word)
{
    why[0] = '\0';
    CU_ASSERT_EQUAL(bluetti_profile_validate(p, why, sizeof why), BLUETTI_E_SCHEMA);
    if (!strstr(why, word)) {
        fprintf(stderr, "\n    why \"%s\" lacks \"%s\"\n", why, word);
        CU_FAIL("message");
    }
}

static void test_profiles(void)
{
    const bluetti_block_group g[] = {
        { .name = "core", .blocks = blocks_a, .n_blocks = 2 },
        { .name = "grid", .blocks = blocks_a + 1, .n_blocks = 1 },
    };
    bluetti_profile p = { .model = "EL100V2", .groups = g, .n_groups = 2 };
    CU_ASSERT_EQUAL(bluetti_profile_validate(&p, why, sizeof why), 0);
    CU_ASSERT_PTR_EQUAL(bluetti_profile_group(&p, "grid"), &g[1]);
    CU_ASSERT_PTR_NULL(bluetti_profile_group(&p, "Grid"));
    CU_ASSERT_PTR_NULL(bluetti_profile_group(NULL, "grid"));

    bluetti_profile q = p;
    q.model = "";
    expect_bad_profile(&q, "model name is empty");
    q.model = NULL;
    expect_bad_profile(&q, "model name is empty");
    q = p;
    q.groups = NULL;
    expect_bad_profile(&q, "groups missing");
    const bluetti_block_group dup[] = {
        { .name = "core", .blocks = blocks_a, .n_blocks = 2 },
        { .name = "core", .blocks = blocks_a, .n_blocks = 1 },
    };
    q = p;
    q.groups = dup;
    expect_bad_profile(&q, "profile EL100V2: group 'core' is defined twice");
    const bluetti_block_group empty[] = { { .name = "core", .blocks = blocks_a, .n_blocks = 0 } };
    q.groups = empty;
    q.n_groups = 1;
    expect_bad_profile(&q, "group 'core' lists no blocks");
    const bluetti_block_group noname[] = { { .name = "", .blocks = blocks_a, .n_blocks = 1 } };
    q.groups = noname;
    expect_bad_profile(&q, "group 0 has no name");
    static const char *const aliases[] = { "Elite 100 V2", "", NULL };
    q = p;
    q.aliases = aliases;
    expect_bad_profile(&q, "an alias is empty");
    static const bluetti_block_size sizes[] = { { 100, 161 }, { 0, 0 } };
    q = p;
    q.sizes = sizes;
    expect_bad_profile(&q, "read size 161 for block 100");
    CU_ASSERT_EQUAL(bluetti_profile_validate(NULL, why, sizeof why), BLUETTI_E_SCHEMA);
}

static int add(void)
{
    struct { const char *suite; const char *name; CU_TestFunc fn; } tests[] = {
        { "types", "u8 and i8", test_u8_i8 },
        { "types", "u16 and i16, byte orders", test_16 },
        { "types", "32-bit word orders (CDAB default)", test_32 },
        { "types", "64-bit, serial low word first", test_64 },
        { "types", "f32", test_f32 },
        { "types", "raw 0 not reported", test_zero_unreported },
        { "types", "text swap, trim, escape", test_text },
        { "transforms", "single transforms", test_single_transforms },
        { "transforms", "chains", test_chains },
        { "transforms", "enable list", test_enable_list },
        { "transforms", "result kinds and edges", test_transform_kinds },
        { "parser", "basic schema", test_basic_schema },
        { "parser", "strict short block", test_strict_short },
        { "parser", "strict required field missing", test_strict_required_only },
        { "parser", "optional beyond data", test_optional_beyond },
        { "parser", "protocol gating", test_protocol_gate },
        { "parser", "block 1300 vectors", test_grid_vectors },
        { "parser", "warning cap", test_warning_cap },
        { "arrays", "fixed array", test_array_fixed },
        { "arrays", "packed words", test_array_packed },
        { "arrays", "count_from and after", test_array_count_from },
        { "arrays", "count past the data", test_array_count_past_data },
        { "arrays", "count over the maximum", test_array_count_over_max },
        { "arrays", "count from transformed values", test_array_count_kinds },
        { "arrays", "stride", test_array_stride },
        { "arrays", "f32 elements, required arrays", test_array_f32_and_required },
        { "arrays", "u16/i16 scaled, every byte order", test_array_scale16 },
        { "arrays", "elements as scalar fields, bit for bit", test_array_same_as_fields },
        { "results", "reuse", test_result_reuse },
        { "results", "bad arguments", test_bad_arguments },
        { "results", "random payloads", test_robust },
        { "schema", "valid schemas", test_validate_ok },
        { "schema", "types, orders, ops, flags", test_validate_types },
        { "schema", "names", test_validate_names },
        { "schema", "text", test_validate_text },
        { "schema", "arrays, count_from, after", test_validate_arrays },
        { "schema", "transform arguments", test_validate_transforms },
        { "schema", "sizes and limits", test_validate_sizes },
        { "schema", "4096 fields", test_validate_many_fields },
        { "schema", "helpers", test_schema_helpers },
        { "schema", "profiles", test_profiles },
    };
    CU_pSuite s = NULL;
    const char *cur = NULL;
    for (size_t i = 0; i < N_OF(tests); i++) {
        if (!cur || strcmp(cur, tests[i].suite) != 0) {
            cur = tests[i].suite;
            s = CU_add_suite(cur, NULL, cleanup);
            if (!s) return -1;
        }
        if (!CU_add_test(s, tests[i].name, tests[i].fn)) return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add);
}
