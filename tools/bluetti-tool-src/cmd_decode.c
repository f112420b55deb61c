/* decode: turn a captured payload (or a whole Modbus reply) into values,
 * with no device and no transport. */
#include "config.h"

#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAYLOAD 131072u

enum { D_HELP, D_BLOCK, D_PROTOCOL, D_FRAME, D_N };

const optdef decode_opts[D_N + 1] = {
    [D_HELP] = { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    [D_BLOCK] = { "block", 'b', OPT_STRING, "ID", 0, 0, false, false },
    [D_PROTOCOL] = { "protocol-version", 0, OPT_INT, "V", 1, 65535, false, false },
    [D_FRAME] = { "frame", 0, OPT_FLAG, NULL, 0, 0, false, false },
    [D_N] = { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

/* Standard input, whole (up to about 1 MiB: the parser then says it is too
 * long). *failed is set on a read error (errno kept), with buf freed. */
static char *read_stdin(size_t *len, bool *failed)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    *failed = false;
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > 8 * MAX_PAYLOAD) break; /* far more than any block; the parser says why */
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        /* cppcheck-suppress nullPointerArithmeticRedundantCheck ; buf is non-NULL inside the loop */
        size_t got = fread(buf + n, 1, cap - n - 1, stdin);
        n += got;
        if (got == 0) break;
    }
    if (buf && ferror(stdin)) {
        int e = errno;
        free(buf);
        errno = e;
        *failed = true;
        return NULL;
    }
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

/* All positionals joined by spaces, or stdin for "-". */
static char *gather(char **pos, size_t n_pos, size_t *len, bool *failed)
{
    *failed = false;
    if (n_pos == 1 && strcmp(pos[0], "-") == 0) return read_stdin(len, failed);
    size_t total = 1;
    for (size_t i = 0; i < n_pos; i++) total += strlen(pos[i]) + 1;
    char *s = malloc(total);
    if (!s) return NULL;
    s[0] = '\0';
    size_t w = 0;
    for (size_t i = 0; i < n_pos; i++) {
        size_t l = strlen(pos[i]);
        if (i) s[w++] = ' ';
        memcpy(s + w, pos[i], l);
        w += l;
    }
    s[w] = '\0';
    *len = w;
    return s;
}

/* The protocol version to decode with: option, global option, profile,
 * schema, 2000 (the V2 base version). */
static uint16_t decode_version(const tool *t, long opt, const bluetti_block_schema *s)
{
    if (opt) return (uint16_t)opt;
    if (t->set.protocol_version) return (uint16_t)t->set.protocol_version;
    const bluetti_profile *p = bluetti_registry_find_profile(t->reg, t->set.model);
    if (p && p->protocol_version) return p->protocol_version;
    if (s->protocol_version) return s->protocol_version;
    return 2000;
}

static int frame_payload(const uint8_t *buf, size_t n, const uint8_t **payload, size_t *plen)
{
    if (n < 5)
        return tool_error(EXIT_USAGE, "a Modbus reply frame has at least 5 bytes, got %zu; "
                          "leave out --frame to decode a bare payload", n);
    uint8_t exc = 0;
    uint16_t regs = (buf[1] & 0x80) ? 1 : (uint16_t)(buf[2] / 2);
    int err = bluetti_modbus_parse_read(buf, n, buf[0], regs, payload, plen, &exc);
    if (err == BLUETTI_E_EXCEPTION)
        return tool_error(EXIT_FAIL, "the frame is a Modbus exception reply: code %u (%s); "
                          "it carries no data to decode",
                          (unsigned)exc, bluetti_modbus_exception_text(exc));
    if (err)
        return tool_error(EXIT_FAIL, "the frame is not a valid read reply: %s; check the "
                          "capture, or leave out --frame for a bare payload",
                          bluetti_strerror(err));
    return EXIT_OK;
}

int cmd_decode(tool *t, int argc, char **argv)
{
    optval v[D_N];
    memset(v, 0, sizeof v);
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    size_t n_pos = 0;
    bool done = false;
    char *text = NULL;
    uint8_t *buf = NULL;
    bluetti_result *r = NULL;
    if (!pos) return tool_error(EXIT_FAIL, "out of memory");
    int rc = cmd_opts(command_find("decode"), v, argc, argv, pos, &n_pos, &done);
    if (rc || done) goto out;

    const char *block = opt_str(&v[D_BLOCK]);
    long version = 0;
    bool frame = v[D_FRAME].n > 0;
    if (!block) {
        rc = tool_error(EXIT_USAGE, "decode needs --block ID; e.g. '" TOOL_NAME
                        " decode --block 100 0055...'");
        goto out;
    }
    if ((rc = opt_long(&decode_opts[D_PROTOCOL], &v[D_PROTOCOL], &version))) goto out;
    if (n_pos == 0) {
        rc = tool_error(EXIT_USAGE, "decode needs the data; give it as hex (e.g. "
                        "'01f4 0000 ...') or '-' to read it from standard input");
        goto out;
    }
    if (t->set.model_given && !bluetti_registry_find_profile(t->reg, t->set.model)) {
        rc = tool_error(EXIT_USAGE, "unknown model '%s'; '" TOOL_NAME " models' lists them%s",
                        bt_shown(t->set.model), no_plugins_hint(t));
        goto out;
    }
    uint16_t id;
    if ((rc = parse_block_ref(t->reg, block, &id))) goto out;
    const bluetti_block_schema *s = bluetti_registry_find_block(t->reg, id);
    if (!s) {
        rc = tool_error(EXIT_USAGE, "unknown block %u: no loaded plugin decodes it; '" TOOL_NAME
                        " blocks' lists the known blocks%s", (unsigned)id, no_plugins_hint(t));
        goto out;
    }
    size_t tlen = 0;
    bool failed = false;
    text = gather(pos, n_pos, &tlen, &failed);
    if (failed) {
        rc = tool_error(EXIT_USAGE, "cannot read standard input: %s; give the hex as "
                        "arguments, or '-' with the hex on standard input", strerror(errno));
        goto out;
    }
    buf = malloc(MAX_PAYLOAD);
    if (!text || !buf) {
        rc = tool_error(EXIT_FAIL, "out of memory");
        goto out;
    }
    size_t bad = 0;
    long n = bluetti_hex_parse(text, tlen, buf, MAX_PAYLOAD, &bad);
    if (n == BLUETTI_E_HEX) {
        char what[2] = { bad < tlen ? text[bad] : '\0', '\0' };
        if (bad < tlen && text[bad] != '\0')
            rc = tool_error(EXIT_USAGE, "bad hex at character %zu ('%s'); give hex digits, "
                            "optionally separated by spaces", bad + 1, bt_shown(what));
        else
            rc = tool_error(EXIT_USAGE, "bad hex at character %zu: %s", bad + 1,
                            bad >= tlen ? "odd number of digits; give an even number of hex "
                                          "digits"
                                        : "a NUL byte; give the data as hex text, not binary");
        goto out;
    }
    if (n < 0) {
        rc = tool_error(EXIT_USAGE, "the data is longer than %u bytes; no block is that long",
                        MAX_PAYLOAD);
        goto out;
    }
    if (n == 0) {
        rc = tool_error(EXIT_USAGE, "the data is empty; give the payload as hex digits (e.g. "
                        "'01f4 0000 ...')");
        goto out;
    }
    const uint8_t *payload = buf;
    size_t plen = (size_t)n;
    if (frame && (rc = frame_payload(buf, plen, &payload, &plen))) goto out;
    if (bluetti_result_new(s, &r) != 0) {
        rc = tool_error(EXIT_FAIL, "out of memory");
        goto out;
    }
    int err = bluetti_decode(r, payload, plen, decode_version(t, version, s));
    out_opts oo = { t->set.show_secrets, t->set.evidence };
    if (t->set.json) rc = json_print(result_json(r, &oo));
    else result_print(r, &oo, stdout);
    if (err && !rc)
        rc = tool_error(exit_code_for(err) == EXIT_USAGE ? EXIT_FAIL : exit_code_for(err),
                        "block %u (%s) did not decode: %s; %s", (unsigned)id, s->name,
                        bluetti_strerror(err), read_hint(err));
out:
    bluetti_result_free(r);
    free(buf);
    free(text);
    optvals_free(v, D_N, decode_opts);
    free(pos);
    return rc;
}
