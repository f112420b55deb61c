/* docs: the block reference (docs/BLOCKS.md) generated from the loaded
 * schemas and profiles. The output depends only on the plugins' data, so
 * a test can tell when the committed file is stale. */
#include "config.h"

#include "tool.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Markdown table cell: pipes escaped, line breaks flattened. */
static void cell(FILE *out, const char *s)
{
    if (!s || !*s) {
        fputs(" ", out);
        return;
    }
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else if (*s == '\n' || *s == '\r') fputc(' ', out);
        else fputc(*s, out);
    }
}

static void row(FILE *out, const char *const *cells, size_t n)
{
    fputs("|", out);
    for (size_t i = 0; i < n; i++) {
        fputc(' ', out);
        cell(out, cells[i]);
        fputs(" |", out);
    }
    fputc('\n', out);
}

static void header(FILE *out, const char *const *cells, size_t n)
{
    row(out, cells, n);
    fputs("|", out);
    for (size_t i = 0; i < n; i++) fputs("---|", out);
    fputc('\n', out);
}

static void models_section(const tool *t, FILE *out)
{
    size_t n = bluetti_registry_profile_count(t->reg);
    if (!n) return;
    fputs("## Models\n\n", out);
    fputs("Groups marked * are read by `bluetti-tool read` when no blocks are given.\n\n", out);
    const char *head[6] = { "Model", "Aliases", "Type id", "Protocol", "Groups (blocks)",
                            "Description" };
    header(out, head, 6);
    for (size_t i = 0; i < n; i++) {
        const bluetti_profile *p = bluetti_registry_profile_at(t->reg, i);
        char *aliases = strdup("");
        for (const char *const *a = p->aliases; a && *a && aliases; a++) {
            char *na = xasprintf("%s%s%s", aliases, *aliases ? ", " : "", *a);
            free(aliases);
            aliases = na;
        }
        char *groups = strdup("");
        for (uint16_t g = 0; g < p->n_groups && groups; g++) {
            const bluetti_block_group *gr = &p->groups[g];
            char *ids = strdup("");
            for (uint16_t k = 0; k < gr->n_blocks && ids; k++) {
                char *ni = xasprintf("%s%s%u", ids, k ? ", " : "", (unsigned)gr->blocks[k]);
                free(ids);
                ids = ni;
            }
            char *ng = xasprintf("%s%s%s%s (%s)", groups, g ? "; " : "", gr->name,
                                 gr->is_default ? "*" : "", ids ? ids : "");
            free(ids);
            free(groups);
            groups = ng;
        }
        char proto[16];
        snprintf(proto, sizeof proto, "%u", (unsigned)p->protocol_version);
        const char *cells[6] = { p->model, aliases, p->type_id, proto, groups, p->description };
        row(out, cells, 6);
        free(aliases);
        free(groups);
    }
    fputc('\n', out);
}

static void index_section(const tool *t, FILE *out)
{
    size_t n = bluetti_registry_block_count(t->reg);
    fputs("## Blocks\n\n", out);
    const char *head[7] = { "Block", "Hex", "Name", "Class", "Bytes", "Evidence", "Description" };
    header(out, head, 7);
    for (size_t i = 0; i < n; i++) {
        const bluetti_block_schema *s = bluetti_registry_block_at(t->reg, i);
        char id[48], hex[8], bytes[16];
        snprintf(id, sizeof id, "[%u](#block-%u)", (unsigned)s->id, (unsigned)s->id);
        snprintf(hex, sizeof hex, "0x%04X", (unsigned)s->id);
        snprintf(bytes, sizeof bytes, "%zu", bluetti_schema_read_length(s));
        const char *cells[7] = { id, hex, s->name, block_class_name(s->block_class), bytes,
                                 bluetti_evidence_name(s->evidence), s->description };
        row(out, cells, 7);
    }
    fputc('\n', out);
}

static void block_section(const tool *t, const bluetti_block_schema *s, FILE *out)
{
    const char *owner = bluetti_registry_block_plugin(t->reg, s->id);
    size_t rl = bluetti_schema_read_length(s);
    fprintf(out, "<a id=\"block-%u\"></a>\n\n", (unsigned)s->id);
    fprintf(out, "### Block %u (0x%04X) — %s\n\n", (unsigned)s->id, (unsigned)s->id, s->name);
    if (s->description && *s->description) fprintf(out, "%s\n\n", s->description);
    fprintf(out, "Class %s · minimum length %u bytes · read %zu bytes (%zu registers) · %s · "
            "evidence %s · layout protocol %u · plugin `%s`\n\n",
            block_class_name(s->block_class), (unsigned)s->min_length, rl, (rl + 1) / 2,
            s->strict ? "strict" : "not strict", bluetti_evidence_name(s->evidence),
            (unsigned)s->protocol_version, owner ? owner : "?");
    if (s->notes && *s->notes) fprintf(out, "%s\n\n", s->notes);
    if (!s->n_fields) {
        fputs("No fields.\n\n", out);
        return;
    }
    const char *head[11] = { "Field", "Offset", "Reg", "Type", "Order", "Transforms", "Unit",
                             "Req", "Min proto", "Evidence", "Description" };
    header(out, head, 11);
    for (uint16_t i = 0; i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        char *name = xasprintf("`%s`", f->name);
        char *off = field_offset_text(f), *type = field_type_text(f), *xf = xform_text(f);
        char reg[16] = "", minp[16] = "";
        if (!f->after) snprintf(reg, sizeof reg, "%u", (unsigned)(s->id + f->offset / 2));
        if (f->min_protocol) snprintf(minp, sizeof minp, "%u", (unsigned)f->min_protocol);
        const char *order = field_order_text(f);
        const char *cells[11] = { name, off, reg, type, strcmp(order, "-") ? order : "", xf,
                                  f->unit, (f->flags & BLUETTI_F_REQUIRED) ? "yes" : "",
                                  minp, bluetti_evidence_name(f->evidence), f->description };
        row(out, cells, 11);
        free(name);
        free(off);
        free(type);
        free(xf);
    }
    fputc('\n', out);
    bool any = false;
    for (uint16_t i = 0; i < s->n_fields; i++) {
        const bluetti_field *f = &s->fields[i];
        bool names = f->enums || f->bits;
        bool note = f->note && *f->note;
        if (!names && !note) continue;
        if (!any) fputs("Notes and value names:\n\n", out);
        any = true;
        fprintf(out, "- `%s`:", f->name);
        if (note) {
            size_t len = strlen(f->note);
            fprintf(out, " %s%s", f->note, names && f->note[len - 1] != '.' ? "." : "");
        }
        if (names) {
            fputs(note ? " Values:" : "", out);
            for (const bluetti_enum_name *en = f->enums; en && en->name; en++)
                fprintf(out, "%s %" PRId64 " = %s", en == f->enums ? "" : ",", en->value,
                        en->name);
            for (const bluetti_bit_name *bn = f->bits; bn && bn->name; bn++)
                fprintf(out, "%s bit %u = %s", bn == f->bits ? "" : ",", (unsigned)bn->bit,
                        bn->name);
            fputc('.', out);
        }
        fputc('\n', out);
    }
    if (any) fputc('\n', out);
}

int cmd_docs(tool *t, int argc, char **argv)
{
    optval v[1] = { { 0 } };
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    size_t n_pos = 0;
    bool done = false;
    if (!pos) return tool_error(EXIT_FAIL, "out of memory");
    int rc = cmd_opts(command_find("docs"), v, argc, argv, pos, &n_pos, &done);
    if (!rc && !done && n_pos)
        rc = tool_error(EXIT_USAGE, "'docs' takes no arguments; redirect its output, e.g. '"
                        TOOL_NAME " docs > BLOCKS.md'");
    optvals_free(v, 1, help_only_opts);
    free(pos);
    if (rc || done) return rc;
    size_t n = bluetti_registry_block_count(t->reg);
    if (!n)
        return tool_error(EXIT_USAGE, "no block schemas are loaded, so there is nothing to "
                          "document; give --plugin-dir DIR with block plugins");
    FILE *out = stdout;
    fputs("# Block reference\n\n", out);
    fputs("<!-- Generated by `bluetti-tool docs` from the block schemas and device profiles of "
          "the plugins built in this tree. Do not edit by hand: run `make update-docs`. -->\n\n",
          out);
    fprintf(out, "%zu blocks and %zu device models. Offsets are byte offsets into the block "
            "payload; byte k lives in register block + k/2. Order `cdab` means 32/64-bit values "
            "arrive low word first. Evidence `reference` means the layout comes from the "
            "protocol reference only; `device-confirmed` that real devices confirm it; "
            "`unverified` that the sources disagree; the notes say what was decided.\n\n",
            n, bluetti_registry_profile_count(t->reg));
    models_section(t, out);
    index_section(t, out);
    fputs("## Block details\n\n", out);
    for (size_t i = 0; i < n; i++) block_section(t, bluetti_registry_block_at(t->reg, i), out);
    return output_error();
}
