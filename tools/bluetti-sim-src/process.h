/* What both sides of bluetti-sim (the simulated devices and the simulated
 * cloud) need from the process: a self-pipe that SIGINT and SIGTERM (and,
 * when asked, SIGUSR1) wake a poll() loop with, and a ready file written
 * so that a reader never sees half of it. */
#ifndef BLUETTI_SIM_PROCESS_H
#define BLUETTI_SIM_PROCESS_H

#include <stdbool.h>

/* Install the handlers (SIGPIPE ignored). 0, or -1 with errno. */
int sim_signals_open(bool with_usr1);
/* The descriptor to poll for POLLIN; -1 before sim_signals_open. */
int sim_signals_fd(void);
/* Empty the pipe after poll() reported it. */
void sim_signals_drain(void);
/* SIGINT or SIGTERM once one arrived, else 0. */
int sim_stop_signal(void);
/* SIGUSR1s since the last call. */
unsigned sim_usr1_take(void);
void sim_signals_close(void);

/* Write text to path through a new temp file beside it (O_EXCL, never
 * through a link someone put there) and rename: 0, or -1 with errno (the
 * temp file removed). */
int sim_ready_write(const char *path, const char *text);

#endif
