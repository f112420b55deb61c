/* transport-ble's protocol library (the client) against bluetti-sim's
 * simulated station (tools/bluetti-sim-src/ble_device.c) over a
 * SOCK_SEQPACKET socket pair: one packet is one GATT write or one
 * notification. The handshake, reads and a write frame, plain and
 * encrypted, and every link fault: a repeated key message, 20-byte
 * fragments, a refused key, silence after connect, a dropped link; and
 * wrong keys on the client's side. */
#include "config.h"

#include "testutil.h"

#include "ble_client.h"
#include "ble_device.h"
#include "sim_image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static EVP_PKEY *client_pair, *station_pair, *stranger_pair;
static const uint8_t app_key[16] = { 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
                                     0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

struct link {
    int cfd, dfd;                /* the client's and the station's ends */
    ble_keys ck, dk;
    ble_client *c;
    ble_dev *d;
    bt_simdev *img;
    ble_dev_faults f;
    size_t max_notification;
    unsigned notifications;
    bool dropped;
    uint8_t reply[BLUETTI_MODBUS_MAX_FRAME];
    size_t reply_len;
    unsigned replies;
};

static int client_write(void *u, const uint8_t *p, size_t n)
{
    struct link *l = u;
    return send(l->cfd, p, n, 0) == (ssize_t)n ? 0 : BLUETTI_E_DISCONNECTED;
}

static void client_frame(void *u, const uint8_t *p, size_t n)
{
    struct link *l = u;
    CU_ASSERT_FATAL(n <= sizeof l->reply);
    memcpy(l->reply, p, n);
    l->reply_len = n;
    l->replies++;
}

static int station_notify(void *u, const uint8_t *p, size_t n)
{
    struct link *l = u;
    if (n > l->max_notification) l->max_notification = n;
    l->notifications++;
    return send(l->dfd, p, n, 0) == (ssize_t)n ? 0 : BLUETTI_E_DISCONNECTED;
}

static void keys_of(ble_keys *k, EVP_PKEY *sign, EVP_PKEY *verify, const uint8_t *app)
{
    memset(k, 0, sizeof *k);
    memcpy(k->app_key, app, 16);
    EVP_PKEY_up_ref(sign);
    EVP_PKEY_up_ref(verify);
    k->sign = sign;
    k->verify = verify;
}

/* A connection with the station's faults; the client trusts `trusted`
 * and knows app key `app`. */
static void link_open(struct link *l, const char *faults, bool encrypted, EVP_PKEY *trusted,
                      const uint8_t *app)
{
    memset(l, 0, sizeof *l);
    int sv[2];
    CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    l->cfd = sv[0];
    l->dfd = sv[1];
    char why[256] = "";
    CU_ASSERT_EQUAL_FATAL(ble_dev_faults_parse(faults, &l->f, why, sizeof why), 0);
    CU_ASSERT_EQUAL_FATAL(bt_test_image("data/devices/el100v2.json", &l->img, why, sizeof why), 0);
    keys_of(&l->ck, client_pair, trusted, app);
    keys_of(&l->dk, station_pair, client_pair, app_key);
    ble_client_io cio = { .write = client_write, .frame = client_frame, .userdata = l };
    ble_dev_io dio = { .notify = station_notify, .userdata = l };
    CU_ASSERT_EQUAL_FATAL(ble_client_new(&l->ck, encrypted, &cio, &l->c), 0);
    CU_ASSERT_EQUAL_FATAL(ble_dev_new(l->img, NULL, &l->dk, &l->f, &dio, &l->d), 0);
    CU_ASSERT_EQUAL_FATAL(ble_dev_connected(l->d), 0);
}

static void link_close(struct link *l)
{
    ble_client_free(l->c);
    ble_dev_free(l->d);
    bt_simdev_free(l->img);
    ble_keys_clear(&l->ck);
    ble_keys_clear(&l->dk);
    close(l->cfd);
    close(l->dfd);
}

/* Move packets both ways until the socket pair is quiet. */
static void pump(struct link *l)
{
    uint8_t buf[1024];
    for (bool moved = true; moved;) {
        moved = false;
        ssize_t n;
        while ((n = recv(l->dfd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
            moved = true;
            if (ble_dev_write(l->d, buf, (size_t)n) == BLE_DEV_DROP) l->dropped = true;
        }
        while ((n = recv(l->cfd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
            moved = true;
            ble_client_feed(l->c, buf, (size_t)n);
        }
    }
}

/* The image's own answer to a request (a fresh copy answers it). */
static size_t expected(const uint8_t *req, size_t n, uint8_t *out)
{
    bt_simdev *d = NULL;
    char why[256];
    CU_ASSERT_EQUAL_FATAL(bt_test_image("data/devices/el100v2.json", &d, why, sizeof why), 0);
    unsigned st = 0;
    double delay = 0;
    size_t len = bt_simdev_answer(d, NULL, &st, req, n, out, BLUETTI_MODBUS_MAX_FRAME, &delay);
    bt_simdev_free(d);
    return len;
}

/* Read registers 100 x 62 and compare with the image's answer. */
static void read_home(struct link *l)
{
    static const uint8_t req[] = { 0x01, 0x03, 0x00, 0x64, 0x00, 0x3e, 0x85, 0xc5 };
    uint8_t want[BLUETTI_MODBUS_MAX_FRAME];
    size_t wl = expected(req, sizeof req, want);
    CU_ASSERT_EQUAL_FATAL(wl, 5u + 124u);
    unsigned before = l->replies;
    CU_ASSERT_EQUAL(ble_client_send(l->c, req, sizeof req), 0);
    pump(l);
    CU_ASSERT_EQUAL_FATAL(l->replies, before + 1);
    CU_ASSERT_EQUAL(l->reply_len, wl);
    CU_ASSERT_EQUAL(memcmp(l->reply, want, wl), 0);
}

static void test_encrypted(void)
{
    struct link l;
    link_open(&l, "", true, station_pair, app_key);
    CU_ASSERT_EQUAL(ble_client_send(l.c, (const uint8_t *)"\x01\x03", 2), BLUETTI_E_NOT_CONNECTED);
    pump(&l);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_READY);
    CU_ASSERT(ble_dev_ready(l.d));
    CU_ASSERT_EQUAL(ble_client_peer_key_count(l.c), 1u);
    read_home(&l);
    read_home(&l);
    /* a write frame goes through the same path (the image refuses FC 06
     * with an exception or echoes it; either way a checked frame comes back) */
    static const uint8_t wr[] = { 0x01, 0x06, 0x07, 0xdb, 0x00, 0x01, 0x39, 0x45 };
    uint8_t want[BLUETTI_MODBUS_MAX_FRAME];
    size_t wl = expected(wr, sizeof wr, want);
    CU_ASSERT_EQUAL(ble_client_send(l.c, wr, sizeof wr), 0);
    pump(&l);
    CU_ASSERT_EQUAL(l.reply_len, wl);
    CU_ASSERT_EQUAL(memcmp(l.reply, want, wl), 0);
    uint64_t bad = 1, dropped = 1;
    ble_client_stats(l.c, &bad, &dropped);
    CU_ASSERT_EQUAL(bad, 0u);
    CU_ASSERT_EQUAL(dropped, 0u);
    link_close(&l);
}

static void test_plain(void)
{
    struct link l;
    link_open(&l, "plain", false, station_pair, app_key);
    pump(&l);
    CU_ASSERT_EQUAL(l.notifications, 0u); /* a plain station does not open */
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_PLAIN);
    read_home(&l);
    link_close(&l);
}

/* Encryption "auto" against a plain station: no challenge comes, the
 * caller gives up waiting and talks plain. */
static void test_auto_plain(void)
{
    struct link l;
    link_open(&l, "plain", true, station_pair, app_key);
    pump(&l);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_WAIT_CHALLENGE);
    CU_ASSERT_EQUAL(ble_client_go_plain(l.c), 0);
    CU_ASSERT_EQUAL(ble_client_go_plain(l.c), BLUETTI_E_INVAL);
    read_home(&l);
    link_close(&l);
}

static void test_fragments(void)
{
    struct link l;
    link_open(&l, "fragment=20", true, station_pair, app_key);
    pump(&l);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_READY);
    read_home(&l);
    CU_ASSERT_EQUAL(l.max_notification, 20u);
    CU_ASSERT(l.notifications > 10);
    link_close(&l);
    /* and a plain station's replies in 7-byte pieces */
    link_open(&l, "plain,fragment=7", false, station_pair, app_key);
    read_home(&l);
    CU_ASSERT_EQUAL(l.max_notification, 7u);
    link_close(&l);
}

/* The station sends message 4 twice: the second answer must be the
 * first one's bytes, or the station settles on a key the client no
 * longer has and every reply decrypts to noise. */
static void test_repeat_key(void)
{
    struct link l;
    link_open(&l, "repeat-key,fragment=20", true, station_pair, app_key);
    pump(&l);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_READY);
    CU_ASSERT_EQUAL(ble_client_peer_key_count(l.c), 2u);
    bool same = false;
    CU_ASSERT_EQUAL(ble_dev_client_keys(l.d, &same), 2u);
    CU_ASSERT(same);
    read_home(&l);
    link_close(&l);
}

static void test_reject_key(void)
{
    struct link l;
    link_open(&l, "reject-key", true, station_pair, app_key);
    pump(&l);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(ble_client_error(l.c), "refused our key"));
    CU_ASSERT_EQUAL(ble_client_feed(l.c, (const uint8_t *)"x", 1), BLUETTI_E_CONNECT);
    CU_ASSERT_EQUAL(ble_client_send(l.c, (const uint8_t *)"\x01\x03", 2), BLUETTI_E_NOT_CONNECTED);
    link_close(&l);
}

static void test_silent(void)
{
    struct link l;
    link_open(&l, "silent", true, station_pair, app_key);
    pump(&l);
    CU_ASSERT_EQUAL(l.notifications, 0u);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_WAIT_CHALLENGE);
    /* giving up on the handshake does not make a silent station talk */
    CU_ASSERT_EQUAL(ble_client_go_plain(l.c), 0);
    static const uint8_t req[] = { 0x01, 0x03, 0x00, 0x66, 0x00, 0x01, 0x64, 0x15 };
    CU_ASSERT_EQUAL(ble_client_send(l.c, req, sizeof req), 0);
    pump(&l);
    CU_ASSERT_EQUAL(l.replies, 0u);
    link_close(&l);
}

/* The link drops on the second request; a new connection redoes the
 * handshake (a fresh key pair) and reads again. */
static void test_drop(void)
{
    struct link l;
    link_open(&l, "drop=2", true, station_pair, app_key);
    pump(&l);
    read_home(&l);
    static const uint8_t req[] = { 0x01, 0x03, 0x00, 0x66, 0x00, 0x01, 0x64, 0x15 };
    CU_ASSERT_EQUAL(ble_client_send(l.c, req, sizeof req), 0);
    pump(&l);
    CU_ASSERT(l.dropped);
    CU_ASSERT_EQUAL(l.replies, 1u);
    /* reconnect: both sides start over */
    ble_dev_free(l.d);
    ble_dev_io dio = { .notify = station_notify, .userdata = &l };
    CU_ASSERT_EQUAL_FATAL(ble_dev_new(l.img, NULL, &l.dk, &l.f, &dio, &l.d), 0);
    ble_client_reset(l.c, true);
    CU_ASSERT_EQUAL(ble_dev_connected(l.d), 0);
    pump(&l);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_READY);
    read_home(&l);
    link_close(&l);
}

/* The client's keys file does not match the station. */
static void test_wrong_keys(void)
{
    struct link l;
    const uint8_t other_app[16] = { 0 };
    link_open(&l, "", true, station_pair, other_app);
    pump(&l);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(ble_client_error(l.c), "app key is not this station's"));
    link_close(&l);
    link_open(&l, "", true, stranger_pair, app_key);
    pump(&l);
    CU_ASSERT_EQUAL(ble_client_state(l.c), BLE_CL_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(ble_client_error(l.c), "does not verify"));
    link_close(&l);
}

static void test_fault_specs(void)
{
    ble_dev_faults f;
    char why[256] = "";
    CU_ASSERT_EQUAL(ble_dev_faults_parse("repeat-key,fragment,drop=3", &f, why, sizeof why), 0);
    CU_ASSERT(f.repeat_key && f.fragment == 20 && f.drop_after == 3 && !f.plain);
    CU_ASSERT_EQUAL(ble_dev_faults_parse("none", &f, why, sizeof why), 0);
    CU_ASSERT(!f.repeat_key);
    CU_ASSERT_EQUAL(ble_dev_faults_parse("drop=0", &f, why, sizeof why), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "'drop=0' is not a link fault"));
    CU_ASSERT_EQUAL(ble_dev_faults_parse("loud", &f, why, sizeof why), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(ble_dev_faults_parse("silent=1", &f, why, sizeof why), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(ble_dev_faults_parse("fragment=-1", &f, why, sizeof why), BLUETTI_E_INVAL);
}

static int init(void)
{
    return ble_ec_generate(&client_pair) || ble_ec_generate(&station_pair) ||
           ble_ec_generate(&stranger_pair);
}

static int cleanup(void)
{
    EVP_PKEY_free(client_pair);
    EVP_PKEY_free(station_pair);
    EVP_PKEY_free(stranger_pair);
    return 0;
}

static int add(void)
{
    CU_pSuite s = CU_add_suite("ble_link", init, cleanup);
    if (!s) return (int)CU_get_error();
    CU_add_test(s, "encrypted handshake, reads, a write frame", test_encrypted);
    CU_add_test(s, "plain station", test_plain);
    CU_add_test(s, "auto: no challenge, plain", test_auto_plain);
    CU_add_test(s, "fault: 20-byte fragments", test_fragments);
    CU_add_test(s, "fault: repeated key message", test_repeat_key);
    CU_add_test(s, "fault: key refused", test_reject_key);
    CU_add_test(s, "fault: silent after connect", test_silent);
    CU_add_test(s, "fault: dropped link, handshake again", test_drop);
    CU_add_test(s, "wrong keys on the client", test_wrong_keys);
    CU_add_test(s, "fault specs", test_fault_specs);
    return (int)CU_get_error();
}

int main(int argc, char **argv)
{
    return bt_run(argc, argv, add);
}
