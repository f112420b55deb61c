/* Device profiles: lookups, groups, sizes, that every block a profile
 * reads has a schema and is served by that model's device image; every
 * model's overrides, evidence and detection from the model text. */
#include "config.h"

#include "testutil.h"
#include "sim_image.h"

#include <stdio.h>
#include <string.h>

static bluetti_registry *reg;

static const struct {
    const char *model, *alias, *type_id, *image;
    uint16_t n_groups;
} models[] = {
    { "EL30V2", "Elite 30 V2", "32", "data/devices/el30v2.json", 4 },
    { "EL100V2", "Elite 100 V2", "31", "data/devices/el100v2.json", 6 },
    { "ELITE200V2", "Elite 200 V2", "8", "data/devices/elite200v2.json", 3 },
};
#define N_MODELS (sizeof models / sizeof models[0])

static void test_lookup(void)
{
    for (size_t i = 0; i < N_MODELS; i++) {
        const bluetti_profile *p = bluetti_registry_find_profile(reg, models[i].model);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_STRING_EQUAL(p->model, models[i].model);
        CU_ASSERT_PTR_EQUAL(bluetti_registry_find_profile(reg, models[i].alias), p);
        CU_ASSERT_STRING_EQUAL(p->type_id, models[i].type_id);
        CU_ASSERT_STRING_EQUAL(p->aliases[0], models[i].alias);
        /* the Elite 200 V2 is also known by its Bluetooth name */
        if (strcmp(p->model, "ELITE200V2") == 0) {
            CU_ASSERT_STRING_EQUAL(p->aliases[1], "E200V2");
            CU_ASSERT_PTR_NULL(p->aliases[2]);
        } else {
            CU_ASSERT_PTR_NULL(p->aliases[1]);
        }
        CU_ASSERT_EQUAL(p->protocol_version, 2000);
        CU_ASSERT_EQUAL(p->version_block, 1);
        CU_ASSERT_EQUAL(p->version_offset, 30);
        CU_ASSERT_PTR_NOT_NULL(p->description);
        CU_ASSERT_STRING_EQUAL(bluetti_registry_profile_plugin(reg, p), "profile-elite-v2");
        char why[256] = "";
        CU_ASSERT_EQUAL(bluetti_profile_validate(p, why, sizeof why), 0);
    }
    /* odd spellings */
    static const struct { const char *name, *model; } odd[] = {
        { "el30v2", "EL30V2" }, { "elite 30 v2", "EL30V2" }, { "El100V2", "EL100V2" },
        { "elite-100-v2", "EL100V2" }, { "ELITE_200_V2", "ELITE200V2" }, { "elite200v2", "ELITE200V2" },
        { "Elite200V2", "ELITE200V2" },
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        const bluetti_profile *p = bluetti_registry_find_profile(reg, odd[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_STRING_EQUAL(p->model, odd[i].model);
    }
    CU_ASSERT_PTR_NULL(bluetti_registry_find_profile(reg, "EL300V2"));
    CU_ASSERT_PTR_NULL(bluetti_registry_find_profile(reg, "Elite V2"));
}

static void check_group(const bluetti_profile *p, const char *name, const uint16_t *blocks,
                        uint16_t n, uint16_t poll, int dflt)
{
    const bluetti_block_group *g = bluetti_profile_group(p, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL_FATAL(g->n_blocks, n);
    for (uint16_t i = 0; i < n; i++) CU_ASSERT_EQUAL(g->blocks[i], blocks[i]);
    CU_ASSERT_EQUAL(g->poll_interval_s, poll);
    CU_ASSERT_EQUAL(g->is_default, dflt);
    CU_ASSERT_PTR_NOT_NULL(g->description);
}

static void test_groups(void)
{
    static const uint16_t core[] = { 100 }, grid[] = { 1300 }, battery[] = { 6000 },
                          cells[] = { 6100 }, inverter[] = { 1100, 1400, 1500 };
    static const uint16_t settings[] = { 2000 };
    static const char *const order_full[] = { "core", "grid", "battery", "cells", "inverter",
                                              "settings" };
    static const char *const order_el30[] = { "core", "grid", "battery", "settings" };
    for (size_t i = 0; i < N_MODELS; i++) {
        const bluetti_profile *p = bluetti_registry_find_profile(reg, models[i].model);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_EQUAL_FATAL(p->n_groups, models[i].n_groups);
        const char *const *order = p->n_groups == 4 ? order_el30 : order_full;
        for (uint16_t g = 0; g < p->n_groups; g++) CU_ASSERT_STRING_EQUAL(p->groups[g].name, order[g]);
        check_group(p, "core", core, 1, 5, 1);
        check_group(p, "grid", grid, 1, 5, 1);
        check_group(p, "battery", battery, 1, 10, 1);
        /* the Elite 30/100 V2 read and write their output switches in block 2000 */
        if (p->n_groups > 3) check_group(p, "settings", settings, 1, 30, 0);
        else CU_ASSERT_PTR_NULL(bluetti_profile_group(p, "settings"));
        if (p->n_groups == 6) {
            check_group(p, "cells", cells, 1, 60, 0);
            check_group(p, "inverter", inverter, 3, 10, 0);
        } else {
            CU_ASSERT_PTR_NULL(bluetti_profile_group(p, "cells"));
            CU_ASSERT_PTR_NULL(bluetti_profile_group(p, "inverter"));
        }
        CU_ASSERT_PTR_NULL(bluetti_profile_group(p, "Core")); /* case-sensitive */
    }
}

static size_t request_bytes(const bluetti_profile *p, const bluetti_block_schema *s)
{
    for (const bluetti_block_size *z = p->sizes; z && z->block; z++)
        if (z->block == s->id) return z->bytes;
    return bluetti_schema_read_length(s);
}

static void test_sizes(void)
{
    for (size_t i = 0; i < N_MODELS; i++) {
        const bluetti_profile *p = bluetti_registry_find_profile(reg, models[i].model);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p->sizes);
        bool has100 = false;
        for (const bluetti_block_size *z = p->sizes; z->block; z++) {
            CU_ASSERT_TRUE(z->bytes > 0 && z->bytes % 2 == 0);
            CU_ASSERT_TRUE(z->bytes <= 2 * BLUETTI_MODBUS_MAX_REGISTERS);
            if (z->block == 100) {
                has100 = true;
                CU_ASSERT_EQUAL(z->bytes, 160); /* real units: at least 80 registers */
            }
        }
        CU_ASSERT_TRUE(has100);
    }
}

/* Every block the profile reads has a schema, and the model's image serves
 * the registers the profile asks for; so does the version block. */
static const struct { const char *model, *image; } images[] = {
    { "EL30V2", "data/devices/el30v2.json" }, { "EL100V2", "data/devices/el100v2.json" },
    { "ELITE200V2", "data/devices/elite200v2.json" }, { "AC180", "data/devices/ac180.json" },
    { "EP760", "data/devices/ep760.json" }, { "AP300", "data/devices/ap300.json" },
};

static void test_blocks_served(void)
{
    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
        const bluetti_profile *p = bluetti_registry_find_profile(reg, images[i].model);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        bt_simdev *img = NULL;
        char err[512];
        int rc = bt_test_image(images[i].image, &img, err, sizeof err);
        if (rc) fprintf(stderr, "%s\n", err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        CU_ASSERT_TRUE(bt_simdev_matches_model(img, p->model));
        for (size_t a = 0; p->aliases && p->aliases[a]; a++)
            CU_ASSERT_TRUE(bt_simdev_matches_model(img, p->aliases[a]));
        CU_ASSERT_TRUE(bt_simdev_covers(img, p->version_block, (uint16_t)(p->version_offset / 2 + 1)));
        for (uint16_t g = 0; g < p->n_groups; g++) {
            const bluetti_block_group *gr = &p->groups[g];
            for (uint16_t b = 0; b < gr->n_blocks; b++) {
                const bluetti_block_schema *s = bluetti_registry_find_block(reg, gr->blocks[b]);
                if (!s) fprintf(stderr, "%s group %s: no schema for block %u\n", p->model,
                                gr->name, (unsigned)gr->blocks[b]);
                CU_ASSERT_PTR_NOT_NULL(s);
                if (!s) continue;
                size_t bytes = request_bytes(p, s);
                CU_ASSERT_TRUE(bytes <= 2 * BLUETTI_MODBUS_MAX_REGISTERS);
                if (!bt_simdev_covers(img, s->id, (uint16_t)((bytes + 1) / 2)))
                    fprintf(stderr, "%s: block %u, %zu bytes, not served by %s\n", p->model,
                            (unsigned)s->id, bytes, images[i].image);
                CU_ASSERT_TRUE(bt_simdev_covers(img, s->id, (uint16_t)((bytes + 1) / 2)));
            }
        }
        /* the sizes the profile overrides are served too */
        for (const bluetti_block_size *z = p->sizes; z && z->block; z++)
            CU_ASSERT_TRUE(bt_simdev_covers(img, z->block, (uint16_t)(z->bytes / 2)));
        bt_simdev_free(img);
    }
}

/* Every registered profile: valid, its blocks have schemas, every override
 * names a real field, states its evidence and source, and yields a valid
 * patched schema; the profile states its own evidence; detection from its
 * model text and from a Bluetooth-style name (model + serial digits) finds it. */
static void test_all_profiles(void)
{
    size_t n = bluetti_registry_profile_count(reg);
    CU_ASSERT_TRUE(n >= 20);
    for (size_t i = 0; i < n; i++) {
        const bluetti_profile *p = bluetti_registry_profile_at(reg, i);
        char why[256] = "";
        CU_ASSERT_EQUAL(bluetti_profile_validate(p, why, sizeof why), 0);
        CU_ASSERT_PTR_NOT_NULL(p->evidence_note);
        CU_ASSERT_TRUE(p->evidence <= BLUETTI_EV_UNVERIFIED);
        for (uint16_t g = 0; g < p->n_groups; g++)
            for (uint16_t b = 0; b < p->groups[g].n_blocks; b++)
                CU_ASSERT_PTR_NOT_NULL(bluetti_registry_find_block(reg, p->groups[g].blocks[b]));
        for (uint16_t k = 0; k < p->n_overrides; k++) {
            const bluetti_field_override *o = &p->overrides[k];
            const bluetti_block_schema *s = bluetti_registry_find_block(reg, o->block);
            CU_ASSERT_PTR_NOT_NULL_FATAL(s);
            CU_ASSERT_TRUE(bluetti_schema_field_index(s, o->field) >= 0);
            CU_ASSERT_TRUE(o->note && strlen(o->note) > 10);
            CU_ASSERT_PTR_EQUAL(bluetti_profile_override(p, o->block, o->field), o);
            bluetti_result *r = NULL;
            int rc = bluetti_result_new_for_profile(s, p, &r, why, sizeof why);
            if (rc) fprintf(stderr, "%s: %s\n", p->model, why);
            CU_ASSERT_EQUAL(rc, 0);
            CU_ASSERT_PTR_NOT_EQUAL(bluetti_result_schema(r), s);   /* a patched copy */
            bluetti_result_free(r);
        }
        CU_ASSERT_PTR_EQUAL(bluetti_registry_detect_profile(reg, p->model), p);
        char ble[64];
        snprintf(ble, sizeof ble, "%s2345000223861", p->model);
        CU_ASSERT_PTR_EQUAL(bluetti_registry_detect_profile(reg, ble), p);
        for (const char *const *a = p->aliases; a && *a; a++)
            CU_ASSERT_PTR_EQUAL(bluetti_registry_detect_profile(reg, *a), p);
    }
}

static void test_detect(void)
{
    static const struct { const char *text, *model; } cases[] = {
        { "Elite 200 V2", "ELITE200V2" },     /* what the unit reports at block 100 byte 20 */
        { "E200V22401000378144", "ELITE200V2" },   /* its Bluetooth name */
        { "EL30V2", "EL30V2" }, { "el30v2", "EL30V2" },
        { "AC180P", "AC180P" },               /* exact beats the AC180 prefix */
        { "AC1802237000012345", "AC180" },
        { "EP760", "EP760" }, { "AP300", "AP300" }, { "Handsfree 2", "HANDSFREE2" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bluetti_profile *p = bluetti_registry_detect_profile(reg, cases[i].text);
        if (!p) fprintf(stderr, "no profile for '%s'\n", cases[i].text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_STRING_EQUAL(p->model, cases[i].model);
    }
    CU_ASSERT_PTR_NULL(bluetti_registry_detect_profile(reg, "AC180X"));   /* not digits */
    CU_ASSERT_PTR_NULL(bluetti_registry_detect_profile(reg, "XYZ"));
    CU_ASSERT_PTR_NULL(bluetti_registry_detect_profile(reg, ""));
    CU_ASSERT_PTR_NULL(bluetti_registry_detect_profile(reg, NULL));
    CU_ASSERT_PTR_NULL(bluetti_registry_detect_profile(NULL, "EL30V2"));
}

static bluetti_result *decode_as(const char *model, uint16_t block, const uint8_t *data,
                                 size_t len)
{
    const bluetti_profile *p = model ? bluetti_registry_find_profile(reg, model) : NULL;
    if (model) CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, block);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_result_new_for_profile(s, p, &r, NULL, 0), 0);
    CU_ASSERT_EQUAL(bluetti_decode(r, data, len, 2000), 0);
    return r;
}

/* Overrides change what a model decodes, and only for that model. */
static void test_overrides_decode(void)
{
    uint8_t home[142] = { 0 };
    home[0] = 0x14, home[1] = 0x00;         /* pack voltage raw 5120 */
    home[8] = 0x00, home[9] = 15;           /* time to full raw 15 */
    bluetti_result *plain = decode_as(NULL, 100, home, sizeof home);
    bluetti_result *ac180 = decode_as("AC180", 100, home, sizeof home);
    bluetti_result *ap300 = decode_as("AP300", 100, home, sizeof home);
    CU_ASSERT_DOUBLE_EQUAL(bt_field_num(plain, "pack_voltage"), 512.0, 1e-9);   /* the table's x0.1 */
    CU_ASSERT_DOUBLE_EQUAL(bt_field_num(ac180, "pack_voltage"), 51.2, 1e-9);    /* x0.01 on the AC180 */
    CU_ASSERT_DOUBLE_EQUAL(bt_field_num(ap300, "pack_voltage"), 512.0, 1e-9);   /* x0.1 on the AP300 */
    CU_ASSERT_DOUBLE_EQUAL(bt_field_num(plain, "time_remaining"), 15.0, 1e-9);  /* minutes */
    CU_ASSERT_DOUBLE_EQUAL(bt_field_num(ap300, "time_remaining"), 1.5, 1e-9);   /* hours x0.1 */
    int k = bluetti_schema_field_index(bluetti_result_schema(ap300), "time_remaining");
    CU_ASSERT_STRING_EQUAL(bluetti_result_schema(ap300)->fields[k].unit, "h");
    /* the registry's table is untouched */
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, 100);
    CU_ASSERT_STRING_EQUAL(s->fields[bluetti_schema_field_index(s, "time_remaining")].unit, "min");
    bluetti_result_free(plain);
    bluetti_result_free(ac180);
    bluetti_result_free(ap300);

    /* a switch that reads 3 for off on the AC2P */
    uint8_t set[48] = { 0 };
    set[23] = 3;                             /* register 2011 */
    bluetti_result *ac2p = decode_as("AC2P", 2000, set, sizeof set);
    bluetti_result *el30 = decode_as("EL30V2", 2000, set, sizeof set);
    const bluetti_block_schema *ps = bluetti_result_schema(ac2p);
    const bluetti_field *f = &ps->fields[bluetti_schema_field_index(ps, "ctrl_ac")];
    CU_ASSERT_STRING_EQUAL(bluetti_field_enum_name(f, 3), "off");
    CU_ASSERT_STRING_EQUAL(bluetti_field_enum_name(f, 1), "on");
    const bluetti_block_schema *es = bluetti_result_schema(el30);
    CU_ASSERT_PTR_NULL(bluetti_field_enum_name(&es->fields[bluetti_schema_field_index(es, "ctrl_ac")], 3));
    bluetti_result_free(ac2p);
    bluetti_result_free(el30);
}

/* A profile whose override names a missing field is refused with a reason. */
static void test_bad_override(void)
{
    static const bluetti_field_override bad[] = {
        { .block = 100, .field = "no_such_field", .what = BLUETTI_OV_UNIT, .unit = "V",
          .note = "test" },
    };
    static const bluetti_field_override zero_scale[] = {
        { .block = 100, .field = "pack_voltage", .what = BLUETTI_OV_XF,
          .xf = { BLUETTI_XF_SCALE_(0.0) }, .note = "test" },
    };
    bluetti_profile p = { .model = "TEST", .overrides = bad, .n_overrides = 1 };
    const bluetti_block_schema *s = bluetti_registry_find_block(reg, 100);
    bluetti_result *r = NULL;
    char why[256] = "";
    CU_ASSERT_EQUAL(bluetti_result_new_for_profile(s, &p, &r, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no_such_field"));
    p.overrides = zero_scale;
    CU_ASSERT_EQUAL(bluetti_result_new_for_profile(s, &p, &r, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "invalid"));
    /* overrides of another block leave this one as it is */
    const bluetti_block_schema *s1300 = bluetti_registry_find_block(reg, 1300);
    p.overrides = bad;
    CU_ASSERT_EQUAL(bluetti_result_new_for_profile(s1300, &p, &r, why, sizeof why), 0);
    CU_ASSERT_PTR_EQUAL(bluetti_result_schema(r), s1300);
    bluetti_result_free(r);
    CU_ASSERT_EQUAL(bluetti_result_new_for_profile(NULL, &p, &r, why, sizeof why), BLUETTI_E_INVAL);
}

/* Second-generation IoT devices answer at Modbus address 0. */
static void test_addresses(void)
{
    static const char *const zero[] = { "EP760", "AP300" };
    for (size_t i = 0; i < 2; i++) {
        const bluetti_profile *p = bluetti_registry_find_profile(reg, zero[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_EQUAL(p->has_modbus_address, 1);
        CU_ASSERT_EQUAL(p->modbus_address, 0);
    }
    const bluetti_profile *p = bluetti_registry_find_profile(reg, "EL30V2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->has_modbus_address, 0);
    p = bluetti_registry_find_profile(reg, "ELITE200V2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(p->description, "38.4 V"));
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_registry_find_profile(reg, "EL30V2")->description, "288 Wh"));
}

static int suite_init(void)
{
    reg = bt_registry();
    return reg ? 0 : -1;
}

static int suite_cleanup(void)
{
    bluetti_registry_free(reg);
    reg = NULL;
    return 0;
}

static int add_suites(void)
{
    CU_pSuite s = CU_add_suite("profiles", suite_init, suite_cleanup);
    if (!s || !CU_add_test(s, "lookup by model, alias and odd spellings", test_lookup) ||
        !CU_add_test(s, "groups and poll intervals", test_groups) ||
        !CU_add_test(s, "block sizes", test_sizes) ||
        !CU_add_test(s, "every group block has a schema and an image range", test_blocks_served) ||
        !CU_add_test(s, "every profile: valid, overrides resolve, detectable", test_all_profiles) ||
        !CU_add_test(s, "detection from the model text a unit reports", test_detect) ||
        !CU_add_test(s, "overrides change one model's decoding", test_overrides_decode) ||
        !CU_add_test(s, "a bad override is refused with a reason", test_bad_override) ||
        !CU_add_test(s, "Modbus addresses and profile facts", test_addresses))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add_suites);
}
