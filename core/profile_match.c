/* Picking a profile from the model text a device reports (block 100 byte
 * 20) or the name it advertises over Bluetooth ("E200V2" followed by serial
 * digits). Data-driven: the profiles' model keys and aliases are the only
 * names known; no model is named here. */
#include "config.h"

#include "bt_name.h"

#include <bluetti/profile.h>
#include <bluetti/registry.h>

#include <ctype.h>

/* The rest of a text after a matched name: nothing, separators, or the
 * digits a Bluetooth name appends (a serial). */
static bool tail_ok(const char *rest, bool *exact)
{
    *exact = true;
    for (; *rest; rest++) {
        if (bt_name_sep(*rest)) continue;
        if (!isdigit((unsigned char)*rest)) return false;
        *exact = false;
    }
    return true;
}

static size_t score(const char *name, const char *text, bool *exact)
{
    size_t n = name && *name ? bt_name_prefix_len(name, text) : 0;
    if (!n || !tail_ok(text + n, exact)) return 0;
    return n;
}

const bluetti_profile *bluetti_registry_detect_profile(const bluetti_registry *r,
                                                       const char *model_text)
{
    if (!r || !model_text || !*model_text) return NULL;
    const bluetti_profile *best = NULL;
    size_t best_len = 0;
    bool best_exact = false;
    for (size_t i = 0; i < bluetti_registry_profile_count(r); i++) {
        const bluetti_profile *p = bluetti_registry_profile_at(r, i);
        /* the model key, then every alias; an exact match beats a prefix
         * (name + serial digits), a longer prefix beats a shorter one */
        for (const char *const *a = p->aliases, *name = p->model; name; name = a && *a ? *a++ : NULL) {
            bool exact = false;
            size_t n = score(name, model_text, &exact);
            if (n && ((exact && !best_exact) || (exact == best_exact && n > best_len))) {
                best = p;
                best_len = n;
                best_exact = exact;
            }
        }
    }
    return best;
}
