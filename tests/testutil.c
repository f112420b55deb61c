#include "config.h"
#include "testutil.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return (v && *v) ? v : dflt;
}

const char *bt_plugin_dir(void) { return env_or("BLUETTI_TEST_PLUGIN_DIR", "plugins/.libs"); }
const char *bt_bad_plugin_dir(void) { return env_or("BLUETTI_TEST_BAD_PLUGIN_DIR", "tests/core/loader-fixtures/.libs"); }
const char *bt_srcdir(void) { return env_or("BLUETTI_TEST_SRCDIR", "."); }
const char *bt_builddir(void) { return env_or("BLUETTI_TEST_BUILDDIR", "."); }

const char *bt_src_path(const char *rel)
{
    static char buf[8][4096];
    static unsigned slot;
    char *b = buf[slot++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", bt_srcdir(), rel);
    return b;
}

static void log_stderr(void *ud, bluetti_log_level level, const char *src, const char *msg)
{
    (void)ud;
    fprintf(stderr, "[%d %s] %s\n", (int)level, src, msg);
}

bluetti_registry *bt_registry(void)
{
    bluetti_registry *r = NULL;
    if (bluetti_registry_new(&r) != 0) {
        fprintf(stderr, "testutil: cannot create a registry\n");
        abort();
    }
    bluetti_registry_set_log(r, log_stderr, NULL, BLUETTI_LOG_WARN);
    int n = bluetti_registry_load_dir(r, bt_plugin_dir(), BLUETTI_LOAD_ALLOW_UNSAFE);
    if (n < 0) {
        fprintf(stderr, "testutil: cannot load plugins from %s: %s\n", bt_plugin_dir(),
                bluetti_strerror(n));
        abort();
    }
    return r;
}

uint8_t *bt_hex(const char *hex, size_t *len)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *out = malloc(cap);
    if (!out) abort();
    long n = bluetti_hex_parse(hex, strlen(hex), out, cap, NULL);
    if (n < 0) {
        fprintf(stderr, "testutil: bad hex in a test: %s\n", hex);
        abort();
    }
    *len = (size_t)n;
    return out;
}

int bt_run(int argc, char **argv, int (*add)(void))
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    if (add() != 0) {
        fprintf(stderr, "testutil: adding suites failed: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (argc > 1) {
        CU_pSuite s = CU_get_suite(argv[1]);
        if (!s) {
            fprintf(stderr, "no suite named %s\n", argv[1]);
            CU_cleanup_registry();
            return 1;
        }
        CU_basic_run_suite(s);
    } else {
        CU_basic_run_tests();
    }
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return (failed == 0 && run > 0) ? 0 : 1;
}

double bt_field_num(const bluetti_result *r, const char *name)
{
    const bluetti_value *v = bluetti_result_find(r, name);
    if (!v) fprintf(stderr, "no field %s\n", name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    return bluetti_value_as_double(v);
}

const char *bt_field_text(const bluetti_result *r, const char *name)
{
    const bluetti_value *v = bluetti_result_find(r, name);
    if (!v) fprintf(stderr, "no field %s\n", name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL_FATAL(v->kind, BLUETTI_VAL_TEXT);
    return v->v.s;
}
