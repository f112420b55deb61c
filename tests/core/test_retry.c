/* Retry policy: validation rules and the delay sequence. */
#include "config.h"

#include "testutil.h"

#include <math.h>
#include <string.h>

/* a policy from its four members (the rest of the structure is reserved) */
#define RP(a, b, c, d) \
    ((bluetti_retry_policy){ .max_attempts = (a), .initial_delay = (b), .backoff_factor = (c), \
                             .max_delay = (d) })

static void test_default(void)
{
    bluetti_retry_policy p;
    memset(&p, 0xFF, sizeof p);
    bluetti_retry_default(&p);
    CU_ASSERT_EQUAL(p.max_attempts, 3u);
    BT_ASSERT_NEAR(p.initial_delay, 0.5);
    BT_ASSERT_NEAR(p.backoff_factor, 2.0);
    BT_ASSERT_NEAR(p.max_delay, 5.0);
    const char *why = "unset";
    CU_ASSERT_EQUAL(bluetti_retry_validate(&p, &why), 0);
    CU_ASSERT_PTR_NULL(why);
    /* defaults: 3 attempts -> two delays 0.5, 1.0 */
    BT_ASSERT_NEAR(bluetti_retry_delay(&p, 0), 0.5);
    BT_ASSERT_NEAR(bluetti_retry_delay(&p, 1), 1.0);
    bluetti_retry_policy q = BLUETTI_RETRY_DEFAULT;
    CU_ASSERT_EQUAL(q.max_attempts, p.max_attempts);
    CU_ASSERT_EQUAL(q.initial_delay, p.initial_delay);
    CU_ASSERT_EQUAL(q.backoff_factor, p.backoff_factor);
    CU_ASSERT_EQUAL(q.max_delay, p.max_delay);
}

static void expect_invalid(bluetti_retry_policy p, const char *word)
{
    const char *why = NULL;
    CU_ASSERT_EQUAL(bluetti_retry_validate(&p, &why), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, word));
    /* an invalid policy never gives a delay */
    CU_ASSERT_EQUAL(bluetti_retry_delay(&p, 0), 0.0);
    CU_ASSERT_EQUAL(bluetti_retry_delay(&p, 3), 0.0);
}

static void test_validate(void)
{
    expect_invalid(RP(0, 0.5, 2, 5), "max_attempts");
    expect_invalid(RP(3, 0, 2, 5), "initial_delay");
    expect_invalid(RP(3, -1, 2, 5), "initial_delay");
    expect_invalid(RP(3, NAN, 2, 5), "initial_delay");
    expect_invalid(RP(3, INFINITY, 2, INFINITY), "initial_delay");
    expect_invalid(RP(3, 0.5, 0.99, 5), "backoff_factor");
    expect_invalid(RP(3, 0.5, NAN, 5), "backoff_factor");
    expect_invalid(RP(3, 0.5, INFINITY, 5), "backoff_factor");
    expect_invalid(RP(3, 0.5, 2, 0.4), "max_delay");
    expect_invalid(RP(3, 0.5, 2, NAN), "max_delay");
    expect_invalid(RP(3, 0.5, 2, INFINITY), "max_delay");
    /* boundaries that are allowed */
    bluetti_retry_policy ok = RP(1, 0.25, 1.0, 0.25);
    CU_ASSERT_EQUAL(bluetti_retry_validate(&ok, NULL), 0);
    const char *why = NULL;
    CU_ASSERT_EQUAL(bluetti_retry_validate(NULL, &why), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_EQUAL(bluetti_retry_delay(NULL, 0), 0.0);
}

static void test_sequence(void)
{
    /* §7.2: 5 attempts, 0.5 s, x2, cap 5 -> 0.5, 1, 2, 4 */
    bluetti_retry_policy p = RP(5, 0.5, 2.0, 5.0);
    const double want[] = { 0.5, 1, 2, 4 };
    for (unsigned k = 0; k < 4; k++) BT_ASSERT_NEAR(bluetti_retry_delay(&p, k), want[k]);
    /* the cap holds from there on */
    BT_ASSERT_NEAR(bluetti_retry_delay(&p, 4), 5.0);
    BT_ASSERT_NEAR(bluetti_retry_delay(&p, 5), 5.0);

    bluetti_retry_policy flat = RP(4, 0.3, 1.0, 10);
    BT_ASSERT_NEAR(bluetti_retry_delay(&flat, 0), 0.3);
    BT_ASSERT_NEAR(bluetti_retry_delay(&flat, 1000000), 0.3);

    bluetti_retry_policy tri = RP(6, 0.1, 3.0, 2.0);
    BT_ASSERT_NEAR(bluetti_retry_delay(&tri, 1), 0.3);
    BT_ASSERT_NEAR(bluetti_retry_delay(&tri, 2), 0.9);
    BT_ASSERT_NEAR(bluetti_retry_delay(&tri, 3), 2.0);
}

static void test_no_overflow(void)
{
    /* huge exponents and factors give the cap, never inf or NaN */
    bluetti_retry_policy p = RP(3, 1e-300, 1e300, 1e300);
    CU_ASSERT_EQUAL(bluetti_retry_validate(&p, NULL), 0);
    double d = bluetti_retry_delay(&p, 4000000000u);
    CU_ASSERT(isfinite(d));
    CU_ASSERT_EQUAL(d, 1e300);
    bluetti_retry_policy q = RP(3, 0.5, 2.0, 5.0);
    CU_ASSERT_EQUAL(bluetti_retry_delay(&q, 0xFFFFFFFFu), 5.0);
    /* a factor barely above 1 approaches the cap without looping forever */
    bluetti_retry_policy slow = RP(3, 1.0, 1.0000001, 2.0);
    d = bluetti_retry_delay(&slow, 1000);
    CU_ASSERT(d > 1.0 && d < 1.001);
    CU_ASSERT_EQUAL(bluetti_retry_delay(&slow, 0xFFFFFFFFu), 2.0);
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("retry", NULL, NULL);
    if (!s) return -1;
    if (!CU_add_test(s, "defaults", test_default) ||
        !CU_add_test(s, "validation rules", test_validate) ||
        !CU_add_test(s, "delay sequences", test_sequence) ||
        !CU_add_test(s, "no overflow", test_no_overflow))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add);
}
