/* libbluetti-cloud, opened only by the commands that need it (login,
 * devices, logout, --sn through the stored login): it pulls in libcurl and
 * OpenSSL, which a sim read or a decode must not pay for. */
#ifndef BLUETTI_TOOL_CLOUD_LIB_H
#define BLUETTI_TOOL_CLOUD_LIB_H

#include <bluetti/cloud.h>

/* The functions of bluetti/cloud.h the tool calls, by their names without
 * the bluetti_cloud_ prefix. */
typedef struct cloud_lib {
    void (*config_init)(bluetti_cloud_config *cfg);
    int (*new_)(const bluetti_cloud_config *cfg, bluetti_cloud **out, char *detail, size_t cap);
    void (*free_)(bluetti_cloud *c);
    const char *(*error_detail)(const bluetti_cloud *c);
    int (*login)(bluetti_cloud *c, const char *email, const char *password);
    int (*fetch_devices)(bluetti_cloud *c);
    size_t (*device_count)(const bluetti_cloud *c);
    const bluetti_cloud_device *(*device_at)(const bluetti_cloud *c, size_t i);
    const bluetti_cloud_device *(*device_find)(bluetti_cloud *c, const char *serial);
    const char *(*broker)(bluetti_cloud *c, const bluetti_cloud_device *d);
    int (*certificate)(bluetti_cloud *c, unsigned flags, uint8_t **p12, size_t *len, char **pw);
    void (*secret_free)(char *s);
    void (*bytes_free)(uint8_t *b, size_t len);
    int64_t (*token_expiry)(const bluetti_cloud *c);
    const char *(*account)(const bluetti_cloud *c);
    const char *(*uid)(const bluetti_cloud *c);
    int (*default_dir)(char **dir);
    int (*profile_save)(bluetti_cloud *c, const char *dir, char **path);
    int (*profile_load)(const char *path, const bluetti_cloud_config *cfg, bluetti_cloud **out,
                        char *detail, size_t cap);
    const char *(*profile_dir)(const bluetti_cloud *c);
    int (*profile_remove)(const char *dir, unsigned *removed, char *detail, size_t cap);
    int (*set_broker_pin)(bluetti_cloud *c, const char *pin);
    const char *(*broker_pin)(const bluetti_cloud *c);
} cloud_lib;

/* Open the library on first use ($BLUETTI_CLOUD_LIBRARY, else the
 * library search path, else the installed directory). NULL after printing
 * why it could not be opened. */
const cloud_lib *cloud_lib_open(void);

#endif
