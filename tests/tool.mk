## tests/tool.mk: shell tests of bluetti-tool (every command against the
## simulated device, bad usage, config files, passwords, generated docs).
TOOL_TESTS = \
	tests/tool/usage.sh tests/tool/info.sh tests/tool/decode.sh \
	tests/tool/read.sh tests/tool/listen.sh tests/tool/config.sh \
	tests/tool/password.sh tests/tool/docs.sh tests/tool/transports.sh \
	tests/tool/options.sh
TESTS += $(TOOL_TESTS)
dist_check_SCRIPTS += $(TOOL_TESTS)
EXTRA_DIST += tests/tool/lib.sh
