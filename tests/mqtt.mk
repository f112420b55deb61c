## tests/mqtt.mk: MQTT integration tests. tests/mqtt/run.sh makes a
## throw-away PKI, starts mosquitto and bluetti-sim on free loopback ports
## and runs tests/test_mqtt against them; tests/mqtt/sim-cli.sh checks the
## simulator's command line.
check_PROGRAMS += tests/test_mqtt
tests_test_mqtt_SOURCES = tests/test_mqtt.c
tests_test_mqtt_CFLAGS = $(TEST_CFLAGS) $(MOSQUITTO_CFLAGS)
tests_test_mqtt_LDADD = $(TEST_LIBS) $(MOSQUITTO_LIBS)
TESTS += tests/mqtt/run.sh tests/mqtt/sim-cli.sh
dist_check_SCRIPTS += tests/mqtt/run.sh tests/mqtt/sim-cli.sh tests/mqtt/mkcerts.sh \
	tests/mqtt/external-loop.sh
