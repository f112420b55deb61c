/* Registry questions the tools share. */
#include "config.h"

#include "tool_common.h"

const bluetti_transport_ops *tc_default_transport(bluetti_registry *reg)
{
    for (int pass = 0; pass < 2; pass++) {
        if (pass) bluetti_registry_load_deferred(reg);
        for (size_t i = 0; i < bluetti_registry_transport_count(reg); i++) {
            const bluetti_transport_ops *o = bluetti_registry_transport_at(reg, i);
            if (o->flags & BLUETTI_TRANSPORT_F_DEFAULT) return o;
        }
    }
    return NULL;
}
