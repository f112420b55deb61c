/* Modbus framing (protocol §2, §8.1), CRC-16/MODBUS and hex text. */
#include "config.h"

#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* §8.4 vector 100-A, the payload of F6 */
#define F6_PAYLOAD                                                                          \
    "0214007B00550000028F000001A4000000010000454C313030563200000000003233343545423230"       \
    "000000000000000000410044003E00000000000000000000000000000000000000000000000000000000"   \
    "012C000003200000012CFFFFFF6A0000000000003039000001A400001A8500002B67000000DE00620000"   \
    "0181004E00000000"

static void test_crc(void)
{
    CU_ASSERT_EQUAL(bluetti_crc16((const uint8_t *)"123456789", 9), 0x4B37);
    CU_ASSERT_EQUAL(bluetti_crc16((const uint8_t *)"", 0), 0xFFFF);
    const uint8_t f1[] = { 0x01, 0x03, 0x05, 0x14, 0x00, 0x10 };
    CU_ASSERT_EQUAL(bluetti_crc16(f1, sizeof f1), 0xCE04);
    /* F13: flipping bit 0 of byte 0 changes the CRC */
    uint8_t f13[] = { 0x01, 0x03, 0x00, 0x64, 0x00, 0x05, 0xC4, 0x16 };
    CU_ASSERT_EQUAL(bluetti_crc16(f13, 6), 0x16C4);
    f13[0] ^= 1;
    CU_ASSERT_NOT_EQUAL(bluetti_crc16(f13, 6), 0x16C4);
    CU_ASSERT_EQUAL(bluetti_modbus_parse_read(f13, 8, 0, 5, NULL, NULL, NULL), BLUETTI_E_CRC);
}

static void expect_request(uint16_t start, uint16_t count, const char *hex)
{
    uint8_t out[8], want[8];
    CU_ASSERT_EQUAL(bluetti_hex_parse(hex, strlen(hex), want, sizeof want, NULL), 8);
    CU_ASSERT_EQUAL_FATAL(bluetti_modbus_build_read(1, start, count, out), 0);
    CU_ASSERT_EQUAL(memcmp(out, want, 8), 0);
}

static void test_build(void)
{
    expect_request(1300, 16, "01 03 05 14 00 10 04 CE");  /* F1 */
    expect_request(100, 66, "01 03 00 64 00 42 84 24");   /* F2 */
    expect_request(100, 60, "01 03 00 64 00 3C 04 04");   /* F3 */
    expect_request(6000, 32, "01 03 17 70 00 20 40 7D");  /* F4 */
    expect_request(100, 5, "01 03 00 64 00 05 C4 16");    /* F13 */
    uint8_t out[8];
    CU_ASSERT_EQUAL(bluetti_modbus_build_read(1, 0, 0, out), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_modbus_build_read(1, 0, 126, out), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_modbus_build_read(1, 0, 125, out), 0);
    CU_ASSERT_EQUAL(out[5], 125);
    CU_ASSERT_EQUAL(bluetti_modbus_build_read(1, 0, 1, NULL), BLUETTI_E_INVAL);
}

/* Parse hex frame `hex` as the reply to (address 1, count). */
static int parse(const char *hex, uint16_t count, const uint8_t **pl, size_t *pl_len,
                 uint8_t *exc, uint8_t **frame)
{
    size_t len;
    *frame = bt_hex(hex, &len);
    return bluetti_modbus_parse_read(*frame, len, 1, count, pl, pl_len, exc);
}

static void test_reply_ok(void)
{
    const uint8_t *pl = NULL;
    size_t n = 0;
    uint8_t *f;
    /* F8 */
    CU_ASSERT_EQUAL_FATAL(parse("01 03 04 00 64 00 C8 BA 7A", 2, &pl, &n, NULL, &f), 0);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_PTR_EQUAL(pl, f + 3);
    CU_ASSERT_EQUAL(memcmp(pl, "\x00\x64\x00\xC8", 4), 0);
    free(f);
    /* F5: the reply to F1, 32 bytes of block 1300 */
    CU_ASSERT_EQUAL_FATAL(parse("01 03 20 02 58 00 00 00 00 00 01 E2 40 00 00 03 15 00 00 00 00 00 00"
                          " 00 00 00 00 00 00 04 AC 09 00 00 34 D8 92", 16, &pl, &n, NULL, &f), 0);
    CU_ASSERT_EQUAL_FATAL(n, 32);
    CU_ASSERT_EQUAL(pl[0], 0x02);
    CU_ASSERT_EQUAL(pl[1], 0x58);
    CU_ASSERT_EQUAL(pl[31], 0x34);
    free(f);
    /* F6: 137 bytes, the reply to F2 */
    CU_ASSERT_EQUAL_FATAL(parse("010384" F6_PAYLOAD "56F3", 66, &pl, &n, NULL, &f), 0);
    CU_ASSERT_EQUAL_FATAL(n, 132);
    CU_ASSERT_EQUAL(memcmp(pl + 20, "EL100V2", 7), 0);
    free(f);
}

static void test_reply_errors(void)
{
    const uint8_t *pl = (const uint8_t *)"x";
    size_t n = 99;
    uint8_t exc = 0, *f;
    /* F7: exception "illegal data address" */
    CU_ASSERT_EQUAL(parse("01 83 02 C0 F1", 16, &pl, &n, &exc, &f), BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(exc, 2);
    CU_ASSERT_PTR_NULL(pl);
    CU_ASSERT_EQUAL(n, 0);
    free(f);
    /* F7 without somewhere to put the code still reports the exception */
    CU_ASSERT_EQUAL(parse("01 83 02 C0 F1", 16, NULL, NULL, NULL, &f), BLUETTI_E_EXCEPTION);
    free(f);
    /* an exception frame with a valid CRC but an extra byte */
    CU_ASSERT_EQUAL(parse("01 83 02 00 F1 50", 16, NULL, NULL, &exc, &f), BLUETTI_E_FRAME);
    free(f);
    /* F9: CRC */
    CU_ASSERT_EQUAL(parse("01 03 04 00 64 00 C8 FF FF", 2, &pl, &n, NULL, &f), BLUETTI_E_CRC);
    free(f);
    /* F10: reply from address 2 to a request for address 1 (CRC valid) */
    CU_ASSERT_EQUAL(parse("02 03 04 00 64 00 C8 89 7A", 2, &pl, &n, NULL, &f), BLUETTI_E_ADDRESS);
    free(f);
    /* F11: trailing byte; its last two bytes are no CRC, and CRC is checked first */
    CU_ASSERT_EQUAL(parse("01 03 02 00 01 AB CD FF", 1, &pl, &n, NULL, &f), BLUETTI_E_CRC);
    free(f);
    /* the same trailing byte under a valid CRC is a framing error */
    CU_ASSERT_EQUAL(parse("01 03 02 00 01 AB 04 5D", 1, &pl, &n, NULL, &f), BLUETTI_E_FRAME);
    free(f);
    /* F12: truncated (byte count 10, 5 bytes) fails its CRC; 2 bytes are too short */
    CU_ASSERT_EQUAL(parse("01 03 0A 00 01", 5, &pl, &n, NULL, &f), BLUETTI_E_CRC);
    free(f);
    CU_ASSERT_EQUAL(parse("01 03", 5, &pl, &n, NULL, &f), BLUETTI_E_FRAME);
    free(f);
    CU_ASSERT_EQUAL(bluetti_modbus_parse_read(NULL, 0, 1, 5, &pl, &n, NULL), BLUETTI_E_FRAME);
    /* byte count 4 with a valid CRC, but only 3 data bytes */
    CU_ASSERT_EQUAL(parse("01 03 04 00 64 00 6E 3A", 2, &pl, &n, NULL, &f), BLUETTI_E_FRAME);
    free(f);
    /* F8 is a good frame, but not the answer to a 3-register request */
    CU_ASSERT_EQUAL(parse("01 03 04 00 64 00 C8 BA 7A", 3, &pl, &n, NULL, &f),
                    BLUETTI_E_BYTE_COUNT);
    free(f);
    /* function 0x04 with a valid CRC */
    CU_ASSERT_EQUAL(parse("01 04 02 00 01 78 F0", 1, &pl, &n, NULL, &f), BLUETTI_E_FUNCTION);
    free(f);
    /* the request count itself must be valid */
    CU_ASSERT_EQUAL(parse("01 03 04 00 64 00 C8 BA 7A", 0, &pl, &n, NULL, &f), BLUETTI_E_INVAL);
    free(f);
    CU_ASSERT_EQUAL(parse("01 03 04 00 64 00 C8 BA 7A", 126, &pl, &n, NULL, &f), BLUETTI_E_INVAL);
    free(f);
}

/* The one framing verdict the session uses: length as announced by the
 * header first, so truncation and padding are named as such. */
static int verdict(const char *hex, uint8_t address, uint16_t count, bluetti_modbus_reply *r)
{
    size_t len;
    uint8_t *f = bt_hex(hex, &len);
    int rc = bluetti_modbus_parse_reply(f, len, address, count, r);
    free(f);
    return rc;
}

static void test_reply_verdict(void)
{
    bluetti_modbus_reply r;
    /* F8 */
    size_t len;
    uint8_t *f = bt_hex("01 03 04 00 64 00 C8 BA 7A", &len);
    CU_ASSERT_EQUAL(bluetti_modbus_parse_reply(f, len, 1, 2, &r), 0);
    CU_ASSERT_PTR_EQUAL(r.payload, f + 3);
    CU_ASSERT_EQUAL(r.payload_len, 4);
    CU_ASSERT_PTR_NULL(r.why);
    free(f);
    /* an exception with a trailing byte: trailing bytes, not "truncated" */
    CU_ASSERT_EQUAL(verdict("01 83 02 00 F1 50", 1, 16, &r), BLUETTI_E_FRAME);
    CU_ASSERT_STRING_EQUAL(r.why, "trailing bytes");
    /* a truncated exception and a truncated read reply */
    CU_ASSERT_EQUAL(verdict("01 83 02 C0", 1, 16, &r), BLUETTI_E_FRAME);
    CU_ASSERT_STRING_EQUAL(r.why, "reply shorter than 5 bytes");
    CU_ASSERT_EQUAL(verdict("01 03 0A 00 01", 1, 5, &r), BLUETTI_E_FRAME);
    CU_ASSERT_STRING_EQUAL(r.why, "reply truncated");
    /* padding under the announced length, CRC or not */
    CU_ASSERT_EQUAL(verdict("01 03 02 00 01 AB CD FF", 1, 1, &r), BLUETTI_E_FRAME);
    CU_ASSERT_STRING_EQUAL(r.why, "trailing bytes");
    /* F7 */
    CU_ASSERT_EQUAL(verdict("01 83 02 C0 F1", 1, 16, &r), BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(r.exception_code, 2);
    /* CRC, address, function, byte count */
    CU_ASSERT_EQUAL(verdict("01 03 04 00 64 00 C8 FF FF", 1, 2, &r), BLUETTI_E_CRC);
    CU_ASSERT_EQUAL(verdict("02 03 04 00 64 00 C8 89 7A", 1, 2, &r), BLUETTI_E_ADDRESS);
    CU_ASSERT_EQUAL(verdict("01 04 02 00 01 78 F0", 1, 1, &r), BLUETTI_E_FUNCTION);
    CU_ASSERT_EQUAL(verdict("01 03 04 00 64 00 C8 BA 7A", 1, 3, &r), BLUETTI_E_BYTE_COUNT);
    /* address 0 is a unicast address like any other */
    f = bt_hex("00 03 02 00 2A 00 00", &len);
    uint16_t crc = bluetti_crc16(f, 5);
    f[5] = (uint8_t)crc;
    f[6] = (uint8_t)(crc >> 8);
    CU_ASSERT_EQUAL(bluetti_modbus_parse_reply(f, len, 0, 1, &r), 0);
    CU_ASSERT_EQUAL(bluetti_modbus_parse_reply(f, len, 1, 1, &r), BLUETTI_E_ADDRESS);
    free(f);
    CU_ASSERT_EQUAL(bluetti_modbus_parse_reply(NULL, 0, 1, 1, NULL), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(verdict("01 03 04 00 64 00 C8 BA 7A", 1, 0, &r), BLUETTI_E_INVAL);
}

static void test_round_trip(void)
{
    /* a reply built here for every register count parses back exactly */
    uint8_t frame[BLUETTI_MODBUS_MAX_FRAME];
    for (unsigned count = 1; count <= BLUETTI_MODBUS_MAX_REGISTERS; count++) {
        size_t n = 2 * count;
        frame[0] = 7;
        frame[1] = 3;
        frame[2] = (uint8_t)n;
        for (size_t k = 0; k < n; k++) frame[3 + k] = (uint8_t)(k * 31 + count);
        uint16_t crc = bluetti_crc16(frame, 3 + n);
        frame[3 + n] = (uint8_t)crc;
        frame[4 + n] = (uint8_t)(crc >> 8);
        const uint8_t *pl = NULL;
        size_t pl_len = 0;
        int rc = bluetti_modbus_parse_read(frame, 5 + n, 7, (uint16_t)count, &pl, &pl_len, NULL);
        if (rc != 0 || pl_len != n || pl != frame + 3) {
            CU_FAIL("round trip failed");
            return;
        }
        /* one byte short of it never parses */
        CU_ASSERT_NOT_EQUAL(bluetti_modbus_parse_read(frame, 4 + n, 7, (uint16_t)count, &pl,
                                                      &pl_len, NULL), 0);
    }
}

static void test_hex_parse(void)
{
    uint8_t out[16];
    size_t bad = 999;
    const char *t = "01 03 05";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), 3);
    CU_ASSERT_EQUAL(memcmp(out, "\x01\x03\x05", 3), 0);
    t = "010305aBcD";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), 5);
    CU_ASSERT_EQUAL(out[3], 0xAB);
    CU_ASSERT_EQUAL(out[4], 0xCD);
    t = "0x01,0x03, 0X0a";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), 3);
    CU_ASSERT_EQUAL(out[2], 0x0A);
    t = "0102\n0304\r\n\t05:06-07;08";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), 8);
    CU_ASSERT_EQUAL(out[7], 8);
    CU_ASSERT_EQUAL(bluetti_hex_parse("", 0, out, sizeof out, &bad), 0);
    CU_ASSERT_EQUAL(bluetti_hex_parse(NULL, 0, out, sizeof out, &bad), 0);
    CU_ASSERT_EQUAL(bluetti_hex_parse(" \n ", 3, out, sizeof out, &bad), 0);
    /* text_len bounds the parse: the rest is not read */
    CU_ASSERT_EQUAL(bluetti_hex_parse("0102zz", 4, out, sizeof out, &bad), 2);

    /* odd digit counts: the unpaired digit is reported */
    t = "010";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bad, 2);
    t = "01 2 03";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bad, 3);
    t = "0x1";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bad, 2);
    /* bad characters with their position */
    t = "01 0g";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bad, 4);
    t = "01 zz";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bad, 3);
    t = "0x";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bad, 2);
    t = "01x2";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, sizeof out, &bad), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bad, 2);
    CU_ASSERT_EQUAL(bluetti_hex_parse("01\0002", 4, out, sizeof out, &bad), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bad, 2);
    /* NULL bad_pos is allowed */
    CU_ASSERT_EQUAL(bluetti_hex_parse("q", 1, out, sizeof out, NULL), BLUETTI_E_HEX);

    /* overflow: more bytes than cap */
    t = "01020304";
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, 4, &bad), 4);
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), out, 3, &bad), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_hex_parse(t, strlen(t), NULL, 0, &bad), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_hex_parse(NULL, 3, out, sizeof out, &bad), BLUETTI_E_INVAL);
}

static void test_hex_format(void)
{
    const uint8_t d[] = { 0x01, 0xAB, 0xFF };
    char out[16];
    CU_ASSERT_EQUAL(bluetti_hex_format(d, 3, 0, out, sizeof out), 6);
    CU_ASSERT_STRING_EQUAL(out, "01abff");
    CU_ASSERT_EQUAL(bluetti_hex_format(d, 3, ' ', out, sizeof out), 8);
    CU_ASSERT_STRING_EQUAL(out, "01 ab ff");
    /* truncated, still terminated; returns the length it needed */
    memset(out, 'x', sizeof out);
    CU_ASSERT_EQUAL(bluetti_hex_format(d, 3, ' ', out, 5), 8);
    CU_ASSERT_STRING_EQUAL(out, "01 a");
    CU_ASSERT_EQUAL(bluetti_hex_format(d, 3, ' ', out, 4), 8);
    CU_ASSERT_STRING_EQUAL(out, "01 ");
    CU_ASSERT_EQUAL(bluetti_hex_format(d, 3, ' ', out, 1), 8);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_EQUAL(bluetti_hex_format(d, 3, 0, NULL, 0), 6);
    CU_ASSERT_EQUAL(bluetti_hex_format(d, 0, ' ', out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, "");
    /* format then parse gives the bytes back */
    uint8_t back[3];
    bluetti_hex_format(d, 3, ',', out, sizeof out);
    CU_ASSERT_EQUAL(bluetti_hex_parse(out, strlen(out), back, 3, NULL), 3);
    CU_ASSERT_EQUAL(memcmp(back, d, 3), 0);
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("modbus", NULL, NULL);
    if (!s) return -1;
    if (!CU_add_test(s, "crc-16/modbus", test_crc) ||
        !CU_add_test(s, "read requests F1-F4, F13", test_build) ||
        !CU_add_test(s, "good replies F5, F6, F8", test_reply_ok) ||
        !CU_add_test(s, "bad replies F7, F9-F12", test_reply_errors) ||
        !CU_add_test(s, "one framing verdict", test_reply_verdict) ||
        !CU_add_test(s, "round trip 1..125 registers", test_round_trip))
        return -1;
    CU_pSuite h = CU_add_suite("hex", NULL, NULL);
    if (!h) return -1;
    if (!CU_add_test(h, "parse", test_hex_parse) || !CU_add_test(h, "format", test_hex_format))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add);
}
