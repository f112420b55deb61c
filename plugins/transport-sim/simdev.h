/* Simulated device engine shared by transport-sim (in-process) and
 * tools/bluetti-sim (over MQTT). Built as the convenience library
 * plugins/libsimdev.la. Not part of the public API.
 *
 * A device image (a JSON file in data/devices, format in its README.md,
 * or one of those compiled in: the built-in images) holds a model, a serial, a protocol version, a Modbus address and
 * register ranges. The engine answers Modbus requests from those registers
 * exactly as a device would: a read (0x03) that is not fully inside one
 * range gets exception 0x02 (illegal data address), a register count of 0
 * or above 125 exception 0x03; a write (0x06, 0x10) inside one range
 * changes the image (later reads return it) and is echoed, outside it
 * gets exception 0x02; any other function exception 0x01;
 * frames with a bad CRC or for another Modbus address are ignored.
 *
 * The engine is independent of libbluetti's code (it has its own CRC and
 * hex parser), so tests of the core against it are not circular.
 */
#ifndef BLUETTI_SIMDEV_H
#define BLUETTI_SIMDEV_H

#include <bluetti/bluetti.h>
#include <bluetti/cloud.h> /* bluetti_envelope_kind (the names only) */

typedef struct bt_simdev bt_simdev;

#define BT_SIM_MAX_EXCEPTIONS 32u

/* Faults to inject. All rates are probabilities in [0, 1]. */
typedef struct bt_sim_faults {
    double delay_s;             /* delay before every reply */
    double drop_rate;           /* no reply at all */
    double bad_crc_rate;        /* reply with a corrupted CRC */
    double short_rate;          /* reply truncated (frame cut short) */
    uint16_t exception_blocks[BT_SIM_MAX_EXCEPTIONS]; /* requests starting here get an exception */
    uint8_t exception_codes[BT_SIM_MAX_EXCEPTIONS];   /* the exception code for each */
    unsigned n_exception_blocks;
    unsigned disconnect_after;  /* drop the connection after every N requests (0 = never);
                                 * acted on by the caller (bluetti-sim, transport-sim) */
    unsigned seed;              /* PRNG seed for the rates (0 = fixed default) */
    /* writes (0x06 / 0x10) */
    uint16_t write_exception_regs[BT_SIM_MAX_EXCEPTIONS]; /* writes touching one get an exception */
    uint8_t write_exception_codes[BT_SIM_MAX_EXCEPTIONS];
    unsigned n_write_exceptions;
    double write_drop_rate;     /* the write is applied, but no reply */
    double write_lost_rate;     /* the write is neither applied nor answered */
    double write_ignore_rate;   /* the reply echoes the write, the registers stay */
    double write_bad_echo_rate; /* applied, but the reply echoes another value */
} bt_sim_faults;

/* A device image as data: what the loader reads from an image file
 * (simdev_json.c) and what a built-in image is (builtin_images.c). */
typedef struct bt_sim_image_range {
    uint16_t start;
    uint32_t count;               /* registers */
    const uint16_t *regs;         /* count registers (values, not wire bytes) */
} bt_sim_image_range;

typedef struct bt_sim_image {
    const char *model;
    const char *const *aliases;
    size_t n_aliases;
    const char *serial;
    uint16_t protocol_version;
    uint8_t address;
    int envelope;                 /* bluetti_envelope_kind */
    const char *description;      /* or NULL */
    const bt_sim_image_range *ranges;  /* in the image's order (errors name indices) */
    size_t n_ranges;
} bt_sim_image;

/* A device from image data, copied (img may go away). Checks what holds
 * for any image: ranges do not overlap, and the registers report the
 * declared model, serial and protocol version. path names the image in
 * messages and bt_simdev_path(). BLUETTI_E_INVAL or BLUETTI_E_NOMEM with
 * the reason ("PATH: ...") in err. Caller owns *out. */
int bt_simdev_new(const bt_sim_image *img, const char *path, bt_simdev **out, char *err,
                  size_t err_len);

/* Load a device image file. On failure returns an error (BLUETTI_E_IO,
 * BLUETTI_E_INVAL, BLUETTI_E_NOMEM) and writes the reason (file, what,
 * where) into err. A build without jansson reads no image files:
 * BLUETTI_E_UNSUPPORTED, err naming the built-in images. Caller owns *out. */
int bt_simdev_load(const char *path, bt_simdev **out, char *err, size_t err_len);
/* False in a build without jansson (bt_simdev_load always fails there). */
bool bt_simdev_reads_files(void);

/* The built-in images: every image of data/devices compiled in
 * (builtin_images.c, written by `make update-images`), what transport-sim
 * serves in a build that reads no image files. */
size_t bt_simdev_builtin_count(void);
/* The image file built-in image i was made from ("el100v2.json"), NULL past the end. */
const char *bt_simdev_builtin_file(size_t i);
/* Built-in image i as a device (path "built-in:FILE"). BLUETTI_E_NOTFOUND past the end. */
int bt_simdev_builtin_load(size_t i, bt_simdev **out, char *err, size_t err_len);
/* The built-in image whose model or alias is name (as bt_simdev_matches_model
 * compares). BLUETTI_E_NOTFOUND with the models listed in err. */
int bt_simdev_builtin_find(const char *name, bt_simdev **out, char *err, size_t err_len);
/* "EL30V2, EL100V2, ..." into buf (truncated to cap). */
void bt_simdev_builtin_models(char *buf, size_t cap);
/* The table itself (builtin_images.c, generated; simdev_builtin.c reads it). */
typedef struct bt_sim_builtin {
    const char *file;             /* the data/devices image it was made from */
    bt_sim_image image;
} bt_sim_builtin;
extern const bt_sim_builtin bt_sim_builtin_images[];
extern const size_t bt_sim_n_builtin_images;
/* An independent copy (registers included). Caller owns *out. */
int bt_simdev_clone(const bt_simdev *d, bt_simdev **out);
void bt_simdev_free(bt_simdev *d);

const char *bt_simdev_serial(const bt_simdev *d);
/* Replace the serial (e.g. from --sn). Any non-empty printable string
 * without spaces, '+', '#' or '/' (at most 64 bytes); when it is a decimal
 * number that fits 64 bits, block 100 bytes 32-39 (if the image has them)
 * are rewritten so the device reports it. BLUETTI_E_INVAL otherwise. */
int bt_simdev_set_serial(bt_simdev *d, const char *serial);
const char *bt_simdev_model(const bt_simdev *d);
/* True when name equals the model or one of the image's aliases, ignoring
 * case, spaces, '-' and '_' ("elite-100-v2" matches "Elite 100 V2"). */
bool bt_simdev_matches_model(const bt_simdev *d, const char *name);
/* The same comparison on a model and its aliases (also the built-in
 * images' table, simdev_builtin.c). */
bool bt_simdev_names_model(const char *model, const char *const *aliases, size_t n_aliases,
                           const char *name);
/* Alias i of the model, NULL past the end. */
const char *bt_simdev_alias(const bt_simdev *d, size_t i);
/* The image's description, or NULL. */
const char *bt_simdev_description(const bt_simdev *d);
uint16_t bt_simdev_protocol_version(const bt_simdev *d);
uint8_t bt_simdev_address(const bt_simdev *d);
/* The payload envelope the device answers in over MQTT (image key
 * "envelope": a bluetti_envelope_kind; default new for protocol versions
 * from 2000 on, else old). */
int bt_simdev_envelope(const bt_simdev *d);
/* The file the image was loaded from (owned by d). */
const char *bt_simdev_path(const bt_simdev *d);
/* True when registers [start, start + count) lie inside one range, i.e.
 * a read of them would be answered with data. */
bool bt_simdev_covers(const bt_simdev *d, uint16_t start, uint16_t count);
/* Register ranges in ascending order: start and length in registers.
 * Returns false past the end. */
bool bt_simdev_range(const bt_simdev *d, size_t i, uint16_t *start, uint32_t *count);

/* CRC-16/MODBUS (the engine's own implementation). */
uint16_t bt_sim_crc16(const uint8_t *data, size_t len);

/* Answer one request frame. Writes the reply into out[0..cap) (cap >=
 * BLUETTI_MODBUS_MAX_FRAME) and returns its length, or 0 when no reply is
 * sent (drop fault, or a request that is not a valid frame for this
 * device: a real device ignores those). *delay_s gets the delay to apply
 * before sending. `state` is the caller's PRNG state: set it to 0 before
 * the first call and the engine seeds it from faults->seed. faults may be
 * NULL (no faults). */
size_t bt_simdev_answer(bt_simdev *d, const bt_sim_faults *faults, unsigned *state,
                        const uint8_t *req, size_t req_len,
                        uint8_t *out, size_t cap, double *delay_s);

/* Valid frames this device received: reads, writes, and writes that
 * changed the image (tests check that a refused write never arrived). */
void bt_simdev_counts(const bt_simdev *d, uint64_t *reads, uint64_t *writes, uint64_t *applied);

/* Parse a fault spec such as "delay=0.2,drop=0.1,crc=0.5,short=1,
 * exception=1300:2,exception=6000,disconnect=5,seed=7,write_exception=2011:3,
 * write_drop=1,write_lost=1,write_ignore=1,write_bad_echo=1" into *f (which is cleared
 * first). An exception without a code uses 2, a write exception 3. "" and "none" mean
 * no faults. Returns 0 or BLUETTI_E_INVAL with the reason in err. */
int bt_sim_faults_parse(const char *spec, bt_sim_faults *f, char *err, size_t err_len);

/* Building an image (simdev.c, simdev_json.c): errors go to err as
 * "PATH: message". */
typedef struct bt_simdev_loader {
    const char *path;
    char *err;
    size_t err_len;
} bt_simdev_loader;
/* Write the message and return rc. */
int bt_simdev_fail(bt_simdev_loader *L, int rc, const char *fmt, ...) BLUETTI_PRINTF(3, 4);

#endif
