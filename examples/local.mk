## examples: programs that show how to use the library (built, never installed).
## external-loop drives several sessions from its own poll() loop; the MQTT
## integration test (tests/integration/mqtt/external-loop.sh) runs it through a broker restart.
noinst_PROGRAMS += examples/external-loop
examples_external_loop_SOURCES = examples/external-loop.c
examples_external_loop_LDADD = core/libbluetti.la $(LIBM)
