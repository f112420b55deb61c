/* libbluetti-cloud's account client. Suite "profile": configuration, the
 * stored profile (load, save, modes, atomic writes, removal) and the MQTT
 * credentials from a profile, without network. Suite "cloud": the real
 * HTTPS calls against bluetti-sim --cloud, started by
 * tests/integration/cloud/login_lib.sh, which passes BT_CLOUD_API (base URL), BT_CLOUD_CA
 * (its CA certificate) and BT_CLOUD_PFX_PASSWORD (the bundle's password). */
#include "config.h"

#include "testutil.h"

#include <bluetti/cloud.h>

#include <openssl/pkcs12.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char base[256];

static const char *path_in(const char *rel)
{
    static char buf[4][512];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", base, rel);
    return buf[slot];
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    fchmod(fd, mode);
    close(fd);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return (mode_t)-1;
    return st.st_mode & 07777;
}

/* Names starting with '.' (temp files) in dir. */
static int hidden_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

#define TOKEN "part0abc.SIDXYZ.sig"
static const char *fixture(long long expiry)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"version\": 1, \"api_url\": \"https://127.0.0.1:1\", \"device_id\": \"dev-id-1\","
             " \"os\": \"android\", \"app_ver\": \"3.0.6\", \"account\": \"a@example.com\","
             " \"password_sha256\": \"%s\", \"pass_open\": \"00ff\", \"token\": \"" TOKEN "\","
             " \"token_expiry\": %lld, \"uid\": \"1001\", \"broker\": \"10.0.0.1\","
             " \"clock_offset_ms\": 5000, \"pkcs12\": null, \"devices\": ["
             "{\"sn\": \"EL100V22345000223861\", \"sub_sn\": \"2345000223861\", \"model\": \"EL100V2\","
             " \"protocol_ver\": 2001, \"payload_ver\": \"1.2\", \"online\": true, \"broker\": null,"
             " \"conn_secret\": null},"
             "{\"sn\": \"AC3002237000112233\", \"sub_sn\": \"2237000112233\", \"model\": \"AC300\","
             " \"protocol_ver\": 1000, \"payload_ver\": \"1.0\", \"online\": false,"
             " \"broker\": \"mq.example:1883\", \"conn_secret\": \"conn-s\"}]}\n",
             "801776ACF9BDA0F82A1DF7A1E8E3FACE4D17D8F013252D3B30F98DC432EB3EFB", expiry);
    return buf;
}

static bluetti_cloud *load_fixture(const char *dir, long long expiry)
{
    mkdir(dir, 0700);
    char p[600];
    snprintf(p, sizeof p, "%s/" BLUETTI_CLOUD_PROFILE_FILE, dir);
    write_file(p, fixture(expiry), 0600);
    bluetti_cloud *c = NULL;
    char detail[256];
    int err = bluetti_cloud_profile_load(dir, NULL, &c, detail, sizeof detail);
    CU_ASSERT_EQUAL(err, 0);
    if (err) fprintf(stderr, "load: %s\n", detail);
    return c;
}

/* ---- suite profile ----------------------------------------------------------- */

static void test_config(void)
{
    bluetti_cloud *c = NULL;
    char d[256];
    CU_ASSERT_EQUAL(bluetti_cloud_new(NULL, &c, d, sizeof d), 0);
    CU_ASSERT_PTR_NOT_NULL(c);
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_error_detail(c), "");
    CU_ASSERT_PTR_NULL(bluetti_cloud_account(c));
    CU_ASSERT_EQUAL(bluetti_cloud_token_expiry(c), 0);
    CU_ASSERT_FALSE(bluetti_cloud_clock_offset(c, NULL));
    bluetti_cloud_free(c);

    bluetti_cloud_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_EQUAL(bluetti_cloud_new(&cfg, &c, d, sizeof d), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "config_init"));
    bluetti_cloud_config_init(&cfg);
    cfg.api_url = "http://127.0.0.1:1";
    CU_ASSERT_EQUAL(bluetti_cloud_new(&cfg, &c, d, sizeof d), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "https://"));
    cfg.api_url = "https://127.0.0.1:1/";
    cfg.cafile = path_in("no-such-ca.pem");
    CU_ASSERT_EQUAL(bluetti_cloud_new(&cfg, &c, d, sizeof d), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "no-such-ca.pem"));
    cfg.cafile = NULL;
    cfg.device_id = "has space";
    CU_ASSERT_EQUAL(bluetti_cloud_new(&cfg, &c, d, sizeof d), BLUETTI_E_INVAL);
    cfg.device_id = NULL;
    cfg.timeout_ms = -5;
    CU_ASSERT_EQUAL(bluetti_cloud_new(&cfg, &c, d, sizeof d), BLUETTI_E_INVAL);
    /* an older, smaller config: the fields past its size are unset */
    cfg.timeout_ms = 0;
    cfg.size = offsetof(bluetti_cloud_config, cafile);
    cfg.cafile = path_in("no-such-ca.pem");
    CU_ASSERT_EQUAL(bluetti_cloud_new(&cfg, &c, d, sizeof d), 0);
    bluetti_cloud_free(c);
    /* not logged in: nothing to log in again with, nothing to save */
    CU_ASSERT_EQUAL(bluetti_cloud_new(NULL, &c, NULL, 0), 0);
    CU_ASSERT_EQUAL(bluetti_cloud_ensure_login(c, 60), BLUETTI_E_NOT_LOGGED_IN);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_cloud_error_detail(c), "bluetti-tool login"));
    CU_ASSERT_EQUAL(bluetti_cloud_profile_save(c, path_in("never"), NULL), BLUETTI_E_NOT_LOGGED_IN);
    CU_ASSERT_EQUAL(access(path_in("never"), F_OK), -1);
    char *u, *p;
    CU_ASSERT_EQUAL(bluetti_cloud_mqtt_credentials(c, NULL, &u, &p), BLUETTI_E_NOT_LOGGED_IN);
    CU_ASSERT_PTR_NULL(u);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_EQUAL(bluetti_cloud_fetch_devices(c), BLUETTI_E_NOT_LOGGED_IN);
    bluetti_cloud_free(c);
    bluetti_cloud_free(NULL);
    bluetti_cloud_secret_free(NULL);
    bluetti_cloud_bytes_free(NULL, 0);
}

static void test_default_dir(void)
{
    char *old_x = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    char *old_h = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *d = NULL;
    setenv("XDG_CONFIG_HOME", "/x/conf/", 1);
    CU_ASSERT_EQUAL(bluetti_cloud_default_dir(&d), 0);
    CU_ASSERT_STRING_EQUAL(d, "/x/conf/bluetti");
    free(d);
    setenv("XDG_CONFIG_HOME", "relative", 1); /* not absolute: ignored */
    setenv("HOME", "/h", 1);
    CU_ASSERT_EQUAL(bluetti_cloud_default_dir(&d), 0);
    CU_ASSERT_STRING_EQUAL(d, "/h/.config/bluetti");
    free(d);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    CU_ASSERT_EQUAL(bluetti_cloud_default_dir(&d), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NULL(d);
    if (old_x) setenv("XDG_CONFIG_HOME", old_x, 1);
    if (old_h) setenv("HOME", old_h, 1);
    free(old_x);
    free(old_h);
}

static void test_load(void)
{
    char d[512];
    bluetti_cloud *c = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("missing"), NULL, &c, d, sizeof d),
                    BLUETTI_E_NOT_LOGGED_IN);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "login"));

    long long exp = (long long)time(NULL) + 86400;
    c = load_fixture(path_in("p1"), exp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_account(c), "a@example.com");
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_uid(c), "1001");
    CU_ASSERT_EQUAL(bluetti_cloud_token_expiry(c), exp);
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_profile_dir(c), path_in("p1"));
    int64_t off = 0;
    CU_ASSERT_TRUE(bluetti_cloud_clock_offset(c, &off));
    CU_ASSERT_EQUAL(off, 5000);
    CU_ASSERT_EQUAL(bluetti_cloud_device_count(c), 2);
    const bluetti_cloud_device *el = bluetti_cloud_device_at(c, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(el);
    CU_ASSERT_STRING_EQUAL(el->model, "EL100V2");
    CU_ASSERT_EQUAL(el->protocol_ver, 2001);
    CU_ASSERT_TRUE(el->online);
    CU_ASSERT_FALSE(el->has_secret);
    CU_ASSERT_PTR_NULL(el->broker);
    CU_ASSERT_PTR_NULL(bluetti_cloud_device_at(c, 2));
    /* by full serial or subSn, any case */
    CU_ASSERT_PTR_EQUAL(bluetti_cloud_device_find(c, "2345000223861"), el);
    CU_ASSERT_PTR_EQUAL(bluetti_cloud_device_find(c, "el100v22345000223861"), el);
    const bluetti_cloud_device *ac = bluetti_cloud_device_find(c, "AC3002237000112233");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ac);
    CU_ASSERT_TRUE(ac->has_secret);
    CU_ASSERT_FALSE(ac->online);
    CU_ASSERT_PTR_NULL(bluetti_cloud_device_find(c, "999"));
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_cloud_error_detail(c), "AC3002237000112233"));
    /* brokers: the station's, else the account's (with the default port) */
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_broker(c, ac), "mq.example:1883");
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_broker(c, el), "10.0.0.1:18760");
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_broker(c, NULL), "10.0.0.1:18760");
    bluetti_cloud_free(c);

    /* a profile others can read is refused, naming the fix */
    chmod(path_in("p1/" BLUETTI_CLOUD_PROFILE_FILE), 0644);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("p1"), NULL, &c, d, sizeof d), BLUETTI_E_IO);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "chmod 600"));
    /* malformed, wrong version, a bundle outside its directory */
    write_file(path_in("p1/" BLUETTI_CLOUD_PROFILE_FILE), "{\"version\": 1,", 0600);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("p1"), NULL, &c, d, sizeof d),
                    BLUETTI_E_CLOUD);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "logout"));
    write_file(path_in("p1/" BLUETTI_CLOUD_PROFILE_FILE), "{\"version\": 2}", 0600);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("p1"), NULL, &c, d, sizeof d),
                    BLUETTI_E_CLOUD);
    char *text = strdup(fixture(exp));
    char *p12 = strstr(text, "\"pkcs12\": null");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p12);
    char *bad = malloc(strlen(text) + 64);
    snprintf(bad, strlen(text) + 64, "%.*s\"pkcs12\": \"../x.p12\"%s", (int)(p12 - text), text,
             p12 + strlen("\"pkcs12\": null"));
    write_file(path_in("p1/" BLUETTI_CLOUD_PROFILE_FILE), bad, 0600);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("p1"), NULL, &c, d, sizeof d),
                    BLUETTI_E_CLOUD);
    /* a named bundle that is missing */
    snprintf(bad, strlen(text) + 64, "%.*s\"pkcs12\": \"gone.p12\"%s", (int)(p12 - text), text,
             p12 + strlen("\"pkcs12\": null"));
    write_file(path_in("p1/" BLUETTI_CLOUD_PROFILE_FILE), bad, 0600);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("p1/" BLUETTI_CLOUD_PROFILE_FILE), NULL,
                                               &c, d, sizeof d), BLUETTI_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "gone.p12"));
    /* a stored API CA file that is gone: named, with the fix */
    snprintf(bad, strlen(text) + 64, "%.*s\"cafile\": \"/nonexistent/ca.pem\"%s",
             (int)(p12 - text), text, p12 + strlen("\"pkcs12\": null"));
    write_file(path_in("p1/" BLUETTI_CLOUD_PROFILE_FILE), bad, 0600);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("p1"), NULL, &c, d, sizeof d),
                    BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "/nonexistent/ca.pem"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "--cafile"));
    free(bad);
    free(text);
}

static void test_credentials(void)
{
    long long exp = (long long)time(NULL) + 86400;
    bluetti_cloud *c = load_fixture(path_in("p2"), exp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *u = NULL, *p = NULL;
    /* the station with a connection secret: rmt:<secret> */
    const bluetti_cloud_device *ac = bluetti_cloud_device_find(c, "2237000112233");
    CU_ASSERT_EQUAL(bluetti_cloud_mqtt_credentials(c, ac, &u, &p), 0);
    CU_ASSERT_STRING_EQUAL(u, "tid:SIDXYZ");
    CU_ASSERT_STRING_EQUAL(p, "rmt:conn-s");
    bluetti_cloud_secret_free(u);
    bluetti_cloud_secret_free(p);
    /* without: the TOTP of (sid, part 0) at our clock + the stored offset */
    struct timespec a, b;
    clock_gettime(CLOCK_REALTIME, &a);
    CU_ASSERT_EQUAL(bluetti_cloud_mqtt_credentials(c, bluetti_cloud_device_at(c, 0), &u, &p), 0);
    clock_gettime(CLOCK_REALTIME, &b);
    char t1[9], t2[9];
    uint64_t ma = (uint64_t)a.tv_sec * 1000 + (uint64_t)a.tv_nsec / 1000000 + 5000;
    uint64_t mb = (uint64_t)b.tv_sec * 1000 + (uint64_t)b.tv_nsec / 1000000 + 5000;
    bluetti_cloud_totp("SIDXYZ", "part0abc", ma, t1);
    bluetti_cloud_totp("SIDXYZ", "part0abc", mb, t2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_TRUE(strcmp(p, t1) == 0 || strcmp(p, t2) == 0);
    CU_ASSERT_EQUAL(strlen(p), 8);
    bluetti_cloud_secret_free(u);
    bluetti_cloud_secret_free(p);
    /* a station of another client is refused */
    bluetti_cloud *other = load_fixture(path_in("p3"), exp);
    CU_ASSERT_EQUAL(bluetti_cloud_mqtt_credentials(c, bluetti_cloud_device_at(other, 0), &u, &p),
                    BLUETTI_E_INVAL);
    bluetti_cloud_free(other);
    bluetti_cloud_free(c);

    /* an expired token: the client logs in again, here to an API that is not
     * there, and says so */
    c = load_fixture(path_in("p4"), (long long)time(NULL) - 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(bluetti_cloud_mqtt_credentials(c, NULL, &u, &p), BLUETTI_E_CONNECT);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_cloud_error_detail(c), "127.0.0.1:1"));
    CU_ASSERT_PTR_NULL(u);
    bluetti_cloud_free(c);
}

static void test_save(void)
{
    long long exp = (long long)time(NULL) + 86400;
    bluetti_cloud *c = load_fixture(path_in("p5"), exp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    /* into a new nested directory: created 0700, the file 0600 */
    char *path = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_profile_save(c, path_in("new/deeper"), &path), 0);
    CU_ASSERT_STRING_EQUAL(path, path_in("new/deeper/" BLUETTI_CLOUD_PROFILE_FILE));
    free(path);
    CU_ASSERT_EQUAL(mode_of(path_in("new/deeper")), 0700);
    CU_ASSERT_EQUAL(mode_of(path_in("new/deeper/" BLUETTI_CLOUD_PROFILE_FILE)), 0600);
    CU_ASSERT_EQUAL(hidden_files(path_in("new/deeper")), 0);
    CU_ASSERT_EQUAL(access(path_in("new/deeper/" BLUETTI_CLOUD_PKCS12_FILE), F_OK), -1);
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_profile_dir(c), path_in("new/deeper"));
    /* what was saved loads back the same */
    bluetti_cloud *c2 = NULL;
    char d[512];
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("new/deeper"), NULL, &c2, d, sizeof d), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_account(c2), "a@example.com");
    CU_ASSERT_EQUAL(bluetti_cloud_token_expiry(c2), exp);
    CU_ASSERT_EQUAL(bluetti_cloud_device_count(c2), 2);
    CU_ASSERT_TRUE(bluetti_cloud_device_find(c2, "2237000112233")->has_secret);
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_broker(c2, NULL), "10.0.0.1:18760");
    bluetti_cloud_free(c2);
    /* an existing directory others can enter is made private */
    mkdir(path_in("open"), 0755);
    chmod(path_in("open"), 0755);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_save(c, path_in("open"), NULL), 0);
    CU_ASSERT_EQUAL(mode_of(path_in("open")), 0700);

    /* a failed write changes nothing and leaves no temp file: the file's
     * name is taken by a directory, so the rename fails */
    mkdir(path_in("blocked"), 0700);
    mkdir(path_in("blocked/" BLUETTI_CLOUD_PROFILE_FILE), 0700);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_save(c, path_in("blocked"), NULL), BLUETTI_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_cloud_error_detail(c), "nothing was changed"));
    CU_ASSERT_EQUAL(hidden_files(path_in("blocked")), 0);
    /* the directory is a file */
    write_file(path_in("plain"), "x", 0600);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_save(c, path_in("plain"), NULL), BLUETTI_E_IO);
    char *still = read_text(path_in("plain"));
    CU_ASSERT_STRING_EQUAL(still, "x");
    free(still);
    bluetti_cloud_free(c);
}

static void test_remove(void)
{
    long long exp = (long long)time(NULL) + 86400;
    bluetti_cloud *c = load_fixture(path_in("p6"), exp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    bluetti_cloud_free(c);
    write_file(path_in("p6/" BLUETTI_CLOUD_PKCS12_FILE), "bundle", 0600);
    unsigned r = 99;
    char d[512];
    CU_ASSERT_EQUAL(bluetti_cloud_profile_remove(path_in("p6"), &r, d, sizeof d), 0);
    CU_ASSERT_EQUAL(r, BLUETTI_CLOUD_REMOVED_PROFILE | BLUETTI_CLOUD_REMOVED_PKCS12);
    CU_ASSERT_EQUAL(access(path_in("p6"), F_OK), -1); /* empty: removed too */
    CU_ASSERT_EQUAL(bluetti_cloud_profile_remove(path_in("p6"), &r, d, sizeof d),
                    BLUETTI_E_NOT_LOGGED_IN);
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "no stored login"));
    /* other files stay, and so does the directory */
    c = load_fixture(path_in("p7"), exp);
    bluetti_cloud_free(c);
    write_file(path_in("p7/config"), "sn = 1\n", 0600);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_remove(path_in("p7"), &r, NULL, 0), 0);
    CU_ASSERT_EQUAL(r, BLUETTI_CLOUD_REMOVED_PROFILE);
    CU_ASSERT_EQUAL(access(path_in("p7/config"), F_OK), 0);
}

/* ---- suite cloud (bluetti-sim --cloud) ---------------------------------------- */

static const char *api, *ca, *pfx_pw;

static bluetti_cloud *client(bool trust)
{
    bluetti_cloud_config cfg;
    bluetti_cloud_config_init(&cfg);
    cfg.api_url = api;
    cfg.cafile = trust ? ca : NULL;
    cfg.timeout_ms = 10000;
    bluetti_cloud *c = NULL;
    char d[256];
    CU_ASSERT_EQUAL(bluetti_cloud_new(&cfg, &c, d, sizeof d), 0);
    return c;
}

static bool file_has(const char *path, const char *needle)
{
    char *t = read_text(path);
    bool has = t && strstr(t, needle);
    free(t);
    return has;
}

static void test_login_flow(void)
{
    bluetti_cloud *c = client(true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    int err = bluetti_cloud_login(c, "alice@example.com", "Alice-pw-1");
    CU_ASSERT_EQUAL(err, 0);
    if (err) fprintf(stderr, "login: %s\n", bluetti_cloud_error_detail(c));
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_uid(c), "1001");
    int64_t left = bluetti_cloud_token_expiry(c) - (int64_t)time(NULL);
    CU_ASSERT_TRUE(left > 2678400 - 60 && left <= 2678400);
    CU_ASSERT_EQUAL(bluetti_cloud_fetch_devices(c), 0);
    CU_ASSERT_EQUAL(bluetti_cloud_device_count(c), 2);
    const bluetti_cloud_device *el = bluetti_cloud_device_find(c, "2345000223861");
    CU_ASSERT_PTR_NOT_NULL_FATAL(el);
    CU_ASSERT_STRING_EQUAL(el->sn, "EL100V22345000223861");
    CU_ASSERT_TRUE(el->online);
    const bluetti_cloud_device *ac = bluetti_cloud_device_find(c, "2237000112233");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ac);
    CU_ASSERT_FALSE(ac->online);
    CU_ASSERT_EQUAL(ac->protocol_ver, 1000);
    CU_ASSERT_TRUE(ac->has_secret);

    /* server time: the certificate password decrypts, the offset is small */
    uint64_t ms = 0;
    char *pw = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_server_time(c, &ms, &pw), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
    CU_ASSERT_STRING_EQUAL(pw, pfx_pw);
    int64_t off = 99999;
    CU_ASSERT_TRUE(bluetti_cloud_clock_offset(c, &off));
    CU_ASSERT_TRUE(off > -5000 && off < 5000);
    CU_ASSERT_TRUE(ms > 1700000000000ull);
    /* the x-iot-server broker the sim announces */
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_cloud_broker(c, el), "127.0.0.1:"));

    /* the bundle: a PKCS#12 that opens with that password */
    uint8_t *p12 = NULL;
    size_t len = 0;
    err = bluetti_cloud_download_pfx(c, pw, &p12, &len);
    CU_ASSERT_EQUAL(err, 0);
    if (err) fprintf(stderr, "pfx: %s\n", bluetti_cloud_error_detail(c));
    CU_ASSERT_PTR_NOT_NULL_FATAL(p12);
    const uint8_t *q = p12;
    PKCS12 *pk = d2i_PKCS12(NULL, &q, (long)len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pk);
    CU_ASSERT_EQUAL(PKCS12_verify_mac(pk, pfx_pw, -1), 1);
    PKCS12_free(pk);
    bluetti_cloud_bytes_free(p12, len);
    bluetti_cloud_secret_free(pw);

    /* certificate(): the held bundle and a fresh password */
    char *pw2 = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_certificate(c, 0, &p12, &len, &pw2), 0);
    CU_ASSERT_STRING_EQUAL(pw2, pfx_pw);
    CU_ASSERT_TRUE(len > 0);
    bluetti_cloud_bytes_free(p12, len);
    bluetti_cloud_secret_free(pw2);

    /* stored: the bundle as downloaded, nothing in clear */
    char *path = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_profile_save(c, path_in("alice"), &path), 0);
    CU_ASSERT_EQUAL(mode_of(path_in("alice/" BLUETTI_CLOUD_PKCS12_FILE)), 0600);
    CU_ASSERT_FALSE(file_has(path, "Alice-pw-1"));
    CU_ASSERT_FALSE(file_has(path, pfx_pw));
    CU_ASSERT_TRUE(file_has(path, "801776ACF9BDA0F8") || file_has(path, "password_sha256"));
    free(path);
    bluetti_cloud_free(c);

    /* from the profile: MQTT credentials, and a new login from the stored
     * secrets alone */
    char d[512];
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("alice"), NULL, &c, d, sizeof d), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *u = NULL, *mp = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_mqtt_credentials(c, bluetti_cloud_device_find(c, "2345000223861"),
                                                   &u, &mp), 0);
    CU_ASSERT_EQUAL(strncmp(u, "tid:", 4), 0);
    CU_ASSERT_EQUAL(strlen(mp), 8);
    bluetti_cloud_secret_free(u);
    bluetti_cloud_secret_free(mp);
    CU_ASSERT_EQUAL(bluetti_cloud_mqtt_credentials(c, bluetti_cloud_device_find(c, "AC3002237000112233"),
                                                   &u, &mp), 0);
    CU_ASSERT_STRING_EQUAL(mp, "rmt:conn-secret-ac300");
    bluetti_cloud_secret_free(u);
    bluetti_cloud_secret_free(mp);
    bluetti_cloud_free(c);
}

static void test_login_hashed(void)
{
    char h[65], po[128];
    bluetti_cloud_password_hash("Alice-pw-1", h);
    bluetti_cloud_pass_open("Alice-pw-1", po, sizeof po);
    bluetti_cloud *c = client(true);
    CU_ASSERT_EQUAL(bluetti_cloud_login_hashed(c, "alice@example.com", h, po), 0);
    CU_ASSERT_STRING_EQUAL(bluetti_cloud_uid(c), "1001");
    /* a lowercase hash is not what the cloud takes: refused before sending */
    h[0] = 'f';
    h[1] = 'f';
    for (char *p = h; *p; p++) if (*p >= 'A' && *p <= 'F') *p = (char)(*p + 32);
    CU_ASSERT_EQUAL(bluetti_cloud_login_hashed(c, "alice@example.com", h, po), BLUETTI_E_INVAL);
    bluetti_cloud_free(c);
}

static void test_refusals(void)
{
    bluetti_cloud *c = client(true);
    CU_ASSERT_EQUAL(bluetti_cloud_login(c, "alice@example.com", "not-it"), BLUETTI_E_ACCOUNT_PASSWORD);
    const char *d = bluetti_cloud_error_detail(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "password"));
    CU_ASSERT_PTR_NULL(strstr(d, "not-it"));
    CU_ASSERT_EQUAL(bluetti_cloud_login(c, "nobody@example.com", "Alice-pw-1"),
                    BLUETTI_E_ACCOUNT_UNKNOWN);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_cloud_error_detail(c), "nobody@example.com"));
    CU_ASSERT_EQUAL(bluetti_cloud_login(c, "alice@example.com", ""), BLUETTI_E_INVAL);
    /* revoked certificate */
    CU_ASSERT_EQUAL(bluetti_cloud_login(c, "carol@example.com", "Carol-pw-3"), 0);
    uint8_t *p12 = NULL;
    size_t len = 0;
    char *pw = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_certificate(c, 0, &p12, &len, &pw), BLUETTI_E_CERT_REVOKED);
    CU_ASSERT_PTR_NULL(p12);
    CU_ASSERT_PTR_NULL(pw);
    bluetti_cloud_free(c);
    /* a server we were not told to trust */
    c = client(false);
    CU_ASSERT_EQUAL(bluetti_cloud_login(c, "alice@example.com", "Alice-pw-1"), BLUETTI_E_TLS_VERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_cloud_error_detail(c), "--cafile"));
    bluetti_cloud_free(c);
}

static void test_skewed_cloud(void)
{
    /* erin's cloud runs 90 s ahead: measured, and the download still works */
    bluetti_cloud *c = client(true);
    CU_ASSERT_EQUAL(bluetti_cloud_login(c, "erin@example.com", "Erin-pw-5"), 0);
    uint8_t *p12 = NULL;
    size_t len = 0;
    char *pw = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_certificate(c, BLUETTI_CLOUD_CERT_FRESH, &p12, &len, &pw), 0);
    int64_t off = 0;
    CU_ASSERT_TRUE(bluetti_cloud_clock_offset(c, &off));
    CU_ASSERT_TRUE(off > 85000 && off < 95000);
    bluetti_cloud_bytes_free(p12, len);
    bluetti_cloud_secret_free(pw);
    bluetti_cloud_free(c);
}

/* A stale clock offset (here: 10 minutes, stored in the profile) makes the
 * time-based proof of the download wrong: the cloud refuses it, and with
 * an offset that large the client says the clocks disagree. */
static void test_clock_skew(void)
{
    char *text = read_text(path_in("alice/" BLUETTI_CLOUD_PROFILE_FILE));
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    char *at = strstr(text, "\"clock_offset_ms\": ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    char *end = at + strlen("\"clock_offset_ms\": ");
    while (*end == '-' || (*end >= '0' && *end <= '9')) end++;
    size_t cap = strlen(text) + 64;
    char *skewed = malloc(cap);
    snprintf(skewed, cap, "%.*s\"clock_offset_ms\": 600000%s", (int)(at - text), text, end);
    write_file(path_in("alice/" BLUETTI_CLOUD_PROFILE_FILE), skewed, 0600);
    free(skewed);
    free(text);
    bluetti_cloud_config cfg;
    bluetti_cloud_config_init(&cfg);
    cfg.cafile = ca;
    bluetti_cloud *c = NULL;
    char d[512];
    CU_ASSERT_EQUAL(bluetti_cloud_profile_load(path_in("alice"), &cfg, &c, d, sizeof d), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    uint8_t *p12 = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(bluetti_cloud_download_pfx(c, pfx_pw, &p12, &len), BLUETTI_E_CLOCK_SKEW);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_cloud_error_detail(c), "clock"));
    CU_ASSERT_PTR_NULL(p12);
    /* certificate() measures the offset again first: then it works */
    char *pw = NULL;
    CU_ASSERT_EQUAL(bluetti_cloud_certificate(c, BLUETTI_CLOUD_CERT_FRESH, &p12, &len, &pw), 0);
    bluetti_cloud_bytes_free(p12, len);
    bluetti_cloud_secret_free(pw);
    bluetti_cloud_free(c);
}

static void test_token_expiry(void)
{
    /* bob's tokens live 2 s: ensure_login renews one that is too short */
    bluetti_cloud *c = client(true);
    CU_ASSERT_EQUAL(bluetti_cloud_login(c, "bob@example.com", "Bob-pw-2"), 0);
    int64_t e1 = bluetti_cloud_token_expiry(c);
    CU_ASSERT_TRUE(e1 - (int64_t)time(NULL) <= 2);
    CU_ASSERT_EQUAL(bluetti_cloud_profile_save(c, path_in("bob"), NULL), 0);
    char *t1 = read_text(path_in("bob/" BLUETTI_CLOUD_PROFILE_FILE));
    /* after the ttl the cloud answers 805: the client logs in once more
     * by itself, writes the new token back to its profile, and goes on */
    struct timespec nap = { 3, 0 };
    nanosleep(&nap, NULL);
    int err = bluetti_cloud_fetch_devices(c);
    CU_ASSERT_EQUAL(err, 0);
    if (err) fprintf(stderr, "after expiry: %s\n", bluetti_cloud_error_detail(c));
    CU_ASSERT_EQUAL(bluetti_cloud_device_count(c), 1);
    CU_ASSERT_TRUE(bluetti_cloud_token_expiry(c) > e1);
    char *t2 = read_text(path_in("bob/" BLUETTI_CLOUD_PROFILE_FILE));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
    CU_ASSERT_STRING_NOT_EQUAL(t1, t2);
    free(t1);
    free(t2);
    /* ensure_login with more time asked than the token has: a new login */
    int64_t e2 = bluetti_cloud_token_expiry(c);
    nanosleep(&(struct timespec){ 1, 100000000 }, NULL);
    CU_ASSERT_EQUAL(bluetti_cloud_ensure_login(c, 60), 0);
    CU_ASSERT_TRUE(bluetti_cloud_token_expiry(c) > e2);
    bluetti_cloud_free(c);
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("profile", NULL, NULL);
    if (!s || !CU_add_test(s, "config", test_config) ||
        !CU_add_test(s, "default_dir", test_default_dir) || !CU_add_test(s, "load", test_load) ||
        !CU_add_test(s, "credentials", test_credentials) || !CU_add_test(s, "save", test_save) ||
        !CU_add_test(s, "remove", test_remove))
        return (int)CU_get_error();
    s = CU_add_suite("cloud", NULL, NULL);
    if (!s || !CU_add_test(s, "login_flow", test_login_flow) ||
        !CU_add_test(s, "login_hashed", test_login_hashed) ||
        !CU_add_test(s, "refusals", test_refusals) ||
        !CU_add_test(s, "skewed_cloud", test_skewed_cloud) ||
        !CU_add_test(s, "clock_skew", test_clock_skew) ||
        !CU_add_test(s, "token_expiry", test_token_expiry))
        return (int)CU_get_error();
    return 0;
}

int main(int argc, char **argv)
{
    api = getenv("BT_CLOUD_API");
    ca = getenv("BT_CLOUD_CA");
    pfx_pw = getenv("BT_CLOUD_PFX_PASSWORD");
    if (!api || !ca || !pfx_pw) {
        fprintf(stderr, "test_login: run it through tests/integration/cloud/login_lib.sh (it starts "
                "bluetti-sim --cloud and sets BT_CLOUD_API, BT_CLOUD_CA, BT_CLOUD_PFX_PASSWORD)\n");
        return 1;
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(base, sizeof base, "%s/bluetti-test-login.XXXXXX", tmp);
    if (!mkdtemp(base)) return 1;
    int rc = bt_run(argc, argv, add);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0) fprintf(stderr, "test_login: could not remove %s\n", base);
    return rc;
}
