/* bluetti — device profiles: pure data naming a model's blocks and groups. */
#ifndef BLUETTI_PROFILE_H
#define BLUETTI_PROFILE_H

#include <bluetti/common.h>

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
    /* Where the device names its model (plugin ABI minor 1): a TEXT field
     * of block model_block. A device added without a model
     * (bluetti_session_add_device with model NULL) reads it on its first
     * read and takes the profile whose model or alias it names. 0 / NULL:
     * this profile cannot be detected. */
    const char *model_field;
    uint16_t model_block;
    uint16_t reserved16[3];
    const void *reserved[2];
} bluetti_profile;

/* Group by name (case-sensitive), or NULL. */
BLUETTI_API const bluetti_block_group *bluetti_profile_group(const bluetti_profile *p, const char *name);

/* Check a profile: model non-empty, groups named and non-empty, no
 * duplicate group names. Returns 0 or BLUETTI_E_SCHEMA with why filled. */
BLUETTI_API int bluetti_profile_validate(const bluetti_profile *p, char *why, size_t why_len);

BLUETTI_END_DECLS
#endif
