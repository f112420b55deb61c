/* transport-ble's protocol library alone: every test vector of
 * docs/protocol/ble.md (T1-T5), the signatures and ECDH, the keys file
 * (the shipped app keys against their fingerprints, and bad files), and
 * the reassembly of fragmented notifications. */
#include "config.h"

#include "testutil.h"

#include "ble_client.h"
#include "ble_crypto.h"
#include "ble_frame.h"
#include "ble_keys.h"

#include <openssl/core_names.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool eq_hex(const uint8_t *p, size_t n, const char *hex)
{
    size_t len;
    uint8_t *want = bt_hex(hex, &len);
    bool ok = len == n && memcmp(p, want, n) == 0;
    free(want);
    return ok;
}

/* Message 1 -> IVh, Kh and message 2, for one vector. */
static void check_challenge(const char *msg1, const char *ivh, const char *kh, const char *msg2)
{
    ble_keys k;
    char why[256] = "";
    CU_ASSERT_EQUAL_FATAL(ble_keys_load(bt_src_path("data/ble/app-keys.pem"), &k, why, sizeof why), 0);
    size_t n;
    uint8_t *m1 = bt_hex(msg1, &n), type;
    const uint8_t *data;
    size_t len;
    CU_ASSERT_EQUAL(ble_hs_parse(m1, n, &type, &data, &len), 0);
    CU_ASSERT_EQUAL(type, 1);
    CU_ASSERT_EQUAL(len, 4);
    uint8_t iv[16], key[16], f[16];
    CU_ASSERT_EQUAL(ble_challenge_keys(data, k.app_key, iv, key), 0);
    CU_ASSERT(eq_hex(iv, 16, ivh));
    CU_ASSERT(eq_hex(key, 16, kh));
    size_t fl = 0;
    CU_ASSERT_EQUAL(ble_hs_frame(2, iv + 8, 4, f, sizeof f, &fl), 0);
    CU_ASSERT(eq_hex(f, fl, msg2));
    free(m1);
    ble_keys_clear(&k);
}

/* T1 and T2: real units and the vendor's library. */
static void test_t1_t2(void)
{
    check_challenge("2a2a01048f57b72701c9", "d705fceee20100a6f9916931f360363b",
                    "929a39db62884157890089a8cd83df06", "2a2a0204f9916931022a");
    check_challenge("2a2a01049ddd144401d7", "64b11d68483fbf56daae54cc199b1014",
                    "212ed85dc8b6fea7aa3fb4552778f929", "2a2a0204daae54cc02ae");
    /* message 3 of both captures parses as "accepted" */
    size_t n;
    uint8_t *m3 = bt_hex("2a2a0301000004", &n), type;
    const uint8_t *data;
    size_t len;
    CU_ASSERT_EQUAL(ble_hs_parse(m3, n, &type, &data, &len), 0);
    CU_ASSERT_EQUAL(type, 3);
    CU_ASSERT_EQUAL(data[0], 0);
    /* a wrong byte sum is refused */
    m3[6] ^= 1;
    CU_ASSERT_EQUAL(ble_hs_parse(m3, n, &type, &data, &len), BLUETTI_E_CRC);
    free(m3);
    /* T2's message 4: the first two blocks under Kh / IVh */
    uint8_t *c = bt_hex("39243a73736f464fefbd8bdc428eb875de50e27c329d2a49b855e4ed3ee54daa", &n);
    uint8_t *kh = bt_hex("212ed85dc8b6fea7aa3fb4552778f929", &len);
    uint8_t *iv = bt_hex("64b11d68483fbf56daae54cc199b1014", &len), out[32];
    CU_ASSERT_EQUAL(ble_aes_cbc(false, kh, 16, iv, c, 32, out), 0);
    CU_ASSERT(eq_hex(out, 32, "2a2a0480d3c945e05f8ecccc064814f3629a99d8370945ae6d419fdc483a79e4"));
    /* not whole blocks, or a key of another size */
    CU_ASSERT_EQUAL(ble_aes_cbc(false, kh, 16, iv, c, 31, out), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(ble_aes_cbc(false, kh, 24, iv, c, 32, out), BLUETTI_E_INVAL);
    free(c);
    free(kh);
    free(iv);
}

/* T3: synthetic challenge, the fixed-IV and the session wrap. */
static void test_t3(void)
{
    check_challenge("2a2a010401020304000f", "c73cabeb6558aba030bba9ca49dcdd75",
                    "82a36edee5d1ea51402a4953773f3448", "2a2a020430bba9ca0264");
    size_t n, kl, pl;
    uint8_t *kh = bt_hex("82a36edee5d1ea51402a4953773f3448", &n);
    uint8_t *iv = bt_hex("c73cabeb6558aba030bba9ca49dcdd75", &n);
    uint8_t *plain = bt_hex("0103006600016415", &pl);
    uint8_t *ks = bt_hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", &kl);
    const uint8_t seed[4] = { 0xa1, 0xb2, 0xc3, 0xd4 };
    uint8_t w[64], back[32];
    size_t wl = 0, bl = 0;
    CU_ASSERT_EQUAL(ble_wrap(kh, 16, iv, NULL, plain, pl, w, sizeof w, &wl), 0);
    CU_ASSERT(eq_hex(w, wl, "000883ada0cdda371dc62784f0bdbac9d51c"));
    CU_ASSERT_EQUAL(ble_unwrap(kh, 16, iv, false, w, wl, back, sizeof back, &bl), 0);
    CU_ASSERT(bl == pl && memcmp(back, plain, pl) == 0);
    CU_ASSERT_EQUAL(ble_wrap(ks, kl, NULL, seed, plain, pl, w, sizeof w, &wl), 0);
    CU_ASSERT(eq_hex(w, wl, "0008a1b2c3d4f2c5b09caeda80310fcd914bddba6f64"));
    CU_ASSERT_EQUAL(ble_unwrap(ks, kl, NULL, true, w, wl, back, sizeof back, &bl), 0);
    CU_ASSERT(bl == pl && memcmp(back, plain, pl) == 0);
    /* a frame cut short, one with a block too many, a zero length */
    CU_ASSERT_EQUAL(ble_unwrap(ks, kl, NULL, true, w, wl - 1, back, sizeof back, &bl), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(ble_unwrap(kh, 16, iv, false, w, wl, back, sizeof back, &bl), BLUETTI_E_INVAL);
    w[0] = w[1] = 0;
    CU_ASSERT_EQUAL(ble_unwrap(ks, kl, NULL, true, w, wl, back, sizeof back, &bl), BLUETTI_E_INVAL);
    /* too small an output buffer, an empty or oversized plaintext */
    CU_ASSERT_EQUAL(ble_wrap(ks, kl, NULL, seed, plain, pl, w, 21, &wl), BLUETTI_E_NOMEM);
    CU_ASSERT_EQUAL(ble_wrap(ks, kl, NULL, seed, plain, 0, w, sizeof w, &wl), BLUETTI_E_INVAL);
    uint8_t big[BLE_MAX_PLAIN + 1] = { 0 }, bw[BLE_MAX_WIRE + 32];
    CU_ASSERT_EQUAL(ble_wrap(ks, kl, NULL, seed, big, sizeof big, bw, sizeof bw, &wl), BLUETTI_E_INVAL);
    /* aligned plaintext: no extra block (zero padding, not PKCS#7) */
    CU_ASSERT_EQUAL(ble_wrap(ks, kl, NULL, seed, big, 16, bw, sizeof bw, &wl), 0);
    CU_ASSERT_EQUAL(wl, 2u + 4u + 16u);
    free(kh);
    free(iv);
    free(plain);
    free(ks);
}

/* T4: the CRC, the handshake sum, and a plain reply from 1-, 2- and
 * 6-byte notifications. */
static void test_t4(void)
{
    CU_ASSERT_EQUAL(ble_crc16((const uint8_t *)"123456789", 9), 0x4B37);
    const uint8_t body[] = { 0x02, 0x04, 0xDE, 0xAD, 0xBE, 0xEF };
    CU_ASSERT_EQUAL(ble_sum16(body, sizeof body), 0x033E);
    uint8_t f[16];
    size_t n = 0;
    CU_ASSERT_EQUAL(ble_hs_frame(2, body + 2, 4, f, sizeof f, &n), 0);
    CU_ASSERT(n == 10 && f[8] == 0x03 && f[9] == 0x3E);

    uint8_t reply[9] = { 0x01, 0x03, 0x04, 0x00, 0x4B, 0x00, 0x2D };
    uint16_t crc = ble_crc16(reply, 7);
    reply[7] = (uint8_t)crc;
    reply[8] = (uint8_t)(crc >> 8);
    ble_rx rx;
    ble_rx_init(&rx, BLE_RX_MODBUS);
    uint8_t out[64];
    size_t len = 0;
    ble_rx_push(&rx, reply, 1);
    CU_ASSERT_EQUAL(ble_rx_next(&rx, out, sizeof out, &len), 0);
    ble_rx_push(&rx, reply + 1, 2);
    CU_ASSERT_EQUAL(ble_rx_next(&rx, out, sizeof out, &len), 0);
    ble_rx_push(&rx, reply + 3, 6);
    CU_ASSERT_EQUAL_FATAL(ble_rx_next(&rx, out, sizeof out, &len), 1);
    CU_ASSERT_EQUAL(len, 9u);
    CU_ASSERT_EQUAL(out[3] << 8 | out[4], 75);
    CU_ASSERT_EQUAL(out[5] << 8 | out[6], 45);
    CU_ASSERT_EQUAL(ble_crc16(out, 7), (uint16_t)(out[7] | out[8] << 8));
    CU_ASSERT_EQUAL(rx.n, 0u);
}

/* T5: the Modbus requests and the status-OK plaintexts. */
static void test_t5(void)
{
    static const struct { const char *frame; } v[] = {
        { "0103006600016415" }, { "01030064003e85c5" }, { "010607db00013945" },
        { "000607db00013894" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n;
        uint8_t *f = bt_hex(v[i].frame, &n);
        CU_ASSERT_EQUAL(ble_crc16(f, n - 2), (uint16_t)(f[n - 2] | f[n - 1] << 8));
        free(f);
    }
    const uint8_t ok = 0;
    uint8_t f[16];
    size_t n = 0;
    CU_ASSERT_EQUAL(ble_hs_frame(3, &ok, 1, f, sizeof f, &n), 0);
    CU_ASSERT(eq_hex(f, n, "2a2a0301000004"));
    CU_ASSERT_EQUAL(ble_hs_frame(6, &ok, 1, f, sizeof f, &n), 0);
    CU_ASSERT(eq_hex(f, n, "2a2a0601000007"));
    CU_ASSERT_EQUAL(ble_hs_frame(6, &ok, 1, f, 6, &n), BLUETTI_E_NOMEM);
}

/* Raw r || s signatures (through DER), raw keys and ECDH agreement. */
static void test_p256(void)
{
    EVP_PKEY *a = NULL, *b = NULL, *a_pub = NULL, *b_pub = NULL;
    CU_ASSERT_EQUAL_FATAL(ble_ec_generate(&a), 0);
    CU_ASSERT_EQUAL_FATAL(ble_ec_generate(&b), 0);
    uint8_t ra[64], rb[64], sig[64], xa[32], xb[32];
    CU_ASSERT_EQUAL(ble_ec_raw_public(a, ra), 0);
    CU_ASSERT_EQUAL(ble_ec_raw_public(b, rb), 0);
    CU_ASSERT_EQUAL_FATAL(ble_ec_from_raw(ra, &a_pub), 0);
    CU_ASSERT_EQUAL_FATAL(ble_ec_from_raw(rb, &b_pub), 0);
    CU_ASSERT(ble_ec_same_public(a, a_pub));
    CU_ASSERT(!ble_ec_same_public(a, b_pub));
    const uint8_t msg[80] = { 1, 2, 3 };
    CU_ASSERT_EQUAL(ble_ec_sign(a, msg, sizeof msg, sig), 0);
    CU_ASSERT_EQUAL(ble_ec_verify(a_pub, msg, sizeof msg, sig), 0);
    CU_ASSERT_EQUAL(ble_ec_verify(b_pub, msg, sizeof msg, sig), BLUETTI_E_CRC);
    sig[63] ^= 1;
    CU_ASSERT_EQUAL(ble_ec_verify(a_pub, msg, sizeof msg, sig), BLUETTI_E_CRC);
    CU_ASSERT_EQUAL(ble_ecdh(a, b_pub, xa), 0);
    CU_ASSERT_EQUAL(ble_ecdh(b, a_pub, xb), 0);
    CU_ASSERT_EQUAL(memcmp(xa, xb, 32), 0);
    /* a point off the curve */
    EVP_PKEY *bad = NULL;
    ra[63] ^= 1;
    CU_ASSERT_EQUAL(ble_ec_from_raw(ra, &bad), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NULL(bad);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(a_pub);
    EVP_PKEY_free(b_pub);
}

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    uint8_t d[32];
    unsigned len = 0;
    EVP_Digest(p, n, d, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The shipped keys file holds exactly the published constants. */
static void test_app_keys_file(void)
{
    ble_keys k;
    char why[256] = "", h[65];
    CU_ASSERT_EQUAL_FATAL(ble_keys_load(bt_src_path("data/ble/app-keys.pem"), &k, why, sizeof why), 0);
    sha256_hex(k.app_key, 16, h);
    CU_ASSERT_STRING_EQUAL(h, "e09ca637194d166184c38f8fa10130af4f16c1e0e309968af42d97a5bb853046");
    BIGNUM *bn = NULL;
    uint8_t scalar[32];
    CU_ASSERT_EQUAL_FATAL(EVP_PKEY_get_bn_param(k.sign, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
    CU_ASSERT_EQUAL(BN_bn2binpad(bn, scalar, 32), 32);
    BN_clear_free(bn);
    sha256_hex(scalar, 32, h);
    CU_ASSERT_STRING_EQUAL(h, "29c134e2b3d76860bc92937cd41141931361b71ee2626de3e36ad1db1d3e171f");
    unsigned char *der = NULL;
    int dl = i2d_PUBKEY(k.verify, &der);
    CU_ASSERT_EQUAL_FATAL(dl, 91);
    sha256_hex(der, (size_t)dl, h);
    CU_ASSERT_STRING_EQUAL(h, "f62e7ee64d522dc778ccd2818d17b4281f69fee204c8d3b51910ceac6bba5c91");
    OPENSSL_free(der);
    /* L1's public key, as published */
    uint8_t raw[64];
    CU_ASSERT_EQUAL(ble_ec_raw_public(k.sign, raw), 0);
    CU_ASSERT(eq_hex(raw, 64, "3f29e1b8b29d8422bbb0e0f09000cf2ee2931da13cdac8129f8c09deac07f519"
                              "b5ac5509ca3f3f59b234b7777a231ae595ca5aa1745fd7a62bc4d02037117dd1"));
    ble_keys_clear(&k);
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* Keys files written and read back; every kind of bad file is named. */
static void test_keys_files(void)
{
    EVP_PKEY *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL_FATAL(ble_ec_generate(&a), 0);
    CU_ASSERT_EQUAL_FATAL(ble_ec_generate(&b), 0);
    const uint8_t app[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    CU_ASSERT_EQUAL(ble_keys_write(tmp_path("k.pem"), app, a, b), 0);
    ble_keys k;
    char why[256] = "";
    CU_ASSERT_EQUAL_FATAL(ble_keys_load(tmp_path("k.pem"), &k, why, sizeof why), 0);
    CU_ASSERT_EQUAL(memcmp(k.app_key, app, 16), 0);
    CU_ASSERT(ble_ec_same_public(k.sign, a));
    CU_ASSERT(ble_ec_same_public(k.verify, b));
    ble_keys_clear(&k);

    CU_ASSERT_EQUAL(ble_keys_load(tmp_path("missing.pem"), &k, why, sizeof why), BLUETTI_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "missing.pem"));
    write_text(tmp_path("empty.pem"), "nothing here\n");
    CU_ASSERT_EQUAL(ble_keys_load(tmp_path("empty.pem"), &k, why, sizeof why), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no " BLE_PEM_APP_KEY " block"));
    write_text(tmp_path("short.pem"), "-----BEGIN " BLE_PEM_APP_KEY "-----\nAQID\n-----END "
               BLE_PEM_APP_KEY "-----\n");
    CU_ASSERT_EQUAL(ble_keys_load(tmp_path("short.pem"), &k, why, sizeof why), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not 16 bytes"));
    write_text(tmp_path("onlyapp.pem"), "-----BEGIN " BLE_PEM_APP_KEY "-----\n"
               "AQIDBAUGBwgJCgsMDQ4PEA==\n-----END " BLE_PEM_APP_KEY "-----\n");
    CU_ASSERT_EQUAL(ble_keys_load(tmp_path("onlyapp.pem"), &k, why, sizeof why), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no PRIVATE KEY"));
    /* a P-384 key is not a P-256 key */
    EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    CU_ASSERT_EQUAL(ble_keys_write(tmp_path("p384.pem"), app, p384, b), 0);
    CU_ASSERT_EQUAL(ble_keys_load(tmp_path("p384.pem"), &k, why, sizeof why), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a P-256 key"));
    CU_ASSERT_PTR_NULL(k.sign);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    unlink(tmp_path("k.pem"));
    unlink(tmp_path("empty.pem"));
    unlink(tmp_path("short.pem"));
    unlink(tmp_path("onlyapp.pem"));
    unlink(tmp_path("p384.pem"));
}

/* Session frames cut into 20-byte notifications, text garbage dropped,
 * the handshake rule telling plain from encrypted frames. */
static void test_reassembly(void)
{
    uint8_t ks[32] = { 7 }, plain[133], w[BLE_MAX_WIRE], out[BLE_RX_CAP];
    const uint8_t seed[4] = { 1, 2, 3, 4 };
    for (size_t i = 0; i < sizeof plain; i++) plain[i] = (uint8_t)i;
    size_t wl = 0, len = 0;
    CU_ASSERT_EQUAL_FATAL(ble_wrap(ks, 32, NULL, seed, plain, sizeof plain, w, sizeof w, &wl), 0);
    ble_rx rx;
    ble_rx_init(&rx, BLE_RX_SESSION);
    const char at[] = "AT+NAME?\r";
    ble_rx_push(&rx, (const uint8_t *)at, sizeof at - 1);
    CU_ASSERT_EQUAL(ble_rx_next(&rx, out, sizeof out, &len), 0); /* 0x4154: too long */
    CU_ASSERT_EQUAL(rx.n, 0u);
    CU_ASSERT_EQUAL(rx.dropped, sizeof at - 1);
    int got = 0;
    for (size_t off = 0; off < wl; off += 20) {
        ble_rx_push(&rx, w + off, wl - off < 20 ? wl - off : 20);
        while (ble_rx_next(&rx, out, sizeof out, &len) == 1) {
            got++;
            CU_ASSERT(len == wl && memcmp(out, w, wl) == 0);
        }
    }
    CU_ASSERT_EQUAL(got, 1);
    /* handshake phase: a plain 2A 2A frame and an encrypted one back to back */
    ble_rx_set_mode(&rx, BLE_RX_HANDSHAKE);
    const uint8_t m3[] = { 0x2a, 0x2a, 0x03, 0x01, 0x00, 0x00, 0x04 };
    uint8_t both[sizeof m3 + 32];
    memcpy(both, m3, sizeof m3);
    both[7] = 0x00;
    both[8] = 0x10; /* L = 16: one block */
    memset(both + 9, 0xAB, 16);
    ble_rx_push(&rx, both, 9 + 16);
    CU_ASSERT_EQUAL(ble_rx_next(&rx, out, sizeof out, &len), 1);
    CU_ASSERT_EQUAL(len, sizeof m3);
    CU_ASSERT_EQUAL(ble_rx_next(&rx, out, sizeof out, &len), 1);
    CU_ASSERT_EQUAL(len, 18u);
    CU_ASSERT_EQUAL(ble_rx_next(&rx, out, sizeof out, &len), 0);
    /* overflow: what was buffered is dropped, the new bytes kept */
    uint64_t before = rx.dropped;
    uint8_t junk[BLE_RX_CAP];
    memset(junk, 0, sizeof junk);
    junk[0] = 0x01;
    junk[1] = 0x00; /* L = 256: waits for more */
    ble_rx_push(&rx, junk, 10);
    ble_rx_push(&rx, junk, sizeof junk);
    CU_ASSERT_EQUAL(rx.dropped, before + 10);
    CU_ASSERT_EQUAL(rx.n, sizeof junk);
}

struct capture {
    uint8_t last[BLE_MAX_WIRE];
    size_t len;
    unsigned writes, frames;
};

static int cap_write(void *u, const uint8_t *p, size_t n)
{
    struct capture *c = u;
    memcpy(c->last, p, n);
    c->len = n;
    c->writes++;
    return 0;
}

static void cap_frame(void *u, const uint8_t *p, size_t n)
{
    (void)p;
    (void)n;
    ((struct capture *)u)->frames++;
}

static void feed_hex(ble_client *c, const char *hex)
{
    size_t n;
    uint8_t *p = bt_hex(hex, &n);
    ble_client_feed(c, p, n);
    free(p);
}

/* The client's first steps on hand-made station messages: T3's challenge
 * gives T3's reply; messages out of turn are counted, not obeyed; a
 * refused reply fails the handshake with the reason. */
static void test_client_steps(void)
{
    ble_keys k;
    char why[256] = "";
    CU_ASSERT_EQUAL_FATAL(ble_keys_load(bt_src_path("data/ble/app-keys.pem"), &k, why, sizeof why), 0);
    struct capture cap = { .len = 0 };
    ble_client_io io = { .write = cap_write, .frame = cap_frame, .userdata = &cap };
    ble_client *c = NULL;
    CU_ASSERT_EQUAL_FATAL(ble_client_new(&k, true, &io, &c), 0);
    feed_hex(c, "2a2a0301000004"); /* accepted, before any challenge */
    CU_ASSERT_EQUAL(ble_client_state(c), BLE_CL_WAIT_CHALLENGE);
    uint64_t bad = 0;
    ble_client_stats(c, &bad, NULL);
    CU_ASSERT_EQUAL(bad, 1u);
    CU_ASSERT_EQUAL(cap.writes, 0u);
    feed_hex(c, "2a2a01"); /* a challenge in two notifications */
    feed_hex(c, "04010203040" "00f");
    CU_ASSERT_EQUAL(ble_client_state(c), BLE_CL_WAIT_ACCEPT);
    CU_ASSERT_EQUAL(cap.writes, 1u);
    CU_ASSERT(eq_hex(cap.last, cap.len, "2a2a020430bba9ca0264"));
    feed_hex(c, "2a2a0301010005"); /* status 1: refused */
    CU_ASSERT_EQUAL(ble_client_state(c), BLE_CL_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(ble_client_error(c), "refused the challenge reply"));
    /* a new connection starts over */
    ble_client_reset(c, true);
    CU_ASSERT_EQUAL(ble_client_state(c), BLE_CL_WAIT_CHALLENGE);
    CU_ASSERT_STRING_EQUAL(ble_client_error(c), "");
    feed_hex(c, "2a2a010401020304000f");
    feed_hex(c, "2a2a0301000004");
    CU_ASSERT_EQUAL(ble_client_state(c), BLE_CL_WAIT_PEER_KEY);
    /* a challenge of the wrong length fails at once */
    ble_client_reset(c, true);
    feed_hex(c, "2a2a0103010203000a");
    CU_ASSERT_EQUAL(ble_client_state(c), BLE_CL_FAILED);
    CU_ASSERT_EQUAL(cap.frames, 0u);
    ble_client_free(c);
    CU_ASSERT_EQUAL(ble_client_new(NULL, true, &io, &c), BLUETTI_E_INVAL);
    ble_keys_clear(&k);
}

static int add(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bt-ble-crypto-XXXXXX");
    if (!mkdtemp(tmpdir)) return (int)CUE_NOMEMORY;
    CU_pSuite s = CU_add_suite("ble_crypto", NULL, NULL);
    if (!s) return (int)CU_get_error();
    CU_add_test(s, "T1 and T2: real captures", test_t1_t2);
    CU_add_test(s, "T3: synthetic wraps", test_t3);
    CU_add_test(s, "T4: CRC, sum, reassembly", test_t4);
    CU_add_test(s, "T5: Modbus requests", test_t5);
    CU_add_test(s, "P-256 signatures and ECDH", test_p256);
    CU_add_test(s, "the shipped app keys", test_app_keys_file);
    CU_add_test(s, "keys files", test_keys_files);
    CU_add_test(s, "reassembly", test_reassembly);
    CU_add_test(s, "the client's first steps", test_client_steps);
    return (int)CU_get_error();
}

int main(int argc, char **argv)
{
    int rc = bt_run(argc, argv, add);
    rmdir(tmpdir);
    return rc;
}
