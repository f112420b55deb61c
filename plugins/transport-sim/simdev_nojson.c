/* Device image files in a build without jansson: none can be read. The
 * error says so and names what the build serves instead (the built-in
 * images, simdev_builtin.c). */
#include "config.h"

#include "simdev.h"

#include "bt_text.h"

bool bt_simdev_reads_files(void)
{
    return false;
}

int bt_simdev_load(const char *path, bt_simdev **out, char *err, size_t err_len)
{
    if (err && err_len) err[0] = '\0';
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    char models[256];
    bt_simdev_builtin_models(models, sizeof models);
    bt_fmt(err, err_len, "%s: this build has no jansson: device image files cannot be read; "
           "built-in images: %s; rebuild with libjansson-dev to read image files",
           path ? path : "(null)", models);
    return BLUETTI_E_UNSUPPORTED;
}
