## tests/integration/mqtt: transport-mqtt against Debian's mosquitto.
## run.sh makes a throw-away PKI, starts mosquitto and bluetti-sim on free
## loopback ports and runs test_mqtt against them.
## Every test here needs libmosquitto; the two driving a CUnit program need CUnit too.
if HAVE_MOSQUITTO
if HAVE_CUNIT
check_PROGRAMS += tests/integration/mqtt/test_mqtt
tests_integration_mqtt_test_mqtt_SOURCES = tests/integration/mqtt/test_mqtt.c tests/integration/mqtt/mqtt_testutil.c tests/integration/mqtt/mqtt_testutil.h
tests_integration_mqtt_test_mqtt_CFLAGS = $(TEST_CFLAGS) $(MOSQUITTO_CFLAGS)
tests_integration_mqtt_test_mqtt_LDADD = $(TEST_LIBS) $(MOSQUITTO_LIBS)
TESTS += tests/integration/mqtt/run.sh
endif HAVE_CUNIT
dist_check_SCRIPTS += tests/integration/mqtt/run.sh tests/integration/mqtt/mkcerts.sh \
	tests/integration/mqtt/external-loop.sh

## tests/integration/mqtt/live.sh: transport-mqtt's live cloud mode (credentials,
## envelopes, Modbus address 0, key pin, security level, session taken)
## against mosquitto and bluetti-sim --live; tests/integration/mqtt/taken_plugin.c plays
## the broker's session-taken refusal.
if HAVE_CUNIT
check_PROGRAMS += tests/integration/mqtt/test_mqtt_live
tests_integration_mqtt_test_mqtt_live_SOURCES = tests/integration/mqtt/test_mqtt_live.c tests/integration/mqtt/mqtt_testutil.c tests/integration/mqtt/mqtt_testutil.h \
	plugins/transport-mqtt/live.c \
	plugins/transport-mqtt/live.h plugins/transport-mqtt/profile.c
tests_integration_mqtt_test_mqtt_live_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-mqtt
tests_integration_mqtt_test_mqtt_live_CFLAGS = $(TEST_CFLAGS) $(MOSQUITTO_CFLAGS) $(OPENSSL_CFLAGS)
tests_integration_mqtt_test_mqtt_live_LDADD = $(TEST_LIBS) plugins/libmqttconn.la $(BTUTIL_LIBS) core/cloud/libbluetti-cloud.la \
	$(MOSQUITTO_LIBS) \
	$(OPENSSL_LIBS)
endif HAVE_CUNIT
check_LTLIBRARIES += tests/integration/mqtt/taken_plugin.la
tests_integration_mqtt_taken_plugin_la_SOURCES = tests/integration/mqtt/taken_plugin.c
## loaded by Debian's mosquitto: built without sanitizer or coverage flags
tests_integration_mqtt_taken_plugin_la_CFLAGS = -std=c11 $(WARN_CFLAGS) $(MOSQUITTO_CFLAGS)
tests_integration_mqtt_taken_plugin_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
if HAVE_CUNIT
TESTS += tests/integration/mqtt/live.sh tests/integration/mqtt/cloud_profile.sh
endif HAVE_CUNIT
dist_check_SCRIPTS += tests/integration/mqtt/live.sh tests/integration/mqtt/cloud_profile.sh
endif HAVE_MOSQUITTO
## Every test here starts brokers and simulators: valgrind's pass skips them
## (run.sh alone took 450 s of its 760 under valgrind); the plain, ASan+UBSan
## (with LeakSanitizer) and coverage passes run them.
INTEGRATION_TESTS += tests/integration/mqtt/run.sh tests/integration/mqtt/live.sh \
	tests/integration/mqtt/cloud_profile.sh
