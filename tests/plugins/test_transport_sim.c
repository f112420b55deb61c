/* The simulated device: image loading, Modbus answers, fault injection,
 * the "sim" transport on its own and through the session API, and the
 * shipped device images decoded by the registered schemas. */
#include "config.h"

#include "testutil.h"
#include "bt_clock.h"
#include "simdev.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define EL30 "data/devices/el30v2.json"
#define EL100 "data/devices/el100v2.json"
#define EL200 "data/devices/elite200v2.json"
#define EL30_SN "2337000104512"
#define EL100_SN "2345000223861"
#define EL200_SN "2401000378144"

static bluetti_registry *reg;
static char tmpdir[64];

static bt_simdev *load(const char *rel)
{
    bt_simdev *d = NULL;
    char err[512];
    int rc = bt_simdev_load(bt_src_path(rel), &d, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return d;
}

/* Send hex request text to d; returns the reply as lower-case hex ("" when
 * there is none) in a static buffer. */
static const char *ask(bt_simdev *d, const bt_sim_faults *f, unsigned *state, const char *req_hex)
{
    static char out_hex[2 * BLUETTI_MODBUS_MAX_FRAME + 1];
    size_t rl;
    uint8_t *req = bt_hex(req_hex, &rl);
    uint8_t out[BLUETTI_MODBUS_MAX_FRAME];
    double delay = -1;
    size_t n = bt_simdev_answer(d, f, state, req, rl, out, sizeof out, &delay);
    free(req);
    bluetti_hex_format(out, n, 0, out_hex, sizeof out_hex);
    return out_hex;
}

/* ---- images -------------------------------------------------------------- */

static void test_load_images(void)
{
    static const struct { const char *file, *model, *serial, *alias; } want[] = {
        { EL30, "EL30V2", EL30_SN, "Elite 30 V2" },
        { EL100, "EL100V2", EL100_SN, "elite-100-v2" },
        { EL200, "ELITE200V2", EL200_SN, "ELITE 200 V2" },
    };
    for (size_t i = 0; i < 3; i++) {
        bt_simdev *d = load(want[i].file);
        CU_ASSERT_STRING_EQUAL(bt_simdev_model(d), want[i].model);
        CU_ASSERT_STRING_EQUAL(bt_simdev_serial(d), want[i].serial);
        CU_ASSERT_EQUAL(strlen(bt_simdev_serial(d)), 13);
        CU_ASSERT_EQUAL(bt_simdev_protocol_version(d), 2001);
        CU_ASSERT_EQUAL(bt_simdev_address(d), 1);
        CU_ASSERT_TRUE(bt_simdev_matches_model(d, want[i].model));
        CU_ASSERT_TRUE(bt_simdev_matches_model(d, want[i].alias));
        CU_ASSERT_FALSE(bt_simdev_matches_model(d, "EL1000V2"));
        CU_ASSERT_FALSE(bt_simdev_matches_model(d, ""));
        CU_ASSERT_TRUE(bt_simdev_covers(d, 1, 16));     /* version detection */
        CU_ASSERT_TRUE(bt_simdev_covers(d, 100, 80));   /* 160 bytes, as real units */
        CU_ASSERT_FALSE(bt_simdev_covers(d, 100, 81));
        CU_ASSERT_FALSE(bt_simdev_covers(d, 99, 2));
        CU_ASSERT_TRUE(bt_simdev_covers(d, 19305, 20)); /* inside the 19300 range */
        /* ranges come back sorted and disjoint */
        uint16_t start, prev_start = 0;
        uint32_t count, prev_end = 0;
        size_t n = 0;
        for (; bt_simdev_range(d, n, &start, &count); n++) {
            CU_ASSERT_TRUE(count > 0);
            CU_ASSERT_TRUE(n == 0 || start >= prev_end);
            CU_ASSERT_TRUE(n == 0 || start > prev_start);
            prev_start = start;
            prev_end = (uint32_t)start + count;
        }
        CU_ASSERT_TRUE(n >= 44);
        bt_simdev_free(d);
    }
}

/* Every block of the catalog (reference section 6.1) is served with at
 * least the registers the reference requests for it. */
static void test_images_cover_catalog(void)
{
    static const uint16_t cat[][2] = {
        { 100, 66 }, { 720, 4 }, { 1100, 55 }, { 1300, 16 }, { 1400, 34 }, { 1500, 15 },
        { 1700, 69 }, { 2000, 18 }, { 2200, 14 }, { 2400, 5 }, { 3500, 48 }, { 3600, 28 },
        { 6000, 32 }, { 6100, 80 }, { 6300, 13 }, { 7000, 6 }, { 11000, 19 }, { 12002, 49 },
        { 12161, 2 }, { 14500, 13 }, { 14700, 28 }, { 15500, 15 }, { 15600, 18 },
        { 15700, 34 }, { 15750, 1 }, { 17000, 13 }, { 17100, 13 }, { 17400, 91 },
        { 18000, 19 }, { 18300, 76 }, { 18400, 1 }, { 18500, 1 }, { 18600, 1 }, { 19000, 6 },
        { 19100, 8 }, { 19200, 19 }, { 19300, 25 }, { 19305, 20 }, { 19365, 4 },
        { 19425, 4 }, { 19485, 4 }, { 26001, 7 }, { 29770, 2 }, { 29772, 5 }, { 40127, 12 },
    };
    CU_ASSERT_EQUAL(sizeof cat / sizeof cat[0], 45);
    const char *files[] = { EL30, EL100, EL200 };
    for (size_t f = 0; f < 3; f++) {
        bt_simdev *d = load(files[f]);
        for (size_t i = 0; i < sizeof cat / sizeof cat[0]; i++) {
            if (!bt_simdev_covers(d, cat[i][0], cat[i][1]))
                fprintf(stderr, "%s does not serve block %u (%u registers)\n", files[f],
                        (unsigned)cat[i][0], (unsigned)cat[i][1]);
            CU_ASSERT_TRUE(bt_simdev_covers(d, cat[i][0], cat[i][1]));
        }
        bt_simdev_free(d);
    }
}

static const char *write_tmp(const char *name, const char *text)
{
    static char path[8][256];
    static unsigned slot;
    char *p = path[slot++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* Load must fail with rc and an error naming the file and containing want. */
static void expect_load_error(const char *name, const char *json, int rc, const char *want)
{
    const char *path = write_tmp(name, json);
    bt_simdev *d = (bt_simdev *)&d;
    char err[512] = "";
    CU_ASSERT_EQUAL(bt_simdev_load(path, &d, err, sizeof err), rc);
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    if (!strstr(err, want)) fprintf(stderr, "error \"%s\" lacks \"%s\"\n", err, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
}

#define HDR "{\"model\": \"EL100V2\", \"serial\": \"1234567890123\", "

/* "address": 0 is a unicast address of 2nd-gen cloud devices; "envelope"
 * defaults by protocol version (docs/protocol/transport-mqtt-live.md). */
static void test_address_zero_and_envelope(void)
{
    const char *path = write_tmp("addr0.json", HDR "\"protocol_version\": 1000, \"address\": 0, "
                                 "\"ranges\": [{\"start\": 10, \"hex\": \"1234 5678\"}]}");
    bt_simdev *d = NULL;
    char err[512] = "";
    CU_ASSERT_EQUAL_FATAL(bt_simdev_load(path, &d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(bt_simdev_address(d), 0);
    CU_ASSERT_EQUAL(bt_simdev_envelope(d), BLUETTI_ENVELOPE_OLD);
    uint8_t req[8], out[BLUETTI_MODBUS_MAX_FRAME];
    double delay = 0;
    unsigned st = 0;
    CU_ASSERT_EQUAL(bluetti_modbus_build_read(0, 10, 2, req), 0);
    size_t n = bt_simdev_answer(d, NULL, &st, req, sizeof req, out, sizeof out, &delay);
    CU_ASSERT_EQUAL(n, 9u);
    CU_ASSERT_EQUAL(out[0], 0);
    CU_ASSERT_EQUAL(out[3], 0x12);
    CU_ASSERT_EQUAL(bluetti_modbus_build_read(1, 10, 2, req), 0);
    CU_ASSERT_EQUAL(bt_simdev_answer(d, NULL, &st, req, sizeof req, out, sizeof out, &delay), 0u);
    bt_simdev_free(d);
    path = write_tmp("env.json", HDR "\"envelope\": \"raw\", "
                     "\"ranges\": [{\"start\": 10, \"hex\": \"1234\"}]}");
    CU_ASSERT_EQUAL_FATAL(bt_simdev_load(path, &d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(bt_simdev_envelope(d), BLUETTI_ENVELOPE_RAW);
    CU_ASSERT_EQUAL(bt_simdev_address(d), 1);
    bt_simdev_free(d);
    path = write_tmp("env2.json", HDR "\"ranges\": [{\"start\": 10, \"hex\": \"1234\"}]}");
    CU_ASSERT_EQUAL_FATAL(bt_simdev_load(path, &d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(bt_simdev_envelope(d), BLUETTI_ENVELOPE_NEW); /* protocol 2000 by default */
    bt_simdev_free(d);
}

static void test_load_errors(void)
{
    char err[512];
    bt_simdev *d = NULL;
    CU_ASSERT_EQUAL(bt_simdev_load("/nonexistent/x.json", &d, err, sizeof err), BLUETTI_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.json"));
    CU_ASSERT_EQUAL(bt_simdev_load(NULL, &d, err, sizeof err), BLUETTI_E_INVAL);

    expect_load_error("json.json", HDR "\n  \"ranges\": [}\n", BLUETTI_E_INVAL, "line 2");
    expect_load_error("top.json", "[1, 2]", BLUETTI_E_INVAL, "top level");
    expect_load_error("key.json", HDR "\"rangse\": []}", BLUETTI_E_INVAL, "unknown key \"rangse\"");
    expect_load_error("dup.json", HDR "\"model\": \"X\", \"ranges\": []}", BLUETTI_E_INVAL, "line 1");
    expect_load_error("model.json", "{\"model\": \"A-VERY-LONG-MODEL\", \"serial\": \"1\", "
                      "\"ranges\": [{\"start\": 1, \"hex\": \"0000\"}]}", BLUETTI_E_INVAL, "\"model\"");
    expect_load_error("serial.json", "{\"model\": \"X\", \"serial\": \"12AB\", "
                      "\"ranges\": [{\"start\": 1, \"hex\": \"0000\"}]}", BLUETTI_E_INVAL, "\"serial\"");
    expect_load_error("serial2.json", "{\"model\": \"X\", \"serial\": 1234, "
                      "\"ranges\": [{\"start\": 1, \"hex\": \"0000\"}]}", BLUETTI_E_INVAL, "\"serial\"");
    expect_load_error("addr.json", HDR "\"address\": 248, \"ranges\": [{\"start\": 1, \"hex\": \"0000\"}]}",
                      BLUETTI_E_INVAL, "\"address\" must be a Modbus address 0..247");
    expect_load_error("env.json", HDR "\"envelope\": \"v2\", \"ranges\": [{\"start\": 1, \"hex\": \"0000\"}]}",
                      BLUETTI_E_INVAL, "\"envelope\" must be");
    expect_load_error("pv.json", HDR "\"protocol_version\": \"2001\", \"ranges\": "
                      "[{\"start\": 1, \"hex\": \"0000\"}]}", BLUETTI_E_INVAL, "protocol_version");
    expect_load_error("noranges.json", HDR "\"ranges\": []}", BLUETTI_E_INVAL, "non-empty array");
    expect_load_error("hex.json", HDR "\"ranges\": [{\"start\": 1, \"hex\": \"0000\"}, "
                      "{\"start\": 7, \"hex\": \"00 1g\"}]}", BLUETTI_E_INVAL,
                      "ranges[1]: hex character 5: 'g' is not a hex digit");
    expect_load_error("hexline.json", HDR "\"ranges\": [{\"start\": 1, \"hex\": [\"0000\", "
                      "\"0000 00x0\"]}]}", BLUETTI_E_INVAL, "hex line 2, character 8");
    expect_load_error("odd.json", HDR "\"ranges\": [{\"start\": 1, \"hex\": \"000\"}]}",
                      BLUETTI_E_INVAL, "odd number of hex digits");
    expect_load_error("half.json", HDR "\"ranges\": [{\"start\": 1, \"hex\": \"000000\"}]}",
                      BLUETTI_E_INVAL, "whole number of 16-bit registers");
    expect_load_error("empty.json", HDR "\"ranges\": [{\"start\": 1, \"hex\": \" \"}]}",
                      BLUETTI_E_INVAL, "no data");
    expect_load_error("start.json", HDR "\"ranges\": [{\"start\": 70000, \"hex\": \"0000\"}]}",
                      BLUETTI_E_INVAL, "ranges[0]: \"start\"");
    expect_load_error("past.json", HDR "\"ranges\": [{\"start\": 65535, \"hex\": \"00000000\"}]}",
                      BLUETTI_E_INVAL, "past register 65535");
    expect_load_error("rkey.json", HDR "\"ranges\": [{\"start\": 1, \"data\": \"0000\"}]}",
                      BLUETTI_E_INVAL, "ranges[0]: unknown key \"data\"");
    expect_load_error("overlap.json", HDR "\"ranges\": [{\"start\": 10, \"hex\": \"0000 0000 0000\"}, "
                      "{\"start\": 40, \"hex\": \"0000\"}, {\"start\": 12, \"hex\": \"0000\"}]}",
                      BLUETTI_E_INVAL, "ranges[0] (registers 10-12) overlaps ranges[2] (registers 12-12)");
    /* the identity in the registers must match the declared one */
    expect_load_error("mmodel.json", HDR "\"ranges\": [{\"start\": 110, \"hex\": "
                      "\"4c45 3033 3256 0000 0000 0000\"}]}", BLUETTI_E_INVAL,
                      "read \"EL30V2\" (bytes swapped in each register) but \"model\" is \"EL100V2\"");
    expect_load_error("mserial.json", HDR "\"ranges\": [{\"start\": 116, \"hex\": "
                      "\"000f 0000 0000 0000\"}]}", BLUETTI_E_INVAL, "hold serial 15 (u64, low word first)");
    expect_load_error("mversion.json", HDR "\"protocol_version\": 2001, \"ranges\": "
                      "[{\"start\": 16, \"hex\": \"07d0\"}]}", BLUETTI_E_INVAL,
                      "report protocol version 2000");

    /* a minimal valid image: defaults and a serial in the registers */
    const char *ok = write_tmp("ok.json", "{\"model\": \"EL30V2\", \"serial\": \"15\", \"note\": \"x\", "
                               "\"ranges\": [{\"start\": 110, \"name\": \"id\", \"hex\": [\"4c45 3033 "
                               "3256 0000 0000 0000\", \"000f 0000 0000 0000\"]}]}");
    CU_ASSERT_EQUAL_FATAL(bt_simdev_load(ok, &d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(bt_simdev_protocol_version(d), 2000);
    CU_ASSERT_EQUAL(bt_simdev_address(d), 1);
    CU_ASSERT_STRING_EQUAL(bt_simdev_path(d), ok);
    bt_simdev_free(d);
}

/* ---- answers --------------------------------------------------------------- */

static void test_answers(void)
{
    bt_simdev *d = load(EL100);
    unsigned st = 0;
    CU_ASSERT_EQUAL(bt_sim_crc16((const uint8_t *)"123456789", 9), 0x4B37);
    /* pack voltage 53.2 V, current -3.8 A (charging) */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "01030064000285d4"), "0103040214ffda7be4");
    /* block 1300, 16 registers: 50.0 Hz, 229.8 V */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "01030514001004ce"),
                           "01032001f4000000000fb9000000000000000000000000000000000001000008fa00006a54");
    /* past the end of the block 100 range: exception 2 (illegal data address) */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "010300640051c5e9"), "018302c0f1");
    /* count 0: exception 3 (illegal data value) */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "0103006400000415"), "0183030131");
    /* a function the device does not have (5, write coil): exception 1;
     * writes (6, 16) are tested in tests/core/test_write.c */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "010507dbff00fd75"), "0185018350");
    /* ignored: bad CRC, other address, too short, a read of the wrong length */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "01030064000285d5"), "");
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "02030064000285e7"), "");
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "0103"), "");
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, &st, "0103006400"), "");
    uint8_t nine[9] = { 1, 3, 0, 0x64, 0, 2, 0 };
    uint16_t c = bt_sim_crc16(nine, 7);
    nine[7] = (uint8_t)c;
    nine[8] = (uint8_t)(c >> 8);
    uint8_t out[BLUETTI_MODBUS_MAX_FRAME];
    double delay;
    CU_ASSERT_EQUAL(bt_simdev_answer(d, NULL, &st, nine, 9, out, sizeof out, &delay), 0);
    /* a buffer too small is refused rather than overrun */
    CU_ASSERT_EQUAL(bt_simdev_answer(d, NULL, &st, nine, 8, out, 10, &delay), 0);
    bt_simdev_free(d);
}

static void test_serial(void)
{
    bt_simdev *d = load(EL100);
    unsigned st = 0;
    /* registers 116-119: the serial as u64, low word first */
    CU_ASSERT_EQUAL(strncmp(ask(d, NULL, &st, "0103007400040413") + 6, "c475fce7022100", 14), 0);
    bt_simdev *c = NULL;
    CU_ASSERT_EQUAL_FATAL(bt_simdev_clone(d, &c), 0);
    CU_ASSERT_EQUAL(bt_simdev_set_serial(c, "1234567890123"), 0); /* 0x11F71FB04CB */
    CU_ASSERT_STRING_EQUAL(bt_simdev_serial(c), "1234567890123");
    CU_ASSERT_EQUAL(strncmp(ask(c, NULL, &st, "0103007400040413") + 6, "04cb71fb011f0000", 16), 0);
    /* the original is untouched */
    CU_ASSERT_STRING_EQUAL(bt_simdev_serial(d), EL100_SN);
    CU_ASSERT_EQUAL(strncmp(ask(d, NULL, &st, "0103007400040413") + 6, "c475fce7022100", 14), 0);
    /* not a number: accepted as a name, registers left alone */
    CU_ASSERT_EQUAL(bt_simdev_set_serial(c, "SIM-1"), 0);
    CU_ASSERT_STRING_EQUAL(bt_simdev_serial(c), "SIM-1");
    CU_ASSERT_EQUAL(strncmp(ask(c, NULL, &st, "0103007400040413") + 6, "04cb71fb011f0000", 16), 0);
    CU_ASSERT_EQUAL(bt_simdev_set_serial(c, "a b"), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bt_simdev_set_serial(c, "a/b"), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bt_simdev_set_serial(c, ""), BLUETTI_E_INVAL);
    CU_ASSERT_STRING_EQUAL(bt_simdev_serial(c), "SIM-1");
    bt_simdev_free(c);
    bt_simdev_free(d);
}

/* ---- faults ---------------------------------------------------------------- */

static void test_fault_parse(void)
{
    bt_sim_faults f;
    char err[256];
    CU_ASSERT_EQUAL(bt_sim_faults_parse("delay=0.25, drop=0.1,crc=0.5,short=1,exception=1300:4,"
                                        "exception=6000,disconnect=5,seed=7", &f, err, sizeof err), 0);
    BT_ASSERT_NEAR(f.delay_s, 0.25);
    BT_ASSERT_NEAR(f.drop_rate, 0.1);
    BT_ASSERT_NEAR(f.bad_crc_rate, 0.5);
    BT_ASSERT_NEAR(f.short_rate, 1.0);
    CU_ASSERT_EQUAL(f.n_exception_blocks, 2);
    CU_ASSERT_EQUAL(f.exception_blocks[0], 1300);
    CU_ASSERT_EQUAL(f.exception_codes[0], 4);
    CU_ASSERT_EQUAL(f.exception_blocks[1], 6000);
    CU_ASSERT_EQUAL(f.exception_codes[1], 2);
    CU_ASSERT_EQUAL(f.disconnect_after, 5);
    CU_ASSERT_EQUAL(f.seed, 7);
    /* the same block twice: the later code wins */
    CU_ASSERT_EQUAL(bt_sim_faults_parse("exception=100:3,exception=100:5,bad_crc=0", &f, err, sizeof err), 0);
    CU_ASSERT_EQUAL(f.n_exception_blocks, 1);
    CU_ASSERT_EQUAL(f.exception_codes[0], 5);
    CU_ASSERT_EQUAL(bt_sim_faults_parse("", &f, err, sizeof err), 0);
    CU_ASSERT_EQUAL(bt_sim_faults_parse("none", &f, err, sizeof err), 0);
    CU_ASSERT_EQUAL(bt_sim_faults_parse(NULL, &f, err, sizeof err), 0);
    CU_ASSERT_EQUAL(f.n_exception_blocks, 0);

    static const struct { const char *spec, *want; } bad[] = {
        { "jitter=1", "unknown fault \"jitter\"" },
        { "drop", "expected key=value" },
        { "drop=1.5", "drop=1.5: a rate must be a number from 0 to 1" },
        { "crc=-0.1", "a rate" },
        { "short=x", "a rate" },
        { "delay=nan", "delay=nan" },
        { "delay=0x10", "delay=0x10" },
        { "delay=1e3", "delay=1e3" },
        { "delay=inf", "delay=inf" },
        { "drop=.5", "drop=.5" },
        { "drop=+0.5", "drop=+0.5" },
        { "drop=0.5.1", "drop=0.5.1" },
        { "delay=-1", "delay=-1" },
        { "exception=abc", "exception=abc: expected BLOCK[:CODE]" },
        { "exception=1300:0", "exception=1300:0" },
        { "exception=1300:256", "exception=1300:256" },
        { "exception=70000", "exception=70000" },
        { "exception=-1", "exception=-1" },
        { "disconnect=-2", "disconnect=-2" },
        { "seed=1.5", "seed=1.5" },
        { "drop=0.1,,crc=2", "crc=2" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f.drop_rate = 0.75;
        err[0] = '\0';
        CU_ASSERT_EQUAL(bt_sim_faults_parse(bad[i].spec, &f, err, sizeof err), BLUETTI_E_INVAL);
        if (!strstr(err, bad[i].want)) fprintf(stderr, "\"%s\": error \"%s\"\n", bad[i].spec, err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].want));
        CU_ASSERT_EQUAL(f.drop_rate, 0); /* cleared on failure */
    }
    char many[1024] = "";
    for (int i = 0; i <= (int)BT_SIM_MAX_EXCEPTIONS; i++) {
        char item[32];
        snprintf(item, sizeof item, "%sexception=%d", i ? "," : "", 100 + i);
        strcat(many, item);
    }
    CU_ASSERT_EQUAL(bt_sim_faults_parse(many, &f, err, sizeof err), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 32"));
}

static void test_fault_kinds(void)
{
    bt_simdev *d = load(EL100);
    bt_sim_faults f;
    unsigned st = 0;
    uint8_t out[BLUETTI_MODBUS_MAX_FRAME];
    double delay = 0;
    size_t rl;
    uint8_t *req = bt_hex("01030064000285d4", &rl);

    bt_sim_faults_parse("delay=1.5", &f, NULL, 0);
    CU_ASSERT_EQUAL(bt_simdev_answer(d, &f, &st, req, rl, out, sizeof out, &delay), 9);
    BT_ASSERT_NEAR(delay, 1.5);

    bt_sim_faults_parse("drop=1", &f, NULL, 0);
    CU_ASSERT_EQUAL(bt_simdev_answer(d, &f, &st, req, rl, out, sizeof out, &delay), 0);

    bt_sim_faults_parse("crc=1", &f, NULL, 0);
    CU_ASSERT_EQUAL(bt_simdev_answer(d, &f, &st, req, rl, out, sizeof out, &delay), 9);
    CU_ASSERT_EQUAL(memcmp(out, "\x01\x03\x04\x02\x14\xff\xda", 7), 0);
    CU_ASSERT_NOT_EQUAL(out[7] | out[8] << 8, bt_sim_crc16(out, 7));

    bt_sim_faults_parse("short=1", &f, NULL, 0);
    CU_ASSERT_EQUAL(bt_simdev_answer(d, &f, &st, req, rl, out, sizeof out, &delay), 4);
    CU_ASSERT_EQUAL(memcmp(out, "\x01\x03\x04\x02", 4), 0);

    bt_sim_faults_parse("exception=100:4", &f, NULL, 0);
    CU_ASSERT_STRING_EQUAL(ask(d, &f, &st, "01030064000285d4"), "01830440f3");
    /* only requests that start at that block */
    CU_ASSERT_EQUAL(strncmp(ask(d, &f, &st, "010300650002d414"), "010304ffda0055", 14), 0);
    /* an exception frame can be cut short too */
    bt_sim_faults_parse("exception=100,short=1", &f, NULL, 0);
    CU_ASSERT_STRING_EQUAL(ask(d, &f, &st, "01030064000285d4"), "018302");
    free(req);
    bt_simdev_free(d);
}

/* Rates are drawn from a seeded PRNG: the same seed gives the same
 * sequence, about the requested share, and another seed another sequence. */
static void test_fault_rates(void)
{
    bt_simdev *d = load(EL100);
    bt_sim_faults f;
    size_t rl;
    uint8_t *req = bt_hex("01030064000285d4", &rl);
    uint8_t out[BLUETTI_MODBUS_MAX_FRAME];
    double delay;
    char pattern[3][201];
    const char *specs[3] = { "drop=0.3,seed=7", "drop=0.3,seed=7", "drop=0.3,seed=8" };
    for (int k = 0; k < 3; k++) {
        unsigned st = 0;
        bt_sim_faults_parse(specs[k], &f, NULL, 0);
        int drops = 0;
        for (int i = 0; i < 200; i++) {
            size_t n = bt_simdev_answer(d, &f, &st, req, rl, out, sizeof out, &delay);
            pattern[k][i] = n ? '.' : 'x';
            drops += !n;
        }
        pattern[k][200] = '\0';
        CU_ASSERT_TRUE(drops > 35 && drops < 85);
    }
    CU_ASSERT_STRING_EQUAL(pattern[0], pattern[1]);
    CU_ASSERT_STRING_NOT_EQUAL(pattern[0], pattern[2]);
    free(req);
    bt_simdev_free(d);
}

/* ---- the transport on its own ------------------------------------------- */

struct events {
    int n;
    int type[16];
    char address[16][32];
    uint8_t frame[16][BLUETTI_MODBUS_MAX_FRAME];
    size_t len[16];
};

static void on_event(void *ud, const bluetti_transport_event *ev)
{
    struct events *e = ud;
    if (e->n >= 16) return;
    e->type[e->n] = ev->type;
    snprintf(e->address[e->n], sizeof e->address[0], "%s", ev->address ? ev->address : "");
    if (ev->len) memcpy(e->frame[e->n], ev->data, ev->len);
    e->len[e->n] = ev->len;
    e->n++;
}

struct tr {
    const bluetti_transport_ops *ops;
    void *st;
    bluetti_transport_env env;
    struct events ev;
};

static int tr_open(struct tr *t, const char *const *kv, char *detail, size_t dlen)
{
    memset(t, 0, sizeof *t);
    t->ops = bluetti_registry_find_transport(reg, "sim");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t->ops);
    t->env.log = bluetti_registry_logger(reg);
    t->env.on_event = on_event;
    t->env.userdata = &t->ev;
    t->env.connect_timeout_s = 10;
    bluetti_retry_default(&t->env.reconnect);
    bluetti_options *o = bluetti_options_new(), *typed = NULL;
    for (; kv && kv[0]; kv += 2) bluetti_options_add(o, kv[0], kv[1]);
    /* what bluetti_session_open does before open: check against the table */
    int rc = bluetti_options_apply_decls(t->ops->options, t->ops->n_options, t->ops->name, o,
                                         &typed, detail, dlen);
    if (rc == 0) rc = t->ops->open(&t->env, typed, &t->st, detail, dlen);
    bluetti_options_free(typed);
    bluetti_options_free(o);
    return rc;
}

static int tr_submit(struct tr *t, const char *addr, const char *hex)
{
    size_t n;
    uint8_t *f = bt_hex(hex, &n);
    int rc = t->ops->submit(t->st, addr, f, n);
    free(f);
    return rc;
}

static void test_transport_basic(void)
{
    struct tr t;
    const char *kv[] = { "device", bt_src_path(EL100), "device", bt_src_path(EL30), NULL };
    char detail[256];
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, kv, detail, sizeof detail), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL100_SN), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL100_SN), BLUETTI_E_EXISTS);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL30_SN), 0);
    /* an address never attached (or detached) takes no request */
    CU_ASSERT_EQUAL(tr_submit(&t, "1111111111111", "01030064000285d4"), BLUETTI_E_NOTFOUND);

    int fd = t.ops->fd(t.st);
    CU_ASSERT_TRUE(fd >= 0);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0); /* nothing due */
    CU_ASSERT_EQUAL(tr_submit(&t, EL100_SN, "01030064000285d4"), 0);
    CU_ASSERT_EQUAL(tr_submit(&t, EL30_SN, "0103006400027bd4"), 0); /* bad CRC: ignored */
    CU_ASSERT_EQUAL(tr_submit(&t, EL30_SN, "010300640002 85d4"), 0);
    CU_ASSERT_EQUAL(poll(&pfd, 1, 1000), 1); /* due at once: readable */
    CU_ASSERT_EQUAL(t.ops->process(t.st, 0), 0);
    CU_ASSERT_EQUAL_FATAL(t.ev.n, 2);
    CU_ASSERT_EQUAL(t.ev.type[0], BLUETTI_EV_FRAME);
    CU_ASSERT_STRING_EQUAL(t.ev.address[0], EL100_SN);
    CU_ASSERT_EQUAL(t.ev.len[0], 9);
    CU_ASSERT_EQUAL(memcmp(t.ev.frame[0], "\x01\x03\x04\x02\x14\xff\xda\x7b\xe4", 9), 0);
    CU_ASSERT_STRING_EQUAL(t.ev.address[1], EL30_SN);
    CU_ASSERT_EQUAL(memcmp(t.ev.frame[1], "\x01\x03\x04\x01\x05\x00\x35", 7), 0); /* 26.1 V, 5.3 A */
    CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
    uint64_t in = 0, dropped = 9;
    t.ops->stats(t.st, &in, &dropped);
    CU_ASSERT_EQUAL(in, 2);
    CU_ASSERT_EQUAL(dropped, 0);

    /* detach forgets the address and what was queued for it */
    CU_ASSERT_EQUAL(tr_submit(&t, EL30_SN, "01030064000285d4"), 0);
    CU_ASSERT_EQUAL(t.ops->detach(t.st, EL30_SN), 0);
    CU_ASSERT_EQUAL(t.ops->detach(t.st, EL30_SN), BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(t.ops->process(t.st, 20), 0);
    CU_ASSERT_EQUAL(t.ev.n, 2);
    t.ops->stats(t.st, &in, &dropped);
    CU_ASSERT_EQUAL(dropped, 1);
    t.ops->close(t.st);
}

static void test_transport_delay(void)
{
    struct tr t;
    const char *kv[] = { "device", bt_src_path(EL100), "faults", "delay=0.5", NULL };
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, kv, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL100_SN), 0);
    double t0 = bt_now();
    CU_ASSERT_EQUAL(tr_submit(&t, EL100_SN, "01030064000285d4"), 0);
    CU_ASSERT_EQUAL(tr_submit(&t, EL100_SN, "01030514001004ce"), 0);
    CU_ASSERT_EQUAL(t.ops->process(t.st, 0), 0);
    CU_ASSERT_EQUAL(t.ev.n, 0);
    CU_ASSERT_EQUAL(t.ops->process(t.st, 50), 0); /* returns after its limit, nothing due */
    CU_ASSERT_EQUAL(t.ev.n, 0);
    double waited = bt_now() - t0;
    CU_ASSERT_TRUE(waited >= 0.045); /* it waited its limit, not less */
    while (t.ev.n < 2 && bt_now() - t0 < 3) CU_ASSERT_EQUAL(t.ops->process(t.st, -1), 0);
    double elapsed = bt_now() - t0;
    CU_ASSERT_EQUAL_FATAL(t.ev.n, 2);
    CU_ASSERT_TRUE(elapsed >= 0.499); /* the delay was honoured */
    /* replies come in submission order */
    CU_ASSERT_EQUAL(t.ev.len[0], 9);
    CU_ASSERT_EQUAL(t.ev.len[1], 37);
    t.ops->close(t.st);
}

static void test_transport_pick(void)
{
    struct tr t;
    /* one image: any address gets it, reporting the address as its serial */
    const char *one[] = { "device", bt_src_path(EL30), NULL };
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, one, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, "1234567890123"), 0);
    CU_ASSERT_EQUAL(tr_submit(&t, "1234567890123", "0103007400040413"), 0);
    CU_ASSERT_EQUAL(t.ops->process(t.st, 100), 0);
    CU_ASSERT_EQUAL_FATAL(t.ev.n, 1);
    CU_ASSERT_EQUAL(memcmp(t.ev.frame[0] + 3, "\x04\xcb\x71\xfb\x01\x1f\x00\x00", 8), 0);
    t.ops->close(t.st);

    /* by model (or alias) among several */
    const char *bymodel[] = { "device", bt_src_path(EL30), "device", bt_src_path(EL100),
                              "device", bt_src_path(EL200), "model", "Elite 200 V2", NULL };
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, bymodel, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, "42"), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL100_SN), 0); /* exact serial beats the model */
    CU_ASSERT_EQUAL(tr_submit(&t, "42", "0103006e0006a415"), 0);
    CU_ASSERT_EQUAL(tr_submit(&t, EL100_SN, "0103006e0006a415"), 0);
    CU_ASSERT_EQUAL(t.ops->process(t.st, 100), 0);
    CU_ASSERT_EQUAL_FATAL(t.ev.n, 2);
    /* "Elite 200 V2", as the real unit reports it, bytes swapped per register */
    CU_ASSERT_EQUAL(memcmp(t.ev.frame[0] + 3, "lEti e02 02V", 12), 0);
    CU_ASSERT_EQUAL(memcmp(t.ev.frame[1] + 3, "LE01V0\0" "2\0\0\0\0", 12), 0);
    t.ops->close(t.st);

    const char *strict[] = { "device", bt_src_path(EL30), "model", "EL30V2", "strict_serial", "yes", NULL };
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, strict, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, "1234567890123"), BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL30_SN), 0);
    t.ops->close(t.st);

    const char *nomodel[] = { "device", bt_src_path(EL30), "model", "EL100V2", NULL };
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, nomodel, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, "1234567890123"), BLUETTI_E_NOTFOUND);
    t.ops->close(t.st);

    /* several images, no model option: an unknown address gets the Elite
     * 100 V2 (block 100's first words: 53.2 V, -3.8 A) */
    const char *several[] = { "device", bt_src_path(EL30), "device", bt_src_path(EL100), NULL };
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, several, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, "1111111111111"), 0);
    CU_ASSERT_EQUAL(tr_submit(&t, "1111111111111", "01030064000285d4"), 0);
    CU_ASSERT_EQUAL(t.ops->process(t.st, 100), 0);
    CU_ASSERT_EQUAL_FATAL(t.ev.n, 1);
    CU_ASSERT_EQUAL(memcmp(t.ev.frame[0], "\x01\x03\x04\x02\x14\xff\xda", 7), 0);
    t.ops->close(t.st);

    /* several images, none of them that one: refused */
    const char *nodefault[] = { "device", bt_src_path(EL30), "device", bt_src_path(EL200), NULL };
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, nodefault, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, "1111111111111"), BLUETTI_E_NOTFOUND);
    t.ops->close(t.st);
}

/* No device option and no BLUETTI_SIM_DEVICES: the installed images, or in
 * a build tree (not installed) the built-in copies of them; either way the
 * shipped Elite 100 V2 answers (53.2 V, -3.8 A). */
static void test_transport_default_images(void)
{
    const char *env = getenv("BLUETTI_SIM_DEVICES");
    char *saved = env ? strdup(env) : NULL;
    unsetenv("BLUETTI_SIM_DEVICES");
    struct tr t;
    char detail[256];
    CU_ASSERT_EQUAL(tr_open(&t, NULL, detail, sizeof detail), 0);
    if (t.st) {
        CU_ASSERT_EQUAL(t.ops->attach(t.st, EL100_SN), 0);
        CU_ASSERT_EQUAL(tr_submit(&t, EL100_SN, "01030064000285d4"), 0);
        CU_ASSERT_EQUAL(t.ops->process(t.st, 100), 0);
        CU_ASSERT_EQUAL(t.ev.n, 1);
        if (t.ev.n == 1)
            CU_ASSERT_EQUAL(memcmp(t.ev.frame[0], "\x01\x03\x04\x02\x14\xff\xda", 7), 0);
        t.ops->close(t.st);
    }
    if (saved) setenv("BLUETTI_SIM_DEVICES", saved, 1);
    free(saved);
}

static void test_transport_open_errors(void)
{
    struct tr t;
    char detail[512];
    const char *missing[] = { "device", "/nonexistent/dev.json", NULL };
    CU_ASSERT_EQUAL(tr_open(&t, missing, detail, sizeof detail), BLUETTI_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "/nonexistent/dev.json"));
    CU_ASSERT_PTR_NULL(t.st);

    const char *bad = write_tmp("bad.json", "{\"model\": \"EL30V2\", \"serial\": \"1\", \"ranges\": "
                                "[{\"start\": 1, \"hex\": \"zz\"}]}");
    const char *badimg[] = { "device", bt_src_path(EL30), "device", bad, NULL };
    CU_ASSERT_EQUAL(tr_open(&t, badimg, detail, sizeof detail), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, bad));
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "not a hex digit"));

    const char *dup[] = { "device", bt_src_path(EL30), "device", bt_src_path(EL30), NULL };
    CU_ASSERT_EQUAL(tr_open(&t, dup, detail, sizeof detail), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "serial " EL30_SN " is already used"));

    const char *faults[] = { "device", bt_src_path(EL30), "faults", "drop=2", NULL };
    CU_ASSERT_EQUAL(tr_open(&t, faults, detail, sizeof detail), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "drop=2"));

    const char *fault[] = { "device", bt_src_path(EL30), "fault", "crc=7", NULL }; /* alias key */
    CU_ASSERT_EQUAL(tr_open(&t, fault, detail, sizeof detail), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "crc=7"));

    const char *strict[] = { "device", bt_src_path(EL30), "strict_serial", "maybe", NULL };
    CU_ASSERT_EQUAL(tr_open(&t, strict, detail, sizeof detail), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "strict_serial of transport 'sim': 'maybe' is not a "
                                          "yes/no value"));

    /* without device options: the directory in BLUETTI_SIM_DEVICES */
    char *saved = getenv("BLUETTI_SIM_DEVICES") ? strdup(getenv("BLUETTI_SIM_DEVICES")) : NULL;
    char empty[128];
    snprintf(empty, sizeof empty, "%s/empty", tmpdir);
    CU_ASSERT_EQUAL(mkdir(empty, 0700), 0);
    setenv("BLUETTI_SIM_DEVICES", empty, 1);
    CU_ASSERT_EQUAL(tr_open(&t, NULL, detail, sizeof detail), BLUETTI_E_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, empty));
    setenv("BLUETTI_SIM_DEVICES", "/nonexistent/images", 1);
    CU_ASSERT_EQUAL(tr_open(&t, NULL, detail, sizeof detail), BLUETTI_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "/nonexistent/images"));
    setenv("BLUETTI_SIM_DEVICES", bt_src_path("data/devices"), 1);
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, NULL, detail, sizeof detail), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL30_SN), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL100_SN), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL200_SN), 0);
    t.ops->close(t.st);
    if (saved) setenv("BLUETTI_SIM_DEVICES", saved, 1);
    else unsetenv("BLUETTI_SIM_DEVICES");
    free(saved);
}

static void test_transport_disconnect(void)
{
    struct tr t;
    const char *kv[] = { "device", bt_src_path(EL100), "faults", "disconnect=2", NULL };
    CU_ASSERT_EQUAL_FATAL(tr_open(&t, kv, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.ops->attach(t.st, EL100_SN), 0);
    CU_ASSERT_EQUAL(tr_submit(&t, EL100_SN, "01030064000285d4"), 0);
    CU_ASSERT_EQUAL(tr_submit(&t, EL100_SN, "01030064000285d4"), 0); /* the second drops the link */
    CU_ASSERT_EQUAL(t.ops->process(t.st, 100), 0);
    CU_ASSERT_EQUAL_FATAL(t.ev.n, 2);
    CU_ASSERT_EQUAL(t.ev.type[0], BLUETTI_EV_DISCONNECTED);
    CU_ASSERT_EQUAL(t.ev.type[1], BLUETTI_EV_CONNECTED);
    uint64_t in, dropped;
    t.ops->stats(t.st, &in, &dropped);
    CU_ASSERT_EQUAL(in, 0);
    CU_ASSERT_EQUAL(dropped, 1); /* the first reply was lost with the link */
    CU_ASSERT_EQUAL(tr_submit(&t, EL100_SN, "01030064000285d4"), 0);
    CU_ASSERT_EQUAL(t.ops->process(t.st, 100), 0);
    CU_ASSERT_EQUAL_FATAL(t.ev.n, 3);
    CU_ASSERT_EQUAL(t.ev.type[2], BLUETTI_EV_FRAME);
    t.ops->close(t.st);
}

/* ---- through the session API ---------------------------------------------- */

static bluetti_session *open_session(const char *faults, const char *model, double timeout_s,
                                     unsigned attempts)
{
    bluetti_options *o = bluetti_options_new();
    bluetti_options_add(o, "device", bt_src_path(EL30));
    bluetti_options_add(o, "device", bt_src_path(EL100));
    bluetti_options_add(o, "device", bt_src_path(EL200));
    if (faults) bluetti_options_set(o, "faults", faults);
    if (model) bluetti_options_set(o, "model", model);
    bluetti_session_config cfg;
    bluetti_session_config_default(&cfg);
    cfg.timeout_s = timeout_s;
    cfg.retry.max_attempts = attempts;
    cfg.retry.initial_delay = 0.01;
    cfg.retry.max_delay = 0.05;
    bluetti_session *s = NULL;
    char detail[256] = "";
    int rc = bluetti_session_open(reg, "sim", o, &cfg, &s, detail, sizeof detail);
    bluetti_options_free(o);
    if (rc) fprintf(stderr, "session_open: %s\n", detail);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return s;
}

static bluetti_device *add(bluetti_session *s, const char *sn, const char *model)
{
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, sn, model, &d), 0);
    return d;
}

/* The serial as the schema decodes it: a number (real units) or text. */
static void check_serial(const bluetti_result *r, const char *want)
{
    const bluetti_value *v = bluetti_result_find(r, "device_serial");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    char got[32] = "";
    if (v->kind == BLUETTI_VAL_UINT) snprintf(got, sizeof got, "%llu", (unsigned long long)v->v.u);
    else if (v->kind == BLUETTI_VAL_INT) snprintf(got, sizeof got, "%lld", (long long)v->v.i);
    else if (v->kind == BLUETTI_VAL_TEXT) snprintf(got, sizeof got, "%s", v->v.s);
    CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_session_read(void)
{
    bluetti_session *s = open_session(NULL, NULL, 2.0, 3);
    bluetti_device *d = add(s, EL100_SN, "Elite 100 V2");
    const bluetti_result *r = NULL;
    int rc = bluetti_device_read_block(d, 100, 0, &r);
    if (rc) fprintf(stderr, "read 100: %s\n", bluetti_device_error_detail(d));
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    size_t len = 0;
    bluetti_result_raw(r, &len);
    CU_ASSERT_EQUAL(len, 160); /* the profile's size for block 100 */
    BT_ASSERT_NEAR(bt_field_num(r, "soc"), 85);
    BT_ASSERT_NEAR(bt_field_num(r, "pack_voltage"), 53.2);
    BT_ASSERT_NEAR(bt_field_num(r, "pack_current"), -3.8);
    CU_ASSERT_STRING_EQUAL(bt_field_text(r, "device_model"), "EL100V2");
    check_serial(r, EL100_SN);

    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(d, 1300, 0, &r), 0);
    BT_ASSERT_NEAR(bt_field_num(r, "frequency"), 50.0);
    BT_ASSERT_NEAR(bt_field_num(r, "phase_0_voltage"), 229.8);
    BT_ASSERT_NEAR(bt_field_num(r, "phase_0_power"), 0);

    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(d, 6000, 0, &r), 0);
    BT_ASSERT_NEAR(bt_field_num(r, "voltage"), 53.2);
    BT_ASSERT_NEAR(bt_field_num(r, "current"), -3.8);
    BT_ASSERT_NEAR(bt_field_num(r, "soc"), 85);
    BT_ASSERT_NEAR(bt_field_num(r, "soh"), 98);
    BT_ASSERT_NEAR(bt_field_num(r, "cell_count"), 16);
    BT_ASSERT_NEAR(bt_field_num(r, "cycles"), 112);
    BT_ASSERT_NEAR(bt_field_num(r, "temp_avg"), 25);

    /* none of these blocks has version-gated fields, so nothing read block 1
     * yet: the version is the profile's until asked for */
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(d), bluetti_device_profile(d)->protocol_version);
    /* the protocol version the device reports (block 1 byte 30) */
    CU_ASSERT_EQUAL(bluetti_device_detect_protocol_version(d), 0);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(d), 2001);

    /* a read past the end of a block: exception 2 from the device */
    uint8_t buf[512];
    CU_ASSERT_EQUAL(bluetti_device_read_raw(d, 100, 81, buf, sizeof buf, &len), BLUETTI_E_EXCEPTION);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(d), "Illegal data address"));
    CU_ASSERT_EQUAL(bluetti_device_read_raw(d, 100, 80, buf, sizeof buf, &len), 0);
    CU_ASSERT_EQUAL(len, 160);
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.retries, 0);
    CU_ASSERT_EQUAL(st.timeouts, 0);
    bluetti_session_close(s);
}

/* Several devices on one session, read concurrently. */
struct done { int n; int err[3]; double soc[3]; };

static void on_read(void *ud, bluetti_device *d, uint16_t block, int err, const bluetti_result *r)
{
    struct done *dn = ud;
    (void)block;
    int i = !strcmp(bluetti_device_address(d), EL30_SN) ? 0
          : !strcmp(bluetti_device_address(d), EL100_SN) ? 1 : 2;
    dn->err[i] = err;
    dn->soc[i] = r ? bluetti_value_as_double(bluetti_result_find(r, "soc")) : NAN;
    dn->n++;
}

static void test_session_many(void)
{
    bluetti_session *s = open_session("delay=0.3", NULL, 2.0, 1);
    bluetti_device *d[3] = { add(s, EL30_SN, "EL30V2"), add(s, EL100_SN, "EL100V2"),
                             add(s, EL200_SN, "ELITE200V2") };
    struct done dn = { 0 };
    bluetti_session_set_read_callback(s, on_read, &dn);
    double t0 = bt_now();
    for (int i = 0; i < 3; i++) CU_ASSERT_EQUAL(bluetti_device_submit_read(d[i], 100, 0), 0);
    CU_ASSERT_EQUAL(bluetti_device_submit_read(d[0], 100, 0), BLUETTI_E_BUSY);
    while (dn.n < 3 && bt_now() - t0 < 3) CU_ASSERT_EQUAL(bluetti_session_process(s, 500), 0);
    CU_ASSERT_EQUAL_FATAL(dn.n, 3);
    /* in parallel: one after the other would take at least 3 x 0.3 s */
    CU_ASSERT_TRUE(bt_now() - t0 < 0.9);
    for (int i = 0; i < 3; i++) CU_ASSERT_EQUAL(dn.err[i], 0);
    BT_ASSERT_NEAR(dn.soc[0], 62);
    BT_ASSERT_NEAR(dn.soc[1], 85);
    BT_ASSERT_NEAR(dn.soc[2], 47);
    const bluetti_result *r = bluetti_device_last(d[2], 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(bt_field_text(r, "device_model"), "Elite 200 V2");
    check_serial(r, EL200_SN);
    bluetti_session_close(s);
}

static void test_session_model_fallback(void)
{
    bluetti_session *s = open_session(NULL, "EL30V2", 2.0, 1);
    bluetti_device *d = add(s, "9876543210987", "EL30V2");
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(d, 100, 0, &r), 0);
    check_serial(r, "9876543210987");
    CU_ASSERT_STRING_EQUAL(bt_field_text(r, "device_model"), "EL30V2");
    BT_ASSERT_NEAR(bt_field_num(r, "soc"), 62);
    bluetti_session_close(s);

    bluetti_options *o = bluetti_options_new();
    bluetti_options_add(o, "device", bt_src_path(EL30));
    bluetti_options_set(o, "strict_serial", "true");
    bluetti_options_set(o, "model", "EL30V2");
    CU_ASSERT_EQUAL_FATAL(bluetti_session_open(reg, "sim", o, NULL, &s, NULL, 0), 0);
    bluetti_options_free(o);
    CU_ASSERT_EQUAL(bluetti_session_add_device(s, "9876543210987", "EL30V2", NULL), BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(bluetti_session_add_device(s, EL30_SN, "EL30V2", NULL), 0);
    bluetti_session_close(s);
}

static void test_session_fault_delay(void)
{
    /* every reply comes 0.3 s late, the timeout is 0.2 s: the first attempt
     * times out and its late reply answers the retry */
    bluetti_session *s = open_session("delay=0.3", NULL, 0.2, 3);
    bluetti_device *d = add(s, EL100_SN, "EL100V2");
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 1300, 0, &r), 0);
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.timeouts, 1);
    CU_ASSERT_EQUAL(st.retries, 1);
    CU_ASSERT_PTR_NOT_NULL(r);
    bluetti_session_close(s);
}

static void test_session_fault_drop(void)
{
    bluetti_session *s = open_session("drop=1", NULL, 0.1, 3);
    bluetti_device *d = add(s, EL100_SN, "EL100V2");
    bluetti_device_set_protocol_version(d, 2001); /* count this read's requests only */
    double t0 = bt_now();
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), BLUETTI_E_TIMEOUT);
    CU_ASSERT_TRUE(bt_now() - t0 >= 0.3);
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.requests, 3);
    CU_ASSERT_EQUAL(st.timeouts, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(d), "3 attempts"));
    bluetti_session_close(s);
}

/* Protocol errors are permanent: one request, no retry. */
static void expect_permanent(const char *faults, uint16_t block, int want, const char *detail)
{
    bluetti_session *s = open_session(faults, NULL, 1.0, 3);
    bluetti_device *d = add(s, EL100_SN, "EL100V2");
    bluetti_device_set_protocol_version(d, 2001); /* count this read's requests only */
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, block, 0, NULL), want);
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.requests, 1);
    CU_ASSERT_EQUAL(st.retries, 0);
    if (detail && !strstr(bluetti_device_error_detail(d), detail))
        fprintf(stderr, "detail \"%s\" lacks \"%s\"\n", bluetti_device_error_detail(d), detail);
    CU_ASSERT_TRUE(!detail || strstr(bluetti_device_error_detail(d), detail));
    /* other blocks are unaffected by a block-specific fault */
    if (strstr(faults, "exception")) CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), 0);
    bluetti_session_close(s);
}

static void test_session_fault_permanent(void)
{
    expect_permanent("crc=1", 100, BLUETTI_E_CRC, NULL);
    expect_permanent("exception=6000:4", 6000, BLUETTI_E_EXCEPTION, "Slave device failure");
    expect_permanent("exception=1300", 1300, BLUETTI_E_EXCEPTION, "Illegal data address");
    expect_permanent("short=1", 100, BLUETTI_E_FRAME, NULL);
}

static void test_session_fault_disconnect(void)
{
    /* every request drops the link: fail fast, no waiting for the timeout */
    bluetti_session *s = open_session("disconnect=1", NULL, 5.0, 3);
    bluetti_device *d = add(s, EL100_SN, "EL100V2");
    bluetti_device_set_protocol_version(d, 2001); /* count this read's requests only */
    double t0 = bt_now();
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), BLUETTI_E_DISCONNECTED);
    CU_ASSERT_TRUE(bt_now() - t0 < 5.0); /* less than one 5 s timeout */
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.requests, 3);
    CU_ASSERT_EQUAL(st.timeouts, 0);
    bluetti_session_close(s);

    /* every second request: the retry gets through */
    s = open_session("disconnect=2", NULL, 5.0, 3);
    d = add(s, EL100_SN, "EL100V2");
    bluetti_device_set_protocol_version(d, 2001);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), 0);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 1300, 0, NULL), 0);
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.requests, 3);
    CU_ASSERT_EQUAL(st.retries, 1);
    bluetti_session_close(s);
}

/* Every block the registry has a schema for decodes from every image
 * without a warning, and every group of the image's profile reads. */
static void group_cb(void *ud, bluetti_device *d, uint16_t block, int err, const bluetti_result *r)
{
    (void)r;
    if (err) fprintf(stderr, "%s: group block %u: %s\n", (const char *)ud, (unsigned)block,
                     bluetti_device_error_detail(d));
}

static void test_images_decode(void)
{
    static const struct { const char *file, *sn, *model; } img[] = {
        { EL30, EL30_SN, "EL30V2" }, { EL100, EL100_SN, "EL100V2" }, { EL200, EL200_SN, "ELITE200V2" },
    };
    size_t nb = bluetti_registry_block_count(reg);
    CU_ASSERT_TRUE(nb > 0);
    for (size_t k = 0; k < 3; k++) {
        bluetti_session *s = open_session(NULL, NULL, 2.0, 1);
        bluetti_device *d = add(s, img[k].sn, img[k].model);
        CU_ASSERT_EQUAL(bluetti_device_detect_protocol_version(d), 0);
        for (size_t i = 0; i < nb; i++) {
            const bluetti_block_schema *sc = bluetti_registry_block_at(reg, i);
            const bluetti_result *r = NULL;
            int rc = bluetti_device_read_block(d, sc->id, 0, &r);
            if (rc) fprintf(stderr, "%s block %u: %s\n", img[k].file, (unsigned)sc->id,
                            bluetti_device_error_detail(d));
            CU_ASSERT_EQUAL(rc, 0);
            if (rc) continue;
            size_t nw = bluetti_result_warning_count(r);
            for (size_t w = 0; w < nw; w++)
                fprintf(stderr, "%s block %u: warning: %s\n", img[k].file, (unsigned)sc->id,
                        bluetti_result_warning(r, w));
            CU_ASSERT_EQUAL(nw, 0);
            CU_ASSERT_TRUE(bluetti_result_valid(r));
        }
        const bluetti_profile *p = bluetti_device_profile(d);
        for (uint16_t g = 0; g < p->n_groups; g++)
            CU_ASSERT_EQUAL(bluetti_device_read_group(d, p->groups[g].name, group_cb,
                                                      (void *)img[k].file), 0);
        bluetti_session_close(s);
    }
}

/* ---- suites ------------------------------------------------------------------ */

static int suite_init(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bt-test-sim-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    reg = bt_registry();
    return reg ? 0 : -1;
}

static int suite_cleanup(void)
{
    bluetti_registry_free(reg);
    reg = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Per-device Modbus address: a simulated device at address 0 (as
 * second-generation cloud devices are) ignores requests for address 1 and
 * answers those for 0. */
static void test_session_modbus_address_zero(void)
{
    FILE *in = fopen(bt_src_path(EL100), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    static char img[1 << 17];
    size_t n = fread(img, 1, sizeof img - 1, in);
    fclose(in);
    img[n] = '\0';
    char *at = strstr(img, "\"address\": 1,");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    at[strlen("\"address\": ")] = '0';
    const char *tdir = getenv("TMPDIR");
    char tpath[4096];
    snprintf(tpath, sizeof tpath, "%s/bluetti-addr0-XXXXXX", tdir && *tdir ? tdir : "/tmp");
    int fd = mkstemp(tpath);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL_FATAL(write(fd, img, n), (ssize_t)n);
    close(fd);

    bluetti_options *o = bluetti_options_new();
    bluetti_options_add(o, "device", tpath);
    bluetti_session_config cfg;
    bluetti_session_config_default(&cfg);
    cfg.timeout_s = 0.2;
    cfg.retry.max_attempts = 1;
    bluetti_session *s = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_open_ex(reg, "sim", o, &cfg, &s, NULL), 0);
    bluetti_options_free(o);
    unlink(tpath);
    bluetti_device *d = add(s, EL100_SN, "EL100V2");
    bluetti_device_set_protocol_version(d, 2001);
    CU_ASSERT_EQUAL(bluetti_device_modbus_address(d), 1);
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, NULL), BLUETTI_E_TIMEOUT);
    CU_ASSERT_EQUAL(bluetti_device_set_modbus_address(d, 0), 0);
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 100, 0, &r), 0);
    if (r) CU_ASSERT_STRING_EQUAL(bt_field_text(r, "device_model"), "EL100V2");
    bluetti_session_close(s);
}

/* A device added without a model: block 100 names it on the first read,
 * and the protocol version comes along. */
static void test_session_model_detected(void)
{
    bluetti_session *s = open_session(NULL, NULL, 1.0, 1);
    bluetti_device *d = add(s, EL30_SN, NULL);
    CU_ASSERT_PTR_NULL(bluetti_device_profile(d));
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL(bluetti_device_read_block(d, 1300, 0, &r), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bluetti_device_profile(d));
    CU_ASSERT_STRING_EQUAL(bluetti_device_profile(d)->model, "EL30V2");
    CU_ASSERT_PTR_NOT_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(bluetti_device_last(d, 100)); /* the model's block, kept */
    /* the Elite 200 V2 reports "Elite 200 V2", an alias of its profile */
    bluetti_device *e = add(s, EL200_SN, NULL);
    CU_ASSERT_EQUAL(bluetti_device_read_block(e, 6000, 0, &r), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bluetti_device_profile(e));
    CU_ASSERT_STRING_EQUAL(bluetti_device_profile(e)->model, "ELITE200V2");
    bluetti_session_close(s);
}

/* The event-loop contract with the simulator: two sessions driven from one
 * poll() loop, woken by their descriptors or their timeouts; the timeout
 * includes the transport's own deadline (the delayed reply), not just the
 * request timeout, and there is nothing to do in between. */
struct loop_done { int n, errs; };

static void loop_cb(void *ud, bluetti_device *d, uint16_t block, int err, const bluetti_result *r)
{
    (void)d;
    (void)block;
    (void)r;
    struct loop_done *l = ud;
    l->n++;
    if (err) l->errs++;
}

static void test_session_external_loop(void)
{
    bluetti_session *s[2] = { open_session("delay=0.2", NULL, 5.0, 1),
                              open_session("delay=0.2", NULL, 5.0, 1) };
    struct loop_done done = { 0 };
    bluetti_device *d[2];
    for (int i = 0; i < 2; i++) {
        bluetti_session_set_read_callback(s[i], loop_cb, &done);
        d[i] = add(s[i], i ? EL30_SN : EL100_SN, i ? "EL30V2" : "EL100V2");
        bluetti_device_set_protocol_version(d[i], 2001);
        CU_ASSERT_EQUAL(bluetti_session_poll_events(s[i]), POLLIN);
        /* idle: nothing due, nothing readable */
        CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(s[i]), -1);
        CU_ASSERT_EQUAL(bluetti_device_submit_read(d[i], 1300, 0), 0);
        int t = bluetti_session_next_timeout_ms(s[i]);
        CU_ASSERT_TRUE(t >= 0 && t <= 200); /* the reply's due time, not the 5 s timeout */
    }
    CU_ASSERT_NOT_EQUAL(bluetti_session_fd(s[0]), bluetti_session_fd(s[1]));
    unsigned wakeups = 0;
    while (done.n < 2 && wakeups < 100) {
        struct pollfd p[2];
        int timeout = -1;
        for (int i = 0; i < 2; i++) {
            p[i] = (struct pollfd){ .fd = bluetti_session_fd(s[i]),
                                    .events = bluetti_session_poll_events(s[i]) };
            int t = bluetti_session_next_timeout_ms(s[i]);
            if (t >= 0 && (timeout < 0 || t < timeout)) timeout = t;
        }
        CU_ASSERT_FATAL(timeout >= 0); /* something is always due while reads wait */
        poll(p, 2, timeout);
        wakeups++;
        for (int i = 0; i < 2; i++) CU_ASSERT_EQUAL(bluetti_session_process(s[i], 0), 0);
    }
    CU_ASSERT_EQUAL(done.n, 2);
    CU_ASSERT_EQUAL(done.errs, 0);
    CU_ASSERT_TRUE(wakeups < 20); /* woken by events, not spinning */
    for (int i = 0; i < 2; i++) {
        struct pollfd p = { .fd = bluetti_session_fd(s[i]), .events = POLLIN };
        CU_ASSERT_EQUAL(poll(&p, 1, 0), 0); /* done: not readable */
        CU_ASSERT_EQUAL(bluetti_session_next_timeout_ms(s[i]), -1);
        bluetti_session_close(s[i]);
    }
}

static int add_suites(void)
{
    CU_pSuite s = CU_add_suite("image", suite_init, suite_cleanup);
    if (!s || !CU_add_test(s, "load the shipped images", test_load_images) ||
        !CU_add_test(s, "images serve every catalog block", test_images_cover_catalog) ||
        !CU_add_test(s, "bad images are refused with file and position", test_load_errors) ||
        !CU_add_test(s, "address 0 and the envelope key", test_address_zero_and_envelope))
        return -1;
    s = CU_add_suite("answer", suite_init, suite_cleanup);
    if (!s || !CU_add_test(s, "replies, exceptions, ignored frames", test_answers) ||
        !CU_add_test(s, "serial registers", test_serial))
        return -1;
    s = CU_add_suite("faults", suite_init, suite_cleanup);
    if (!s || !CU_add_test(s, "fault specs", test_fault_parse) ||
        !CU_add_test(s, "each fault kind", test_fault_kinds) ||
        !CU_add_test(s, "seeded rates", test_fault_rates))
        return -1;
    s = CU_add_suite("transport", suite_init, suite_cleanup);
    if (!s || !CU_add_test(s, "submit, fd, process, detach", test_transport_basic) ||
        !CU_add_test(s, "delayed replies", test_transport_delay) ||
        !CU_add_test(s, "address to image", test_transport_pick) ||
        !CU_add_test(s, "default images without a device option", test_transport_default_images) ||
        !CU_add_test(s, "open errors", test_transport_open_errors) ||
        !CU_add_test(s, "disconnect fault", test_transport_disconnect))
        return -1;
    s = CU_add_suite("session", suite_init, suite_cleanup);
    if (!s || !CU_add_test(s, "read blocks 100, 1300, 6000", test_session_read) ||
        !CU_add_test(s, "several devices at once", test_session_many) ||
        !CU_add_test(s, "model fallback and strict serials", test_session_model_fallback) ||
        !CU_add_test(s, "delay beyond the timeout: the retry succeeds", test_session_fault_delay) ||
        !CU_add_test(s, "drop: timeout after the retries", test_session_fault_drop) ||
        !CU_add_test(s, "CRC, exception, short: no retry", test_session_fault_permanent) ||
        !CU_add_test(s, "disconnect: fail fast", test_session_fault_disconnect) ||
        !CU_add_test(s, "every image block decodes without warnings", test_images_decode) ||
        !CU_add_test(s, "a device at Modbus address 0", test_session_modbus_address_zero) ||
        !CU_add_test(s, "model detected from block 100", test_session_model_detected) ||
        !CU_add_test(s, "two sessions from one poll() loop", test_session_external_loop))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add_suites);
}
