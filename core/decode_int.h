/* The decoder's compiled tables (built by schema_compile.c, run by
 * decode.c) and the one integer reader and one transform routine every
 * decode path uses. Not installed. */
#ifndef BLUETTI_DECODE_INT_H
#define BLUETTI_DECODE_INT_H

#include "internal.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

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

/* ---- values ------------------------------------------------------------------ */

static inline void set_absent(bluetti_value *v, int reason)
{
    *v = (bluetti_value){ .kind = BLUETTI_VAL_ABSENT, .absent = (uint8_t)reason };
}

/* ---- wire reads ------------------------------------------------------------ */

/* The one integer reader, for every integer of up to 32 bits (hot-loop
 * fields and array elements): byte k of the value, least significant
 * first, is p[idx[k]]; nbytes (a constant at each call) is 1 or 2 (one
 * byte, one register), else 4 bytes are read and shifting left then right by `sh`
 * drops the bytes beyond the type's size; m, the sign bit of a signed
 * type (0 for unsigned), sign-extends. */
static BT_INLINE int64_t bt_int_read(const uint8_t *p, const uint8_t *idx, unsigned nbytes,
                                     unsigned sh, uint64_t m)
{
    uint64_t u;
    if (nbytes == 1) {
        u = p[idx[0]];
    } else if (nbytes == 2) {
        u = (uint64_t)p[idx[1]] << 8 | p[idx[0]];
    } else {
        u = (uint64_t)p[idx[0]] | (uint64_t)p[idx[1]] << 8 | (uint64_t)p[idx[2]] << 16 |
            (uint64_t)p[idx[3]] << 24;
        u = (u << sh) >> sh;
    }
    return (int64_t)((u ^ m) - m);
}

/* idx for a big-endian register: the low byte is p[1] */
static const uint8_t bt_be16_idx[2] = { 1, 0 };


/* Bytes of a 32-bit value, least significant first, per (normalised)
 * order: for M_INT fields, array elements and 32-bit reads. */
static const uint8_t idx32[4][4] = { { 1, 0, 3, 2 }, { 3, 2, 1, 0 }, { 0, 1, 2, 3 },
                                     { 2, 3, 0, 1 } };
static const uint8_t bt_le16_idx[2] = { 0, 1 };
static const uint8_t bt_u8_idx[1] = { 0 };

static inline uint32_t rd32(const uint8_t *p, int o)
{
    return (uint32_t)bt_int_read(p, idx32[o], 4, 32, 0);
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
    case RK_U32 + (o): put_int(v, bt_int_read(p, idx32[o], 4, 32, 0)); return true;       \
    case RK_I32 + (o): put_int(v, bt_int_read(p, idx32[o], 4, 32, 0x80000000u)); return true; \
    case RK_U64 + (o):                                                                    \
        *v = (bluetti_value){ .kind = BLUETTI_VAL_UINT, .v.u = rd64(p, (o)) };            \
        return true;                                                                      \
    case RK_I64 + (o): put_int(v, (int64_t)rd64(p, (o))); return true;                   \
    case RK_F32 + (o): return put_f32(v, rd32(p, (o)));

/* Read one wire value; false when it is absent (a bad float). */
static BT_INLINE bool read_scalar(bluetti_value *v, unsigned rk, const uint8_t *p)
{
    switch (rk) {
    case RK_U8: put_int(v, bt_int_read(p, bt_u8_idx, 1, 56, 0)); return true;
    case RK_I8: put_int(v, bt_int_read(p, bt_u8_idx, 1, 56, 0x80)); return true;
    case RK_U16: put_int(v, bt_int_read(p, bt_be16_idx, 2, 48, 0)); return true;
    case RK_U16S: put_int(v, bt_int_read(p, bt_le16_idx, 2, 48, 0)); return true;
    case RK_I16: put_int(v, bt_int_read(p, bt_be16_idx, 2, 48, 0x8000)); return true;
    case RK_I16S: put_int(v, bt_int_read(p, bt_le16_idx, 2, 48, 0x8000)); return true;
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
static inline bool int_bits(const bluetti_value *v, uint64_t *bits, bool *neg)
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
static inline bool bitop_slow(bluetti_value *v, const struct cxf *x)
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
static inline bool enable_input(const bluetti_value *v, uint32_t *out)
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
static inline void xf_clamp(bluetti_value *v, const struct cxf *x)
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

/* The one transform routine: apply compiled transform x, whose op is
 * `op` (x->op; a fast path that has checked it passes the constant, so
 * that only that op's code is left), to v. False when the value cannot
 * take it (the caller marks it BAD_VALUE). Integers, the common case, are
 * handled inline; other kinds go to the helpers above. A chain of bit
 * tests in order of use in the catalog rather than a switch: an indirect
 * jump costs more than a few predictable tests. */
static BT_INLINE bool bt_xf_step(bluetti_value *v, unsigned op, const struct cxf *x)
{
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
    return true;
}

/* The compiled per-result tables for schema s (schema_compile.c). */
int bt_result_compile(const bluetti_block_schema *s, bluetti_result **out);

#endif
