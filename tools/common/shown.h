/* Untrusted text (anything from the command line, a config file, standard
 * input, the device, the broker or the file system) is never printed as it
 * is. Shared by bluetti-tool and bluetti-sim (tools/common/shown.c). */
#ifndef BLUETTI_TOOLS_SHOWN_H
#define BLUETTI_TOOLS_SHOWN_H

#include <stddef.h>

#define SHOWN_MAX 64        /* bytes of a value or key shown in a message */
#define SHOWN_PATH_MAX 256  /* bytes of a file name shown in a message */

/* Escape s into buf[cap]: printable ASCII as it is, every other byte (and
 * '\\') as \xNN; after max bytes of s (or when buf is full) it is cut and
 * "..." appended. Returns the length written. */
size_t text_escape(char *buf, size_t cap, const char *s, size_t max);
/* s escaped, at most SHOWN_MAX / SHOWN_PATH_MAX bytes of it, in one of a
 * few static buffers used in turn: for the arguments of one message. */
const char *shown(const char *s);
const char *shown_path(const char *s);

#endif
