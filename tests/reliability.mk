## tests/reliability.mk: fault-injection and hostile-input tests (issue 7).

## In-process fault injection through transport-sim and a hostile transport.
if HAVE_CUNIT
check_PROGRAMS += tests/test_faults
TESTS += tests/test_faults
tests_test_faults_SOURCES = tests/test_faults.c
tests_test_faults_CFLAGS = $(TEST_CFLAGS)
tests_test_faults_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT

## Hostile files and values given to bluetti-tool (shell, tests/tool/lib.sh):
## truncated plugins, links into unsafe directories, FIFOs and endless
## files given as certificate or config, out-of-range values, escape
## sequences in anything echoed, loose number syntax, unwritable output and
## signals during blocking calls; bluetti-sim's command line likewise.
## (HOSTILE_MQTT_TESTS give their files to the mqtt transport: libmosquitto only)
HOSTILE_TESTS = \
	tests/hostile/config.sh \
	tests/hostile/plugins.sh tests/hostile/config-fifo.sh \
	tests/hostile/plugin-truncated.sh tests/hostile/plugin-link-open-dir.sh \
	tests/hostile/output.sh
HOSTILE_MQTT_TESTS = tests/hostile/p12.sh tests/hostile/p12-fifo.sh tests/hostile/escape.sh \
	tests/hostile/args.sh tests/hostile/numbers.sh tests/hostile/sim-args.sh
TESTS += $(HOSTILE_TESTS)
if HAVE_MOSQUITTO
TESTS += $(HOSTILE_MQTT_TESTS)
endif
dist_check_SCRIPTS += $(HOSTILE_TESTS) $(HOSTILE_MQTT_TESTS)
