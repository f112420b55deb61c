/* transport-ble: the client's handshake and session framing
 * (ble_client.h; the messages are in docs/protocol/ble.md). */
#include "config.h"

#include "ble_client.h"

#include "ble_frame.h"

#include "bt_text.h"

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

enum {
    MSG_CHALLENGE = 1, MSG_CHALLENGE_REPLY, MSG_CHALLENGE_ACCEPTED,
    MSG_PEER_KEY, MSG_CLIENT_KEY, MSG_KEY_ACCEPTED,
};
#define KEY_MSG_DATA (BLE_RAW_PUB_LEN + BLE_RAW_SIG_LEN) /* 128 */

struct ble_client {
    const ble_keys *keys;
    ble_client_io io;
    int state;
    ble_rx rx;
    uint8_t iv[16];                   /* MD5 of the reversed challenge */
    uint8_t kh[BLE_AES_KEY_LEN];      /* temporary key */
    uint8_t ks[BLE_SESSION_KEY_LEN];  /* session key */
    EVP_PKEY *eph;                    /* our ephemeral pair, once per connection */
    EVP_PKEY *peer;                   /* the station's last verified key */
    uint8_t msg5[BLE_MAX_WIRE];       /* the cached, wrapped message 5 */
    size_t msg5_len;
    unsigned peer_keys;
    uint64_t bad_frames;
    char error[160];
};

static void wipe_session(ble_client *c)
{
    EVP_PKEY_free(c->eph);
    EVP_PKEY_free(c->peer);
    c->eph = c->peer = NULL;
    OPENSSL_cleanse(c->iv, sizeof c->iv);
    OPENSSL_cleanse(c->kh, sizeof c->kh);
    OPENSSL_cleanse(c->ks, sizeof c->ks);
    OPENSSL_cleanse(c->msg5, sizeof c->msg5);
    c->msg5_len = 0;
    c->peer_keys = 0;
}

void ble_client_reset(ble_client *c, bool encrypted)
{
    if (!c) return;
    wipe_session(c);
    c->state = encrypted ? BLE_CL_WAIT_CHALLENGE : BLE_CL_PLAIN;
    ble_rx_init(&c->rx, encrypted ? BLE_RX_HANDSHAKE : BLE_RX_MODBUS);
    c->error[0] = '\0';
}

int ble_client_new(const ble_keys *keys, bool encrypted, const ble_client_io *io,
                   ble_client **out)
{
    if (!out || !io || !io->write || !io->frame || (encrypted && !keys)) return BLUETTI_E_INVAL;
    ble_client *c = calloc(1, sizeof *c);
    if (!c) return BLUETTI_E_NOMEM;
    c->keys = keys;
    c->io = *io;
    ble_client_reset(c, encrypted);
    *out = c;
    return 0;
}

void ble_client_free(ble_client *c)
{
    if (!c) return;
    wipe_session(c);
    OPENSSL_cleanse(c, sizeof *c);
    free(c);
}

static int fail(ble_client *c, const char *why)
{
    bt_strlcpy(c->error, why, sizeof c->error);
    c->state = BLE_CL_FAILED;
    return BLUETTI_E_CONNECT;
}

/* Message 1 -> the keys of this connection and message 2. */
static int on_challenge(ble_client *c, const uint8_t *data, size_t len)
{
    if (len != 4) return fail(c, "the station's challenge (message 1) is not 4 bytes long");
    if (ble_challenge_keys(data, c->keys->app_key, c->iv, c->kh) != 0)
        return fail(c, "cannot derive the temporary key (MD5 unavailable)");
    uint8_t f[16];
    size_t n = 0;
    int rc = ble_hs_frame(MSG_CHALLENGE_REPLY, c->iv + 8, 4, f, sizeof f, &n);
    if (rc == 0) rc = c->io.write(c->io.userdata, f, n);
    if (rc) return fail(c, "cannot send the challenge reply (message 2)");
    c->state = BLE_CL_WAIT_ACCEPT;
    return 0;
}

/* Message 5: our ephemeral key, signed over key || iv, wrapped under Kh. */
static int build_client_key(ble_client *c)
{
    uint8_t signed_part[BLE_RAW_PUB_LEN + 16], data[KEY_MSG_DATA], f[KEY_MSG_DATA + 6];
    size_t n = 0;
    int rc = ble_ec_generate(&c->eph);
    if (rc == 0) rc = ble_ec_raw_public(c->eph, data);
    if (rc == 0) {
        memcpy(signed_part, data, BLE_RAW_PUB_LEN);
        memcpy(signed_part + BLE_RAW_PUB_LEN, c->iv, 16);
        rc = ble_ec_sign(c->keys->sign, signed_part, sizeof signed_part, data + BLE_RAW_PUB_LEN);
    }
    if (rc == 0) rc = ble_hs_frame(MSG_CLIENT_KEY, data, sizeof data, f, sizeof f, &n);
    if (rc == 0) rc = ble_wrap(c->kh, sizeof c->kh, c->iv, NULL, f, n, c->msg5, sizeof c->msg5,
                               &c->msg5_len);
    return rc;
}

/* Message 4: check the station's key; answer with the (cached) message 5. */
static int on_peer_key(ble_client *c, const uint8_t *data, size_t len)
{
    if (len != KEY_MSG_DATA) return fail(c, "the station's key message (4) has the wrong length");
    uint8_t signed_part[BLE_RAW_PUB_LEN + 16];
    memcpy(signed_part, data, BLE_RAW_PUB_LEN);
    memcpy(signed_part + BLE_RAW_PUB_LEN, c->iv, 16);
    EVP_PKEY *peer = NULL;
    if (ble_ec_from_raw(data, &peer) != 0)
        return fail(c, "the station's key (message 4) is not a P-256 point");
    if (ble_ec_verify(c->keys->verify, signed_part, sizeof signed_part, data + BLE_RAW_PUB_LEN)) {
        EVP_PKEY_free(peer);
        return fail(c, "the station's key signature (message 4) does not verify with the keys "
                       "file's public key");
    }
    EVP_PKEY_free(c->peer);
    c->peer = peer;
    c->peer_keys++;
    /* one key pair per connection: a repeat gets the same bytes again */
    if (c->msg5_len == 0 && build_client_key(c) != 0)
        return fail(c, "cannot build our key message (5)");
    if (c->io.write(c->io.userdata, c->msg5, c->msg5_len) != 0)
        return fail(c, "cannot send our key message (5)");
    c->state = BLE_CL_WAIT_KEY_ACCEPT;
    return 0;
}

static int on_key_accepted(ble_client *c, const uint8_t *data, size_t len)
{
    if (len < 1 || data[0] != 0) {
        char why[96];
        bt_fmt(why, sizeof why, "the station refused our key (message 6 status %u)",
               len ? (unsigned)data[0] : 256u);
        return fail(c, why);
    }
    if (!c->peer || ble_ecdh(c->eph, c->peer, c->ks) != 0)
        return fail(c, "ECDH with the station's key failed");
    c->state = BLE_CL_READY;
    ble_rx_set_mode(&c->rx, BLE_RX_SESSION);
    return 0;
}

/* One handshake frame (already unwrapped when it came encrypted). */
static int on_handshake(ble_client *c, const uint8_t *f, size_t n)
{
    uint8_t type;
    const uint8_t *data;
    size_t len;
    if (ble_hs_parse(f, n, &type, &data, &len) != 0) {
        c->bad_frames++;
        return 0;
    }
    switch (c->state) {
    case BLE_CL_WAIT_CHALLENGE:
        if (type == MSG_CHALLENGE) return on_challenge(c, data, len);
        break;
    case BLE_CL_WAIT_ACCEPT:
        if (type == MSG_CHALLENGE_ACCEPTED) {
            if (len < 1 || data[0] != 0)
                return fail(c, "the station refused the challenge reply (message 3)");
            c->state = BLE_CL_WAIT_PEER_KEY;
            return 0;
        }
        break;
    case BLE_CL_WAIT_PEER_KEY:
    case BLE_CL_WAIT_KEY_ACCEPT:
        if (type == MSG_PEER_KEY) return on_peer_key(c, data, len);
        if (type == MSG_KEY_ACCEPTED && c->state == BLE_CL_WAIT_KEY_ACCEPT)
            return on_key_accepted(c, data, len);
        break;
    default:
        break;
    }
    c->bad_frames++; /* a message out of turn */
    return 0;
}

static void on_modbus(ble_client *c, const uint8_t *f, size_t n)
{
    if (n < 4 || ble_crc16(f, n - 2) != (uint16_t)(f[n - 2] | f[n - 1] << 8)) {
        c->bad_frames++; /* noise: a wrong session key decrypts to this */
        return;
    }
    c->io.frame(c->io.userdata, f, n);
}

static int on_frame(ble_client *c, const uint8_t *f, size_t n)
{
    uint8_t plain[BLE_MAX_PLAIN];
    size_t len = 0;
    switch (c->state) {
    case BLE_CL_PLAIN:
        on_modbus(c, f, n);
        return 0;
    case BLE_CL_READY:
        if (ble_unwrap(c->ks, sizeof c->ks, NULL, true, f, n, plain, sizeof plain, &len) != 0) {
            c->bad_frames++;
            return 0;
        }
        on_modbus(c, plain, len);
        OPENSSL_cleanse(plain, len);
        return 0;
    case BLE_CL_WAIT_CHALLENGE:
    case BLE_CL_WAIT_ACCEPT:
        return on_handshake(c, f, n);
    case BLE_CL_WAIT_PEER_KEY:
    case BLE_CL_WAIT_KEY_ACCEPT:
        if (n >= 2 && f[0] == 0x2A && f[1] == 0x2A) return on_handshake(c, f, n);
        if (ble_unwrap(c->kh, sizeof c->kh, c->iv, false, f, n, plain, sizeof plain, &len) != 0) {
            c->bad_frames++;
            return 0;
        }
        /* the temporary key is the only thing that can make a whole
         * encrypted frame fail its sum */
        if (ble_hs_parse(plain, len, NULL, NULL, NULL) != 0)
            return fail(c, "the station's key message does not decrypt: the keys file's app "
                           "key is not this station's");
        return on_handshake(c, plain, len);
    default:
        return 0;
    }
}

int ble_client_feed(ble_client *c, const uint8_t *p, size_t n)
{
    if (!c || (!p && n)) return BLUETTI_E_INVAL;
    if (c->state == BLE_CL_FAILED) return BLUETTI_E_CONNECT;
    ble_rx_push(&c->rx, p, n);
    uint8_t f[BLE_RX_CAP];
    size_t len = 0;
    while (ble_rx_next(&c->rx, f, sizeof f, &len) == 1) {
        int rc = on_frame(c, f, len);
        if (rc) return rc;
    }
    return 0;
}

int ble_client_send(ble_client *c, const uint8_t *frame, size_t n)
{
    if (!c || !frame || n == 0) return BLUETTI_E_INVAL;
    if (c->state == BLE_CL_PLAIN) return c->io.write(c->io.userdata, frame, n);
    if (c->state != BLE_CL_READY) return BLUETTI_E_NOT_CONNECTED;
    if (n > BLE_MAX_PLAIN) return BLUETTI_E_INVAL;
    uint8_t seed[BLE_SEED_LEN], wire[BLE_MAX_WIRE];
    size_t len = 0;
    int rc = ble_random(seed, sizeof seed);
    if (rc == 0) rc = ble_wrap(c->ks, sizeof c->ks, NULL, seed, frame, n, wire, sizeof wire, &len);
    if (rc == 0) rc = c->io.write(c->io.userdata, wire, len);
    return rc;
}

int ble_client_go_plain(ble_client *c)
{
    if (!c || c->state != BLE_CL_WAIT_CHALLENGE) return BLUETTI_E_INVAL;
    ble_client_reset(c, false);
    return 0;
}

int ble_client_state(const ble_client *c)
{
    return c ? c->state : BLE_CL_FAILED;
}

const char *ble_client_error(const ble_client *c)
{
    return c ? c->error : "";
}

void ble_client_stats(const ble_client *c, uint64_t *bad_frames, uint64_t *dropped_bytes)
{
    if (bad_frames) *bad_frames = c ? c->bad_frames : 0;
    if (dropped_bytes) *dropped_bytes = c ? c->rx.dropped : 0;
}

unsigned ble_client_peer_key_count(const ble_client *c)
{
    return c ? c->peer_keys : 0;
}
