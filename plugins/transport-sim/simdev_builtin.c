/* The built-in images: lookup in the table of builtin_images.c (generated
 * from data/devices by `make update-images`, checked against the image
 * files by tests/plugins/test_builtin_images.c). transport-sim serves them
 * in a build that reads no image files. */
#include "config.h"

#include "simdev.h"

#include "bt_text.h"

#include <stdio.h>
#include <string.h>

size_t bt_simdev_builtin_count(void)
{
    return bt_sim_n_builtin_images;
}

const char *bt_simdev_builtin_file(size_t i)
{
    return i < bt_sim_n_builtin_images ? bt_sim_builtin_images[i].file : NULL;
}

int bt_simdev_builtin_load(size_t i, bt_simdev **out, char *err, size_t err_len)
{
    if (err && err_len) err[0] = '\0';
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    if (i >= bt_sim_n_builtin_images) {
        bt_fmt(err, err_len, "no built-in image %zu (there are %zu)", i, bt_sim_n_builtin_images);
        return BLUETTI_E_NOTFOUND;
    }
    char path[128];
    snprintf(path, sizeof path, "built-in:%s", bt_sim_builtin_images[i].file);
    return bt_simdev_new(&bt_sim_builtin_images[i].image, path, out, err, err_len);
}

int bt_simdev_builtin_find(const char *name, bt_simdev **out, char *err, size_t err_len)
{
    if (out) *out = NULL;
    if (!out || !name) return BLUETTI_E_INVAL;
    for (size_t i = 0; i < bt_sim_n_builtin_images; i++)
        if (bt_simdev_names_model(bt_sim_builtin_images[i].image.model,
                                  bt_sim_builtin_images[i].image.aliases,
                                  bt_sim_builtin_images[i].image.n_aliases, name))
            return bt_simdev_builtin_load(i, out, err, err_len);
    char models[256];
    bt_simdev_builtin_models(models, sizeof models);
    bt_fmt(err, err_len, "no built-in image of model \"%s\" (built-in: %s)", name, models);
    return BLUETTI_E_NOTFOUND;
}

void bt_simdev_builtin_models(char *buf, size_t cap)
{
    if (!buf || !cap) return;
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < bt_sim_n_builtin_images && used < cap; i++) {
        int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                         bt_sim_builtin_images[i].image.model);
        if (n < 0) break;
        used += (size_t)n;
    }
}
