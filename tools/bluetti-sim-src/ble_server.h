/* bluetti-sim --ble: one simulated station behind a unix socket. */
#ifndef BLUETTI_SIM_BLE_SERVER_H
#define BLUETTI_SIM_BLE_SERVER_H

#include "sim.h"

/* Serve a->devices[0] on the SOCK_SEQPACKET socket a->ble_socket until
 * SIGINT/SIGTERM: each packet from the client is one GATT write to ff02,
 * each packet to it one notification on ff01; a client connecting is
 * notifications being switched on, closing is the link going down. One
 * client at a time, as on a real station. Returns the exit status. */
int ble_sim_run(sim_args *a);

#endif
