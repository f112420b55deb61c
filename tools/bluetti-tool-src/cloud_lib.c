/* Opening libbluetti-cloud at run time (see cloud_lib.h for why). */
#include "config.h"

#include "tool.h"
#include "cloud_lib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cloud_lib lib;
static bool opened;

/* The library's major version from its libtool version "C:R:A". */
static long soname_major(void)
{
    long c = 0, r = 0, a = 0;
    if (sscanf(BLUETTI_CLOUD_LT_VERSION, "%ld:%ld:%ld", &c, &r, &a) != 3) return 0;
    return c - a;
}

#define SYM(field, name)                                                                \
    do {                                                                                \
        void *p_ = dlsym(h, name);                                                      \
        if (!p_) { missing = name; break; }                                             \
        memcpy(&lib.field, &p_, sizeof p_); /* object to function pointer, as POSIX */  \
    } while (0)

const cloud_lib *cloud_lib_open(void)
{
    if (opened) return &lib;
    char soname[64], installed[sizeof LIBDIR + 64];
    snprintf(soname, sizeof soname, "libbluetti-cloud.so.%ld", soname_major());
    snprintf(installed, sizeof installed, "%s/%s", LIBDIR, soname);
    const char *env = getenv("BLUETTI_CLOUD_LIBRARY");
    const char *tries[3] = { env && *env ? env : NULL, soname, installed };
    void *h = NULL;
    const char *why = "";
    for (size_t i = 0; i < 3 && !h; i++) {
        if (!tries[i]) continue;
        h = dlopen(tries[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) why = dlerror();
    }
    if (!h) {
        tool_error(EXIT_FAIL, "cannot open %s, which the cloud login needs (%s); install "
                   "bluetti completely, or set BLUETTI_CLOUD_LIBRARY to the library file",
                   soname, why ? why : "not found");
        return NULL;
    }
    const char *missing = NULL;
    do {
        SYM(config_init, "bluetti_cloud_config_init");
        SYM(new_, "bluetti_cloud_new");
        SYM(free_, "bluetti_cloud_free");
        SYM(error_detail, "bluetti_cloud_error_detail");
        SYM(login, "bluetti_cloud_login");
        SYM(fetch_devices, "bluetti_cloud_fetch_devices");
        SYM(device_count, "bluetti_cloud_device_count");
        SYM(device_at, "bluetti_cloud_device_at");
        SYM(device_find, "bluetti_cloud_device_find");
        SYM(broker, "bluetti_cloud_broker");
        SYM(certificate, "bluetti_cloud_certificate");
        SYM(secret_free, "bluetti_cloud_secret_free");
        SYM(bytes_free, "bluetti_cloud_bytes_free");
        SYM(token_expiry, "bluetti_cloud_token_expiry");
        SYM(account, "bluetti_cloud_account");
        SYM(uid, "bluetti_cloud_uid");
        SYM(default_dir, "bluetti_cloud_default_dir");
        SYM(profile_save, "bluetti_cloud_profile_save");
        SYM(profile_load, "bluetti_cloud_profile_load");
        SYM(profile_dir, "bluetti_cloud_profile_dir");
        SYM(profile_remove, "bluetti_cloud_profile_remove");
        SYM(set_broker_pin, "bluetti_cloud_set_broker_pin");
        SYM(broker_pin, "bluetti_cloud_broker_pin");
    } while (0);
    if (missing) {
        tool_error(EXIT_FAIL, "%s lacks %s: it is older than this tool; install the "
                   "libbluetti-cloud of the same bluetti version", soname, missing);
        dlclose(h);
        memset(&lib, 0, sizeof lib);
        return NULL;
    }
    opened = true; /* kept open for the life of the process */
    return &lib;
}
