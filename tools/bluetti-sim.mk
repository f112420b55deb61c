## tools/bluetti-sim.mk: the device simulator, a real MQTT client that
## answers like one or many devices (engine: plugins/libsimdev.la; broker
## connection: plugins/libmqttconn.la, shared with transport-mqtt). Its
## sources live in tools/bluetti-sim-src/: a directory named like the
## program would clash with the program in the build tree.
## Built with jansson only: every mode reads image files and links
## libbluetti-cloud (its envelopes, its --cloud API).
if HAVE_JANSSON
bin_PROGRAMS += tools/bluetti-sim
man_MANS += tools/bluetti-sim.1
endif HAVE_JANSSON
tools_bluetti_sim_SOURCES = tools/bluetti-sim-src/main.c tools/bluetti-sim-src/cli.c \
	tools/bluetti-sim-src/sim.h \
	tools/bluetti-sim-src/cloud.h tools/bluetti-sim-src/cloud_config.c \
	tools/bluetti-sim-src/cloud_tokens.c tools/bluetti-sim-src/cloud_api.c \
	tools/bluetti-sim-src/cloud_http.c tools/bluetti-sim-src/process.c \
	tools/bluetti-sim-src/process.h tools/bluetti-sim-src/frame_text.c \
	tools/bluetti-sim-src/frame_text.h
tools_bluetti_sim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-sim \
	$(BTUTIL_CPPFLAGS) \
	-I$(top_srcdir)/plugins/transport-mqtt
tools_bluetti_sim_CFLAGS = $(AM_CFLAGS) $(MOSQUITTO_CFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS)
tools_bluetti_sim_LDADD = core/cloud/libbluetti-cloud.la core/libbluetti.la plugins/libsimdev.la
## The device (MQTT) mode needs libmosquitto; without it sim_nomqtt.c says so.
if HAVE_MOSQUITTO
tools_bluetti_sim_SOURCES += tools/bluetti-sim-src/sim.c
tools_bluetti_sim_LDADD += plugins/libmqttconn.la
else
tools_bluetti_sim_SOURCES += tools/bluetti-sim-src/sim_nomqtt.c
endif
tools_bluetti_sim_LDADD += $(BTUTIL_LIBS) \
	$(MOSQUITTO_LIBS) $(OPENSSL_LIBS) $(JANSSON_LIBS) $(PTHREAD_LIBS) $(LIBM)
## --ble: one station over the Bluetooth protocol (transport-ble's protocol
## library, plugins/libbleproto.la), behind a unix socket.
tools_bluetti_sim_SOURCES += tools/bluetti-sim-src/ble_device.c tools/bluetti-sim-src/ble_device.h \
	tools/bluetti-sim-src/ble_server.c tools/bluetti-sim-src/ble_server.h
tools_bluetti_sim_CPPFLAGS += $(BLEPROTO_CPPFLAGS)
tools_bluetti_sim_LDADD += plugins/libbleproto.la $(BTUTIL_LIBS) $(OPENSSL_LIBS)
