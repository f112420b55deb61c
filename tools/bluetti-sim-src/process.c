/* bluetti-sim's signals and ready file (process.h). */
#include "config.h"

#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t usr1_count;
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGUSR1) usr1_count = usr1_count + 1;
    else stop_signal = sig;
    if (write(sig_pipe[1], "x", 1) < 0) { /* the pipe is full: already woken */ }
    errno = saved;
}

int sim_signals_open(bool with_usr1)
{
    if (pipe(sig_pipe) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns with EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (with_usr1) sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int sim_signals_fd(void)
{
    return sig_pipe[0];
}

void sim_signals_drain(void)
{
    char drain[16];
    while (read(sig_pipe[0], drain, sizeof drain) > 0) { /* woken */ }
}

int sim_stop_signal(void)
{
    return (int)stop_signal;
}

unsigned sim_usr1_take(void)
{
    unsigned n = (unsigned)usr1_count;
    usr1_count = 0;
    return n;
}

void sim_signals_close(void)
{
    for (int i = 0; i < 2; i++) {
        if (sig_pipe[i] >= 0) close(sig_pipe[i]);
        sig_pipe[i] = -1;
    }
}

int sim_ready_write(const char *path, const char *text)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) return -1;
    snprintf(tmp, n, "%s.%ld.tmp", path, (long)getpid());
    /* a new file of our own: never through a link someone put there */
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && !f) close(fd);
    bool ok = f != NULL;
    if (f) {
        ok = fputs(text, f) >= 0 && !ferror(f);
        if (fclose(f) != 0) ok = false;
    }
    /* rename: a reader never sees a half-written file */
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    free(tmp);
    return ok ? 0 : -1;
}
