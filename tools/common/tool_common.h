/* What the command-line programs (bluetti-tool, bluetti-bridge) share and
 * the libraries have no place for: config-line text and the registry
 * questions every tool asks. Compiled into each program (tools/common/). */
#ifndef BLUETTI_TOOL_COMMON_H
#define BLUETTI_TOOL_COMMON_H

#include <bluetti/bluetti.h>

/* s without leading blanks and trailing blanks and line ends (in place). */
char *tc_trim(char *s);

/* The transport to use when the user names none: the first with
 * BLUETTI_TRANSPORT_F_DEFAULT, loading deferred transports only when no
 * loaded one is; NULL when none is. */
const bluetti_transport_ops *tc_default_transport(bluetti_registry *reg);

#endif
