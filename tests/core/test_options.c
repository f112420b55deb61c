/* Options: storage, repeatable keys, typed getters and secret masking. */
#include "config.h"

#include "testutil.h"

#include <string.h>

static void test_set_get(void)
{
    bluetti_options *o = bluetti_options_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_PTR_NULL(bluetti_options_get(o, "broker"));
    CU_ASSERT_EQUAL(bluetti_options_set(o, "broker", "a.example"), 0);
    CU_ASSERT_EQUAL(bluetti_options_set(o, "broker", "b.example"), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_options_get(o, "broker"), "b.example");
    CU_ASSERT_EQUAL(bluetti_options_count(o, "broker"), 1);
    CU_ASSERT_EQUAL(bluetti_options_set(o, "", "x"), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_options_set(o, "k", NULL), BLUETTI_E_INVAL);
    bluetti_options_free(o);
    bluetti_options_free(NULL);
}

static void test_repeatable(void)
{
    bluetti_options *o = bluetti_options_new();
    CU_ASSERT_EQUAL(bluetti_options_add(o, "device", "a.json"), 0);
    CU_ASSERT_EQUAL(bluetti_options_add(o, "device", "b.json"), 0);
    CU_ASSERT_EQUAL(bluetti_options_add(o, "other", "x"), 0);
    CU_ASSERT_EQUAL(bluetti_options_count(o, "device"), 2);
    CU_ASSERT_STRING_EQUAL(bluetti_options_get_nth(o, "device", 0), "a.json");
    CU_ASSERT_STRING_EQUAL(bluetti_options_get_nth(o, "device", 1), "b.json");
    CU_ASSERT_PTR_NULL(bluetti_options_get_nth(o, "device", 2));
    CU_ASSERT_STRING_EQUAL(bluetti_options_get(o, "device"), "b.json");
    bluetti_options_free(o);
}

static void test_typed(void)
{
    bluetti_options *o = bluetti_options_new();
    long l = -1;
    double d = -1;
    bool b = false;
    bluetti_options_set(o, "port", "18760");
    bluetti_options_set(o, "bad", "12x");
    bluetti_options_set(o, "t", "2.5");
    bluetti_options_set(o, "nan", "nan");
    bluetti_options_set(o, "yes", "Yes");
    bluetti_options_set(o, "maybe", "maybe");
    CU_ASSERT_EQUAL(bluetti_options_get_long(o, "port", 1, 65535, &l), 0);
    CU_ASSERT_EQUAL(l, 18760);
    CU_ASSERT_EQUAL(bluetti_options_get_long(o, "port", 1, 100, &l), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_options_get_long(o, "bad", 0, 100, &l), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_options_get_long(o, "missing", 0, 100, &l), BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(l, 18760);
    CU_ASSERT_EQUAL(bluetti_options_get_double(o, "t", 0, 10, &d), 0);
    BT_ASSERT_NEAR(d, 2.5);
    CU_ASSERT_EQUAL(bluetti_options_get_double(o, "nan", -1e9, 1e9, &d), BLUETTI_E_INVAL);
    /* plain decimal only */
    static const char *const loose[] = { "0x10", " 5", "5 ", "+5", "1e3", "inf", "-inf", "5.",
                                         ".5", "-", "", "1.2.3", "5\n", "１" };
    for (size_t i = 0; i < sizeof loose / sizeof *loose; i++) {
        bluetti_options_set(o, "loose", loose[i]);
        d = -1;
        l = -1;
        CU_ASSERT_EQUAL(bluetti_options_get_double(o, "loose", -1e9, 1e9, &d), BLUETTI_E_INVAL);
        CU_ASSERT_EQUAL(bluetti_options_get_long(o, "loose", -100000, 100000, &l), BLUETTI_E_INVAL);
        CU_ASSERT_EQUAL(d, -1);
        CU_ASSERT_EQUAL(l, -1);
    }
    bluetti_options_set(o, "neg", "-12");
    CU_ASSERT_EQUAL(bluetti_options_get_long(o, "neg", -100, 100, &l), 0);
    CU_ASSERT_EQUAL(l, -12);
    CU_ASSERT_EQUAL(bluetti_options_get_double(o, "neg", -100, 100, &d), 0);
    BT_ASSERT_NEAR(d, -12.0);
    bluetti_options_set(o, "frac", "-0.125");
    CU_ASSERT_EQUAL(bluetti_options_get_double(o, "frac", -1, 1, &d), 0);
    BT_ASSERT_NEAR(d, -0.125);
    CU_ASSERT_EQUAL(bluetti_options_get_long(o, "frac", -1, 1, &l), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_options_get_bool(o, "yes", &b), 0);
    CU_ASSERT_TRUE(b);
    CU_ASSERT_EQUAL(bluetti_options_get_bool(o, "maybe", &b), BLUETTI_E_INVAL);
    bluetti_options_free(o);
}

static void test_secret_masked(void)
{
    bluetti_options *o = bluetti_options_new();
    CU_ASSERT_EQUAL(bluetti_options_set_secret(o, "password", "hunter2"), 0);
    /* the transport can read it ... */
    CU_ASSERT_STRING_EQUAL(bluetti_options_get(o, "password"), "hunter2");
    /* ... but listings never show it */
    const char *k, *v;
    CU_ASSERT_TRUE(bluetti_options_entry(o, 0, &k, &v));
    CU_ASSERT_STRING_EQUAL(k, "password");
    CU_ASSERT_STRING_EQUAL(v, "***");
    CU_ASSERT_FALSE(bluetti_options_entry(o, 1, &k, &v));
    /* replacing a secret keeps exactly one value */
    CU_ASSERT_EQUAL(bluetti_options_set_secret(o, "password", "other"), 0);
    CU_ASSERT_EQUAL(bluetti_options_count(o, "password"), 1);
    bluetti_options_free(o);
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("options", NULL, NULL);
    if (!s) return -1;
    if (!CU_add_test(s, "set and get", test_set_get) ||
        !CU_add_test(s, "repeatable keys", test_repeatable) ||
        !CU_add_test(s, "typed getters", test_typed) ||
        !CU_add_test(s, "secrets are masked", test_secret_masked))
        return -1;
    return 0;
}

int main(int argc, char **argv) { return bt_run(argc, argv, add); }
