/* Rendering decoded blocks and schema details as text tables and JSON. */
#include "config.h"

#include "tool.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MASK "***"

/* ---- text pieces -------------------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *text)
{
    size_t n = strlen(text);
    if (b->len + n + 1 > b->cap) {
        size_t nc = (b->cap ? b->cap * 2 : 64);
        while (nc < b->len + n + 1) nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) return;
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->len, text, n + 1);
    b->len += n;
}

static char *sb_take(sbuf *b)
{
    if (!b->s) return strdup("");
    return b->s;
}

static void scalar_text(const bluetti_value *v, char *buf, size_t cap)
{
    switch (v->kind) {
    case BLUETTI_VAL_INT: snprintf(buf, cap, "%" PRId64, v->v.i); break;
    case BLUETTI_VAL_UINT: snprintf(buf, cap, "%" PRIu64, v->v.u); break;
    case BLUETTI_VAL_FLOAT: format_double(v->v.f, buf, cap); break;
    case BLUETTI_VAL_TEXT: snprintf(buf, cap, "%s", v->v.s ? v->v.s : ""); break;
    default: snprintf(buf, cap, "-"); break;
    }
}

static bool int_of(const bluetti_value *v, int64_t *out)
{
    if (v->kind == BLUETTI_VAL_INT) { *out = v->v.i; return true; }
    if (v->kind == BLUETTI_VAL_UINT && v->v.u <= INT64_MAX) { *out = (int64_t)v->v.u; return true; }
    if (v->kind == BLUETTI_VAL_FLOAT && v->v.f == floor(v->v.f) && fabs(v->v.f) < 9e15) {
        *out = (int64_t)v->v.f;
        return true;
    }
    return false;
}

static void array_text(sbuf *b, const bluetti_value *v)
{
    sb_add(b, "[");
    for (uint16_t i = 0; i < v->count; i++) {
        if (i) sb_add(b, ", ");
        const bluetti_value *it = &v->v.items[i];
        if (it->kind == BLUETTI_VAL_ARRAY) {
            array_text(b, it);
        } else {
            char tmp[256];
            scalar_text(it, tmp, sizeof tmp);
            sb_add(b, tmp);
        }
    }
    sb_add(b, "]");
}

char *value_text(const bluetti_field *f, const bluetti_value *v, bool show_secrets)
{
    if (v->kind == BLUETTI_VAL_ABSENT) return strdup("-");
    if ((f->flags & BLUETTI_F_SENSITIVE) && !show_secrets) return strdup(MASK);
    sbuf b = { 0 };
    if (v->kind == BLUETTI_VAL_ARRAY) {
        array_text(&b, v);
        return sb_take(&b);
    }
    char tmp[512];
    scalar_text(v, tmp, sizeof tmp);
    sb_add(&b, tmp);
    return sb_take(&b);
}

char *value_names(const bluetti_field *f, const bluetti_value *v, bool show_secrets)
{
    int64_t iv;
    if (v->kind == BLUETTI_VAL_ABSENT || !int_of(v, &iv)) return NULL;
    if ((f->flags & BLUETTI_F_SENSITIVE) && !show_secrets) return NULL;
    sbuf b = { 0 };
    const char *name = f->enums ? bluetti_field_enum_name(f, iv) : NULL;
    if (name) sb_add(&b, name);
    for (const bluetti_bit_name *bn = f->bits; bn && bn->name; bn++) {
        if (bn->bit >= 64 || !(((uint64_t)iv >> bn->bit) & 1u)) continue;
        if (b.len) sb_add(&b, ", ");
        sb_add(&b, bn->name);
    }
    return b.s;
}

char *xform_text(const bluetti_field *f)
{
    sbuf b = { 0 };
    for (size_t i = 0; i < BLUETTI_MAX_XF && f->xf[i].op != BLUETTI_XF_END; i++) {
        const bluetti_xform *x = &f->xf[i];
        char tmp[128], a[32], c[32];
        const char *name = bluetti_xf_op_name(x->op);
        switch (x->op) {
        case BLUETTI_XF_SCALE:
        case BLUETTI_XF_MINUS:
            format_double(x->arg.f[0], a, sizeof a);
            snprintf(tmp, sizeof tmp, "%s:%s", name, a);
            break;
        case BLUETTI_XF_CLAMP:
            format_double(x->arg.f[0], a, sizeof a);
            format_double(x->arg.f[1], c, sizeof c);
            snprintf(tmp, sizeof tmp, "%s:%s:%s", name, a, c);
            break;
        case BLUETTI_XF_BITMASK:
            snprintf(tmp, sizeof tmp, "%s:0x%" PRIx64, name, x->arg.u);
            break;
        case BLUETTI_XF_SHIFT:
            snprintf(tmp, sizeof tmp, "%s:%" PRIu64, name, x->arg.u);
            break;
        case BLUETTI_XF_ENABLE_LIST:
            snprintf(tmp, sizeof tmp, "%s:%" PRId64 ":%" PRId64, name, x->arg.i[0], x->arg.i[1]);
            break;
        default:
            snprintf(tmp, sizeof tmp, "%s", name);
            break;
        }
        if (i) sb_add(&b, ", ");
        sb_add(&b, tmp);
    }
    return sb_take(&b);
}

char *field_type_text(const bluetti_field *f)
{
    const char *base = bluetti_wire_type_name(f->type);
    if (f->flags & BLUETTI_F_ARRAY) {
        sbuf b = { 0 };
        char tmp[160];
        snprintf(tmp, sizeof tmp, "%s[%u]", base, (unsigned)f->size);
        sb_add(&b, tmp);
        if (f->stride) {
            snprintf(tmp, sizeof tmp, " stride %u", (unsigned)f->stride);
            sb_add(&b, tmp);
        }
        if (f->count_from) {
            sb_add(&b, " count ");
            sb_add(&b, f->count_from);
        }
        return sb_take(&b);
    }
    if (f->type == BLUETTI_TEXT) return xasprintf("text[%u]", (unsigned)f->size);
    return strdup(base);
}

const char *field_order_text(const bluetti_field *f)
{
    switch (f->type) {
    case BLUETTI_TEXT:
        return (f->flags & BLUETTI_F_TEXT_SWAP) ? "swapped" : "-";
    case BLUETTI_U8:
    case BLUETTI_I8:
        return "-";
    case BLUETTI_U16:
    case BLUETTI_I16:
        return (f->order == BLUETTI_ORDER_LE || f->order == BLUETTI_ORDER_BYTES_SWAPPED) ? "ba"
                                                                                          : "-";
    default:
        return f->order == BLUETTI_ORDER_DEFAULT ? bluetti_order_name(BLUETTI_ORDER_WORDS_LE)
                                                 : bluetti_order_name(f->order);
    }
}

char *field_offset_text(const bluetti_field *f)
{
    if (f->after) return xasprintf("+%u after %s", (unsigned)f->offset, f->after);
    return xasprintf("%u", (unsigned)f->offset);
}

const char *block_class_name(int c)
{
    return c == BLUETTI_BLOCK_SETTINGS ? "settings" : "info";
}

/* ---- decoded blocks ------------------------------------------------------------ */

static json_t *scalar_json(const bluetti_value *v)
{
    switch (v->kind) {
    case BLUETTI_VAL_INT: return json_integer((json_int_t)v->v.i);
    case BLUETTI_VAL_UINT:
        return v->v.u <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v->v.u)
                                             : json_real((double)v->v.u);
    case BLUETTI_VAL_FLOAT: return isfinite(v->v.f) ? json_real(v->v.f) : json_null();
    case BLUETTI_VAL_TEXT: return json_string(v->v.s ? v->v.s : "");
    case BLUETTI_VAL_ARRAY: {
        json_t *a = json_array();
        for (uint16_t i = 0; i < v->count; i++) json_array_append_new(a, scalar_json(&v->v.items[i]));
        return a;
    }
    default: return json_null();
    }
}

static json_t *field_json(const bluetti_field *f, const bluetti_value *v, const out_opts *o)
{
    json_t *fo = json_object();
    bool masked = (f->flags & BLUETTI_F_SENSITIVE) && !o->show_secrets;
    json_object_set_new(fo, "value", masked ? json_string(MASK) : scalar_json(v));
    if (f->unit && *f->unit) json_object_set_new(fo, "unit", json_string(f->unit));
    if (masked) json_object_set_new(fo, "masked", json_true());
    int64_t iv;
    if (!masked && int_of(v, &iv)) {
        const char *name = f->enums ? bluetti_field_enum_name(f, iv) : NULL;
        if (name) json_object_set_new(fo, "enum", json_string(name));
        if (f->bits) {
            json_t *bits = json_array();
            for (const bluetti_bit_name *bn = f->bits; bn->name; bn++)
                if (bn->bit < 64 && (((uint64_t)iv >> bn->bit) & 1u))
                    json_array_append_new(bits, json_string(bn->name));
            json_object_set_new(fo, "bits", bits);
        }
    }
    if (o->evidence)
        json_object_set_new(fo, "evidence", json_string(bluetti_evidence_name(f->evidence)));
    return fo;
}

json_t *result_json(const bluetti_result *r, const out_opts *o)
{
    const bluetti_block_schema *s = bluetti_result_schema(r);
    size_t len = 0;
    const uint8_t *raw = bluetti_result_raw(r, &len);
    json_t *doc = json_object();
    json_object_set_new(doc, "block", json_integer(s->id));
    json_object_set_new(doc, "name", json_string(s->name ? s->name : ""));
    json_object_set_new(doc, "length", json_integer((json_int_t)len));
    json_object_set_new(doc, "protocol_version",
                        json_integer(bluetti_result_protocol_version(r)));
    json_object_set_new(doc, "valid", json_boolean(bluetti_result_valid(r)));
    json_object_set_new(doc, "timestamp", json_real(bluetti_result_timestamp(r)));
    json_t *fields = json_object(), *absent = json_object();
    size_t n = bluetti_result_count(r);
    for (size_t i = 0; i < n && i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        const bluetti_value *v = bluetti_result_value(r, i);
        if (!v) continue;
        if (v->kind == BLUETTI_VAL_ABSENT)
            json_object_set_new(absent, f->name, json_string(bluetti_absent_text(v->absent)));
        else
            json_object_set_new(fields, f->name, field_json(f, v, o));
    }
    json_object_set_new(doc, "fields", fields);
    json_object_set_new(doc, "absent", absent);
    json_t *warn = json_array();
    for (size_t i = 0; i < bluetti_result_warning_count(r); i++)
        json_array_append_new(warn, json_string(bluetti_result_warning(r, i)));
    json_object_set_new(doc, "warnings", warn);
    char *hex = hex_string(raw, len, 0);
    json_object_set_new(doc, "raw", json_string(hex ? hex : ""));
    free(hex);
    return doc;
}

void result_print(const bluetti_result *r, const out_opts *o, FILE *out)
{
    const bluetti_block_schema *s = bluetti_result_schema(r);
    size_t len = 0;
    bluetti_result_raw(r, &len);
    fprintf(out, "block %u %s: %zu bytes, protocol version %u%s\n", (unsigned)s->id,
            s->name ? s->name : "?", len, (unsigned)bluetti_result_protocol_version(r),
            bluetti_result_valid(r) ? "" : " (INVALID)");
    table *tb = table_new(5);
    size_t n = bluetti_result_count(r);
    for (size_t i = 0; i < n && i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        const bluetti_value *v = bluetti_result_value(r, i);
        if (!v) continue;
        char *val = value_text(f, v, o->show_secrets);
        char *names = v->kind == BLUETTI_VAL_ABSENT
                          ? xasprintf("(absent: %s)", bluetti_absent_text(v->absent))
                          : value_names(f, v, o->show_secrets);
        char *ev = o->evidence ? xasprintf("[%s]", bluetti_evidence_name(f->evidence)) : NULL;
        const char *cells[5] = { f->name, val, v->kind == BLUETTI_VAL_ABSENT ? "" : f->unit, ev,
                                 names };
        table_add(tb, cells);
        free(val);
        free(names);
        free(ev);
    }
    table_print(tb, out, "  ");
    table_free(tb);
    for (size_t i = 0; i < bluetti_result_warning_count(r); i++) {
        fputs("  warning: ", out); /* warnings may quote what the device sent */
        bt_fput_safe(bluetti_result_warning(r, i), out);
        fputc('\n', out);
    }
}
