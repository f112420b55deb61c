/* bluetti-sim --ble: the unix-socket side (ble_server.h). The BlueZ
 * stand-in of the integration tests (tests/integration/ble) connects here
 * when the client enables notifications and forwards its writes. */
#include "config.h"

#include "ble_server.h"
#include "ble_device.h"
#include "process.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct server {
    sim_args *a;
    int client;
};

static int sock_notify(void *userdata, const uint8_t *p, size_t n)
{
    struct server *s = userdata;
    ssize_t w = send(s->client, p, n, MSG_NOSIGNAL);
    return w == (ssize_t)n ? 0 : BLUETTI_E_DISCONNECTED;
}

static void sock_log(void *userdata, const char *what)
{
    struct server *s = userdata;
    if (s->a->verbosity >= 1) fprintf(stderr, "bluetti-sim: ble: %s\n", what);
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "bluetti-sim: --ble %s: the path is longer than %zu bytes\n",
                bt_shown_path(path), sizeof sa.sun_path - 1);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    /* a socket left behind by an earlier run may go; any other file stays */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) unlink(path);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1) != 0) {
        fprintf(stderr, "bluetti-sim: --ble %s: %s\n", bt_shown_path(path), strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

static int load(sim_args *a, bt_simdev **dev, ble_keys *keys, ble_dev_faults *f)
{
    char why[512] = "";
    if (ble_dev_faults_parse(a->ble_faults, f, why, sizeof why) != 0) {
        fprintf(stderr, "bluetti-sim: --ble-faults: %s\n", bt_shown_path(why));
        return EXIT_USAGE;
    }
    if (!f->plain && !a->ble_keys) {
        fprintf(stderr, "bluetti-sim: --ble needs --ble-keys FILE (the station's signing key "
                "and the client's public key), or --ble-faults plain for an unencrypted "
                "station\n");
        return EXIT_USAGE;
    }
    if (!f->plain && ble_keys_load(a->ble_keys, keys, why, sizeof why) != 0) {
        fprintf(stderr, "bluetti-sim: %s\n", bt_shown_path(why));
        return 1;
    }
    if (bt_simdev_load(a->devices[0].path, dev, why, sizeof why) != 0) {
        fprintf(stderr, "bluetti-sim: %s\n", bt_shown_path(why));
        return 1;
    }
    if (a->devices[0].serial && bt_simdev_set_serial(*dev, a->devices[0].serial) != 0) {
        fprintf(stderr, "bluetti-sim: --sn %s: not a usable serial\n",
                bt_shown(a->devices[0].serial));
        return EXIT_USAGE;
    }
    return 0;
}

/* One packet from the client; false when its link is gone. */
static bool serve_packet(struct server *s, ble_dev *d)
{
    uint8_t buf[BLE_MAX_WIRE + 64];
    ssize_t n = recv(s->client, buf, sizeof buf, 0);
    if (n <= 0) return false;
    int rc = ble_dev_write(d, buf, (size_t)n);
    if (rc == BLE_DEV_DROP || rc < 0) return false;
    return true;
}

static int loop(struct server *s, int lfd, bt_simdev *dev, const ble_keys *keys,
                const ble_dev_faults *f)
{
    ble_dev_io io = { .notify = sock_notify, .log = sock_log, .userdata = s };
    ble_dev *d = NULL;
    int status = 0;
    while (!sim_stop_signal()) {
        struct pollfd p[3] = { { .fd = sim_signals_fd(), .events = POLLIN },
                               { .fd = lfd, .events = POLLIN },
                               { .fd = s->client, .events = POLLIN } };
        if (poll(p, s->client >= 0 ? 3 : 2, -1) < 0) {
            if (errno == EINTR) continue;
            status = 1;
            break;
        }
        if (p[0].revents) sim_signals_drain();
        if (p[1].revents & POLLIN) {
            int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0 && s->client >= 0) {
                close(c); /* one client at a time, as on a real station */
                sock_log(s, "refused a second client (the link is taken)");
            } else if (c >= 0) {
                s->client = c;
                sock_log(s, "client connected (notifications on)");
                if (ble_dev_new(dev, &s->a->faults, keys, f, &io, &d) != 0 ||
                    ble_dev_connected(d) != 0) {
                    ble_dev_free(d);
                    d = NULL;
                    close(s->client);
                    s->client = -1;
                }
            }
        }
        if (s->client >= 0 && p[2].revents && !serve_packet(s, d)) {
            sock_log(s, "link down");
            ble_dev_free(d);
            d = NULL;
            close(s->client);
            s->client = -1;
        }
    }
    ble_dev_free(d);
    return status;
}

int ble_sim_run(sim_args *a)
{
    bt_simdev *dev = NULL;
    ble_keys keys;
    memset(&keys, 0, sizeof keys);
    ble_dev_faults f;
    int status = load(a, &dev, &keys, &f);
    int lfd = -1;
    if (status == 0 && sim_signals_open(false) != 0) {
        fprintf(stderr, "bluetti-sim: cannot set up the signal handlers: %s\n", strerror(errno));
        status = 1;
    }
    if (status == 0 && (lfd = listen_on(a->ble_socket)) < 0) status = 1;
    bool ready_written = false;
    if (status == 0) {
        char text[128];
        snprintf(text, sizeof text, "%ld\n%s\n", (long)getpid(), bt_simdev_serial(dev));
        if (a->ready_file && sim_ready_write(a->ready_file, text) != 0) {
            fprintf(stderr, "bluetti-sim: cannot write the ready file %s: %s\n",
                    bt_shown_path(a->ready_file), strerror(errno));
            status = 1;
        } else {
            ready_written = a->ready_file != NULL;
            printf("bluetti-sim: ready: %s (%s, %s) on %s\n", bt_simdev_serial(dev),
                   bt_simdev_model(dev), f.plain ? "plain" : "encrypted", a->ble_socket);
            fflush(stdout);
        }
    }
    if (status == 0) {
        struct server s = { .a = a, .client = -1 };
        status = loop(&s, lfd, dev, &keys, &f);
        if (s.client >= 0) close(s.client);
    }
    if (lfd >= 0) {
        close(lfd);
        unlink(a->ble_socket);
    }
    if (ready_written) unlink(a->ready_file);
    sim_signals_close();
    bt_simdev_free(dev);
    ble_keys_clear(&keys);
    return status;
}
