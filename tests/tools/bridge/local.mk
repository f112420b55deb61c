## tests/tools/bridge: bluetti-bridge without a broker (config checks,
## --once, --shard, --help).
BRIDGE_TOOL_TESTS = tests/tools/bridge/config.sh
TESTS += $(BRIDGE_TOOL_TESTS)
dist_check_SCRIPTS += $(BRIDGE_TOOL_TESTS)
