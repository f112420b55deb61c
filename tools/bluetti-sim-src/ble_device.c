/* bluetti-sim --ble: the station's side of the handshake and the session
 * framing (ble_device.h, docs/protocol/ble.md). */
#include "config.h"

#include "ble_device.h"
#include "frame_text.h"

#include "bt_numbers.h"
#include "bt_text.h"

#include <openssl/crypto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { D_WAIT_REPLY = 1, D_WAIT_CLIENT_KEY, D_READY, D_PLAIN, D_SILENT };
enum { MSG_CHALLENGE = 1, MSG_CHALLENGE_REPLY, MSG_CHALLENGE_ACCEPTED, MSG_PEER_KEY,
       MSG_CLIENT_KEY, MSG_KEY_ACCEPTED };
#define KEY_MSG_DATA (BLE_RAW_PUB_LEN + BLE_RAW_SIG_LEN)

struct ble_dev {
    bt_simdev *dev;
    const bt_sim_faults *modbus;
    unsigned prng;
    const ble_keys *keys;
    ble_dev_faults f;
    ble_dev_io io;
    int state;
    uint8_t iv[16], kh[BLE_AES_KEY_LEN], ks[BLE_SESSION_KEY_LEN];
    EVP_PKEY *eph;                    /* the station's ephemeral pair */
    EVP_PKEY *client;                 /* the client key it settled on */
    uint8_t msg4[BLE_MAX_WIRE];       /* the wrapped message 4, resent as it was */
    size_t msg4_len;
    uint8_t first5[BLE_MAX_WIRE];     /* the first message 5, to compare repeats */
    size_t first5_len;
    unsigned client_keys;
    bool keys_identical;
    unsigned requests;
};

int ble_dev_faults_parse(const char *spec, ble_dev_faults *f, char *err, size_t err_len)
{
    memset(f, 0, sizeof *f);
    if (!spec || !*spec || !strcmp(spec, "none")) return 0;
    char buf[256];
    if (strlen(spec) >= sizeof buf) {
        bt_fmt(err, err_len, "the fault list is longer than %zu characters", sizeof buf - 1);
        return BLUETTI_E_INVAL;
    }
    bt_strlcpy(buf, spec, sizeof buf);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        const char *val = eq ? eq + 1 : NULL;
        if (eq) *eq = '\0';
        long v = 0;
        bool num_ok = val && val[0] != '-' && bt_parse_whole(val, false, &v) == BT_NUM_OK &&
                      v >= 1 && v <= 100000;
        if (!strcmp(item, "plain") && !val) f->plain = true;
        else if (!strcmp(item, "repeat-key") && !val) f->repeat_key = true;
        else if (!strcmp(item, "reject-key") && !val) f->reject_key = true;
        else if (!strcmp(item, "silent") && !val) f->silent = true;
        else if (!strcmp(item, "fragment") && !val) f->fragment = 20;
        else if (!strcmp(item, "fragment") && num_ok) f->fragment = (size_t)v;
        else if (!strcmp(item, "drop") && num_ok) f->drop_after = (unsigned)v;
        else {
            bt_fmt(err, err_len, "'%s%s%s' is not a link fault; known: plain, repeat-key, "
                   "reject-key, silent, fragment[=N], drop=N (N from 1 to 100000)", item,
                   val ? "=" : "", val ? val : "");
            return BLUETTI_E_INVAL;
        }
    }
    return 0;
}

static void say(ble_dev *d, const char *what)
{
    if (d->io.log) d->io.log(d->io.userdata, what);
}

/* One notification, cut into pieces when the fragment fault is on. */
static int notify(ble_dev *d, const uint8_t *p, size_t n)
{
    size_t step = d->f.fragment ? d->f.fragment : n;
    for (size_t off = 0; off < n; off += step) {
        int rc = d->io.notify(d->io.userdata, p + off, n - off < step ? n - off : step);
        if (rc) return rc;
    }
    return 0;
}

static int send_plain_hs(ble_dev *d, uint8_t type, const uint8_t *data, size_t len)
{
    uint8_t f[BLE_MAX_PLAIN];
    size_t n = 0;
    int rc = ble_hs_frame(type, data, len, f, sizeof f, &n);
    return rc ? rc : notify(d, f, n);
}

static int send_wrapped_hs(ble_dev *d, uint8_t type, const uint8_t *data, size_t len,
                           uint8_t *keep, size_t *keep_len)
{
    uint8_t f[BLE_MAX_PLAIN], w[BLE_MAX_WIRE];
    size_t n = 0, wl = 0;
    int rc = ble_hs_frame(type, data, len, f, sizeof f, &n);
    if (rc == 0) rc = ble_wrap(d->kh, sizeof d->kh, d->iv, NULL, f, n, w, sizeof w, &wl);
    if (rc) return rc;
    if (keep) {
        memcpy(keep, w, wl);
        *keep_len = wl;
    }
    return notify(d, w, wl);
}

int ble_dev_new(bt_simdev *dev, const bt_sim_faults *modbus, const ble_keys *keys,
                const ble_dev_faults *faults, const ble_dev_io *io, ble_dev **out)
{
    if (!dev || !io || !io->notify || !out || (!keys && !(faults && faults->plain)))
        return BLUETTI_E_INVAL;
    ble_dev *d = calloc(1, sizeof *d);
    if (!d) return BLUETTI_E_NOMEM;
    d->dev = dev;
    d->modbus = modbus;
    d->keys = keys;
    if (faults) d->f = *faults;
    d->io = *io;
    d->keys_identical = true;
    *out = d;
    return 0;
}

void ble_dev_free(ble_dev *d)
{
    if (!d) return;
    EVP_PKEY_free(d->eph);
    EVP_PKEY_free(d->client);
    OPENSSL_cleanse(d, sizeof *d);
    free(d);
}

int ble_dev_connected(ble_dev *d)
{
    if (d->f.silent) {
        d->state = D_SILENT;
        say(d, "fault: silent after connect");
        return 0;
    }
    if (d->f.plain) {
        d->state = D_PLAIN;
        return 0;
    }
    uint8_t r[4];
    int rc = ble_random(r, sizeof r);
    if (rc == 0) rc = ble_challenge_keys(r, d->keys->app_key, d->iv, d->kh);
    if (rc) return rc;
    d->state = D_WAIT_REPLY;
    say(d, "challenge (message 1) sent");
    return send_plain_hs(d, MSG_CHALLENGE, r, sizeof r);
}

/* Message 2 right: message 3 and the signed key (message 4). */
static int on_reply(ble_dev *d, const uint8_t *data, size_t len)
{
    if (len != 4 || memcmp(data, d->iv + 8, 4) != 0) {
        say(d, "wrong challenge reply (message 2): refused");
        const uint8_t no = 1;
        return send_plain_hs(d, MSG_CHALLENGE_ACCEPTED, &no, 1);
    }
    const uint8_t ok = 0;
    int rc = send_plain_hs(d, MSG_CHALLENGE_ACCEPTED, &ok, 1);
    uint8_t data4[KEY_MSG_DATA], signed_part[BLE_RAW_PUB_LEN + 16];
    if (rc == 0) rc = ble_ec_generate(&d->eph);
    if (rc == 0) rc = ble_ec_raw_public(d->eph, data4);
    if (rc == 0) {
        memcpy(signed_part, data4, BLE_RAW_PUB_LEN);
        memcpy(signed_part + BLE_RAW_PUB_LEN, d->iv, 16);
        rc = ble_ec_sign(d->keys->sign, signed_part, sizeof signed_part, data4 + BLE_RAW_PUB_LEN);
    }
    if (rc == 0) rc = send_wrapped_hs(d, MSG_PEER_KEY, data4, sizeof data4, d->msg4, &d->msg4_len);
    if (rc == 0) d->state = D_WAIT_CLIENT_KEY;
    return rc;
}

static int key_status(ble_dev *d, uint8_t status)
{
    return send_wrapped_hs(d, MSG_KEY_ACCEPTED, &status, 1, NULL, NULL);
}

/* Message 5: check the signature; settle on the first key. */
static int on_client_key(ble_dev *d, const uint8_t *wire, size_t wl, const uint8_t *data,
                         size_t len)
{
    uint8_t signed_part[BLE_RAW_PUB_LEN + 16];
    EVP_PKEY *qc = NULL;
    if (len != KEY_MSG_DATA || ble_ec_from_raw(data, &qc) != 0) {
        say(d, "client key (message 5) malformed: refused");
        return key_status(d, 1);
    }
    memcpy(signed_part, data, BLE_RAW_PUB_LEN);
    memcpy(signed_part + BLE_RAW_PUB_LEN, d->iv, 16);
    if (ble_ec_verify(d->keys->verify, signed_part, sizeof signed_part, data + BLE_RAW_PUB_LEN)) {
        EVP_PKEY_free(qc);
        say(d, "client key signature (message 5) does not verify: refused");
        return key_status(d, 1);
    }
    d->client_keys++;
    if (d->client_keys == 1) {
        memcpy(d->first5, wire, wl);
        d->first5_len = wl;
        d->client = qc;
    } else {
        if (wl != d->first5_len || memcmp(wire, d->first5, wl) != 0) {
            d->keys_identical = false;
            say(d, "the client answered the repeated message 4 with other bytes: "
                   "settling on its first key (its session key will not match)");
        }
        EVP_PKEY_free(qc);
    }
    if (d->f.repeat_key && d->client_keys == 1) {
        say(d, "fault: message 4 sent again");
        return notify(d, d->msg4, d->msg4_len);
    }
    if (d->f.reject_key) {
        say(d, "fault: client key refused (message 6 status 1)");
        return key_status(d, 1);
    }
    int rc = ble_ecdh(d->eph, d->client, d->ks);
    if (rc == 0) rc = key_status(d, 0);
    if (rc == 0) {
        d->state = D_READY;
        say(d, "handshake complete (message 6 sent)");
    }
    return rc;
}

/* One Modbus request: the image's answer, wrapped or not. */
static int on_request(ble_dev *d, const uint8_t *req, size_t n)
{
    d->requests++;
    if (d->f.drop_after && d->requests % d->f.drop_after == 0) {
        say(d, "fault: dropping the link");
        return BLE_DEV_DROP;
    }
    if (sim_frame_is_write(req, n)) {
        /* writes change the station: always worth a line in the log */
        char line[96];
        sim_frame_text(req, n, line, sizeof line);
        say(d, line);
    }
    uint8_t out[BLUETTI_MODBUS_MAX_FRAME], w[BLE_MAX_WIRE], seed[BLE_SEED_LEN];
    double delay = 0; /* not applied over --ble: answers go out at once */
    size_t len = bt_simdev_answer(d->dev, d->modbus, &d->prng, req, n, out, sizeof out, &delay);
    if (len == 0) return 0;
    if (d->state == D_PLAIN) return notify(d, out, len);
    size_t wl = 0;
    int rc = ble_random(seed, sizeof seed);
    if (rc == 0) rc = ble_wrap(d->ks, sizeof d->ks, NULL, seed, out, len, w, sizeof w, &wl);
    return rc ? rc : notify(d, w, wl);
}

int ble_dev_write(ble_dev *d, const uint8_t *p, size_t n)
{
    uint8_t plain[BLE_MAX_PLAIN], type = 0;
    const uint8_t *data = NULL;
    size_t len = 0, dl = 0;
    switch (d->state) {
    case D_PLAIN:
        return on_request(d, p, n);
    case D_WAIT_REPLY:
        if (ble_hs_parse(p, n, &type, &data, &dl) == 0 && type == MSG_CHALLENGE_REPLY)
            return on_reply(d, data, dl);
        /* a plain request to an encrypting station gets no answer */
        say(d, "ignored a write that is not the challenge reply");
        return 0;
    case D_WAIT_CLIENT_KEY:
        if (ble_unwrap(d->kh, sizeof d->kh, d->iv, false, p, n, plain, sizeof plain, &len) == 0 &&
            ble_hs_parse(plain, len, &type, &data, &dl) == 0 && type == MSG_CLIENT_KEY)
            return on_client_key(d, p, n, data, dl);
        say(d, "ignored a write that is not the client key (message 5)");
        return 0;
    case D_READY: {
        if (ble_unwrap(d->ks, sizeof d->ks, NULL, true, p, n, plain, sizeof plain, &len) != 0) {
            say(d, "ignored a write that is not a session frame");
            return 0;
        }
        return on_request(d, plain, len);
    }
    default:
        return 0;
    }
}

bool ble_dev_ready(const ble_dev *d)
{
    return d->state == D_READY || d->state == D_PLAIN;
}

unsigned ble_dev_client_keys(const ble_dev *d, bool *identical)
{
    if (identical) *identical = d->keys_identical;
    return d->client_keys;
}

unsigned ble_dev_requests(const ble_dev *d)
{
    return d->requests;
}
