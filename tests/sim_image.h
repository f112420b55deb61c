/* A shipped device image for the tests that link libsimdev: read from its
 * file, or in a build without jansson (which reads no image files) the
 * built-in image made from that file, which holds the same registers
 * (tests/plugins/test_builtin_images.c checks that). */
#ifndef BT_TEST_SIM_IMAGE_H
#define BT_TEST_SIM_IMAGE_H

#include "simdev.h"
#include "testutil.h"

#include <string.h>

/* rel: "data/devices/el100v2.json". As bt_simdev_load. */
static inline int bt_test_image(const char *rel, bt_simdev **out, char *err, size_t err_len)
{
    if (bt_simdev_reads_files()) return bt_simdev_load(bt_src_path(rel), out, err, err_len);
    const char *file = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    for (size_t i = 0; i < bt_simdev_builtin_count(); i++)
        if (!strcmp(bt_simdev_builtin_file(i), file)) return bt_simdev_builtin_load(i, out, err, err_len);
    if (out) *out = NULL;
    snprintf(err, err_len, "%s: no built-in image was made from it", rel);
    return BLUETTI_E_NOTFOUND;
}

#endif
