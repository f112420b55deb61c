## tests/tools: the command lines of bluetti-tool and bluetti-sim (see tests/README.md).
## Both programs are built with jansson only, and so are their tests.

## bluetti-tool/: shell tests of bluetti-tool (every command against the
## simulated device, bad usage, config files, passwords, generated docs).
## (TOOL_MQTT_TESTS also drive the mqtt transport: built with libmosquitto only)
TOOL_TESTS = \
	tests/tools/bluetti-tool/decode.sh \
	tests/tools/bluetti-tool/read.sh tests/tools/bluetti-tool/listen.sh \
	tests/tools/bluetti-tool/docs.sh
TOOL_MQTT_TESTS = tests/tools/bluetti-tool/config.sh tests/tools/bluetti-tool/usage.sh tests/tools/bluetti-tool/info.sh tests/tools/bluetti-tool/password.sh \
	tests/tools/bluetti-tool/transports.sh tests/tools/bluetti-tool/options.sh
if HAVE_JANSSON
TESTS += $(TOOL_TESTS)
endif HAVE_JANSSON
if HAVE_MOSQUITTO
TESTS += $(TOOL_MQTT_TESTS)
endif
dist_check_SCRIPTS += $(TOOL_TESTS) $(TOOL_MQTT_TESTS)
EXTRA_DIST += tests/tools/bluetti-tool/lib.sh

## Hostile files and values given to bluetti-tool (shell, tests/tools/bluetti-tool/lib.sh):
## truncated plugins, links into unsafe directories, FIFOs and endless
## files given as certificate or config, out-of-range values, escape
## sequences in anything echoed, loose number syntax, unwritable output and
## signals during blocking calls; bluetti-sim's command line likewise.
## (HOSTILE_MQTT_TESTS give their files to the mqtt transport: libmosquitto only)
HOSTILE_TESTS = \
	tests/tools/hostile/config.sh \
	tests/tools/hostile/plugins.sh tests/tools/hostile/config-fifo.sh \
	tests/tools/hostile/plugin-truncated.sh tests/tools/hostile/plugin-link-open-dir.sh \
	tests/tools/hostile/output.sh
HOSTILE_MQTT_TESTS = tests/tools/hostile/p12.sh tests/tools/hostile/p12-fifo.sh tests/tools/hostile/escape.sh \
	tests/tools/hostile/args.sh tests/tools/hostile/numbers.sh tests/tools/hostile/sim-args.sh
if HAVE_JANSSON
TESTS += $(HOSTILE_TESTS)
endif HAVE_JANSSON
if HAVE_MOSQUITTO
TESTS += $(HOSTILE_MQTT_TESTS)
endif
dist_check_SCRIPTS += $(HOSTILE_TESTS) $(HOSTILE_MQTT_TESTS)

## bluetti-sim's command line (MQTT mode: libmosquitto only).
if HAVE_MOSQUITTO
TESTS += tests/tools/bluetti-sim/sim-cli.sh
endif HAVE_MOSQUITTO
dist_check_SCRIPTS += tests/tools/bluetti-sim/sim-cli.sh

## tests/tools: bluetti-tool scan (through transport-sim's discover op) and
## bluetti-sim --ble's command line.
if HAVE_JANSSON
TESTS += tests/tools/bluetti-tool/scan.sh tests/tools/bluetti-sim/sim_ble.sh
endif HAVE_JANSSON
dist_check_SCRIPTS += tests/tools/bluetti-tool/scan.sh tests/tools/bluetti-sim/sim_ble.sh
