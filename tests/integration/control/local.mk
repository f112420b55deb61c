## tests/integration/control: bluetti-tool set through transport-mqtt,
## mosquitto and bluetti-sim (slow: a broker; valgrind's pass skips it).
CONTROL_INTEGRATION_TESTS = tests/integration/control/mqtt-set.sh
if HAVE_MOSQUITTO
TESTS += $(CONTROL_INTEGRATION_TESTS)
endif HAVE_MOSQUITTO
INTEGRATION_TESTS += $(CONTROL_INTEGRATION_TESTS)
dist_check_SCRIPTS += $(CONTROL_INTEGRATION_TESTS)
