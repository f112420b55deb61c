/* bluetti-sim: simulated Bluetti V2 devices on a real MQTT broker. */
#ifndef BLUETTI_SIM_TOOL_H
#define BLUETTI_SIM_TOOL_H

#include "simdev.h"

#include <stdio.h>

#define EXIT_USAGE 2
/* the device mode was left out of this build (no libmosquitto) */
#define EXIT_NO_MQTT 3

typedef struct sim_device_arg {
    const char *path;
    const char *serial;         /* --sn, or NULL for the image's own */
} sim_device_arg;

typedef struct sim_args {
    sim_device_arg *devices;
    size_t n_devices;
    const char *broker;
    int port;
    int keepalive;
    int qos;
    const char *cert;
    char *password;             /* owned copy, wiped after the connect */
    const char *cafile;
    bool insecure;
    const char *client_id;
    const char *faults_spec;
    bt_sim_faults faults;
    const char *ready_file;
    double connect_timeout_s;
    int verbosity;              /* 0 quiet (errors), 1 normal, 2 debug */
    /* --live: SUB|PUB/<model>/<serial> and the image's envelope */
    bool live;
    /* MQTT credentials of the devices (the test broker's device:<subSn>) */
    const char *mqtt_username;
    char *mqtt_password;        /* owned copy, wiped on free */
    /* --cloud: play the cloud's HTTPS API instead of devices (cloud.h) */
    const char *cloud_config, *cloud_cert, *cloud_key;
    int cloud_port;
    /* --ble: one station behind a unix socket (ble_server.h) */
    const char *ble_socket, *ble_keys, *ble_faults;
} sim_args;

/* Untrusted text in messages: bt_shown(), bt_shown_path() (core/util). */
#include "bt_escape.h"
/* Strict numbers: bt_parse_whole(), bt_parse_decimal() (core/util). */
#include "bt_numbers.h"

/* Parse the command line. Returns 0 to run, -1 to exit with status 0 at
 * once (--help, --version), or an exit status (EXIT_USAGE for mistakes,
 * the message already printed). */
int sim_parse_args(int argc, char **argv, sim_args *a);
void sim_args_free(sim_args *a);

/* Serve the devices until SIGINT/SIGTERM. Returns the exit status. */
int sim_run(sim_args *a);

#endif
