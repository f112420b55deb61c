/* libbtutil (core/util), the internal helper library: each helper on its
 * own, and bluetti_address_valid, the public face of the address rule. */
#include "config.h"

#include "testutil.h"

#include "bt_address.h"
#include "bt_clock.h"
#include "bt_dueq.h"
#include "bt_escape.h"
#include "bt_name.h"
#include "bt_numbers.h"
#include "bt_strindex.h"
#include "bt_text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- clock ---------------------------------------------------------------- */

static void test_clock(void)
{
    double a = bt_now();
    int64_t ma = bt_now_ms();
    double b = bt_now();
    CU_ASSERT_TRUE(b >= a);
    CU_ASSERT_TRUE(bt_now_ms() >= ma);
    /* the wall clock is Unix time: well after 2020-01-01 */
    CU_ASSERT_TRUE(bt_wall() > 1577836800.0);
    CU_ASSERT_TRUE(bt_wall_ms() > 1577836800000LL);
    int64_t w = bt_wall_ms();
    double ws = bt_wall();
    CU_ASSERT_TRUE(ws * 1000.0 >= (double)w - 1.0);
}

static void test_ms_until(void)
{
    CU_ASSERT_EQUAL(bt_ms_until(10.0, 10.0, 1000), 0);
    CU_ASSERT_EQUAL(bt_ms_until(9.0, 10.0, 1000), 0);
    CU_ASSERT_EQUAL(bt_ms_until(10.5, 10.0, 1000), 500);
    /* rounded up: a poll() that wakes early would spin */
    CU_ASSERT_EQUAL(bt_ms_until(10.0001, 10.0, 1000), 1);
    CU_ASSERT_EQUAL(bt_ms_until(1e9, 0.0, 86400000), 86400000);
    CU_ASSERT_EQUAL(bt_ms_until(1e12, 0.0, INT_MAX), INT_MAX);
}

/* ---- text ----------------------------------------------------------------- */

static void test_fmt(void)
{
    char buf[8];
    bt_fmt(buf, sizeof buf, "%d-%s", 42, "abc");
    CU_ASSERT_STRING_EQUAL(buf, "42-abc");
    bt_fmt(buf, sizeof buf, "%s", "0123456789");
    CU_ASSERT_STRING_EQUAL(buf, "0123456"); /* cut, still terminated */
    memset(buf, 'x', sizeof buf);
    bt_fmt(buf, 0, "%s", "nothing");
    CU_ASSERT_EQUAL(buf[0], 'x');
    bt_fmt(NULL, 16, "%s", "no detail wanted"); /* must not crash */
    bt_strlcpy(buf, "abcdefghij", sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "abcdefg");
    bt_strlcpy(buf, NULL, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "");
    char secret[] = "hunter2";
    bt_wipe(secret, sizeof secret);
    for (size_t i = 0; i < sizeof secret; i++) CU_ASSERT_EQUAL(secret[i], 0);
}

/* ---- address rule --------------------------------------------------------- */

static void test_address(void)
{
    CU_ASSERT_TRUE(bt_address_valid("2237000123456"));
    CU_ASSERT_TRUE(bt_address_valid("EL100V2:2237000123456"));
    CU_ASSERT_TRUE(bt_address_valid("a"));
    CU_ASSERT_FALSE(bt_address_valid(NULL));
    CU_ASSERT_FALSE(bt_address_valid(""));
    CU_ASSERT_FALSE(bt_address_valid("a b"));
    CU_ASSERT_FALSE(bt_address_valid("a+b"));
    CU_ASSERT_FALSE(bt_address_valid("a#"));
    CU_ASSERT_FALSE(bt_address_valid("PUB/x"));
    CU_ASSERT_FALSE(bt_address_valid("tab\there"));
    CU_ASSERT_FALSE(bt_address_valid("del\x7f"));
    CU_ASSERT_FALSE(bt_address_valid("caf\xc3\xa9"));
    char longest[BT_ADDRESS_MAX + 2];
    memset(longest, '7', sizeof longest);
    longest[BT_ADDRESS_MAX] = '\0';
    CU_ASSERT_TRUE(bt_address_valid(longest));
    longest[BT_ADDRESS_MAX] = '7';
    longest[BT_ADDRESS_MAX + 1] = '\0';
    CU_ASSERT_FALSE(bt_address_valid(longest));
    CU_ASSERT_TRUE(bt_address_valid_max("1234", 4));
    CU_ASSERT_FALSE(bt_address_valid_max("12345", 4));
    /* the exported function applies the same rule */
    CU_ASSERT_TRUE(bluetti_address_valid("2237000123456"));
    CU_ASSERT_FALSE(bluetti_address_valid("a/b"));
    CU_ASSERT_FALSE(bluetti_address_valid(longest));
    CU_ASSERT_FALSE(bluetti_address_valid(NULL));
}

/* ---- strict numbers --------------------------------------------------------- */

static void test_whole(void)
{
    long v = 7;
    CU_ASSERT_EQUAL(bt_parse_whole("123", false, &v), BT_NUM_OK);
    CU_ASSERT_EQUAL(v, 123);
    CU_ASSERT_EQUAL(bt_parse_whole("-5", false, &v), BT_NUM_OK);
    CU_ASSERT_EQUAL(v, -5);
    CU_ASSERT_EQUAL(bt_parse_whole("0x64", true, &v), BT_NUM_OK);
    CU_ASSERT_EQUAL(v, 100);
    CU_ASSERT_EQUAL(bt_parse_whole("0XfF", true, &v), BT_NUM_OK);
    CU_ASSERT_EQUAL(v, 255);
    v = 7;
    static const char *const bad[] = { "", "-", "+1", " 1", "1 ", "1e3", "0x64", "1.0",
                                       "inf", "nan", "12a" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(bt_parse_whole(bad[i], false, &v), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(bt_parse_whole("0x", true, &v), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(bt_parse_whole("0x-1", true, &v), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(bt_parse_whole(NULL, false, &v), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(bt_parse_whole("99999999999999999999999", false, &v), BT_NUM_RANGE);
    CU_ASSERT_EQUAL(v, 7); /* untouched on failure */
}

static void test_u64(void)
{
    uint64_t v = 9;
    CU_ASSERT_EQUAL(bt_parse_u64("0", &v), BT_NUM_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(bt_parse_u64("18446744073709551615", &v), BT_NUM_OK);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    v = 9;
    CU_ASSERT_EQUAL(bt_parse_u64("18446744073709551616", &v), BT_NUM_RANGE);
    CU_ASSERT_EQUAL(bt_parse_u64("-1", &v), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(bt_parse_u64("", &v), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(bt_parse_u64(NULL, &v), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(bt_parse_u64("1x", &v), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(v, 9);
}

static void test_decimal(void)
{
    double d = 3;
    CU_ASSERT_EQUAL(bt_parse_decimal("5", &d), BT_NUM_OK);
    BT_ASSERT_NEAR(d, 5.0);
    CU_ASSERT_EQUAL(bt_parse_decimal("-0.125", &d), BT_NUM_OK);
    BT_ASSERT_NEAR(d, -0.125);
    CU_ASSERT_EQUAL(bt_parse_decimal("2.50", &d), BT_NUM_OK);
    BT_ASSERT_NEAR(d, 2.5);
    d = 3;
    static const char *const bad[] = { "", "-", ".5", "5.", "1e3", "0x10", "inf", "nan",
                                       " 1", "1 ", "+1", "1.2.3", "--1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(bt_parse_decimal(bad[i], &d), BT_NUM_SYNTAX);
    CU_ASSERT_EQUAL(bt_parse_decimal(NULL, &d), BT_NUM_SYNTAX);
    /* digits enough to overflow a double */
    char big[400];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CU_ASSERT_EQUAL(bt_parse_decimal(big, &d), BT_NUM_RANGE);
    BT_ASSERT_NEAR(d, 3.0);
}

/* ---- name folding ----------------------------------------------------------- */

static void test_names(void)
{
    CU_ASSERT_TRUE(bt_name_eq("EL100V2", "el100-v2"));
    CU_ASSERT_TRUE(bt_name_eq("EL100 V2", "el100_v2"));
    CU_ASSERT_TRUE(bt_name_eq("-", ""));
    CU_ASSERT_FALSE(bt_name_eq("EL100V2", "EL100V"));
    CU_ASSERT_FALSE(bt_name_eq("EL100", "EL100V2"));
    CU_ASSERT_FALSE(bt_name_eq("AC180", "AC18O"));
    CU_ASSERT_TRUE(bt_name_sep('_'));
    CU_ASSERT_FALSE(bt_name_sep('.'));
    /* "E200V2" then serial digits: the bytes of the text the name took */
    CU_ASSERT_EQUAL(bt_name_prefix_len("E200V2", "E200V22237000123456"), 6);
    CU_ASSERT_EQUAL(bt_name_prefix_len("E200 V2", "e200-v2 123"), 7);
    CU_ASSERT_EQUAL(bt_name_prefix_len("E200V2", "E200"), 0);
    CU_ASSERT_EQUAL(bt_name_prefix_len("E200V2", "AC200"), 0);
    /* option keys: '-' and '_' fold, case does not */
    CU_ASSERT_TRUE(bt_key_eq_n("strict_serial", "strict-serial", 13));
    CU_ASSERT_TRUE(bt_key_eq_n("qos", "qos=1", 3));
    CU_ASSERT_FALSE(bt_key_eq_n("qos", "QOS", 3));
    CU_ASSERT_FALSE(bt_key_eq_n("qos", "qo", 2));
    CU_ASSERT_FALSE(bt_key_eq_n("qo", "qos", 3));
}

/* ---- string index ----------------------------------------------------------- */

struct keys {
    char (*k)[16];
};

static const char *key_of(const void *ctx, size_t i)
{
    return ((const struct keys *)ctx)->k[i];
}

static void test_strindex(void)
{
    enum { N = 1000 };
    struct keys ks = { calloc(N, sizeof *ks.k) };
    CU_ASSERT_PTR_NOT_NULL_FATAL(ks.k);
    bt_strindex x = { 0 };
    size_t i = 0;
    CU_ASSERT_FALSE(bt_strindex_find(&x, "dev0", key_of, &ks, &i)); /* empty: no table */
    for (size_t n = 0; n < N; n++) {
        snprintf(ks.k[n], sizeof ks.k[n], "dev%zu", n);
        CU_ASSERT_EQUAL_FATAL(bt_strindex_reserve(&x, n + 1, n, key_of, &ks), 0);
        bt_strindex_add(&x, ks.k[n], n);
    }
    CU_ASSERT_TRUE(x.cap > 2 * N); /* under half full */
    CU_ASSERT_EQUAL(x.cap & (x.cap - 1), 0);
    for (size_t n = 0; n < N; n += 37) {
        CU_ASSERT_TRUE(bt_strindex_find(&x, ks.k[n], key_of, &ks, &i));
        CU_ASSERT_EQUAL(i, n);
    }
    CU_ASSERT_FALSE(bt_strindex_find(&x, "dev1000", key_of, &ks, &i));
    CU_ASSERT_FALSE(bt_strindex_find(&x, NULL, key_of, &ks, &i));
    /* remove item 3 the way the callers do (last one into its place) */
    memcpy(ks.k[3], ks.k[N - 1], sizeof ks.k[3]);
    bt_strindex_refill(&x, N - 1, key_of, &ks);
    CU_ASSERT_TRUE(bt_strindex_find(&x, "dev999", key_of, &ks, &i));
    CU_ASSERT_EQUAL(i, 3);
    CU_ASSERT_FALSE(bt_strindex_find(&x, "dev3", key_of, &ks, &i));
    /* FNV-1a: the published value for the empty string and for "a" */
    if (sizeof(size_t) == 8) {
        CU_ASSERT_EQUAL((uint64_t)bt_str_hash(""), 0xcbf29ce484222325ull);
        CU_ASSERT_EQUAL((uint64_t)bt_str_hash("a"), 0xaf63dc4c8601ec8cull);
    }
    bt_strindex_free(&x);
    CU_ASSERT_EQUAL(x.cap, 0);
    CU_ASSERT_PTR_NULL(x.slot);
    free(ks.k);
}

/* ---- due-time queue ---------------------------------------------------------- */

struct job {
    int id;
    char *owned;
};

static void test_dueq_order(void)
{
    bt_dueq q;
    bt_dueq_init(&q, sizeof(struct job));
    double due = -1;
    struct job j;
    CU_ASSERT_FALSE(bt_dueq_next(&q, &due));
    CU_ASSERT_FALSE(bt_dueq_pop_due(&q, 1e9, &j));
    /* due times 3, 1, 2, 1, 1 (ids 0..4): taken 1 (ids 1, 3, 4 in push
     * order), then 2, then 3; growing past the first allocation */
    static const double dues[] = { 3, 1, 2, 1, 1 };
    for (int r = 0; r < 4; r++) {
        for (int i = 0; i < 5; i++) {
            struct job *p = bt_dueq_push(&q, dues[i]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            p->id = i;
            p->owned = NULL;
        }
        CU_ASSERT_EQUAL(q.n, 5);
        CU_ASSERT_TRUE(bt_dueq_next(&q, &due));
        BT_ASSERT_NEAR(due, 1.0);
        CU_ASSERT_FALSE(bt_dueq_pop_due(&q, 0.5, &j)); /* nothing due yet */
        static const int want[] = { 1, 3, 4, 2, 0 };
        for (int k = 0; k < 5; k++) {
            CU_ASSERT_TRUE_FATAL(bt_dueq_pop_due(&q, 3.0, &j));
            CU_ASSERT_EQUAL(j.id, want[k]);
        }
        CU_ASSERT_EQUAL(q.n, 0);
    }
    bt_dueq_free(&q);
}

static void test_dueq_remove(void)
{
    bt_dueq q;
    bt_dueq_init(&q, sizeof(struct job));
    for (int i = 0; i < 20; i++) {
        struct job *p = bt_dueq_push(&q, (double)(20 - i));
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        p->id = i;
        p->owned = malloc(4);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p->owned);
    }
    /* drop the even ids, as the simulators drop one device's replies */
    for (size_t i = 0; i < q.n;) {
        struct job *p = bt_dueq_item(&q, i);
        if (p->id % 2 == 0) {
            free(p->owned);
            bt_dueq_remove(&q, i);
        } else {
            i++;
        }
    }
    CU_ASSERT_EQUAL(q.n, 10);
    struct job j;
    int last_due_id = 100;
    while (bt_dueq_pop_due(&q, 100.0, &j)) {
        CU_ASSERT_EQUAL(j.id % 2, 1);
        CU_ASSERT_TRUE(j.id < last_due_id); /* later ids fall due earlier */
        last_due_id = j.id;
        free(j.owned);
    }
    CU_ASSERT_EQUAL(last_due_id, 1);
    bt_dueq_remove(&q, 5); /* out of range: nothing */
    CU_ASSERT_PTR_NOT_NULL(bt_dueq_push(&q, 1.0));
    bt_dueq_clear(&q);
    CU_ASSERT_EQUAL(q.n, 0);
    CU_ASSERT_FALSE(bt_dueq_pop_due(&q, 100.0, &j));
    bt_dueq_free(&q);
    CU_ASSERT_EQUAL(q.size, sizeof(struct job)); /* reusable */
}

/* Against a sorted reference: a thousand items (as the bridge's devices)
 * with many equal due times, some removed by index, popped in (due, push
 * order). */
static void test_dueq_many(void)
{
    enum { N = 1000 };
    bt_dueq q;
    bt_dueq_init(&q, sizeof(struct job));
    static double due_of[N];
    static bool removed[N];
    unsigned r = 12345u;
    for (int i = 0; i < N; i++) {
        r = r * 1103515245u + 12345u;
        due_of[i] = (double)((r >> 16) % 97); /* ties on purpose */
        removed[i] = false;
        struct job *p = bt_dueq_push(&q, due_of[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        p->id = i;
        p->owned = NULL;
    }
    /* remove every seventh item, found by index as the simulators do */
    for (size_t i = 0; i < q.n;) {
        struct job *p = bt_dueq_item(&q, i);
        if (p->id % 7 == 3) {
            removed[p->id] = true;
            bt_dueq_remove(&q, i);
        } else {
            i++;
        }
    }
    struct job j;
    double last_due = -1;
    int last_id = -1, popped = 0;
    double next;
    while (bt_dueq_next(&q, &next) && bt_dueq_pop_due(&q, 1e9, &j)) {
        CU_ASSERT_FALSE(removed[j.id]);
        BT_ASSERT_NEAR(next, due_of[j.id]);
        CU_ASSERT_TRUE(due_of[j.id] > last_due || (due_of[j.id] == last_due && j.id > last_id));
        last_due = due_of[j.id];
        last_id = j.id;
        popped++;
    }
    int kept = 0;
    for (int i = 0; i < N; i++) kept += !removed[i];
    CU_ASSERT_EQUAL(popped, kept);
    CU_ASSERT_EQUAL(q.n, 0);
    bt_dueq_free(&q);
}

static void test_next_slot(void)
{
    /* on time: one interval on */
    BT_ASSERT_NEAR(bt_next_slot(10.0, 1.0, 10.0), 11.0);
    /* late by 0.3 s: the grid, not the late start */
    BT_ASSERT_NEAR(bt_next_slot(10.0, 1.0, 10.3), 11.0);
    /* late by several intervals: the next slot after now */
    BT_ASSERT_NEAR(bt_next_slot(10.25, 2.0, 17.0), 18.25);
    /* a slot still ahead stays */
    BT_ASSERT_NEAR(bt_next_slot(12.0, 5.0, 11.0), 12.0);
    /* no interval: now */
    BT_ASSERT_NEAR(bt_next_slot(3.0, 0.0, 7.0), 7.0);
    /* always after now, also when now is (about) on the grid */
    for (int k = 1; k < 2000; k++) {
        double now = 10.0 + k * 0.1;
        double next = bt_next_slot(10.0, 0.1, now);
        CU_ASSERT_TRUE(next > now && next <= now + 0.1 + 1e-9);
    }
}

/* ---- escaping ---------------------------------------------------------------- */

static void test_escape(void)
{
    char buf[64];
    CU_ASSERT_EQUAL(bt_text_escape(buf, sizeof buf, "plain text", SIZE_MAX), 10);
    CU_ASSERT_STRING_EQUAL(buf, "plain text");
    bt_text_escape(buf, sizeof buf, "a\nb\\c\x1b", SIZE_MAX);
    CU_ASSERT_STRING_EQUAL(buf, "a\\x0ab\\x5cc\\x1b");
    bt_text_escape(buf, sizeof buf, "\xc3\xa9", SIZE_MAX);
    CU_ASSERT_STRING_EQUAL(buf, "\\xc3\\xa9");
    bt_text_escape(buf, sizeof buf, "abcdefgh", 4);
    CU_ASSERT_STRING_EQUAL(buf, "abcd...");
    bt_text_escape(buf, 8, "abcdefghijkl", SIZE_MAX);
    CU_ASSERT_STRING_EQUAL(buf, "abcd..."); /* 7 bytes and the NUL */
    bt_text_escape(buf, sizeof buf, NULL, SIZE_MAX);
    CU_ASSERT_STRING_EQUAL(buf, "(null)");
    CU_ASSERT_EQUAL(bt_text_escape(buf, 0, "x", SIZE_MAX), 0);
    /* several in one message, each in its own buffer */
    const char *a = bt_shown("one\t"), *b = bt_shown_path("two");
    CU_ASSERT_STRING_EQUAL(a, "one\\x09");
    CU_ASSERT_STRING_EQUAL(b, "two");
    char lng[BT_SHOWN_MAX + 10];
    memset(lng, 'v', sizeof lng - 1);
    lng[sizeof lng - 1] = '\0';
    const char *s = bt_shown(lng);
    CU_ASSERT_EQUAL(strlen(s), BT_SHOWN_MAX + 3);
    CU_ASSERT_STRING_EQUAL(s + BT_SHOWN_MAX, "...");
    CU_ASSERT_STRING_EQUAL(bt_shown_path(lng), lng); /* paths may be longer */
}

static void test_fput_safe(void)
{
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    /* UTF-8 text stays; ESC, DEL and the C1 control U+009B do not */
    bt_fput_safe("caf\xc3\xa9 \x1b[2J\x7f \xc2\x9b!", f);
    rewind(f);
    char got[64] = "";
    size_t n = fread(got, 1, sizeof got - 1, f);
    got[n] = '\0';
    CU_ASSERT_STRING_EQUAL(got, "caf\xc3\xa9 \\x1b[2J\\x7f \\xc2\\x9b!");
    fclose(f);
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("util", NULL, NULL);
    if (!s) return -1;
    if (!CU_add_test(s, "clocks", test_clock) ||
        !CU_add_test(s, "milliseconds until a due time", test_ms_until) ||
        !CU_add_test(s, "the next slot of a periodic job keeps its phase", test_next_slot) ||
        !CU_add_test(s, "bounded text", test_fmt) ||
        !CU_add_test(s, "the address rule", test_address) ||
        !CU_add_test(s, "whole numbers", test_whole) ||
        !CU_add_test(s, "unsigned 64-bit numbers", test_u64) ||
        !CU_add_test(s, "decimal numbers", test_decimal) ||
        !CU_add_test(s, "name folding", test_names) ||
        !CU_add_test(s, "string index", test_strindex) ||
        !CU_add_test(s, "due-time queue order", test_dueq_order) ||
        !CU_add_test(s, "due-time queue removal", test_dueq_remove) ||
        !CU_add_test(s, "due-time queue of a thousand items with ties and removals", test_dueq_many) ||
        !CU_add_test(s, "escaping", test_escape) ||
        !CU_add_test(s, "writing a message safely", test_fput_safe))
        return -1;
    return 0;
}

int main(int argc, char **argv) { return bt_run(argc, argv, add); }
