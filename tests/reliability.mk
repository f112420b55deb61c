## tests/reliability.mk: fault-injection and hostile-input tests (issue 7).

## In-process fault injection through transport-sim and a hostile transport.
if HAVE_CUNIT
check_PROGRAMS += tests/core/test_session_faults
TESTS += tests/core/test_session_faults
tests_core_test_session_faults_SOURCES = tests/core/test_session_faults.c
tests_core_test_session_faults_CFLAGS = $(TEST_CFLAGS)
tests_core_test_session_faults_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT

## Hostile files and values given to bluetti-tool (shell, tests/tools/bluetti-tool/lib.sh):
## truncated plugins, links into unsafe directories, FIFOs and endless
## files given as certificate or config, out-of-range values, escape
## sequences in anything echoed, loose number syntax, unwritable output and
## signals during blocking calls; bluetti-sim's command line likewise.
## (HOSTILE_MQTT_TESTS give their files to the mqtt transport: libmosquitto only)
HOSTILE_TESTS = \
	tests/tools/hostile/config.sh \
	tests/tools/hostile/plugins.sh tests/tools/hostile/config-fifo.sh \
	tests/tools/hostile/plugin-truncated.sh tests/tools/hostile/plugin-link-open-dir.sh \
	tests/tools/hostile/output.sh
HOSTILE_MQTT_TESTS = tests/tools/hostile/p12.sh tests/tools/hostile/p12-fifo.sh tests/tools/hostile/escape.sh \
	tests/tools/hostile/args.sh tests/tools/hostile/numbers.sh tests/tools/hostile/sim-args.sh
TESTS += $(HOSTILE_TESTS)
if HAVE_MOSQUITTO
TESTS += $(HOSTILE_MQTT_TESTS)
endif
dist_check_SCRIPTS += $(HOSTILE_TESTS) $(HOSTILE_MQTT_TESTS)
