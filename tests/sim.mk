## tests/sim.mk: the simulated device engine, transport-sim through the
## session API, the device images and the Elite V2 profiles.
if HAVE_CUNIT
check_PROGRAMS += tests/plugins/test_transport_sim tests/plugins/test_profiles
TESTS += tests/plugins/test_transport_sim tests/plugins/test_profiles
tests_plugins_test_transport_sim_SOURCES = tests/plugins/test_transport_sim.c
tests_plugins_test_transport_sim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-sim
tests_plugins_test_transport_sim_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_transport_sim_LDADD = plugins/libsimdev.la $(TEST_LIBS)
tests_plugins_test_profiles_SOURCES = tests/plugins/test_profiles.c
tests_plugins_test_profiles_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-sim
tests_plugins_test_profiles_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_profiles_LDADD = plugins/libsimdev.la $(TEST_LIBS)
endif HAVE_CUNIT

## transport-sim and bluetti-sim find the images of the source tree during
## `make check` (the installed BLUETTI_DATADIR/devices does not exist yet).
AM_TESTS_ENVIRONMENT += \
	BLUETTI_SIM_DEVICES='$(abs_top_srcdir)/data/devices'; export BLUETTI_SIM_DEVICES;
