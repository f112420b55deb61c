/* bluetti — the plugin ABI.
 *
 * A plugin is a shared object (built with libtool -module -avoid-version)
 * exporting exactly one symbol, `bluetti_plugin_descriptor`, a constant
 * bluetti_plugin. The loader checks abi_major == BLUETTI_PLUGIN_ABI_MAJOR,
 * abi_minor <= BLUETTI_PLUGIN_ABI_MINOR and struct_size before it calls
 * any plugin code, then calls init(), which registers the plugin's
 * schemas, profiles and transports into the registry it is given.
 *
 * ABI rules: the major number changes when a struct a plugin fills in
 * (bluetti_plugin, bluetti_block_schema, bluetti_field, bluetti_profile,
 * bluetti_transport_ops) changes layout or meaning; the minor number when
 * something is added that older plugins can ignore (a function, a value
 * in a reserved slot). Plugins are never unloaded while the registry lives.
 */
#ifndef BLUETTI_PLUGIN_H
#define BLUETTI_PLUGIN_H

#include <bluetti/common.h>
#include <bluetti/schema.h>
#include <bluetti/profile.h>
#include <bluetti/transport.h>

BLUETTI_BEGIN_DECLS

#define BLUETTI_PLUGIN_ABI_MAJOR 2
#define BLUETTI_PLUGIN_ABI_MINOR 0
#define BLUETTI_PLUGIN_SYMBOL    "bluetti_plugin_descriptor"

typedef struct bluetti_plugin {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size;          /* sizeof(bluetti_plugin) when built */
    const char *name;              /* unique, e.g. "blocks-home" */
    const char *version;           /* e.g. "1.0.0" */
    const char *description;       /* one line */
    /* Register everything; return 0 or a negative bluetti_err. On failure
     * the loader removes whatever this plugin registered. */
    int (*init)(bluetti_registry *reg);
    const void *reserved[8];
} bluetti_plugin;

#if defined(__GNUC__)
#  define BLUETTI_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#  define BLUETTI_PLUGIN_EXPORT
#endif

/* Define the plugin's one exported symbol. */
#define BLUETTI_PLUGIN_DEFINE(name_, version_, description_, init_)          \
    BLUETTI_PLUGIN_EXPORT extern const bluetti_plugin bluetti_plugin_descriptor; \
    BLUETTI_PLUGIN_EXPORT const bluetti_plugin bluetti_plugin_descriptor = {  \
        .abi_major = BLUETTI_PLUGIN_ABI_MAJOR,                               \
        .abi_minor = BLUETTI_PLUGIN_ABI_MINOR,                               \
        .struct_size = (uint32_t)sizeof(bluetti_plugin),                     \
        .name = (name_), .version = (version_),                              \
        .description = (description_), .init = (init_),                     \
    }

/* Registration, for use inside init(). Each checks the data
 * (bluetti_schema_validate / bluetti_profile_validate) and refuses a
 * duplicate (same block id, model or alias, transport name) with
 * BLUETTI_E_EXISTS, logging both plugins' names. add_blocks is all or
 * nothing. The registry keeps the pointers. */
BLUETTI_API int bluetti_registry_add_block(bluetti_registry *r, const bluetti_block_schema *s);
BLUETTI_API int bluetti_registry_add_blocks(bluetti_registry *r,
                                            const bluetti_block_schema *const *s, size_t n);
BLUETTI_API int bluetti_registry_add_profile(bluetti_registry *r, const bluetti_profile *p);
BLUETTI_API int bluetti_registry_add_transport(bluetti_registry *r, const bluetti_transport_ops *t);
/* The registry's logger, for plugins to log through. */
BLUETTI_API const bluetti_logger *bluetti_registry_logger(const bluetti_registry *r);

BLUETTI_END_DECLS
#endif
