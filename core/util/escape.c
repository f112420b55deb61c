/* Untrusted text in messages, shared by bluetti-tool and bluetti-sim. */
#include "config.h"

#include "bt_escape.h"

#include <stdbool.h>
#include <string.h>

static const char hexdig[] = "0123456789abcdef";

size_t bt_text_escape(char *buf, size_t cap, const char *s, size_t max)
{
    if (!cap) return 0;
    if (!s) s = "(null)";
    size_t w = 0;
    bool cut = false;
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        bool plain = c >= 0x20 && c < 0x7f && c != '\\';
        /* room for this byte, a "..." and the NUL */
        if (i >= max || w + (plain ? 1 : 4) + 4 > cap) {
            cut = true;
            break;
        }
        if (plain) {
            buf[w++] = (char)c;
        } else {
            buf[w++] = '\\';
            buf[w++] = 'x';
            buf[w++] = hexdig[c >> 4];
            buf[w++] = hexdig[c & 15];
        }
    }
    if (cut && w + 4 <= cap) {
        memcpy(buf + w, "...", 3);
        w += 3;
    }
    buf[w] = '\0';
    return w;
}

/* A few buffers used in turn, so that one message can show several pieces. */
#define SHOWN_SLOTS 8
static const char *shown_n(const char *s, size_t max)
{
    static char ring[SHOWN_SLOTS][BT_SHOWN_PATH_MAX * 4 + 4];
    static unsigned next;
    char *buf = ring[next++ % SHOWN_SLOTS];
    bt_text_escape(buf, sizeof ring[0], s, max);
    return buf;
}

const char *bt_shown(const char *s)
{
    return shown_n(s, BT_SHOWN_MAX);
}

const char *bt_shown_path(const char *s)
{
    return shown_n(s, BT_SHOWN_PATH_MAX);
}

void bt_fput_safe(const char *s, FILE *out)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        /* C0 controls, DEL, and C1 controls written as UTF-8 (C2 80..C2 9F) */
        bool c1 = p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F;
        if (*p >= 0x20 && *p != 0x7f && !c1) {
            fputc(*p, out);
            continue;
        }
        fprintf(out, "\\x%c%c", hexdig[*p >> 4], hexdig[*p & 15]);
        if (c1) {
            p++;
            fprintf(out, "\\x%c%c", hexdig[*p >> 4], hexdig[*p & 15]);
        }
    }
}
