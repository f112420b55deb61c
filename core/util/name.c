/* Name folding shared by the registry, profile matching and the simulator. */
#include "config.h"

#include "bt_name.h"

#include <ctype.h>

bool bt_name_sep(char c)
{
    return c == ' ' || c == '-' || c == '_';
}

static bool same_letter(char a, char b)
{
    return tolower((unsigned char)a) == tolower((unsigned char)b);
}

bool bt_name_eq(const char *a, const char *b)
{
    for (;;) {
        while (bt_name_sep(*a)) a++;
        while (bt_name_sep(*b)) b++;
        if (!*a || !*b) return !*a && !*b;
        if (!same_letter(*a, *b)) return false;
        a++;
        b++;
    }
}

size_t bt_name_prefix_len(const char *name, const char *text)
{
    const char *t = text;
    for (const char *n = name; *n; n++) {
        if (bt_name_sep(*n)) continue;
        while (bt_name_sep(*t)) t++;
        if (!*t || !same_letter(*n, *t)) return 0;
        t++;
    }
    return (size_t)(t - text);
}

static char key_char(char c)
{
    return c == '_' ? '-' : c;
}

bool bt_key_eq_n(const char *a, const char *b, size_t blen)
{
    size_t i = 0;
    for (; i < blen && a[i]; i++)
        if (key_char(a[i]) != key_char(b[i])) return false;
    return i == blen && a[i] == '\0';
}
