/* The stored login: a directory (0700) holding the profile JSON and the
 * PKCS#12 bundle as downloaded, each 0600 and written atomically (temp
 * file in the same directory, fsync, rename, fsync of the directory).
 * The profile holds the password-equivalent secrets and the token, never
 * the plaintext password, the certificate password or a decrypted key
 * (docs/SECURITY.md, "Stored cloud login"). */
#include "config.h"

#include "client.h"
#include "bt_text.h"

#include <jansson.h>
#include <openssl/crypto.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROFILE_VERSION 1
#define PROFILE_MAX (1u << 20)
#define PKCS12_MAX (1u << 20)

int bluetti_cloud_default_dir(char **dir)
{
    if (!dir) return BLUETTI_E_INVAL;
    *dir = NULL;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    const char *base, *sub;
    if (xdg && xdg[0] == '/') base = xdg, sub = "/bluetti";
    else if (home && home[0] == '/') base = home, sub = "/.config/bluetti";
    else return BLUETTI_E_INVAL;
    size_t bl = strlen(base), sl = strlen(sub);
    while (bl > 1 && base[bl - 1] == '/') bl--;
    char *d = malloc(bl + sl + 1);
    if (!d) return BLUETTI_E_NOMEM;
    snprintf(d, bl + sl + 1, "%.*s%s", (int)bl, base, sub);
    *dir = d;
    return 0;
}

static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *p = malloc(dl + nl + 2);
    if (!p) return NULL;
    snprintf(p, dl + nl + 2, "%s/%s", dir, name);
    return p;
}

/* mkdir -p; the last component 0700 (tightened when it exists and is ours). */
static int make_dir(bluetti_cloud *c, const char *dir)
{
    char *p = strdup(dir);
    if (!p) return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            cloud_fail(c, BLUETTI_E_IO, "cannot create directory %.300s: %s; check the path "
                       "and its permissions", p, strerror(e));
            free(p);
            return BLUETTI_E_IO;
        }
        *s = '/';
    }
    free(p);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return cloud_fail(c, BLUETTI_E_IO, "cannot create directory %.300s: %s; check the path "
                          "and its permissions", dir, strerror(errno));
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cloud_fail(c, BLUETTI_E_IO, "%.300s is not a directory; give a directory for the "
                          "stored login", dir);
    if (st.st_uid != geteuid())
        return cloud_fail(c, BLUETTI_E_IO, "directory %.300s belongs to another user; give a "
                          "directory of your own", dir);
    if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) != 0)
        return cloud_fail(c, BLUETTI_E_IO, "cannot make directory %.300s private (chmod 700): "
                          "%s", dir, strerror(errno));
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int cloud_write_atomic(bluetti_cloud *c, const char *dir, const char *name, const void *data,
                       size_t len)
{
    char *path = join(dir, name);
    char *tmp = path ? malloc(strlen(path) + 16) : NULL;
    if (!tmp) {
        free(path);
        return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    }
    snprintf(tmp, strlen(path) + 16, "%s/.%s.XXXXXX", dir, name);
    int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
    int err = 0, e = 0;
    if (fd < 0 || fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        e = errno;
        err = BLUETTI_E_IO;
    }
    if (fd >= 0 && close(fd) != 0 && !err) {
        e = errno;
        err = BLUETTI_E_IO;
    }
    if (!err && rename(tmp, path) != 0) {
        e = errno;
        err = BLUETTI_E_IO;
    }
    if (err) {
        if (fd >= 0) unlink(tmp);
        cloud_fail(c, err, "cannot write %.300s: %s; nothing was changed there; check free "
                   "space and the directory's permissions", path, strerror(e));
    } else {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd); /* make the rename itself durable */
            close(dfd);
        }
    }
    free(tmp);
    free(path);
    return err;
}

/* ---- save ------------------------------------------------------------------ */

static int set_str(json_t *o, const char *k, const char *v)
{
    return json_object_set_new(o, k, v ? json_string(v) : json_null());
}

/* Wipe every string of a document we built (it holds secrets), then free. */
static void free_wiped(json_t *v)
{
    if (!v) return;
    if (json_is_string(v)) {
        OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            free_wiped(json_incref(x));
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            free_wiped(json_incref(x));
        }
    }
    json_decref(v);
}

static json_t *profile_json(const bluetti_cloud *c, bool with_p12)
{
    json_t *o = json_object(), *devs = json_array();
    if (!o || !devs) {
        json_decref(o);
        json_decref(devs);
        return NULL;
    }
    int f = 0;
    f |= json_object_set_new(o, "version", json_integer(PROFILE_VERSION));
    f |= set_str(o, "api_url", c->api_url);
    f |= set_str(o, "cafile", c->cafile);
    f |= set_str(o, "device_id", c->device_id);
    f |= set_str(o, "os", c->os);
    f |= set_str(o, "app_ver", c->app_ver);
    f |= set_str(o, "account", c->email);
    f |= set_str(o, "password_sha256", c->pw_hash);
    f |= set_str(o, "pass_open", c->pass_open);
    f |= set_str(o, "token", c->token);
    f |= json_object_set_new(o, "token_expiry", json_integer((json_int_t)c->token_expiry));
    f |= set_str(o, "uid", c->uid);
    f |= set_str(o, "broker", c->iot_server);
    f |= set_str(o, "broker_pin", c->broker_pin);
    if (c->has_offset)
        f |= json_object_set_new(o, "clock_offset_ms", json_integer((json_int_t)c->offset_ms));
    f |= set_str(o, "pkcs12", with_p12 ? BLUETTI_CLOUD_PKCS12_FILE : NULL);
    for (size_t i = 0; i < c->n_devs; i++) {
        const cloud_dev *d = &c->devs[i];
        json_t *j = json_object();
        if (!j) { f = -1; break; }
        f |= set_str(j, "sn", d->sn);
        f |= set_str(j, "sub_sn", d->sub_sn);
        f |= set_str(j, "model", d->model);
        f |= json_object_set_new(j, "protocol_ver", json_integer(d->protocol_ver));
        f |= set_str(j, "payload_ver", d->payload_ver);
        f |= json_object_set_new(j, "online", json_boolean(d->online));
        f |= set_str(j, "broker", d->broker);
        f |= set_str(j, "conn_secret", d->secret);
        f |= json_array_append_new(devs, j);
    }
    f |= json_object_set_new(o, "devices", devs);
    if (f) {
        free_wiped(o);
        return NULL;
    }
    return o;
}

int bluetti_cloud_profile_save(bluetti_cloud *c, const char *dir, char **path)
{
    if (!c) return BLUETTI_E_INVAL;
    c->detail[0] = '\0';
    if (path) *path = NULL;
    if (!c->email || !c->pw_hash || !c->pass_open)
        return cloud_fail(c, BLUETTI_E_NOT_LOGGED_IN, "nothing to save: not logged in");
    char *d = NULL;
    int err = 0;
    if (dir) d = strdup(dir);
    else if ((err = bluetti_cloud_default_dir(&d)) == BLUETTI_E_INVAL)
        return cloud_fail(c, err, "neither XDG_CONFIG_HOME nor HOME is set to an absolute "
                          "directory; set HOME, or give a directory");
    if (!d) return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    if ((err = make_dir(c, d))) goto out;
    /* the bundle first: a profile never names a file that is not there */
    if (c->p12 && (err = cloud_write_atomic(c, d, BLUETTI_CLOUD_PKCS12_FILE, c->p12, c->p12_len)))
        goto out;
    json_t *doc = profile_json(c, c->p12 != NULL);
    if (!doc) {
        err = cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
        goto out;
    }
    /* json_dumpb writes into our buffer: no copy of the secrets elsewhere */
    size_t n = json_dumpb(doc, NULL, 0, JSON_INDENT(2) | JSON_SORT_KEYS);
    char *buf = n ? malloc(n + 1) : NULL;
    if (buf && json_dumpb(doc, buf, n, JSON_INDENT(2) | JSON_SORT_KEYS) == n) {
        buf[n] = '\n';
        err = cloud_write_atomic(c, d, BLUETTI_CLOUD_PROFILE_FILE, buf, n + 1);
    } else {
        err = cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    }
    if (buf) OPENSSL_cleanse(buf, n + 1);
    free(buf);
    free_wiped(doc);
    if (err) goto out;
    if (!c->profile_dir || strcmp(c->profile_dir, d) != 0) {
        char *keep = strdup(d);
        if (keep) {
            free(c->profile_dir);
            c->profile_dir = keep;
        }
    }
    if (path && !(*path = join(d, BLUETTI_CLOUD_PROFILE_FILE)))
        err = cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
out:
    free(d);
    return err;
}

/* ---- load ------------------------------------------------------------------ */

/* Read a private file of ours into a heap buffer (wiped by the caller). */
static int read_private(const char *path, size_t max, uint8_t **out, size_t *len, char *detail,
                        size_t cap, bool missing_is_logout)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT && missing_is_logout) {
            bt_fmt(detail, cap, "no stored login (%.300s does not exist); run 'bluetti-tool "
                   "login --account EMAIL'", path);
            return BLUETTI_E_NOT_LOGGED_IN;
        }
        bt_fmt(detail, cap, "cannot open %.300s: %s; check the file and its permissions",
               path, strerror(errno));
        return BLUETTI_E_IO;
    }
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        bt_fmt(detail, cap, "%.300s is not a regular file", path);
        err = BLUETTI_E_IO;
    } else if (st.st_uid != geteuid()) {
        bt_fmt(detail, cap, "%.300s belongs to another user; log in again as yourself", path);
        err = BLUETTI_E_IO;
    } else if (st.st_mode & 077) {
        bt_fmt(detail, cap, "%.300s holds login secrets and is readable by other users "
               "(mode %03o); run 'chmod 600 %.300s', or log in again", path,
               (unsigned)(st.st_mode & 0777), path);
        err = BLUETTI_E_IO;
    } else if ((uint64_t)st.st_size > max) {
        bt_fmt(detail, cap, "%.300s is larger than %zu bytes; it is not a stored login",
               path, max);
        err = BLUETTI_E_IO;
    }
    uint8_t *buf = err ? NULL : malloc((size_t)st.st_size + 1);
    if (!err && !buf) err = BLUETTI_E_NOMEM;
    size_t got = 0;
    while (!err && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            bt_fmt(detail, cap, "cannot read %.300s: %s", path,
                   r < 0 ? strerror(errno) : "it shrank while being read");
            err = BLUETTI_E_IO;
        } else {
            got += (size_t)r;
        }
    }
    close(fd);
    if (err) {
        if (buf) OPENSSL_cleanse(buf, (size_t)st.st_size + 1);
        free(buf);
        if (err == BLUETTI_E_NOMEM) bt_fmt(detail, cap, "out of memory");
        return err;
    }
    buf[got] = 0;
    *out = buf;
    *len = got;
    return 0;
}

static bool get_str(json_t *o, const char *k, char **dst, bool secret)
{
    json_t *v = json_object_get(o, k);
    if (!v || json_is_null(v)) return true;
    if (!json_is_string(v)) return false;
    char *s = strdup(json_string_value(v));
    if (secret) OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
    if (!s) return false;
    if (secret) cloud_wipe_str(dst);
    else free(*dst);
    *dst = s;
    return true;
}

static int load_devices(bluetti_cloud *c, json_t *arr)
{
    size_t n = json_array_size(arr);
    if (!n) return 0;
    c->devs = calloc(n, sizeof *c->devs);
    if (!c->devs) return BLUETTI_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(arr, i);
        cloud_dev *d = &c->devs[c->n_devs++];
        if (!json_is_object(j) || !get_str(j, "sn", &d->sn, false) ||
            !get_str(j, "sub_sn", &d->sub_sn, false) || !get_str(j, "model", &d->model, false) ||
            !get_str(j, "payload_ver", &d->payload_ver, false) ||
            !get_str(j, "broker", &d->broker, false) ||
            !get_str(j, "conn_secret", &d->secret, true))
            return BLUETTI_E_CLOUD;
        if (!d->sn || !*d->sn || !d->sub_sn || !d->model) return BLUETTI_E_CLOUD;
        if (!d->payload_ver && !(d->payload_ver = strdup(""))) return BLUETTI_E_NOMEM;
        json_t *pv = json_object_get(j, "protocol_ver");
        if (json_is_integer(pv) && json_integer_value(pv) > 0 && json_integer_value(pv) < 100000)
            d->protocol_ver = (int)json_integer_value(pv);
        d->online = json_is_true(json_object_get(j, "online"));
    }
    cloud_devs_link(c);
    return 0;
}

static int from_json(bluetti_cloud *c, json_t *doc)
{
    json_t *v = json_object_get(doc, "version");
    if (!json_is_integer(v) || json_integer_value(v) != PROFILE_VERSION) return BLUETTI_E_CLOUD;
    if (!get_str(doc, "api_url", &c->api_url, false) || !get_str(doc, "cafile", &c->cafile, false) ||
        !get_str(doc, "device_id", &c->device_id, false) || !get_str(doc, "os", &c->os, false) ||
        !get_str(doc, "app_ver", &c->app_ver, false) ||
        !get_str(doc, "account", &c->email, false) ||
        !get_str(doc, "password_sha256", &c->pw_hash, true) ||
        !get_str(doc, "pass_open", &c->pass_open, true) ||
        !get_str(doc, "token", &c->token, true) || !get_str(doc, "uid", &c->uid, false) ||
        !get_str(doc, "broker", &c->iot_server, false) ||
        !get_str(doc, "broker_pin", &c->broker_pin, false))
        return BLUETTI_E_CLOUD;
    if (c->broker_pin && bluetti_cloud_set_broker_pin(c, c->broker_pin) != 0) return BLUETTI_E_CLOUD;
    if (!c->email || !c->pw_hash || strlen(c->pw_hash) != 64 || !c->pass_open ||
        !c->api_url || !c->device_id || !c->os || !c->app_ver)
        return BLUETTI_E_CLOUD;
    json_t *e = json_object_get(doc, "token_expiry");
    if (json_is_integer(e)) c->token_expiry = (int64_t)json_integer_value(e);
    json_t *off = json_object_get(doc, "clock_offset_ms");
    if (json_is_integer(off)) {
        c->offset_ms = (int64_t)json_integer_value(off);
        c->has_offset = true;
    }
    json_t *devs = json_object_get(doc, "devices");
    if (devs && !json_is_array(devs)) return BLUETTI_E_CLOUD;
    return load_devices(c, devs);
}

/* dir of a file path (heap). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int bluetti_cloud_profile_load(const char *path, const bluetti_cloud_config *cfg,
                               bluetti_cloud **out, char *detail, size_t detail_cap)
{
    bt_fmt(detail, detail_cap, "%s", "");
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    char *dir = NULL, *file = NULL;
    int err = 0;
    struct stat st;
    if (!path) {
        if ((err = bluetti_cloud_default_dir(&dir))) {
            bt_fmt(detail, detail_cap, "%s", err == BLUETTI_E_NOMEM ? "out of memory"
                   : "neither XDG_CONFIG_HOME nor HOME is set; set HOME");
            return err;
        }
    } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir = strdup(path);
    } else {
        file = strdup(path);
        dir = file ? dir_of(path) : NULL;
        if (!file || !dir) err = BLUETTI_E_NOMEM;
    }
    if (!err && !dir) err = BLUETTI_E_NOMEM;
    if (!err && !file && !(file = join(dir, BLUETTI_CLOUD_PROFILE_FILE))) err = BLUETTI_E_NOMEM;
    uint8_t *text = NULL;
    size_t len = 0;
    bluetti_cloud *c = NULL;
    if (!err) err = read_private(file, PROFILE_MAX, &text, &len, detail, detail_cap, true);
    if (!err) err = cloud_alloc(&c);
    json_t *doc = NULL;
    if (!err) {
        json_error_t jerr;
        doc = json_loadb((const char *)text, len, 0, &jerr);
        if (!json_is_object(doc)) {
            bt_fmt(detail, detail_cap, "%.300s is not a stored login (line %d: %.80s); "
                   "remove it with 'bluetti-tool logout' and log in again", file, jerr.line,
                   doc ? "not an object" : jerr.text);
            err = BLUETTI_E_CLOUD;
        } else if ((err = from_json(c, doc))) {
            if (err == BLUETTI_E_NOMEM) bt_fmt(detail, detail_cap, "out of memory");
            else bt_fmt(detail, detail_cap, "%.300s is damaged or from another version "
                        "(a field is missing or has the wrong type); run 'bluetti-tool "
                        "logout', then log in again", file);
        }
    }
    if (text) OPENSSL_cleanse(text, len);
    free(text);
    /* the bundle the profile names, from the same directory */
    const char *p12name = doc ? json_string_value(json_object_get(doc, "pkcs12")) : NULL;
    if (!err && p12name) {
        if (strchr(p12name, '/') || !*p12name || p12name[0] == '.') {
            bt_fmt(detail, detail_cap, "%.300s names a bundle file outside its directory; "
                   "log in again", file);
            err = BLUETTI_E_CLOUD;
        } else {
            char *pp = join(dir, p12name);
            if (!pp) err = BLUETTI_E_NOMEM;
            else err = read_private(pp, PKCS12_MAX, &c->p12, &c->p12_len, detail, detail_cap,
                                    false);
            free(pp);
        }
    }
    free_wiped(doc);
    if (!err) err = cloud_apply_config(c, cfg, detail, detail_cap);
    if (!err && c->cafile && access(c->cafile, R_OK) != 0) {
        bt_fmt(detail, detail_cap, "the CA file %.300s that the stored login trusts for the "
               "cloud API cannot be read; log in again (with --cafile FILE)", c->cafile);
        err = BLUETTI_E_INVAL;
    }
    if (!err) {
        c->profile_dir = dir;
        dir = NULL;
    }
    if (err == BLUETTI_E_NOMEM) bt_fmt(detail, detail_cap, "out of memory");
    free(dir);
    free(file);
    if (err) {
        bluetti_cloud_free(c);
        return err;
    }
    *out = c;
    return 0;
}

/* ---- remove ---------------------------------------------------------------- */

int bluetti_cloud_profile_remove(const char *dir, unsigned *removed, char *detail,
                                 size_t detail_cap)
{
    bt_fmt(detail, detail_cap, "%s", "");
    if (removed) *removed = 0;
    char *d = NULL;
    int err = 0;
    if (dir) d = strdup(dir);
    else if ((err = bluetti_cloud_default_dir(&d))) {
        bt_fmt(detail, detail_cap, "%s", err == BLUETTI_E_NOMEM ? "out of memory"
               : "neither XDG_CONFIG_HOME nor HOME is set; set HOME");
        return err;
    }
    if (!d) return BLUETTI_E_NOMEM;
    static const struct { const char *name; unsigned bit; } files[] = {
        { BLUETTI_CLOUD_PROFILE_FILE, BLUETTI_CLOUD_REMOVED_PROFILE },
        { BLUETTI_CLOUD_PKCS12_FILE, BLUETTI_CLOUD_REMOVED_PKCS12 },
    };
    unsigned got = 0;
    for (size_t i = 0; i < 2 && !err; i++) {
        char *p = join(d, files[i].name);
        if (!p) {
            err = BLUETTI_E_NOMEM;
            break;
        }
        if (unlink(p) == 0) got |= files[i].bit;
        else if (errno != ENOENT) {
            bt_fmt(detail, detail_cap, "cannot remove %.300s: %s; remove it by hand", p,
                   strerror(errno));
            err = BLUETTI_E_IO;
        }
        free(p);
    }
    if (!err && got) rmdir(d); /* only when that left it empty */
    if (!err && !got) {
        bt_fmt(detail, detail_cap, "there is no stored login in %.300s", d);
        err = BLUETTI_E_NOT_LOGGED_IN;
    }
    if (err == BLUETTI_E_NOMEM) bt_fmt(detail, detail_cap, "out of memory");
    free(d);
    if (removed) *removed = got;
    return err;
}
