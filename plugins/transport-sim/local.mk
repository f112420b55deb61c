## plugins/transport-sim: the simulated-device engine (libsimdev, also used
## by tools/bluetti-sim) and the in-process "sim" transport built on it.
## libsimdev uses core/util without linking it: whoever links libsimdev
## links libbtutil once (a convenience library twice in one plugin would
## define its symbols twice).
noinst_LTLIBRARIES += plugins/libsimdev.la
plugins_libsimdev_la_SOURCES = plugins/transport-sim/simdev.c plugins/transport-sim/simdev.h
plugins_libsimdev_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS)
plugins_libsimdev_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_libsimdev_la_LIBADD = $(JANSSON_LIBS) $(LIBM)

plugin_LTLIBRARIES += plugins/transport-sim.la
plugins_transport_sim_la_SOURCES = plugins/transport-sim/transport_sim.c
plugins_transport_sim_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS)
plugins_transport_sim_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_transport_sim_la_LIBADD = $(PLUGIN_LIBADD) plugins/libsimdev.la $(BTUTIL_LIBS) $(LIBM)

## The device images the simulators serve by default.
devicesdir = $(pkgdatadir)/devices
dist_devices_DATA = data/devices/el30v2.json data/devices/el100v2.json \
	data/devices/elite200v2.json data/devices/ac180.json data/devices/ep760.json \
	data/devices/ap300.json
EXTRA_DIST += data/devices/README.md data/devices/units/el30v2.json \
	data/devices/units/el100v2.json data/devices/units/elite200v2.json \
	data/devices/units/ac180.json data/devices/units/ep760.json data/devices/units/ap300.json
