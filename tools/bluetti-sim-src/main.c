/* bluetti-sim: simulated Bluetti V2 devices on a real MQTT broker. */
#include "config.h"

#include "sim.h"
#include "cloud.h"
#include "ble_server.h"

int main(int argc, char **argv)
{
    sim_args a;
    int rc = sim_parse_args(argc, argv, &a);
    if (rc == 0 && a.cloud_config) {
        cloud_args ca = { .config = a.cloud_config, .cert = a.cloud_cert, .key = a.cloud_key,
                          .ready_file = a.ready_file, .port = a.cloud_port,
                          .verbosity = a.verbosity };
        rc = cloud_run(&ca);
    } else if (rc == 0 && a.ble_socket) {
        rc = ble_sim_run(&a);
    } else if (rc == 0) rc = sim_run(&a);
    else if (rc < 0) rc = 0;
    sim_args_free(&a);
    return rc;
}
