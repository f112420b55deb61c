## tests/mqtt.mk: MQTT integration tests. tests/mqtt/run.sh makes a
## throw-away PKI, starts mosquitto and bluetti-sim on free loopback ports
## and runs tests/test_mqtt against them; tests/mqtt/sim-cli.sh checks the
## simulator's command line.
## Every test here needs libmosquitto; the two driving a CUnit program need CUnit too.
if HAVE_MOSQUITTO
if HAVE_CUNIT
check_PROGRAMS += tests/test_mqtt
tests_test_mqtt_SOURCES = tests/test_mqtt.c tests/mqtt_testutil.c tests/mqtt_testutil.h
tests_test_mqtt_CFLAGS = $(TEST_CFLAGS) $(MOSQUITTO_CFLAGS)
tests_test_mqtt_LDADD = $(TEST_LIBS) $(MOSQUITTO_LIBS)
TESTS += tests/mqtt/run.sh
endif HAVE_CUNIT
TESTS += tests/mqtt/sim-cli.sh
dist_check_SCRIPTS += tests/mqtt/run.sh tests/mqtt/sim-cli.sh tests/mqtt/mkcerts.sh \
	tests/mqtt/external-loop.sh

## tests/mqtt/live.sh: transport-mqtt's live cloud mode (credentials,
## envelopes, Modbus address 0, key pin, security level, session taken)
## against mosquitto and bluetti-sim --live; tests/mqtt/taken_plugin.c plays
## the broker's session-taken refusal.
if HAVE_CUNIT
check_PROGRAMS += tests/test_mqtt_live
tests_test_mqtt_live_SOURCES = tests/test_mqtt_live.c tests/mqtt_testutil.c tests/mqtt_testutil.h \
	plugins/transport-mqtt/live.c \
	plugins/transport-mqtt/live.h plugins/transport-mqtt/profile.c
tests_test_mqtt_live_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-mqtt
tests_test_mqtt_live_CFLAGS = $(TEST_CFLAGS) $(MOSQUITTO_CFLAGS) $(OPENSSL_CFLAGS)
tests_test_mqtt_live_LDADD = $(TEST_LIBS) plugins/libmqttconn.la $(BTUTIL_LIBS) core/cloud/libbluetti-cloud.la \
	$(MOSQUITTO_LIBS) \
	$(OPENSSL_LIBS)
endif HAVE_CUNIT
check_LTLIBRARIES += tests/mqtt/taken_plugin.la
tests_mqtt_taken_plugin_la_SOURCES = tests/mqtt/taken_plugin.c
## loaded by Debian's mosquitto: built without sanitizer or coverage flags
tests_mqtt_taken_plugin_la_CFLAGS = -std=c11 $(WARN_CFLAGS) $(MOSQUITTO_CFLAGS)
tests_mqtt_taken_plugin_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
if HAVE_CUNIT
TESTS += tests/mqtt/live.sh tests/mqtt/cloud_profile.sh
endif HAVE_CUNIT
dist_check_SCRIPTS += tests/mqtt/live.sh tests/mqtt/cloud_profile.sh
endif HAVE_MOSQUITTO
