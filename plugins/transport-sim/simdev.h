/* Simulated device engine shared by transport-sim (in-process) and
 * tools/bluetti-sim (over MQTT). Built as the convenience library
 * plugins/libsimdev.la. Not part of the public API.
 *
 * A device image (data/devices/*.json) holds a model, a serial, a protocol
 * version and register ranges. The engine answers Modbus read requests
 * from those registers exactly as a device would: a read that is not fully
 * inside one range gets exception 0x02 (illegal data address).
 */
#ifndef BLUETTI_SIMDEV_H
#define BLUETTI_SIMDEV_H

#include <bluetti/bluetti.h>

typedef struct bt_simdev bt_simdev;

/* Faults to inject. All rates are probabilities in [0, 1]. */
typedef struct bt_sim_faults {
    double delay_s;             /* delay before every reply */
    double drop_rate;           /* no reply at all */
    double bad_crc_rate;        /* reply with a corrupted CRC */
    double short_rate;          /* reply truncated (frame cut short) */
    uint16_t exception_blocks[32]; /* requests starting here get an exception */
    uint8_t exception_codes[32];   /* the exception code for each */
    unsigned n_exception_blocks;
    unsigned disconnect_after;  /* bluetti-sim: drop the connection after N requests (0 = never) */
    unsigned seed;              /* PRNG seed for the rates (0 = fixed default) */
} bt_sim_faults;

/* Load a device image. On failure returns an error (BLUETTI_E_IO,
 * BLUETTI_E_INVAL) and writes the reason (file, what, where) into err.
 * Caller owns *out. */
int bt_simdev_load(const char *path, bt_simdev **out, char *err, size_t err_len);
void bt_simdev_free(bt_simdev *d);

const char *bt_simdev_serial(const bt_simdev *d);
/* Replace the serial (e.g. from --sn). */
int bt_simdev_set_serial(bt_simdev *d, const char *serial);
const char *bt_simdev_model(const bt_simdev *d);
uint16_t bt_simdev_protocol_version(const bt_simdev *d);

/* Answer one request frame. Writes the reply into out[0..cap) (cap >=
 * BLUETTI_MODBUS_MAX_FRAME) and returns its length, or 0 when no reply is
 * sent (drop fault, or a request that is not a valid read frame: a real
 * device ignores those). *delay_s gets the delay to apply before sending.
 * `state` is the caller's PRNG state (seed it from faults->seed). */
size_t bt_simdev_answer(bt_simdev *d, const bt_sim_faults *faults, unsigned *state,
                        const uint8_t *req, size_t req_len,
                        uint8_t *out, size_t cap, double *delay_s);

/* Parse a fault spec such as "delay=0.2,drop=0.1,crc=0.5,short=1,
 * exception=1300:2,exception=6000,disconnect=5,seed=7" into *f (which is
 * cleared first). Returns 0 or BLUETTI_E_INVAL with the reason in err. */
int bt_sim_faults_parse(const char *spec, bt_sim_faults *f, char *err, size_t err_len);

#endif
