/* bluetti — decoding a block payload into typed values.
 *
 * A result is created once for a schema and reused: bluetti_decode()
 * overwrites it in place and allocates nothing per field (it grows its raw
 * buffer only when a longer payload than ever before arrives).
 */
#ifndef BLUETTI_DECODE_H
#define BLUETTI_DECODE_H

#include <bluetti/schema.h>

BLUETTI_BEGIN_DECLS

typedef enum bluetti_value_kind {
    BLUETTI_VAL_ABSENT = 0,   /* see bluetti_value.absent for why */
    BLUETTI_VAL_INT,          /* v.i */
    BLUETTI_VAL_UINT,         /* v.u (unsigned 64-bit wire values) */
    BLUETTI_VAL_FLOAT,        /* v.f */
    BLUETTI_VAL_TEXT,         /* v.s: NUL-terminated, printable ASCII; other bytes escaped as \xNN */
    BLUETTI_VAL_ARRAY,        /* v.items[0..count) */
} bluetti_value_kind;

typedef enum bluetti_absent_reason {
    BLUETTI_ABSENT_NONE = 0,
    BLUETTI_ABSENT_BEYOND_DATA,   /* "beyond received data" */
    BLUETTI_ABSENT_PROTOCOL,      /* "needs a newer protocol version" */
    BLUETTI_ABSENT_COUNT,         /* "element count points past the data" */
    BLUETTI_ABSENT_BAD_COUNT,     /* "element count exceeds the schema's maximum" */
    BLUETTI_ABSENT_BAD_VALUE,     /* "value could not be decoded" */
    BLUETTI_ABSENT_NOT_REPORTED,  /* "not reported by the device" (a raw 0, BLUETTI_F_ZERO_UNREPORTED) */
} bluetti_absent_reason;

typedef struct bluetti_value {
    uint8_t kind;             /* bluetti_value_kind */
    uint8_t absent;           /* bluetti_absent_reason when kind == ABSENT */
    uint16_t count;           /* ARRAY: elements */
    uint32_t reserved;
    union {
        int64_t i;
        uint64_t u;
        double f;
        const char *s;
        const struct bluetti_value *items;
    } v;
} bluetti_value;

/* Static text for an absent reason ("beyond received data", ...). */
BLUETTI_API const char *bluetti_absent_text(int reason);

/* Create an empty result for schema s (which must outlive it).
 * Caller owns *out and frees it with bluetti_result_free. */
BLUETTI_API int bluetti_result_new(const bluetti_block_schema *s, bluetti_result **out);
BLUETTI_API void bluetti_result_free(bluetti_result *r);

/* Decode data[0..len) into r at protocol version `protocol_version`.
 * The payload is copied into r. Fields that cannot be decoded are ABSENT
 * with a reason; problems become warnings. Returns 0, or BLUETTI_E_SHORT
 * when a strict block is shorter than min_length or lacks a required
 * field (r then holds the warnings, bluetti_result_valid() is false and
 * the values are all absent). */
BLUETTI_API int bluetti_decode(bluetti_result *r, const uint8_t *data, size_t len,
                               uint16_t protocol_version);

BLUETTI_API const bluetti_block_schema *bluetti_result_schema(const bluetti_result *r);
/* Number of values == schema->n_fields; value i belongs to schema->fields[i]. */
BLUETTI_API size_t bluetti_result_count(const bluetti_result *r);
BLUETTI_API const bluetti_value *bluetti_result_value(const bluetti_result *r, size_t i);
/* Value by field name, or NULL when the schema has no such field. */
BLUETTI_API const bluetti_value *bluetti_result_find(const bluetti_result *r, const char *name);
/* The payload as received (owned by r). */
BLUETTI_API const uint8_t *bluetti_result_raw(const bluetti_result *r, size_t *len);
BLUETTI_API uint16_t bluetti_result_protocol_version(const bluetti_result *r);
/* Wall-clock time of the decode, seconds since the epoch. */
BLUETTI_API double bluetti_result_timestamp(const bluetti_result *r);
/* False when the payload failed validation (short, required field missing). */
BLUETTI_API bool bluetti_result_valid(const bluetti_result *r);
BLUETTI_API size_t bluetti_result_warning_count(const bluetti_result *r);
/* Warning text i (owned by r, valid until the next decode). */
BLUETTI_API const char *bluetti_result_warning(const bluetti_result *r, size_t i);

/* Convenience: the value as a double (INT/UINT/FLOAT), else NAN. */
BLUETTI_API double bluetti_value_as_double(const bluetti_value *v);

BLUETTI_END_DECLS
#endif
