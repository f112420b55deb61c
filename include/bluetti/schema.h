/* bluetti — block schemas: pure data describing how to decode a block.
 *
 * A block plugin defines `static const` tables of these and registers them.
 * The registry keeps pointers (never copies): tables must live as long as
 * the plugin, which is never unloaded while a registry lives.
 *
 * Offsets are byte offsets into the block payload (the Modbus register
 * data). Byte k lives in register block_id + k/2 (even k = high byte).
 */
#ifndef BLUETTI_SCHEMA_H
#define BLUETTI_SCHEMA_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

/* Wire types. TEXT takes `size` bytes; F32 is an IEEE-754 float. */
typedef enum bluetti_wire_type {
    BLUETTI_U8 = 1, BLUETTI_I8, BLUETTI_U16, BLUETTI_I16,
    BLUETTI_U32, BLUETTI_I32, BLUETTI_U64, BLUETTI_I64,
    BLUETTI_F32, BLUETTI_TEXT,
} bluetti_wire_type;

/* Byte and word order of multi-byte values. Registers are big-endian on the
 * wire; what differs is the order of the registers of a wider value.
 * DEFAULT means: 16-bit big-endian; 32/64-bit low word first (CDAB), which
 * is what real V2 devices send (docs/protocol/wire-rules.md). */
typedef enum bluetti_order {
    BLUETTI_ORDER_DEFAULT = 0,
    /* Named by the pattern the bytes of a 32-bit value A B C D (A most
     * significant) arrive in. */
    BLUETTI_ORDER_CDAB = 1,      /* registers least significant first, bytes BE */
    BLUETTI_ORDER_ABCD = 2,      /* plain big-endian (the reference's reading) */
    BLUETTI_ORDER_DCBA = 3,      /* plain little-endian */
    BLUETTI_ORDER_BADC = 4,      /* high word first, bytes swapped in each */
    /* older names, kept as aliases */
    BLUETTI_ORDER_WORDS_LE = BLUETTI_ORDER_CDAB,
    BLUETTI_ORDER_BE = BLUETTI_ORDER_ABCD,
    BLUETTI_ORDER_LE = BLUETTI_ORDER_DCBA,
    BLUETTI_ORDER_BYTES_SWAPPED = BLUETTI_ORDER_BADC,
} bluetti_order;

/* Field flags. */
#define BLUETTI_F_REQUIRED     0x01u  /* a required field beyond the data invalidates a strict block */
#define BLUETTI_F_TEXT_SWAP    0x02u  /* TEXT: swap the two bytes of every register first */
#define BLUETTI_F_KEEP_SPACES  0x04u  /* TEXT: do not trim trailing spaces */
#define BLUETTI_F_SENSITIVE    0x08u  /* value is secret (a password): tools mask it */
#define BLUETTI_F_ARRAY        0x10u  /* array of `size` (max) elements; see count_from */
#define BLUETTI_F_ZERO_UNREPORTED 0x20u /* a raw 0 means "not reported" (temperatures): absent */

/* How much real evidence stands behind a field or block. */
typedef enum bluetti_evidence {
    BLUETTI_EV_REFERENCE = 0,   /* from the protocol reference (decompiled app) only */
    BLUETTI_EV_CONFIRMED = 1,   /* confirmed on real devices */
    BLUETTI_EV_UNVERIFIED = 2,  /* doubtful: the reference contradicts itself or evidence */
} bluetti_evidence;

/* Transform operations, applied in order after the wire value is read. */
typedef enum bluetti_xf_op {
    BLUETTI_XF_END = 0,       /* terminates the chain */
    BLUETTI_XF_ABS,           /* |v| */
    BLUETTI_XF_SCALE,         /* v * f[0]  -> float */
    BLUETTI_XF_MINUS,         /* v - f[0]  (stays integer when f[0] is integral) */
    BLUETTI_XF_BITMASK,       /* v & u     (integer) */
    BLUETTI_XF_SHIFT,         /* v >> u    (logical, integer) */
    BLUETTI_XF_CLAMP,         /* min(max(v, f[0]), f[1]) */
    BLUETTI_XF_ENABLE_LIST,   /* app's hexStrToEnableList: i[0] = mode (3 => 3-bit chunks, else 2-bit), i[1] = index */
} bluetti_xf_op;

typedef struct bluetti_xform {
    uint8_t op;               /* bluetti_xf_op */
    union { double f[2]; uint64_t u; int64_t i[2]; } arg;
} bluetti_xform;

#define BLUETTI_MAX_XF 4

#define BLUETTI_XF_ABS_()          { .op = BLUETTI_XF_ABS }
#define BLUETTI_XF_SCALE_(x)       { .op = BLUETTI_XF_SCALE, .arg.f = { (x), 0 } }
#define BLUETTI_XF_MINUS_(x)       { .op = BLUETTI_XF_MINUS, .arg.f = { (x), 0 } }
#define BLUETTI_XF_BITMASK_(m)     { .op = BLUETTI_XF_BITMASK, .arg.u = (m) }
#define BLUETTI_XF_SHIFT_(n)       { .op = BLUETTI_XF_SHIFT, .arg.u = (n) }
#define BLUETTI_XF_CLAMP_(lo, hi)  { .op = BLUETTI_XF_CLAMP, .arg.f = { (lo), (hi) } }
#define BLUETTI_XF_ENABLE_LIST_(mode, idx) { .op = BLUETTI_XF_ENABLE_LIST, .arg.i = { (mode), (idx) } }

/* Named values of an enum-like field; a table ends with name == NULL. */
typedef struct bluetti_enum_name { int64_t value; const char *name; } bluetti_enum_name;
/* Named bits of a bit-set field (bit 0 = least significant); ends with name == NULL. */
typedef struct bluetti_bit_name { uint8_t bit; const char *name; } bluetti_bit_name;

/* How a field may be written (bluetti_field.write), as data. A writable
 * field is one whole register (a u16 or i16 at an even offset, no
 * transform but a scale): a write is Modbus function 0x06 of that register
 * (docs/protocol/writes.md). Values are given either by name (`values`,
 * e.g. "on" / "off") or as numbers in the field's unit within
 * [min, max] on the grid min + k * step. What a model reads back for a
 * named value comes from the field's (possibly profile-overridden) enums:
 * a switch that reads 3 for off is a BLUETTI_OV_ENUMS override, and the
 * read-back is judged by name. */
typedef struct bluetti_write_spec {
    uint16_t reg;             /* the register written: block id + offset / 2 (validated) */
    uint8_t evidence;         /* bluetti_evidence of the write itself: CONFIRMED when real
                               * units were written this way, else UNVERIFIED */
    uint8_t flags;            /* leave zero */
    const bluetti_enum_name *values; /* names that may be written, ends with name == NULL;
                                      * NULL: numbers only */
    double min, max;          /* numbers: allowed range in the field's unit (min <= max) */
    double step;              /* numbers: allowed step from min (> 0) */
    const char *note;         /* where the write semantics come from */
    const void *reserved[4];
} bluetti_write_spec;

typedef struct bluetti_field {
    const char *name;         /* snake_case; a dot groups ("config_grid.type") */
    const char *unit;         /* NULL for none */
    const char *description;  /* one line */
    uint16_t offset;          /* byte offset (relative to the end of `after` when set) */
    uint16_t size;            /* TEXT: bytes; ARRAY: maximum element count; else 0 */
    uint8_t type;             /* bluetti_wire_type (element type for arrays) */
    uint8_t order;            /* bluetti_order */
    uint8_t flags;            /* BLUETTI_F_* */
    uint8_t evidence;         /* bluetti_evidence */
    uint16_t min_protocol;    /* 0 = any; below it the field is absent */
    uint16_t stride;          /* ARRAY: bytes from one element to the next (0 = element size) */
    const char *count_from;   /* ARRAY: earlier field whose value is the element count (NULL = size) */
    const char *after;        /* earlier ARRAY field: offset counts from its end (NULL = absolute) */
    bluetti_xform xf[BLUETTI_MAX_XF];   /* transform chain, ends at the first BLUETTI_XF_END */
    const bluetti_enum_name *enums;     /* optional value names */
    const bluetti_bit_name *bits;       /* optional bit names */
    const char *note;         /* why the field is decoded this way (evidence, decisions) */
    /* Write metadata: NULL for a field that is never written (the core
     * refuses writes to it). Took the first of four reserved pointers. */
    const struct bluetti_write_spec *write;
    const void *reserved_write[3];   /* leave zero */
} bluetti_field;

typedef enum bluetti_block_class {
    BLUETTI_BLOCK_INFO = 0,       /* measurements / identity */
    BLUETTI_BLOCK_SETTINGS = 1,   /* configuration the vendor app can change */
} bluetti_block_class;

typedef struct bluetti_block_schema {
    uint16_t id;              /* block id = first Modbus register */
    uint16_t min_length;      /* bytes a valid block needs */
    uint16_t read_length;     /* bytes to request; 0 = max(min_length, end of the last fixed field), rounded up to even */
    uint16_t protocol_version;/* protocol the layout describes (informational) */
    uint8_t strict;           /* strict: a short block or a required field beyond the data is an error */
    uint8_t block_class;      /* bluetti_block_class */
    uint8_t evidence;         /* block-level bluetti_evidence */
    uint8_t reserved0;
    const char *name;         /* upper-case label, e.g. "INV_GRID_INFO" */
    const char *description;
    const bluetti_field *fields;
    uint16_t n_fields;
    const char *notes;        /* decisions taken on the reference's contradictions */
    const void *reserved[4];
} bluetti_block_schema;

/* Size in bytes of one element of a wire type (TEXT: 1). 0 for unknown. */
BLUETTI_API size_t bluetti_wire_type_size(int type);
/* "u16", "i32", "text", ... (static; "?" for unknown). */
BLUETTI_API const char *bluetti_wire_type_name(int type);
BLUETTI_API const char *bluetti_order_name(int order);        /* "default", "cdab", "abcd", "dcba", "badc" */
BLUETTI_API const char *bluetti_evidence_name(int evidence);  /* "reference", "device-confirmed", "unverified" */
BLUETTI_API const char *bluetti_xf_op_name(int op);           /* "scale", "minus", ... */

/* Bytes a fixed field occupies (TEXT: size; ARRAY: size * stride, the maximum). */
BLUETTI_API size_t bluetti_field_span(const bluetti_field *f);

/* Bytes to request for a block: read_length, or max(min_length, end of the
 * last absolutely placed field) rounded up to even. */
BLUETTI_API size_t bluetti_schema_read_length(const bluetti_block_schema *s);

/* Check a schema for mistakes: names unique and non-empty, types and orders
 * known, offsets inside 0..65535, transform arguments sane (scale finite
 * and non-zero, clamp lo < hi, enable-list index in range), count_from /
 * after naming an earlier field of the right kind, TEXT size > 0, ...
 * Returns 0 or BLUETTI_E_SCHEMA with a description in why[0..why_len)
 * (BLUETTI_E_NOMEM for a schema of more than 128 fields when memory for
 * the name table is short). */
BLUETTI_API int bluetti_schema_validate(const bluetti_block_schema *s, char *why, size_t why_len);

/* Name for an enum value, or NULL if the field has no name for it. */
BLUETTI_API const char *bluetti_field_enum_name(const bluetti_field *f, int64_t value);

/* Index of the field named `name`, or -1. */
BLUETTI_API int bluetti_schema_field_index(const bluetti_block_schema *s, const char *name);

/* Parse `text` as a value to write to field f of block s, checked against
 * f->write before anything is sent: a name of f->write->values (ignoring
 * case), or a number with an optional unit suffix ("80", "80%", "80 %",
 * "300W") within min..max on the step grid. The number is turned into the
 * raw register value by undoing the field's scale. On success returns 0
 * and sets *reg and *raw. BLUETTI_E_NOT_WRITABLE when f has no write
 * metadata, BLUETTI_E_WRITE_VALUE when the text is not an allowed value
 * (why says which values are), BLUETTI_E_INVAL for NULL arguments.
 * Borrows everything; nothing is allocated. */
BLUETTI_API int bluetti_field_parse_write(const bluetti_block_schema *s, const bluetti_field *f,
                                          const char *text, uint16_t *reg, uint16_t *raw,
                                          char *why, size_t why_len);

BLUETTI_END_DECLS
#endif
