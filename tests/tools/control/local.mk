## tests/tools/control: bluetti-tool set against the in-process simulator
## (the tool: with jansson only).
CONTROL_TOOL_TESTS = tests/tools/control/set.sh
if HAVE_JANSSON
TESTS += $(CONTROL_TOOL_TESTS)
endif HAVE_JANSSON
dist_check_SCRIPTS += $(CONTROL_TOOL_TESTS)
