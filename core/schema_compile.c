/* Schema compilation: a bluetti_block_schema becomes the compiled
 * per-result tables the decode loop runs over (read kinds per type and
 * order, resolved field links, transform arguments checked for
 * integrality, the packed hot-loop entries), all in one arena. */
#include "config.h"

#include "decode_int.h"

#include <stdlib.h>

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
        c->rk = (array || f->after || f->type == BLUETTI_TEXT || f->min_protocol ||
                 (f->flags & BLUETTI_F_ZERO_UNREPORTED))
                    ? RK_SLOW
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

