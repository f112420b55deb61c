/* Shared helpers of the MQTT suites (test_mqtt, test_mqtt_live): the
 * throw-away PKI's files, ports from the environment, the options of a TLS
 * connection, and a log callback that watches for secrets. */
#ifndef BLUETTI_MQTT_TESTUTIL_H
#define BLUETTI_MQTT_TESTUTIL_H

#include <bluetti/bluetti.h>

/* The directory of the PKI (tests/integration/mqtt/mkcerts.sh's output). */
void mt_set_pki_dir(const char *dir);
/* DIR/NAME, in a static rotating buffer (8 slots). */
const char *mt_pki(const char *name);

/* The whole number in environment variable NAME; 0 when unset. */
int mt_env_int(const char *name);

/* broker=localhost, port=PORT, cert=P12 (a name inside the PKI directory,
 * or a path when it holds a '/') and, unless NULL, password=PASSWORD (a
 * secret). Aborts the test on out of memory. Caller frees. */
bluetti_options *mt_tls_opts(int port, const char *p12, const char *password);

/* A registry log callback: counts every line and the lines holding a
 * watched secret; prints WARN and worse to stderr (everything with
 * BT_MQTT_VERBOSE set). */
void mt_log_cb(void *ud, bluetti_log_level level, const char *src, const char *msg);
/* Watch SECRET (not copied; NULL or empty is ignored; up to 16). */
void mt_watch_secret(const char *secret);
unsigned mt_log_lines(void);
unsigned mt_secret_leaks(void);

#endif
