/* bluetti — device profiles: pure data naming a model's blocks and groups. */
#ifndef BLUETTI_PROFILE_H
#define BLUETTI_PROFILE_H

#include <bluetti/common.h>
#include <bluetti/schema.h>

BLUETTI_BEGIN_DECLS

typedef struct bluetti_block_group {
    const char *name;             /* "core", "grid", "battery", "cells", "inverter", ... */
    const uint16_t *blocks;       /* read in this order */
    uint16_t n_blocks;
    uint16_t poll_interval_s;     /* advisory poll interval */
    uint8_t is_default;           /* read by default (`bluetti-tool read` with no selection) */
    const char *description;
    /* Room for more per-group metadata (leave zero). */
    const void *reserved[4];
} bluetti_block_group;

/* Bytes to request for a block on this model, overriding the schema's
 * read length (blocks larger than 250 bytes are read in several requests). */
typedef struct bluetti_block_size {
    uint16_t block;
    uint16_t bytes;
} bluetti_block_size;

/* What a field override changes (bits of bluetti_field_override.what). */
#define BLUETTI_OV_TYPE        0x01u  /* wire type: the sign (u16 <-> i16) or the width */
#define BLUETTI_OV_ORDER       0x02u  /* word order */
#define BLUETTI_OV_XF          0x04u  /* the whole transform chain: scale, magnitude only, ... */
#define BLUETTI_OV_UNIT        0x08u
#define BLUETTI_OV_ENUMS       0x10u  /* value names (NULL removes them) */
#define BLUETTI_OV_DESCRIPTION 0x20u  /* what the field means on this model */

/* A model's difference from the block table, as data: the profile carries
 * the rule and its source, the block schema stays one table for all models.
 * Applied once per (device, block) when the device's result is created
 * (bluetti_result_new_for_profile), never per read. */
typedef struct bluetti_field_override {
    uint16_t block;               /* block id */
    const char *field;            /* field name in that block */
    uint16_t what;                /* BLUETTI_OV_* */
    uint8_t type;                 /* BLUETTI_OV_TYPE */
    uint8_t order;                /* BLUETTI_OV_ORDER */
    uint8_t evidence;             /* bluetti_evidence of the override itself */
    const char *unit;             /* BLUETTI_OV_UNIT */
    const char *description;      /* BLUETTI_OV_DESCRIPTION */
    bluetti_xform xf[BLUETTI_MAX_XF];   /* BLUETTI_OV_XF: replaces the chain */
    const bluetti_enum_name *enums;     /* BLUETTI_OV_ENUMS */
    const char *note;             /* the source: why this model differs */
} bluetti_field_override;

typedef struct bluetti_profile {
    const char *model;            /* canonical key, e.g. "EL100V2" */
    const char *const *aliases;   /* NULL-terminated, e.g. { "Elite 100 V2", NULL }; may be NULL */
    const char *type_id;          /* vendor type id ("31") */
    const char *description;      /* "Elite 100 V2: 1056 Wh, 51.2 V pack, 1000 W inverter" */
    uint16_t protocol_version;    /* assumed when the device does not report one */
    uint16_t version_block;       /* block whose payload reports the protocol version (0 = none) */
    uint16_t version_offset;      /* byte offset of that u16 inside version_block */
    uint16_t n_groups;
    const bluetti_block_group *groups;
    const bluetti_block_size *sizes; /* optional, ends with block == 0 */
    /* Where the device names its model: a TEXT field of block model_block.
     * A device added without a model (bluetti_session_add_device with model
     * NULL) reads it on its first read and takes the profile whose model or
     * alias it names. 0 / NULL: this profile cannot be detected. */
    const char *model_field;
    uint16_t model_block;
    const bluetti_field_override *overrides; /* optional, n_overrides entries */
    uint16_t n_overrides;
    uint8_t modbus_address;       /* Modbus unit address when has_modbus_address */
    uint8_t has_modbus_address;   /* 0: the transport's default (1); 1: modbus_address (may be 0) */
    uint8_t evidence;             /* bluetti_evidence of the profile as a whole */
    const char *evidence_note;    /* which real units / sources back the profile */
    const void *reserved[4];
} bluetti_profile;

/* Group by name (case-sensitive), or NULL. */
BLUETTI_API const bluetti_block_group *bluetti_profile_group(const bluetti_profile *p, const char *name);

/* Check a profile: model non-empty, groups named and non-empty, no
 * duplicate group names. Returns 0 or BLUETTI_E_SCHEMA with why filled. */
BLUETTI_API int bluetti_profile_validate(const bluetti_profile *p, char *why, size_t why_len);

/* The first override of `p` for (block, field), or NULL. */
BLUETTI_API const bluetti_field_override *bluetti_profile_override(const bluetti_profile *p,
                                                                   uint16_t block,
                                                                   const char *field);

/* Number of overrides `p` has for `block`. */
BLUETTI_API size_t bluetti_profile_override_count(const bluetti_profile *p, uint16_t block);

/* Create a result for schema `s` as model `p` decodes it: `s` with p's
 * overrides for this block applied (p may be NULL: plain `s`). The patched
 * schema is built once here and owned by the result (freed with it);
 * bluetti_decode() on it allocates nothing. Caller owns *out
 * (bluetti_result_free). Returns 0, BLUETTI_E_INVAL, BLUETTI_E_NOMEM, or
 * BLUETTI_E_SCHEMA when an override names no field of `s` or makes the
 * schema invalid (why filled, if given). */
BLUETTI_API int bluetti_result_new_for_profile(const bluetti_block_schema *s,
                                               const bluetti_profile *p,
                                               bluetti_result **out,
                                               char *why, size_t why_len);

BLUETTI_END_DECLS
#endif
