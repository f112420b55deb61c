/* bluetti — the registry: what the loaded plugins provide.
 *
 * A registry is an object, not a global: two in one process never meet.
 * It owns the plugin records; plugins stay loaded until it is freed (and
 * their code stays mapped after that, since libltdl modules are resident).
 */
#ifndef BLUETTI_REGISTRY_H
#define BLUETTI_REGISTRY_H

#include <bluetti/common.h>
#include <bluetti/log.h>
#include <bluetti/plugin.h>

BLUETTI_BEGIN_DECLS

/* Caller owns *out; free with bluetti_registry_free after every session
 * using it is closed. */
BLUETTI_API int bluetti_registry_new(bluetti_registry **out);
BLUETTI_API void bluetti_registry_free(bluetti_registry *r);

/* Install the log callback (NULL to silence) and the most verbose level
 * to deliver. */
BLUETTI_API void bluetti_registry_set_log(bluetti_registry *r, bluetti_log_fn fn,
                                          void *userdata, bluetti_log_level level);

/* Load flags. */
#define BLUETTI_LOAD_NO_ENV      0x01u  /* ignore BLUETTI_PLUGIN_PATH */
#define BLUETTI_LOAD_NO_SYSTEM   0x02u  /* skip the installed plugin directory */
#define BLUETTI_LOAD_ALLOW_UNSAFE 0x04u /* load files and directories writable by others
                                        * or owned by another user than root or us */
/* Do not open files named transport-NAME.so yet: remember them and load one
 * the first time transport NAME is asked for (bluetti_session_open,
 * bluetti_registry_need_transport) or when bluetti_registry_load_deferred
 * is called. A program that needs no transport, or only one, then does not
 * pay for mapping the others' libraries (libssl and libcrypto for mqtt). */
#define BLUETTI_LOAD_DEFER_TRANSPORTS 0x08u

/* Load one plugin file. Returns 0, or the reason it was refused (also
 * recorded, see bluetti_registry_plugin_info, and logged). */
BLUETTI_API int bluetti_registry_load_file(bluetti_registry *r, const char *path, unsigned flags);

/* Load every "*.so" in dir (in name order). Returns the number loaded
 * (files deferred by BLUETTI_LOAD_DEFER_TRANSPORTS count as loaded), or
 * BLUETTI_E_IO when dir cannot be read, BLUETTI_E_PLUGIN_UNSAFE when it is
 * writable by others (unless BLUETTI_LOAD_ALLOW_UNSAFE). Plugins that
 * fail are recorded and skipped; the rest still load. */
BLUETTI_API int bluetti_registry_load_dir(bluetti_registry *r, const char *dir, unsigned flags);

/* The search order: dirs[0..n) as given by the program, then each
 * directory of $BLUETTI_PLUGIN_PATH (colon-separated), then the installed
 * plugin directory. A plugin name already loaded is skipped (earlier
 * directories win). Returns the number of plugins loaded, or the first
 * error for a directory in dirs (those were asked for explicitly); missing
 * directories from the environment are logged and skipped. */
BLUETTI_API int bluetti_registry_load_search_path(bluetti_registry *r, const char *const *dirs,
                                                  size_t n_dirs, unsigned flags);

/* Make sure transport `name` is registered: if it is not and a deferred
 * transport-NAME.so was remembered, load that file now (with every check
 * of bluetti_registry_load_file). Returns 0 when the transport is
 * available, BLUETTI_E_NOTFOUND when no plugin provides it, or the reason
 * the file was refused (recorded as for bluetti_registry_load_file). */
BLUETTI_API int bluetti_registry_need_transport(bluetti_registry *r, const char *name);

/* Load every deferred file now (for listings of all transports). Returns
 * the number that loaded; refusals are recorded as usual. */
BLUETTI_API int bluetti_registry_load_deferred(bluetti_registry *r);

/* Register a plugin linked into the program (no file). origin labels it
 * in listings. Same checks as for files. */
BLUETTI_API int bluetti_registry_load_builtin(bluetti_registry *r, const bluetti_plugin *p,
                                              const char *origin);

/* The installed plugin directory (static string). */
BLUETTI_API const char *bluetti_plugin_dir(void);

/* ---- introspection ---------------------------------------------------- */

typedef struct bluetti_plugin_info {
    const char *file;          /* path, or the builtin origin */
    const char *name;          /* NULL when refused before the descriptor was read */
    const char *version;
    const char *description;
    int status;                /* 0 loaded, else the bluetti_err it was refused with */
    const char *reason;        /* refused: what was wrong and what to do */
    size_t n_blocks, n_profiles, n_transports;
} bluetti_plugin_info;

/* Plugins loaded and refused, in load order. Strings owned by r. */
BLUETTI_API size_t bluetti_registry_plugin_count(const bluetti_registry *r);
BLUETTI_API int bluetti_registry_plugin_info(const bluetti_registry *r, size_t i,
                                             bluetti_plugin_info *out);

/* Blocks, sorted by id. */
BLUETTI_API size_t bluetti_registry_block_count(const bluetti_registry *r);
BLUETTI_API const bluetti_block_schema *bluetti_registry_block_at(const bluetti_registry *r, size_t i);
BLUETTI_API const bluetti_block_schema *bluetti_registry_find_block(const bluetti_registry *r, uint16_t id);
/* Name of the plugin that registered a block / profile / transport, or NULL. */
BLUETTI_API const char *bluetti_registry_block_plugin(const bluetti_registry *r, uint16_t id);

/* Profiles, in registration order; lookup by model or alias, ignoring
 * case and spaces/underscores/dashes ("elite-100-v2" finds "Elite 100 V2"). */
BLUETTI_API size_t bluetti_registry_profile_count(const bluetti_registry *r);
BLUETTI_API const bluetti_profile *bluetti_registry_profile_at(const bluetti_registry *r, size_t i);
BLUETTI_API const bluetti_profile *bluetti_registry_find_profile(const bluetti_registry *r, const char *name);
BLUETTI_API const char *bluetti_registry_profile_plugin(const bluetti_registry *r, const bluetti_profile *p);
/* The profile for the model text a device reports (block 100 device_model,
 * e.g. "Elite 200 V2") or the name it advertises ("E200V2" + serial digits):
 * matched against every profile's model key and aliases, ignoring case,
 * spaces, '-' and '_'; an exact match wins over a prefix followed by
 * digits, a longer prefix over a shorter. NULL when none matches. The
 * profile belongs to the registry. */
BLUETTI_API const bluetti_profile *bluetti_registry_detect_profile(const bluetti_registry *r,
                                                                   const char *model_text);

BLUETTI_API size_t bluetti_registry_transport_count(const bluetti_registry *r);
BLUETTI_API const bluetti_transport_ops *bluetti_registry_transport_at(const bluetti_registry *r, size_t i);
BLUETTI_API const bluetti_transport_ops *bluetti_registry_find_transport(const bluetti_registry *r, const char *name);
BLUETTI_API const char *bluetti_registry_transport_plugin(const bluetti_registry *r, const bluetti_transport_ops *t);
/* The option declarations of transport `name` (loading its deferred plugin
 * first, like bluetti_registry_need_transport), with their number in *n.
 * The table is owned by the plugin and valid while the registry lives.
 * NULL (and *n = 0) when no such transport is available or it declares no
 * options. */
BLUETTI_API const bluetti_option_decl *bluetti_registry_transport_options(bluetti_registry *r,
                                                                         const char *name,
                                                                         size_t *n);

BLUETTI_END_DECLS
#endif
