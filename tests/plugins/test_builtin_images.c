/* The built-in device images (plugins/transport-sim/builtin_images.c,
 * what a build without jansson serves): with jansson, each is the image
 * file it was made from, field for field and register for register, so a
 * stale table fails here; without jansson, image files are refused with
 * the reason. In both builds the images build into devices, decode to the
 * values of data/devices/units/el100v2.json, and transport-sim serves them
 * through the session API. */
#include "config.h"

#include "testutil.h"
#include "simdev.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EL100_SN "2345000223861"

static bluetti_registry *reg;

static bt_simdev *builtin(const char *model)
{
    bt_simdev *d = NULL;
    char err[512] = "";
    int rc = bt_simdev_builtin_find(model, &d, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return d;
}

/* Registers [start, start + count) as d serves them to a read (0x03), in
 * requests of at most 125 registers; false when a request is refused. */
static bool read_regs(bt_simdev *d, uint16_t start, uint32_t count, uint8_t *out)
{
    for (uint32_t done = 0; done < count;) {
        uint16_t n = (uint16_t)(count - done > 125 ? 125 : count - done);
        uint8_t req[BLUETTI_MODBUS_REQUEST_LEN], rep[BLUETTI_MODBUS_MAX_FRAME];
        bluetti_modbus_build_read(bt_simdev_address(d), (uint16_t)(start + done), n, req);
        unsigned st = 0;
        double delay = 0;
        size_t len = bt_simdev_answer(d, NULL, &st, req, sizeof req, rep, sizeof rep, &delay);
        if (len != 5u + 2u * n || rep[1] != BLUETTI_MODBUS_READ) return false;
        memcpy(out + 2u * done, rep + 3, 2u * n);
        done += n;
    }
    return true;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* a and b serve the same device: identity and every register. */
static void check_same(bt_simdev *a, bt_simdev *b, const char *file)
{
    CU_ASSERT_STRING_EQUAL(bt_simdev_model(a), bt_simdev_model(b));
    CU_ASSERT_STRING_EQUAL(bt_simdev_serial(a), bt_simdev_serial(b));
    CU_ASSERT_EQUAL(bt_simdev_protocol_version(a), bt_simdev_protocol_version(b));
    CU_ASSERT_EQUAL(bt_simdev_address(a), bt_simdev_address(b));
    CU_ASSERT_EQUAL(bt_simdev_envelope(a), bt_simdev_envelope(b));
    CU_ASSERT_STRING_EQUAL(or_empty(bt_simdev_description(a)), or_empty(bt_simdev_description(b)));
    size_t k = 0;
    for (; bt_simdev_alias(a, k) && bt_simdev_alias(b, k); k++)
        CU_ASSERT_STRING_EQUAL(bt_simdev_alias(a, k), bt_simdev_alias(b, k));
    CU_ASSERT_PTR_NULL(bt_simdev_alias(a, k));
    CU_ASSERT_PTR_NULL(bt_simdev_alias(b, k));
    size_t i = 0, bytes = 0;
    uint16_t sa, sb;
    uint32_t ca, cb;
    static uint8_t ra[2 * 65536], rb[2 * 65536];
    for (; bt_simdev_range(a, i, &sa, &ca) && bt_simdev_range(b, i, &sb, &cb); i++) {
        CU_ASSERT_EQUAL(sa, sb);
        CU_ASSERT_EQUAL(ca, cb);
        if (sa != sb || ca != cb) continue;
        CU_ASSERT_TRUE(read_regs(a, sa, ca, ra));
        CU_ASSERT_TRUE(read_regs(b, sb, cb, rb));
        if (memcmp(ra, rb, 2u * ca) != 0) {
            fprintf(stderr, "%s: the registers of range %u differ from the built-in image's; "
                    "run 'make update-images'\n", file, (unsigned)sa);
            CU_FAIL("registers differ");
        }
        bytes += 2u * ca;
    }
    CU_ASSERT_FALSE(bt_simdev_range(a, i, NULL, NULL));
    CU_ASSERT_FALSE(bt_simdev_range(b, i, NULL, NULL));
    CU_ASSERT_TRUE(bytes > 0);
}

static int json_name(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".json");
}

/* With jansson: every image file has its built-in image, and they agree. */
static void test_table_matches_files(void)
{
    struct dirent **names = NULL;
    int n = scandir(bt_src_path("data/devices"), &names, json_name, alphasort);
    CU_ASSERT_FATAL(n >= 6);
    CU_ASSERT_EQUAL((size_t)n, bt_simdev_builtin_count());
    for (int f = 0; f < n; f++) {
        size_t i = 0;
        while (i < bt_simdev_builtin_count() && strcmp(bt_simdev_builtin_file(i), names[f]->d_name))
            i++;
        if (i == bt_simdev_builtin_count())
            fprintf(stderr, "data/devices/%s has no built-in image; run 'make update-images'\n",
                    names[f]->d_name);
        CU_ASSERT_FATAL(i < bt_simdev_builtin_count());
        char rel[300], err[512] = "";
        snprintf(rel, sizeof rel, "data/devices/%s", names[f]->d_name);
        bt_simdev *file = NULL, *table = NULL;
        CU_ASSERT_EQUAL_FATAL(bt_simdev_load(bt_src_path(rel), &file, err, sizeof err), 0);
        CU_ASSERT_EQUAL_FATAL(bt_simdev_builtin_load(i, &table, err, sizeof err), 0);
        check_same(file, table, rel);
        bt_simdev_free(file);
        bt_simdev_free(table);
        free(names[f]);
    }
    free(names);
}

/* Without jansson: an image file is refused, saying why and what there is. */
static void test_files_refused(void)
{
    bt_simdev *prev = builtin("AC180"), *d = prev; /* to see *out cleared */
    char err[512] = "";
    CU_ASSERT_FALSE(bt_simdev_reads_files());
    CU_ASSERT_EQUAL(bt_simdev_load(bt_src_path("data/devices/el100v2.json"), &d, err, sizeof err),
                    BLUETTI_E_UNSUPPORTED);
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "el100v2.json: this build has no jansson: device image "
                                       "files cannot be read"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "built-in images: AC180, AP300, EL100V2, EL30V2, "
                                       "ELITE200V2, EP760"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "libjansson-dev"));
    bt_simdev_free(prev);
}

static void test_lookup(void)
{
    CU_ASSERT_EQUAL(bt_simdev_builtin_count(), 6);
    bt_simdev *d = builtin("elite-100-v2"); /* an alias, folded */
    CU_ASSERT_STRING_EQUAL(bt_simdev_model(d), "EL100V2");
    CU_ASSERT_STRING_EQUAL(bt_simdev_serial(d), EL100_SN);
    CU_ASSERT_STRING_EQUAL(bt_simdev_path(d), "built-in:el100v2.json");
    CU_ASSERT_EQUAL(bt_simdev_protocol_version(d), 2001);
    CU_ASSERT_EQUAL(bt_simdev_envelope(d), BLUETTI_ENVELOPE_NEW);
    CU_ASSERT_TRUE(bt_simdev_covers(d, 100, 80));
    CU_ASSERT_FALSE(bt_simdev_covers(d, 100, 81));
    bt_simdev_free(d);
    d = builtin("EP760");
    CU_ASSERT_EQUAL(bt_simdev_address(d), 0); /* a 2nd-generation cloud device */
    bt_simdev_free(d);

    char err[512] = "";
    bt_simdev *prev = builtin("AP300");
    d = prev; /* to see *out cleared */
    CU_ASSERT_EQUAL(bt_simdev_builtin_find("EL1000V2", &d, err, sizeof err), BLUETTI_E_NOTFOUND);
    CU_ASSERT_PTR_NULL(d);
    bt_simdev_free(prev);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no built-in image of model \"EL1000V2\" (built-in: AC180,"));
    CU_ASSERT_EQUAL(bt_simdev_builtin_load(6, &d, err, sizeof err), BLUETTI_E_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no built-in image 6 (there are 6)"));
    CU_ASSERT_PTR_NULL(bt_simdev_builtin_file(6));
    char small[12];
    bt_simdev_builtin_models(small, sizeof small); /* truncated, terminated */
    CU_ASSERT_STRING_EQUAL(small, "AC180, AP30");
}

/* bt_simdev_new checks image data as the file loader did. */
static void test_new_checks(void)
{
    static const uint16_t regs[] = { 0x0101, 0x0000 };
    static const uint16_t version[] = { 0x07d0 };   /* register 16: protocol version 2000 */
    bt_sim_image_range r[2] = { { 10, 2, regs }, { 11, 2, regs } };
    bt_sim_image img = { .model = "X1", .serial = "1", .protocol_version = 2000, .address = 1,
                         .envelope = BLUETTI_ENVELOPE_NEW, .ranges = r, .n_ranges = 2 };
    bt_simdev *d = NULL;
    char err[512] = "";
    CU_ASSERT_EQUAL(bt_simdev_new(&img, "t.json", &d, err, sizeof err), BLUETTI_E_INVAL);
    CU_ASSERT_STRING_EQUAL(err, "t.json: ranges[0] (registers 10-11) overlaps ranges[1] (registers 11-12)");
    CU_ASSERT_PTR_NULL(d);
    r[1] = (bt_sim_image_range){ 16, 1, version };
    img.protocol_version = 2001;
    CU_ASSERT_EQUAL(bt_simdev_new(&img, "t.json", &d, err, sizeof err), BLUETTI_E_INVAL);
    CU_ASSERT_STRING_EQUAL(err, "t.json: block 1 bytes 30-31 report protocol version 2000 but "
                                "\"protocol_version\" is 2001");
    img.protocol_version = 2000;
    CU_ASSERT_EQUAL_FATAL(bt_simdev_new(&img, "t.json", &d, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    uint16_t s0 = 0;
    CU_ASSERT_TRUE(bt_simdev_range(d, 0, &s0, NULL));
    CU_ASSERT_EQUAL(s0, 10); /* sorted */
    CU_ASSERT_PTR_NULL(bt_simdev_description(d));
    bt_simdev_free(d);
    img.n_ranges = 0;
    CU_ASSERT_EQUAL(bt_simdev_new(&img, "t.json", &d, err, sizeof err), BLUETTI_E_INVAL);
    CU_ASSERT_STRING_EQUAL(err, "t.json: an image needs a model, a serial and ranges");
}

/* The built-in EL100V2 decoded by the block plugins: the unit file's values. */
static void test_builtin_decodes(void)
{
    bt_simdev *d = builtin("EL100V2");
    const bluetti_profile *p = bluetti_registry_find_profile(reg, "EL100V2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    static const uint16_t ids[] = { 100, 6000 }, regs[] = { 80, 32 }; /* what the image serves */
    for (size_t k = 0; k < 2; k++) {
        const bluetti_block_schema *s = bluetti_registry_find_block(reg, ids[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        bluetti_result *r = NULL;
        char why[256] = "";
        CU_ASSERT_EQUAL_FATAL(bluetti_result_new_for_profile(s, p, &r, why, sizeof why), 0);
        uint8_t b[250];
        CU_ASSERT_TRUE_FATAL(read_regs(d, ids[k], regs[k], b));
        CU_ASSERT_FALSE(bt_simdev_covers(d, ids[k], (uint16_t)(regs[k] + 1)));
        CU_ASSERT_EQUAL(bluetti_decode(r, b, 2u * regs[k], 2001), 0);
        if (ids[k] == 100) {
            BT_ASSERT_NEAR(bt_field_num(r, "soc"), 85);
            BT_ASSERT_NEAR(bt_field_num(r, "pack_voltage"), 53.2);
            BT_ASSERT_NEAR(bt_field_num(r, "pack_current"), -3.8);
            BT_ASSERT_NEAR(bt_field_num(r, "dc_input_power"), 300);
            BT_ASSERT_NEAR(bt_field_num(r, "ac_output_power"), 85);
            CU_ASSERT_STRING_EQUAL(bt_field_text(r, "device_model"), "EL100V2");
            BT_ASSERT_NEAR(bt_field_num(r, "device_serial"), 2345000223861.0);
        } else {
            BT_ASSERT_NEAR(bt_field_num(r, "soc"), 85);
            BT_ASSERT_NEAR(bt_field_num(r, "soh"), 98);
            BT_ASSERT_NEAR(bt_field_num(r, "cell_count"), 16);
            BT_ASSERT_NEAR(bt_field_num(r, "cycles"), 112);
        }
        bluetti_result_free(r);
    }
    bt_simdev_free(d);
}

/* transport-sim through the session API: a device at the EL100V2's serial
 * (model detected from block 100) and one served by model= under another
 * serial. Without jansson these are the built-in images. */
static void test_session(void)
{
    bluetti_options *o = bluetti_options_new();
    if (bt_simdev_reads_files()) bluetti_options_add(o, "device", bt_src_path("data/devices/el100v2.json"));
    bluetti_options_set(o, "model", "Elite 100 V2");
    bluetti_session *s = NULL;
    char detail[512] = "";
    int rc = bluetti_session_open(reg, "sim", o, NULL, &s, detail, sizeof detail);
    if (rc) fprintf(stderr, "session_open: %s\n", detail);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    bluetti_device *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, EL100_SN, NULL, &a), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, "1000000001", "EL100V2", &b), 0);
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(a, 100, 0, &r), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_device_profile(a)->model, "EL100V2");
    BT_ASSERT_NEAR(bt_field_num(r, "soc"), 85);
    BT_ASSERT_NEAR(bt_field_num(r, "pack_voltage"), 53.2);
    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(b, 100, 0, &r), 0);
    BT_ASSERT_NEAR(bt_field_num(r, "device_serial"), 1000000001.0);   /* the copy took the serial */
    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(b, 1300, 0, &r), 0);
    BT_ASSERT_NEAR(bt_field_num(r, "frequency"), 50.0);
    BT_ASSERT_NEAR(bt_field_num(r, "phase_0_voltage"), 229.8);
    CU_ASSERT_EQUAL(bluetti_device_detect_protocol_version(a), 0);
    CU_ASSERT_EQUAL(bluetti_device_protocol_version(a), 2001);
    bluetti_session_close(s);

    /* a file given as device=: read with jansson, refused with the reason without */
    bluetti_options_set(o, "device", bt_src_path("data/devices/el30v2.json"));
    rc = bluetti_session_open(reg, "sim", o, NULL, &s, detail, sizeof detail);
    if (bt_simdev_reads_files()) {
        CU_ASSERT_EQUAL(rc, 0);
    } else {
        CU_ASSERT_EQUAL(rc, BLUETTI_E_UNSUPPORTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(detail, "this build has no jansson"));
    }
    bluetti_session_close(s);
    bluetti_options_free(o);
}

static int add(void)
{
    reg = bt_registry();
    CU_pSuite s = CU_add_suite("built-in images", NULL, NULL);
    if (!s || !(bt_simdev_reads_files()
                    ? CU_add_test(s, "each is its image file", test_table_matches_files)
                    : CU_add_test(s, "image files refused", test_files_refused)) ||
        !CU_add_test(s, "lookup by model", test_lookup) ||
        !CU_add_test(s, "image data checks", test_new_checks) ||
        !CU_add_test(s, "EL100V2 decodes to its unit's values", test_builtin_decodes) ||
        !CU_add_test(s, "transport-sim serves them", test_session))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    int rc = bt_run(argc, argv, add);
    bluetti_registry_free(reg);
    return rc;
}
