/* The simulated device engine: devices built from image data and their
 * Modbus answers. Image files are read by simdev_json.c (format:
 * data/devices/README.md); the built-in images are simdev_builtin.c's. */
#include "config.h"

#include "simdev.h"

#include "bt_address.h"
#include "bt_name.h"
#include "bt_numbers.h"
#include "bt_text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERIAL_MAX 64
#define MODEL_BYTES 12            /* block 100 bytes 20-31 */
#define MODEL_REG 110u            /* block 100 byte 20 */
#define SERIAL_REG 116u           /* block 100 byte 32: u64, low word first */
#define VERSION_REG 16u           /* block 1 byte 30 */
#define DEFAULT_SEED 0x2545F491u
#define DEFAULT_EXCEPTION 2u
#define DEFAULT_WRITE_EXCEPTION 3u     /* illegal data value: a refused setting */

struct sim_range {
    uint16_t start;
    uint32_t count;               /* registers */
    uint8_t *data;                /* 2 * count bytes, big-endian registers */
};

struct bt_simdev {
    char *path;
    char *model;
    char **aliases;
    size_t n_aliases;
    char *description;            /* or NULL */
    char serial[SERIAL_MAX + 1];
    uint16_t protocol_version;
    uint8_t address;
    int envelope;               /* bluetti_envelope_kind the device answers in over MQTT */
    struct sim_range *ranges;     /* sorted by start, no overlaps */
    size_t n_ranges;
    uint64_t reads_seen, writes_seen, writes_applied; /* valid frames for this device */
};

/* ---- small helpers ----------------------------------------------------- */

uint16_t bt_sim_crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int b = 0; b < 8; b++) crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    }
    return crc;
}

static void put_crc(uint8_t *f, size_t n)
{
    uint16_t crc = bt_sim_crc16(f, n);
    f[n] = (uint8_t)(crc & 0xFF);
    f[n + 1] = (uint8_t)(crc >> 8);
}

/* Decimal digits only, fitting 64 bits. */
static bool parse_u64(const char *s, uint64_t *out)
{
    return bt_parse_u64(s, out) == BT_NUM_OK;
}

static bool valid_serial(const char *s)
{
    return bt_address_valid_max(s, SERIAL_MAX);
}

static uint8_t *reg_ptr(const bt_simdev *d, uint32_t reg, uint32_t count)
{
    for (size_t i = 0; i < d->n_ranges; i++) {
        const struct sim_range *r = &d->ranges[i];
        if (reg >= r->start && reg + count <= r->start + r->count)
            return r->data + 2u * (reg - r->start);
    }
    return NULL;
}

static uint16_t reg_get(const uint8_t *p, unsigned i)
{
    return (uint16_t)(p[2 * i] << 8 | p[2 * i + 1]);
}

static void write_serial_regs(bt_simdev *d, uint64_t v)
{
    uint8_t *p = reg_ptr(d, SERIAL_REG, 4);
    if (!p) return;
    for (unsigned i = 0; i < 4; i++) {   /* low word first */
        uint16_t w = (uint16_t)(v >> (16 * i));
        p[2 * i] = (uint8_t)(w >> 8);
        p[2 * i + 1] = (uint8_t)w;
    }
}

/* ---- accessors ----------------------------------------------------------- */

void bt_simdev_free(bt_simdev *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n_ranges; i++) free(d->ranges[i].data);
    free(d->ranges);
    for (size_t i = 0; i < d->n_aliases; i++) free(d->aliases[i]);
    free(d->aliases);
    free(d->model);
    free(d->description);
    free(d->path);
    free(d);
}

const char *bt_simdev_serial(const bt_simdev *d) { return d ? d->serial : NULL; }
const char *bt_simdev_model(const bt_simdev *d) { return d ? d->model : NULL; }
uint16_t bt_simdev_protocol_version(const bt_simdev *d) { return d ? d->protocol_version : 0; }
uint8_t bt_simdev_address(const bt_simdev *d) { return d ? d->address : 0; }
int bt_simdev_envelope(const bt_simdev *d) { return d ? d->envelope : BLUETTI_ENVELOPE_RAW; }
const char *bt_simdev_path(const bt_simdev *d) { return d ? d->path : NULL; }
const char *bt_simdev_description(const bt_simdev *d) { return d ? d->description : NULL; }

const char *bt_simdev_alias(const bt_simdev *d, size_t i)
{
    return d && i < d->n_aliases ? d->aliases[i] : NULL;
}

bool bt_simdev_names_model(const char *model, const char *const *aliases, size_t n_aliases,
                           const char *name)
{
    if (!model || !name || !*name) return false;
    if (bt_name_eq(model, name)) return true;
    for (size_t i = 0; i < n_aliases; i++)
        if (bt_name_eq(aliases[i], name)) return true;
    return false;
}

bool bt_simdev_matches_model(const bt_simdev *d, const char *name)
{
    return d && bt_simdev_names_model(d->model, (const char *const *)d->aliases, d->n_aliases, name);
}

bool bt_simdev_covers(const bt_simdev *d, uint16_t start, uint16_t count)
{
    return d && count > 0 && reg_ptr(d, start, count) != NULL;
}

bool bt_simdev_range(const bt_simdev *d, size_t i, uint16_t *start, uint32_t *count)
{
    if (!d || i >= d->n_ranges) return false;
    if (start) *start = d->ranges[i].start;
    if (count) *count = d->ranges[i].count;
    return true;
}

int bt_simdev_set_serial(bt_simdev *d, const char *serial)
{
    if (!d || !valid_serial(serial)) return BLUETTI_E_INVAL;
    snprintf(d->serial, sizeof d->serial, "%s", serial);
    uint64_t v;
    if (parse_u64(serial, &v)) write_serial_regs(d, v);
    return 0;
}

int bt_simdev_clone(const bt_simdev *d, bt_simdev **out)
{
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    if (!d) return BLUETTI_E_INVAL;
    bt_simdev *c = calloc(1, sizeof *c);
    if (!c) return BLUETTI_E_NOMEM;
    memcpy(c->serial, d->serial, sizeof c->serial);
    c->protocol_version = d->protocol_version;
    c->address = d->address;
    c->envelope = d->envelope;
    c->path = strdup(d->path);
    c->model = strdup(d->model);
    c->description = d->description ? strdup(d->description) : NULL;
    c->aliases = d->n_aliases ? calloc(d->n_aliases, sizeof *c->aliases) : NULL;
    c->ranges = calloc(d->n_ranges ? d->n_ranges : 1, sizeof *c->ranges);
    if (!c->path || !c->model || (d->description && !c->description) ||
        (d->n_aliases && !c->aliases) || !c->ranges)
        goto oom;
    for (; c->n_aliases < d->n_aliases; c->n_aliases++) {
        c->aliases[c->n_aliases] = strdup(d->aliases[c->n_aliases]);
        if (!c->aliases[c->n_aliases]) goto oom;
    }
    for (; c->n_ranges < d->n_ranges; c->n_ranges++) {
        const struct sim_range *r = &d->ranges[c->n_ranges];
        uint8_t *data = malloc(2u * r->count);
        if (!data) goto oom;
        memcpy(data, r->data, 2u * r->count);
        c->ranges[c->n_ranges] = (struct sim_range){ r->start, r->count, data };
    }
    *out = c;
    return 0;
oom:
    bt_simdev_free(c);
    return BLUETTI_E_NOMEM;
}

/* ---- building ------------------------------------------------------------ */

int bt_simdev_fail(bt_simdev_loader *L, int rc, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bt_fmt(L->err, L->err_len, "%s: %s", L->path, msg);
    return rc;
}

struct order { size_t index; uint16_t start; uint32_t count; };

static int cmp_order(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static int cmp_range(const void *a, const void *b)
{
    const struct sim_range *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Ranges must not overlap; the message names both by their index in the image. */
static int check_overlaps(bt_simdev_loader *L, const bt_sim_image *img)
{
    size_t n = img->n_ranges;
    struct order *ord = calloc(n, sizeof *ord);
    if (!ord) return bt_simdev_fail(L, BLUETTI_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) ord[i] = (struct order){ i, img->ranges[i].start, img->ranges[i].count };
    qsort(ord, n, sizeof *ord, cmp_order);
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++) {
        const struct order *a = &ord[i - 1], *b = &ord[i];
        if ((uint32_t)a->start + a->count > b->start) {
            const struct order *pa = a->index < b->index ? a : b, *pb = a->index < b->index ? b : a;
            rc = bt_simdev_fail(L, BLUETTI_E_INVAL,
                      "ranges[%zu] (registers %u-%lu) overlaps ranges[%zu] (registers %u-%lu)",
                      pa->index, (unsigned)pa->start, (unsigned long)pa->start + pa->count - 1,
                      pb->index, (unsigned)pb->start, (unsigned long)pb->start + pb->count - 1);
        }
    }
    free(ord);
    return rc;
}

/* The identity the image declares must be what its registers report. */
static int check_identity(bt_simdev_loader *L, bt_simdev *d)
{
    const uint8_t *p = reg_ptr(d, MODEL_REG, MODEL_BYTES / 2);
    if (p) {
        char text[MODEL_BYTES + 1];
        for (unsigned i = 0; i < MODEL_BYTES; i += 2) { /* bytes swapped in every register */
            text[i] = (char)p[i + 1];
            text[i + 1] = (char)p[i];
        }
        text[MODEL_BYTES] = '\0';
        size_t n = strlen(text);
        while (n && text[n - 1] == ' ') text[--n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (!isprint((unsigned char)text[i]))
                return bt_simdev_fail(L, BLUETTI_E_INVAL,
                            "block 100 bytes 20-31 (model text) hold a non-printable byte 0x%02x",
                            (unsigned)(unsigned char)text[i]);
        /* a unit may report an alias: the Elite 200 V2 says "Elite 200 V2" */
        bool named = strcmp(text, d->model) == 0;
        for (size_t i = 0; !named && i < d->n_aliases; i++) named = strcmp(text, d->aliases[i]) == 0;
        if (!named)
            return bt_simdev_fail(L, BLUETTI_E_INVAL,
                        "block 100 bytes 20-31 read \"%s\" (bytes swapped in each register) but "
                        "\"model\" is \"%s\" and no alias reads so", text, d->model);
    }
    p = reg_ptr(d, SERIAL_REG, 4);
    if (p) {
        uint64_t v = 0, want = 0;
        for (unsigned i = 0; i < 4; i++) v |= (uint64_t)reg_get(p, i) << (16 * i);
        parse_u64(d->serial, &want);
        if (v != want)
            return bt_simdev_fail(L, BLUETTI_E_INVAL,
                        "block 100 bytes 32-39 hold serial %llu (u64, low word first) but "
                        "\"serial\" is \"%s\"", (unsigned long long)v, d->serial);
    }
    p = reg_ptr(d, VERSION_REG, 1);
    if (p && reg_get(p, 0) != d->protocol_version)
        return bt_simdev_fail(L, BLUETTI_E_INVAL,
                    "block 1 bytes 30-31 report protocol version %u but \"protocol_version\" is %u",
                    (unsigned)reg_get(p, 0), (unsigned)d->protocol_version);
    return 0;
}

/* Copy img into d: false when out of memory (d is then freed by the caller). */
static bool copy_image(bt_simdev *d, const bt_sim_image *img, const char *path)
{
    snprintf(d->serial, sizeof d->serial, "%s", img->serial);
    d->protocol_version = img->protocol_version;
    d->address = img->address;
    d->envelope = img->envelope;
    d->path = strdup(path);
    d->model = strdup(img->model);
    if (!d->path || !d->model) return false;
    if (img->description && !(d->description = strdup(img->description))) return false;
    if (img->n_aliases && !(d->aliases = calloc(img->n_aliases, sizeof *d->aliases))) return false;
    for (; d->n_aliases < img->n_aliases; d->n_aliases++)
        if (!(d->aliases[d->n_aliases] = strdup(img->aliases[d->n_aliases]))) return false;
    if (!(d->ranges = calloc(img->n_ranges, sizeof *d->ranges))) return false;
    for (; d->n_ranges < img->n_ranges; d->n_ranges++) {
        const bt_sim_image_range *r = &img->ranges[d->n_ranges];
        uint8_t *data = malloc(2u * r->count);
        if (!data) return false;
        for (uint32_t k = 0; k < r->count; k++) {   /* big-endian registers, as on the wire */
            data[2 * k] = (uint8_t)(r->regs[k] >> 8);
            data[2 * k + 1] = (uint8_t)r->regs[k];
        }
        d->ranges[d->n_ranges] = (struct sim_range){ r->start, r->count, data };
    }
    return true;
}

int bt_simdev_new(const bt_sim_image *img, const char *path, bt_simdev **out, char *err,
                  size_t err_len)
{
    bt_simdev_loader L = { path ? path : "(image)", err, err_len };
    if (err && err_len) err[0] = '\0';
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    if (!img || !img->model || !img->serial || !img->ranges || img->n_ranges == 0 ||
        (img->n_aliases && !img->aliases))
        return bt_simdev_fail(&L, BLUETTI_E_INVAL, "an image needs a model, a serial and ranges");
    for (size_t i = 0; i < img->n_ranges; i++)
        if (img->ranges[i].count == 0 || !img->ranges[i].regs ||
            img->ranges[i].start + (size_t)img->ranges[i].count > 65536u)
            return bt_simdev_fail(&L, BLUETTI_E_INVAL, "ranges[%zu]: no registers, or past register 65535", i);
    int rc = check_overlaps(&L, img);
    if (rc) return rc;
    bt_simdev *d = calloc(1, sizeof *d);
    if (!d) return bt_simdev_fail(&L, BLUETTI_E_NOMEM, "out of memory");
    if (!copy_image(d, img, L.path)) {
        bt_simdev_free(d);
        return bt_simdev_fail(&L, BLUETTI_E_NOMEM, "out of memory");
    }
    qsort(d->ranges, d->n_ranges, sizeof *d->ranges, cmp_range);
    rc = check_identity(&L, d);
    if (rc) {
        bt_simdev_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

/* ---- answering ----------------------------------------------------------- */

/* xorshift32: small, seedable, identical on every platform. */
static double next_unit(unsigned *state)
{
    uint32_t x = (uint32_t)*state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return (double)(x >> 8) / 16777216.0;
}

/* Rates of 0 and 1 draw nothing, so one fault kind at 100 % does not
 * shift the sequence of another. */
static bool hit(double rate, unsigned *state)
{
    if (!(rate > 0)) return false;
    if (rate >= 1) return true;
    return next_unit(state) < rate;
}

static size_t exception_frame(uint8_t addr, uint8_t fn, uint8_t code, uint8_t *out)
{
    out[0] = addr;
    out[1] = (uint8_t)(fn | 0x80);
    out[2] = code;
    put_crc(out, 3);
    return 5;
}

/* A write (0x06 one register, 0x10 several) changes the image, so later
 * reads return what was written; the reply echoes the request. Faults:
 * an exception for writes touching a listed register, no reply (applied
 * or not), an echo without the change. A malformed frame is ignored, as
 * for reads; registers outside the image get exception 2. */
static size_t answer_write(bt_simdev *d, const bt_sim_faults *f, unsigned *state,
                           const uint8_t *req, size_t req_len, uint8_t *out, double *delay_s)
{
    uint8_t fn = req[1];
    uint16_t start = (uint16_t)(req[2] << 8 | req[3]);
    uint16_t count = 1;
    const uint8_t *data = req + 4;
    if (fn == BLUETTI_MODBUS_WRITE_ONE) {
        if (req_len != 8) return 0;
    } else {
        if (req_len < 9) return 0;
        count = (uint16_t)(req[4] << 8 | req[5]);
        if (req[6] != 2u * count || req_len != 9u + 2u * count) return 0;
        data = req + 7;
    }
    if (delay_s && f) *delay_s = f->delay_s;
    int exc = 0;
    for (unsigned i = 0; f && i < f->n_write_exceptions && i < BT_SIM_MAX_EXCEPTIONS; i++)
        if (f->write_exception_regs[i] >= start &&
            (uint32_t)f->write_exception_regs[i] < (uint32_t)start + count)
            exc = f->write_exception_codes[i];
    uint8_t *p = NULL;
    if (!exc && (count == 0 || count > 123)) exc = 0x03;
    if (!exc && !(p = reg_ptr(d, start, count))) exc = 0x02;
    if (exc) return exception_frame(d->address, fn, (uint8_t)exc, out);
    if (f && hit(f->write_lost_rate, state)) return 0;         /* neither done nor answered */
    bool ignore = f && hit(f->write_ignore_rate, state);
    if (!ignore) memcpy(p, data, 2u * count);
    d->writes_applied += !ignore;
    if (f && hit(f->write_drop_rate, state)) return 0;         /* done, but no answer */
    memcpy(out, req, 6);   /* 0x06: the whole request; 0x10: address .. quantity */
    if (f && hit(f->write_bad_echo_rate, state)) out[5] ^= 0x01; /* echo another value */
    put_crc(out, 6);
    return 8;
}

void bt_simdev_counts(const bt_simdev *d, uint64_t *reads, uint64_t *writes, uint64_t *applied)
{
    if (reads) *reads = d ? d->reads_seen : 0;
    if (writes) *writes = d ? d->writes_seen : 0;
    if (applied) *applied = d ? d->writes_applied : 0;
}

size_t bt_simdev_answer(bt_simdev *d, const bt_sim_faults *faults, unsigned *state,
                        const uint8_t *req, size_t req_len, uint8_t *out, size_t cap,
                        double *delay_s)
{
    unsigned local_state = 0;
    if (delay_s) *delay_s = 0;
    if (!d || !req || !out || cap < BLUETTI_MODBUS_MAX_FRAME) return 0;
    if (!state) state = &local_state;
    if (*state == 0) *state = (faults && faults->seed) ? faults->seed : DEFAULT_SEED;
    /* What a device ignores: garbage, other addresses, broadcasts. */
    if (req_len < 4) return 0;
    uint16_t crc = (uint16_t)(req[req_len - 2] | req[req_len - 1] << 8);
    if (bt_sim_crc16(req, req_len - 2) != crc) return 0;
    if (req[0] != d->address) return 0;
    uint8_t fn = req[1];
    if (fn == BLUETTI_MODBUS_READ && req_len != BLUETTI_MODBUS_REQUEST_LEN) return 0;
    if (fn == BLUETTI_MODBUS_WRITE_ONE || fn == BLUETTI_MODBUS_WRITE_MANY) {
        d->writes_seen++;
        return answer_write(d, faults, state, req, req_len, out, delay_s);
    }
    if (fn == BLUETTI_MODBUS_READ) d->reads_seen++;

    if (faults && hit(faults->drop_rate, state)) return 0;

    size_t n;
    if (fn != BLUETTI_MODBUS_READ) {
        n = exception_frame(d->address, fn, 0x01, out);
    } else {
        uint16_t start = (uint16_t)(req[2] << 8 | req[3]);
        uint16_t count = (uint16_t)(req[4] << 8 | req[5]);
        int exc = 0;
        for (unsigned i = 0; faults && i < faults->n_exception_blocks && i < BT_SIM_MAX_EXCEPTIONS; i++)
            if (faults->exception_blocks[i] == start) exc = faults->exception_codes[i];
        const uint8_t *p = NULL;
        if (!exc && (count == 0 || count > BLUETTI_MODBUS_MAX_REGISTERS)) exc = 0x03;
        if (!exc && !(p = reg_ptr(d, start, count))) exc = 0x02;
        if (exc) {
            n = exception_frame(d->address, fn, (uint8_t)exc, out);
        } else {
            out[0] = d->address;
            out[1] = fn;
            out[2] = (uint8_t)(2u * count);
            memcpy(out + 3, p, 2u * count);
            n = 3u + 2u * count;
            put_crc(out, n);
            n += 2;
        }
    }
    if (faults && hit(faults->bad_crc_rate, state)) out[n - 2] ^= 0x5A;
    if (faults && hit(faults->short_rate, state)) n = n / 2 < 3 ? 3 : n / 2;
    if (delay_s && faults) *delay_s = faults->delay_s;
    return n;
}

/* ---- fault specs ---------------------------------------------------------- */

/* Decimal digits only, at most max. */
static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    uint64_t v;
    if (bt_parse_u64(s, &v) != BT_NUM_OK || v > max) return false;
    *out = (unsigned long)v;
    return true;
}

/* A plain decimal from lo (>= 0) to hi: digits with an optional '.' and
 * digits, no sign. */
static bool parse_real(const char *s, double lo, double hi, double *out)
{
    double v;
    if (!s || *s == '-' || bt_parse_decimal(s, &v) != BT_NUM_OK || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

/* "N[:CODE]" for the exception faults: set N's code (a later item for the
 * same N replaces it), or add N. */
static int exception_item(const char *key, char *val, const char *what, const char *plural,
                          unsigned long def, uint16_t *nums, uint8_t *codes, unsigned *n,
                          char *err, size_t err_len)
{
    char *colon = strchr(val, ':');
    unsigned long num, code = def;
    if (colon) *colon = '\0';
    if (!parse_uint(val, 65535, &num) ||
        (colon && (!parse_uint(colon + 1, 255, &code) || code == 0))) {
        if (colon) *colon = ':';
        bt_fmt(err, err_len, "faults: %s=%s: expected %s[:CODE] with %s 0..65535 and CODE "
               "1..255", key, val, what, what);
        return BLUETTI_E_INVAL;
    }
    unsigned i = 0;
    while (i < *n && nums[i] != num) i++;
    if (i == BT_SIM_MAX_EXCEPTIONS) {
        bt_fmt(err, err_len, "faults: more than %u %s", BT_SIM_MAX_EXCEPTIONS, plural);
        return BLUETTI_E_INVAL;
    }
    nums[i] = (uint16_t)num;
    codes[i] = (uint8_t)code;
    if (i == *n) (*n)++;
    return 0;
}

static int fault_item(char *item, bt_sim_faults *f, char *err, size_t err_len)
{
    char *eq = strchr(item, '=');
    if (!eq) {
        bt_fmt(err, err_len, "faults: \"%s\": expected key=value", item);
        return BLUETTI_E_INVAL;
    }
    *eq = '\0';
    char *key = trim(item), *val = trim(eq + 1);
    unsigned long u;
    double *rate = NULL;
    if (!strcmp(key, "drop")) rate = &f->drop_rate;
    else if (!strcmp(key, "write_drop")) rate = &f->write_drop_rate;
    else if (!strcmp(key, "write_lost")) rate = &f->write_lost_rate;
    else if (!strcmp(key, "write_ignore")) rate = &f->write_ignore_rate;
    else if (!strcmp(key, "write_bad_echo")) rate = &f->write_bad_echo_rate;
    else if (!strcmp(key, "crc") || !strcmp(key, "bad_crc")) rate = &f->bad_crc_rate;
    else if (!strcmp(key, "short")) rate = &f->short_rate;
    if (rate) {
        if (!parse_real(val, 0, 1, rate)) {
            bt_fmt(err, err_len, "faults: %s=%s: a rate must be a number from 0 to 1", key, val);
            return BLUETTI_E_INVAL;
        }
    } else if (!strcmp(key, "delay")) {
        if (!parse_real(val, 0, 3600, &f->delay_s)) {
            bt_fmt(err, err_len, "faults: delay=%s: expected seconds from 0 to 3600", val);
            return BLUETTI_E_INVAL;
        }
    } else if (!strcmp(key, "write_exception")) {
        return exception_item(key, val, "REGISTER", "write exception registers",
                              DEFAULT_WRITE_EXCEPTION, f->write_exception_regs,
                              f->write_exception_codes, &f->n_write_exceptions, err, err_len);
    } else if (!strcmp(key, "exception")) {
        return exception_item(key, val, "BLOCK", "exception blocks", DEFAULT_EXCEPTION,
                              f->exception_blocks, f->exception_codes, &f->n_exception_blocks,
                              err, err_len);
    } else if (!strcmp(key, "disconnect")) {
        if (!parse_uint(val, 1000000000ul, &u)) {
            bt_fmt(err, err_len, "faults: disconnect=%s: expected a number of requests (0 = never)", val);
            return BLUETTI_E_INVAL;
        }
        f->disconnect_after = (unsigned)u;
    } else if (!strcmp(key, "seed")) {
        if (!parse_uint(val, 0xFFFFFFFFul, &u)) {
            bt_fmt(err, err_len, "faults: seed=%s: expected a non-negative integer", val);
            return BLUETTI_E_INVAL;
        }
        f->seed = (unsigned)u;
    } else {
        bt_fmt(err, err_len, "faults: unknown fault \"%s\" (known: delay, drop, crc, short, "
               "exception, disconnect, seed, write_exception, write_drop, write_lost, "
               "write_ignore, write_bad_echo)", key);
        return BLUETTI_E_INVAL;
    }
    return 0;
}

int bt_sim_faults_parse(const char *spec, bt_sim_faults *f, char *err, size_t err_len)
{
    if (err && err_len) err[0] = '\0';
    if (!f) return BLUETTI_E_INVAL;
    memset(f, 0, sizeof *f);
    if (!spec) return 0;
    char *copy = strdup(spec);
    if (!copy) return BLUETTI_E_NOMEM;
    char *s = trim(copy);
    int rc = 0;
    if (*s && strcmp(s, "none") != 0) {
        char *save = NULL;
        for (char *item = strtok_r(s, ",", &save); item && rc == 0; item = strtok_r(NULL, ",", &save)) {
            item = trim(item);
            if (*item) rc = fault_item(item, f, err, err_len);
        }
    }
    free(copy);
    if (rc) memset(f, 0, sizeof *f);
    return rc;
}
