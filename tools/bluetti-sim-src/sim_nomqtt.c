/* bluetti-sim built without libmosquitto (configure --without-mosquitto):
 * the simulated cloud (--cloud) works, the devices, which live on an MQTT
 * broker, do not. sim.c is the real device mode. */
#include "config.h"

#include "sim.h"

int sim_run(sim_args *a)
{
    (void)a;
    fprintf(stderr, "bluetti-sim: this build has no device mode: it was configured without "
                    "libmosquitto; install libmosquitto-dev and run configure again (--cloud "
                    "works without it)\n");
    return EXIT_NO_MQTT;
}
