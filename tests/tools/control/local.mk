## tests/tools/control: bluetti-tool set against the in-process simulator.
CONTROL_TOOL_TESTS = tests/tools/control/set.sh
TESTS += $(CONTROL_TOOL_TESTS)
dist_check_SCRIPTS += $(CONTROL_TOOL_TESTS)
