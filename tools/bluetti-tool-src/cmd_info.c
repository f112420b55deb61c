/* Commands that list what the plugins provide: plugins, models, blocks,
 * describe. */
#include "config.h"

#include "tool.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Parse options of a command that takes none besides --help. */
static int no_options(const char *name, int argc, char **argv, bool *done)
{
    optval v[1] = { { 0 } };
    int rc = cmd_opts_no_args(name, v, argc, argv, done);
    optvals_free(v, 1, help_only_opts);
    return rc;
}

/* ---- plugins ------------------------------------------------------------------ */

/* File names and reasons of refused files come from the file system: shown
 * escaped (malloc'd; NULL on OOM, which prints an empty cell). */
static char *escaped(const char *s)
{
    size_t cap = strlen(s) * 4 + 4;
    char *e = malloc(cap);
    if (e) bt_text_escape(e, cap, s, SIZE_MAX);
    return e;
}

typedef struct provides {
    json_t *transports, *profiles, *blocks;
    char *text;
} provides;

static void append(char **text, const char *piece)
{
    char *n = *text ? xasprintf("%s%s", *text, piece) : strdup(piece);
    free(*text);
    *text = n;
}

static void plugin_provides(const tool *t, const char *name, provides *p)
{
    p->transports = json_array();
    p->profiles = json_array();
    p->blocks = json_array();
    p->text = NULL;
    char *tr = NULL, *pr = NULL, *bl = NULL;
    for (size_t i = 0; i < bluetti_registry_transport_count(t->reg); i++) {
        const bluetti_transport_ops *o = bluetti_registry_transport_at(t->reg, i);
        const char *owner = bluetti_registry_transport_plugin(t->reg, o);
        if (!owner || strcmp(owner, name) != 0) continue;
        json_array_append_new(p->transports, json_string(o->name));
        append(&tr, tr ? ", " : "transport ");
        append(&tr, o->name);
    }
    for (size_t i = 0; i < bluetti_registry_profile_count(t->reg); i++) {
        const bluetti_profile *pf = bluetti_registry_profile_at(t->reg, i);
        const char *owner = bluetti_registry_profile_plugin(t->reg, pf);
        if (!owner || strcmp(owner, name) != 0) continue;
        json_array_append_new(p->profiles, json_string(pf->model));
        append(&pr, pr ? ", " : "models ");
        append(&pr, pf->model);
    }
    for (size_t i = 0; i < bluetti_registry_block_count(t->reg); i++) {
        const bluetti_block_schema *s = bluetti_registry_block_at(t->reg, i);
        const char *owner = bluetti_registry_block_plugin(t->reg, s->id);
        if (!owner || strcmp(owner, name) != 0) continue;
        json_array_append_new(p->blocks, json_integer(s->id));
        char num[16];
        snprintf(num, sizeof num, "%u", (unsigned)s->id);
        append(&bl, bl ? ", " : "blocks ");
        append(&bl, num);
    }
    const char *parts[3] = { tr, pr, bl };
    for (size_t i = 0; i < 3; i++) {
        if (!parts[i]) continue;
        if (p->text) append(&p->text, "; ");
        append(&p->text, parts[i]);
    }
    if (!p->text) p->text = strdup("nothing");
    free(tr);
    free(pr);
    free(bl);
}

int cmd_plugins(tool *t, int argc, char **argv)
{
    bool done = false;
    int rc = no_options("plugins", argc, argv, &done);
    if (rc || done) return rc;
    bluetti_registry_load_deferred(t->reg); /* list the transport plugins too */
    size_t n = bluetti_registry_plugin_count(t->reg);
    json_t *arr = t->set.json ? json_array() : NULL;
    table *tb = table_new(4);
    table *refused = table_new(2);
    const char *head[4] = { "NAME", "VERSION", "PROVIDES", "FILE" };
    table_add(tb, head);
    size_t loaded = 0;
    for (size_t i = 0; i < n; i++) {
        bluetti_plugin_info info;
        if (bluetti_registry_plugin_info(t->reg, i, &info) != 0) continue;
        if (info.status == 0) {
            loaded++;
            provides p;
            plugin_provides(t, info.name, &p);
            if (arr) {
                json_t *o = json_object();
                json_object_set_new(o, "file", json_string(info.file));
                json_object_set_new(o, "name", json_string(info.name));
                json_object_set_new(o, "version", json_string(info.version ? info.version : ""));
                json_object_set_new(o, "description",
                                    json_string(info.description ? info.description : ""));
                json_object_set_new(o, "status", json_string("loaded"));
                json_object_set_new(o, "transports", json_incref(p.transports));
                json_object_set_new(o, "profiles", json_incref(p.profiles));
                json_object_set_new(o, "blocks", json_incref(p.blocks));
                json_array_append_new(arr, o);
            }
            char *file = escaped(info.file);
            const char *row[4] = { info.name, info.version, p.text, file };
            table_add(tb, row);
            free(file);
            json_decref(p.transports);
            json_decref(p.profiles);
            json_decref(p.blocks);
            free(p.text);
        } else {
            if (arr) {
                json_t *o = json_object();
                json_object_set_new(o, "file", json_string(info.file));
                if (info.name) json_object_set_new(o, "name", json_string(info.name));
                json_object_set_new(o, "status", json_string("refused"));
                json_object_set_new(o, "error", json_string(bluetti_err_name(info.status)));
                json_object_set_new(o, "reason", json_string(info.reason ? info.reason : ""));
                json_array_append_new(arr, o);
            }
            char *name = escaped(info.file);
            char *file = name ? xasprintf("%s:", name) : NULL;
            char *reason = escaped(info.reason ? info.reason : bluetti_strerror(info.status));
            const char *row[2] = { file, reason };
            table_add(refused, row);
            free(name);
            free(file);
            free(reason);
        }
    }
    if (arr) {
        json_t *doc = json_object();
        json_object_set_new(doc, "plugins", arr);
        json_object_set_new(doc, "installed_dir", json_string(bluetti_plugin_dir()));
        rc = json_print(doc);
    } else {
        if (loaded) table_print(tb, stdout, "");
        if (loaded < n) {
            printf("%srefused:\n", loaded ? "\n" : "");
            table_print(refused, stdout, "  ");
        }
    }
    table_free(tb);
    table_free(refused);
    if (!loaded && !t->set.quiet)
        tool_warn("no plugins are loaded; give --plugin-dir DIR or set BLUETTI_PLUGIN_PATH "
                  "(the installed directory is %s)", bluetti_plugin_dir());
    return rc;
}

/* ---- models ------------------------------------------------------------------- */

static char *block_ids_text(const uint16_t *ids, size_t n)
{
    char *s = strdup("");
    for (size_t i = 0; i < n && s; i++) {
        char *ns = xasprintf("%s%s%u", s, i ? "," : "", (unsigned)ids[i]);
        free(s);
        s = ns;
    }
    return s;
}

static json_t *model_json(const tool *t, const bluetti_profile *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "model", json_string(p->model));
    json_t *al = json_array();
    for (const char *const *a = p->aliases; a && *a; a++) json_array_append_new(al, json_string(*a));
    json_object_set_new(o, "aliases", al);
    json_object_set_new(o, "type_id", json_string(p->type_id ? p->type_id : ""));
    json_object_set_new(o, "protocol_version", json_integer(p->protocol_version));
    if (p->version_block) {
        json_object_set_new(o, "version_block", json_integer(p->version_block));
        json_object_set_new(o, "version_offset", json_integer(p->version_offset));
    }
    json_object_set_new(o, "description", json_string(p->description ? p->description : ""));
    json_object_set_new(o, "evidence", json_string(bluetti_evidence_name(p->evidence)));
    if (p->evidence_note) json_object_set_new(o, "evidence_note", json_string(p->evidence_note));
    if (p->has_modbus_address)
        json_object_set_new(o, "modbus_address", json_integer(p->modbus_address));
    json_object_set_new(o, "overrides", json_integer(p->n_overrides));
    const char *owner = bluetti_registry_profile_plugin(t->reg, p);
    json_object_set_new(o, "plugin", json_string(owner ? owner : ""));
    json_t *groups = json_array();
    for (uint16_t i = 0; i < p->n_groups; i++) {
        const bluetti_block_group *g = &p->groups[i];
        json_t *go = json_object();
        json_object_set_new(go, "name", json_string(g->name));
        json_t *ids = json_array();
        for (uint16_t k = 0; k < g->n_blocks; k++) json_array_append_new(ids, json_integer(g->blocks[k]));
        json_object_set_new(go, "blocks", ids);
        json_object_set_new(go, "poll_interval_s", json_integer(g->poll_interval_s));
        json_object_set_new(go, "default", json_boolean(g->is_default));
        json_object_set_new(go, "description", json_string(g->description ? g->description : ""));
        json_array_append_new(groups, go);
    }
    json_object_set_new(o, "groups", groups);
    return o;
}

static void model_print(const tool *t, const bluetti_profile *p)
{
    char *aliases = strdup("");
    for (const char *const *a = p->aliases; a && *a && aliases; a++) {
        char *n = xasprintf("%s%s%s", aliases, *aliases ? ", " : "", *a);
        free(aliases);
        aliases = n;
    }
    const char *owner = bluetti_registry_profile_plugin(t->reg, p);
    printf("%s%s%s%s: type %s, protocol version %u, plugin %s\n", p->model,
           aliases && *aliases ? " (" : "", aliases && *aliases ? aliases : "",
           aliases && *aliases ? ")" : "", p->type_id ? p->type_id : "-",
           (unsigned)p->protocol_version, owner ? owner : "?");
    free(aliases);
    if (p->description && *p->description) printf("  %s\n", p->description);
    printf("  evidence %s%s%s\n", bluetti_evidence_name(p->evidence),
           p->evidence_note ? ": " : "", p->evidence_note ? p->evidence_note : "");
    if (p->has_modbus_address) printf("  Modbus address %u\n", (unsigned)p->modbus_address);
    if (p->n_overrides)
        printf("  %u field override%s ('" TOOL_NAME " --model %s describe BLOCK' shows them)\n",
               (unsigned)p->n_overrides, p->n_overrides == 1 ? "" : "s", p->model);
    table *tb = table_new(5);
    const char *head[5] = { "GROUP", "BLOCKS", "POLL", "DEFAULT", "DESCRIPTION" };
    table_add(tb, head);
    for (uint16_t i = 0; i < p->n_groups; i++) {
        const bluetti_block_group *g = &p->groups[i];
        char *ids = block_ids_text(g->blocks, g->n_blocks);
        char poll[24];
        snprintf(poll, sizeof poll, "%u s", (unsigned)g->poll_interval_s);
        const char *row[5] = { g->name, ids, poll, g->is_default ? "yes" : "no", g->description };
        table_add(tb, row);
        free(ids);
    }
    table_print(tb, stdout, "  ");
    table_free(tb);
}

int cmd_models(tool *t, int argc, char **argv)
{
    bool done = false;
    int rc = no_options("models", argc, argv, &done);
    if (rc || done) return rc;
    size_t n = bluetti_registry_profile_count(t->reg);
    if (t->set.json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, model_json(t, bluetti_registry_profile_at(t->reg, i)));
        json_t *doc = json_object();
        json_object_set_new(doc, "models", arr);
        return json_print(doc);
    }
    for (size_t i = 0; i < n; i++) {
        if (i) putchar('\n');
        model_print(t, bluetti_registry_profile_at(t->reg, i));
    }
    if (!n) tool_warn("no device profiles are loaded%s", no_plugins_hint(t));
    return EXIT_OK;
}

/* ---- blocks ------------------------------------------------------------------- */

static json_t *block_summary_json(const tool *t, const bluetti_block_schema *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "block", json_integer(s->id));
    json_object_set_new(o, "name", json_string(s->name ? s->name : ""));
    json_object_set_new(o, "description", json_string(s->description ? s->description : ""));
    json_object_set_new(o, "class", json_string(block_class_name(s->block_class)));
    json_object_set_new(o, "min_length", json_integer(s->min_length));
    json_object_set_new(o, "read_length", json_integer((json_int_t)bluetti_schema_read_length(s)));
    json_object_set_new(o, "strict", json_boolean(s->strict));
    json_object_set_new(o, "protocol_version", json_integer(s->protocol_version));
    json_object_set_new(o, "evidence", json_string(bluetti_evidence_name(s->evidence)));
    json_object_set_new(o, "fields", json_integer(s->n_fields));
    const char *owner = bluetti_registry_block_plugin(t->reg, s->id);
    json_object_set_new(o, "plugin", json_string(owner ? owner : ""));
    return o;
}

int cmd_blocks(tool *t, int argc, char **argv)
{
    bool done = false;
    int rc = no_options("blocks", argc, argv, &done);
    if (rc || done) return rc;
    size_t n = bluetti_registry_block_count(t->reg);
    if (t->set.json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, block_summary_json(t, bluetti_registry_block_at(t->reg, i)));
        json_t *doc = json_object();
        json_object_set_new(doc, "blocks", arr);
        return json_print(doc);
    }
    table *tb = table_new(9);
    const char *head[9] = { "BLOCK", "HEX", "NAME", "CLASS", "BYTES", "FIELDS", "EVIDENCE",
                            "PLUGIN", "DESCRIPTION" };
    table_add(tb, head);
    for (size_t i = 0; i < n; i++) {
        const bluetti_block_schema *s = bluetti_registry_block_at(t->reg, i);
        char id[8], hex[8], bytes[16], fields[8];
        snprintf(id, sizeof id, "%u", (unsigned)s->id);
        snprintf(hex, sizeof hex, "0x%04X", (unsigned)s->id);
        snprintf(bytes, sizeof bytes, "%zu", bluetti_schema_read_length(s));
        snprintf(fields, sizeof fields, "%u", (unsigned)s->n_fields);
        const char *owner = bluetti_registry_block_plugin(t->reg, s->id);
        const char *row[9] = { id, hex, s->name, block_class_name(s->block_class), bytes, fields,
                               bluetti_evidence_name(s->evidence), owner, s->description };
        table_add(tb, row);
    }
    if (n) table_print(tb, stdout, "");
    else tool_warn("no block schemas are loaded%s", no_plugins_hint(t));
    table_free(tb);
    return EXIT_OK;
}

/* ---- describe ----------------------------------------------------------------- */

static json_t *xform_json(const bluetti_field *f)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < BLUETTI_MAX_XF && f->xf[i].op != BLUETTI_XF_END; i++) {
        const bluetti_xform *x = &f->xf[i];
        json_t *o = json_object(), *args = json_array();
        json_object_set_new(o, "op", json_string(bluetti_xf_op_name(x->op)));
        switch (x->op) {
        case BLUETTI_XF_SCALE:
        case BLUETTI_XF_MINUS:
            json_array_append_new(args, json_real(x->arg.f[0]));
            break;
        case BLUETTI_XF_CLAMP:
            json_array_append_new(args, json_real(x->arg.f[0]));
            json_array_append_new(args, json_real(x->arg.f[1]));
            break;
        case BLUETTI_XF_BITMASK:
        case BLUETTI_XF_SHIFT:
            json_array_append_new(args, json_integer((json_int_t)x->arg.u));
            break;
        case BLUETTI_XF_ENABLE_LIST:
            json_array_append_new(args, json_integer((json_int_t)x->arg.i[0]));
            json_array_append_new(args, json_integer((json_int_t)x->arg.i[1]));
            break;
        default:
            break;
        }
        json_object_set_new(o, "args", args);
        json_array_append_new(arr, o);
    }
    return arr;
}

/* What may be written to f, for describe (text). */
static void write_text(const bluetti_field *f)
{
    const bluetti_write_spec *w = f->write;
    printf("  %s: register %u;", f->name, (unsigned)w->reg);
    for (const bluetti_enum_name *en = w->values; en && en->name; en++)
        printf("%s %s = %" PRId64, en == w->values ? " values" : ",", en->name, en->value);
    if (w->step > 0) {
        char lo[32], hi[32], st[32];
        format_double(w->min, lo, sizeof lo);
        format_double(w->max, hi, sizeof hi);
        format_double(w->step, st, sizeof st);
        printf("%s %s..%s%s%s in steps of %s", w->values ? " or" : "", lo, hi,
               f->unit ? " " : "", f->unit ? f->unit : "", st);
    }
    printf("; write evidence %s%s", bluetti_evidence_name(w->evidence),
           w->evidence == BLUETTI_EV_CONFIRMED ? "" : " (set needs --allow-unverified)");
    if (w->note) printf(": %s", w->note);
    putchar('\n');
}

static json_t *write_json(const bluetti_field *f)
{
    const bluetti_write_spec *w = f->write;
    json_t *o = json_object();
    json_object_set_new(o, "register", json_integer(w->reg));
    json_object_set_new(o, "evidence", json_string(bluetti_evidence_name(w->evidence)));
    if (w->values) {
        json_t *e = json_object();
        for (const bluetti_enum_name *en = w->values; en->name; en++)
            json_object_set_new(e, en->name, json_integer((json_int_t)en->value));
        json_object_set_new(o, "values", e);
    }
    if (w->step > 0) {
        json_object_set_new(o, "min", json_real(w->min));
        json_object_set_new(o, "max", json_real(w->max));
        json_object_set_new(o, "step", json_real(w->step));
    }
    if (w->note) json_object_set_new(o, "note", json_string(w->note));
    return o;
}

static json_t *field_schema_json(const bluetti_block_schema *s, const bluetti_field *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(f->name));
    json_object_set_new(o, "offset", json_integer(f->offset));
    if (f->after) json_object_set_new(o, "after", json_string(f->after));
    else json_object_set_new(o, "register", json_integer(s->id + f->offset / 2));
    json_object_set_new(o, "type", json_string(bluetti_wire_type_name(f->type)));
    if (f->size) json_object_set_new(o, "size", json_integer(f->size));
    json_object_set_new(o, "array", json_boolean(f->flags & BLUETTI_F_ARRAY));
    if (f->stride) json_object_set_new(o, "stride", json_integer(f->stride));
    if (f->count_from) json_object_set_new(o, "count_from", json_string(f->count_from));
    json_object_set_new(o, "order", json_string(field_order_text(f)));
    json_object_set_new(o, "transforms", xform_json(f));
    if (f->unit) json_object_set_new(o, "unit", json_string(f->unit));
    json_object_set_new(o, "required", json_boolean(f->flags & BLUETTI_F_REQUIRED));
    json_object_set_new(o, "sensitive", json_boolean(f->flags & BLUETTI_F_SENSITIVE));
    json_object_set_new(o, "min_protocol", json_integer(f->min_protocol));
    json_object_set_new(o, "evidence", json_string(bluetti_evidence_name(f->evidence)));
    if (f->description) json_object_set_new(o, "description", json_string(f->description));
    if (f->note) json_object_set_new(o, "note", json_string(f->note));
    if (f->enums) {
        json_t *e = json_object();
        for (const bluetti_enum_name *en = f->enums; en->name; en++) {
            char k[32];
            snprintf(k, sizeof k, "%" PRId64, en->value);
            json_object_set_new(e, k, json_string(en->name));
        }
        json_object_set_new(o, "enums", e);
    }
    json_object_set_new(o, "writable", json_boolean(f->write != NULL));
    if (f->write) json_object_set_new(o, "write", write_json(f));
    if (f->bits) {
        json_t *b = json_object();
        for (const bluetti_bit_name *bn = f->bits; bn->name; bn++) {
            char k[8];
            snprintf(k, sizeof k, "%u", (unsigned)bn->bit);
            json_object_set_new(b, k, json_string(bn->name));
        }
        json_object_set_new(o, "bits", b);
    }
    return o;
}

static void describe_text(const tool *t, const bluetti_block_schema *s)
{
    const char *owner = bluetti_registry_block_plugin(t->reg, s->id);
    size_t rl = bluetti_schema_read_length(s);
    printf("block %u (0x%04X) %s%s%s\n", (unsigned)s->id, (unsigned)s->id, s->name,
           s->description ? ": " : "", s->description ? s->description : "");
    printf("  class %s, min length %u bytes, read %zu bytes (%zu registers), %s, evidence %s, "
           "layout protocol %u, plugin %s\n",
           block_class_name(s->block_class), (unsigned)s->min_length, rl, (rl + 1) / 2,
           s->strict ? "strict" : "not strict", bluetti_evidence_name(s->evidence),
           (unsigned)s->protocol_version, owner ? owner : "?");
    if (s->notes && *s->notes) printf("  notes: %s\n", s->notes);
    putchar('\n');
    table *tb = table_new(11);
    const char *head[11] = { "FIELD", "OFFSET", "REG", "TYPE", "ORDER", "TRANSFORMS", "UNIT",
                             "REQUIRED", "MIN PROTO", "EVIDENCE", "DESCRIPTION" };
    table_add(tb, head);
    for (uint16_t i = 0; i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        char *off = field_offset_text(f), *type = field_type_text(f), *xf = xform_text(f);
        char reg[16] = "-", minp[16] = "-";
        if (!f->after) snprintf(reg, sizeof reg, "%u", (unsigned)(s->id + f->offset / 2));
        if (f->min_protocol) snprintf(minp, sizeof minp, "%u", (unsigned)f->min_protocol);
        const char *row[11] = { f->name, off, reg, type, field_order_text(f), *xf ? xf : "-",
                                f->unit ? f->unit : "-",
                                (f->flags & BLUETTI_F_REQUIRED) ? "yes" : "no", minp,
                                bluetti_evidence_name(f->evidence), f->description };
        table_add(tb, row);
        free(off);
        free(type);
        free(xf);
    }
    table_print(tb, stdout, "  ");
    table_free(tb);
    bool any = false;
    for (uint16_t i = 0; i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        if (!f->note || !*f->note) continue;
        if (!any) printf("\nfield notes:\n");
        any = true;
        printf("  %s: %s\n", f->name, f->note);
    }
    any = false;
    for (uint16_t i = 0; i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        if (!f->enums && !f->bits) continue;
        if (!any) printf("\nvalue names:\n");
        any = true;
        printf("  %s:", f->name);
        for (const bluetti_enum_name *en = f->enums; en && en->name; en++)
            printf("%s %" PRId64 " = %s", en == f->enums ? "" : ",", en->value, en->name);
        for (const bluetti_bit_name *bn = f->bits; bn && bn->name; bn++)
            printf("%s bit %u = %s", bn == f->bits ? "" : ",", (unsigned)bn->bit, bn->name);
        putchar('\n');
    }
    any = false;
    for (uint16_t i = 0; i < s->n_fields; i++) {
        if (!s->fields[i].write) continue;
        if (!any) printf("\nwritable fields (bluetti-tool set FIELD VALUE):\n");
        any = true;
        write_text(&s->fields[i]);
    }
    if (s->n_fields == 0) printf("  (no fields)\n");
}

/* What a model's override changes, in words ("scale x0.01, unit h"). */
static char *override_text(const bluetti_field_override *o)
{
    char *s = strdup("");
    bluetti_field f = { .name = o->field };
    memcpy(f.xf, o->xf, sizeof f.xf);
    char *xf = (o->what & BLUETTI_OV_XF) ? xform_text(&f) : NULL;
    const char *parts[6] = { NULL };
    char *own[6] = { NULL };
    size_t n = 0;
    if (o->what & BLUETTI_OV_TYPE)
        parts[n] = own[n] = xasprintf("type %s", bluetti_wire_type_name(o->type)), n++;
    if (o->what & BLUETTI_OV_ORDER)
        parts[n] = own[n] = xasprintf("order %s", bluetti_order_name(o->order)), n++;
    if (xf) parts[n] = own[n] = xasprintf("transforms %s", *xf ? xf : "none"), n++;
    if (o->what & BLUETTI_OV_UNIT)
        parts[n] = own[n] = xasprintf("unit %s", o->unit ? o->unit : "none"), n++;
    if (o->what & BLUETTI_OV_ENUMS) parts[n++] = "value names";
    if (o->what & BLUETTI_OV_DESCRIPTION)
        parts[n] = own[n] = xasprintf("meaning \"%s\"", o->description ? o->description : ""), n++;
    for (size_t i = 0; i < n && s; i++) {
        char *ns = xasprintf("%s%s%s", s, i ? ", " : "", parts[i]);
        free(s);
        s = ns;
    }
    for (size_t i = 0; i < n; i++) free(own[i]);
    free(xf);
    return s;
}

static void describe_overrides_text(const bluetti_profile *p, const bluetti_block_schema *s)
{
    size_t n = bluetti_profile_override_count(p, s->id);
    printf("\nmodel %s: %zu override%s of this block%s\n", p->model, n, n == 1 ? "" : "s",
           n ? " (the table above shows them applied)" : "");
    for (uint16_t i = 0; i < p->n_overrides; i++) {
        const bluetti_field_override *o = &p->overrides[i];
        if (o->block != s->id) continue;
        char *what = override_text(o);
        printf("  %s: %s [%s]%s%s\n", o->field, what ? what : "", bluetti_evidence_name(o->evidence),
               o->note ? ": " : "", o->note ? o->note : "");
        free(what);
    }
}

static json_t *overrides_json(const bluetti_profile *p, const bluetti_block_schema *s)
{
    json_t *arr = json_array();
    for (uint16_t i = 0; i < p->n_overrides; i++) {
        const bluetti_field_override *o = &p->overrides[i];
        if (o->block != s->id) continue;
        json_t *j = json_object();
        json_object_set_new(j, "field", json_string(o->field));
        char *what = override_text(o);
        json_object_set_new(j, "changes", json_string(what ? what : ""));
        free(what);
        json_object_set_new(j, "evidence", json_string(bluetti_evidence_name(o->evidence)));
        if (o->note) json_object_set_new(j, "note", json_string(o->note));
        json_array_append_new(arr, j);
    }
    return arr;
}

int cmd_describe(tool *t, int argc, char **argv)
{
    optval v[1] = { { 0 } };
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    size_t n_pos = 0;
    bool done = false;
    if (!pos) return tool_error(EXIT_FAIL, "out of memory");
    int rc = cmd_opts(command_find("describe"), v, argc, argv, pos, &n_pos, &done);
    if (!rc && !done && n_pos != 1)
        rc = tool_error(EXIT_USAGE, "describe needs one block id or name%s; e.g. '" TOOL_NAME
                        " describe 100'", n_pos ? ", not several" : "");
    uint16_t id = 0;
    if (!rc && !done) rc = parse_block_ref(t->reg, pos[0], &id);
    const bluetti_block_schema *s = NULL;
    if (!rc && !done && !(s = bluetti_registry_find_block(t->reg, id)))
        rc = tool_error(EXIT_USAGE, "unknown block %u: no loaded plugin describes it; '" TOOL_NAME
                        " blocks' lists the known blocks%s", (unsigned)id, no_plugins_hint(t));
    const bluetti_profile *prof = NULL;
    bluetti_result *patched = NULL;
    if (!rc && !done && s && t->set.model_given) {
        prof = bluetti_registry_find_profile(t->reg, t->set.model);
        if (!prof)
            rc = tool_error(EXIT_USAGE, "unknown model '%s'; '" TOOL_NAME " models' lists the "
                            "known models%s", t->set.model, no_plugins_hint(t));
        char why[256] = "";
        if (!rc && bluetti_result_new_for_profile(s, prof, &patched, why, sizeof why) != 0)
            rc = tool_error(EXIT_FAIL, "%s", *why ? why : "out of memory");
        if (!rc) s = bluetti_result_schema(patched);   /* the block as this model decodes it */
    }
    if (!rc && !done && s) { /* s is set whenever rc is 0; tested for the analyzer */
        if (t->set.json) {
            json_t *doc = block_summary_json(t, s);
            json_object_set_new(doc, "notes", json_string(s->notes ? s->notes : ""));
            json_t *fields = json_array();
            for (uint16_t i = 0; i < s->n_fields; i++)
                json_array_append_new(fields, field_schema_json(s, &s->fields[i]));
            json_object_set_new(doc, "fields", fields);
            if (prof) {
                json_object_set_new(doc, "model", json_string(prof->model));
                json_object_set_new(doc, "overrides", overrides_json(prof, s));
            }
            rc = json_print(doc);
        } else {
            describe_text(t, s);
            if (prof) describe_overrides_text(prof, s);
        }
    }
    bluetti_result_free(patched);
    optvals_free(v, 1, help_only_opts);
    free(pos);
    return rc;
}
