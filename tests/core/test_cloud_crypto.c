/* libbluetti-cloud: every test vector of docs/protocol/cloud.md
 * ("Test vectors"), plus the error paths of each primitive. */
#include "config.h"

#include "testutil.h"

#include <bluetti/cloud.h>

#include <stdlib.h>
#include <string.h>

#define APP_KEY "1783AF460D4D0615365940C9D3A"
#define SID "EXAMPLESID"
#define MS 1777630585000ull

static void test_password(void)
{
    char h[65], po[128];
    CU_ASSERT_EQUAL(bluetti_cloud_password_hash("TestPassword123!", h), 0);
    CU_ASSERT_STRING_EQUAL(h, "FFC121A2210958BF74E5A874668F3D978D24B6A8241496CCFF3C0EA245E4F126");
    CU_ASSERT_EQUAL(bluetti_cloud_pass_open("TestPassword123!", po, sizeof po), 0);
    CU_ASSERT_STRING_EQUAL(po, "b890d65b4cad5e88b713c465bda69ec02cff13ed3ea675b79b7944e70d5281cd");
    /* 16 bytes of password need two blocks: 64 hex + NUL */
    CU_ASSERT_EQUAL(bluetti_cloud_pass_open("TestPassword123!", po, 64), BLUETTI_E_NOMEM);
    CU_ASSERT_EQUAL(bluetti_cloud_pass_open("TestPassword123!", po, 65), 0);
    CU_ASSERT_EQUAL(bluetti_cloud_password_hash(NULL, h), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_cloud_pass_open(NULL, po, sizeof po), BLUETTI_E_INVAL);
}

static void test_totp(void)
{
    char t[9];
    CU_ASSERT_EQUAL(bluetti_cloud_totp_counter(1710000000000ull), 11282760u);
    CU_ASSERT_EQUAL(bluetti_cloud_totp("user-id", "device-id", 1710000000000ull, t), 0);
    CU_ASSERT_STRING_EQUAL(t, "60922689");
    /* the certificate-download TOTP and the MQTT password of the chain vector */
    CU_ASSERT_EQUAL(bluetti_cloud_totp_counter(MS), 0xCE8F58u);
    CU_ASSERT_EQUAL(bluetti_cloud_totp("user-id", "device-id", MS, t), 0);
    CU_ASSERT_STRING_EQUAL(t, "76820530");
    CU_ASSERT_EQUAL(bluetti_cloud_totp(SID, "EXAMPLEPART0", MS, t), 0);
    CU_ASSERT_STRING_EQUAL(t, "75837507");
    /* the same 30-second step gives the same code; the next step another */
    char u[9];
    CU_ASSERT_EQUAL(bluetti_cloud_totp(SID, "EXAMPLEPART0", MS + 1, u), 0);
    CU_ASSERT_STRING_EQUAL(u, t);
    uint64_t next = (MS / 30000 + 1) * 30000 + 5000;  /* T0 is a multiple of 30 s plus 0 */
    CU_ASSERT_EQUAL(bluetti_cloud_totp_counter(next), bluetti_cloud_totp_counter(MS) + 1);
    CU_ASSERT_EQUAL(bluetti_cloud_totp(SID, "EXAMPLEPART0", next, u), 0);
    CU_ASSERT_STRING_NOT_EQUAL(u, t);
    CU_ASSERT_EQUAL(bluetti_cloud_totp_counter(0), 0u);
    CU_ASSERT_EQUAL(bluetti_cloud_totp("x", "device-id", MS, t), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_cloud_totp("user-id", "", MS, t), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_cloud_totp(NULL, "b", MS, t), BLUETTI_E_INVAL);
}

static void test_sign(void)
{
    char s[33];
    CU_ASSERT_EQUAL(bluetti_cloud_sign(MS, "/api/midppkic/cert/app/v2/now/utc-time", APP_KEY,
                                       "3.0.8", "ios", SID, s), 0);
    CU_ASSERT_STRING_EQUAL(s, "FDED5811F4D6C659FA7477D1D35A0E19");
    /* the PFX sign takes the TOTP read as a number, in hex */
    CU_ASSERT_EQUAL(bluetti_cloud_sign(76820530u, "/api/midppkic/cert/app/v1/pfx", APP_KEY, "3.0.8",
                                       "ios", SID, s), 0);
    CU_ASSERT_STRING_EQUAL(s, "409C9056272E82B9545D67139CA42B63");
    CU_ASSERT_EQUAL(bluetti_cloud_sign(MS, NULL, APP_KEY, "3.0.8", "ios", SID, s), BLUETTI_E_INVAL);
}

static void test_certificate_chain(void)
{
    char sign[33], xsig[65], res[65];
    uint8_t pw[64];
    size_t n = 0;
    CU_ASSERT_EQUAL(bluetti_cloud_sign(MS, "/api/midppkic/cert/app/v2/now/utc-time", APP_KEY,
                                       "3.0.8", "ios", SID, sign), 0);
    /* what the server sends in X-Signature, and back */
    const char *pfx_pw = "ExamplePfxPassword";
    CU_ASSERT_EQUAL(bluetti_cloud_aes_encrypt_hex(sign, (const uint8_t *)pfx_pw, strlen(pfx_pw),
                                                  xsig, sizeof xsig), 0);
    CU_ASSERT_STRING_EQUAL(xsig, "9adcd4961cf709b14c4f76806b9bc6ab8e67cb90c7bde820277a8e5db9715d64");
    CU_ASSERT_EQUAL(bluetti_cloud_aes_decrypt_hex(sign,
        "9ADCD4961CF709B14C4F76806B9BC6AB8E67CB90C7BDE820277A8E5DB9715D64", pw, sizeof pw, &n), 0);
    CU_ASSERT_EQUAL(n, strlen(pfx_pw));
    CU_ASSERT_EQUAL(memcmp(pw, pfx_pw, n), 0);
    /* x-app-resource: the password under the PFX sign */
    char pfx_sign[33];
    CU_ASSERT_EQUAL(bluetti_cloud_sign(76820530u, "/api/midppkic/cert/app/v1/pfx", APP_KEY, "3.0.8",
                                       "ios", SID, pfx_sign), 0);
    CU_ASSERT_EQUAL(bluetti_cloud_aes_encrypt_hex(pfx_sign, (const uint8_t *)pfx_pw, strlen(pfx_pw),
                                                  res, sizeof res), 0);
    CU_ASSERT_STRING_EQUAL(res, "f27649eeafd3970679c175fd4229d55cb7c085ac3587b1aaf9e138ec83aeed77");
    /* a wrong key fails the padding check (or, rarely, yields other bytes) */
    int rc = bluetti_cloud_aes_decrypt_hex(pfx_sign, xsig, pw, sizeof pw, &n);
    CU_ASSERT(rc == BLUETTI_E_BAD_VALUE || (rc == 0 && (n != strlen(pfx_pw) ||
                                                        memcmp(pw, pfx_pw, n) != 0)));
    /* malformed hex: odd length, not a block multiple, stray characters */
    CU_ASSERT_EQUAL(bluetti_cloud_aes_decrypt_hex(sign, "abc", pw, sizeof pw, &n), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bluetti_cloud_aes_decrypt_hex(sign, "", pw, sizeof pw, &n), BLUETTI_E_HEX);
    CU_ASSERT_EQUAL(bluetti_cloud_aes_decrypt_hex(sign,
        "9ADCD4961CF709B14C4F76806B9BC6AB8E67CB90C7BDE820277A8E5DB9715D6Z", pw, sizeof pw, &n),
        BLUETTI_E_HEX);
    /* too small an output buffer */
    CU_ASSERT_EQUAL(bluetti_cloud_aes_decrypt_hex(sign, xsig, pw, 4, &n), BLUETTI_E_NOMEM);
    CU_ASSERT_EQUAL(n, 0u);
}

static void test_token(void)
{
    char p0[32], p1[32];
    CU_ASSERT_EQUAL(bluetti_cloud_token_parts("EXAMPLEPART0.EXAMPLESID.sig", p0, sizeof p0, p1,
                                              sizeof p1), 0);
    CU_ASSERT_STRING_EQUAL(p0, "EXAMPLEPART0");
    CU_ASSERT_STRING_EQUAL(p1, "EXAMPLESID");
    CU_ASSERT_EQUAL(bluetti_cloud_token_parts("a.b", p0, sizeof p0, p1, sizeof p1), 0);
    CU_ASSERT_STRING_EQUAL(p1, "b");
    CU_ASSERT_EQUAL(bluetti_cloud_token_parts("nodot", p0, sizeof p0, p1, sizeof p1), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_cloud_token_parts(".x", p0, sizeof p0, p1, sizeof p1), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_cloud_token_parts("x.", p0, sizeof p0, p1, sizeof p1), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_cloud_token_parts("x..y", p0, sizeof p0, p1, sizeof p1), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_cloud_token_parts("xx.yyyy", p0, 2, p1, sizeof p1), BLUETTI_E_NOMEM);
}

/* Wrap a Modbus frame and compare with a payload given as hex. */
static void expect_wrap(int kind, uint16_t reg, const char *frame_hex, const char *payload_hex)
{
    size_t fl, pl, n = 0;
    uint8_t *f = bt_hex(frame_hex, &fl), *p = bt_hex(payload_hex, &pl), out[64];
    CU_ASSERT_EQUAL(bluetti_envelope_wrap(kind, reg, f, fl, out, sizeof out, &n), 0);
    CU_ASSERT_EQUAL(n, pl);
    CU_ASSERT_EQUAL(memcmp(out, p, pl), 0);
    /* and back: the frame is found again, with the header's register */
    bluetti_envelope_info info;
    const uint8_t *got;
    size_t gl;
    CU_ASSERT_EQUAL(bluetti_envelope_unwrap(p, pl, kind, &info, &got, &gl), 0);
    CU_ASSERT_EQUAL(info.kind, kind);
    CU_ASSERT_EQUAL(gl, fl);
    CU_ASSERT_EQUAL(memcmp(got, f, fl), 0);
    if (kind == BLUETTI_ENVELOPE_NEW) CU_ASSERT_EQUAL(info.reg, reg);
    free(f);
    free(p);
}

static void test_envelope_vectors(void)
{
    /* W1-W4: the app's own switch frames */
    expect_wrap(BLUETTI_ENVELOPE_NEW, 2011, "000607db00013894", "01f80f07db0000000000000607db00013894");
    expect_wrap(BLUETTI_ENVELOPE_NEW, 2011, "000607db0000f954", "01f80f07db0000000000000607db0000f954");
    expect_wrap(BLUETTI_ENVELOPE_NEW, 2012, "000607dc00018955", "01f80f07dc0000000000000607dc00018955");
    expect_wrap(BLUETTI_ENVELOPE_NEW, 2012, "000607dc00004895", "01f80f07dc0000000000000607dc00004895");
    /* R1, R2, R5, R6: reads in the new envelope at addresses 0 and 1 */
    expect_wrap(BLUETTI_ENVELOPE_NEW, 100, "00030064003e8414", "01f80f00640000000000" "00030064003e8414");
    expect_wrap(BLUETTI_ENVELOPE_NEW, 100, "01030064003e85c5", "01f80f00640000000000" "01030064003e85c5");
    expect_wrap(BLUETTI_ENVELOPE_NEW, 6000, "00031770002ac1ab", "01f80f17700000000000" "00031770002ac1ab");
    expect_wrap(BLUETTI_ENVELOPE_NEW, 2000, "000307d0001ec49e", "01f80f07d00000000000" "000307d0001ec49e");
    /* R3: the old prefix; R4: raw */
    expect_wrap(BLUETTI_ENVELOPE_OLD, 100, "01030064003e85c5", "01" "01030064003e85c5");
    expect_wrap(BLUETTI_ENVELOPE_RAW, 100, "0103006400428424", "0103006400428424");
    /* N1: the node query */
    expect_wrap(BLUETTI_ENVELOPE_NEW, 21000, "001052080001020001188d",
                "01f80f52080000000000" "001052080001020001188d");
    /* the frames' CRCs are right (they are the vectors' own) */
    size_t n;
    uint8_t *e = bt_hex("0083029131", &n);
    uint16_t crc = bluetti_crc16(e, n - 2);
    CU_ASSERT_EQUAL(e[n - 2] | e[n - 1] << 8, crc);
    free(e);
}

static void test_envelope_reply(void)
{
    /* a real reply header: register 0, RSSI B9 = -71 dBm; then address 0,
     * FC 03, 124 bytes; the CRC is computed here over that frame */
    uint8_t p[10 + 3 + 124 + 2] = {0x01, 0xF8, 0x0F, 0, 0, 0, 0, 0xB9, 0, 0, 0x00, 0x03, 0x7C};
    for (int i = 0; i < 124; i++) p[13 + i] = (uint8_t)i;
    uint16_t crc = bluetti_crc16(p + 10, 3 + 124);
    p[137] = (uint8_t)crc;
    p[138] = (uint8_t)(crc >> 8);
    bluetti_envelope_info info;
    const uint8_t *f;
    size_t fl;
    CU_ASSERT_EQUAL(bluetti_envelope_unwrap(p, sizeof p, BLUETTI_ENVELOPE_NEW, &info, &f, &fl), 0);
    CU_ASSERT_EQUAL(info.kind, BLUETTI_ENVELOPE_NEW);
    CU_ASSERT_EQUAL(info.reg, 0);
    CU_ASSERT(info.has_rssi);
    CU_ASSERT_EQUAL(info.rssi, -71);
    CU_ASSERT_EQUAL(info.header_len, 10u);
    CU_ASSERT_EQUAL(fl, 129u);
    CU_ASSERT_PTR_EQUAL(f, p + 10);
    /* even a device configured as raw gets its new-envelope reply read */
    CU_ASSERT_EQUAL(bluetti_envelope_unwrap(p, sizeof p, BLUETTI_ENVELOPE_RAW, &info, &f, &fl), 0);
    CU_ASSERT_EQUAL(info.kind, BLUETTI_ENVELOPE_NEW);

    /* a bare reply from address 1 starts with 01 like the old prefix: the CRC decides */
    size_t bl;
    uint8_t *bare = bt_hex("018302c0f1", &bl);
    CU_ASSERT_EQUAL(bluetti_envelope_unwrap(bare, bl, BLUETTI_ENVELOPE_OLD, &info, &f, &fl), 0);
    CU_ASSERT_EQUAL(info.kind, BLUETTI_ENVELOPE_RAW);
    CU_ASSERT_EQUAL(fl, 5u);
    free(bare);
    /* E1 at address 1 behind the old prefix */
    uint8_t *old = bt_hex("01018302c0f1", &bl);
    CU_ASSERT_EQUAL(bluetti_envelope_unwrap(old, bl, BLUETTI_ENVELOPE_RAW, &info, &f, &fl), 0);
    CU_ASSERT_EQUAL(info.kind, BLUETTI_ENVELOPE_OLD);
    CU_ASSERT_EQUAL(fl, 5u);
    free(old);
    /* nothing checks: the reading the first bytes announce, for the caller's CRC error */
    uint8_t *bad = bt_hex("01f80f00640000000000" "0003020000ffff", &bl);
    CU_ASSERT_EQUAL(bluetti_envelope_unwrap(bad, bl, BLUETTI_ENVELOPE_NEW, &info, &f, &fl), 0);
    CU_ASSERT_EQUAL(info.kind, BLUETTI_ENVELOPE_NEW);
    CU_ASSERT_EQUAL(fl, 7u);
    free(bad);
    /* too short for any frame */
    uint8_t tiny[3] = {0x01, 0x03, 0x00};
    CU_ASSERT_EQUAL(bluetti_envelope_unwrap(tiny, sizeof tiny, BLUETTI_ENVELOPE_RAW, &info, &f, &fl),
                    BLUETTI_E_FRAME);
    CU_ASSERT_EQUAL(bluetti_envelope_unwrap(tiny, 0, BLUETTI_ENVELOPE_RAW, &info, &f, &fl),
                    BLUETTI_E_FRAME);
}

static void test_envelope_names(void)
{
    CU_ASSERT_EQUAL(bluetti_envelope_parse("new"), BLUETTI_ENVELOPE_NEW);
    CU_ASSERT_EQUAL(bluetti_envelope_parse("old"), BLUETTI_ENVELOPE_OLD);
    CU_ASSERT_EQUAL(bluetti_envelope_parse("raw"), BLUETTI_ENVELOPE_RAW);
    CU_ASSERT_EQUAL(bluetti_envelope_parse("NEW"), -1);
    CU_ASSERT_EQUAL(bluetti_envelope_parse(NULL), -1);
    CU_ASSERT_STRING_EQUAL(bluetti_envelope_name(BLUETTI_ENVELOPE_OLD), "old");
    CU_ASSERT_STRING_EQUAL(bluetti_envelope_name(7), "?");
    uint8_t out[4], f[8] = {0};
    size_t n;
    CU_ASSERT_EQUAL(bluetti_envelope_wrap(BLUETTI_ENVELOPE_NEW, 1, f, sizeof f, out, sizeof out, &n),
                    BLUETTI_E_NOMEM);
    CU_ASSERT_EQUAL(bluetti_envelope_wrap(9, 1, f, sizeof f, out, sizeof out, &n), BLUETTI_E_INVAL);
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("cloud algorithms", NULL, NULL);
    CU_pSuite e = CU_add_suite("payload envelope", NULL, NULL);
    if (!s || !e) return (int)CU_get_error();
    if (!CU_add_test(s, "login password and passOpen", test_password) ||
        !CU_add_test(s, "TOTP", test_totp) ||
        !CU_add_test(s, "request sign", test_sign) ||
        !CU_add_test(s, "certificate password chain", test_certificate_chain) ||
        !CU_add_test(s, "token parts", test_token) ||
        !CU_add_test(e, "request vectors", test_envelope_vectors) ||
        !CU_add_test(e, "replies and headers", test_envelope_reply) ||
        !CU_add_test(e, "names and errors", test_envelope_names))
        return (int)CU_get_error();
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add);
}
