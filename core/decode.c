/* The table-driven decoder. bluetti_result_new() (schema_compile.c)
 * validates the schema and compiles it once; bluetti_decode() then runs
 * one bounds-checked loop over the compiled fields and never allocates.
 * Integers are read with bt_int_read() and transformed with bt_xf_step()
 * (decode_int.h), on every path. */
#include "config.h"

#include "decode_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
    case BLUETTI_ABSENT_NOT_REPORTED: return "not reported by the device";
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

/* Apply n compiled transforms in order (out of line: the hot loop stays
 * small); false when the value cannot take one of them. */
static BT_NOINLINE bool apply_xf(bluetti_value *v, const struct cxf *x, unsigned n)
{
    for (; n; n--, x++)
        if (!bt_xf_step(v, x->op, x)) return false;
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

/* Integer elements of up to 32 bits are read with bt_int_read(), the way
 * the hot loop reads fields, rather than through read_scalar()'s switch. */
struct elem_rd {
    uint8_t idx[4];
    unsigned sh;
    uint64_t m;
};

/* false for the kinds that are not such integers (64-bit, f32) */
static bool elem_reader(unsigned rk, struct elem_rd *d)
{
    memset(d, 0, sizeof *d);
    unsigned bits;
    switch (rk) {
    case RK_U8: case RK_I8: bits = 8; break;
    case RK_U16: case RK_I16: d->idx[0] = 1; bits = 16; break;     /* be16 */
    case RK_U16S: case RK_I16S: d->idx[1] = 1; bits = 16; break;   /* le16 */
    default:
        if (rk < RK_U32 || rk >= RK_U64) return false;
        memcpy(d->idx, idx32[rk & 3], 4);  /* RK_U32 + o and RK_I32 + o */
        bits = 32;
        break;
    }
    d->sh = 64 - bits;
    bool sgn = rk == RK_I8 || rk == RK_I16 || rk == RK_I16S || (rk >= RK_I32 && rk < RK_U64);
    d->m = sgn ? (uint64_t)1 << (bits - 1) : 0;
    return true;
}

/* size is a constant at each call: 2 reads two bytes, anything else four */
static BT_INLINE int64_t elem_int(const struct elem_rd *d, const uint8_t *p, unsigned size)
{
    return bt_int_read(p, d->idx, size == 2 ? 2 : 4, d->sh, d->m);
}

/* One element: read, then the chain with the one transform routine. The
 * element loops below pass the chain's ops as constants where they have
 * checked them, so each loop keeps only the arithmetic it needs. */
static BT_INLINE void int_elem_xf(bluetti_value *out, int64_t i, const struct cxf *x, unsigned op)
{
    bluetti_value t;
    put_int(&t, i);
    bt_xf_step(&t, op, x);  /* on an int64 none of the fast chains can fail */
    *out = t;
}

/* The element loop for integer arrays: the transform chains the catalog
 * uses on arrays are specialised; any other chain goes to apply_xf(). */
static BT_INLINE void int_elems(bluetti_value *items, long count, const uint8_t *p,
                                size_t stride, const struct elem_rd *d, unsigned size,
                                const struct cxf *x, unsigned nxf)
{
    if (nxf == 0) {
        for (long k = 0; k < count; k++, p += stride) put_int(&items[k], elem_int(d, p, size));
    } else if (nxf == 1 && x->op == C_SCALE_DIV) {
        for (long k = 0; k < count; k++, p += stride)
            int_elem_xf(&items[k], elem_int(d, p, size), x, C_SCALE_DIV);
    } else if (nxf == 2 && x[0].op == C_BITMASK && x[1].op == C_SCALE_DIV) {
        for (long k = 0; k < count; k++, p += stride) {
            bluetti_value t;
            put_int(&t, elem_int(d, p, size));
            bt_xf_step(&t, C_BITMASK, &x[0]);
            bt_xf_step(&t, C_SCALE_DIV, &x[1]);
            items[k] = t;
        }
    } else if (nxf == 1 && x->op == C_BITMASK) {
        for (long k = 0; k < count; k++, p += stride)
            int_elem_xf(&items[k], elem_int(d, p, size), x, C_BITMASK);
    } else if (nxf == 1 && x->op == C_SHIFT) {
        for (long k = 0; k < count; k++, p += stride)
            int_elem_xf(&items[k], elem_int(d, p, size), x, C_SHIFT);
    } else {
        for (long k = 0; k < count; k++, p += stride) {
            put_int(&items[k], elem_int(d, p, size));
            if (!apply_xf(&items[k], x, nxf)) set_absent(&items[k], BLUETTI_ABSENT_BAD_VALUE);
        }
    }
}

/* A field whose raw 0 means "not reported" (BLUETTI_F_ZERO_UNREPORTED). */
static bool raw_zero(const uint8_t *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (p[k]) return false;
    return true;
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
        if (d.sh == 48) int_elems(items, count, p, stride, &d, 2, xf, nxf);
        else int_elems(items, count, p, stride, &d, 4, xf, nxf);
        return;
    }
    for (long k = 0; k < count; k++, p += stride) {
        if (read_scalar(&items[k], rk, p) && nxf && !apply_xf(&items[k], xf, nxf))
            set_absent(&items[k], BLUETTI_ABSENT_BAD_VALUE);
    }
}

/* Elements whose raw value is 0 are "not reported" (cold: flagged fields only). */
static void zero_elems(const struct cfield *c, bluetti_value *items, long count, const uint8_t *p)
{
    for (long k = 0; k < count; k++, p += c->stride)
        if (raw_zero(p, c->esize)) set_absent(&items[k], BLUETTI_ABSENT_NOT_REPORTED);
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
    if (c->flags & BLUETTI_F_ZERO_UNREPORTED) zero_elems(c, items, count, r->raw + start);
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
    if ((c->flags & BLUETTI_F_ZERO_UNREPORTED) && raw_zero(r->raw + start, span)) {
        set_absent(v, BLUETTI_ABSENT_NOT_REPORTED);
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
        uint64_t m = (uint64_t)c->sgn << (63 - c->sh);  /* the sign bit, for signed types */
        int64_t val;
        if (c->mode == M_BE16) {
            val = bt_int_read(p, bt_be16_idx, 2, c->sh, m);
        } else if (c->mode == M_INT) {
            val = bt_int_read(p, c->idx, 4, c->sh, m);
        } else {
            if (read_scalar(v, c->idx[0], p) && c->nxf && !apply_xf(v, xf + c->xf, c->nxf))
                set_absent(v, BLUETTI_ABSENT_BAD_VALUE);
            continue;
        }
        if (!c->nxf) {
            put_int(v, val);
            continue;
        }
        const struct cxf *x = xf + c->xf;
        if (c->nxf == 1 && x->op == C_SCALE_DIV) {  /* the catalog's most common chain */
            bluetti_value t;
            put_int(&t, val);
            bt_xf_step(&t, C_SCALE_DIV, x);
            *v = t;
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
