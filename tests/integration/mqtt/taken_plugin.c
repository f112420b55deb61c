/* A mosquitto 2.0 plugin for tests/integration/mqtt/live.sh: plays the cloud broker's
 * answer to a second client on an account whose session is held
 * (docs/protocol/transport-mqtt-live.md). While the file named by
 * plugin_opt_taken_file exists, every login with a username starting with
 * "tid:" is turned away after the TLS handshake without a CONNACK (mosquitto
 * closes the connection for any basic-auth result other than success or
 * MOSQ_ERR_AUTH); each such refusal appends a line to plugin_opt_count_file.
 * While the file is absent such logins are accepted (the session is free).
 * Other usernames are left to the listener's other checks.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

static mosquitto_plugin_id_t *plugin_id;
static char taken_file[4096], count_file[4096];

static int on_basic_auth(int event, void *event_data, void *userdata)
{
    (void)event;
    (void)userdata;
    struct mosquitto_evt_basic_auth *ed = event_data;
    if (!ed->username || strncmp(ed->username, "tid:", 4) != 0) return MOSQ_ERR_PLUGIN_DEFER;
    if (access(taken_file, F_OK) != 0) return MOSQ_ERR_SUCCESS;
    FILE *f = fopen(count_file, "a");
    if (f) {
        fputs("refused\n", f);
        fclose(f);
    }
    return MOSQ_ERR_UNKNOWN;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
    for (int i = 0; i < supported_version_count; i++)
        if (supported_versions[i] == 5) return 5;
    return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **user_data,
                          struct mosquitto_opt *opts, int opt_count)
{
    (void)user_data;
    plugin_id = identifier;
    for (int i = 0; i < opt_count; i++) {
        if (!strcmp(opts[i].key, "taken_file"))
            snprintf(taken_file, sizeof taken_file, "%s", opts[i].value);
        if (!strcmp(opts[i].key, "count_file"))
            snprintf(count_file, sizeof count_file, "%s", opts[i].value);
    }
    if (!taken_file[0] || !count_file[0]) return MOSQ_ERR_INVAL;
    return mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL);
}

int mosquitto_plugin_cleanup(void *user_data, struct mosquitto_opt *opts, int opt_count)
{
    (void)user_data;
    (void)opts;
    (void)opt_count;
    return mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
}
