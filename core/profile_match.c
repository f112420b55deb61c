/* Picking a profile from the model text a device reports (block 100 byte
 * 20) or the name it advertises over Bluetooth ("E200V2" followed by serial
 * digits). Data-driven: the profiles' model keys and aliases are the only
 * names known; no model is named here. */
#include "config.h"

#include <bluetti/profile.h>
#include <bluetti/registry.h>

#include <ctype.h>
#include <string.h>

/* Compare names ignoring case, spaces, '-' and '_'. Returns the number of
 * bytes of `text` consumed when all of `name` matched a prefix of it, or
 * 0 when it did not. */
static size_t prefix_len(const char *name, const char *text)
{
    const char *t = text;
    for (const char *n = name; *n; n++) {
        if (*n == ' ' || *n == '-' || *n == '_') continue;
        while (*t == ' ' || *t == '-' || *t == '_') t++;
        if (!*t || tolower((unsigned char)*n) != tolower((unsigned char)*t)) return 0;
        t++;
    }
    return (size_t)(t - text);
}

/* The rest of a text after a matched name: nothing, separators, or the
 * digits a Bluetooth name appends (a serial). */
static bool tail_ok(const char *rest, bool *exact)
{
    *exact = true;
    for (; *rest; rest++) {
        if (*rest == ' ' || *rest == '-' || *rest == '_') continue;
        if (!isdigit((unsigned char)*rest)) return false;
        *exact = false;
    }
    return true;
}

static size_t score(const char *name, const char *text, bool *exact)
{
    size_t n = name && *name ? prefix_len(name, text) : 0;
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
