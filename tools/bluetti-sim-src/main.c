/* bluetti-sim: simulated Bluetti V2 devices on a real MQTT broker. */
#include "config.h"

#include "sim.h"

int main(int argc, char **argv)
{
    sim_args a;
    int rc = sim_parse_args(argc, argv, &a);
    if (rc == 0) rc = sim_run(&a);
    else if (rc < 0) rc = 0;
    sim_args_free(&a);
    return rc;
}
