/* Signals arrive on a signalfd the poll() loop waits on: SIGHUP reloads,
 * SIGTERM and SIGINT stop. Nothing runs in a signal handler. */
#include "config.h"

#include "runtime.h"

#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

int br_signals_open(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int br_signals_take(int fd)
{
    struct signalfd_siginfo si;
    int what = 0;
    while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) what = 'T';
        else if (si.ssi_signo == SIGHUP && what != 'T') what = 'H';
    }
    return what;
}
