/* bluetti-tool set FIELD VALUE: one guarded write (docs/CONTROL.md).
 *
 * Everything that can be checked is checked before the device is even
 * opened: the field is declared writable, the value is allowed, the write
 * evidence is confirmed (or --allow-unverified), and the user confirmed
 * (a terminal prompt, or --yes). The library then reads the register,
 * writes it once and reads it back; the verdict decides the exit status.
 * Nothing here knows a model, block or transport: the schemas say what is
 * writable. */
#include "config.h"

#include "tool.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { S_HELP, S_BLOCK, S_DRY_RUN, S_YES, S_ALLOW_UNVERIFIED, S_N };

const optdef set_opts[S_N + 1] = {
    [S_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    [S_BLOCK] = { "block", 'b', OPT_STRING, "ID", 0, 0, false, true },
    [S_DRY_RUN] = { "dry-run", 'n', OPT_FLAG, NULL, 0, 0, false, true },
    [S_YES] = { "yes", 'y', OPT_FLAG, NULL, 0, 0, false, true },
    [S_ALLOW_UNVERIFIED] = { "allow-unverified", 0, OPT_FLAG, NULL, 0, 0, false, true },
    [S_N] = { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

void help_set(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] set [OPTIONS] FIELD VALUE\n"
          "\n"
          "Write one setting of the device, guarded: FIELD is a field that\n"
          "'" TOOL_NAME " describe' marks writable (e.g. ctrl_ac, ctrl_dc,\n"
          "soc_high_limit); VALUE is one of its named values (on, off, turbo) or a\n"
          "number within its range and step, with or without its unit (80, 80%).\n"
          "The value is checked before anything is sent. The library reads the\n"
          "register, writes it once (Modbus 0x06) and reads it back; a write whose\n"
          "reply does not come is never sent again: the read-back says whether it\n"
          "took effect. The old and the new value are printed.\n"
          "\n"
          "Options:\n"
          "  -b, --block ID         the block of FIELD, when several blocks have a\n"
          "                         writable field of that name\n"
          "  -n, --dry-run          check the value and print the request frame (hex);\n"
          "                         send nothing, open no connection\n"
          "  -y, --yes              do not ask for confirmation (needed when standard\n"
          "                         input is not a terminal)\n"
          "      --allow-unverified write a field whose write semantics no real unit\n"
          "                         has confirmed (see describe's write evidence), or\n"
          "                         a block the device's model does not claim\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 the setting took effect (the read-back shows it);\n"
          "1 failed: the device refused it (Modbus exception), or the link failed\n"
          "and the outcome is unknown; 2 usage error; 6 refused before sending\n"
          "(field not writable, value not allowed, unverified, a block the model\n"
          "does not claim, not confirmed);\n"
          "7 not taken effect: the read-back shows another value.\n"
          "\n"
          "Example:\n"
          "  " TOOL_NAME " --transport sim set ctrl_ac on --yes\n", out);
}

/* The field called name: writable ones first; in block `only` when given.
 * Returns EXIT_OK with *schema / *field, or an exit code (message printed). */
static int find_field(const tool *t, const char *name, long only, const bluetti_block_schema **schema,
                      const bluetti_field **field)
{
    const bluetti_block_schema *found_s = NULL, *ro_s = NULL;
    const bluetti_field *found_f = NULL, *ro_f = NULL;
    size_t n_writable = 0;
    size_t nb = bluetti_registry_block_count(t->reg);
    for (size_t b = 0; b < nb; b++) {
        const bluetti_block_schema *s = bluetti_registry_block_at(t->reg, b);
        if (!s || (only >= 0 && s->id != only)) continue;
        int k = bluetti_schema_field_index(s, name);
        if (k < 0) continue;
        if (s->fields[k].write) {
            if (!n_writable++) { found_s = s; found_f = &s->fields[k]; }
        } else if (!ro_s) {
            ro_s = s;
            ro_f = &s->fields[k];
        }
    }
    if (n_writable > 1)
        return tool_error(EXIT_USAGE, "several blocks have a writable field '%s'; give "
                          "--block ID", bt_shown(name));
    if (found_f) {
        *schema = found_s;
        *field = found_f;
        return EXIT_OK;
    }
    if (ro_f)
        return tool_error(EXIT_SET_REFUSED, "refused: %s (block %u %s) is not writable; '"
                          TOOL_NAME " describe %u' shows which fields are", ro_f->name,
                          (unsigned)ro_s->id, ro_s->name, (unsigned)ro_s->id);
    return tool_error(EXIT_USAGE, "unknown field '%s'; '" TOOL_NAME " describe BLOCK' lists the "
                      "fields of a block (writable ones are marked)%s", bt_shown(name),
                      no_plugins_hint(t));
}

/* A register value as the field shows it: the name this model reads, or
 * the number with its unit. */
static void show_value(const bluetti_field *f, uint16_t raw, const char *name, char *buf,
                       size_t cap)
{
    if (name) {
        snprintf(buf, cap, "%s (%u)", name, (unsigned)raw);
        return;
    }
    double scale = 1.0;
    if (f->xf[0].op == BLUETTI_XF_SCALE) scale = f->xf[0].arg.f[0];
    double v = (f->type == BLUETTI_I16 ? (double)(int16_t)raw : (double)raw) * scale;
    char num[48];
    format_double(v, num, sizeof num);
    snprintf(buf, cap, "%s%s%s", num, f->unit ? " " : "", f->unit ? f->unit : "");
}

/* The Modbus address the request would carry, as device_open would pick it. */
static unsigned planned_address(const tool *t)
{
    if (t->set.modbus_address >= 0) return (unsigned)t->set.modbus_address;
    const bluetti_profile *p = bluetti_registry_find_profile(t->reg, t->set.model);
    return p && p->has_modbus_address ? p->modbus_address : 1u;
}

/* Whether model p reads block `block` (names it in one of its groups):
 * a model with no evidence for a block does not claim it (evidence.md),
 * so a write there is as unconfirmed as an unverified field's. */
static bool model_claims(const bluetti_profile *p, uint16_t block)
{
    for (uint16_t g = 0; p && g < p->n_groups; g++)
        for (uint16_t i = 0; i < p->groups[g].n_blocks; i++)
            if (p->groups[g].blocks[i] == block) return true;
    return false;
}

/* Refuse a write to a block model p does not claim, unless allowed. */
static int check_claimed(const bluetti_profile *p, const bluetti_block_schema *s, bool allow)
{
    if (!p || allow || model_claims(p, s->id)) return EXIT_OK;
    return tool_error(EXIT_SET_REFUSED, "refused: model %s does not claim block %u (%s): no "
                      "evidence that it has these settings; give --allow-unverified to write "
                      "anyway", p->model, (unsigned)s->id, s->name);
}

/* Ask on the terminal. Returns EXIT_OK when the user said yes. */
static int confirm(const char *question)
{
    if (!isatty(STDIN_FILENO))
        return tool_error(EXIT_SET_REFUSED, "refused: standard input is not a terminal, so "
                          "nobody can confirm the write; give --yes to write without asking");
    fflush(stdout);
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    char line[32];
    if (!fgets(line, sizeof line, stdin)) line[0] = '\0';
    char *p = line;
    while (isspace((unsigned char)*p)) p++;
    if (*p == 'y' || *p == 'Y') return EXIT_OK;
    return tool_error(EXIT_SET_REFUSED, "not confirmed: nothing was written");
}

static int report(const tool *t, const bluetti_block_schema *s, const bluetti_field *f,
                  const bluetti_write_result *r, int err)
{
    char before[96] = "?", after[96] = "?";
    if (r->have_before) show_value(f, r->before[0], r->before_name, before, sizeof before);
    if (r->have_after) show_value(f, r->after[0], r->after_name, after, sizeof after);
    if (t->set.json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "field", json_string(f->name));
        json_object_set_new(doc, "block", json_integer(s->id));
        json_object_set_new(doc, "register", json_integer(r->start));
        json_object_set_new(doc, "written", json_integer(r->written[0]));
        json_object_set_new(doc, "before", r->have_before ? json_string(before) : json_null());
        json_object_set_new(doc, "after", r->have_after ? json_string(after) : json_null());
        json_object_set_new(doc, "outcome", json_string(bluetti_write_outcome_name((int)r->outcome)));
        json_object_set_new(doc, "reply", json_string(bluetti_err_name(r->reply_err)));
        json_object_set_new(doc, "error", err ? json_string(bluetti_err_name(err)) : json_null());
        json_object_set_new(doc, "ok", json_boolean(err == 0));
        if (json_print(doc)) return EXIT_FAIL;
    } else {
        printf("%s (register %u): %s -> %s: %s\n", f->name, (unsigned)r->start, before, after,
               r->outcome == BLUETTI_WRITE_APPLIED ? "applied"
               : r->outcome == BLUETTI_WRITE_NOT_APPLIED ? "not applied" : "unknown");
    }
    if (err == 0) {
        if (r->reply_err)
            tool_warn("the write's reply: %s; the read-back shows the new value",
                      bluetti_strerror(r->reply_err));
        return EXIT_OK;
    }
    bluetti_error_info info;
    bluetti_device_last_error(t->dev, &info);
    if (err == BLUETTI_E_EXCEPTION)
        return tool_error(EXIT_FAIL, "the device refused the write: %s; %s", info.detail,
                          info.remedy);
    if (r->outcome == BLUETTI_WRITE_NOT_APPLIED && r->sent)
        return tool_error(EXIT_NOT_APPLIED, "not taken effect: %s; %s", info.detail,
                          bluetti_err_remedy(BLUETTI_E_NOT_APPLIED));
    if (r->outcome == BLUETTI_WRITE_UNKNOWN)
        return tool_error(EXIT_FAIL, "failed: %s; whether the setting changed is unknown: read "
                          "the block before trying again", info.detail);
    return tool_error(exit_code_for(err) == EXIT_OK ? EXIT_FAIL : exit_code_for(err),
                      "failed: %s; nothing was written; %s", info.detail,
                      hint_or_remedy(read_hint(err), &info));
}

int cmd_set(tool *t, int argc, char **argv)
{
    optval v[S_N];
    memset(v, 0, sizeof v);
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    size_t n_pos = 0;
    bool done = false;
    int rc = pos ? cmd_opts(command_find("set"), v, argc, argv, pos, &n_pos, &done)
                 : tool_error(EXIT_FAIL, "out of memory");
    if (rc || done) goto out;
    if (n_pos != 2) {
        rc = tool_error(EXIT_USAGE, "set needs FIELD VALUE, e.g. '" TOOL_NAME " set ctrl_ac on'; "
                        "got %zu argument%s", n_pos, n_pos == 1 ? "" : "s");
        goto out;
    }
    long only = -1;
    if (opt_str(&v[S_BLOCK])) {
        uint16_t id;
        if ((rc = parse_block_ref(t->reg, opt_str(&v[S_BLOCK]), &id))) goto out;
        only = id;
    }
    const bluetti_block_schema *s = NULL;
    const bluetti_field *f = NULL;
    if ((rc = find_field(t, pos[0], only, &s, &f))) goto out;
    if (!s || !f) { /* find_field sets both when it succeeds */
        rc = EXIT_FAIL;
        goto out;
    }
    uint16_t reg = 0, raw = 0;
    char why[320];
    int err = bluetti_field_parse_write(s, f, pos[1], &reg, &raw, why, sizeof why);
    if (err) {
        rc = tool_error(EXIT_SET_REFUSED, "refused: %s; nothing was sent", bt_shown_path(why));
        goto out;
    }
    if (f->write->evidence != BLUETTI_EV_CONFIRMED && !v[S_ALLOW_UNVERIFIED].n) {
        rc = tool_error(EXIT_SET_REFUSED, "refused: no real unit has confirmed how %s is written "
                        "(write evidence %s: %s); give --allow-unverified to write it anyway",
                        f->name, bluetti_evidence_name(f->write->evidence),
                        f->write->note ? f->write->note : "no note");
        goto out;
    }
    bool allow = v[S_ALLOW_UNVERIFIED].n > 0;
    /* the model as the settings name it; a detected one is checked once known */
    if ((rc = check_claimed(bluetti_registry_find_profile(t->reg, t->set.model), s, allow)))
        goto out;
    if (v[S_DRY_RUN].n) {
        uint8_t frame[BLUETTI_MODBUS_MAX_WRITE_FRAME];
        size_t len = 0;
        bluetti_modbus_build_write((uint8_t)planned_address(t), reg, &raw, 1, frame, sizeof frame,
                                   &len);
        char *hex = hex_string(frame, len, ' ');
        if (!hex) {
            rc = tool_error(EXIT_FAIL, "out of memory");
            goto out;
        }
        printf("dry run: %s (block %u, register %u) = %u: frame %s; nothing sent\n", f->name,
               (unsigned)s->id, (unsigned)reg, (unsigned)raw, hex);
        free(hex);
        goto out;
    }
    if (!v[S_YES].n) {
        char q[256];
        snprintf(q, sizeof q, "Write %s (%s, register %u) = %s on the device?", f->name,
                 f->description ? f->description : "", (unsigned)reg, pos[1]);
        if ((rc = confirm(q))) goto out;
    }
    if ((rc = device_open(t))) goto out;
    if ((rc = check_claimed(bluetti_device_profile(t->dev), s, allow))) goto out;
    bluetti_write_result r;
    if (blocking_begin()) {
        rc = tool_stop_exit();
        goto out;
    }
    err = bluetti_device_set(t->dev, s->id, f->name, pos[1], &r);
    tool_stop_at_once = 0;
    rc = report(t, s, f, &r, err);
out:
    free(pos);
    optvals_free(v, S_N, set_opts);
    return rc;
}
