/* Untrusted text (anything from the command line, a config file, standard
 * input, the device, the broker or the file system) is never printed as it
 * is (core/util/escape.c). */
#ifndef BT_UTIL_ESCAPE_H
#define BT_UTIL_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#define BT_SHOWN_MAX 64        /* bytes of a value or key shown in a message */
#define BT_SHOWN_PATH_MAX 256  /* bytes of a file name shown in a message */

/* Escape s into buf[cap]: printable ASCII as it is, every other byte (and
 * '\\') as \xNN; after max bytes of s (or when buf is full) it is cut and
 * "..." appended. Returns the length written. */
size_t bt_text_escape(char *buf, size_t cap, const char *s, size_t max);
/* s escaped, at most BT_SHOWN_MAX / BT_SHOWN_PATH_MAX bytes of it, in one of a
 * few static buffers used in turn: for the arguments of one message (not
 * thread-safe: for the tools, which talk from one thread). */
const char *bt_shown(const char *s);
const char *bt_shown_path(const char *s);
/* Write s to out with control characters (C0, DEL, and C1 written as
 * UTF-8) as \xNN, other bytes (UTF-8 text) as they are: the last line of
 * defence for whole messages (error and log lines). */
void bt_fput_safe(const char *s, FILE *out);

#endif
