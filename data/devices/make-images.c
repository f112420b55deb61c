/* make-images: write the simulator's device images from per-unit value
 * files, encoding every value through the block schemas of the plugins (one
 * source of truth: the field tables that decode a block also lay it out
 * here). A development tool, not installed; `make update-images` runs it.
 *
 *   make-images PLUGIN_DIR UNIT.json OUT.json [--sim-compat]
 *   make-images --from-image PLUGIN_DIR IMAGE.json      (values file on stdout)
 *   make-images --builtin IMAGE_DIR OUT.c
 *
 * --builtin writes transport-sim's built-in images: every *.json in IMAGE_DIR
 * (in name order) as C data (plugins/transport-sim/builtin_images.c), for a
 * build without jansson, which reads no image files. `make update-images`
 * writes it right after the images; tests/plugins/device_images.sh fails
 * when the committed file differs, test_builtin_images when the table does
 * not serve what the files do.
 *
 * A unit file names the identity the image carries (model, aliases, serial,
 * protocol_version, address, envelope, description) and, per block, the
 * decoded values ("blocks": [{ "id": 100, "values": { "soc": 62, ... } }]).
 * Each value is turned back into wire bytes by inverting the field's
 * transforms (scale, offset, mask, shift) and writing its wire type and
 * word order; the block is then decoded again and every value must come
 * back unchanged, so two fields that share bits cannot disagree silently.
 * Blocks the catalog has no schema for are given as "hex". The unit's
 * physical consistency (the pack current's sign against the charging state,
 * SOC and SOH of blocks 100/6000/6100) is checked before anything is
 * written. Output: the image format plugins/transport-sim/simdev.c loads,
 * plus "envelope". --sim-compat writes what the sim loader of this tree
 * accepts: no "envelope" key, and no "address" when it is 0 (the loader
 * takes 1..247 only and defaults to 1). */
#include "config.h"

#include <bluetti/bluetti.h>

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BLOCK 512

static const char *unit_path = "";

static int fail(const char *fmt, ...) BLUETTI_PRINTF(1, 2);
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "make-images: %s: ", unit_path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* ---- encoding one value -------------------------------------------------- */

static void put_bytes(uint8_t *b, size_t size, int order, uint64_t raw, uint64_t mask)
{
    raw &= mask;
    uint8_t be[8], m[8];
    for (size_t i = 0; i < size; i++) {
        be[i] = (uint8_t)(raw >> (8 * (size - 1 - i)));
        m[i] = (uint8_t)(mask >> (8 * (size - 1 - i)));
    }
    size_t words = size / 2;
    for (size_t i = 0; i < size; i++) {
        size_t at = i;     /* wire position of big-endian byte i */
        if (size >= 4) {
            size_t w = i / 2, lo = i % 2;
            if (order == BLUETTI_ORDER_DEFAULT || order == BLUETTI_ORDER_WORDS_LE)
                at = (words - 1 - w) * 2 + lo;
            else if (order == BLUETTI_ORDER_LE)
                at = size - 1 - i;
            else if (order == BLUETTI_ORDER_BYTES_SWAPPED)
                at = w * 2 + (1 - lo);
        } else if (size == 2 && order == BLUETTI_ORDER_LE) {
            at = 1 - i;
        }
        b[at] = (uint8_t)((b[at] & ~m[i]) | be[i]);
    }
}

/* Invert the transform chain: the raw wire integer whose decoding is `v`. */
static int invert(const bluetti_field *f, double v, bool is_int, int64_t iv, uint64_t *raw,
                  uint64_t *mask)
{
    size_t n = 0;
    while (n < BLUETTI_MAX_XF && f->xf[n].op != BLUETTI_XF_END) n++;
    size_t size = bluetti_wire_type_size(f->type);
    *mask = size >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * size)) - 1;
    for (size_t k = n; k-- > 0;) {
        const bluetti_xform *x = &f->xf[k];
        switch (x->op) {
        case BLUETTI_XF_SCALE:
            v = (is_int ? (double)iv : v) / x->arg.f[0];
            is_int = false;
            break;
        case BLUETTI_XF_MINUS:
            if (is_int && x->arg.f[0] == floor(x->arg.f[0])) iv += (int64_t)x->arg.f[0];
            else v = (is_int ? (double)iv : v) + x->arg.f[0], is_int = false;
            break;
        case BLUETTI_XF_BITMASK:
            if (!is_int) iv = llround(v), is_int = true;
            iv = (int64_t)((uint64_t)iv & x->arg.u);
            *mask &= x->arg.u;
            break;
        case BLUETTI_XF_SHIFT:
            if (!is_int) iv = llround(v), is_int = true;
            iv = (int64_t)((uint64_t)iv << x->arg.u);
            *mask = (*mask << x->arg.u);
            break;
        case BLUETTI_XF_ENABLE_LIST: {
            /* the app's enable list: chunk k of w bits from the top, bits reversed */
            unsigned w = x->arg.i[0] == 3 ? 3u : 2u;
            unsigned sh = 16u - w * (unsigned)(x->arg.i[1] + 1);
            if (!is_int) iv = llround(v), is_int = true;
            uint64_t c = (uint64_t)iv & ((1u << w) - 1u), r = 0;
            for (unsigned bit = 0; bit < w; bit++)
                if (c & (1u << bit)) r |= 1u << (w - 1 - bit);
            iv = (int64_t)(r << sh);
            *mask &= (uint64_t)((1u << w) - 1u) << sh;
            break;
        }
        case BLUETTI_XF_ABS:
        case BLUETTI_XF_CLAMP:
            break;   /* the value given is already in range and of the sign to send */
        default:
            return -1;
        }
    }
    if (f->type == BLUETTI_F32) {
        float fl = (float)(is_int ? (double)iv : v);
        uint32_t bits;
        memcpy(&bits, &fl, sizeof bits);
        *raw = bits;
        return 0;
    }
    if (!is_int) iv = llround(v);
    *raw = (uint64_t)iv;
    size_t sz = bluetti_wire_type_size(f->type);
    if (sz < 8) *mask &= ((uint64_t)1 << (8 * sz)) - 1;
    return 0;
}

static int encode_scalar(uint8_t *b, size_t cap, size_t off, const bluetti_field *f,
                         const json_t *val, size_t *end)
{
    if (f->type == BLUETTI_TEXT) {
        if (!json_is_string(val)) return fail("field %s: a text field takes a string", f->name);
        const char *s = json_string_value(val);
        size_t n = strlen(s);
        if (n > f->size || off + f->size > cap)
            return fail("field %s: \"%s\" is longer than its %u bytes", f->name, s,
                        (unsigned)f->size);
        for (size_t i = 0; i < f->size; i++) {
            size_t at = (f->flags & BLUETTI_F_TEXT_SWAP) ? (i ^ 1u) : i;
            b[off + at] = i < n ? (uint8_t)s[i] : 0;
        }
        if (off + f->size > *end) *end = off + f->size;
        return 0;
    }
    if (!json_is_number(val)) return fail("field %s: expected a number", f->name);
    size_t size = bluetti_wire_type_size(f->type);
    if (off + size > cap) return fail("field %s: offset %zu beyond %d bytes", f->name, off, MAX_BLOCK);
    uint64_t raw = 0, mask = 0;
    if (invert(f, json_number_value(val), json_is_integer(val),
               json_is_integer(val) ? (int64_t)json_integer_value(val) : 0, &raw, &mask) != 0)
        return fail("field %s: its transforms (%s) cannot be inverted; give the block as hex",
                    f->name, bluetti_xf_op_name(f->xf[0].op));
    put_bytes(b + off, size, f->order, raw, mask);
    if (off + size > *end) *end = off + size;
    return 0;
}

/* Lay out every value of one block; ends[i] is where array i ended (for
 * fields placed after it). */
static int encode_block(const bluetti_block_schema *s, const json_t *values, uint8_t *b,
                        size_t *len)
{
    size_t ends[256] = { 0 };
    if (s->n_fields > 256) return fail("block %u: too many fields", (unsigned)s->id);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)values, key, val) {
        if (bluetti_schema_field_index(s, key) < 0)
            return fail("block %u has no field \"%s\"; 'bluetti-tool describe %u' lists them",
                        (unsigned)s->id, key, (unsigned)s->id);
    }
    for (uint16_t i = 0; i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        size_t start = f->offset;
        if (f->after) start += ends[bluetti_schema_field_index(s, f->after)];
        json_t *v = json_object_get(values, f->name);
        if (!v) {
            if (f->flags & BLUETTI_F_ARRAY) ends[i] = start;
            continue;
        }
        if (f->flags & BLUETTI_F_ARRAY) {
            if (!json_is_array(v)) return fail("field %s: an array field takes a list", f->name);
            size_t es = bluetti_wire_type_size(f->type), stride = f->stride ? f->stride : es;
            size_t n = json_array_size(v);
            if (n > f->size) return fail("field %s: %zu elements, at most %u", f->name, n,
                                         (unsigned)f->size);
            for (size_t k = 0; k < n; k++)
                if (encode_scalar(b, MAX_BLOCK, start + k * stride, f, json_array_get(v, k), len))
                    return 1;
            ends[i] = start + n * stride;
            continue;
        }
        if (encode_scalar(b, MAX_BLOCK, start, f, v, len)) return 1;
    }
    return 0;
}

/* The block decodes back to every value given. */
static bool same(const bluetti_value *d, const json_t *want)
{
    switch (d->kind) {
    case BLUETTI_VAL_TEXT: return json_is_string(want) && strcmp(d->v.s, json_string_value(want)) == 0;
    case BLUETTI_VAL_INT:
    case BLUETTI_VAL_UINT:
    case BLUETTI_VAL_FLOAT: {
        if (!json_is_number(want)) return false;
        double a = bluetti_value_as_double(d), w = json_number_value(want);
        return fabs(a - w) <= 1e-6 * (fabs(w) > 1 ? fabs(w) : 1);
    }
    case BLUETTI_VAL_ARRAY:
        if (!json_is_array(want) || json_array_size(want) != d->count) return false;
        for (size_t k = 0; k < d->count; k++)
            if (!same(&d->v.items[k], json_array_get(want, k))) return false;
        return true;
    default:
        return false;
    }
}

/* Decoded at the highest protocol version, so gated fields are checked too. */
static int verify(const bluetti_block_schema *s, const json_t *values, const uint8_t *b,
                  size_t len)
{
    bluetti_result *r = NULL;
    if (bluetti_result_new(s, &r) != 0) return fail("out of memory");
    bluetti_decode(r, b, len, UINT16_MAX);
    int rc = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)values, key, val) {
        const bluetti_value *d = bluetti_result_find(r, key);
        if (!d || !same(d, val)) {
            char *want = json_dumps(val, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
            rc = fail("block %u field %s: %s does not decode back (absent: %s); another field "
                      "sharing its bits disagrees, or the value does not fit the wire type",
                      (unsigned)s->id, key, want ? want : "?",
                      d && d->kind == BLUETTI_VAL_ABSENT ? bluetti_absent_text(d->absent) : "no");
            free(want);
            break;
        }
    }
    bluetti_result_free(r);
    return rc;
}

/* ---- physical consistency ------------------------------------------------ */

static const json_t *block_values(const json_t *blocks, int id)
{
    size_t i;
    json_t *b;
    json_array_foreach((json_t *)blocks, i, b)
        if (json_integer_value(json_object_get(b, "id")) == id) return json_object_get(b, "values");
    return NULL;
}

static double num(const json_t *vals, const char *name, double dflt)
{
    const json_t *v = vals ? json_object_get(vals, name) : NULL;
    return v && json_is_number(v) ? json_number_value(v) : dflt;
}

static int consistent(const json_t *blocks)
{
    const json_t *home = block_values(blocks, 100), *pack = block_values(blocks, 6000),
                 *item = block_values(blocks, 6100);
    if (home) {
        double cur = num(home, "pack_current", 0);
        int st = (int)num(home, "charging_status", 0);
        bool charging = st == 1 || st == 4 || st == 5, discharging = st == 2;
        if ((charging && cur >= 0) || (discharging && cur <= 0) || (!charging && !discharging && cur != 0))
            return fail("block 100: pack_current %.1f A does not fit charging_status %d (negative "
                        "while charging, positive while discharging, 0 otherwise)", cur, st);
    }
    if (home && pack) {
        if (num(home, "soc", -1) != num(pack, "soc", -1))
            return fail("SOC differs between block 100 (%g) and 6000 (%g)", num(home, "soc", -1),
                        num(pack, "soc", -1));
        if (num(home, "pack_current", 0) != num(pack, "current", 0))
            return fail("pack current differs between block 100 and 6000");
    }
    if (pack && item) {
        if (num(pack, "soh", -1) != num(item, "pack_soh", -1))
            return fail("SOH differs between block 6000 and 6100");
        if (num(pack, "temp_avg", -99) != num(item, "average_temp", -99))
            return fail("temperature differs between block 6000 and 6100");
    }
    return 0;
}

/* ---- image output -------------------------------------------------------- */

static json_t *hex_lines(const uint8_t *b, size_t len)
{
    json_t *lines = json_array();
    char line[16 * 5 + 1];
    for (size_t i = 0; i < len; i += 32) {
        size_t p = 0;
        for (size_t k = i; k < len && k < i + 32; k += 2)
            p += (size_t)snprintf(line + p, sizeof line - p, "%s%02x%02x", k == i ? "" : " ",
                                  b[k], k + 1 < len ? b[k + 1] : 0);
        json_array_append_new(lines, json_string(line));
    }
    if (json_array_size(lines) == 1) {
        json_t *one = json_incref(json_array_get(lines, 0));
        json_decref(lines);
        return one;
    }
    return lines;
}

static size_t profile_bytes(const bluetti_profile *p, uint16_t id)
{
    for (const bluetti_block_size *z = p ? p->sizes : NULL; z && z->block; z++)
        if (z->block == id) return z->bytes;
    return 0;
}

static int make_image(bluetti_registry *reg, const char *in, const char *out, bool envelope)
{
    unit_path = in;
    json_error_t je;
    json_t *u = json_load_file(in, 0, &je);
    if (!u) return fail("line %d: %s", je.line, je.text);
    int rc = 0;
    json_t *img = json_object(), *ranges = json_array();
    const char *model = json_string_value(json_object_get(u, "model"));
    const bluetti_profile *prof = model ? bluetti_registry_find_profile(reg, model) : NULL;
    if (!prof) rc = fail("\"model\" must name a loaded profile ('bluetti-tool models')");
    static const char *const ident[] = { "model", "aliases", "serial", "protocol_version",
                                         "address", "description", NULL };
    for (size_t i = 0; !rc && ident[i]; i++) {
        json_t *v = json_object_get(u, ident[i]);
        /* compatibility: the sim loader of this tree takes addresses 1..247 only */
        if (v && !envelope && strcmp(ident[i], "address") == 0 && json_integer_value(v) == 0)
            continue;
        if (v) json_object_set(img, ident[i], v);
    }
    if (!rc) {
        json_t *e = json_object_get(u, "envelope");
        const char *es = json_string_value(e);
        if (!es || (strcmp(es, "new") && strcmp(es, "old") && strcmp(es, "raw")))
            rc = fail("\"envelope\" must be \"new\", \"old\" or \"raw\" (the cloud "
                      "message envelope this unit uses)");
        else if (envelope) json_object_set(img, "envelope", e);
    }
    json_object_set_new(img, "note", json_string("generated by make-images from "
                                                 "data/devices/units/; edit the unit file, not this one"));
    json_t *blocks = json_object_get(u, "blocks");
    if (!rc && !json_is_array(blocks)) rc = fail("\"blocks\" must be a list");
    if (!rc) rc = consistent(blocks);
    size_t i;
    json_t *bj;
    json_array_foreach(blocks, i, bj) {
        if (rc) break;
        int id = (int)json_integer_value(json_object_get(bj, "id"));
        json_t *hex = json_object_get(bj, "hex"), *vals = json_object_get(bj, "values");
        json_t *r = json_object();
        json_object_set_new(r, "start", json_integer(id));
        /* the block as this model decodes it: the profile's overrides applied,
         * so a value means on the image what it means on the unit */
        const bluetti_block_schema *s = bluetti_registry_find_block(reg, (uint16_t)id);
        bluetti_result *patched = NULL;
        char why[256] = "";
        if (s && !hex && bluetti_result_new_for_profile(s, prof, &patched, why, sizeof why) != 0)
            rc = fail("block %d: %s", id, *why ? why : "out of memory");
        if (patched) s = bluetti_result_schema(patched);
        if (rc) {
            json_decref(r);
            break;
        }
        if (hex) {
            json_object_set(r, "name", json_object_get(bj, "name") ? json_object_get(bj, "name")
                                                                    : json_string(""));
            json_object_set(r, "hex", hex);
        } else if (!s) {
            rc = fail("block %d: no schema is loaded for it; give it as \"hex\"", id);
        } else {
            uint8_t b[MAX_BLOCK] = { 0 };
            size_t len = 0;
            json_t *none = vals ? NULL : json_object();
            rc = encode_block(s, vals ? vals : none, b, &len);
            json_decref(none);
            /* at least what the profile requests (else what the schema
             * requests), more if the unit file says so or the values need it */
            size_t want = (size_t)json_integer_value(json_object_get(bj, "bytes"));
            size_t read = profile_bytes(prof, s->id);
            if (!read) read = bluetti_schema_read_length(s);
            if (read > want) want = read;
            if (len > want) want = len;
            want = (want + 1) & ~(size_t)1;
            if (!rc && want > MAX_BLOCK) rc = fail("block %d: %zu bytes is too long", id, want);
            if (!rc && vals) rc = verify(s, vals, b, want);
            json_object_set_new(r, "name", json_string(s->name));
            json_object_set_new(r, "hex", hex_lines(b, want));
        }
        bluetti_result_free(patched);
        json_array_append_new(ranges, r);
    }
    json_object_set_new(img, "ranges", ranges);
    if (!rc && json_dump_file(img, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
        rc = fail("cannot write %s", out);
    json_decref(img);
    json_decref(u);
    return rc;
}

/* ---- bootstrap: a values file from an existing image --------------------- */

static json_t *value_json(const bluetti_value *v)
{
    switch (v->kind) {
    case BLUETTI_VAL_INT: return json_integer(v->v.i);
    case BLUETTI_VAL_UINT: return json_integer((json_int_t)v->v.u);
    case BLUETTI_VAL_FLOAT: {
        double r = round(v->v.f * 1e6) / 1e6;
        return r == floor(r) && fabs(r) < 1e15 ? json_integer((json_int_t)r) : json_real(r);
    }
    case BLUETTI_VAL_TEXT: return json_string(v->v.s);
    case BLUETTI_VAL_ARRAY: {
        json_t *a = json_array();
        for (size_t k = 0; k < v->count; k++) json_array_append_new(a, value_json(&v->v.items[k]));
        return a;
    }
    default: return NULL;
    }
}

static int from_image(bluetti_registry *reg, const char *path)
{
    unit_path = path;
    json_error_t je;
    json_t *img = json_load_file(path, 0, &je);
    if (!img) return fail("line %d: %s", je.line, je.text);
    json_t *u = json_object(), *blocks = json_array();
    const char *key;
    json_t *val;
    json_object_foreach(img, key, val)
        if (strcmp(key, "ranges") && strcmp(key, "note")) json_object_set(u, key, val);
    if (!json_object_get(u, "envelope")) json_object_set_new(u, "envelope", json_string("new"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(img, "ranges"), i, r) {
        int id = (int)json_integer_value(json_object_get(r, "start"));
        json_t *hex = json_object_get(r, "hex");
        char *joined = NULL;
        size_t jl = 0;
        FILE *m = open_memstream(&joined, &jl);
        if (json_is_string(hex)) fputs(json_string_value(hex), m);
        size_t k;
        json_t *line;
        json_array_foreach(hex, k, line) fprintf(m, "%s ", json_string_value(line));
        fclose(m);
        uint8_t b[MAX_BLOCK];
        size_t len = 0;
        long hrc = joined ? bluetti_hex_parse(joined, strlen(joined), b, sizeof b, NULL) : -1;
        free(joined);
        if (hrc >= 0) len = (size_t)hrc;
        const bluetti_block_schema *s = bluetti_registry_find_block(reg, (uint16_t)id);
        json_t *bo = json_object();
        json_object_set_new(bo, "id", json_integer(id));
        if (!s || hrc < 0) {
            json_object_set(bo, "name", json_object_get(r, "name"));
            json_object_set(bo, "hex", hex);
        } else {
            json_object_set_new(bo, "bytes", json_integer((json_int_t)len));
            bluetti_result *res = NULL;
            bluetti_result_new(s, &res);
            bluetti_decode(res, b, len, UINT16_MAX);   /* every gated field too */
            json_t *vals = json_object();
            for (size_t f = 0; f < bluetti_result_count(res); f++) {
                json_t *j = value_json(bluetti_result_value(res, f));
                if (j) json_object_set_new(vals, s->fields[f].name, j);
            }
            bluetti_result_free(res);
            json_object_set_new(bo, "values", vals);
        }
        json_array_append_new(blocks, bo);
    }
    json_object_set_new(u, "blocks", blocks);
    json_dumpf(u, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    putchar('\n');
    json_decref(u);
    json_decref(img);
    return 0;
}

/* ---- the built-in images: image files as C data -------------------------- */

/* s as a C string literal (quotes, backslashes and non-printables escaped). */
static void c_string(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(o, "\\%c", c);
        else if (isprint(c)) fputc(c, o);
        else fprintf(o, "\\%03o", c);
    }
    fputc('"', o);
}

/* The range's hex (one string or lines) as bytes; NULL and *len 0 when bad. */
static uint8_t *range_bytes(const json_t *hex, size_t *len)
{
    char *joined = NULL;
    size_t jl = 0;
    FILE *m = open_memstream(&joined, &jl);
    if (!m) return NULL;
    if (json_is_string(hex)) fputs(json_string_value(hex), m);
    size_t k;
    json_t *line;
    json_array_foreach(hex, k, line) fprintf(m, "%s ", json_string_value(line));
    fclose(m);
    uint8_t *b = joined ? malloc(jl / 2 + 1) : NULL;
    long n = b ? bluetti_hex_parse(joined, strlen(joined), b, jl / 2 + 1, NULL) : -1;
    free(joined);
    if (n <= 0 || n % 2) {
        free(b);
        *len = 0;
        return NULL;
    }
    *len = (size_t)n;
    return b;
}

/* One image's data: its aliases, its registers range by range, the range table. */
static int builtin_data(FILE *o, const char *id, const json_t *img)
{
    const json_t *aliases = json_object_get(img, "aliases");
    if (json_array_size(aliases)) {
        fprintf(o, "static const char *const %s_aliases[] = { ", id);
        size_t k;
        json_t *a;
        json_array_foreach(aliases, k, a) {
            if (k) fputs(", ", o);
            c_string(o, json_string_value(a));
        }
        fputs(" };\n", o);
    }
    const json_t *ranges = json_object_get(img, "ranges");
    /* each range's register count, for the range table after the data */
    size_t *counts = calloc(json_array_size(ranges) + 1, sizeof *counts);
    if (!counts) return fail("out of memory");
    size_t i;
    json_t *r;
    json_array_foreach(ranges, i, r) {
        size_t len = 0;
        uint8_t *b = range_bytes(json_object_get(r, "hex"), &len);
        if (!b) {
            free(counts);
            return fail("ranges[%zu]: bad hex (the sim loader says where)", i);
        }
        counts[i] = len / 2;
        fprintf(o, "static const uint16_t %s_r%zu[] = {", id, i);
        for (size_t k = 0; k < len; k += 2)
            fprintf(o, "%s0x%02x%02x,", k % 16 ? " " : "\n    ", b[k], b[k + 1]);
        fputs("\n};\n", o);
        free(b);
    }
    fprintf(o, "static const bt_sim_image_range %s_ranges[] = {\n", id);
    json_array_foreach(ranges, i, r) {
        const char *name = json_string_value(json_object_get(r, "name"));
        fprintf(o, "    { %d, %zu, %s_r%zu },", (int)json_integer_value(json_object_get(r, "start")),
                counts[i], id, i);
        if (name && *name) fprintf(o, " /* %s */", name);
        fputc('\n', o);
    }
    fputs("};\n\n", o);
    free(counts);
    return 0;
}

/* Its entry in the table; the defaults are the sim loader's. */
static void builtin_entry(FILE *o, const char *file, const char *id, const json_t *img)
{
    const json_t *pv = json_object_get(img, "protocol_version"), *ad = json_object_get(img, "address");
    long version = pv ? (long)json_integer_value(pv) : 2000;
    const char *env = json_string_value(json_object_get(img, "envelope"));
    if (!env) env = version >= 2000 ? "new" : "old";
    const char *desc = json_string_value(json_object_get(img, "description"));
    size_t n_aliases = json_array_size(json_object_get(img, "aliases"));
    fprintf(o, "    { \"%s\",\n      { .model = ", file);
    c_string(o, json_string_value(json_object_get(img, "model")));
    if (n_aliases) fprintf(o, ", .aliases = %s_aliases, .n_aliases = %zu", id, n_aliases);
    fputs(",\n        .serial = ", o);
    c_string(o, json_string_value(json_object_get(img, "serial")));
    fprintf(o, ", .protocol_version = %ld, .address = %ld,\n        .envelope = %s,\n", version,
            ad ? (long)json_integer_value(ad) : 1L,
            !strcmp(env, "old") ? "BLUETTI_ENVELOPE_OLD"
            : !strcmp(env, "raw") ? "BLUETTI_ENVELOPE_RAW" : "BLUETTI_ENVELOPE_NEW");
    if (desc) {
        fputs("        .description = ", o);
        c_string(o, desc);
        fputs(",\n", o);
    }
    fprintf(o, "        .ranges = %s_ranges, .n_ranges = %zu } },\n", id,
            json_array_size(json_object_get(img, "ranges")));
}

static int json_file(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".json");
}

static int write_builtin(const char *dir, const char *out)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, json_file, alphasort);   /* C locale: byte order */
    unit_path = dir;
    if (n <= 0) return fail("no device images (*.json) to read");
    json_t **imgs = calloc((size_t)n, sizeof *imgs);
    char (*ids)[64] = calloc((size_t)n, sizeof *ids);
    FILE *o = imgs && ids ? fopen(out, "w") : NULL;
    int rc = o ? 0 : fail("cannot write %s", out);
    if (o)
        fputs("/* builtin_images.c: the device images of data/devices compiled in, which\n"
              " * transport-sim serves in a build without jansson (it reads no image\n"
              " * files). GENERATED by make-images --builtin (`make update-images`): do not\n"
              " * edit. tests/plugins/device_images.sh fails when it differs from what the\n"
              " * images give, test_builtin_images when it serves other registers. */\n"
              "#include \"config.h\"\n\n#include \"simdev.h\"\n\n", o);
    for (int i = 0; i < n && !rc; i++) {
        const char *file = names[i]->d_name;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        unit_path = path;
        json_error_t je;
        imgs[i] = json_load_file(path, 0, &je);
        if (!imgs[i]) {
            rc = fail("line %d: %s", je.line, je.text);
            break;
        }
        /* C names: img_ and the file name up to its first '.', other characters as '_' */
        size_t k = 4;
        memcpy(ids[i], "img_", 4);
        for (const char *c = file; *c && *c != '.' && k < sizeof ids[i] - 1; c++)
            ids[i][k++] = isalnum((unsigned char)*c) ? *c : '_';
        ids[i][k] = '\0';
        if (!json_is_string(json_object_get(imgs[i], "model")) ||
            !json_is_string(json_object_get(imgs[i], "serial")) ||
            !json_is_array(json_object_get(imgs[i], "ranges"))) {
            rc = fail("not a device image (model, serial and ranges are required)");
        } else {
            fprintf(o, "/* %s */\n", file);
            rc = builtin_data(o, ids[i], imgs[i]);
        }
    }
    if (!rc) {
        fputs("const bt_sim_builtin bt_sim_builtin_images[] = {\n", o);
        for (int i = 0; i < n; i++) builtin_entry(o, names[i]->d_name, ids[i], imgs[i]);
        fputs("};\nconst size_t bt_sim_n_builtin_images =\n"
              "    sizeof bt_sim_builtin_images / sizeof bt_sim_builtin_images[0];\n", o);
    }
    if (o && fclose(o) != 0 && !rc) rc = fail("cannot write %s", out);
    if (rc && o) remove(out);
    for (int i = 0; i < n; i++) {
        json_decref(imgs ? imgs[i] : NULL);
        free(names[i]);
    }
    free(names);
    free(imgs);
    free(ids);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--builtin") == 0) return write_builtin(argv[2], argv[3]);
    bool boot = argc == 4 && strcmp(argv[1], "--from-image") == 0;
    bool envelope = !(argc == 5 && strcmp(argv[4], "--sim-compat") == 0);
    if (!boot && argc != 4 && !(argc == 5 && !envelope)) {
        fprintf(stderr, "usage: make-images PLUGIN_DIR UNIT.json OUT.json [--sim-compat]\n"
                        "       make-images --from-image PLUGIN_DIR IMAGE.json\n"
                        "       make-images --builtin IMAGE_DIR OUT.c\n");
        return 2;
    }
    bluetti_registry *reg = NULL;
    if (bluetti_registry_new(&reg) != 0) return 1;
    const char *dir = boot ? argv[2] : argv[1];
    if (bluetti_registry_load_dir(reg, dir, BLUETTI_LOAD_ALLOW_UNSAFE) <= 0) {
        fprintf(stderr, "make-images: no plugins loaded from %s\n", dir);
        bluetti_registry_free(reg);
        return 1;
    }
    int rc = boot ? from_image(reg, argv[3]) : make_image(reg, argv[2], argv[3], envelope);
    bluetti_registry_free(reg);
    return rc;
}
