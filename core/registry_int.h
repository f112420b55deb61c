/* Registry internals shared by registry.c and loader.c; not installed. */
#ifndef BLUETTI_REGISTRY_INT_H
#define BLUETTI_REGISTRY_INT_H

#include "internal.h"

#define BT_NO_PLUGIN ((size_t)-1)

struct plugin_rec {
    char *file;
    const bluetti_plugin *desc;   /* NULL when refused before it was read */
    int status;
    char *reason;
    size_t n_blocks, n_profiles, n_transports;
};

struct block_entry { const bluetti_block_schema *s; size_t plugin; };
struct profile_entry { const bluetti_profile *p; size_t plugin; };
struct transport_entry { const bluetti_transport_ops *t; size_t plugin; };
/* A transport-NAME.so remembered, not opened (BLUETTI_LOAD_DEFER_TRANSPORTS). */
struct deferred { char *name; char *file; unsigned flags; };

struct bluetti_registry {
    bluetti_logger log;
    struct plugin_rec *plugins;
    size_t n_plugins, cap_plugins;
    struct block_entry *blocks;      /* sorted by id */
    size_t n_blocks, cap_blocks;
    struct profile_entry *profiles;
    size_t n_profiles, cap_profiles;
    struct transport_entry *transports;
    size_t n_transports, cap_transports;
    struct deferred *deferred;       /* in search order; opened on demand */
    size_t n_deferred, cap_deferred;
    size_t current;                  /* plugin whose init is running, or BT_NO_PLUGIN */
    bool ltdl_ready;
};

/* Append a plugin record; returns its index or BT_NO_PLUGIN on OOM. */
size_t bt_registry_add_record(bluetti_registry *r, const char *file);
/* Mark record i refused with err and a formatted reason; logs it. Returns err. */
int bt_registry_refuse(bluetti_registry *r, size_t i, int err, const char *fmt, ...)
    BLUETTI_PRINTF(4, 5);
/* Run a plugin's init for record i (ABI already checked); rolls back on failure. */
int bt_registry_init_plugin(bluetti_registry *r, size_t i, const bluetti_plugin *p);
/* Index of a loaded plugin with this name, or BT_NO_PLUGIN. */
size_t bt_registry_find_plugin(const bluetti_registry *r, const char *name);
/* Check a descriptor's ABI fields; fills why. */
int bt_plugin_check_abi(const bluetti_plugin *p, char *why, size_t why_len);

#endif
