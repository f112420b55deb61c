/* Registry and loader: good plugins load, broken ones are refused with a
 * reason naming the file, and the rest still load. */
#include "config.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Log capture: the last ERROR/WARN message. */
static char last_log[1024];
static void capture(void *ud, bluetti_log_level level, const char *src, const char *msg)
{
    (void)ud;
    (void)src;
    if (level <= BLUETTI_LOG_WARN) snprintf(last_log, sizeof last_log, "%s", msg);
}

static bluetti_registry *new_reg(void)
{
    bluetti_registry *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_new(&r), 0);
    bluetti_registry_set_log(r, capture, NULL, BLUETTI_LOG_DEBUG);
    last_log[0] = '\0';
    return r;
}

static const char *bad(const char *name)
{
    static char buf[4][4096];
    static unsigned slot;
    char *b = buf[slot++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s.so", bt_bad_plugin_dir(), name);
    return b;
}

static int last_status(bluetti_registry *r, bluetti_plugin_info *info)
{
    size_t n = bluetti_registry_plugin_count(r);
    CU_ASSERT_FATAL(n > 0);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_info(r, n - 1, info), 0);
    return info->status;
}

static void test_good(void)
{
    bluetti_registry *r = new_reg();
    bluetti_plugin_info info;
    CU_ASSERT_EQUAL(bluetti_registry_load_file(r, bad("good"), 0), 0);
    CU_ASSERT_EQUAL(last_status(r, &info), 0);
    CU_ASSERT_STRING_EQUAL(info.name, "test-good");
    CU_ASSERT_STRING_EQUAL(info.version, "1.2.3");
    CU_ASSERT_EQUAL(info.n_blocks, 1);
    CU_ASSERT_EQUAL(info.n_profiles, 1);
    CU_ASSERT_PTR_NULL(info.reason);
    const bluetti_block_schema *s = bluetti_registry_find_block(r, 65001);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->name, "TEST_GOOD");
    CU_ASSERT_STRING_EQUAL(bluetti_registry_block_plugin(r, 65001), "test-good");
    /* model lookup ignores case, spaces, dashes and underscores */
    const bluetti_profile *p = bluetti_registry_find_profile(r, "test-model-one");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p->model, "TESTMODEL1");
    CU_ASSERT_PTR_EQUAL(bluetti_registry_find_profile(r, "testmodel1"), p);
    CU_ASSERT_PTR_NULL(bluetti_registry_find_profile(r, "testmodel"));
    CU_ASSERT_STRING_EQUAL(bluetti_registry_profile_plugin(r, p), "test-good");
    bluetti_registry_free(r);
}

static void expect_refused(const char *name, int err, const char *reason_part)
{
    bluetti_registry *r = new_reg();
    bluetti_plugin_info info;
    int rc = bluetti_registry_load_file(r, bad(name), 0);
    CU_ASSERT_EQUAL(rc, err);
    CU_ASSERT_EQUAL(last_status(r, &info), err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(info.reason);
    if (!strstr(info.reason, reason_part))
        fprintf(stderr, "reason for %s: %s\n", name, info.reason);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.reason, reason_part));
    /* the log names the file */
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, bad(name)));
    CU_ASSERT_EQUAL(bluetti_registry_block_count(r), 0);
    bluetti_registry_free(r);
}

static void test_wrong_abi(void) { expect_refused("bad_abi", BLUETTI_E_PLUGIN_ABI, "rebuild"); }
static void test_no_symbol(void)
{
    expect_refused("no_symbol", BLUETTI_E_PLUGIN_SYMBOL, "BLUETTI_PLUGIN_DEFINE");
}
static void test_init_fail_rolls_back(void)
{
    /* init registered block 65002 before failing: it must be gone */
    expect_refused("init_fail", BLUETTI_E_PLUGIN_INIT, "init failed");
}
static void test_bad_schema(void)
{
    expect_refused("bad_schema", BLUETTI_E_PLUGIN_INIT, "init failed");
}

static void test_duplicate(void)
{
    bluetti_registry *r = new_reg();
    bluetti_plugin_info info;
    CU_ASSERT_EQUAL(bluetti_registry_load_file(r, bad("good"), 0), 0);
    int rc = bluetti_registry_load_file(r, bad("z_dup_block"), 0);
    CU_ASSERT_EQUAL(rc, BLUETTI_E_EXISTS);
    CU_ASSERT_EQUAL(last_status(r, &info), BLUETTI_E_EXISTS);
    /* the error names both plugins */
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "test-dup-block"));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "test-good"));
    /* all or nothing: the non-clashing block of the refused plugin is not there */
    CU_ASSERT_PTR_NULL(bluetti_registry_find_block(r, 65003));
    CU_ASSERT_STRING_EQUAL(bluetti_registry_block_plugin(r, 65001), "test-good");
    CU_ASSERT_STRING_EQUAL(bluetti_registry_find_block(r, 65001)->name, "TEST_GOOD");
    /* loading the same plugin twice: the second is refused, the first stays */
    CU_ASSERT_EQUAL(bluetti_registry_load_file(r, bad("good"), 0), BLUETTI_E_EXISTS);
    CU_ASSERT_EQUAL(bluetti_registry_block_count(r), 1);
    bluetti_registry_free(r);
}

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bluetti-test-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void copy_file(const char *from, const char *to)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
}

static void test_not_elf_and_rest_still_load(void)
{
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/aaa-junk.so", tmpdir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("this is not a shared object\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/empty.so", tmpdir);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/zzz-good.so", tmpdir);
    copy_file(bad("good"), path);
    chmod(tmpdir, 0755);

    bluetti_registry *r = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_dir(r, tmpdir, 0), 1);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_count(r), 3);
    bluetti_plugin_info info;
    CU_ASSERT_EQUAL(bluetti_registry_plugin_info(r, 0, &info), 0);
    CU_ASSERT_EQUAL(info.status, BLUETTI_E_PLUGIN_OPEN);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.reason, "ldd"));
    CU_ASSERT_PTR_NOT_NULL(strstr(info.file, "aaa-junk.so"));
    CU_ASSERT_EQUAL(bluetti_registry_plugin_info(r, 1, &info), 0);
    CU_ASSERT_EQUAL(info.status, BLUETTI_E_PLUGIN_OPEN);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_info(r, 2, &info), 0);
    CU_ASSERT_EQUAL(info.status, 0);
    CU_ASSERT_PTR_NOT_NULL(bluetti_registry_find_block(r, 65001));
    bluetti_registry_free(r);
    rm_tmpdir();
}

static void test_whole_bad_dir(void)
{
    /* every broken test plugin together: only the good one loads */
    bluetti_registry *r = new_reg();
    int n = bluetti_registry_load_dir(r, bt_bad_plugin_dir(), BLUETTI_LOAD_ALLOW_UNSAFE);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_count(r), 6);
    CU_ASSERT_PTR_NOT_NULL(bluetti_registry_find_block(r, 65001));
    CU_ASSERT_PTR_NULL(bluetti_registry_find_block(r, 65002));
    CU_ASSERT_PTR_NULL(bluetti_registry_find_block(r, 65003));
    CU_ASSERT_PTR_NULL(bluetti_registry_find_block(r, 65004));
    bluetti_registry_free(r);
}

static void test_unsafe_dir_and_file(void)
{
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/good.so", tmpdir);
    copy_file(bad("good"), path);
    CU_ASSERT_EQUAL(chmod(tmpdir, 0777), 0);
    bluetti_registry *r = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_dir(r, tmpdir, 0), BLUETTI_E_PLUGIN_UNSAFE);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "writable by other users"));
    CU_ASSERT_EQUAL(bluetti_registry_block_count(r), 0);
    /* told otherwise, it loads */
    CU_ASSERT_EQUAL(bluetti_registry_load_dir(r, tmpdir, BLUETTI_LOAD_ALLOW_UNSAFE), 1);
    bluetti_registry_free(r);

    CU_ASSERT_EQUAL(chmod(tmpdir, 0755), 0);
    CU_ASSERT_EQUAL(chmod(path, 0666), 0);
    r = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_file(r, path, 0), BLUETTI_E_PLUGIN_UNSAFE);
    bluetti_plugin_info info;
    CU_ASSERT_EQUAL(last_status(r, &info), BLUETTI_E_PLUGIN_UNSAFE);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.reason, "chmod o-w"));
    bluetti_registry_free(r);
    rm_tmpdir();
}

/* A file or directory that belongs to another user (not root, not us) is
 * refused like a world-writable one. Making one needs chown, i.e. root;
 * CI runs as root. As another user the check is the same code path, but
 * the test can only show that our own files are accepted. */
static void test_foreign_owner(void)
{
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/good.so", tmpdir);
    copy_file(bad("good"), path);
    CU_ASSERT_EQUAL(chmod(tmpdir, 0755), 0);
    bluetti_registry *r = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_file(r, path, 0), 0); /* ours */
    bluetti_registry_free(r);
    if (geteuid() == 0) {
        const uid_t other = 65534; /* nobody */
        CU_ASSERT_EQUAL_FATAL(chown(path, other, (gid_t)-1), 0);
        r = new_reg();
        CU_ASSERT_EQUAL(bluetti_registry_load_file(r, path, 0), BLUETTI_E_PLUGIN_UNSAFE);
        bluetti_plugin_info info;
        CU_ASSERT_EQUAL_FATAL(last_status(r, &info), BLUETTI_E_PLUGIN_UNSAFE);
        CU_ASSERT_PTR_NOT_NULL(strstr(info.reason, "belongs to another user (uid 65534)"));
        CU_ASSERT_PTR_NOT_NULL(strstr(info.reason, "chown"));
        CU_ASSERT_EQUAL(bluetti_registry_block_count(r), 0);
        CU_ASSERT_EQUAL(bluetti_registry_load_file(r, path, BLUETTI_LOAD_ALLOW_UNSAFE), 0);
        bluetti_registry_free(r);
        /* the directory too */
        CU_ASSERT_EQUAL(chown(path, 0, (gid_t)-1), 0);
        CU_ASSERT_EQUAL_FATAL(chown(tmpdir, other, (gid_t)-1), 0);
        r = new_reg();
        CU_ASSERT_EQUAL(bluetti_registry_load_dir(r, tmpdir, 0), BLUETTI_E_PLUGIN_UNSAFE);
        CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "belongs to another user"));
        CU_ASSERT_EQUAL(bluetti_registry_block_count(r), 0);
        CU_ASSERT_EQUAL(bluetti_registry_load_dir(r, tmpdir, BLUETTI_LOAD_ALLOW_UNSAFE), 1);
        bluetti_registry_free(r);
        CU_ASSERT_EQUAL(chown(tmpdir, 0, (gid_t)-1), 0);
    }
    rm_tmpdir();
}

/* transport-*.so files are remembered, not opened, until needed. The
 * plugins of this tree and the out-of-tree loopback transport, copied into
 * one directory: two transports whatever configure left out. */
static void test_deferred_transports(void)
{
    make_tmpdir();
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp '%s'/*.so '%s/tests/plugins/transport-loopback/.libs/transport-loopback.so' '%s'",
             bt_plugin_dir(), bt_builddir(), tmpdir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    bluetti_registry *r = new_reg();
    bluetti_registry *all = new_reg();
    int n_all = bluetti_registry_load_dir(all, tmpdir, 0);
    CU_ASSERT_FATAL(n_all > 2);
    CU_ASSERT_FATAL(bluetti_registry_find_transport(all, "sim") != NULL);
    CU_ASSERT_FATAL(bluetti_registry_find_transport(all, "loopback") != NULL);
    size_t n_transports = bluetti_registry_transport_count(all);

    int n = bluetti_registry_load_dir(r, tmpdir, BLUETTI_LOAD_DEFER_TRANSPORTS);
    CU_ASSERT_EQUAL(n, n_all); /* deferred files count as loaded */
    CU_ASSERT_EQUAL(bluetti_registry_transport_count(r), 0);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_count(r),
                    bluetti_registry_plugin_count(all) - n_transports);
    CU_ASSERT_EQUAL(bluetti_registry_block_count(r), bluetti_registry_block_count(all));

    CU_ASSERT_EQUAL(bluetti_registry_need_transport(r, "nope"), BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(bluetti_registry_need_transport(r, NULL), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_registry_need_transport(r, "sim"), 0);
    CU_ASSERT_PTR_NOT_NULL(bluetti_registry_find_transport(r, "sim"));
    CU_ASSERT_PTR_NULL(bluetti_registry_find_transport(r, "loopback"));
    CU_ASSERT_EQUAL(bluetti_registry_need_transport(r, "sim"), 0); /* already there */
    CU_ASSERT_EQUAL(bluetti_registry_plugin_count(r),
                    bluetti_registry_plugin_count(all) - n_transports + 1);

    /* a session asks for its transport itself */
    bluetti_registry *r2 = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_dir(r2, tmpdir, BLUETTI_LOAD_DEFER_TRANSPORTS), n_all);
    bluetti_options *o = bluetti_options_new();
#ifdef HAVE_JANSSON
    CU_ASSERT_EQUAL_FATAL(bluetti_options_set(o, "device", bt_src_path("data/devices/el100v2.json")), 0);
#endif /* else transport-sim serves its built-in images */
    bluetti_session *s = NULL;
    char detail[256];
    CU_ASSERT_EQUAL(bluetti_session_open(r2, "sim", o, NULL, &s, detail, sizeof detail), 0);
    CU_ASSERT_PTR_NULL(bluetti_registry_find_transport(r2, "loopback"));
    bluetti_session_close(s);
    s = NULL;
    CU_ASSERT_EQUAL(bluetti_session_open(r2, "carrier-pigeon", o, NULL, &s, detail, sizeof detail),
                    BLUETTI_E_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "carrier-pigeon"));
    bluetti_options_free(o);
    bluetti_registry_free(r2);

    /* the rest on request, e.g. for a listing */
    CU_ASSERT_EQUAL(bluetti_registry_load_deferred(r), (int)n_transports - 1);
    CU_ASSERT_EQUAL(bluetti_registry_transport_count(r), n_transports);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_count(r), bluetti_registry_plugin_count(all));
    CU_ASSERT_EQUAL(bluetti_registry_load_deferred(r), 0);
    CU_ASSERT_EQUAL(bluetti_registry_load_deferred(NULL), BLUETTI_E_INVAL);
    bluetti_registry_free(r);
    bluetti_registry_free(all);
    rm_tmpdir();
}

/* A deferred file is checked when it is finally opened. */
static void test_deferred_transport_refused(void)
{
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/transport-junk.so", tmpdir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("not a shared object\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(chmod(tmpdir, 0755), 0);
    bluetti_registry *r = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_dir(r, tmpdir, BLUETTI_LOAD_DEFER_TRANSPORTS), 1);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_count(r), 0);
    CU_ASSERT_EQUAL(bluetti_registry_need_transport(r, "junk"), BLUETTI_E_PLUGIN_OPEN);
    bluetti_plugin_info info;
    CU_ASSERT_EQUAL(last_status(r, &info), BLUETTI_E_PLUGIN_OPEN);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.file, "transport-junk.so"));
    /* asked again: no file left to try */
    CU_ASSERT_EQUAL(bluetti_registry_need_transport(r, "junk"), BLUETTI_E_NOTFOUND);
    bluetti_options *o = bluetti_options_new();
    bluetti_session *s = NULL;
    char detail[256];
    bluetti_registry *r2 = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_dir(r2, tmpdir, BLUETTI_LOAD_DEFER_TRANSPORTS), 1);
    CU_ASSERT_EQUAL(bluetti_session_open(r2, "junk", o, NULL, &s, detail, sizeof detail),
                    BLUETTI_E_PLUGIN_OPEN);
    CU_ASSERT_PTR_NOT_NULL(strstr(detail, "refused"));
    bluetti_options_free(o);
    bluetti_registry_free(r2);
    bluetti_registry_free(r);
    rm_tmpdir();
}

static void test_missing_dir(void)
{
    bluetti_registry *r = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_dir(r, "/nonexistent/bluetti/plugins", 0), BLUETTI_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "/nonexistent/bluetti/plugins"));
    const char *dirs[] = { "/nonexistent/bluetti/plugins" };
    CU_ASSERT_EQUAL(bluetti_registry_load_search_path(r, dirs, 1, BLUETTI_LOAD_NO_ENV |
                                                      BLUETTI_LOAD_NO_SYSTEM), BLUETTI_E_IO);
    bluetti_registry_free(r);
}

static void test_search_order(void)
{
    /* the same plugin in a program-given dir and in BLUETTI_PLUGIN_PATH:
     * the program's copy wins, the other is refused as a duplicate */
    make_tmpdir();
    char a[512], b[512], pa[600], pb[600];
    snprintf(a, sizeof a, "%s/first", tmpdir);
    snprintf(b, sizeof b, "%s/second", tmpdir);
    CU_ASSERT_EQUAL_FATAL(mkdir(a, 0755), 0);
    CU_ASSERT_EQUAL_FATAL(mkdir(b, 0755), 0);
    snprintf(pa, sizeof pa, "%s/good.so", a);
    snprintf(pb, sizeof pb, "%s/good.so", b);
    copy_file(bad("good"), pa);
    copy_file(bad("good"), pb);
    char env[1200];
    snprintf(env, sizeof env, "/nonexistent/dir:%s", b);
    setenv("BLUETTI_PLUGIN_PATH", env, 1);
    bluetti_registry *r = new_reg();
    const char *dirs[] = { a };
    CU_ASSERT_EQUAL(bluetti_registry_load_search_path(r, dirs, 1, BLUETTI_LOAD_NO_SYSTEM), 1);
    bluetti_plugin_info info;
    CU_ASSERT_EQUAL_FATAL(bluetti_registry_plugin_count(r), 2);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_info(r, 0, &info), 0);
    CU_ASSERT_EQUAL(info.status, 0);
    CU_ASSERT_STRING_EQUAL(info.file, pa);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_info(r, 1, &info), 0);
    CU_ASSERT_EQUAL(info.status, BLUETTI_E_EXISTS);
    CU_ASSERT_STRING_EQUAL(info.file, pb);
    bluetti_registry_free(r);

    /* NO_ENV ignores the variable */
    r = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_search_path(r, NULL, 0, BLUETTI_LOAD_NO_ENV |
                                                      BLUETTI_LOAD_NO_SYSTEM), 0);
    CU_ASSERT_EQUAL(bluetti_registry_plugin_count(r), 0);
    bluetti_registry_free(r);
    unsetenv("BLUETTI_PLUGIN_PATH");
    rm_tmpdir();
}

/* A plugin linked into the program. */
static const bluetti_field b_fields[] = {
    { .name = "a", .offset = 0, .type = BLUETTI_U16 },
};
static const bluetti_block_schema b_block = {
    .id = 65100, .min_length = 2, .name = "BUILTIN", .fields = b_fields, .n_fields = 1,
};
static int b_init(bluetti_registry *reg) { return bluetti_registry_add_block(reg, &b_block); }
static const bluetti_plugin builtin = {
    .abi_major = BLUETTI_PLUGIN_ABI_MAJOR, .abi_minor = BLUETTI_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(bluetti_plugin), .name = "builtin-test", .version = "1",
    .description = "linked in", .init = b_init,
};
static const bluetti_plugin builtin_future = {
    .abi_major = BLUETTI_PLUGIN_ABI_MAJOR, .abi_minor = BLUETTI_PLUGIN_ABI_MINOR + 1,
    .struct_size = sizeof(bluetti_plugin), .name = "builtin-future", .version = "1",
    .description = "newer minor", .init = b_init,
};

static void test_builtin_and_isolation(void)
{
    bluetti_registry *r1 = new_reg(), *r2 = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_load_builtin(r1, &builtin, "test program"), 0);
    CU_ASSERT_PTR_NOT_NULL(bluetti_registry_find_block(r1, 65100));
    /* two registries never meet */
    CU_ASSERT_PTR_NULL(bluetti_registry_find_block(r2, 65100));
    CU_ASSERT_EQUAL(bluetti_registry_load_builtin(r2, &builtin_future, "x"), BLUETTI_E_PLUGIN_ABI);
    CU_ASSERT_EQUAL(bluetti_registry_block_count(r2), 0);
    bluetti_registry_free(r1);
    bluetti_registry_free(r2);
}

static void test_direct_registration(void)
{
    bluetti_registry *r = new_reg();
    CU_ASSERT_EQUAL(bluetti_registry_add_block(r, &b_block), 0);
    CU_ASSERT_EQUAL(bluetti_registry_add_block(r, &b_block), BLUETTI_E_EXISTS);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "65100"));
    CU_ASSERT_EQUAL(bluetti_registry_add_block(r, NULL), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_registry_block_count(r), 1);
    CU_ASSERT_STRING_EQUAL(bluetti_registry_block_plugin(r, 65100), "the application");
    bluetti_registry_free(r);
}

static void test_blocks_sorted(void)
{
    bluetti_registry *r = bt_registry();
    size_t n = bluetti_registry_block_count(r);
    for (size_t i = 1; i < n; i++)
        CU_ASSERT(bluetti_registry_block_at(r, i - 1)->id < bluetti_registry_block_at(r, i)->id);
    CU_ASSERT_PTR_NULL(bluetti_registry_block_at(r, n));
    bluetti_registry_free(r);
}

/* Removing one plugin's file removes exactly its blocks; the rest load. */
static void test_remove_one_plugin(void)
{
    bluetti_registry *all = bt_registry();
    size_t total = bluetti_registry_block_count(all);
    CU_ASSERT_EQUAL(total, 47);   /* the reference's 45, plus blocks 1 and 1200 */
    size_t np = bluetti_registry_plugin_count(all);
    for (size_t i = 0; i < np; i++) {
        bluetti_plugin_info pi;
        CU_ASSERT_EQUAL_FATAL(bluetti_registry_plugin_info(all, i, &pi), 0);
        if (pi.status != 0 || pi.n_blocks == 0) continue;
        make_tmpdir();
        for (size_t j = 0; j < np; j++) {
            bluetti_plugin_info pj;
            bluetti_registry_plugin_info(all, j, &pj);
            if (j == i || pj.status != 0) continue;
            const char *base = strrchr(pj.file, '/');
            char link[600];
            snprintf(link, sizeof link, "%s%s", tmpdir, base ? base : "/x.so");
            CU_ASSERT_EQUAL_FATAL(symlink(pj.file, link), 0);
        }
        chmod(tmpdir, 0755);
        bluetti_registry *r = new_reg();
        CU_ASSERT_EQUAL(bluetti_registry_load_dir(r, tmpdir, 0), (int)np - 1);
        CU_ASSERT_EQUAL(bluetti_registry_block_count(r), total - pi.n_blocks);
        for (size_t k = 0; k < total; k++) {
            const bluetti_block_schema *b = bluetti_registry_block_at(all, k);
            bool theirs = strcmp(bluetti_registry_block_plugin(all, b->id), pi.name) == 0;
            CU_ASSERT_EQUAL(bluetti_registry_find_block(r, b->id) == NULL, theirs);
        }
        /* profiles and transports are unaffected */
        CU_ASSERT_EQUAL(bluetti_registry_profile_count(r), bluetti_registry_profile_count(all));
        CU_ASSERT_EQUAL(bluetti_registry_transport_count(r), bluetti_registry_transport_count(all));
        bluetti_registry_free(r);
        rm_tmpdir();
    }
    bluetti_registry_free(all);
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("loader", NULL, NULL);
    if (!s) return -1;
    if (!CU_add_test(s, "good plugin", test_good) ||
        !CU_add_test(s, "wrong ABI refused before init", test_wrong_abi) ||
        !CU_add_test(s, "missing entry symbol", test_no_symbol) ||
        !CU_add_test(s, "init failure rolls back", test_init_fail_rolls_back) ||
        !CU_add_test(s, "invalid schema refused", test_bad_schema) ||
        !CU_add_test(s, "duplicate registration", test_duplicate) ||
        !CU_add_test(s, "not ELF, empty file, rest still load", test_not_elf_and_rest_still_load) ||
        !CU_add_test(s, "directory of broken plugins", test_whole_bad_dir) ||
        !CU_add_test(s, "world-writable dir and file", test_unsafe_dir_and_file) ||
        !CU_add_test(s, "file or directory of another user", test_foreign_owner) ||
        !CU_add_test(s, "transports deferred until needed", test_deferred_transports) ||
        !CU_add_test(s, "deferred transport checked when opened", test_deferred_transport_refused) ||
        !CU_add_test(s, "missing directory", test_missing_dir) ||
        !CU_add_test(s, "search order", test_search_order) ||
        !CU_add_test(s, "builtin plugins, separate registries", test_builtin_and_isolation) ||
        !CU_add_test(s, "direct registration", test_direct_registration) ||
        !CU_add_test(s, "blocks sorted by id", test_blocks_sorted) ||
        !CU_add_test(s, "removing one plugin removes exactly its blocks", test_remove_one_plugin))
        return -1;
    return 0;
}

int main(int argc, char **argv) { return bt_run(argc, argv, add); }
