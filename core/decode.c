/* The table-driven decoder. bluetti_result_new() validates the schema and
 * compiles it once (read kinds per type and order, resolved field links,
 * transform arguments checked for integrality); bluetti_decode() then runs
 * one bounds-checked loop over the compiled fields and never allocates. */
#include "config.h"

#include "internal.h"

#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GNUC__)
#  define BT_INLINE inline __attribute__((always_inline))
#  define BT_NOINLINE __attribute__((noinline))
#else
#  define BT_INLINE inline
#  define BT_NOINLINE
#endif

#define WARN_KEEP 8
#define WARN_LEN 200

/* Read kinds: one per wire type and (normalised) order, for the paths that
 * switch on them (arrays, fields after an array, 64-bit and float values).
 * Orders 0..3 are CDAB, ABCD, DCBA, BADC. */
enum {
    RK_U8, RK_I8, RK_U16, RK_U16S, RK_I16, RK_I16S,
    RK_U32 = 8, RK_I32 = 12, RK_U64 = 16, RK_I64 = 20, RK_F32 = 24,
    RK_SLOW = 28,             /* text, arrays and fields placed after an array */
};
enum { O_CDAB, O_ABCD, O_DCBA, O_BADC };

/* Compiled transform ops; SCALE_DIV divides by an integer so that a factor
 * such as 0.1 gives the correctly rounded 3 / 10 rather than 3 * 0.1. They
 * are single bits, tested with &, so no compiler turns the tests into a
 * jump table. */
enum {
    C_ABS = 1, C_SCALE = 2, C_SCALE_DIV = 4, C_MINUS = 8, C_BITMASK = 16, C_SHIFT = 32,
    C_CLAMP = 64, C_ENABLE = 128,
};

struct cxf {
    uint8_t op;
    uint8_t integral;         /* MINUS/CLAMP arguments are exact int64 values */
    uint8_t shift, three;     /* ENABLE: chunk position, 3-bit (else 2-bit) chunks */
    double a, b;
    int64_t ia, ib;
    uint64_t u;
};

/* What the hot loop reads per field, packed into 16 bytes. Integers of up
 * to 32 bits are read without a jump table (indirect jumps are what costs
 * most in a per-field dispatch): byte k of the value, least significant
 * first, is p[idx[k]]; shifting left then right by `sh` drops the bytes
 * beyond the type's size, and `sgn` sign-extends. */
enum { M_BE16, M_INT, M_WIDE, M_SLOW };
struct hot {
    uint16_t off;
    uint8_t nxf;
    uint8_t mode;             /* M_*: big-endian 16-bit, other int, 64-bit/f32, cold path */
    uint32_t end;             /* off + size; UINT32_MAX for the cold path */
    uint8_t idx[4];           /* M_WIDE: idx[0] is the read kind */
    uint8_t sh;
    uint8_t sgn;
    uint16_t xf;              /* first compiled transform */
};

/* Bytes of a 32-bit value, least significant first, per (normalised)
 * order: for M_INT fields and for array elements. */
static const uint8_t idx32[4][4] = { { 1, 0, 3, 2 }, { 3, 2, 1, 0 }, { 0, 1, 2, 3 },
                                     { 2, 3, 0, 1 } };

struct cfield {
    uint8_t rk;
    uint8_t erk;              /* element read kind (arrays, fields after an array) */
    uint8_t nxf;
    uint8_t flags;
    uint16_t min_protocol;
    uint16_t size;
    uint32_t off;             /* offset (relative to `after` when after >= 0) */
    uint32_t end;             /* off + bytes needed (fixed fields) */
    uint32_t xf;              /* first compiled transform */
    uint32_t buf;             /* text buffer offset, or item pool index */
    uint16_t stride, esize;
    int16_t count_from, after;
    size_t rt_end;            /* arrays: end of this decode's actual extent */
};

struct bluetti_result {
    const bluetti_block_schema *s;
    size_t n;
    bluetti_value *values;
    struct hot *hot;
    struct cfield *cf;
    struct cxf *xf;
    bluetti_value *items;
    char *text;
    void *arena;
    uint8_t *raw;
    size_t raw_len, raw_cap;
    size_t static_end;        /* end of the last fixed field */
    size_t dyn_end;           /* end of data-placed fields, this decode */
    uint16_t pv;
    bool valid;
    double ts;
    void *owned;              /* a profile's patched schema (core/override.c), freed with r */
    unsigned n_warn;          /* warnings raised, kept or not */
    char warn[WARN_KEEP + 1][WARN_LEN];
};

/* ---- small helpers -------------------------------------------------------- */

const char *bluetti_absent_text(int reason)
{
    switch (reason) {
    case BLUETTI_ABSENT_NONE: return "present";
    case BLUETTI_ABSENT_BEYOND_DATA: return "beyond received data";
    case BLUETTI_ABSENT_PROTOCOL: return "needs a newer protocol version";
    case BLUETTI_ABSENT_COUNT: return "element count points past the data";
    case BLUETTI_ABSENT_BAD_COUNT: return "element count exceeds the schema's maximum";
    case BLUETTI_ABSENT_BAD_VALUE: return "value could not be decoded";
    default: return "unknown reason";
    }
}

double bluetti_value_as_double(const bluetti_value *v)
{
    if (!v) return NAN;
    switch (v->kind) {
    case BLUETTI_VAL_INT: return (double)v->v.i;
    case BLUETTI_VAL_UINT: return (double)v->v.u;
    case BLUETTI_VAL_FLOAT: return v->v.f;
    default: return NAN;
    }
}

static void warn(bluetti_result *r, const char *fmt, ...) BLUETTI_PRINTF(2, 3);
static void warn(bluetti_result *r, const char *fmt, ...)
{
    if (r->n_warn++ >= WARN_KEEP) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->warn[r->n_warn - 1], WARN_LEN, fmt, ap);
    va_end(ap);
}

static inline void set_absent(bluetti_value *v, int reason)
{
    *v = (bluetti_value){ .kind = BLUETTI_VAL_ABSENT, .absent = (uint8_t)reason };
}

/* ---- wire reads ------------------------------------------------------------ */

static inline uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }

static inline uint32_t rd32(const uint8_t *p, int o)
{
    switch (o) {
    case O_CDAB: return be16(p + 2) << 16 | be16(p);
    case O_ABCD: return be16(p) << 16 | be16(p + 2);
    case O_DCBA: return le16(p + 2) << 16 | le16(p);
    default: return le16(p) << 16 | le16(p + 2);
    }
}

static inline uint64_t rd64(const uint8_t *p, int o)
{
    switch (o) {
    case O_CDAB: return (uint64_t)rd32(p + 4, O_CDAB) << 32 | rd32(p, O_CDAB);
    case O_ABCD: return (uint64_t)rd32(p, O_ABCD) << 32 | rd32(p + 4, O_ABCD);
    case O_DCBA: return (uint64_t)rd32(p + 4, O_DCBA) << 32 | rd32(p, O_DCBA);
    default: return (uint64_t)rd32(p, O_BADC) << 32 | rd32(p + 4, O_BADC);
    }
}

/* Header words for the common kinds, copied whole: one store, not four. */
static const bluetti_value int_head = { .kind = BLUETTI_VAL_INT };

static inline void put_int(bluetti_value *v, int64_t i)
{
    memcpy(v, &int_head, offsetof(bluetti_value, v));
    v->v.i = i;
}

/* What apply_xf()'s { .kind = FLOAT, .v.f = f } stores, in two stores. */
static const bluetti_value float_head = { .kind = BLUETTI_VAL_FLOAT };

static inline void put_float(bluetti_value *v, double f)
{
    memcpy(v, &float_head, offsetof(bluetti_value, v));
    v->v.f = f;
}

/* false for NaN and infinities: from a device they are not measurements */
static inline bool put_f32(bluetti_value *v, uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    if (!isfinite(f)) {
        set_absent(v, BLUETTI_ABSENT_BAD_VALUE);
        return false;
    }
    *v = (bluetti_value){ .kind = BLUETTI_VAL_FLOAT, .v.f = f };
    return true;
}

#define RD_CASES(o)                                                                       \
    case RK_U32 + (o): put_int(v, (int64_t)rd32(p, (o))); return true;                   \
    case RK_I32 + (o): put_int(v, (int32_t)rd32(p, (o))); return true;                   \
    case RK_U64 + (o):                                                                    \
        *v = (bluetti_value){ .kind = BLUETTI_VAL_UINT, .v.u = rd64(p, (o)) };            \
        return true;                                                                      \
    case RK_I64 + (o): put_int(v, (int64_t)rd64(p, (o))); return true;                   \
    case RK_F32 + (o): return put_f32(v, rd32(p, (o)));

/* Read one wire value; false when it is absent (a bad float). */
static BT_INLINE bool read_scalar(bluetti_value *v, unsigned rk, const uint8_t *p)
{
    switch (rk) {
    case RK_U8: put_int(v, p[0]); return true;
    case RK_I8: put_int(v, (int8_t)p[0]); return true;
    case RK_U16: put_int(v, be16(p)); return true;
    case RK_U16S: put_int(v, le16(p)); return true;
    case RK_I16: put_int(v, (int16_t)be16(p)); return true;
    case RK_I16S: put_int(v, (int16_t)le16(p)); return true;
    RD_CASES(O_CDAB)
    RD_CASES(O_ABCD)
    RD_CASES(O_DCBA)
    RD_CASES(O_BADC)
    default: set_absent(v, BLUETTI_ABSENT_BAD_VALUE); return false;
    }
}

/* ---- transforms ------------------------------------------------------------ */

static inline double num(const bluetti_value *v)
{
    return v->kind == BLUETTI_VAL_INT ? (double)v->v.i
         : v->kind == BLUETTI_VAL_UINT ? (double)v->v.u : v->v.f;
}

/* The value's bits for the integer operations; floats are truncated. */
static bool int_bits(const bluetti_value *v, uint64_t *bits, bool *neg)
{
    if (v->kind == BLUETTI_VAL_UINT) {
        *bits = v->v.u;
        *neg = false;
        return true;
    }
    double f = trunc(v->v.f);
    if (!(f >= -9223372036854775808.0 && f < 18446744073709551616.0)) return false;
    *neg = f < 0;
    *bits = *neg ? (uint64_t)(int64_t)f : (uint64_t)f;
    return true;
}

/* Bit operations on unsigned 64-bit or float values (the rare case): the
 * result stays unsigned when it does not fit an int64. */
static bool bitop_slow(bluetti_value *v, const struct cxf *x)
{
    uint64_t bits;
    bool neg;
    if (!int_bits(v, &bits, &neg)) return false;
    bits = x->op == C_BITMASK ? bits & x->u : bits >> x->u;
    if (neg || bits <= INT64_MAX) put_int(v, (int64_t)bits);
    else *v = (bluetti_value){ .kind = BLUETTI_VAL_UINT, .v.u = bits };
    return true;
}

/* Enable-list input must be a whole number 0..65535. */
static bool enable_input(const bluetti_value *v, uint32_t *out)
{
    switch (v->kind) {
    case BLUETTI_VAL_INT:
        if ((uint64_t)v->v.i > 0xFFFF) return false;
        *out = (uint32_t)v->v.i;
        return true;
    case BLUETTI_VAL_UINT:
        if (v->v.u > 0xFFFF) return false;
        *out = (uint32_t)v->v.u;
        return true;
    default:
        if (!(v->v.f >= 0 && v->v.f <= 0xFFFF) || v->v.f != trunc(v->v.f)) return false;
        *out = (uint32_t)v->v.f;
        return true;
    }
}

/* Integers stay integers when both bounds are exact integers. */
static void xf_clamp(bluetti_value *v, const struct cxf *x)
{
    if (v->kind == BLUETTI_VAL_INT && x->integral) {
        if (v->v.i < x->ia) v->v.i = x->ia;
        else if (v->v.i > x->ib) v->v.i = x->ib;
        return;
    }
    if (v->kind == BLUETTI_VAL_UINT && x->integral) {
        if (x->ib < 0) put_int(v, x->ib);
        else if (x->ia > 0 && v->v.u < (uint64_t)x->ia) v->v.u = (uint64_t)x->ia;
        else if (v->v.u > (uint64_t)x->ib) v->v.u = (uint64_t)x->ib;
        return;
    }
    double f = num(v);
    *v = (bluetti_value){ .kind = BLUETTI_VAL_FLOAT, .v.f = f < x->a ? x->a : f > x->b ? x->b : f };
}

/* hexStrToEnableList takes chunks from the top bit down and makes the first
 * bit of a chunk the least significant: a chunk read as a number is
 * reversed bit for bit. */
static const uint8_t reverse_bits[2][8] = { { 0, 2, 1, 3 }, { 0, 4, 2, 6, 1, 5, 3, 7 } };

/* Apply n compiled transforms in order; false when the value cannot take
 * one of them (the caller marks it BAD_VALUE). Integers, the common
 * case, are handled inline; other kinds go to the helpers above. */
static BT_NOINLINE bool apply_xf(bluetti_value *v, const struct cxf *x, unsigned n)
{
    /* a chain of bit tests in order of use in the catalog rather than a
     * switch: an indirect jump costs more than a few predictable tests */
    for (; n; n--, x++) {
        unsigned op = x->op;
        uint32_t in;
        if (op & C_SCALE_DIV) {
            *v = (bluetti_value){ .kind = BLUETTI_VAL_FLOAT, .v.f = num(v) / x->a };
        } else if (op & C_ENABLE) {
            if (v->kind == BLUETTI_VAL_INT && (uint64_t)v->v.i <= 0xFFFF) in = (uint32_t)v->v.i;
            else if (!enable_input(v, &in)) return false;
            put_int(v, reverse_bits[x->three][(in >> x->shift) & (x->three ? 7u : 3u)]);
        } else if (op & (C_BITMASK | C_SHIFT)) {
            /* on an int64 the result always fits an int64 again */
            if (v->kind != BLUETTI_VAL_INT) {
                if (!bitop_slow(v, x)) return false;
            } else {
                uint64_t b = (uint64_t)v->v.i;
                v->v.i = (int64_t)(op == C_BITMASK ? b & x->u : b >> x->u);
            }
        } else if (op & C_MINUS) {
            if (v->kind == BLUETTI_VAL_INT && x->integral &&
                !(x->ia > 0 && v->v.i < INT64_MIN + x->ia) &&
                !(x->ia < 0 && v->v.i > INT64_MAX + x->ia))
                v->v.i -= x->ia;
            else
                *v = (bluetti_value){ .kind = BLUETTI_VAL_FLOAT, .v.f = num(v) - x->a };
        } else if (op & C_SCALE) {
            *v = (bluetti_value){ .kind = BLUETTI_VAL_FLOAT, .v.f = num(v) * x->a };
        } else if (op & C_ABS) {
            if (v->kind == BLUETTI_VAL_INT && v->v.i < 0) {
                if (v->v.i == INT64_MIN) return false;
                v->v.i = -v->v.i;
            } else if (v->kind == BLUETTI_VAL_FLOAT) {
                v->v.f = fabs(v->v.f);
            }
        } else if (op & C_CLAMP) {
            xf_clamp(v, x);
        } else {
            return false;
        }
    }
    return true;
}

/* ---- text ------------------------------------------------------------------ */

/* Copy a device string: optional per-register swap, cut at NUL, trim
 * trailing spaces, escape anything that is not printable ASCII. */
static void decode_text(char *out, const uint8_t *p, size_t size, unsigned flags)
{
    static const char hex[] = "0123456789abcdef";
    size_t sw = (flags & BLUETTI_F_TEXT_SWAP) ? 1 : 0;  /* byte k is p[k ^ sw] */
    size_t n = 0;
    if (!sw) {
        const uint8_t *z = memchr(p, 0, size);
        n = z ? (size_t)(z - p) : size;
    } else {
        while (n < size && p[n ^ 1]) n++;  /* size is even: n ^ 1 < size */
    }
    if (!(flags & BLUETTI_F_KEEP_SPACES))
        while (n && p[(n - 1) ^ sw] == ' ') n--;
    char *o = out;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = p[k ^ sw];
        if ((unsigned)(c - 0x20) < 0x5F && c != '\\') {
            *o++ = (char)c;
        } else {
            o[0] = '\\';
            o[1] = 'x';
            o[2] = hex[c >> 4];
            o[3] = hex[c & 15];
            o += 4;
        }
    }
    *o = '\0';
}

/* ---- compile ---------------------------------------------------------------- */

static int norm_order(int order)
{
    switch (order) {
    case BLUETTI_ORDER_BE: return O_ABCD;
    case BLUETTI_ORDER_LE: return O_DCBA;
    case BLUETTI_ORDER_BYTES_SWAPPED: return O_BADC;
    default: return O_CDAB;  /* DEFAULT and WORDS_LE */
    }
}

static uint8_t read_kind(int type, int order)
{
    int o = norm_order(order);
    bool swapped16 = o == O_DCBA || o == O_BADC;  /* one register, bytes swapped */
    switch (type) {
    case BLUETTI_U8: return RK_U8;
    case BLUETTI_I8: return RK_I8;
    case BLUETTI_U16: return swapped16 ? RK_U16S : RK_U16;
    case BLUETTI_I16: return swapped16 ? RK_I16S : RK_I16;
    case BLUETTI_U32: return (uint8_t)(RK_U32 + o);
    case BLUETTI_I32: return (uint8_t)(RK_I32 + o);
    case BLUETTI_U64: return (uint8_t)(RK_U64 + o);
    case BLUETTI_I64: return (uint8_t)(RK_I64 + o);
    case BLUETTI_F32: return (uint8_t)(RK_F32 + o);
    default: return RK_SLOW;
    }
}

static bool exact_int(double d, int64_t *out)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != trunc(d))
        return false;
    *out = (int64_t)d;
    return true;
}

static void compile_xf(struct cxf *c, const bluetti_xform *x)
{
    memset(c, 0, sizeof *c);
    c->a = x->arg.f[0];
    c->b = x->arg.f[1];
    switch (x->op) {
    case BLUETTI_XF_ABS: c->op = C_ABS; break;
    case BLUETTI_XF_SCALE: {
        c->op = C_SCALE;
        double inv = 1.0 / c->a, r = round(inv);
        if (fabs(c->a) < 1 && fabs(r) >= 2 && fabs(r) < 1e15 && fabs(inv - r) <= 1e-9 * fabs(r)) {
            c->op = C_SCALE_DIV;
            c->a = r;
        }
        break;
    }
    case BLUETTI_XF_MINUS:
        c->op = C_MINUS;
        c->integral = exact_int(c->a, &c->ia);
        break;
    case BLUETTI_XF_BITMASK: c->op = C_BITMASK; c->u = x->arg.u; break;
    case BLUETTI_XF_SHIFT: c->op = C_SHIFT; c->u = x->arg.u; break;
    case BLUETTI_XF_CLAMP:
        c->op = C_CLAMP;
        c->integral = exact_int(c->a, &c->ia) && exact_int(c->b, &c->ib);
        break;
    case BLUETTI_XF_ENABLE_LIST:
        c->op = C_ENABLE;
        c->three = x->arg.i[0] == 3;
        c->shift = (uint8_t)(16 - (c->three ? 3 : 2) * (x->arg.i[1] + 1));
        break;
    default: break;  /* validation refused it */
    }
}

static void compile_hot(struct hot *h, const struct cfield *c, const bluetti_field *f)
{
    memset(h, 0, sizeof *h);
    h->nxf = c->nxf;
    h->xf = (uint16_t)c->xf;  /* at most 4096 x 4 transforms */
    h->end = c->end;
    h->off = (uint16_t)c->off;
    h->sh = (uint8_t)(64 - 8 * c->esize);
    h->sgn = f->type == BLUETTI_I8 || f->type == BLUETTI_I16 || f->type == BLUETTI_I32;
    int o = norm_order(f->order);
    if (c->rk == RK_SLOW) {
        h->mode = M_SLOW;
        h->end = UINT32_MAX;
    } else if (c->esize == 2 && (c->rk == RK_U16 || c->rk == RK_I16)) {
        h->mode = M_BE16;
    } else if (c->esize == 2) {
        h->mode = M_INT;
        h->idx[1] = 1;  /* byte-swapped register: p[0] is the low byte */
    } else if (c->esize == 1) {
        h->mode = M_INT;
    } else if (f->type == BLUETTI_U32 || f->type == BLUETTI_I32) {
        h->mode = M_INT;
        memcpy(h->idx, idx32[o], 4);
    } else {
        h->mode = M_WIDE;
        h->idx[0] = c->rk;
    }
}

static size_t count_xf(const bluetti_field *f)
{
    size_t k = 0;
    while (k < BLUETTI_MAX_XF && f->xf[k].op != BLUETTI_XF_END) k++;
    return k;
}

/* Multiply-add with overflow detection, for the arena size. */
static bool grow_by(size_t *total, size_t count, size_t each)
{
    if (each && count > (SIZE_MAX - *total) / each) return false;
    *total += count * each;
    return true;
}

int bluetti_result_new(const bluetti_block_schema *s, bluetti_result **out)
{
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    char why[512];
    if (!s) return BLUETTI_E_INVAL;
    int rc = bluetti_schema_validate(s, why, sizeof why);
    if (rc != 0) return rc == BLUETTI_E_NOMEM ? rc : BLUETTI_E_SCHEMA;
    return bt_result_new_valid(s, out);
}

/* The registry validated every schema it holds when it was registered:
 * the session creates results for them without checking again. */
int bt_result_new_valid(const bluetti_block_schema *s, bluetti_result **out)
{
    *out = NULL;

    size_t n = s->n_fields, n_xf = 0, n_items = 0, n_text = 0;
    for (size_t i = 0; i < n; i++) {
        const bluetti_field *f = &s->fields[i];
        n_xf += count_xf(f);
        if (f->flags & BLUETTI_F_ARRAY) n_items += f->size;
        else if (f->type == BLUETTI_TEXT) n_text += 4 * (size_t)f->size + 1;
    }
    /* one arena, most-aligned parts first */
    size_t total = 0;
    bool ok = grow_by(&total, n + n_items, sizeof(bluetti_value)) &&
              grow_by(&total, n_xf, sizeof(struct cxf)) &&
              grow_by(&total, n, sizeof(struct cfield)) && grow_by(&total, n, sizeof(struct hot)) &&
              grow_by(&total, n_text, 1);
    if (!ok) return BLUETTI_E_NOMEM;
    bluetti_result *r = calloc(1, sizeof *r);
    if (!r) return BLUETTI_E_NOMEM;
    r->arena = calloc(1, total ? total : 1);
    size_t read_len = bluetti_schema_read_length(s);
    r->raw_cap = read_len ? read_len : 2;
    r->raw = malloc(r->raw_cap);
    if (!r->arena || !r->raw) {
        bluetti_result_free(r);
        return BLUETTI_E_NOMEM;
    }
    char *a = r->arena;
    r->values = (bluetti_value *)a;
    r->items = r->values + n;
    r->xf = (struct cxf *)(r->items + n_items);
    r->cf = (struct cfield *)(r->xf + n_xf);
    r->hot = (struct hot *)(r->cf + n);
    r->text = (char *)(r->hot + n);
    r->s = s;
    r->n = n;

    size_t xi = 0, ii = 0, ti = 0;
    for (size_t i = 0; i < n; i++) {
        const bluetti_field *f = &s->fields[i];
        struct cfield *c = &r->cf[i];
        bool array = f->flags & BLUETTI_F_ARRAY;
        size_t es = bluetti_wire_type_size(f->type);
        c->erk = read_kind(f->type, f->order);
        /* the hot loop only sees plain scalars; the rest takes the cold path */
        c->rk = (array || f->after || f->type == BLUETTI_TEXT || f->min_protocol) ? RK_SLOW
                                                                                : c->erk;
        c->flags = f->flags;
        c->min_protocol = f->min_protocol;
        c->size = f->size;
        c->off = f->offset;
        c->esize = (uint16_t)es;
        c->stride = (uint16_t)(f->stride ? f->stride : es);
        c->end = (uint32_t)(f->offset + bluetti_field_span(f));
        c->count_from = (int16_t)(f->count_from ? bluetti_schema_field_index(s, f->count_from) : -1);
        c->after = (int16_t)(f->after ? bluetti_schema_field_index(s, f->after) : -1);
        c->xf = (uint32_t)xi;
        c->nxf = (uint8_t)count_xf(f);
        for (unsigned k = 0; k < c->nxf; k++) compile_xf(&r->xf[xi++], &f->xf[k]);
        if (array) {
            c->buf = (uint32_t)ii;
            ii += f->size;
        } else if (f->type == BLUETTI_TEXT) {
            c->buf = (uint32_t)ti;
            ti += 4 * (size_t)f->size + 1;
        }
        if (!f->after && !f->count_from) {
            size_t e = (size_t)f->offset + bluetti_field_span(f);
            if (e > r->static_end) r->static_end = e;
        }
        compile_hot(&r->hot[i], c, f);
        set_absent(&r->values[i], BLUETTI_ABSENT_BEYOND_DATA);
    }
    r->pv = s->protocol_version;
    *out = r;
    return 0;
}

void bluetti_result_free(bluetti_result *r)
{
    if (!r) return;
    free(r->arena);
    free(r->raw);
    free(r->owned);
    free(r);
}

void bt_result_adopt(bluetti_result *r, void *mem)
{
    free(r->owned);
    r->owned = mem;
}

/* ---- decode ----------------------------------------------------------------- */

/* The coarse wall clock (a few ms resolution) costs a fifth of the precise
 * one, and a reading's timestamp needs no more. */
static double wall_clock(void)
{
#ifdef CLOCK_REALTIME_COARSE
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) == 0)
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#endif
    return bt_wall();
}

/* Missing data (as opposed to a gate or a bad value) invalidates the
 * block when the field is required. */
static bool is_short(int reason)
{
    return reason == BLUETTI_ABSENT_BEYOND_DATA || reason == BLUETTI_ABSENT_COUNT;
}

/* A field that cannot be decoded: absent, and a validation problem when
 * the schema requires it and the data is too short for it. */
static void missing(bluetti_result *r, size_t i, int reason, size_t at)
{
    set_absent(&r->values[i], reason);
    if (!(r->cf[i].flags & BLUETTI_F_REQUIRED) || !is_short(reason)) return;
    r->valid = false;
    if (reason == BLUETTI_ABSENT_BEYOND_DATA)
        warn(r, "required field '%s' (offset %zu) lies beyond the received data (%zu bytes)",
             r->s->fields[i].name, at, r->raw_len);
}

/* Element count of an array, or -1 with the value marked absent. */
static long array_count(bluetti_result *r, size_t i)
{
    const struct cfield *c = &r->cf[i];
    if (c->count_from < 0) return c->size;
    const bluetti_value *cv = &r->values[c->count_from];
    uint64_t count;
    switch (cv->kind) {
    case BLUETTI_VAL_INT:
        if (cv->v.i < 0) goto bad;
        count = (uint64_t)cv->v.i;
        break;
    case BLUETTI_VAL_UINT: count = cv->v.u; break;
    case BLUETTI_VAL_FLOAT:
        if (!(cv->v.f >= 0 && cv->v.f <= 65535) || cv->v.f != trunc(cv->v.f)) goto bad;
        count = (uint64_t)cv->v.f;
        break;
    default:
        missing(r, i, cv->absent, c->off);
        return -1;
    }
    if (count > c->size) {
        warn(r, "field '%s': element count %llu (from '%s') exceeds the maximum of %u",
             r->s->fields[i].name, (unsigned long long)count, r->s->fields[c->count_from].name,
             (unsigned)c->size);
        set_absent(&r->values[i], BLUETTI_ABSENT_BAD_COUNT);
        return -1;
    }
    return (long)count;
bad:  /* the names are looked up only for the warnings */
    warn(r, "field '%s': element count from '%s' is not a usable number", r->s->fields[i].name,
         r->s->fields[c->count_from].name);
    set_absent(&r->values[i], BLUETTI_ABSENT_BAD_COUNT);
    return -1;
}

/* ---- array elements ---------------------------------------------------------- */

/* Integer elements of up to 32 bits are read without read_scalar()'s
 * switch, the way the hot loop reads fields: byte k of the value, least
 * significant first, is p[idx[k]]; `mask` drops the bytes beyond the
 * type's size and `m`, the sign bit of a signed type, sign-extends. */
struct elem_rd {
    uint8_t idx[4];
    uint32_t mask, m;
};

/* false for the kinds that are not such integers (64-bit, f32) */
static bool elem_reader(unsigned rk, struct elem_rd *d)
{
    memset(d, 0, sizeof *d);
    switch (rk) {
    case RK_U8: case RK_I8: d->mask = 0xFF; break;
    case RK_U16: case RK_I16: d->idx[0] = 1; d->mask = 0xFFFF; break;     /* be16 */
    case RK_U16S: case RK_I16S: d->idx[1] = 1; d->mask = 0xFFFF; break;   /* le16 */
    default:
        if (rk < RK_U32 || rk >= RK_U64) return false;
        memcpy(d->idx, idx32[rk & 3], 4);  /* RK_U32 + o and RK_I32 + o */
        d->mask = 0xFFFFFFFF;
        break;
    }
    bool sgn = rk == RK_I8 || rk == RK_I16 || rk == RK_I16S || (rk >= RK_I32 && rk < RK_U64);
    d->m = sgn ? (d->mask >> 1) + 1 : 0;
    return true;
}

/* size is a constant at each call: 2 reads two bytes, anything else four */
static BT_INLINE int64_t elem_int(const struct elem_rd *d, const uint8_t *p, unsigned size)
{
    uint32_t u;
    if (size == 2)
        u = (uint32_t)p[d->idx[1]] << 8 | p[d->idx[0]];
    else
        u = ((uint32_t)p[d->idx[0]] | (uint32_t)p[d->idx[1]] << 8 |
             (uint32_t)p[d->idx[2]] << 16 | (uint32_t)p[d->idx[3]] << 24) & d->mask;
    return (int64_t)(u ^ d->m) - (int64_t)d->m;
}

/* The element loop for integer arrays. The transform chains the catalog
 * uses on arrays are done inline with exactly apply_xf()'s arithmetic (on
 * an int64 none of them can fail); any other chain goes to apply_xf(). */
static BT_INLINE void int_elems(bluetti_value *items, long count, const uint8_t *p,
                                size_t stride, const struct elem_rd *d, unsigned size,
                                const struct cxf *x, unsigned nxf)
{
    if (nxf == 0) {
        for (long k = 0; k < count; k++, p += stride) put_int(&items[k], elem_int(d, p, size));
    } else if (nxf == 1 && x->op == C_SCALE_DIV) {
        double a = x->a;
        for (long k = 0; k < count; k++, p += stride)
            put_float(&items[k], (double)elem_int(d, p, size) / a);
    } else if (nxf == 2 && x[0].op == C_BITMASK && x[1].op == C_SCALE_DIV) {
        uint64_t mask = x[0].u;
        double a = x[1].a;
        for (long k = 0; k < count; k++, p += stride) {
            int64_t i = (int64_t)((uint64_t)elem_int(d, p, size) & mask);
            put_float(&items[k], (double)i / a);
        }
    } else if (nxf == 1 && (x->op == C_BITMASK || x->op == C_SHIFT)) {
        uint64_t arg = x->u;
        bool shift = x->op == C_SHIFT;
        for (long k = 0; k < count; k++, p += stride) {
            uint64_t b = (uint64_t)elem_int(d, p, size);
            put_int(&items[k], (int64_t)(shift ? b >> arg : b & arg));
        }
    } else {
        for (long k = 0; k < count; k++, p += stride) {
            put_int(&items[k], elem_int(d, p, size));
            if (!apply_xf(&items[k], x, nxf)) set_absent(&items[k], BLUETTI_ABSENT_BAD_VALUE);
        }
    }
}

/* Out of line: inlined, it would crowd bluetti_decode()'s hot loop. */
static BT_NOINLINE void decode_elems(const struct cfield *c, bluetti_value *items, long count,
                                     const uint8_t *p, const struct cxf *xf)
{
    /* per-field state in locals: the stores to items[] could alias *c */
    size_t stride = c->stride;
    unsigned rk = c->erk, nxf = c->nxf;
    struct elem_rd d;
    if (elem_reader(rk, &d)) {
        if (d.mask == 0xFFFF) int_elems(items, count, p, stride, &d, 2, xf, nxf);
        else int_elems(items, count, p, stride, &d, 4, xf, nxf);
        return;
    }
    for (long k = 0; k < count; k++, p += stride) {
        if (read_scalar(&items[k], rk, p) && nxf && !apply_xf(&items[k], xf, nxf))
            set_absent(&items[k], BLUETTI_ABSENT_BAD_VALUE);
    }
}

static void decode_array(bluetti_result *r, size_t i, size_t start)
{
    struct cfield *c = &r->cf[i];
    bluetti_value *v = &r->values[i];
    size_t len = r->raw_len;
    if (start > len) {
        missing(r, i, BLUETTI_ABSENT_BEYOND_DATA, start);
        return;
    }
    long count = array_count(r, i);
    if (count < 0) return;
    size_t need = count ? start + (size_t)(count - 1) * c->stride + c->esize : start;
    if (need > len) {
        if (c->count_from < 0) {
            missing(r, i, BLUETTI_ABSENT_BEYOND_DATA, start);
        } else {
            warn(r, "field '%s': %ld elements (from '%s') at offset %zu need %zu bytes, beyond "
                 "the received data (%zu bytes)", r->s->fields[i].name, count,
                 r->s->fields[c->count_from].name, start, need, len);
            missing(r, i, BLUETTI_ABSENT_COUNT, start);
        }
        return;
    }
    bluetti_value *items = r->items + c->buf;
    decode_elems(c, items, count, r->raw + start, r->xf + c->xf);
    *v = (bluetti_value){ .kind = BLUETTI_VAL_ARRAY, .count = (uint16_t)count, .v.items = items };
    c->rt_end = start + (size_t)count * c->stride;
    if (c->rt_end > r->dyn_end) r->dyn_end = c->rt_end;
}

/* Text, arrays, fields placed after an array and protocol-gated fields. */
static void decode_slow(bluetti_result *r, size_t i)
{
    struct cfield *c = &r->cf[i];
    bluetti_value *v = &r->values[i];
    if (c->min_protocol > r->pv) {
        /* a field the protocol does not have yet is not missing data */
        set_absent(v, BLUETTI_ABSENT_PROTOCOL);
        return;
    }
    size_t start = c->off;
    if (c->after >= 0) {
        const bluetti_value *av = &r->values[c->after];
        if (av->kind == BLUETTI_VAL_ABSENT) {
            set_absent(v, av->absent);
            if ((c->flags & BLUETTI_F_REQUIRED) && is_short(av->absent)) {
                r->valid = false;
                warn(r, "required field '%s' is absent because '%s' is absent",
                     r->s->fields[i].name, r->s->fields[c->after].name);
            }
            return;
        }
        start += r->cf[c->after].rt_end;
    }
    if (c->flags & BLUETTI_F_ARRAY) {
        decode_array(r, i, start);
        return;
    }
    size_t span = c->erk == RK_SLOW ? c->size : c->esize;
    if (start + span > r->raw_len) {
        missing(r, i, BLUETTI_ABSENT_BEYOND_DATA, start);
        return;
    }
    if (c->after >= 0 && start + span > r->dyn_end) r->dyn_end = start + span;
    if (c->erk == RK_SLOW) {  /* text */
        char *t = r->text + c->buf;
        decode_text(t, r->raw + start, c->size, c->flags);
        *v = (bluetti_value){ .kind = BLUETTI_VAL_TEXT, .v.s = t };
        return;
    }
    if (read_scalar(v, c->erk, r->raw + start) && c->nxf && !apply_xf(v, r->xf + c->xf, c->nxf))
        set_absent(v, BLUETTI_ABSENT_BAD_VALUE);
}

int bluetti_decode(bluetti_result *r, const uint8_t *data, size_t len, uint16_t protocol_version)
{
    /* field ends are 32-bit; no Modbus block comes near 4 GiB */
    if (!r || (!data && len) || len >= UINT32_MAX) return BLUETTI_E_INVAL;
    if (len > r->raw_cap) {
        uint8_t *nb = realloc(r->raw, len);
        if (!nb) return BLUETTI_E_NOMEM;
        r->raw = nb;
        r->raw_cap = len;
    }
    if (len) memmove(r->raw, data, len);  /* data may be r's own raw buffer */
    const bluetti_block_schema *s = r->s;
    r->raw_len = len;
    r->pv = protocol_version ? protocol_version : s->protocol_version;
    r->ts = wall_clock();
    r->valid = true;
    r->n_warn = 0;
    r->dyn_end = 0;
    if (len < s->min_length) {
        r->valid = false;
        warn(r, "data length %zu is below the minimum %u", len, (unsigned)s->min_length);
    }

    /* the hot loop: plain scalars at fixed offsets; kept small so that its
     * state stays in registers (transforms are a call away) */
    const uint8_t *raw = r->raw;
    const struct cxf *xf = r->xf;
    const struct hot *c = r->hot, *stop = r->hot + r->n;
    bluetti_value *v = r->values;
    for (; c < stop; c++, v++) {
        if (c->end > len) {  /* cold-path fields have end = UINT32_MAX */
            size_t i = (size_t)(c - r->hot);
            if (c->mode == M_SLOW) decode_slow(r, i);
            else missing(r, i, BLUETTI_ABSENT_BEYOND_DATA, c->off);
            continue;
        }
        const uint8_t *p = raw + c->off;
        uint64_t u;
        if (c->mode == M_BE16) {
            u = (uint64_t)p[0] << 8 | p[1];
        } else if (c->mode == M_INT) {
            u = (uint64_t)p[c->idx[0]] | (uint64_t)p[c->idx[1]] << 8 |
                (uint64_t)p[c->idx[2]] << 16 | (uint64_t)p[c->idx[3]] << 24;
            u = (u << c->sh) >> c->sh;
        } else {
            if (read_scalar(v, c->idx[0], p) && c->nxf && !apply_xf(v, xf + c->xf, c->nxf))
                set_absent(v, BLUETTI_ABSENT_BAD_VALUE);
            continue;
        }
        uint64_t m = (uint64_t)c->sgn << (63 - c->sh);  /* the sign bit, for signed types */
        int64_t val = (int64_t)((u ^ m) - m);
        if (!c->nxf) {
            put_int(v, val);
            continue;
        }
        const struct cxf *x = xf + c->xf;
        if (c->nxf == 1 && x->op == C_SCALE_DIV) {  /* the catalog's most common chain */
            put_float(v, (double)val / x->a);
            continue;
        }
        put_int(v, val);
        if (!apply_xf(v, x, c->nxf)) set_absent(v, BLUETTI_ABSENT_BAD_VALUE);
    }

    size_t end = r->static_end > r->dyn_end ? r->static_end : r->dyn_end;
    if (s->strict && len > end) warn(r, "extra data beyond defined fields: %zu bytes", len - end);
    if (r->n_warn > WARN_KEEP)
        snprintf(r->warn[WARN_KEEP], WARN_LEN, "and %u more", r->n_warn - WARN_KEEP);
    if (s->strict && !r->valid) {
        bluetti_value *vals = r->values;
        for (size_t i = 0; i < r->n; i++)
            if (vals[i].kind != BLUETTI_VAL_ABSENT) set_absent(&vals[i], BLUETTI_ABSENT_BEYOND_DATA);
        return BLUETTI_E_SHORT;
    }
    return 0;
}

/* ---- accessors --------------------------------------------------------------- */

const bluetti_block_schema *bluetti_result_schema(const bluetti_result *r)
{
    return r ? r->s : NULL;
}

size_t bluetti_result_count(const bluetti_result *r)
{
    return r ? r->n : 0;
}

const bluetti_value *bluetti_result_value(const bluetti_result *r, size_t i)
{
    return r && i < r->n ? &r->values[i] : NULL;
}

const bluetti_value *bluetti_result_find(const bluetti_result *r, const char *name)
{
    int i = r ? bluetti_schema_field_index(r->s, name) : -1;
    return i < 0 ? NULL : &r->values[i];
}

const uint8_t *bluetti_result_raw(const bluetti_result *r, size_t *len)
{
    if (len) *len = r ? r->raw_len : 0;
    return r ? r->raw : NULL;
}

uint16_t bluetti_result_protocol_version(const bluetti_result *r)
{
    return r ? r->pv : 0;
}

double bluetti_result_timestamp(const bluetti_result *r)
{
    return r ? r->ts : 0;
}

bool bluetti_result_valid(const bluetti_result *r)
{
    return r && r->valid;
}

size_t bluetti_result_warning_count(const bluetti_result *r)
{
    if (!r) return 0;
    return r->n_warn > WARN_KEEP ? WARN_KEEP + 1 : r->n_warn;
}

const char *bluetti_result_warning(const bluetti_result *r, size_t i)
{
    return i < bluetti_result_warning_count(r) ? r->warn[i] : NULL;
}
