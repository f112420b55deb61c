/* Help texts and the command table. */
#include "config.h"

#include "tool.h"

#include <stdlib.h>
#include <string.h>

const optdef help_only_opts[] = {
    { "help", 'h', OPT_FLAG, NULL, 0, 0, false, false },
    { NULL, 0, OPT_FLAG, NULL, 0, 0, false, false },
};

const command commands[] = {
    { "read", "read blocks from the device and print their values", cmd_read, help_read,
      read_opts, true },
    { "listen", "read blocks again and again until stopped", cmd_listen, help_listen,
      listen_opts, true },
    { "raw", "read one block and show the Modbus frames too", cmd_raw, help_raw, raw_opts,
      true },
    { "set", "write one setting, validated, confirmed and read back", cmd_set, help_set,
      set_opts, true },
    { "scan", "list the devices the transport can reach", cmd_scan, help_scan,
      scan_opts, true },
    { "decode", "decode a captured payload (no device needed)", cmd_decode, help_decode,
      decode_opts, false },
    { "describe", "show how a block is laid out, field by field", cmd_describe, help_describe,
      help_only_opts, false },
    { "blocks", "list the blocks the loaded plugins can decode", cmd_blocks, help_blocks,
      help_only_opts, false },
    { "models", "list the device models and their block groups", cmd_models, help_models,
      help_only_opts, false },
    { "plugins", "list loaded plugins, and refused ones with the reason", cmd_plugins,
      help_plugins, help_only_opts, false },
    { "transports", "list the transports and the options each accepts", cmd_transports,
      help_transports, help_only_opts, false },
    { "docs", "print the block reference as Markdown", cmd_docs, help_docs, help_only_opts, false },
    { "login", "log in to the Bluetti cloud and store the login", cmd_login, help_login,
      login_opts, false },
    { "devices", "list the stations of the stored cloud login", cmd_devices, help_devices,
      devices_opts, false },
    { "logout", "remove the stored cloud login", cmd_logout, help_logout, help_only_opts, false },
    { "help", "show the help of a command", cmd_help, help_help, help_only_opts, false },
};
const size_t n_commands = sizeof commands / sizeof commands[0];

const command *command_find(const char *name)
{
    for (size_t i = 0; i < n_commands; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

size_t opts_count(const optdef *defs)
{
    size_t n = 0;
    while (defs[n].name) n++;
    return n;
}

int cmd_opts(const command *c, optval *vals, int argc, char **argv, char **pos, size_t *n_pos,
             bool *done)
{
    *done = false;
    int rc = opts_parse(c->opts, opts_count(c->opts), vals, argc, argv, 1, false, NULL, pos,
                        n_pos, c->name);
    if (rc) return rc;
    if (vals[0].n) { /* every command's option 0 is --help */
        c->help(stdout);
        *done = true;
    }
    return EXIT_OK;
}

int cmd_opts_no_args(const char *name, optval *vals, int argc, char **argv, bool *done)
{
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    size_t n_pos = 0;
    if (!pos) return tool_error(EXIT_FAIL, "out of memory");
    int rc = cmd_opts(command_find(name), vals, argc, argv, pos, &n_pos, done);
    if (!rc && !*done && n_pos)
        rc = tool_error(EXIT_USAGE, "'%s' takes no arguments, got '%s'; run '" TOOL_NAME
                        " %s --help'", name, bt_shown(pos[0]), name);
    free(pos);
    return rc;
}

void print_global_help(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] COMMAND [COMMAND OPTIONS]\n"
          "\n"
          "Read and decode Bluetti V2 power stations (Elite 30/100/200 V2) through the\n"
          "Bluetti cloud MQTT broker, or try everything on a simulated device.\n"
          "\n"
          "Commands:\n", out);
    for (size_t i = 0; i < n_commands; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Connection:\n"
          "  --transport NAME         the transport to use ('" TOOL_NAME " transports' lists\n"
          "                           them; without this option, the one its plugin marks\n"
          "                           the default)\n"
          "  --sn SERIAL              the device's serial number (after 'login' also the\n"
          "                           serial without the model prefix, see 'devices')\n"
          "  --model MODEL            model or alias, e.g. EL30V2 (default: the model the\n"
          "                           device reports)\n"
          "  -o, --option KEY=VALUE   option for the transport (repeatable)\n"
          "  --KEY VALUE              any option the transport declares; its plugin says\n"
          "                           which (listed below, or with '--transport NAME --help')\n"
          "\n"
          "Requests:\n"
          "  --timeout S              seconds to wait for each reply (default 5)\n"
          "  --connect-timeout S      seconds to wait for the connection (default 10)\n"
          "  --retries N              attempts per request, at least 1 (default 3)\n"
          "  --retry-initial-delay S  delay before the first retry (default 0.5, doubling)\n"
          "  --retry-max-delay S      longest delay between retries (default 5)\n"
          "  --modbus-address N       Modbus device address, 0 to 247 (default: the model's,\n"
          "                           else 1)\n"
          "  --protocol-version V     decode as protocol version V instead of the one the\n"
          "                           device reports (or its model's)\n"
          "\n"
          "Plugins:\n"
          "  --plugin-dir DIR         load plugins from DIR first (repeatable); then from\n"
          "                           $BLUETTI_PLUGIN_PATH, then from the installed directory\n"
          "  --no-plugin-search       load plugins only from the --plugin-dir directories\n"
          "\n"
          "Output:\n"
          "  --json                   one JSON document per command (one line per round\n"
          "                           for listen)\n"
          "  --evidence               show how well each field is confirmed\n"
          "  --show-secrets           show sensitive fields (passwords) unmasked\n"
          "  -v, --verbose            say what happens (twice: debug details)\n"
          "  -q, --quiet              print errors only\n"
          "  --config FILE            read options from FILE\n"
          "                           (default $XDG_CONFIG_HOME/bluetti/config or\n"
          "                           ~/.config/bluetti/config)\n"
          "  --no-config              read no config file\n"
          "  --version                print the version\n"
          "  -h, --help               print this help ('" TOOL_NAME " COMMAND --help' for a\n"
          "                           command)\n"
          "\n"
          "Examples:\n"
          "  Try it without a device (a simulated Elite 100 V2):\n"
          "    " TOOL_NAME " --transport sim read\n"
          "    " TOOL_NAME " --transport sim --model EL30V2 listen --interval 2 --count 3\n"
          "  Read your station through the Bluetti cloud (log in once; asks the password):\n"
          "    " TOOL_NAME " login --account me@example.com\n"
          "    " TOOL_NAME " --sn 2345678901234 read\n"
          "  Or with the account's certificate file instead of the login:\n"
          "    " TOOL_NAME " --sn 2345678901234 --cert ~/bluetti.pfx read\n"
          "    " TOOL_NAME " --sn 2345678901234 --cert ~/bluetti.pfx --json read --group battery\n"
          "  Decode a payload captured elsewhere, and see what a block holds:\n"
          "    " TOOL_NAME " decode --block 1300 \"$(cat grid.hex)\"\n"
          "    " TOOL_NAME " describe 100\n"
          "\n"
          "Config file: 'key = value' lines, keys are the long option names (the tool's\n"
          "and the transport's):\n"
          "    sn = 2345678901234\n"
          "    cert = /home/me/bluetti.pfx\n"
          "    model = EL30V2\n"
          "  Options given on the command line win over the file.\n"
          "\n"
          "Secrets (such as the certificate password): the option, else the environment\n"
          "variable the transport names, else asked on the terminal.\n"
          "\n"
          "Numbers (on the command line and in the config file) are decimal digits, with a\n"
          "'.' fraction where seconds are asked for: 5, 0.5. Signs, exponents (1e3), hex,\n"
          "spaces, inf and nan are refused; only block ids may also be hex (0x64).\n"
          "\n"
          "Exit status: 0 success; 1 device, transport, network or protocol failure (what\n"
          "was read is still printed), or the output could not be written; 2 usage or\n"
          "configuration error; 3 the Bluetti cloud refused the account (wrong password,\n"
          "unknown account, login expired and not renewable, certificate revoked); 4 not\n"
          "logged in, or the account has no station with that serial; 5 the MQTT broker\n"
          "refused this client (another client, such as the Bluetti app, holds the\n"
          "account's session, or the broker refused the credentials, certificate or a\n"
          "subscription); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM).\n", out);
    fprintf(out, "\nInstalled plugin directory: %s\n", bluetti_plugin_dir());
}

void help_read(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] read [--blocks LIST | --group NAMES]\n"
          "\n"
          "Read blocks from the device and print every field with its unit. Without a\n"
          "selection, the model's default groups are read ('" TOOL_NAME " models' shows\n"
          "them). A block that fails is reported on stderr; the others are still printed,\n"
          "and the exit status is 1.\n"
          "\n"
          "  -b, --blocks LIST   blocks by id or name, comma-separated (e.g. 100,1300)\n"
          "  -g, --group NAMES   block groups of the model, comma-separated (e.g. core,grid)\n"
          "  -h, --help          this help\n"
          "\n"
          "Examples:\n"
          "  " TOOL_NAME " --transport sim read\n"
          "  " TOOL_NAME " --transport sim read --blocks 100,6000\n"
          "  " TOOL_NAME " --sn 2345678901234 --cert ~/bluetti.pfx --json read --group battery\n",
          out);
}

void help_listen(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] listen [--blocks LIST | --group NAMES]\n"
          "                    [--interval S] [--count N]\n"
          "\n"
          "Read the selected blocks every S seconds until Ctrl-C (exit status 130), a\n"
          "SIGTERM (143) or N rounds. With --json, every round is one line of JSON, so\n"
          "the output can be piped into other programs as it arrives.\n"
          "\n"
          "  -b, --blocks LIST    blocks by id or name, comma-separated\n"
          "  -g, --group NAMES    block groups of the model, comma-separated\n"
          "  -i, --interval S     seconds from the start of one round to the next (default 5)\n"
          "  -c, --count N        stop after N rounds (default 0: never)\n"
          "  -h, --help           this help\n"
          "\n"
          "Examples:\n"
          "  " TOOL_NAME " --transport sim listen --interval 1 --count 3\n"
          "  " TOOL_NAME " --sn 2345678901234 --cert ~/bluetti.pfx --json listen --group core >> log.ndjson\n",
          out);
}

void help_raw(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] raw --block ID [--register-count N]\n"
          "\n"
          "Read one block and show every Modbus frame sent and received (in hex), then the\n"
          "decoded values. With --register-count, exactly N registers are requested; a\n"
          "block no plugin knows can then be read too (shown undecoded).\n"
          "\n"
          "  -b, --block ID            block id or name\n"
          "  -n, --register-count N    registers to request (default: the block's size)\n"
          "  -h, --help                this help\n"
          "\n"
          "Examples:\n"
          "  " TOOL_NAME " --transport sim raw --block 1300\n"
          "  " TOOL_NAME " --transport sim raw --block 100 --register-count 4\n", out);
}

void help_decode(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] decode --block ID [--protocol-version V]\n"
          "                    [--frame] HEX... | -\n"
          "\n"
          "Decode a block payload given as hex (spaces, commas and 0x prefixes are fine) or\n"
          "read from standard input with '-'. No device or transport is involved.\n"
          "\n"
          "  -b, --block ID            block id or name\n"
          "  --protocol-version V      decode as protocol version V (default: --model's)\n"
          "  --frame                   the hex is a whole Modbus reply (address, function,\n"
          "                            byte count, data, CRC); check it and decode its data\n"
          "  -h, --help                this help\n"
          "\n"
          "Examples:\n"
          "  " TOOL_NAME " decode --block 1300 \"13 88 08 fc 00 05 01 f4 ...\"\n"
          "  " TOOL_NAME " decode --block 100 - < payload.hex\n"
          "  " TOOL_NAME " --json decode --frame --block 1300 \"01 03 20 ... 4b 37\"\n", out);
}

void help_describe(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] describe BLOCK\n"
          "\n"
          "Show a block's layout: for every field its byte offset and register, wire type,\n"
          "word order, transforms (scale, offset, mask...), unit, whether it is required,\n"
          "the minimum protocol version, how well it is confirmed, and notes on decisions.\n"
          "BLOCK is an id (100, 0x64) or a name (APP_HOME_DATA). With --model, the block\n"
          "as that model decodes it: the model's field overrides (scale, sign, unit, value\n"
          "names, meaning) applied and listed with their sources.\n"
          "\n"
          "Examples:\n"
          "  " TOOL_NAME " describe 100\n"
          "  " TOOL_NAME " --model AC180 describe 6000\n"
          "  " TOOL_NAME " --json describe INV_GRID_INFO\n", out);
}

void help_blocks(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] blocks\n"
          "\n"
          "List every block the loaded plugins can decode: id, name, class (info or\n"
          "settings), bytes read, field count, evidence and the plugin that provides it.\n",
          out);
}

void help_models(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] models\n"
          "\n"
          "List the device models (give one with --model; aliases work too), their\n"
          "protocol version and block groups. Groups marked 'default' are read by\n"
          "'" TOOL_NAME " read' when no blocks are given.\n", out);
}

void help_plugins(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] plugins\n"
          "\n"
          "List the loaded plugins (name, version, what each provides, file) and the\n"
          "files that were refused, with the reason and what to do about it.\n"
          "\n"
          "Example:\n"
          "  " TOOL_NAME " --plugin-dir ./my-plugins plugins\n", out);
}

void help_docs(FILE *out)
{
    fputs("Usage: " TOOL_NAME " [GLOBAL OPTIONS] docs\n"
          "\n"
          "Print a Markdown reference of every loaded block and model. The project's\n"
          "docs/BLOCKS.md is made this way ('make update-docs').\n"
          "\n"
          "Example:\n"
          "  " TOOL_NAME " --plugin-dir ./my-plugins docs > BLOCKS.md\n", out);
}

void help_help(FILE *out)
{
    fputs("Usage: " TOOL_NAME " help [COMMAND]\n"
          "\n"
          "Show the help of COMMAND, or the general help.\n", out);
}

int cmd_help(tool *t, int argc, char **argv)
{
    (void)t;
    optval v[1] = { { 0 } };
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    size_t n_pos = 0;
    bool done = false;
    if (!pos) return tool_error(EXIT_FAIL, "out of memory");
    int rc = cmd_opts(command_find("help"), v, argc, argv, pos, &n_pos, &done);
    if (!rc && !done) {
        if (n_pos == 0) {
            print_global_help(stdout);
        } else {
            const command *c = command_find(pos[0]);
            if (c) c->help(stdout);
            else rc = tool_error(EXIT_USAGE, "unknown command '%s'; run '" TOOL_NAME
                                 " --help' for the list", bt_shown(pos[0]));
        }
    }
    optvals_free(v, 1, help_only_opts);
    free(pos);
    return rc;
}
