/* profile-elite-v2: lookups, groups, sizes, and that every block a
 * profile reads has a schema and is served by that model's device image. */
#include "config.h"

#include "testutil.h"
#include "simdev.h"

#include <stdio.h>
#include <string.h>

static bluetti_registry *reg;

static const struct {
    const char *model, *alias, *type_id, *image;
    uint16_t n_groups;
} models[] = {
    { "EL30V2", "Elite 30 V2", "32", "data/devices/el30v2.json", 3 },
    { "EL100V2", "Elite 100 V2", "31", "data/devices/el100v2.json", 5 },
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
        CU_ASSERT_PTR_NULL(p->aliases[1]);
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
    static const char *const order[] = { "core", "grid", "battery", "cells", "inverter" };
    for (size_t i = 0; i < N_MODELS; i++) {
        const bluetti_profile *p = bluetti_registry_find_profile(reg, models[i].model);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_EQUAL_FATAL(p->n_groups, models[i].n_groups);
        for (uint16_t g = 0; g < p->n_groups; g++) CU_ASSERT_STRING_EQUAL(p->groups[g].name, order[g]);
        check_group(p, "core", core, 1, 5, 1);
        check_group(p, "grid", grid, 1, 5, 1);
        check_group(p, "battery", battery, 1, 10, 1);
        if (p->n_groups == 5) {
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
static void test_blocks_served(void)
{
    for (size_t i = 0; i < N_MODELS; i++) {
        const bluetti_profile *p = bluetti_registry_find_profile(reg, models[i].model);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        bt_simdev *img = NULL;
        char err[512];
        int rc = bt_simdev_load(bt_src_path(models[i].image), &img, err, sizeof err);
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
                            (unsigned)s->id, bytes, models[i].image);
                CU_ASSERT_TRUE(bt_simdev_covers(img, s->id, (uint16_t)((bytes + 1) / 2)));
            }
        }
        /* the sizes the profile overrides are served too */
        for (const bluetti_block_size *z = p->sizes; z && z->block; z++)
            CU_ASSERT_TRUE(bt_simdev_covers(img, z->block, (uint16_t)(z->bytes / 2)));
        bt_simdev_free(img);
    }
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
        !CU_add_test(s, "every group block has a schema and an image range", test_blocks_served))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add_suites);
}
