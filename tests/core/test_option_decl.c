/* Declared transport options: one value against its declaration, a bag
 * against a table (unknown keys, aliases, defaults, required, secrets), the
 * registry refusing malformed tables, and bluetti_session_open checking a
 * bag before the transport's open runs. */
#include "config.h"

#include "testutil.h"

#include <stdio.h>
#include <string.h>

static const char *const modes[] = { "fast", "slow", NULL };
static const char *const port_aliases[] = { "tcp_port", NULL };

static const bluetti_option_decl table[] = {
    { .name = "host", .type = BLUETTI_OPT_STRING, .default_value = "localhost",
      .help = "host" },
    { .name = "port", .type = BLUETTI_OPT_INT, .default_value = "80", .min = 1, .max = 65535,
      .aliases = port_aliases, .help = "port" },
    { .name = "ratio", .type = BLUETTI_OPT_REAL, .min = 0, .max = 1, .help = "ratio" },
    { .name = "any", .type = BLUETTI_OPT_INT, .help = "unbounded" },
    { .name = "on", .type = BLUETTI_OPT_BOOL, .help = "switch" },
    { .name = "mode", .type = BLUETTI_OPT_STRING, .allowed = modes, .help = "mode" },
    { .name = "key", .type = BLUETTI_OPT_SECRET, .required = true, .help = "the key" },
    { .name = "tag", .type = BLUETTI_OPT_STRING, .repeatable = true, .help = "tags" },
    { .name = "file", .type = BLUETTI_OPT_FILE, .help = "a file" },
};
#define N (sizeof table / sizeof table[0])

static const bluetti_option_decl *decl(const char *name)
{
    const bluetti_option_decl *d = bluetti_option_find(table, N, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

/* check() fails with BLUETTI_E_INVAL and a detail holding `want`. */
static void expect_bad(const char *name, const char *value, const char *want)
{
    char detail[256] = "";
    CU_ASSERT_EQUAL(bluetti_option_check(decl(name), value, detail, sizeof detail),
                    BLUETTI_E_INVAL);
    if (!strstr(detail, want)) printf("\n  %s=%s: got \"%s\", want \"%s\"\n", name, value, detail, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, want));
}

static void test_find(void)
{
    CU_ASSERT_PTR_EQUAL(bluetti_option_find(table, N, "port"), &table[1]);
    CU_ASSERT_PTR_EQUAL(bluetti_option_find(table, N, "tcp_port"), &table[1]);
    CU_ASSERT_PTR_NULL(bluetti_option_find(table, N, "nope"));
    CU_ASSERT_PTR_NULL(bluetti_option_find(NULL, 0, "port"));
}

static void test_check_values(void)
{
    char d[256];
    CU_ASSERT_EQUAL(bluetti_option_check(decl("port"), "65535", d, sizeof d), 0);
    expect_bad("port", "0", "'0' is out of range; give a whole number from 1 to 65535");
    expect_bad("port", "65536", "out of range");
    expect_bad("port", "12x", "'12x' is not a whole number in decimal digits");
    expect_bad("port", "+5", "not a whole number");
    expect_bad("port", "99999999999999999999", "out of range");
    expect_bad("port", "", "is empty");
    CU_ASSERT_EQUAL(bluetti_option_check(decl("any"), "-123456789", d, sizeof d), 0);
    CU_ASSERT_EQUAL(bluetti_option_check(decl("ratio"), "0.25", d, sizeof d), 0);
    expect_bad("ratio", "1.5", "'1.5' is out of range; give a number from 0 to 1");
    expect_bad("ratio", "1e-3", "is not a decimal number");
    expect_bad("ratio", "nan", "is not a decimal number");
    CU_ASSERT_EQUAL(bluetti_option_check(decl("on"), "Yes", d, sizeof d), 0);
    expect_bad("on", "perhaps", "'perhaps' is not a yes/no value; give true or false");
    CU_ASSERT_EQUAL(bluetti_option_check(decl("mode"), "slow", d, sizeof d), 0);
    expect_bad("mode", "medium", "'medium' is not accepted; give one of: fast, slow");
    /* a secret may be empty and is never quoted */
    CU_ASSERT_EQUAL(bluetti_option_check(decl("key"), "", d, sizeof d), 0);
    CU_ASSERT_EQUAL(bluetti_option_check(decl("file"), bt_src_path("configure.ac"), d, sizeof d), 0);
    expect_bad("file", "/nonexistent/x.p12", "'/nonexistent/x.p12' cannot be read (No such file");
    /* control bytes are quoted as \xNN, long values cut */
    expect_bad("port", "1\033]0;x\007", "'1\\x1b]0;x\\x07' is not a whole number");
    char longv[200];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    expect_bad("port", longv, "aaa...' is not a whole number");
    CU_ASSERT_EQUAL(bluetti_option_check(NULL, "1", d, sizeof d), BLUETTI_E_INVAL);
}

static bluetti_options *bag(const char *const *kv)
{
    bluetti_options *o = bluetti_options_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    for (; kv[0]; kv += 2) CU_ASSERT_EQUAL(bluetti_options_add(o, kv[0], kv[1]), 0);
    return o;
}

static int apply(const char *const *kv, bluetti_options **out, char *detail, size_t len)
{
    bluetti_options *in = bag(kv);
    int rc = bluetti_options_apply_decls(table, N, "demo", in, out, detail, len);
    bluetti_options_free(in);
    return rc;
}

static void test_apply_ok(void)
{
    const char *kv[] = { "tcp_port", "8080", "key", "s3cret", "tag", "a", "tag", "b",
                         "mode", "fast", "mode", "slow", NULL };
    bluetti_options *o = NULL;
    char d[256] = "";
    CU_ASSERT_EQUAL_FATAL(apply(kv, &o, d, sizeof d), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_options_get(o, "port"), "8080");  /* the alias folded in */
    CU_ASSERT_EQUAL(bluetti_options_count(o, "tcp_port"), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_options_get(o, "host"), "localhost"); /* a default */
    CU_ASSERT_EQUAL(bluetti_options_count(o, "tag"), 2);              /* repeatable: all kept */
    CU_ASSERT_EQUAL(bluetti_options_count(o, "mode"), 1);             /* not: the last one */
    CU_ASSERT_STRING_EQUAL(bluetti_options_get(o, "mode"), "slow");
    CU_ASSERT_EQUAL(bluetti_options_count(o, "ratio"), 0);            /* no default, absent */
    CU_ASSERT_STRING_EQUAL(bluetti_options_get(o, "key"), "s3cret");
    /* the secret is stored as one: masked when listed */
    const char *k, *v;
    bool found = false;
    for (size_t i = 0; bluetti_options_entry(o, i, &k, &v); i++) {
        if (strcmp(k, "key") == 0) {
            found = true;
            CU_ASSERT_STRING_EQUAL(v, "***");
            CU_ASSERT_TRUE(bluetti_options_entry_secret(o, i));
        } else {
            CU_ASSERT_FALSE(bluetti_options_entry_secret(o, i));
        }
    }
    CU_ASSERT_TRUE(found);
    CU_ASSERT_FALSE(bluetti_options_entry_secret(o, 999));
    bluetti_options_free(o);
}

static void expect_apply_error(const char *const *kv, const char *want)
{
    bluetti_options *o = (bluetti_options *)1;
    char d[512] = "";
    CU_ASSERT_EQUAL(apply(kv, &o, d, sizeof d), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NULL(o);
    if (!strstr(d, want)) printf("\n  got \"%s\", want \"%s\"\n", d, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, want));
}

static void test_apply_errors(void)
{
    const char *unknown[] = { "key", "k", "colour", "blue", NULL };
    expect_apply_error(unknown, "unknown option 'colour' for transport 'demo'; known: host, "
                       "port, ratio, any, on, mode, key, tag, file");
    const char *bad[] = { "key", "k", "port", "abc", NULL };
    expect_apply_error(bad, "option port of transport 'demo': 'abc' is not a whole number");
    const char *missing[] = { "port", "81", NULL };
    expect_apply_error(missing, "transport 'demo' needs the option key (the key)");
    /* a bad secret value is never echoed: secrets accept any text, and an
     * unknown key's value is not quoted either */
    const char *secret_unknown[] = { "key", "k", "pasword", "hunter2", NULL };
    bluetti_options *o = NULL;
    char d[512] = "";
    CU_ASSERT_EQUAL(apply(secret_unknown, &o, d, sizeof d), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NULL(strstr(d, "hunter2"));
    /* files are left to the transport on open */
    const char *file[] = { "key", "k", "file", "/nonexistent", NULL };
    CU_ASSERT_EQUAL(apply(file, &o, d, sizeof d), 0);
    bluetti_options_free(o);
    CU_ASSERT_EQUAL(bluetti_options_apply_decls(table, N, "demo", NULL, NULL, d, sizeof d),
                    BLUETTI_E_INVAL);
}

static void test_no_table(void)
{
    const char *kv[] = { "anything", "goes", "anything", "twice", NULL };
    bluetti_options *in = bag(kv), *o = NULL;
    CU_ASSERT_EQUAL(bluetti_options_set_secret(in, "pw", "x"), 0);
    char d[64];
    CU_ASSERT_EQUAL_FATAL(bluetti_options_apply_decls(NULL, 0, "old", in, &o, d, sizeof d), 0);
    CU_ASSERT_EQUAL(bluetti_options_count(o, "anything"), 2);
    const char *k, *v;
    CU_ASSERT_TRUE(bluetti_options_entry(o, 2, &k, &v));
    CU_ASSERT_STRING_EQUAL(k, "pw");
    CU_ASSERT_TRUE(bluetti_options_entry_secret(o, 2));
    bluetti_options_free(o);
    bluetti_options_free(in);
}

/* ---- a transport in the registry and a session ------------------------------- */

static int opened;
static char seen_host[64];

static int t_open(const bluetti_transport_env *env, const bluetti_options *opts, void **state,
                  char *detail, size_t len)
{
    (void)env;
    (void)detail;
    (void)len;
    opened++;
    const char *h = bluetti_options_get(opts, "host");
    snprintf(seen_host, sizeof seen_host, "%s", h ? h : "(none)");
    *state = &opened;
    return 0;
}
static void t_close(void *s) { (void)s; }
static int t_attach(void *s, const char *a) { (void)s; (void)a; return 0; }
static int t_submit(void *s, const char *a, const uint8_t *f, size_t n)
{
    (void)s; (void)a; (void)f; (void)n;
    return 0;
}
static int t_process(void *s, int ms) { (void)s; (void)ms; return 0; }

static const bluetti_transport_ops demo_ops = {
    .name = "demo", .description = "test", .open = t_open, .close = t_close,
    .attach = t_attach, .submit = t_submit, .process = t_process,
    .options = table, .n_options = N,
};

static void test_session_checks_first(void)
{
    bluetti_registry *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_new(&r), 0);
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_add_transport(r, &demo_ops), 0);
    size_t n = 0;
    CU_ASSERT_PTR_EQUAL(bluetti_registry_transport_options(r, "demo", &n), table);
    CU_ASSERT_EQUAL(n, N);
    CU_ASSERT_PTR_NULL(bluetti_registry_transport_options(r, "nope", &n));
    CU_ASSERT_EQUAL(n, 0);

    const char *bad[] = { "key", "k", "port", "0", NULL };
    bluetti_options *o = bag(bad);
    bluetti_session *s = NULL;
    char d[256] = "";
    opened = 0;
    CU_ASSERT_EQUAL(bluetti_session_open(r, "demo", o, NULL, &s, d, sizeof d), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(opened, 0); /* refused before the transport saw it */
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "option port of transport 'demo': '0' is out of range"));
    bluetti_options_free(o);

    const char *good[] = { "key", "k", NULL };
    o = bag(good);
    CU_ASSERT_EQUAL_FATAL(bluetti_session_open(r, "demo", o, NULL, &s, d, sizeof d), 0);
    CU_ASSERT_EQUAL(opened, 1);
    CU_ASSERT_STRING_EQUAL(seen_host, "localhost"); /* the default reached open */
    bluetti_session_close(s);
    bluetti_options_free(o);
    bluetti_registry_free(r);
}

static void expect_refused(const bluetti_option_decl *t, size_t n, const char *name)
{
    bluetti_registry *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_new(&r), 0);
    bluetti_registry_set_log(r, NULL, NULL, BLUETTI_LOG_ERROR);
    bluetti_transport_ops ops = demo_ops;
    ops.name = name;
    ops.options = t;
    ops.n_options = n;
    CU_ASSERT_EQUAL(bluetti_registry_add_transport(r, &ops), BLUETTI_E_SCHEMA);
    CU_ASSERT_EQUAL(bluetti_registry_transport_count(r), 0);
    bluetti_registry_free(r);
}

static void test_bad_tables(void)
{
    static const bluetti_option_decl upper[] = { { .name = "Port", .type = BLUETTI_OPT_INT } };
    static const bluetti_option_decl type[] = { { .name = "p", .type = 99 } };
    static const bluetti_option_decl range[] = { { .name = "p", .type = BLUETTI_OPT_INT,
                                                   .min = 5, .max = 1 } };
    static const char *const dup_alias[] = { "a", NULL };
    static const bluetti_option_decl dup[] = { { .name = "a", .type = BLUETTI_OPT_STRING },
                                               { .name = "b", .type = BLUETTI_OPT_STRING,
                                                 .aliases = dup_alias } };
    static const bluetti_option_decl dflt[] = { { .name = "p", .type = BLUETTI_OPT_INT,
                                                  .min = 1, .max = 9, .default_value = "10" } };
    expect_refused(upper, 1, "t1");
    expect_refused(type, 1, "t2");
    expect_refused(range, 1, "t3");
    expect_refused(dup, 2, "t4");
    expect_refused(dflt, 1, "t5");
    expect_refused(NULL, 3, "t6");
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("option declarations", NULL, NULL);
    if (!s) return -1;
    if (!CU_add_test(s, "find by name and alias", test_find) ||
        !CU_add_test(s, "one value against its declaration", test_check_values) ||
        !CU_add_test(s, "a bag against a table", test_apply_ok) ||
        !CU_add_test(s, "unknown, bad and missing keys", test_apply_errors) ||
        !CU_add_test(s, "no table: unchecked", test_no_table) ||
        !CU_add_test(s, "session_open checks before open", test_session_checks_first) ||
        !CU_add_test(s, "malformed tables are refused", test_bad_tables))
        return -1;
    return 0;
}

int main(int argc, char **argv) { return bt_run(argc, argv, add); }
