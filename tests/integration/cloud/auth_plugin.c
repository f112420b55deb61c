/* The test broker's stand-in for the Bluetti cloud's MQTT login checks: a
 * mosquitto 2.0 plugin (API v5) that accepts what the cloud accepts
 * (docs/protocol/cloud.md, "MQTT connection" and "The simulated cloud"):
 *
 *   tid:<sid> + the 8-digit TOTP of (sid, token part 0, the cloud's time),
 *     for the current 30 s step or the one before or after;
 *   tid:<sid> + rmt:<iotConnSecret> of one of the account's stations;
 *   device:<subSn> + that station's device secret (bluetti-sim devices).
 *
 * What is valid comes from the tokens file bluetti-sim --cloud rewrites
 * (plugin_opt_tokens_file); it is read again whenever it changes. An
 * account marked "taken" is refused by closing the connection without a
 * CONNACK, as the live broker does when another client holds the session.
 * Topics are limited to the account's (or the device's) own stations.
 * Like the live broker, the login is checked at CONNECT only: a connection
 * keeps its account's topics after its token expired (the plugin remembers
 * the sessions it accepted; a reconnect needs a valid token again).
 *
 * Built from libbluetti-cloud's own source (core/cloud/crypto.c) without
 * sanitizer or coverage flags: mosquitto cannot load instrumented code.
 */
#include "config.h"

#include <bluetti/cloud.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <openssl/crypto.h>

#define MAX_WORDS 16
#define MAX_FILE (1u << 20)
#define MAX_ACCEPTED 64

struct line {
    size_t n;
    char *w[MAX_WORDS];
};

struct state {
    mosquitto_plugin_id_t *id;
    char *path;
    struct timespec mtime;
    ino_t ino;
    off_t size;
    bool loaded;
    char *text;                     /* the file, split in place */
    size_t text_len;
    struct line *lines;
    size_t n_lines;
    struct accepted {               /* sessions accepted at CONNECT (a ring) */
        char *sid, *email;
    } acc[MAX_ACCEPTED];
    size_t n_acc;
};

static void drop_accepted(struct accepted *a)
{
    if (a->sid) OPENSSL_cleanse(a->sid, strlen(a->sid));
    free(a->sid);
    free(a->email);
    a->sid = a->email = NULL;
}

/* Remember that sid (of email's account) was let in. */
static void remember(struct state *s, const char *sid, const char *email)
{
    for (size_t i = 0; i < MAX_ACCEPTED; i++)
        if (s->acc[i].sid && strcmp(s->acc[i].sid, sid) == 0) return;
    struct accepted *a = &s->acc[s->n_acc++ % MAX_ACCEPTED];
    drop_accepted(a);
    a->sid = strdup(sid);
    a->email = strdup(email);
    if (!a->sid || !a->email) drop_accepted(a);
}

static const char *accepted_email(const struct state *s, const char *sid)
{
    for (size_t i = 0; i < MAX_ACCEPTED; i++)
        if (s->acc[i].sid && strcmp(s->acc[i].sid, sid) == 0) return s->acc[i].email;
    return NULL;
}

static void drop_file(struct state *s)
{
    if (s->text) OPENSSL_cleanse(s->text, s->text_len);
    free(s->text);
    free(s->lines);
    s->text = NULL;
    s->lines = NULL;
    s->n_lines = 0;
    s->text_len = 0;
}

/* Read the tokens file again when it changed (bluetti-sim replaces it by
 * rename: a new inode). A file that cannot be read means: nothing valid. */
static void refresh(struct state *s)
{
    struct stat st;
    if (stat(s->path, &st) != 0) {
        if (s->loaded) mosquitto_log_printf(MOSQ_LOG_WARNING, "bluetti-auth: no tokens file");
        drop_file(s);
        s->loaded = false;
        return;
    }
    if (s->loaded && st.st_ino == s->ino && st.st_size == s->size &&
        st.st_mtim.tv_sec == s->mtime.tv_sec && st.st_mtim.tv_nsec == s->mtime.tv_nsec)
        return;
    drop_file(s);
    s->loaded = false;
    FILE *f = fopen(s->path, "r");
    if (!f || st.st_size < 0 || (uint64_t)st.st_size > MAX_FILE) {
        if (f) fclose(f);
        mosquitto_log_printf(MOSQ_LOG_WARNING, "bluetti-auth: cannot read the tokens file");
        return;
    }
    size_t cap = (size_t)st.st_size + 1;
    s->text = malloc(cap);
    size_t len = s->text ? fread(s->text, 1, cap - 1, f) : 0;
    fclose(f);
    if (!s->text) return;
    s->text[len] = '\0';
    s->text_len = len;
    size_t n_nl = 1;
    for (size_t i = 0; i < len; i++) n_nl += s->text[i] == '\n';
    s->lines = calloc(n_nl, sizeof *s->lines);
    if (!s->lines) {
        drop_file(s);
        return;
    }
    char *save = NULL;
    for (char *ln = strtok_r(s->text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        if (ln[0] == '#') continue;
        struct line *l = &s->lines[s->n_lines];
        char *ws = NULL;
        for (char *w = strtok_r(ln, " \t\r", &ws); w && l->n < MAX_WORDS;
             w = strtok_r(NULL, " \t\r", &ws))
            l->w[l->n++] = w;
        if (l->n) s->n_lines++;
    }
    s->ino = st.st_ino;
    s->size = st.st_size;
    s->mtime = st.st_mtim;
    s->loaded = true;
}

/* The first line whose word 0 is kind and word 1 is key (kind NULL: a
 * token line, found by its sid in word 1). */
static const struct line *find(const struct state *s, const char *kind, const char *key)
{
    static const char *const keywords[] = { "device", "taken", "clock", "station" };
    for (size_t i = 0; i < s->n_lines; i++) {
        const struct line *l = &s->lines[i];
        if (kind) {
            if (l->n >= 2 && strcmp(l->w[0], kind) == 0 && strcmp(l->w[1], key) == 0) return l;
            continue;
        }
        bool keyword = false;
        for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
            keyword |= strcmp(l->w[0], keywords[k]) == 0;
        if (!keyword && l->n >= 3 && strcmp(l->w[1], key) == 0) return l;
    }
    return NULL;
}

static bool same(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

static int64_t cloud_now_ms(const struct state *s, const char *email)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    const struct line *c = find(s, "clock", email);
    if (c && c->n >= 3) ms += strtoll(c->w[2], NULL, 10);
    return ms;
}

static bool totp_ok(const struct state *s, const struct line *tok, const char *pw)
{
    if (strlen(pw) != 8) return false;
    int64_t ms = cloud_now_ms(s, tok->w[2]);
    bool ok = false;
    for (int step = -1; step <= 1 && !ok; step++) {
        char want[9];
        if (bluetti_cloud_totp(tok->w[1], tok->w[0], (uint64_t)(ms + step * 30000), want) == 0)
            ok = same(pw, want);
        OPENSSL_cleanse(want, sizeof want);
    }
    return ok;
}

static int refuse(const char *user, const char *why)
{
    /* the user name's kind only: a sid is half of the MQTT credentials */
    const char *colon = user ? strchr(user, ':') : NULL;
    mosquitto_log_printf(MOSQ_LOG_NOTICE, "bluetti-auth: refused %.*s: %s",
                         colon ? (int)(colon - user) : 6, user ? user : "(none)", why);
    return MOSQ_ERR_AUTH;
}

static int on_basic_auth(int event, void *data, void *ud)
{
    (void)event;
    struct state *s = ud;
    struct mosquitto_evt_basic_auth *e = data;
    const char *user = e->username, *pw = e->password ? e->password : "";
    if (!user) return refuse(user, "no user name (the cloud wants tid:<sid>)");
    refresh(s);
    if (strncmp(user, "device:", 7) == 0) {
        const struct line *d = find(s, "device", user + 7);
        if (!d || d->n < 3) return refuse(user, "unknown station");
        return same(pw, d->w[2]) ? MOSQ_ERR_SUCCESS : refuse(user, "wrong device secret");
    }
    if (strncmp(user, "tid:", 4) != 0) return refuse(user, "not tid:<sid> or device:<subSn>");
    const struct line *t = find(s, NULL, user + 4);
    if (!t) return refuse(user, "unknown, expired or revoked token");
    if (find(s, "taken", t->w[2])) {
        /* no CONNACK at all: what a client sees when the app holds the session */
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "bluetti-auth: refused tid: the account's "
                             "session is taken");
        return MOSQ_ERR_UNKNOWN;
    }
    bool ok = false;
    if (strncmp(pw, "rmt:", 4) == 0) {
        for (size_t i = 3; i < t->n && !ok; i++) ok = same(pw + 4, t->w[i]);
        if (!ok) return refuse(user, "wrong rmt: secret");
    } else if (!(ok = totp_ok(s, t, pw))) {
        return refuse(user, "wrong or stale TOTP");
    }
    remember(s, t->w[1], t->w[2]);
    return MOSQ_ERR_SUCCESS;
}

/* "PUB/<model>/<subSn>" or "SUB/<model>/<subSn>" of the station l. */
static bool station_topic(const struct line *l, const char *dir, const char *topic)
{
    size_t nd = strlen(dir), nm = strlen(l->w[2]);
    return strncmp(topic, dir, nd) == 0 && topic[nd] == '/' &&
           strncmp(topic + nd + 1, l->w[2], nm) == 0 && topic[nd + 1 + nm] == '/' &&
           strcmp(topic + nd + 2 + nm, l->w[3]) == 0;
}

/* A client reads PUB/ and writes SUB/ of its account's stations; a device
 * the other way round, for its own station only. */
static int on_acl(int event, void *data, void *ud)
{
    (void)event;
    struct state *s = ud;
    struct mosquitto_evt_acl_check *e = data;
    if (e->access == MOSQ_ACL_UNSUBSCRIBE) return MOSQ_ERR_SUCCESS;
    const char *user = mosquitto_client_username(e->client);
    if (!user || !e->topic) return MOSQ_ERR_ACL_DENIED;
    refresh(s);
    bool device = strncmp(user, "device:", 7) == 0;
    const char *email = NULL;
    if (!device) {
        if (strncmp(user, "tid:", 4) != 0) return MOSQ_ERR_ACL_DENIED;
        const struct line *t = find(s, NULL, user + 4);
        /* a token that expired keeps the connection it opened */
        email = t ? t->w[2] : accepted_email(s, user + 4);
        if (!email) return MOSQ_ERR_ACL_DENIED;
    }
    bool reading = e->access != MOSQ_ACL_WRITE;
    const char *dir = reading == device ? "SUB" : "PUB";
    for (size_t i = 0; i < s->n_lines; i++) {
        const struct line *l = &s->lines[i];
        if (l->n < 4 || strcmp(l->w[0], "station") != 0) continue;
        bool mine = device ? strcmp(l->w[3], user + 7) == 0 : strcmp(l->w[1], email) == 0;
        if (mine && station_topic(l, dir, e->topic)) return MOSQ_ERR_SUCCESS;
    }
    return MOSQ_ERR_ACL_DENIED;
}

int mosquitto_plugin_version(int n, const int *versions)
{
    for (int i = 0; i < n; i++)
        if (versions[i] == 5) return 5;
    return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *id, void **ud, struct mosquitto_opt *opts,
                          int n_opts)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s) return MOSQ_ERR_NOMEM;
    s->id = id;
    for (int i = 0; i < n_opts; i++)
        if (strcmp(opts[i].key, "tokens_file") == 0) s->path = strdup(opts[i].value);
    if (!s->path) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "bluetti-auth: set plugin_opt_tokens_file");
        free(s);
        return MOSQ_ERR_INVAL;
    }
    if (mosquitto_callback_register(id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, s) != 0 ||
        mosquitto_callback_register(id, MOSQ_EVT_ACL_CHECK, on_acl, NULL, s) != 0) {
        free(s->path);
        free(s);
        return MOSQ_ERR_UNKNOWN;
    }
    *ud = s;
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *ud, struct mosquitto_opt *opts, int n_opts)
{
    (void)opts;
    (void)n_opts;
    struct state *s = ud;
    if (!s) return MOSQ_ERR_SUCCESS;
    mosquitto_callback_unregister(s->id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
    mosquitto_callback_unregister(s->id, MOSQ_EVT_ACL_CHECK, on_acl, NULL);
    drop_file(s);
    for (size_t i = 0; i < MAX_ACCEPTED; i++) drop_accepted(&s->acc[i]);
    free(s->path);
    free(s);
    return MOSQ_ERR_SUCCESS;
}
