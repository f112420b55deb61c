## tests/integration/cloud: the account login against bluetti-sim --cloud (HTTPS)
## and the TOTP broker.
## The simulated cloud (bluetti-sim --cloud) and the test broker's auth
## plugin, driven by tests/integration/cloud/sim_cloud.sh with curl and the mosquitto
## clients. totp_tool prints libbluetti-cloud's values for the shell tests.
## totp_tool and test_login link libbluetti-cloud (built with jansson
## only); the rest need libmosquitto, which configure uses only with jansson.
if HAVE_JANSSON
check_PROGRAMS += tests/integration/cloud/totp_tool
endif HAVE_JANSSON
tests_integration_cloud_totp_tool_SOURCES = tests/integration/cloud/totp_tool.c
tests_integration_cloud_totp_tool_LDADD = core/cloud/libbluetti-cloud.la
## The plugin is loaded by Debian's mosquitto, which cannot load sanitizer
## or coverage instrumented code: it is built without SAN_CFLAGS, from
## libbluetti-cloud's own source file (the same code, not a copy).
if HAVE_MOSQUITTO
check_LTLIBRARIES += tests/integration/cloud/auth_plugin.la
tests_integration_cloud_auth_plugin_la_SOURCES = tests/integration/cloud/auth_plugin.c core/cloud/crypto.c
tests_integration_cloud_auth_plugin_la_CPPFLAGS = $(AM_CPPFLAGS) -DBLUETTI_BUILDING_LIB
tests_integration_cloud_auth_plugin_la_CFLAGS = -std=c11 $(WARN_CFLAGS) $(MOSQUITTO_CFLAGS) $(OPENSSL_CFLAGS)
tests_integration_cloud_auth_plugin_la_LDFLAGS = -module -avoid-version -rpath /nowhere \
	-export-symbols-regex '^mosquitto_plugin_(version|init|cleanup)$$'
tests_integration_cloud_auth_plugin_la_LIBADD = $(OPENSSL_LIBS)
TESTS += tests/integration/cloud/sim_cloud.sh
endif HAVE_MOSQUITTO
dist_check_SCRIPTS += tests/integration/cloud/sim_cloud.sh tests/integration/cloud/harness.sh

## The account client (cloud-client): test_login runs its CUnit suites
## against bluetti-sim --cloud through login_lib.sh; login.sh drives
## bluetti-tool login / devices / logout / --sn read the same way.
if HAVE_CUNIT
if HAVE_JANSSON
check_PROGRAMS += tests/integration/cloud/test_login
TESTS += tests/integration/cloud/login_lib.sh
endif HAVE_JANSSON
tests_integration_cloud_test_login_SOURCES = tests/integration/cloud/test_login.c
tests_integration_cloud_test_login_CFLAGS = $(TEST_CFLAGS) $(OPENSSL_CFLAGS)
tests_integration_cloud_test_login_LDADD = core/cloud/libbluetti-cloud.la $(TEST_LIBS) $(OPENSSL_LIBS)
endif HAVE_CUNIT
if HAVE_MOSQUITTO
TESTS += tests/integration/cloud/login.sh
endif HAVE_MOSQUITTO
dist_check_SCRIPTS += tests/integration/cloud/login_lib.sh tests/integration/cloud/login.sh

## tool_errors.sh: bluetti-tool through the stored login from the user's
## side: each connect-time failure (session taken, credentials refused,
## stale clock, password changed), address 0 and the old envelope via --sn,
## the broker key pin stored by login, and strace of a --sn read.
if HAVE_MOSQUITTO
TESTS += tests/integration/cloud/tool_errors.sh
endif HAVE_MOSQUITTO
dist_check_SCRIPTS += tests/integration/cloud/tool_errors.sh

## listen.sh: a long-running listen through a stored login across a broker
## restart: the expired token renewed, a fresh TOTP after the cloud's clock jumped.
if HAVE_MOSQUITTO
TESTS += tests/integration/cloud/listen.sh
endif HAVE_MOSQUITTO
dist_check_SCRIPTS += tests/integration/cloud/listen.sh
## bridge.sh: bluetti-bridge with a cloud_profile source (two stations, a
## token that expires across a broker restart, bad profiles). The bridge is
## built with libmosquitto only, as the test broker's plugin is.
if HAVE_MOSQUITTO
TESTS += tests/integration/cloud/bridge.sh
endif HAVE_MOSQUITTO
dist_check_SCRIPTS += tests/integration/cloud/bridge.sh
## The cloud tests start mosquitto and the HTTPS account server: valgrind's
## pass leaves them to the plain, sanitizer and coverage passes.
INTEGRATION_TESTS += tests/integration/cloud/sim_cloud.sh tests/integration/cloud/login_lib.sh \
	tests/integration/cloud/login.sh tests/integration/cloud/tool_errors.sh tests/integration/cloud/listen.sh \
	tests/integration/cloud/bridge.sh
