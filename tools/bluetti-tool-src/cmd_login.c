/* login, devices, logout: the stored Bluetti cloud login (libbluetti-cloud).
 * The account password is only read here and handed to the library, which
 * keeps a password-equivalent hash; nothing secret is printed. */
#include "config.h"

#include "tool.h"

#include "cloud_lib.h"

static const cloud_lib *L; /* opened by each command after its options */

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { L_HELP, L_ACCOUNT, L_ACCOUNT_PASSWORD, L_API_URL, L_CAFILE, L_PIN, L_COUNT };
const optdef login_opts[] = {
    [L_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    [L_ACCOUNT] = { "account", 0, OPT_STRING, "EMAIL", 0, 0, false, false },
    [L_ACCOUNT_PASSWORD] = { "account-password", 0, OPT_SECRET, "P", 0, 0, false, false },
    [L_API_URL] = { "api-url", 0, OPT_STRING, "URL", 0, 0, false, false },
    [L_CAFILE] = { "cafile", 0, OPT_STRING, "FILE", 0, 0, false, false },
    [L_PIN] = { "pin-broker-key", 0, OPT_STRING, "SHA256-HEX", 0, 0, false, false },
    [L_COUNT] = { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

enum { D_HELP, D_CACHED, D_API_CAFILE, D_COUNT };
const optdef devices_opts[] = {
    [D_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    [D_CACHED] = { "cached", 0, OPT_FLAG, NULL, 0, 0, false, false },
    [D_API_CAFILE] = { "cafile", 0, OPT_STRING, "FILE", 0, 0, false, false },
    [D_COUNT] = { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

/* "what went wrong; what to do" from the library, or the error's text. */
static int cloud_error(int err, const char *what, const char *detail)
{
    return tool_error(exit_code_for(err), "%s: %s", what,
                      detail && *detail ? detail : bluetti_strerror(err));
}

static void when_text(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M UTC", &tm))
        snprintf(buf, cap, "unknown");
}

static json_t *device_json(const bluetti_cloud_device *d)
{
    json_t *j = json_object();
    if (!j) return NULL;
    json_object_set_new(j, "model", json_string(d->model));
    json_object_set_new(j, "sn", json_string(d->sn));
    json_object_set_new(j, "sub_sn", json_string(d->sub_sn));
    json_object_set_new(j, "online", json_boolean(d->online));
    json_object_set_new(j, "protocol_version", json_integer(d->protocol_ver));
    json_object_set_new(j, "payload_version", json_string(d->payload_ver));
    json_object_set_new(j, "broker", d->broker ? json_string(d->broker) : json_null());
    json_object_set_new(j, "has_conn_secret", json_boolean(d->has_secret));
    return j;
}

static json_t *devices_json(const bluetti_cloud *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < L->device_count(c); i++)
        json_array_append_new(a, device_json(L->device_at(c, i)));
    return a;
}

static void print_devices(const bluetti_cloud *c)
{
    size_t n = L->device_count(c);
    printf("Stations of %s (%zu):\n", bt_shown(L->account(c)), n);
    if (!n) {
        printf("  none: add your station to the account in the Bluetti app\n");
        return;
    }
    table *tb = table_new(4);
    if (!tb) return;
    const char *head[] = { "MODEL", "SERIAL", "SUBSN", "STATE" };
    table_add(tb, head);
    for (size_t i = 0; i < n; i++) {
        const bluetti_cloud_device *d = L->device_at(c, i);
        /* the cloud's text: escaped (bt_shown() has one static buffer per call) */
        char m[BT_SHOWN_MAX * 4 + 8], s[BT_SHOWN_MAX * 4 + 8], ss[BT_SHOWN_MAX * 4 + 8];
        snprintf(m, sizeof m, "%s", bt_shown(d->model));
        snprintf(s, sizeof s, "%s", bt_shown(d->sn));
        snprintf(ss, sizeof ss, "%s", bt_shown(d->sub_sn));
        const char *row[] = { m, s, ss, d->online ? "online" : "offline" };
        table_add(tb, row);
    }
    table_print(tb, stdout, "  ");
    table_free(tb);
}

int cmd_login(tool *t, int argc, char **argv)
{
    optval v[L_COUNT];
    memset(v, 0, sizeof v);
    bool done = false;
    int rc = cmd_opts_no_args("login", v, argc, argv, &done);
    bluetti_cloud *c = NULL;
    char *pw = NULL, *path = NULL;
    if (rc || done) goto out;
    if (!(L = cloud_lib_open())) {
        rc = EXIT_FAIL;
        goto out;
    }
    const char *email = opt_str(&v[L_ACCOUNT]);
    if (!email || !*email) {
        rc = tool_error(EXIT_USAGE, "login needs the account: give --account EMAIL (the e-mail "
                        "you sign in to the Bluetti app with)");
        goto out;
    }
    const char *pin = opt_str(&v[L_PIN]);
    bluetti_cloud_config cfg;
    L->config_init(&cfg);
    cfg.api_url = opt_str(&v[L_API_URL]);
    cfg.cafile = opt_str(&v[L_CAFILE]);
    char detail[512] = "";
    int err = L->new_(&cfg, &c, detail, sizeof detail);
    if (err) {
        rc = tool_error(exit_code_for(err) == EXIT_FAIL ? EXIT_FAIL : EXIT_USAGE,
                        "cannot set up the cloud login: %s", detail[0] ? detail : bluetti_strerror(err));
        goto out;
    }
    /* checked before the password is asked for or sent anywhere */
    if (pin && L->set_broker_pin(c, pin)) {
        rc = tool_error(EXIT_USAGE, "--pin-broker-key %s: expected SHA256- and the 64 hex digits "
                        "of the SHA-256 of the broker's DER public key", bt_shown(pin));
        goto out;
    }
    char what[BT_SHOWN_MAX * 4 + 64];
    snprintf(what, sizeof what, "Bluetti account %s", bt_shown(email));
    rc = secret_get(opt_str(&v[L_ACCOUNT_PASSWORD]), "BLUETTI_ACCOUNT_PASSWORD", what,
                    "give --account-password P or set BLUETTI_ACCOUNT_PASSWORD", &pw);
    if (rc) goto out;
    err = L->login(c, email, pw);
    password_free(pw);
    pw = NULL;
    if (err) {
        rc = cloud_error(err, "login failed", L->error_detail(c));
        goto out;
    }
    if ((err = L->fetch_devices(c))) {
        rc = cloud_error(err, "cannot list the account's stations", L->error_detail(c));
        goto out;
    }
    uint8_t *p12 = NULL;
    size_t p12_len = 0;
    char *cert_pw = NULL;
    err = L->certificate(c, BLUETTI_CLOUD_CERT_FRESH, &p12, &p12_len, &cert_pw);
    L->bytes_free(p12, p12_len);
    L->secret_free(cert_pw);
    if (err) {
        rc = cloud_error(err, "cannot get the account's certificate", L->error_detail(c));
        goto out;
    }
    if ((err = L->profile_save(c, NULL, &path))) {
        rc = cloud_error(err, "cannot store the login", L->error_detail(c));
        goto out;
    }
    char until[64];
    when_text(L->token_expiry(c), until, sizeof until);
    const char *dir = L->profile_dir(c);
    if (t->set.json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "account", json_string(email));
        json_object_set_new(doc, "uid", json_string(L->uid(c)));
        json_object_set_new(doc, "token_expiry", json_integer(L->token_expiry(c)));
        json_object_set_new(doc, "profile", json_string(path));
        json_object_set_new(doc, "broker_pin", L->broker_pin(c) ? json_string(L->broker_pin(c))
                                                                 : json_null());
        char *p12path = xasprintf("%s/%s", dir, BLUETTI_CLOUD_PKCS12_FILE);
        json_object_set_new(doc, "pkcs12", p12path ? json_string(p12path) : json_null());
        free(p12path);
        json_object_set_new(doc, "devices", devices_json(c));
        rc = json_print(doc);
        goto out;
    }
    printf("Logged in to the Bluetti cloud as %s (login valid until %s).\n", bt_shown(email), until);
    printf("Stored (readable only by you):\n");
    printf("  %s  the login: account, password hash, token, stations\n", bt_shown_path(path));
    printf("  %s/%s  the account's certificate bundle, encrypted as downloaded\n",
           bt_shown_path(dir), BLUETTI_CLOUD_PKCS12_FILE);
    if (L->broker_pin(c))
        printf("The broker must present the public key %s at every connect.\n",
               L->broker_pin(c));
    print_devices(c);
    if (L->device_count(c))
        printf("Read one with: " TOOL_NAME " --sn %s read\n",
               bt_shown(L->device_at(c, 0)->sub_sn));
out:
    password_free(pw);
    free(path);
    if (L) L->free_(c);
    optvals_free(v, L_COUNT, login_opts);
    return rc;
}

int cmd_devices(tool *t, int argc, char **argv)
{
    optval v[D_COUNT];
    memset(v, 0, sizeof v);
    bool done = false;
    int rc = cmd_opts_no_args("devices", v, argc, argv, &done);
    bluetti_cloud *c = NULL;
    if (rc || done) goto out;
    if (!(L = cloud_lib_open())) {
        rc = EXIT_FAIL;
        goto out;
    }
    bool cached = false;
    if ((rc = opt_bool(&devices_opts[D_CACHED], &v[D_CACHED], &cached))) goto out;
    bluetti_cloud_config cfg;
    L->config_init(&cfg);
    cfg.cafile = opt_str(&v[D_API_CAFILE]);
    char detail[512] = "";
    int err = L->profile_load(NULL, &cfg, &c, detail, sizeof detail);
    if (err) {
        rc = cloud_error(err, "cannot read the stored login", detail);
        goto out;
    }
    if (!cached) {
        err = L->fetch_devices(c);
        if (!err) err = L->profile_save(c, L->profile_dir(c), NULL);
        if (err) {
            rc = cloud_error(err, "cannot list the account's stations",
                             L->error_detail(c));
            goto out;
        }
    }
    if (t->set.json) rc = json_print(devices_json(c));
    else print_devices(c);
out:
    if (L) L->free_(c);
    optvals_free(v, D_COUNT, devices_opts);
    return rc;
}

int cmd_logout(tool *t, int argc, char **argv)
{
    optval v[1] = { { 0 } };
    bool done = false;
    int rc = cmd_opts_no_args("logout", v, argc, argv, &done);
    char *dir = NULL;
    if (rc || done) goto out;
    if (!(L = cloud_lib_open())) {
        rc = EXIT_FAIL;
        goto out;
    }
    int err = L->default_dir(&dir);
    if (err) {
        rc = tool_error(EXIT_USAGE, "cannot find the stored login: neither XDG_CONFIG_HOME nor "
                        "HOME is set; set HOME");
        goto out;
    }
    unsigned removed = 0;
    char detail[512] = "";
    err = L->profile_remove(dir, &removed, detail, sizeof detail);
    if (err) {
        rc = cloud_error(err, "logout", detail);
        goto out;
    }
    if (t->set.json) {
        json_t *doc = json_object(), *a = json_array();
        if (removed & BLUETTI_CLOUD_REMOVED_PROFILE) {
            char *p = xasprintf("%s/%s", dir, BLUETTI_CLOUD_PROFILE_FILE);
            json_array_append_new(a, json_string(p ? p : ""));
            free(p);
        }
        if (removed & BLUETTI_CLOUD_REMOVED_PKCS12) {
            char *p = xasprintf("%s/%s", dir, BLUETTI_CLOUD_PKCS12_FILE);
            json_array_append_new(a, json_string(p ? p : ""));
            free(p);
        }
        json_object_set_new(doc, "removed", a);
        rc = json_print(doc);
        goto out;
    }
    if (removed & BLUETTI_CLOUD_REMOVED_PROFILE)
        printf("Removed %s/%s (the login)\n", bt_shown_path(dir), BLUETTI_CLOUD_PROFILE_FILE);
    if (removed & BLUETTI_CLOUD_REMOVED_PKCS12)
        printf("Removed %s/%s (the certificate bundle)\n", bt_shown_path(dir),
               BLUETTI_CLOUD_PKCS12_FILE);
    printf("Logged out. The cloud may still accept the old token until it expires; change "
           "the password in the Bluetti app to end it at once.\n");
out:
    free(dir);
    optvals_free(v, 1, help_only_opts);
    return rc;
}

void help_login(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] login --account EMAIL [--api-url URL]\n"
          "                    [--cafile FILE] [--account-password P]\n"
          "                    [--pin-broker-key SHA256-HEX]\n"
          "\n"
          "Log in to the Bluetti cloud with the account of the Bluetti app, download the\n"
          "account's certificate, and store both for later commands: then\n"
          "'" TOOL_NAME " --sn SERIAL read' needs nothing else. The stations found are listed.\n"
          "\n"
          "Stored in $XDG_CONFIG_HOME/bluetti/ (default ~/.config/bluetti/), directory\n"
          "mode 0700, files 0600: " BLUETTI_CLOUD_PROFILE_FILE " (the account e-mail, a hash of\n"
          "the password that is enough to log in again, the login token, the stations)\n"
          "and " BLUETTI_CLOUD_PKCS12_FILE " (the certificate bundle, encrypted as downloaded).\n"
          "Never stored: the password itself, the certificate's password.\n"
          "\n"
          "  --account EMAIL        the e-mail address of the Bluetti account\n"
          "  --account-password P   its password; other users can see it in ps, so prefer\n"
          "                         BLUETTI_ACCOUNT_PASSWORD or the prompt\n"
          "  --api-url URL          the cloud API (default " BLUETTI_CLOUD_DEFAULT_API_URL ")\n"
          "  --cafile FILE          also trust these CA certificates for the API\n"
          "  --pin-broker-key SHA256-HEX\n"
          "                         store this pin with the login: every later connect\n"
          "                         through it must see this broker public key (SHA-256\n"
          "                         of its DER SubjectPublicKeyInfo), whatever the CAs say\n"
          "  -h, --help             this help\n"
          "\n"
          "Password: --account-password, else $BLUETTI_ACCOUNT_PASSWORD, else asked on the\n"
          "terminal (not echoed).\n"
          "\n"
          "Exit status: 0 logged in and stored; 1 network or cloud failure; 2 usage or\n"
          "configuration error; 3 the cloud refused the account (wrong password, unknown\n"
          "account, certificate revoked).\n"
          "\n"
          "Examples:\n"
          "  " TOOL_NAME " login --account me@example.com\n"
          "  " TOOL_NAME " --sn 2345000223861 read\n", out);
}

void help_devices(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] devices [--cached] [--cafile FILE]\n"
          "\n"
          "List the stations of the stored login: model, serial, the serial without the\n"
          "model prefix (SUBSN) and whether the station is online. Asks the cloud (and\n"
          "updates the stored list) unless --cached. --json prints a JSON array.\n"
          "\n"
          "  --cached        show the stored list, without asking the cloud\n"
          "  --cafile FILE   also trust these CA certificates for the cloud API\n"
          "  -h, --help      this help\n"
          "\n"
          "Exit status: 0 listed; 1 network or cloud failure; 3 the cloud refused the\n"
          "stored login (log in again); 4 no stored login ('" TOOL_NAME " login').\n", out);
}

void help_logout(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] logout\n"
          "\n"
          "Remove what 'login' stored (the login profile and the certificate bundle) and\n"
          "say what was removed. Exit status 4 when there was no stored login.\n", out);
}
