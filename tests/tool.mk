## tests/tool.mk: shell tests of bluetti-tool (every command against the
## simulated device, bad usage, config files, passwords, generated docs).
## (TOOL_MQTT_TESTS also drive the mqtt transport: built with libmosquitto only)
TOOL_TESTS = \
	tests/tool/decode.sh \
	tests/tool/read.sh tests/tool/listen.sh \
	tests/tool/docs.sh
TOOL_MQTT_TESTS = tests/tool/config.sh tests/tool/usage.sh tests/tool/info.sh tests/tool/password.sh \
	tests/tool/transports.sh tests/tool/options.sh
TESTS += $(TOOL_TESTS)
if HAVE_MOSQUITTO
TESTS += $(TOOL_MQTT_TESTS)
endif
dist_check_SCRIPTS += $(TOOL_TESTS) $(TOOL_MQTT_TESTS)
EXTRA_DIST += tests/tool/lib.sh
