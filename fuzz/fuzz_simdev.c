/* libFuzzer target: device image parsing (bt_simdev_load) and, for images
 * that load, answering a few requests. The input is written to an
 * in-memory file (memfd) and loaded through /proc/self/fd. */
#include "config.h"

#include "simdev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        memfd = memfd_create("bluetti-fuzz-image", 0);
        if (memfd < 0) abort();
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
    bt_simdev *d = NULL;
    char err[512];
    err[0] = '\0';
    int rc = bt_simdev_load(path, &d, err, sizeof err);
    if (rc != 0) {
        if (d || !memchr(err, '\0', sizeof err)) abort();
        return 0;
    }
    volatile size_t sink = strlen(bt_simdev_serial(d)) + strlen(bt_simdev_model(d));
    (void)bt_simdev_matches_model(d, "EL30V2");
    uint16_t start;
    uint32_t count;
    for (size_t i = 0; i < 64 && bt_simdev_range(d, i, &start, &count); i++) {
        uint16_t n = count > 125 ? 125 : (uint16_t)count;
        if (n == 0) continue;
        uint8_t req[8], out[BLUETTI_MODBUS_MAX_FRAME];
        bluetti_modbus_build_read(bt_simdev_address(d), start, n, req);
        unsigned state = 0;
        double delay = 0;
        size_t len = bt_simdev_answer(d, NULL, &state, req, sizeof req, out, sizeof out, &delay);
        if (len > sizeof out) abort();
        sink += len;
    }
    /* a request beyond every range, and one for register 0 */
    uint8_t req[8], out[BLUETTI_MODBUS_MAX_FRAME];
    unsigned state = 0;
    double delay = 0;
    bluetti_modbus_build_read(bt_simdev_address(d), 0xFFF0, 125, req);
    sink += bt_simdev_answer(d, NULL, &state, req, sizeof req, out, sizeof out, &delay);
    bluetti_modbus_build_read(bt_simdev_address(d), 0, 1, req);
    sink += bt_simdev_answer(d, NULL, &state, req, sizeof req, out, sizeof out, &delay);
    (void)sink;
    bt_simdev *c = NULL;
    if (bt_simdev_clone(d, &c) == 0) bt_simdev_free(c);
    bt_simdev_free(d);
    return 0;
}
