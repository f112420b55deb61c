/* libFuzzer target: bluetti-tool's config file parser (settings_load_config
 * then settings_resolve), linked from the tool's sources without main.c.
 * The input is the config file, written to an in-memory file (memfd). */
#include "config.h"

#include "tool.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* main.c is not linked: stand-ins for what it defines. */
int tool_stop_signal(void) { return 0; }
int tool_stop_exit(void) { return 0; }
int lift_global_opts(tool *t, const command *c, int *argc, char **argv)
{
    (void)t; (void)c; (void)argc; (void)argv;
    return 0;
}

static int memfd = -1, devnull = -1, saved_err = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        memfd = memfd_create("bluetti-fuzz-config", 0);
        devnull = open("/dev/null", O_WRONLY);
        saved_err = dup(2);
        if (memfd < 0 || devnull < 0 || saved_err < 0) abort();
    }
    if (ftruncate(memfd, 0) != 0) abort();
    size_t off = 0;
    while (off < size) {
        ssize_t w = pwrite(memfd, data + off, size - off, (off_t)off);
        if (w <= 0) abort();
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);

    tool t;
    memset(&t, 0, sizeof t);
    t.defs = global_opts;
    t.n_defs = G_COUNT;
    t.gv = calloc(G_COUNT, sizeof *t.gv);
    if (!t.gv) abort();
    if (optval_add(&t.gv[G_CONFIG], &global_opts[G_CONFIG], path, NULL, 0) != 0) abort();
    t.gv[G_CONFIG].cli = true;
    /* the tool's messages go to stderr: silence them while parsing */
    fflush(stderr);
    dup2(devnull, 2);
    int rc = settings_load_config(&t);
    if (rc == EXIT_OK) rc = settings_resolve(&t);
    fflush(stderr);
    dup2(saved_err, 2);
    if (rc != EXIT_OK && rc != EXIT_USAGE && rc != EXIT_FAIL) abort();
    settings_free(&t);
    optvals_free(t.gv, t.n_defs, t.defs);
    free(t.gv);
    return 0;
}
