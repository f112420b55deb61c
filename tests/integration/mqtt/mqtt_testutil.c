/* Shared helpers of the MQTT suites: see mqtt_testutil.h. */
#include "config.h"

#include "mqtt_testutil.h"

#include <CUnit/CUnit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *pki_dir = ".";
static const char *secrets[16];
static size_t n_secrets;
static unsigned log_lines, secret_leaks;

void mt_set_pki_dir(const char *dir)
{
    pki_dir = dir;
}

const char *mt_pki(const char *name)
{
    static char buf[8][4096];
    static unsigned slot;
    char *b = buf[slot++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", pki_dir, name);
    return b;
}

int mt_env_int(const char *name)
{
    const char *v = getenv(name);
    return v ? atoi(v) : 0;
}

bluetti_options *mt_tls_opts(int port, const char *p12, const char *password)
{
    bluetti_options *o = bluetti_options_new();
    CU_ASSERT_FATAL(o != NULL);
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    bluetti_options_set(o, "broker", "localhost");
    bluetti_options_set(o, "port", p);
    bluetti_options_set(o, "cert", strchr(p12, '/') ? p12 : mt_pki(p12));
    if (password) bluetti_options_set_secret(o, "password", password);
    return o;
}

void mt_watch_secret(const char *secret)
{
    if (secret && *secret && n_secrets < sizeof secrets / sizeof secrets[0])
        secrets[n_secrets++] = secret;
}

void mt_log_cb(void *ud, bluetti_log_level level, const char *src, const char *msg)
{
    (void)ud;
    log_lines++;
    for (size_t i = 0; i < n_secrets; i++)
        if (strstr(msg, secrets[i])) secret_leaks++;
    if (level <= BLUETTI_LOG_WARN || getenv("BT_MQTT_VERBOSE"))
        fprintf(stderr, "    [%s] %s\n", src, msg);
}

unsigned mt_log_lines(void)
{
    return log_lines;
}

unsigned mt_secret_leaks(void)
{
    return secret_leaks;
}
