/* Per-model field overrides: a profile's data changes the scale, sign,
 * word order, unit, value names or meaning of a block's field without a
 * second block table. The patched schema is built once when a device's
 * result for a block is created, so the decode loop stays the same
 * allocation-free loop over one schema. */
#include "config.h"

#include <bluetti/decode.h>
#include <bluetti/error.h>
#include <bluetti/profile.h>

#include "internal.h"

#include <stdlib.h>
#include <string.h>

const bluetti_field_override *bluetti_profile_override(const bluetti_profile *p, uint16_t block,
                                                       const char *field)
{
    if (!p || !field) return NULL;
    for (uint16_t i = 0; p->overrides && i < p->n_overrides; i++) {
        const bluetti_field_override *o = &p->overrides[i];
        if (o->block == block && o->field && strcmp(o->field, field) == 0) return o;
    }
    return NULL;
}

size_t bluetti_profile_override_count(const bluetti_profile *p, uint16_t block)
{
    size_t n = 0;
    for (uint16_t i = 0; p && p->overrides && i < p->n_overrides; i++)
        n += p->overrides[i].block == block;
    return n;
}

static void apply(bluetti_field *f, const bluetti_field_override *o)
{
    if (o->what & BLUETTI_OV_TYPE) f->type = o->type;
    if (o->what & BLUETTI_OV_ORDER) f->order = o->order;
    if (o->what & BLUETTI_OV_XF) memcpy(f->xf, o->xf, sizeof f->xf);
    if (o->what & BLUETTI_OV_UNIT) f->unit = o->unit;
    if (o->what & BLUETTI_OV_ENUMS) f->enums = o->enums;
    if (o->what & BLUETTI_OV_DESCRIPTION && o->description) f->description = o->description;
    f->evidence = o->evidence;
    if (o->note) f->note = o->note;
}

/* One allocation holds the schema copy and its fields. */
struct patched {
    bluetti_block_schema s;
    bluetti_field fields[];
};

int bluetti_result_new_for_profile(const bluetti_block_schema *s, const bluetti_profile *p,
                                   bluetti_result **out, char *why, size_t why_len)
{
    if (out) *out = NULL;
    if (!s || !out) return BLUETTI_E_INVAL;
    /* the registry validated s when it was registered */
    if (bluetti_profile_override_count(p, s->id) == 0) return bt_result_new_valid(s, out);
    struct patched *pt = malloc(sizeof *pt + (size_t)s->n_fields * sizeof pt->fields[0]);
    if (!pt) return BLUETTI_E_NOMEM;
    pt->s = *s;
    if (s->n_fields) memcpy(pt->fields, s->fields, (size_t)s->n_fields * sizeof pt->fields[0]);
    pt->s.fields = pt->fields;
    for (uint16_t i = 0; i < p->n_overrides; i++) {
        const bluetti_field_override *o = &p->overrides[i];
        if (o->block != s->id) continue;
        int k = o->field ? bluetti_schema_field_index(&pt->s, o->field) : -1;
        if (k < 0) {
            bt_fmt(why, why_len, "profile %s: override of block %u names field '%s', which "
                   "that block does not have; fix the profile", p->model, (unsigned)s->id,
                   o->field ? o->field : "(none)");
            free(pt);
            return BLUETTI_E_SCHEMA;
        }
        apply(&pt->fields[k], o);
    }
    char v[200] = "";
    if (bluetti_schema_validate(&pt->s, v, sizeof v) != 0) {
        bt_fmt(why, why_len, "profile %s: its overrides make block %u invalid: %s", p->model,
               (unsigned)s->id, v);
        free(pt);
        return BLUETTI_E_SCHEMA;
    }
    int rc = bt_result_new_valid(&pt->s, out);  /* validated just above */
    if (rc) {
        free(pt);
        return rc;
    }
    bt_result_adopt(*out, pt);
    return 0;
}
