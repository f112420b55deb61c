/* "A sim device without serial uses its image's serial": the serial lives
 * only in the device images the sim source serves, so the bridge reads
 * them the way the sim transport does (its `device` option, else every
 * image in $BLUETTI_SIM_DEVICES, else the installed ones) with the same
 * image loader (libsimdev). This is the one place the bridge knows about
 * one transport. */
#include "config.h"

#include "bridge.h"
#include "simdev.h"

#include "bt_escape.h"
#include "bt_text.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#ifndef BLUETTI_DATADIR
#define BLUETTI_DATADIR "/usr/share/bluetti"
#endif

/* The serial of path's image when it is of model, malloc'd; else NULL. */
static char *image_serial(const char *path, const char *model)
{
    bt_simdev *d = NULL;
    char why[256];
    if (bt_simdev_load(path, &d, why, sizeof why) != 0) return NULL;
    char *serial = NULL;
    if (!model || bt_simdev_matches_model(d, model)) serial = strdup(bt_simdev_serial(d));
    bt_simdev_free(d);
    return serial;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

char *br_sim_image_serial(const br_source *src, const char *model, char *err, size_t err_len)
{
    size_t n = bluetti_options_count(src->opts, "device");
    bool any_given = n > 0;
    for (size_t i = 0; i < n; i++) {
        char *s = image_serial(bluetti_options_get_nth(src->opts, "device", i), model);
        if (s) return s;
    }
    const char *dir = getenv("BLUETTI_SIM_DEVICES");
    char installed[4096];
    if (!dir || !*dir) {
        bt_fmt(installed, sizeof installed, "%s/devices", BLUETTI_DATADIR);
        dir = installed;
    }
    char *found = NULL;
    if (!any_given) {
        struct dirent **list = NULL;
        int m = scandir(dir, &list, NULL, by_name);
        for (int i = 0; i < m; i++) {
            size_t len = strlen(list[i]->d_name);
            if (!found && len > 5 && !strcmp(list[i]->d_name + len - 5, ".json")) {
                char path[4096 + 256];
                bt_fmt(path, sizeof path, "%s/%s", dir, list[i]->d_name);
                found = image_serial(path, model);
            }
            free(list[i]);
        }
        free(list);
    }
    if (!found)
        bt_fmt(err, err_len, "no device image of model %s in %s; give the device a serial = "
               "line, or a device = IMAGE line in [source %s]", model ? bt_shown(model) : "(any)",
               any_given ? "the source's device images" : bt_shown_path(dir), src->name);
    return found;
}
