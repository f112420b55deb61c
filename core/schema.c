/* Block schemas and profiles: names, sizes and the validation that runs
 * when a plugin registers them, so the decoder can trust what it is given. */
#include "config.h"

#include "internal.h"
#include "write_int.h"
#include "bt_strindex.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 4096u
#define KNOWN_FLAGS (BLUETTI_F_REQUIRED | BLUETTI_F_TEXT_SWAP | BLUETTI_F_KEEP_SPACES | \
                     BLUETTI_F_SENSITIVE | BLUETTI_F_ARRAY | BLUETTI_F_ZERO_UNREPORTED)

size_t bluetti_wire_type_size(int type)
{
    switch (type) {
    case BLUETTI_U8: case BLUETTI_I8: case BLUETTI_TEXT: return 1;
    case BLUETTI_U16: case BLUETTI_I16: return 2;
    case BLUETTI_U32: case BLUETTI_I32: case BLUETTI_F32: return 4;
    case BLUETTI_U64: case BLUETTI_I64: return 8;
    default: return 0;
    }
}

const char *bluetti_wire_type_name(int type)
{
    switch (type) {
    case BLUETTI_U8: return "u8";
    case BLUETTI_I8: return "i8";
    case BLUETTI_U16: return "u16";
    case BLUETTI_I16: return "i16";
    case BLUETTI_U32: return "u32";
    case BLUETTI_I32: return "i32";
    case BLUETTI_U64: return "u64";
    case BLUETTI_I64: return "i64";
    case BLUETTI_F32: return "f32";
    case BLUETTI_TEXT: return "text";
    default: return "?";
    }
}

const char *bluetti_order_name(int order)
{
    switch (order) {
    case BLUETTI_ORDER_DEFAULT: return "default";
    case BLUETTI_ORDER_WORDS_LE: return "cdab";
    case BLUETTI_ORDER_BE: return "abcd";
    case BLUETTI_ORDER_LE: return "dcba";
    case BLUETTI_ORDER_BYTES_SWAPPED: return "badc";
    default: return "?";
    }
}

const char *bluetti_evidence_name(int evidence)
{
    switch (evidence) {
    case BLUETTI_EV_REFERENCE: return "reference";
    case BLUETTI_EV_CONFIRMED: return "device-confirmed";
    case BLUETTI_EV_UNVERIFIED: return "unverified";
    default: return "?";
    }
}

const char *bluetti_xf_op_name(int op)
{
    switch (op) {
    case BLUETTI_XF_END: return "end";
    case BLUETTI_XF_ABS: return "abs";
    case BLUETTI_XF_SCALE: return "scale";
    case BLUETTI_XF_MINUS: return "minus";
    case BLUETTI_XF_BITMASK: return "bitmask";
    case BLUETTI_XF_SHIFT: return "shift";
    case BLUETTI_XF_CLAMP: return "clamp";
    case BLUETTI_XF_ENABLE_LIST: return "enable_list";
    default: return "?";
    }
}

size_t bluetti_field_span(const bluetti_field *f)
{
    if (!f) return 0;
    size_t es = bluetti_wire_type_size(f->type);
    if (f->flags & BLUETTI_F_ARRAY) return (size_t)f->size * (f->stride ? f->stride : es);
    if (f->type == BLUETTI_TEXT) return f->size;
    return es;
}

size_t bluetti_schema_read_length(const bluetti_block_schema *s)
{
    if (!s) return 0;
    if (s->read_length) return s->read_length;
    size_t end = s->min_length;
    for (size_t i = 0; s->fields && i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        if (f->after) continue;  /* placed by the data, not by the schema */
        size_t e = (size_t)f->offset + bluetti_field_span(f);
        if (e > end) end = e;
    }
    return (end + 1) & ~(size_t)1;
}

const char *bluetti_field_enum_name(const bluetti_field *f, int64_t value)
{
    if (!f || !f->enums) return NULL;
    for (const bluetti_enum_name *e = f->enums; e->name; e++)
        if (e->value == value) return e->name;
    return NULL;
}

int bluetti_schema_field_index(const bluetti_block_schema *s, const char *name)
{
    if (!s || !s->fields || !name) return -1;
    for (size_t i = 0; i < s->n_fields; i++)
        if (s->fields[i].name && strcmp(s->fields[i].name, name) == 0) return (int)i;
    return -1;
}

/* ---- validation ----------------------------------------------------------- */

/* Open-addressing set of field names seen so far (indices + 1) at most
 * half full, so validation stays linear. Small schemas (nearly all) use a
 * 512-byte table on the stack; large ones one allocation. */
#define NAME_SLOTS_STACK 256u

struct nameset {
    uint16_t *slots;
    unsigned mask;              /* slot count - 1 (a power of two) */
};

static unsigned name_hash(const struct nameset *ns, const char *s)
{
    return (unsigned)(bt_str_hash(s) & ns->mask);
}

/* Index of `name` among the fields inserted so far, or -1. */
static int name_find(const struct nameset *ns, const bluetti_field *fields, const char *name)
{
    for (unsigned h = name_hash(ns, name);; h = (h + 1) & ns->mask) {
        if (!ns->slots[h]) return -1;
        if (strcmp(fields[ns->slots[h] - 1].name, name) == 0) return ns->slots[h] - 1;
    }
}

static void name_insert(struct nameset *ns, const char *name, size_t index)
{
    unsigned h = name_hash(ns, name);
    while (ns->slots[h]) h = (h + 1) & ns->mask;
    ns->slots[h] = (uint16_t)(index + 1);
}

static int bad_block(char *why, size_t len, const bluetti_block_schema *s, const char *fmt, ...)
    BLUETTI_PRINTF(4, 5);
static int bad_block(char *why, size_t len, const bluetti_block_schema *s, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bt_fmt(why, len, "block %u (%s): %s", (unsigned)s->id,
           s->name && *s->name ? s->name : "unnamed", msg);
    return BLUETTI_E_SCHEMA;
}

static int bad_field(char *why, size_t len, const bluetti_block_schema *s, size_t i,
                     const char *fmt, ...) BLUETTI_PRINTF(5, 6);
static int bad_field(char *why, size_t len, const bluetti_block_schema *s, size_t i,
                     const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *name = s->fields[i].name;
    return bad_block(why, len, s, "field %zu '%s': %s", i, name ? name : "", msg);
}

static bool is_integer_type(int t)
{
    return t >= BLUETTI_U8 && t <= BLUETTI_I64;
}

static int check_xforms(const bluetti_block_schema *s, size_t i, char *why, size_t len)
{
    const bluetti_field *f = &s->fields[i];
    for (unsigned k = 0; k < BLUETTI_MAX_XF && f->xf[k].op != BLUETTI_XF_END; k++) {
        const bluetti_xform *x = &f->xf[k];
        if (f->type == BLUETTI_TEXT)
            return bad_field(why, len, s, i, "text fields take no transforms");
        switch (x->op) {
        case BLUETTI_XF_ABS:
        case BLUETTI_XF_BITMASK:
            break;
        case BLUETTI_XF_SCALE:
            if (!isfinite(x->arg.f[0]) || x->arg.f[0] == 0)
                return bad_field(why, len, s, i, "transform %u: scale factor %g must be finite "
                                 "and not 0", k + 1, x->arg.f[0]);
            break;
        case BLUETTI_XF_MINUS:
            if (!isfinite(x->arg.f[0]))
                return bad_field(why, len, s, i, "transform %u: minus needs a finite number",
                                 k + 1);
            break;
        case BLUETTI_XF_SHIFT:
            if (x->arg.u >= 64)
                return bad_field(why, len, s, i, "transform %u: shift by %llu bits (must be "
                                 "below 64)", k + 1, (unsigned long long)x->arg.u);
            break;
        case BLUETTI_XF_CLAMP:
            if (!isfinite(x->arg.f[0]) || !isfinite(x->arg.f[1]) || !(x->arg.f[0] < x->arg.f[1]))
                return bad_field(why, len, s, i, "transform %u: clamp bounds %g..%g must be "
                                 "finite with low < high", k + 1, x->arg.f[0], x->arg.f[1]);
            break;
        case BLUETTI_XF_ENABLE_LIST: {
            int64_t max = x->arg.i[0] == 3 ? 4 : 7;  /* 5 chunks of 3 bits, or 8 of 2 */
            if (x->arg.i[1] < 0 || x->arg.i[1] > max)
                return bad_field(why, len, s, i, "transform %u: enable-list index %lld is out "
                                 "of range 0..%lld for mode %lld", k + 1,
                                 (long long)x->arg.i[1], (long long)max, (long long)x->arg.i[0]);
            break;
        }
        default:
            return bad_field(why, len, s, i, "transform %u: unknown operation %u", k + 1,
                             (unsigned)x->op);
        }
    }
    return 0;
}

static int check_field(const bluetti_block_schema *s, size_t i, const struct nameset *names,
                       char *why, size_t len)
{
    const bluetti_field *f = &s->fields[i];
    size_t es = bluetti_wire_type_size(f->type);
    bool array = f->flags & BLUETTI_F_ARRAY;
    if (!es) return bad_field(why, len, s, i, "unknown wire type %u", (unsigned)f->type);
    if (f->order > BLUETTI_ORDER_BYTES_SWAPPED)
        return bad_field(why, len, s, i, "unknown byte order %u", (unsigned)f->order);
    if (f->flags & ~KNOWN_FLAGS)
        return bad_field(why, len, s, i, "unknown flag bits 0x%x",
                         (unsigned)(f->flags & ~KNOWN_FLAGS));
    if (f->evidence > BLUETTI_EV_UNVERIFIED)
        return bad_field(why, len, s, i, "unknown evidence level %u", (unsigned)f->evidence);
    if (f->type == BLUETTI_TEXT) {
        if (array) return bad_field(why, len, s, i, "arrays of text are not supported");
        if (f->size == 0) return bad_field(why, len, s, i, "text needs a size in bytes");
        if ((f->flags & BLUETTI_F_TEXT_SWAP) && ((f->size & 1) || (!f->after && (f->offset & 1))))
            return bad_field(why, len, s, i, "swapped text must cover whole registers (even "
                             "offset and size)");
    } else {
        if (f->flags & (BLUETTI_F_TEXT_SWAP | BLUETTI_F_KEEP_SPACES))
            return bad_field(why, len, s, i, "text flags on a %s field",
                             bluetti_wire_type_name(f->type));
        if (!array && f->size)
            return bad_field(why, len, s, i, "size %u is only for text and arrays",
                             (unsigned)f->size);
    }
    if (array) {
        if (f->size == 0) return bad_field(why, len, s, i, "array with a maximum of 0 elements");
        if (f->stride && f->stride < es)
            return bad_field(why, len, s, i, "stride %u is smaller than a %s element",
                             (unsigned)f->stride, bluetti_wire_type_name(f->type));
        if (f->count_from) {
            int c = name_find(names, s->fields, f->count_from);
            if (c < 0 || (s->fields[c].flags & BLUETTI_F_ARRAY) ||
                !is_integer_type(s->fields[c].type))
                return bad_field(why, len, s, i, "count_from '%s' must name an earlier integer "
                                 "field that is not an array", f->count_from);
        }
    } else if (f->stride || f->count_from) {
        return bad_field(why, len, s, i, "stride and count_from are only for arrays");
    }
    if (f->after) {
        int a = name_find(names, s->fields, f->after);
        if (a < 0 || !(s->fields[a].flags & BLUETTI_F_ARRAY))
            return bad_field(why, len, s, i, "after '%s' must name an earlier array field",
                             f->after);
    }
    size_t end = (size_t)f->offset + bluetti_field_span(f);
    if (end > 65535)
        return bad_field(why, len, s, i, "ends at byte %zu, beyond 65535", end);
    for (const bluetti_bit_name *b = f->bits; b && b->name; b++)
        if (b->bit >= 64)
            return bad_field(why, len, s, i, "bit name '%s' for bit %u (must be below 64)",
                             b->name, (unsigned)b->bit);
    int rc = check_xforms(s, i, why, len);
    if (rc) return rc;
    char w[160];
    if (bt_write_spec_check(s, f, w, sizeof w) != 0) return bad_field(why, len, s, i, "%s", w);
    return 0;
}

int bluetti_schema_validate(const bluetti_block_schema *s, char *why, size_t why_len)
{
    if (!s) {
        bt_strlcpy(why, "no schema given", why_len);
        return BLUETTI_E_SCHEMA;
    }
    if (!s->name || !*s->name) return bad_block(why, why_len, s, "the block has no name");
    if (s->n_fields == 0 || s->n_fields > MAX_FIELDS)
        return bad_block(why, why_len, s, "%u fields (must be 1..%u)", (unsigned)s->n_fields,
                         MAX_FIELDS);
    if (!s->fields) return bad_block(why, why_len, s, "fields missing");
    if (s->read_length & 1)
        return bad_block(why, why_len, s, "read_length %u is odd (registers are 2 bytes)",
                         (unsigned)s->read_length);
    if (s->block_class > BLUETTI_BLOCK_SETTINGS)
        return bad_block(why, why_len, s, "unknown block class %u", (unsigned)s->block_class);
    if (s->evidence > BLUETTI_EV_UNVERIFIED)
        return bad_block(why, why_len, s, "unknown evidence level %u", (unsigned)s->evidence);
    uint16_t stack_slots[NAME_SLOTS_STACK];
    struct nameset names = { stack_slots, NAME_SLOTS_STACK - 1 };
    unsigned want = NAME_SLOTS_STACK;
    while (want < 2u * s->n_fields) want *= 2;
    if (want > NAME_SLOTS_STACK) {
        names.slots = calloc(want, sizeof *names.slots);
        if (!names.slots) {
            bt_strlcpy(why, "out of memory while checking the schema", why_len);
            return BLUETTI_E_NOMEM;
        }
        names.mask = want - 1;
    } else {
        memset(stack_slots, 0, sizeof stack_slots);
    }
    int rc = 0;
    for (size_t i = 0; i < s->n_fields && !rc; i++) {
        const char *name = s->fields[i].name;
        int dup = -1;
        if (!name || !*name) rc = bad_field(why, why_len, s, i, "the field has no name");
        else if ((dup = name_find(&names, s->fields, name)) >= 0)
            rc = bad_field(why, why_len, s, i, "name already used by field %d", dup);
        else if ((rc = check_field(s, i, &names, why, why_len)) == 0)
            name_insert(&names, name, i);
    }
    if (names.slots != stack_slots) free(names.slots);
    if (rc) return rc;
    if (why && why_len) why[0] = '\0';
    return 0;
}

/* ---- profiles ------------------------------------------------------------- */

const bluetti_block_group *bluetti_profile_group(const bluetti_profile *p, const char *name)
{
    if (!p || !p->groups || !name) return NULL;
    for (size_t i = 0; i < p->n_groups; i++)
        if (p->groups[i].name && strcmp(p->groups[i].name, name) == 0) return &p->groups[i];
    return NULL;
}

static int bad_profile(char *why, size_t len, const bluetti_profile *p, const char *fmt, ...)
    BLUETTI_PRINTF(4, 5);
static int bad_profile(char *why, size_t len, const bluetti_profile *p, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bt_fmt(why, len, "profile %s: %s", p->model && *p->model ? p->model : "(unnamed)", msg);
    return BLUETTI_E_SCHEMA;
}

int bluetti_profile_validate(const bluetti_profile *p, char *why, size_t why_len)
{
    if (!p) {
        bt_strlcpy(why, "no profile given", why_len);
        return BLUETTI_E_SCHEMA;
    }
    if (!p->model || !*p->model) return bad_profile(why, why_len, p, "the model name is empty");
    for (const char *const *a = p->aliases; a && *a; a++)
        if (!**a) return bad_profile(why, why_len, p, "an alias is empty");
    if (p->n_groups && !p->groups) return bad_profile(why, why_len, p, "groups missing");
    for (size_t i = 0; i < p->n_groups; i++) {
        const bluetti_block_group *g = &p->groups[i];
        if (!g->name || !*g->name)
            return bad_profile(why, why_len, p, "group %zu has no name", i);
        if (g->n_blocks == 0 || !g->blocks)
            return bad_profile(why, why_len, p, "group '%s' lists no blocks", g->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->groups[j].name, g->name) == 0)
                return bad_profile(why, why_len, p, "group '%s' is defined twice", g->name);
    }
    for (const bluetti_block_size *z = p->sizes; z && z->block; z++)
        if (z->bytes == 0 || (z->bytes & 1))
            return bad_profile(why, why_len, p, "read size %u for block %u must be even and "
                               "above 0", (unsigned)z->bytes, (unsigned)z->block);
    if (why && why_len) why[0] = '\0';
    return 0;
}
