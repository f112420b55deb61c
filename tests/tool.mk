## tests/tool.mk: shell tests of bluetti-tool (every command against the
## simulated device, bad usage, config files, passwords, generated docs).
## (TOOL_MQTT_TESTS also drive the mqtt transport: built with libmosquitto only)
TOOL_TESTS = \
	tests/tools/bluetti-tool/decode.sh \
	tests/tools/bluetti-tool/read.sh tests/tools/bluetti-tool/listen.sh \
	tests/tools/bluetti-tool/docs.sh
TOOL_MQTT_TESTS = tests/tools/bluetti-tool/config.sh tests/tools/bluetti-tool/usage.sh tests/tools/bluetti-tool/info.sh tests/tools/bluetti-tool/password.sh \
	tests/tools/bluetti-tool/transports.sh tests/tools/bluetti-tool/options.sh
TESTS += $(TOOL_TESTS)
if HAVE_MOSQUITTO
TESTS += $(TOOL_MQTT_TESTS)
endif
dist_check_SCRIPTS += $(TOOL_TESTS) $(TOOL_MQTT_TESTS)
EXTRA_DIST += tests/tools/bluetti-tool/lib.sh
